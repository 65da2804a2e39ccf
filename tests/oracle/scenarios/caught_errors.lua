-- Errors caught by pcall/xpcall in handlers that succeed: the caught text is Lua's, with the
-- position and the name of what was called, and what the handler does with it (reply, store,
-- print) carries it.
Caught = Caught or {}

local function keep(name, err)
  table.insert(Caught, name .. " = " .. tostring(err))
  return err
end

local function check(v)
  if not v then
    error("invalid value", 2)
  end
  return v
end

local function deep(v)
  if not v then
    error("deep invalid", 3)
  end
end

local function middle(v)
  deep(v)
end

local Account = {}
Account.__index = Account
function Account:withdraw(n)
  if n > self.balance then
    error("insufficient balance", 2)
  end
  self.balance = self.balance - n
end

Handlers.add("local", "Local", function(msg)
  local f
  local ok, err = pcall(function() f() end)
  msg.reply({ Data = keep("local", err) })
end)

Handlers.add("global", "Global", function(msg)
  local ok, err = pcall(function() NoSuchFunction(msg.From) end)
  msg.reply({ Data = keep("global", err) })
end)

Handlers.add("field", "Field", function(msg)
  local t = { inner = {} }
  local ok, err = pcall(function() t.inner.missing() end)
  msg.reply({ Data = keep("field", err) })
end)

Handlers.add("method", "Method", function(msg)
  local obj = {}
  local ok, err = pcall(function() obj:go(1) end)
  msg.reply({ Data = keep("method", err) })
end)

Handlers.add("upvalue", "Upvalue", function(msg)
  local cb = nil
  local ok, err = pcall(function() return cb(msg) end)
  msg.reply({ Data = keep("upvalue", err) })
end)

Handlers.add("number", "Number", function(msg)
  local n = tonumber(msg.Data) or 0
  local ok, err = pcall(function() n() end)
  msg.reply({ Data = keep("number", err) })
end)

Handlers.add("level2", "Level2", function(msg)
  local ok, err = pcall(function()
    check(nil)
  end)
  msg.reply({ Data = keep("level2", err) })
end)

Handlers.add("level3", "Level3", function(msg)
  local ok, err = pcall(function()
    middle(nil)
  end)
  msg.reply({ Data = keep("level3", err) })
end)

Handlers.add("withdraw", "Withdraw", function(msg)
  local a = setmetatable({ balance = 5 }, Account)
  local ok, err = pcall(function()
    a:withdraw(tonumber(msg.Quantity))
  end)
  if not ok then
    msg.reply({ Action = "Withdraw-Error", Error = keep("withdraw", err) })
  else
    msg.reply({ Action = "Withdrawn", Data = tostring(a.balance) })
  end
end)

Handlers.add("xpcall", "Xpcall", function(msg)
  local ok, err = xpcall(function() local g; g() end, function(e) return "handled: " .. e end)
  msg.reply({ Data = keep("xpcall", err) })
end)

Handlers.add("print", "Print", function(msg)
  local ok, err = pcall(function() local p; p() end)
  print(err)
  print(#err)
end)

Handlers.add("nested", "Nested", function(msg)
  local ok, err = pcall(function()
    local ok2, inner = pcall(function() local z; z() end)
    error("wrapped: " .. inner, 0)
  end)
  msg.reply({ Data = keep("nested", err) })
end)

Handlers.add("resume", "Resume", function(msg)
  local co = coroutine.create(function() local c; c() end)
  local ok, err = coroutine.resume(co)
  msg.reply({ Data = keep("resume", err) })
end)

Handlers.add("then-fail", "ThenFail", function(msg)
  local ok, err = pcall(function() local q; q() end)
  print("caught: " .. err)
  keep("then-fail", err)
  local r
  r()
end)
