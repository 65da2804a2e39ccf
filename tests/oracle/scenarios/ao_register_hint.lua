-- ao.registerHint as aos 2.0.6 has it: a From-Process value `pid&hint=H&hint-ttl=T`.
local function show()
  if ao._hints == nil then return "no registry" end
  local n, keys = 0, {}
  for k, v in pairs(ao._hints) do
    n = n + 1
    keys[#keys + 1] = tostring(k) .. "=" .. tostring(v.hint) .. "/" .. tostring(v.ttl)
  end
  table.sort(keys)
  return n .. " entries " .. table.concat(keys, ",", 1, math.min(3, #keys))
end
Handlers.add("hint", "Hint", function(msg)
  local ok, err = pcall(ao.registerHint, { Tags = { ["From-Process"] = msg.Value } })
  print(tostring(msg.Value) .. ": " .. tostring(ok) .. " " .. tostring(err) .. " -> " .. show())
end)
Handlers.add("fill", "Fill", function(msg)
  ao._hints = {}
  for i = 1, 1001 do ao._hints["p" .. i] = { hint = "h" .. i, ttl = 5000 - i } end
  local ok, err = pcall(ao.registerHint, { Tags = { ["Other"] = "x" } })
  print("fill: " .. tostring(ok) .. " " .. tostring(err) .. " -> " .. show() .. " p1001 " .. tostring(ao._hints.p1001))
end)
Handlers.add("mixed", "Mixed", function(msg)
  ao._hints = { a = { ttl = 5 }, b = { ttl = "x" } }
  local ok, err = pcall(ao.registerHint, {})
  print("mixed: " .. tostring(ok) .. " " .. tostring(err ~= nil))
  local ok2, err2 = pcall(ao.registerHint, { Tags = { ["From-Process"] = {} } })
  print("table value: " .. tostring(ok2) .. " " .. tostring(err2))
end)
print(type(ao.registerHint))
