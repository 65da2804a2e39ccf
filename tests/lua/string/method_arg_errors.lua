-- Library argument errors in method calls are numbered without the receiver, as Lua does,
-- and keep the caller's position.
print(pcall(function() return ("x"):rep() end))
print(pcall(function() return ("x"):sub() end))
print(pcall(function() return ("x"):rep("a") end))
print(pcall(function() local s = "abc" return s:format(1) end))
print(pcall(function() return ("%d"):format("x") end))
print(pcall(string.rep))
print(pcall(function() return string.rep("x") end))
print(("x"):rep(3))
print(pcall(function() local r = ("x"):rep() return r end))
print(pcall(function() local s = "x" return s:rep() end))
