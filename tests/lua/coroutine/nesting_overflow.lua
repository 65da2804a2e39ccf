-- Coroutines resuming coroutines without end: Lua refuses the resume that nests its C calls
-- too deeply with "C stack overflow" (a catchable error), instead of running out of memory.
local a = function(a) coroutine.wrap(a)(a) end
local ok, err = pcall(a, a)
local _, levels = string.gsub(err, "nesting_overflow%.lua:3: ", "")
print(ok, (string.gsub(err, "^.*:%d+: ", "")), levels > 150)

-- with coroutine.resume: the refused resume returns false and the message
local depth = 0
local function nest()
  depth = depth + 1
  local co = coroutine.create(nest)
  local ok, e = coroutine.resume(co)
  if not ok then return "refused: " .. e end
  return e
end
print(nest(), depth > 150)

-- the refused coroutine is still suspended and can be resumed from a shallower place
local pending
local function down(n)
  local co = coroutine.create(function() return "ran" end)
  local ok, e = coroutine.resume(co)
  if not ok then
    pending = co
    return e
  end
  return coroutine.wrap(down)(n + 1)
end
print(down(0))
print(coroutine.status(pending), coroutine.resume(pending))

-- moderate nesting works
local function level(n)
  if n == 0 then return "bottom" end
  return coroutine.wrap(level)(n - 1)
end
print(level(150))
