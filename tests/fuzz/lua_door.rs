//! The Lua source door: generated programs (`luagen.rs`) and byte/token-level mutations of
//! them (truncations, duplicated, deleted and swapped tokens, deep nesting, long strings,
//! huge numerals, odd escapes, spliced ranges) through the whole compile pipeline and a
//! bounded run inside a process, as an Eval message and as `load` inside a handler.
//!
//! Properties, for every case: no panic; an error is one of the codes a source can earn
//! (`SYNTAX_ERROR`, `SOURCE_REJECTED`, `LUA_ERROR`, `OUT_OF_FUEL`, `OUT_OF_MEMORY`); a failing
//! message (an `Err` or an outcome with an `Error`) leaves the state hash unchanged; and the
//! process then still handles a normal message (a probe whose counter must have moved by
//! exactly one since the last probe).
#![allow(dead_code)]

use aolite::ao::process::{Diagnostics, Process, ProcessOptions};
use aolite::vm::Limits;
use serde_json::json;

use crate::doors::{guarded, Report, Rng, Verdict};
use crate::luagen;

/// Fuel of one message: small, so runaway programs end quickly (default is 500 000 000).
pub const FUEL: u64 = 3_000_000;
/// Heap of the process: small, so allocation bombs end quickly.
pub const MEMORY: usize = 48 << 20;

const SETUP: &str = r#"
Probe = 0
Handlers.add("probe", "Probe", function(msg)
  Probe = Probe + 1
  msg.reply({ Data = "probe " .. Probe })
end)
Handlers.add("load", "Load", function(msg)
  Loaded = (Loaded or 0) + 1
  local f, err = load(msg.Data, "=fuzz", "t")
  if not f then error("load: " .. tostring(err)) end
  if msg.Tags.Mode == "pcall" then
    local ok, e = pcall(f)
    msg.reply({ Data = ok and "ran" or ("caught " .. type(e)) })
  else
    f()
  end
end)
"#;

pub fn lua_process(diagnostics: Diagnostics) -> Process {
    let options = ProcessOptions {
        diagnostics,
        limits: Limits {
            fuel: FUEL,
            memory: MEMORY,
            ..Limits::default()
        },
        ..ProcessOptions::default()
    };
    let mut p = Process::new(options).expect("new process");
    p.eval(SETUP).expect("setup loads");
    p
}

// ---------------------------------------------------------------- mutations

