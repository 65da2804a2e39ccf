//! Structure-aware fuzzing of aolite's input doors: state documents
//! (`Process::import_state`), messages (`Process::send_json`) and `json.decode`/`encode`
//! inside a process. Shared by `examples/fuzz_doors.rs` (long runs) and
//! `tests/fuzz_doors.rs` (a short seeded CI run). Every case asserts a property, not only
//! "no panic"; a violated property or a panic is a finding.
#![allow(dead_code)]

use std::panic::{catch_unwind, AssertUnwindSafe};

use aolite::ao::process::{Process, ProcessOptions};
use serde_json::{json, Map, Value as Json};

/// xorshift64*: tiny and deterministic, so a finding reproduces from its seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// What a run found: case counts by result, and the findings (a description each).
#[derive(Default, Debug)]
pub struct Report {
    pub cases: usize,
    pub rejected: usize,
    pub accepted: usize,
    pub findings: Vec<String>,
    /// Rejections by the start of their message (what part of the door refused).
    pub reasons: std::collections::BTreeMap<String, usize>,
    /// The slowest message of the run (milliseconds, what it ran), where a door times them.
    pub slowest: (u128, String),
    /// Cases compared with a reference interpreter (the format door's lua5.3).
    pub compared: usize,
}

/// How a case went through its door, when its property held.
pub enum Verdict {
    Accepted,
    Rejected(String),
}

impl Report {
    pub fn record(&mut self, tag: &str, found: Option<Result<Verdict, String>>, detail: &str) {
        match found {
            Some(Ok(Verdict::Accepted)) => self.accepted += 1,
            Some(Ok(Verdict::Rejected(why))) => {
                self.rejected += 1;
                let key: String = why
                    .split(|c: char| c == ':' || c.is_ascii_digit() || c == '`' || c == '\'')
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(":")
                    .chars()
                    .take(60)
                    .collect();
                *self.reasons.entry(key).or_default() += 1;
            }
            Some(Err(f)) => self.findings.push(format!("{tag}: {f}{detail}")),
            None => {}
        }
    }
}

impl Report {
    /// Adds the counts of another run (a chunk of a long run) to this one.
    pub fn merge(&mut self, other: Report) {
        self.cases += other.cases;
        self.rejected += other.rejected;
        self.accepted += other.accepted;
        self.findings.extend(other.findings);
        for (k, n) in other.reasons {
            *self.reasons.entry(k).or_default() += n;
        }
        self.compared += other.compared;
        if other.slowest.0 > self.slowest.0 {
            self.slowest = other.slowest;
        }
    }

    pub fn summary(&self, door: &str) -> String {
        let compared = if self.compared > 0 {
            format!(", {} compared with lua5.3", self.compared)
        } else {
            String::new()
        };
        format!(
            "{door}: {} cases, {} rejected with the expected error, {} accepted{compared}, {} findings",
            self.cases,
            self.rejected,
            self.accepted,
            self.findings.len()
        )
    }
}

const TOKEN: &str = include_str!("../../examples/token.lua");

const CLOSURES: &str = r#"
local count = 0
local function counter() count = count + 1; return count end
Shared = { list = {1, 2, 3}, name = "s" }
Shared.self = Shared
Meta = setmetatable({ x = 1 }, { __index = function(t, k) return k .. "!" end, __call = counter })
-- Suspended coroutines cannot be exported (COMPATIBILITY.md); finished ones can.
Co = coroutine.create(function(a) local b = coroutine.yield(a + 1); return b end)
coroutine.resume(Co, 1)
coroutine.resume(Co, 2)
local function gen()
  local co = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)
  return co() + co() + co()
end
Weak = setmetatable({}, { __mode = "k" })
Weak[Shared] = true
Keys = { [Shared] = "t", [counter] = "f", [1.5] = "n", [true] = "b" }
Handlers.add("tick", "Tick", function(msg)
  Shared.last = gen() + counter()
  Meta[msg.Id] = Meta.y
  msg.reply({ Data = tostring(Shared.last) })
end)
"#;

