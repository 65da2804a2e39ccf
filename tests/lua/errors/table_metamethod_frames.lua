-- Metamethods called by table functions and ipairs's iterator run below a [C] frame: the
-- table function's name, or the iterator named as the loop calls it (for iterator).
local p = setmetatable({}, { __index = function(t, k) if k == 2 then local x; return x.y end return k end })
print(xpcall(function() for i, v in ipairs(p) do end end, debug.traceback))
print(xpcall(function() return table.concat(p, ",", 1, 3) end, debug.traceback))
print(xpcall(function() return table.unpack(p, 1, 3) end, debug.traceback))
local w = setmetatable({}, { __newindex = function(t, k, v) error("no write " .. k) end })
print(xpcall(function() table.insert(w, 1) end, debug.traceback))
print(xpcall(function() local s = 0 for i, v in ipairs(p) do s = s + v end return s end, debug.traceback))
