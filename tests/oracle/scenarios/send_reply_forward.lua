-- ao.send / Send / msg.reply / msg.forward: targets, tags, references, magic-table Data.
Handlers.add("send", "DoSend", function(msg)
  local m = ao.send({ Target = "TARGET_A", Action = "Note", Data = "hello", Custom = "x" })
  print("ref " .. m.Tags[4].value .. " anchor " .. m.Anchor .. " target " .. m.Target)
  -- table Data is JSON-encoded and gets Content-Type: application/json
  ao.send({ Target = "TARGET_B", Data = { list = { 1, 2, 3 }, name = "tbl" } })
  -- Tags given as an array keep duplicates; as a map become name/value pairs
  ao.send({ Target = "TARGET_C", Tags = { { name = "Arr", value = "1" }, { name = "Arr", value = "2" } } })
  ao.send({ Target = "TARGET_D", Tags = { MapTag = "m" } })
  -- a non-string tag value is passed through as-is
  ao.send({ Target = "TARGET_E", Amount = 5, Flag = true })
end)
Handlers.add("reply", "DoReply", function(msg)
  -- Reply-To on the incoming message overrides the Target given here
  msg.reply({ Target = "EXPLICIT_TARGET", Action = "Reply-Action", Data = "r" })
end)
Handlers.add("forward", "DoForward", function(msg)
  msg.forward("FORWARD_TARGET", { Extra = "e" })
end)
local r = Send({ Target = "TARGET_LOAD", Data = "from Send" })
print(r.output)
