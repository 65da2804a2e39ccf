//! Random Lua 5.3 programs for the differential fuzzer (`tests/lua_fuzz.rs`, the CI batch, and
//! `examples/lua_fuzz.rs`, the long run). Deterministic from a seed: the same seed and feature
//! set give the same program on every machine.
//!
//! A program is a fixed prelude (printing helpers) followed by statement groups; each group is
//! one feature's snippet, run inside `pcall` so that an error ends only its group and is printed.
//! Values are printed with `tostring`, except tables, functions and threads, which print as their
//! type (their addresses legitimately differ). Nothing iterates hash keys with `pairs`.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Feature flags: each names one area the generator can exercise.
pub const FEATURES: &[(&str, &str)] = &[
    (
        "arity",
        "calls with fewer or more arguments than parameters, on every call path",
    ),
    ("direct", "direct calls of local functions"),
    ("tailcall", "tail calls `return f(...)`"),
    ("method", "method calls `obj:m()` and `obj.m(obj)`"),
    ("pcall", "pcall and xpcall with arguments and handlers"),
    ("sort", "table.sort comparators"),
    ("gsubfn", "string.gsub with a function replacement"),
    ("coroutine", "coroutine.wrap, create, resume, yield"),
    (
        "iterator",
        "generic for with function iterators, ipairs, gmatch",
    ),
    (
        "meta",
        "metamethods __index __newindex __call __add __eq __lt __le __concat __len __unm",
    ),
    ("index", "nested indexing and nested assignment"),
    (
        "strmethod",
        "method calls and indexing on strings, method calls on tables",
    ),
    ("vararg", "varargs, select, table.pack/unpack"),
    ("closure", "closures and upvalues"),
    (
        "arith",
        "integer/float edge arithmetic, bitwise ops, shifts, comparisons",
    ),
    ("coerce", "string/number coercion"),
    (
        "errors",
        "error values (tables, levels, nil), pcall/error nesting",
    ),
    ("strlib", "string.format, rep, sub, byte, find, match, gsub"),
    (
        "alias",
        "library functions called through locals, upvalues, fields and call results of other names, in tail position too, with bad arguments",
    ),
    (
        "update",
        "`path = path op v` on fields of locals, upvalues and globals: numbers, strings, absent fields, metamethods",
    ),
    (
        "positions",
        "print error messages with their `chunk:line:` prefix (off: the program strips it)",
    ),
    (
        "bigeq",
        "`==`/`~=` between math.maxinteger/mininteger and the float ±2^63 (off: not generated)",
    ),
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Features(u64);

impl Features {
    pub fn all() -> Self {
        Features((1u64 << FEATURES.len()) - 1)
    }
    fn bit(name: &str) -> Result<u64, String> {
        FEATURES
            .iter()
            .position(|(n, _)| *n == name)
            .map(|i| 1u64 << i)
            .ok_or_else(|| format!("unknown feature '{name}'"))
    }
    pub fn without(mut self, names: &[&str]) -> Result<Self, String> {
        for n in names {
            self.0 &= !Self::bit(n)?;
        }
        Ok(self)
    }
    pub fn only(names: &[&str]) -> Result<Self, String> {
        let mut f = Features(0);
        for n in names {
            f.0 |= Self::bit(n)?;
        }
        Ok(f)
    }
    pub fn has(&self, name: &str) -> bool {
        Self::bit(name).map(|b| self.0 & b != 0).unwrap_or(false)
    }
    pub fn names(&self) -> Vec<&'static str> {
        FEATURES
            .iter()
            .filter(|(n, _)| self.has(n))
            .map(|(n, _)| *n)
            .collect()
    }
}

/// SplitMix64: small, fast, and the same everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        let mut r = Rng(seed);
        r.next();
        r
    }
    /// The generator of program `index` of a batch started from `seed`.
    pub fn for_program(seed: u64, index: u64) -> Self {
        Rng::new(seed ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03))
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % ((hi - lo + 1) as u64)) as i64
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
}

pub struct Group {
    pub kind: &'static str,
    pub stmts: Vec<String>,
}

pub struct Program {
    pub positions: bool,
    pub groups: Vec<Group>,
}

const PRELUDE: &str = r##"local function show(v)
  local t = type(v)
  if t == "string" then return "s:" .. v end
  if t == "number" or t == "boolean" or t == "nil" then return tostring(v) end
  return t
end
local function out(...)
  local n = select("#", ...)
  local t = {...}
  local parts = {}
  for i = 1, n do parts[i] = show(t[i]) end
  print("#" .. n, table.concat(parts, " "))
end
"##;

const RUN: &str = r#"local function run(name, f)
  local ok, e = pcall(f)
  if not ok then
    if type(e) == "table" then print(name, "E table", show(rawget(e, "code")))
    else print(name, "E", show(e)) end
  end
end
"#;

/// Without the `positions` feature, `show` removes the `fuzz.lua:N: ` prefixes of strings (error
/// messages), because aolite leaves out the positions of VM errors and of `error` levels >= 2
/// (COMPATIBILITY.md, "error positions").
const STRIP_POSITIONS: &str = r#"  if t == "string" then
    while true do
      local s2, n = string.gsub(v, "^fuzz%.lua:%d+: ", "", 1)
      if n == 0 then break end
      v = s2
    end
  end
"#;

impl Program {
    pub fn render(&self) -> String {
        let mut s = String::from(PRELUDE);
        if !self.positions {
            let at = s.find("  if t == \"string\"").expect("show tests strings");
            s.insert_str(at, STRIP_POSITIONS);
        }
        s.push_str(RUN);
        for (i, g) in self.groups.iter().enumerate() {
            s.push_str(&format!("run(\"g{i} {}\", function()\n", g.kind));
            for st in &g.stmts {
                for line in st.lines() {
                    s.push_str("  ");
                    s.push_str(line);
                    s.push('\n');
                }
            }
            s.push_str("end)\n");
        }
        s.push_str("print(\"done\")\n");
        s
    }
}

/// One random program of `groups` statement groups.
pub fn program(rng: &mut Rng, features: &Features, groups: usize) -> Program {
    let kinds: Vec<&'static str> = features
        .names()
        .into_iter()
        .filter(|n| !matches!(*n, "arity" | "positions" | "bigeq"))
        .collect();
    let mut g = Gen {
        rng,
        arity: features.has("arity"),
        bigeq: features.has("bigeq"),
    };
    let mut out = Vec::new();
    if !kinds.is_empty() {
        for _ in 0..groups {
            let kind = g.rng.pick(&kinds);
            let n = 1 + g.rng.below(3);
            let mut stmts = Vec::new();
            for _ in 0..n {
                stmts.extend(g.snippet(kind));
            }
            out.push(Group { kind, stmts });
        }
    }
    Program {
        positions: features.has("positions"),
        groups: out,
    }
}

