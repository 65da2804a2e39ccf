-- A round-based game driven by message timestamps: players join while waiting,
-- a round starts once enough players joined (or the lobby times out), each
-- move rolls dice with math.random, and a Tick ends a round whose time ran out.
GameState = GameState or {
  Phase = "Waiting", Round = 0, Players = {}, Order = {},
  LobbyOpenedAt = nil, RoundStartedAt = nil, Moves = {}, Scores = {}, Log = {}
}
MinPlayers = 3
LobbyTimeout = 60000
RoundTimeout = 30000
MaxRounds = 2

local function log(line)
  table.insert(GameState.Log, line)
  print(line)
end

local function startRound(now)
  GameState.Phase = "Playing"
  GameState.Round = GameState.Round + 1
  GameState.RoundStartedAt = now
  GameState.Moves = {}
  GameState.Target = math.random(2, 12)
  log("round " .. GameState.Round .. " target " .. GameState.Target .. " at " .. now)
  for _, p in ipairs(GameState.Order) do
    ao.send({ Target = p, Action = "Round-Started", Round = tostring(GameState.Round), Target_Sum = tostring(GameState.Target) })
  end
end

local function endRound(now, reason)
  local missing = {}
  for _, p in ipairs(GameState.Order) do
    local m = GameState.Moves[p]
    if m == nil then
      table.insert(missing, p:sub(1, 5))
    else
      local diff = math.abs(m - GameState.Target)
      GameState.Scores[p] = (GameState.Scores[p] or 0) + (diff == 0 and 10 or math.max(0, 5 - diff))
    end
  end
  log("round " .. GameState.Round .. " ended (" .. reason .. ") after " .. (now - GameState.RoundStartedAt) // 1000 .. "s; no move: " .. (#missing > 0 and table.concat(missing, ",") or "none"))
  if GameState.Round >= MaxRounds then
    GameState.Phase = "Ended"
    local best, bestScore = nil, -1
    for _, p in ipairs(GameState.Order) do
      if (GameState.Scores[p] or 0) > bestScore then best, bestScore = p, GameState.Scores[p] or 0 end
    end
    GameState.Winner = best
    log("winner " .. best:sub(1, 5) .. " with " .. bestScore)
  else
    startRound(now)
  end
end

Handlers.add("join", "Join", function(msg)
  assert(GameState.Phase == "Waiting", "Game already " .. GameState.Phase)
  if GameState.Players[msg.From] then
    msg.reply({ Action = "Join-Error", Data = "already joined" })
    return
  end
  GameState.LobbyOpenedAt = GameState.LobbyOpenedAt or msg.Timestamp
  GameState.Players[msg.From] = { JoinedAt = msg.Timestamp, Seat = #GameState.Order + 1 }
  table.insert(GameState.Order, msg.From)
  log(msg.From:sub(1, 5) .. " joined seat " .. #GameState.Order)
  if #GameState.Order >= MinPlayers then startRound(msg.Timestamp) end
end)

Handlers.add("move", "Move", function(msg)
  assert(GameState.Phase == "Playing", "No round in progress")
  assert(GameState.Players[msg.From], "Not a player")
  if msg.Timestamp - GameState.RoundStartedAt > RoundTimeout then
    log("late move from " .. msg.From:sub(1, 5))
    endRound(msg.Timestamp, "timeout")
    return
  end
  local dice = { math.random(6), math.random(6) }
  GameState.Moves[msg.From] = dice[1] + dice[2]
  log(msg.From:sub(1, 5) .. " rolled " .. dice[1] .. "+" .. dice[2])
  local moved = 0
  for _, p in ipairs(GameState.Order) do if GameState.Moves[p] then moved = moved + 1 end end
  if moved == #GameState.Order then endRound(msg.Timestamp, "all moved") end
end)

Handlers.add("tick", "Tick", function(msg)
  local now = msg.Timestamp
  if GameState.Phase == "Waiting" and GameState.LobbyOpenedAt and now - GameState.LobbyOpenedAt >= LobbyTimeout then
    if #GameState.Order >= 2 then startRound(now) else log("lobby expired with " .. #GameState.Order .. " player(s)") end
  elseif GameState.Phase == "Playing" and now - GameState.RoundStartedAt > RoundTimeout then
    endRound(now, "timeout")
  else
    print("tick " .. GameState.Phase .. " " .. string.format("%.1f", math.random()))
  end
end)

Handlers.add("state", "State", function(msg)
  msg.reply({ Phase = GameState.Phase, Round = tostring(GameState.Round), Data = table.concat(GameState.Log, "\n") })
end)
