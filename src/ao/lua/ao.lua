-- .ao / ao: the process's view of the network: identity, the outbox, and sending.
local previous = ao or {}

local ao = {
  _version = "0.0.6",
  id = previous.id or "",
  _module = previous._module or "",
  authorities = previous.authorities or {},
  reference = previous.reference or 0,
  outbox = previous.outbox or { Output = {}, Messages = {}, Spawns = {}, Assignments = {} },
  nonExtractableTags = {
    "Data-Protocol", "Variant", "From-Process", "From-Module", "Type",
    "From", "Owner", "Anchor", "Target", "Data", "Tags", "Read-Only",
  },
  nonForwardableTags = {
    "Data-Protocol", "Variant", "From-Process", "From-Module", "Type",
    "From", "Owner", "Anchor", "Target", "Tags", "TagArray", "Hash-Chain",
    "Timestamp", "Nonce", "Epoch", "Signature", "Forwarded-By",
    "Pushed-For", "Read-Only", "Cron", "Block-Height", "Reference", "Id",
    "Reply-To",
  },
  Nonce = nil,
}
-- (fast paths, defined at the end; this module keeps its line numbers: they show in error positions)
local setOf, nonExtractable, nonForwardable, items, extractTags, dropUnforwardable, authorityTags, newMessage, nativeSend local function contains(list, value)
  for _, v in ipairs(list) do
    if v == value then
      return true
    end
  end
  return false
end

local function isArray(t)
  if type(t) ~= "table" then
    return false
  end
  local highest = 0
  for k in pairs(t) do
    if type(k) ~= "number" or k < 1 or math.floor(k) ~= k then
      return false
    end
    highest = math.max(highest, k)
  end
  return highest == #t
end

-- Root keys other than these become tags of an outgoing message.
local NOT_TAGS = { Target = true, Data = true, Anchor = true, Tags = true, From = true }

local function collectTags(tags, msg)
  for k, v in pairs(msg) do
    if not NOT_TAGS[k] then
      table.insert(tags, { name = k, value = v })
    end
  end
  if msg.Tags then
    if isArray(msg.Tags) then
      for _, tag in ipairs(msg.Tags) do
        table.insert(tags, tag)
      end
    else
      for k, v in pairs(msg.Tags) do
        table.insert(tags, { name = k, value = v })
      end
    end
  end
end









function ao.clone(obj, seen)
  if type(obj) ~= "table" then
    return obj
  end
  seen = seen or {}
  if seen[obj] then
    return seen[obj]
  end
  local copy = {}
  seen[obj] = copy
  for k, v in pairs(obj) do
    copy[ao.clone(k, seen)] = ao.clone(v, seen)
  end
  return setmetatable(copy, getmetatable(obj))
end

function ao.normalize(msg)
  if type(msg.Tags) ~= "table" then for _ in ipairs(msg.Tags) do end end -- ipairs's checks, here
  return extractTags(msg)
end





function ao.sanitize(msg)
  return dropUnforwardable(ao.clone(msg))
end







function ao.init(env)
  if ao.id == "" then
    ao.id = env.Process.Id
  end
  if ao._module == "" then
    for _, tag in ipairs(env.Process.Tags) do
      if tag.name == "Module" then
        ao._module = tag.value
      end
    end
  end
  if type(env.Process.Tags) ~= "table" then for _ in ipairs(env.Process.Tags) do end end authorityTags(env.Process.Tags)








  ao.outbox = { Output = {}, Messages = {}, Spawns = {}, Assignments = {} }
  ao.env = env
end

function ao.log(txt)
  if type(ao.outbox.Output) == "string" then
    ao.outbox.Output = { ao.outbox.Output }
  end
  table.insert(ao.outbox.Output, txt)
end

function ao.clearOutbox()
  ao.outbox = { Output = {}, Messages = {}, Spawns = {}, Assignments = {} }
end

local function anchor(reference)
  return string.format("%032d", reference)
end

