-- aolite's `.bint`: fixed-width two's complement integers, as aos's lua-bint exposes them.
-- `require('.bint')(bits)` returns a class whose instances are arrays of `bits / 32` words
-- (least significant first), each an integer in [0, 2^32). Arithmetic wraps modulo 2^bits.
-- Results, fallbacks to Lua numbers and error messages follow aos 2.0.6's module; the code
-- is aolite's own.

local mtype, mfloor, mceil, mabs, mmodf = math.type, math.floor, math.ceil, math.abs, math.modf
local mmax, mmin = math.max, math.min
local setmt, getmt = setmetatable, getmetatable
local sformat, schar, sbyte, srep = string.format, string.char, string.byte, string.rep
local concat = table.concat
local LMIN, LMAX = math.mininteger, math.maxinteger

-- Classes already built, by bits * 64 + word bits (requiring twice gives the same class).
local classes = {}

-- A Lua integer equal to `v`, or nil (floats only when integral, strings via tonumber).
local function exact_integer(v)
  v = tonumber(v)
  if mtype(v) == 'float' and mfloor(v) == v then
    v = mfloor(v)
  end
  if mtype(v) == 'integer' then
    return v
  end
end

-- Number of `base` digits read per step when parsing: the largest count whose value still
-- fits a Lua integer after one more multiplication.
local function digits_per_step(base)
  local n, p, limit = 0, 1, LMAX // base
  repeat
    n, p = n + 1, p * base
  until p >= limit
  return n
end

local DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz'
local FORMATS = { [8] = 'o', [10] = 'd', [16] = 'x' }

