//! A short soak (`tests/soak/mod.rs`; the long runs are `examples/soak.rs`): one process and a
//! small network handle a mix of handled, unhandled (past the Inbox's cap), failing and
//! out-of-fuel messages. The process's final state hash must equal a replay's from the log's
//! base document (the log is given a small cap so that it restarts); the network's final
//! hash must equal a re-run's and its trace must stay at its limit. No timing is asserted:
//! rates and memory are printed only (the long runs judge memory).
#[path = "soak/mod.rs"]
mod soak;

fn show(report: &soak::Report) {
    println!("{}", soak::header());
    for s in &report.samples {
        println!("{}", soak::row(s));
    }
    println!("{}", report.summary());
}

fn mixed(report: &soak::Report) -> bool {
    report.handled > 0 && report.unhandled > 0 && report.failed > 0 && report.out_of_fuel > 0
}

#[test]
fn soak_one_process_then_a_network() {
    // Nearly all unhandled, so that the Inbox passes its 10 000 cap (at about message
    // 10 300) in a short run; the log's cap is small, so the log restarts from a base
    // document (once past its cap; the next restart waits for as many bytes as that base, a
    // few MB of Inbox: `tests/history.rs` covers it) and the replay starts there. Memory is
    // not judged on so short a run: each restart exports the state, whose transient memory the allocator keeps for a
    // while (RSS rises by steps over the first restarts, then levels: see bench/README.md
    // for the long runs, which judge it).
    let mut config = soak::Config::single(10_800, 3);
    config.mix = soak::Mix {
        handled: 10,
        unhandled: 970,
        failing: 15,
        spin: 5,
    };
    config.samples = 12;
    config.log_limit = Some(1 << 20);
    let report = soak::run(&config).expect("soak");
    show(&report);
    assert!(report.hash_ok(), "{}", report.summary());
    assert!(report.other_errors.is_empty(), "{}", report.summary());
    assert!(mixed(&report), "{}", report.summary());
    assert_eq!(report.inbox, 10_000, "{}", report.summary());
    assert!(report.log_restarts >= 1, "{}", report.summary());
    assert!(
        report.check_kind.contains("base document"),
        "{}",
        report.check_kind
    );

    // The network: its final hash equals a re-run's, and its trace stays at its limit.
    let mut config = soak::Config::network(2_000, 5, 4);
    config.samples = 8;
    config.trace_limit = Some(400);
    let report = soak::run(&config).expect("soak");
    show(&report);
    assert!(report.hash_ok(), "{}", report.summary());
    assert!(report.other_errors.is_empty(), "{}", report.summary());
    assert!(mixed(&report), "{}", report.summary());
    assert!(report.trace_len <= 500, "{}", report.summary());
}
