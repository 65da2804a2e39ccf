//! The global environment of a process is aos 2.0.6's: `tests/oracle/scenarios/globals_env.lua`
//! lists every global with its type, the fields of each table-valued global and the modules in
//! `package.loaded`; the oracle recorded that listing on real aos
//! (`tests/oracle/expected/globals_env.json`). aolite's listing of the same code must equal it
//! except for exactly the entries of COMPATIBILITY.md's "Global environment" table: each
//! listed entry must be a real difference of the listed kind, and every difference must be
//! listed.

use std::collections::BTreeSet;

use aolite::report::strip_ansi;
use aolite::{Process, ProcessOptions};
use serde_json::Value as Json;

const PROCESS: &str = "PROCESS_ID_oracle_000000000000000000000000";
const OWNER: &str = "OWNER_ADDRESS_oracle_0000000000000000000000";
const MODULE: &str = "ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s";

fn root() -> &'static str {
    env!("CARGO_MANIFEST_DIR")
}

fn recorded_listing() -> BTreeSet<String> {
    let path = format!("{}/tests/oracle/expected/globals_env.json", root());
    let doc: Json = serde_json::from_str(&std::fs::read_to_string(path).expect("recording"))
        .expect("recording is JSON");
    let load = doc["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["label"] == "load")
        .expect("load step");
    assert!(load.get("error").is_none(), "the listing failed on aos");
    let text = load["output"]["data"].as_str().expect("output");
    text.lines().map(str::to_owned).collect()
}

fn aolite_listing() -> BTreeSet<String> {
    let mut p = Process::new(ProcessOptions {
        id: Some(PROCESS.into()),
        owner: Some(OWNER.into()),
        module: Some(MODULE.into()),
        ..ProcessOptions::default()
    })
    .expect("spawn");
    let source =
        std::fs::read_to_string(format!("{}/tests/oracle/scenarios/globals_env.lua", root()))
            .expect("source");
    let out = p.eval(&source).expect("listing");
    strip_ansi(&out.output).lines().map(str::to_owned).collect()
}

/// One row of the table: listing entries (`name` or `prefix.*` for every field below it),
/// and whether aolite lacks them (`absent`) or adds them (`added`).
struct Allowed {
    names: Vec<String>,
    added: bool,
}

fn allowed_differences() -> Vec<Allowed> {
    let doc = std::fs::read_to_string(format!("{}/COMPATIBILITY.md", root())).expect("doc");
    let section = doc
        .split("\n## ")
        .find(|s| s.starts_with("Global environment"))
        .expect("COMPATIBILITY.md has a 'Global environment' section");
    let mut rows = Vec::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split(" | ").collect();
        let names = cells[0]
            .trim_start_matches("| ")
            .split(", ")
            .map(|n| n.trim_matches('`').to_owned())
            .collect();
        let added = match cells[1] {
            "absent" => false,
            "added" => true,
            other => panic!("unknown kind {other:?} in {line}"),
        };
        rows.push(Allowed { names, added });
    }
    assert!(!rows.is_empty(), "no rows in the Global environment table");
    rows
}

fn covers(pattern: &str, entry: &str) -> bool {
    match pattern.strip_suffix(".*") {
        Some(prefix) => entry == prefix || entry.starts_with(&format!("{prefix}.")),
        None => entry == pattern,
    }
}

#[test]
fn the_global_environment_is_aos_except_the_listed_differences() {
    let aos = recorded_listing();
    let ours = aolite_listing();
    // Each line is `path type`; a path with another type shows as absent + added.
    let key = |line: &str| line.rsplit_once(' ').map_or(line, |(k, _)| k).to_owned();
    let absent: Vec<String> = aos.difference(&ours).map(|l| key(l)).collect();
    let added: Vec<String> = ours.difference(&aos).map(|l| key(l)).collect();
    let rows = allowed_differences();
    let mut problems = Vec::new();
    for (entries, is_added) in [(&absent, false), (&added, true)] {
        for e in entries {
            let listed = rows
                .iter()
                .any(|r| r.added == is_added && r.names.iter().any(|n| covers(n, e)));
            if !listed {
                let what = if is_added {
                    "added by aolite"
                } else {
                    "missing in aolite"
                };
                problems.push(format!("{e}: {what}, not listed in COMPATIBILITY.md"));
            }
        }
    }
    for r in &rows {
        let entries = if r.added { &added } else { &absent };
        for n in &r.names {
            if !entries.iter().any(|e| covers(n, e)) {
                problems.push(format!(
                    "{n}: listed in COMPATIBILITY.md but not a difference"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
