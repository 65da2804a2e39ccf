-- A plain Lua 5.3 script (no process): `aolite lua examples/hello.lua`.
local words = {}
for w in ("hello from aolite"):gmatch("%a+") do words[#words + 1] = w:upper() end
print(table.concat(words, " "), #words, math.type(2^53), string.format("%5.2f", math.pi))
