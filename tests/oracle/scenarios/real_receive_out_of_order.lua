-- Several handlers suspended at once in Handlers.receive / .receive(); the
-- replies arrive in another order than the requests went out.
Events = Events or {}
local PRICE = "PRICE_oracle_process_000000000000000000000"
local RISK = "RISK_oracle_process_0000000000000000000000"

local function note(s) table.insert(Events, s); print(s) end

Handlers.add("quote", "Quote", function(msg)
  local asset = msg.Tags.Asset
  note("quote " .. asset .. " asks price")
  local price = ao.send({ Target = PRICE, Action = "Get-Price", Asset = asset }).receive()
  note("quote " .. asset .. " got price " .. price.Data)
  local risk = ao.send({ Target = RISK, Action = "Get-Risk", Asset = asset, Price = price.Data }).receive()
  note("quote " .. asset .. " got risk " .. risk.Data)
  ao.send({ Target = msg.From, Action = "Quote-Result", Asset = asset, Data = price.Data .. "/" .. risk.Data })
end)

Handlers.add("approve", "Approve", function(msg)
  note("approve " .. msg.Tags.Ticket .. " waits")
  local decision = Handlers.receive({ Action = "Decision", Ticket = msg.Tags.Ticket })
  note("approve " .. msg.Tags.Ticket .. " decided " .. decision.Data .. " by " .. decision.From:sub(1, 5))
  msg.reply({ Action = "Approved", Ticket = msg.Tags.Ticket, Data = decision.Data })
end)

Handlers.add("status", "Status", function(msg)
  local waiting = {}
  for _, h in ipairs(Handlers.list) do
    if h.name:match("^_once_") then table.insert(waiting, h.name) end
  end
  print("waiting handlers: " .. #waiting .. ", coroutines: " .. #Handlers.coroutines)
end)
