-- Helpers with optional parameters filled in with `or`, a deepCopy with an
-- optional `seen` table, varargs, and tail calls that pass fewer arguments.
local json = require('json')

Config = Config or { fee = 2, limits = { daily = 100, single = 40 }, tags = { "a", "b" } }
Snapshots = Snapshots or {}

function formatAmount(n, decimals, sep)
  decimals = decimals or 2
  sep = sep or ","
  local s = string.format("%." .. decimals .. "f", n)
  local int, frac = s:match("^(-?%d+)(%.?%d*)$")
  int = int:reverse():gsub("(%d%d%d)", "%1" .. sep):reverse():gsub("^" .. (sep == "." and "%." or sep), "")
  return int .. frac
end

function deepCopy(obj, seen)
  if type(obj) ~= "table" then return obj end
  seen = seen or {}
  if seen[obj] then return seen[obj] end
  local copy = {}
  seen[obj] = copy
  for k, v in pairs(obj) do copy[deepCopy(k, seen)] = deepCopy(v, seen) end
  return setmetatable(copy, getmetatable(obj))
end

local function clamp(x, lo, hi)
  lo = lo or 0
  hi = hi or math.huge
  if x < lo then return lo end
  if x > hi then return hi end
  return x
end

local function feeFor(amount, opts)
  opts = opts or {}
  local rate = opts.rate or Config.fee
  local min = opts.min
  return clamp(amount * rate / 100, min)
end

local function count(...)
  return select("#", ...), ...
end

local function describe(kind, value)
  kind = kind or "?"
  if value == nil then return kind .. ":nil" end
  return kind .. ":" .. tostring(value)
end

local function lookup(key)
  -- tail call with a missing argument
  return describe(key)
end

local function chain(n, acc)
  acc = acc or 0
  if n == 0 then return acc end
  return chain(n - 1, acc + n)
end

Handlers.add("format", "Format", function(msg)
  local n = tonumber(msg.Tags.Amount)
  print(formatAmount(n))
  print(formatAmount(n, 0))
  print(formatAmount(n, 3, " "))
  print(formatAmount(n, nil, "."))
end)

Handlers.add("fee", "Fee", function(msg)
  local amount = tonumber(msg.Tags.Amount)
  print("default " .. feeFor(amount))
  print("rate 5 " .. feeFor(amount, { rate = 5 }))
  print("min 3 " .. feeFor(amount, { min = 3 }))
  print("clamp " .. clamp(-5) .. " " .. clamp(7, nil, 5) .. " " .. tostring(clamp(1e300 * 10)))
end)

Handlers.add("snapshot", "Snapshot", function(msg)
  local snap = deepCopy(Config)
  snap.limits.daily = tonumber(msg.Tags.Daily) or snap.limits.daily
  table.insert(Snapshots, snap)
  local cyc = { name = "loop" }
  cyc.self = cyc
  cyc.list = { cyc, { cyc } }
  local c2 = deepCopy(cyc)
  print("cycle kept: " .. tostring(c2.self == c2) .. " " .. tostring(c2.list[1] == c2) .. " " .. tostring(c2.list[2][1] == c2) .. " new: " .. tostring(c2 ~= cyc))
  local proto = setmetatable({ x = 1 }, { __index = function(t, k) return k .. "?" end })
  local pc = deepCopy(proto)
  print("metatable kept: " .. pc.y .. " " .. tostring(getmetatable(pc) == getmetatable(proto)))
  print("original daily " .. Config.limits.daily .. ", copy " .. snap.limits.daily)
end)

Handlers.add("varargs", "Varargs", function(msg)
  -- aos's print shows its first argument only, so results are joined first
  local function show(...)
    local n, parts = select("#", ...), {}
    for i = 1, n do parts[i] = tostring((select(i, ...))) end
    return n .. ": " .. table.concat(parts, " ")
  end
  print("print drops the rest", "not shown")
  print(show(count()))
  print(show(count(nil, nil)))
  print(show(count(1, nil, 3, nil)))
  print(show(lookup("price"), lookup()))
  print(show(describe("x", false), describe("y", 0)))
  print(show(chain(100), chain(10, 1000)))
  local t = { count(msg.Tags.A, msg.Tags.B, msg.Tags.C) }
  print(show(#t, t[1], t[2], t[3], t[4]))
  print(show(table.unpack({ 1, 2, nil, 4 }, 1, 4)))
  print(string.format("%s|%s", json.encode(Config.tags), json.encode({})))
end)
