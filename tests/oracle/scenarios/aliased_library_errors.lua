-- Library functions kept in locals and tables under other names, as modules cache them
-- (`local fmt = string.format`): Lua names a bad argument after the calling expression,
-- and a tail call of a library function keeps its caller's line.
local fmt, ins, floor, concat = string.format, table.insert, math.floor, table.concat
local str = { pad = string.rep, up = string.upper }
local U = {}
function U.amount(q) return floor(q) end
function U.label(name, n) return fmt("%s #%d", name, n) end
function U.shout(s) return str.up(s) end

Ledger = Ledger or {}

Handlers.add("record", "Record", function(msg)
  local n = tonumber(msg.Tags.N) or msg.Tags.N
  ins(Ledger, U.label(msg.Tags.Name, n))
  msg.reply({ Action = "Recorded", Data = concat(Ledger, ",") })
end)

Handlers.add("probe", "Probe", function(msg)
  local results = {}
  local function try(f, ...)
    local ok, err = pcall(f, ...)
    results[#results + 1] = tostring(ok) .. " " .. tostring(err)
  end
  try(U.amount, "abc")
  try(U.label, "x", "y")
  try(U.shout, {})
  try(function() return str.pad() end)
  try(function() local s = fmt("%q", {}) return s end)
  try(function() ins(nil, 1) end)
  try(function() return ins({}, 1, 2, 3) end)
  try(fmt, "%d", "z")
  try(function() for k in next, 5 do end end)
  msg.reply({ Action = "Probed", Data = table.concat(results, "\n") })
end)

Handlers.add("crash", "Crash", function(msg)
  return U.label("crash", msg.Tags.N)
end)
