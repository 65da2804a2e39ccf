-- A method call in tail position (`return recv:m(...)`) whose error is caught: Lua names
-- the position of the function that made the call (a library function keeps its caller's
-- frame, and the method lookup fails in the caller), as it does outside tail position.
local function missing(s) return s:bad() end
print(pcall(missing, "x"))
local function badarg(s) return s:rep({}) end
print(pcall(badarg, "x"))
local function numrecv(n) return n:upper() end
print(pcall(numrecv, 5))
local function nilrecv(t) return t.none:go() end
print(pcall(nilrecv, {}))
print(pcall(function() return io.stdout:seek("bogus") end))
print(pcall(function() return io.stdout:seek(7) end))
print(pcall(function() return io.stdout:write({}) end))
local obj = {}
function obj:fail(v) return v:nope() end
function obj:go(v) return self:fail(v) end
print(pcall(obj.go, obj, "s"))
-- Called by pcall itself, there is no calling Lua function: no position either way.
print(pcall(string.rep))
print(pcall(io.stdout.seek, io.stdout, "bogus"))
