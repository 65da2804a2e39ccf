-- the table library goes through __index, __newindex and __len like Lua 5.3's
local log = {}
local function proxy(backing)
  return setmetatable({}, {
    __index = function(_, k) log[#log + 1] = "get" .. k; return backing[k] end,
    __newindex = function(_, k, v) log[#log + 1] = "set" .. k .. "=" .. tostring(v); backing[k] = v end,
    __len = function() log[#log + 1] = "len"; return #backing end,
  })
end
local function flush(label)
  print(label, table.concat(log, " "))
  log = {}
end

local b = {"a", "b", "c"}
local p = proxy(b)
print(table.concat(p, ","))
flush("concat")
print(table.concat(p, ",", 2, 3))
flush("concat range")
table.insert(p, "d")
flush("insert end")
table.insert(p, 2, "x")
flush("insert mid")
print(table.concat(b, ","))
print(table.remove(p))
flush("remove end")
print(table.remove(p, 1))
flush("remove first")
print(table.concat(b, ","))
print(table.unpack(p))
flush("unpack")
print(table.unpack(p, 2, 3))
flush("unpack range")
local dst = proxy({})
table.move(p, 1, 3, 1, dst)
flush("move")

-- __index tables and inherited values
local base = {10, 20, 30}
local child = setmetatable({}, {__index = base, __len = function() return 3 end})
print(table.concat(child, "+"), table.unpack(child))
print(table.concat(setmetatable({}, {__index = function(_, i) return i * i end}), ",", 1, 5))
print(table.unpack(setmetatable({}, {__index = function(_, i) return -i end}), 1, 4))

-- __len results that are not plain integers
print(table.concat(setmetatable({"a", "b", "c"}, {__len = function() return 2.0 end}), ","))
print(table.concat(setmetatable({"a", "b", "c"}, {__len = function() return "2" end}), ","))
print(pcall(table.concat, setmetatable({}, {__len = function() return 1.5 end})))
print(pcall(table.concat, setmetatable({}, {__len = function() return "x" end})))
print(pcall(table.insert, setmetatable({}, {__len = function() return nil end}), 1))

-- __newindex on a fresh key only
local seen = {}
local t = setmetatable({1, 2}, {__newindex = function(tt, k, v) seen[#seen + 1] = k; rawset(tt, k, v) end})
table.insert(t, 3)
table.insert(t, 1, 0)
print(table.concat(t, ","), table.concat(seen, ","))

-- errors raised inside metamethods propagate
print(pcall(table.insert, setmetatable({}, {__newindex = function() error("no writes", 0) end}), 1))
print(pcall(table.concat, setmetatable({}, {__len = function() return 1 end, __index = function() error("no reads", 0) end})))

-- sort still uses __len for the size
local sorted = setmetatable({5, 4, 3, 2, 1}, {__len = function() return 3 end})
table.sort(sorted)
print(rawget(sorted, 1), rawget(sorted, 2), rawget(sorted, 3), rawget(sorted, 4), rawget(sorted, 5))