pub fn msg(tags: &[(&str, &str)], from: Option<&str>) -> Json {
    let mut t = Map::new();
    for (k, v) in tags {
        t.insert((*k).into(), Json::String((*v).into()));
    }
    let mut m = Map::new();
    m.insert("Tags".into(), Json::Object(t));
    if let Some(f) = from {
        m.insert("From".into(), Json::String(f.into()));
    }
    Json::Object(m)
}

const ALICE: &str = "ALICE_wallet_address_0000000000000000000000";

/// A token process after a few messages.
pub fn token_process() -> Process {
    let mut p = Process::new(ProcessOptions::default()).expect("new process");
    p.eval(TOKEN).expect("token.lua loads");
    let owner = p.owner().to_owned();
    for m in [
        msg(&[("Action", "Info")], None),
        msg(
            &[
                ("Action", "Transfer"),
                ("Recipient", ALICE),
                ("Quantity", "250"),
            ],
            None,
        ),
        msg(&[("Action", "Balance"), ("Recipient", ALICE)], Some(&owner)),
        msg(
            &[
                ("Action", "Transfer"),
                ("Recipient", "x"),
                ("Quantity", "-1"),
            ],
            None,
        ),
    ] {
        p.send_json(&m).expect("token message");
    }
    p
}

/// A process with closures sharing upvalues, coroutines, metatables and cycles.
pub fn closures_process() -> Process {
    let mut p = Process::new(ProcessOptions::default()).expect("new process");
    p.eval(CLOSURES).expect("closures program loads");
    p.send_json(&msg(&[("Action", "Tick")], None))
        .expect("tick");
    p
}

/// Runs `f`, turning a panic into a finding.
pub fn guarded<T>(report: &mut Report, what: &str, f: impl FnOnce() -> T) -> Option<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => Some(v),
        Err(e) => {
            let text = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            report.findings.push(format!("{what}: panic: {text}"));
            None
        }
    }
}

// ---------------------------------------------------------------- JSON mutation

fn random_string(r: &mut Rng) -> String {
    match r.below(8) {
        0 => String::new(),
        1 => "x".repeat(r.below(5000)),
        2 => "\u{0}\u{1f}\"\\/\u{7f}\u{ffff}é😀".into(),
        3 => [
            "_G", "handle", "Handlers", "Owner", "Inbox", "__index", "1", "-1",
        ][r.below(8)]
        .into(),
        _ => (0..r.below(12))
            .map(|_| (b'a' + r.below(26) as u8) as char)
            .collect(),
    }
}

fn random_number(r: &mut Rng) -> Json {
    match r.below(10) {
        0 => json!(0),
        1 => json!(-1),
        2 => json!(u64::MAX),
        3 => json!(i64::MIN),
        4 => json!(1e308),
        5 => json!(-1e-308),
        6 => json!(0.5),
        7 => json!(9007199254740993u64),
        8 => json!(r.below(100) as i64 - 50),
        _ => json!(r.next()),
    }
}

pub fn random_json(r: &mut Rng, depth: u32) -> Json {
    match r.below(if depth > 3 { 4 } else { 7 }) {
        0 => Json::Null,
        1 => Json::Bool(r.chance(2)),
        2 => random_number(r),
        3 => Json::String(random_string(r)),
        4 | 5 => Json::Array((0..r.below(5)).map(|_| random_json(r, depth + 1)).collect()),
        _ => {
            let mut m = Map::new();
            for _ in 0..r.below(5) {
                m.insert(random_string(r), random_json(r, depth + 1));
            }
            Json::Object(m)
        }
    }
}

