//! Differential fuzzer, long run: random Lua 5.3 programs run by `aolite lua` and `lua5.3`,
//! stdout and exit status compared. See `tests/fuzz/FINDINGS.md`.
//!
//!     cargo build --release
//!     cargo run --release --example lua_fuzz -- --seed 1 --count 2000 --out fuzz-out
//!
//! Options: `--seed S` (default 1), `--count N` (default 500), `--groups G` statement groups per
//! program (default 6), `--without a,b` / `--only a,b` feature flags (see `FEATURES` in
//! `tests/fuzz/luagen.rs`), `--ci` (the CI batch's exclusions), `--out DIR` (default
//! `fuzz-out`: each divergent program, minimised, as `S-I.lua` with `S-I.txt` holding both
//! outputs), `--no-minimise`, `--aolite PATH` (default `target/release/aolite`), `--lua PATH`
//! (default `lua5.3`, or `$AOLITE_LUA53`).
#[path = "../tests/fuzz/luagen.rs"]
mod luagen;

use std::collections::BTreeMap;
use std::path::PathBuf;

use luagen::{Features, Program, Rng};

fn main() {
    if let Err(e) = real_main() {
        eprintln!("lua_fuzz: {e}");
        std::process::exit(2);
    }
}

fn real_main() -> Result<(), String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut seed = 1u64;
    let mut count = 500u64;
    let mut groups = 6usize;
    let mut features = Features::all();
    let mut out_dir = root.join("fuzz-out");
    let mut minimise = true;
    let mut aolite = root.join("target/release/aolite");
    let mut lua = std::env::var("AOLITE_LUA53").unwrap_or_else(|_| "lua5.3".into());
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--seed" => seed = val()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--count" => count = val()?.parse().map_err(|e| format!("--count: {e}"))?,
            "--groups" => groups = val()?.parse().map_err(|e| format!("--groups: {e}"))?,
            "--without" => {
                let v = val()?;
                features = features.without(&v.split(',').collect::<Vec<_>>())?;
            }
            "--only" => {
                let v = val()?;
                features = Features::only(&v.split(',').collect::<Vec<_>>())?;
            }
            "--ci" => features = luagen::ci_features(),
            "--out" => out_dir = PathBuf::from(val()?),
            "--no-minimise" => minimise = false,
            "--aolite" => aolite = std::fs::canonicalize(val()?).map_err(|e| e.to_string())?,
            "--lua" => lua = val()?,
            other => return Err(format!("unknown option {other}")),
        }
    }
    if !aolite.exists() {
        return Err(format!(
            "{} not found: run cargo build --release",
            aolite.display()
        ));
    }
    std::fs::create_dir_all(&out_dir).map_err(|e| e.to_string())?;
    let work = std::env::temp_dir().join(format!("aolite-lua-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    eprintln!("features: {}", features.names().join(","));

    let mut buckets: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut divergent = 0u64;
    for i in 0..count {
        let mut rng = Rng::for_program(seed, i);
        let program = luagen::program(&mut rng, &features, groups);
        let (expected, actual) = luagen::run_both(&lua, &aolite, &work, &program.render());
        if expected.key() == actual.key() {
            continue;
        }
        divergent += 1;
        // A smaller program must keep the same divergence: the same panic site, or the same
        // first differing line (digits folded).
        let panic = actual.panic_site();
        let shape = luagen::difference_shape(&expected, &actual);
        let mut still = |p: &Program| {
            let (e, a) = luagen::run_both(&lua, &aolite, &work, &p.render());
            e.key() != a.key()
                && match &panic {
                    Some(site) => a.panic_site().as_ref() == Some(site),
                    None => luagen::difference_shape(&e, &a) == shape,
                }
        };
        let small = if minimise {
            luagen::minimise(program, &mut still)
        } else {
            program
        };
        let text = small.render();
        let (expected, actual) = luagen::run_both(&lua, &aolite, &work, &text);
        let name = format!("{seed}-{i}");
        std::fs::write(out_dir.join(format!("{name}.lua")), &text).map_err(|e| e.to_string())?;
        let report = format!(
            "{}\n--- lua5.3 (exit ok {})\n{}--- aolite (exit ok {})\n{}--- aolite stderr\n{}",
            luagen::first_difference(&expected, &actual),
            expected.success,
            expected.stdout,
            actual.success,
            actual.stdout,
            actual.stderr
        );
        std::fs::write(out_dir.join(format!("{name}.txt")), &report).map_err(|e| e.to_string())?;
        let mut kinds: Vec<&str> = small.groups.iter().map(|g| g.kind).collect();
        kinds.sort();
        kinds.dedup();
        let key = match actual.panic_site() {
            Some(site) => format!("PANIC {site}"),
            None => format!(
                "{} [{}]",
                luagen::difference_shape(&expected, &actual),
                kinds.join(",")
            ),
        };
        eprintln!("{name}: {key}");
        buckets.entry(key).or_default().push(name);
    }
    std::fs::remove_dir_all(&work).ok();
    println!(
        "{count} programs (seed {seed}), {} agree, {divergent} diverge",
        count - divergent
    );
    for (key, names) in &buckets {
        println!(
            "{:5}  {key}  e.g. {}",
            names.len(),
            names.iter().take(3).cloned().collect::<Vec<_>>().join(" ")
        );
    }
    Ok(())
}
