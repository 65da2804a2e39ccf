-- math.random argument checks and ranges (sequences differ from PUC Lua by design)
print(pcall(math.random, 0))
print(pcall(math.random, 2, 1))
print(pcall(math.random, 1, 2, 3))
print(pcall(math.random, math.mininteger, math.maxinteger))
print(pcall(math.random, 1.5))
print(pcall(math.random, "x"))
print(pcall(function() local x = math.random(0) end))
print(pcall(math.randomseed))
print(select("#", math.randomseed(7)))
local ok = true
for i = 1, 1000 do
  local f = math.random()
  if f < 0 or f >= 1 or math.type(f) ~= "float" then ok = false end
  local a = math.random(6)
  if a < 1 or a > 6 or math.type(a) ~= "integer" then ok = false end
  local b = math.random(-3, 3)
  if b < -3 or b > 3 then ok = false end
  if math.random(5, 5) ~= 5 then ok = false end
  if math.random(3.0) > 3 then ok = false end
end
print(ok)
math.randomseed(42)
local a1, a2, a3 = math.random(1000), math.random(1000), math.random()
math.randomseed(42)
print(a1 == math.random(1000), a2 == math.random(1000), a3 == math.random())
math.randomseed(42.0)
print(a1 == math.random(1000))
print(math.random(math.maxinteger) > 0, math.random(math.mininteger, -1) < 0)
print(math.random(0, math.maxinteger) >= 0)
