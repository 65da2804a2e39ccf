-- Metamethods called back by library functions (tostring, print, string.format, pairs)
-- run below those functions' [C] frames: tracebacks and error levels see them as Lua does.
local mt = { __tostring = function(t) local x = nil; return x.y end }
local t = setmetatable({}, mt)
print(xpcall(function() return tostring(t) .. "" end, debug.traceback))
print(xpcall(function() print(t) end, debug.traceback))
print(xpcall(function() return string.format("%s", t) end, debug.traceback))
print(xpcall(function() return ("%s|%s"):format(1, t) end, debug.traceback))
local mt2 = { __pairs = function(t) error("no pairs", 2) end }
print(xpcall(function() for k in pairs(setmetatable({}, mt2)) do end end, debug.traceback))
local lv = setmetatable({}, { __tostring = function() error("level two", 2) end })
print(pcall(tostring, lv))
print(pcall(print, lv))
print(pcall(string.format, "%s", lv))
local ok = setmetatable({}, { __tostring = function() return "fine" end })
print(tostring(ok), string.format("[%s]", ok))
print(ok)
for k, v in pairs(setmetatable({}, { __pairs = function(t) return next, { a = 1 }, nil end })) do
  print(k, v)
end
-- __newindex and __concat functions, called by assignments and `..`
local w = setmetatable({}, { __newindex = function(t, k, v) local x; return x.y end })
print(xpcall(function() w.a = 1 end, debug.traceback))
local cc = setmetatable({}, { __concat = function(a, b) error("cat", 2) end })
print(xpcall(function() return "a" .. cc end, debug.traceback))
-- An __index function string.gsub calls for its replacement table
local repl = setmetatable({}, { __index = function(_, k)
  if k == "b" then local x; return x.y end
  return k:upper()
end })
print(xpcall(function() return string.gsub("ab", "%w", repl) end, debug.traceback))
print(pcall(string.gsub, "a", "%w", setmetatable({}, { __index = function() error("lvl", 2) end })))
