-- `.crypto.cipher.norx`: NORX 64-4-1 authenticated encryption (32-byte key and nonce, longer
-- ones cut), computed natively. `encrypt(key, nonce, plain, header, trailer)` returns the
-- cipher text and the 32-byte tag (`asBytes` gives the pieces aos makes: eight bytes at a
-- time for each 96-byte block, the last partial block, the tag); `decrypt` checks the tag.
local _, native = ...
local Hex = require(".crypto.util.hex")

-- aos reads the nonce's and then the key's first 32 bytes as four words: shorter ones fail.
local function checkKey(k, n)
  local _ = string.unpack("<I8I8I8I8", n) -- aos:329
  local _ = string.unpack("<I8I8I8I8", k) -- aos:333
end

local function encrypt(key, nonce, plain, header, trailer)
  header = header or ""
  trailer = trailer or ""
  checkKey(key, nonce)
  local ins = plain
  local inlen = #ins -- aos:397
  local c, tag = native("norx.encrypt", key, nonce, plain, header, trailer)
  local pieces = {}
  local full = inlen - inlen % 96
  for i = 1, full, 8 do
    pieces[#pieces + 1] = c:sub(i, i + 7)
  end
  if inlen > 0 then
    pieces[#pieces + 1] = c:sub(full + 1)
  end
  pieces[#pieces + 1] = tag
  local crypted = c .. tag
  local public = {}
  function public.asBytes() return pieces end
  function public.asString() return crypted end
  function public.asHex() return Hex.stringToHex(crypted) end
  return public
end

local function decrypt(key, nonce, crypted, header, trailer)
  header = header or ""
  trailer = trailer or ""
  assert(#crypted >= 32) -- aos:599
  checkKey(key, nonce)
  local plain = native("norx.decrypt", key, nonce, crypted, header, trailer)
  if plain == nil then
    return nil, "auth failure"
  end
  return plain
end

return {
  encrypt = encrypt,
  decrypt = decrypt,
  key_size = 32,
  nonce_size = 32,
  variant = "NORX 64-4-1",
}
