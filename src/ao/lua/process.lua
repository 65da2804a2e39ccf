-- The process runtime, loaded into every process before user code.
-- It is aolite's own implementation of the aos process model; the Rust host calls
-- `__aolite.handle(msg)` for each message and reads `ao.outbox` afterwards.

local runtime = {}

ao = ao or {
  id = "",
  reference = 0,
  outbox = { Output = {}, Messages = {}, Spawns = {}, Assignments = {} },
}

local NON_TAG_KEYS = { Target = true, Data = true, Anchor = true, Tags = true, From = true }

function ao.clearOutbox()
  ao.outbox = { Output = {}, Messages = {}, Spawns = {}, Assignments = {} }
end

local function append(list, value)
  list[#list + 1] = value
end

function ao.send(msg)
  assert(type(msg) == "table", "msg should be a table")
  ao.reference = ao.reference + 1
  local ref = tostring(ao.reference)
  local out = {
    Target = msg.Target,
    Data = msg.Data,
    Anchor = ref,
    Tags = {
      { name = "Data-Protocol", value = "ao" },
      { name = "Variant", value = "ao.TN.1" },
      { name = "Type", value = "Message" },
      { name = "Reference", value = ref },
    },
  }
  for k, v in pairs(msg) do
    if not NON_TAG_KEYS[k] then
      append(out.Tags, { name = k, value = v })
    end
  end
  if type(msg.Tags) == "table" then
    for k, v in pairs(msg.Tags) do
      if type(v) == "table" and v.name then
        append(out.Tags, { name = v.name, value = v.value })
      else
        append(out.Tags, { name = k, value = v })
      end
    end
  end
  append(ao.outbox.Messages, out)
  return out
end

Handlers = Handlers or { list = {} }

local function find(name)
  for i, h in ipairs(Handlers.list) do
    if h.name == name then
      return i
    end
  end
end

function Handlers.add(name, pattern, handle)
  if handle == nil then
    handle, pattern = pattern, name
  end
  local entry = { name = name, pattern = pattern, handle = handle }
  local i = find(name)
  if i then
    Handlers.list[i] = entry
  else
    append(Handlers.list, entry)
  end
  return #Handlers.list
end

function Handlers.remove(name)
  local i = find(name)
  if not i then
    return
  end
  local list = {}
  for j, h in ipairs(Handlers.list) do
    if j ~= i then
      append(list, h)
    end
  end
  Handlers.list = list
end

local function matches(pattern, msg)
  if type(pattern) == "function" then
    return pattern(msg)
  elseif type(pattern) == "string" then
    return msg.Action == pattern
  elseif type(pattern) == "table" then
    for k, v in pairs(pattern) do
      if msg[k] ~= v and not (v == "_" and msg[k] ~= nil) then
        return false
      end
    end
    return true
  end
  return false
end

function Handlers.evaluate(msg)
  for _, h in ipairs(Handlers.list) do
    local r = matches(h.pattern, msg)
    if r == true or r == -1 or r == "break" or r == 1 or r == "continue" then
      h.handle(msg)
      if not (r == 1 or r == "continue") then
        return true
      end
    end
  end
  return false
end

function runtime.handle(msg)
  ao.clearOutbox()
  msg.reply = function(reply)
    reply.Target = msg["Reply-To"] or reply.Target or msg.From
    reply["X-Reference"] = msg["X-Reference"] or msg.Reference
    return ao.send(reply)
  end
  Handlers.evaluate(msg)
end

__aolite = runtime
