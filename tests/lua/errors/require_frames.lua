-- A module's loader runs below a [C] require frame: tracebacks and error levels through it.
package.preload["mod"] = function(name)
  local function bad() local t = nil; return t.x end
  local M = {}
  M.v = bad()
  return M
end
print(xpcall(function() local m = require("mod") return m end, debug.traceback))
package.preload["mod2"] = function(name)
  error("mod2 failed", 2)
end
print(pcall(require, "mod2"))
package.preload["mod3"] = function(name)
  return { ok = true }
end
print(require("mod3").ok, package.loaded.mod3.ok)
