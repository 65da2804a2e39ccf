//! Differential fuzzing, the CI batch: a fixed seed's random Lua 5.3 programs
//! (`tests/fuzz/luagen.rs`) are run by `aolite lua` and by PUC Lua 5.3 (`lua5.3`), and their
//! stdout and exit status must match exactly (as in `tests/lua_differential.rs`).
//!
//! The batch leaves out the features in `luagen::CI_EXCLUDED` (open divergences, listed with
//! repros in `tests/fuzz/FINDINGS.md`). The long run is the `lua_fuzz` example:
//! `cargo run --release --example lua_fuzz -- --seed S --count N`.

#[path = "fuzz/luagen.rs"]
mod luagen;

use std::path::Path;
use std::process::Command;

/// Programs in the CI batch, and the seed they come from.
const COUNT: u64 = 300;
const SEED: u64 = 20261205;

#[test]
fn random_programs_match_puc_lua_5_3() {
    let lua = std::env::var("AOLITE_LUA53").unwrap_or_else(|_| "lua5.3".into());
    if Command::new(&lua).arg("-v").output().is_err() {
        if std::env::var("CI").is_ok() {
            panic!("{lua} is not installed; the test command installs it");
        }
        eprintln!("skipping: {lua} not installed");
        return;
    }
    let aolite = Path::new(env!("CARGO_BIN_EXE_aolite"));
    let work = std::env::temp_dir().join(format!("aolite-lua-fuzz-test-{}", std::process::id()));
    std::fs::create_dir_all(&work).expect("temp dir");
    let features = luagen::ci_features();
    let mut failures = Vec::new();
    for i in 0..COUNT {
        let mut rng = luagen::Rng::for_program(SEED, i);
        let text = luagen::program(&mut rng, &features, 6).render();
        let (expected, actual) = luagen::run_both(&lua, aolite, &work, &text);
        if expected.key() != actual.key() {
            failures.push(format!(
                "program {i} (seed {SEED}): {}\n{}\n--- aolite stderr\n{}",
                luagen::first_difference(&expected, &actual),
                text,
                actual.stderr
            ));
        }
    }
    std::fs::remove_dir_all(&work).ok();
    eprintln!(
        "{COUNT} random programs compared with {lua}; features: {}",
        features.names().join(",")
    );
    assert!(
        failures.is_empty(),
        "{} of {COUNT} programs differ (reproduce with `cargo run --release --example lua_fuzz -- --seed {SEED} --count {COUNT} --ci`):\n{}",
        failures.len(),
        failures.iter().take(3).cloned().collect::<Vec<_>>().join("\n\n")
    );
}

#[test]
fn programs_are_deterministic_from_the_seed() {
    let f = luagen::Features::all();
    let a = luagen::program(&mut luagen::Rng::for_program(7, 3), &f, 6).render();
    let b = luagen::program(&mut luagen::Rng::for_program(7, 3), &f, 6).render();
    let c = luagen::program(&mut luagen::Rng::for_program(7, 4), &f, 6).render();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn excluded_features_are_not_generated() {
    let f = luagen::Features::only(&["arith"]).expect("arith is a feature");
    for i in 0..20 {
        let p = luagen::program(&mut luagen::Rng::for_program(1, i), &f, 6);
        assert!(p.groups.iter().all(|g| g.kind == "arith"));
    }
}
