-- A multiple assignment stores from its last target to its first, as PUC Lua 5.3 does.
local x
x, x = 1, 2
print(x)
local t = setmetatable({}, {__newindex = function(t, k, v) print("set", k, v) rawset(t, k, v) end})
t.a, t.b, t.c = 1, 2, 3
y, y = 1, 2
print(y)
local u = {}
u.k, u.k = "first", "second"
print(u.k)
