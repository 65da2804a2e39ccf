-- debug.getinfo(...).source of a chunk made by `load` is the chunk name as given to `load`
-- (the text itself by default, "=(load)" for a reader), short_src its display form.
local a = load("return 1", "modname")
print(debug.getinfo(a).source, debug.getinfo(a).short_src)
local text = "local x = 1\nreturn function() return debug.getinfo(1, 'S').source end"
a = load(text)
print(debug.getinfo(a).source == text, debug.getinfo(a).short_src)
-- nested functions and running frames of the chunk report it too
print(a()() == text, debug.getinfo(a()).source == text)
local b = load("return debug.getinfo(1,'S')", "=(foo)")
print(b().source, b().short_src)
local c = load("return debug.getinfo(1,'S')", "@x.lua")
print(c().source, c().short_src)
-- two chunks shown under the same name keep their own sources
local d = load("return debug.getinfo(1,'S')", "[string \"modname\"]")
local d2 = load("return debug.getinfo(1,'S')", "=[string \"modname\"]")
print(d().source, d().short_src)
print(d2().source, d2().short_src)
print(debug.getinfo(d).source, debug.getinfo(d2).source)
local parts = {"return ", "debug.getinfo(1,'S')"}
local e = load(function() return table.remove(parts, 1) end)
print(e().source, e().short_src)
parts = {"return ", "debug.getinfo(1,'S')"}
e = load(function() return table.remove(parts, 1) end, "reader chunk")
print(e().source, e().short_src)
print(debug.getinfo(print).source)
-- many chunks loaded and dropped do not confuse the ones still alive
local keep = {}
for i = 1, 200 do
  local f = load("return function() return debug.getinfo(1, 'S').source end", "chunk" .. i)
  if i % 50 == 0 then keep[#keep + 1] = f() end
  collectgarbage()
end
for _, g in ipairs(keep) do print(g(), debug.getinfo(g).source) end
