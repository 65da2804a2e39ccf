//! Keeps the files of the official Lua 5.3.6 test suite that `aolite lua` passes passing.
//!
//! The suite's files are not part of this repository and are never downloaded here. The test
//! runs when they are on disk: in `$LUA_TESTES_DIR`, or in `$TMPDIR/lua-5.3.6-testes` (where
//! the runner script of COMPATIBILITY.md, "Official Lua 5.3.6 test suite", extracts them).
//! Otherwise it prints a note and passes. Each file runs as that script runs it: a copy in
//! a fresh folder, `_port=true; _soft=true; ` put in front of its first line, and it passes
//! when `aolite lua` exits 0 and the last non-blank line printed is the file's end mark.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The files that pass now, with their end marks. See COMPATIBILITY.md for the others.
const PASSING: [(&str, &str); 12] = [
    ("pm", "OK"),
    ("strings", "OK"),
    ("sort", "OK"),
    ("tpack", "OK"),
    ("utf8", "ok"),
    ("math", "OK"),
    ("bitwise", "OK"),
    ("vararg", "OK"),
    ("locals", "OK"),
    ("goto", "OK"),
    ("constructs", "OK"),
    // In its portable mode it returns after this note (the C API tests need `T`).
    (
        "coroutine",
        ">>> testC not active: skipping coroutine API tests <<<",
    ),
];

fn testes_dir() -> PathBuf {
    match std::env::var_os("LUA_TESTES_DIR") {
        Some(d) => PathBuf::from(d),
        None => std::env::temp_dir().join("lua-5.3.6-testes"),
    }
}

/// The file as the runner script prepares it: the globals in front of its first line (a
/// comment line; a `#` line is replaced), so line numbers do not move.
fn prepared(source: &[u8]) -> Vec<u8> {
    let (first, rest) = match source.iter().position(|&c| c == b'\n') {
        Some(i) => (&source[..i], &source[i..]),
        None => (source, &[][..]),
    };
    let mut out = b"_port=true; _soft=true".to_vec();
    if !first.starts_with(b"#") {
        out.extend_from_slice(b"; ");
        out.extend_from_slice(first);
    }
    out.extend_from_slice(rest);
    out
}

/// Runs one file; `Err` says why it failed.
fn run(dir: &Path, name: &str, mark: &str, work: &Path) -> Result<(), String> {
    let file = format!("{name}.lua");
    let source = std::fs::read(dir.join(&file)).map_err(|e| format!("read: {e}"))?;
    let folder = work.join(name);
    std::fs::create_dir_all(&folder).map_err(|e| format!("mkdir: {e}"))?;
    std::fs::write(folder.join(&file), prepared(&source)).map_err(|e| format!("write: {e}"))?;
    let out_path = folder.join("out");
    let err_path = folder.join("err");
    let mut child = Command::new(env!("CARGO_BIN_EXE_aolite"))
        .arg("lua")
        .arg(&file)
        .current_dir(&folder)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).map_err(|e| e.to_string())?)
        .stderr(std::fs::File::create(&err_path).map_err(|e| e.to_string())?)
        .spawn()
        .map_err(|e| format!("spawn: {e}"))?;
    // Debug builds are slow; the runner script allows 60 s to a release build.
    let deadline = Instant::now() + Duration::from_secs(600);
    let status = loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(status) => break status,
            None if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("timed out".into());
            }
            None => std::thread::sleep(Duration::from_millis(50)),
        }
    };
    let out = String::from_utf8_lossy(&std::fs::read(&out_path).unwrap_or_default()).into_owned();
    let err = String::from_utf8_lossy(&std::fs::read(&err_path).unwrap_or_default()).into_owned();
    let last = out
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or("");
    if status.success() && last == mark {
        Ok(())
    } else {
        let tail: Vec<&str> = out.lines().chain(err.lines()).collect();
        let tail = tail[tail.len().saturating_sub(3)..].join(" | ");
        Err(format!("{status}, last line {last:?}: {tail}"))
    }
}

#[test]
fn passing_official_suite_files_keep_passing() {
    let dir = testes_dir();
    let missing: Vec<&str> = PASSING
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !dir.join(format!("{name}.lua")).is_file())
        .collect();
    if !missing.is_empty() {
        eprintln!(
            "skipping: the official Lua 5.3.6 test files are not in {} (missing: {}); \
             see COMPATIBILITY.md, \"Official Lua 5.3.6 test suite\"",
            dir.display(),
            missing.join(", ")
        );
        return;
    }
    let work = std::env::temp_dir().join(format!("aolite-official-{}", std::process::id()));
    let failures: Vec<String> = PASSING
        .iter()
        .filter_map(|(name, mark)| {
            run(&dir, name, mark, &work)
                .err()
                .map(|why| format!("{name}.lua: {why}"))
        })
        .collect();
    let _ = std::fs::remove_dir_all(&work);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
