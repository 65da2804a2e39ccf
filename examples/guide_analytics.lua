-- State-management guide: state analytics (sizes, totals, per-operation
-- counters, top users), with the helpers the guide leaves out.
local json = require('json')

Balances = Balances or {}
StatePartitions = StatePartitions or { users = {}, tokens = {}, config = {} }
Events = Events or {}
Analytics = Analytics or { operationsCount = 0, operationStats = {} }

function tableLength(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n
end

function calculateTotalBalance()
  local total = 0
  for _, balance in pairs(Balances) do total = total + balance end
  return total
end

-- Byte size of the JSON encoding: independent of key order.
function calculateStateSize()
  return #json.encode({ balances = Balances, partitions = StatePartitions })
end

function topUsers(n)
  local list = {}
  for address, balance in pairs(Balances) do list[#list + 1] = { address = address, balance = balance } end
  table.sort(list, function(a, b)
    if a.balance ~= b.balance then return a.balance > b.balance end
    return a.address < b.address
  end)
  local top = {}
  for i = 1, math.min(n, #list) do top[i] = list[i] end
  return top
end

function analyzeState()
  local analysis = {
    timestamp = os.time(),
    stateSize = calculateStateSize(),
    userCount = tableLength(StatePartitions.users),
    totalBalance = calculateTotalBalance(),
    averageBalance = tableLength(Balances) > 0 and calculateTotalBalance() / tableLength(Balances) or 0,
    eventCount = #Events,
    partitionSizes = {},
    topUsers = topUsers(2),
    operationsCount = Analytics.operationsCount,
    operationStats = Analytics.operationStats
  }
  for name, partition in pairs(StatePartitions) do analysis.partitionSizes[name] = tableLength(partition) end
  Analytics.lastAnalyzed = analysis.timestamp
  return analysis
end

-- Counts every message by Action, then lets the specific handlers run.
Handlers.prepend("countOps", function(msg) return "continue" end, function(msg)
  Analytics.operationsCount = Analytics.operationsCount + 1
  local action = msg.Action or "none"
  Analytics.operationStats[action] = (Analytics.operationStats[action] or 0) + 1
end)
Handlers.add("Deposit", "Deposit", function(msg)
  Balances[msg.From] = (Balances[msg.From] or 0) + tonumber(msg.Tags.Amount)
  StatePartitions.users[msg.From] = StatePartitions.users[msg.From] or { joined = os.time() }
  table.insert(Events, { type = "deposit", from = msg.From })
end)
Handlers.add("GetAnalytics", "GetAnalytics", function(msg)
  msg.reply({ Data = json.encode(analyzeState()) })
end)
