-- `.crypto.mac.hmac`: `HMAC()` builds a keyed hash over a digest constructor (`SHA1.SHA1`,
-- `SHA2_256.SHA2_256`); `hmac(stream, keyArray, algorithm)` is aos's `createHmac`. Note what
-- aos does and so this does: `createHmac` pads keys to a 32-byte block (HMAC's standard
-- block for SHA-1 and SHA-256 is 64, which `pbkdf2` uses), and a key is read as an array, so
-- a string key reads as empty.
local Array = require(".crypto.util.array")
local Stream = require(".crypto.util.stream")
local SHA1 = require(".crypto.digest.sha1")
local SHA2_256 = require(".crypto.digest.sha2_256")
local XOR = require(".crypto.util.bit").bxor

local function HMAC()
  local public = {}
  local blockSize = 64
  local Digest, digest
  local outerPadding, innerPadding = {}, {}

  function public.setBlockSize(bytes)
    blockSize = bytes
    return public
  end

  function public.setDigest(digestModule)
    Digest = digestModule
    digest = Digest()
    return public
  end

  function public.setKey(key)
    if Digest == nil then
      error("Digest not set") -- aos:63
    end
    local keyStream
    if Array.size(key) > blockSize then
      keyStream = Stream.fromArray(Digest().update(Stream.fromArray(key)).finish().asBytes())
    else
      keyStream = Stream.fromArray(key)
    end
    outerPadding, innerPadding = {}, {}
    for i = 1, blockSize do
      local b = keyStream() or 0
      outerPadding[i] = XOR(0x5C, b)
      innerPadding[i] = XOR(0x36, b)
    end
    return public
  end

  function public.init()
    digest.init().update(Stream.fromArray(innerPadding))
    return public
  end

  function public.update(messageStream)
    digest.update(messageStream)
    return public
  end

  function public.finish()
    local inner = digest.finish().asBytes()
    digest.init().update(Stream.fromArray(outerPadding)).update(Stream.fromArray(inner)).finish()
    return public
  end

  function public.asBytes() return digest.asBytes() end
  function public.asHex() return digest.asHex() end
  function public.asString() return digest.asString() end
  return public
end

local function hmac(data, key, algorithm)
  local digest
  if algorithm == "sha1" or algorithm == nil then
    digest = SHA1.SHA1
  elseif algorithm == "sha256" then
    digest = SHA2_256.SHA2_256
  else
    error("Unsupported algorithm: " .. algorithm) -- aos:217
  end
  return HMAC().setBlockSize(32).setDigest(digest).setKey(key).init().update(data).finish()
end

return {
  hmac = hmac,
  HMAC = HMAC,
}
