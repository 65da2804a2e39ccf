-- A constant-product AMM and a trading leaderboard, in the style of DeFi processes on AO:
-- integer reserves with fees taken by floor division, prices shown as formatted floats,
-- a leaderboard sorted by score with ties (table.sort is not stable: the order of equal
-- scores is the sort algorithm's), utils helpers, json replies.
local json = require("json")
local utils = require(".utils")

Pool = Pool or { X = 1000000, Y = 2500000, FeeBps = 30 }
Volume = Volume or {}
Swaps = Swaps or 0

local function quote(amountIn, reserveIn, reserveOut, feeBps)
  local fee = amountIn * feeBps // 10000
  local net = amountIn - fee
  local out = (net * reserveOut) // (reserveIn + net)
  return out, fee
end

local function price()
  return Pool.Y / Pool.X
end

Handlers.add("swap", Handlers.utils.hasMatchingTag("Action", "Swap"), function(msg)
  local amount = math.tointeger(tonumber(msg.Tags.Amount))
  assert(amount and amount > 0, "Amount must be a positive integer")
  local side = msg.Tags.Side
  local out, fee
  if side == "X" then
    out, fee = quote(amount, Pool.X, Pool.Y, Pool.FeeBps)
    Pool.X, Pool.Y = Pool.X + amount, Pool.Y - out
  elseif side == "Y" then
    out, fee = quote(amount, Pool.Y, Pool.X, Pool.FeeBps)
    Pool.Y, Pool.X = Pool.Y + amount, Pool.X - out
  else
    return msg.reply({ Action = "Swap-Error", Error = "Side must be X or Y" })
  end
  Swaps = Swaps + 1
  Volume[msg.From] = (Volume[msg.From] or 0) + amount
  msg.reply({
    Action = "Swap-Done",
    Out = tostring(out),
    Fee = tostring(fee),
    Price = string.format("%.6f", price()),
    Impact = string.format("%.3f%%", (amount / (side == "X" and Pool.X or Pool.Y)) * 100),
    Data = json.encode({ out = out, fee = fee, price = price(), k = Pool.X * Pool.Y })
  })
end)

Handlers.add("leaderboard", Handlers.utils.hasMatchingTag("Action", "Leaderboard"), function(msg)
  -- Rows in name order (pairs order is the one accepted divergence), then by score.
  local who = utils.keys(Volume)
  table.sort(who)
  local rows = utils.map(function(w) return { who = w, score = Volume[w] // 1000 } end, who)
  -- Ties: only the score is compared.
  table.sort(rows, function(a, b) return a.score > b.score end)
  local names = utils.map(function(r) return r.who:sub(1, 5) .. "=" .. r.score end, rows)
  local total = utils.reduce(function(acc, r) return acc + r.score end, 0, rows)
  msg.reply({ Data = table.concat(names, ","), Total = tostring(total) })
end)

Handlers.add("ties", Handlers.utils.hasMatchingTag("Action", "Ties"), function(msg)
  -- Many equal keys: the result order depends on the exact sort algorithm.
  local items = {}
  for i = 1, 40 do
    items[i] = { id = i, key = (i * 7) % 5 }
  end
  table.sort(items, function(a, b) return a.key < b.key end)
  local ids = {}
  for i, it in ipairs(items) do ids[i] = it.id end
  msg.reply({ Data = table.concat(ids, " ") })
end)

Handlers.add("stats", Handlers.utils.hasMatchingTag("Action", "Stats"), function(msg)
  local k = Pool.X * Pool.Y
  print(string.format("k=%d price=%.10g swaps=%d", k, price(), Swaps))
  print(("%5.1f|%-8s|%x|%o|%e"):format(price(), "pool", Pool.X, Pool.Y, k / 3))
  print(table.concat({ tostring(k / 7), tostring(2^53 + 1), tostring(-0.0), tostring(1e100), 7 // 2.0, 7 % -3, -7 % 3.5 }, " "))
  print(table.concat({ math.floor(price() * 1000) / 1000, math.ceil(-price()), math.fmod(-7, 3), math.abs(math.mininteger), math.ult(1, -1) and 1 or 0 }, " "))
end)
