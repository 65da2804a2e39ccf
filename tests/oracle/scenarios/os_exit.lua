-- `os.exit` in a process: aos's Lua is built with emscripten, whose `exit` throws out of the
-- whole evaluation ("Program terminated with exit(N)"), past every `pcall`, `xpcall`,
-- coroutine and the handlers' own protection; the message keeps nothing. Its argument is
-- checked first, as Lua's `os_exit` does, and those errors are ordinary ones.
Count = Count or 0
Log = Log or {}
local function note(s) Log[#Log + 1] = s end
local function exitWith(arg)
  if arg == "none" then return os.exit() end
  if arg == "true" then return os.exit(true) end
  if arg == "false" then return os.exit(false) end
  if arg == "close" then return os.exit(5, true) end
  if arg == "float" then return os.exit(7.0) end
  if arg == "big" then return os.exit(2^40 + 3) end
  if arg == "neg" then return os.exit(-1) end
  return os.exit(tonumber(arg) or arg)
end
Handlers.add("Exit", "Exit", function(msg)
  Count = Count + 1
  note("before " .. msg.Code)
  print("printed before exit")
  ao.send({ Target = msg.From, Data = "sent before exit" })
  exitWith(msg.Code)
  note("after " .. msg.Code)
  msg.reply({ Data = "after exit" })
end)
Handlers.add("Protected", "Protected", function(msg)
  Count = Count + 1
  local how = msg.How
  local ok, err
  if how == "pcall" then
    ok, err = pcall(os.exit, 3)
  elseif how == "xpcall" then
    ok, err = xpcall(function() os.exit(4) end, function(e) note("handler saw " .. tostring(e)); return e end)
  elseif how == "resume" then
    local co = coroutine.create(function() coroutine.yield(1); os.exit(6) end)
    coroutine.resume(co)
    ok, err = coroutine.resume(co)
  elseif how == "wrap" then
    ok, err = pcall(coroutine.wrap(function() os.exit(8) end))
  elseif how == "sort" then
    ok, err = pcall(table.sort, {3, 1, 2}, function(a, b) os.exit(9) end)
  elseif how == "gsub" then
    ok, err = pcall(string.gsub, "abc", "%w", function(c) os.exit(10) end)
  elseif how == "meta" then
    ok, err = pcall(function() return setmetatable({}, { __index = function() os.exit(11) end }).x end)
  elseif how == "load" then
    ok, err = load(function() os.exit(12) end)
  elseif how == "tostring" then
    ok, err = pcall(tostring, setmetatable({}, { __tostring = function() os.exit(13) end }))
  end
  note("survived " .. how)
  msg.reply({ Data = "survived " .. how .. " " .. tostring(ok) .. " " .. tostring(err) })
end)
Handlers.add("BadArg", "BadArg", function(msg)
  local results = {}
  for _, v in ipairs({ "x", "2.5", "table" }) do
    local arg = v == "table" and {} or (tonumber(v) or v)
    local ok, err = pcall(os.exit, arg)
    results[#results + 1] = tostring(ok) .. ": " .. tostring(err)
  end
  note("badarg")
  msg.reply({ Data = table.concat(results, "\n") })
end)
Handlers.add("Peek", "Peek", function(msg)
  msg.reply({ Data = "Count=" .. Count .. " Log=" .. table.concat(Log, ",") })
end)
