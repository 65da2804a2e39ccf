//! What spawning a process costs, and where the time goes.
//!
//! `cargo run --release --example spawn_cost [-- N [--spawn-only]]` spawns N processes (default 200) one after
//! another and prints the mean time per spawn, and the same for an import of a freshly
//! spawned process's state document (the "template" route).

use std::time::Instant;

use aolite::{Process, ProcessOptions};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let started = Instant::now();
    let mut keep = Vec::new();
    for i in 0..n {
        let p = Process::new(ProcessOptions {
            id: Some(format!("{i:0>43}")),
            ..ProcessOptions::default()
        })
        .expect("spawn");
        keep.push(p);
    }
    let per = started.elapsed().as_secs_f64() * 1e3 / n as f64;
    println!("spawn (with boot): {per:.2} ms per process ({n} processes)");
    println!(
        "an idle process's Lua heap: {} KB",
        keep[0].stats().heap_bytes / 1024
    );
    if std::env::args().nth(2).as_deref() == Some("--spawn-only") {
        return;
    }
    let doc = keep[0].export_state().expect("export");
    let started = Instant::now();
    for _ in 0..n {
        keep.push(Process::import_state(&doc).expect("import"));
    }
    let per = started.elapsed().as_secs_f64() * 1e3 / n as f64;
    println!(
        "import of a spawned process's document ({} bytes): {per:.2} ms",
        doc.len()
    );
}
