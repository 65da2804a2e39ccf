-- State-management guide: event sourcing. Every change is an event; state can
-- be rebuilt by replaying the log. resetState/publishEvent/validation are ours.
local json = require('json')

Events = Events or {}
EventSequence = EventSequence or 0
Balances = Balances or {}
Users = Users or {}
Config = Config or {}
Subscribers = Subscribers or {}

function resetState()
  Balances = {}
  Users = {}
  Config = {}
end

function publishEvent(event)
  for _, target in ipairs(Subscribers) do
    ao.send({ Target = target, Action = "Event", ["Event-Type"] = event.type, ["Event-Id"] = tostring(event.id), Data = json.encode(event.data) })
  end
end

function applyEvent(event)
  local data = event.data
  if event.type == "balance_credit" then
    Balances[data.address] = (Balances[data.address] or 0) + data.amount
  elseif event.type == "balance_debit" then
    Balances[data.address] = (Balances[data.address] or 0) - data.amount
  elseif event.type == "user_created" then
    Users[data.address] = data.userData
  elseif event.type == "config_updated" then
    Config[data.key] = data.value
  end
end

function emitEvent(eventType, eventData)
  EventSequence = EventSequence + 1
  local event = { id = EventSequence, type = eventType, data = eventData, timestamp = os.time(), processId = ao.id }
  table.insert(Events, event)
  applyEvent(event)
  publishEvent(event)
  return event
end

function replayEvents(fromSequence)
  fromSequence = fromSequence or 0
  resetState()
  for _, event in ipairs(Events) do
    if event.id > fromSequence then applyEvent(event) end
  end
  return EventSequence
end

Handlers.add("Subscribe", "Subscribe", function(msg) table.insert(Subscribers, msg.From) end)
Handlers.add("Mint", "Mint", function(msg)
  emitEvent("balance_credit", { address = msg.Tags.Recipient, amount = tonumber(msg.Tags.Amount), reference = msg.Id })
end)
Handlers.add("Transfer", "Transfer", function(msg)
  local amount = tonumber(msg.Tags.Amount)
  if (Balances[msg.From] or 0) < amount then error("insufficient balance for " .. msg.From) end
  emitEvent("balance_debit", { address = msg.From, amount = amount, reference = msg.Id })
  emitEvent("balance_credit", { address = msg.Tags.Recipient, amount = amount, reference = msg.Id })
  ao.send({ Target = msg.From, Data = "Transfer completed" })
end)
Handlers.add("CreateUser", "CreateUser", function(msg)
  emitEvent("user_created", { address = msg.From, userData = { name = msg.Tags.Name, createdAt = os.time() } })
end)
Handlers.add("SetConfig", "SetConfig", function(msg)
  emitEvent("config_updated", { key = msg.Tags.Key, value = msg.Tags.Value })
end)
Handlers.add("Replay", "Replay", function(msg)
  local seq = replayEvents(tonumber(msg.Tags.From or "0"))
  msg.reply({ Data = json.encode({ sequence = seq, balances = Balances, users = Users, config = Config }) })
end)
