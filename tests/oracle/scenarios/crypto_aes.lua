-- .crypto.cipher.aes: every mode and key size over lengths around the block size, the
-- draining readers, a short IV, a long key, unknown mode and key length, bad hex.
local crypto = require(".crypto")
local aes = crypto.cipher.aes
local out = {}
local function P(label, f) local ok, v = pcall(f) out[#out+1] = label .. " => " .. (ok and "" or "ERR ") .. tostring(v) end
local key16, key24, key32 = "0123456789abcdef", "0123456789abcdef01234567", "0123456789abcdef0123456789abcdef"
for _, mode in ipairs({ "CBC", "ECB", "CFB", "OFB", "CTR", "XYZ" }) do
  for _, kl in ipairs({ 128, 192, 256 }) do
    local key = kl == 128 and key16 or kl == 192 and key24 or key32
    for _, data in ipairs({ "", "hello", string.rep("x", 15), string.rep("y", 16), string.rep("z", 17), string.rep("w", 33) }) do
      P(mode .. " " .. kl .. " " .. #data, function()
        local e = aes.encrypt(data, key, "iv-iv-iv-iv-iv-!", mode, kl)
        local hex = e.asHex()
        local again = e.asHex()
        local d = aes.decrypt(hex, key, "iv-iv-iv-iv-iv-!", mode, kl).asString()
        return hex .. " [" .. again .. "] " .. string.format("%q", d)
      end)
    end
  end
end
P("default", function() return aes.encrypt("hello", key16).asHex() end)
P("short iv", function() return aes.encrypt("hello world, this is long", key16, "abc").asHex() end)
P("long key 128", function() return aes.encrypt("hello", key32).asHex() end)
P("bad keyLength", function() return aes.encrypt("hello", key16, nil, "CBC", 100).asHex() end)
P("bytes", function() return table.concat(aes.encrypt("hello", key16).asBytes(), ",") end)
P("string", function() return #aes.encrypt(string.rep("a", 40), key16).asString() end)
P("decrypt bad hex", function() return aes.decrypt("zz", key16).asHex() end)
print(table.concat(out, "\n"))
local A = require(".crypto.cipher.aes128")
local blockOut = A.encrypt({ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 }, { 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 })
print("block => " .. table.concat(blockOut, ","))
print("block back => " .. table.concat(A.decrypt({ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 }, blockOut), ","))
local ctr = require(".crypto.cipher.mode.ctr").Cipher()
  .setKey(crypto.utils.array.fromString("0123456789abcdef"))
  .setBlockCipher(A)
  .setPadding(require(".crypto.padding.zero"))
  .init()
  .update(crypto.utils.stream.fromHex("000000000000000000000000000000FF"))
  .update(crypto.utils.stream.fromString(string.rep("c", 48)))
print("ctr carry => " .. ctr.finish().asHex())