struct Gen<'a> {
    rng: &'a mut Rng,
    /// Whether `==`/`~=` may compare a huge integer with a huge float (see `bigeq`).
    bigeq: bool,
    arity: bool,
}

const VALUES: &[&str] = &[
    "1",
    "2",
    "-3",
    "0",
    "2.5",
    "-0.0",
    "\"s\"",
    "\"10\"",
    "nil",
    "true",
    "false",
    "math.maxinteger",
];

const NUMS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "3",
    "7",
    "-7",
    "63",
    "64",
    "-64",
    "100",
    "math.maxinteger",
    "math.mininteger",
    "0.0",
    "-0.0",
    "0.5",
    "-2.5",
    "3.0",
    "1e308",
    "math.huge",
    "-math.huge",
    "(0/0)",
    "2^53",
    "2^63",
    "-(2^63)",
    "0x7fffffff",
    "0xff",
    "1e15",
];

const NUM_STRINGS: &[&str] = &[
    "\"10\"",
    "\"0x10\"",
    "\" 3 \"",
    "\"1e2\"",
    "\"2.5\"",
    "\"-0\"",
    "\"abc\"",
    "\"\"",
    "\"8\"",
    "\"0x1p4\"",
    "\"1.0\"",
    "\" 0x7fffffffffffffff \"",
];

const ARITH_OPS: &[&str] = &[
    "+", "-", "*", "/", "//", "%", "^", "&", "|", "~", "<<", ">>", "==", "<", "<=", ">", "~=", "..",
];

const PARAMS: &[&str] = &["a", "b", "c", "d"];

