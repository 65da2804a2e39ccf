//! The soak benchmark (issue 16, "Long runs"): pushes many messages through one process, or
//! through a network of processes, with a mix of handled, unhandled (to the Inbox, past its
//! cap), failing and out-of-fuel messages; prints resident memory and the rate at regular
//! intervals, then checks that memory stayed bounded and that the final state hash equals a
//! replay's (one process) or a re-run's (the network). The scenario and the checks are in
//! `tests/soak/mod.rs`; `tests/soak.rs` runs them briefly in debug.
//!
//!     cargo run --release --example soak -- --messages 1000000 [--network] [--processes N]
//!         [--seed S] [--samples N] [--log-limit BYTES] [--rerun-from-middle]
//!         [--mix HANDLED,UNHANDLED,FAILING,SPIN]   (per mille; default 700,200,85,15)
//!
//! Exits 1 when memory grew past the bound over the second half of the run, when the
//! hashes differ, or on an unexpected engine error.
#[path = "../tests/soak/mod.rs"]
mod soak;

fn main() {
    let mut messages = 1_000_000u64;
    let mut seed = 1u64;
    let mut network = false;
    let mut processes = 10usize;
    let mut samples = 40u64;
    let mut log_limit = None;
    let mut rerun_from_middle = false;
    let mut mix = None;
    let mut args = std::env::args().skip(1);
    let number = |v: Option<String>, name: &str| -> u64 {
        v.and_then(|v| v.replace('_', "").parse().ok())
            .unwrap_or_else(|| {
                eprintln!("soak: {name} takes a number");
                std::process::exit(2)
            })
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--messages" => messages = number(args.next(), "--messages"),
            "--seed" => seed = number(args.next(), "--seed"),
            "--samples" => samples = number(args.next(), "--samples"),
            "--processes" => processes = number(args.next(), "--processes") as usize,
            "--log-limit" => log_limit = Some(number(args.next(), "--log-limit") as usize),
            "--mix" => {
                let parts: Vec<u32> = args
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|p| p.trim().parse().ok())
                    .collect();
                if parts.len() != 4 || parts.iter().sum::<u32>() != 1000 {
                    eprintln!(
                        "soak: --mix takes HANDLED,UNHANDLED,FAILING,SPIN per mille (sum 1000)"
                    );
                    std::process::exit(2);
                }
                mix = Some(soak::Mix {
                    handled: parts[0],
                    unhandled: parts[1],
                    failing: parts[2],
                    spin: parts[3],
                });
            }
            "--network" => network = true,
            "--rerun-from-middle" => rerun_from_middle = true,
            other => {
                eprintln!("soak: unknown option {other}");
                std::process::exit(2);
            }
        }
    }
    let mut config = if network {
        soak::Config::network(messages, seed, processes.max(1))
    } else {
        soak::Config::single(messages, seed)
    };
    config.samples = samples;
    if let Some(mix) = mix {
        config.mix = mix;
    }
    config.log_limit = log_limit;
    config.rerun_from_middle = rerun_from_middle;
    config.verbose = true;
    println!(
        "soak: {} messages{}, seed {seed}, mix per mille {:?}",
        messages,
        if network {
            format!(
                " (deliveries) through a network of {} processes",
                config.processes
            )
        } else {
            " through one process".into()
        },
        config.mix
    );
    println!("{}", soak::header());
    match soak::run(&config) {
        Ok(report) => {
            println!("{}", report.summary());
            if !report.ok() {
                std::process::exit(1);
            }
        }
        Err(e) => {
            println!("verdict: FAIL (engine error {}: {e})", e.code());
            std::process::exit(1);
        }
    }
}
