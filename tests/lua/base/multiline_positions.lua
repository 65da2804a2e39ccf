-- Errors inside statements that span several lines name the line Lua 5.3 names: a read's
-- key, an operator's line, a comparison's last operand, a store's value.
local t = nil
local n = 5
local s = "str"
local function e(f) local ok, m = pcall(f) print(m) end
e(function() local x = n
  + t end)
e(function() local x = n +
  t end)
e(function() local x = n
  .. t end)
e(function() local x = s ..
  s .. t end)
e(function() local x = s
  .. s
  .. t end)
e(function() local x = n * (
  t) end)
e(function() local x = t
  * n end)
e(function() local x = n
  < t end)
e(function() local x = t
  <= n end)
e(function() local x = n &
  t end)
e(function() local x = ~
  t end)
e(function() local x = { a = { b = n } }
  local y = x.a
    .c
    .d end)
e(function() local y = {
  f = t.g,
} end)
e(function() print(1, 2,
  t.h) end)
e(function() return n +
  t end)
e(function() return t
  .k end)
e(function() local a = "x" .. n ..
  t .. "y" end)
e(function() local a = (n +
  1) .. t end)
e(function() ao = { send = function() end }
  local m = {
    Target = "x",
    Data = "a" .. t,
  }
end)
e(function()
  local r = n
    + 1
    + t.x
end)
e(function()
  local r = n
    - #t
end)
e(function()
  local msg = { Tags = {} }
  local q = tonumber(msg.Tags.Quantity) +
    msg.Tags.Fee
end)
e(function()
  local x = 1 +
    t.y
end)
e(function()
  local x = {
    a = 1,
    b = t.z,
  }
end)
e(function()
  local s = "a" ..
    "b" ..
    t
end)
e(function()
  print("x",
    t.q)
end)
e(function()
  local v = t
  v.field
    .sub = 1
end)
e(function()
  for i = 1, 3 do
    local z = i + t
  end
end)
e(function()
  local obj = {}
  obj:method(
    1)
end)
e(function()
  return
    t.x
end)
e(function()
  local a = 1
  if a <
    t then end
end)
e(function()
  while t.x do end
end)
e(function()
  repeat
    local q = 1
  until t.x
end)
e(function()
  local a = -
    t
end)
e(function()
  local a = #
    t
end)
e(function()
  error("lvl1")
end)
e(function()
  local a, b = 1,
    t.x
end)
e(function()
  t
  .x = 1
end)
e(function()
  local g = {}
  g.h.i.j = 1
end)
e(function()
  local v = nil
  v.a, v.b = 1, 2
end)
e(function()
  local v = {}
  v.a, v.b.c = 1, 2
end)
e(function()
  local v = {}
  local x
  x, v.q.r = 1, 2
end)
e(function()
  local a = {}
  a.x, a.y = 1, 2
  local function f() return nil end
  local c
  f().x, c.y = 1, 2
end)
e(function()
  Undefined.x = 1
end)
