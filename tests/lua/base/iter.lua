-- next, pairs, ipairs
local t = {10, 20, 30}
print(select("#", pairs(t)), select("#", ipairs(t)))
local f, s, c = pairs(t)
print(f == next, s == t, c)
local f2, s2, c2 = ipairs(t)
print(type(f2), s2 == t, c2)
for i, v in ipairs(t) do print(i, v) end
for i, v in ipairs({1, 2, nil, 4}) do print("stop", i, v) end
local proxy = setmetatable({}, {__index = function(_, i) if i <= 3 then return i * 100 end end})
for i, v in ipairs(proxy) do print("proxy", i, v) end
local inherits = setmetatable({1}, {__index = {nil, 2, 3}})
for i, v in ipairs(inherits) do print("inherits", i, v) end
local custom = setmetatable({}, {__pairs = function(self) return function(_, k) if not k then return 1, "one" end end, self, nil end})
for k, v in pairs(custom) do print("custom", k, v) end
print(select("#", pairs(custom)))
print(next({}), next({5}), next({5}, 1))
print(pcall(next, {}, "missing"))
print(pcall(next))
print(pcall(next, 1))
print(pcall(ipairs))
print(pcall(pairs))
local n = 0
for k, v in pairs({a = 1, b = 2, c = 3, 1, 2}) do n = n + 1 end
print(n)
local keys = {}
for k in pairs({x = 1, y = 2, z = 3}) do keys[#keys + 1] = k end
print(#keys)
print(select("#", pairs(nil)))
