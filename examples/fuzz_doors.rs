//! Seeded, structure-aware fuzzing of the input doors (state import, messages, json), long
//! runs. The generators and the properties checked are in `tests/fuzz/doors.rs`.
//!
//!     cargo run --release --example fuzz_doors -- --door import|message|json --seed S --count N
#[path = "../tests/fuzz/doors.rs"]
mod doors;

fn main() {
    let mut door = String::from("import");
    let mut seed = 1u64;
    let mut count = 1000usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let val = args.next().unwrap_or_default();
        match a.as_str() {
            "--door" => door = val,
            "--seed" => seed = val.parse().expect("--seed takes a number"),
            "--count" => count = val.parse().expect("--count takes a number"),
            other => {
                eprintln!("fuzz_doors: unknown option {other}");
                std::process::exit(2);
            }
        }
    }
    let report = match door.as_str() {
        "import" => doors::fuzz_import(seed, count),
        "message" => doors::fuzz_message(seed, count),
        "json" => doors::fuzz_json(seed, count),
        other => {
            eprintln!("fuzz_doors: unknown door {other} (import, message or json)");
            std::process::exit(2);
        }
    };
    for f in &report.findings {
        println!("FINDING {f}");
    }
    for (why, n) in &report.reasons {
        println!("  rejected {n:>7}  {why}");
    }
    println!("{} (seed {seed})", report.summary(&door));
    if !report.findings.is_empty() {
        std::process::exit(1);
    }
}
