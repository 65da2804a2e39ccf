-- `.crypto.cipher.morus`: MORUS-1280 authenticated encryption (a 16- or 32-byte key, a 16-byte
-- nonce), computed natively. `encrypt` returns the associated data, the cipher text and the
-- 16-byte tag as one text (`asBytes` gives its pieces: the data, each 32-byte block, the
-- tag); `decrypt` takes that text and the associated data's length.
local _, native = ...
local Hex = require(".crypto.util.hex")

local function rotl(x, n)
  return (x << n) | (x >> (64 - n))
end

-- A row of the state (four words) rotated left by `k` words.
local function rotateWords(s, row, k)
  local base = row * 4
  local w = { s[base + 1], s[base + 2], s[base + 3], s[base + 4] }
  for j = 0, 3 do
    s[base + 1 + j] = w[(j + k) % 4 + 1]
  end
end

-- The state update with message words m0..m3, on the state as twenty integers (row by row):
-- each row takes in the message (not the first) and the row three after it, which then
-- turns by whole words, and the AND of the next two rows, and rotates its words' bits.
local ROTATIONS = { 13, 46, 38, 7, 4 }
local WORD_TURNS = { 3, 2, 1, 2, 3 } -- the row (after) rotated left by words, in each step
local function state_update(s, m0, m1, m2, m3)
  local m = { m0, m1, m2, m3 }
  for r = 0, 4 do
    local base = r * 4
    local b, c, d = ((r + 1) % 5) * 4, ((r + 2) % 5) * 4, ((r + 3) % 5) * 4
    for j = 1, 4 do
      s[base + j] = s[base + j] ~ (r == 0 and 0 or m[j]) ~ s[d + j]
    end
    rotateWords(s, (r + 3) % 5, WORD_TURNS[r + 1])
    for j = 1, 4 do
      s[base + j] = rotl(s[base + j] ~ (s[b + j] & s[c + j]), ROTATIONS[r + 1])
    end
  end
end

local function checkKey(key, iv)
  assert((#key == 16) or (#key == 32), "key must be 16 or 32 bytes") -- aos:411
  assert(#iv == 16, "iv must be 16 bytes") -- aos:413
end

local function encrypt(k, iv, m, ad)
  ad = ad or ""
  local mlen, adlen = #m, #ad -- aos:535
  checkKey(k, iv)
  local c, tag = native("morus.encrypt", k, iv, m, ad)
  local ct = { ad }
  for i = 1, #c, 32 do
    ct[#ct + 1] = c:sub(i, i + 31)
  end
  ct[#ct + 1] = tag
  local public = {}
  function public.asBytes() return ct end
  function public.asHex() return Hex.stringToHex(table.concat(ct)) end
  function public.asString() return table.concat(ct) end
  return public
end

local function decrypt(k, iv, e, adlen)
  adlen = adlen or 0
  local elen = #e - 16 -- aos:677
  checkKey(k, iv)
  local _ = string.unpack("<I8I8", e, elen + 1) -- aos:759
  local plain = native("morus.decrypt", k, iv, e, adlen)
  if plain == nil then
    return nil, "decrypt error"
  end
  return plain
end

return {
  state_update = state_update,
  encrypt = encrypt,
  decrypt = decrypt,
  key_size = 32,
  nonce_size = 16,
  variant = "Morus-1280",
}
