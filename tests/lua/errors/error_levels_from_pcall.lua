-- `error` called directly by pcall or xpcall: level 1 is their C frame, so level 2 is the
-- Lua code that called them.
print(pcall(error, "m", 2))
print(pcall(error, "m", 3))
print(xpcall(error, function(e) return "h: " .. e end, "x", 2))
local function inner()
  return select(2, pcall(error, "in", 2))
end
print(inner())
local function outer()
  local ok, e = pcall(error, "lvl3", 3)
  return e
end
print(outer())
local function wrapper() return outer() end
print(wrapper())
print(pcall(pcall, error, "twice", 2))
print(select("#", pcall(error, {}, 2)), type(select(2, pcall(error, {}, 2))))
print(select(2, pcall(error, "one", 1)), select(2, pcall(error)))
local co = coroutine.wrap(function() return pcall(error, "co", 2) end)
print(co())
print(pcall(error, "after", 2))
