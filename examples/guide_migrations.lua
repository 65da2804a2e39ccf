-- State-management guide: versioned schema migrations 1.0.0 -> 1.1.0 -> 1.2.0.
local json = require('json')

State = State or { owner = Owner }
StatePartitions = StatePartitions or { users = {} }
Balances = Balances or {}
Config = Config or { version = "1.0.0" }

Migrations = {
  ["1.0.0"] = function(state) return state end,
  ["1.1.0"] = function(state)
    for _, userData in pairs(state.users or {}) do
      userData.version = "1.1.0"
      userData.preferences = userData.preferences or {}
    end
    return state
  end,
  ["1.2.0"] = function(state)
    local newBalances = {}
    for address, balance in pairs(state.balances or {}) do
      newBalances[address] = { available = balance, locked = 0, lastUpdated = os.time() }
    end
    state.balances = newBalances
    return state
  end
}
local versionOrder = { "1.0.0", "1.1.0", "1.2.0" }

function findVersionIndex(order, version)
  for i, v in ipairs(order) do
    if v == version then return i end
  end
  return nil
end

function migrateState(fromVersion, toVersion)
  local startIndex = findVersionIndex(versionOrder, fromVersion)
  local endIndex = findVersionIndex(versionOrder, toVersion)
  if not startIndex or not endIndex then error("Invalid migration path") end
  local currentVersion = fromVersion
  local state = { users = StatePartitions.users, balances = Balances, config = Config }
  for i = startIndex + 1, endIndex do
    local version = versionOrder[i]
    state = Migrations[version](state)
    currentVersion = version
  end
  StatePartitions.users = state.users
  Balances = state.balances
  Config = state.config
  Config.version = currentVersion
  return currentVersion
end

Handlers.add("AddUser", "AddUser", function(msg)
  StatePartitions.users[msg.From] = { name = msg.Tags.Name }
  Balances[msg.From] = tonumber(msg.Tags.Balance)
end)

Handlers.add("MigrateState", Handlers.utils.hasMatchingTag("Action", "MigrateState"), function(msg)
  if msg.From ~= State.owner then
    ao.send({ Target = msg.From, Data = "Unauthorized: Only owner can migrate state" })
    return
  end
  local fromVersion = msg.Tags["From-Version"] or Config.version or "1.0.0"
  local toVersion = msg.Tags["To-Version"]
  if not toVersion then
    ao.send({ Target = msg.From, Data = "To-Version is required" })
    return
  end
  local success, result = pcall(migrateState, fromVersion, toVersion)
  if success then
    ao.send({ Target = msg.From, Data = json.encode({ success = true, fromVersion = fromVersion, toVersion = result, migratedAt = os.time() }) })
  else
    ao.send({ Target = msg.From, Data = json.encode({ success = false, error = result, fromVersion = fromVersion, toVersion = toVersion }) })
  end
end)
