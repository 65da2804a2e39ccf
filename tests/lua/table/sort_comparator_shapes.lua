-- Comparators of one comparison over fields of their parameters (`return a.v < b.v`) are
-- answered by the sort itself when the operands are plain; everything else calls them.
-- Results, errors and their messages must be Lua's either way.

local function show(label, ok, ...)
  print(label, ok, ...)
end

local function records(n, f)
  local t = {}
  for i = 1, n do t[i] = f(i) end
  return t
end

local function keys(t, field)
  local out = {}
  for i, r in ipairs(t) do out[i] = tostring(r[field]) end
  return table.concat(out, " ")
end

-- Numbers: integers, floats, mixed, equal values (the order of ties is the algorithm's).
local t = records(12, function(i) return {v = (i * 7) % 5, id = i} end)
table.sort(t, function(a, b) return a.v < b.v end)
print("ints <", keys(t, "v"), keys(t, "id"))
table.sort(t, function(a, b) return a.v > b.v end)
print("ints >", keys(t, "v"), keys(t, "id"))
t = records(10, function(i) return {v = (i % 3 == 0) and i / 4 or (10 - i), id = i} end)
show("mixed <=", pcall(table.sort, t, function(x, y) return x.v <= y.v end))
print("mixed <=", keys(t, "v"), keys(t, "id"))
t = records(10, function(i) return {v = (i % 3 == 0) and i / 4 or (10 - i) + 0.5, id = i} end)
table.sort(t, function(x, y) return x.v <= y.v end)
print("distinct <=", keys(t, "v"), keys(t, "id"))
t = records(9, function(i) return {v = 2^53 + (i % 3), id = i} end)
t[4].v = 2^53 + 1.0
show("2^53 >=", pcall(table.sort, t, function(a, b) return a.v >= b.v end))
print("2^53 >=", keys(t, "id"))

-- Plain numbers and strings as the elements themselves.
local u = {5, 3.5, -1, 2^60, -0.0, 7, math.mininteger}
table.sort(u, function(a, b) return a > b end)
print("numbers >", table.concat(u, " "))
local s = {"pear", "Apple", "fig", "", "apple", "fig\0x", "fig"}
table.sort(s, function(a, b) return a < b end)
print("strings <", (table.concat(s, ","):gsub("%z", "\\0")))

-- Nested paths and integer keys.
t = records(8, function(i) return {pos = {x = (i * 3) % 8, y = i}, [2] = 10 - i, id = i} end)
table.sort(t, function(a, b) return a.pos.x < b.pos.x end)
print("nested", keys(t, "id"))
table.sort(t, function(a, b) return a[2] < b[2] end)
print("index 2", keys(t, "id"))

-- NaN: comparisons are false, as in Lua (an order function that may fail).
t = records(6, function(i) return {v = i == 3 and 0 / 0 or i} end)
show("nan", pcall(table.sort, t, function(a, b) return a.v < b.v end))

-- A missing field: the call raises Lua's error, with its names and line.
t = records(5, function(i) return {v = i} end)
t[3].v = nil
show("nil field", pcall(table.sort, t, function(a, b) return a.v < b.v end))

-- A number against a string: Lua's error.
t = records(5, function(i) return {v = i} end)
t[2].v = "2"
show("mixed types", pcall(table.sort, t, function(a, b) return a.v < b.v end))

-- Fields answered by __index (absent raw), present fields beside a metatable, __lt.
local defaults = {__index = function(_, k) return k == "v" and 100 or nil end}
t = records(6, function(i) return setmetatable(i % 2 == 0 and {v = i} or {}, defaults) end)
for i, r in ipairs(t) do r.id = i end
table.sort(t, function(a, b) return a.v < b.v end)
print("__index", keys(t, "id"))
local V = {}
V.__lt = function(a, b) return a.n > b.n end
t = records(6, function(i) return {v = setmetatable({n = i}, V), id = i} end)
table.sort(t, function(a, b) return a.v < b.v end)
print("__lt", keys(t, "id"))

-- Elements that are not tables: strings have methods, numbers cannot be indexed.
local words = {"ccc", "a", "bb"}
show("string method field", pcall(table.sort, words, function(a, b) return a.len < b.len end))
show("string field", pcall(table.sort, words, function(a, b) return a:len() < b:len() end))
print(table.concat(words, ","))
show("number field", pcall(table.sort, {3, 1, 2}, function(a, b) return a.v < b.v end))

-- Not one comparison: called as written.
local calls = 0
t = records(6, function(i) return {v = (i * 5) % 7} end)
table.sort(t, function(a, b) calls = calls + 1; return a.v < b.v end)
print("counted", keys(t, "v"), calls > 0)
local weight = 2
table.sort(t, function(a, b) return a.v * weight < b.v * weight end)
print("computed", keys(t, "v"))
table.sort(t, function(a, b) return a.v < b.v, "extra" end)
print("two results", keys(t, "v"))
table.sort(t, function(a, b, c) return a.v < b.v end)
print("three params", keys(t, "v"))

-- An order function that contradicts itself.
t = records(40, function(i) return {v = i % 4} end)
show("invalid order", pcall(table.sort, t, function(a, b) return a.v <= b.v end))

-- Tie-breaks and branches: `or`/`and`, `==`/`~=`, `not`, an `if`.
t = records(30, function(i) return {v = i % 4, id = (i * 7) % 31, name = "n" .. (i % 3)} end)
table.sort(t, function(a, b) return a.v > b.v or (a.v == b.v and a.id < b.id) end)
print("or/and", keys(t, "id"))
table.sort(t, function(a, b)
  if a.name ~= b.name then return a.name < b.name end
  return a.id > b.id
end)
print("if", keys(t, "id"))
table.sort(t, function(a, b) return not (a.id >= b.id) end)
print("not", keys(t, "id"))
table.sort(t, function(a, b) if a.v == b.v then return a.id < b.id else return a.v < b.v end end)
print("if/else", keys(t, "id"))
-- A tie-break that meets a nil, a boolean, mixed types: Lua's errors or Lua's results.
t = records(6, function(i) return {v = i % 2, id = i} end)
t[4].id = nil
show("nil tie-break", pcall(table.sort, t, function(a, b) return a.v < b.v or (a.v == b.v and a.id < b.id) end))
t = records(6, function(i) return {v = i % 2 == 0, id = i} end)
table.sort(t, function(a, b) return a.v == b.v and a.id < b.id or (a.v ~= b.v and a.v == true) end)
print("booleans", keys(t, "id"))
t = records(6, function(i) return {v = i % 2 == 0 and i or tostring(i), id = i} end)
show("mixed tie-break", pcall(table.sort, t, function(a, b) return a.v == b.v or a.id < b.id end))
print("mixed order", keys(t, "id"))
