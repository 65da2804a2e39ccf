-- The global environment a process sees: every key of _G with the type of its value, and
-- for each table-valued global its fields (for package.loaded, the fields of each loaded
-- module too), in sorted order so the listing is deterministic.
local function name(k)
  if type(k) == "string" then return k end
  return "[" .. type(k) .. " " .. tostring(k) .. "]"
end
local function keys(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = k end
  table.sort(ks, function(a, b) return name(a) < name(b) end)
  return ks
end
local lines = {}
local function fields(prefix, t, deeper)
  for _, k in ipairs(keys(t)) do
    local v = rawget(t, k)
    lines[#lines + 1] = prefix .. name(k) .. " " .. type(v)
    if deeper and type(v) == "table" and v ~= _G then
      fields(prefix .. name(k) .. ".", v, false)
    end
  end
end
for _, k in ipairs(keys(_G)) do
  local v = rawget(_G, k)
  lines[#lines + 1] = name(k) .. " " .. type(v)
  if type(v) == "table" and v ~= _G then
    fields(name(k) .. ".", v, k == "package")
  end
end
print(table.concat(lines, "\n"))
