-- .base64: base64 with the standard alphabet or custom characters 62, 63 and padding.
local base64 = {}

local ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

-- encoder[0..63] are the byte codes of the digits, encoder[64] the padding's.
function base64.makeencoder(s62, s63, spad)
  local encoder = {}
  for i = 1, #ALPHABET do
    encoder[i - 1] = string.byte(ALPHABET, i)
  end
  encoder[62] = string.byte(s62 or "+")
  encoder[63] = string.byte(s63 or "/")
  encoder[64] = string.byte(spad or "=")
  return encoder
end

function base64.makedecoder(s62, s63, spad)
  local decoder = {}
  for value, code in pairs(base64.makeencoder(s62, s63, spad)) do
    decoder[code] = value
  end
  return decoder
end

local DEFAULT_ENCODER = base64.makeencoder()
local DEFAULT_DECODER = base64.makedecoder()

function base64.encode(str, encoder)
  encoder = encoder or DEFAULT_ENCODER
  local out, n = {}, #str
  local full = n - n % 3
  for i = 1, full, 3 do
    local a, b, c = string.byte(str, i, i + 2)
    local v = (a << 16) | (b << 8) | c
    out[#out + 1] = string.char(encoder[v >> 18], encoder[(v >> 12) & 63], encoder[(v >> 6) & 63], encoder[v & 63])
  end
  local rest = n - full
  if rest == 2 then
    local a, b = string.byte(str, n - 1, n)
    local v = (a << 16) | (b << 8)
    out[#out + 1] = string.char(encoder[v >> 18], encoder[(v >> 12) & 63], encoder[(v >> 6) & 63], encoder[64])
  elseif rest == 1 then
    local v = string.byte(str, n) << 16
    out[#out + 1] = string.char(encoder[v >> 18], encoder[(v >> 12) & 63], encoder[64], encoder[64])
  end
  return table.concat(out)
end

-- Characters outside the alphabet (line breaks, spaces...) are ignored. Like aos's
-- decoder, input must come in whole groups of four (padded).
function base64.decode(b64, decoder)
  decoder = decoder or DEFAULT_DECODER
  local pad = 61
  for code, value in pairs(decoder) do
    if value == 64 then
      pad = code
    end
  end
  local kept = 0
  for i = 1, #b64 do
    if decoder[string.byte(b64, i)] then
      kept = kept + 1
    end
  end
  if kept % 4 ~= 0 then
    error("attempt to perform arithmetic on a nil value (field '?')") -- aos:281
  end
  local digits = {}
  for i = 1, #b64 do
    local code = string.byte(b64, i)
    if code ~= pad and decoder[code] and decoder[code] < 64 then
      digits[#digits + 1] = decoder[code]
    end
  end
  local out = {}
  local n = #digits
  local full = n - n % 4
  for i = 1, full, 4 do
    local v = (digits[i] << 18) | (digits[i + 1] << 12) | (digits[i + 2] << 6) | digits[i + 3]
    out[#out + 1] = string.char(v >> 16, (v >> 8) & 255, v & 255)
  end
  local rest = n - full
  if rest == 3 then
    local v = (digits[full + 1] << 18) | (digits[full + 2] << 12) | (digits[full + 3] << 6)
    out[#out + 1] = string.char(v >> 16, (v >> 8) & 255)
  elseif rest == 2 then
    local v = (digits[full + 1] << 18) | (digits[full + 2] << 12)
    out[#out + 1] = string.char(v >> 16)
  end
  return table.concat(out)
end

return base64
