-- parentheses truncate calls and varargs to one value; `~=` binds like `==`
local function two() return 1, 2 end
local function none() end
print((two()))
print((two()), two())
print(select("#", (two())), select("#", (none())), select("#", none()))
local function f(...) return (...) end
print(f(7, 8, 9), select("#", f()))
local function g(...) return select("#", (...)) end
print(g(), g(1, 2))
local t = {(two())}
print(#t, t[1])
local a, b = (two())
print(a, b)
print((two()) + 10, ((two())))
local x = 3
print(x ~= 1 + 2, x ~= 2 + 2, x + 1 ~= 4, x ~= x * 1, x - 1 ~= 1 and "y" or "n", (x ~= 3) == false)
print(#"ab" ~= 1 + 1, "a" ~= "a" .. "", 1 ~= 1 == false, 2 ~= 3 ~= true)
