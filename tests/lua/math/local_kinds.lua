-- Locals whose values are all numbers run their operators on the VM; these check that the
-- inference behind that (kinds.rs) never calls a local numeric when some value stored in it
-- is not, whatever declares or assigns it, and that numeric ones compute as Lua does.

-- An accumulator over a loop counter (declared after it) and an inner local.
local s, k = 0, 0
for i = 1, 10 do
  local d = i * 2
  if i % 3 == 0 then s = s + i // 3 end
  if i > k then k = i end
  s = s + d - 1
end
print("acc", s, k, math.type(s))

-- Floor division and modulo of negative counters (piccolo's instructions truncate).
local q = {}
for i = -7, 7, 2 do
  local a, b = i // 2, i % 3
  q[#q + 1] = a .. ":" .. b .. ":" .. (i // -2) .. ":" .. (i % -3)
end
print("neg", table.concat(q, " "))

-- A local that turns into a float part way, and back to integer arithmetic on it.
local f = 1
for i = 1, 4 do
  if i == 3 then f = f + 0.5 end
  f = f * 2
end
print("float", f, math.type(f), f // 1, f % 4)

-- A string stored from a closure: comparisons and bitwise operators must see the string.
local x = 1
local function make_string() x = "10" end
print("before", x + 1, x < 5)
make_string()
print("after", x + 1, pcall(function() return x < 5 end))
print("bit", pcall(function() return x | 1 end))

-- Stored through another local that later holds a string.
local a = 1
local b = a
a = "7"
b = a
print("chain", b + 1, pcall(function() return b < 8 end))

-- A cycle between two locals, widened to float by one of them.
local c1, c2 = 1, 2
for _ = 1, 3 do
  c1 = c2
  c2 = c1 + 0.5
end
print("cycle", c1, c2, math.type(c1), math.type(c2))

-- Shadowing: an inner local of the same name holding a string.
local sh = 5
do
  local sh = "3"
  sh = sh .. "1"
  print("inner", sh + 1, pcall(function() return sh < 40 end))
end
print("outer", sh + 1, sh < 40)

-- A counter shadowing a numeric local; the outer one is untouched.
local n = 100
for n = 1, 2 do n = n * 10 end
print("counter", n, n // 3)

-- A counter assigned a string inside its loop.
for i = 1, 2 do
  i = tostring(i)
  print("strcounter", pcall(function() return i < 3 end), i + 1)
end

-- repeat ... until sees the body's locals.
local r = 0
repeat
  local step = r + 1
  r = step
until step >= 3
print("repeat", r, math.type(r))

-- Missing values are nil, not numbers.
local m1, m2 = 1
m2 = m2 or 4
print("missing", m1 + m2)
local m3 = 2
m3 = nil
print("nil", pcall(function() return m3 + 1 end))

-- Multiple assignment from a call.
local function two() return "1", 2 end
local p1, p2 = 0, 0
p1, p2 = two()
print("multi", pcall(function() return p1 < p2 end))

-- Integers wrap; floats compare exactly with large integers.
local big = math.maxinteger
for _ = 1, 2 do big = big + 1 end
print("wrap", big, math.type(big))
local i53 = 9007199254740993
local f53 = 2 ^ 53
print("exact", i53 < f53 + 2, i53 == f53 + 1, i53 > f53, i53 <= f53)

-- Locals assigned by goto loops.
local g = 0
::again::
g = g + 1.25
if g < 3 then goto again end
print("goto", g, math.type(g))

-- A local function's name holds a function, even when later reassigned a number.
local function h() return 1 end
local hh = h
h = 3
print("func", h + 1, type(hh))

-- NaN through locals: comparisons false both ways.
local nan = 0 / 0
local one = 1.0
for _ = 1, 1 do one = one + 0 end
print("nan", nan < one, nan > one, nan <= one, nan >= one, nan == nan, not (nan > one))

-- Local functions whose every call is seen: parameters hold what the calls pass, and a call
-- gives what the returns give.
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print("fib", fib(20), math.type(fib(10)))

local function half(v) return v / 2 end
local function twice(v) return v * 2 end
print("calls", twice(half(7)), twice(3) // 4, math.type(twice(3)))

-- One call passes a string: the parameter is not a number.
local function lt(a, b) return a < b end
print("lt", lt(1, 2), pcall(lt, 1, "2"))
local function lt2(a, b) return a < b end
print("lt2", lt2(1, 2), pcall(function() return lt2("1", 2) end))

-- Passed as a value: called with anything.
local function inc(x) return x + 1 end
local applied = {}
for _, v in ipairs({ 1, "2", 3.5 }) do applied[#applied + 1] = tostring(inc(v)) end
print("escaped", table.concat(applied, " "), pcall(table.sort, { 3, 1 }, function(p, q) return inc(p) < inc(q) end))
local function cmp(p, q) return p < q end
local sorted = { 3, 1, 2 }
table.sort(sorted, cmp)
print("sorted", table.concat(sorted, " "), pcall(cmp, "a", 1))

-- Reassigned: calls through the name reach another function.
local function num() return 1 end
print("num", num() + 1)
num = function() return "x" end
print("renum", pcall(function() return num() < 2 end))

-- Ends without a return on some path: a call may give nil.
local function maybe(v) if v > 0 then return v end end
print("maybe", maybe(1) + 1, pcall(function() return maybe(-1) + 1 end))

-- Missing arguments are nil; extra ones ignored.
local add = function(p, q) return p + q end
print("add", add(1, 2, "x"), pcall(add, 1))
local function add2(p, q) return p + q end
print("add2", add2(1, 2), pcall(function() return add2(1) end))

-- Arguments from a call's results and from `...`.
local function pair() return 4, "5" end
local function sum2(p, q) return p + q, pcall(function() return p < q end) end
print("pair", sum2(pair()))
local function spread(...) return sum2(...) end
print("spread", spread(1, 2), spread(1, "2"))

-- A float from one return; string and table call syntax.
local function mixed(v) if v > 2 then return v / 1 end return v end
print("mixed", mixed(1) // 1, mixed(3) // 1, math.type(mixed(1)), math.type(mixed(3)))
local function strarg(v) return v .. "!" end
print("strarg", strarg "x", pcall(function() return strarg {} end))

-- Integer parameters through `//` and `%` with negative values.
local function divmod(a, b) return a // b, a % b end
print("divmod", divmod(-7, 2), divmod(7, -2), divmod(-7.5, 2), pcall(divmod, 1, 0))
local function idiv(a) return a // 2, a % 3, -a // 2 end
print("idiv", idiv(-5), idiv(5))

-- Large integers against floats through parameters.
local function cmp53(i, f) return i < f, i <= f, i > f, i >= f, i == f end
print("cmp53", cmp53(9007199254740993, 2 ^ 53), cmp53(math.maxinteger, 2 ^ 63))
