-- `.crypto.digest.blake2b`: BLAKE2b of a string, `outlen` bytes (1 to 64, default 64), with an
-- optional key (up to 64 bytes). Out-of-range parameters return nil and a message. Its
-- `asBytes` gives one-character strings, as aos's does.
local _, digest = ...

return function(data, outlen, key)
  outlen = outlen or 64
  key = key or ""
  if outlen < 1 or outlen > 64 or #key > 64 then
    return nil, "illegal parameters"
  end
  local length = #data -- aos:253
  local raw = digest("blake2b", data, math.floor(outlen), key)
  local chars = {}
  for i = 1, #raw do
    chars[i] = raw:sub(i, i)
  end
  local public = {}
  function public.asBytes() return chars end
  function public.asString() return raw end
  function public.asHex() return (raw:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
  return public
end
