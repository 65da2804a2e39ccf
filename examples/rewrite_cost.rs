//! Measures what our compile-time rewrites cost at run time: the same script compiled by
//! plain piccolo (`Closure::load`) and by aolite's pipeline (`Vm::load`), timed natively.
//! Run with `cargo run --release --example rewrite_cost`.

use std::time::Instant;

use aolite::vm::{Completion, Limits, Vm};
use piccolo::{Closure, Executor, Fuel, Lua};

const CONCAT: &str = r#"
local n = 0
for i = 1, 200000 do
  local s = "key-" .. i .. ":" .. i * 2
  n = n + #s
end
return n
"#;

const CONCAT_GROW: &str = r#"
local s = ""
for i = 1, 20000 do s = s .. "x" end
return #s
"#;

const METHODS: &str = r#"
local obj = { n = 0 }
function obj:add(k) self.n = self.n + k end
for i = 1, 300000 do obj:add(i) end
return obj.n
"#;

const RETURN_LIB: &str = r#"
local function f(x) return math.abs(x) end
local n = 0
for i = 1, 300000 do n = n + f(-i) end
return n
"#;

/// The same work without a call in return position: isolates the `(pass)` helper's cost.
const RETURN_LOCAL: &str = r#"
local function f(x) local r = math.abs(x) return r end
local n = 0
for i = 1, 300000 do n = n + f(-i) end
return n
"#;

/// Recursive arithmetic on parameters (operators through the `(arith)` helper).
const FIB: &str = r#"
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
return fib(24)
"#;

/// Numeric locals and loops: integer `%` by a literal, `//`, comparisons, a loop limit
/// of unknown type (checked once by the `for` preparation).
const NUMERIC_LOOPS: &str = r#"
local function run(n)
  local s, k = 0, 0
  for i = 1, n do
    if i % 3 == 0 then s = s + i // 3 end
    if i > k then k = i end
    s = s + i * 2 - 1
  end
  return s + k
end
local t = 0
for r = 1, 10 do t = t + run(30000) end
return t
"#;

const INSERTS: &str = r#"
local t = {}
for i = 1, 300000 do t[#t + 1] = i end
local s = 0
for i = 1, #t do s = s + t[i] end
return s
"#;

const FIELD_STORES: &str = r#"
local objs = {}
for i = 1, 1000 do objs[i] = { n = 0, name = "o" .. i } end
for r = 1, 300 do
  for i = 1, 1000 do
    local o = objs[i]
    o.n = o.n + r
  end
end
return objs[1].n
"#;

fn plain(src: &str) -> f64 {
    let mut lua = Lua::core();
    let start = Instant::now();
    let ex = lua.enter(|ctx| {
        let c = Closure::load(ctx, Some("bench"), src.as_bytes()).expect("compiles");
        ctx.stash(Executor::start(ctx, c.into(), ()))
    });
    // Same slicing as `Vm` (GC between slices), so only the compiled code differs.
    loop {
        let mut fuel = Fuel::with(8192);
        if lua.enter(|ctx| ctx.fetch(&ex).step(ctx, &mut fuel)) {
            break;
        }
    }
    lua.enter(|ctx| {
        let r = ctx.fetch(&ex).take_result::<piccolo::Value>(ctx);
        assert!(matches!(r, Ok(Ok(_))), "bench failed");
    });
    start.elapsed().as_secs_f64() * 1000.0
}

fn ours(src: &str) -> f64 {
    let mut vm = Vm::new(Limits::default()).expect("vm");
    aolite::stdlib::install(&mut vm);
    let start = Instant::now();
    let f = vm.load("bench", src.as_bytes()).expect("compiles");
    match vm.call(&f, |_| Vec::new(), |_, _| ()) {
        Ok(Completion::Returned(())) => {}
        _ => panic!("bench failed"),
    }
    start.elapsed().as_secs_f64() * 1000.0
}

fn best(f: impl Fn() -> f64) -> f64 {
    (0..5).map(|_| f()).fold(f64::INFINITY, f64::min)
}

fn main() {
    // aolite pins the hash seeds before any table exists; do that before plain piccolo runs.
    drop(Vm::new(Limits::default()).expect("vm"));
    for (name, src) in [
        ("short concats 200k", CONCAT),
        ("s = s .. 'x' 20k", CONCAT_GROW),
        ("method calls 300k", METHODS),
        ("return lib call 300k", RETURN_LIB),
        ("same via a local 300k", RETURN_LOCAL),
        ("fib(24)", FIB),
        ("numeric loops 300k", NUMERIC_LOOPS),
        ("t[#t + 1] = i 300k + sum", INSERTS),
        ("o.n = o.n + r 300k", FIELD_STORES),
    ] {
        let p = best(|| plain(src));
        let o = best(|| ours(src));
        println!(
            "{name:24} piccolo {p:8.1} ms   aolite {o:8.1} ms   x{:.2}",
            o / p
        );
    }
}
