-- `.crypto.cipher.mode.cbc`, `cfb`, `ctr`, `ecb` and `ofb` (this one source, by the name it is
-- loaded under): block cipher modes as aos runs them. Bytes go through a queue; every full
-- block is processed at once. Every mode but ECB takes the first block it is given as its
-- IV (`aes.encrypt` streams the IV first; a short IV borrows the data's first bytes). ECB
-- encrypts that first block as data. `finish` streams aos's zero padding, which leaves the
-- last partial block unprocessed. The `as...` readers drain the output.
local name = ...
local kind = string.match(name, "[^.]+$")
local Array = require(".crypto.util.array")
local Stream = require(".crypto.util.stream")
local Queue = require(".crypto.util.queue")

-- Adds one to the big-endian counter in the IV's last eight bytes (no carry past them).
local function increment(iv)
  for i = 16, 9, -1 do
    iv[i] = iv[i] + 1
    if iv[i] <= 0xFF then
      return
    end
    iv[i] = iv[i] & 0xFF
  end
end

-- What each mode does with a block, given the cipher, key and chaining state.
local STEPS = {
  cbc = {
    encrypt = function(c, key, s, block)
      local out = c.encrypt(key, Array.XOR(s.iv, block))
      s.iv = out
      return out
    end,
    decrypt = function(c, key, s, block)
      local out = Array.XOR(s.iv, c.decrypt(key, block))
      s.iv = block
      return out
    end,
  },
  cfb = {
    encrypt = function(c, key, s, block)
      local out = Array.XOR(c.encrypt(key, s.iv), block)
      s.iv = out
      return out
    end,
    decrypt = function(c, key, s, block)
      local out = Array.XOR(c.encrypt(key, s.iv), block)
      s.iv = block
      return out
    end,
  },
  ofb = {
    encrypt = function(c, key, s, block)
      s.iv = c.encrypt(key, s.iv)
      return Array.XOR(s.iv, block)
    end,
  },
  ctr = {
    encrypt = function(c, key, s, block)
      local out = Array.XOR(c.encrypt(key, s.iv), block)
      increment(s.iv)
      return out
    end,
  },
  ecb = {
    encrypt = function(c, key, _, block) return c.encrypt(key, block) end,
    decrypt = function(c, key, _, block) return c.decrypt(key, block) end,
  },
}
local steps = STEPS[kind]
local usesIv = kind ~= "ecb"

local function machine(step)
  return function()
    local public = {}
    local key, blockCipher, padding, input, output, state
    function public.setKey(keyBytes)
      key = keyBytes
      return public
    end
    function public.setBlockCipher(cipher)
      blockCipher = cipher
      return public
    end
    function public.setPadding(paddingMode)
      padding = paddingMode
      return public
    end
    function public.init()
      input, output, state = Queue(), Queue(), {}
      return public
    end
    function public.update(messageStream)
      local b = messageStream()
      while b ~= nil do
        input.push(b)
        if input.size() >= blockCipher.blockSize then
          local block = Array.readFromQueue(input, blockCipher.blockSize)
          if usesIv and state.iv == nil then
            state.iv = block
          else
            Array.writeToQueue(output, step(blockCipher, key, state, block))
          end
        end
        b = messageStream()
      end
      return public
    end
    function public.finish()
      public.update(padding(blockCipher.blockSize, input.getHead()))
      return public
    end
    function public.getOutputQueue() return output end
    function public.asHex() return Stream.toHex(output.pop) end
    function public.asBytes() return Stream.toArray(output.pop) end
    function public.asString() return Stream.toString(output.pop) end
    return public
  end
end

return {
  Cipher = machine(steps.encrypt),
  Decipher = machine(steps.decrypt or steps.encrypt),
}
