-- `==` and `~=` between integers and floats compare exact values (Lua 5.3), not the
-- integer converted to a float.
print(9007199254740993 == 9007199254740992.0, 9007199254740993 ~= 9007199254740992.0)
print(9007199254740992.0 == 9007199254740993, 9007199254740992 == 9007199254740992.0)
print(math.maxinteger + 0.0 == math.maxinteger, math.maxinteger == math.maxinteger + 0.0)
print(math.mininteger + 0.0 == math.mininteger, math.mininteger == -2^63)
print(math.maxinteger == 2^63, math.maxinteger ~= 2^63, 2^63 == math.maxinteger)
print(-9007199254740993 == -9007199254740992.0, -9007199254740993 ~= -(2^53))
print(2^53 == 2^53 + 1, 2^53 + 1 == 2^53)
local a, b = 9007199254740993, 9007199254740992.0
print(a == b, a ~= b, b == a, b ~= a, not (a == b))
local t = {i = 9007199254740993, f = 9007199254740992.0, m = math.maxinteger}
print(t.i == t.f, t.f == t.i, t.i ~= t.f, t.m == t.m + 0.0, t.m + 0.0 == 2^63)
local function eq(x, y) return x == y end
local function ne(x, y) return x ~= y end
print(eq(a, b), ne(a, b), eq(1, 1.0), ne(1, 1.0), eq(3, 3.5), eq(0, -0.0))
print(eq(0/0, 0/0), ne(0/0, 0/0), eq(math.huge, math.huge), eq(math.maxinteger, math.huge))
print(eq(1, "1"), eq("a", "a"), eq(nil, false), eq(nil, nil), eq(true, true))
-- In conditions and loops.
if a == b then print("wrong: equal") else print("not equal") end
if a ~= b then print("different") end
local n = 0
while t.i ~= t.f and n < 3 do n = n + 1 end
print(n)
local x = 0
repeat x = x + 1 until x == 3.0
print(x)
-- Integers that convert exactly still equal their floats.
for _, v in ipairs({0, 1, -1, 2^53, -(2^53), 2^62, -2^63, 1e15}) do
  local i = math.tointeger(v)
  print(i == v, v == i, i ~= v)
end
-- Mixed chains and values of comparisons.
print(a == b == false, (a == b) == (b == a), 1 == 1.0 and a ~= b)
print(select('#', a == b), type(a == b))
-- `__eq`: only between two tables (or two userdata), never with numbers; its result
-- becomes a boolean; the first operand's metamethod first.
local calls = {}
local mt1 = {__eq = function(p, q) calls[#calls + 1] = "mt1"; return 1 end}
local mt2 = {__eq = function(p, q) calls[#calls + 1] = "mt2"; return nil end}
local p, q, r = setmetatable({}, mt1), setmetatable({}, mt2), setmetatable({}, mt1)
print(p == q, q == p, p ~= q, q ~= p, p == p, p == r, p == 1, 1 == p, p == "x")
print(table.concat(calls, ","))
local big = setmetatable({}, {__eq = function() return true end})
print(big == 9007199254740993, big == {}, {} == big, big ~= {})
print(pcall(function() return setmetatable({}, {__eq = function() error("boom") end}) == {} end))
-- Keys and values compared through table fields and varargs.
local function first_eq(...) return (...) == select(2, ...) end
print(first_eq(9007199254740993, 9007199254740992.0), first_eq(5, 5.0))
print(math.maxinteger // 1 == 2^63 // 1, math.tointeger(2^62) == 2^62)
