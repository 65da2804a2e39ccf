-- .assignment: which assigned messages (Target ~= ao.id) a process accepts.
local utils = require(".utils")

local assignment = { _version = "0.1.0" }

function assignment.init(ao)
  local function indexOf(name)
    for i, a in ipairs(ao.assignables) do
      if a.name == name then
        return i
      end
    end
  end

  ao.assignables = ao.assignables or {}

  ao.addAssignable = ao.addAssignable or function(...)
    local name, spec
    if select("#", ...) == 1 then
      spec = ...
    else
      name, spec = ...
      assert(type(name) == "string", "MatchSpec name MUST be a string")
    end
    local i = name and indexOf(name)
    if i then
      ao.assignables[i].pattern = spec
    else
      table.insert(ao.assignables, { pattern = spec, name = name })
    end
  end

  ao.removeAssignable = ao.removeAssignable or function(name)
    local i
    if type(name) == "string" then
      i = indexOf(name)
    else
      assert(type(name) == "number", "index MUST be a number")
      i = name
    end
    if i == nil or i <= 0 or i > #ao.assignables then
      return
    end
    table.remove(ao.assignables, i)
  end

  ao.isAssignment = ao.isAssignment or function(msg)
    return msg.Target ~= ao.id
  end

  ao.isAssignable = ao.isAssignable or function(msg)
    for _, a in pairs(ao.assignables) do
      if utils.matchesSpec(msg, a.pattern) then
        return true
      end
    end
    return false
  end
end

return assignment
