-- Weak tables as processes use them: private data keyed by object (weak keys), an
-- interning cache of parsed orders (weak values) and a memo table, cleared by an explicit
-- collectgarbage() in a later message than the one that let go of the objects. Counts are
-- only read right after a collectgarbage(): aos's collector also runs on its own, whenever
-- its allocations say so, which no other runtime reproduces.
Sessions = Sessions or {}
Private = setmetatable({}, { __mode = "k" })
Parsed = setmetatable({}, { __mode = "v" })
Memo = setmetatable({}, { __mode = "kv" })

local function count(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n
end

local function parse(text)
  local hit = Parsed[text]
  if hit then return hit, true end
  local side, qty, price = text:match("^(%a+) (%d+) @ (%d+)$")
  local order = { side = side, qty = tonumber(qty), price = tonumber(price) }
  Parsed[text] = order
  return order, false
end

local function summary()
  return string.format("sessions=%d private=%d parsed=%d memo=%d",
    count(Sessions), count(Private), count(Parsed), count(Memo))
end

Handlers.add("open", "Open", function(msg)
  local s = { id = msg.Tags.Session, user = msg.From }
  Sessions[msg.Tags.Session] = s
  Private[s] = { secret = msg.Tags.Secret or "none" }
  Private[{ scratch = true }] = "nobody keeps this"
  msg.reply({ Action = "Opened", Data = s.id })
end)

Handlers.add("order", "Order", function(msg)
  local order, cached = parse(msg.Data)
  local s = Sessions[msg.Tags.Session]
  if s then
    s.last = order
  end
  local total = order.qty * order.price
  Memo[order] = { total = total }
  msg.reply({ Action = "Ordered", Data = order.side .. " " .. total .. " cached=" .. tostring(cached) })
end)

Handlers.add("close", "Close", function(msg)
  Sessions[msg.Tags.Session] = nil
  msg.reply({ Action = "Closed", Data = tostring(msg.Tags.Session) })
end)

Handlers.add("collect", "Collect", function(msg)
  collectgarbage()
  msg.reply({ Action = "Collected", Data = summary() })
end)

Handlers.add("secrets", "Secrets", function(msg)
  collectgarbage()
  local ids = {}
  for s, p in pairs(Private) do
    if type(s) == "table" and s.id then ids[#ids + 1] = s.id .. "=" .. p.secret end
  end
  table.sort(ids)
  msg.reply({ Action = "Secrets", Data = table.concat(ids, ",") })
end)

Handlers.add("fail", "Fail", function(msg)
  Private[{ failing = true }] = 1
  Sessions.failed = { id = "failed" }
  collectgarbage()
  error("gave up after collecting")
end)
