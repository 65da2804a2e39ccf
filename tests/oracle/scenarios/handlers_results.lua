-- What each pattern result does: break (true, -1, "break", any negative number),
-- continue (1, "continue", any positive number), skip (false, 0, "skip", other strings).
-- "first" returns the R tag converted; "second" always continues; "third" breaks
-- only when R == "third". A message no handler broke on also reaches _default (Inbox).
Trace = {}
local function tr(s) return function(msg) table.insert(Trace, s .. "@" .. msg.Tags.R) end end
local function converted(msg)
  local r = msg.Tags.R
  if r == "true" then return true end
  if r == "false" then return false end
  if tonumber(r) then return tonumber(r) end
  return r
end
Handlers.add("first", function(msg) if msg.Action ~= "Res" then return 0 end return converted(msg) end, tr("first"))
Handlers.add("second", function(msg) return msg.Action == "Res" and "continue" or false end, tr("second"))
Handlers.add("third", function(msg) return msg.Action == "Res" and msg.Tags.R == "third" end, tr("third"))
