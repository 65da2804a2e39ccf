-- Integer and float floor division and modulo, on the VM path (numeric locals and
-- literals) and the helper path (values of unknown type), against Lua 5.3's rules.
local function show(label, ...)
  local parts = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    parts[#parts + 1] = tostring(v) .. ":" .. (math.type(v) or type(v))
  end
  print(label, table.concat(parts, " "))
end

local values = {7, -7, 2, -2, 0, 1, -1, 3.5, -3.5, 0.0, -0.0, 1e308, math.huge, -math.huge,
  math.maxinteger, math.mininteger, 5.5, -10, 2^53, 0/0}
for _, a in ipairs(values) do
  for _, b in ipairs(values) do
    local ok1, q = pcall(function() return a // b end)
    local ok2, r = pcall(function() return a % b end)
    show(tostring(a) .. " // " .. tostring(b), ok1, q)
    show(tostring(a) .. " % " .. tostring(b), ok2, r)
  end
end

-- Literals (piccolo's constant folding) and numeric locals (VM instructions).
show("lit", -7 // 2, 7 // -2, -7 % 2, 7 % -2, -7.0 // 2, 7 % -3, -7 % 3, 7.5 % -2)
show("lit0", -0.0 // 1, 1 // -math.huge, 3 % -math.huge, -3.0 % 1, 0.0 % -1)
do
  local a, b = -7, 2
  show("loc", a // b, a % b, b // a, b % a, a % 2, a // 2, a % 3, a % 1)
  local x, y = -3.0, 1
  show("locf", x % y, x // y, x % 2, x // 2, -10 % math.huge, 5.5 % math.huge)
  local big = math.maxinteger
  show("ext", 1 % big, -1 % big, big % -1, -1 % math.mininteger, 1 % math.mininteger)
  show("min", math.mininteger // -1, math.mininteger % -1, math.mininteger // 1)
  local m, n1 = math.mininteger, -1
  show("minloc", m // n1, m % n1, m % 2, m // 2, m % 3, m // 3)
end
for _, e in ipairs({"return 1 // 0", "return 1 % 0", "local a = 0 return 1 // a",
    "local a = 0 return 5 % a", "return 1.0 // 0", "return 1 % 0.0", "return -1 // 0.0"}) do
  print(e, pcall(load(e)))
end
