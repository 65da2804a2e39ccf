-- .stringify: how aos's print shows tables (indented, coloured).
local stringify = { _version = "0.0.1" }

local RED, GREEN, BLUE, RESET = "\27[31m", "\27[32m", "\27[34m", "\27[0m"

local function scalar(v)
  if type(v) == "string" then
    return GREEN .. '"' .. v .. '"' .. RESET
  end
  return BLUE .. tostring(v) .. RESET
end

-- A table of only numbers and strings under keys 1..n, in iteration order.
function stringify.isSimpleArray(t)
  local expected = 1
  for k, v in pairs(t) do
    if k ~= expected or (type(v) ~= "number" and type(v) ~= "string") then
      return false
    end
    expected = expected + 1
  end
  return true
end

function stringify.format(t, indent, visited)
  indent = indent or 0
  local pad = string.rep(" ", indent)
  local childPad = string.rep(" ", indent + 2)
  if stringify.isSimpleArray(t) then
    local items = {}
    for _, v in ipairs(t) do
      table.insert(items, scalar(v))
    end
    return "{ " .. table.concat(items, ", ") .. " }"
  end
  local lines, isArray, nextIndex = {}, true, 1
  for k, v in pairs(t) do
    if isArray then
      if k == nextIndex then
        nextIndex = nextIndex + 1
        if type(v) == "table" then
          v = stringify.format(v, indent + 2)
        else
          v = scalar(v)
        end
        table.insert(lines, childPad .. v)
      else
        isArray = false
        lines = {}
      end
    end
    if not isArray then
      if type(v) == "table" then
        visited = visited or {}
        if visited[v] then
          return "<circular reference>"
        end
        visited[v] = true
        v = stringify.format(v, indent + 2, visited)
      else
        v = scalar(v)
      end
      table.insert(lines, childPad .. RED .. k .. RESET .. " = " .. v)
    end
  end
  if isArray then
    return "{\n" .. table.concat(lines, ",\n") .. "\n" .. pad .. " }"
  end
  return "{\n " .. table.concat(lines, ",\n ") .. "\n" .. pad .. "}"
end

return stringify
