-- Runtime errors inside statements that span several lines (issue 12): Lua 5.3 gives each
-- instruction the line of the last token its parser had read when it emitted it, so a
-- call names the line where the called expression starts (in a table constructor, the line
-- of the token after the item's first name, which the parser reads ahead), a read the line
-- of its last token or of the token after it (`,`, `)`, `}`, an operator, `then`), a
-- numeric `for` the line of its `do`, a generic `for` the line after `in`.
local none
local t = { a = {}, s = "x", n = 1 }
local k = "k"
local function id(...) return ... end
local function it() error("in iterator") end

-- A call nested in a multi-line call's arguments: the line where it starts.
print(pcall(function()
  print(
    none()
  )
end))
print(pcall(function()
  id(1,
    id(
      none(2)
    ))
end))
print(pcall(function()
  local x = t.a
    .b()
end))
print(pcall(function()
  local x = (
    none)()
end))
-- Calls in a constructor: a record field's value where it starts; an item that starts
-- with a name on the line of the token after that name.
print(pcall(function()
  local x = {
    x = none()
  }
end))
print(pcall(function()
  local x = {
    none()
  }
end))
print(pcall(function()
  local x = { none
    () }
end))
print(pcall(function()
  local x = { 1,
    id(2), none
    (3) }
end))
-- Reads: the last item of a constructor at its `}` (after a last separator too), an item
-- followed by another at the separator.
print(pcall(function()
  local x = {
    none.x
  }
end))
print(pcall(function()
  local x = {
    none["k"]
    ;
  }
end))
print(pcall(function()
  local x = { none.x
    , 2 }
end))
print(pcall(function()
  local x = {
    y = none.x
  }
end))
-- Reads in argument and value lists: at the `,` or `)` after them; the last value of a
-- `local` or `return` list at its own last token.
print(pcall(function()
  print(none.x
  )
end))
print(pcall(function()
  print(none[k]
    , 1)
end))
print(pcall(function()
  local a, b = none.x
    , 1
end))
print(pcall(function()
  local a = 1, none
    .x
end))
print(pcall(function()
  return 1, none
    .x
end))
print(pcall(function()
  local x = (none.x
  )
end))
-- Left operands at their operator, conditions of `if` at the `then`, of `while` at their
-- last token.
print(pcall(function()
  local x = none.x
    + 1
end))
print(pcall(function()
  local x = none.x
    .. "a"
end))
print(pcall(function()
  local x = none.x
    and 1
end))
print(pcall(function()
  if none.x
  then end
end))
print(pcall(function()
  if false then elseif none.x
  then end
end))
print(pcall(function()
  while none.x
  do end
end))
print(pcall(function()
  repeat local y = 1 until none
    .x
end))
-- A read followed by a method call: at the method's name.
print(pcall(function()
  local x = none.x
    :m()
end))
-- Keys of no identity: at the `]`; a call's result: at its last token.
print(pcall(function()
  local x = t.a.b[
    1
  ]
end))
print(pcall(function()
  local x = t[1]
    [2]
end))
print(pcall(function()
  local x = id()
    .y
end))
-- Operators with a number as last operand: arithmetic at the operator, comparison at the
-- number.
print(pcall(function()
  local x = t.a.b
    + 1
end))
print(pcall(function()
  local x = none
    < 1
end))
print(pcall(function()
  local x = t.a <
    1
end))
print(pcall(function()
  local x = #
    t.a.b
end))
-- Stores of a one-token value: at the value; `table index is nil` as the store.
print(pcall(function()
  t.a.b.c =
    1
end))
print(pcall(function()
  t
  [none] = 1
end))
-- Numeric `for`: its values are checked at the `do`.
print(pcall(function()
  for i = none, 10
  do end
end))
print(pcall(function()
  for i = 1, none
  do end
end))
print(pcall(function()
  for i = 1, 10,
    none
  do end
end))
print(pcall(function()
  for i = t.s,
    10 do end
end))
print(pcall(function()
  for i = 1,
    function() while false do end end do end
end))
-- Generic `for`: the iterator is called on the line of the token after `in`, named as
-- Lua names that frame.
print(pcall(function()
  for k, v in none
  do end
end))
print(pcall(function()
  for k, v in
    none
  do end
end))
print(pcall(function()
  for k, v in none,
    nil
  do end
end))
print(pcall(function() for k, v in none do end end))
print(pcall(function() for k, v in 5 do end end))
print(pcall(function() for k, v in it do end end))
print(pcall(function()
  for k, v in
    it, nil
  do end
end))
print(pcall(function()
  for k in function() return none.x end
  do end
end))
do
  local function iter()
    local info = debug.getinfo(1, "n")
    print(info.name, info.namewhat)
    print((debug.traceback("tb"):gsub("\n[^\n]*%[C%][^\n]*", "")))
  end
  for _ in iter
  do end
end
-- Method calls: the receiver is indexed at the method's name, the method called where the
-- expression starts (a library method's errors name that line too).
print(pcall(function()
  local x = t
    :nomethod()
end))
print(pcall(function()
  local x = none
    :m()
end))
print(pcall(function()
  local x =
    t.a:m(1)
end))
print(pcall(function()
  local x =
    ("x"):rep({})
end))
print(pcall(function()
  local x = { t.s
    :rep({}) }
end))
print(pcall(function()
  local x = {
    t:nomethod(), 1 }
end))
-- `table index is nil` of a store: the store's line.
print(pcall(function()
  t[
    none] = 1
end))
-- Stores of a constructor or a function: after the value's `}` or `end`; a function
-- statement: at its `function`.
print(pcall(function()
  t.a.b.c = {
    x = 1,
  }
end))
print(pcall(function()
  t.a.b.c = function()
    return 1
  end
end))
print(pcall(function()
  t.a.b[k] =
    function() while false do end end
end))
print(pcall(function()
  function none.f(a)
    local b = a
    return b
  end
end))
print(pcall(function()
  function none:m(a)
    return a
  end
end))
print(pcall(function()
  function t.a.b.f()
  end
end))
-- Errors of library functions name the line of their call (the call instruction's line,
-- which they read from the calling frame), `error` too.
print(pcall(function()
  print(
    string.rep())
end))
print(pcall(function()
  local x =
    string.rep()
end))
print(pcall(function()
  local x = {
    a = string.rep(),
  }
end))
print(pcall(function()
  local x = { string
    .rep() }
end))
print(pcall(function()
  print(1,
    error("boom"))
end))
print(pcall(function()
  local x = tostring(1) ..
    string.format("%d", "x")
end))
print(pcall(function()
  return
    string.rep()
end))
do
  local function where()
    print((debug.traceback("tb", 1):gsub("\n[^\n]*%[C%][^\n]*", "")))
  end
  local x = {
    1,
    where(),
  }
end
