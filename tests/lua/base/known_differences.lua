-- Once known differences from piccolo's VM, now as in Lua 5.3: errors the VM raises itself,
-- caught by pcall, carry their position and variable name; `error(msg, 2)` names the caller's line.
print(pcall(function() local t = nil; local x = t.field end))
print(pcall(function() local x = {} + 1 end))
print(pcall(function() local x = 1 < "2" end))
print(pcall(function() local x = 1 // 0 end))
print(pcall(function() local a = setmetatable({}, {__add = function() return "added" end}); return a + 1 end))
print(pcall(function() local a = setmetatable({}, {__lt = function() return true end}); return a < a end))
print(pcall(function() local function level2() error("two", 2) end level2() end))
print(pcall(function() local s = "x"; return s:rep(2) .. s:nomethod() end))
