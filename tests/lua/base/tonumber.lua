-- tonumber with and without base
local cases = {"10", "  10  ", "0x10", "0X1p4", "1e2", "1E-2", ".5", "5.", "-0x10", "- 1", "1 2",
  "", " ", "abc", "0x", "1e", "inf", "nan", "9223372036854775807", "9223372036854775808",
  "-9223372036854775808", "0xffffffffffffffff", "1e400", "  0x1.8p1  ", "10\0x"}
for _, s in ipairs(cases) do
  local v = tonumber(s)
  print("[" .. s .. "]", v, math.type(v))
end
print(tonumber(10), tonumber(1.5), tonumber(nil), tonumber(true), tonumber({}))
print(tonumber("ff", 16), tonumber("FF", 16), tonumber("zz", 36), tonumber("777", 8))
print(tonumber("11", 2), tonumber("12", 2), tonumber(" -ff ", 16), tonumber("", 10))
print(tonumber("1.5", 10), tonumber("7fffffffffffffff", 16), tonumber("10000000000000000", 16))
print(pcall(tonumber))
print(pcall(tonumber, "10", 1))
print(pcall(tonumber, "10", 37))
print(pcall(tonumber, 10, 16))
print(pcall(tonumber, "10", "x"))
print(pcall(tonumber, "10", 2.5))
print(tonumber("10", "16"), tonumber("10", 16.0))
