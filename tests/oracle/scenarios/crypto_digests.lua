-- .crypto digests: every algorithm over inputs around their block sizes, all result forms.
local crypto = require(".crypto")
local S = crypto.utils.stream

-- Deterministic bytes (an LCG), all 256 values over long inputs.
local function bytes(n, seed)
  local t, x = {}, seed
  for i = 1, n do
    x = (x * 1103515245 + 12345) % 2147483648
    t[i] = string.char((x >> 16) % 256)
  end
  return table.concat(t)
end
local LENGTHS = { 0, 1, 3, 55, 56, 63, 64, 65, 111, 112, 119, 120, 127, 128, 129, 135, 136, 137, 200, 1000 }
local function show(label, f)
  local ok, v = pcall(f)
  print(label .. " => " .. (ok and tostring(v) or ("ERR " .. tostring(v))))
end
local function forms(r)
  local parts = { r.asHex() }
  if r.asBytes then
    local b = r.asBytes()
    local items = {}
    for i, v in ipairs(b) do items[i] = tostring(v) end
    parts[#parts + 1] = "[" .. table.concat(items, ",") .. "]"
  end
  parts[#parts + 1] = "#" .. #r.asString()
  local keys = {}
  for k in pairs(r) do keys[#keys + 1] = k end
  table.sort(keys)
  parts[#parts + 1] = table.concat(keys, ",")
  return table.concat(parts, " ")
end
for _, name in ipairs({ "md2", "md4", "md5", "sha1", "sha2_256" }) do
  for _, n in ipairs(LENGTHS) do
    show(name .. " " .. n, function() return forms(crypto.digest[name](S.fromString(bytes(n, n + 1)))) end)
  end
end
for _, name in ipairs({ "sha2_512", "sha3_256", "sha3_512", "keccak256", "keccak512", "blake2b" }) do
  for _, n in ipairs(LENGTHS) do
    show(name .. " " .. n, function() return forms(crypto.digest[name](bytes(n, n + 7))) end)
  end
end
for _, outlen in ipairs({ 1, 16, 20, 32, 33, 48, 64, 0, 65, 32.0 }) do
  for _, key in ipairs({ "", "k", bytes(64, 3), bytes(65, 3) }) do
    show("blake2b out " .. outlen .. " key " .. #key, function()
      local r, e = crypto.digest.blake2b("the quick brown fox", outlen, key)
      return r and r.asHex() or ("nil " .. tostring(e))
    end)
  end
end
show("blake2b 300 keyed", function() return crypto.digest.blake2b(bytes(300, 9), 64, "secret").asHex() end)
show("sha1 reuse", function()
  local h = require(".crypto.digest.sha1").SHA1()
  local a = h.init().update(S.fromString("abc")).finish().asHex()
  local b = h.init().update(S.fromString("a")).update(S.fromString("bc")).finish().asHex()
  return a .. " " .. tostring(a == b)
end)
show("sha256 from array stream", function()
  return crypto.digest.sha2_256(crypto.utils.array.toStream({ 97, 98, 99 })).asHex()
end)
show("sha256 from hex stream", function() return crypto.digest.sha2_256(S.fromHex("616263")).asHex() end)
show("md5 of empty stream", function() return crypto.digest.md5(function() return nil end).asHex() end)
