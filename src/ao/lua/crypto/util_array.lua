-- `.crypto.util.array`: byte arrays (Lua sequences of numbers). Most functions stop at the
-- first nil, as streams do; `XOR`, `substitute`, `permute` and `copy` walk with `pairs`.
local Bit = require(".crypto.util.bit")
local Queue = require(".crypto.util.queue")

local Array = {}

local upperHex, byteOfHex = {}, {}
for b = 0, 255 do
  upperHex[b] = string.format("%02X", b)
  byteOfHex[upperHex[b]] = b
  byteOfHex[string.format("%02x", b)] = b
end

function Array.size(array)
  return #array
end

function Array.fromString(s)
  local bytes, i = {}, 1
  local b = string.byte(s, i)
  while b ~= nil do
    bytes[i] = b
    i = i + 1
    b = string.byte(s, i)
  end
  return bytes
end

function Array.toString(bytes)
  local chars, i = {}, 1
  while bytes[i] ~= nil do
    chars[i] = string.char(bytes[i])
    i = i + 1
  end
  return table.concat(chars, "")
end

function Array.fromStream(stream)
  local array, i = {}, 1
  local b = stream()
  while b ~= nil do
    array[i] = b
    i = i + 1
    b = stream()
  end
  return array
end

function Array.readFromQueue(queue, size)
  local array = {}
  for i = 1, size do
    array[i] = queue.pop()
  end
  return array
end

function Array.writeToQueue(queue, array)
  for i = 1, Array.size(array) do
    queue.push(array[i])
  end
end

function Array.toStream(array)
  local queue, i = Queue(), 1
  while array[i] ~= nil do
    queue.push(array[i])
    i = i + 1
  end
  return queue.pop
end

function Array.fromHex(hex)
  local array = {}
  for i = 1, string.len(hex) / 2 do
    array[i] = byteOfHex[string.sub(hex, i * 2 - 1, i * 2)]
  end
  return array
end

function Array.toHex(array)
  local digits, i = {}, 1
  while array[i] ~= nil do
    digits[i] = upperHex[array[i]]
    i = i + 1
  end
  return table.concat(digits, "")
end

function Array.concat(a, b)
  local out, n = {}, 0
  local i = 1
  while a[i] ~= nil do
    n = n + 1
    out[n] = a[i]
    i = i + 1
  end
  i = 1
  while b[i] ~= nil do
    n = n + 1
    out[n] = b[i]
    i = i + 1
  end
  return out
end

function Array.truncate(a, newSize)
  local out = {}
  for i = 1, newSize do
    out[i] = a[i]
  end
  return out
end

function Array.XOR(a, b)
  local out = {}
  for k, v in pairs(a) do
    out[k] = Bit.bxor(v, b[k])
  end
  return out
end

function Array.substitute(input, sbox)
  local out = {}
  for k, v in pairs(input) do
    out[k] = sbox[v]
  end
  return out
end

function Array.permute(input, pbox)
  local out = {}
  for k, v in pairs(pbox) do
    out[k] = input[v]
  end
  return out
end

function Array.copy(input)
  local out = {}
  for k, v in pairs(input) do
    out[k] = v
  end
  return out
end

-- Negative bounds count from the end; nil items are skipped by `table.insert`'s append.
function Array.slice(input, start, stop)
  local out = {}
  if start == nil then
    start = 1
  elseif start < 0 then
    start = #input + start + 1
  end
  if stop == nil then
    stop = #input
  elseif stop < 0 then
    stop = #input + stop + 1
  end
  for i = start, stop do
    table.insert(out, input[i])
  end
  return out
end

return Array
