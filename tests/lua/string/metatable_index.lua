-- Strings index through the string metatable: ipairs over a string runs zero times (real
-- processes do this with undecoded Data), and method calls see changes to the metatable.
local n = 0
for i, v in ipairs("abc") do n = n + 1 end
print("ipairs", n)
print(pcall(function() for _ in ipairs("") do end return "ok" end))
local mt = getmetatable("")
print(mt.__index == string, ("abc"):upper())
string.shout = function(s) return s:upper() .. "!" end
print(("hey"):shout())
local saved = mt.__index
mt.__index = function(s, k) return function(self, ...) return k .. ":" .. self end end
print(("x"):anything(), ("y"):len())
for i, v in ipairs("ab") do print("via function", i, type(v)) break end
mt.__index = { twice = function(s) return s .. s end }
print(("ab"):twice())
print(pcall(function() return ("ab"):upper() end))
mt.__index = saved
print(("ok"):upper())
