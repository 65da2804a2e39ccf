//! Checkpoints, rollback, diffs, the message log and replay, stats and the data view,
//! driven through the public `Process` API on the bundled examples and oracle scenarios.

use aolite::ao::process::{Process, ProcessOptions};
use aolite::error::Error;
use aolite::state::history::ReplayStart;
use aolite::state::view::InspectOptions;
use serde_json::{json, Value as Json};

fn example(name: &str) -> (String, Vec<Json>) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/");
    let source = std::fs::read_to_string(format!("{dir}{name}.lua")).unwrap();
    let msgs = std::fs::read_to_string(format!("{dir}{name}.messages.json")).unwrap();
    (source, serde_json::from_str(&msgs).unwrap())
}

fn loaded(name: &str, options: ProcessOptions) -> (Process, Vec<Json>) {
    let (source, msgs) = example(name);
    let mut p = Process::new(options).unwrap();
    p.eval(&source).unwrap();
    (p, msgs)
}

/// An outcome's diff as text lines (`path: old -> new`).
fn diff_lines(o: aolite::ao::Outcome) -> Vec<String> {
    o.diff.unwrap().iter().map(|c| c.to_string()).collect()
}

const EXAMPLES: &[&str] = &[
    "token",
    "guide_versioned",
    "guide_event_sourcing",
    "guide_schema_validation",
    "guide_integrity",
    "guide_migrations",
    "guide_cache_ttl",
    "guide_indexing",
    "guide_analytics",
];

/// Rolling back to every earlier checkpoint gives the very document exported then.
#[test]
fn rollback_to_every_checkpoint_restores_the_exported_bytes() {
    for name in EXAMPLES {
        let (mut p, msgs) = loaded(name, ProcessOptions::default());
        let mut marks = Vec::new();
        for m in &msgs {
            marks.push((p.checkpoint(None), p.export_state().unwrap()));
            p.send_json(m).unwrap();
        }
        let end = p.export_state().unwrap();
        // Reading any checkpoint's state gives the document exported then, and changes
        // nothing.
        for (id, doc) in &marks {
            assert_eq!(
                *doc,
                p.export_state_at(*id).unwrap(),
                "{name}: export at {id}"
            );
        }
        let (id, doc) = &marks[marks.len() / 2];
        let mut f = p.fork_at(*id).unwrap();
        assert_eq!(*doc, f.export_state().unwrap(), "{name}: fork at {id}");
        assert_eq!(
            end,
            p.export_state().unwrap(),
            "{name}: peek changed the state"
        );
        for (id, doc) in marks.iter().rev() {
            p.rollback(*id).unwrap();
            assert_eq!(*doc, p.export_state().unwrap(), "{name}: rollback to {id}");
        }
    }
}

/// After a rollback the process goes on exactly as one that never took the detour.
#[test]
fn a_rolled_back_process_continues_like_a_fresh_one() {
    let (mut p, msgs) = loaded("token", ProcessOptions::default());
    let (mut fresh, _) = loaded("token", ProcessOptions::default());
    let cp = p.checkpoint(Some("start"));
    for m in &msgs {
        p.send_json(m).unwrap();
    }
    p.eval("Balances.detour = 1; Extra = {1, 2, {}}; print(math.random(), {})")
        .unwrap();
    p.rollback(cp).unwrap();
    assert_eq!(p.checkpoints().len(), 1);
    assert_eq!(
        p.message_log().len(),
        1,
        "the log keeps what came before the checkpoint"
    );
    for m in &msgs {
        assert_eq!(p.send_json(m).unwrap(), fresh.send_json(m).unwrap());
    }
    assert_eq!(p.state_hash().unwrap(), fresh.state_hash().unwrap());
    // The log cut at the checkpoint and written on: entry for entry the fresh one's.
    assert_eq!(p.message_log(), fresh.message_log());
    // A later checkpoint survives only until a rollback to an earlier one.
    let later = p.checkpoint(None);
    p.rollback(cp).unwrap();
    assert!(matches!(p.rollback(later), Err(Error::BadCheckpoint(_))));
}

