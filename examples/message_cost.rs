//! Where the time of one token transfer goes (issue 14), natively, by difference between
//! variants of the same workload (1 000 balances, N Transfers): the whole message as the CLI
//! handles it (outcome line and message log), without the log, without the outgoing
//! messages (reply and Credit-Notice), and with an empty handler (the runtime's own work
//! per message). Printed as CPU µs per message (best of 3), not a timed test.
//!
//! `cargo run --release --example message_cost [N]` (default 5000); with
//! `MESSAGE_COST_ONLY=empty` only the empty-handler variant runs (for a profiler).

use std::time::Instant;

use aolite::ao::process::{Process, ProcessOptions};
use serde_json::{json, Value as Json};

const SETUP: &str = r#"
Balances = {}
for i = 0, 999 do Balances[string.sub("user" .. i .. string.rep("_", 43), 1, 43)] = "1000000" end
"#;

const TRANSFER: &str = r#"
Handlers.add("transfer", "Transfer", function(msg)
  local q = tonumber(msg.Quantity)
  local from = msg.From
  local balance = tonumber(Balances[from] or "0")
  if q <= balance then
    Balances[from] = tostring(balance - q)
    Balances[msg.Recipient] = tostring(tonumber(Balances[msg.Recipient] or "0") + q)
    SEND
  end
end)
"#;

const SENDS: &str = r#"msg.reply({ Action = "Debit-Notice", Recipient = msg.Recipient, Quantity = msg.Quantity,
      Data = "You transferred " .. msg.Quantity .. " to " .. msg.Recipient })
    ao.send({ Target = msg.Recipient, Action = "Credit-Notice", Sender = from, Quantity = msg.Quantity,
      Data = "You received " .. msg.Quantity .. " from " .. from })"#;

fn account(i: usize) -> String {
    format!("{:_<43}", format!("user{i}"))
}

fn messages(n: usize) -> Vec<Json> {
    (0..n)
        .map(|i| {
            json!({"From": account(i % 1000), "Tags": {"Action": "Transfer",
                "Recipient": account((i * 7 + 3) % 1000), "Quantity": (1 + i % 5).to_string()}})
        })
        .collect()
}

/// CPU time of this thread in seconds (Linux's schedstat; wall time elsewhere), so that other
/// work on a shared machine does not count.
fn cpu_seconds(start: Instant) -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map(|ns| ns / 1e9)
        .unwrap_or_else(|| start.elapsed().as_secs_f64())
}

/// µs per message: best of 3 runs of `msgs` through a fresh process with `handler`.
fn cost(handler: &str, log: bool, line: bool, msgs: &[Json]) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..3 {
        let mut p = Process::new(ProcessOptions {
            no_log: !log,
            ..Default::default()
        })
        .expect("spawn");
        p.eval(SETUP).expect("setup");
        p.eval(handler).expect("handler");
        let origin = Instant::now();
        let t = cpu_seconds(origin);
        let mut bytes = 0;
        for m in msgs {
            let o = p.send_json(m).expect("send");
            if line {
                bytes += serde_json::to_string(&o).expect("json").len();
            }
        }
        std::hint::black_box(bytes);
        best = best.min((cpu_seconds(origin) - t) * 1e6 / msgs.len() as f64);
    }
    best
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5000);
    let msgs = messages(n);
    let full = TRANSFER.replace("SEND", SENDS);
    let quiet = TRANSFER.replace("SEND", "");
    let empty = r#"Handlers.add("transfer", "Transfer", function(msg) end)"#;
    if std::env::var("MESSAGE_COST_ONLY").as_deref() == Ok("empty") {
        let runtime = cost(empty, false, false, &msgs);
        println!("{n} messages, runtime per message (empty handler): {runtime:.1} µs");
        return;
    }
    let cli = cost(&full, true, true, &msgs);
    let no_line = cost(&full, true, false, &msgs);
    let no_log = cost(&full, false, false, &msgs);
    let no_sends = cost(&quiet, false, false, &msgs);
    let runtime = cost(empty, false, false, &msgs);
    println!("{n} token transfers, µs per message (best of 3):");
    println!("  whole message as the CLI handles it    {cli:>7.1}");
    println!(
        "  outcome line (serde_json::to_string)   {:>7.1}",
        cli - no_line
    );
    println!(
        "  message log (compact entry, hash)      {:>7.1}",
        no_line - no_log
    );
    println!(
        "  reply + Credit-Notice (Lua and outcome){:>7.1}",
        no_log - no_sends
    );
    println!(
        "  the handler's own body                 {:>7.1}",
        no_sends - runtime
    );
    println!("  runtime per message (empty handler)    {runtime:>7.1}");
}
