-- Unbounded recursion ends with Lua's `stack overflow` (LUAI_MAXSTACK slots) or, for calls
-- nested through C (pcall, metamethods), `C stack overflow` (LUAI_MAXCCALLS), both caught by
-- pcall. piccolo has no depth limit: aolite re-runs a script that ran out of memory in
-- diagnostic mode, which counts what Lua counts.
local depth = 0
local function rec(n) local a, b, c, d, e, f = 1, 2, 3, 4, 5, 6; depth = n; return rec(n + 1) + 1 end
local ok, err = pcall(rec, 1)
print(ok, err)
-- Lua counts stack slots: 10^6 / 8 levels here (the exact base differs a little).
print(depth > 124000 and depth <= 125000)

-- a vararg function keeps its arguments below its frame: the depth is exact
depth = 0
local function grow(...) depth = depth + 1; return grow(1, ...) + 1 end
print(pcall(grow))
print(depth)

-- a method of a table, called through a field
local Tree = {}
function Tree.walk(node, d) local a, b, c, e, f, g = 1, 2, 3, 4, 5, 6; depth = d; return Tree.walk(node, d + 1) + 1 end
print(pcall(Tree.walk, {}, 1))

-- nested pcalls: the innermost one catches `C stack overflow` (no position)
local n = 0
local function nest() n = n + 1; return pcall(nest) end
local results = table.pack(nest())
print(n, results.n, results[results.n - 1], results[results.n])

-- an __index function indexing its own table
local t = setmetatable({}, { __index = function(self, k) n = n + 1; return self[k] end })
n = 0
print(pcall(function() return t.x end))
print(n)

-- an __add metamethod adding to itself
local mt = {}
mt.__add = function(a, b) n = n + 1; return a + b end
local o = setmetatable({}, mt)
n = 0
print(pcall(function() return o + 1 end))
print(n)

-- the program goes on afterwards with its state
print("after", depth > 0)

-- __newindex and __concat functions recursing through their own operation: C levels
local w = setmetatable({}, {})
getmetatable(w).__newindex = function(tt, k, v) tt[k + 1] = v end
print(pcall(function() w[1] = 1 end))
local c = setmetatable({}, {})
getmetatable(c).__concat = function(a, b) return a .. b end
print(pcall(function() return c .. "x" end))
-- A finite recursion deeper than Lua's stack allows fails there, caught or not.
local function deep40(n)
  local a1, a2, a3, a4, a5, a6, a7, a8, a9, a10 = n, n, n, n, n, n, n, n, n, n
  local b1, b2, b3, b4, b5, b6, b7, b8, b9, b10 = n, n, n, n, n, n, n, n, n, n
  local c1, c2, c3, c4, c5, c6, c7, c8, c9, c10 = n, n, n, n, n, n, n, n, n, n
  local d1, d2, d3, d4, d5, d6, d7, d8, d9, d10 = n, n, n, n, n, n, n, n, n, n
  if n == 0 then return 0 end
  return deep40(n - 1) + d10
end
print(pcall(deep40, 20000))
print(pcall(deep40, 30000))
