-- State-management guide: integrity checks, plus a checksum over a canonical
-- serialization of the state (FNV-1a 32-bit and Adler-32, written in Lua).
local json = require('json')

Balances = Balances or {}
Config = Config or { totalSupply = 1000 }
Users = Users or {}
Events = Events or {}
Checkpoints = Checkpoints or {}

local function sortedKeys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    if type(a) == type(b) then return a < b end
    return type(a) < type(b)
  end)
  return keys
end

-- Canonical text: keys sorted, strings quoted with %q, numbers with their
-- Lua 5.3 integer/float distinction kept.
function serialize(v)
  local t = type(v)
  if t == "table" then
    local parts = {}
    for _, k in ipairs(sortedKeys(v)) do
      parts[#parts + 1] = "[" .. serialize(k) .. "]=" .. serialize(v[k])
    end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif t == "string" then
    return string.format("%q", v)
  elseif t == "number" then
    return math.type(v) .. ":" .. tostring(v)
  else
    return tostring(v)
  end
end

function fnv1a32(s)
  local h = 2166136261
  for i = 1, #s do
    h = h ~ s:byte(i)
    h = (h * 16777619) & 0xffffffff
  end
  return string.format("%08x", h)
end

function adler32(s)
  local a, b = 1, 0
  for i = 1, #s do
    a = (a + s:byte(i)) % 65521
    b = (b + a) % 65521
  end
  return string.format("%08x", (b << 16) | a)
end

function stateChecksum()
  local text = serialize({ balances = Balances, config = Config, users = Users, events = #Events })
  return fnv1a32(text) .. "-" .. adler32(text), #text
end

function checkStateIntegrity()
  local issues = {}
  local total = 0
  for _, address in ipairs(sortedKeys(Balances)) do
    local balance = Balances[address]
    if balance < 0 then table.insert(issues, { type = "negative_balance", address = address, balance = balance }) end
    total = total + balance
  end
  if Config.totalSupply and total > Config.totalSupply then
    table.insert(issues, { type = "supply_exceeded", totalBalance = total, totalSupply = Config.totalSupply })
  end
  for _, address in ipairs(sortedKeys(Users)) do
    local createdAt = Users[address].createdAt
    if not createdAt or createdAt > os.time() then
      table.insert(issues, { type = "invalid_timestamp", address = address, createdAt = createdAt })
    end
  end
  for i, event in ipairs(Events) do
    if event.id ~= i then
      table.insert(issues, { type = "event_sequence_gap", expected = i, actual = event.id })
      break
    end
  end
  return issues
end

Handlers.add("Set", "Set", function(msg)
  Balances[msg.Tags.Address] = math.tointeger(tonumber(msg.Tags.Amount)) or tonumber(msg.Tags.Amount)
  table.insert(Events, { id = #Events + 1, type = "set" })
end)
Handlers.add("AddUser", "AddUser", function(msg)
  Users[msg.Tags.Address] = { createdAt = tonumber(msg.Tags["Created-At"]) }
end)
Handlers.add("Checkpoint", "Checkpoint", function(msg)
  local sum, size = stateChecksum()
  table.insert(Checkpoints, sum)
  msg.reply({ Data = sum, Size = tostring(size) })
end)
Handlers.add("Verify", "Verify", function(msg)
  local sum = stateChecksum()
  msg.reply({ Data = json.encode({ matches = sum == Checkpoints[#Checkpoints], checksum = sum }) })
end)
Handlers.add("CheckIntegrity", "CheckIntegrity", function(msg)
  local issues = checkStateIntegrity()
  msg.reply({ Data = json.encode({ healthy = #issues == 0, issues = issues, checkedAt = os.time() }) })
end)
print(fnv1a32("") .. " " .. fnv1a32("a") .. " " .. adler32("Wikipedia"))
print(serialize({ 1, 2.5, "x\n", true, { k = "v" } }))
