-- Receive / .receive() / onReply: a handler suspends until a later message
-- matches, and resumes inside that later message's evaluation.
Log = {}
Handlers.add("ask", "Ask", function(msg)
  table.insert(Log, "ask start")
  local answer = Handlers.receive({ Action = "Answer" })
  table.insert(Log, "got answer " .. answer.Data)
  ao.send({ Target = msg.From, Data = "final:" .. answer.Data })
end)
Handlers.add("askSend", "AskPeer", function(msg)
  local r = ao.send({ Target = "ORACLE_PEER_process_00000000000000000000000", Action = "Question" }).receive()
  table.insert(Log, "peer said " .. r.Data)
  print("resumed with " .. r.Data)
end)
Handlers.add("askCallback", "AskCallback", function(msg)
  ao.send({ Target = "ORACLE_PEER_2_process_000000000000000000000", Action = "Q2" }).onReply(function(reply)
    table.insert(Log, "callback " .. reply.Data)
  end)
end)
Handlers.add("failAfter", "AskThenFail", function(msg)
  local r = Receive({ Action = "Trigger" })
  error("failed after resume: " .. r.Data)
end)
function Names()
  local t = {}
  for i, h in ipairs(Handlers.list) do t[i] = h.name end
  return t
end
