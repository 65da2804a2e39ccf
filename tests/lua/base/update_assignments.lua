-- `path = path op v` statements (counters, balances, accumulators): a fast path does them in
-- one step when only raw reads of present fields and numbers are involved; everything else
-- (absent fields, strings, metamethods, errors) must behave exactly as written.
local t = { n = 1, f = 1.5, s = "10", sub = { deep = { x = 2 } }, [1] = 5, big = math.maxinteger }
local k, one, half = "n", 1, 0.5
t.n = t.n + 1
t[k] = t[k] * 10
t.f = t.f - half
t[1] = t[1] // 2
t.sub.deep.x = t.sub.deep.x ^ 2
t.sub["deep"].x = t.sub["deep"].x % 3
t.big = t.big + one -- wraps
print(t.n, t.f, t[1], t.sub.deep.x, t.big, math.type(t.sub.deep.x))
t.s = t.s + 1 -- a numeric string: coerced
print(t.s, math.type(t.s))
local bits = { v = 6 }
bits.v = bits.v | 1
bits.v = bits.v << 2
bits.v = bits.v ~ 3
bits.v = bits.v >> 1
bits.v = bits.v & 0xff
print(bits.v)
print(pcall(function() bits.w = 1.5; bits.w = bits.w | 1 end))
print(pcall(function() t.z = t.z + 1 end))
print(pcall(function() t.n = t.n // 0 end), t.n)
print(pcall(function() t.n = t.n % 0 end), t.n)
t.f = t.f / 0
print(t.f)
-- globals
Counter = 0
for i = 1, 5 do Counter = Counter + i end
print(Counter)
Stats = { hits = 0, bytes = 0.0 }
local size = 512
for _ = 1, 3 do
  Stats.hits = Stats.hits + 1
  Stats.bytes = Stats.bytes + size
end
print(Stats.hits, Stats.bytes, math.type(Stats.bytes))
-- upvalues
local acc = { total = 0 }
local function add(v) acc.total = acc.total + v end
for i = 1, 4 do add(i) end
add(2.5)
print(acc.total)
-- metatables: a present field is raw; an absent one goes through __index and __newindex
local reads, writes = 0, 0
local proxy = setmetatable({ present = 1 }, {
  __index = function(_, key) reads = reads + 1; return 100 end,
  __newindex = function(tbl, key, v) writes = writes + 1; rawset(tbl, key, v) end,
})
proxy.present = proxy.present + 1
proxy.absent = proxy.absent + 1
print(proxy.present, proxy.absent, reads, writes)
local V = setmetatable({}, { __add = function(a, b) return "added" end })
local holder = { v = V }
holder.v = holder.v + 1
print(holder.v)
local num = setmetatable({}, { __index = { n = 7 } })
num.n = num.n + 1
print(rawget(num, "n"), getmetatable(num).__index.n)
-- a global read through _ENV's __index is read as written
local calls = 0
setmetatable(_G, { __index = function(_, key) calls = calls + 1; return nil end })
print(pcall(function() Missing = Missing + 1 end), calls)
print(pcall(function() MissingT.x = MissingT.x + 1 end), calls)
setmetatable(_G, nil)
-- keys that are locals, integers; float keys and call keys run as written
local idx = 2
local arr = { 10, 20, 30 }
arr[idx] = arr[idx] - 5
arr[3] = arr[3] * -1
arr[1.0] = arr[1.0] + 1
print(arr[1], arr[2], arr[3])
local function key() return 1 end
arr[key()] = arr[key()] + 100
print(arr[1])
-- the operand is a local string: coerced by the statement as written
local sv = "3"
t.n = t.n + sv
print(t.n, math.type(t.n))
-- integer and float mixing, NaN, -0.0
local m = { i = 3, z = 0.0 }
m.i = m.i / 2
m.z = m.z * -1
print(m.i, m.z, 1 / m.z)
m.q = 0 / 0
m.q = m.q + 1
print(m.q ~= m.q)
