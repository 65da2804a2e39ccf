-- Iteration order of tables with a few thousand mixed keys must be identical on every run
-- and platform (native, Node, Chromium). Prints the order as text and a rolling checksum.
local t = {}
for i = 1, 1000 do t["key" .. i] = i end
for i = 1, 1000 do t[i * 7919 % 100003] = i end
for i = 1, 500 do t[i + 0.5] = i end
t[true] = "yes"
for i = 1, 1000, 3 do t["key" .. i] = nil end

local order, n, sum = {}, 0, 0
for k, v in pairs(t) do
  if type(v) ~= "number" then v = #v end
  n = n + 1
  local text = tostring(k)
  local weight = type(k) == "number" and math.floor(k * 2) or #text
  sum = (sum * 31 + weight * 7 + v % 97) % 2147483647
  if n <= 40 then order[#order + 1] = text end
end
print("entries", n)
print("checksum", sum)
for i = 1, #order do print(i, order[i]) end

-- The same for a table grown by appends and then read with next().
local a = {}
for i = 1, 2000 do a[#a + 1] = i * 2 end
local k, count = next(a), 0
while k do count = count + 1; k = next(a, k) end
print("array", #a, count)
-- NaN signs as aos (x86 under wasm) gives them, the same natively, in Node and in Chromium
-- (lua5.3, built by gcc, differs for some: nan + (-nan), acos(2)).
local nan = 0 / 0
print(nan, -nan, math.sqrt(-1), math.sqrt(nan), math.sqrt(-nan), math.log(-1), math.acos(2),
  nan + (-nan), (-nan) + nan, nan * 2, math.huge - math.huge, math.fmod(1, 0.0), nan % 1,
  string.format("%g %.1f", math.sqrt(-1), -nan))
