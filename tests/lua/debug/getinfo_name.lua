-- debug.getinfo(1, "n"): how the running function was called (name and namewhat), which
-- Lua takes from the calling instruction.
local function here(label)
  local i = debug.getinfo(1, "n")
  print(label, i.name, i.namewhat)
  return 1
end

function G() local r = here("in global") return r end
G()
function H() local i = debug.getinfo(1, "n"); print("global", i.name, i.namewhat) end
H()
local t = {f = here}
t.f("field")
t["f"]("indexed field")
local k = "f"
t[k]("field by variable")
here("local")
function t:m() local i = debug.getinfo(1, "n"); print("method", i.name, i.namewhat) end
t:m()
local function outer() return (here("upvalue")) end
outer()
pcall(here, "pcall")
local function tail() return here("tail call") end
tail()
print(select(2, pcall(function() return here("via select") end)))
local co = coroutine.wrap(function() here("coroutine body") end)
co()
local i = debug.getinfo(1, "n")
print("main chunk", i.name, i.namewhat)
i = debug.getinfo(here, "n")
print("function value", i.name, i.namewhat)

-- metamethods are named after the event
local function self_name(label)
  return function()
    local i = debug.getinfo(1, "n")
    print(label, i.name, i.namewhat)
    return 1
  end
end
local mt = {}
for _, e in ipairs({"__index", "__add", "__sub", "__mul", "__div", "__mod", "__pow",
    "__unm", "__idiv", "__band", "__bor", "__bxor", "__shl", "__shr", "__bnot", "__len",
    "__lt", "__le", "__eq"}) do
  mt[e] = self_name(e)
end
local o = setmetatable({}, mt)
local o2 = setmetatable({}, mt)
local _ = o.missing
_ = o + 1; _ = o - 1; _ = o * 1; _ = o / 1; _ = o % 1; _ = o ^ 1; _ = -o
_ = o // 1; _ = o & 1; _ = o | 1; _ = o ~ 1; _ = o << 1; _ = o >> 1; _ = ~o
_ = #o
_ = o < o2
_ = o <= o2
_ = o == o2
-- `a <= b` through `__lt` is still named after `__le`
mt.__le = nil
_ = o <= o2
-- a callable table is named as the call
local callable = setmetatable({}, {__call = self_name("__call")})
callable()
t.c = callable
t.c()

-- recursion and several levels
local function rec(n)
  if n == 0 then local r = here("deep") return r end
  local r = rec(n - 1)
  return r
end
rec(3)

-- the names in tracebacks of metamethod frames
local ok = xpcall(function() local x = nil; return x.y end, function(m)
  print((debug.traceback(m):gsub("\n[^\n]*%[C%]: in %?$", "")))
end)
print(ok)
mt.__sub = function() print((debug.traceback("in __sub"):gsub("\n[^\n]*%[C%]: in %?$", ""))) return 0 end
_ = o - 1
