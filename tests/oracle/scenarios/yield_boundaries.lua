-- Handlers run inside a coroutine in aos, so they may yield (Receive); a library function
-- that calls back into Lua with lua_call (a sort comparator, a gsub function, __tostring,
-- ipairs's __index, a load reader...) is a C-call boundary there, which no yield crosses.
local function report(msg, parts) msg.reply({ Data = table.concat(parts, "\n") }) end
Handlers.add("Where", "Where", function(msg)
  local parts = {}
  local function add(name, ...) local t = { name } for i = 1, select("#", ...) do t[#t + 1] = tostring((select(i, ...))) end parts[#parts + 1] = table.concat(t, " ") end
  add("handler", coroutine.isyieldable())
  string.gsub("a", "a", function() add("gsub", coroutine.isyieldable()) end)
  table.sort({2, 1}, function(a, b) if #parts < 4 then add("sort", coroutine.isyieldable()) end return a < b end)
  add("pcall", pcall(function() return coroutine.isyieldable() end))
  add("tostring", tostring(setmetatable({}, { __tostring = function() return tostring(coroutine.isyieldable()) end })))
  local mt = { __index = function(t, k) return coroutine.isyieldable() end }
  add("index from Lua", setmetatable({}, mt).x)
  for i, v in ipairs(setmetatable({}, { __index = function(t, k) if k == 1 then return coroutine.isyieldable() end end })) do add("ipairs", v) end
  add("sort yield", pcall(table.sort, {2, 1}, function(a, b) coroutine.yield() return a < b end))
  add("gsub yield", pcall(string.gsub, "ab", "%w", function(c) coroutine.yield() end))
  add("print yield", pcall(print, setmetatable({}, { __tostring = function() coroutine.yield() return "x" end })))
  add("format yield", pcall(string.format, "%s", setmetatable({}, { __tostring = function() coroutine.yield() return "x" end })))
  add("concat yield", pcall(table.concat, setmetatable({}, { __index = function() coroutine.yield() return "x" end, __len = function() return 1 end })))
  add("load yield", load(function() coroutine.yield() end))
  add("xpcall handler yield", xpcall(error, function(m) coroutine.yield() return m end, "boom"))
  add("pairs yield", pcall(pairs, setmetatable({}, { __pairs = function() coroutine.yield() return next, {}, nil end })))
  report(msg, parts)
end)
-- Receive inside a comparator fails as in aos; the handler's error is the message's.
Handlers.add("SortWait", "SortWait", function(msg)
  Waited = "started"
  table.sort({3, 2, 1}, function(a, b) Handlers.receive({ Action = "Never" }) return a < b end)
  Waited = "never"
end)
