-- A limit orderbook: prices and quantities are bint strings, the book is kept
-- sorted with table.sort on bint prices, orders fill partially, owners cancel.
local bint = require('.bint')(256)
local json = require('json')
local utils = require('.utils')

Orderbook = Orderbook or { Bids = {}, Asks = {} }
Trades = Trades or {}
OrderNonce = OrderNonce or 0

local function sortBook()
  -- best bid first (highest price), best ask first (lowest price), then oldest
  table.sort(Orderbook.Bids, function(a, b)
    if bint(a.Price) == bint(b.Price) then return a.Seq < b.Seq end
    return bint(a.Price) > bint(b.Price)
  end)
  table.sort(Orderbook.Asks, function(a, b)
    if bint.eq(bint(a.Price), bint(b.Price)) then return a.Seq < b.Seq end
    return bint.ult(bint(a.Price), bint(b.Price))
  end)
end

local function crosses(side, limit, resting)
  if side == "Buy" then return bint(resting.Price) <= bint(limit) end
  return bint(resting.Price) >= bint(limit)
end

local function fill(taker, maker, qty)
  local cost = bint(maker.Price) * qty
  table.insert(Trades, { Taker = taker.Id, Maker = maker.Id, Price = maker.Price, Quantity = tostring(qty), Cost = tostring(cost) })
  maker.Remaining = tostring(bint(maker.Remaining) - qty)
  taker.Remaining = tostring(bint(taker.Remaining) - qty)
  for _, party in ipairs({ maker, taker }) do
    ao.send({
      Target = party.Owner, Action = "Order-Filled", ["Order-Id"] = party.Id,
      Price = maker.Price, Quantity = tostring(qty), Remaining = party.Remaining
    })
  end
end

Handlers.add("place", "Place-Order", function(msg)
  local side = msg.Tags.Side
  assert(side == "Buy" or side == "Sell", "Side must be Buy or Sell")
  local price, qty = bint(msg.Tags.Price), bint(msg.Tags.Quantity)
  assert(price > 0 and qty > 0, "Price and Quantity must be positive")
  OrderNonce = OrderNonce + 1
  local order = { Id = "o" .. OrderNonce, Seq = OrderNonce, Owner = msg.From, Side = side,
    Price = tostring(price), Quantity = tostring(qty), Remaining = tostring(qty) }

  local opposite = side == "Buy" and Orderbook.Asks or Orderbook.Bids
  sortBook()
  while #opposite > 0 and bint(order.Remaining) > 0 and crosses(side, order.Price, opposite[1]) do
    local maker = opposite[1]
    fill(order, maker, bint.min(bint(order.Remaining), bint(maker.Remaining)))
    if bint.iszero(bint(maker.Remaining)) then table.remove(opposite, 1) end
  end
  if bint(order.Remaining) > 0 then
    table.insert(side == "Buy" and Orderbook.Bids or Orderbook.Asks, order)
    sortBook()
  end
  msg.reply({ Action = "Order-Placed", ["Order-Id"] = order.Id, Remaining = order.Remaining })
end)

Handlers.add("cancel", "Cancel-Order", function(msg)
  local id = msg.Tags["Order-Id"]
  for _, list in ipairs({ Orderbook.Bids, Orderbook.Asks }) do
    for i, o in ipairs(list) do
      if o.Id == id then
        assert(o.Owner == msg.From, "Only the order owner can cancel " .. id)
        table.remove(list, i)
        msg.reply({ Action = "Order-Cancelled", ["Order-Id"] = id, Data = json.encode(o) })
        return
      end
    end
  end
  error("Order not found: " .. tostring(id))
end)

Handlers.add("book", "Book", function(msg)
  local function render(list)
    return utils.map(function(o) return o.Price .. "x" .. o.Remaining .. "@" .. o.Id end, list)
  end
  print("bids " .. table.concat(render(Orderbook.Bids), " "))
  print("asks " .. table.concat(render(Orderbook.Asks), " "))
  local spread = "none"
  if #Orderbook.Bids > 0 and #Orderbook.Asks > 0 then
    spread = tostring(bint(Orderbook.Asks[1].Price) - bint(Orderbook.Bids[1].Price))
  end
  msg.reply({ Action = "Book", Spread = spread, Data = json.encode(Orderbook) })
end)

Handlers.add("sortPrices", "Sort-Prices", function(msg)
  -- a plain sort of raw price strings compared as bints, then as strings
  local prices = {}
  for p in string.gmatch(msg.Data, "[^,]+") do table.insert(prices, p) end
  local asBint = { table.unpack(prices) }
  table.sort(asBint, function(a, b) return bint(a) < bint(b) end)
  table.sort(prices)
  print("bint order: " .. table.concat(asBint, ","))
  print("text order: " .. table.concat(prices, ","))
end)
