-- .chance: the 32-bit Mersenne Twister aos seeds math.random with, so random
-- sequences match a process on the network for the same seed.
local N, M = 624, 397
local UPPER, LOWER, MATRIX = 0x80000000, 0x7fffffff, 0x9908b0df

local state = { mt = {}, index = N + 1 }

local function seed(s)
  local mt = state.mt
  mt[0] = s & 0xffffffff
  for i = 1, N - 1 do
    local prev = mt[i - 1]
    mt[i] = ((1812433253 * (prev ~ (prev >> 30))) + i) & 0xffffffff
  end
  state.index = N
end

local function twist()
  local mt = state.mt
  for k = 0, N - 1 do
    local y = (mt[k] & UPPER) | (mt[(k + 1) % N] & LOWER)
    local v = mt[(k + M) % N] ~ (y >> 1)
    if y & 1 == 1 then
      v = v ~ MATRIX
    end
    mt[k] = v
  end
  state.index = 0
end

local function next32()
  if state.index >= N then
    if state.index == N + 1 then
      seed(5489)
    end
    twist()
  end
  local y = state.mt[state.index]
  state.index = state.index + 1
  y = y ~ (y >> 11)
  y = y ~ ((y << 7) & 0x9d2c5680)
  y = y ~ ((y << 15) & 0xefc60000)
  y = y ~ (y >> 18)
  return y
end

local chance = {}

function chance.seed(s)
  seed(s)
end

function chance.random()
  return next32() * (1.0 / 4294967296.0)
end

function chance.integer(min, max)
  assert(max >= min, "max must bigger than min") -- aos:201
  return math.floor(chance.random() * (max - min + 1) + min)
end

-- The generator state, for exporting a process.
chance.state = state

return chance
