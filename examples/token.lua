-- A token process in the style of the aos token blueprint: balances stored as
-- decimal strings and computed with bint.
local bint = require('.bint')(256)
local json = require('json')

TokenName = "Oracle Token"
Ticker = "ORC"
Denomination = 12
Balances = Balances or { [Owner] = "1000000" }
TotalSupply = TotalSupply or "1000000"

Handlers.add("info", "Info", function(msg)
  msg.reply({ Name = TokenName, Ticker = Ticker, Denomination = tostring(Denomination), ["Total-Supply"] = TotalSupply })
end)

Handlers.add("balance", "Balance", function(msg)
  local account = msg.Tags.Recipient or msg.Tags.Target or msg.From
  local bal = Balances[account] or "0"
  msg.reply({ Balance = bal, Ticker = Ticker, Account = account, Data = bal })
end)

Handlers.add("balances", "Balances", function(msg)
  msg.reply({ Data = json.encode(Balances) })
end)

Handlers.add("transfer", "Transfer", function(msg)
  assert(type(msg.Recipient) == "string", "Recipient is required!")
  assert(type(msg.Quantity) == "string", "Quantity is required!")
  assert(bint(msg.Quantity) > bint(0), "Quantity must be greater than 0")
  local from = msg.From
  Balances[from] = Balances[from] or "0"
  Balances[msg.Recipient] = Balances[msg.Recipient] or "0"
  if bint(msg.Quantity) <= bint(Balances[from]) then
    Balances[from] = tostring(bint(Balances[from]) - bint(msg.Quantity))
    Balances[msg.Recipient] = tostring(bint(Balances[msg.Recipient]) + bint(msg.Quantity))
    if not msg.Cast then
      msg.reply({ Action = "Debit-Notice", Recipient = msg.Recipient, Quantity = msg.Quantity,
        Data = "You transferred " .. msg.Quantity .. " to " .. msg.Recipient })
      ao.send({ Target = msg.Recipient, Action = "Credit-Notice", Sender = from, Quantity = msg.Quantity,
        Data = "You received " .. msg.Quantity .. " from " .. from })
    end
  else
    msg.reply({ Action = "Transfer-Error", ["Message-Id"] = msg.Id, Error = "Insufficient Balance!" })
  end
end)

Handlers.add("mint", "Mint", function(msg)
  assert(type(msg.Quantity) == "string", "Quantity is required!")
  assert(msg.From == Owner or msg.From == ao.id, "Only the owner can mint")
  Balances[msg.From] = tostring(bint(Balances[msg.From] or "0") + bint(msg.Quantity))
  TotalSupply = tostring(bint(TotalSupply) + bint(msg.Quantity))
  msg.reply({ Data = "Successfully minted " .. msg.Quantity })
end)
