-- Weak tables (__mode): after a full collection, entries whose weakly held key or value is
-- an object nothing else references are gone; everything else stays.

local function count(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n
end

-- weak keys
local wk = setmetatable({}, {__mode = "k"})
local keep = {}
wk[keep] = "kept"
wk[{}] = "dropped"
wk[function() end] = "dropped too"
wk["str"] = {}
wk[1] = {}
wk[true] = {}
wk[2.5] = {}
collectgarbage()
print("wk", count(wk), wk[keep], wk.str ~= nil, wk[1] ~= nil, wk[true] ~= nil, wk[2.5] ~= nil)

-- weak values, in the array part and the hash part
local wv = setmetatable({}, {__mode = "v"})
local held = {}
wv[1] = held
wv[2] = {}
wv[3] = 42
wv[4] = {}
wv.x = function() end
wv.y = "string"
wv.z = print
wv.w = held
collectgarbage("collect")
print("wv", wv[1] == held, wv[2], wv[3], wv[4], wv.x, wv.y, wv.z == print, wv.w == held, #wv >= 1)

-- both
local kv = setmetatable({}, {__mode = "kv"})
local a, b = {}, {}
kv[a] = {}
kv[{}] = b
kv[b] = a
kv.q = {}
kv.r = 7
collectgarbage()
print("kv", count(kv), kv[b] == a, kv.r, kv[a])

-- an object referenced only from another weak table
local w1 = setmetatable({}, {__mode = "v"})
local w2 = setmetatable({}, {__mode = "k"})
do
  local o = {}
  w1[1] = o
  w2[o] = 1
end
collectgarbage()
print("chain", w1[1], next(w2))

-- a strong table that holds the object keeps it in the weak one
local strong = {}
local w3 = setmetatable({}, {__mode = "k"})
do
  local o = {}
  strong[1] = o
  w3[o] = "alive"
end
collectgarbage()
print("held elsewhere", w3[strong[1]])
strong[1] = nil
collectgarbage()
print("then dropped", next(w3))

-- the memoising cache idiom
local cache = setmetatable({}, {__mode = "k"})
local function memo(t)
  local r = cache[t]
  if not r then
    r = #t
    cache[t] = r
  end
  return r
end
local live = {1, 2, 3}
for i = 1, 100 do memo({i}) end
memo(live)
collectgarbage()
print("cache", count(cache), cache[live])

-- upvalues and globals keep objects
local up = {}
local function uses() return up end
local w4 = setmetatable({}, {__mode = "v"})
w4[1] = up
GLOBAL_OBJ = {}
w4[2] = GLOBAL_OBJ
collectgarbage()
print("upvalue and global", w4[1] == uses(), w4[2] == GLOBAL_OBJ)
GLOBAL_OBJ = nil
up = nil
collectgarbage()
print("released", w4[1], w4[2])

-- coroutines and functions made by the library (coroutine.wrap, string.gmatch)
local w5 = setmetatable({}, {__mode = "v"})
w5.co = coroutine.create(function() end)
w5.wrap = coroutine.wrap(function() end)
w5.iter = string.gmatch("a b", "%a")
local f = function() return 1 end
w5.f = f
collectgarbage()
print("functions and threads", w5.co, w5.wrap, w5.iter, w5.f == f)

-- a metatable without __mode keeps everything; the same metatable shared by many tables
local plain = setmetatable({}, {})
plain[{}] = 1
local shared = {__mode = "k"}
local s1, s2 = setmetatable({}, shared), setmetatable({}, shared)
s1[{}] = 1
s2[{}] = 2
s2[keep] = 3
collectgarbage()
print("plain and shared", next(plain) ~= nil, next(s1), s2[keep], count(s2))

-- a weak table nested in a weak table
local outer = setmetatable({}, {__mode = "v"})
outer[1] = setmetatable({}, {__mode = "k"})
collectgarbage()
print("nested", outer[1])

-- entries survive many collections; order of the survivors is kept for ipairs
local list = setmetatable({}, {__mode = "v"})
local items = {}
for i = 1, 10 do items[i] = {i}; list[i] = items[i] end
for _ = 1, 3 do collectgarbage() end
local seen = {}
for i, v in ipairs(list) do seen[#seen + 1] = v[1] end
print("survivors", table.concat(seen, ","))

-- a collection inside a loop over a weak table's survivors
local loop = setmetatable({}, {__mode = "k"})
local keys = {}
for i = 1, 5 do keys[i] = {}; loop[keys[i]] = i end
local sum = 0
for k, v in pairs(loop) do sum = sum + v end
collectgarbage()
for k, v in pairs(loop) do sum = sum + v end
print("loop", sum)

-- removing and setting again after a collection
local again = setmetatable({}, {__mode = "k"})
local k1 = {}
again[k1] = 1
again[{}] = 2
collectgarbage()
again[k1] = nil
again[k1] = 3
again[{}] = 4
print("again", again[k1], count(again))

print(collectgarbage("count") > 0, collectgarbage())
