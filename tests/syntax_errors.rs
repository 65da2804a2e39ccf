//! Syntax errors are worded as Lua 5.3 words them: every snippet of
//! `tests/data/syntax/corpus.json` (one per error of Lua's lexer and parser, and per context)
//! is run as `aolite lua t.lua` and must fail with exactly the message recorded from
//! `lua5.3 t.lua`. When `lua5.3` is installed the recorded messages are checked against it too
//! (`tests/data/syntax/generate.py` rewrites the corpus).

use std::path::{Path, PathBuf};
use std::process::Command;

struct Case {
    source: String,
    lua: String,
}

fn corpus() -> Vec<Case> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/syntax/corpus.json");
    let text = std::fs::read_to_string(path).expect("corpus readable");
    let json: serde_json::Value = serde_json::from_str(&text).expect("corpus is JSON");
    json.as_array()
        .expect("corpus is an array")
        .iter()
        .map(|c| Case {
            source: c["source"].as_str().expect("source").to_owned(),
            lua: c["lua"].as_str().expect("lua").to_owned(),
        })
        .collect()
}

/// Writes `source` to `t.lua` in a fresh directory and gives the first line of what `program`
/// writes to stderr, without its `program: ` prefix.
fn first_error(program: &str, args: &[&str], dir: &Path, source: &str) -> String {
    std::fs::write(dir.join("t.lua"), source.as_bytes()).expect("t.lua written");
    let out = Command::new(program)
        .args(args)
        .arg("t.lua")
        .current_dir(dir)
        .output()
        .expect("command runs");
    assert!(!out.status.success(), "{program} accepted {source:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr.lines().next().unwrap_or_default();
    line.split_once(": ").map_or(line, |(_, m)| m).to_owned()
}

fn work_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn corpus_is_large_enough() {
    assert!(corpus().len() >= 80);
}

#[test]
fn syntax_errors_match_lua_5_3() {
    let dir = work_dir("syntax_errors_aolite");
    let mut failures = Vec::new();
    let cases = corpus();
    for case in &cases {
        let got = first_error(env!("CARGO_BIN_EXE_aolite"), &["lua"], &dir, &case.source);
        if got != case.lua {
            failures.push(format!(
                "{:?}\n  lua5.3: {}\n  aolite: {got}",
                case.source, case.lua
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn recorded_messages_are_lua_5_3s() {
    let lua = std::env::var("AOLITE_LUA53").unwrap_or_else(|_| "lua5.3".into());
    if Command::new(&lua).arg("-v").output().is_err() {
        if std::env::var("CI").is_ok() {
            panic!("{lua} is not installed; the test command installs it");
        }
        eprintln!("skipping: {lua} not installed");
        return;
    }
    let dir = work_dir("syntax_errors_lua");
    for case in corpus() {
        assert_eq!(
            first_error(&lua, &[], &dir, &case.source),
            case.lua,
            "recorded message of {:?}",
            case.source
        );
    }
}
