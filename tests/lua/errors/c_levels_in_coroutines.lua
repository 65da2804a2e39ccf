-- `pcall` nested without end stops with "C stack overflow" where Lua counts 200 C levels;
-- a coroutine starts one level above the code that resumed it (as lua_resume sets it), so
-- inside coroutines the overflow comes that many levels sooner.
local function nest() return pcall(nest) end
local r = { nest() }
print(#r, r[#r])
print(coroutine.wrap(function() local t = { nest() } return #t end)())
print(coroutine.wrap(function()
  return coroutine.wrap(function() local t = { nest() } return #t end)()
end)())
local co = coroutine.create(function() local t = { nest() } return #t, t[#t] end)
print(coroutine.resume(co))
-- A coroutine resumed again later starts from its new resumer's level.
local later = coroutine.create(function()
  coroutine.yield(#{ nest() })
  return #{ nest() }
end)
print(coroutine.resume(later))
print(pcall(function() return coroutine.resume(later) end))
