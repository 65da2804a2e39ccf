-- ao.spawn / Spawn (with onReply on the "Spawned" notice), ao.assign, and the
-- assignment gate for messages whose Target is another process.
Handlers.add("spawn", "DoSpawn", function(msg)
  local s = ao.spawn(ao._module, { Data = "child source", Name = "child", ["On-Boot"] = "Data" })
  print("spawn ref " .. s.Tags[7].value .. " anchor " .. s.Anchor)
  s.onReply(function(notice)
    Child = notice.Process
    print("child spawned: " .. notice.Process)
  end)
end)
Handlers.add("spawnDefault", "SpawnDefault", function(msg)
  local r = Spawn({ Tags = { { name = "Extra", value = "1" } } })
  print(r.output)
end)
Handlers.add("assign", "DoAssign", function(msg)
  ao.assign({ Processes = { "P1_process_000000000000000000000000000000000", "P2_process_000000000000000000000000000000000" }, Message = "ASSIGNED_MESSAGE_id_000000000000000000000000" })
  print(Assign({ Processes = { "P3" }, Message = "M3" }))
end)
Handlers.add("allowed", "Allowed", function(msg) print("assigned message handled, Target " .. msg.Target) end)
