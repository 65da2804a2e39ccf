-- Assignment semantics under the assignment rewrite: order, adjustment, metamethods,
-- captured variables, globals, methods.
local log = {}
local function mark(tag, v) log[#log + 1] = tag return v end
local t = {}
t[mark("k1", 1)], t[mark("k2", 2)] = mark("v1", "a"), mark("v2", "b")
print(table.concat(log, " "), t[1], t[2])
local a, b, c = 1
print(a, b, c)
local x, y = (function() return 1, 2, 3 end)()
print(x, y)
local p, q, r = 0, (function() return 7, 8 end)()
print(p, q, r)
local i = 1
local arr = {}
i, arr[i] = i + 1, 20
print(i, arr[1], arr[2])
G1, G2 = "g1", "g2"
print(G1, G2, rawget(_G, "G1"))
local hits = {}
local proxy = setmetatable({}, { __newindex = function(tt, k, v) hits[#hits + 1] = k .. "=" .. tostring(v) rawset(tt, k, v) end })
proxy.a = 1
proxy.a = 2
proxy.b = nil
print(table.concat(hits, ","), proxy.a)
local base = {}
local chain = setmetatable({}, { __newindex = setmetatable({}, { __newindex = base }) })
chain.deep = "yes"
print(rawget(chain, "deep"), base.deep)
local counter = 0
local function bump(n) counter = counter + n return counter end
bump(2) bump(3)
print(counter)
local function outer()
  local v = 1
  local function inner() v = v * 10 end
  inner() inner()
  return v
end
print(outer())
local obj = { n = 1 }
function obj.add(self, k) self.n = self.n + k end
function obj:mul(k) self.n = self.n * k end
obj:add(4) obj:mul(3)
print(obj.n)
local ns = { sub = {} }
function ns.sub.f() return "nested" end
function ns.sub:g() return self == ns.sub end
print(ns.sub.f(), ns.sub:g())
do local _ENV = { print = print } z = 5 print(z) end
print(rawget(_G, "z"))
local ok, err = pcall(function() local n = nil n.field = 1 end)
print(ok, (err:gsub("^.-:%d+: ", "")))
ok, err = pcall(function() local tt = {} tt[nil] = 1 end)
print(ok, (err:gsub("^.-:%d+: ", "")))
ok, err = pcall(function() local tt = {} tt[0/0] = 1 end)
print(ok, (err:gsub("^.-:%d+: ", "")))
