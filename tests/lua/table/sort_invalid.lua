-- table.sort with inconsistent comparators: the error and the partial order match PUC Lua
-- (deterministic for arrays under 128 elements, where Lua never randomizes the pivot)
local function dump(t, n)
  local parts = {}
  for i = 1, n or #t do parts[#parts + 1] = tostring(t[i]) end
  return table.concat(parts, " ")
end
local function try(name, t, cmp)
  local ok, err = pcall(table.sort, t, cmp)
  err = ok and "ok" or tostring(err):gsub("^[^:]*:%d+: ", "")
  print(name, err, dump(t))
end
local function seq(n, f)
  local t = {}
  for i = 1, n do t[i] = f(i) end
  return t
end
local always = function() return true end
local never = function() return false end
local le = function(a, b) return a <= b end
local ge = function(a, b) return a >= b end

for _, n in ipairs({2, 3, 4, 5, 6, 7, 8, 10, 16, 31, 64, 100, 127}) do
  try("always" .. n, seq(n, function(i) return i end), always)
end
for _, n in ipairs({3, 5, 9, 20, 100}) do
  try("never" .. n, seq(n, function(i) return (i * 37) % 11 end), never)
end
for _, n in ipairs({3, 4, 5, 8, 12, 50}) do
  try("le-equal" .. n, seq(n, function() return 1 end), le)
  try("le-mixed" .. n, seq(n, function(i) return (i * 7) % 5 end), le)
  try("ge-mixed" .. n, seq(n, function(i) return (i * 3) % 4 end), ge)
end
-- a comparator that flips its answer as it goes
local count = 0
try("flip", seq(30, function(i) return (i * 13) % 17 end), function(a, b)
  count = count + 1
  if count % 3 == 0 then return a > b end
  return a < b
end)
-- a random-ish comparator driven by a fixed generator
local x = 7
try("lcg", seq(40, function(i) return i end), function()
  x = (x * 1103515245 + 12345) % 2147483648
  return x % 2 == 0
end)
-- NaN makes the default order inconsistent
local nan = 0 / 0
local withnan = {3, nan, 1, nan, 2, 5, nan, 4}
local ok, err = pcall(table.sort, withnan)
print("nan", ok, ok or tostring(err):gsub("^[^:]*:%d+: ", ""))
