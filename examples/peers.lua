-- Multi-process state sharing in the style of the state-management guide: each peer keeps a
-- copy of Shared, sends every local write to its peers (StateSync), acknowledges what it
-- receives (SyncAck), and resolves conflicting writes the same way everywhere: the higher
-- version wins, and for equal versions the writer with the greater id (last-writer-wins
-- with a deterministic tie-break). Run three of them: aolite net examples/peers.scenario.json
local json = require("json")

Peers = Peers or {}
Shared = Shared or { value = "", version = 0, writer = "" }
Acks = Acks or {}
Conflicts = Conflicts or 0

local function newer(a, b)
  if a.version ~= b.version then return a.version > b.version end
  return a.writer > b.writer
end

Handlers.add("set", "Set", function(msg)
  Shared = { value = msg.Data, version = Shared.version + 1, writer = ao.id }
  for _, peer in ipairs(Peers) do
    -- Tag values must be strings on AO: the guide's `Timestamp = os.time()` (a number)
    -- would be refused by the messenger.
    ao.send({ Target = peer, Action = "StateSync", Data = json.encode(Shared),
      ["Sync-Id"] = ao.id .. ":" .. Shared.version, ["Sent-At"] = tostring(os.time()) })
  end
end)

Handlers.add("sync", "StateSync", function(msg)
  local remote = json.decode(msg.Data)
  if remote.version == Shared.version and remote.writer ~= Shared.writer then
    Conflicts = Conflicts + 1
    print("conflict at version " .. remote.version .. " resolved for " .. (newer(remote, Shared) and "the remote" or "the local") .. " write")
  end
  if newer(remote, Shared) then Shared = remote end
  ao.send({ Target = msg.From, Action = "SyncAck", ["Sync-Id"] = msg["Sync-Id"] })
end)

Handlers.add("ack", "SyncAck", function(msg)
  Acks[msg["Sync-Id"]] = (Acks[msg["Sync-Id"]] or 0) + 1
end)

Handlers.add("state", "State", function(msg)
  msg.reply({ Data = json.encode({ value = Shared.value, version = Shared.version, conflicts = Conflicts }) })
end)
