-- table.sort reads and writes through __index and __newindex (Lua 5.3's lua_geti and
-- lua_seti), in PUC Lua's order: every access and comparison is logged and compared.

local function proxy(items, log)
  local store = {}
  for i, v in ipairs(items) do store[i] = v end
  return setmetatable({}, {
    __len = function() return #store end,
    __index = function(_, k)
      log[#log + 1] = "r" .. k
      return store[k]
    end,
    __newindex = function(_, k, v)
      log[#log + 1] = "w" .. k .. "=" .. tostring(v)
      store[k] = v
    end,
  }), store
end

local function show(name, items, comparator)
  local log = {}
  local t, store = proxy(items, log)
  local ok, err = pcall(table.sort, t, comparator and function(a, b)
    log[#log + 1] = "c"
    return comparator(a, b)
  end)
  print(name, ok, err, table.concat(store, ","), rawget(t, 1))
  print("  " .. #log .. " steps: " .. table.concat(log, " ", 1, math.min(#log, 60)))
end

show("two", {2, 1})
show("three", {3, 1, 2})
show("five", {5, 3, 4, 1, 2})
show("sorted", {1, 2, 3, 4, 5, 6, 7})
show("reversed", {9, 8, 7, 6, 5, 4, 3, 2, 1})
show("ties", {2, 1, 2, 1, 2, 1, 2, 1})
show("strings", {"pear", "apple", "fig", "kiwi", "date", "plum"})
show("comparator", {4, 8, 1, 9, 3, 7}, function(a, b) return a > b end)
show("invalid", {5, 1, 4, 2, 3, 6, 8, 7}, function(a, b) return true end)
show("mixed error", {3, "x", 1})
local big = {}
for i = 1, 40 do big[i] = (i * 37) % 41 end
show("forty", big)

-- Only __index: reads fall through to the fallback table for missing slots, writes are raw.
local fallback = {30, 10, 20}
local t = setmetatable({}, {__index = fallback, __len = function() return 3 end})
table.sort(t)
print("index only", rawget(t, 1), rawget(t, 2), rawget(t, 3), fallback[1], fallback[2], fallback[3])

-- Only __newindex, on a table whose slots are present: writes to present keys are raw.
local writes = 0
local present = setmetatable({3, 1, 2}, {__newindex = function(t, k, v) writes = writes + 1; rawset(t, k, v) end})
table.sort(present)
print("present slots", present[1], present[2], present[3], writes)

-- A read-only proxy: the first write raises inside sort, with the table left as it was.
local ro = setmetatable({}, {
  __index = {2, 1},
  __len = function() return 2 end,
  __newindex = function() error("read-only table", 2) end,
})
print("read-only", pcall(table.sort, ro))

-- An error in __index propagates with its message and position.
local bad = setmetatable({}, {__index = function(_, k) if k == 2 then error("no slot " .. k) end return k end, __len = function() return 3 end})
print("failing index", pcall(table.sort, bad))
