-- A handle given as a resolver table {[matchSpec] = fn}: the first spec that
-- matches runs. The specs here are mutually exclusive, so `pairs` order does
-- not matter.
Handlers.add("resolver", { Action = "Resolve" }, {
  [{ Kind = "a" }] = function(msg) print("resolved a") end,
  [{ Kind = "b" }] = function(msg) print("resolved b " .. msg.Data) end,
  [function(msg) return msg.Tags.Kind == "f" end] = function(msg) print("resolved by function spec") end
})
-- Handlers.evaluate can be called directly with a message table.
Handlers.add("direct", "Synthetic", function(msg) print("direct " .. msg.Data) end)
