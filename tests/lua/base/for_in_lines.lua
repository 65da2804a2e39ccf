-- Errors in a generic for's explist and iterator calls name the `for` line, as in Lua.
local t = {}
print(pcall(function()
  for part in string.gmatch(t, "[^&]+") do
    t[#t + 1] = part
  end
end))
local function it(s, c)
  if c >= 2 then error("stop here") end
  return c + 1
end
print(pcall(function()
  for i in it, nil, 0 do
    local x = i
  end
end))
print(pcall(function()
  for k, v in pairs(nil) do
  end
end))
print(pcall(function()
  local n = 0
  for k, v
    in next, {1,2,3} do
    n = n + k
  end
  for w in string.gmatch("a b c", "%a") do n = n .. w end
  return n
end))
local co = coroutine.wrap(function() for i = 1, 2 do coroutine.yield(i) end end)
print(pcall(function()
  for v in co do
    print(v)
  end
end))
