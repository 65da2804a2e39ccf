-- A function defining more than 256 functions (piccolo numbers them with one byte) compiles:
-- the pipeline runs the rest of such a body as a nested function that sees its locals.
local parts = { "local fs, count = {}, 0" }
for i = 0, 149 do
  parts[#parts + 1] = ("local function f%d(a, ...) count = count + 1 return a + %d + select('#', ...) end"):format(i, i)
end
for i = 150, 599 do
  parts[#parts + 1] = ("fs[%d] = function(x) return (x or 0) + %d end"):format(i, i)
end
parts[#parts + 1] = "local function big(a, b, ...)"
for i = 0, 299 do
  if i < 100 then
    parts[#parts + 1] = ("  local g%d = function() return a + %d end"):format(i, i)
  else
    parts[#parts + 1] = ("  fs[%d] = function() return b + %d end"):format(i + 1000, i)
  end
end
parts[#parts + 1] = "  return g0() + g99(), select('#', ...), ..."
parts[#parts + 1] = "end"
parts[#parts + 1] = "print(f0(1, 2, 3), f149(1), fs[599](1), fs[300](), count)"
parts[#parts + 1] = "print(big(1, 2, 3, 4))"
parts[#parts + 1] = "print(fs[1299](), select('#', ...), ...)"
-- (`#fs` is left out: fs has holes, and which border `#` gives then depends on how the table
-- was laid out; see COMPATIBILITY.md, "table growth".)
parts[#parts + 1] = "return 'done', fs[599] ~= nil, fs[600]"
local chunk, err = load(table.concat(parts, "\n"))
print(err)
print(chunk("x", "y"))
