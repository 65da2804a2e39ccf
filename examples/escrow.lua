-- An escrow in front of the token (examples/token.lua): what the token credits it is paid on
-- to the beneficiary, less a fee of 1%. Run with the token on a local network:
--   cargo run --example network_escrow
local bint = require('.bint')(256)

Token = Token or nil            -- the token's process id (set by whoever deploys the pair)
Beneficiary = Beneficiary or nil
Fees = Fees or "0"
Deposits = Deposits or {}

Handlers.add("credit", "Credit-Notice", function(msg)
  -- Only the token's own notices count: anyone may send an escrow a Credit-Notice.
  if msg.From ~= Token then
    print("ignored a Credit-Notice from " .. msg.From)
    return
  end
  local quantity = bint(msg.Quantity)
  local fee = quantity // bint(100)
  Fees = tostring(bint(Fees) + fee)
  Deposits[msg.Sender] = tostring(bint(Deposits[msg.Sender] or "0") + quantity)
  ao.send({ Target = Token, Action = "Transfer", Recipient = Beneficiary,
    Quantity = tostring(quantity - fee), ["X-Deposit-From"] = msg.Sender })
end)

Handlers.add("debit", "Debit-Notice", function(msg)
  print("paid " .. msg.Quantity .. " on to " .. msg.Recipient)
end)
