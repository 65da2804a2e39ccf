//! Measures what Lua-worded syntax errors cost a successful compile: the quick scan
//! (`may_hide_error`) that runs on every compile, against compiling itself, over aolite's aos
//! runtime modules; and what the full checker would cost (it runs only on failures and on
//! sources the scan flags). Run with `cargo run --release --example syntax_cost`.

use std::time::Instant;

use aolite::vm::compile::{compile, SourceLimits};
use aolite::vm::syntax::{check, may_hide_error};

fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/ao/lua");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("runtime modules")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "lua"))
        .collect();
    files.sort();
    let sources: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|p| {
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(p).expect("readable"))
        })
        .collect();
    let bytes: usize = sources.iter().map(|(_, s)| s.len()).sum();
    let rounds = 20;
    let limits = SourceLimits::default();

    // Each round's sources end in their own comment: compiles are cached by source, and a
    // hit would measure the cache.
    let rounds_sources: Vec<Vec<(String, Vec<u8>)>> = (0..rounds)
        .map(|round| {
            sources
                .iter()
                .map(|(name, s)| {
                    let mut s = s.clone();
                    s.extend_from_slice(format!("\n-- round {round}\n").as_bytes());
                    (name.clone(), s)
                })
                .collect()
        })
        .collect();
    let start = Instant::now();
    for round in &rounds_sources {
        for (name, source) in round {
            compile(name, source, &limits).expect("runtime module compiles");
        }
    }
    let compile_time = start.elapsed() / rounds;

    let start = Instant::now();
    let mut flagged = Vec::new();
    for round in 0..rounds {
        for (name, source) in &sources {
            if may_hide_error(source) && round == 0 {
                flagged.push(name.clone());
            }
        }
    }
    let scan_time = start.elapsed() / rounds;

    let start = Instant::now();
    for _ in 0..rounds {
        for (name, source) in &sources {
            assert!(check(source).is_none(), "{name} has no syntax error");
        }
    }
    let check_time = start.elapsed() / rounds;

    println!("{} runtime modules, {bytes} bytes", sources.len());
    println!("compile (whole pipeline): {compile_time:?}");
    println!(
        "quick scan on every compile: {scan_time:?} ({:.2}% of compiling)",
        100.0 * scan_time.as_secs_f64() / compile_time.as_secs_f64()
    );
    println!("modules the scan flags (full check follows): {flagged:?}");
    println!(
        "full checker (failures and flagged sources only): {check_time:?} ({:.2}% of compiling)",
        100.0 * check_time.as_secs_f64() / compile_time.as_secs_f64()
    );
}
