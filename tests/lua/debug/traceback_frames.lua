-- debug.traceback lists the real frames, and in an xpcall message handler the frames of the
-- error (the handler runs on top of the frame that failed).
local function show()
  print(debug.traceback("here"))
end
local function caller()
  show()
end
caller()
print(debug.traceback("level 1", 1))
print(debug.traceback("level 2", 2))
print(debug.traceback())
local t = { g = function() return (debug.traceback("in field")) end }
print(t.g())
local Obj = {}
Obj.__index = Obj
function Obj:where() return (debug.traceback("in method")) end
print(setmetatable({}, Obj):where())
function GlobalFn() return (debug.traceback("in global")) end
print(GlobalFn())

-- xpcall with debug.traceback as the handler
local function inner()
  local x
  x()
end
local function outer()
  inner()
end
print(xpcall(outer, debug.traceback))
print(xpcall(function() error("boom") end, debug.traceback))
print(xpcall(function() local n = nil; return n.field end, debug.traceback))
print(type(select(2, xpcall(function() error({}) end, debug.traceback))))
local function thrower() error("thrown", 2) end
local function middle() thrower() end
print(xpcall(middle, debug.traceback))

-- a Lua handler taking a traceback
print(xpcall(outer, function(e) return debug.traceback("H: " .. e, 1) end))
print(xpcall(function() error("raised") end, function(e) return debug.traceback(e, 1) end))
print(xpcall(middle, function(e) return debug.traceback("mid: " .. e) end))

-- in a coroutine
local co = coroutine.create(function()
  local function deep() return (debug.traceback("in co")) end
  print(deep())
end)
coroutine.resume(co)

-- taken several times, printed after
local texts = {}
for i = 1, 2 do
  texts[i] = debug.traceback("loop " .. i)
end
print(texts[1])
print(texts[2])
