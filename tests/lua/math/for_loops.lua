-- Numeric for loops: Lua 5.3's OP_FORPREP (integer loops with float limits, clipping,
-- NaN, zero steps that do not run, errors) and counter subtypes.
local function run(label, a, b, c, max)
  local out, n = {}, 0
  local ok, err = pcall(function()
    if c == nil then
      for i = a, b do
        n = n + 1
        out[#out + 1] = tostring(i) .. ":" .. math.type(i)
        if n >= (max or 6) then break end
      end
    else
      for i = a, b, c do
        n = n + 1
        out[#out + 1] = tostring(i) .. ":" .. math.type(i)
        if n >= (max or 6) then break end
      end
    end
  end)
  print(label, ok, err, n, table.concat(out, " "))
end

run("1,2.5", 1, 2.5)
run("1,2.5,1", 1, 2.5, 1)
run("3,0.5,-1", 3, 0.5, -1)
run("1,-2.5,-1", 1, -2.5, -1)
run("1.0,3", 1.0, 3)
run("1,3,1.0", 1, 3, 1.0)
run("1,3,0.5", 1, 3, 0.5)
run("1,nan", 1, 0/0)
run("1,nan,-1", 1, 0/0, -1, 3)
run("1.0,nan", 1.0, 0/0)
run("nan,1", 0/0, 1)
run("1,1,nan", 1, 1, 0/0)
run("1,huge", 1, math.huge, 1, 3)
run("1,-huge", 1, -math.huge)
run("1,-huge,-1", 1, -math.huge, -1, 3)
run("1,1e300", 1, 1e300, 1, 3)
run("1,-1e300", 1, -1e300)
run("-1,1e300,-1", -1, 1e300, -1)
run("min,-1e300", math.mininteger, -1e300)
run("max-2,max", math.maxinteger - 2, math.maxinteger, 1, 3)
run("min+2,min,-1", math.mininteger + 2, math.mininteger, -1, 3)
run("1,max+0.0", 1, math.maxinteger + 0.0, 1, 2)
run("1,2^63", 1, 2^63, 1, 2)
run("zero step empty", 1, 2, 0)
run("zero step float empty", 1.0, 2, 0.0)
run("zero step runs", 2, 1, 0, 3)
run("zero step float runs", 2.0, 1, 0.0, 3)
run("step huge", 1, 10, math.huge)
run("init huge", math.huge, 1, -1, 2)
run("string init", "1", 2)
run("string limit", 1, "2")
run("string limit float", 1, "2.5")
run("string step", 1, 3, "1")
run("hex string limit", 1, "0x3")
run("bad init", {}, 1)
run("bad limit", 1, "x")
run("bad step", 1, 2, {})
run("bad all", nil, nil, nil)
run("bad limit+step", 1, nil, nil)
run("bool step", 1.0, 2, true)
run("0.1 steps", 0, 0.35, 0.1)
run("neg float", 1, 0, -0.25)

-- Literal and integer-local loops (no conversion needed).
local t = {}
for i = 1, 3 do t[#t + 1] = i end
for i = 3, 1, -1 do t[#t + 1] = i end
for i = 1.0, 2 do t[#t + 1] = i end
for i = 0, 1, 0.5 do t[#t + 1] = i end
for i = 1, 2.5 do t[#t + 1] = i end
for i = 3, 0.5, -1 do t[#t + 1] = i end
for i = 1, 3, 1.5 do t[#t + 1] = i end
for i = -1, -2.5, -0.5 do t[#t + 1] = i end
for i = 1, 0 do t[#t + 1] = "never" end
for i = 1, 2, 0 do t[#t + 1] = "never" end
for i = 2, 1, 0 do t[#t + 1] = "zero step" break end
for i = 1, 1e300 do t[#t + 1] = i if i >= 2 then break end end
for i = 1, -1e300 do t[#t + 1] = "never" end
for i = 1, 0/0 do t[#t + 1] = "never" end
for i = 1.0, 0/0 do t[#t + 1] = "never" end
local n = 4
for i = 1, n do t[#t + 1] = i * 2 end
local h = 2.5
for i = 1, h do t[#t + 1] = i end
local z = 0
for i = 1, 2, z do t[#t + 1] = "never" end
for i = 1, #t, 3 do t[#t + 1] = i end
print(table.concat(t, " "))
local ok, err = pcall(function() for i = 1, "x" do end end)
print(ok, err)

-- The checked loop keeps closures per iteration, goto out of the loop, break and nesting.
local function f(n)
  local fs = {}
  for i = 1, n do
    fs[#fs + 1] = function() return i end
    if i == 3 then goto out end
  end
  ::out::
  local r = {}
  for _, g in ipairs(fs) do r[#r + 1] = g() end
  return table.concat(r, ",")
end
print(f(5), f("2"), f(2.5))
for i = 1, 3 do
  for j = i, "3" do
    if j == 2 then goto continue end
    print(i, j)
    ::continue::
  end
end
local x = 0
for i = 1, 10 do x = x + i if i > 3 then break end end
print(x)
