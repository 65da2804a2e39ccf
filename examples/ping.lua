-- A minimal process: counts pings and answers each with a pong.
Count = Count or 0

Handlers.add("ping", "Ping", function(msg)
  Count = Count + 1
  print("ping number " .. Count .. " from " .. msg.From)
  msg.reply({ Data = "pong", Count = tostring(Count) })
end)
