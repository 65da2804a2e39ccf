-- __index / __newindex chains: followed through tables, bounded (Lua's MAXTAGLOOP = 2000)
local a = {}
setmetatable(a, a)
a.__index = a
a.__newindex = a
print(pcall(function(t, k) return t[k] end, a, 10))
print(pcall(function(t, k) local v = t[k]; return v end, a, "x"))
print(pcall(function(t, k, v) t[k] = v end, a, 10, true))
print(pcall(function(t) local r = t:m(); return r end, a))
print(pcall(ipairs(a), a, 0))

-- a long but finite chain works
local function chain(n)
  local base = {deep = "found"}
  local t = base
  for _ = 1, n do t = setmetatable({}, {__index = t}) end
  return t
end
print(chain(1000).deep, chain(1999).deep)
print(pcall(function() return chain(2000).deep end))
print(pcall(function() return chain(2100).deep end))

-- an __index value that cannot be indexed
local b = setmetatable({}, {__index = 5})
print(pcall(function() return b.x end))
local c = setmetatable({}, {__index = setmetatable({}, {__index = true})})
print(pcall(function() return c.x end))
-- an __index function at the end of a table chain gets the last table
local last = setmetatable({}, {__index = function(t, k) return k .. "!" end})
local d = setmetatable({}, {__index = setmetatable({}, {__index = last})})
print(d.hello, rawget(d, "hello"))
local e = setmetatable({}, {__index = "abc"})
print(e.len == string.len, e.nothing)

-- __newindex chains: the same bound
local function nchain(n)
  local base = {}
  local t = base
  for _ = 1, n do t = setmetatable({}, {__newindex = t}) end
  return t, base
end
local t1, b1 = nchain(1999); t1.k = 1; print(b1.k, rawget(t1, "k"))
local t2, b2 = nchain(2000)
print(pcall(function() t2.k = 2 end), b2.k)
b2.k = 0
print(pcall(function() t2.k = 3 end), b2.k)
local t3, b3 = nchain(2001)
b3.k = 0
print(pcall(function() t3.k = 4 end), b3.k)
local f = setmetatable({}, {__newindex = setmetatable({}, {__newindex = function(t, k, v) rawset(t, k, v .. "?") end})})
f.z = "v"
print(rawget(f, "z"), getmetatable(f).__newindex.z)
