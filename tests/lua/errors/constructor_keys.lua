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
