-- `.crypto.util.stream`: a stream is a function returning the next byte, then nil.
local Queue = require(".crypto.util.queue")

local Stream = {}

local upperHex, byteOfHex = {}, {}
for b = 0, 255 do
  upperHex[b] = string.format("%02X", b)
  byteOfHex[upperHex[b]] = b
  byteOfHex[string.format("%02x", b)] = b
end

-- Every item a stream yields, in order, as an array.
local function drain(stream)
  local items, n = {}, 0
  local item = stream()
  while item ~= nil do
    n = n + 1
    items[n] = item
    item = stream()
  end
  return items
end

function Stream.fromString(s)
  local at = 0
  return function()
    at = at + 1
    return string.byte(s, at)
  end
end

function Stream.toString(stream)
  local chars = drain(stream)
  for i = 1, #chars do
    chars[i] = string.char(chars[i])
  end
  return table.concat(chars)
end

-- The array's items up to its first nil, queued (so the stream ends there too).
function Stream.fromArray(array)
  local queue = Queue()
  local i = 1
  while array[i] ~= nil do
    queue.push(array[i])
    i = i + 1
  end
  return queue.pop
end

Stream.toArray = drain

-- Two hex digits per byte; a pair that is not hex ends the stream there.
function Stream.fromHex(hex)
  local queue = Queue()
  for i = 1, string.len(hex) / 2 do
    queue.push(byteOfHex[string.sub(hex, i * 2 - 1, i * 2)])
  end
  return queue.pop
end

function Stream.toHex(stream)
  local digits = drain(stream)
  for i = 1, #digits do
    digits[i] = upperHex[digits[i]]
  end
  return table.concat(digits)
end

return Stream
