-- .process: the aos process model. The host calls `handle(msg, env)` for every message
-- and reads the returned result ({Output, Messages, Spawns, Assignments} or {Error}).
local json = require("json")
local chance = require(".chance")
local stringify = require(".stringify")
local assignment = require(".assignment")

if not package.loaded["ao"] then
  package.loaded["ao"] = require(".ao")
end

Colors = {
  red = "\27[31m",
  green = "\27[32m",
  blue = "\27[34m",
  reset = "\27[0m",
  gray = "\27[90m",
}
Bell = "\x07"
Dump = require(".dump")
Utils = require(".utils")
Handlers = require(".handlers")
Nonce = Nonce or nil
ao = require(".ao")
assignment.init(ao)

local process = { _version = "2.0.4" }
local MAX_INBOX = 10000 local normalizeMessage, inboxRemove, tagMap, register, evalPattern, defaultPattern, keepWaiting, nativePrompt, nativeInboxText, nativeBegin, runtimeParts, nativeFinish, nativePrint -- fast paths, defined at the end (this module keeps its line numbers: they show in error positions)

-- Table Data is sent as JSON, and says so.
local rawSend, rawSpawn = ao.send, ao.spawn
local function encodeData(msg)
  if msg.Data and type(msg.Data) == "table" then
    msg["Content-Type"] = "application/json"
    msg.Data = json.encode(msg.Data)
  end
end
function ao.send(msg)
  encodeData(msg)
  return rawSend(msg)
end
function ao.spawn(module, msg)
  encodeData(msg)
  return rawSpawn(module, msg)
end

local function normalizeMsg(msg)
  return normalizeMessage(msg)
end



















local function insertInbox(msg)
  table.insert(Inbox, msg)
  local overflow = #Inbox - MAX_INBOX
  for _ = 1, overflow do
    inboxRemove()
  end
end

local function find(list, key, value)
  for _, item in ipairs(list) do
    if item[key] == value then
      return item
    end
  end
end

-- Tags as a map; the first of duplicate names wins.
function Tab(msg)
  local tags = msg.Tags
  if type(tags) ~= "table" then for _ in ipairs(tags) do end end -- ipairs's checks, here
  return tagMap(msg)
end





