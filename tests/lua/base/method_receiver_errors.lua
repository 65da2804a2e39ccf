-- Method calls on values that cannot be indexed name the receiver as Lua does.
local obj
print(pcall(function() obj:go() end))
local t = {}
print(pcall(function() t:go() end))
print(pcall(function() G:go() end))
print(pcall(function() t.sub:go() end))
print(pcall(function() ("x"):nope() end))
local s = "x"
print(pcall(function() s:nope() end))
