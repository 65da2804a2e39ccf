-- Table constructors and bodies too big for piccolo's numbering (256 inner functions and
-- 65 536 constants per function) compile: the pipeline builds such a constructor in pieces
-- and runs the rest of such a body as a nested function, keeping Lua's order of evaluation
-- and of stores. Each source is generated and loaded here.
local function run(name, src, ...)
  local f, err = load(src, "=" .. name)
  if not f then print(name, "load error", err) return end
  print(name, pcall(f, ...))
end

local function fns(n, from)
  local out = {}
  for i = from or 0, (from or 0) + n - 1 do
    out[#out + 1] = ("function() return %d end"):format(i)
  end
  return table.concat(out, ", ")
end

-- 300 function literals in one constructor (one statement).
run("functions", "local t = {" .. fns(300) .. "} return #t, t[1](), t[150](), t[300]()")

-- The same with record fields between them, and inside a function that is not vararg.
run("mixed", [[
local up = 10
local function make(a)
  return {]] .. fns(100) .. [[, x = a + up, ]] .. fns(100, 100) .. [[, [a] = "key", ]] .. fns(100, 200) .. [[}
end
local t = make(5)
return #t, t.x, type(t[5]), t[6](), t[300](), t[301]
]])

-- Order of evaluation and of stores, with a constructor big enough to be split: each field
-- records when it is evaluated; repeated keys end as Lua leaves them (a positional item wins
-- over a record field met before its batch of 50 is stored, loses to one met after).
local order_src = [[
local log = {}
local function v(x) log[#log + 1] = tostring(x) return x end
local t = {
  [1] = v("r1"), v("p1"), [2] = v("r2"), v("p2"), x = v("x1"),
  ]] .. fns(70) .. [[,
  v("p73"), [73] = v("r73"), [74] = v("r74"), v("p74"),
  ]] .. fns(30, 200) .. [[,
  [110] = v("r110"), v("p105"), x = v("x2"),
  [v(200)] = v("k200"),
  v(nil), v("last")
}
return table.concat(log, " "), t[1], t[2], t.x, t[73], t[74], t[105], t[110], t[200], t[106], t[107], #log
]]
run("order", order_src)

-- A multi-valued last item gives all its values (nils included: they overwrite); one that is
-- not last gives one.
run("multi", [[
local function three() return "a", nil, "c" end
local t = {]] .. fns(70) .. [[, [72] = "r72", [73] = "r73", three(), three()}
local u = {]] .. fns(70) .. [[, ...}
local w = {]] .. fns(70) .. [[, (three())}
return #t, t[71], t[72], t[73], t[74], select("#", ...), #u, u[71], u[73], #w, w[71]
]], "v1", "v2", "v3")

-- Errors Lua's constructor raises.
run("nil key", "local k return {" .. fns(70) .. ", [k] = 1}")
run("nan key", "return {" .. fns(70) .. ", [0/0] = 1}")

-- More than 65 536 constants (68 000 here): a data table of distinct strings and floats,
-- and record fields with distinct names and values.
local parts = {}
for i = 1, 34000 do parts[i] = ("%q, %d.5"):format("s" .. i, i) end
run("strings", "local t = {" .. table.concat(parts, ",") .. "} return #t, t[1], t[2], t[65537], t[68000]")
parts = {}
for i = 1, 34000 do parts[i] = ("k%d = %d.5"):format(i, i) end
run("records", "local t = {" .. table.concat(parts, ", ") .. "} return t.k1, t.k32769, t.k34000")

-- The same spread over statements: the body is cut where its constants would overflow.
parts = { "local t = {}" }
for i = 1, 34000 do parts[#parts + 1] = ("t.k%d = %d.5"):format(i, i) end
parts[#parts + 1] = "return t.k1, t.k32769, t.k34000, select('#', ...)"
run("statements", table.concat(parts, "\n"), 1, 2)

-- The same in a function with parameters (not vararg), its locals seen after the cut.
parts = { "local function fill(t, base)", "  local n = 0" }
for i = 1, 34000 do parts[#parts + 1] = ("  t.k%d = base + %d.5 n = n + 1"):format(i, i) end
parts[#parts + 1] = "  return n, t"
parts[#parts + 1] = "end"
parts[#parts + 1] = "local n, t = fill({}, 1000)"
parts[#parts + 1] = "return n, t.k1, t.k34000"
run("function body", table.concat(parts, "\n"))

-- A body with more than 200 functions and gotos: cut only where no jump crosses.
parts = { "local fs, i = {}, 0", "::top::", "i = i + 1" }
for k = 1, 150 do parts[#parts + 1] = ("fs[%d] = function() return %d end"):format(k, k) end
parts[#parts + 1] = "if i < 3 then goto top end"
for k = 151, 450 do parts[#parts + 1] = ("fs[%d] = function() return %d end"):format(k, k) end
parts[#parts + 1] = "goto done"
parts[#parts + 1] = "fs[1] = nil"
parts[#parts + 1] = "::done::"
parts[#parts + 1] = "return i, #fs, fs[1](), fs[450]()"
run("goto", table.concat(parts, "\n"))
