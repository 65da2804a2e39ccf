-- debug.getinfo(level) for levels below the calling function: the callers' positions,
-- names and kinds, C frames (pcall, the host's call of the main chunk) and the end of the
-- stack, as a logging helper reads them.
local function show(level, label, what)
  local i = debug.getinfo(level + 1, what or "Slnt")
  if not i then print(label, "nil") return end
  print(label, i.short_src, i.source, i.what, i.linedefined, i.lastlinedefined,
    i.currentline, i.name, i.namewhat, i.istailcall)
end
local function b(what)
  show(1, "b1", what)
  show(2, "b2", what)
  show(3, "b3", what)
  show(4, "b4", what)
  show(5, "b5", what)
end
local function a()
  b()
  return 1
end
a()
-- a tail call: the caller's frame is gone
function G()
  return b()
end
G()
-- through pcall
pcall(b)
-- a chunk made by load, with its own name
local f = load("local b = ...\nb()\nreturn 1", "=loaded")
f(b)
local g = load("local b = ...\nb()\nreturn 1")
g(b)
-- inside a coroutine the stack ends with its body
local co = coroutine.wrap(function() b("Slnt") end)
co()
-- methods and fields
local obj = {}
function obj:m() b() end
obj:m()
obj.f = function() b() end
obj.f()
-- a logger reading its caller's position
function logger(msg)
  local i = debug.getinfo(2, "Sl")
  print(i.short_src .. ":" .. i.currentline .. ": " .. msg)
end
logger("hello")
local function user() logger("from user") end
user()
-- levels past the end, and a level inside an error handler
print(debug.getinfo(50))
print(xpcall(function() error("boom") end, function(m)
  local i = debug.getinfo(2, "Sl")
  return m .. " / " .. tostring(i and i.what)
end))
-- the frame of pcall itself, named as it was called, and a pcall in tail position
local function inner()
  local i = debug.getinfo(2, "nSt")
  print("pcall frame", i.what, i.name, i.namewhat, i.istailcall)
  i = debug.getinfo(3, "nSlt")
  print("below it", i.what, i.currentline, i.name, i.namewhat, i.istailcall)
end
pcall(inner)
local p = pcall
p(inner)
local function via_tail() return pcall(inner) end
via_tail()
local lib = {pc = pcall}
lib.pc(inner)
