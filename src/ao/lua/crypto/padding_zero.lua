-- `.crypto.padding.zero`: a stream of the zero bytes that pad `byteCount` bytes to a whole
-- number of `blockSize` blocks, counted as aos counts them.
return function(blockSize, byteCount)
  local left = blockSize - ((byteCount - 1) % blockSize) + 1
  return function()
    if left > 0 then
      left = left - 1
      return 0
    end
    return nil
  end
end
