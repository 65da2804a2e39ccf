-- A plugin registry that runs owner-supplied Lua in restricted environments: `load` with an
-- env table, syntax and runtime errors reported back, per-plugin state, `_ENV` tricks and
-- globals read through metatables.
Plugins = Plugins or {}
local Safe = { string = string, table = table, math = math, tostring = tostring, tonumber = tonumber,
  pairs = pairs, ipairs = ipairs, type = type, select = select, pcall = pcall, error = error }

Handlers.add("install", "Install", function(msg)
  local name = msg.Tags.Name
  local env = setmetatable({ state = {} }, { __index = Safe })
  local fn, err = load(msg.Data, "=plugin:" .. name, "t", env)
  if not fn then
    return msg.reply({ Action = "Install-Error", Data = err })
  end
  local ok, result = pcall(fn)
  if not ok then
    return msg.reply({ Action = "Install-Error", Data = tostring(result) })
  end
  Plugins[name] = { env = env, api = result }
  local names = {}
  for k in pairs(result) do names[#names + 1] = k end
  table.sort(names)
  msg.reply({ Action = "Installed", Data = table.concat(names, ",") })
end)

Handlers.add("call", "Call", function(msg)
  local p = Plugins[msg.Tags.Name]
  if not p then return msg.reply({ Data = "no plugin " .. tostring(msg.Tags.Name) }) end
  local f = p.api[msg.Tags.Fn]
  local ok, a, b = pcall(f, msg.Data)
  msg.reply({ Data = tostring(ok) .. " " .. tostring(a) .. " " .. tostring(b) })
end)

Handlers.add("globals", "Globals", function(msg)
  local seen = {}
  for _, n in ipairs({ "Handlers", "ao", "json", "Plugins", "os", "io", "require", "load", "print" }) do
    seen[#seen + 1] = n .. ":" .. type(rawget(_G, n))
  end
  local env = setmetatable({}, { __index = function(_, k) return "missing:" .. k end })
  local chunk = load("return undefinedThing, 1 + 1", "=probe", "t", env)
  local x, y = chunk()
  local _ENV = setmetatable({}, { __index = _G })
  z = 5
  msg.reply({ Data = table.concat(seen, " "), Probe = x .. " " .. y, Z = tostring(z) .. " " .. tostring(rawget(_G, "z")) })
end)
