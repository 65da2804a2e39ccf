-- Call errors caught by pcall carry Lua's position and the name of what was called.
local function show(...)
  print(select("#", ...), ...)
end

-- local
show(pcall(function() local f; f() end))
-- local with arguments, non-nil types
show(pcall(function() local n = 42; n(1, 2) end))
show(pcall(function() local s = "str"; s() end))
show(pcall(function() local b = true; b() end))
show(pcall(function() local t = {}; t() end))
-- global
show(pcall(function() missing_global() end))
show(pcall(function() return missing_global2(1) end))
-- upvalue
local up
show(pcall(function() up() end))
-- field
local obj = { inner = {} }
show(pcall(function() obj.nothing() end))
show(pcall(function() obj.inner.deeper() end))
show(pcall(function() obj["key"]() end))
local k = "dyn"
show(pcall(function() obj[k]() end))
-- method
show(pcall(function() obj:method() end))
show(pcall(function() obj.inner:other(1, 2) end))
-- a call of a call's result
show(pcall(function() local function mk() return nil end; mk()() end))
-- through a table of functions
local fns = { [1] = false }
show(pcall(function() fns[1]() end))
-- in an expression and in a return
show(pcall(function() local v = 1 + missing_fn() return v end))
show(pcall(function() return obj.absent() end))
-- nested pcall: the inner error, re-raised
show(pcall(function()
  local ok, err = pcall(function() local z; z() end)
  error(err, 0)
end))
-- caught, printed with string functions
local ok, err = pcall(function() local q; q() end)
print(ok, #err, err:match(":(%d+):"), err:upper())
-- xpcall hands its handler the full text
show(xpcall(function() obj.nope() end, function(e) return "handled: " .. e end))
show(xpcall(function() local w; w() end, debug.traceback ~= nil and function(e) return e end))
-- coroutine.resume
local co = coroutine.create(function() local c; c() end)
show(coroutine.resume(co))
-- a loop of caught errors
local seen = {}
for i = 1, 3 do
  local _, e = pcall(function() obj["m" .. i]() end)
  seen[#seen + 1] = e
end
print(table.concat(seen, " | "))
-- Calling a string constant: Lua names it.
print(pcall(function() ("x")() end))
print(pcall(function() ("it's")(1, 2) end))
print(pcall(function() ("a" .. "b")() end))
print(pcall(function() local v = ("x")() end))
print(pcall(function() return ("x")() end))
print(pcall(function() ((("y")))() end))