/// Rough Lua tokens: names/numbers, quoted strings, runs of spaces, and single punctuation.
fn tokens(src: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < src.len() {
        let c = src[i];
        let start = i;
        if c.is_ascii_alphanumeric()
            || c == b'_'
            || c == b'.' && i + 1 < src.len() && src[i + 1].is_ascii_digit()
        {
            while i < src.len()
                && (src[i].is_ascii_alphanumeric() || src[i] == b'_' || src[i] == b'.')
            {
                i += 1;
            }
        } else if c == b'"' || c == b'\'' {
            i += 1;
            while i < src.len() && src[i] != c && src[i] != b'\n' {
                if src[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(src.len());
        } else if c.is_ascii_whitespace() {
            while i < src.len() && src[i].is_ascii_whitespace() {
                i += 1;
            }
        } else {
            i += 1;
        }
        out.push((start, i));
    }
    out
}

const INSERTS: &[&str] = &[
    " end ",
    ")",
    "(",
    "{",
    "}",
    "[",
    "]",
    "[[",
    "]]",
    "[==[",
    "=",
    "==",
    "..",
    "...",
    " local ",
    " function ",
    " return ",
    " goto ",
    "::",
    " break ",
    ";",
    "#",
    "~",
    "//",
    ">>",
    "'",
    "\"",
    "--[[",
    "\n",
    " then ",
    " do ",
    " until ",
    " elseif ",
    ",",
    ":",
    "@",
    "$",
    "\\",
    "\0",
    " nil ",
    " and ",
    " or ",
    " not ",
    "-",
    "<const>",
    " ::l:: ",
    " goto l ",
];

const NUMERALS: &[&str] = &[
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "0x7fffffffffffffff",
    "0xffffffffffffffffff",
    "0x8000000000000000",
    "1e309",
    "-1e309",
    "1e-400",
    "0x1p99999",
    "0x1P-1074",
    "0x.1",
    "0x",
    "1e",
    "1e+",
    "3.",
    ".5",
    "08",
    "1..2",
    "0x1.8p",
    "1.5e-99999",
    "0e0",
    "2^1024",
    "0x1p-1075",
    "4294967296",
    "1e15",
];

const ESCAPES: &[&str] = &[
    "\"\\z   \n  x\"",
    "\"\\x\"",
    "\"\\xZZ\"",
    "\"\\x4\"",
    "\"\\u{}\"",
    "\"\\u{110000}\"",
    "\"\\u{7FFFFFFF}\"",
    "\"\\u{80000000}\"",
    "\"\\u{FFFFFFFFFFF}\"",
    "\"\\u{D800}\"",
    "\"\\u123\"",
    "\"\\256\"",
    "\"\\999\"",
    "\"\\0\\00\\000\"",
    "\"\\q\"",
    "\"\\",
    "\"\\\n\"",
    "\"\r\n\"",
    "\"unterminated",
    "'\\''",
    "\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\"",
    "[==[ ]=] ]] ]==]",
    "[=[",
    "[[\n\n]]",
    "--[==[ comment ]==]",
];

const DEPTHS: &[usize] = &[10, 100, 150, 199, 200, 201, 250, 1000, 10_000, 100_000];

fn nested(r: &mut Rng) -> String {
    let n = DEPTHS[r.below(DEPTHS.len())];
    match r.below(9) {
        0 => format!("{}1{}", "(".repeat(n), ")".repeat(n)),
        1 => format!("{}{}", "{".repeat(n), "}".repeat(n)),
        2 => format!("{}1", "-".repeat(n)),
        3 => format!("{}true", "not ".repeat(n)),
        4 => format!("x{}", ".y".repeat(n)),
        5 => format!("1{}", " .. 1".repeat(n)),
        6 => format!("{} end", "do ".repeat(n)).replace(" end", &" end".repeat(n)),
        7 => format!(
            "local f = {}1{}",
            "function() return ".repeat(n),
            " end".repeat(n)
        ),
        _ => format!("{}1{}", "f(".repeat(n), ")".repeat(n)),
    }
}

fn long_thing(r: &mut Rng) -> String {
    let n = [100, 5000, 70_000, 1 << 20][r.below(4)];
    match r.below(6) {
        0 => format!(" local s = [==[{}]==] ", "x".repeat(n)),
        1 => format!(" local s = \"{}\" ", "y".repeat(n)),
        2 => format!(" --[[{}]] ", "c".repeat(n)),
        3 => format!(" local s = [[{}", "z".repeat(n)),
        4 => format!(" local v_{} = 1 ", "n".repeat(n)),
        _ => format!(" {} ", "9".repeat(n)),
    }
}

/// Statements appended to a program: a global write and then a failure of each kind, so
/// rollback is tested on every path.
const TAILS: &[&str] = &[
    "FuzzMark = (FuzzMark or 0) + 1 error('tail')",
    "FuzzMark = (FuzzMark or 0) + 1 error({ code = 1 })",
    "FuzzMark = (FuzzMark or 0) + 1 while true do end",
    "FuzzMark = (FuzzMark or 0) + 1 local t = {} for i = 1, 1e9 do t[i] = ('x'):rep(64) .. i end",
    "FuzzMark = (FuzzMark or 0) + 1 local s = ('x'):rep(1 << 30)",
    "FuzzMark = (FuzzMark or 0) + 1 local s = 'x' while true do s = s .. s end",
    "FuzzMark = (FuzzMark or 0) + 1 local function r() return r() + 1 end r()",
    "FuzzMark = (FuzzMark or 0) + 1 local function r() r() end r()",
    "FuzzMark = (FuzzMark or 0) + 1 local t = setmetatable({}, {__index = function(t, k) return t[k + 1] end}) local _ = t[1]",
    "FuzzMark = (FuzzMark or 0) + 1 coroutine.wrap(function() error('in co') end)()",
    "FuzzMark = (FuzzMark or 0) + 1 string.rep('x', 100, ('y'):rep(1 << 20))",
    "FuzzMark = (FuzzMark or 0) + 1 table.concat(setmetatable({}, {__len = function() return 1e9 end}))",
    "FuzzMark = (FuzzMark or 0) + 1",
    "FuzzMark = (FuzzMark or 0) + 1 return FuzzMark",
];

/// One mutation of `src`, at the byte and token level.
pub fn mutate_source(r: &mut Rng, src: &mut Vec<u8>) {
    let toks = tokens(src);
    let pick = |r: &mut Rng| {
        if toks.is_empty() {
            (0, 0)
        } else {
            toks[r.below(toks.len())]
        }
    };
    match r.below(13) {
        0 => {
            let cut = r.below(src.len() + 1);
            src.truncate(cut);
        }
        1 => {
            let (a, b) = pick(r);
            let t = src[a..b].to_vec();
            let times = [1, 2, 3, 10, 200, 5000][r.below(6)];
            for _ in 0..times {
                src.splice(b..b, t.iter().copied());
            }
        }
        2 => {
            let (a, b) = pick(r);
            src.drain(a..b);
        }
        3 => {
            let (a, b) = pick(r);
            let (c, d) = pick(r);
            if b <= c {
                let (x, y) = (src[a..b].to_vec(), src[c..d].to_vec());
                src.splice(c..d, x);
                src.splice(a..b, y);
            }
        }
        4 => {
            let (a, _) = pick(r);
            let ins = INSERTS[r.below(INSERTS.len())];
            src.splice(a..a, ins.bytes());
        }
        5 => {
            let (a, _) = pick(r);
            let ins = nested(r);
            src.splice(a..a, ins.bytes());
        }
        6 => {
            let (a, _) = pick(r);
            let ins = long_thing(r);
            src.splice(a..a, ins.bytes());
        }
        7 => {
            // replace a number token (or any token) with a hostile numeral
            let nums: Vec<_> = toks
                .iter()
                .filter(|(a, _)| src[*a].is_ascii_digit())
                .copied()
                .collect();
            let (a, b) = if nums.is_empty() {
                pick(r)
            } else {
                nums[r.below(nums.len())]
            };
            let n = NUMERALS[r.below(NUMERALS.len())];
            src.splice(a..b, n.bytes());
        }
        8 => {
            let strs: Vec<_> = toks
                .iter()
                .filter(|(a, _)| src[*a] == b'"' || src[*a] == b'\'')
                .copied()
                .collect();
            let (a, b) = if strs.is_empty() {
                pick(r)
            } else {
                strs[r.below(strs.len())]
            };
            let e = ESCAPES[r.below(ESCAPES.len())];
            src.splice(a..b, e.bytes());
        }
        9 => {
            if !src.is_empty() {
                let i = r.below(src.len());
                src[i] = [
                    b'(', b')', b'e', b'"', b'\n', b'\\', b'0', b']', b'.', b'=', 0xff, 0x80, b'#',
                ][r.below(13)];
            }
        }
        10 => {
            // splice a copied range elsewhere
            if !src.is_empty() {
                let a = r.below(src.len());
                let b = (a + r.below(400)).min(src.len());
                let piece = src[a..b].to_vec();
                let at = r.below(src.len() + 1);
                src.splice(at..at, piece);
            }
        }
        11 => {
            // wrap the whole program in blocks or functions
            let n = DEPTHS[r.below(6)];
            let (open, close) = match r.below(3) {
                0 => ("do ", " end"),
                1 => ("(function() ", " end)()"),
                _ => ("if true then ", " end"),
            };
            let mut out = open.repeat(n).into_bytes();
            out.extend_from_slice(src);
            out.extend(close.repeat(n).bytes());
            *src = out;
        }
        _ => {
            let (a, b) = pick(r);
            src.drain(a..b);
            let (c, _) = pick(r);
            let c = c.min(src.len());
            src.splice(c..c, INSERTS[r.below(INSERTS.len())].bytes());
        }
    }
}

/// The source of case `index` of a run from `seed`.
pub fn lua_case(seed: u64, index: u64, r: &mut Rng) -> String {
    let mut lr = luagen::Rng::for_program(seed, index);
    let features = luagen::Features::all();
    let text = luagen::program(&mut lr, &features, 1 + r.below(4)).render();
    let mut src = text.into_bytes();
    if r.chance(4) {
        src.extend_from_slice(b"\n");
        src.extend_from_slice(TAILS[r.below(TAILS.len())].as_bytes());
        src.push(b'\n');
    }
    if !r.chance(5) {
        for _ in 0..1 + r.below(3) {
            mutate_source(r, &mut src);
        }
    }
    String::from_utf8_lossy(&src).into_owned()
}

// ---------------------------------------------------------------- the door

const CODES: &[&str] = &[
    "SYNTAX_ERROR",
    "SOURCE_REJECTED",
    "LUA_ERROR",
    "OUT_OF_FUEL",
    "OUT_OF_MEMORY",
];

/// A process, its state hash when known, and its probe counter.
pub struct Subject {
    p: Process,
    hash: Option<String>,
    probes: u64,
    diagnostics: Diagnostics,
    /// Whether a program left a value the state document has no form for in the globals (a
    /// suspended coroutine, a gmatch iterator...): such a state cannot be exported (by
    /// design, `BAD_STATE`), so it has no state hash and the process is replaced before the
    /// next case.
    pub unexportable: bool,
}

impl Subject {
    pub fn new(diagnostics: Diagnostics) -> Subject {
        Subject {
            p: lua_process(diagnostics),
            hash: None,
            probes: 0,
            diagnostics,
            unexportable: false,
        }
    }
    fn hash(&mut self) -> Result<String, String> {
        if self.hash.is_none() {
            self.hash = Some(
                self.p
                    .state_hash()
                    .map_err(|e| format!("state_hash: {e}"))?,
            );
        }
        Ok(self.hash.clone().unwrap_or_default())
    }
}

/// One source through door `how` (0 Eval, 1 `load` in a handler, 2 the same under
/// `pcall`), with the properties of the module checked.
pub fn check_lua(s: &mut Subject, src: &str, how: usize) -> Result<Verdict, String> {
    let before = s.hash()?;
    let result = match how {
        0 => s.p.eval_outcome(src),
        n => s.p.send_json(&json!({
            "Tags": { "Action": "Load", "Mode": if n == 1 { "plain" } else { "pcall" } },
            "Data": src,
        })),
    };
    let failure = match result {
        Ok(o) if o.error.is_none() => None,
        Ok(o) => Some(format!("LUA_ERROR {}", o.error.unwrap_or_default())),
        Err(e) if CODES.contains(&e.code()) => Some(format!("{} {e}", e.code())),
        // A source past the message size limit, sent as a message's Data (F7).
        Err(e)
            if e.code() == "BAD_MESSAGE"
                && how != 0
                && src.len() > aolite::ao::message::MAX_MESSAGE_BYTES =>
        {
            Some(format!("{} {e}", e.code()))
        }
        Err(e) => return Err(format!("unexpected error {}: {e}", e.code())),
    };
    s.hash = None;
    // reasons are counted by their start: leave out positions and chunk names
    let failure = failure.map(|w| {
        let mut out = String::new();
        for part in w.split(':') {
            let t = part.trim();
            if t.starts_with("[string") || t == "fuzz" || t.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            out.push_str(t);
            out.push(' ');
        }
        let words: Vec<&str> = out.split_whitespace().take(4).collect();
        words.join(" ")
    });
    let Some(why) = failure else {
        // Hash now: a program may have left a suspended coroutine in a global.
        match s.p.state_hash() {
            Ok(h) => s.hash = Some(h),
            // values the state document has no form for, by design (COMPATIBILITY.md):
            // a suspended coroutine, a gmatch or pairs iterator made at run time...
            Err(e) if e.code() == "BAD_STATE" && e.to_string().contains("cannot export ") => {
                s.unexportable = true
            }
            Err(e) => return Err(format!("state_hash after a success: {e}")),
        }
        return Ok(Verdict::Accepted);
    };
    let after = s.hash()?;
    if after != before {
        return Err(format!("failed message changed the state hash ({why})"));
    }
    // The process still handles a normal message.
    let o =
        s.p.send_json(&json!({ "Tags": { "Action": "Probe" } }))
            .map_err(|e| format!("probe after a failure: {e} (failure: {why})"))?;
    s.hash = None;
    s.probes += 1;
    let data = o
        .messages
        .first()
        .and_then(|m| m.data.as_ref())
        .and_then(|d| d.as_str())
        .unwrap_or_default()
        .to_owned();
    if o.error.is_some() || data != format!("probe {}", s.probes) {
        return Err(format!(
            "probe after a failure answered {data:?} (error {:?}), expected probe {} (failure: {why})",
            o.error, s.probes
        ));
    }
    Ok(Verdict::Rejected(why))
}

/// Lua source through Eval and `load` in a handler.
pub fn fuzz_lua(seed: u64, count: usize) -> Report {
    let mut report = Report::default();
    let mut r = Rng::new(seed);
    let mut subjects = [
        Subject::new(Diagnostics::Off),
        Subject::new(Diagnostics::Auto),
    ];
    for i in 0..count {
        report.cases += 1;
        let src = lua_case(seed, i as u64, &mut r);
        let how = r.below(3);
        // Diagnostics re-run failures on a copy: exercised one case in eight.
        let which = usize::from(r.chance(8));
        if i % 300 == 299 {
            subjects = [
                Subject::new(Diagnostics::Off),
                Subject::new(Diagnostics::Auto),
            ];
        }
        let tag = format!("lua seed {seed} case {i}");
        let s = &mut subjects[which];
        let found = guarded(&mut report, &tag, || check_lua(s, &src, how));
        if !matches!(found, Some(Ok(_))) || subjects[which].unexportable {
            subjects[which] = Subject::new(subjects[which].diagnostics);
        }
        let shown: String = src.chars().take(300).collect();
        report.record(&tag, found, &format!(" (door {how}, source {shown:?})"));
    }
    report
}
