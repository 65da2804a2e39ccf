-- pattern corner cases: frontier, balance, lazy/greedy, anchors, empty matches, limits
local function show(...)
  local t = table.pack(...)
  local parts = {}
  for i = 1, t.n do parts[#parts + 1] = tostring(t[i]) end
  print(table.concat(parts, " "))
end
local function E(fn)
  local ok, err = pcall(fn)
  if ok then return "ok" end
  local msg = tostring(err):gsub("^[^:]*:%d+: ", "")
  return msg
end

-- %f frontier at the borders of the subject
show(string.find("hello", "%f[%a]"))
show(string.find("hello", "%f[%A]"))
show(string.find("", "%f[%a]"))
show(string.find("", "%f[%z]"))
show(string.find("ab", "%f[%z]"))
show(string.gsub("the cat sat", "%f[%w]%w", string.upper))
show(string.gsub("one_two three", "%f[%w_][%w_]+", "<%0>"))
show(string.gsub("aaa bbb", "%f[a]", "|"))
show(string.gsub("x1y22z333", "%f[%d]", "["))
show(string.gsub("x1y22z333", "%f[%D]", "]"))
show(string.match("AbcDef", "%f[%u]%u%l*$"))
show(string.find("a.b", "%f[.]"))
show(string.find("a b", "%f[%s]"))

-- %b with equal or unusual delimiters
show(string.match("'a' 'b'", "%b''"))
show(string.match("<<a>b>", "%b<>"))
show(string.match("((", "%b()"))
show(string.match(")(", "%b()"))
show(string.gsub("(a)(b)(c)", "%b()", "X"))
show(string.match("[x[y]z]", "%b[]"))
show(string.match("xx", "%bxx"))
show(string.match("{a{b}c}d", "^%b{}"))

-- greedy, lazy, optional
show(string.match("<a><b>", "<(.*)>"))
show(string.match("<a><b>", "<(.-)>"))
show(string.match("aaa", "^(a-)a$"))
show(string.match("aaa", "^(a*)a$"))
show(string.match("ab", "^(a?)(a?)b$"))
show(string.match("xyz", "x(y?)z"))
show(string.match("xz", "x(y?)z"))
show(string.match("a1b2c3", "(%a%d)+"))
show(string.match("aaaa", "(a+)(a+)"))
show(string.match("aaaa", "(a-)(a+)"))
show(string.match(string.rep("a", 20) .. "b", "a*a*a*a*b"))
show(string.match("abc", "[a-]+"), string.match("a-z", "[a-c-]+"), string.match("-", "[%-]"))
show(string.match("x]", "[]]"), string.match("^", "[%^]"), string.match("a^", "[a^]+"))
show(string.match("\0a\0", "%z+"), string.match("a\0b", "[%z]"), #string.match("a\0b", ".+"))
show(string.match("a.b", "[.]"), string.match("a%b", "[%%]"), string.match("ab", "[%a][%a]"))
show(string.match("Z", "[A-Z]"), string.match("z", "[A-Z]"), string.match("5", "[0-9a-f]"))
show(string.match("abc", "[^%s]+"), string.match("a b", "[^%S]"), string.match("x", "[^]x]"))

-- anchors only at the start of the pattern
show(string.find("a^b", "a^b"))
show(string.find("ab$c", "b$c"))
show(string.gsub("abab", "^ab", "X"))
show(string.gsub("abab", "ab$", "X"))
show(string.gsub("", "^", "X"))
show(string.gsub("abc", "^", "X"))
show(string.gsub("abc", "$", "X"))
show(string.gsub("abc", "^$", "X"))
show(string.gsub("", "^$", "X"))

-- empty matches and position captures in loops
show(string.gsub("abc", "()", "%1"))
show(string.gsub("a b", "%s*", "_"))
show(string.gsub("a  b", " *", "-"))
show(string.gsub("hello world", "o*", "."))
local positions = {}
for p in string.gmatch("banana", "()a") do positions[#positions + 1] = p end
show(table.concat(positions, ","))
local pairs_ = {}
for a, b in string.gmatch("abcd", "()(.)") do pairs_[#pairs_ + 1] = a .. b end
show(table.concat(pairs_, ","))

-- back-references
show(string.match("abcabc", "(abc)%1"))
show(string.match("xyyx", "(.)(.)%2%1"))
show(string.gsub("aa bb cd ee", "(%a)%1", "<%0>"))
show(string.match("say 'hi' and \"bye\"", "([\"'])(.-)%1"))
show(string.find("a()a", "(%(%))"))
show(string.match("xx", "()%1"))

-- captures: 32 allowed, nested, empty
show(select("#", string.match(string.rep("a", 32), string.rep("(a)", 32))))
show(string.match("", "()"), string.match("", "(())"))
show(string.match("abc", "(a(b(c)))"))
show(string.find("abc", "(b)()"))

-- errors and limits
print(E(function() return string.match(string.rep("a", 33), string.rep("(a)", 33)) end))
print(E(function() return string.find("a", "(()") end))
print(E(function() return string.find("a", "%g(") end))
print(E(function() return string.gsub("alo", ".)", "x") end))
print(E(function() return string.gsub("alo", "(%1)", "x") end))
print(E(function() return string.match("a", "[a-") end))
print(E(function() return string.match("a", "[]") end))
print(E(function() return string.match("a", "[^]") end))
print(E(function() return string.match("a", "%f[a") end))
print(E(function() return string.match("a", "%bx") end))
print(E(function() return string.match(string.rep("a", 300), string.rep("a?", 300) .. string.rep("a", 300)) end))
print(E(function() return string.match(string.rep("x", 250), string.rep("(x?)", 1) .. string.rep(".-", 250) .. "$") ~= nil end))
