-- `path[#path + 1] = v` (appends): a fast path does them in one step for a table without a
-- metatable and an operand without effects; everything else runs as written.
local t = {}
for i = 1, 10 do t[#t + 1] = i end
print(#t, t[10])
local up = {}
local function push(v) up[#up + 1] = v end
push("a") push(true) push(2.5) push(false)
print(#up, up[1], up[2], up[3], up[4])
G_LIST = {}
local x = "g"
G_LIST[#G_LIST + 1] = x
G_LIST[#G_LIST + 1] = 7
print(#G_LIST, G_LIST[1], G_LIST[2])
local deep = { a = { list = { 1 } } }
local y = 9
deep.a.list[#deep.a.list + 1] = y
print(#deep.a.list, deep.a.list[2])
local holes = { 1, 2, nil, 4 }
holes[#holes + 1] = "h"
print(holes[5], holes[3], #holes)
local logged = setmetatable({}, { __newindex = function(t, k, v) rawset(t, k, v .. "!") end })
logged[#logged + 1] = "x"
print(logged[1])
local lenmt = setmetatable({}, { __len = function() return 41 end })
lenmt[#lenmt + 1] = "answer"
print(lenmt[42], rawlen(lenmt))
local s = "str"
print(pcall(function() s[#s + 1] = 1 end))
local nope
print(pcall(function() nope[#nope + 1] = 1 end))
local function f() return 1 end
local q = {}
q[#q + 1] = f
q[#q + 1] = nil
print(#q, q[1] == f)
local big = {}
for i = 1, 100 do big[#big + 1] = i * 2 end
local sum = 0
for i = 1, #big do sum = sum + big[i] end
print(sum)
