-- require stores each module into package.loaded; after string keys were deleted from
-- package.loaded, one of those stores grows the table (piccolo 0.3.3 panicked there:
-- "all keys must be live when table is grown").
for i = 1, 40 do package.loaded['tmp' .. i] = true end
for i = 1, 40 do package.loaded['tmp' .. i] = nil end
local sum = 0
for i = 1, 100 do
  package.preload['m' .. i] = function() return i end
  sum = sum + require('m' .. i)
end
for i = 101, 140 do
  package.preload['m' .. i] = function() end
  assert(require('m' .. i) == true)
end
print(sum, package.loaded.m7, package.loaded.m120, package.loaded.tmp3)
