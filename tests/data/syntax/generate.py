#!/usr/bin/env python3
"""Regenerates corpus.json: each snippet is written to t.lua and run by lua5.3; the first line
of its stderr, without the `lua5.3: ` prefix, is the message aolite must give word for word."""
import json, os, subprocess, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))
many_locals = ("local " + ", ".join(f"u{i}" for i in range(130)) + "\n"
                 + "local " + ", ".join(f"w{i}" for i in range(130)) + "\n"
                 + "return function() return " + " + ".join(
                     [f"u{i}" for i in range(130)] + [f"w{i}" for i in range(130)]) + " end\n")
# More than 255 upvalues in one function, no function with more than 200 locals.
many_upvalues = ("local function fa()\n  local " + ", ".join(f"a{j}" for j in range(128)) + "\n"
                 + "  local function fb()\n    local " + ", ".join(f"b{j}" for j in range(128)) + "\n"
                 + "    function fc()\n      return " + " + ".join(
                     f"a{j} + b{j}" for j in range(128)) + "\n    end\n  end\nend\n")
SNIPPETS = [
    # unexpected symbol / syntax error
    "x = = 1", "x = 1 * * 2", "x = 1 = 2", "x = )", "x = @", "f(1 @)", "x = $y", "local x = ?",
    "x = 1 +", "x = 1 +\n\n", "x = not", "x = #", "x", "x.y", "x = 3x", "f() = 1", "(a) = 1",
    "a, f() = 1, 2", "a.b, (c) = 1, 2", "x = 1 \"abc\"", "x = 1 'a\\65b'", "x = 1 [[long]]",
    "x = 1 [==[\nlong\nstring]==]", "x = 1 2.5", "x = 1 0x1F", "x = 1 name", "x = 1 ...",
    "x = 1 //", "x = 1 ~= ~=", "x = y .. ..", "x = 1 >> <<", "::a:: ::", "return return",
    "x = {,}", "x = {1,,2}", "local function f() x = end", "if x then = end", "x = function",
    "x is y", "y = x is 1", "a\x01a = 1", "x = \x7f", "x = é", "x = 1 \"é\"", "x = 1 \x00",
    "x = 1 \"a\\0b\"", "x = 1 'tab\\there'",
    # check_match
    "t = {1, 2", "t = {\n1\n", "t = {1 2}", "f(1, 2", "f(\n1\n", "f\n(\n1", "x = (1 + 2",
    "x = (1 +\n2", "function f()\n  return 1\n", "function f() return 1", "x = function() x = 1",
    "repeat x = 1", "repeat\n x = 1\n", "while true do", "while true do\nx = 1\n", "for i = 1, 2 do",
    "for i = 1, 2 do\n", "for k, v in pairs(t) do\n", "if x then", "if x then\n", "if x then else\n",
    "if x then elseif y then\n", "do", "do\n x = 1\n", "do x = 1 end end", "local t = {x 1}",
    "return 1 2", "return 1\nx = 2", "if x then return 1 x = 2 end",
    # checknext
    "x = t[1", "x = t[1 2]", "t = {[1] 2}", "t = {[1]}", "t = {x = }", "function f end",
    "function f(a b) end", "function f(a,) end", "function f(1) end", "function f(..., a) end",
    "local function f end", "x, y", "x, y 1", "x.y, z", "while true x = 1 end",
    "for i = 1 2 do end", "for i do end", "for i, j do end", "for i, j = 1, 2 do end",
    "for i = 1, 2 x = 1 end", "for k, v in t x = 1 end", "if x y = 1 end", "if x then elseif y z end",
    "::a", "::a: x = 1", "::1::",
    # <name> expected
    "x = t.", "x = t.1", "t:1()", "x = t:m", "t:m.x = 1", "a.b:c = 1", "local 1 = 2", "local = 1",
    "local function 1() end", "function 1() end", "function t.() end", "function t:() end",
    "for 1 = 1, 2 do end", "for i, 2 in t do end", "goto 1", "goto", "local x, = 1",
    # function arguments expected
    "t:m", "t:m + 1", "t:m = 1",
    # vararg
    "function f() return ... end", "x = ...\nfunction f(a) return ... end",
    # labels and gotos
    "::l:: ::l::", "do ::l:: end ::l:: ::l::", "goto l", "do goto l end", "break",
    "if x then break end", "function f() break end", "while x do end break",
    "goto l; local x; ::l:: print(x)", "do goto l; local x; ::l:: x = 1 end",
    "repeat goto l; local x; ::l:: until x", "function f() goto l end ::l::",
    # lexer errors
    "x = \"abc", "x = \"abc\nd\"", "x = 'abc", "x = \"a\\tb", "x = \"\\q\"", "x = \"\\400\"",
    "x = \"\\256\"", "x = \"\\xg\"", "x = \"\\x5g\"", "x = \"\\x\"", "x = \"\\u12\"",
    "x = \"\\u{12\"", "x = \"\\u{}\"", "x = \"\\u{zz}\"", "x = \"\\u{110000}\"",
    "x = \"\\u{7FFFFFFF}\"", "x = [==x", "x = [=", "x = [==[ abc", "x = [[\nabc\n",
    "--[[ abc\n\n", "--[==[ x ]=]", "x = 3e", "x = 1e+", "x = .5e", "x = 0x", "x = 0x.p1",
    "x = 0x1p", "x = 1..2", "x = 3.4.5", "x = 1do end", "if x == 1and y then end", "x = 08a",
    "x = 1.2.3", "x = 0xfg", "x = 5 .. 6..7", "x = \"abc\\\ndef", "x = \"\\z\n\n  \\q\"",
    # nesting and limits
    "x = " + "(" * 198 + "1" + ")" * 198, "x = " + "{" * 199 + "}" * 199,
    "x = " + "(" * 150 + "1", many_locals, many_upvalues,
]

def lua_message(src, lua):
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "t.lua"), "wb") as f:
            f.write(src.encode("utf-8"))
        out = subprocess.run([lua, "t.lua"], cwd=d, capture_output=True)
        line = out.stderr.decode("utf-8", "replace").split("\n")[0]
        if not line.startswith("lua5.3: ") and not line.startswith(lua + ": "):
            return None
        return line.split(": ", 1)[1]

def main():
    lua = os.environ.get("AOLITE_LUA53", "lua5.3")
    cases = []
    for src in SNIPPETS:
        msg = lua_message(src, lua)
        if msg is None:
            sys.exit(f"lua5.3 accepts {src!r}: not a syntax error snippet")
        cases.append({"source": src, "lua": msg})
    with open(os.path.join(here, "corpus.json"), "w") as f:
        json.dump(cases, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"{len(cases)} cases")

main()
