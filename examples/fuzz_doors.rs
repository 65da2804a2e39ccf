//! Seeded, structure-aware fuzzing of the input doors (state import, messages, json), long
//! runs. The generators and the properties checked are in `tests/fuzz/doors.rs`.
//!
//!     cargo run --release --example fuzz_doors -- --door import|message|json|lua|bint|format \
//!         --seed S --count N [--chunk 5000] [--minutes M] [--lua lua5.3|none]
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
    let mut chunk = 5000usize;
    let mut minutes = u64::MAX / 60;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let val = args.next().unwrap_or_default();
        match a.as_str() {
            "--door" => door = val,
            "--seed" => seed = val.parse().expect("--seed takes a number"),
            "--count" => count = val.parse().expect("--count takes a number"),
            "--chunk" => chunk = val.parse().expect("--chunk takes a number"),
            "--minutes" => minutes = val.parse().expect("--minutes takes a number"),
            // the format door's reference interpreter; `--lua none` turns the comparison off
            "--lua" => lua = (val != "none").then_some(val),
            other => {
                eprintln!("fuzz_doors: unknown option {other}");
                std::process::exit(2);
            }
        }
    }
    let run = |seed: u64, count: usize| -> Option<doors::Report> {
        Some(match door.as_str() {
            "import" => doors::fuzz_import(seed, count),
            "message" => doors::fuzz_message(seed, count),
            "json" => doors::fuzz_json(seed, count),
            "lua" => lua_door::fuzz_lua(seed, count),
            "bint" => bint_door::fuzz_bint(seed, count),
            "format" => strlib_door::fuzz_strlib(seed, count, lua.as_deref(), true),
            _ => return None,
        })
    };
    // A long run is a series of chunks, chunk k of `--seed S` being the seeded run
    // `--seed S*1000+k --count CHUNK` (each reproducible alone), until `--count` cases or
    // `--minutes` have passed; each chunk's counts go to stderr as it ends.
    let started = std::time::Instant::now();
    let mut report = doors::Report::default();
    if count <= chunk {
        match run(seed, count) {
            Some(r) => report = r,
            None => unknown_door(&door),
        }
    } else {
        let mut k = 0u64;
        while report.cases < count && started.elapsed().as_secs() < minutes * 60 {
            let n = chunk.min(count - report.cases);
            let s = seed * 1000 + k;
            let Some(r) = run(s, n) else {
                unknown_door(&door)
            };
            eprintln!(
                "chunk seed {s}: {} ({} s in all)",
                r.summary(&door),
                started.elapsed().as_secs()
            );
            for f in &r.findings {
                eprintln!("FINDING {f}");
            }
            report.merge(r);
            k += 1;
        }
    }
    for f in &report.findings {
        println!("FINDING {f}");
    }
    for (why, n) in &report.reasons {
        println!("  rejected {n:>7}  {why}");
    }
    if report.slowest.0 > 0 {
        println!(
            "  slowest message {} ms: {}",
            report.slowest.0, report.slowest.1
        );
    }
    println!(
        "{} (seed {seed}, {} s)",
        report.summary(&door),
        started.elapsed().as_secs()
    );
    if !report.findings.is_empty() {
        std::process::exit(1);
    }
}

fn unknown_door(door: &str) -> ! {
    eprintln!("fuzz_doors: unknown door {door} (import, message, json, lua, bint or format)");
    std::process::exit(2);
}
