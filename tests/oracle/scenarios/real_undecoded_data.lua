-- Data arrives as text unless the sender set Content-Type: application/json.
-- Real handlers decode it themselves, or treat the text as if it were a table.
local json = require('json')

Profiles = Profiles or {}
Imported = Imported or {}

Handlers.add("set-profile", "Set-Profile", function(msg)
  local ok, data = pcall(json.decode, msg.Data)
  if not ok then
    msg.reply({ Action = "Profile-Error", Data = "invalid JSON: " .. tostring(data) })
    return
  end
  assert(type(data) == "table", "Data must be a JSON object")
  Profiles[msg.From] = { name = data.name, bio = data.bio, tags = data.tags or {}, age = data.age }
  msg.reply({ Action = "Profile-Set", Data = json.encode(Profiles[msg.From]) })
end)

Handlers.add("import", "Import", function(msg)
  -- written for a decoded list, but Data is the JSON text
  local n = 0
  for i, item in ipairs(msg.Data) do
    n = n + 1
    table.insert(Imported, item)
  end
  print("ipairs over " .. type(msg.Data) .. " ran " .. n .. " times")
  print("msg.Data.items = " .. tostring(msg.Data.items))
  print("msg.Data.name = " .. tostring(msg.Data.name))
  print("msg.Data.len is string.len: " .. tostring(msg.Data.len == string.len))
  print("#msg.Data = " .. #msg.Data .. ", upper: " .. msg.Data:sub(1, 6):upper())
  print("msg.Data[1] = " .. tostring(msg.Data[1]))
  local ok, err = pcall(function() for k, v in pairs(msg.Data) do end end)
  print("pairs: " .. tostring(ok) .. " " .. tostring(err))
  local decoded = json.decode(msg.Data)
  for _, item in ipairs(decoded.items or decoded) do table.insert(Imported, item) end
  print("after decode: " .. #Imported .. " items")
end)

Handlers.add("sum", "Sum", function(msg)
  local t = json.decode(msg.Data)
  local total = 0
  for _, v in ipairs(t) do total = total + v end
  print("sum " .. total .. " (" .. math.type(total) .. ")")
  print("first " .. tostring(t[1]) .. " " .. math.type(t[1]))
end)

Handlers.add("decoded", "Decoded", function(msg)
  -- with Content-Type: application/json, aos hands over a table
  print("type " .. type(msg.Data) .. ", name " .. tostring(msg.Data.name) .. ", n " .. tostring(msg.Data.n))
  local keys = {}
  for k in pairs(msg.Data) do table.insert(keys, k) end
  table.sort(keys)
  print("keys " .. table.concat(keys, ","))
end)

Handlers.add("careless", "Careless", function(msg)
  -- indexes deeper into the text as if it were decoded: fails
  return msg.Data.profile.name
end)
