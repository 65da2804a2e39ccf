-- syntax errors from load are worded as Lua 5.3 words them, with the chunk's name and line
local function show(...)
  print(load(...))
end
show("x = = 1")
show("x = 1 * * 2", "=mul")
show("t = {1, 2\n\n", "@braces.lua")
show("local function f()\n  return 1\n", "=fn")
show("x is y")
show("x = \"abc")
show("x = 'abc\ndef'")
show("x = 3x")
show("x = 1do end", "=numeral")
show("f(1, 2")
show("for i do end")
show("if x then y = 1")
show("x = \"\\q\"")
show("x = [==[ long")
show("goto nowhere")
show("::l:: ::l::")
show("for i = 1, 2 do end break")
show("function f() return ... end")
show("return 1 2")
show("a.b:c = 1")
show("x = t.")
show("local t = {x 1}")
-- a reader function's chunk is checked the same way
local parts = {"x = ", "(1 + ", "2"}
local i = 0
print(load(function() i = i + 1; return parts[i] end, "=reader"))
-- valid chunks still load
print(type(load("x = 0x10 + 1e3 + .5 return x")))
-- bytes that are not printable ASCII are shown by their code
show("\255a = 1", "=bytes")
show("a\1a = 1", "=control")
