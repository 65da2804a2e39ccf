-- Operators on string constants: a unary operand is named as a constant, binary ones are not.
print(pcall(function() return "" + 1 end))
print(pcall(function() return 1 + "x" end))
print(pcall(function() return -"" end))
print(pcall(function() local a = "" return a .. {} end))
print(pcall(function() return "" | 1 end))
print(pcall(function() return 1 < "x" end))
