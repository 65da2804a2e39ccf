-- A function pattern must return a number, string or boolean. Returning nil
-- (msg.Tags.Missing) fails every message that reaches it.
Handlers.add("bad", function(msg) return msg.Tags.Missing end, function() print("never") end)
Handlers.add("tableResult", function(msg) if msg.Action == "Tbl" then return {} end return false end, function() end)
Count = 0
