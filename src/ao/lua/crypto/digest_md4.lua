-- `.crypto.digest.md4`: the md4 digest of a stream's bytes (computed natively).
local _, digest = ...

return function(stream)
  local chars = {}
  for b in stream do -- aos:265
    chars[#chars + 1] = string.char(b)
  end
  local raw = digest("md4", table.concat(chars))
  local public = {}
  function public.asBytes() return { string.byte(raw, 1, -1) } end
  function public.asHex() return (raw:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
  function public.asString() return raw end
  return public
end