function Prompt() local fast = nativePrompt and nativePrompt(Colors, Name, process._version, Inbox) if fast then return fast end -- natively in the usual case (`prompt` in runtime.rs)
  return Colors.green .. Name .. Colors.gray .. "@" .. Colors.blue .. "aos-" .. process._version
    .. Colors.gray .. "[Inbox:" .. Colors.red .. tostring(#Inbox) .. Colors.gray .. "]"
    .. Colors.reset .. "> "
end

-- aos's print shows one value: tables formatted, other non-strings coloured.
function print(a)
  local done, printed if nativePrint then done, printed = nativePrint(a, runtimeParts, process._version) end if done then return printed end local kind = type(a) -- a string natively in the usual case (`print`, print.rs)
  if kind == "table" then
    a = stringify.format(a)
  elseif kind == "boolean" then
    a = Colors.blue .. tostring(a) .. Colors.reset
  elseif kind == "nil" then
    a = Colors.red .. tostring(a) .. Colors.reset
  elseif kind == "number" then
    a = Colors.green .. tostring(a) .. Colors.reset
  end
  local data = a
  if ao.outbox.Output.data then
    data = ao.outbox.Output.data .. "\n" .. a
  end
  ao.outbox.Output = { data = data, prompt = Prompt(), print = true }
  if HANDLER_PRINT_LOGS then
    table.insert(HANDLER_PRINT_LOGS, a)
    return nil
  end
  return tostring(a)
end

function Send(msg)
  if not msg.Target then
    print("WARN: No target specified for message. Data will be stored, but no process will receive it.")
  end
  local sent = ao.send(msg)
  return { output = "Message added to outbox", receive = sent.receive, onReply = sent.onReply }
end

function Spawn(...)
  local module, msg
  if select("#", ...) == 1 then
    module, msg = ao._module, ...
  else
    module, msg = ...
  end
  local spawned = ao.spawn(module, msg or {})
  return { output = "Spawn process request added to outbox", after = spawned.after, receive = spawned.receive }
end

function Receive(pattern)
  return Handlers.receive(pattern)
end

function Assign(a)
  if not ao.assign then
    print("Assign is not implemented.")
    return "Assign is not implemented."
  end
  ao.assign(a)
  print("Assignment added to outbox.")
  return "Assignment added to outbox."
end

function Version()
  print("version: " .. process._version)
end

Seeded = Seeded or false

local function byteSum(s)
  local sum = 0
  for i = 1, #s do
    sum = sum + string.byte(s, i)
  end
  return sum
end

local function initializeState(msg, env)
  if not Seeded then
    chance.seed(tonumber(msg["Block-Height"] .. byteSum(msg.Owner .. msg.Module .. msg.Id))) -- aos:567
    math.random = function(...)
      local n = select("#", ...)
      local a, b = ...
      if n == 1 then
        return chance.integer(1, a)
      elseif n == 2 then
        return chance.integer(a, b)
      end
      return chance.random()
    end
    Seeded = true
  end
  Errors = Errors or {}
  Inbox = Inbox or {}
  if env.Process.Id == msg.Id and not Owner then
    local from = find(env.Process.Tags, "name", "From-Process")
    Owner = from and from.value or msg.From
  end
  if not Name then
    local name = find(env.Process.Tags, "name", "Name")
    Name = name and name.value or "aos"
  end
end

-- The Eval handler: the Data as an expression, else as a chunk.
local function evaluate(msg)
  local source = msg.Data
  local fn, err = load("return " .. source, "aos", "t", _G)
  if err then
    fn, err = load(source, "aos", "t", _G)
  end
  if not fn then
    ao.outbox.Error = err
    return
  end
  local output, e = fn()
  if e then
    ao.outbox.Error = e
    return
  end
  if HANDLER_PRINT_LOGS and output then
    table.insert(HANDLER_PRINT_LOGS, type(output) == "table" and stringify.format(output) or tostring(output))
  end
end

local function boot(msg)
  if #Inbox == 0 then
    table.insert(Inbox, msg)
  end
  if msg.Tags["On-Boot"] == "Data" then
    evaluate(msg)
  end
end

local function inboxDefault(msg)
  insertInbox(msg) local line = nativeInboxText and nativeInboxText(msg, Colors) if line then print(line) return end -- the line, natively in the usual case (`inbox_text` in runtime.rs)
  local from = msg.From and (string.sub(msg.From, 1, 3) .. "..." .. string.sub(msg.From, -3)) or "unknown"
  local text = Colors.gray .. "New Message From " .. Colors.green .. from .. Colors.gray .. ": "
  if msg.Action then
    text = text .. Colors.gray .. "Action = " .. Colors.blue .. string.sub(msg.Action, 1, 20) .. Colors.reset
  else
    local data = msg.Data
    if type(data) == "table" then
      data = json.encode(data)
    end
    text = text .. Colors.gray .. "Data = " .. Colors.blue .. (data and string.sub(data, 1, 20) or "") .. Colors.reset
  end
  print(text)
end

local function dropLastLines(text, count)
  local lines = {}
  for line in string.gmatch(text, "([^\n]*)\n?") do
    lines[#lines + 1] = line
  end
  for _ = 1, count do
    table.remove(lines)
  end
  return table.concat(lines, "\n")
end

local function attachReplyAndForward(msg)
  function msg.reply(reply)
    reply.Target = msg["Reply-To"] or reply.Target or msg.From
    reply["X-Reference"] = msg["X-Reference"] or msg.Reference
    reply["X-Origin"] = msg["X-Origin"] or nil
    return ao.send(reply)
  end
  function msg.forward(target, extra)
    local copy = ao.sanitize(msg)
    for k, v in pairs(extra or {}) do
      copy[k] = v
    end
    copy.Target = target
    copy["Reply-To"] = msg["Reply-To"] or msg.From
    copy["X-Reference"] = msg["X-Reference"] or msg.Reference
    copy["X-Origin"] = msg["X-Origin"] or msg.From
    copy.reply = nil
    copy.forward = nil
    ao.send(copy)
  end
end

local function logs()
  return table.concat(HANDLER_PRINT_LOGS, "\n")
end

function process.handle(msg, envOrWrapper)
  local env = envOrWrapper.Process and envOrWrapper or envOrWrapper.env
  local fast = nativeBegin and nativeBegin(msg, env, runtimeParts) if not fast then ao.init(env) -- the steps to clearOutbox natively in the usual case (`begin`, prologue.rs)
  msg = normalizeMsg(msg)
  ao.id = ao.env.Process.Id
  initializeState(msg, ao.env)
  HANDLER_PRINT_LOGS = {}
  os.time = function() return msg.Timestamp end

  msg.TagArray = msg.Tags
  msg.Tags = Tab(msg)
  ao.env.Process.TagArray = ao.env.Process.Tags
  ao.env.Process.Tags = Tab(ao.env.Process) end if fast then os.time = function() return msg.Timestamp end end
  if msg.Tags["Content-Type"] == "application/json" then
    msg.Data = json.decode(msg.Data or "{}")
  end
  if not fast then Errors = Errors or {} end
  if not fast then ao.clearOutbox() end

  if fast ~= 2 and msg.From ~= msg.Owner and not ao.isTrusted(msg) then -- (begin's 2: these steps too)
    print("Message is not trusted! From: " .. msg.From .. " - Owner: " .. msg.Owner)
    return ao.result({})
  end
  if fast ~= 2 and ao.isAssignment(msg) and not ao.isAssignable(msg) then
    if msg.From ~= ao.id then
      Send({ Target = msg.From, Data = "Assignment is not trusted by this process!" })
    end
    print("Assignment is not trusted! From: " .. msg.From .. " - Owner: " .. msg.Owner)
    return ao.result({})
  end

  if fast ~= 2 then register("add", "_eval", evalPattern, evaluate)
  if env.Process.Id == msg.Id then
    Handlers.once("_boot", function(m)
      return m.Tags.Type == "Process" and Owner == m.From
    end, boot)
  end
  register("append", "_default", defaultPattern, inboxDefault) end


  attachReplyAndForward(msg)

  local co = coroutine.create(function()
    return pcall(Handlers.evaluate, msg, env)
  end)
  -- Named as aos names them: an error concatenating a non-string error value names `result`.
  local _, status, result = coroutine.resume(co)
  -- Keep coroutines that wait for a later message; forget finished ones (natively in the usual case: `keep_waiting` in runtime.rs).
  if not (keepWaiting and keepWaiting(Handlers.coroutines, co)) then table.insert(Handlers.coroutines, co)
  for i, c in ipairs(Handlers.coroutines) do
    if coroutine.status(c) == "dead" then
      table.remove(Handlers.coroutines, i)
    end
  end end

  if not status then
    if msg.Action == "Eval" then
      table.insert(Errors, result)
      return { Error = logs() .. "\n\n" .. Colors.red .. "error:\n" .. Colors.reset .. result } -- aos:947
    end
    if msg.Action then
      print(Colors.red .. "Error" .. Colors.gray .. " handling message with Action = " .. msg.Action .. Colors.reset) -- aos:957
    else
      print(Colors.red .. "Error" .. Colors.gray .. " handling message " .. Colors.reset) -- aos:961
    end
    print(Colors.green .. result .. Colors.reset) -- aos:965
    print("\n" .. Colors.gray .. dropLastLines(debug.traceback(), 3) .. Colors.reset) -- aos:967
    return ao.result({
      Error = logs() .. "\n\n" .. Colors.red .. "error:\n" .. Colors.reset .. result, -- aos:971
      Messages = {},
      Spawns = {},
      Assignments = {},
    })
  end

  local finished = nativeFinish and nativeFinish(msg, runtimeParts, process._version) if finished then return finished end local output -- natively in the usual case (`finish`, epilogue.rs)
  if msg.Action == "Eval" then
    output = { data = logs(), prompt = Prompt(), test = Dump(HANDLER_PRINT_LOGS) }
  else
    output = { data = logs(), prompt = Prompt(), print = true }
  end
  local response = ao.result({ Output = output })
  HANDLER_PRINT_LOGS = {}
  ao.Nonce = msg.Nonce
  return response
end

-- Fast paths of the work above (declared next to MAX_INBOX). Each gives what the code it
-- stands in for gives.

-- The items `ipairs(t)` visits, walked with a `while` loop (`t[i]` until nil, `__index`
-- included, as ipairs reads them), which costs a fraction of ipairs's iterator calls: a
-- table is its own items; anything else goes through `ipairs` itself (its error, or no
-- items for a string).
local NO_ITEMS = {}
local function items(t)
  if type(t) == "table" then
    return t
  end
  for _ in ipairs(t) do
  end
  return NO_ITEMS
end

-- Native helpers for the work below (given at install, not part of the global state).
local natives = _AOLITE_NATIVES or {}
_AOLITE_NATIVES = nil
keepWaiting = natives.keepWaiting
nativePrompt = natives.prompt
nativeInboxText = natives.inboxText
nativeBegin = natives.begin
nativeFinish = natives.finish
nativePrint = natives.print
local utilsNormalize = Utils.normalize

-- aos calls `Utils.normalize` for every key; while that is still the built-in function
-- (the usual case), its native twin gives the same strings faster.
local function keyNormalizer()
  local u = Utils
  if natives.normalize and type(u) == "table" and rawget(u, "normalize") == utilsNormalize then
    return natives.normalize
  end
end

local nativeNormalizeKeys = natives.normalizeKeys
function normalizeMessage(msg)
  local fast = keyNormalizer()
  if fast and nativeNormalizeKeys and nativeNormalizeKeys(msg) then
    return ao.normalize(msg)
  end
  local renamed = {}
  for key, value in pairs(msg) do
    local norm
    if fast then
      norm = fast(key)
    else
      norm = Utils.normalize(key)
    end
    if norm ~= key then
      renamed[#renamed + 1] = { key, norm, value }
    end
  end
  for _, r in ipairs(renamed) do
    msg[r[1]] = nil
    msg[r[2]] = r[3]
  end
  if type(msg.Tags) == "table" then
    local tags = msg.Tags
    local i = 1
    local tag = tags[1]
    while tag ~= nil do
      local name = tag.name
      if type(name) == "string" then
        if fast then
          -- Storing the same string again changes nothing: only a new name is stored.
          local norm = fast(name)
          if norm ~= name then
            tag.name = norm
          end
        else
          tag.name = Utils.normalize(name)
        end
      end
      i = i + 1
      tag = tags[i]
    end
  end
  return ao.normalize(msg)
end

-- Past the Inbox's cap the oldest messages go, as in aos (`table.remove(Inbox, 1)`). While
-- `table.remove` is the built-in function and Inbox a plain table, a native removal does
-- the same with one undo record instead of one logged write per slot.
local builtinRemove = table.remove
function inboxRemove()
  if natives.removeFirst and rawequal(table.remove, builtinRemove) and type(Inbox) == "table"
      and getmetatable(Inbox) == nil then
    natives.removeFirst(Inbox)
  else
    table.remove(Inbox, 1)
  end
end

local nativeTagMap = natives.tagMap
function tagMap(msg)
  if nativeTagMap then
    local map = nativeTagMap(msg)
    if map then
      return map
    end
  end
  local map = {}
  local tags = items(msg.Tags)
  local i = 1
  local tag = tags[1]
  while tag ~= nil do
    if not map[tag.name] then
      map[tag.name] = tag.value
    end
    i = i + 1
    tag = tags[i]
  end
  return map
end

function evalPattern(m)
  return m.Action == "Eval" and Owner == m.From
end

function defaultPattern()
  return true
end

-- The built-in Handlers module and the functions `register` stands in for.
local builtinHandlers = Handlers
local builtinAdd, builtinAppend = Handlers.add, Handlers.append
local builtinResolver = Handlers.generateResolver
local resolvers = { _eval = builtinResolver(evaluate), _default = builtinResolver(inboxDefault) }

-- aos registers `_eval` and `_default` again on every message with `Handlers.add` /
-- `Handlers.append`: the entry of that name is updated in place (pattern, resolver of the
-- handle, no maxRuns) or appended. While those are the built-in functions, the same entry
-- contents are reached here without rebuilding it: one resolver per handler, made once, and
-- only fields that differ are stored. Replaced functions are called as aos calls them.
local nativeRegister = natives.register
function register(how, name, pattern, handle)
  local h = Handlers
  if not (rawequal(h, builtinHandlers) and rawget(h, how) == (how == "add" and builtinAdd or builtinAppend)
      and rawget(h, "generateResolver") == builtinResolver and type(rawget(h, "list")) == "table") then
    return Handlers[how](name, pattern, handle)
  end
  local resolver = resolvers[name]
  local list = rawget(h, "list")
  if nativeRegister and nativeRegister(list, name, pattern, resolver) then
    return
  end
  local i = 1
  local entry = list[1]
  while entry ~= nil do
    if entry.name == name then
      if getmetatable(entry) ~= nil then
        return Handlers[how](name, pattern, handle)
      end
      if entry.pattern ~= pattern then
        entry.pattern = pattern
      end
      if entry.handle ~= resolver then
        entry.handle = resolver
      end
      if entry.maxRuns ~= nil then
        entry.maxRuns = nil
      end
      return
    end
    i = i + 1
    entry = list[i]
  end
  table.insert(list, { pattern = pattern, handle = resolver, name = name, maxRuns = nil })
end

-- `.handlers`' native pattern test knows the `_eval` pattern by identity.
local matchParts = natives.matchParts
natives.matchParts = nil
if type(matchParts) == "table" then
  matchParts.evalPattern = evalPattern
end

-- What `begin` checks is still in place (a program that replaced one gets the Lua steps),
-- and what it registers.
runtimeParts = {
  ao = ao, init = ao.init, clearOutbox = ao.clearOutbox, normalize = ao.normalize, Tab = Tab,
  utilsNormalize = Utils.normalize, isTrusted = ao.isTrusted, isAssignment = ao.isAssignment,
  Handlers = builtinHandlers, add = builtinAdd, append = builtinAppend, generateResolver = builtinResolver,
  evalPattern = evalPattern, evalResolver = resolvers._eval,
  defaultPattern = defaultPattern, defaultResolver = resolvers._default,
  result = ao.result, Prompt = Prompt,
}

return process
