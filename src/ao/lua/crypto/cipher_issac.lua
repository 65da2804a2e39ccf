-- `.crypto.cipher.issac`: Bob Jenkins's ISAAC generator (32-bit words kept as integers below
-- 2^32) and aos's Vigenère-style cipher on printable ASCII drawn from it. The generator's
-- state lives in this module, so it carries over between calls and messages, as in aos.
local Hex = require(".crypto.util.hex")

local WORD = 0x100000000
local results, used = {}, 0 -- the current batch of 256 outputs and how many were taken
local memory = {}
local a, b, c = 0, 0, 0

-- The next 256 outputs.
local function generate()
  c = (c + 1) % WORD
  b = (b + c) % WORD
  for i = 0, 255 do
    local x = memory[i]
    local step = i % 4
    if step == 0 then
      a = a ~ (a << 13)
    elseif step == 1 then
      a = a ~ (a >> 6)
    elseif step == 2 then
      a = a ~ (a << 2)
    else
      a = a ~ (a >> 16)
    end
    a = (memory[(i + 128) % 256] + a) % WORD
    local y = (memory[(x >> 2) % 256] + a + b) % WORD
    memory[i] = y
    b = (memory[(y >> 10) % 256] + x) % WORD
    results[i] = b
  end
  used = 0
end

local SHIFTS = { { 11, "<<" }, { 2, ">>" }, { 8, "<<" }, { 16, ">>" }, { 10, "<<" }, { 4, ">>" }, { 8, "<<" }, { 9, ">>" } }

-- Scrambles eight words: each round XORs in a shifted neighbour and adds along the ring.
local function scramble(s)
  for r = 0, 7 do
    local shift = SHIFTS[r + 1]
    local next1, next2 = (r + 1) % 8, (r + 2) % 8
    if shift[2] == "<<" then
      s[r] = (s[r] ~ (s[next1] << shift[1])) % WORD
    else
      s[r] = (s[r] ~ (s[next1] >> shift[1])) % WORD
    end
    s[(r + 3) % 8] = (s[(r + 3) % 8] + s[r]) % WORD
    s[next1] = (s[next1] + s[next2]) % WORD
  end
end

-- Fills the memory from the golden ratio and, with `useSeed`, the seed in `results`.
local function initialise(useSeed)
  local s = {}
  for j = 0, 7 do
    s[j] = 0x9e3779b9
  end
  a, b, c = 0, 0, 0
  for _ = 1, 4 do
    scramble(s)
  end
  for i = 0, 255, 8 do
    if useSeed then
      for j = 0, 7 do
        s[j] = (s[j] + results[i + j]) % WORD
      end
    end
    scramble(s)
    for j = 0, 7 do
      memory[i + j] = s[j]
    end
  end
  if useSeed then
    for i = 0, 255, 8 do
      for j = 0, 7 do
        s[j] = (s[j] + memory[i + j]) % WORD
      end
      scramble(s)
      for j = 0, 7 do
        memory[i + j] = s[j]
      end
    end
  end
  generate()
end

-- Seeds from the bytes of `seed` (up to 256, zeros after), which count only with `flag`.
local function seedIsaac(seed, flag)
  local _ = #seed
  for i = 0, 255 do
    memory[i] = 0
  end
  for i = 0, 255 do
    results[i] = seed:byte(i + 1, i + 1) or 0
  end
  initialise(flag)
end

local function getRandom()
  local value = results[used]
  used = used + 1
  if used > 255 then
    generate()
  end
  return value
end

-- A number in min..max (defaults 0 and the float 2^31 - 1, so the default result is a
-- float). Without a seed the generator is reset (a `math.random` draw is taken for a seed
-- that is then not used), so it gives the same number every time.
local function random(min, max, seed)
  min = min or 0
  max = max or 2 ^ 31 - 1
  if seed then
    seedIsaac(seed, true)
  else
    seedIsaac(tostring(math.random(2 ^ 31 - 1)), false)
  end
  return (getRandom() % (max - min + 1)) + min
end

local function getRandomChar()
  return getRandom() % 95 + 32
end

-- Moves `ch` by `shift` places around the `modulo` characters from `start`.
local function rotate(decrypting, ch, shift, modulo, start)
  if decrypting then
    shift = -shift
  end
  local n, sign = (ch - start) + shift, 1
  if n < 0 then
    sign, n = -1, -n
  end
  n = (n % modulo) * sign
  if n < 0 then
    n = n + modulo
  end
  return start + n
end

local function transform(decrypting, text, key)
  seedIsaac(key, true)
  local chars = {}
  for i = 1, #text do
    chars[i] = string.char(rotate(decrypting, text:byte(i, i), getRandomChar(), 95, 32))
  end
  return chars
end

local function encrypt(msg, key)
  local chars = transform(false, msg, key)
  local public = {}
  function public.asBytes() return chars end
  function public.asString() return table.concat(chars) end
  function public.asHex() return Hex.stringToHex(table.concat(chars)) end
  return public
end

local function decrypt(encrypted, key)
  return table.concat(transform(true, encrypted, key))
end

return {
  seedIsaac = seedIsaac,
  getRandomChar = getRandomChar,
  random = random,
  getRandom = getRandom,
  encrypt = encrypt,
  decrypt = decrypt,
}
