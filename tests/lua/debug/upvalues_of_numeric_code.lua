-- Upvalues of closures made in code whose locals the pipeline knows to be numbers (kinds.rs):
-- the debug library names them from a second compilation of the chunk, whose extra
-- statements reference upvalues; those must not change what is known, or the hidden locals
-- of a loop (and so the registers of the locals in it) would differ between the two.
local function count(n)
  local fs = {}
  for i = 1, n do local v = i * 10; fs[i] = function() return v, i end end
  local after = "after"
  fs.last = function() return after, n end
  return fs
end
local function user() return count(2) end
local fs = user()
print(debug.getupvalue(fs[2], 1))
print(debug.getupvalue(fs[2], 2))
print(debug.setupvalue(fs[2], 1, 99), fs[2]())
print(debug.getupvalue(fs.last, 1))
print(debug.getupvalue(fs.last, 2))
local function fib(k) if k < 2 then return k end return fib(k - 1) + fib(k - 2) end
local function show() return fib(10) end
print(show(), debug.getupvalue(show, 1), select(2, debug.getupvalue(fib, 1)) == fib)
