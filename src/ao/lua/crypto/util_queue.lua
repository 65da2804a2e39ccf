-- `.crypto.util.queue`: a first-in first-out queue of bytes as closures, positions counted
-- from 0 (`getHead` is how many were ever pushed, which the digests' length padding reads).
return function()
  local items, head, tail = {}, 0, 0
  local queue = {}
  function queue.push(value)
    items[head] = value
    head = head + 1
  end
  function queue.pop()
    if tail >= head then
      return nil
    end
    local value = items[tail]
    items[tail] = nil
    tail = tail + 1
    return value
  end
  function queue.size() return head - tail end
  function queue.getHead() return head end
  function queue.getTail() return tail end
  function queue.reset()
    items, head, tail = {}, 0, 0
  end
  return queue
end
