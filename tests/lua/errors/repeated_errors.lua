-- The same error raised again, caught or not: a traceback shows where each one was raised,
-- as in Lua (a second failure at the same place, an error raised again with `error`).
local function deep(n) if n == 0 then error("same") end return (deep(n - 1)) end
local function shallow() error("same") end
local function handler(e) return debug.traceback(e, 1) end
print(xpcall(deep, handler, 3))
print(xpcall(shallow, handler))
print(xpcall(deep, handler, 1))
local function twice() for i = 1, 2 do print(pcall(shallow)) end error("same") end
print(xpcall(twice, handler))
local function bad() local x = nil; return x.y end
local function via() local r = bad() return r end
for i = 1, 2 do print(xpcall(via, debug.traceback)) end
print(xpcall(via, debug.traceback))
local function f() error("x") end
local function g() local ok, e = pcall(f); error(e, 0) end
print(xpcall(g, debug.traceback))
local function g2() local ok, e = pcall(f); error(e) end
print(xpcall(g2, debug.traceback))
local function rethrow(e) error(e, 0) end
local function g3() local ok, e = pcall(f); rethrow(e) end
print(xpcall(g3, debug.traceback))
local co = coroutine.create(function() error("in co") end)
print(coroutine.resume(co))
print(xpcall(function() local ok, e = coroutine.resume(coroutine.create(f)); error(e, 0) end, debug.traceback))
