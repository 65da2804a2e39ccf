-- `.crypto.digest.sha2_512`: the SHA-512 digest of a string. Its `asBytes` gives the eight
-- state words as signed 64-bit integers, as aos's does.
local _, digest = ...

return function(msg)
  local length = #msg -- aos:79
  local raw = digest("sha512", msg)
  local public = {}
  function public.asBytes()
    local words = { string.unpack(">i8i8i8i8i8i8i8i8", raw) }
    words[9] = nil -- unpack's next position
    return words
  end
  function public.asString() return raw end
  function public.asHex() return (raw:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
  return public
end
