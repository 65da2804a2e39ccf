-- .dump (the global Dump): a value as Lua source text, keys in a stable order.
local KEYWORDS = {}
for w in string.gmatch("and break do else elseif end false for function goto if in local nil not or repeat return then true until while", "%a+") do
  KEYWORDS[w] = true
end

local function keyOrder(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then
    return ta < tb
  end
  if ta == "number" or ta == "string" then
    return a < b
  end
  return tostring(a) < tostring(b)
end

local function dump(value, indent, seen)
  local kind = type(value)
  if kind == "string" then
    return string.format("%q", value)
  elseif kind ~= "table" then
    return tostring(value)
  end
  if seen[value] then
    return '"<circular>"'
  end
  seen[value] = true
  local keys = {}
  for k in pairs(value) do
    keys[#keys + 1] = k
  end
  table.sort(keys, keyOrder)
  local pad = string.rep("    ", indent + 1)
  local parts = {}
  for _, k in ipairs(keys) do
    local key
    if type(k) == "string" and string.match(k, "^[%a_][%w_]*$") and not KEYWORDS[k] then
      key = k
    else
      key = "[" .. dump(k, indent + 1, seen) .. "]"
    end
    parts[#parts + 1] = pad .. key .. " = " .. dump(value[k], indent + 1, seen)
  end
  seen[value] = nil
  if #parts == 0 then
    return "{}"
  end
  return "{\n" .. table.concat(parts, ",\n") .. "\n" .. string.rep("    ", indent) .. "}"
end

return function(value)
  return dump(value, 0, {})
end