/// Failed messages and dry-runs leave nothing in the history; rollback skips them cleanly.
#[test]
fn failed_messages_and_dry_runs_do_not_disturb_checkpoints() {
    let (mut p, _) = loaded("token", ProcessOptions::default());
    let before = p.export_state().unwrap();
    let cp = p.checkpoint(None);
    p.eval("Handlers.add('boom', 'Boom', function() Balances.x = 1; error('no') end)")
        .unwrap();
    let o = p.send_json(&json!({"Tags": {"Action": "Boom"}})).unwrap();
    assert!(o.error.is_some());
    p.dry_run_json(&json!({"Tags": {"Action": "Balance"}}))
        .unwrap();
    p.rollback(cp).unwrap();
    assert_eq!(before, p.export_state().unwrap());
}

#[test]
fn dropping_checkpoints_frees_their_history() {
    let (mut p, msgs) = loaded("token", ProcessOptions::default());
    let a = p.checkpoint(None);
    p.send_json(&msgs[2]).unwrap();
    let b = p.checkpoint(None);
    p.send_json(&msgs[3]).unwrap();
    p.drop_checkpoint(a).unwrap();
    assert!(matches!(p.rollback(a), Err(Error::BadCheckpoint(_))));
    p.rollback(b).unwrap();
    assert!(matches!(
        p.drop_checkpoint(99),
        Err(Error::BadCheckpoint(_))
    ));
}

#[test]
fn outcomes_list_what_each_message_changed() {
    let options = ProcessOptions {
        diff: true,
        ..Default::default()
    };
    let (mut p, msgs) = loaded("token", options);
    let o = p.send_json(&msgs[2]).unwrap();
    let diff = diff_lines(o);
    assert!(
        diff.iter().any(|d| d
            .starts_with("Balances.ALICE_wallet_address_0000000000000000000000: nil -> \"250\"")),
        "{diff:?}"
    );
    let o = p
        .eval_outcome("Registry = {users = {ann = {age = 3}}}; Registry.users.ann.age = 4")
        .unwrap();
    let diff = diff_lines(o);
    // A table built by the message is one change, not one per field.
    assert_eq!(
        diff,
        vec!["Registry: nil -> {\"users\":{\"ann\":{\"age\":4}}}".to_owned()]
    );
    let o = p
        .eval_outcome("Registry.users.ann.age = nil; Registry.users['b c'] = true")
        .unwrap();
    let diff = diff_lines(o);
    assert_eq!(
        diff,
        vec![
            "Registry.users.ann.age: 4 -> nil".to_owned(),
            "Registry.users[\"b c\"]: nil -> true".to_owned()
        ]
    );
    // Without `diff`, no Diff.
    let (mut q, msgs) = loaded("token", ProcessOptions::default());
    assert!(q.send_json(&msgs[2]).unwrap().diff.is_none());
}

#[test]
fn replay_rebuilds_the_process_and_checks_every_step() {
    let (source, msgs) = example("guide_event_sourcing");
    let mut p = Process::new(ProcessOptions::default()).unwrap();
    p.eval(&source).unwrap();
    for m in &msgs {
        p.send_json(m).unwrap();
    }
    p.dry_run_json(&msgs[0]).unwrap();
    let log = p.message_log().to_vec();
    assert_eq!(
        log.len(),
        msgs.len() + 1,
        "eval + messages; dry-runs are not logged"
    );
    let mut q = Process::replay(ReplayStart::Spawn(Box::default()), &log).unwrap();
    assert_eq!(p.state_hash().unwrap(), q.state_hash().unwrap());
    // The log survives JSON.
    let text = serde_json::to_value(&log).unwrap();
    let parsed = Process::parse_log(&text).unwrap();
    assert_eq!(parsed, log);
    // A tampered step is found and named.
    let mut bad = log.clone();
    bad[2].message["Tags"] = json!([{"name": "Action", "value": "Nothing"}]);
    let Err(err) = Process::replay(ReplayStart::Spawn(Box::default()), &bad) else {
        panic!("a tampered log replayed")
    };
    assert_eq!(err.code(), "REPLAY_MISMATCH");
    assert!(err.to_string().contains("message 3"), "{err}");
    // From an exported state: replay the rest.
    let (mut r, _) = loaded("guide_event_sourcing", ProcessOptions::default());
    let doc = r.export_state().unwrap();
    for m in &msgs {
        r.send_json(m).unwrap();
    }
    let rest = r.message_log()[1..].to_vec();
    let mut s = Process::replay(ReplayStart::State(&doc), &rest).unwrap();
    assert_eq!(r.state_hash().unwrap(), s.state_hash().unwrap());
}

