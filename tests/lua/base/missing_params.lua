-- Missing parameters are nil on every call path (piccolo 0.3.3 leaves stale registers in
-- them on most paths and panics on a tail call with too few arguments).
local T = { alice = "stale", n = 7 }
local k = "alice"

-- Lua to Lua, after a temporary that could leave a stale register.
local function f(v, opt) return opt end
print("direct", f(T[k]), f(T.n), f(k .. "x"))
local function four(a, b, c, d) return a, b, c, d end
print("four", four(T[k]))
print("four+", four(1, 2))

-- Tail calls with fewer arguments than parameters (used to panic).
local function g(a, b, c, d) return d end
local function t(a) return g(a) end
print("tail", t(1))
local function deep(a, b, c, d, e, f2, g2, h, i, j) return j end
local function tail0() return deep() end
print("tail0", tail0())

-- The `x = x or default` idiom.
local function opt(a, b)
  b = b or "default"
  return b
end
print("default", opt(T[k]))

-- A deepCopy with an optional `seen` argument.
local function deepCopy(o, seen)
  seen = seen or {}
  if type(o) ~= "table" then return o end
  if seen[o] then return seen[o] end
  local c = {}
  seen[o] = c
  for key, v in pairs(o) do c[deepCopy(key, seen)] = deepCopy(v, seen) end
  return c
end
local copy = deepCopy({ a = { b = 1 }, list = { 1, 2, 3 } })
print("deepCopy", copy.a.b, #copy.list)

-- Methods, with and without arguments.
local obj = {}
function obj:m(x, y) return self == obj, x, y end
print("method", obj:m())
print("method1", obj:m(T[k]))
function obj.dot(x, y) return x, y end
print("dot", obj.dot(T[k]))

-- Varargs after fixed parameters.
local function va(a, b, ...)
  local n = select("#", ...)
  return a, b, n, ...
end
print("va0", va())
print("va1", va(T[k]))
print("va4", va(1, 2, 3, 4))
print("va nil", va(1, 2, nil, nil))
local function vt(a, ...) return { ... }, (...) end
local r, first = vt(1, "x", "y")
print("vt", #r, r[1], r[2], first)
local function vnested(a, ...)
  local inner = function(...) return select("#", ...) end
  return inner(...), inner(a, ...)
end
print("vnested", vnested(1, 2, 3))

-- Callbacks calling Lua: pcall, xpcall, sort comparators, gsub, gmatch, iterators.
print("pcall", pcall(f, T[k]))
print("xpcall", xpcall(f, print, T[k]))
print("xpcall handler", xpcall(function() error({}) end, function(e, extra) return extra end))
local s = { 3, 1, 2 }
table.sort(s, function(a, b, c)
  assert(c == nil)
  return a < b
end)
print("sort", s[1], s[2], s[3])
print("gsub", ("ab"):gsub("%w", function(c, d) return tostring(d) end))
print("gsub2", ("k=v"):gsub("(%w)=(%w)", function(a, b, c) return tostring(c) end))
local function iter(state, ctl, extra)
  if extra ~= nil then return nil end
  if ctl < state then return ctl + 1 end
end
local seen = {}
for i in iter, 2, 0 do seen[#seen + 1] = i end
print("iter", table.concat(seen, " "))

-- Coroutines.
local co = coroutine.wrap(function(a, b) local x, y = coroutine.yield(b) return x, y end)
print("wrap", co(T[k]))
print("wrap2", co(1))
local co2 = coroutine.create(function(a, b, c) return a, b, c end)
print("resume", coroutine.resume(co2, T[k]))

-- Metamethods.
local mt = {}
mt.__index = function(t2, key, extra) return extra end
mt.__add = function(a, b, c) return c end
mt.__eq = function(a, b, c) return c == nil end
mt.__lt = function(a, b, c) return c == nil end
mt.__le = function(a, b, c) return c == nil end
mt.__call = function(self, a, b) return b end
mt.__concat = function(a, b, c) return tostring(c) end
mt.__len = function(a, b, c) return 1 end
mt.__unm = function(a, b, c) return c end
local x = setmetatable({}, mt)
local y = setmetatable({}, mt)
print("meta", x.foo, x + 1, x == y, x < y, x <= y, x(T[k]), x .. "s", #x, -x)
mt.__newindex = function(t2, key, v, extra) rawset(t2, key, extra) end
x.z = 5
print("newindex", rawget(x, "z"))

-- Many parameters, few arguments, from a fresh stack.
local function many(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12)
  return a1, a6, a12
end
print("many", many(T[k], T.n))
print("many tail", (function() return many(1) end)())
