//! `.bint` against results computed independently with Python's big integers modulo 2^256
//! (tests/data/bint_cases.py writes tests/data/bint_cases.txt).

use aolite::{Process, ProcessOptions};

const CASES: &str = include_str!("data/bint_cases.txt");

/// Evaluates every case inside one process and prints the ones that differ.
const CHECK: &str = r#"
local bint = require('.bint')(256)
local ops = {
  add = function(a, b) return a + b end,
  sub = function(a, b) return a - b end,
  mul = function(a, b) return a * b end,
  idiv = function(a, b) return a // b end,
  mod = function(a, b) return a % b end,
  udiv = bint.udiv, umod = bint.umod, tdiv = bint.tdiv, tmod = bint.tmod,
  lt = function(a, b) return a < b end,
  le = function(a, b) return a <= b end,
  ult = bint.ult,
  band = function(a, b) return a & b end,
  bor = function(a, b) return a | b end,
  bxor = function(a, b) return a ~ b end,
  unm = function(a) return -a end,
  bnot = function(a) return ~a end,
  shl = function(a, b) return a << bint.tointeger(b) end,
  shr = function(a, b) return a >> bint.tointeger(b) end,
  hex = function(a) return bint.tobase(a, 16) end,
  bin = function(a) return bint.tobase(a, 2) end,
  ipow = bint.ipow,
  parse = function(a) return a end,
}
local bad, n = 0, 0
for line in string.gmatch(Cases, '[^\n]+') do
  local op, a, b, want = string.match(line, '^(%S+) (%S+) (%S+) (%S+)$')
  local ok, got = pcall(ops[op], bint(a), bint(b))
  got = ok and tostring(got) or ('ERR ' .. tostring(got))
  n = n + 1
  if got ~= want then
    bad = bad + 1
    if bad <= 10 then print(line .. ' => ' .. got) end
  end
end
print(n .. ' cases, ' .. bad .. ' wrong')
"#;

#[test]
fn bint_matches_python_big_integers_mod_2_256() {
    let mut p = Process::new(ProcessOptions::default()).expect("spawn");
    let mut source = String::from("Cases = [==[\n");
    source.push_str(CASES);
    source.push_str("]==]\n");
    p.eval(&source).expect("cases");
    let out = p.eval(CHECK).expect("check").output;
    let count = CASES.lines().count();
    assert_eq!(out, format!("{count} cases, 0 wrong"));
}

#[test]
fn bint_edges_as_aos_shows_them() {
    let mut p = Process::new(ProcessOptions::default()).expect("spawn");
    let script = r#"
local bint = require('.bint')
local b = bint(256)
local r = {}
local function add(v) r[#r + 1] = tostring(v) end
add(rawequal(bint(256), b)) -- classes are shared per bit size
add(bint() == b)
add(b.maxinteger() + 1 == b.mininteger())
add(b("1" .. string.rep("0", 80)))
add(select(2, pcall(b.new, "12a")))
add(select(2, pcall(function() return b(1) // 0 end)))
add(select(2, pcall(b.tdivmod, b.mininteger(), -1)))
add(select(2, pcall(function() return b(1) << nil end)))
add(b.tobint("abc"))
add(b.parse("1.5"))
add(b(7) / 2)
add(b(2) ^ 10)
add(b(5) + 1.5)
add(b.tonumber(b("12345678901234567890")))
add(b.tobase(-255, 16, false))
add(b.tobase(-1, 10, true))
add(bint(64).maxinteger())
add(select(2, pcall(bint, 100)))
print(table.concat(r, "|"))
"#;
    let out = p.eval(script).expect("eval").output;
    let want = [
        "true",
        "true",
        "true",
        "-44365101041192845965331047506352385225266751113447330091352582836944008904704",
        // aos 2.0.6's positions (probed on the real module; the oracle compares them too).
        r#"[string ".bint"]:787: value cannot be represented by a bint"#,
        r#"[string ".bint"]:2383: attempt to divide by zero"#,
        "division overflow",
        "value has no integer representation",
        "nil",
        "1.5",
        "3.5",
        "1024.0",
        "6.5",
        "1.2345678901235e+19",
        "-ff",
        "115792089237316195423570985008687907853269984665640564039457584007913129639935",
        "9223372036854775807",
        "bitsize is not multiple of word bitsize",
    ];
    assert_eq!(out, want.join("|"));
}
