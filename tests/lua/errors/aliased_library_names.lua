-- Library functions called through other names: Lua names a bad argument after the calling
-- expression (a local, an upvalue, a field, a global), and a tail call of a library function
-- keeps the caller's frame (its line).
local r = string.rep
local s = string
local t = {f = string.rep, g = {h = string.upper}}
local function up() return r end
print(pcall(function() local x = r() return x end))
print(pcall(function() local x = s.rep() return x end))
print(pcall(function() local x = t.f() return x end))
print(pcall(function() local x = t.g.h() return x end))
print(pcall(function() local x = up()() return x end))
print(pcall(function() local x = string.rep() return x end))
print(pcall(function() local x = (r)() return x end))
print(pcall(function() local x = t["f"]() return x end))
print(pcall(function() local k = "f"; local x = t[k]() return x end))
print(pcall(function() local x = r(1, {}) return x end))
print(pcall(function() local x = math.floor("a") return x end))
local fl = math.floor
print(pcall(function() local x = fl("a") return x end))
print(pcall(function() local x = setmetatable(1) return x end))
local sm = setmetatable
print(pcall(function() local x = sm(1) return x end))
print(pcall(function() return r() end))
print(pcall(function() return sm(1) end))
print(pcall(sm, 1))
local fmt = string.format
print(pcall(function() return fmt("%d", "x") end))
print(pcall(function() local s = fmt("%d", "x") return s end))
print(pcall(function() for k in next, 5 do end end))
print(pcall(function() for k in pairs("abc") do end end))
local ins = table.insert
print(pcall(function() ins(1, 2) end))
print(pcall(function() ins({}, 1, 2, 3) end))
local t = {}
print(pcall(function() t:insert(1) end))
local s = "abc"
print(pcall(function() return s:rep({}) end))
print(pcall(function() return s.rep(s, {}) end))
print(pcall(function() return ("x"):rep() end))
local tn = tonumber
print(pcall(function() return tn("10", 99) end))
local u = utf8.char
print(pcall(function() return u(-1) end))
print(pcall(function() local x = math.max() return x end))
local mx = math.max
print(pcall(function() local x = mx() return x end))
print(pcall(string.rep))
print(pcall(setmetatable, 1))
print(pcall(ipairs))
print(select(2, pcall(error)))
local co = coroutine.wrap(function() local r = string.rep; r() end)
print(pcall(co))
print(pcall(function() return select(-5, 1) end))
local sel = select
print(pcall(function() return sel(-5, 1) end))
local r = string.rep
local function f() return r() end
print(pcall(f))
local function g(s) return s.upper() end
print(pcall(g, "x"))
local t = {rep = string.rep}
local function h() return t.rep() end
print(pcall(h))
local function k()
  return string.rep()
end
print(pcall(k))
local function outer()
  local x = h()
  return x
end
print(pcall(outer))
-- next with a key not in the table: raised inside the C function, without a position
print(pcall(next, {}, "x"))
print(pcall(function() return next({}, "x") end))
print(pcall(function() local r = next({}, "x") return r end))
local nx = next
print(pcall(function() local r = nx({}, "x") return r end))
-- a library error that is not an argument error, through a local alias in tail position
local ins2 = table.insert
local function wrap() return ins2({1, 2}, 1, 2, 3) end
print(pcall(function() local r = wrap() return r end))
local cc = table.concat
local function wrapc() return cc({1, {}}) end
print(pcall(function() local r = wrapc() return r end))
