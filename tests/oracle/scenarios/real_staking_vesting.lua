-- A staking and vesting process in the style of AO DeFi processes: rewards accrue with the
-- message Timestamp at a float rate, epochs by integer division, vesting schedules with
-- cliffs, receipts packed with string.pack and base64, display names through utf8, and
-- reports that print numbers the many ways Lua formats them.
local json = require("json")
local base64 = require(".base64")

Stakes = Stakes or {}
Vesting = Vesting or {}
Config = Config or { rate = 0.0125, epochMs = 3000, cliffMs = 4000, durationMs = 12000 }
Totals = Totals or { staked = 0, paid = 0.0 }

local function accrue(s, now)
  local elapsed = now - s.since
  if elapsed > 0 then
    s.reward = s.reward + s.amount * Config.rate * (elapsed / 1000)
    s.since = now
  end
  return s.reward
end

local function fmt(n)
  if n ~= n then return "nan" end
  if n == math.huge then return "inf" end
  if math.type(n) == "integer" then return string.format("%d", n) end
  return string.format("%.6f", n)
end

-- Stakers ordered by reward then address, through a coroutine generator.
local function ranked()
  return coroutine.wrap(function()
    local list = {}
    for addr, s in pairs(Stakes) do list[#list + 1] = { addr = addr, reward = s.reward, amount = s.amount } end
    table.sort(list, function(a, b)
      if a.reward ~= b.reward then return a.reward > b.reward end
      return a.addr < b.addr
    end)
    for i, row in ipairs(list) do coroutine.yield(i, row) end
  end)
end

Handlers.add("stake", "Stake", function(msg)
  local amount = math.tointeger(tonumber(msg.Tags.Quantity))
  if not amount or amount <= 0 then
    return msg.reply({ Action = "Stake-Error", Error = "Quantity must be a positive integer, got " .. tostring(msg.Tags.Quantity) })
  end
  local s = Stakes[msg.From]
  if s then
    accrue(s, msg.Timestamp)
    s.amount = s.amount + amount
  else
    local name = msg.Tags.Name or msg.From:sub(1, 6)
    Stakes[msg.From] = { amount = amount, since = msg.Timestamp, reward = 0, name = name, width = utf8.len(name) or -1 }
  end
  Totals.staked = Totals.staked + amount
  msg.reply({ Action = "Staked", Epoch = tostring(msg.Timestamp // Config.epochMs), Total = tostring(Totals.staked) })
end)

Handlers.add("claim", "Claim", function(msg)
  local s = assert(Stakes[msg.From], "nothing staked by " .. msg.From)
  local reward = accrue(s, msg.Timestamp)
  local whole = math.floor(reward)
  s.reward = reward - whole
  Totals.paid = Totals.paid + whole
  local receipt = base64.encode(string.pack(">I4 i8 d s1", msg.Timestamp // 1000 % 2^32 // 1, whole, s.reward, s.name))
  msg.reply({ Action = "Claimed", Quantity = tostring(whole), Rest = fmt(s.reward), Receipt = receipt })
end)

Handlers.add("verify", "Verify", function(msg)
  local raw = base64.decode(msg.Tags.Receipt)
  local secs, whole, rest, name, next = string.unpack(">I4 i8 d s1", raw)
  msg.reply({ Action = "Receipt", Data = table.concat({ secs, whole, fmt(rest), name, next, #raw }, "|") })
end)

Handlers.add("vest", "Vest", function(msg)
  local total = assert(math.tointeger(tonumber(msg.Tags.Quantity)), "bad quantity")
  Vesting[msg.Tags.Beneficiary] = { total = total, start = msg.Timestamp, released = 0 }
  msg.reply({ Action = "Vesting-Created", Cliff = tostring(msg.Timestamp + Config.cliffMs) })
end)

Handlers.add("release", "Release", function(msg)
  local v = Vesting[msg.From]
  if not v then error({ code = 404, reason = "no vesting for " .. msg.From }) end
  local elapsed = msg.Timestamp - v.start
  local vested
  if elapsed < Config.cliffMs then vested = 0
  elseif elapsed >= Config.durationMs then vested = v.total
  else vested = v.total * elapsed // Config.durationMs end
  local now = vested - v.released
  v.released = vested
  msg.reply({ Action = "Released", Quantity = tostring(now), Vested = string.format("%5.1f%%", 100 * vested / v.total) })
end)

Handlers.add("report", "Report", function(msg)
  local lines = {}
  for i, row in ranked() do
    local s = Stakes[row.addr]
    accrue(s, msg.Timestamp)
    lines[#lines + 1] = string.format("%d %-8s|%6d %s %q", i, s.name, s.amount, fmt(s.reward), s.width)
  end
  local odd = { 0.1 + 0.2, 1e15, 2^53, 1e100, -0.0, 1 / 3, 100 // 7, 100 / 7, 7 % -3, -7 % 3, 7.5 % 2,
    math.fmod(-7, 3), math.ult(1, -1) and 1 or 0, tonumber("0x1F"), tonumber("z", 36), tonumber("1e2"),
    math.maxinteger // -1, 3 | 5, 6 ~ 3, 1 << 62, ("%g"):format(2^63), #"héllo", utf8.len("héllo") }
  local shown = {}
  for i = 1, #odd do shown[#shown + 1] = tostring(odd[i]) end
  print(table.concat(shown, " "))
  print(select("#", nil, nil), select(2, "a", "b", "c"), table.unpack({ 1, 2, 3 }, 2))
  msg.reply({ Action = "Report", Data = table.concat(lines, "\n"), Stakers = tostring(#lines),
    Paid = fmt(Totals.paid), Json = json.encode({ staked = Totals.staked, rate = Config.rate, epochs = msg.Timestamp // Config.epochMs }) })
end)

Handlers.add("unstake", "Unstake", function(msg)
  local s = Stakes[msg.From]
  local amount = math.tointeger(tonumber(msg.Tags.Quantity))
  if not s or not amount or amount > s.amount then
    error("cannot unstake " .. tostring(msg.Tags.Quantity) .. " of " .. tostring(s and s.amount))
  end
  accrue(s, msg.Timestamp)
  s.amount = s.amount - amount
  Totals.staked = Totals.staked - amount
  if s.amount == 0 then Stakes[msg.From] = nil end
  msg.reply({ Action = "Unstaked", Left = tostring(s.amount), Reward = fmt(s.reward) })
end)
