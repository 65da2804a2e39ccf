-- `#` of tables with holes (nil before the last element): Lua allows any border, and PUC
-- Lua's answer follows its array part's size (a constructor's item count, or its rehash's
-- power of two). Programs do meet it: `{...}` with nil arguments, an element set to nil.
Handlers.add("lengths", "Lengths", function(msg)
  local function args(...) return #{ ... } end
  local t = { 1, 2, 3 }
  t[2] = nil
  local big = { 1, 2, 3, 4, 5, 6, 7, 8 }
  big[8], big[7], big[4] = nil, nil, nil
  local out = {
    #{ 1, nil, 3 }, #{ nil, nil, 3 }, #{ 1, nil }, args("a", nil, "x"), args(nil, nil),
    args(1, nil, nil, 4), #t, #big, #table.pack(1, nil, 3),
  }
  msg.reply({ Data = table.concat(out, " ") })
end)
-- Without holes every border is the same: these agree.
Handlers.add("sequences", "Sequences", function(msg)
  local t = {}
  for i = 1, 10 do t[#t + 1] = i end
  t[#t] = nil
  local u = { 1, 2, 3 }
  table.remove(u, 1)
  msg.reply({ Data = #t .. " " .. #u .. " " .. #{ n = 1 } .. " " .. #{} })
end)
