-- `.crypto.cipher.aes128`, `aes192` and `aes256` (this one source, by the name it is loaded
-- under): AES on one 16-byte block, key and block as byte arrays, computed natively.
local name, aes = ...
local bits = math.tointeger(tonumber(string.match(name, "aes(%d+)$")))

-- The first `n` items of a byte array as a string (a missing one is an error, as the
-- arithmetic on it is in aos).
local function bytes(array, n)
  local chars = {}
  for i = 1, n do
    chars[i] = string.char(array[i])
  end
  return table.concat(chars)
end

local AES = { blockSize = 16 }

function AES.encrypt(key, block)
  return { string.byte(aes(bytes(key, bits // 8), bytes(block, 16), bits, false), 1, 16) }
end

function AES.decrypt(key, block)
  return { string.byte(aes(bytes(key, bits // 8), bytes(block, 16), bits, true), 1, 16) }
end

return AES
