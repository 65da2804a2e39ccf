-- math.modf on integers beyond 2^53 and numeric for loops with integer start/step and a
-- float limit (an integer loop, the limit floored or ceiled and clipped, as Lua 5.3's forlimit).
s = ""
for _, v in ipairs({9007199254740993, math.maxinteger, -9007199254740993, math.mininteger, 2^53 + 0.0, 2^62 + 0.5}) do
  print(v, math.modf(v))
end
print(math.modf(3), math.modf(-3), math.modf(3.5), math.modf(-3.5), math.modf(1/0), math.modf(-1/0))
print(math.type((math.modf(5))), math.type(select(2, math.modf(5))), math.modf(-0.0))
for i = 1, 3.5 do s = s .. tostring(i) .. " " end print(s) s = ""
for i = 3, 1.5, -1 do s = s .. tostring(i) .. " " end print(s) s = ""
-- (Stepping past math.maxinteger wraps in Lua 5.3 but panics in piccolo's debug builds: the
-- loops stop at the last integer.)
for i = math.maxinteger - 2, 1e100 do s = s .. tostring(i) .. " " if i == math.maxinteger then break end end print(s) s = ""
for i = math.maxinteger - 2, 2^63 do s = s .. tostring(i) .. " " if i == math.maxinteger then break end end print(s) s = ""
for i = math.maxinteger - 2, 2^63 - 2^11 do s = s .. tostring(i) .. " " end print(s) s = ""
for i = math.mininteger + 1, -1e100, -1 do s = s .. tostring(i) .. " " if i == math.mininteger then break end end print(s) s = ""
for i = 1, 2.0 do print(math.type(i)) end
local lim = 2.5
for i = 1, lim do s = s .. tostring(i) .. " " end print(s) s = ""
for i = 9007199254740993, 9007199254740995.0 do s = s .. tostring(i) .. " " end print(s) s = ""
for i = 1.0, 3 do s = s .. tostring(i) .. " " end print(s) s = ""
for i = -9007199254740995, -9007199254740993.5, 1 do s = s .. tostring(i) .. " " end print(s) s = ""
for i = 9007199254740995, 9007199254740992.0, -1 do s = s .. tostring(i) .. " " end print(s) s = ""
