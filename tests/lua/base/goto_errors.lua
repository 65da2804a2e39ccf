-- The compile errors of gotos and labels, worded as Lua words them.
local function show(code) print((select(2, load(code)))) end
show([[ goto l1; do ::l1:: end ]])
show([[ do ::l1:: end goto l1; ]])
show([[ ::l1:: ::l1:: ]])
show([[ goto l1; local aa ::l1:: ::l2:: print(3) ]])
show([[
do local bb, cc; goto l1; end
local aa
::l1:: print(3)
]])
show([[ do ::l1:: end goto l1 ]])
show([[ repeat if x then goto cont end local xuxu = 10 ::cont:: until xuxu < x ]])
