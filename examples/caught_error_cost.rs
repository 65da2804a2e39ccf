//! What a message that catches an error lacking detail costs (issue 12): a handler that
//! `pcall`s a call of nil and replies with the error, in a process holding 1 000 and 100 000
//! balances, with diagnostics `auto` (the message is re-run on a diagnostic copy, then once
//! more with the copy's error texts: see `src/state/diagnose.rs`) and `off` (the first run
//! only). Also a message that fails with the same error (re-run on a diagnostic copy for
//! its error, as before) and one that catches nothing, for the success path. Printed as wall-clock ms
//! per message (best of 3), not a timed test.
//!
//! `cargo run --release --example caught_error_cost [N]` (N messages per re-run variant,
//! default 20; 100 N for the others)

use std::time::Instant;

use aolite::ao::process::{Diagnostics, Process, ProcessOptions};
use serde_json::{json, Value as Json};

const HANDLERS: &str = r#"
Handlers.add("try", "Try", function(msg)
  local f
  local ok, err = pcall(function() f() end)
  msg.reply({ Data = err })
end)
Handlers.add("fail", "Fail", function(msg)
  local f
  f()
end)
Handlers.add("plain", "Plain", function(msg)
  local ok, err = pcall(function() return Balances[msg.From] end)
  msg.reply({ Data = tostring(err) })
end)
"#;

fn setup(entries: usize) -> String {
    format!(
        "Balances = {{}}\nfor i = 0, {} do Balances[string.sub(\"user\" .. i .. string.rep(\"_\", 43), 1, 43)] = \"1000000\" end",
        entries - 1
    )
}

/// ms per message: best of 3 runs of `n` messages with `action`.
fn cost(entries: usize, diagnostics: Diagnostics, action: &str, n: usize) -> (f64, Json) {
    let mut best = f64::MAX;
    let mut reply = Json::Null;
    for _ in 0..3 {
        let mut p = Process::new(ProcessOptions {
            no_log: true,
            diagnostics,
            ..Default::default()
        })
        .expect("spawn");
        p.eval(&setup(entries)).expect("setup");
        p.eval(HANDLERS).expect("handlers");
        let msg = json!({"Tags": {"Action": action}});
        let start = Instant::now();
        for _ in 0..n {
            let o = p.send_json(&msg).expect("send");
            reply = match o.messages.first() {
                Some(m) => m.data.clone().unwrap_or_default(),
                None => json!(o.error.unwrap_or_default().lines().last()),
            };
        }
        best = best.min(start.elapsed().as_secs_f64() * 1e3 / n as f64);
    }
    (best, reply)
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    println!("ms per message (best of 3):");
    for entries in [1_000, 100_000] {
        for (action, what) in [
            ("Try", "catches a call of nil"),
            ("Fail", "fails calling nil"),
            ("Plain", "catches nothing"),
        ] {
            let runs = if action == "Plain" { 100 * n } else { n };
            let (auto, text) = cost(entries, Diagnostics::Auto, action, runs);
            let (off, _) = cost(entries, Diagnostics::Off, action, 100 * n);
            println!(
                "  {entries:>7} entries, {what:<22} auto {auto:>8.3}  off {off:>8.3}  reply {text}"
            );
        }
    }
}
