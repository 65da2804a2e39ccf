-- Modules bundled into one source, as the aos CLI's .load does for require'd
-- files (a loader function stored in package.loaded) and as hand-written
-- bundles do with package.preload; handlers then require them.
local function _loaded_mod_config()
  local config = { fee_bps = 25, name = "bundle-demo" }
  function config.describe() return config.name .. " fee " .. config.fee_bps .. "bps" end
  return config
end
_G.package.loaded["config"] = _loaded_mod_config()

LoadCount = LoadCount or {}

package.preload["lib.fees"] = function(name, extra)
  LoadCount[name] = (LoadCount[name] or 0) + 1
  local config = require("config")
  local bint = require(".bint")(256)
  local M = { loadedAs = name, extra = tostring(extra) }
  function M.fee(amount)
    return tostring(bint(amount) * config.fee_bps // 10000)
  end
  return M
end

package.preload["lib.silent"] = function() LoadCount.silent = (LoadCount.silent or 0) + 1 end

package.preload["lib.broken"] = function() error("broken module init") end

Handlers.add("quote", "Quote", function(msg)
  local fees = require("lib.fees")
  local amount = msg.Tags.Amount
  msg.reply({ Action = "Quote", Amount = amount, Fee = fees.fee(amount), Data = require("config").describe() })
end)

Handlers.add("inspect", "Inspect", function(msg)
  local a, b = require("lib.fees"), require("lib.fees")
  print("same table: " .. tostring(a == b) .. ", loaded as " .. a.loadedAs .. ", extra " .. a.extra)
  print("silent returns " .. tostring(require("lib.silent")) .. " twice " .. tostring(require("lib.silent")))
  print("package.loaded.silent " .. tostring(package.loaded["lib.silent"]))
  print("json is " .. type(require("json")) .. ", same as global: " .. tostring(require("json") == json))
  print("utils same: " .. tostring(require(".utils") == utils))
  print("loads " .. LoadCount["lib.fees"] .. " " .. LoadCount.silent)
end)

Handlers.add("optional", "Optional", function(msg)
  local ok, err = pcall(require, "lib.missing")
  print("missing ok=" .. tostring(ok))
  print("missing first line: " .. tostring(err):match("^[^\n]*"))
  print("mentions preload: " .. tostring(tostring(err):find("no field package.preload['lib.missing']", 1, true) ~= nil))
  local ok2, err2 = pcall(require, "lib.broken")
  print("broken ok=" .. tostring(ok2) .. " " .. tostring(err2))
  print("broken cached: " .. tostring(package.loaded["lib.broken"]))
end)

Handlers.add("reload", "Reload", function(msg)
  package.loaded["lib.fees"] = nil
  local fees = require("lib.fees")
  print("reloaded, loads now " .. LoadCount["lib.fees"] .. ", fee of 1000000 = " .. fees.fee("1000000"))
end)

Handlers.add("hard-fail", "Hard-Fail", function(msg)
  require("lib.nowhere")
end)