/// Paths (as indices into the value tree) of every node, for picking a mutation site.
fn collect_paths(v: &Json, path: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
    out.push(path.clone());
    match v {
        Json::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                path.push(PathStep::Index(i));
                collect_paths(x, path, out);
                path.pop();
            }
        }
        Json::Object(m) => {
            for (k, x) in m {
                path.push(PathStep::Key(k.clone()));
                collect_paths(x, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone)]
enum PathStep {
    Index(usize),
    Key(String),
}

fn at<'a>(v: &'a mut Json, path: &[PathStep]) -> &'a mut Json {
    let mut cur = v;
    for s in path {
        cur = match (s, cur) {
            (PathStep::Index(i), Json::Array(a)) => &mut a[*i],
            (PathStep::Key(k), Json::Object(m)) => m.get_mut(k).expect("path key"),
            _ => unreachable!("path follows the tree"),
        };
    }
    cur
}

/// One structural mutation of `v` (siblings of the same document are drawn on for
/// "out-of-range" and swapped values).
pub fn mutate_json(r: &mut Rng, v: &mut Json) {
    let mut paths = Vec::new();
    collect_paths(v, &mut Vec::new(), &mut paths);
    // Prefer deep sites: they are where the structure is.
    let path = paths[r.below(paths.len())].clone();
    let donor = {
        let p2 = &paths[r.below(paths.len())];
        at(&mut v.clone(), p2).clone()
    };
    let node = at(v, &path);
    match r.below(12) {
        0 => *node = random_json(r, 2),
        1 => {
            // change the type but keep something of the value
            *node = match node.take() {
                Json::String(s) => s.parse::<f64>().map(|f| json!(f)).unwrap_or(json!([s])),
                Json::Number(n) => Json::String(n.to_string()),
                Json::Array(a) => a.into_iter().next().unwrap_or(Json::Null),
                Json::Object(m) => Json::Array(m.into_iter().map(|(_, x)| x).collect()),
                Json::Bool(b) => json!(b as u8),
                Json::Null => json!({}),
            }
        }
        2 => {
            if let Some(n) = node.as_i64() {
                *node = json!(n.wrapping_add([1, -1, 1000, -1000, 1 << 40][r.below(5)]))
            } else {
                *node = random_number(r)
            }
        }
        3 => *node = donor,
        4 => match node {
            Json::Object(m) if !m.is_empty() => {
                let k = m.keys().nth(r.below(m.len())).cloned().unwrap_or_default();
                m.remove(&k);
            }
            Json::Array(a) if !a.is_empty() => {
                let i = r.below(a.len());
                a.remove(i);
            }
            _ => *node = Json::Null,
        },
        5 => match node {
            Json::Object(m) if !m.is_empty() => {
                let k = m.keys().nth(r.below(m.len())).cloned().unwrap_or_default();
                let x = m[&k].clone();
                m.insert(format!("{k}{}", ["_", "2", " ", ""][r.below(4)]), x);
            }
            Json::Array(a) if !a.is_empty() => {
                let i = r.below(a.len());
                let x = a[i].clone();
                a.insert(r.below(a.len() + 1), x);
            }
            _ => *node = json!([node.take(), node.clone()]),
        },
        6 => match node {
            Json::Object(m) if m.len() >= 2 => {
                let i = r.below(m.len());
                let j = r.below(m.len());
                let ki = m.keys().nth(i).cloned().unwrap_or_default();
                let kj = m.keys().nth(j).cloned().unwrap_or_default();
                let (a, b) = (m[&ki].clone(), m[&kj].clone());
                m.insert(ki, b);
                m.insert(kj, a);
            }
            Json::Array(a) if a.len() >= 2 => {
                let i = r.below(a.len());
                let j = r.below(a.len());
                a.swap(i, j);
            }
            _ => *node = Json::Bool(false),
        },
        7 => {
            if let Json::String(s) = node {
                // chunk sources, chunk paths and names: cut, splice or corrupt
                let mut b: Vec<char> = s.chars().collect();
                match r.below(5) {
                    0 => b.truncate(r.below(b.len() + 1)),
                    1 if !b.is_empty() => {
                        let i = r.below(b.len());
                        b[i] = ['(', ')', 'e', '"', '\n', '\\', '0', ']', '.'][r.below(9)];
                    }
                    2 => {
                        let i = r.below(b.len() + 1);
                        for (k, c) in [" end", " )", "@", "\0", " return", "[[", "--"][r.below(7)]
                            .chars()
                            .enumerate()
                        {
                            b.insert(i + k, c);
                        }
                    }
                    3 => b.reverse(),
                    _ => b.extend("x".repeat(r.below(3000)).chars()),
                }
                *node = Json::String(b.into_iter().collect());
            } else {
                *node = Json::String(random_string(r));
            }
        }
        8 => *node = json!(["_G", "chunk", "handle", "@nowhere.lua", "?", ".process"][r.below(6)]),
        9 => {
            *node =
                json!(10usize.pow(r.below(19) as u32) as f64 * if r.chance(2) { 1.0 } else { -1.0 })
        }
        10 => {
            if let Json::Object(m) = node {
                m.insert(random_string(r), random_json(r, 2));
            } else if let Json::Array(a) = node {
                a.push(random_json(r, 2));
            } else {
                *node = Json::Null
            }
        }
        _ => *node = json!(r.below(1000)),
    }
}

