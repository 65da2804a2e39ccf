-- Text tools as chat and registry processes write them: slugs, mentions, templates,
-- UTF-8 names, quoting, base64, word counts.
local base64 = require(".base64")

local function slug(s)
  return (s:lower():gsub("[^%w%s-]", ""):gsub("%s+", "-"):gsub("^-+", ""):gsub("-+$", ""))
end

local function mentions(text)
  local found = {}
  for name in text:gmatch("%f[%w@]@([%w_]+)") do
    table.insert(found, name)
  end
  return found
end

local function render(template, vars)
  return (template:gsub("{{%s*([%w_.]+)%s*}}", function(key)
    local v = vars
    for part in key:gmatch("[^.]+") do
      v = type(v) == "table" and v[part] or nil
    end
    return v ~= nil and tostring(v) or "{{" .. key .. "}}"
  end))
end

Handlers.add("slug", "Slug", function(msg)
  msg.reply({ Data = slug(msg.Data) })
end)

Handlers.add("mentions", "Mentions", function(msg)
  local m = mentions(msg.Data)
  msg.reply({ Data = #m .. ":" .. table.concat(m, "|") })
end)

Handlers.add("render", "Render", function(msg)
  msg.reply({ Data = render(msg.Data, { user = { name = msg.Tags.Name, level = 3 }, n = 1.5 }) })
end)

Handlers.add("utf8", "Utf8", function(msg)
  local s = msg.Data
  local cps = {}
  for _, c in utf8.codes(s) do cps[#cps + 1] = string.format("U+%04X", c) end
  msg.reply({
    Data = table.concat(cps, " "),
    Length = tostring(utf8.len(s)),
    Bytes = tostring(#s),
    Upper = s:upper(),
    Reversed = utf8.char(table.unpack((function()
      local r = {}
      for _, c in utf8.codes(s) do table.insert(r, 1, c) end
      return r
    end)())),
  })
end)

Handlers.add("quote", "Quote", function(msg)
  msg.reply({ Data = string.format("%q", msg.Data) .. " " .. string.format("%q", 1 / 3) .. " " .. string.format("%q", 42) })
end)

Handlers.add("b64", "B64", function(msg)
  local enc = base64.encode(msg.Data)
  msg.reply({ Data = enc, Back = base64.decode(enc), Same = tostring(base64.decode(enc) == msg.Data) })
end)

Handlers.add("words", "Words", function(msg)
  local counts, order = {}, {}
  for w in msg.Data:lower():gmatch("%a+") do
    if not counts[w] then order[#order + 1] = w end
    counts[w] = (counts[w] or 0) + 1
  end
  table.sort(order, function(a, b)
    if counts[a] ~= counts[b] then return counts[a] > counts[b] end
    return a < b
  end)
  local out = {}
  for i = 1, math.min(5, #order) do out[i] = order[i] .. "=" .. counts[order[i]] end
  local balanced = msg.Data:match("%b()") or "none"
  msg.reply({ Data = table.concat(out, ","), Balanced = balanced, Bytes = table.concat({ msg.Data:byte(1, 3) }, ",") })
end)
