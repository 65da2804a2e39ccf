-- Where add/append/prepend/before/after/once put a handler, and upsert-in-place.
function Names()
  local t = {}
  for i, h in ipairs(Handlers.list) do t[i] = h.name end
  return table.concat(t, ",")
end
Trace = {}
local function tr(name) return function() table.insert(Trace, name) end end
-- Every handler here continues, so one "Go" message shows the whole order.
local function go(msg) return msg.Action == "Go" and "continue" or "skip" end

Handlers.add("a", go, tr("a"))
Handlers.add("b", go, tr("b"))
Handlers.prepend("p", go, tr("p"))               -- new name: index 1, before _eval
Handlers.before("b").add("beforeB", go, tr("beforeB"))
Handlers.after("a").add("afterA", go, tr("afterA"))
Handlers.after("missing").add("never", go, tr("never"))   -- target missing: no-op
Handlers.before("a").add("a", go, tr("dupA"))    -- before/after do not dedupe names
Handlers.prepend("b", go, tr("b2"))              -- existing name: updated in place, not moved
Handlers.add("a", go, tr("a2"))                  -- upsert hits the FIRST "a" (the duplicate)
Handlers.append("afterA", go, tr("afterA2"))     -- append of an existing name: in place too
print(Names())
