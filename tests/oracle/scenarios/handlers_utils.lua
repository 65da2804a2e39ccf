-- Handlers.utils: hasMatchingTag (exact, boolean), hasMatchingTagOf, hasMatchingData,
-- reply (string / table) and continue.
Trace = {}
local U = Handlers.utils
Handlers.add("tag", U.hasMatchingTag("Action", "Tagged"), function() table.insert(Trace, "tag") end)
Handlers.add("tagof", U.hasMatchingTagOf("Color", { "red", "blue" }), function(m) table.insert(Trace, "tagof:" .. m.Tags.Color) end)
Handlers.add("data", U.hasMatchingData("ping"), U.reply("pong"))
-- reply with a table reuses (and mutates) the same table on every call.
Handlers.add("replytbl", U.hasMatchingTag("Action", "ReplyTable"), U.reply({ Action = "Replied", Data = "tbl" }))
Handlers.add("cont", U.continue(U.hasMatchingTag("Action", "Both")), function() table.insert(Trace, "cont") end)
Handlers.add("both", U.hasMatchingTag("Action", "Both"), function() table.insert(Trace, "both") end)
-- Direct results.
print(U.hasMatchingTag("Action", "X")({ Tags = { Action = "X" } }))
print(U.hasMatchingTag("Action", "X")({ Tags = { Action = "x" } }))
print(U.hasMatchingTagOf("A", { "1", "2" })({ Tags = { A = "2" } }))
print(U.hasMatchingTagOf("A", { "1" })({ Tags = { A = "3" } }))
print(U.hasMatchingData("d")({ Data = "d" }))
print(U.continue(U.hasMatchingTag("A", "1"))({ Tags = { A = "1" } }))
print(U.continue(U.hasMatchingTag("A", "1"))({ Tags = { A = "2" } }))
print(U.continue({ A = "1" })({ A = "1", Tags = { A = "1" } }))
print(select(2, pcall(U.hasMatchingTag, "Action", 5)))
print(select(2, pcall(U.reply, 5)))
