-- the four searchers of Lua 5.3 and the "module not found" message they build
print(#package.searchers, type(package.searchers[1]), type(package.searchers[2]), type(package.searchers[3]), type(package.searchers[4]))
package.path = "./?.lua;/opt/lua/?/init.lua;;"
package.cpath = "./?.so;/opt/lib/?.so"
print(select(2, pcall(require, "lib.nowhere")))
print(select(2, pcall(require, "plain")))
print(package.searchers[2]("a.b.c"))
print(package.searchers[3]("a.b"))
print(package.searchers[4]("a.b"))
print(select("#", package.searchers[4]("root")))
print(package.searchpath("x.y", "a/?.lua;b/?/?.lua"))
print(package.searchpath("x.y", "?.lua", "", ""))
print(package.searchpath("x_y", "?.lua", "_", "+"))
package.path = 42
print(pcall(package.searchers[2], "m"))
package.path = nil
print(pcall(require, "m"))
