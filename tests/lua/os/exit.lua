-- os.exit ends the whole script with its status, past pcall, xpcall, coroutines and
-- callbacks; its argument errors are ordinary ones.
print(pcall(os.exit, "x"))
print(pcall(os.exit, 2.5))
print(pcall(os.exit, {}))
print(select("#", pcall(type, os.exit)))
local log = {}
local co = coroutine.wrap(function()
  log[#log + 1] = "in coroutine"
  print(table.concat(log, ","))
  xpcall(function()
    pcall(table.sort, {3, 1, 2}, function() os.exit(259) end)
  end, function(e) print("handler", e) end)
  print("not reached")
end)
print(pcall(co))
print("not reached either")
