-- table.sort: default order, comparators, mixed numbers, strings, __lt, ties, errors
local function dump(t)
  local parts = {}
  for i = 1, #t do parts[#parts + 1] = tostring(t[i]) end
  return table.concat(parts, " ")
end
local function E(fn)
  local ok, err = pcall(fn)
  if ok then return "ok" end
  local msg = tostring(err):gsub("^[^:]*:%d+: ", "")
  return msg
end

local function lcg(seed)
  local x = seed
  return function(m)
    x = (x * 1103515245 + 12345) % 2147483648
    return x % m
  end
end

local t = {5, 2, 8, 1, 9, 3}
table.sort(t); print(dump(t))
table.sort(t, function(a, b) return a > b end); print(dump(t))
local e = {}; table.sort(e); print(#e)
local one = {42}; table.sort(one); print(dump(one))
local two = {2, 1}; table.sort(two); print(dump(two))
local three = {3, 1, 2}; table.sort(three); print(dump(three))
local s = {"banana", "apple", "Cherry", "date", "", "apple pie", "B"}
table.sort(s); print(dump(s))
table.sort(s, function(a, b) return a:lower() < b:lower() end); print(dump(s))
local mixed = {3, 1.5, -2, 2^53, -0.5, 1e10, math.mininteger, math.maxinteger, 0}
table.sort(mixed); print(dump(mixed))
local fl = {0.1, 0.3, 0.2, -1e300, 1e300, 1/0, -1/0}
table.sort(fl); print(dump(fl))
local bytes = {"\255", "\0", "a", "A", "\0\0", "a\0", "ab"}
table.sort(bytes)
local hexs = {}
for i, v in ipairs(bytes) do hexs[i] = (v:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
print(table.concat(hexs, " "))

-- larger arrays with pseudo-random content
for _, n in ipairs({10, 50, 99, 100, 101, 127, 500, 2000}) do
  local rnd = lcg(n)
  local a = {}
  for i = 1, n do a[i] = rnd(1000) end
  table.sort(a)
  local ok = true
  for i = 2, n do if a[i - 1] > a[i] then ok = false end end
  local b = {}
  for i = 1, n do b[i] = rnd(1000) end
  table.sort(b, function(x, y) return x > y end)
  local okb = true
  for i = 2, n do if b[i - 1] < b[i] then okb = false end end
  print(n, ok, okb, a[1], a[n], b[1], b[n])
end

-- already sorted, reversed, all equal, organ pipe
local function check(name, a)
  local calls = 0
  table.sort(a, function(x, y) calls = calls + 1; return x < y end)
  local ok = true
  for i = 2, #a do if a[i] < a[i - 1] then ok = false end end
  print(name, #a, ok, calls)
end
local a1, a2, a3, a4 = {}, {}, {}, {}
for i = 1, 120 do a1[i] = i; a2[i] = 121 - i; a3[i] = 7; a4[i] = i <= 60 and i or 121 - i end
check("sorted", a1); check("reversed", a2); check("equal", a3); check("pipe", a4)

-- records by key; ties keep the exact PUC order since the algorithm is the same
local recs = {}
local names = {"ann", "bob", "cid", "dan", "eve", "fay", "gus", "hal", "ivy", "jon", "kim", "lee"}
for i, nm in ipairs(names) do recs[i] = {name = nm, age = 20 + (i * 7) % 5} end
table.sort(recs, function(x, y) return x.age < y.age end)
local out = {}
for i, r in ipairs(recs) do out[i] = r.name .. r.age end
print(table.concat(out, " "))
table.sort(recs, function(x, y) if x.age ~= y.age then return x.age > y.age end return x.name < y.name end)
out = {}
for i, r in ipairs(recs) do out[i] = r.name .. r.age end
print(table.concat(out, " "))
-- ties between 1 and 1.0 show the algorithm's exact moves
local ties = {1, 1.0, 2, 1, 2.0, 1.0, 0, 1}
table.sort(ties); print(dump(ties))

-- __lt metamethods
local mt = {__lt = function(a, b) return a.v < b.v end}
local objs = {}
for i, v in ipairs({5, 3, 9, 1, 7}) do objs[i] = setmetatable({v = v}, mt) end
table.sort(objs)
out = {}
for i, o in ipairs(objs) do out[i] = o.v end
print(table.concat(out, " "))
local callable = setmetatable({}, {__call = function(_, a, b) return a > b end})
print(E(function() table.sort({3, 1, 2}, callable) end))

-- comparator truthiness: non-boolean results
local tr = {3, 1, 2}
table.sort(tr, function(a, b) if a < b then return 1 end return nil end)
print(dump(tr))

-- errors
print(E(function() table.sort({3, "a", 1}) end))
print(E(function() table.sort({{}, {}}) end))
print(E(function() table.sort({1, {}}) end))
print(E(function() table.sort({true, false}) end))
print(E(function() table.sort({3, 1, 2}, nil) end))
print(E(function() table.sort({1, 2}, 1) end))
print(E(function() table.sort({1, 2}, "x") end))
print(E(function() table.sort({1}, 1) end))
print(E(function() table.sort({}, {}) end))
print(E(function() table.sort() end))
print(E(function() table.sort("abc") end))
print(E(function() table.sort({3, 2, 1}, function(a, b) error("cmp failed") end) end))
print(E(function() table.sort({3, 2, 1}, function(a, b) error("cmp raised", 0) end) end))
print(E(function() table.sort({setmetatable({}, {__name = "Pt"}), setmetatable({}, {__name = "Pt"})}) end))
print(E(function() table.sort({1, setmetatable({}, {__name = "Pt"})}) end))

-- the table is sorted in place and the call returns nothing
local p = {3, 2, 1}
print(select("#", table.sort(p)), dump(p))
