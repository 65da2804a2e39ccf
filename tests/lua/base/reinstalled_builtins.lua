-- Fields the runtime installed, deleted by Lua code and set again, are found by the library
-- (piccolo keeps deleted string keys as dead keys matched by string identity).
local ts = tostring
tostring = nil
local ok, err = pcall(print, 1)
tostring = ts
print(ok, err)
print("tostring restored", 1, 2.5)
tostring = function(v) return "<" .. ts(v) .. ">" end
print("custom", 3)
tostring = ts

local mt = getmetatable("")
local idx = mt.__index
mt.__index = nil
print(pcall(function() local r = ("x"):upper(); return r end))
mt.__index = idx
print(("x"):upper(), ("abc"):len(), ("abc").len == string.len)

local loaded = package.loaded
package.loaded = nil
package.loaded = loaded
print(require("string") == string)

local t = {year = 2020, month = 1, day = 1, hour = 12, isdst = true}
t.isdst = nil
t.yday = 5
t.yday = nil
os.time(t)
print(t.isdst, t.yday, t.wday)

local m = setmetatable({}, {__index = function(_, k) return k end})
local meta = getmetatable(m)
local f = meta.__index
meta.__index = nil
meta.__index = f
print(m.abc)
