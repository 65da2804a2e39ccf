-- os.time() is msg.Timestamp (milliseconds, whatever type the CU passed);
-- math.random is seeded once from the first message and is deterministic.
Handlers.add("time", "Time", function(msg)
  print("os.time " .. tostring(os.time()) .. " " .. type(os.time()) .. " same " .. tostring(os.time() == msg.Timestamp))
  print("block " .. tostring(msg["Block-Height"]) .. " " .. type(msg["Block-Height"]) .. " nonce " .. tostring(msg.Nonce))
  print("date " .. os.date("!%Y-%m-%d %H:%M:%S", math.floor(tonumber(os.time()) / 1000)))
end)
Handlers.add("random", "Random", function(msg)
  print(tostring(math.random()) .. " " .. math.random(10) .. " " .. math.random(5, 7) .. " " .. math.random(1000000))
end)
print("seeded " .. tostring(Seeded))
