-- aolite: skip known differences from piccolo's VM (listed in COMPATIBILITY.md): errors the VM raises itself carry no position and, for arithmetic/comparison, no operand type; arithmetic, bitwise and order metamethods are not supported
print(pcall(function() local t = nil; local x = t.field end))
print(pcall(function() local x = {} + 1 end))
print(pcall(function() local x = 1 < "2" end))
print(pcall(function() local x = 1 // 0 end))
print(pcall(function() local a = setmetatable({}, {__add = function() return "added" end}); return a + 1 end))
print(pcall(function() local a = setmetatable({}, {__lt = function() return true end}); return a < a end))
print(pcall(function() local function level2() error("two", 2) end level2() end))
print(pcall(function() local s = "x"; return s:rep(2) .. s:nomethod() end))
