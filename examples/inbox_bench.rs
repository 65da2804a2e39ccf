//! Regression benchmark for the Inbox cliff (issue 14): every unhandled message goes to the
//! Inbox, which aos caps at 10 000 entries by removing the oldest (`table.remove(Inbox, 1)`).
//! Prints the rate of N handled messages against N unhandled ones (past the cap from message
//! 10 001 on), and the unhandled rate before and after the cap. The goal: unhandled
//! messages at 50% or more of the handled rate, and no drop past the cap. A benchmark that
//! prints numbers, not a timed test.
//!
//! `cargo run --release --example inbox_bench [N]` (default 20000). For profiling:
//! `AOLITE_INBOX_ONLY=1` skips the handled run, `AOLITE_INBOX_BLOCKS=1` prints the unhandled
//! run's cost per message in each block of 1 000 (how it moves as the Inbox fills).

use std::time::Instant;

use aolite::ao::process::{Process, ProcessOptions};
use serde_json::json;

const HANDLER: &str = r#"
Count = 0
Handlers.add("ping", "Ping", function(msg) Count = Count + 1 end)
"#;

/// CPU time of this thread in seconds (Linux's schedstat; wall time elsewhere), so that other
/// work on a shared machine does not count.
fn cpu_seconds(start: Instant) -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map(|ns| ns / 1e9)
        .unwrap_or_else(|| start.elapsed().as_secs_f64())
}

/// Sends `n` messages with `action`; returns the CPU time of each block of 1 000, in seconds.
fn run(action: &str, n: usize) -> (Process, Vec<f64>) {
    let mut p = Process::new(ProcessOptions::default()).expect("spawn");
    p.eval(HANDLER).expect("handler");
    let mut blocks = Vec::new();
    let origin = Instant::now();
    let mut t = cpu_seconds(origin);
    for i in 0..n {
        let m = json!({"From": format!("sender{}", i % 50), "Tags": {"Action": action, "Seq": i.to_string()}});
        p.send_json(&m).expect("send");
        if (i + 1) % 1000 == 0 {
            let now = cpu_seconds(origin);
            blocks.push(now - t);
            t = now;
        }
    }
    (p, blocks)
}

fn rate(blocks: &[f64]) -> f64 {
    blocks.len() as f64 * 1000.0 / blocks.iter().sum::<f64>()
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let handled = if std::env::var_os("AOLITE_INBOX_ONLY").is_some() {
        vec![1.0]
    } else {
        run("Ping", n).1
    };
    let (mut p, unhandled) = run("Other", n);
    if std::env::var_os("AOLITE_INBOX_BLOCKS").is_some() {
        let us: Vec<String> = unhandled
            .iter()
            .map(|b| format!("{:.0}", b * 1000.0))
            .collect();
        println!(
            "unhandled, µs per message in each block of 1 000: {}",
            us.join(" ")
        );
    }
    let inbox = p.eval("return #Inbox").expect("inbox").output;
    let cap_blocks = 10_000 / 1000;
    let (before, after) = unhandled.split_at(cap_blocks.min(unhandled.len()));
    println!("messages: {n} handled, {n} unhandled (Inbox ends at {inbox} entries)");
    println!("handled:   {:>8.0} msg/s", rate(&handled));
    println!(
        "unhandled: {:>8.0} msg/s ({:.0}% of handled)",
        rate(&unhandled),
        100.0 * rate(&unhandled) / rate(&handled)
    );
    if !after.is_empty() {
        println!(
            "unhandled before the cap {:>8.0} msg/s, past it {:>8.0} msg/s ({:.2}x)",
            rate(before),
            rate(after),
            rate(after) / rate(before)
        );
    }
}
