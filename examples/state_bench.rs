//! Export/import time and document size for a process whose `Balances` holds N entries.
//! `cargo run --release --example state_bench [N...]`

use std::time::Instant;

use aolite::ao::process::{Process, ProcessOptions};

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![1_000, 10_000, 100_000]
    } else {
        sizes
    };
    for n in sizes {
        let mut p = Process::new(ProcessOptions::default()).expect("spawn");
        p.eval(&format!(
            "Balances = {{}}; for i = 1, {n} do Balances['addr' .. i] = tostring(i * 7) end"
        ))
        .expect("fill");
        let t = Instant::now();
        let doc = p.export_state().expect("export");
        let export = t.elapsed();
        let t = Instant::now();
        let mut q = Process::import_state(&doc).expect("import");
        let import = t.elapsed();
        let t = Instant::now();
        let hash = q.state_hash().expect("hash");
        let hash_time = t.elapsed();
        println!(
            "{n:>8} entries: document {:>10} bytes, export {:>8.1} ms, import {:>8.1} ms, \
             export+hash after import {:>8.1} ms ({})",
            doc.len(),
            export.as_secs_f64() * 1e3,
            import.as_secs_f64() * 1e3,
            hash_time.as_secs_f64() * 1e3,
            &hash[..12]
        );
    }
}
