-- A nil or NaN key in a table constructor: Lua's error with the constructor's position
-- (piccolo raises it without one; a diagnostic re-run finds it).
local none
print(pcall(function() local t = { [none] = 1 } end))
print(pcall(function() local t = { [0/0] = 1 } end))
print(pcall(function() local t = { 1, 2, [none] = 3 } end))
print(pcall(function() return { a = { [none] = true } } end))
local function build(k) return { [k] = "v" } end
print(pcall(build, nil))
print(pcall(build, 0/0))
print(pcall(build, 1), (select(2, pcall(build, "x"))).x)
-- The value is evaluated before the key is stored: its error comes first.
print(pcall(function() local t = { [none] = error("value first") } end))
print(pcall(function() local t = { [none] = nil } end))
-- Caught, then the program goes on with Lua's text.
local ok, err = pcall(function() return { [none] = 1 } end)
print(ok, err, type(err) == "string" and err:find("table index is nil", 1, true) ~= nil)
-- A field over several lines fails on the line of its value's last token, where Lua
-- stores it.
print(pcall(function() local t = {
  a = 1,
  [none] = 1 } end))
print(pcall(function() local t = {
  a = 1,
  [none] =
    2 } end))
print(pcall(function() local t = {
  [none] = function()
  end
  } end))
print(pcall(function() local t = {
  x = 1, [none] = { 1,
   2 },
  } end))
print(pcall(function() local t = { [none]
  = "s" } end))
local box = { k = nil, list = {} }
print(pcall(function() local t = {
  [box.k] = {
  } } end))
print(pcall(function() local t = {
  [box.list[1]] = 1
  } end))
print(pcall(function() local v = 1; local t = {
  [none] = v +
    v } end))
print(pcall(function() local t = { 1, 2,
  [none] = "x", 3
  } end))
-- Fields whose key and value hold no name or string: found by counting the source's
-- constructors and their items.
print(pcall(function() local t = {
  a = 1,
  [nil] = 1 } end))
print(pcall(function() local t = {
  1, 2,
  [0/0] =
     3 } end))
print(pcall(function() return {
  {}, { 1, {
  } }, [0/0] = 3 +
   4, [5] = 1 } end))
print(pcall(function() return { 1, function() local a, b = 1, 2 if a then end end, [nil]
  = (1), 2 } end))
print(pcall(function() return {
  x = { [1] = 2,
   [nil] = 1 } } end))
print(pcall(function() local t = { [1] = 1,
  [0/0]
  =
  1 } end))
-- A nil literal as the key.
print(pcall(function() local t = { [nil] = 1 } end))
-- Keys that succeed keep their values and order.
local key = {}
local ok, t = pcall(function() return { [key] = 1, ["s"] = 2, [3] = {
  4 } } end)
print(ok, t[key], t.s, t[3][1])
-- The traceback of such an error starts at the store's line; Lua names a function handler
-- after the failing store.
local function make()
  return {
    [none] = 1 }
end
print(xpcall(function() local t = make(); return t end, debug.traceback))
print(xpcall(function() local t = make(); return t end, function(m) return debug.traceback(m) end))
local function store(t, k)
  t[k] = 1
end
print(xpcall(function() store({}, none) end, debug.traceback))
print(xpcall(function() store({}, 0/0) end, function(m) return debug.traceback(m) end))
