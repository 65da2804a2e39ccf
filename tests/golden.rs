//! Golden outputs shared by every tier: the same files are compared natively here, in wasm
//! under Node and Chromium (tests/wasm_common), from JS (tests/js) and in the playground
//! (tests/browser), so equal results on every platform are tested, not assumed.
//!
//! `determinism.lua` iterates tables with a few thousand mixed keys: natively, in Node and in
//! Chromium the order must be the same (piccolo's own table order is not: its hash tables
//! probe in 16-byte SSE2 groups natively and 8-byte groups in wasm, so `pairs` visits keys
//! in a canonical order of ours).

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn cli(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_aolite"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("aolite runs");
    assert!(
        out.status.success(),
        "aolite {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn golden(name: &str) -> String {
    std::fs::read_to_string(root().join("tests/data").join(name)).expect("golden file")
}

#[test]
fn table_order_is_the_same_in_two_fresh_os_processes_and_matches_golden() {
    let first = cli(&["lua", "tests/data/determinism.lua"]);
    let second = cli(&["lua", "tests/data/determinism.lua"]);
    assert_eq!(first, second, "pairs order changed between two runs");
    assert_eq!(first, golden("determinism.out"));
}

/// The portable snippet's expected output is PUC Lua 5.3's; every tier compares with it.
#[test]
fn portable_snippet_matches_lua53_output() {
    assert_eq!(
        cli(&["lua", "tests/data/portable.lua"]),
        golden("portable.out")
    );
}

#[test]
fn library_and_cli_agree_on_the_determinism_script() {
    let source = golden("determinism.lua");
    let out = aolite::run_script(
        "tests/data/determinism.lua",
        source.as_bytes(),
        aolite::Limits::default(),
    )
    .expect("vm starts");
    assert_eq!(out.error, None);
    assert_eq!(out.stdout_text(), golden("determinism.out"));
}

#[test]
fn ping_example_outcomes_match_golden() {
    let out = cli(&[
        "run",
        "examples/ping.lua",
        "--messages",
        "examples/ping.messages.json",
    ]);
    assert_eq!(out, golden("ping.outcomes.jsonl"));
}

/// `aolite lua FILE ARGS...` hands the script its arguments as `lua` does: as `...` and in
/// the global `arg` (the script's name at 0, the interpreter's words before it).
#[test]
fn script_arguments_reach_varargs_and_arg() {
    assert_eq!(
        cli(&["lua", "tests/js/fixtures/args.lua", "one", "two words"]),
        "2\tone\ttwo words\n\
         tests/js/fixtures/args.lua\tone\ttwo words\t2\tnil\n\
         -1=lua 0=tests/js/fixtures/args.lua 1=one 2=two words \n"
    );
}
