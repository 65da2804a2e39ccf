-- os.time(t) writes the normalised fields back into t. For some size of t, one of those
-- stores needs the table to grow while the keys deleted from it are still in its hash part
-- (piccolo 0.3.3 panicked there: "all keys must be live when table is grown").
local last
for n = 1, 64 do
  local t = {}
  for i = 1, n do t['k' .. i] = i end
  for i = 1, n do t['k' .. i] = nil end
  t.year, t.month, t.day, t.hour = 2020, 14, 1, 12
  last = os.time(t)
  assert(t.year == 2021 and t.month == 2 and t.day == 1 and t.isdst == false and t.yday == 32 and t.wday == 2)
end
print(last, next({}))
