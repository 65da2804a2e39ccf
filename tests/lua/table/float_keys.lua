-- Float keys: one with an exact integer value is that integer key (on every path: indexing,
-- constructors, rawset/rawget, next); others stay floats. (The float 2^63, which has no
-- integer value, is the one known difference: piccolo's tables make it math.maxinteger.)
local function keys(t)
  local out = {}
  for k, v in pairs(t) do out[#out + 1] = math.type(k) .. ":" .. tostring(k) .. "=" .. tostring(v) end
  table.sort(out)
  return table.concat(out, " ")
end
local t = {}
t[2.0] = "two"; t[2^53] = "p53"; t[-2^63] = "min"; t[2^62] = "p62"; t[0.5] = "half"
t[1/0] = "inf"; t[-1/0] = "minf"; t[-0.0] = "zero"; t[1e300] = "huge"
print(t[2], t[9007199254740992], t[math.mininteger], t[4611686018427387904], t[0], t[0.0])
print(t[0.5], t[math.huge], t[-math.huge], t[1e300], t[9007199254740993])
print(keys(t))
local c = {[2.0] = "a", [2^53] = "b", [-2^63] = "c", [3.5] = "d", [-0.0] = "e"}
print(c[2], c[9007199254740992], c[math.mininteger], c[3.5], c[0])
print(keys(c))
local r = {}
rawset(r, 3.0, "x"); rawset(r, -2^63, "y"); rawset(r, 2^60, "z"); rawset(r, 7.25, "w")
print(rawget(r, 3), rawget(r, math.mininteger), rawget(r, 1 << 60), rawget(r, 7.25), #r)
print(keys(r))
print(math.type(next({[1.0] = true})), math.type(next({[1.5] = true})))
local s = {10, 20, 30}
print(s[1.0], s[3.0], s[2^0], #s, s[4.0])
s[4.0] = 40
print(#s, s[4], select("#", table.unpack(s)))
print(pcall(function() local z = {}; z[0/0] = 1 end))
print(pcall(rawset, {}, 0/0, 1))
print(({})[0/0], rawget({}, 0/0))
-- No integer value: bitwise operators and math.tointeger refuse them.
print(pcall(function() return 2^63 | 0 end))
print(pcall(function() return -(2^63) | 0 end))
print(pcall(function() return 1.5 & 1 end))
print(math.tointeger(2^63), math.tointeger(-2^63), math.tointeger(2^53), math.tointeger(0.5))
print(string.format("%d", 2^53), pcall(string.format, "%d", 2^63))
