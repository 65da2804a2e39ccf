-- A store over several lines fails where Lua stores: after the last token of its value
-- list, whatever that token is (a number, `)`, `nil`), for one target or several.
local a = 1
print(pcall(function() t.x = a +
  1 end))
print(pcall(function() t.x = a
  + 2 * (3 +
  4) end))
print(pcall(function() local u; u.y = a,
  5 end))
print(pcall(function() t[a] = -
  1 end))
print(pcall(function() t.x = 1 +
  2 end))
print(pcall(function() t.z, t.w = a, 1 +
  1 end))
print(pcall(function() t.x = { 1, 2 } .. a .. (a +
  1) end))
print(pcall(function() t.x = ("s"):rep(2,
  "") end))
print(pcall(function() t.x = math.max(a, 2
  ) end))
print(pcall(function() t.x = nil == false or
  not true end))
print(pcall(function() t.x = a; local y = 2
  end))
