-- Table-pattern value forms: '_' wildcard, Lua patterns (unanchored, lower-cased),
-- case-insensitive equality, OR tables, function values, Data key.
Hits = {}
local function hit(n) return function(msg) table.insert(Hits, n .. "@" .. tostring(msg.Nonce)) end end
Handlers.add("wild", { Action = "Wild", Kind = "_" }, hit("wild"))
Handlers.add("luapat", { Action = "Pat", Code = "%d+" }, hit("luapat"))
Handlers.add("anchored", { Action = "Anch", Code = "^ab%-" }, hit("anchored"))
Handlers.add("ci", { Action = "case-insensitive" }, hit("ci"))
Handlers.add("or", { Action = { "Red", "Green" } }, hit("or"))
Handlers.add("fnval", { Action = "Num", Amount = function(v, msg) return tonumber(v) ~= nil and tonumber(v) > 10 end }, hit("fnval"))
Handlers.add("dot", { Action = "Dot", Quantity = "1.5" }, hit("dot"))
Handlers.add("dash", { Action = "Dash", Code = "a-b" }, hit("dash"))
Handlers.add("dataKey", { Data = "exact-data" }, hit("dataKey"))
Handlers.add("fromKey", { From = "ALICE_wallet_address_0000000000000000000000" }, hit("fromKey"))
