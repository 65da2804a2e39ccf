//! The cost of exporting a process's state alone: a process whose `Balances` holds N
//! entries, exported (`export_state`) and hashed (`state_hash`), with the time of each and
//! how far each raised the resident memory's high-water mark above what the process held
//! before (Linux only: `VmHWM` reset through `/proc/self/clear_refs`; elsewhere `-`).
//!
//! `cargo run --release --example export_bench [export|hash] [N...]` (default both, for
//! 1000 100000 1000000 entries). Run one of the two alone for its peak: memory the first
//! freed stays with the allocator and hides part of the second's.

use std::time::Instant;

use aolite::ao::process::{Process, ProcessOptions};

/// `VmRSS` and `VmHWM` in KB, after resetting the high-water mark when `reset`.
fn memory(reset: bool) -> Option<(u64, u64)> {
    if reset {
        std::fs::write("/proc/self/clear_refs", "5").ok()?;
    }
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line.split_whitespace().nth(1)?.parse().ok()
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

fn peak_above(before: Option<(u64, u64)>) -> String {
    match (before, memory(false)) {
        (Some((rss, _)), Some((_, hwm))) => {
            format!("{:.1}", hwm.saturating_sub(rss) as f64 / 1024.0)
        }
        _ => "-".into(),
    }
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let only = std::env::args()
        .skip(1)
        .find(|a| a == "export" || a == "hash");
    let (do_export, do_hash) = match only.as_deref() {
        Some("export") => (true, false),
        Some("hash") => (false, true),
        _ => (true, true),
    };
    let sizes = if sizes.is_empty() {
        vec![1_000, 100_000, 1_000_000]
    } else {
        sizes
    };
    println!(
        "{:>9} | {:>11} | {:>9} | {:>12} | {:>9} | {:>12} | hash",
        "entries", "doc bytes", "export ms", "+peak MB", "hash ms", "+peak MB"
    );
    for n in sizes {
        let mut p = Process::new(ProcessOptions {
            limits: aolite::Limits {
                memory: 2 << 30,
                fuel: 5_000_000_000,
                ..Default::default()
            },
            ..Default::default()
        })
        .expect("spawn");
        p.eval(&format!(
            "Balances = {{}}; for i = 1, {n} do Balances['addr' .. i] = tostring(i * 7) end"
        ))
        .expect("fill");

        let (mut len, mut export, mut export_peak) = (String::new(), String::new(), String::new());
        if do_export {
            let before = memory(true);
            let t = Instant::now();
            let doc = p.export_state().expect("export");
            export = format!("{:.1}", t.elapsed().as_secs_f64() * 1e3);
            export_peak = peak_above(before);
            len = doc.len().to_string();
        }
        let (mut hashing, mut hash_peak, mut hash) = (String::new(), String::new(), String::new());
        if do_hash {
            let before = memory(true);
            let t = Instant::now();
            hash = p.state_hash().expect("hash");
            hashing = format!("{:.1}", t.elapsed().as_secs_f64() * 1e3);
            // For profiling the hash alone: `EXPORT_BENCH_REPEAT=k` hashes k more times.
            let repeat: usize = std::env::var("EXPORT_BENCH_REPEAT")
                .ok()
                .and_then(|r| r.parse().ok())
                .unwrap_or(0);
            for _ in 0..repeat {
                p.state_hash().expect("hash");
            }
            hash_peak = peak_above(before);
            hash.truncate(16);
        }
        println!(
            "{n:>9} | {len:>11} | {export:>9} | {export_peak:>12} | {hashing:>9} | {hash_peak:>12} | {hash}"
        );
    }
}