/// Past its bound the log restarts from a base document: memory stays bounded, a replay
/// from the base rebuilds the present, and a replay from the spawn is refused (not wrong).
#[test]
fn the_log_restarts_from_a_base_document_past_its_bound() {
    let (source, msgs) = example("token");
    let mut p = Process::new(ProcessOptions::default()).unwrap();
    p.set_log_limit(5_000);
    p.eval(&source).unwrap();
    assert!(p.log_base().is_none(), "a short log starts at the spawn");
    let checkpoint = p.checkpoint(None);
    for m in &msgs {
        p.send_json(m).unwrap();
    }
    // Info and Balance again: entries after the restart.
    p.send_json(&msgs[0]).unwrap();
    p.send_json(&msgs[1]).unwrap();
    let base = p.log_base().expect("the log restarted").to_owned();
    let log = p.message_log();
    assert!(
        !log.is_empty() && log.len() < msgs.len(),
        "older entries were let go"
    );
    // Numbered from the spawn, without gaps, up to the last message.
    assert_eq!(log.last().unwrap().seq, msgs.len() + 3);
    for w in log.windows(2) {
        assert_eq!(w[0].seq + 1, w[1].seq);
    }
    let mut q = Process::replay(ReplayStart::State(&base), &log).unwrap();
    assert_eq!(p.state_hash().unwrap(), q.state_hash().unwrap());
    let Err(err) = Process::replay(ReplayStart::Spawn(Box::default()), &log) else {
        panic!("a log that does not start at the spawn replayed from a spawn")
    };
    assert_eq!(err.code(), "REPLAY_MISMATCH");
    // Rolling back past the restart restarts the log from the checkpoint's state.
    p.rollback(checkpoint).unwrap();
    assert!(p.message_log().is_empty());
    let base = p.log_base().expect("a base at the checkpoint").to_owned();
    assert_eq!(base, p.export_state().unwrap());
    p.send_json(&msgs[2]).unwrap();
    assert_eq!(p.message_log()[0].seq, 2, "eval, then this message");
    let mut r = Process::replay(ReplayStart::State(&base), &p.message_log()).unwrap();
    assert_eq!(p.state_hash().unwrap(), r.state_hash().unwrap());
}

/// A restart exports the whole state, so a base larger than the bound lets the log hold as
/// many bytes as the base before the next restart (each logged byte costs at most one byte
/// of export), and no more.
#[test]
fn a_large_base_lets_the_log_grow_as_large_before_restarting() {
    let (source, msgs) = example("token");
    let mut p = Process::new(ProcessOptions::default()).unwrap();
    p.set_log_limit(2_000);
    assert_eq!(p.log_limit(), 2_000, "no base yet: the bound itself");
    p.eval(&source).unwrap();
    // The Eval of the token's source outgrows the bound by itself.
    let mut first = p.log_base().map(str::len);
    let mut restarts = 0;
    for i in 0..2_000 {
        let before = p.log_base().map(str::to_owned);
        let log = p.message_log();
        let texts: usize = log.iter().map(|e| e.message.to_string().len()).sum();
        let next = msgs[i % msgs.len()].to_string().len();
        p.send_json(&msgs[i % msgs.len()]).unwrap();
        let after = p.log_base().map(str::to_owned);
        if after != before {
            restarts += 1;
            let base = after.unwrap();
            assert_eq!(p.log_limit(), base.len().max(2_000));
            match &before {
                None => first = Some(base.len()),
                // The log the restart let go had just outgrown its base: its texts fitted
                // in the base's size, and with this message and each entry's record (well
                // under 256 bytes) they no longer did.
                Some(old) => {
                    assert!(
                        texts <= old.len(),
                        "restarted late: {texts} > {}",
                        old.len()
                    );
                    assert!(
                        texts + next + (log.len() + 1) * 256 > old.len(),
                        "restarted early: {} entries, {texts} bytes, base {}",
                        log.len(),
                        old.len()
                    );
                }
            }
        }
    }
    let first = first.expect("the log restarted");
    assert!(
        first > 2_000,
        "the token's state document is larger than the bound"
    );
    assert!(
        restarts >= 2,
        "the log restarted again once it held its base's size ({restarts})"
    );
    let log = p.message_log();
    let base = p.log_base().unwrap();
    let mut q = Process::replay(ReplayStart::State(base), &log).unwrap();
    assert_eq!(p.state_hash().unwrap(), q.state_hash().unwrap());
}

