-- A comparator's frame sits below table.sort's C frame, in tracebacks and error levels.
local function cmp(a, b)
  return a.x < b
end
print(pcall(table.sort, {1, 2, 3}, cmp))
print(xpcall(function() table.sort({1, 2, 3}, cmp) end, debug.traceback))
local function by_level(a, b)
  error("level two", 2)
end
print(pcall(table.sort, {3, 1}, by_level))
local t = {5, 4, 3, 2, 1}
table.sort(t, function(a, b) return a < b end)
print(table.concat(t, " "))
print(pcall(table.sort, {3, 2, 1}, function(a, b)
  local info = debug.getinfo(2, "S")
  error(info and info.what or "none")
end))
-- The same for string.gsub's replacement function.
local function up(c)
  return c .. nil
end
print(xpcall(function() return string.gsub("ab", "%w", up) end, debug.traceback))