impl Gen<'_> {
    fn value(&mut self) -> String {
        self.rng.pick(VALUES).to_string()
    }
    fn args(&mut self, n: usize) -> String {
        (0..n).map(|_| self.value()).collect::<Vec<_>>().join(", ")
    }
    /// How many arguments to pass to a function of `params` parameters.
    fn count(&mut self, params: usize) -> usize {
        if self.arity && self.rng.chance(70) {
            self.rng.below(params + 3)
        } else {
            params
        }
    }
    fn params(&mut self, max: usize) -> (usize, String) {
        let p = self.rng.below(max + 1);
        (p, PARAMS[..p].join(", "))
    }
    fn num(&mut self) -> String {
        if self.rng.chance(25) {
            self.rng.range(-20, 20).to_string()
        } else {
            self.rng.pick(NUMS).to_string()
        }
    }

    fn snippet(&mut self, kind: &str) -> Vec<String> {
        match kind {
            "direct" => self.direct(),
            "tailcall" => self.tailcall(),
            "method" => self.method(),
            "pcall" => self.pcall(),
            "sort" => self.sort(),
            "gsubfn" => self.gsubfn(),
            "coroutine" => self.coroutine(),
            "iterator" => self.iterator(),
            "meta" => self.meta(),
            "index" => self.index(),
            "strmethod" => self.strmethod(),
            "vararg" => self.vararg(),
            "closure" => self.closure(),
            "arith" => self.arith(),
            "coerce" => self.coerce(),
            "errors" => self.errors(),
            "strlib" => self.strlib(),
            "alias" => self.alias(),
            "update" => self.update(),
            other => panic!("no snippet for {other}"),
        }
    }

    /// `local function NAME(PARAMS[, ...]) return PARAMS[, select('#', ...)] end`
    fn func(&mut self, name: &str, max: usize) -> (usize, String) {
        let (p, ps) = self.params(max);
        let vararg = self.rng.chance(30);
        let list = match (p, vararg) {
            (0, true) => "...".to_string(),
            (_, true) => format!("{ps}, ..."),
            _ => ps.clone(),
        };
        let ret = match (p, vararg) {
            (0, false) => "\"none\"".to_string(),
            (0, true) => "select('#', ...)".to_string(),
            (_, true) => format!("{ps}, select('#', ...)"),
            _ => ps,
        };
        (p, format!("local function {name}({list}) return {ret} end"))
    }

    fn direct(&mut self) -> Vec<String> {
        let (p, def) = self.func("f", 3);
        let k = self.count(p);
        let args = self.args(k);
        let call = match self.rng.below(4) {
            0 => format!("out(f({args}))"),
            1 => format!("local x, y, z = f({args})\nout(x, y, z)"),
            2 => format!("out((f({args})))"),
            _ => format!("out(f({args}), f({args}))"),
        };
        vec![def, call]
    }

    fn tailcall(&mut self) -> Vec<String> {
        let (p, def) = self.func("f", 3);
        let k = self.count(p);
        let args = self.args(k);
        let depth = self.rng.range(0, 30);
        let call = match self.rng.below(5) {
            0 => format!("local function g() return f({args}) end\nout(g())"),
            1 => format!("local function g(...) return f(...) end\nout(g({args}))"),
            2 => format!(
                "local o = {{f = f}}\nlocal function g() return o.f({args}) end\nout(g())"
            ),
            3 => format!(
                "local function g(n, ...) if n > 0 then return g(n - 1, ...) end return f(...) end\nout(g({depth}, {args}))"
            ),
            _ => format!("local function g() return (f({args})) end\nout(g())"),
        };
        vec![def, call]
    }

    fn method(&mut self) -> Vec<String> {
        let (p, ps) = self.params(3);
        let ret = if p == 0 {
            "self.tag".to_string()
        } else {
            format!("self.tag, {ps}")
        };
        let def = if self.rng.chance(50) {
            format!("local o = {{tag = \"o\"}}\nfunction o:m({ps}) return {ret} end")
        } else {
            let list = if p == 0 {
                "self".to_string()
            } else {
                format!("self, {ps}")
            };
            format!("local o = {{tag = \"o\", m = function({list}) return {ret} end}}")
        };
        let k = self.count(p);
        let args = self.args(k);
        let comma = if k == 0 { "" } else { ", " };
        let call = match self.rng.below(6) {
            0 => format!("out(o:m({args}))"),
            1 => format!("out(o.m(o{comma}{args}))"),
            2 => format!("out(o[\"m\"](o{comma}{args}))"),
            3 => format!("local w = {{inner = o}}\nout(w.inner:m({args}))"),
            4 => format!("local function g() return o:m({args}) end\nout(g())"),
            _ => format!(
                "local c = setmetatable({{tag = \"c\"}}, {{__index = o}})\nout(c:m({args}))"
            ),
        };
        vec![def, call]
    }

    fn pcall(&mut self) -> Vec<String> {
        let (p, def) = self.func("f", 3);
        let k = self.count(p);
        let args = self.args(k);
        let comma = if k == 0 { "" } else { ", " };
        let raise = self.rng.pick(&[
            "error(\"boom\")",
            "error(\"boom\", 0)",
            "error({code = 7})",
            "error(42)",
            "error()",
            "local z = nil + 1",
            "local z = ({}).x.y",
        ]);
        let hp = if self.arity { self.rng.below(3) } else { 1 };
        let hparams = ["", "e", "e, extra"][hp];
        let hbody = match hp {
            0 => "return \"handled\"",
            1 => "return type(e), (type(e) == \"table\" and e.code or e)",
            _ => "return type(e), extra",
        };
        let call = match self.rng.below(6) {
            0 => format!("out(pcall(f{comma}{args}))"),
            1 => format!(
                "out(pcall(function({}) {raise} end{comma}{args}))",
                PARAMS[..p].join(", ")
            ),
            2 => format!("out(xpcall(f, function({hparams}) {hbody} end{comma}{args}))"),
            3 => format!("out(xpcall(function() {raise} end, function({hparams}) {hbody} end))"),
            4 => format!("out(pcall(pcall, f{comma}{args}))"),
            _ => format!("out(select('#', pcall(f{comma}{args})), pcall(error))"),
        };
        vec![def, call]
    }

    fn sort(&mut self) -> Vec<String> {
        let n = self.rng.range(0, 9);
        let vals: Vec<String> = (0..n).map(|_| self.rng.range(-5, 9).to_string()).collect();
        let cmp_params = if self.arity {
            self.rng.pick(&["a, b", "a, b, c", "a, b, ..."])
        } else {
            "a, b"
        };
        let body = self.rng.pick(&[
            "return a < b",
            "return a > b",
            "return (a % 3) < (b % 3)",
            "calls = calls + 1 return a < b",
        ]);
        let extra = match cmp_params {
            "a, b, c" => "if c ~= nil then extra = true end ",
            "a, b, ..." => "if select('#', ...) ~= 0 then extra = true end ",
            _ => "",
        };
        let mut s = vec![format!(
            "local t = {{{}}}\nlocal calls, extra = 0, false\ntable.sort(t, function({cmp_params}) {extra}{body} end)\nout(table.concat(t, \",\"), extra)",
            vals.join(", ")
        )];
        if self.rng.chance(30) {
            s.push(format!(
                "local u = {{{}}}\ntable.sort(u)\nout(table.concat(u, \" \"))",
                vals.join(", ")
            ));
        }
        if self.rng.chance(15) {
            s.push("local v = {3, \"x\", 1}\ntable.sort(v)".to_string());
        }
        if self.rng.chance(40) {
            // Records by a field: the comparators the sort answers itself when the fields
            // are plain, and the values (nil, strings, __index) that make it call them.
            let records: Vec<String> = (0..n)
                .map(|_| match self.rng.range(0, 9) {
                    0 => "{}".to_string(),
                    1 => format!("{{v = \"{}\"}}", self.rng.range(0, 9)),
                    2 => format!("{{v = {}.5}}", self.rng.range(-3, 5)),
                    3 => format!(
                        "setmetatable({{}}, {{__index = {{v = {}}}}})",
                        self.rng.range(-5, 9)
                    ),
                    4 => format!("{{v = {{w = {}}}}}", self.rng.range(-5, 9)),
                    _ => format!("{{v = {}}}", self.rng.range(-5, 9)),
                })
                .collect();
            let op = self.rng.pick(&["<", ">", "<=", ">="]);
            let field = self.rng.pick(&["v", "v", "v.w"]);
            s.push(format!(
                "local r = {{{}}}\nout(pcall(table.sort, r, function(a, b) return a.{field} {op} b.{field} end))\nlocal o = {{}}\nfor i = 1, #r do local x = rawget(r[i], \"v\") o[i] = type(x) == \"table\" and \"w\" .. x.w or tostring(x) end\nout(table.concat(o, \",\"))",
                records.join(", ")
            ));
        }
        s
    }

    fn gsubfn(&mut self) -> Vec<String> {
        let subject = self
            .rng
            .pick(&["a1b2c3", "hello world", "", "x=1, y=22", "aaa"]);
        let pat = self.rng.pick(&[
            "%d",
            "(%a)(%d)",
            "%a+",
            "(%w+)=(%w+)",
            "()a",
            "(a)",
            "",
            "o",
            "(h)(e)(l)",
        ]);
        let caps = pat.matches('(').count().max(1);
        let p = if self.arity {
            self.rng.below(caps + 2)
        } else {
            caps
        };
        let ps = PARAMS[..p].join(", ");
        let body = if p == 0 {
            self.rng
                .pick(&["return \"X\"", "return nil", "return false", "return 1.5"])
                .to_string()
        } else {
            match self.rng.below(3) {
                0 => format!(
                    "return {}",
                    PARAMS[..p]
                        .iter()
                        .map(|x| format!("tostring({x})"))
                        .collect::<Vec<_>>()
                        .join(" .. \"|\" .. ")
                ),
                1 => "return nil".to_string(),
                _ => "return a".to_string(),
            }
        };
        let n = if self.rng.chance(25) {
            format!(", {}", self.rng.range(-1, 3))
        } else {
            String::new()
        };
        let call = if self.rng.chance(50) {
            format!("out(string.gsub(\"{subject}\", \"{pat}\", function({ps}) {body} end{n}))")
        } else {
            format!("out((\"{subject}\"):gsub(\"{pat}\", function({ps}) {body} end{n}))")
        };
        vec![call]
    }

    fn coroutine(&mut self) -> Vec<String> {
        let (p, ps) = self.params(3);
        let ylist = if p == 0 {
            "\"y\"".to_string()
        } else {
            ps.clone()
        };
        let body = format!(
            "local r1, r2 = coroutine.yield({ylist})\nlocal r3 = coroutine.yield(r1, r2)\nreturn r3, \"end\""
        );
        let mut s = Vec::new();
        let resumes = self.rng.range(1, 4);
        if self.rng.chance(50) {
            s.push(format!(
                "local co = coroutine.wrap(function({ps})\n{body}\nend)"
            ));
            let k = self.count(p);
            s.push(format!("out(co({}))", self.args(k)));
            for _ in 1..resumes {
                let k = self.count(2);
                s.push(format!("out(co({}))", self.args(k)));
            }
        } else {
            s.push(format!(
                "local co = coroutine.create(function({ps})\n{body}\nend)"
            ));
            let k = self.count(p);
            let args = self.args(k);
            let comma = if k == 0 { "" } else { ", " };
            s.push(format!("out(coroutine.resume(co{comma}{args}))"));
            for _ in 1..resumes {
                let k = self.count(2);
                let args = self.args(k);
                let comma = if k == 0 { "" } else { ", " };
                s.push(format!(
                    "out(coroutine.resume(co{comma}{args}))\nout(coroutine.status(co))"
                ));
            }
        }
        if self.rng.chance(20) {
            s.push(
                "local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)\nout(gen(), gen(), gen())"
                    .into(),
            );
        }
        if self.rng.chance(15) {
            s.push(
                "local co2 = coroutine.create(function() error({code = 3}) end)\nlocal ok, e = coroutine.resume(co2)\nout(ok, type(e), e.code)"
                    .into(),
            );
        }
        s
    }

    fn iterator(&mut self) -> Vec<String> {
        let limit = self.rng.range(0, 4);
        let vars = self.rng.pick(&["k", "k, v", "k, v, w", "k, v, w, x"]);
        let ip = if self.arity {
            self.rng.pick(&["s, c", "s, c, extra", "s"])
        } else {
            "s, c"
        };
        let cexpr = if ip == "s" { "(s.n or 0)" } else { "c" };
        let ret = self
            .rng
            .pick(&["c + 1", "c + 1, s[c + 1]", "c + 1, s[c + 1], \"z\""]);
        let it = format!(
            "local function it({ip})\n  if {cexpr} < {limit} then{} return {} end\nend",
            if ip == "s" {
                " s.n = (s.n or 0) + 1"
            } else {
                ""
            },
            if ip == "s" { "s.n, s[s.n]" } else { ret }
        );
        let mut s = vec![
            it,
            format!(
                "local log = {{}}\nfor {vars} in it, {{\"p\", \"q\", \"r\", \"t\"}}, 0 do log[#log + 1] = table.concat({{tostring({})}}, \" \") end\nout(table.concat(log, \";\"))",
                vars.split(", ").collect::<Vec<_>>().join("), tostring(")
            ),
        ];
        match self.rng.below(4) {
            0 => s.push(
                "local acc = {}\nfor i, v in ipairs({10, 20, nil, 40}) do acc[#acc + 1] = i .. \"=\" .. v end\nout(table.concat(acc, \",\"))"
                    .into(),
            ),
            1 => s.push(
                "local acc = {}\nfor a, b in (\"k1=v1, k2=v2\"):gmatch(\"(%w+)=(%w+)\") do acc[#acc + 1] = a .. b end\nout(table.concat(acc, \",\"))"
                    .into(),
            ),
            2 => s.push(
                "local function range(n) local i = 0 return function() i = i + 1 if i <= n then return i end end end\nlocal sum = 0\nfor i in range(5) do sum = sum + i end\nout(sum)"
                    .into(),
            ),
            _ => s.push(
                "local acc = {}\nfor k, v in next, {5, 6, 7} do acc[#acc + 1] = k + v end\nout(table.concat(acc, \",\"))"
                    .into(),
            ),
        }
        s
    }

    fn meta(&mut self) -> Vec<String> {
        let mut s = Vec::new();
        match self.rng.below(9) {
            0 => {
                let ip = if self.arity {
                    self.rng.pick(&["t, k", "t, k, extra", "t", ""])
                } else {
                    "t, k"
                };
                let body = match ip {
                    "t, k, extra" => "return tostring(k) .. tostring(extra)",
                    "t" => "return type(t)",
                    "" => "return \"none\"",
                    _ => "return \"idx:\" .. tostring(k)",
                };
                s.push(format!(
                    "local m = setmetatable({{x = 1}}, {{__index = function({ip}) {body} end}})\nout(m.x, m.y, m[1], m[true])"
                ));
            }
            1 => {
                let (p, ps) = self.params(3);
                let list = if p == 0 {
                    "self".to_string()
                } else {
                    format!("self, {ps}")
                };
                let ret = if p == 0 {
                    "type(self)".to_string()
                } else {
                    format!("type(self), {ps}")
                };
                s.push(format!(
                    "local c = setmetatable({{}}, {{__call = function({list}) return {ret} end}})"
                ));
                let k = self.count(p);
                let args = self.args(k);
                let comma = if k == 0 { "" } else { ", " };
                s.push(match self.rng.below(3) {
                    0 => format!("out(c({args}))"),
                    1 => format!("out(pcall(c{comma}{args}))"),
                    _ => format!("local function g() return c({args}) end\nout(g())"),
                });
            }
            2 => {
                let op = self.rng.pick(&["+", "-", "*", "/", "//", "%", "^", "&", "|", "<<"]);
                let name = match op {
                    "+" => "__add",
                    "-" => "__sub",
                    "*" => "__mul",
                    "/" => "__div",
                    "//" => "__idiv",
                    "%" => "__mod",
                    "^" => "__pow",
                    "&" => "__band",
                    "|" => "__bor",
                    _ => "__shl",
                };
                let ap = if self.arity {
                    self.rng.pick(&["a, b", "a", "a, b, c"])
                } else {
                    "a, b"
                };
                let body = match ap {
                    "a" => "return type(a)",
                    "a, b, c" => "return tostring(c)",
                    _ => "return (type(a) == \"table\" and a.v or a) * 10 + (type(b) == \"table\" and b.v or b)",
                };
                let other = self.rng.pick(&["1", "2.5", "\"3\"", "x"]);
                s.push(format!(
                    "local mt = {{{name} = function({ap}) {body} end}}\nlocal x = setmetatable({{v = 4}}, mt)\nout(x {op} {other}, {other} {op} x)"
                ));
            }
            3 => {
                let eq = self.rng.pick(&["return true", "return a.v == b.v", "return 1", "return nil"]);
                s.push(format!(
                    "local mt = {{__eq = function(a, b) {eq} end}}\nlocal a, b = setmetatable({{v = 1}}, mt), setmetatable({{v = 1}}, mt)\nout(a == b, a ~= b, a == a, a == 1, rawequal(a, b))"
                ));
            }
            4 => {
                let lt = self.rng.pick(&["return a.v < b.v", "return 1", "return nil"]);
                let le = if self.rng.chance(50) {
                    ", __le = function(a, b) return a.v <= b.v end"
                } else {
                    ""
                };
                s.push(format!(
                    "local mt = {{__lt = function(a, b) {lt} end{le}}}\nlocal a, b = setmetatable({{v = 1}}, mt), setmetatable({{v = 2}}, mt)\nout(a < b, a > b, a <= b, b >= a)"
                ));
            }
            5 => {
                let cp = if self.arity {
                    self.rng.pick(&["a, b", "a", "a, b, c"])
                } else {
                    "a, b"
                };
                let body = match cp {
                    "a" => "return \"one:\" .. type(a)",
                    "a, b, c" => "return \"c:\" .. tostring(c)",
                    _ => "return (type(a) == \"table\" and \"T\" or tostring(a)) .. (type(b) == \"table\" and \"T\" or tostring(b))",
                };
                s.push(format!(
                    "local x = setmetatable({{}}, {{__concat = function({cp}) {body} end}})\nout(x .. \"s\", \"s\" .. x, 1 .. x, x .. x, \"a\" .. \"b\" .. x)"
                ));
            }
            6 => {
                let len = self.rng.pick(&["return 42", "return \"n\"", "return nil", "return 1.5"]);
                s.push(format!(
                    "local x = setmetatable({{1, 2}}, {{__len = function(t) {len} end}})\nout(#x, rawlen(x))"
                ));
            }
            7 => s.push(
                "local log = {}\nlocal p = setmetatable({}, {__newindex = function(t, k, v) rawset(t, k, v * 2) log[#log + 1] = k end})\np.a = 1\np.a = 5\np[1] = 3\nout(p.a, p[1], table.concat(log, \",\"))"
                    .into(),
            ),
            _ => {
                let base = self.rng.pick(&["{a = 1}", "{}"]);
                s.push(format!(
                    "local b = {base}\nlocal m1 = setmetatable({{}}, {{__index = b}})\nlocal m2 = setmetatable({{}}, {{__index = m1}})\nout(m2.a, m2.zz, -setmetatable({{}}, {{__unm = function(a) return \"neg\" end}}))"
                ));
            }
        }
        s
    }

    fn index(&mut self) -> Vec<String> {
        let keys = ["a", "b", "c", "[1]", "[2]", "x", "[\"a\"]", "[1.0]"];
        let path = |g: &mut Self| {
            let n = g.rng.range(1, 4);
            let mut p = String::from("t");
            for _ in 0..n {
                let k = g.rng.pick(&keys);
                if k.starts_with('[') {
                    p.push_str(k);
                } else {
                    p.push('.');
                    p.push_str(k);
                }
            }
            p
        };
        let mut s = vec![
            "local t = {a = {b = {c = 1}, [1] = \"one\"}, [1] = {2, {3}}, [2] = \"two\"}"
                .to_string(),
        ];
        for _ in 0..self.rng.range(1, 3) {
            let p = path(self);
            if self.rng.chance(30) {
                let v = self.value();
                s.push(format!("{p} = {v}\nout({p})"));
            } else {
                s.push(format!("out({p})"));
            }
        }
        if self.rng.chance(20) {
            s.push("local u = nil\nout(u.x)".into());
        }
        if self.rng.chance(20) {
            s.push("local n = 5\nout(n.x)".into());
        }
        s
    }

    fn strmethod(&mut self) -> Vec<String> {
        let subj = self
            .rng
            .pick(&["\"abc\"", "\"Hello\"", "\"\"", "\"a,b,c\"", "s"]);
        let call = self.rng.pick(&[
            "upper()",
            "lower()",
            "len()",
            "sub(2)",
            "sub(-2, -1)",
            "sub(0)",
            "rep(2)",
            "rep(3, \"-\")",
            "rep(0)",
            "byte()",
            "byte(1, -1)",
            "byte(10)",
            "reverse()",
            "find(\"b\")",
            "find(\",\", 1, true)",
            "match(\"%a+\")",
            "gsub(\"a\", \"A\")",
            "format()",
            "rep()",
            "sub()",
        ]);
        let mut s = vec!["local s = \"xyz\"".to_string()];
        s.push(match self.rng.below(6) {
            0 => format!("out(({subj}):{call})"),
            1 => format!("local v = {subj}\nout(v:{call})"),
            2 => format!("out(({subj}):{call}:upper())"),
            3 => format!("out(#{subj}, ({subj}).len == string.len, ({subj}).nope)"),
            4 => format!("local function g() return s:{call} end\nout(g())"),
            _ => "local t = setmetatable({}, {__index = table})\nt:insert(\"p\")\nt:insert(1, \"q\")\nout(t:concat(\",\"), t:unpack())"
                .into(),
        });
        if self.rng.chance(15) {
            s.push("out((5):type())".into());
        }
        if self.rng.chance(15) {
            s.push("out((\"%d|%s\"):format(3, \"x\"), s.upper(s))".into());
        }
        s
    }

    fn vararg(&mut self) -> Vec<String> {
        let k = self.rng.range(0, 4) as usize;
        let args = self.args(k);
        let e = self.rng.pick(&[
            "select('#', ...)",
            "select(1, ...)",
            "select(2, ...)",
            "select(-1, ...)",
            "select(-2, ...)",
            "select(0, ...)",
            "select(5, ...)",
            "(...)",
            "..., \"tail\"",
            "table.pack(...).n",
            "table.unpack({...}, 1, select('#', ...))",
            "select('#', table.unpack({...}, 1, 4))",
            "{...}",
            "select(\"#\")",
            "select(2)",
        ]);
        let mut s = vec![format!(
            "local function v(...) return {e} end\nout(v({args}))"
        )];
        if self.rng.chance(30) {
            s.push(format!(
                "local function w(a, ...) local n = select('#', ...) return a, n, ... end\nout(w({args}))"
            ));
        }
        if self.rng.chance(20) {
            s.push("out(table.unpack({1, nil, 3}, 1, 3))".into());
        }
        s
    }

    fn closure(&mut self) -> Vec<String> {
        let mut s = Vec::new();
        match self.rng.below(5) {
            0 => {
                let n = self.rng.range(1, 4);
                s.push(format!(
                    "local function counter() local c = 0 return function(step) c = c + (step or 1) return c end end\nlocal c1, c2 = counter(), counter()\nfor i = 1, {n} do c1() end\nout(c1(), c2(), c1(10))"
                ));
            }
            1 => s.push(
                "local fs = {}\nfor i = 1, 3 do fs[i] = function() return i end end\nout(fs[1](), fs[2](), fs[3]())"
                    .into(),
            ),
            2 => s.push(
                "local x = 1\nlocal function get() return x end\nlocal function set(v) x = v end\nset(5)\nout(get(), x)\nset()\nout(get())"
                    .into(),
            ),
            3 => {
                let n = self.rng.range(0, 12);
                s.push(format!(
                    "local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end\nout(fact({n}))"
                ));
            }
            _ => s.push(
                "local acc = {}\nlocal i = 0\nwhile i < 3 do i = i + 1 local j = i acc[i] = function() j = j + 10 return j end end\nout(acc[1](), acc[1](), acc[3]())"
                    .into(),
            ),
        }
        s
    }

    fn arith_expr(&mut self, depth: u32) -> String {
        if depth == 0 || self.rng.chance(35) {
            return self.num();
        }
        if self.rng.chance(12) {
            let op = self.rng.pick(&["-", "~", "-", "not "]);
            return format!("{op}({})", self.arith_expr(depth - 1));
        }
        let (a, b) = (self.arith_expr(depth - 1), self.arith_expr(depth - 1));
        let op = self.binary_op(&a, &b);
        format!("({a} {op} {b})")
    }

    /// An operator for `a op b`. Without `bigeq`, an equality between a huge integer and
    /// ±2^63 becomes `<`: that is the documented difference (COMPATIBILITY.md, "`==` between
    /// an integer beyond 2^53 and a float").
    fn binary_op(&mut self, a: &str, b: &str) -> &'static str {
        let op = self.rng.pick(ARITH_OPS);
        let huge_int = |x: &str| matches!(x, "math.maxinteger" | "math.mininteger");
        let huge_float = |x: &str| matches!(x, "2^63" | "-(2^63)");
        let mixed = (huge_int(a) && huge_float(b)) || (huge_float(a) && huge_int(b));
        if !self.bigeq && mixed && matches!(op, "==" | "~=") {
            "<"
        } else {
            op
        }
    }

    fn arith(&mut self) -> Vec<String> {
        let mut s = Vec::new();
        match self.rng.below(3) {
            0 => {
                let e = self.arith_expr(3);
                s.push(format!("out({e})"));
            }
            1 => {
                let (a, b) = (self.num(), self.num());
                let op = self.binary_op(&a, &b);
                s.push(format!("local a, b = {a}, {b}\nout(a {op} b, b {op} a)"));
            }
            _ => {
                let (a, b) = (self.num(), self.num());
                let op = self.binary_op(&a, &b);
                s.push(format!(
                    "local function op(x, y) return x {op} y end\nout(op({a}, {b}), math.type(op({a}, {b})))"
                ));
            }
        }
        if self.rng.chance(20) {
            let a = self.num();
            let f = self.rng.pick(&[
                "math.tointeger",
                "math.type",
                "math.floor",
                "math.ceil",
                "math.abs",
                "math.fmod",
                "math.ult",
                "tostring",
                "math.modf",
            ]);
            let b = if matches!(f, "math.fmod" | "math.ult") {
                format!(", {}", self.num())
            } else {
                String::new()
            };
            s.push(format!("out({f}({a}{b}))"));
        }
        s
    }

    fn coerce(&mut self) -> Vec<String> {
        let a = self.rng.pick(NUM_STRINGS);
        let b = if self.rng.chance(50) {
            self.num()
        } else {
            self.rng.pick(NUM_STRINGS).to_string()
        };
        let op = self.rng.pick(ARITH_OPS);
        let mut s = vec![format!("out({a} {op} {b})")];
        if self.rng.chance(50) {
            s.push(format!("local x = {a}\nout(x {op} {b}, {b} {op} x)"));
        }
        if self.rng.chance(40) {
            let choices = [
                format!("tonumber({a})"),
                format!("tonumber({a}, 16)"),
                "tonumber(\"z\", 36)".to_string(),
                "tonumber(\"7\", 2)".to_string(),
                format!("math.tointeger({a})"),
                format!("{a} == {b}"),
                format!("-{a}"),
                "10 .. 20".to_string(),
                "1.5 .. \"\"".to_string(),
                format!("string.rep({a}, 2)"),
            ];
            let f = choices[self.rng.below(choices.len())].clone();
            s.push(format!("out({f})"));
        }
        s
    }

    fn errors(&mut self) -> Vec<String> {
        let val = self.rng.pick(&[
            "\"msg\"",
            "{code = 5}",
            "nil",
            "42",
            "true",
            "setmetatable({code = 9}, {__tostring = function() return \"TS\" end})",
        ]);
        let level = self.rng.pick(&["", ", 0", ", 1", ", 2", ", 3"]);
        let mut s = vec![format!(
            "local function thrower() error({val}{level}) end\nlocal function mid() thrower() end\nlocal ok, e = pcall(mid)\nout(ok, type(e) == \"table\" and e.code or e)"
        )];
        match self.rng.below(5) {
            0 => s.push(
                "local ok, e = pcall(function() local ok2, e2 = pcall(error, \"inner\") error(e2 .. \"+outer\", 0) end)\nout(ok, e)"
                    .into(),
            ),
            1 => s.push("out(pcall(nil))\nout(pcall(42))\nout(pcall())".into()),
            2 => s.push(format!("error({val}{level})")),
            3 => s.push("out(select('#', pcall(error)))\nout(pcall(error, nil))".into()),
            _ => s.push(
                "local ok, e = pcall(assert, false, \"amsg\")\nout(ok, e)\nout(pcall(assert, 1, 2, 3))\nout(pcall(assert, nil))"
                    .into(),
            ),
        }
        s
    }

    /// A library function kept under another name (a local, a table field, an upvalue, a
    /// call's result), called with arguments that are often bad, in tail position or not,
    /// from Lua or from `pcall` directly: Lua names the function after the calling
    /// expression in its argument errors.
    fn alias(&mut self) -> Vec<String> {
        let lib = self.rng.pick(&[
            "string.rep",
            "string.sub",
            "string.format",
            "string.byte",
            "string.char",
            "string.upper",
            "table.insert",
            "table.concat",
            "table.unpack",
            "math.floor",
            "math.max",
            "math.tointeger",
            "tonumber",
            "select",
            "rawlen",
            "utf8.char",
            "next",
        ]);
        let args = self.rng.pick(&[
            "",
            "nil",
            "{}",
            "\"x\"",
            "1",
            "-1",
            "{}, {}",
            "\"x\", {}",
            "1, 2, 3",
            "{{}}",
            "\"%d\", \"z\"",
            "{1, 2}, 1, 2, 3",
            "2^63",
            "0/0",
        ]);
        let name = self.rng.pick(&["al", "fmt", "fn", "rep", "go"]);
        let holder = self.rng.below(5);
        let (decl, callee) = match holder {
            0 => (format!("local {name} = {lib}"), name.to_string()),
            1 => (
                format!("local lib_t = {{ {name} = {lib} }}"),
                format!("lib_t.{name}"),
            ),
            2 => (
                format!("local lib_t = {{ {name} = {lib} }}"),
                format!("lib_t[\"{name}\"]"),
            ),
            3 => (
                format!("local function get() return {lib} end"),
                "get()".to_string(),
            ),
            _ => (format!("local {name} = {lib}"), format!("({name})")),
        };
        // Tail calls through a table field or a call's result are left out: a plain run keeps
        // only library functions and locals holding them out of tail position, so a library
        // error that is not an argument error gets its caller's caller's line there
        // (COMPATIBILITY.md, "error positions").
        let form = if holder == 0 {
            self.rng.below(4)
        } else {
            [1, 3][self.rng.below(2)]
        };
        let call = match form {
            0 => format!("out(pcall(function() return {callee}({args}) end))"),
            1 => format!("out(pcall(function() local r = {callee}({args}) return r end))"),
            2 => format!("local function wrap() return {callee}({args}) end\nout(pcall(function() local r = wrap() return r end))"),
            _ => format!("out(pcall({callee}{}{args}))", if args.is_empty() { "" } else { ", " }),
        };
        vec![format!("do\n{decl}\n{call}\nend")]
    }

    /// `path = path op v` statements, which a fast path runs in one step when raw reads and
    /// numbers suffice: fields of every kind (integers, floats, numeric strings, absent,
    /// tables with metamethods, behind `__index`/`__newindex`), every arithmetic and bitwise
    /// operator, operands that are locals or constants.
    fn update(&mut self) -> Vec<String> {
        let field = self.rng.pick(&[
            "3", "-7", "2.5", "0.0", "-0.0", "math.maxinteger", "math.mininteger", "\"12\"",
            "\" 0x10 \"", "\"abc\"", "nil", "1/0", "0/0", "true",
            "setmetatable({}, {__add = function(a, b) return 'mm' end, __bor = function() return 'bor' end})",
        ]);
        let op = self.rng.pick(&[
            "+", "-", "*", "/", "//", "%", "^", "&", "|", "~", "<<", ">>",
        ]);
        let v = self
            .rng
            .pick(&["1", "-2", "0", "0.5", "3.0", "2^53", "n", "s", "z"]);
        let shape = self.rng.below(6);
        let (setup, path) = match shape {
            0 => ("local t = { f = F }".to_string(), "t.f"),
            1 => ("local t = { sub = { [2] = F } }".to_string(), "t.sub[2]"),
            2 => ("G_UPD = { f = F }".to_string(), "G_UPD.f"),
            3 => ("G_NUM = F".to_string(), "G_NUM"),
            4 => (
                "local t = setmetatable({}, { __index = { f = F }, __newindex = function(t, k, v) rawset(t, k, v) end })"
                    .to_string(),
                "t.f",
            ),
            _ => ("local t = { f = F }; local k = 'f'".to_string(), "t[k]"),
        };
        if self.rng.chance(35) {
            // An append, `path[#path + 1] = v`, to tables of every shape.
            let table = self.rng.pick(&[
                "{}",
                "{1, 2, 3}",
                "{n = 1}",
                "setmetatable({}, {__len = function() return 5 end})",
                "setmetatable({}, {__newindex = function(t, k, v) rawset(t, k, tostring(v) .. '!') end})",
                "setmetatable({1}, {__index = function() return 0 end})",
            ]);
            if self.rng.chance(40) {
                // Appends to a table made right there (left to the VM: src/vm/fresh.rs), from
                // constructors without holes, then reads of what they built.
                let made = self.rng.pick(&[
                    "{}",
                    "{1, 2, 3}",
                    "{n = 1}",
                    "{n = 1, 10, 20}",
                    "{[1] = 1, [2] = 2}",
                    "{\"a\", x = {}}",
                ]);
                let count = self.rng.below(40);
                return vec![format!(
                    "do\nlocal n, s = 4, \"5\"\nout(pcall(function() local t = {made} for i = 1, {count} do t[#t + 1] = i % 3 == 0 and {v} or i end t[#t + 1] = {v} return #t, rawlen(t), t[#t], t[1], t[#t - 1] end))\nend"
                )];
            }
            let (setup, path) = match self.rng.below(3) {
                0 => (format!("local t = {table}"), "t"),
                1 => (format!("G_APP = {table}"), "G_APP"),
                _ => (format!("local t = {{ sub = {table} }}"), "t.sub"),
            };
            return vec![format!(
                "do\nlocal n, s = 4, \"5\"\n{setup}\nout(pcall(function() {path}[#{path} + 1] = {v} {path}[#{path} + 1] = {v} return #{path}, rawlen({path}), {path}[#{path}] end))\nend"
            )];
        }
        let setup = setup.replace('F', field);
        vec![format!(
            "do\nlocal n, s, z = 4, \"5\", 0\n{setup}\nout(pcall(function() {path} = {path} {op} {v} return {path} end))\nend"
        )]
    }

    fn strlib(&mut self) -> Vec<String> {
        let fmt_num = self.num();
        let e = match self.rng.below(8) {
            0 => {
                let f = self.rng.pick(&[
                    "%d", "%5d", "%-5d|", "%x", "%X", "%o", "%5.2f", "%g", "%e", "%.3s", "%q",
                    "%s", "%i", "%c", "%10.4g", "%%", "%a",
                ]);
                format!("string.format(\"{f}\", {fmt_num})")
            }
            1 => {
                let n = self.rng.range(-1, 4);
                let sep = self.rng.pick(&["", ", \",\"", ", 1"]);
                format!("string.rep(\"ab\", {n}{sep})")
            }
            2 => {
                let (i, j) = (self.rng.range(-6, 6), self.rng.range(-6, 6));
                format!("string.sub(\"hello\", {i}, {j}), (\"hello\"):sub({i})")
            }
            3 => {
                let (i, j) = (self.rng.range(-6, 6), self.rng.range(-6, 6));
                format!("string.byte(\"hello\", {i}, {j})")
            }
            4 => {
                let pat = self.rng.pick(&[
                    "l+", "(l)(o)", "%s", "^h", "o$", ".-", "[aeiou]", "%d*", "x?",
                ]);
                let init = self.rng.pick(&["", ", 2", ", -2", ", 10", ", 1, true"]);
                format!("string.find(\"hello world\", \"{pat}\"{init})")
            }
            5 => {
                let pat = self
                    .rng
                    .pick(&["(%a+) (%a+)", "%d+", "(h)(.)", "()ll()", "[%a]-o"]);
                format!("string.match(\"hello world 42\", \"{pat}\")")
            }
            6 => {
                let pat = self.rng.pick(&["o", "%w+", "(l)", ""]);
                let rep = self
                    .rng
                    .pick(&["\"%1\"", "\"[%0]\"", "\"x\"", "{l = \"L\"}", "\"%2\""]);
                format!("string.gsub(\"hello world\", \"{pat}\", {rep})")
            }
            _ => {
                let a = self.num();
                format!("string.format(\"%s %s\", {a}, {fmt_num}), string.len({a})")
            }
        };
        vec![format!("out({e})")]
    }
}