#[test]
fn fork_is_independent() {
    let (mut p, msgs) = loaded("token", ProcessOptions::default());
    let mut f = p.fork().unwrap();
    assert_eq!(p.state_hash().unwrap(), f.state_hash().unwrap());
    f.send_json(&msgs[2]).unwrap();
    assert_ne!(p.state_hash().unwrap(), f.state_hash().unwrap());
}

#[test]
fn stats_view_and_inspect_read_without_changing_anything() {
    let (mut p, msgs) = loaded("token", ProcessOptions::default());
    for m in &msgs {
        p.send_json(m).unwrap();
    }
    p.eval("Big = {}; for i = 1, 250 do Big['k' .. i] = i end; Fns = {f = print, [{}] = 1}")
        .unwrap();
    let before = p.export_state().unwrap();
    let stats = p.stats();
    let big = stats.globals.iter().find(|g| g.name == "Big").unwrap();
    assert!(big.user && big.counts.entries == 251 && big.counts.tables == 1);
    assert!(
        !stats
            .globals
            .iter()
            .find(|g| g.name == "Handlers")
            .unwrap()
            .user
    );
    assert!(stats.total.bytes > big.counts.bytes && stats.heap_bytes > 0);

    let view = p.view(None);
    assert!(view.get("Balances").is_some() && view.get("Handlers").is_none());
    assert_eq!(view["Big"]["k7"], json!(7));
    let named = p.view(Some(&["Name".to_owned()]));
    assert!(named["Name"].is_string());

    let page = p
        .inspect(
            &[json!("Big")],
            &InspectOptions {
                offset: 10,
                limit: 5,
                search: None,
            },
            None,
        )
        .unwrap();
    assert_eq!((page.count, page.entries.len()), (250, 5));
    let found = p
        .inspect(
            &[json!("Big")],
            &InspectOptions {
                search: Some("K25".into()),
                ..Default::default()
            },
            None,
        )
        .unwrap();
    let keys: Vec<&str> = found.entries.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["k25", "k250"]);
    // Reference keys are reachable through the step inspect hands out.
    let fns = p
        .inspect(&[json!("Fns")], &InspectOptions::default(), None)
        .unwrap();
    let table_key = fns.entries.iter().find(|e| e.key_type == "table").unwrap();
    let v = p
        .inspect(
            &[json!("Fns"), table_key.step.clone()],
            &InspectOptions::default(),
            None,
        )
        .unwrap();
    assert_eq!(v.preview, "1");
    p.global_json("Fns").unwrap();
    p.fingerprint();
    assert_eq!(
        before,
        p.export_state().unwrap(),
        "reading changed the state"
    );
}

