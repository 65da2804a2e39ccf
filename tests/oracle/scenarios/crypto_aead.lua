-- .crypto's MORUS-1280 and NORX 64-4-1: lengths around their block sizes, associated data,
-- headers and trailers, the result pieces, round trips, forged texts, errors.
local crypto = require(".crypto")
local M, N, H = crypto.cipher.morus, crypto.cipher.norx, crypto.utils.hex
local function bytes(n, seed)
  local t, x = {}, seed
  for i = 1, n do
    x = (x * 1103515245 + 12345) % 2147483648
    t[i] = string.char((x >> 16) % 256)
  end
  return table.concat(t)
end
local function show(label, f)
  local r = table.pack(pcall(f))
  local parts = {}
  for i = 2, r.n do parts[#parts + 1] = tostring(r[i]) end
  print(label .. " => " .. (r[1] and "" or "ERR ") .. table.concat(parts, " | "))
end
local function pieces(e)
  local sizes = {}
  for i, p in ipairs(e.asBytes()) do sizes[i] = #p end
  return table.concat(sizes, ",")
end
print("fields => " .. M.key_size .. " " .. M.nonce_size .. " " .. M.variant .. " / " .. N.key_size .. " " .. N.nonce_size .. " " .. N.variant)
for _, key in ipairs({ bytes(16, 1), bytes(32, 2) }) do
  for _, n in ipairs({ 0, 1, 31, 32, 33, 64, 100 }) do
    for _, adn in ipairs({ 0, 5, 32, 40 }) do
      show("morus k" .. #key .. " m" .. n .. " ad" .. adn, function()
        local m, ad = bytes(n, n + 3), bytes(adn, adn + 5)
        local e = M.encrypt(key, bytes(16, 9), m, ad)
        local back = M.decrypt(key, bytes(16, 9), e.asString(), adn)
        return e.asHex(), pieces(e), tostring(back == m)
      end)
    end
  end
end
show("morus default ad", function() return M.encrypt("super_secret_shh", "0000000000000000", "ao").asHex() end)
show("morus forged", function()
  local e = M.encrypt(bytes(16, 1), bytes(16, 2), "hello").asString()
  return M.decrypt(bytes(16, 1), bytes(16, 2), e:sub(1, -2) .. "x")
end)
show("morus bad key", function() return M.encrypt("k", bytes(16, 2), "x") end)
show("morus bad iv", function() return M.encrypt(bytes(16, 1), "n", "x") end)
show("morus nil m", function() return M.encrypt(bytes(16, 1), bytes(16, 2), nil) end)
show("morus nil e", function() return M.decrypt(bytes(16, 1), bytes(16, 2), nil) end)
show("morus short e", function() return M.decrypt(bytes(16, 1), bytes(16, 2), "abc") end)
show("morus state_update", function()
  local s = {}
  for i = 1, 20 do s[i] = i * 0x0123456789 end
  M.state_update(s, 1, 2, 3, 4)
  M.state_update(s, -1, 0, math.mininteger, 7)
  return table.concat(s, ",")
end)
for _, n in ipairs({ 0, 1, 8, 95, 96, 97, 191, 192, 200 }) do
  for _, extra in ipairs({ 0, 1, 95, 96, 100 }) do
    show("norx m" .. n .. " hdr/trl" .. extra, function()
      local key, nonce = bytes(32, 11), bytes(40, 12)
      local m, header, trailer = bytes(n, n + 1), bytes(extra, 3), bytes(extra, 4)
      local e = N.encrypt(key, nonce, m, header, trailer)
      local back = N.decrypt(key, nonce, e.asString(), header, trailer)
      return e.asHex(), pieces(e), tostring(back == m)
    end)
  end
end
show("norx forged", function()
  local e = N.encrypt(bytes(32, 1), bytes(32, 2), "hello").asString()
  return N.decrypt(bytes(32, 1), bytes(32, 2), "y" .. e:sub(2))
end)
show("norx short key", function() return N.encrypt("short", bytes(32, 2), "x") end)
show("norx short nonce", function() return N.encrypt(bytes(32, 1), "n", "x") end)
show("norx short crypted", function() return N.decrypt(bytes(32, 1), bytes(32, 2), "abc") end)
show("norx nil plain", function() return N.encrypt(bytes(32, 1), bytes(32, 2), nil) end)
show("hex of norx", function() return H.stringToHex(N.encrypt(string.rep("k", 32), string.rep("n", 32), "ao").asString()) end)
