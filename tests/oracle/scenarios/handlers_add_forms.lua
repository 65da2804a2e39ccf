-- Handlers.add/append argument forms and which messages each pattern form matches.
Log = {}
local function note(s) table.insert(Log, s) end

-- 2-argument form: the name doubles as the pattern, i.e. an exact Action string.
print(Handlers.add("Ping", function(msg) note("Ping:" .. msg.Data) end))
-- String pattern: exact, case-sensitive match on msg.Action.
print(Handlers.add("exact", "Exact", function(msg) note("exact") end))
-- Table pattern: every key must match; plain string values compare case-insensitively.
print(Handlers.add("tbl", { Action = "Table-Match" }, function(msg) note("tbl:" .. msg.Action) end))
-- Function pattern: receives the message.
print(Handlers.add("fn", function(msg) return msg.Tags.Kind == "fn" end, function(msg) note("fn") end))
-- append returns nothing (add returns #Handlers.list).
print(Handlers.append("appended", "Appended", function() note("appended") end))
-- Invalid arguments are rejected by an assert.
local ok, err = pcall(Handlers.add, 42, "X", function() end)
print(tostring(ok) .. " " .. tostring(string.match(err, "Invalid arguments given%. Expected:")))
print(#Handlers.list)
