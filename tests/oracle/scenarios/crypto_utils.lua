-- .crypto utilities, MACs, key derivation, the ISAAC generator and cipher, and errors.
local crypto = require(".crypto")
local S, A, H = crypto.utils.stream, crypto.utils.array, crypto.utils.hex
local function show(label, f)
  local r = table.pack(pcall(f))
  local parts = {}
  for i = 2, r.n do
    local v = r[i]
    if type(v) == "table" then
      local items = {}
      for k, x in pairs(v) do items[#items + 1] = tostring(k) .. "=" .. tostring(x) end
      table.sort(items)
      v = "{" .. table.concat(items, ",") .. "}"
    end
    parts[#parts + 1] = tostring(v)
  end
  print(label .. " => " .. (r[1] and "" or "ERR ") .. table.concat(parts, " | "))
end
show("require same", function() return require(".crypto") == require(".crypto.init"), crypto.utils.bit == bit32 end)
show("version", function() return crypto._version, crypto.digest._version, crypto.utils._version end)
show("stream string", function() return S.toString(S.fromString("hello")), S.toHex(S.fromString("\0\1\255")) end)
show("stream array", function() return S.toArray(S.fromArray({ 1, 2, 3, nil, 5 })) end)
show("stream hex", function() return S.toArray(S.fromHex("0aFfzz10")), S.toArray(S.fromHex("abc")) end)
show("stream restart", function() local s = S.fromString("ab") return s(), s(), s(), s() end)
show("array string", function() return A.fromString("AB"), A.toString({ 72, 105 }), A.size({ 1, 2, 3 }) end)
show("array hex", function() return A.fromHex("00ff7F"), A.toHex({ 0, 15, 255 }), A.fromHex("abc") end)
show("array concat", function() return A.concat({ 1, 2 }, { 3 }), A.truncate({ 1, 2, 3 }, 2), A.truncate({ 1 }, 3) end)
show("array xor", function() return A.XOR({ 1, 2, 255 }, { 3, 2, 1 }), A.XOR({ 1, 2 }, { 1, 2, 3 }) end)
show("array sub perm copy", function()
  return A.substitute({ 1, 2 }, { [1] = 9, [2] = 8 }), A.permute({ 10, 20, 30 }, { 3, 1 }), A.copy({ 1, x = 2 })
end)
show("array slice", function()
  local t = { 1, 2, 3, 4, 5 }
  return A.slice(t, 2, 4), A.slice(t, -2), A.slice(t), A.slice(t, 4, -1), A.slice(t, 6, 7)
end)
show("array stream", function() return S.toArray(A.toStream({ 4, 5 })), A.fromStream(S.fromString("xy")) end)
show("array queue", function()
  local q = crypto.utils.queue()
  A.writeToQueue(q, { 1, 2, 3 })
  local first = A.readFromQueue(q, 2)
  return first, q.size(), q.getHead(), q.getTail(), q.pop(), q.pop()
end)
show("queue reset", function()
  local q = crypto.utils.queue()
  q.push(1) q.push(2) q.pop() q.reset()
  return q.size(), q.getHead(), q.getTail(), q.pop()
end)
show("hex", function()
  return H.stringToHex("ao\0\255"), H.stringToHex(""), H.stringToHex("abcdefgh", 3), H.stringToHex("abcdefgh", 3, ":"),
    H.stringToHex("abc", 1, "-")
end)
show("unhex", function()
  return H.hexToString("616F"), H.hexToString("61 6f\n62"), H.hexToString("6g6f"), H.hexToString("616", true), H.hexToString("zz", true)
end)
show("unhex bad", function() return H.hexToString("zz1") end)
show("unhex odd", function() return H.hexToString("616") end)
show("unhex symbol", function() return H.hexToString("61-6f") end)
show("bit", function() return crypto.utils.bit.band(0xff, 0x0f), crypto.utils.bit.lrotate(1, 33), crypto.utils.bit.rrotate(1, 1) end)
local key = A.fromString("super_secret_key")
show("hmac sha1", function() return crypto.mac.createHmac(S.fromString("ao"), key).asHex() end)
show("hmac sha256", function() return crypto.mac.createHmac(S.fromString("ao"), key, "sha256").asHex() end)
show("hmac sha1 name", function() return crypto.mac.createHmac(S.fromString("ao"), key, "sha1").asBytes() end)
show("hmac long key", function() return crypto.mac.createHmac(S.fromString("data"), A.fromString(string.rep("k", 40))).asHex() end)
show("hmac long key 256", function() return crypto.mac.createHmac(S.fromString("data"), A.fromString(string.rep("k", 100)), "sha256").asHex() end)
show("hmac string key", function() return crypto.mac.createHmac(S.fromString("data"), "a string key").asHex() end)
show("hmac empty", function() return crypto.mac.createHmac(S.fromString(""), {}).asString():len() end)
show("hmac bad algorithm", function() return crypto.mac.createHmac(S.fromString("x"), key, "md5") end)
show("hmac object", function()
  local HMAC = require(".crypto.mac.hmac").HMAC
  local SHA2_256 = require(".crypto.digest.sha2_256").SHA2_256
  local h = HMAC().setBlockSize(64).setDigest(SHA2_256).setKey(key).init().update(S.fromString("ao")).finish()
  return h.asHex()
end)
show("hmac no digest", function() return require(".crypto.mac.hmac").HMAC().setKey({}) end)
show("pbkdf2 sha1", function() return crypto.kdf.pbkdf2(A.fromString("password"), A.fromString("salt"), 2, 20).asHex() end)
show("pbkdf2 sha256", function() return crypto.kdf.pbkdf2(A.fromString("password"), A.fromString("salt"), 4, 32, "sha256").asHex() end)
show("pbkdf2 long", function() return crypto.kdf.pbkdf2(A.fromString("pw"), A.fromString("NaCl"), 3, 70, "sha1").asHex() end)
show("pbkdf2 short", function() local r = crypto.kdf.pbkdf2(A.fromString("pw"), A.fromString("s"), 1, 5, "sha256") return r.asHex(), #r.asString(), #r.asBytes() end)
show("pbkdf2 zero iterations", function() return crypto.kdf.pbkdf2(A.fromString("pw"), A.fromString("s"), 0, 16).asHex() end)
show("pbkdf2 bad", function() return crypto.kdf.pbkdf2({}, {}, 1, 16, "md5") end)
local I = crypto.cipher.issac
show("random default", function() return crypto.random(), crypto.random() end)
show("random ranges", function() return crypto.random(1, 100), crypto.random(0, 10), crypto.random(-5, 5), crypto.random(1, 6.5) end)
show("random seeded", function() return crypto.random(1, 1000, "seed"), crypto.random(1, 1000, "seed"), crypto.random(nil, nil, "x") end)
show("getRandom", function() return I.getRandom(), I.getRandom(), I.getRandomChar() end)
show("seed true", function() I.seedIsaac("abc", true) local t = {} for i = 1, 300 do t[i] = I.getRandom() end return t[1], t[2], t[256], t[257], t[300] end)
show("seed false", function() I.seedIsaac("abc", false) return I.getRandom(), I.getRandom() end)
show("seed long", function() I.seedIsaac(string.rep("0123456789", 40), true) return I.getRandom() end)
show("math.random after", function() return math.random(1000) end)
show("encrypt", function()
  local e = I.encrypt("Hello, World! ~ \t\200", "key")
  return e.asHex(), #e.asBytes(), e.asBytes()[1], I.decrypt(e.asString(), "key")
end)
show("encrypt empty", function() return I.encrypt("", "k").asHex(), I.decrypt("", "k") end)
show("digest errors", function()
  local out = {}
  for _, name in ipairs({ "md2", "md4", "md5", "sha1", "sha2_256" }) do out[#out + 1] = select(2, pcall(crypto.digest[name], "string")) end
  for _, name in ipairs({ "sha2_512", "sha3_256", "keccak512", "blake2b" }) do out[#out + 1] = select(2, pcall(crypto.digest[name], S.fromString("s"))) end
  return table.concat(out, "\n")
end)
show("padding zero", function() local p = require(".crypto.padding.zero")(16, 5) local n = 0 while p() do n = n + 1 end return n end)
show("padding zero full", function() local p = require(".crypto.padding.zero")(16, 16) local n = 0 while p() do n = n + 1 end return n end)
local loaded = {}
for name, v in pairs(package.loaded) do
  if tostring(name):find("^%.crypto") then loaded[#loaded + 1] = name .. ":" .. type(v) end
end
table.sort(loaded)
print("loaded => " .. table.concat(loaded, " "))
-- The generator's state carries over between messages; errors inside .crypto in a handler.
Handlers.add("rand", "Rand", function(msg)
  msg.reply({ Data = tostring(crypto.cipher.issac.getRandom()) .. " " .. tostring(crypto.random(1, 10)) })
end)
Handlers.add("hash", "Hash", function(msg)
  msg.reply({ Data = crypto.digest.sha2_256(crypto.utils.stream.fromString(msg.Data)).asHex(),
    Keccak = crypto.digest.keccak256(msg.Data).asHex() })
end)
Handlers.add("bad", "Bad", function(msg)
  crypto.utils.hex.hexToString("not hex!")
end)
