-- .handlers-utils: pattern and handler builders for Handlers.add.
local utils = require(".utils")

local hu = { _version = "0.0.2" }

function hu.hasMatchingTag(name, value)
  assert(type(name) == "string" and type(value) == "string", "invalid arguments: (name : string, value : string)") -- aos:45
  return function(msg)
    return msg.Tags[name] == value
  end
end

function hu.hasMatchingTagOf(name, values)
  assert(type(name) == "string" and type(values) == "table", "invalid arguments: (name : string, values : string[])") -- aos:71
  return function(msg)
    for _, value in ipairs(values) do
      local r = Handlers.utils.hasMatchingTag(name, value)(msg)
      if r ~= 0 and r ~= false and r ~= "skip" then
        return r
      end
    end
    return 0
  end
end

function hu.hasMatchingData(value)
  assert(type(value) == "string", "invalid arguments: (value : string)") -- aos:109
  return function(msg)
    return msg.Data == value
  end
end

function hu.reply(input)
  assert(type(input) == "table" or type(input) == "string", "invalid arguments: (input : table or string)") -- aos:131
  return function(msg)
    if type(input) == "string" then
      msg.reply({ Data = input })
    else
      msg.reply(input)
    end
  end
end

-- Turns a positive match into "continue" (1) so later handlers also run.
function hu.continue(pattern)
  return function(msg)
    local match = utils.matchesSpec(msg, pattern)
    if not match or match == 0 or match == "skip" then
      return match
    end
    return 1
  end
end

return hu
