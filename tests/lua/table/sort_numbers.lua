-- table.sort default order on numbers: exact integer/float comparison, extremes, strings
local function dump(t)
  local parts = {}
  for i = 1, #t do parts[#parts + 1] = math.type(t[i]) == "float" and string.format("%.17g", t[i]) .. "f" or tostring(t[i]) end
  return table.concat(parts, " ")
end
local big = 2^53
local t = {big + 1, big, 2^53 + 0.0, big - 1, 9007199254740993, -9007199254740993, -(2^53)}
table.sort(t); print(dump(t))
t = {math.maxinteger, 2^63, math.mininteger, -2^63, math.maxinteger - 1, 9.2233720368547748e18}
table.sort(t); print(dump(t))
t = {1, 1.5, 0.5, 2, -0.5, -1, 0, -0.0, 1e-300, -1e-300}
table.sort(t); print(dump(t))
t = {1/0, -1/0, 0, math.maxinteger, math.mininteger, 1e308, -1e308}
table.sort(t); print(dump(t))
t = {3, 2.5, 2, 1.5, 1}
table.sort(t, function(a, b) return a > b end); print(dump(t))

-- comparisons between integers and floats as the sort sees them
local pairs_ = {{1, 1.0}, {1, 1.5}, {2^53, 2^53 + 1}, {math.maxinteger, 2^63}, {math.mininteger, -2^63},
  {-1, -0.5}, {0, -0.0}, {math.maxinteger, 9.2233720368547748e18}}
for _, p in ipairs(pairs_) do
  local a, b = p[1], p[2]
  local s = {b, a}
  table.sort(s)
  print(math.type(s[1]), math.type(s[2]))
end

-- strings compare bytewise (C locale)
local words = {"b", "a", "B", "A", "aa", "a", "", "_", "1", "10", "9", "~", "\127"}
table.sort(words)
local shown = {}
for i, w in ipairs(words) do shown[i] = string.format("%q", w) end
print(table.concat(shown, " "))
local keys = {}
for i = 1, 60 do keys[i] = string.format("k%03d", (i * 37) % 61) end
table.sort(keys)
print(keys[1], keys[30], keys[60])
table.sort(keys, function(a, b) return a > b end)
print(keys[1], keys[30], keys[60])
