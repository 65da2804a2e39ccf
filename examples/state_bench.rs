//! The state engine's costs for a process whose `Balances` holds N entries: export and
//! import time and document size, `checkpoint()`, rolling back the last 10 transfers,
//! `fork()`, and the per-message cost of diffs. Printed as numbers (not a timed test).
//!
//! `cargo run --release --example state_bench [N...]` (default 1000 10000 100000 1000000)

use std::time::{Duration, Instant};

use aolite::ao::process::{Process, ProcessOptions};
use serde_json::json;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn transfer(i: usize) -> serde_json::Value {
    json!({"Tags": {"Action": "Transfer", "Recipient": format!("addr{}", i + 1), "Quantity": "1"}})
}

const TOKEN: &str = r#"
Handlers.add("transfer", "Transfer", function(msg)
  local q = tonumber(msg.Quantity)
  Balances[msg.From] = tostring((tonumber(Balances[msg.From]) or 0) - q)
  Balances[msg.Recipient] = tostring((tonumber(Balances[msg.Recipient]) or 0) + q)
end)
"#;

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![1_000, 10_000, 100_000, 1_000_000]
    } else {
        sizes
    };
    println!(
        "{:>9} | {:>11} | {:>9} | {:>9} | {:>10} | {:>12} | {:>9} | {:>9} | {:>9}",
        "entries",
        "doc bytes",
        "export ms",
        "import ms",
        "checkpt us",
        "rollback10 us",
        "fork ms",
        "msg us",
        "+diff us"
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
        p.eval(TOKEN).expect("handler");

        let t = Instant::now();
        let doc = p.export_state().expect("export");
        let export = t.elapsed();
        let t = Instant::now();
        let q = Process::import_state(&doc).expect("import");
        let import = t.elapsed();
        drop(q);

        // Ten small messages after a checkpoint, then roll them back.
        let t = Instant::now();
        let cp = p.checkpoint(None);
        let checkpoint = t.elapsed();
        let t = Instant::now();
        for i in 0..10 {
            p.send_json(&transfer(i)).expect("send");
        }
        let per_message = t.elapsed() / 10;
        let t = Instant::now();
        p.rollback(cp).expect("rollback");
        let rollback = t.elapsed();
        p.drop_checkpoint(cp).expect("drop");

        p.set_diff(true);
        // The first diff walks every table once and remembers the flat ones; time the
        // steady state after it.
        p.send_json(&transfer(0)).expect("send");
        let t = Instant::now();
        for i in 0..10 {
            p.send_json(&transfer(i)).expect("send");
        }
        let with_diff = t.elapsed() / 10;
        p.set_diff(false);

        let t = Instant::now();
        let f = p.fork().expect("fork");
        let fork = t.elapsed();
        drop(f);

        println!(
            "{n:>9} | {:>11} | {:>9.1} | {:>9.1} | {:>10.1} | {:>12.1} | {:>9.1} | {:>9.1} | {:>9.1}",
            doc.len(),
            ms(export),
            ms(import),
            checkpoint.as_secs_f64() * 1e6,
            rollback.as_secs_f64() * 1e6,
            ms(fork),
            per_message.as_secs_f64() * 1e6,
            with_diff.as_secs_f64() * 1e6,
        );
    }
}
