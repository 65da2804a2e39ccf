-- `..` formats numbers as Lua 5.3 does
print("a" .. 2.0, "a" .. 2, "a" .. -0.0, "a" .. 1e100, "a" .. 1e15, "a" .. 1e16, "a" .. 0.1)
print(1 .. 2, 1.5 .. 2.5, 2^53 .. "", 2^63 .. "", -2^63 .. "", math.maxinteger .. "", math.mininteger .. "")
print(1/0 .. "", -1/0 .. "", 3 // 2 .. "", 3.0 // 2 .. "", 7 / 2 .. "", 1e-5 .. "", 123456789012 .. "")
print(1e308 * 10 .. "|" .. 2^-1074 .. "|" .. 1/3)
local x, y = 10, 2.5
print(x .. y, y .. x, x .. "" .. y, "[" .. x * y .. "]", "[" .. x + 1 .. "]")
print("n=" .. #"abc", "n=" .. -x, "n=" .. x % 3, "n=" .. x ^ 2, "n=" .. (x | 1))
print(("x"):upper() .. 1.0, 0x10 .. "", 1e2 .. "")
local s = ""
for i = 1, 10 do s = s .. i / 2 .. "," end
print(s)
local t = {}
for i = 1, 5 do t[#t + 1] = "k" .. i .. "=" .. i * 1.5 end
print(t[1], t[2], t[5])
