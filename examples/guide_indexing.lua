-- State-management guide: secondary indexes over a users partition. Index
-- buckets are sorted after building (the guide fills them in pairs order).
local json = require('json')

StatePartitions = StatePartitions or { users = {} }
StateIndexes = StateIndexes or {}

function createIndex(name, extractor, data)
  StateIndexes[name] = {}
  for key, value in pairs(data) do
    local indexKey = extractor(key, value)
    if indexKey then
      StateIndexes[name][indexKey] = StateIndexes[name][indexKey] or {}
      table.insert(StateIndexes[name][indexKey], key)
    end
  end
  for _, bucket in pairs(StateIndexes[name]) do table.sort(bucket) end
end

function queryIndex(indexName, indexKey)
  if not StateIndexes[indexName] then return {} end
  return StateIndexes[indexName][indexKey] or {}
end

function rebuildUserIndexes()
  createIndex("usersByStatus", function(address, user) return user.status end, StatePartitions.users)
  -- createdAt is in ms (os.time()); os.date wants seconds; "!" = UTC
  createIndex("usersByMonth", function(address, user) return os.date("!%Y-%m", user.createdAt // 1000) end, StatePartitions.users)
end

Handlers.add("AddUser", "AddUser", function(msg)
  StatePartitions.users[msg.Tags.Address] = { name = msg.Tags.Name, status = msg.Tags.Status, createdAt = os.time() }
  rebuildUserIndexes()
end)
Handlers.add("SetStatus", "SetStatus", function(msg)
  local user = StatePartitions.users[msg.Tags.Address]
  assert(user, "no such user: " .. tostring(msg.Tags.Address))
  user.status = msg.Tags.Status
  rebuildUserIndexes()
end)
Handlers.add("GetUsersByStatus", Handlers.utils.hasMatchingTag("Action", "GetUsersByStatus"), function(msg)
  local users = {}
  for _, address in ipairs(queryIndex("usersByStatus", msg.Tags.Status)) do
    users[address] = StatePartitions.users[address]
  end
  msg.reply({ Data = json.encode(users), Count = tostring(#queryIndex("usersByStatus", msg.Tags.Status)) })
end)
Handlers.add("GetUsersByMonth", "GetUsersByMonth", function(msg)
  msg.reply({ Data = json.encode(queryIndex("usersByMonth", msg.Tags.Month)) })
end)
