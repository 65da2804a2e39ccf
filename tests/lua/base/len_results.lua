-- __len may return anything, and arithmetic and comparisons on it follow Lua's rules.
local t = setmetatable({}, {__len = function() return "" end})
print(pcall(function() return #t + 1 end))
local u = setmetatable({}, {__len = function() return "0" end})
print(pcall(function() return #u + 1 end))
print(pcall(function() return #u < 1 end))
print(pcall(function() local n = #u return n * 2 end))
print(pcall(function() return -#u end))
