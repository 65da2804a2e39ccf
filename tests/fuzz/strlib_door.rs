//! The format / patterns / pack door: `string.format` with hostile format strings and
//! argument types, `string.find/match/gmatch/gsub` with hostile patterns (unbalanced
//! brackets, `%b`, `%f`, captures past the limit, back-references, pathological
//! backtracking on long subjects), `string.pack/unpack/packsize` with hostile formats and
//! sizes, and `string.rep` of huge sizes, each call run inside a process as an Eval message
//! with a small fuel and memory limit.
//!
//! Properties: no panic; every call ends within the limits (an outcome, or `OUT_OF_FUEL` /
//! `OUT_OF_MEMORY` for the cases run alone only (long subjects, backtracking patterns,
//! huge strings: [`Kind`]), which then leave the state hash unchanged); and, in
//! differential mode, every case that completes, but the huge ones, gives the same
//! rendered result as `lua5.3` (values, or the error message without its position).
#![allow(dead_code)]

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::Instant;

use aolite::ao::process::{Process, ProcessOptions};
use aolite::vm::Limits;

use crate::doors::{guarded, Report, Rng, Verdict};

pub const FUEL: u64 = 20_000_000;
pub const MEMORY: usize = 64 << 20;

/// Renders what a call returned, or its error without the position, the same way in both
/// interpreters (long strings by their length, ends and a checksum).
const PRELUDE: &str = r##"
local function esc(s)
  return (string.gsub(s, "[^%w ,;:_%-%+%.%(%)%[%]{}<>=!?*/&|~^$#@'`]", function(c) return "\\" .. string.byte(c) end))
end
local function show(v)
  local t = type(v)
  if t == "string" then
    if #v > 300 then
      local sum = 0
      for i = 1, #v, 97 do sum = (sum * 31 + string.byte(v, i)) % 1000000007 end
      return "s#" .. #v .. ":" .. esc(string.sub(v, 1, 100)) .. ".." .. esc(string.sub(v, -100)) .. ":" .. sum
    end
    return "s:" .. esc(v)
  elseif t == "number" then
    if math.type(v) == "integer" then return "i:" .. tostring(v) end
    if v ~= v then return "f:nan" end
    return "f:" .. string.format("%.17g", v)
  end
  return t