#[test]
fn inspect_at_a_checkpoint_shows_the_past() {
    let (mut p, msgs) = loaded("token", ProcessOptions::default());
    let cp = p.checkpoint(None);
    p.send_json(&msgs[2]).unwrap();
    let now = p
        .inspect(&[json!("Balances")], &InspectOptions::default(), None)
        .unwrap();
    let then = p
        .inspect(&[json!("Balances")], &InspectOptions::default(), Some(cp))
        .unwrap();
    assert_eq!(now.count, then.count + 1);
    let again = p
        .inspect(&[json!("Balances")], &InspectOptions::default(), None)
        .unwrap();
    assert_eq!(now, again);
}

/// The same trail the wasm tests check in Node and Chromium (`tests/wasm_common`).
#[test]
fn state_hashes_at_every_step_match_the_golden_file() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/");
    let read = |p: &str| std::fs::read_to_string(format!("{dir}{p}")).unwrap();
    let examples: Vec<(String, String, String)> =
        ["token", "guide_event_sourcing", "guide_indexing"]
            .iter()
            .map(|n| {
                (
                    n.to_string(),
                    read(&format!("examples/{n}.lua")),
                    read(&format!("examples/{n}.messages.json")),
                )
            })
            .collect();
    let refs: Vec<(&str, &str, &str)> = examples
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    let trail = aolite::state::history::hash_trail(&refs);
    let golden = format!("{dir}tests/data/state_hashes.txt");
    if std::env::var_os("AOLITE_BLESS").is_some() {
        std::fs::write(&golden, &trail).unwrap();
    }
    assert_eq!(trail, std::fs::read_to_string(&golden).unwrap());
    // Twice in one run, the same.
    assert_eq!(trail, aolite::state::history::hash_trail(&refs));
}

/// Flat tables are remembered as such to keep diff walks short; storing a table into one
/// must make the walk look inside it again.
#[test]
fn diff_paths_stay_right_when_a_flat_table_gains_a_table() {
    let options = ProcessOptions {
        diff: true,
        ..Default::default()
    };
    let mut p = Process::new(options).unwrap();
    p.eval("Big = {}; for i = 1, 100 do Big['k' .. i] = i end")
        .unwrap();
    // A write to a temporary makes the walk visit (and remember) the flat table.
    p.eval("local t = {}; t.x = 1; Big.k1 = 0").unwrap();
    p.eval("Big.sub = {}").unwrap();
    let o = p.eval_outcome("Big.sub.x = 1").unwrap();
    let diff = diff_lines(o);
    assert_eq!(diff, vec!["Big.sub.x: nil -> 1".to_owned()]);
    p.eval("rawset(Big, 'other', {})").unwrap();
    let o = p.eval_outcome("Big.other.y = 2").unwrap();
    let diff = diff_lines(o);
    assert_eq!(diff, vec!["Big.other.y: nil -> 2".to_owned()]);
}

/// The history kept for checkpoints is capped: past the cap the oldest checkpoints go (with
/// a clear error), the newest stays usable.
#[test]
fn the_history_cap_drops_the_oldest_checkpoints() {
    let (mut p, msgs) = loaded("token", ProcessOptions::default());
    p.set_history_limit(40);
    let first = p.checkpoint(None);
    let mut last = first;
    for i in 0..20 {
        last = p.checkpoint(None);
        p.send_json(&msgs[2 + i % 2]).unwrap();
    }
    assert!(p.checkpoints().len() < 21);
    assert!(matches!(p.rollback(first), Err(Error::BadCheckpoint(_))));
    p.rollback(last).unwrap();
}

/// A table created and filled by one message is one change, whatever its size.
#[test]
fn a_table_built_by_a_message_is_one_change() {
    let options = ProcessOptions {
        diff: true,
        ..Default::default()
    };
    let mut p = Process::new(options).unwrap();
    let o = p
        .eval_outcome("Squares = {}; for i = 1, 180 do Squares[i] = i * i end")
        .unwrap();
    let diff = diff_lines(o);
    assert_eq!(
        diff,
        vec!["Squares: nil -> \"<table: 180 entries>\"".to_owned()]
    );
    let o = p.eval_outcome("Squares[3] = 0").unwrap();
    let diff = diff_lines(o);
    assert_eq!(diff, vec!["Squares[3]: 9 -> 0".to_owned()]);
}
