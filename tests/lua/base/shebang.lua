#!/usr/bin/env lua5.3
-- A first line starting with # is skipped, as lua does for script files.
print("shebang", debug.getinfo(1, "l").currentline)
local ok, e = pcall(error, "here")
print(ok, e)
error("line 6")
