-- len, sub, upper, lower, reverse, rep, byte, char: indices, coercion, errors
print(string.len(""), string.len("abc"), string.len("a\0b"), string.len(123), string.len(1.5), string.len(-0.0))
print(string.len(1e15), string.len(2^63), string.len(1e100))
print(("hello"):len(), #"hello")

local s = "hello"
for _, ij in ipairs({{1, 5}, {2, 3}, {-3, -1}, {-100, 2}, {0, 0}, {0, 1}, {3, 2}, {5, 5}, {6, 10},
    {-1, -1}, {-5, -5}, {-6, -6}, {2, -2}, {4, 100}, {math.mininteger, math.maxinteger},
    {math.maxinteger, -1}, {1, math.mininteger}, {3}}) do
  print(ij[1], ij[2], "[" .. string.sub(s, ij[1], ij[2]) .. "]")
end
print(string.sub("hello", 2), string.sub("hello", -2), string.sub(12345, 2, 3), string.sub(1.25, -2))
print(string.sub("hello", 2.0, 3.0), string.sub("hello", "2", "3"))

print(string.upper("Hello, World! 123"), string.lower("Hello, World! 123"))
print(string.byte(string.upper("\xe9\xff"), 1, -1), string.byte(string.lower("\xc0B"), 1, -1), string.upper(12), string.lower(1e20))
print(string.reverse("hello"), string.reverse(""), string.reverse("a"), string.reverse(123), string.reverse("a\0b") == "b\0a")

print(string.rep("ab", 3), string.rep("ab", 3, ","), string.rep("x", 1), string.rep("x", 0))
print("[" .. string.rep("x", -1) .. "]", "[" .. string.rep("x", 0, ",") .. "]", "[" .. string.rep("", 5) .. "]")
print(string.rep("", 3, "-"), string.rep("a", 2, ""), string.rep(5, 2), string.rep(1.5, 2, 0))
print(string.rep("ab", 2.0), string.rep("ab", "2"), #string.rep("abc", 1000), #string.rep("a", 100, "bc"))
print(string.rep("x", math.mininteger), ("-"):rep(10))

print(string.byte("A"), string.byte("ABC", 2), string.byte("ABC", 1, 3))
print(string.byte("ABC", -1), string.byte("ABC", -3, -2), string.byte("ABC", 0), string.byte("ABC", 4))
print(string.byte("ABC", 2, 1), string.byte("ABC", -10, 10), string.byte(""), string.byte("", 1, 10))
print(string.byte("\0\255"), string.byte(9), string.byte(1.5, 2), select("#", string.byte("abc", 1, -1)))
print(string.byte("hello", math.mininteger, math.maxinteger))

print(string.char(), string.char(72, 101, 108, 108, 111), string.char(0):len(), string.char(255):byte())
print(string.char("65", 66.0), #string.char(1, 2, 3, 4, 5, 6, 7, 8, 9, 10))

local all = {}
for i = 0, 255 do all[#all + 1] = i end
local str = string.char(table.unpack(all))
print(#str, str:byte(1), str:byte(-1), str:upper():byte(98), str:lower():byte(66))

local function E(fn)
  local ok, err = pcall(fn)
  if ok then return "ok" end
  local msg = tostring(err):gsub("^[^:]*:%d+: ", "")
  return msg
end
print(E(function() return string.len() end))
print(E(function() return string.len(nil) end))
print(E(function() return string.len({}) end))
print(E(function() return string.len(true) end))
print(E(function() return string.sub("x") end))
print(E(function() return string.sub("x", "a") end))
print(E(function() return string.sub("x", 1.5) end))
print(E(function() return string.sub("x", 1, {}) end))
print(E(function() return string.upper() end))
print(E(function() return string.lower(print) end))
print(E(function() return string.reverse(nil) end))
print(E(function() return string.rep() end))
print(E(function() return string.rep("x") end))
print(E(function() return string.rep("x", "y") end))
print(E(function() return string.rep("x", 1.5) end))
print(E(function() return string.rep("x", 2, {}) end))
print(E(function() return string.rep("x", 0, {}) end))
print(E(function() return string.rep("x", 1e10) end))
print(E(function() return string.rep("xx", math.maxinteger) end))
print(E(function() return string.rep("x", 2^40, ",") end))
print(E(function() return string.byte({}) end))
print(E(function() return string.byte("x", "y") end))
print(E(function() return string.byte("x", 1, 2.5) end))
print(E(function() return string.char(256) end))
print(E(function() return string.char(-1) end))
print(E(function() return string.char(65, 300) end))
print(E(function() return string.char("x") end))
print(E(function() return string.char(65, nil) end))
print(E(function() return string.char(1.5) end))
print(E(function() return string.char(math.maxinteger) end))
print(E(function() return string.len(setmetatable({}, {__name = "Widget"})) end))
