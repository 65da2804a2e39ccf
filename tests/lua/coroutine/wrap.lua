-- coroutine.wrap: values, error propagation with position
local f = coroutine.wrap(function(a)
  local b = coroutine.yield(a * 2)
  local c = coroutine.yield(b + 1)
  return c, "end"
end)
print(f(5))
print(f(10))
print(f("x"))
print(pcall(f))
local g = coroutine.wrap(function() error("inside wrap") end)
print(pcall(g))
local h = coroutine.wrap(function() error({1}) end)
local ok, e = pcall(h)
print(ok, type(e))
local k = coroutine.wrap(function() error("no pos", 0) end)
print(pcall(k))
local function caller()
  local w = coroutine.wrap(function() error("deep", 0) end)
  local x = w()
end
print(pcall(caller))
print(pcall(coroutine.wrap, 1))
print(pcall(coroutine.wrap))
-- generator pattern
local function range(n)
  return coroutine.wrap(function() for i = 1, n do coroutine.yield(i) end end)
end
local sum = 0
for i in range(10) do sum = sum + i end
print(sum)
local words = coroutine.wrap(function()
  for _, w in ipairs({"a", "b", "c"}) do coroutine.yield(w) end
end)
print(words(), words(), words(), words())
print(pcall(words))
print(coroutine.wrap(function() return coroutine.isyieldable() end)())
print(coroutine.wrap(function() local _, m = coroutine.running() return m end)())
