-- .handlers: the ordered handler list and its evaluation, as in aos.
local utils = require(".utils")

local handlers = { _version = "0.0.5" }
handlers.utils = require(".handlers-utils")
-- Reloading the module keeps the registered handlers and waiting coroutines.
handlers.list = Handlers and Handlers.list or {}
handlers.coroutines = Handlers and Handlers.coroutines or {}
handlers.onceNonce = 0 local run, ranDefault, nativeMatch, matchParts -- run(h, msg, env) is pcall(h.handle, msg, env) and ranDefault(i) is i, both noting the handler for the outcome; nativeMatch tests patterns (set at the end)

local USAGE = "Invalid arguments given. Expected: \n"
  .. "\tname : string, "
  .. "\tpattern : Action : string | MsgMatch : table,\n"
  .. "\t\tfunction(msg: Message) : {-1 = break, 0 = skip, 1 = continue},\n"
  .. "\thandle(msg : Message) : void) | Resolver,\n"
  .. "\tMaxRuns? : number | \"inf\" | nil"

local function indexOf(name)
  local list, i = handlers.list, 1 if type(list) ~= "table" then for _ in ipairs(list) do end list = {} end local h = list[1] while h ~= nil do -- ipairs's items (see evaluate) -- aos:83
    if h.name == name then
      return i
    end
  i = i + 1 h = list[i] end
end

local function checkArgs(name, pattern)
  local p = type(pattern)
  assert(type(name) == "string" and (p == "function" or p == "table" or p == "string"), USAGE) -- aos:113
end

-- (name, handle) uses the name as the Action pattern; (name, pattern, handle[, maxRuns]).
local function readArgs(...)
  local n = select("#", ...)
  local name, pattern, handle, maxRuns = ...
  if n == 2 then
    return name, name, pattern, nil
  elseif n == 3 then
    return name, pattern, handle, nil
  end
  return name, pattern, handle, maxRuns
end

function handlers.generateResolver(spec)
  return function(msg)
    if type(spec) == "function" then
      return spec(msg)
    end
    for matchSpec, fn in pairs(spec) do
      if utils.matchesSpec(msg, matchSpec) then
        return fn(msg)
      end
    end
  end
end

-- Adds a handler, or updates one of the same name where it stands.
local function upsert(position, ...)
  local name, pattern, handle, maxRuns = readArgs(...)
  checkArgs(name, pattern)
  handle = handlers.generateResolver(handle)
  local i = indexOf(name)
  if i then
    local h = handlers.list[i]
    h.pattern, h.handle, h.maxRuns = pattern, handle, maxRuns
  else
    local entry = { pattern = pattern, handle = handle, name = name, maxRuns = maxRuns }
    if position == "first" then
      table.insert(handlers.list, 1, entry)
    else
      table.insert(handlers.list, entry)
    end
  end
end

function handlers.add(...)
  upsert("last", ...)
  return #handlers.list
end

function handlers.append(...)
  upsert("last", ...)
end

function handlers.prepend(...)
  upsert("first", ...)
end

local function insertRelative(target, offset)
  local i = indexOf(target)
  return {
    add = function(name, pattern, handle, maxRuns)
      checkArgs(name, pattern)
      handle = handlers.generateResolver(handle)
      if i then
        table.insert(handlers.list, i + offset,
          { pattern = pattern, handle = handle, name = name, maxRuns = maxRuns })
      end
    end,
  }
end

function handlers.before(target)
  assert(type(target) == "string", "Handler name MUST be a string") -- aos:525
  return insertRelative(target, 0)
end

function handlers.after(target)
  assert(type(target) == "string", "Handler name MUST be a string") -- aos:569
  return insertRelative(target, 1)
end

function handlers.once(...)
  local name, pattern, handle
  if select("#", ...) == 3 then
    name, pattern, handle = ...
  else
    name = "_once_" .. tostring(handlers.onceNonce)
    handlers.onceNonce = handlers.onceNonce + 1
    pattern, handle = ...
  end
  handlers.prepend(name, pattern, handle, 1)
end

function handlers.remove(name)
  assert(type(name) == "string", "name MUST be string") -- aos:611
  if #handlers.list == 1 and handlers.list[1].name == name then
    handlers.list = {}
  end
  local i = indexOf(name)
  if i then
    table.remove(handlers.list, i)
  end
end

-- Suspends the calling handler until a message matching `pattern` arrives; that
-- message's evaluation resumes it and the message is the return value.
function handlers.receive(pattern)
  local waiting = coroutine.running()
  handlers.once(pattern, function(msg)
    local _, ok, err = coroutine.resume(waiting, msg)
    if not ok then
      error(err) -- aos:199
    end
  end)
  return coroutine.yield(pattern)
end

-- A pattern result becomes -1 (run, stop), 0 (skip) or 1 (run, continue).
local function verdict(match)
  local kind = type(match)
  if kind ~= "number" and kind ~= "string" and kind ~= "boolean" then
    error("Pattern result is not valid, it MUST be string, number, or boolean") -- aos:667
  end
  if kind == "boolean" then
    return match and -1 or 0
  elseif kind == "string" then
    if match == "continue" then
      return 1
    elseif match == "break" then
      return -1
    end
    return 0
  end
  return match
end

function handlers.evaluate(msg, env)
  assert(type(msg) == "table", "msg is not valid") -- aos:653
  assert(type(env) == "table", "env is not valid") -- aos:655
  local handled = false
  local list, i = handlers.list, 1 if type(list) ~= "table" then for _ in ipairs(list) do end list = {} end local h = list[1] while h ~= nil do -- the items ipairs visits, read as it reads them (t[i] until nil, __index included) without its iterator calls; not a table: ipairs's own checks (one line: positions of this module's errors show in outcomes) -- aos:659
    if h.name ~= "_default" then
      local pattern = h.pattern local match = nativeMatch and nativeMatch(msg, pattern, utils, matchParts) if match == nil then match = verdict(utils.matchesSpec(msg, pattern)) end -- natively for patterns that run no code (`match`, patterns.rs)
      if match ~= 0 then
        if match < 0 then
          handled = true
        end
        local ok, err = run(h, msg, env)
        if not ok then
          error(err) -- aos:723
        end
        if h.maxRuns ~= nil and h.maxRuns ~= "inf" then
          h.maxRuns = h.maxRuns - 1
          if h.maxRuns == 0 then
            handlers.remove(h.name)
          end
        end
      end
      if match < 0 then
        return handled
      end
    end
  i = i + 1 h = list[i] end
  if not handled then
    handlers.list[ranDefault(indexOf("_default"))].handle(msg, env)
  end
end


-- The outcome's `Handlers` (an aolite addition) lists the handlers that ran: the runtime's
-- native helpers note them (given at install, not part of the global state). Without them
-- (the module loaded again later) the same calls run unnoted.
local natives = _AOLITE_NATIVES or {}
run = natives.runHandler or function(h, msg, env)
  return pcall(h.handle, msg, env)
end
ranDefault = natives.ranDefault or function(i)
  return i
end
nativeMatch = natives.match
-- The functions `nativeMatch` stands in for, as installed.
matchParts = { matchesSpec = utils.matchesSpec, matchesPattern = utils.matchesPattern }
-- `.process` adds its `_eval` pattern to these (handed over here, once, at load).
natives.matchParts = matchParts

return handlers
