//! Randomized integer-key workloads (sparse ids, dense fills, queues, mixed keys, deletions)
//! through `aolite lua`: piccolo 0.3.3 panics while growing a table in some of these shapes
//! ("map slot must be pre-reserved"), which the guarded store in `src/vm/undo.rs` avoids.
//! A long run: `AOLITE_TABLE_GROWTH_SEEDS=200 AOLITE_TABLE_GROWTH_ROUNDS=400 cargo test --release --test table_growth`.

use std::process::Command;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn integer_key_workloads_never_panic() {
    let template = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/table_growth.lua"
    ))
    .expect("stress script");
    let seeds = env_number("AOLITE_TABLE_GROWTH_SEEDS", 4);
    let rounds = env_number("AOLITE_TABLE_GROWTH_ROUNDS", 40);
    let dir = std::env::temp_dir().join(format!("aolite-table-growth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("work dir");
    for seed in 1..=seeds {
        let path = dir.join(format!("seed{seed}.lua"));
        let script = template
            .replace("SEED", &seed.to_string())
            .replace("ROUNDS", &rounds.to_string());
        std::fs::write(&path, script).expect("script written");
        let out = Command::new(env!("CARGO_BIN_EXE_aolite"))
            .arg("lua")
            .arg(&path)
            .output()
            .expect("aolite runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.starts_with("ok"),
            "seed {seed}: {}{}",
            stdout,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
