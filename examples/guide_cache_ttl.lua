-- State-management guide: a cache whose expiry is driven by msg.Timestamp
-- (os.time() returns milliseconds in aos, so TTLs are in ms here).
local json = require('json')

Balances = Balances or {}
StateCache = StateCache or {}
CacheStats = CacheStats or { hits = 0, misses = 0 }

function cacheGet(key)
  local cached = StateCache[key]
  if cached and cached.expiry > os.time() then
    CacheStats.hits = CacheStats.hits + 1
    return cached.data
  end
  CacheStats.misses = CacheStats.misses + 1
  return nil
end

function cacheSet(key, data, ttl)
  ttl = ttl or 300000
  StateCache[key] = { data = data, expiry = os.time() + ttl, createdAt = os.time() }
end

function cacheInvalidate(pattern)
  local removed = 0
  for key in pairs(StateCache) do
    if string.match(key, pattern) then
      StateCache[key] = nil
      removed = removed + 1
    end
  end
  return removed
end

function getCachedBalance(address)
  local key = "balance:" .. address
  local cached = cacheGet(key)
  if cached then return cached, true end
  local balance = Balances[address] or 0
  cacheSet(key, balance, 60000)
  return balance, false
end

Handlers.add("SetBalance", "SetBalance", function(msg)
  Balances[msg.Tags.Address] = tonumber(msg.Tags.Amount)
end)
Handlers.add("GetBalance", "GetBalance", function(msg)
  local balance, hit = getCachedBalance(msg.Tags.Address)
  msg.reply({ Data = tostring(balance), Cache = hit and "hit" or "miss" })
end)
Handlers.add("Invalidate", "Invalidate", function(msg)
  print("invalidated " .. cacheInvalidate(msg.Tags.Pattern))
end)
Handlers.add("Stats", "Stats", function(msg)
  local live = 0
  for _, entry in pairs(StateCache) do
    if entry.expiry > os.time() then live = live + 1 end
  end
  msg.reply({ Data = json.encode({ hits = CacheStats.hits, misses = CacheStats.misses, live = live }) })
end)
