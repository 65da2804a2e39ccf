-- os.getenv: nil for a name that is not set (aos's environment is empty, so every name);
-- the name must be a string or a number.
print(os.getenv("AOLITE_NO_SUCH_VARIABLE_X9"))
print(select("#", os.getenv("AOLITE_NO_SUCH_VARIABLE_X9")))
print(os.getenv(12345))
print(pcall(os.getenv))
print(pcall(os.getenv, {}))
print(pcall(function() return os.getenv(nil) end))
