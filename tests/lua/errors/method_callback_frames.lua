-- string.gsub called as a method: its replacement function's frame is still below a
-- [C] string.gsub frame.
local function up(c)
  return c .. nil
end
print(xpcall(function() return ("ab"):gsub("%w", up) end, debug.traceback))
