-- An integer `for` loop steps with wrapping arithmetic, as Lua 5.3 does: near the ends of
-- the integer range it wraps instead of stopping (fixed only in Lua 5.4); a build of aolite
-- with overflow checks must not panic there (lua door, seed 60001 case 887).
for i = math.mininteger, math.mininteger + 2 do print(i) end
for i = math.maxinteger - 2, math.maxinteger do print(i) if i == math.maxinteger then break end end
print(pcall(function() for i = 0x8000000000000000, 2 do print(i) break end end))
local n = 0
for i = math.maxinteger - 1, math.maxinteger do
  n = n + 1
  if n == 4 then print("wrapped to", i) break end
end
for i = math.mininteger + 1, math.mininteger, -1 do
  n = n + 1
  if n == 7 then print("wrapped down to", i) break end
end
