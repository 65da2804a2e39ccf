-- goto picks the label Lua does: its own block's (even a later one) before an enclosing
-- block's; a label defined twice in a block and a goto with no visible label are errors.
::l3:: local n = 0
do
  n = n + 1
  if n > 5 then print("wrong label") return end
  goto l3
  ::l3::
end
print("ok", n)
local out = {}
for i = 1, 3 do
  for j = 1, 3 do
    if j == 2 then goto continue end
    out[#out + 1] = i .. j
    ::continue::
  end
  if i == 2 then goto continue end
  out[#out + 1] = "|"
  ::continue::
end
print(table.concat(out, " "))
print(load("::a:: ::a::"))
print(select("#", load("::a:: do ::a:: end")))
print(load("goto nowhere"))
print(load("local x = 1\ngoto nowhere\nlocal y = 2\n"))
print(select("#", load("do goto x end ::x::")))
local k = 0
while true do k = k + 1 if k < 3 then goto again end break ::again:: end
print("loop", k)
