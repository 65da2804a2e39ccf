-- table.sort comparators that themselves call library code needing Lua calls
local mt = {__tostring = function(o) return "#" .. o.id end}
local objs = {}
for i, id in ipairs({5, 3, 8, 1, 9, 2}) do objs[i] = setmetatable({id = id}, mt) end
table.sort(objs, function(a, b) return string.format("%s", a) < string.format("%s", b) end)
local out = {}
for i, o in ipairs(objs) do out[i] = tostring(o) end
print(table.concat(out, " "))

local words = {"pear", "Apple", "fig", "banana", "Cherry"}
table.sort(words, function(a, b)
  local ka = a:gsub("%a", function(c) return c:lower() end)
  local kb = b:gsub("%a", function(c) return c:lower() end)
  return ka < kb
end)
print(table.concat(words, " "))

-- nested sorts inside a comparator
local groups = {{3, 1, 2}, {9, 7}, {5, 6, 4, 0}}
table.sort(groups, function(a, b)
  table.sort(a); table.sort(b)
  return a[1] < b[1]
end)
for _, g in ipairs(groups) do print(table.concat(g, ",")) end

-- __lt that uses other metamethods
local V = {}
V.__lt = function(a, b) return #a.items < #b.items end
V.__len = function(a) return #a.items end
local vs = {}
for i, n in ipairs({4, 1, 3, 2}) do
  local items = {}
  for j = 1, n do items[j] = j end
  vs[i] = setmetatable({items = items, n = n}, V)
end
table.sort(vs)
for i, v in ipairs(vs) do out[i] = v.n end
print(table.concat(out, " ", 1, 4))

-- sorting from inside a coroutine and gsub callbacks resuming a coroutine
local co = coroutine.create(function()
  local t = {5, 4, 3, 2, 1}
  table.sort(t, function(a, b) return a < b end)
  coroutine.yield(table.concat(t, ","))
  return "done"
end)
print(coroutine.resume(co))
print(coroutine.resume(co))

-- the comparator sees the table while it is being sorted
local seen = {}
local tt = {3, 1, 2}
table.sort(tt, function(a, b) seen[#seen + 1] = a .. "<" .. b; return a < b end)
print(table.concat(tt, ","), table.concat(seen, " "))
