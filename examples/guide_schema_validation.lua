-- State-management guide: schema validation. Fields are checked in sorted
-- order (the guide iterates with pairs, which would make the reported first
-- error depend on hash order).
local json = require('json')

StateSchemas = {
  user = { name = "string", email = "string", createdAt = "number", status = "string", metadata = "table" },
  token = { name = "string", ticker = "string", supply = "number", denomination = "number", owner = "string", mintable = "boolean" }
}
ConfigTypes = { fee = "number", paused = "boolean", label = "string" }
Users = Users or {}
Config = Config or {}

local function sortedKeys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  return keys
end

function validateSchema(data, schemaName)
  local schema = StateSchemas[schemaName]
  if not schema then return false, "Unknown schema: " .. schemaName end
  if type(data) ~= "table" then return false, "Data must be a table, got " .. type(data) end
  for _, field in ipairs(sortedKeys(schema)) do
    local expectedType = schema[field]
    local actualType = type(data[field])
    if actualType ~= expectedType then
      return false, "Field " .. field .. " must be " .. expectedType .. " (got " .. actualType .. ")"
    end
  end
  return true, "Valid"
end

function validateConfigValue(key, value)
  return ConfigTypes[key] ~= nil and type(value) == ConfigTypes[key]
end

Handlers.add("RegisterUser", "RegisterUser", function(msg)
  -- Content-Type: application/json makes msg.Data a table already
  local user = msg.Data
  local ok, why = validateSchema(user, "user")
  if not ok then
    msg.reply({ Action = "Invalid-User", Data = why })
    return
  end
  Users[msg.From] = user
  msg.reply({ Action = "User-Registered", Data = user.name })
end)

Handlers.add("SetConfig", "SetConfig", function(msg)
  local value = json.decode(msg.Data)
  Config[msg.Tags.Key] = value
end)

Handlers.add("ValidateState", "ValidateState", function(msg)
  local results = {}
  for _, address in ipairs(sortedKeys(Users)) do
    local valid, err = validateSchema(Users[address], "user")
    if not valid then table.insert(results, { type = "user", address = address, error = err }) end
  end
  for _, key in ipairs(sortedKeys(Config)) do
    if not validateConfigValue(key, Config[key]) then
      table.insert(results, { type = "config", key = key, error = "Invalid configuration value" })
    end
  end
  msg.reply({ Data = json.encode({ valid = #results == 0, errors = results, timestamp = os.time() }) })
end)