// ---------------------------------------------------------------- door 1: import

fn code(e: &aolite::Error) -> &'static str {
    e.code()
}

/// Import fuzzing: mutated exports of real processes.
pub fn fuzz_import(seed: u64, count: usize) -> Report {
    let mut report = Report::default();
    let bases: Vec<String> = vec![
        token_process().export_state().expect("export token"),
        closures_process().export_state().expect("export closures"),
    ];
    let base_values: Vec<Json> = bases
        .iter()
        .map(|b| serde_json::from_str(b).expect("export is JSON"))
        .collect();
    // The unmutated documents round-trip exactly.
    for b in &bases {
        match Process::import_state(b).and_then(|mut p| p.export_state()) {
            Ok(again) if &again == b => {}
            Ok(_) => report
                .findings
                .push("unmutated export does not re-export identically".into()),
            Err(e) => report
                .findings
                .push(format!("unmutated export refused: {e}")),
        }
    }
    let mut r = Rng::new(seed);
    for i in 0..count {
        report.cases += 1;
        let which = r.below(bases.len());
        let text = if r.chance(12) {
            // text-level truncation / byte damage
            let b = &bases[which];
            let mut cut = r.below(b.len());
            while !b.is_char_boundary(cut) {
                cut -= 1;
            }
            b[..cut].to_owned()
        } else {
            let mut v = base_values[which].clone();
            for _ in 0..1 + r.below(3) {
                mutate_json(&mut r, &mut v);
            }
            serde_json::to_string(&v).expect("serialise")
        };
        let tag = format!("import seed {seed} case {i}");
        let found = guarded(&mut report, &tag, || check_import(&text));
        report.record(&tag, found, "");
    }
    report
}

/// `Ok(true)`: imported and consistent; `Ok(false)`: refused with BAD_STATE.
fn check_import(text: &str) -> Result<Verdict, String> {
    let mut p = match Process::import_state(text) {
        Ok(p) => p,
        Err(e) if code(&e) == "BAD_STATE" => return Ok(Verdict::Rejected(e.to_string())),
        Err(e) => {
            return Err(format!(
                "refused with {} instead of BAD_STATE: {e}",
                code(&e)
            ))
        }
    };
    let e1 = p
        .export_state()
        .map_err(|e| format!("imported but cannot export: {e}"))?;
    let mut q = Process::import_state(text).map_err(|e| format!("second import failed: {e}"))?;
    let e2 = q
        .export_state()
        .map_err(|e| format!("second export failed: {e}"))?;
    if e1 != e2 {
        return Err("two imports of the same text export differently".into());
    }
    let mut r = Process::import_state(&e1).map_err(|e| format!("own export refused: {e}"))?;
    let e3 = r
        .export_state()
        .map_err(|e| format!("re-export failed: {e}"))?;
    if e3 != e1 {
        return Err("export of an imported document is not a fixed point".into());
    }
    // A message then runs (an outcome, or a clean error value).
    let _ = p.send_json(&json!({ "Tags": { "Action": "Tick" } }));
    let _ = p.send_json(&json!({ "Tags": { "Action": "Balance" } }));
    Ok(Verdict::Accepted)
}

