-- __index chains: followed through tables, functions and strings; a looping chain is an
-- error pcall catches ('__index' chain too long), not a hang. (Reads on a local declared
-- with a table constructor are plain VM reads, where a loop runs out of fuel instead: see
-- COMPATIBILITY.md, "table reads".)
local t = setmetatable({}, {})
getmetatable(t).__index = t
print(pcall(function() return t.x end))
local function pair() return {}, {} end
local a, b = pair()
setmetatable(a, {__index = b})
setmetatable(b, {__index = a})
print(pcall(function() return a.missing end))
local obj = setmetatable({}, {__index = t})
print(pcall(function() local r = obj:method() return r end))
local deep = {v = "bottom"}
for i = 1, 100 do deep = setmetatable({}, {__index = deep}) end
print(deep.v, deep.nothing)
local s = setmetatable({}, {__index = "abc"})
print(s.len == string.len, s.nothing)
local n = setmetatable({}, {__index = 5})
print(pcall(function() return n.x end))
local f = setmetatable({}, {__index = function(self, k) return k .. "!" end})
print(f.hello, f[1])
for i, v in ipairs(setmetatable({}, {__index = function(_, i) if i < 4 then return i * 10 end end})) do
  print("ipairs", i, v)
end
print(pcall(ipairs(t), t, 0))
