-- Programs that read caught error texts and go on differently with Lua's (names, positions)
-- behave as under Lua: checks in the style of Lua's own test suite.
local function doit(s)
  local f, msg = load(s)
  if f == nil then return msg end
  local ok, err = pcall(f)
  return (not ok) and err
end

local function checkmessage(prog, msg)
  local m = doit(prog)
  assert(string.find(m, msg, 1, true), m)
  print("ok", m)
end

checkmessage("a = {}; a.bbb(1)", "field 'bbb'")
checkmessage("local a; a()", "local 'a'")
checkmessage("x = 1; x()", "global 'x'")
checkmessage("local t = {}; t:m()", "method 'm'")
checkmessage("local u; (function() u() end)()", "upvalue 'u'")
local count = 0
for i = 1, 3 do
  local _, e = pcall(function() local f; f() end)
  if e:match("^.-:%d+: ") then
    count = count + 1
    local _, again = pcall(function() nope(i) end)
    print(i, again)
  end
end
print("positioned", count)
local function guard(v) if not v then error("guard failed", 2) end end
local _, e = pcall(function() guard(false) end)
assert(e:match(":%d+: guard failed$"), e)
print(e)
