-- require with package.loaded and package.preload
print(type(package), type(package.loaded), type(package.preload), type(package.path), type(package.searchers))
print(package.loaded._G == _G, package.loaded.string == string, package.loaded.math == math)
print(package.loaded.table == table, package.loaded.coroutine == coroutine, package.loaded.utf8 == utf8)
print(package.loaded.os == os, package.loaded.debug == debug, package.loaded.package == package)
print(require("string") == string, require("math") == math)
local calls = 0
package.preload.mymod = function(name, extra)
  calls = calls + 1
  print("loading", name, extra)
  return {value = 42}
end
local m = require("mymod")
print(m.value, calls, package.loaded.mymod == m)
print(require("mymod") == m, calls)
package.preload.noreturn = function() calls = calls + 1 end
print(require("noreturn"), package.loaded.noreturn, calls)
package.loaded.preset = "preset value"
print(require("preset"))
package.preload.failing = function() error("load failed", 0) end
print(pcall(require, "failing"))
print(package.loaded.failing)
local ok, msg = pcall(require, "does.not.exist")
print(ok, msg:sub(1, 35))
print(pcall(require))
package.preload.selfref = function(name) package.loaded[name] = "set inside"; return nil end
print(require("selfref"))
package.searchers[#package.searchers + 1] = (function(name)
  if name == "virtual" then return function() return "from searcher" end, "extra" end
  return "\n\tno virtual module '" .. name .. "'"
end)
print(require("virtual"))
print(select(2, pcall(require, "nothing")):sub(1, 30))
