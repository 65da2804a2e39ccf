-- Arithmetic, bitwise and ordering metamethods, exact number comparisons, and the
-- errors of operators on wrong operands.
local M = {}
M.__index = M
local function box(v) return setmetatable({ v = v }, M) end
local function val(x) return type(x) == "table" and x.v or x end
for _, ev in ipairs({ "add", "sub", "mul", "div", "mod", "pow", "idiv", "band", "bor", "bxor", "shl", "shr" }) do
  M["__" .. ev] = function(a, b) return ev .. "(" .. tostring(val(a)) .. "," .. tostring(val(b)) .. ")" end
end
M.__unm = function(a) return "unm(" .. a.v .. ")" end
M.__bnot = function(a) return "bnot(" .. a.v .. ")" end
M.__lt = function(a, b) return val(a) < val(b) end
M.__le = function(a, b) return val(a) <= val(b) end
local a, b = box(3), box(5)
print(a + b, a - 1, 2 * a, a / b, a % 2, a ^ 2, a // b)
print(a & 1, 1 | a, a ~ b, a << 1, a >> 1, -a, ~a)
print(a < b, a <= b, a > b, a >= b, b < a, a < 4, 2 < a)
local L = setmetatable({}, { __lt = function() return true end })
print(pcall(function() return L <= L end))
print(math.maxinteger < 2^63, math.maxinteger + 0.0 == 2^63, -2^63 <= math.mininteger)
print(1 < 1.5, 2 <= 2.0, 3 > 2.5, "a" < "b", "abc" < "abd", "Z" < "a")
print(pcall(function() return {} < {} end))
print(pcall(function() return 1 < "2" end))
print(pcall(function() return {} + 1 end))
print(pcall(function() local s = "x" return s * 2 end))
print(pcall(function() return 2 - nil end))
print(pcall(function() local z = 0 return 1 // z end))
print(pcall(function() local z = 0 return 1 % z end))
print(pcall(function() local f = 1.5 return f | 1 end))
print(pcall(function() local t = {} return -t end))
print("10" + 1, "3" * "4", "2" ^ 2, 10 // "3", -"2")
local acc = 0
for i = 1, 100 do acc = acc + i * 2 end
local n = 0
while n < 10 do n = n + 1 end
print(acc, n)
