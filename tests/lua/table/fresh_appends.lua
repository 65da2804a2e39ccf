-- Appends to a table the running function has just made (`t[#t + 1] = v` before the table
-- is passed anywhere), which aolite leaves to the VM (src/vm/fresh.rs), and the shapes next
-- to them that must keep the helper: escapes, other stores, metatables set afterwards.
local function show(t)
  local parts = {}
  for i = 1, #t do parts[#parts + 1] = tostring(t[i]) end
  return #t .. ":" .. table.concat(parts, ",")
end

-- A list built in a loop, then returned.
local function squares(n)
  local out = {}
  for i = 1, n do out[#out + 1] = i * i end
  return out
end
print(show(squares(0)), show(squares(1)), show(squares(10)))

-- Growth across the array and hash parts, then read back.
local big = {}
for i = 1, 5000 do big[#big + 1] = i % 7 end
local sum = 0
for i = 1, #big do sum = sum + big[i] end
print(#big, sum, big[1], big[4999], big[5000], big[5001])

-- Constructors with fields, holes and items before the appends.
local mixed = { x = 1, y = 2 }
for i = 1, 20 do mixed[#mixed + 1] = i end
print(#mixed, mixed.x, mixed.y, mixed[20])
local seeded = { "a", "b", "c" }
seeded[#seeded + 1] = "d"
seeded[#seeded + 1] = "e"
print(show(seeded))
local keyed = { [1] = "one", [2] = "two" }
keyed[#keyed + 1] = "three"
print(show(keyed))

-- nil appended: nothing changes; false is a value.
local flags = {}
flags[#flags + 1] = nil
flags[#flags + 1] = false
flags[#flags + 1] = nil
flags[#flags + 1] = true
print(#flags, flags[1], flags[2])

-- Reads and lengths between appends; the value read from the table itself.
local fib = { 1, 1 }
while #fib < 30 do fib[#fib + 1] = fib[#fib] + fib[#fib - 1] end
print(#fib, fib[30])

-- The table escapes after the appends: the receiver sees all of them, and what it does
-- later (a metatable, stores through __newindex) applies as in Lua.
local function collect(n)
  local acc = {}
  for i = 1, n do acc[#acc + 1] = "v" .. i end
  local seen = {}
  setmetatable(acc, {
    __newindex = function(t, k, v) seen[#seen + 1] = k; rawset(t, k, v) end,
    __len = function() return 100 end,
  })
  acc[#acc + 1] = "after" -- __len says 100: stored at 101 through __newindex
  return acc, seen
end
local acc, seen = collect(3)
print(rawlen(acc), acc[101], seen[1], #acc)

-- An escape before the appends: a metatable set by the callee is honoured.
local function with_meta()
  local t = {}
  local log = {}
  setmetatable(t, { __newindex = function(tt, k, v) log[#log + 1] = k; rawset(tt, k, v * 10) end })
  for i = 1, 3 do t[#t + 1] = i end
  return show(t), show(log)
end
print(with_meta())

-- An escape inside the loop (the callee may change the table between appends).
local function meddle(t) if #t == 2 then setmetatable(t, { __len = function() return 9 end }) end end
local function escaping()
  local t = {}
  for i = 1, 4 do t[#t + 1] = i; meddle(t) end
  return rawlen(t), t[10], t[11]
end
print(escaping())

-- Captured by a closure after the appends; the closure appends through its upvalue.
local function counter()
  local items = {}
  items[#items + 1] = "first"
  return function(v) items[#items + 1] = v; return #items, items[#items] end
end
local add = counter()
add("second")
print(add("third"))

-- Per-iteration tables, nested functions with their own tables, shadowing.
local rows = {}
for r = 1, 3 do
  local row = {}
  for c = 1, r do row[#row + 1] = r * 10 + c end
  rows[#rows + 1] = table.concat(row, " ")
end
print(table.concat(rows, " | "))
local t = { "outer" }
do
  local t = {}
  t[#t + 1] = "inner"
  print(show(t))
end
t[#t + 1] = "outer2"
print(show(t))

-- repeat: the condition sees the body's table after its appends.
local n = 0
repeat
  local chunk = {}
  chunk[#chunk + 1] = n
  chunk[#chunk + 1] = n + 1
  n = n + 1
until #chunk == 2 and chunk[2] >= 3
print(n)

-- Appends inside a coroutine, across yields, then returned.
local co = coroutine.wrap(function()
  local got = {}
  for i = 1, 3 do got[#got + 1] = coroutine.yield(i) end
  return table.concat(got, ",")
end)
print(co(), co("a"), co("b"), co("c"))

-- Errors around appends keep Lua's messages (the value expression fails).
print(pcall(function()
  local t = {}
  t[#t + 1] = 1
  t[#t + 1] = nil .. "x"
end))
print(pcall(function()
  local t = {}
  local u
  t[#t + 1] = u.field
end))
