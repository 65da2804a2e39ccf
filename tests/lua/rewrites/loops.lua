-- Generic and numeric for loops under the loop rewrite.
local t = { [false] = "f", [true] = "t" }
local seen = 0
for k, v in next, t do seen = seen + 1 end
print("boolean keys", seen)
local function range(n)
  return function(_, i) if i < n then return i + 1 end end, nil, 0
end
local sum = 0
for i in range(5) do sum = sum + i end
print("custom iterator", sum)
local out = {}
for i, v in ipairs({ "a", "b", "c" }) do
  if i == 2 then goto continue end
  out[#out + 1] = v
  ::continue::
end
print(table.concat(out, " "))
local fns = {}
for i = 1, 3 do fns[i] = function() return i end end
print(fns[1](), fns[2](), fns[3]())
local gfns = {}
for k, v in ipairs({ 10, 20 }) do gfns[#gfns + 1] = function() return k + v end end
print(gfns[1](), gfns[2]())
out = {}
for i = 1, 3 do
  for j = 1, 3 do
    if j == 2 then break end
    out[#out + 1] = i .. j
  end
end
print(table.concat(out, " "))
local n = 0
for _ in pairs({}) do n = n + 1 end
print("empty", n)
out = {}
for i = 10, 1, -3 do out[#out + 1] = i end
for x = 1.0, 2.0, 0.5 do out[#out + 1] = x end
print(table.concat(out, " "))
local state = { 1, 2, 3 }
local count = 0
for k, v in pairs(state) do state[k] = nil count = count + 1 end
print("cleared while iterating", count, next(state))
