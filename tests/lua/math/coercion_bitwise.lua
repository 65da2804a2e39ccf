-- String coercion in arithmetic and bitwise operators, float-to-integer conversion,
-- and shifts, as Lua 5.3 does them.
local function show(label, ok, ...)
  if not ok then print(label, "error", ...) return end
  local v = ...
  print(label, tostring(v), math.type(v) or type(v))
end
local function try(label, f) show(label, pcall(f)) end

local strings = {"10", " 10 ", "0x10", "1e1", "1.5", "-0", "", " ", "inf", "nan", "0x",
  "1e", "0x1p4", "  -7\t", "10a", "9223372036854775807", "9223372036854775808",
  "0xFFFFFFFFFFFFFFFF", "\n5\n", ".5", "5.", "1 2"}
for _, s in ipairs(strings) do
  try(string.format("%q + 1", s), function() return s + 1 end)
  try(string.format("%q * 1", s), function() return 1 * s end)
  try(string.format("%q // 1", s), function() return s // 1 end)
  try(string.format("-%q", s), function() return -s end)
  try(string.format("%q | 0", s), function() return s | 0 end)
  try(string.format("%q & 1", s), function() return 1 & s end)
  try(string.format("~%q", s), function() return ~s end)
  try(string.format("%q << 1", s), function() return s << 1 end)
end
local s = "0"
try("s | 1", function() return s | 1 end)
try('"" & 1', function() return "" & 1 end)
try('~"-0"', function() return ~"-0" end)
try('"3" ^ 2', function() return "3" ^ 2 end)
try('"10" / "4"', function() return "10" / "4" end)

-- Floats and integers in bitwise operators.
local floats = {1.0, 1.5, -0.0, 2^53, 2^63, -2^63, 2^64, math.huge, 0/0, 3.0e18, -1.0}
for _, f in ipairs(floats) do
  try(tostring(f) .. " | 0", function() return f | 0 end)
  try("~" .. tostring(f), function() return ~f end)
end
try("2^63 | 0", function() return 2^63 | 0 end)
try("math.tointeger(2^63)", function() return math.tointeger(2^63) end)
try("{} | 1", function() return {} | 1 end)
try("1.5 | {}", function() return 1.5 | {} end)
try("nil & 1", function() return nil & 1 end)

-- Shifts of every size, both directions.
for _, n in ipairs({0, 1, 2, 31, 32, 62, 63, 64, 65, 100, -1, -2, -63, -64, -65,
    math.mininteger, math.maxinteger}) do
  print("shift", n, 1 << n, -1 >> n, 0x5 << n, math.mininteger >> n, 2 >> -n)
end
do
  local one, k = 1, 64
  print("shiftloc", one << k, one >> k, one << 63, one << -1, -one >> 1, one << (k - 1))
  print("lit", 1 << 64, 1 << 63, 1 << -1, -1 >> 1, -1 >> 64, 2 >> -1)
  local a, b = 12, 10
  print("bitloc", a & b, a | b, a ~ b, ~a, a & -1, ~0)
end

-- A length from __len can be anything: bitwise operators still check it.
for _, v in ipairs({"", "-0", "7", 2.0, 2.5, 2^63}) do
  local o = setmetatable({}, {__len = function() return v end})
  try("#o & 1 (" .. tostring(v) .. ")", function() return #o & 1 end)
  try("#o << 1 (" .. tostring(v) .. ")", function() return #o << 1 end)
  try("~#o (" .. tostring(v) .. ")", function() return ~#o end)
  try("#o // 1 (" .. tostring(v) .. ")", function() local n = #o return n // 2 end)
end
do
  local t = {1, 2, 3, 4, 5}
  local n = #t
  print("len", n & 1, n | 8, n << 2, n >> 1, ~n, n % 2, n // 2, #t % 3, -#t // 2)
end
