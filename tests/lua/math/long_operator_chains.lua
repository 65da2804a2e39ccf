-- Statements with more operator calls than one function's registers allow: the operand
-- built so far moves into a function of its own, so operators on values of unknown type
-- keep Lua's semantics (no plain VM operator, which piccolo panics on for some operands).
local function f(a, b, s, m, ...)
  local x = a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b + a % b
  local y = s | s | s | s | s | s | s | s | s | s | s | s | s | s | s | s | s | s | s | s | s | s | s | s | s | s | s | s | s | s | s | s | s | s | s | s | s | s | s | s
  local z = (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1) ~ (m % -1)
  local w = select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...) + select('#', ...)
  return x, y, z, w, -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a .. -a
end
print(f(7, 3, "1", math.mininteger, 1, 2))
print(pcall(f, 7, 3, "", math.mininteger))
print(pcall(f, 7, 0, "1", 1))
local t = setmetatable({}, {__add = function(p, q) return 1 end, __mod = function() return 2 end})
local function g(o) return o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o + o % o end
print(g(t))
print(pcall(g, nil))