function ao.send(msg)
  local message, ref if nativeSend then message, ref = nativeSend(msg, ao) end if not message then assert(type(msg) == "table", "msg should be a table") -- aos:367 (natively up to the closures in the usual case: `send`, send.rs)
  ao.reference = ao.reference + 1
  ref = tostring(ao.reference)
  local collected message, collected = newMessage(msg, ref, ao.reference) message = message or {
    Target = msg.Target,
    Data = msg.Data,
    Anchor = anchor(ao.reference),
    Tags = {
      { name = "Data-Protocol", value = "ao" },
      { name = "Variant", value = "ao.TN.1" },
      { name = "Type", value = "Message" },
      { name = "Reference", value = ref },
    },
  }
  if not collected then collectTags(message.Tags, msg) end
  if not Handlers then
    return message
  end
  table.insert(ao.outbox.Messages, { Target = message.Target, Data = message.Data, Anchor = message.Anchor, Tags = message.Tags }) end -- its fields (no onReply/receive)
  -- (handler) waits for the target's reply; (from, handler) for a reply from `from`.
  function message.onReply(...)
    local from, resolver
    if select("#", ...) == 2 then
      from, resolver = ...
    else
      from, resolver = message.Target, ...
    end
    Handlers.once({ From = from, ["X-Reference"] = ref }, resolver)
  end
  function message.receive(...)
    local from = message.Target
    if select("#", ...) == 1 then
      from = ...
    end
    return Handlers.receive({ From = from, ["X-Reference"] = ref })
  end
  return message
end

function ao.spawn(module, msg)
  assert(type(module) == "string", "Module source id is required!") -- aos:523
  assert(type(msg) == "table", "Message must be a table") -- aos:525
  ao.reference = ao.reference + 1
  local ref = tostring(ao.reference)
  local spawn = {
    Data = msg.Data or "NODATA",
    Anchor = anchor(ao.reference),
    Tags = {
      { name = "Data-Protocol", value = "ao" },
      { name = "Variant", value = "ao.TN.1" },
      { name = "Type", value = "Process" },
      { name = "From-Process", value = ao.id },
      { name = "From-Module", value = ao._module },
      { name = "Module", value = module },
      { name = "Reference", value = ref },
    },
  }
  collectTags(spawn.Tags, msg)
  if not Handlers then
    return spawn
  end
  table.insert(ao.outbox.Spawns, { Data = spawn.Data, Anchor = spawn.Anchor, Tags = spawn.Tags })
  local notice = { Action = "Spawned", From = ao.id, Reference = ref }
  function spawn.onReply(callback)
    Handlers.once(notice, callback)
  end
  function spawn.receive()
    return Handlers.receive(notice)
  end
  return spawn
end

function ao.assign(assignment)
  assert(type(assignment) == "table", "assignment should be a table") -- aos:819
  assert(type(assignment.Processes) == "table", "Processes should be a table") -- aos:821
  assert(type(assignment.Message) == "string", "Message should be a string") -- aos:823
  table.insert(ao.outbox.Assignments, assignment)
end

function ao.isTrusted(msg)
  for _, authority in ipairs(ao.authorities) do
    if msg.From == authority or msg.Owner == authority then
      return true
    end
  end
  return false
end

function ao.result(result)
  if ao.outbox.Error or result.Error then
    return { Error = result.Error or ao.outbox.Error }
  end
  return {
    Output = result.Output or ao.outbox.Output,
    Messages = ao.outbox.Messages,
    Spawns = ao.outbox.Spawns,
    Assignments = ao.outbox.Assignments,
  }
end

-- Fast paths of the work above (declared before `contains`). Each gives what the code it
-- stands in for gives.

-- Native helpers (given at install, not part of the global state; `.process` removes the
-- global once it has them). Without them (the module loaded again later) the Lua runs.
local natives = _AOLITE_NATIVES or {}

-- The items `ipairs(t)` visits, walked with a `while` loop (`t[i]` until nil, `__index`
-- included, as ipairs reads them), which costs a fraction of ipairs's iterator calls: a
-- table is its own items; anything else goes through `ipairs` itself (its error, or no
-- items for a string).
local NO_ITEMS = {}
function items(t)
  if type(t) == "table" then
    return t
  end
  for _ in ipairs(t) do
  end
  return NO_ITEMS
end

-- `contains(list, value)` for many values of one list: a set of the list's values, kept in
-- `cache` and made again whenever the list is another table or differs item by item from
-- the one the set was made of (user code may change `ao.nonExtractableTags`). A list with
-- a metatable gets no set (`nil`): its items are read as `contains` reads them.
function setOf(cache, list)
  if type(list) ~= "table" or getmetatable(list) ~= nil then
    return nil
  end
  local snapshot = cache.items
  if cache.list == list then
    -- The same items in the same places, and no more (`list` has no metatable).
    local n = snapshot.n
    local same = list[n + 1] == nil
    for i = 1, n do
      if not same then
        break
      end
      same = list[i] == snapshot[i]
    end
    if same then
      return cache.set
    end
  end
  local set, copy = {}, {}
  local n = 0
  for i, v in ipairs(list) do
    if v ~= v then
      return nil
    end
    set[v] = true
    copy[i] = v
    n = i
  end
  copy.n = n
  cache.list, cache.items, cache.set = list, copy, set
  return set
