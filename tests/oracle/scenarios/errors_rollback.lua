-- Errors in handlers: the CU discards the whole message (state, Inbox, outbox).
Counter = 0
Handlers.add("inc", "Inc", function(msg) Counter = Counter + 1; print("counter " .. Counter) end)
Handlers.add("incThenFail", "IncThenFail", function(msg)
  Counter = Counter + 100
  ao.send({ Target = msg.From, Data = "should be dropped" })
  print("about to fail")
  error("deliberate failure")
end)
-- a continuing handler mutates state, then a later handler in the chain fails
Handlers.add("cont", function(msg) return msg.Action == "Chain" and "continue" or "skip" end, function() Counter = Counter + 1000 end)
Handlers.add("chainFail", "Chain", function() local t = nil; return t.field end)
Handlers.add("assertFail", "Assert", function(msg) assert(tonumber(msg.Tags.Qty), "Qty must be a number") end)
Handlers.add("errLevel0", "Level0", function() error("no position", 0) end)
Handlers.add("errTable", "TableErr", function() error({ code = 42 }) end)
Handlers.add("errGlobal", "NilCall", function() undefinedFunction() end)
Handlers.add("errArith", "Arith", function(msg) return msg.Data + 1 end)
Handlers.add("errNoAction", { Kind = "noaction" }, function() error("failed without an Action") end)
