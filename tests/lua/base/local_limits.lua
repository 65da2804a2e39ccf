-- Lua's limit of 200 locals in scope in one function (MAXVARS), counted with parameters and
-- a for loop's hidden locals; past it, `load` gives Lua's syntax error (piccolo has no such
-- limit, and its compiler overflowed its 256 registers).
local function locals(n, sep)
  local parts = {}
  for i = 1, n do parts[i] = "local a" .. i .. " = " .. i end
  return table.concat(parts, sep or "\n")
end

local function try(label, src)
  local f, err = load(src, "=" .. label)
  if f then
    local ok, v = pcall(f)
    print(label, "compiles", ok, v)
  else
    print(label, err)
  end
end

try("200 locals", locals(200) .. "\nreturn a200")
try("201 locals", locals(201) .. "\nreturn a201")
try("250 locals", locals(250))
try("10000 redeclarations", string.rep("local a ", 10000))
try("one statement of 201 names", "local " .. string.rep("a, ", 200) .. "a")
try("201 parameters", "local function f(" .. string.rep("a, ", 200) .. "a) end")
try("200 parameters", "local function f(" .. string.rep("a, ", 199) .. "a) return a end return f()")
try("197 locals and a numeric for", locals(197, " ") .. " for i = 1, 2 do end")
try("196 locals and a numeric for", locals(196, " ") .. " for i = 1, 2 do end return a196")
try("196 locals and a generic for", locals(196, " ") .. " for k, v in pairs({}) do end")
try("locals in sibling blocks", "do " .. locals(150, " ") .. " end do " .. locals(150, " ") .. " end return 1")
try("locals in a nested function", locals(150, " ") .. " local function g() " .. locals(150, " ") .. " return a150 end return g()")
try("201 locals in a nested function", "local function g() " .. locals(201, " ") .. " end")
