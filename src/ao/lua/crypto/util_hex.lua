-- `.crypto.util.hex`: strings to lower-case hex and back.

-- `ln` bytes per line when given, with `sep` between the other bytes.
local function stringToHex(s, ln, sep)
  if #s == 0 then
    return ""
  end
  if not ln then
    return (s:gsub(".", function(c) return string.format("%02x", string.byte(c)) end))
  end
  sep = sep or ""
  local parts = {}
  for i = 1, #s - 1 do
    parts[#parts + 1] = string.format("%02x%s", s:byte(i), (i % ln == 0) and "\n" or sep)
  end
  parts[#parts + 1] = string.format("%02x", s:byte(#s))
  return table.concat(parts)
end

-- Whitespace is dropped and the text checked first, unless `unsafe`. The check lets letters
-- past `f` through, and the decoding leaves them in place, as aos's does.
local function hexToString(hs, unsafe)
  if not unsafe then
    hs = string.gsub(hs, "%s+", "")
    if string.find(hs, "[^0-9A-Za-z]") or #hs % 2 ~= 0 then
      error("invalid hex string") -- aos:71
    end
  end
  local decoded = string.gsub(hs, "(%x%x)", function(pair) return string.char(tonumber(pair, 16)) end)
  return decoded
end

return {
  stringToHex = stringToHex,
  hexToString = hexToString,
}