// ---------------------------------------------------------------- door 2: messages

fn valid_messages() -> Vec<Json> {
    vec![
        json!({ "Tags": { "Action": "Transfer", "Recipient": ALICE, "Quantity": "5" } }),
        json!({ "Tags": [{ "name": "Action", "value": "Balance" }], "From": ALICE }),
        json!({ "Tags": { "Action": "Info" }, "Data": "hello", "Id": "abc", "Timestamp": 5 }),
        json!({ "Tags": { "Action": "Eval" }, "Data": "X = (X or 0) + 1" }),
        json!({ "Tags": { "Action": "Tick" }, "Nonce": 7, "Block-Height": 3 }),
        json!({ "Tags": { "Action": "Eval" }, "Data": "error('boom')" }),
    ]
}

/// Message fuzzing against the token and closures processes.
pub fn fuzz_message(seed: u64, count: usize) -> Report {
    let mut report = Report::default();
    let mut r = Rng::new(seed);
    let valid = valid_messages();
    let mut procs = [token_process(), closures_process()];
    for i in 0..count {
        report.cases += 1;
        let m = if r.chance(4) {
            random_json(&mut r, 0)
        } else {
            let mut v = valid[r.below(valid.len())].clone();
            for _ in 0..1 + r.below(2) {
                mutate_json(&mut r, &mut v);
            }
            if r.chance(40) {
                // a huge field
                let field = ["Data", "Id", "From", "Owner"][r.below(4)];
                if let Json::Object(o) = &mut v {
                    o.insert(field.into(), Json::String("d".repeat(300_000)));
                }
            }
            v
        };
        if i % 500 == 499 {
            // Unhandled messages pile up in the Inbox (huge ones too) and every case exports
            // the whole state twice: start from fresh processes now and then.
            procs = [token_process(), closures_process()];
        }
        let p = &mut procs[r.below(2)];
        let tag = format!("message seed {seed} case {i}");
        let found = guarded(&mut report, &tag, || check_message(p, &m));
        if found.is_none() {
            // a panicked process is not trusted further
            procs = [token_process(), closures_process()];
        }
        report.record(&tag, found, &format!(" (message {m})"));
    }
    report
}

pub fn check_message(p: &mut Process, m: &Json) -> Result<Verdict, String> {
    let before = p.state_hash().map_err(|e| format!("state_hash: {e}"))?;
    match p.send_json(m) {
        Err(e) => {
            let after = p.state_hash().map_err(|e| format!("state_hash: {e}"))?;
            if after != before {
                return Err(format!("{} changed the state hash", code(&e)));
            }
            if code(&e) == "BAD_MESSAGE" {
                Ok(Verdict::Rejected(e.to_string()))
            } else {
                Err(format!(
                    "error {} instead of BAD_MESSAGE or an outcome: {e}",
                    code(&e)
                ))
            }
        }
        Ok(o) => {
            if o.error.is_some() {
                let after = p.state_hash().map_err(|e| format!("state_hash: {e}"))?;
                if after != before {
                    return Err(format!(
                        "failed outcome changed the state hash ({:?})",
                        o.error
                    ));
                }
            }
            Ok(Verdict::Accepted)
        }
    }
}

// ---------------------------------------------------------------- door 3: json

