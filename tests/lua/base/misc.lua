-- _G, _VERSION, type, collectgarbage, tostring
print(_VERSION, _G._G == _G, _G.print == print, _ENV == _G)
print(loadstring, unpack, setfenv, getfenv, module)
print(type(nil), type(true), type(0), type(""), type({}), type(print), type(coroutine.create(print)))
print(pcall(type))
print(type(collectgarbage("count")), collectgarbage("count") > 0)
print(collectgarbage(), collectgarbage("collect"), collectgarbage("isrunning"))
print(pcall(collectgarbage, "bogus"))
print(tostring(nil), tostring(1), tostring(-0.0), tostring(1e15), tostring(2^63), tostring("s"))
print(pcall(tostring))
print(tostring(setmetatable({}, {__tostring = function() return "X" end})))
print(pcall(tostring, setmetatable({}, {__tostring = function() return 1 end})))
x = 5
print(_G.x, _ENV.x, rawget(_G, "x"))
