//! Property tests of the state engine on generated programs and message sequences: a run
//! split anywhere (export, import, continue) equals the unsplit run, and rolling back to
//! a checkpoint gives the exact document exported there. Programs mix every kind of value
//! the document must carry: nested and shared tables, cycles, reference-typed keys,
//! closures sharing upvalues, metatables, deletions, random numbers and failing messages.

use aolite::ao::process::{Process, ProcessOptions};
use serde_json::{json, Value as Json};

/// A small deterministic generator (xorshift64*), so failures reproduce from the seed.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

fn value(g: &mut Gen, depth: u32) -> String {
    match g.below(if depth > 2 { 6 } else { 10 }) {
        0 => g.below(1000).to_string(),
        1 => format!("{}.5", g.below(100)),
        2 => format!("'s{}'", g.below(50)),
        3 => g
            .pick(&["true", "false", "nil", "0/0", "1/0", "'\\255\\0bin'"])
            .to_owned(),
        4 => format!("S.k{}", g.below(8)),
        5 => "math.random(1000)".to_owned(),
        6 => format!("{{{}, x = {}}}", value(g, depth + 1), value(g, depth + 1)),
        7 => format!("{{[{}] = {}}}", value(g, depth + 1), value(g, depth + 1)),
        8 => format!("F{}", g.below(3)),
        _ => "S".to_owned(),
    }
}

fn statement(g: &mut Gen) -> String {
    let k = g.below(8);
    let m = g.below(8);
    match g.below(11) {
        0..=2 => format!("S.k{k} = {}", value(g, 0)),
        3 => format!(
            "if type(S.k{k}) == 'table' then S.k{k}.y = {} end",
            value(g, 1)
        ),
        4 => format!(
            "if type(S.k{k}) == 'table' then S[S.k{k}] = {} end",
            value(g, 1)
        ),
        5 => format!(
            "if type(S.k{k}) == 'table' and type(S.k{m}) == 'table' then \
             setmetatable(S.k{k}, {{__index = S.k{m}}}) end"
        ),
        6 => format!("table.insert(L, {})", value(g, 1)),
        7 => "if #L > 0 then table.remove(L, 1) end".to_owned(),
        8 => format!("Count = Count + F{}()", g.below(3)),
        9 => format!("S.k{k} = nil"),
        _ => format!(
            "for key in pairs(S) do Seen = tostring(key) end; Last = {}",
            value(g, 1)
        ),
    }
}

const PRELUDE: &str = "S = {}; L = {}; Count = 0; Seen = ''
local shared = 0
F0 = function() shared = shared + 1; return shared end
F1 = function() shared = shared + 2; return shared end
local own = 10
F2 = function() own = own + 1; return own end
Handlers.add('op', 'Op', function(msg) S['m' .. msg.Tags.N] = msg.Data; Count = Count + 1 end)";

fn program(seed: u64) -> Vec<Json> {
    let mut g = Gen(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut msgs = Vec::new();
    for i in 0..(6 + g.below(8)) {
        if g.below(4) == 0 {
            msgs.push(
                json!({"Tags": {"Action": "Op", "N": i.to_string()}, "Data": format!("d{i}")}),
            );
            continue;
        }
        let mut chunk: Vec<String> = (0..1 + g.below(5)).map(|_| statement(&mut g)).collect();
        if g.below(6) == 0 {
            chunk.push("error('generated failure')".into());
        }
        chunk.push("return tostring(Count)".into());
        msgs.push(json!({"Tags": {"Action": "Eval"}, "Data": chunk.join("\n")}));
    }
    msgs
}

fn spawn() -> Process {
    let mut p = Process::new(ProcessOptions::default()).unwrap();
    p.eval(PRELUDE).unwrap();
    p
}

fn outcome_text(p: &mut Process, m: &Json) -> String {
    match p.send_json(m) {
        Ok(o) => serde_json::to_string(&o).unwrap(),
        Err(e) => format!("error {}", e.code()),
    }
}

const SEEDS: u64 = 40;

#[test]
fn split_runs_equal_unsplit_runs_for_generated_programs() {
    let (mut sent, mut failed, mut entries) = (0, 0, 0);
    for seed in 0..SEEDS {
        let msgs = program(seed);
        let mut whole = spawn();
        let unsplit: Vec<String> = msgs.iter().map(|m| outcome_text(&mut whole, m)).collect();
        sent += unsplit.len();
        failed += unsplit.iter().filter(|o| o.contains("\"Error\"")).count();
        entries += whole
            .stats()
            .globals
            .iter()
            .find(|g| g.name == "S")
            .unwrap()
            .counts
            .entries;
        let final_hash = whole.state_hash().unwrap();
        let k = (seed as usize * 7) % (msgs.len() + 1);
        let mut p = spawn();
        let mut split: Vec<String> = msgs[..k].iter().map(|m| outcome_text(&mut p, m)).collect();
        let doc = p.export_state().unwrap();
        let mut q = Process::import_state(&doc).unwrap();
        assert_eq!(
            doc,
            q.export_state().unwrap(),
            "seed {seed}: round trip at {k}"
        );
        split.extend(msgs[k..].iter().map(|m| outcome_text(&mut q, m)));
        assert_eq!(unsplit, split, "seed {seed}: outcomes split at {k}");
        assert_eq!(
            final_hash,
            q.state_hash().unwrap(),
            "seed {seed}: hash split at {k}"
        );
    }
    // The generator makes real programs: most messages succeed and build state.
    assert!(
        failed * 3 < sent,
        "{failed} of {sent} generated messages failed"
    );
    assert!(
        entries > SEEDS * 5,
        "only {entries} entries in S over all seeds"
    );
}

#[test]
fn rollback_restores_the_document_of_every_checkpoint_for_generated_programs() {
    for seed in 0..SEEDS {
        let msgs = program(seed + 1000);
        let mut p = spawn();
        let mut marks = Vec::new();
        for m in &msgs {
            marks.push((p.checkpoint(None), p.export_state().unwrap()));
            outcome_text(&mut p, m);
        }
        // Back to a generated point, on again, then back to every checkpoint in turn.
        let j = (seed as usize * 5) % marks.len();
        p.rollback(marks[j].0).unwrap();
        assert_eq!(
            marks[j].1,
            p.export_state().unwrap(),
            "seed {seed}: rollback to {j}"
        );
        for m in &msgs[j..] {
            outcome_text(&mut p, m);
        }
        for (i, (id, doc)) in marks.iter().enumerate().take(j + 1).rev() {
            p.rollback(*id).unwrap();
            assert_eq!(
                *doc,
                p.export_state().unwrap(),
                "seed {seed}: rollback to {i}"
            );
        }
    }
}
