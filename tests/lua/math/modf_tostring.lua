-- math.modf keeps integers whole and shows integral parts as integers when they fit;
-- tostring and %.14g of numbers near the integer limits.
for _, v in ipairs({2^53 + 1, math.maxinteger, math.mininteger, -3.5, 3.5, 2^63, -2^63,
    1e300, -0.0, 0.0, math.huge, -math.huge, 5, -5, "7", "7.25", "9223372036854775807"}) do
  print(v, math.modf(v))
end
print(pcall(math.modf, "x"), (math.modf(0/0)) ~= (math.modf(0/0)))
for _, v in ipairs({2^63, -2^63, 2^53, 1e15, 1e16, 123456789012345678, 0.1, -0.0, 1/3}) do
  print(tostring(v), string.format("%.14g", v), v // 1, math.type(v // 1))
end
