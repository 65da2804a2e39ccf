-- string.gmatch: iteration, captures, empty matches, '^' (literal in 5.3), independence
local function collect(s, p)
  local out = {}
  for a, b, c in string.gmatch(s, p) do
    local row = tostring(a)
    if b ~= nil then row = row .. "|" .. tostring(b) end
    if c ~= nil then row = row .. "|" .. tostring(c) end
    out[#out + 1] = "[" .. row .. "]"
  end
  print(p, #out, table.concat(out, ","))
end

collect("hello world from lua", "%a+")
collect("one two  three", "%S+")
collect("a=1, b=2, c=3", "(%w+)=(%w+)")
collect("abc", "")
collect("abc", ".-")
collect("abc", "x*")
collect("abc", "%w*")
collect("a,b,,c", "([^,]*)")
collect("a,b,,c,", "([^,]*),")
collect("^a^b", "^%a")
collect("aaa", "^a")
collect("hello", "()l()")
collect("hello", "()")
collect("  x  y  ", "%s*")
collect("k1=v1;k2=v2", "(%w+)=(%w+);?")
collect("", "")
collect("", "a")
collect("The (quick) [brown] {fox}", "%b()")
collect("THE (quick) fox", "%f[%a]%a+")
collect("12 + 34 - 5", "%d+")
collect("a.b.c", "[^.]+")
collect("line1\nline2\nline3", "[^\n]+")
collect("aXbXXc", "X*")
collect("aaa", "a-")
collect("abab", "(a)(b)")
collect(123456, "%d%d")
collect("x=1,y=2", "((%w)=(%w))")

-- two iterators over the same string keep separate positions
local it1 = string.gmatch("a b c", "%a")
local it2 = string.gmatch("a b c", "%a")
print(it1(), it1(), it2(), it1(), it2(), it1())
-- an exhausted iterator keeps returning nil
local it = string.gmatch("x", "x")
print(it(), it(), it())
-- a method call form
local n = 0
for w in ("one two three"):gmatch("%a+") do n = n + #w end
print(n)

local function E(f, ...)
  local ok, err = pcall(f, ...)
  if ok then return "ok" end
  local msg = tostring(err):gsub("^[^:]*:%d+: ", "")
  return msg
end
print(E(function() local f = string.gmatch("abc", "(") ; return f() end))
print(E(function() local f = string.gmatch("abc", "[a") ; return f() end))
print(E(function() return string.gmatch(nil, "a") end))
print(E(function() return string.gmatch("a") end))