local function build(bits, wordbits)
  local W = wordbits
  local N = bits // W -- words per value
  local MASK = (1 << W) - 1
  local BASE = MASK + 1
  local MSB = 1 << (W - 1)
  local BYTES = bits // 8
  local WBYTES = W // 8

  local bint = {}
  bint.__index = bint
  bint.bits = bits

  local function blank()
    return setmt({}, bint)
  end

  local function zero()
    local z = setmt({}, bint)
    for i = 1, N do
      z[i] = 0
    end
    return z
  end

  local function clone(x)
    local z = setmt({}, bint)
    for i = 1, N do
      z[i] = x[i]
    end
    return z
  end

  -- Fills words from a Lua integer, extending `high` (0 or MASK) above its 64 bits.
  local function from_int(v, high)
    local z = setmt({}, bint)
    for i = 1, N do
      if v == 0 then
        z[i] = high
      else
        z[i] = v & MASK
        -- logical shift: a negative integer's words end after its 64 bits
        v = v >> W
      end
    end
    return z
  end

  local function isneg(x)
    return x[N] & MSB ~= 0
  end

  -- In place: x = -x (two's complement: invert, add one).
  local function negate(x)
    local carry = 1
    for i = 1, N do
      local v = (~x[i] & MASK) + carry
      if v > MASK then
        x[i] = 0
      else
        x[i] = v
        carry = 0
      end
    end
    return x
  end

  -- In place: x = x + y (y a bint).
  local function add_into(x, y)
    local carry = 0
    for i = 1, N do
      local v = x[i] + y[i] + carry
      if v > MASK then
        x[i] = v - BASE
        carry = 1
      else
        x[i] = v
        carry = 0
      end
    end
    return x
  end

  -- In place: x = x - y (y a bint).
  local function sub_into(x, y)
    local borrow = 0
    for i = 1, N do
      local v = x[i] - y[i] - borrow
      if v < 0 then
        x[i] = v + BASE
        borrow = 1
      else
        x[i] = v
        borrow = 0
      end
    end
    return x
  end

  local function inc_into(x)
    for i = 1, N do
      local v = x[i]
      if v < MASK then
        x[i] = v + 1
        return x
      end
      x[i] = 0
    end
    return x
  end

  local function dec_into(x)
    for i = 1, N do
      local v = x[i]
      if v > 0 then
        x[i] = v - 1
        return x
      end
      x[i] = MASK
    end
    return x
  end

  local function iszero_words(x)
    for i = 1, N do
      if x[i] ~= 0 then
        return false
      end
    end
    return true
  end

  -- Unsigned comparison: -1, 0 or 1.
  local function ucmp(x, y)
    for i = N, 1, -1 do
      local a, b = x[i], y[i]
      if a ~= b then
        return a < b and -1 or 1
      end
    end
    return 0
  end

  local function frominteger(v)
    v = exact_integer(v)
    if v then
      return from_int(v, v < 0 and MASK or 0)
    end
  end

  local function fromuinteger(v)
    v = exact_integer(v)
    if v then
      return from_int(v, 0)
    end
  end

  local mul -- defined with the operators below

  -- Per base: the digit count k with base^k < 2^(W-1), and the powers base^1..base^k.
  local chunks = {}
  local function small_chunk(base)
    local c = chunks[base]
    if not c then
      local k, pows, p = 0, {}, 1
      while p * base < MSB do
        k, p = k + 1, p * base
        pows[k] = p
      end
      c = { k, pows }
      chunks[base] = c
    end
    return c[1], c[2]
  end

  local steps = {}
  local function frombase(s, base)
    if type(s) ~= 'string' then
      return
    end
    base = base or 10
    if not (base >= 2 and base <= 36) then
      return
    end
    local step = steps[base]
    if not step then
      step = digits_per_step(base)
      steps[base] = step
    end
    if #s < step then
      -- short enough for one Lua integer
      return frominteger(tonumber(s, base))
    end
    local sign, digits = string.match(string.lower(s), '^([+-]?)(%w+)$')
    if not sign then
      return
    end
    -- z = z * base^k + chunk, in place, k digits at a time with base^k below 2^(W-1)
    -- so that a word times it plus a carry fits a Lua integer (wrapping at the top word).
    local k, pows = small_chunk(base)
    local z = zero()
    local used = 0
    local len = #digits
    local i, clen = 1, (len - 1) % k + 1
    while i <= len do
      local d = tonumber(string.sub(digits, i, i + clen - 1), base)
      if not d then
        return
      end
      local scale = pows[clen]
      local carry = d
      for w = 1, used do
        local t = z[w] * scale + carry
        z[w] = t & MASK
        carry = t >> W
      end
      while carry ~= 0 and used < N do
        used = used + 1
        z[used] = carry & MASK
        carry = carry >> W
      end
      i, clen = i + clen, k
    end
    if sign == '-' then
      negate(z)
    end
    return z
  end

  local function fromstring(s)
    if type(s) ~= 'string' then
      return
    end
    if string.find(s, '^[+-]?[0-9]+$') then
      return frombase(s, 10)
    elseif string.find(s, '^[+-]?0[xX][0-9a-fA-F]+$') then
      return frombase((string.gsub(s, '0[xX]', '', 1)), 16)
    elseif string.find(s, '^[+-]?0[bB][01]+$') then
      return frombase((string.gsub(s, '0[bB]', '', 1)), 2)
    end
  end

  local function tobint(x, copy)
    if getmt(x) == bint then
      if copy then
        return clone(x)
      end
      return x
    end
    local t = type(x)
    if t == 'number' then
      return frominteger(x)
    elseif t == 'string' then
      return fromstring(x)
    end
  end

  local function new(x)
    if getmt(x) == bint then
      return clone(x)
    end
    -- other truthy values pass through unchanged, as in lua-bint
    local t = type(x)
    local z = x
    if t == 'number' then
      z = frominteger(x)
    elseif t == 'string' then
      z = fromstring(x)
    end
    if not z then
      error('[string ".bint"]:787: value cannot be represented by a bint', 0)
    end
    return z
  end

  -- A bint for `x` (not a copy), or the error lua-bint raises.
  local function convert(x)
    local z = tobint(x)
    if not z then
      error('value has not integer representation', 0)
    end
    return z
  end

  -- Low 64 bits of x's words as a Lua integer.
  local function low64(x)
    local v = 0
    for i = 1, N do
      local shift = W * (i - 1)
      if shift >= 64 then
        break
      end
      v = v | (x[i] << shift)
    end
    return v
  end

  local function tointeger(x)
    if getmt(x) == bint then
      if isneg(x) then
        return -low64(negate(clone(x)))
      end
      return low64(x)
    end
    return exact_integer(x)
  end

  local function need_integer(y)
    local v = tointeger(y)
    if not v then
      error('value has no integer representation', 0)
    end
    return v
  end

  -- Whether x lies in Lua's integer range (its words above bit 63 are its sign extension).
  local function fits_lua(x)
    local ext = isneg(x) and MASK or 0
    local top = 64 // W -- words fully inside the low 64 bits
    for i = top + 1, N do
      if x[i] ~= ext then
        return false
      end
    end
    return ((x[top] & MSB) ~= 0) == (ext ~= 0)
  end

  local tobase

  local function tonum(x)
    if getmt(x) == bint then
      if fits_lua(x) then
        return tointeger(x)
      end
      return tonumber(tobase(x, 10))
    end
    return tonumber(x)
  end

  function tobase(x, base, unsigned)
    x = tobint(x)
    if not x then
      return
    end
    base = base or 10
    if not (base >= 2 and base <= 36) then
      return
    end
    if unsigned == nil then
      unsigned = base ~= 10
    end
    local neg = isneg(x)
    if fits_lua(x) then
      if base == 10 and not unsigned then
        return tostring(tointeger(x))
      elseif base == 16 and unsigned and not neg then
        return sformat('%x', tointeger(x))
      end
    end
    local minus = neg and not unsigned
    local v = minus and negate(clone(x)) or clone(x)
    if iszero_words(v) then
      return '0'
    end
    -- Divide by base^k repeatedly (k digits at a time, base^k below 2^(W-1)).
    local k, bk = 0, 1
    local limit = (MSB - 1) // base
    repeat
      k, bk = k + 1, bk * base
    until bk >= limit
    -- Chunks of k digits, least significant first; bases with a format directive
    -- print a whole chunk at once (zero-padded except the most significant one).
    local directive = FORMATS[base]
    local out = {}
    local top = N
    while true do
      local rem = 0
      for i = top, 1, -1 do
        local cur = (rem << W) | v[i]
        v[i] = cur // bk
        rem = cur % bk
      end
      while top > 1 and v[top] == 0 do
        top = top - 1
      end
      local last = top == 1 and v[1] == 0
      if directive then
        out[#out + 1] = sformat(last and ('%' .. directive) or ('%0' .. k .. directive), rem)
      else
        -- k digits (fewer in the most significant chunk), least significant first
        local digits, n = {}, 0
        while n < k and not (last and rem == 0) do
          local d = rem % base
          n = n + 1
          digits[n] = string.sub(DIGITS, d + 1, d + 1)
          rem = rem // base
        end
        local chunk = {}
        for j = 1, n do
          chunk[j] = digits[n + 1 - j]
        end
        out[#out + 1] = concat(chunk)
      end
      if last then
        break
      end
    end
    -- chunks were produced least significant first
    local n = #out
    for i = 1, n // 2 do
      out[i], out[n + 1 - i] = out[n + 1 - i], out[i]
    end
    if minus then
      return '-' .. concat(out)
    end
    return concat(out)
  end

  bint.zero = zero
  function bint.one()
    local z = zero()
    z[1] = 1
    return z
  end
  bint.fromuinteger = fromuinteger
  bint.frominteger = frominteger
  bint.frombase = frombase
  bint.fromstring = fromstring
  bint.new = new
  bint.tobint = tobint
  bint.tointeger = tointeger
  bint.tonumber = tonum
  bint.tobase = tobase

  function bint.fromle(buffer)
    if type(buffer) ~= 'string' then
      error('buffer is not a string', 0)
    end
    if #buffer > BYTES then
      buffer = string.sub(buffer, 1, BYTES)
    elseif #buffer < BYTES then
      buffer = buffer .. srep('\0', BYTES - #buffer)
    end
    local z = blank()
    for i = 1, N do
      local v = 0
      for b = WBYTES, 1, -1 do
        v = (v << 8) | sbyte(buffer, (i - 1) * WBYTES + b)
      end
      z[i] = v
    end
    return z
  end

  function bint.frombe(buffer)
    if type(buffer) ~= 'string' then
      error('buffer is not a string', 0)
    end
    if #buffer > BYTES then
      buffer = string.sub(buffer, -BYTES, #buffer)
    elseif #buffer < BYTES then
      buffer = srep('\0', BYTES - #buffer) .. buffer
    end
    return bint.fromle(string.reverse(buffer))
  end

  function bint.parse(x, copy)
    local z = tobint(x, copy)
    if z then
      return z
    end
    return tonumber(x)
  end

  function bint.touinteger(x)
    if getmt(x) == bint then
      return low64(x)
    end
    return exact_integer(x)
  end

  local function le_bytes(x)
    x = convert(x)
    local out = {}
    for i = 1, N do
      local v = x[i]
      for _ = 1, WBYTES do
        out[#out + 1] = schar(v & 0xff)
        v = v >> 8
      end
    end
    return concat(out)
  end

  function bint.tole(x, trim)
    local s = le_bytes(x)
    if trim then
      s = string.gsub(s, '\0+$', '')
      if s == '' then
        s = '\0'
      end
    end
    return s
  end

  function bint.tobe(x, trim)
    local s = string.reverse(le_bytes(x))
    if trim then
      s = string.gsub(s, '^\0+', '')
      if s == '' then
        s = '\0'
      end
    end
    return s
  end

  function bint.iszero(x)
    if getmt(x) == bint then
      return iszero_words(x)
    end
    return x == 0
  end

  function bint.isone(x)
    if getmt(x) == bint then
      if x[1] ~= 1 then
        return false
      end
      for i = 2, N do
        if x[i] ~= 0 then
          return false
        end
      end
      return true
    end
    return x == 1
  end

  local function isminusone(x)
    if getmt(x) == bint then
      for i = 1, N do
        if x[i] ~= MASK then
          return false
        end
      end
      return true
    end
    return x == -1
  end
  bint.isminusone = isminusone

  function bint.isbint(x)
    return getmt(x) == bint
  end

  function bint.isintegral(x)
    return getmt(x) == bint or mtype(x) == 'integer'
  end

  function bint.isnumeric(x)
    return getmt(x) == bint or type(x) == 'number'
  end

  function bint.type(x)
    if getmt(x) == bint then
      return 'bint'
    end
    return mtype(x)
  end

  local function isneg_any(x)
    if getmt(x) == bint then
      return isneg(x)
    end
    return x < 0
  end
  bint.isneg = isneg_any

  function bint.ispos(x)
    if getmt(x) == bint then
      return not isneg(x) and not iszero_words(x)
    end
    return x > 0
  end

  function bint.iseven(x)
    if getmt(x) == bint then
      return x[1] & 1 == 0
    end
    return mabs(x) % 2 == 0
  end

  function bint.isodd(x)
    if getmt(x) == bint then
      return x[1] & 1 == 1
    end
    return mabs(x) % 2 == 1
  end

  function bint.maxinteger()
    local z = blank()
    for i = 1, N - 1 do
      z[i] = MASK
    end
    z[N] = MASK ~ MSB
    return z
  end

  local function mininteger()
    local z = zero()
    z[N] = MSB
    return z
  end
  bint.mininteger = mininteger

  -- In-place shifts by one bit and by whole words (unsigned).
  function bint:_shlone()
    for i = N, 2, -1 do
      self[i] = ((self[i] << 1) | (self[i - 1] >> (W - 1))) & MASK
    end
    self[1] = (self[1] << 1) & MASK
    return self
  end

  local function shr_one(x)
    for i = 1, N - 1 do
      x[i] = (x[i] >> 1) | ((x[i + 1] & 1) << (W - 1))
    end
    x[N] = x[N] >> 1
    return x
  end
  bint._shrone = shr_one

  local function shl_words(x, n)
    for i = N, n + 1, -1 do
      x[i] = x[i - n]
    end
    for i = 1, mmin(n, N) do
      x[i] = 0
    end
    return x
  end
  bint._shlwords = shl_words

  local function shr_words(x, n)
    for i = 1, N do
      local j = i + n
      x[i] = j <= N and x[j] or 0
    end
    return x
  end
  bint._shrwords = shr_words

  bint._inc = inc_into
  bint._dec = dec_into

  function bint.inc(x)
    local z = tobint(x, true)
    if z then
      return inc_into(z)
    end
    return x + 1
  end

  function bint.dec(x)
    local z = tobint(x, true)
    if z then
      return dec_into(z)
    end
    return x - 1
  end

  function bint:_assign(y)
    y = convert(y)
    for i = 1, N do
      self[i] = y[i]
    end
    return self
  end

  function bint:_abs()
    if isneg(self) then
      negate(self)
    end
    return self
  end

  local function abs(x)
    local z = tobint(x, true)
    if z then
      if isneg(z) then
        negate(z)
      end
      return z
    end
    return mabs(x)
  end
  bint.abs = abs

  function bint.floor(x)
    if getmt(x) == bint then
      return clone(x)
    end
    return new(mfloor(tonumber(x)))
  end

  function bint.ceil(x)
    if getmt(x) == bint then
      return clone(x)
    end
    return new(mceil(tonumber(x)))
  end

  function bint.trunc(x)
    if getmt(x) ~= bint then
      x = tonumber(x)
      if x then
        if mtype(x) == 'float' then
          x = mmodf(x)
        end
        return frominteger(x)
      end
      return
    end
    return clone(x)
  end

  function bint:_add(y)
    return add_into(self, convert(y))
  end

  function bint:_sub(y)
    return sub_into(self, convert(y))
  end

  function bint.__add(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then
      local z = setmt({}, bint)
      local carry = 0
      for i = 1, N do
        local ai, bi = a[i], b[i]
        -- `==` stays a VM instruction; arithmetic on words costs a helper call in aolite
        if bi == 0 and carry == 0 then
          z[i] = ai
        else
          local v = ai + bi + carry
          if v > MASK then
            z[i] = v - BASE
            carry = 1
          else
            z[i] = v
            carry = 0
          end
        end
      end
      return z
    end
    return tonum(x) + tonum(y)
  end

  function bint.__sub(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then
      local z = setmt({}, bint)
      local borrow = 0
      for i = 1, N do
        local ai, bi = a[i], b[i]
        if bi == 0 and borrow == 0 then
          z[i] = ai
        else
          local v = ai - bi - borrow
          if v < 0 then
            z[i] = v + BASE
            borrow = 1
          else
            z[i] = v
            borrow = 0
          end
        end
      end
      return z
    end
    return tonum(x) - tonum(y)
  end

  -- Schoolbook product modulo 2^bits, skipping zero words (balances use few words).
  function mul(a, b)
    local z = zero()
    local na, nb = N, N
    while na > 0 and a[na] == 0 do
      na = na - 1
    end
    while nb > 0 and b[nb] == 0 do
      nb = nb - 1
    end
    for i = 1, na do
      local ai = a[i]
      if ai ~= 0 then
        local carry = 0
        local last = mmin(nb, N - i + 1)
        for j = 1, last do
          local k = i + j - 1
          -- ai * b[j] < 2^64 may wrap to negative: split it with unsigned shifts
          local p = ai * b[j]
          local t = z[k] + (p & MASK) + carry
          z[k] = t & MASK
          carry = (t >> W) + (p >> W)
        end
        for k = i + last, N do
          if carry == 0 then
            break
          end
          local t = z[k] + carry
          z[k] = t & MASK
          carry = t >> W
        end
      end
    end
    return z
  end

  function bint.__mul(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then
      return mul(a, b)
    end
    return tonum(x) * tonum(y)
  end

  function bint.__eq(x, y)
    for i = 1, N do
      if x[i] ~= y[i] then
        return false
      end
    end
    return true
  end

  local function eq(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then
      return ucmp(a, b) == 0
    end
    return x == y
  end
  bint.eq = eq

  -- Index (1-based bit position) of the highest set bit, 0 for zero.
  local function bitlen(x)
    for i = N, 1, -1 do
      local v = x[i]
      if v ~= 0 then
        local n = 0
        while v ~= 0 do
          v = v >> 1
          n = n + 1
        end
        return (i - 1) * W + n
      end
    end
    return 0
  end

  -- Unsigned quotient and remainder; `num` is consumed (becomes the remainder).
  local function udivmod_into(num, den)
    local dtop = N
    while dtop > 0 and den[dtop] == 0 do
      dtop = dtop - 1
    end
    if dtop == 0 then
      error('[string ".bint"]:2383: attempt to divide by zero', 0)
    end
    if dtop == 1 and den[1] < MSB then
      local d = den[1]
      local rem = 0
      for i = N, 1, -1 do
        local cur = (rem << W) | num[i]
        num[i] = cur // d
        rem = cur % d
      end
      return num, from_int(rem, 0)
    end
    local quot = zero()
    if ucmp(num, den) < 0 then
      return quot, num
    end
    local shift = bitlen(num) - bitlen(den)
    local d = clone(den)
    local ws = shift // W
    if ws > 0 then
      shl_words(d, ws)
    end
    local bs = shift % W
    if bs > 0 then
      for i = N, 2, -1 do
        d[i] = ((d[i] << bs) | (d[i - 1] >> (W - bs))) & MASK
      end
      d[1] = (d[1] << bs) & MASK
    end
    for bit = shift, 0, -1 do
      if ucmp(num, d) >= 0 then
        sub_into(num, d)
        local w = bit // W + 1
        quot[w] = quot[w] | (1 << (bit % W))
      end
      shr_one(d)
    end
    return quot, num
  end

  local function udivmod(x, y)
    local num = new(x)
    local den = convert(y)
    return udivmod_into(num, den)
  end
  bint.udivmod = udivmod

  function bint.udiv(x, y)
    return (udivmod(x, y))
  end

  local function umod(x, y)
    local _, r = udivmod(x, y)
    return r
  end
  bint.umod = umod

  local MIN

  local function tdivmod(x, y)
    local ax, ay = abs(x), abs(y)
    local a, b = tobint(ax), tobint(ay)
    local q, r
    if a and b then
      if eq(x, MIN) and isminusone(y) then
        error('division overflow', 0)
      end
      q, r = udivmod(a, b)
    else
      q, r = ax // ay, ax % ay
    end
    local xneg, yneg = isneg_any(x), isneg_any(y)
    if xneg ~= yneg then
      q = -q
    end
    if xneg then
      r = -r
    end
    return q, r
  end
  bint.tdivmod = tdivmod

  function bint.tdiv(x, y)
    return (tdivmod(x, y))
  end

  function bint.tmod(x, y)
    local _, r = tdivmod(x, y)
    return r
  end

  -- Floor division of bints: quotient and remainder (remainder with the divisor's sign).
  local function floor_divmod(a, b, y)
    local xneg, yneg = isneg(a), isneg(b)
    local num = clone(a)
    if xneg then
      negate(num)
    end
    local den = b
    if yneg then
      den = negate(clone(b))
    end
    local q, r = udivmod_into(num, den)
    if xneg ~= yneg then
      negate(q)
      if not iszero_words(r) then
        dec_into(q)
        if xneg then
          negate(r)
        end
        add_into(r, convert(y))
      end
    elseif xneg then
      negate(r)
    end
    return q, r
  end

  local function idivmod(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then
      return floor_divmod(a, b, y)
    end
    local nx, ny = tonum(x), tonum(y)
    return nx // ny, nx % ny
  end
  bint.idivmod = idivmod

  function bint.idiv(x, y)
    return (idivmod(x, y))
  end

  function bint.imod(x, y)
    local _, r = idivmod(x, y)
    return r
  end

  function bint.__idiv(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then
      return (floor_divmod(a, b, y))
    end
    return tonum(x) // tonum(y)
  end

  function bint.__div(x, y)
    return tonum(x) / tonum(y)
  end

  function bint.__mod(x, y)
    local _, r = idivmod(x, y)
    return r
  end

  function bint.ipow(x, y)
    y = convert(y)
    if iszero_words(y) then
      return bint.one()
    elseif bint.isone(y) then
      return new(x)
    end
    local base = new(x)
    local acc = bint.one()
    local top = bitlen(y)
    -- square-and-multiply from the top bit of y (read as unsigned)
    for bit = top - 1, 0, -1 do
      acc = mul(acc, acc)
      if y[bit // W + 1] & (1 << (bit % W)) ~= 0 then
        acc = mul(acc, base)
      end
    end
    return acc
  end

  function bint.upowmod(x, y, m)
    m = convert(m)
    if bint.isone(m) then
      return zero()
    end
    local base, e = new(x), new(y)
    local acc = bint.one()
    base = umod(base, m)
    while not iszero_words(e) do
      if e[1] & 1 == 1 then
        acc = umod(mul(acc, base), m)
      end
      shr_one(e)
      base = umod(mul(base, base), m)
    end
    return acc
  end

  function bint.__pow(x, y)
    return tonum(x) ^ tonum(y)
  end

  local shl, shr

  function shl(x, y)
    x, y = new(x), need_integer(y)
    if y == LMIN or mabs(y) >= bits then
      return zero()
    end
    if y < 0 then
      return shr(x, -y)
    end
    local ws = y // W
    if ws ~= 0 then
      shl_words(x, ws)
      y = y - ws * W
    end
    if y ~= 0 then
      for i = N, 2, -1 do
        x[i] = ((x[i] << y) | (x[i - 1] >> (W - y))) & MASK
      end
      x[1] = (x[1] << y) & MASK
    end
    return x
  end

  function shr(x, y)
    x, y = new(x), need_integer(y)
    if y == LMIN or mabs(y) >= bits then
      return zero()
    end
    if y < 0 then
      return shl(x, -y)
    end
    local ws = y // W
    if ws ~= 0 then
      shr_words(x, ws)
      y = y - ws * W
    end
    if y ~= 0 then
      for i = 1, N - 1 do
        x[i] = ((x[i] >> y) | (x[i + 1] << (W - y))) & MASK
      end
      x[N] = x[N] >> y
    end
    return x
  end
  bint.__shl = shl
  bint.__shr = shr

  local function bitwise(f)
    return function(self, y)
      y = convert(y)
      for i = 1, N do
        self[i] = f(self[i], y[i])
      end
      return self
    end
  end
  bint._band = bitwise(function(a, b) return a & b end)
  bint._bor = bitwise(function(a, b) return a | b end)
  bint._bxor = bitwise(function(a, b) return a ~ b end)

  function bint.__band(x, y)
    local z, b = new(x), convert(y)
    for i = 1, N do
      z[i] = z[i] & b[i]
    end
    return z
  end

  function bint.__bor(x, y)
    local z, b = new(x), convert(y)
    for i = 1, N do
      z[i] = z[i] | b[i]
    end
    return z
  end

  function bint.__bxor(x, y)
    local z, b = new(x), convert(y)
    for i = 1, N do
      z[i] = z[i] ~ b[i]
    end
    return z
  end

  function bint:_bnot()
    for i = 1, N do
      self[i] = ~self[i] & MASK
    end
    return self
  end

  function bint.__bnot(x)
    local z = blank()
    for i = 1, N do
      z[i] = ~x[i] & MASK
    end
    return z
  end

  bint._unm = negate

  function bint.__unm(x)
    return negate(clone(x))
  end

  function bint.bwrap(x, y)
    x = convert(x)
    if y <= 0 then
      return zero()
    elseif y < bits then
      return x & dec_into(shl(bint.one(), y))
    end
    return clone(x)
  end

  local brol, bror
  function brol(x, y)
    x, y = convert(x), need_integer(y)
    if y > 0 then
      return shl(x, y) | shr(x, bits - y)
    elseif y < 0 and y ~= LMIN then
      return bror(x, -y)
    end
    return x
  end

  function bror(x, y)
    x, y = convert(x), need_integer(y)
    if y > 0 then
      return shr(x, y) | shl(x, bits - y)
    elseif y < 0 and y ~= LMIN then
      return brol(x, -y)
    end
    return x
  end
  bint.brol = brol
  bint.bror = bror

  function bint.ult(x, y)
    return ucmp(convert(x), convert(y)) < 0
  end

  function bint.ule(x, y)
    return ucmp(convert(x), convert(y)) <= 0
  end

  -- Signed comparison of two bints: -1, 0 or 1.
  local function scmp(a, b)
    local an, bn = isneg(a), isneg(b)
    if an ~= bn then
      return an and -1 or 1
    end
    return ucmp(a, b)
  end

  function bint.__lt(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then
      return scmp(a, b) < 0
    end
    return tonum(x) < tonum(y)
  end

  function bint.__le(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then
      return scmp(a, b) <= 0
    end
    return tonum(x) <= tonum(y)
  end

  function bint.max(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then
      return clone(scmp(a, b) > 0 and a or b)
    end
    return bint.parse(mmax(x, y))
  end

  function bint.min(x, y)
    local a, b = tobint(x), tobint(y)
    if a and b then
      return clone(scmp(a, b) < 0 and a or b)
    end
    return bint.parse(mmin(x, y))
  end

  function bint.__tostring(x)
    return tobase(x, 10)
  end

  setmt(bint, {
    __call = function(_, x)
      return new(x)
    end,
  })

  MIN = mininteger()
  return bint
end

-- `require('.bint')(bits, wordbits)`: the class for `bits`-bit integers (default 256).
return function(bits, wordbits)
  local intbits = 64
  bits = bits or 256
  wordbits = wordbits or intbits // 2
  local key = bits * 64 + wordbits
  local class = classes[key]
  if class then
    return class
  end
  -- aos runs its modules stripped of debug information, so their errors carry no
  -- position: every error here is raised at level 0.
  if not (bits % wordbits == 0) then
    error('bitsize is not multiple of word bitsize', 0)
  end
  if not (2 * wordbits <= intbits) then
    error('word bitsize must be half of the lua integer bitsize', 0)
  end
  if not (bits >= 64) then
    error('bitsize must be >= 64', 0)
  end
  if not (wordbits >= 8) then
    error('wordbits must be at least 8', 0)
  end
  if not (bits % 8 == 0) then
    error('bitsize must be multiple of 8', 0)
  end
  class = build(bits, wordbits)
  classes[key] = class
  return class
end
