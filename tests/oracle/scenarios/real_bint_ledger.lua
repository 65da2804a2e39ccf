-- A bint ledger in the token-blueprint style: balances are decimal strings
-- converted to bint for every comparison and sum, notices go to both sides.
local bint = require('.bint')(256)
local json = require('json')

Name = Name or "Oracle Points"
Ticker = Ticker or "OPT"
Denomination = Denomination or 12
Balances = Balances or { [Owner] = "1000000000000000000000" }
TotalSupply = TotalSupply or "1000000000000000000000"

local Ledger = {}

function Ledger.add(a, b)
  return tostring(bint(a) + bint(b))
end

function Ledger.sub(a, b)
  return tostring(bint(a) - bint(b))
end

function Ledger.balanceOf(addr)
  return Balances[addr] or "0"
end

local function forwardedTags(msg, notice)
  -- the blueprint forwards every X- tag of the request onto both notices
  for name, value in pairs(msg.Tags) do
    if string.sub(name, 1, 2) == "X-" then
      notice[name] = value
    end
  end
  return notice
end

Handlers.add("info", "Info", function(msg)
  msg.reply({ Name = Name, Ticker = Ticker, Denomination = tostring(Denomination), ["Total-Supply"] = TotalSupply })
end)

Handlers.add("balance", "Balance", function(msg)
  local account = msg.Tags.Recipient or msg.Tags.Target or msg.From
  local bal = Ledger.balanceOf(account)
  msg.reply({ Balance = bal, Ticker = Ticker, Account = account, Data = bal })
end)

Handlers.add("balances", "Balances", function(msg)
  msg.reply({ Data = json.encode(Balances) })
end)

Handlers.add("transfer", "Transfer", function(msg)
  assert(type(msg.Recipient) == "string", "Recipient is required!")
  assert(type(msg.Quantity) == "string", "Quantity is required!")
  local qty = bint(msg.Quantity)
  assert(bint.__lt(0, qty), "Quantity must be greater than 0")

  local from = Ledger.balanceOf(msg.From)
  if bint(from) >= qty then
    Balances[msg.From] = Ledger.sub(from, msg.Quantity)
    Balances[msg.Recipient] = Ledger.add(Ledger.balanceOf(msg.Recipient), msg.Quantity)
    if not msg.Cast then
      local debit = forwardedTags(msg, {
        Action = "Debit-Notice", Recipient = msg.Recipient, Quantity = msg.Quantity,
        Data = "You transferred " .. msg.Quantity .. " to " .. msg.Recipient
      })
      local credit = forwardedTags(msg, {
        Target = msg.Recipient, Action = "Credit-Notice", Sender = msg.From, Quantity = msg.Quantity,
        Data = "You received " .. msg.Quantity .. " from " .. msg.From
      })
      msg.reply(debit)
      Send(credit)
    end
  else
    msg.reply({
      Action = "Transfer-Error", ["Message-Id"] = msg.Id,
      Error = "Insufficient Balance! have " .. from .. ", need " .. tostring(qty)
    })
  end
end)

Handlers.add("mint", "Mint", function(msg)
  assert(msg.From == Owner or msg.From == ao.id, "Only the owner can mint new " .. Ticker .. " tokens!")
  assert(type(msg.Quantity) == "string", "Quantity is required!")
  assert(bint(0) < bint(msg.Quantity), "Quantity must be greater than zero!")
  Balances[msg.From] = Ledger.add(Ledger.balanceOf(msg.From), msg.Quantity)
  TotalSupply = Ledger.add(TotalSupply, msg.Quantity)
  msg.reply({ Data = "Successfully minted " .. msg.Quantity })
end)

Handlers.add("burn", "Burn", function(msg)
  local qty = bint(msg.Quantity)
  assert(bint(Ledger.balanceOf(msg.From)) >= qty, "Cannot burn more than balance")
  Balances[msg.From] = Ledger.sub(Ledger.balanceOf(msg.From), msg.Quantity)
  TotalSupply = Ledger.sub(TotalSupply, msg.Quantity)
  print("burned " .. msg.Quantity .. ", supply now " .. TotalSupply)
end)

Handlers.add("stats", "Stats", function(msg)
  -- holders sorted by balance, descending, ties by address
  local holders = {}
  for addr, bal in pairs(Balances) do
    table.insert(holders, { addr = addr, bal = bint(bal) })
  end
  table.sort(holders, function(a, b)
    if a.bal == b.bal then return a.addr < b.addr end
    return a.bal > b.bal
  end)
  local sum = bint.zero()
  for i, h in ipairs(holders) do
    sum = sum + h.bal
    print(i .. ". " .. string.sub(h.addr, 1, 5) .. " " .. tostring(h.bal))
  end
  print("sum matches supply: " .. tostring(sum == bint(TotalSupply)))
  print("max as number: " .. string.format("%.3e", bint.tonumber(holders[1].bal)))
  print("udiv by 10^12: " .. tostring(bint.udiv(holders[1].bal, bint(10) ^ 12)))
end)
