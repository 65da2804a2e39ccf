//! Routing cost: messages/s of one process handling messages that each send one message,
//! against a network of 100 such processes passing the messages among themselves.
//!
//!     cargo run --release --example network_bench [-- MESSAGES]
//!
//! `PROCESSES=N` sets the network's size (default 100), `TRACE_LIMIT=N` the entries its
//! trace keeps (default `DEFAULT_TRACE_LIMIT`).

use std::time::Instant;

use aolite::net::MESSENGER;
use aolite::{Message, Network, NetworkOptions, Process, ProcessOptions};

const HOP: &str = r#"
Hops = 0
Handlers.add("hop", "Hop", function(msg)
  Hops = Hops + 1
  local left = tonumber(msg.Left)
  if left > 0 then
    ao.send({ Target = Next or msg.From, Action = "Hop", Left = tostring(left - 1) })
  else
    ao.send({ Target = "done-wallet", Action = "Done" })
  end
end)
"#;

fn main() -> Result<(), aolite::Error> {
    let total: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let processes: u64 = std::env::var("PROCESSES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);

    // One process: every message sends one message back to a wallet.
    let mut p = Process::new(ProcessOptions {
        no_log: true,
        ..ProcessOptions::default()
    })?;
    p.eval(HOP)?;
    let single = total.min(20_000);
    let start = Instant::now();
    for _ in 0..single {
        p.send(
            Message::default()
                .with_from("wallet")
                .with_tag("Action", "Hop")
                .with_tag("Left", "1"),
        )?;
    }
    let single_rate = single as f64 / start.elapsed().as_secs_f64();

    // The same, with messages shaped as the network pushes them (their tags and fields).
    let mut p = Process::new(ProcessOptions {
        no_log: true,
        authorities: vec![MESSENGER.into()],
        ..ProcessOptions::default()
    })?;
    p.eval(HOP)?;
    let start = Instant::now();
    for i in 0..single {
        let mut m = Message::default().with_from("peer-process");
        m.owner = Some(MESSENGER.into());
        for (name, value) in [
            ("Data-Protocol", "ao"),
            ("Variant", "ao.TN.1"),
            ("Type", "Message"),
            ("Reference", "7"),
            ("Action", "Hop"),
            ("Left", "1"),
            ("Data-Protocol", "ao"),
            ("Type", "Message"),
            ("From-Process", "peer-process"),
            ("From-Module", "module"),
            ("Pushed-For", "root-message"),
        ] {
            m = m.with_tag(name, value);
        }
        m.extra = vec![
            ("Forwarded-By".into(), MESSENGER.into()),
            ("Anchor".into(), format!("{i:032}").into()),
        ];
        p.send(m)?;
    }
    let pushed_rate = single as f64 / start.elapsed().as_secs_f64();

    // A ring of 100 processes, 100 chains of total/100 hops.
    let mut net = Network::new(NetworkOptions {
        budget: Some(total + 1000),
        trace_limit: std::env::var("TRACE_LIMIT")
            .ok()
            .and_then(|v| v.parse().ok()),
        ..NetworkOptions::default()
    });
    let start = Instant::now();
    let ids: Vec<String> = (0..processes)
        .map(|_| {
            net.spawn(ProcessOptions {
                no_log: true,
                ..ProcessOptions::default()
            })
        })
        .collect::<Result<_, _>>()?;
    let spawn_ms = start.elapsed().as_secs_f64() * 1000.0 / processes as f64;
    for (i, id) in ids.iter().enumerate() {
        let next = &ids[(i + 1) % ids.len()];
        net.process_mut(id)
            .expect("spawned")
            .eval(&format!("{HOP}\nNext = '{next}'"))?;
    }
    let hops = total / processes;
    for id in &ids {
        net.send(
            id,
            Message::default()
                .with_tag("Action", "Hop")
                .with_tag("Left", (hops - 1).to_string()),
        )?;
    }
    let start = Instant::now();
    let delivered = net.run()?;
    let net_rate = delivered as f64 / start.elapsed().as_secs_f64();
    println!("single process: {single} messages, {single_rate:.0} messages/s");
    println!("single process, messages shaped as pushed ones: {pushed_rate:.0} messages/s");
    println!(
        "network of {processes}: {delivered} deliveries, {net_rate:.0} messages/s ({:.0}% of the single-process rate, {:.0}% of the pushed-shape rate)",
        100.0 * net_rate / single_rate,
        100.0 * net_rate / pushed_rate
    );
    println!("spawn (boot included): {spawn_ms:.2} ms per process");
    Ok(())
}
