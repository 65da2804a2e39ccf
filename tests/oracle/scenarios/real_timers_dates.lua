-- Subscriptions and vesting on msg.Timestamp: periods by integer division, ISO dates with
-- os.date, durations formatted, os.time of a date table, random draws for a raffle.
Subs = Subs or {}
local DAY = 24 * 60 * 60 * 1000

local function iso(ms)
  return os.date("!%Y-%m-%dT%H:%M:%SZ", ms // 1000)
end

local function duration(ms)
  local s = ms // 1000
  return string.format("%dd %02dh %02dm %02ds", s // 86400, s % 86400 // 3600, s % 3600 // 60, s % 60)
end

Handlers.add("subscribe", "Subscribe", function(msg)
  local days = tonumber(msg.Tags.Days) or 30
  local now = tonumber(msg.Timestamp)
  Subs[msg.From] = { from = now, to = now + days * DAY }
  msg.reply({ Data = iso(now) .. " -> " .. iso(now + days * DAY), Days = tostring(days) })
end)

Handlers.add("status", "Status", function(msg)
  local s = Subs[msg.From]
  local now = tonumber(msg.Timestamp)
  if not s then return msg.reply({ Data = "none" }) end
  local left = s.to - now
  local elapsed = (now - s.from) / (s.to - s.from)
  msg.reply({
    Data = left > 0 and ("active, " .. duration(left) .. " left") or ("expired " .. duration(-left) .. " ago"),
    Elapsed = string.format("%.2f%%", elapsed * 100),
    Period = tostring((now - s.from) // (7 * DAY)),
  })
end)

Handlers.add("vesting", "Vesting", function(msg)
  local total, start, cliff, length = 1000000, 1700000000000, 90 * DAY, 365 * DAY
  local now = tonumber(msg.Timestamp)
  local vested
  if now < start + cliff then vested = 0
  elseif now >= start + length then vested = total
  else vested = total * (now - start) // length end
  msg.reply({ Data = tostring(vested), Ratio = tostring(vested / total) })
end)

Handlers.add("dates", "Dates", function(msg)
  local t = os.time({ year = 2024, month = 2, day = 29, hour = 12 })
  local d = os.date("!*t", 1709208000)
  local parts = {}
  for _, k in ipairs({ "year", "month", "day", "hour", "min", "sec", "wday", "yday", "isdst" }) do
    parts[#parts + 1] = k .. "=" .. tostring(d[k])
  end
  msg.reply({
    Data = table.concat(parts, " "),
    Time = tostring(t),
    Formats = os.date("!%A %B %d %j %p %y %%", 1709208000),
  })
end)

Handlers.add("raffle", "Raffle", function(msg)
  local entrants = { "ann", "bo", "cy", "di", "ed", "flo" }
  local picks = {}
  for i = 1, 3 do
    local j = math.random(#entrants)
    picks[i] = table.remove(entrants, j)
  end
  msg.reply({ Data = table.concat(picks, ","), Roll = tostring(math.random(1, 100)), Float = string.format("%.5f", math.random()) })
end)
