-- A local counts as always numeric only if no assignment anywhere (nested functions and
-- their return statements included) can store a non-number in it.
local v = 1
local mk = function()
  return function() v = setmetatable({}, {__add = function() return 42 end}) end
end
mk()()
print(v + 1)

local s = 2
local f = function() return function() s = "10" end end
f()()
print(s * 3, math.type(s * 3))

local n = 5
local g = function() return (function() n = n + 1 end)() end
g()
print(n + 0.5, n // 2)
