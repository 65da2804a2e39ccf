-- `.crypto.kdf.pbkdf2`: PBKDF2 with HMAC (64-byte blocks) over SHA-1 or SHA-256, password and
-- salt given as byte arrays. aos computes `ceil(keyLen / 16)` blocks of the digest's size
-- and cuts the result to `keyLen`: the standard key, with spare blocks computed.
local Array = require(".crypto.util.array")
local Stream = require(".crypto.util.stream")
local HMAC = require(".crypto.mac.hmac")
local SHA1 = require(".crypto.digest.sha1")
local SHA2_256 = require(".crypto.digest.sha2_256")

-- The big-endian bytes of a block number.
local function counterBytes(i)
  return { (i >> 24) & 0xFF, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF }
end

local function PBKDF2()
  local public = {}
  local blockLen, dKeyLen, iterations = 16, 256, 4096
  local salt, password, PRF, dKey

  function public.setBlockLen(len) blockLen = len return public end
  function public.setDKeyLen(len) dKeyLen = len return public end
  function public.setIterations(n) iterations = n return public end
  function public.setSalt(bytes) salt = bytes return public end
  function public.setPassword(bytes) password = bytes return public end
  function public.setPRF(prf) PRF = prf return public end

  local function block(i)
    local u = Array.concat(salt, counterBytes(i))
    local out
    PRF.setKey(password)
    for round = 1, iterations do
      PRF.init().update(Stream.fromArray(u))
      u = PRF.finish().asBytes()
      out = round > 1 and Array.XOR(out, u) or u
    end
    return out or {}
  end

  function public.finish()
    dKey = {}
    for b = 1, math.ceil(dKeyLen / blockLen) do
      dKey = Array.concat(dKey, block(b))
    end
    if Array.size(dKey) > dKeyLen then
      dKey = Array.truncate(dKey, dKeyLen)
    end
    return public
  end

  function public.asBytes() return dKey end
  function public.asHex() return Array.toHex(dKey) end
  function public.asString() return Array.toString(dKey) end
  return public
end

local function pbkdf2(password, salt, iterations, keyLen, digest)
  local Digest
  if digest == "sha1" or digest == nil then
    Digest = SHA1.SHA1
  elseif digest == "sha256" then
    Digest = SHA2_256.SHA2_256
  else
    error("Unsupported algorithm: " .. digest) -- aos:277
  end
  local prf = HMAC.HMAC().setBlockSize(64).setDigest(Digest)
  return PBKDF2()
    .setPRF(prf)
    .setBlockLen(16)
    .setDKeyLen(keyLen)
    .setIterations(iterations)
    .setSalt(salt)
    .setPassword(password)
    .finish()
end

return {
  PBKDF2 = PBKDF2,
  pbkdf2 = pbkdf2,
}