end

nonExtractable, nonForwardable = {}, {}

-- `ao.normalize`: tags to the root, but for the non-extractable ones (natively in the usual
-- case: see `extract_tags` in runtime.rs).
local nativeExtract = natives.extractTags
function extractTags(msg)
  if nativeExtract and nativeExtract(msg, ao.nonExtractableTags) then
    return msg
  end
  local skip = setOf(nonExtractable, ao.nonExtractableTags)
  local tags = items(msg.Tags)
  local i = 1
  local tag = tags[1]
  while tag ~= nil do
    local name = tag.name
    local extract
    if skip then
      extract = name == nil or not skip[name]
    else
      extract = not contains(ao.nonExtractableTags, name)
    end
    if extract then
      msg[name] = tag.value
    end
    i = i + 1
    tag = tags[i]
  end
  return msg
end

-- `ao.sanitize` of a clone: non-forwardable keys dropped.
function dropUnforwardable(copy)
  local drop = setOf(nonForwardable, ao.nonForwardableTags)
  for k in pairs(copy) do
    if drop then
      if drop[k] then
        copy[k] = nil
      end
    elseif contains(ao.nonForwardableTags, k) then
      copy[k] = nil
    end
  end
  return copy
end

-- `ao.init`'s Authority tags: each comma-separated value not yet there joins ao.authorities.
local nativeKnownAuthorities = natives.knownAuthorities
function authorityTags(processTags)
  if nativeKnownAuthorities and nativeKnownAuthorities(processTags, ao.authorities) then
    return
  end
  local tags = items(processTags)
  local i = 1
  local tag = tags[1]
  while tag ~= nil do
    if tag.name == "Authority" then
      for part in string.gmatch(tag.value, "[^,]+") do
        if part ~= "" and not contains(ao.authorities, part) then
          table.insert(ao.authorities, part)
        end
      end
    end
    i = i + 1
    tag = tags[i]
  end
end

-- `ao.send`'s message and its tags from the root keys, built natively in the usual case
-- (see `newMessage` in runtime.rs: `msg` plain, no `Tags`, and `pairs`, `table.insert` and
-- `string.format` the built-in functions): `message, true`; otherwise nothing, and the
-- constructor and `collectTags` above build it.
local nativeMessage = natives.newMessage
nativeSend = natives.send
function newMessage(msg, ref, reference)
  if nativeMessage then
    local message = nativeMessage(msg, ref, reference)
    if message then
      return message, true
    end
  end
end

-- Routing hints (aos 2.0.6): a `From-Process` tag may read `pid&hint=H&hint-ttl=T`. Finding a
-- hint makes `ao._hints` exist; as in aos, the entry itself is only written when the tag
-- names no process, which a tag with a hint always does, so the registry stays as it was.
-- The registry is then kept to 1000 entries by dropping the one with the smallest ttl.
local function splitOn(text, pattern)
  local parts = {}
  for part in string.gmatch(text, pattern) do
    parts[#parts + 1] = part
  end
  return parts
end

function ao.registerHint(msg)
  local process, hint, ttl
  if msg.Tags then
    for name, value in pairs(msg.Tags) do
      if name == "From-Process" then
        local parts = {}
        for part in string.gmatch(value, "[^&]+") do -- aos:695
          parts[#parts + 1] = part
        end
        local hintPair = parts[2] and splitOn(parts[2], "[^=]+") or {}
        local ttlPair = parts[3] and splitOn(parts[3], "[^=]+") or {}
        process, hint, ttl = parts[1], hintPair[2], ttlPair[2]
        break
      end
    end
  end
  if hint then
    ao._hints = ao._hints or {}
    if not process then
      ao._hints[process] = { hint = hint, ttl = ttl }
    end
  end
  local hints = ao._hints
  if hints then
    local count, oldest, oldestKey = 0, nil, nil
    for key, entry in pairs(hints) do
      count = count + 1
      if not oldest or entry.ttl < oldest then
        oldest, oldestKey = entry.ttl, key
      end
    end
    if count > 1000 and oldestKey then
      hints[oldestKey] = nil
    end
  end
end

return ao
