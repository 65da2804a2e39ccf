-- Ordering between integers and floats, NaN, and the VM path for numeric locals.
-- (`==` between an integer beyond 2^53 and a float is piccolo's own instruction, which
-- compares them as floats: a known difference, not tested here.)
local nan = 0/0
local values = {1, 1.0, 1.5, -1, 2^53, 2^53 + 1, 9007199254740993, math.maxinteger,
  math.maxinteger + 0.0, math.mininteger, -2^63, 2^63, math.huge, -math.huge, nan, 0.0, -0.0}
for _, a in ipairs(values) do
  local row = {}
  for _, b in ipairs(values) do
    row[#row + 1] = (a < b and "<" or "") .. (a <= b and "l" or "") .. (a > b and ">" or "")
      .. (a >= b and "g" or "")
  end
  print(tostring(a), table.concat(row, ","))
end
do
  -- Numeric locals: these comparisons stay VM instructions where exact.
  local a, b = 0/0, 1
  print(a > b, a >= b, a < b, a <= b, b > a, b >= a, a == a, a ~= a)
  local x, y = 1.0, 0/0
  print(x > y, x >= y, y > x, y >= x, not (x > y))
  local i, f = 9007199254740993, 2^53
  print(i > f, i >= f, i < f, i <= f, f < i, f > i)
  local m, g = math.maxinteger, 2^63
  print(m < g, m <= g, m > g, g > m)
  local n = 0
  for k = 1, 10 do if k > 5.5 then n = n + 1 end end
  print(n)
  if a > 1 then print("nan > 1") else print("not nan > 1") end
  while a >= 0 do print("loop") break end
  print(1 < 1.5, 2 > 1.5, 2^53 < 2^53 + 1, 9007199254740993 < 9007199254740992.0)
end
