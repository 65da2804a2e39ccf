-- method calls on strings and the number <-> string coercions of the string library
local s = "Hello, Lua"
print(s:len(), s:upper(), s:lower(), s:reverse(), s:sub(1, 5), s:sub(-3))
print(s:byte(1), s:byte(-1), s:rep(2, "|"), s:find("Lua"), s:match("%a+", 3))
print(s:gsub("l", "L"), ("%d-%s"):format(7, "x"), ("x"):rep(3))
local words = {}
for w in s:gmatch("%a+") do words[#words + 1] = w end
print(#words, words[1], words[2])
print(("a,b,c"):find(",", 1, true), ("key=val"):match("^(%w+)=(%w+)$"))
print(("%5.2f"):format(math.pi), ("[%s]"):format(("x"):rep(3, "-")))
print(("abc"):upper():lower():reverse():len())
local packed = ("<i4"):pack(258)
print(#packed, ("<i4"):unpack(packed))
print(("i4"):packsize())

-- numbers where strings are expected
print(string.len(12), string.len(-1.5), string.len(1e300), string.len(0.1))
print(string.upper(1e15), string.lower(2^63), string.reverse(-12))
print(string.sub(3.25, 2), string.sub(100, -2), string.byte(7), string.byte(1.0, 1, -1))
print(string.rep(0, 3), string.rep(1.5, 2, "+"), string.rep("ab", "3"), string.rep("-", 2.0))
print(string.find(1234, 23), string.find(12.5, "."), string.find("a1.5b", 1.5, 1, true))
print(string.match(2024, "(%d%d)(%d%d)"), string.match(-0.0, ".+"))
print(string.gsub(1000000, "0", "o"), string.gsub("x", "x", 1e15), string.gsub("x", "x", 2^63))
print(string.format("%s|%s|%s", 1, 1.0, "1"), string.format(42), string.format(1.5))
print(string.format("%d", "0x10"), string.format("%.1f", "1e2"), string.format("%x", " 255 "))
print(string.char("72", 105.0), string.byte("ABC", "2"), string.sub("hello", "2", "-2"))
print(string.pack("i4", "7"):byte(1), string.unpack("b", "\5", "1"))
print(table.concat({1, 2.0, "3"}, 0.5))

-- numbers keep their 5.3 text form when they become strings
for _, n in ipairs({0, -0.0, 1, -1, 0.5, 1e15, 1e16, 2^53, 2^63, -2^63, 1/3, 100, 100.0, 1e-7, 123456789012}) do
  local same = string.gsub(n, "^", "")
  print(n, string.len(n), string.rep(n, 1), same)
end

local function E(fn)
  local ok, err = pcall(fn)
  if ok then return "ok" end
  local msg = tostring(err):gsub("^[^:]*:%d+: ", "")
  return msg
end
print(E(function() return string.rep("x", "a") end))
print(E(function() return string.sub("x", "1.5") end))
print(E(function() return string.byte("x", "") end))
print(E(function() return string.char("") end))
print(E(function() return string.find("x", "x", "y") end))
print(E(function() return string.len(nil) end))
print(E(function() return string.upper({}) end))
print(E(function() return string.find(true, "x") end))
print(E(function() return string.gsub("x", {}, "y") end))
print(E(function() return string.format(nil) end))
