-- The outcome as aos's loader emits it: json.encode of the result, so a message without
-- Data has no Data key, non-string Data and tag values keep their JSON type, a table-valued
-- tag is the table as JSON, a function-valued tag has no value, and a result json cannot
-- encode (sparse array, NaN) makes handle() itself fail.
Handlers.add("nodata", "NoData", function(msg)
  ao.send({ Target = "NO_DATA", Action = "Ping" })
  Send({ Target = "NO_DATA_SEND" })
end)
Handlers.add("scalardata", "ScalarData", function(msg)
  ao.send({ Target = "NUM_DATA", Data = 42 })
  ao.send({ Target = "FLOAT_DATA", Data = 2.5 })
  ao.send({ Target = "BOOL_DATA", Data = false })
end)
Handlers.add("patch", "Patch", function(msg)
  -- an orderbook publishing its state to a patch device
  Send({ device = "patch@1.0", orderbook = { bids = { { price = 10, qty = 2 } }, asks = {}, pair = { "A", "B" } } })
end)
Handlers.add("scalartags", "ScalarTags", function(msg)
  ao.send({ Target = "SCALARS", Num = 5, Flt = 1.5, Whole = 3.0, Big = 2 ^ 53, Max = math.maxinteger,
    Tiny = 1e-300, Yes = true, No = false })
end)
Handlers.add("oddtags", "OddTags", function(msg)
  ao.send({ Target = "ODD", Fn = function() end, Empty = {}, Nested = { a = { b = { 1, 2 } } },
    Tags = { { name = "NoValue" } } })
end)
Handlers.add("spawntags", "SpawnTags", function(msg)
  ao.spawn(ao._module, { Config = { limit = 3 } })
end)
Handlers.add("sparse", "Sparse", function(msg)
  ao.send({ Target = "SPARSE", Holes = { [1] = 1, [3] = 3 } })
end)
Handlers.add("nan", "NaN", function(msg)
  ao.send({ Target = "NAN", N = 0 / 0 })
end)
Handlers.add("after", "After", function(msg)
  -- the failed messages left no trace: the reference counter continues after SpawnTags
  ao.send({ Target = "AFTER" })
end)
