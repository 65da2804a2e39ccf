-- Reads of a.k / a[k] on every kind of value: strings index the string table (nil for
-- missing keys), and index errors carry Lua's position and variable description.
print(("x").len == string.len, ("abc").missing)
local s = "hello"
print(s.len(s), s.upper(s), s[1])
local t = {"str", {x = 1}}
print(t[1].x, t[2].x)
print(pcall(function() local u; return u.x end))
print(pcall(function() return Config.limits end))
print(pcall(function() local cfg = {} return cfg.limits.max end))
local up
print(pcall(function() return up.x end))
print(pcall(function() local a = {} ; return a[1].x end))
print(pcall(function() local a = {b = {}} ; return a.b.c.d end))
print(pcall(function() local n = 5 return n.x end))
print(pcall(function() return (nil).x end))
print(pcall(function() local a = {} return a["key"].z end))
local mt = setmetatable({}, {__index = function(t, k) return k .. "!" , 2 end})
print(mt.foo)
local chain = setmetatable({}, {__index = setmetatable({}, {__index = {deep = 42}})})
print(chain.deep)
local tt = {}
tt = 5
print(pcall(function() return tt.x end))
