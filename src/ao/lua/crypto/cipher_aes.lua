-- `.crypto.cipher.aes`: `encrypt(data, key, iv, mode, keyLength)` and `decrypt(hex, key, iv,
-- mode, keyLength)`, strings in (the cipher text as hex), results with draining
-- `asBytes`/`asHex`/`asString`. The IV defaults to 16 zero bytes, the mode to CBC (also for
-- an unknown name), the key length to 128 (also for an unknown one).
local Array = require(".crypto.util.array")
local Stream = require(".crypto.util.stream")
local ZeroPadding = require(".crypto.padding.zero")

local CIPHERS = {
  [128] = require(".crypto.cipher.aes128"),
  [192] = require(".crypto.cipher.aes192"),
  [256] = require(".crypto.cipher.aes256"),
}
local MODES = {
  CBC = require(".crypto.cipher.mode.cbc"),
  ECB = require(".crypto.cipher.mode.ecb"),
  CFB = require(".crypto.cipher.mode.cfb"),
  OFB = require(".crypto.cipher.mode.ofb"),
  CTR = require(".crypto.cipher.mode.ctr"),
}

local function run(direction, input, key, iv, mode, keyLength)
  local k = Array.fromString(key)
  local ivBytes = iv ~= nil and Array.fromString(iv) or Array.fromHex("00000000000000000000000000000000")
  local cipherMode = MODES[mode] or MODES.CBC
  local blockCipher = CIPHERS[keyLength == nil and 128 or keyLength] or CIPHERS[128]
  local output = cipherMode[direction]()
    .setKey(k)
    .setBlockCipher(blockCipher)
    .setPadding(ZeroPadding)
    .init()
    .update(Stream.fromArray(ivBytes))
    .update(Stream.fromArray(input))
    .finish()
  return {
    asBytes = function() return output.asBytes() end,
    asHex = function() return output.asHex() end,
    asString = function() return output.asString() end,
  }
end

return {
  encrypt = function(data, key, iv, mode, keyLength)
    return run("Cipher", Array.fromString(data), key, iv, mode, keyLength)
  end,
  decrypt = function(cipher, key, iv, mode, keyLength)
    return run("Decipher", Array.fromHex(cipher), key, iv, mode, keyLength)
  end,
}
