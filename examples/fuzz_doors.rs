//! Seeded, structure-aware fuzzing of the input doors (state import, messages, json), long
//! runs. The generators and the properties checked are in `tests/fuzz/doors.rs`.
//!
//!     cargo run --release --example fuzz_doors -- --door import|message|json|lua|bint|format --seed S --count N [--lua none]
#[path = "../tests/fuzz/bint_door.rs"]
mod bint_door;
#[path = "../tests/fuzz/doors.rs"]
mod doors;
#[path = "../tests/fuzz/lua_door.rs"]
mod lua_door;
#[path = "../tests/fuzz/luagen.rs"]
mod luagen;
#[path = "../tests/fuzz/strlib_door.rs"]
mod strlib_door;

fn main() {
    let mut door = String::from("import");
    let mut seed = 1u64;
    let mut count = 1000usize;
    let mut lua: Option<String> = Some("lua5.3".into());
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let val = args.next().unwrap_or_default();
        match a.as_str() {
            "--door" => door = val,
            "--seed" => seed = val.parse().expect("--seed takes a number"),
            "--count" => count = val.parse().expect("--count takes a number"),
            // the format door's reference interpreter; `--lua none` turns the comparison off
            "--lua" => lua = (val != "none").then_some(val),
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
        "lua" => lua_door::fuzz_lua(seed, count),
        "bint" => bint_door::fuzz_bint(seed, count),
        "format" => strlib_door::fuzz_strlib(seed, count, lua.as_deref(), true),
        other => {
            eprintln!(
                "fuzz_doors: unknown door {other} (import, message, json, lua, bint or format)"
            );
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