/// The outcome of running one program under one interpreter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub stdout: String,
    pub success: bool,
    pub stderr: String,
    pub timed_out: bool,
}

impl Outcome {
    /// What is compared: stdout and the exit status.
    pub fn key(&self) -> (String, bool) {
        (self.stdout.clone(), self.success)
    }
    /// `src/x.rs:12:5` of a Rust panic message in stderr, if aolite panicked.
    pub fn panic_site(&self) -> Option<String> {
        let i = self.stderr.find("panicked at ")?;
        let rest = &self.stderr[i + "panicked at ".len()..];
        let end = rest.find([':', '\n']).unwrap_or(rest.len());
        let file = &rest[..end];
        let tail = &rest[end..];
        let digits: String = tail
            .trim_start_matches(':')
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        Some(format!("{file}:{digits}"))
    }
}

pub fn run_program(cmd: &mut Command, timeout: Duration) -> Outcome {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::null())
        .spawn()
        .expect("interpreter starts");
    // Read both pipes on threads so a chatty child never blocks on a full pipe.
    let mut so = child.stdout.take().expect("piped stdout");
    let mut se = child.stderr.take().expect("piped stderr");
    let t1 = std::thread::spawn(move || {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut so, &mut b).ok();
        b
    });
    let t2 = std::thread::spawn(move || {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut se, &mut b).ok();
        b
    });
    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait works") {
            break st;
        }
        if start.elapsed() > timeout {
            child.kill().ok();
            timed_out = true;
            break child.wait().expect("wait works");
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let stdout = String::from_utf8_lossy(&t1.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&t2.join().unwrap_or_default()).into_owned();
    Outcome {
        stdout,
        success: status.success() && !timed_out,
        stderr,
        timed_out,
    }
}

