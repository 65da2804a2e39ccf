-- State-management guide: versioned snapshots and rollback, with the helpers
-- the guide leaves out (deepCopy, logStateChange) written here.
local json = require('json')

State = State or { initialized = true, version = "1.0.0", createdAt = os.time(), totalMessages = 0, owner = Owner }
Balances = Balances or {}
Users = Users or {}
StateVersions = StateVersions or {}
CurrentVersion = CurrentVersion or 1
MaxVersions = 3
AuditLog = AuditLog or {}

-- Copies nested tables (shared references and cycles copied once).
function deepCopy(value, seen)
  if type(value) ~= "table" then return value end
  seen = seen or {}
  if seen[value] then return seen[value] end
  local copy = {}
  seen[value] = copy
  for k, v in pairs(value) do copy[deepCopy(k, seen)] = deepCopy(v, seen) end
  return setmetatable(copy, getmetatable(value))
end

function logStateChange(kind, details)
  table.insert(AuditLog, { kind = kind, details = details, at = os.time() })
end

function updateBalance(address, amount, operation)
  if not Balances[address] then Balances[address] = 0 end
  local oldBalance = Balances[address]
  local newBalance
  if operation == "credit" then
    newBalance = oldBalance + amount
  elseif operation == "debit" then
    if oldBalance < amount then error("Insufficient balance") end
    newBalance = oldBalance - amount
  else
    error("Invalid operation: " .. operation)
  end
  Balances[address] = newBalance
  logStateChange("balance_update", { address = address, oldBalance = oldBalance, newBalance = newBalance, amount = amount, operation = operation })
  return newBalance
end

function createStateSnapshot()
  local snapshot = { version = CurrentVersion, timestamp = os.time(), state = deepCopy(State), balances = deepCopy(Balances), users = deepCopy(Users) }
  table.insert(StateVersions, snapshot)
  if #StateVersions > MaxVersions then table.remove(StateVersions, 1) end
  CurrentVersion = CurrentVersion + 1
  return snapshot.version
end

function rollbackToVersion(version)
  local snapshot = nil
  for _, snap in ipairs(StateVersions) do
    if snap.version == version then snapshot = snap; break end
  end
  if not snapshot then error("Version " .. version .. " not found") end
  State = deepCopy(snapshot.state)
  Balances = deepCopy(snapshot.balances)
  Users = deepCopy(snapshot.users)
  CurrentVersion = version + 1
  logStateChange("rollback", { toVersion = version })
end

local function ownerOnly(msg, what)
  if msg.From ~= State.owner then
    ao.send({ Target = msg.From, Data = "Unauthorized: Only owner can " .. what })
    return false
  end
  return true
end

Handlers.add("Credit", Handlers.utils.hasMatchingTag("Action", "Credit"), function(msg)
  local nb = updateBalance(msg.Tags.Address, tonumber(msg.Tags.Amount), "credit")
  msg.reply({ Data = tostring(nb) })
end)
Handlers.add("Debit", Handlers.utils.hasMatchingTag("Action", "Debit"), function(msg)
  local nb = updateBalance(msg.Tags.Address, tonumber(msg.Tags.Amount), "debit")
  msg.reply({ Data = tostring(nb) })
end)
Handlers.add("CreateSnapshot", Handlers.utils.hasMatchingTag("Action", "CreateSnapshot"), function(msg)
  if not ownerOnly(msg, "create snapshots") then return end
  local version = createStateSnapshot()
  ao.send({ Target = msg.From, Data = json.encode({ success = true, version = version, timestamp = os.time() }) })
end)
Handlers.add("Rollback", Handlers.utils.hasMatchingTag("Action", "Rollback"), function(msg)
  if not ownerOnly(msg, "roll back") then return end
  rollbackToVersion(tonumber(msg.Tags.Version))
  msg.reply({ Data = json.encode({ balances = Balances, currentVersion = CurrentVersion }) })
end)
Handlers.add("Versions", "Versions", function(msg)
  local versions = {}
  for i, snap in ipairs(StateVersions) do versions[i] = snap.version end
  msg.reply({ Data = json.encode({ versions = versions, current = CurrentVersion, audit = #AuditLog }) })
end)
