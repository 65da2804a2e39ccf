-- Calls whose last argument is a table constructor: missing parameters must be nil
-- (piccolo leaves stale registers there unless the pipeline works around it).
local function g(a, b) return b end
print(g({}), g({1}), g({x = 1}), g({1, 2, 3}))
local function h(a, b, c) return type(a), b, c end
print(h({}))
print(type((h(1, {}))), type(select(2, h(1, {}))), select(3, h(1, {})))
print(h({1, 2}))
local obj = { m = function(self, a, b) return a ~= nil, b end }
print(obj:m({}))
local function count(...) return select("#", ...) end
print(count({}), count({1, 2, 3}), count(1, {}))
print(#{ {} }, ({ {1, 2} })[1][2])
