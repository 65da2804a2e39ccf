//! A short seeded run of the input-door fuzzers (`tests/fuzz/doors.rs`): mutated state
//! documents, mutated and random messages, and json.decode/encode round trips. Each case
//! asserts its property (see the module); the long runs are `examples/fuzz_doors.rs`.
#[path = "fuzz/doors.rs"]
mod doors;

fn check(report: doors::Report, door: &str) {
    assert!(
        report.findings.is_empty(),
        "{}\n{}",
        report.summary(door),
        report.findings.join("\n")
    );
    // The generators reach both sides of every door.
    assert!(
        report.rejected > 0 && report.accepted > 0,
        "{}",
        report.summary(door)
    );
}

#[test]
fn import_door() {
    check(doors::fuzz_import(7, 60), "import");
}

#[test]
fn message_door() {
    check(doors::fuzz_message(7, 60), "message");
}

#[test]
fn json_door() {
    check(doors::fuzz_json(7, 200), "json");
}
