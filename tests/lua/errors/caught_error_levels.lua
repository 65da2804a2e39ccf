-- error(msg, level) caught by pcall: levels 2 and 3 name the right caller's line.
local function check(v, level)
  if not v then
    error("invalid value", level)
  end
  return v
end

local function one() check(nil, 1) end
local function two() check(nil, 2) end
local function three_inner() check(nil, 3) end
local function three() three_inner() end

print(pcall(one))
print(pcall(two))
print(pcall(three))
-- level 2 straight from the function pcall called: the caller is pcall (a C function)
print(pcall(check, nil, 2))
-- a level beyond the stack
print(pcall(function() check(nil, 10) end))
-- non-string messages are untouched
print(pcall(function() error(42, 2) end))
local ok, t = pcall(function() error({ code = 1 }, 2) end)
print(ok, type(t), t.code)
-- level 2 through a method
local Account = {}
Account.__index = Account
function Account:withdraw(n)
  if n > (self.balance or 0) then
    error("insufficient balance", 2)
  end
  self.balance = self.balance - n
end
local a = setmetatable({ balance = 5 }, Account)
print(pcall(function()
  a:withdraw(10)
end))
-- assert-like helper used at several depths
local function expect(cond, msg) if not cond then error(msg, 2) end end
local function validate(x)
  expect(type(x) == "number", "number expected")
  expect(x > 0, "positive expected")
  return x
end
print(pcall(validate, "a"))
print(pcall(validate, -1))
print(pcall(function() return validate(-2) end))
print(pcall(function() local r = validate(-3); return r end))
-- tail call: the caller's frame is gone
local function tail() return check(nil, 2) end
print(pcall(function() tail() end))
-- the caught text stored and reused
local errors = {}
for i = 1, 2 do
  local _, e = pcall(two)
  errors[i] = e
end
print(errors[1] == errors[2], errors[1])
