-- Writes to locals of enclosing functions (upvalues): the pipeline logs each one before
-- it happens, through a getter made once after the `local` statement (or at the write for
-- parameters, loop variables and a local function writing itself).

-- A chunk-level counter, written by several functions.
local count, label = 0, "c"
local function bump(n) count = count + n; label = label .. n end
local function reset() count = 0 end
bump(2); bump(3)
print(count, label)
reset(); bump(1)
print(count, label)

-- One fresh variable per loop iteration, each with its own cell.
local fns = {}
for i = 1, 3 do
  local v = i
  fns[i] = function(k) v = v * k; return v end
end
print(fns[1](10), fns[2](10), fns[1](10), fns[3](2))

-- Parameters and loop variables written by inner functions.
local function counter(start)
  return function() start = start + 1; return start end
end
local c1, c2 = counter(10), counter(100)
print(c1(), c1(), c2(), c1())
for i = 1, 2 do
  local f = function() i = i * 100; return i end
  print(f(), i)
end
for k, v in pairs({a = 1}) do
  local f = function() k = k .. "!"; v = v + 1 end
  f()
  print(k, v)
end

-- A local function that rebinds itself, and a recursive one that does not.
local function once() once = function() return "later" end; return "first" end
print(once(), once())
local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
print(fact(10))

-- Nested three levels deep, written from the innermost.
local deep = 0
local function outer()
  local function middle()
    local function inner() deep = deep + 1; return deep end
    return inner() + inner()
  end
  return middle()
end
print(outer(), deep)

-- Multiple assignment to captured and local names, in Lua's order.
local x, y = 1, 2
local function swap() x, y = y, x; local z; z, x = x, 5; return z end
print(swap(), x, y)

-- More captured locals in one function than get a shared getter: all still work.
local a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12 = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
local function all()
  a1, a2, a3, a4, a5, a6 = a1 + 1, a2 + 1, a3 + 1, a4 + 1, a5 + 1, a6 + 1
  a7, a8, a9, a10, a11, a12 = a7 + 1, a8 + 1, a9 + 1, a10 + 1, a11 + 1, a12 + 1
end
all(); all()
print(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12)

-- Shadowing: the inner write goes to the nearest declaration.
local s = "outer"
do
  local s = "inner"
  local function set() s = "inner set" end
  set()
  print(s)
end
local function set_outer() s = "outer set" end
set_outer()
print(s)

-- repeat: the body's locals are seen by `until`, written by a closure there.
local n = 0
repeat
  local r = n
  local step = function() r = r + 1; n = r end
  step()
until (function() r = r + 10; return r > 12 end)()
print(n)

-- goto past a declaration whose variable a closure writes.
do
  local i = 0
  ::top::
  i = i + 1
  if i < 3 then goto top end
  local w = 0
  local set_w = function() w = i end
  set_w()
  print(i, w)
end

-- Coroutines write captured locals across resumes.
local total = 0
local co = coroutine.wrap(function()
  for i = 1, 3 do total = total + i; coroutine.yield(total) end
end)
print(co(), co(), co(), total)

-- An error after a captured write leaves the write done (no message rollback here).
local before = 0
print(pcall(function() before = 7; error("after the write") end), before)
