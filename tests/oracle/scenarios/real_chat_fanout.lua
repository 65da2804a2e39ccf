-- A chatroom in the blueprint style: members register, a broadcast fans out to
-- every other member with ao.send, channels keep their own member lists.
local utils = require('.utils')

Members = Members or {}
Channels = Channels or { general = {} }
Nicknames = Nicknames or {}
History = History or {}

Handlers.add("register", Handlers.utils.hasMatchingTag("Action", "Register"), function(msg)
  if utils.includes(msg.From, Members) then
    Handlers.utils.reply("already registered")(msg)
    return
  end
  table.insert(Members, msg.From)
  Nicknames[msg.From] = msg.Tags.Nickname or ("member" .. #Members)
  table.insert(Channels.general, msg.From)
  Handlers.utils.reply("registered")(msg)
end)

Handlers.add("join", Handlers.utils.hasMatchingTag("Action", "Join-Channel"), function(msg)
  local name = string.lower(msg.Tags.Channel or "")
  assert(name ~= "", "Channel is required")
  assert(utils.includes(msg.From, Members), "Register first")
  Channels[name] = Channels[name] or {}
  if not utils.includes(msg.From, Channels[name]) then table.insert(Channels[name], msg.From) end
  msg.reply({ Action = "Joined", Channel = name, Members = tostring(#Channels[name]) })
end)

Handlers.add("broadcast", Handlers.utils.hasMatchingTag("Action", "Broadcast"), function(msg)
  local channel = msg.Tags.Channel and string.lower(msg.Tags.Channel) or "general"
  local list = Channels[channel]
  if not list then
    print("no such channel: " .. channel)
    return
  end
  assert(utils.includes(msg.From, list), "Not a member of " .. channel)
  local sent = 0
  for _, recipient in ipairs(list) do
    if recipient ~= msg.From then
      ao.send({ Target = recipient, Action = "Broadcasted", Broadcaster = msg.From,
        Nickname = Nicknames[msg.From], Channel = channel, Data = msg.Data })
      sent = sent + 1
    end
  end
  table.insert(History, { from = Nicknames[msg.From], channel = channel, text = msg.Data, at = msg.Timestamp })
  if #History > 3 then table.remove(History, 1) end
  Handlers.utils.reply("Broadcasted to " .. sent)(msg)
end)

Handlers.add("leave", "Unregister", function(msg)
  Members = utils.filter(function(m) return m ~= msg.From end, Members)
  for name, list in pairs(Channels) do
    Channels[name] = utils.filter(function(m) return m ~= msg.From end, list)
  end
  Nicknames[msg.From] = nil
  print("left: " .. msg.From:sub(1, 8) .. ", " .. #Members .. " remain")
end)

Handlers.add("who", "Who", function(msg)
  local names = utils.map(function(m) return Nicknames[m] end, Members)
  table.sort(names)
  msg.reply({ Data = table.concat(names, ", "), Count = tostring(#names) })
end)
