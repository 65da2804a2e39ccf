-- Errors caught inside functions called by library functions and metamethods, and inside
-- coroutines, carry Lua's position and name too.
local t = { 3, 1, 2 }
print(pcall(table.sort, t, function(a, b) local cmp; return cmp(a, b) end))
print(pcall(string.gsub, "abc", "%w", function(c) local up; return up(c) end))
local mt = { __index = function(_, k) local miss; return miss(k) end }
print(pcall(function() return setmetatable({}, mt).key end))
local callable = setmetatable({}, { __call = function(self, x) return self.nothing(x) end })
print(pcall(callable, 1))
local gen = coroutine.wrap(function()
  local ok, err = pcall(function() local n; n() end)
  coroutine.yield(err)
  local inner
  inner()
end)
print(gen())
print(pcall(gen))
local co = coroutine.create(function()
  for i = 1, 2 do
    local _, e = pcall(function() local f; f(i) end)
    coroutine.yield(e)
  end
  error("done", 2)
end)
print(coroutine.resume(co))
print(coroutine.resume(co))
print(coroutine.resume(co))
-- a caught error whose text decides what runs next
local _, e = pcall(function() local z; z() end)
if e:find("local 'z'", 1, true) then
  print("named", (e:gsub("^.-:%d+: ", "")))
else
  print("unnamed", e)
end
-- error values that are not strings are handed back as they are
local ok, v = pcall(error, { code = 7 })
print(ok, type(v), v.code)
print(pcall(error))
print(pcall(error, nil))
print(select("#", pcall(error, 12)), pcall(error, 12))
