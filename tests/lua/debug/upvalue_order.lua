-- Upvalue order in the harder cases: dead code, operators, constructors (split ones too), loaded chunks.
local function ups(f)
  local out = {}
  for i = 1, 300 do
    local name, value = debug.getupvalue(f, i)
    if name == nil then break end
    out[#out + 1] = name .. "=" .. (type(value) == "table" and (value == _ENV and "G" or "t") or tostring(value))
  end
  return table.concat(out, " ") .. " #" .. debug.getinfo(f, "u").nups
end
local a, b, c, s = 1, 2, 3, "str"
print(ups(function() if false then return a end return b end))
print(ups(function() while false do local _ = c end return a end))
print(ups(function() do return b end local _ = a end))
print(ups(function() goto skip; do local _ = a end ::skip:: return c end))
print(ups(function() return s:rep(2), s:upper(), a end))
print(ups(function() return #s, -a, ~b, not c end))
print(ups(function() return a .. b .. s end))
print(ups(function() local t = {a, b = c, [s] = function() return a + c end} return t end))
print(ups(function(...) local x = ... return select('#', ...), a end))
print(ups(function() local _ENV = {print = print} return a, print end))
print(ups(function() local a = 5 return function() return a, b end end))
print(ups(function() return function() return function() local _ = x end end end))
print(ups(function() for i = 1, 2 do local f = function() return i, a end end return b end))
print(ups(function() return a == b, a < c, a and b or c end))
print(ups(function() a = a + 1 b = nil end))
print(ups(function() local t = {} t.x, t[a] = b, c end))
print(ups(function() return math.max(a, b), string.format("%d", c) end))
print(ups(function() return (a)(b) end))
local t = {}
function t.f() return a end
print(ups(t.f))
function t:g() return self, b end
print(ups(t.g))
function gf() return c end
print(ups(gf))
print(ups(load("local x = 1 return function() return x, y end")()))
print(ups(load("return function() return 1 end")()))
local big = {}
for i = 1, 300 do big[#big + 1] = "local v" .. i .. " = " .. i end
big[#big + 1] = "return function() return v1 + v250 + v3 end"
print(pcall(load, table.concat(big, "\n")))
local src = {"local u1, u2 = 1, 2", "local f = function() return {"}
for i = 1, 260 do src[#src + 1] = "function() return u" .. (i % 2 + 1) .. " end," end
src[#src + 1] = "} end return f"
local mk = load(table.concat(src, "\n"))()
print(ups(mk), ups(mk()[1]), ups(mk()[260]))
print(ups(string.gmatch))
-- A chunk with more function literals than piccolo numbers in one function: the pipeline
-- moves the rest of its body into nested functions; upvalues keep Lua's order and cells.
local body = {"local early, fs = 'e', {}"}
for i = 1, 450 do
  if i == 300 then body[#body + 1] = "local late = 'l'" end
  local uses = i >= 300 and "late, early, G" or "G, early"
  body[#body + 1] = ("fs[%d] = function() return %s end"):format(i, uses)
end
body[#body + 1] = "return fs"
local fs = load(table.concat(body, "\n"))()
print(ups(fs[1]), ups(fs[250]), ups(fs[299]), ups(fs[300]), ups(fs[450]))
print(debug.setupvalue(fs[450], 2, "E"), select(2, fs[1]()), debug.upvalueid(fs[1], 2) == debug.upvalueid(fs[450], 2),
  debug.upvalueid(fs[300], 1) == debug.upvalueid(fs[449], 1))
