-- `..` is right-associative, looser than arithmetic, tighter than comparisons and and/or
print("a" .. "b" == "ab", "a" .. "b" ~= "ab", "x" .. 1 + 2, 1 + 2 .. "x", 2 * 3 .. 4 * 5)
print("a" .. "b" < "b", "b" .. "a" > "b", "a" .. "b" <= "ab", "a" .. "c" >= "ab")
print(nil or "a" .. "b", false and "x" .. "y" or "z" .. "w", "a" .. "b" and "c" .. "d")
print(1 .. 2 == "12", 2^2 .. "", -2 .. "", - 2 ^ 2 .. "", not nil == true)
print(1 ~= 2 + 3, 5 ~= 2 + 3, #"abc" ~= 4 - 1, 3 ~= 1 + 2 and "yes" or "no", 1 + 1 ~= 2)
print(1 << 2 .. "", 2 .. 1 << 1)
print(1 | 2 ~= 3, 1 & 3 ~= 1, 2 ~ 3 ~= 1, 1 < 2 == true, 1 ~= 2 == true)
local a, b, c = "a", "b", "c"
print(a .. b .. c, (a .. b) .. c, a .. (b .. c), a .. b .. c .. a .. b .. c)
print(#(a .. b), #a .. b, -#a .. b)
local n = 0
local function side(v) n = n + 1; return v .. n end
print(side("x") .. side("y") .. side("z"), n)
local function multi() return "m1", "m2" end
local function none() end
print("a" .. multi(), multi() .. "b", "a" .. multi() .. "c")
print(pcall(function() return "a" .. none() end))
local function tail() return "t" .. 1 .. 2.0 end
print(tail(), select("#", tail()))
local function tail_multi() return "r" .. multi() end
print(tail_multi())
print(("%d"):len() .. "!")