/// Runs `text`, written to `dir/fuzz.lua`, under both interpreters from `dir` (so the chunk
/// name in error messages is `fuzz.lua` for both). `aolite` must be an absolute path.
pub fn run_both(lua: &str, aolite: &Path, dir: &Path, text: &str) -> (Outcome, Outcome) {
    std::fs::write(dir.join("fuzz.lua"), text).expect("program written");
    let t = Duration::from_secs(20);
    let expected = run_program(Command::new(lua).arg("fuzz.lua").current_dir(dir), t);
    let actual = run_program(
        Command::new(aolite)
            .args(["lua", "fuzz.lua"])
            .current_dir(dir),
        t,
    );
    (expected, actual)
}

/// The first differing stdout line (1-based) and both versions of it.
pub fn first_difference(expected: &Outcome, actual: &Outcome) -> String {
    let (e, a) = (expected.key(), actual.key());
    let el: Vec<&str> = e.0.lines().collect();
    let al: Vec<&str> = a.0.lines().collect();
    for i in 0..el.len().max(al.len()) {
        let x = el.get(i).copied().unwrap_or("<missing>");
        let y = al.get(i).copied().unwrap_or("<missing>");
        if x != y {
            return format!("line {}: lua5.3 {x:?}\n  aolite {y:?}", i + 1);
        }
    }
    format!("exit ok lua5.3={} aolite={}", e.1, a.1)
}

