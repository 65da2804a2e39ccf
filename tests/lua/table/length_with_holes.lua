-- aolite: skip `#` of tables with holes follows PUC Lua's array sizes (COMPATIBILITY.md, "length of a table with holes")
local function args(...) return #{ ... } end
local t = { 1, 2, 3 }
t[2] = nil
print(#{ 1, nil, 3 }, #{ nil, nil, 3 }, #{ 1, nil }, args("a", nil, "x"), args(nil, nil), #t)
print(#table.pack(1, nil, 3), pcall(table.concat, { "a", nil, "c" }))
