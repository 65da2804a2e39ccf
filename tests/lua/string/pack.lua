-- string.pack / unpack / packsize: formats, endianness, alignment, round trips, errors
local function hex(s)
  return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end
local function show(...)
  local t = table.pack(...)
  local parts = {}
  for i = 1, t.n do
    local v = t[i]
    parts[#parts + 1] = type(v) == "string" and ("'" .. hex(v) .. "'") or tostring(v)
  end
  print(table.concat(parts, " "))
end
local pack, unpack, packsize = string.pack, string.unpack, string.packsize

show(pack("b", 1), pack("b", -1), pack("B", 255), pack("h", -2), pack("H", 65535))
show(pack("<i4", 1), pack(">i4", 1), pack("=i4", 1), pack("<i2", -2), pack(">I3", 0x010203))
show(pack("j", math.maxinteger), pack("j", math.mininteger), pack("J", -1), pack("T", 5))
show(pack("l", -3), pack("L", 3), pack("i", 7), pack("I", 7))
show(pack("<i16", -2), pack(">i16", 1), pack("<I9", 1), pack("<i9", -1))
show(pack("<i1", 127), pack("<i1", -128), pack("<I1", 0))
show(pack("<f", 1.5), pack(">d", 1.5), pack("<n", -0.0), pack("<f", 1/0), pack("<d", 2^53))
show(pack("z", "abc"), pack("s1", "hi"), pack(">s2", "hi"), pack("<s", "hi"), pack("s4", ""))
show(pack("c5", "ab"), pack("c2", "ab"), pack("c0", ""), pack("c3", "abc"))
show(pack("x"), pack("xx"), pack("bxb", 1, 2), pack("<i2 x i2", 1, 2))
show(pack("!4 b i4", 1, 2), pack("!8 b d", 1, 1.0), pack("!2 b i8", 1, 2), pack("! b i4", 1, 2))
show(pack("b Xi4", 1), pack("!4 b Xi4", 1), pack("!4 bb Xh b", 1, 2, 3), pack("!8 b Xd", 1))
show(pack(">!4 h i4", 1, 2), pack("<!2 i3", 1))
show(pack(""), pack("   "), pack("<>="))
show(pack("i4", "12"), pack("d", "1.5"), pack("b", 3.0), pack("z", 42))

show(unpack("<i4", pack("<i4", -123456)))
show(unpack(">I2", "\1\2"), unpack("<I2", "\1\2"))
show(unpack("b", "\255"), unpack("B", "\255"), unpack("h", "\254\255"))
show(unpack("<i16", pack("<i16", -5)), unpack(">I16", pack(">I16", 77)))
show(unpack("<j", pack("<j", math.mininteger)), unpack(">J", pack(">J", -1)))
show(unpack("<f", pack("<f", 0.1)), unpack("<d", pack("<d", 0.1)), unpack("n", pack("n", 1/3)))
show(unpack("z", "hello\0rest"), unpack("zz", "a\0b\0"), unpack("z", "abc"))
show(unpack("s1", "\3abcdef"), unpack(">s2", "\0\2xy"), unpack("c3", "abcdef"))
show(unpack("c0", "abc"), unpack("c3 c3", "abcdef"))
show(unpack("i4", pack("i4i4", 1, 2), 5))
show(unpack("b", "abc", -1), unpack("b", "abc", 2), unpack("b", "abc", -3))
show(unpack("", "abc"), unpack("", "abc", 4), unpack("x", "abc"), unpack("xxb", "abc"))
show(unpack("!4 b i4", pack("!4 b i4", 1, 2)))
show(unpack("!8 b Xd d", pack("!8 b Xd d", 7, 2.5)))
show(unpack("<i3", pack("<i3", -1)), unpack("<I3", pack("<I3", 0xabcdef)))
show(unpack("<i9", pack("<i9", math.mininteger)), unpack("<I9", pack("<I9", math.maxinteger)))

-- round trips over many formats
local formats = {"b", "B", "h", "H", "i", "I", "l", "L", "j", "J", "T", "i1", "i2", "i3", "i5",
  "i7", "i8", "I1", "I2", "I6", "<i4", ">i4", "<I8", ">j"}
for _, fmt in ipairs(formats) do
  local out = {}
  for _, v in ipairs({0, 1, 2, 100, 127}) do
    local packed = pack(fmt, v)
    local back, nextpos = unpack(fmt, packed)
    out[#out + 1] = tostring(back == v) .. ":" .. #packed .. ":" .. nextpos
  end
  print(fmt, packsize(fmt), table.concat(out, " "))
end
local rec = pack("<i4 z s1 d B", 42, "name", "xy", 2.25, 9)
show(#rec, unpack("<i4 z s1 d B", rec))

show(packsize(""), packsize("b"), packsize("h"), packsize("i"), packsize("l"), packsize("j"))
show(packsize("f"), packsize("d"), packsize("n"), packsize("T"), packsize("c10"), packsize("x"))
show(packsize("i16"), packsize("bi4"), packsize("!bi4"), packsize("!4 b i8"), packsize("!2 b d"))
show(packsize("b Xi4"), packsize("!4 b Xi4"), packsize("!4 b Xi4 b"), packsize("<>!2 i3"))
show(packsize("c0"), packsize("   "), packsize("i3 i3"), packsize("!8 i4 d"), packsize("!2 i3 d"))

local function E(fn)
  local ok, err = pcall(fn)
  if ok then return "ok" end
  local msg = tostring(err):gsub("^[^:]*:%d+: ", "")
  return msg
end
print(E(function() return string.pack("i17", 1) end))
print(E(function() return string.pack("i0", 1) end))
print(E(function() return string.pack("s17", "x") end))
print(E(function() return string.pack("!17", 1) end))
print(E(function() return string.pack("c", "x") end))
print(E(function() return string.pack("y") end))
print(E(function() return string.pack("\1") end))
print(E(function() return string.pack("X") end))
print(E(function() return string.pack("Xc1") end))
print(E(function() return string.pack("X!") end))
print(E(function() return string.pack("b X z", 1) end))
print(E(function() return string.pack("!4 i3 Xi3", 1) end))
print(E(function() return string.pack("!3 i4", 1) end))
print(E(function() return string.pack("b", 128) end))
print(E(function() return string.pack("b", -129) end))
print(E(function() return string.pack("B", 256) end))
print(E(function() return string.pack("B", -1) end))
print(E(function() return string.pack("h", 40000) end))
print(E(function() return string.pack("i3", 2^23) end))
print(E(function() return string.pack("I3", 2^24) end))
print(E(function() return string.pack("b", 1.5) end))
print(E(function() return string.pack("b", "x") end))
print(E(function() return string.pack("b") end))
print(E(function() return string.pack("bb", 1) end))
print(E(function() return string.pack("d", "x") end))
print(E(function() return string.pack("z", "a\0b") end))
print(E(function() return string.pack("c2", "abc") end))
print(E(function() return string.pack("s1", string.rep("x", 256)) end))
print(E(function() return string.pack("z", {}) end))
print(E(function() return string.pack() end))
print(E(function() return string.unpack("i4", "abc") end))
print(E(function() return string.unpack("i4", "abcd", 2) end))
print(E(function() return string.unpack("b", "abc", 5) end))
print(E(function() return string.unpack("b", "abc", -5) end))
print(E(function() return string.unpack("b", "abc", 0) end))
print(E(function() return string.unpack("s1", "\5ab") end))
print(E(function() return string.unpack("z b", "abc") end))
print(E(function() return string.unpack("c4", "abc") end))
print(E(function() return string.unpack("<i9", "\0\0\0\0\0\0\0\0\1") end))
print(E(function() return string.unpack("<i9", "\0\0\0\0\0\0\0\128\0") end))
print(E(function() return string.unpack("<I9", "\255\255\255\255\255\255\255\255\1") end))
print(E(function() return string.unpack("b") end))
print(E(function() return string.unpack("y", "x") end))
print(E(function() return string.packsize("s") end))
print(E(function() return string.packsize("z") end))
print(E(function() return string.packsize("i4 s1") end))
print(E(function() return string.packsize("c2147483647 c1") end))
print(E(function() return string.packsize("y") end))
print(E(function() return string.packsize() end))
print(E(function() return string.pack("<! i3", 1) end))
print(E(function() return string.packsize("!8 i3 d") end))
print(E(function() return string.unpack("!4 i3", "\0\0\0") end))
