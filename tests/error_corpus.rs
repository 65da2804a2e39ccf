//! The error corpus: one snippet per kind of runtime error and per variable kind
//! (`tests/data/errors/corpus.json`), each run as a script by `aolite lua`; its error must be
//! Lua 5.3's text exactly. The recorded texts are PUC Lua 5.3's (re-checked here against
//! `lua5.3` when it is installed); `tests/js/errors.test.mjs` runs the same corpus in Node.

use std::path::Path;
use std::process::Command;

#[derive(serde::Deserialize)]
struct Case {
    name: String,
    source: String,
    error: String,
}

fn first_error_line(cmd: &mut Command, prefix: &str) -> String {
    let out = cmd.output().expect("command runs");
    assert!(!out.status.success(), "the script must fail");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr.lines().next().unwrap_or_default();
    line.strip_prefix(prefix).unwrap_or(line).to_owned()
}

#[test]
fn runtime_errors_read_as_lua_5_3() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("tests/data/errors/corpus.json"))
        .expect("the corpus exists");
    let cases: Vec<Case> = serde_json::from_str(&text).expect("the corpus parses");
    let dir = std::env::temp_dir().join(format!("aolite-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let lua = std::env::var("AOLITE_LUA53").unwrap_or_else(|_| "lua5.3".into());
    let have_lua = Command::new(&lua).arg("-v").output().is_ok();
    let mut failures = Vec::new();
    for case in &cases {
        // Lua names a script's chunk after the path it was given: the same name in both.
        std::fs::write(dir.join("t.lua"), format!("{}\n", case.source)).expect("write");
        let ours = first_error_line(
            Command::new(env!("CARGO_BIN_EXE_aolite"))
                .args(["lua", "t.lua"])
                .current_dir(&dir),
            "lua: ",
        );
        if ours != case.error {
            failures.push(format!(
                "{}: aolite says {ours:?}, Lua 5.3 {:?}",
                case.name, case.error
            ));
        }
        if have_lua {
            let theirs = first_error_line(
                Command::new(&lua).arg("t.lua").current_dir(&dir),
                &format!("{lua}: "),
            );
            assert_eq!(
                theirs, case.error,
                "{}: the recorded text is not lua5.3's",
                case.name
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
