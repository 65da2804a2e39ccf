-- `.crypto.digest.sha3`: SHA3 and Keccak (the padding before SHA3's standardisation) of a
-- string; the results have `asString` and `asHex`, not `asBytes`.
local _, digest = ...

local function hash(algorithm, buffer)
  local length = #buffer -- aos:269
  local raw = digest(algorithm, buffer)
  local public = {}
  function public.asString() return raw end
  function public.asHex() return (raw:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
  return public
end

return {
  sha3_256 = function(data) return hash("sha3_256", data) end,
  sha3_512 = function(data) return hash("sha3_512", data) end,
  keccak256 = function(data) return hash("keccak256", data) end,
  keccak512 = function(data) return hash("keccak512", data) end,
}