pub const JSON_CHECK: &str = r#"
local json = require('json')
local function same(a, b, seen)
  if type(a) ~= type(b) then return false end
  if type(a) ~= 'table' then
    if a ~= a then return b ~= b end
    return a == b or (math.type(a) ~= math.type(b) and a == b)
  end
  for k, v in pairs(a) do if not same(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end
local function rounded(v)
  if type(v) == 'number' then
    if math.type(v) == 'integer' and v == math.tointeger(tonumber(string.format('%.14g', v))) then return v end
    return tonumber(string.format('%.14g', v))
  end
  if type(v) ~= 'table' then return v end
  local t = {}
  for k, x in pairs(v) do t[k] = rounded(x) end
  return t
end
function FuzzJson(s)
  local ok, v = pcall(json.decode, s)
  if not ok then return "decode-error" end
  local ok2, e = pcall(json.encode, v)
  if not ok2 then return "encode-error: " .. tostring(e) end
  local ok3, w = pcall(json.decode, e)
  if not ok3 then return "FAIL re-decode: " .. tostring(w) .. " of " .. e end
  -- aos's json.encode writes numbers with %.14g: compare against that rounding.
  if not same(rounded(v), w) then return "FAIL differs: " .. e end
  return "ok"
end
"#;

pub fn lua_string(s: &str) -> String {
    let mut out = String::from("\"");
    for b in s.bytes() {
        out.push_str(&format!("\\{b}"));
    }
    out.push('"');
    out
}

fn random_json_text(r: &mut Rng) -> String {
    let v = random_json(r, 0);
    let mut t = if r.chance(2) {
        serde_json::to_string(&v).expect("serialise")
    } else {
        serde_json::to_string_pretty(&v).expect("serialise")
    };
    // text-level damage: the decoder's own parsing paths
    for _ in 0..r.below(3) {
        let pieces = [
            "",
            ",",
            "]",
            "}",
            "[",
            "{",
            "\"",
            "\\",
            "\\u",
            "\\ud800",
            "\\uDC00x",
            "1e999",
            "-",
            "0x1",
            "01",
            ".5",
            "1.",
            "tru",
            "nul",
            "\u{0}",
            "\t",
            "Infinity",
            "NaN",
            "//",
            "\"a\":",
            "1e-999",
            "-0",
            "123456789012345678901234567890",
        ];
        let p = pieces[r.below(pieces.len())];
        let mut at = r.below(t.len() + 1);
        while !t.is_char_boundary(at) {
            at -= 1;
        }
        if r.chance(3) && at < t.len() {
            let mut end = at + 1;
            while !t.is_char_boundary(end) {
                end += 1;
            }
            t.replace_range(at..end, p);
        } else {
            t.insert_str(at, p);
        }
    }
    t
}

/// json.decode / json.encode round trips inside a process.
pub fn fuzz_json(seed: u64, count: usize) -> Report {
    let mut report = Report::default();
    let mut r = Rng::new(seed);
    let mut p = Process::new(ProcessOptions::default()).expect("new process");
    p.eval(JSON_CHECK).expect("json check loads");
    for i in 0..count {
        report.cases += 1;
        let text = random_json_text(&mut r);
        let src = format!("return FuzzJson({})", lua_string(&text));
        let tag = format!("json seed {seed} case {i}");
        let found = guarded(&mut report, &tag, || p.eval(&src));
        match found {
            Some(Ok(out)) => {
                let o = out.output.trim();
                if o == "ok" || o.starts_with("encode-error") {
                    report.accepted += 1
                } else if o == "decode-error" {
                    report.rejected += 1
                } else {
                    report.findings.push(format!("{tag}: {o} (input {text:?})"))
                }
            }
            Some(Err(e)) => report
                .findings
                .push(format!("{tag}: eval failed: {e} (input {text:?})")),
            None => {
                p = {
                    let mut q = Process::new(ProcessOptions::default()).expect("new process");
                    q.eval(JSON_CHECK).expect("json check loads");
                    q
                }
            }
        }
    }
    report
}
