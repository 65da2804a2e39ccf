-- once (named and auto-named), maxRuns counting, "inf", and removal while iterating.
Trace = {}
local function tr(s) return function(msg) table.insert(Trace, s .. "@" .. tostring(msg.Nonce)) end end
print(Handlers.onceNonce)
Handlers.once("OnlyOnce", tr("auto-once"))                    -- 2 args: auto name _once_<n>, pattern "OnlyOnce"
Handlers.once("named", { Action = "Named" }, tr("named-once"))
Handlers.add("twice", "Twice", tr("twice"), 2)
Handlers.add("forever", "Forever", tr("forever"), "inf")
-- A continuing handler that removes itself (maxRuns 1) while Handlers.evaluate
-- is iterating with ipairs: the list shifts and the next handler is skipped.
Handlers.add("contOnce", function(msg) return msg.Action == "Chain" and "continue" or "skip" end, tr("contOnce"), 1)
Handlers.add("chainNext", "Chain", tr("chainNext"))
print(Handlers.onceNonce)
local names = {}
for i, h in ipairs(Handlers.list) do names[i] = h.name .. ":" .. tostring(h.maxRuns) end
print(table.concat(names, ","))
