-- Operators whose operands have no name (calls, literals), on a later line of a statement
-- that spans several: Lua names the operator's line (an ordering its last token's), where
-- piccolo puts every instruction of a statement on its first line.
local function none() return nil end
local function send(t) return t end
print(pcall(function()
  send({
    Target = "x",
    Data = "You have " .. none() .. " tokens",
  })
end))
print(pcall(function()
  send({
    Target = "x",
    Data = nil .. "y",
  })
end))
print(pcall(function()
  local total = 1 +
    2 +
    none()
  return total
end))
print(pcall(function()
  local s = "x" ..
    {} ..
    "y"
end))
print(pcall(function()
  local ok = 1 <
    none()
end))
print(pcall(function()
  local n = 10
    // (none() or 0)
end))
print(pcall(function()
  send(
    "x",
    -none()
  )
end))
print(pcall(function()
  local t = {
    a = 1,
    b = none() & 1,
  }
end))
-- on one line, as before
print(pcall(function() return none() .. "x" end))
print(pcall(function() return 1 + none() end))
-- a numeric `for` checks its values on the line of its `do`
print(pcall(function()
  for i = 1,
      "x" do end
end))
print(pcall(function()
  for i = 1,
      none() do end
end))
print(pcall(function()
  for i = 1, 10,
      0 do end
end))
-- An ordering whose second operand is a constructor or function: at its last token.
print(pcall(function() local a = {} return a <
  {} end))
print(pcall(function() local a = {} return a <= {
  } end))
print(pcall(function() local a = {} return a >
  function() end end))
print(pcall(function() local t = { x = {} } return t.x >= {
  1, 2 } end))
