-- `...` is only valid in a function that declares it (a compile error otherwise), even
-- though the pipeline makes every function with parameters vararg internally.
local function try(src)
  local f, err = load(src)
  print(f ~= nil, err)
end
try("return function() return ... end")
try("local x = 1\nlocal function f(a)\n  return a, ...\nend")
try("return function(...) return function() return {...} end end")
try("return function(a, ...) return function(b) return b end, ... end")
try("local t = {...}; return #t")
print(select("#", load("return ...")(1, 2, 3)))
local f = load("return function(a, ...) return a, select('#', ...) end")()
print(f(), f(1), f(1, 2, 3))