/// Deletes groups, then statements, while `diverges` still holds. Returns the smaller program.
pub fn minimise(mut p: Program, diverges: &mut dyn FnMut(&Program) -> bool) -> Program {
    let mut i = 0;
    while i < p.groups.len() {
        let g = p.groups.remove(i);
        if diverges(&p) {
            continue;
        }
        p.groups.insert(i, g);
        i += 1;
    }
    for gi in 0..p.groups.len() {
        let mut j = 0;
        while j < p.groups[gi].stmts.len() && p.groups[gi].stmts.len() > 1 {
            let st = p.groups[gi].stmts.remove(j);
            if diverges(&p) {
                continue;
            }
            p.groups[gi].stmts.insert(j, st);
            j += 1;
        }
    }
    p
}

/// Features the CI batch leaves out, each with the open divergence that is the reason
/// (the repros are in `tests/fuzz/FINDINGS.md`). Remove an entry when its bug is fixed.
pub const CI_EXCLUDED: &[(&str, &str)] = &[
    (
        "bigeq",
        "piccolo's `==` compares an integer beyond 2^53 with a float as floats (documented in COMPATIBILITY.md)",
    ),
];

/// The features of the CI batch: everything but `CI_EXCLUDED`.
pub fn ci_features() -> Features {
    let names: Vec<&str> = CI_EXCLUDED.iter().map(|(n, _)| *n).collect();
    Features::all()
        .without(&names)
        .expect("CI_EXCLUDED names features")
}

/// A short description of the first difference with digits folded, for bucketing.
pub fn difference_shape(expected: &Outcome, actual: &Outcome) -> String {
    let (e, a) = (expected.key(), actual.key());
    let fold = |line: &str| {
        let s = match line.split_once('\t') {
            Some((label, rest)) if label.starts_with('g') => rest,
            _ => line,
        };
        let mut o = String::new();
        let mut last_digit = false;
        for ch in s.chars().take(90) {
            if ch.is_ascii_digit() {
                if !last_digit {
                    o.push('N');
                }
                last_digit = true;
            } else {
                o.push(ch);
                last_digit = false;
            }
        }
        o
    };
    let el: Vec<&str> = e.0.lines().collect();
    let al: Vec<&str> = a.0.lines().collect();
    for i in 0..el.len().max(al.len()) {
        let x = el.get(i).copied().unwrap_or("<missing>");
        let y = al.get(i).copied().unwrap_or("<missing>");
        if x != y {
            return format!("lua5.3 {:?} / aolite {:?}", fold(x), fold(y));
        }
    }
    format!("exit ok lua5.3={} aolite={}", e.1, a.1)
}
