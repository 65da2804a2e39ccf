//! How much does routing an arithmetic operator through a Rust callback cost in piccolo?
//! Prints the time of a loop with the VM's own `+` and with a callback doing the addition.
use std::time::Instant;

use piccolo::{Callback, CallbackReturn, Closure, Executor, Lua, Value};

fn run(src: &str) -> f64 {
    let mut lua = Lua::core();
    lua.enter(|ctx| {
        let add = Callback::from_fn(&ctx, |_, _, mut stack| {
            let r = match (stack.get(0), stack.get(1)) {
                (Value::Integer(a), Value::Integer(b)) => Value::Integer(a.wrapping_add(b)),
                (a, b) => {
                    Value::Number(a.to_number().unwrap_or(0.0) + b.to_number().unwrap_or(0.0))
                }
            };
            stack.clear();
            stack.push_back(r);
            Ok(CallbackReturn::Return)
        });
        ctx.set_global("ADD", add).unwrap();
    });
    let ex = lua.enter(|ctx| {
        let c = Closure::load(ctx, None, src.as_bytes()).unwrap();
        ctx.stash(Executor::start(ctx, c.into(), ()))
    });
    let t = Instant::now();
    lua.finish(&ex);
    t.elapsed().as_secs_f64() * 1000.0
}

fn main() {
    aolite::vm::determinism::ensure();
    let op = "local s = 0 for i = 1, 3000000 do s = s + i end";
    let cb = "local ADD = ADD local s = 0 for i = 1, 3000000 do s = ADD(s, i) end";
    for _ in 0..2 {
        println!("vm op: {:.1} ms   callback: {:.1} ms", run(op), run(cb));
    }
}
