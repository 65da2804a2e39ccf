-- A snippet whose output must be byte-identical natively, in Node and in Chromium.
local words = {}
for w in ("the quick brown fox jumps over the lazy dog"):gmatch("%a+") do
  words[#words + 1] = w
end
print(#words, words[1], words[#words])
local acc = 0
for i = 1, 100000 do acc = (acc * 31 + i) % 1000000007 end
print("acc", acc, 7 // 2, 7 / 2, 2^53, 1e300 * 1e10, -0.0, 1/3)
local t = setmetatable({}, { __index = function(_, k) return k * 2 end })
print(t[21], rawget(t, 21))
local ok, err = pcall(function() local x = nil; return x.y end)
print(ok, err ~= nil)
local small = { a = 1, b = 2, c = 3, [1] = "one", [2] = "two" }
local n = 0
for k, v in pairs(small) do n = n + 1 end
print("small", n, #small)
print(("x"):rep(3, ","), ("%5.2f|%-4d|%s"):format(3.14159, 42, "s"))
