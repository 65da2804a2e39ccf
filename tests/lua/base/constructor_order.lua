-- Table constructors keep Lua's order of evaluation and of stores when fields of both kinds
-- are mixed (piccolo's own constructor evaluates every record field first).
local log = {}
local function n(tag) log[#log + 1] = tag return #log end
local function show(t, keys)
  local out = {}
  for _, k in ipairs(keys) do out[#out + 1] = tostring(k) .. "=" .. tostring(t[k]) end
  print(table.concat(out, " "), table.concat(log, ","))
  log = {}
end

show({ n("a"), x = n("b"), n("c") }, { 1, 2, "x" })
show({ [n("k")] = n("v"), n("p"), y = n("y"), n("q") }, { 1, 2, 3, 4, "y" })
show({ x = n("x"), n("p") }, { 1, "x" })

-- A positional read of a variable that a later record field changes.
local up = 1
local function bump() up = up + 1 return up end
local t = { up, y = bump(), up }
print(t[1], t[2], t.y)

-- Method calls and field reads count as code that may run.
local obj = { v = 0 }
function obj:next() self.v = self.v + 1 return self.v end
t = { obj:next(), z = obj:next(), obj.v }
print(t[1], t[2], t.z)

-- Multi-valued items: only the last field expands.
local function two() n("two") return "a", "b" end
t = { two(), w = n("w"), two() }
print(#t, t[1], t[2], t[3], t.w, table.concat(log, ","))
log = {}
t = { n("p"), r = n("r"), two() }
print(#t, t[1], t[2], t[3], t.r, table.concat(log, ","))
log = {}

-- Repeated keys: a positional item wins over a record field met before its batch of 50 is
-- stored, and loses to one met after.
print(({ [1] = "r", "p" })[1], ({ "p", [1] = "r" })[1], ({ [1] = "r", nil })[1])
local parts = {}
for i = 1, 60 do parts[i] = tostring(i) end
local src = "return { " .. table.concat(parts, ", ") .. ", [1] = 'r', [55] = 'r55', [2.0] = 'f' }"
local big = load(src)()
print(big[1], big[2], big[55], big[60], #big)

-- Errors keep their messages.
print(pcall(function() local k return { n("a"), [k] = n("b") } end))
print(pcall(function() return { n("a"), [0/0] = n("b") } end))
log = {}

-- Constructors that piccolo already builds in Lua's order keep working.
t = { 1, 2, n = select("#", 1, 2) }
print(#t, t.n)
t = { x = n("x"), y = n("y") }
print(t.x, t.y, table.concat(log, ","))
