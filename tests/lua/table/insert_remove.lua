-- table.insert / table.remove: forms, bounds (Lua 5.3.6 rules), return values
local function dump(t, n)
  local parts = {}
  for i = 1, n or #t do parts[#parts + 1] = tostring(t[i]) end
  return "{" .. table.concat(parts, ",") .. "}"
end
local function E(fn)
  local ok, err = pcall(fn)
  if ok then return "ok" end
  local msg = tostring(err):gsub("^[^:]*:%d+: ", "")
  return msg
end

local t = {}
table.insert(t, "a"); table.insert(t, "b"); table.insert(t, 1, "c"); table.insert(t, 2, "d")
print(dump(t))
table.insert(t, #t + 1, "e"); table.insert(t, 3, "f")
print(dump(t))
table.insert(t, 1.0, "g")
print(dump(t))
table.insert(t, "2", "h")
print(dump(t))
local u = {}
table.insert(u, 1, "only")
print(dump(u))
table.insert(u, nil)
print(dump(u), #u)
local v = {1, 2, 3}
table.insert(v, 2, nil)
print(dump(v, 4))
print(select("#", table.insert({}, 1)))

print(E(function() table.insert({}, 0, "x") end))
print(E(function() table.insert({}, 2, "x") end))
print(E(function() table.insert({1, 2}, 4, "x") end))
print(E(function() table.insert({1, 2}, -1, "x") end))
print(E(function() table.insert({1, 2}, math.mininteger, "x") end))
print(E(function() table.insert({1, 2}, math.maxinteger, "x") end))
print(E(function() table.insert({}, 1, 2, 3) end))
print(E(function() table.insert({}) end))
print(E(function() table.insert() end))
print(E(function() table.insert(nil, 1) end))
print(E(function() table.insert("x", 1) end))
print(E(function() table.insert({}, "a", 1) end))
print(E(function() table.insert({}, 1.5, 1) end))
print(E(function() table.insert({}, {}, 1) end))

local r = {10, 20, 30, 40}
print(table.remove(r), dump(r))
print(table.remove(r, 1), dump(r))
print(table.remove(r, 2), dump(r))
print(table.remove(r, 1), dump(r))
print(table.remove(r), dump(r))
print(table.remove(r), #r)
print(table.remove({}), table.remove({}, 0), table.remove({}, 1))
local z = {[0] = "zero"}
print(table.remove(z, 0), z[0])
local w = {1, 2, 3}
print(table.remove(w, 4), dump(w))
print(table.remove(w, 3), dump(w))
local x = {1, 2, 3}
print(table.remove(x, #x + 1), dump(x))
print(select("#", table.remove({})))
local y = {"a", "b", "c"}
print(table.remove(y, 2.0), dump(y))
print(table.remove(y, "1"), dump(y))

print(E(function() table.remove({1, 2, 3}, 5) end))
print(E(function() table.remove({1, 2, 3}, 0) end))
print(E(function() table.remove({1, 2, 3}, -1) end))
print(E(function() table.remove({}, 2) end))
print(E(function() table.remove({}, -1) end))
print(E(function() table.remove({1}, math.mininteger) end))
print(E(function() table.remove() end))
print(E(function() table.remove(nil) end))
print(E(function() table.remove({}, "x") end))
print(E(function() table.remove({1}, 1.5) end))

-- a queue built with insert/remove
local q = {}
for i = 1, 10 do table.insert(q, i) end
local out = {}
while #q > 0 do out[#out + 1] = table.remove(q, 1) end
print(table.concat(out, " "))
-- a stack
local s = {}
for i = 1, 5 do table.insert(s, 1, i) end
print(dump(s), table.remove(s, 1), table.remove(s), dump(s))
