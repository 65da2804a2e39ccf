-- Classes with metatables and inheritance, a binary heap, vectors with operator
-- metamethods, varargs helpers: the data structures processes keep in their state.
Class = {}
Class.__index = Class
function Class:extend(name)
  local c = setmetatable({ name = name }, self)
  c.__index = c
  c.__tostring = function(o) return name .. "(" .. (o.id or "?") .. ")" end
  return c
end
function Class:new(fields)
  local o = setmetatable(fields or {}, self)
  if o.init then o:init() end
  return o
end

Account = Class:extend("Account")
function Account:init() self.balance = self.balance or 0; self.log = {} end
function Account:deposit(n, ...)
  self.balance = self.balance + n
  local parts = table.pack(...)
  for i = 1, parts.n do parts[i] = tostring(parts[i]) end
  self.log[#self.log + 1] = parts.n .. ":" .. table.concat(parts, "/")
  return self
end
Savings = Account:extend("Savings")
function Savings:interest(rate) return self:deposit(self.balance * rate // 100, "interest", rate) end

Vec = {}
Vec.__index = Vec
local function vec(x, y) return setmetatable({ x = x, y = y }, Vec) end
Vec.__add = function(a, b) return vec(a.x + b.x, a.y + b.y) end
Vec.__mul = function(a, k) if type(a) == "number" then a, k = k, a end return vec(a.x * k, a.y * k) end
Vec.__eq = function(a, b) return a.x == b.x and a.y == b.y end
Vec.__lt = function(a, b) return a.x * a.x + a.y * a.y < b.x * b.x + b.y * b.y end
Vec.__le = function(a, b) return not (b < a) end
Vec.__unm = function(a) return vec(-a.x, -a.y) end
Vec.__len = function(a) return math.sqrt(a.x * a.x + a.y * a.y) end
Vec.__concat = function(a, b) return tostring(a) .. tostring(b) end
Vec.__tostring = function(a) return "<" .. a.x .. "," .. a.y .. ">" end
Vec.__call = function(a, k) return a[k] end

Heap = {}
Heap.__index = Heap
function Heap.new(cmp) return setmetatable({ n = 0, cmp = cmp or function(a, b) return a < b end }, Heap) end
function Heap:push(v)
  self.n = self.n + 1
  local i = self.n
  self[i] = v
  while i > 1 do
    local p = i // 2
    if self.cmp(self[i], self[p]) then self[i], self[p] = self[p], self[i]; i = p else break end
  end
end
function Heap:pop()
  if self.n == 0 then return nil end
  local top = self[1]
  self[1] = self[self.n]; self[self.n] = nil; self.n = self.n - 1
  local i = 1
  while true do
    local l, r, m = 2 * i, 2 * i + 1, i
    if l <= self.n and self.cmp(self[l], self[m]) then m = l end
    if r <= self.n and self.cmp(self[r], self[m]) then m = r end
    if m == i then break end
    self[i], self[m] = self[m], self[i]; i = m
  end
  return top
end

Accounts = Accounts or {}

Handlers.add("open", "Open", function(msg)
  local kind = msg.Tags.Kind == "Savings" and Savings or Account
  local a = kind:new({ id = msg.Tags.Id, balance = tonumber(msg.Tags.Balance) })
  Accounts[a.id] = a
  msg.reply({ Data = tostring(a) .. " " .. a.balance .. " " .. tostring(getmetatable(a) == Savings) })
end)

Handlers.add("deposit", "Deposit", function(msg)
  local a = Accounts[msg.Tags.Id]
  a:deposit(tonumber(msg.Tags.Amount), msg.From:sub(1, 3), false, "x")
  if a.interest then a:interest(5) end
  msg.reply({ Data = tostring(a) .. " " .. a.balance .. " " .. table.concat(a.log, ";") })
end)

Handlers.add("vectors", "Vectors", function(msg)
  local a, b = vec(3, 4), vec(1, 2)
  local out = {
    tostring(a + b), tostring(a * 2), tostring(2 * b), tostring(-a), tostring(#a),
    tostring(a == vec(3, 4)), tostring(a ~= b), tostring(b < a), tostring(a <= a), tostring(a > b),
    a .. b, a("x"), rawequal(a, vec(3, 4)) and "same" or "distinct", rawlen(a),
  }
  msg.reply({ Data = table.concat(out, " ") })
end)

Handlers.add("heap", "Heap", function(msg)
  local h = Heap.new(function(a, b) return a.p < b.p or (a.p == b.p and a.id < b.id) end)
  local id = 0
  for p in msg.Data:gmatch("%d+") do id = id + 1; h:push({ p = tonumber(p), id = id }) end
  local order = {}
  while true do
    local top = h:pop()
    if not top then break end
    order[#order + 1] = top.p .. "#" .. top.id
  end
  msg.reply({ Data = table.concat(order, " ") })
end)

Handlers.add("varargs", "Varargs", function(msg)
  local function pack2(...) return { n = select("#", ...), ... } end
  local p = pack2(1, nil, 3, nil)
  local t = table.pack(nil, nil)
  local moved = table.move({ 1, 2, 3, 4, 5 }, 2, 4, 1)
  local u = { table.unpack({ 1, 2, 3 }, 2) }
  msg.reply({ Data = table.concat({ p.n, #u, t.n, select(-1, 1, 2, 3), table.concat(moved, ","), select("#", table.unpack({}, 1, 3)) }, " ") })
end)
