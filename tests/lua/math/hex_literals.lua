-- Hex integer numerals wrap modulo 2^64; %q writes math.mininteger so it reloads.
print(0xFFFFFFFFFFFFFFFF, math.type(0xFFFFFFFFFFFFFFFF), 0xFFFFFFFFFFFFFFFF == -1)
print(0x13121110090807060504030201, 0x8000000000000000, 0x8000000000000000 == math.mininteger)
print(0x7FFFFFFFFFFFFFFF, 0x10000000000000000, 0x1FFFFFFFFFFFFFFFF, -0x8000000000000000)
print(0x00000000000000000001, 0XFFFFFFFFFFFFFFFE, 0xffffffffffffffff + 1)
print(0x1p4, 0xA.8p0, 0xFFFFFFFFFFFFFFFF.0, 0x.1)
print("0xFFFFFFFFFFFFFFFF", [[0xFFFFFFFFFFFFFFFF]]) -- 0xFFFFFFFFFFFFFFFF
local q = string.format("%q", math.mininteger)
print(q, load("return " .. q)(), math.type(load("return " .. q)()))
print(load("return " .. string.format("%q", math.maxinteger))())
print(tonumber("0xFFFFFFFFFFFFFFFF"), "0xFFFFFFFFFFFFFFFF" + 0, math.tointeger("0x10"))
local t = {[0xFFFFFFFFFFFFFFFF] = "minus one"}
print(t[-1])
