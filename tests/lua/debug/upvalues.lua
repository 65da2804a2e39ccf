-- debug.getupvalue / setupvalue / upvalueid / getlocal(f, n): names, Lua's order, values.

local function ups(f)
  local out = {}
  local i = 1
  while true do
    local name, value = debug.getupvalue(f, i)
    if name == nil then break end
    local shown = value
    if type(value) == "table" then
      shown = value == _ENV and "<_ENV>" or "<table>"
    elseif type(value) == "function" then
      shown = "<function>"
    end
    out[#out + 1] = name .. "=" .. tostring(shown)
    i = i + 1
  end
  return table.concat(out, " ") .. " (nups " .. debug.getinfo(f, "u").nups .. ")"
end

local function params(f)
  local out = {}
  local i = 1
  while true do
    local name = debug.getlocal(f, i)
    if name == nil then break end
    out[#out + 1] = name
    i = i + 1
  end
  return table.concat(out, ",") .. " [" .. debug.getinfo(f, "u").nparams .. "]"
end

-- Order: first occurrence in the function's text, nested functions included.
local a, b, c, d = 1, 2, 3, 4
local function f1() return c, a, print, b end
print("f1", ups(f1))
local function f2()
  local function inner() return d + a end
  return b, inner
end
print("f2", ups(f2))
print("f2 inner", ups(select(2, f2())))
local function f3() x_global = b; return a end
print("f3", ups(f3))
local function f4() local t = {} t[a] = b; t.x = c .. tostring(d) return t end
print("f4", ups(f4))
local function f5(p) if p then return a.x else return (b + c) * d end end
print("f5", ups(f5))
local function f6() return function() return function() return c, a end end end
print("f6", ups(f6), ups(f6()), ups(f6()()))
-- A name resolved in a nested function after the outer one used another.
local function f7()
  local y = b
  local g = function() return a + y end
  return c, g
end
print("f7", ups(f7), ups(select(2, f7())))
-- Assignment targets come first, then values.
local function f8() a, b = d, c end
print("f8", ups(f8))
-- Method definitions, calls, table constructors, loops.
local obj = {}
function obj:m(k) return self, k, a, string.rep("x", b) end
print("obj:m", ups(obj.m))
local function f9()
  for i = a, b do local _ = c end
  for k, v in pairs({d}) do local _ = k end
  while a > 10 do b = b + 1 end
  repeat local z = c until z or d
  return { [a] = b, c, x = d }
end
print("f9", ups(f9))
-- The function's own name in its body (local function) and recursion.
local function rec(n) if n > 0 then return rec(n - 1) end return a end
print("rec", ups(rec))
local anon
anon = function() return anon end
print("anon", ups(anon))

-- A function with no upvalues, the main chunk, a Rust (C) function.
print("none", ups(function() return 1 end))
print("main", ups(load("return 1")))
local env = {}
local chunk = load("x = 1", "chunk", "t", env)
local n, v = debug.getupvalue(chunk, 1)
print("load env", n, v == env, select("#", debug.getupvalue(chunk, 2)))
print("C", select("#", debug.getupvalue(print, 1)), debug.getinfo(print, "u").nups)
print("out of range", select("#", debug.getupvalue(f1, 0)), select("#", debug.getupvalue(f1, 5)),
  select("#", debug.getupvalue(f1, -1)), select("#", debug.getupvalue(f1, 1e10)))
print("string index", debug.getupvalue(f1, "2"), (debug.getupvalue(f1, 3.0)))

-- setupvalue: shared by the closures sharing the variable and by the enclosing function.
do
  local counter = 0
  local function inc() counter = counter + 1 return counter end
  local function get() return counter end
  print("set", debug.setupvalue(inc, 1, 10), counter, get(), inc(), counter)
  print("set none", select("#", debug.setupvalue(inc, 2, 0)), select("#", debug.setupvalue(print, 1, 0)))
end
-- Closed upvalues.
local function counter()
  local n = 0
  return function() n = n + 1 return n end, function() return n end
end
local inc, get = counter()
inc()
print("closed", debug.getupvalue(inc, 1), debug.getupvalue(get, 1))
print("closed set", debug.setupvalue(get, 1, 100), inc(), get())
-- _ENV through setupvalue.
-- The main chunk's _ENV is shared: replacing it changes the globals seen by the chunk.
local function readsx() return x end
local fake = { x = "from fake env" }
local setupvalue, real = debug.setupvalue, _ENV
print("env", setupvalue(readsx, 1, fake), readsx())
local seen = print
setupvalue(readsx, 1, real)
print("env back", seen == nil, readsx())
local function own_env()
  local _ENV = { y = "own" }
  return function() return y end
end
local ry = own_env()
print("own env", debug.getupvalue(ry, 1), ry(), debug.setupvalue(ry, 1, { y = "other" }), ry())
-- Open upvalues of a coroutine.
local co = coroutine.create(function()
  local shared = "start"
  local function peek() return shared end
  coroutine.yield(peek)
  return shared
end)
local _, peek = coroutine.resume(co)
print("open in coroutine", debug.getupvalue(peek, 1))
print("set open", debug.setupvalue(peek, 1, "changed"), peek(), coroutine.resume(co))
print("after close", debug.getupvalue(peek, 1))

-- upvalueid.
do
  local s = 1
  local function g1() return s end
  local function g2() return s, a end
  local function g3() return a end
  print("id type", type(debug.upvalueid(g1, 1)))
  print("id shared", debug.upvalueid(g1, 1) == debug.upvalueid(g2, 1),
    debug.upvalueid(g2, 2) == debug.upvalueid(g3, 1),
    debug.upvalueid(g1, 1) == debug.upvalueid(g3, 1),
    debug.upvalueid(g1, 1) == debug.upvalueid(g1, 1))
  local i1, g1b = counter()
  local i2 = counter()
  print("id instances", debug.upvalueid(i1, 1) == debug.upvalueid(g1b, 1),
    debug.upvalueid(i1, 1) == debug.upvalueid(i2, 1))
end

-- getlocal(f, n): parameter names.
print("params", params(function(x, y, z) end))
print("params vararg", params(function(x, ...) end), params(function(...) end))
print("params method", params(obj.m))
print("params none", params(function() local q = 1 return q end))
print("params C", debug.getlocal(print, 1), select("#", debug.getlocal(print, 1)))
print("params range", debug.getlocal(f5, 0), debug.getlocal(f5, 2), debug.getlocal(f5, -1))
print("params thread", debug.getlocal(coroutine.running(), function(t) end, 1))

-- Argument errors.
local function try(...)
  local ok, e = pcall(...)
  print(ok, e)
end
try(debug.getupvalue)
try(debug.getupvalue, f1)
try(debug.getupvalue, 1, 1)
try(debug.getupvalue, f1, "x")
try(debug.getupvalue, f1, 1.5)
try(debug.setupvalue, f1, 1)
try(debug.setupvalue, {}, 1, 2)
try(debug.setupvalue, f1, nil, 2)
try(debug.upvalueid, f1)
try(debug.upvalueid, f1, 9)
try(debug.upvalueid, print, 1)
try(debug.upvalueid, nil, 1)
try(debug.upvaluejoin, f1, 9, f1, 1)
try(debug.upvaluejoin, f1, 1, f1, 9)
try(debug.upvaluejoin, print, 1, f1, 1)
try(debug.getlocal, f1)
try(debug.getlocal, {}, 1)
print(pcall(function() debug.getupvalue() end))
print(pcall(function() debug.setupvalue(f1, 1) end))
print(pcall(function() debug.upvalueid(f1, 99) end))

-- A caught call error makes aolite re-run the script on a diagnostic copy (see
-- COMPATIBILITY.md): the upvalues read there are the same.
do
  local v1, v2 = "one", "two"
  local function both() return v2, v1 end
  print("before error", debug.getupvalue(both, 1), debug.getupvalue(both, 2))
  local notfn
  print(pcall(function() notfn() end))
  print("after error", debug.getupvalue(both, 1), debug.setupvalue(both, 2, "uno"), both())
end

-- An open upvalue of the thread that resumed the running coroutine.
do
  local outer = "main's local"
  local function reads() return outer end
  local co2 = coroutine.wrap(function()
    print("from coroutine", debug.getupvalue(reads, 1))
    print("set from coroutine", debug.setupvalue(reads, 1, "set in coroutine"))
    coroutine.yield()
    print("after yield", debug.getupvalue(reads, 1))
  end)
  co2()
  print("main sees", outer)
  outer = "changed by main"
  co2()
end
