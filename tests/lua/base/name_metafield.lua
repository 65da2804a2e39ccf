-- A string '__name' metafield names the type in tostring, %s and argument errors
-- (luaL_tolstring, luaL_typeerror); addresses are masked since they differ.
local function show(s) return (s:gsub("0x%x+", "ADDR")) end
local XX = setmetatable({}, {__name = "My Type"})
print(show(tostring(XX)))
print(show(string.format("%s|%10.4s|", XX, XX)))
print(pcall(math.sin, XX))
print(pcall(math.floor, XX))
print(pcall(string.rep, XX))
print(pcall(string.char, 1, XX))
print(pcall(table.concat, {}, XX))
print(pcall(setmetatable, XX, 1))
-- only a string __name counts
print(show(tostring(setmetatable({}, {__name = 42}))))
print(pcall(math.sin, setmetatable({}, {__name = 42})))
-- __tostring wins over __name
print(tostring(setmetatable({}, {__name = "N", __tostring = function() return "T" end})))
