-- Tracebacks through tail calls: Lua names a frame a tail call reused by its definition
-- (no calling instruction is left to name it by) and marks one run of them once; a method
-- called in tail position too, also through an __index function.
local function bad() local x = nil; return x.y end
local function via() return bad() end
print(xpcall(via, debug.traceback))
local t = { f = function() return bad() end }
print(xpcall(function() return t.f() end, debug.traceback))
function gbad() local x = nil; return x.y end
local function via() return gbad() end
print(xpcall(via, debug.traceback))
local obj = {}
function obj:m() error("in m") end
local function callm() return obj:m() end
print(xpcall(callm, debug.traceback))
local function who() local i = debug.getinfo(1, "n") return tostring(i.name) .. "/" .. tostring(i.namewhat) end
local function tailwho() return who() end
local function normwho() local r = who() return r end
print(tailwho(), normwho())
local function lvl() error("lvl2", 2) end
local function tl() return lvl() end
local function caller() tl() end
print(pcall(caller))
local function a3() error("deep") end
local function a2() return a3() end
local function a1() return a2() end
local function a0() local r = a1() return r end
print(xpcall(a0, debug.traceback))
for i = 1, 2 do print(xpcall(a0, debug.traceback)) end
print(select(2, xpcall(a0, function(e) return debug.traceback(e, 2) end)))
local obj = {}
function obj:m() error("in m") end
local function callm() local r = obj:m() return r end
print(xpcall(callm, debug.traceback))
local function tcallm() return obj:m() end
print(xpcall(tcallm, debug.traceback))
local function tcallf() return obj.m(obj) end
print(xpcall(tcallf, debug.traceback))
local obj = {}
local function a() return obj:nomethod() end
print(pcall(a))
local function b(s) return s:rep() end
print(pcall(b, "x"))
local function c() local nv return nv:m() end
print(pcall(c))
local function d() return ("x"):bad() end
print(pcall(d))
local function e() return obj.field:m() end
print(pcall(e))
local mt = { __index = function(t, k) return function(self, x) error("idx " .. k, 2) end end }
local o2 = setmetatable({}, mt)
local function f() return o2:dyn(1) end
print(pcall(f))
local function g() return (o2):dyn(1) end
print(xpcall(g, debug.traceback))
local function h() return obj
  :nomethod() end
print(pcall(h))
print(("%d"):format(3), ("abc"):upper())
local function k(s) return s:upper() end
print(k("abc"))
function obj:ok(n) if n == 0 then return "done" end return self:ok(n - 1) end
