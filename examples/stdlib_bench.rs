//! Micro-benchmark of the string and table libraries: the same Lua loops run in aolite and
//! in PUC Lua 5.3 (`lua5.3` on PATH, or `$AOLITE_LUA53`), printing wall times and the ratio.
//! Not a test; run with `cargo run --release --example stdlib_bench`.

use std::process::Command;
use std::time::{Duration, Instant};

use aolite::{run_script, Limits};

/// (name, Lua source). Each prints a checksum so both runs can be compared.
const CASES: &[(&str, &str)] = &[
    (
        "patterns",
        r##"
local words = {}
for i = 1, 2000 do words[i] = "word" .. (i * 7919 % 1000) end
local text = table.concat(words, " ")
local n = 0
for _ = 1, 20 do
  for w in text:gmatch("%a+(%d+)") do n = n + #w end
  local s, c = text:gsub("(%a+)(%d)", "%2%1")
  n = n + c + #s
  local t = text:gsub("%d+", function(d) return d + 1 end)
  n = n + #t
  n = n + (text:find("word999", 1, true) or 0) + #(text:match("(%a+%d+)%s*$"))
end
print(n)
"##,
    ),
    (
        "format",
        r##"
local acc = 0
for i = 1, 100000 do
  local s = string.format("%d:%5.2f:%s:%x:%-8s|%q", i, i / 7, "name" .. (i % 10), i, "pad", "q")
  acc = acc + #s
end
print(acc)
"##,
    ),
    (
        "sort",
        r##"
local x = 42
local function rnd() x = (x * 1103515245 + 12345) % 2147483648; return x end
local t = {}
for i = 1, 100000 do t[i] = rnd() % 1000000 end
table.sort(t)
local u = {}
for i = 1, 30000 do u[i] = rnd() % 1000000 end
table.sort(u, function(a, b) return a > b end)
local s = {}
for i = 1, 30000 do s[i] = "k" .. rnd() % 100000 end
table.sort(s)
print(t[1], t[100000], u[1], u[30000], s[1], s[30000])
"##,
    ),
    (
        "concat",
        r##"
local parts = {}
for i = 1, 100000 do parts[i] = i % 3 == 0 and i or ("s" .. i) end
local total = 0
for _ = 1, 20 do
  total = total + #table.concat(parts, ",")
  local q = {}
  for i = 1, 10000 do table.insert(q, i) end
  for _ = 1, 5000 do table.remove(q) end
  total = total + #q + select("#", table.unpack(q, 1, 5000))
end
print(total)
"##,
    ),
];

fn best_of<F: FnMut() -> (Duration, String)>(runs: usize, mut f: F) -> (Duration, String) {
    let mut best = Duration::MAX;
    let mut out = String::new();
    for _ in 0..runs {
        let (d, o) = f();
        if d < best {
            best = d;
            out = o;
        }
    }
    (best, out)
}

fn main() {
    let lua = std::env::var("AOLITE_LUA53").unwrap_or_else(|_| "lua5.3".into());
    let dir = std::env::temp_dir().join(format!("aolite-stdlib-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let limits = Limits {
        fuel: u64::MAX / 2,
        memory: 1 << 30,
        ..Limits::default()
    };
    println!(
        "{:<10} {:>12} {:>12} {:>8}  same output",
        "case", "aolite ms", "lua5.3 ms", "ratio"
    );
    for (name, src) in CASES {
        let (ours, our_out) = best_of(3, || {
            let start = Instant::now();
            let out = run_script(name, src.as_bytes(), limits).expect("vm starts");
            let took = start.elapsed();
            if let Some(e) = out.error {
                panic!("{name} failed in aolite: {e}");
            }
            (took, out.stdout_text())
        });
        let path = dir.join(format!("{name}.lua"));
        std::fs::write(&path, src).expect("script written");
        let (theirs, their_out) = best_of(3, || {
            let start = Instant::now();
            let out = Command::new(&lua).arg(&path).output().expect("lua5.3 runs");
            (
                start.elapsed(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
            )
        });
        println!(
            "{:<10} {:>12.1} {:>12.1} {:>8.2}  {}",
            name,
            ours.as_secs_f64() * 1e3,
            theirs.as_secs_f64() * 1e3,
            ours.as_secs_f64() / theirs.as_secs_f64(),
            our_out == their_out
        );
        if our_out != their_out {
            println!("  aolite: {}  lua5.3: {}", our_out.trim(), their_out.trim());
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
