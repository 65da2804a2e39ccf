-- Unbounded recursion: Lua stops it with `stack overflow` (a Lua error, which the
-- handlers' pcall turns into the message's Error; state and outbox are discarded).
Depth = 0
local function rec(n) Depth = n; return rec(n + 1) + 1 end
local Tree = {}
function Tree.walk(node, d) Depth = d; return Tree.walk(node, d + 1) + 1 end
Handlers.add("recurse", "Recurse", function(msg)
  ao.send({ Target = msg.From, Data = "before" })
  rec(1)
end)
Handlers.add("field", "Field", function(msg) Tree.walk({}, 1) end)
Handlers.add("ping", "Ping", function(msg) msg.reply({ Data = "depth " .. tostring(Depth) }) end)
