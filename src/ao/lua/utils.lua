-- .utils: pattern matching for handlers and small functional helpers, with the
-- behaviour of aos's utils module (curried helpers, array assertions).
local utils = { _version = "0.0.5" }

-- Characters that turn a string pattern into a Lua pattern.
local MAGIC = "[%^%$%(%)%%%.%[%]%*%+%?]"

function utils.matchesPattern(pattern, value, msg)
  if not pattern then
    return false
  end
  if pattern == "_" then
    return true
  end
  local kind = type(pattern)
  if kind == "function" then
    return pattern(value, msg) and true or false
  elseif kind == "string" then
    local subject = string.lower(value or "")
    local wanted = string.lower(pattern)
    if string.match(pattern, MAGIC) then
      return string.match(subject, wanted) ~= nil
    end
    return subject == wanted
  elseif kind == "table" then
    for _, alternative in pairs(pattern) do
      if utils.matchesPattern(alternative, value, msg) then
        return true
      end
    end
  end
  return false
end

function utils.matchesSpec(msg, spec)
  local kind = type(spec)
  if kind == "function" then
    return spec(msg)
  elseif kind == "table" then
    for key, pattern in pairs(spec) do
      if not msg[key] or not utils.matchesPattern(pattern, msg[key], msg) then
        return false
      end
    end
    return true
  elseif kind == "string" then
    return msg.Action ~= nil and msg.Action == spec
  end
  return false
end

-- "content_type" and "content-type" both become "Content-Type".
function utils.normalize(str)
  if type(str) ~= "string" then
    return str
  end
  local s = string.lower((string.gsub(str, "_", "-")))
  s = string.gsub(s, "^%l", string.upper)
  s = string.gsub(s, "%-(%l)", function(c) return "-" .. string.upper(c) end)
  return s
end

function utils.capitalize(str)
  if type(str) ~= "string" or str == "" then
    return str
  end
  return string.upper(string.sub(str, 1, 1)) .. string.lower(string.sub(str, 2))
end

-- An array here: only positive integer keys, and as many as the border says.
local function isArray(t)
  if type(t) ~= "table" then
    return false
  end
  local highest = 0
  for k in pairs(t) do
    if type(k) ~= "number" or k < 1 or math.floor(k) ~= k then
      return false
    end
    if k > highest then
      highest = k
    end
  end
  return highest == #t
end

function utils.curry(fn, arity)
  assert(type(fn) == "function", "function is required as first argument") -- aos:345
  arity = arity or debug.getinfo(fn, "u").nparams
  if arity < 2 then
    return fn
  end
  return function(...)
    -- Count with select: `#` on a table with holes is not portable between VMs, and
    -- PUC Lua (which aos runs) counts the trailing nil-separated values here.
    local n = select("#", ...)
    local given = { ... }
    if n >= arity then
      return fn(table.unpack(given, 1, n))
    end
    return utils.curry(function(...)
      return fn(table.unpack(given, 1, n), ...)
    end, arity - n)
  end
end

utils.concat = utils.curry(function(a, b)
  assert(type(a) == "table", "first argument should be a table that is an array") -- aos:395
  assert(type(b) == "table", "second argument should be a table that is an array") -- aos:397
  assert(isArray(a), "first argument should be a table") -- aos:399
  assert(isArray(b), "second argument should be a table") -- aos:401
  local out = {}
  for i = 1, #a do out[#out + 1] = a[i] end
  for i = 1, #b do out[#out + 1] = b[i] end
  return out
end, 2)

utils.reduce = utils.curry(function(fn, initial, t)
  assert(type(fn) == "function", "first argument should be a function that accepts (result, value, key)") -- aos:443
  assert(type(t) == "table" and isArray(t), "third argument should be a table that is an array") -- aos:445
  local acc = initial
  for k, v in pairs(t) do
    if acc == nil then
      acc = v
    else
      acc = fn(acc, v, k)
    end
  end
  return acc
end, 3)

utils.map = utils.curry(function(fn, data)
  assert(type(fn) == "function", "first argument should be a unary function") -- aos:485
  assert(type(data) == "table" and isArray(data), "second argument should be an Array") -- aos:487
  return utils.reduce(function(acc, v, k)
    acc[k] = fn(v, k)
    return acc
  end, {}, data)
end, 2)

utils.filter = utils.curry(function(fn, data)
  assert(type(fn) == "function", "first argument should be a unary function") -- aos:523
  assert(type(data) == "table" and isArray(data), "second argument should be an Array") -- aos:525
  return utils.reduce(function(acc, v)
    if fn(v) then
      table.insert(acc, v)
    end
    return acc
  end, {}, data)
end, 2)

utils.find = utils.curry(function(fn, t)
  assert(type(fn) == "function", "first argument should be a unary function") -- aos:565
  assert(type(t) == "table", "second argument should be a table that is an array") -- aos:567
  for _, v in pairs(t) do
    if fn(v) then
      return v
    end
  end
end, 2)

utils.propEq = utils.curry(function(name, value, object)
  assert(type(name) == "string", "first argument should be a string") -- aos:601
  assert(type(value) == "string", "second argument should be a string") -- aos:603
  assert(type(object) == "table", "third argument should be a table<object>") -- aos:605
  return object[name] == value
end, 3)

function utils.reverse(data)
  assert(type(data) == "table", "argument needs to be a table that is an array") -- aos:629
  return utils.reduce(function(acc, v, i)
    acc[#data - i + 1] = v
    return acc
  end, {}, data)
end

utils.compose = utils.curry(function(...)
  local fns = utils.reverse({ ... })
  return function(v)
    local result = v
    for _, fn in pairs(fns) do
      assert(type(fn) == "function", "each argument needs to be a function") -- aos:675
      result = fn(result)
    end
    return result
  end
end, 2)

utils.prop = utils.curry(function(name, object)
  return object[name]
end, 2)

utils.includes = utils.curry(function(value, t)
  assert(type(t) == "table", "argument needs to be a table") -- aos:727
  assert(isArray(t), "argument should be a table that is an array") -- aos:729
  return utils.find(function(v) return v == value end, t) ~= nil
end, 2)

function utils.keys(t)
  assert(type(t) == "table", "argument needs to be a table") -- aos:749
  local out = {}
  for k in pairs(t) do
    table.insert(out, k)
  end
  return out
end

function utils.values(t)
  assert(type(t) == "table", "argument needs to be a table") -- aos:777
  local out = {}
  for _, v in pairs(t) do
    table.insert(out, v)
  end
  return out
end

return utils
