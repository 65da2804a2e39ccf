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
-- Caught by the program, which goes on: the handler's own pcall gets Lua's error.
Caught = {}
Handlers.add("caught", "Caught", function(msg)
  local saved = Depth
  local ok, err = pcall(rec, 1)
  Depth = saved
  table.insert(Caught, tostring(err))
  msg.reply({ Data = tostring(ok) .. " " .. tostring(err) })
end)
Handlers.add("caught-twice", "Caught-Twice", function(msg)
  local saved = Depth
  local _, a = pcall(Tree.walk, {}, 1)
  local _, b = pcall(rec, 1)
  Depth = saved
  table.insert(Caught, a)
  msg.reply({ Data = a .. " | " .. b })
end)
-- pcall within pcall without end: `C stack overflow`, caught by the innermost pcall.
Handlers.add("nested", "Nested", function(msg)
  local function nest() return pcall(nest) end
  local results = { nest() }
  table.insert(Caught, #results)
  msg.reply({ Data = #results .. " " .. tostring(results[#results]) })
end)