end
local function render(ok, ...)
  local parts = { ok and "ok" or "E" }
  if not ok then
    local e = ...
    if type(e) == "string" then e = string.gsub(e, "^[^\n]-:%d+: ", "") end
    parts[2] = show(e)
  else
    for i = 1, select("#", ...) do parts[#parts + 1] = show((select(i, ...))) end
  end
  return table.concat(parts, "|")
end
function FuzzRun(f) return render(pcall(f)) end
T = setmetatable({}, { __tostring = function() return "T!" end })
B = setmetatable({}, { __tostring = function() return 1 end })
function Gather(f, ...)
  local out = {}
  for a, b in f(...) do
    out[#out + 1] = show(a) .. "," .. show(b)
    if #out >= 40 then break end
  end
  return table.concat(out, ";")
end
"##;

/// A Lua string literal of `s` (printable ASCII as is, everything else escaped).
pub fn quote(s: &[u8]) -> String {
    let mut out = String::from("\"");
    for &b in s {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\{b}")),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------- format

fn format_string(r: &mut Rng) -> Vec<u8> {
    let mut f = Vec::new();
    for _ in 0..1 + r.below(4) {
        match r.below(6) {
            0 => {
                f.extend_from_slice([&b"abc"[..], b" ", b"\0", b"%%", b"x\n", b"\xff"][r.below(6)])
            }
            _ => {
                f.push(b'%');
                let flags = [
                    &b""[..],
                    b"-",
                    b"+",
                    b" ",
                    b"#",
                    b"0",
                    b"-0",
                    b"+ ",
                    b"#0",
                    b"--",
                    b"-+ #0",
                    b"-+ #0-",
                ];
                f.extend_from_slice(flags[r.below(flags.len())]);
                match r.below(5) {
                    0 | 1 => {}
                    2 => f.extend_from_slice(r.below(10).to_string().as_bytes()),
                    3 => f.extend_from_slice(r.below(100).to_string().as_bytes()),
                    _ => f.extend_from_slice([&b"100"[..], b"99", b"123456", b"00"][r.below(4)]),
                }
                match r.below(5) {
                    0 | 1 => {}
                    2 => f.push(b'.'),
                    3 => f.extend_from_slice(format!(".{}", r.below(100)).as_bytes()),
                    _ => f.extend_from_slice(
                        [&b".100"[..], b".99", b".123", b"..1", b".-1"][r.below(5)],
                    ),
                }
                if !r.chance(20) {
                    let convs = b"dicouxXeEfgGaAqsdsfq";
                    let bad = b"bnzlpLhjw%!*$ ";
                    f.push(if r.chance(8) {
                        bad[r.below(bad.len())]
                    } else {
                        convs[r.below(convs.len())]
                    });
                }
            }
        }
    }
    f
}

const FORMAT_ARGS: &[&str] = &[
    "0",
    "1",
    "-1",
    "42",
    "255",
    "math.maxinteger",
    "math.mininteger",
    "0.0",
    "-0.0",
    "1.5",
    "-2.75",
    "1e308",
    "-1e-310",
    "5e-324",
    "1/0",
    "-1/0",
    "3.0",
    "2^63",
    "-(2^63)",
    "2^53 + 1.0",
    "0.1",
    "123456789.123",
    "\"\"",
    "\"abc\"",
    "\"12\"",
    "\" 7 \"",
    "\"0x10\"",
    "\"1e2\"",
    "\"x\\0y\"",
    "\"%s%d\"",
    "(\"x\"):rep(150)",
    "(\"\\0\"):rep(120)",
    "\"\\r\\n\\t\\\\\\\"\"",
    "\"\\200\\255\"",
    "nil",
    "true",
    "false",
    "T",
    "B",
];

/// Arguments that suit a conversion (numbers for `%d`, strings for `%s`...).
fn suited(r: &mut Rng, conv: u8) -> &'static str {
    let ints = [
        "0",
        "-1",
        "42",
        "255",
        "math.maxinteger",
        "math.mininteger",
        "3.0",
        "\"12\"",
    ];
    let floats = [
        "0.0",
        "-0.0",
        "1.5",
        "-2.75",
        "1e308",
        "-1e-310",
        "5e-324",
        "1/0",
        "-1/0",
        "0.1",
        "123456789.123",
        "2^63",
        "7",
    ];
    let strs = [
        "\"\"",
        "\"abc\"",
        "\"x\\0y\"",
        "(\"x\"):rep(150)",
        "T",
        "1.5",
        "math.mininteger",
        "\"\\r\\n\\0\\200\"",
    ];
    match conv {
        b'd' | b'i' | b'c' | b'o' | b'u' | b'x' | b'X' => ints[r.below(ints.len())],
        b'e' | b'E' | b'f' | b'g' | b'G' | b'a' | b'A' => floats[r.below(floats.len())],
        _ => strs[r.below(strs.len())],
    }
}

fn format_case(r: &mut Rng) -> String {
    let f = format_string(r);
    let mut args = vec![quote(&f)];
    if r.chance(3) {
        for _ in 0..r.below(5) {
            args.push(FORMAT_ARGS[r.below(FORMAT_ARGS.len())].to_owned());
        }
    } else {
        // one argument per conversion, mostly of a suitable type
        let mut k = 0;
        while k < f.len() {
            if f[k] == b'%' {
                k += 1;
                while k < f.len() && b"-+ #0123456789.".contains(&f[k]) {
                    k += 1;
                }
                match f.get(k) {
                    Some(b'%') | None => {}
                    Some(&c) => args.push(if r.chance(10) {
                        FORMAT_ARGS[r.below(FORMAT_ARGS.len())].to_owned()
                    } else {
                        suited(r, c).to_owned()
                    }),
                }
            }
            k += 1;
        }
    }
    // (no plain tables or functions: printed with %s they would show an address)
    format!("return string.format({})", args.join(", "))
}

// ---------------------------------------------------------------- patterns

const SUBJECT_PIECES: &[&[u8]] = &[
    b"a",
    b"b",
    b"ab",
    b" ",
    b"(",
    b")",
    b"[",
    b"]",
    b"%",
    b".",
    b"\0",
    b"1",
    b"x",
    b"\n",
    b"\xc3\xa9",
    b"THE",
    b"f(a(b)c)",
    b"-",
    b"^",
    b"$",
    b"aaa",
    b"  x  ",
];

/// `long`: long-run mode (subjects up to 100 000 bytes; else up to 300).
fn subject(r: &mut Rng, long: bool) -> (String, Vec<u8>) {
    if r.chance(10) {
        let n = if long {
            [100, 1000, 20_000, 100_000][r.below(4)]
        } else {
            [100, 300][r.below(2)]
        };
        let unit = ["a", "ab", "(", " "][r.below(4)];
        return (
            format!("(\"{unit}\"):rep({n})"),
            unit.repeat(n).into_bytes(),
        );
    }
    let mut s = Vec::new();
    for _ in 0..r.below(8) {
        s.extend_from_slice(SUBJECT_PIECES[r.below(SUBJECT_PIECES.len())]);
    }
    (quote(&s), s)
}

const PATTERN_ITEMS: &[&str] = &[
    "a", "b", ".", "%a", "%d", "%s", "%w", "%x", "%p", "%c", "%l", "%u", "%g", "%A", "%S", "%z",
    "%%", "%.", "%(", "%", "%q", "[abc]", "[^a]", "[a-z]", "[%a_]", "[]", "[^]", "[", "[a", "[%",
    "[a-]", "[]]", "[^]]", "[%]", "[z-a]", "^", "$", "(", ")", "()", "%0", "%1", "%2", "%9", "%b",
    "%bx", "%b()", "%bab", "%b", "%f", "%f[", "%f[%a]", "%f[^%w]", "%fa", "%f[%z]", "\0", "é", " ",
    "x", "(a)", "(.-)", "(%a+)", "((a)(b))",
];

/// `long`: long-run mode, with the patterns whose backtracking is exponential or of high
/// degree (they run to the matcher's step limit: seconds each in a debug build).
fn pattern(r: &mut Rng, long: bool) -> (Vec<u8>, bool) {
    let mut p = Vec::new();
    let mut heavy = false;
    match r.below(20) {
        0 => {
            let n = [31, 32, 33, 40][r.below(4)];
            p.extend("(".repeat(n).bytes());
            p.push(b'a');
            p.extend(")".repeat(n).bytes());
        }
        1 => {
            heavy = true;
            let k = if long { [5, 20, 100][r.below(3)] } else { 5 };
            p.extend("a?".repeat(k).bytes());
            p.extend("a".repeat(k).bytes());
        }
        2 => {
            heavy = true;
            let all: [&[u8]; 6] = [
                b"(.-)*",
                b"(.-)%1",
                b"(a*)*b",
                b"(((.-))-)$",
                b".-.-.-.-.-b",
                b".*.*.*.*c",
            ];
            p.extend_from_slice(all[r.below(if long { 6 } else { 4 })]);
        }
        _ => {
            for _ in 0..1 + r.below(6) {
                p.extend_from_slice(PATTERN_ITEMS[r.below(PATTERN_ITEMS.len())].as_bytes());
                if r.chance(4) {
                    p.push([b'*', b'+', b'-', b'?'][r.below(4)]);
                }
            }
        }
    }
    (p, heavy)
}

const REPLACEMENTS: &[&str] = &[
    "\"\"",
    "\"x\"",
    "\"%0\"",
    "\"%1\"",
    "\"%2%1\"",
    "\"%%\"",
    "\"%a\"",
    "\"%\"",
    "\"<%0>\"",
    "{ a = \"A\", b = false }",
    "{ a = {} }",
    "function(c) return c end",
    "function() return nil end",
    "function() return false end",
    "function() return 1.5 end",
    "function() return {} end",
    "function() error('in repl') end",
    "function(a, b) return tostring(b) end",
    "T",
    "1",
];

fn pattern_case(r: &mut Rng, long: bool) -> (String, bool) {
    let (subj, bytes) = subject(r, long);
    let (pat, mut heavy) = pattern(r, long);
    heavy |= may_backtrack_long(&bytes, &pat);
    let p = quote(&pat);
    let init = [
        "",
        ", 1",
        ", -1",
        ", 0",
        ", 3",
        ", 100",
        ", -100",
        ", math.mininteger",
        ", 2.0",
        ", 2.5",
        ", \"2\"",
    ];
    let body = match r.below(5) {
        0 => {
            let plain = if r.chance(5) { ", true" } else { "" };
            let i = if plain.is_empty() {
                init[r.below(init.len())]
            } else {
                ", 1"
            };
            format!("return string.find({subj}, {p}{i}{plain})")
        }
        1 => format!(
            "return string.match({subj}, {p}{})",
            init[r.below(init.len())]
        ),
        2 => format!("return Gather(string.gmatch, {subj}, {p})"),
        _ => {
            let repl = REPLACEMENTS[r.below(REPLACEMENTS.len())];
            let n = ["", ", 0", ", 1", ", 2", ", -1", ", 1.5", ", \"2\"", ", nil"][r.below(8)];
            format!("return string.gsub({subj}, {p}, {repl}{n})")
        }
    };
    (body, heavy)
}

/// Whether matching `pat` against `subject` may take long enough to run out of fuel, so the
/// case must run alone: a long subject, or a repeated subject (100 units and more) with two
/// or more repetition items, which can backtrack with a high degree (F4: `[a-z]*(%a+)%x*`
/// over `("ab"):rep(100)`). Conservative: a `-` in a set counts too.
pub fn may_backtrack_long(subject: &[u8], pat: &[u8]) -> bool {
    let repetitions = pat
        .iter()
        .filter(|c| matches!(c, b'*' | b'+' | b'-'))
        .count();
    subject.len() > 200 || (subject.len() >= 100 && repetitions >= 2)
}

// ---------------------------------------------------------------- pack

const PACK_ITEMS: &[&str] = &[
    "b",
    "B",
    "h",
    "H",
    "i",
    "I",
    "l",
    "L",
    "j",
    "J",
    "T",
    "f",
    "d",
    "n",
    "s",
    "z",
    "x",
    "i1",
    "i2",
    "i3",
    "i7",
    "i8",
    "i9",
    "i16",
    "I1",
    "I3",
    "I16",
    "i0",
    "i17",
    "s1",
    "s2",
    "s4",
    "s0",
    "s9",
    "Xi",
    "Xi8",
    "X",
    "Xz",
    " ",
    "y",
    "%",
    "i99999999999",
    "!",
    "!1",
    "!2",
    "!4",
    "!16",
    "!3",
    "!17",
    "<",
    ">",
    "=",
    "c",
    "c3",
    "c0",
    "c100",
];

const PACK_VALUES: &[&str] = &[
    "0",
    "1",
    "-1",
    "127",
    "128",
    "255",
    "256",
    "-128",
    "-129",
    "65535",
    "-32769",
    "2^31",
    "math.maxinteger",
    "math.mininteger",
    "1.5",
    "-0.0",
    "1/0",
    "3.0",
    "2^63",
    "\"\"",
    "\"abc\"",
    "\"a\\0b\"",
    "(\"x\"):rep(300)",
    "nil",
    "true",
    "\"12\"",
];

fn pack_case(r: &mut Rng, long: bool) -> String {
    let mut f = String::new();
    for _ in 0..1 + r.below(5) {
        f.push_str(PACK_ITEMS[r.below(PACK_ITEMS.len())]);
    }
    let fq = quote(f.as_bytes());
    let vals: Vec<&str> = (0..r.below(5))
        .map(|_| PACK_VALUES[r.below(PACK_VALUES.len())])
        .collect();
    let vals = if vals.is_empty() {
        String::new()
    } else {
        format!(", {}", vals.join(", "))
    };
    let pos = [
        "",
        ", 1",
        ", -1",
        ", 0",
        ", 2",
        ", 100",
        ", -100",
        ", math.maxinteger",
    ];
    match r.below(4) {
        0 => format!("return string.pack({fq}{vals})"),
        1 => format!("return string.packsize({fq})"),
        2 => format!(
            "local s = string.pack({fq}{vals}) return #s, string.unpack({fq}, s{})",
            pos[r.below(pos.len())]
        ),
        _ => {
            let (subj, _) = subject(r, long);
            format!(
                "return string.unpack({fq}, {subj}{})",
                pos[r.below(pos.len())]
            )
        }
    }
}

const HEAVY: &[&str] = &[
    "return #string.rep('x', 1e9)",
    "return #string.rep('abc', 1 << 40)",
    "return #string.rep('x', 1e6, ('y'):rep(1e4))",
    "return #string.rep('', 1e12)",
    "return #string.format('%s%s', ('x'):rep(1 << 24), ('x'):rep(1 << 24))",
    "return #string.format(('%99d'):rep(1e5), table.unpack({}, 1, 1e5))",
    "local s = ('x'):rep(1 << 20) return #s:rep(100)",
    "return select('#', string.byte(('x'):rep(1e6), 1, -1))",
    "return #table.concat({}, ('x'):rep(1e6), 1, 1e5)",
    "return string.pack('s', ('x'):rep(1e8)):len()",
];

/// How a case is run.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// Grouped with others in one Eval message, compared with lua5.3; must not run out.
    Normal,
    /// Run alone: long subjects and backtracking patterns may run out of fuel; compared
    /// with lua5.3 when they complete.
    Alone,
    /// Run alone, strings of hundreds of megabytes: may run out of fuel or memory; never
    /// given to lua5.3.
    Huge,
}

/// One case: the body of a function returning what it computes, and how it is run.
/// `huge`: the long-run mode: the [`Kind::Huge`] cases, long subjects and the worst
/// backtracking patterns are drawn (seconds each in a debug build).
pub fn strlib_case(r: &mut Rng, huge: bool) -> (String, Kind) {
    let pattern = |r: &mut Rng| {
        let (body, heavy) = pattern_case(r, huge);
        (body, if heavy { Kind::Alone } else { Kind::Normal })
    };
    match r.below(20) {
        0..=5 => (format_case(r), Kind::Normal),
        6..=13 => pattern(r),
        14..=18 => (pack_case(r, huge), Kind::Normal),
        _ if huge => (HEAVY[r.below(HEAVY.len())].to_owned(), Kind::Huge),
        _ => pattern(r),
    }
}

pub fn strlib_process(fuel: u64) -> Process {
    let options = ProcessOptions {
        limits: Limits {
            fuel,
            memory: MEMORY,
            ..Limits::default()
        },
        ..ProcessOptions::default()
    };
    let mut p = Process::new(options).expect("new process");
    p.eval(PRELUDE).expect("prelude loads");
    p
}

/// The rendered result of `body` in lua5.3, for a batch; `None` when lua5.3 is missing.
pub fn lua53_batch(lua: &str, bodies: &[&str]) -> Option<Vec<String>> {
    let mut script = String::from(PRELUDE);
    for b in bodies {
        script.push_str(&format!("io.write(FuzzRun(function() {b} end), \"\\n\")\n"));
    }
    let mut child = Command::new(lua)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(script.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    Some(text.lines().map(str::to_owned).collect())
}

/// Runs cases in one Eval message: their rendered results, one per case. Heavy cases run
/// alone and may run out of fuel or memory, which must leave the state hash unchanged.
fn run_group(
    p: &mut Process,
    bodies: &[&str],
    heavy: bool,
) -> Result<(Vec<String>, Verdict), String> {
    let calls: Vec<String> = bodies
        .iter()
        .map(|b| format!("FuzzRun(function() {b} end)"))
        .collect();
    let src = format!("return {}", calls.join(" .. \"\\n\" ..\n"));
    let before = if heavy {
        Some(p.state_hash().map_err(|e| format!("state_hash: {e}"))?)
    } else {
        None
    };
    match p.eval(&src) {
        Ok(out) => {
            let lines: Vec<String> = out.output.split('\n').map(str::to_owned).collect();
            if lines.len() != bodies.len() {
                return Err(format!(
                    "{} results for {} cases: {:?}",
                    lines.len(),
                    bodies.len(),
                    out.output
                ));
            }
            Ok((lines, Verdict::Accepted))
        }
        Err(e) if heavy && matches!(e.code(), "OUT_OF_FUEL" | "OUT_OF_MEMORY") => {
            let after = p.state_hash().map_err(|e| format!("state_hash: {e}"))?;
            if Some(after) != before {
                return Err(format!("{} changed the state hash", e.code()));
            }
            Ok((Vec::new(), Verdict::Rejected(e.code().to_owned())))
        }
        Err(e) => Err(format!("eval failed: {} {e}", e.code())),
    }
}

/// `lua` is the reference interpreter for the differential mode (`None`: no comparison);
/// `huge`: the long-run mode, with the [`Kind::Huge`] cases and [`FUEL`] (else a tenth).
/// Cases that are not heavy run in groups of one to eight per Eval message.
pub fn fuzz_strlib(seed: u64, count: usize, lua: Option<&str>, huge: bool) -> Report {
    let mut report = Report::default();
    let mut r = Rng::new(seed);
    // short runs (debug builds): less fuel, so backtracking cases end sooner
    let fuel = if huge { FUEL } else { FUEL / 10 };
    let mut p = strlib_process(fuel);
    let mut batch: Vec<(usize, String, String)> = Vec::new();
    let mut slowest = (0u128, String::new());
    let flush = |batch: &mut Vec<(usize, String, String)>, report: &mut Report| {
        let Some(lua) = lua else {
            batch.clear();
            return;
        };
        let bodies: Vec<&str> = batch.iter().map(|(_, b, _)| b.as_str()).collect();
        match lua53_batch(lua, &bodies) {
            Some(lines) if lines.len() == batch.len() => {
                report.compared += batch.len();
                for ((i, body, ours), theirs) in batch.iter().zip(lines) {
                    if std::env::var("FUZZ_SHOW").is_ok() {
                        eprintln!("{i}: {body}\n  ours   {ours}\n  theirs {theirs}");
                    }
                    if *ours != theirs {
                        report.findings.push(format!(
                            "strlib seed {seed} case {i}: differs from lua5.3: `{body}` gives {ours:?}, lua5.3 {theirs:?}"
                        ));
                    }
                }
            }
            Some(lines) => report.findings.push(format!(
                "strlib seed {seed}: lua5.3 printed {} lines for a batch of {}",
                lines.len(),
                batch.len()
            )),
            None => {}
        }
        batch.clear();
    };
    let mut messages = 0usize;
    let mut pending: Option<(usize, String, Kind)> = None;
    let mut next = 0;
    while next < count || pending.is_some() {
        // the next group: one case run alone, or up to eight normal ones
        let mut group: Vec<(usize, String)> = Vec::new();
        let mut kind = Kind::Normal;
        let want = 1 + r.below(8);
        while group.len() < want {
            let (i, body, k) = match pending.take() {
                Some(c) => c,
                None if next < count => {
                    let (b, k) = strlib_case(&mut r, huge);
                    next += 1;
                    (next - 1, b, k)
                }
                None => break,
            };
            if k != Kind::Normal && !group.is_empty() {
                pending = Some((i, body, k));
                break;
            }
            group.push((i, body));
            kind = k;
            if k != Kind::Normal {
                break;
            }
        }
        if group.is_empty() {
            continue;
        }
        report.cases += group.len();
        messages += 1;
        let tag = format!(
            "strlib seed {seed} cases {}..={}",
            group[0].0,
            group[group.len() - 1].0
        );
        let bodies: Vec<&str> = group.iter().map(|(_, b)| b.as_str()).collect();
        let started = Instant::now();
        let alone = kind != Kind::Normal;
        let found = guarded(&mut report, &tag, || run_group(&mut p, &bodies, alone));
        note_time(&mut slowest, started, &bodies.join(" ;; "));
        let detail = format!(
            " (`{}`)",
            bodies.join("` `").chars().take(600).collect::<String>()
        );
        match found {
            Some(Ok((lines, v))) => {
                if lines.is_empty() {
                    report.record(&tag, Some(Ok(v)), &detail);
                }
                // each case: a value (accepted) or a Lua error raised by the call (rejected)
                for ((n, body), out) in group.iter().zip(lines) {
                    let verdict = match out.strip_prefix("E|s:") {
                        Some(e) => Verdict::Rejected(e.chars().take(30).collect()),
                        None => Verdict::Accepted,
                    };
                    report.record(&tag, Some(Ok(verdict)), "");
                    if kind != Kind::Huge {
                        batch.push((*n, body.clone(), out));
                    }
                }
                if batch.len() >= 200 {
                    flush(&mut batch, &mut report);
                }
            }
            Some(Err(e)) => report.record(&tag, Some(Err(e)), &detail),
            None => {
                p = strlib_process(fuel);
                report.record(&tag, None, &detail);
            }
        }
        if messages % 1000 == 999 {
            p = strlib_process(fuel);
        }
    }
    flush(&mut batch, &mut report);
    report.slowest = slowest;
    report
}

fn note_time(slowest: &mut (u128, String), started: Instant, what: &str) {
    let ms = started.elapsed().as_millis();
    if ms > slowest.0 {
        *slowest = (ms, what.chars().take(200).collect());
    }
}
