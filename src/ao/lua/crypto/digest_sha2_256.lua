-- `.crypto.digest.sha2_256`: `SHA2_256()` makes a reusable hasher (`init`, `update` with a stream,
-- `finish`, then `asBytes`/`asHex`/`asString`); `sha2_256(stream)` hashes one stream. The bytes
-- are kept until `finish`, which hashes them natively.
local _, digest = ...

local function SHA2_256()
  local chars, raw = {}, nil
  local public = {}
  function public.init()
    chars, raw = {}, nil
    return public
  end
  function public.update(bytes)
    for b in bytes do -- aos:263
      chars[#chars + 1] = string.char(b)
    end
    return public
  end
  function public.finish()
    raw = digest("sha256", table.concat(chars))
    chars = {}
    return public
  end
  function public.asBytes() return { string.byte(raw, 1, -1) } end
  function public.asHex() return (raw:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
  function public.asString() return raw end
  return public
end

return {
  sha2_256 = function(stream) return SHA2_256().update(stream).finish() end,
  SHA2_256 = SHA2_256,
}
