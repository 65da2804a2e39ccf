-- pairs over a value that is not a table: pairs itself accepts it, the generic for
-- then fails calling the iterator, which Lua names 'for iterator' (as over a string
-- that was meant to be decoded JSON)
print(pcall(function() for k, v in pairs("abc") do print(k, v) end end))
print(pcall(function() for k in pairs(nil) do end end))
print(pcall(function() for k in pairs(42) do end end))
print(pcall(function() for k in pairs(true) do end end))
print(pcall(function() for k in pairs() do end end))
print(pcall(function() local n = 0; for _ in ipairs("abc") do n = n + 1 end; return n end))
print(pcall(next, "x"))
print(pcall(function() return next("x") end))
-- a string with __pairs-less metatable still fails in the loop
local s = "json text"
local ok, err = pcall(function() for k, v in pairs(s) do end end)
print(ok, err)
-- a table with __pairs is called as usual
local t = setmetatable({}, { __pairs = function(t) return function(_, k) if not k then return 1, "one" end end, t, nil end })
for k, v in pairs(t) do print(k, v) end
