-- A load reader is called by load (a [C] frame below it), in tracebacks as in Lua.
local n = 0
local function reader()
  n = n + 1
  if n == 1 then return "return 1" end
  print(debug.traceback("in reader"))
  return nil
end
print(type(load(reader)))
local m = 0
print(pcall(function()
  return load(function()
    m = m + 1
    if m == 2 then error("reader fails") end
    return "x = 1"
  end)
end))
print(pcall(load, function() local t = nil; return t.x end))
local function named()
  print(debug.traceback("named", 1))
end
print(type(load(named)))
