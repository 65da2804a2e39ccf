//! Syntax errors are worded as Lua 5.3 words them: every snippet of
//! `tests/data/syntax/corpus.json` (one per error of Lua's lexer and parser, and per context)
//! is run as `aolite lua t.lua` and must fail with exactly the message recorded from
//! `lua5.3 t.lua`. When `lua5.3` is installed the recorded messages are checked against it too
//! (`tests/data/syntax/generate.py` rewrites the corpus).

use std::path::{Path, PathBuf};
use std::process::Command;

use aolite::{Message, Process, ProcessOptions, Tag};

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

/// Random damage to real Lua source (a few lines of a script or runtime module with
/// characters deleted or tokens inserted), loaded with `load` by `aolite lua` and by `lua5.3`:
/// the messages (or `ok`) must be the same. Deterministic: a fixed seed.
#[test]
fn damaged_sources_load_as_in_lua_5_3() {
    let lua = std::env::var("AOLITE_LUA53").unwrap_or_else(|_| "lua5.3".into());
    if Command::new(&lua).arg("-v").output().is_err() {
        if std::env::var("CI").is_ok() {
            panic!("{lua} is not installed; the test command installs it");
        }
        eprintln!("skipping: {lua} not installed");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = Vec::new();
    for dir in [
        "src/ao/lua",
        "tests/lua/base",
        "tests/lua/string",
        "tests/lua/rewrites",
    ] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
            .expect("source dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "lua"))
            .collect();
        paths.sort();
        sources.extend(paths.iter().map(|p| std::fs::read(p).expect("readable")));
    }
    const TOKENS: [&[u8]; 40] = [
        b"(",
        b")",
        b"{",
        b"}",
        b"[",
        b"]",
        b"=",
        b",",
        b";",
        b".",
        b"..",
        b"...",
        b":",
        b"::",
        b"end",
        b"do",
        b"then",
        b"if",
        b"for",
        b"in",
        b"local",
        b"function",
        b"return",
        b"goto",
        b"break",
        b"\"",
        b"'",
        b"[[",
        b"]]",
        b"--[[",
        b"1",
        b"0x",
        b"1e",
        b"x",
        b"+",
        b"not",
        b"\\",
        b"\n",
        b"until",
        b"@",
    ];
    let mut seed: u64 = 0x5eed_1234_abcd_0001;
    let mut rand = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n.max(1)
    };
    let mut script = String::new();
    let count = 600;
    for i in 0..count {
        let source = &sources[rand(sources.len())];
        let lines: Vec<&[u8]> = source.split(|&c| c == b'\n').collect();
        let first = rand(lines.len());
        let last = (first + 1 + rand(12)).min(lines.len());
        let mut text = lines[first..last].join(&b'\n');
        for _ in 0..1 + rand(3) {
            let at = rand(text.len() + 1);
            if rand(2) == 0 && at < text.len() {
                text.remove(at);
            } else {
                let token = TOKENS[rand(TOKENS.len())];
                text.splice(at..at, token.iter().copied());
            }
        }
        let quoted: String = text
            .iter()
            .map(|&c| match c {
                b' '..=b'~' if c != b'"' && c != b'\\' => char::from(c).to_string(),
                _ => format!("\\{c:03}"),
            })
            .collect();
        script.push_str(&format!(
            // A message may hold a newline (an unfinished string's text): one line a case.
            "do local f, m = load(\"{quoted}\", \"=t\") print({i}, f and \"ok\" or (m:gsub(\"\\n\", \"\\\\n\"))) end\n"
        ));
    }
    let dir = work_dir("syntax_errors_damaged");
    std::fs::write(dir.join("damaged.lua"), &script).expect("script written");
    let run = |program: &str, args: &[&str]| {
        let out = Command::new(program)
            .args(args)
            .arg("damaged.lua")
            .current_dir(&dir)
            .output()
            .expect("runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let expected = run(&lua, &[]);
    let actual = run(env!("CARGO_BIN_EXE_aolite"), &["lua"]);
    assert_eq!(expected.lines().count(), count, "lua5.3 ran every case");
    let differ: Vec<String> = expected
        .lines()
        .zip(actual.lines())
        .filter(|(e, a)| e != a)
        .map(|(e, a)| format!("  lua5.3: {e}\n  aolite: {a}"))
        .collect();
    assert!(differ.is_empty(), "{}", differ.join("\n"));
    assert_eq!(actual.lines().count(), count, "aolite ran every case");
}

/// Eval messages with syntax errors fail with the error real aos 2.0.6 gives, recorded by the
/// oracle (`tests/oracle/scenarios/eval_syntax_errors.json`, `node tests/oracle/record.mjs`).
#[test]
fn eval_syntax_errors_match_real_aos() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle");
    let read = |path: &str| -> serde_json::Value {
        let text = std::fs::read_to_string(root.join(path)).expect("oracle file");
        serde_json::from_str(&text).expect("JSON")
    };
    let scenario = read("scenarios/eval_syntax_errors.json");
    let recording = read("expected/eval_syntax_errors.json");
    let mut p = Process::new(ProcessOptions::default()).expect("spawn");
    p.eval(scenario["source"].as_str().expect("source"))
        .expect("load");
    let messages = scenario["messages"].as_array().expect("messages");
    let mut checked = 0;
    for (i, m) in messages.iter().enumerate() {
        let label = format!("m{}", i + 1);
        let step = recording["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .find(|s| s["label"] == label.as_str())
            .expect("recorded step");
        let outcome = p
            .send(Message {
                tags: vec![Tag::new("Action", "Eval")],
                data: Some(m["Data"].as_str().expect("Data").to_owned()),
                ..Message::default()
            })
            .expect("handled");
        match step["error"].as_object() {
            Some(error) => {
                let line = error["at"].as_str().expect("at").trim_start_matches("aos:");
                let expected = format!(
                    "[string \"aos\"]:{line}: {}",
                    error["message"].as_str().expect("message")
                );
                let actual = outcome.error.unwrap_or_default();
                assert!(
                    actual.ends_with(&expected),
                    "{label}: aos gives {expected:?}, aolite {actual:?}"
                );
                checked += 1;
            }
            None => assert_eq!(outcome.error, None, "{label}"),
        }
    }
    assert!(checked >= 10);
    assert_eq!(p.global_json("Count").expect("Count"), serde_json::json!(1));
}
