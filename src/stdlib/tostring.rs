//! Lua 5.3's conversion of values to text, deterministic on every platform.
//!
//! Numbers follow Lua 5.3 (`%.14g`, and integral floats keep `.0`). Tables, functions and
//! other reference values print an identity that comes from the order in which they were
//! first shown (`table: 0x00000001`), never from a memory address, which differs between
//! native and wasm builds and from run to run.

use std::collections::HashMap;
use std::io::Write;

use gc_arena::{lock::RefLock, Collect, Gc, Rootable};
use piccolo::{Context, Function, Value};

use crate::vm::convert::address;

/// Display identities of one Lua state, numbered in order of first display. Rolling a
/// message back forgets the identities it handed out (see [`forget_after`]).
#[derive(Collect, Clone, Copy)]
#[collect(no_drop)]
struct Identities<'gc>(Gc<'gc, RefLock<IdentityMap>>);

#[derive(Collect, Default)]
#[collect(require_static)]
struct IdentityMap(HashMap<usize, u64>);

impl<'gc> piccolo::Singleton<'gc> for Identities<'gc> {
    fn create(ctx: Context<'gc>) -> Self {
        Identities(Gc::new(&ctx, RefLock::new(IdentityMap::default())))
    }
}

fn identities<'gc>(ctx: Context<'gc>) -> Gc<'gc, RefLock<IdentityMap>> {
    ctx.singleton::<Rootable![Identities<'_>]>().0
}

fn identity(ctx: Context<'_>, ptr: usize) -> u64 {
    let mut ids = identities(ctx).borrow_mut(&ctx);
    let next = ids.0.len() as u64 + 1;
    *ids.0.entry(ptr).or_insert(next)
}

/// The identity of a reference value (tables, functions, threads, userdata), handed out on
/// first request; `None` for other values. `pairs` orders reference-typed keys by it, so
/// their order follows the program (and survives export and import), not addresses.
pub fn identity_of<'gc>(ctx: Context<'gc>, v: Value<'gc>) -> Option<u64> {
    address(v).map(|p| identity(ctx, p))
}

/// How many identities have been handed out (a mark for [`forget_after`]).
pub fn identity_mark(ctx: Context<'_>) -> u64 {
    identities(ctx).borrow().0.len() as u64
}

/// The identities handed out so far, by object address (for exporting a process).
pub fn identity_table(ctx: Context<'_>) -> HashMap<usize, u64> {
    identities(ctx).borrow().0.clone()
}

/// Replaces the identities by `known` (address, identity) pairs, numbering `count` in all:
/// numbers without a live object get placeholder keys that no object can have (odd
/// addresses), so the next identity handed out is still `count + 1`.
pub fn restore_identities(ctx: Context<'_>, count: u64, known: &[(usize, u64)]) {
    let mut ids = identities(ctx).borrow_mut(&ctx);
    ids.0.clear();
    let mut used = std::collections::HashSet::new();
    for &(ptr, id) in known {
        ids.0.insert(ptr, id);
        used.insert(id);
    }
    for id in 1..=count {
        if !used.contains(&id) {
            ids.0.insert((id as usize) * 2 + 1, id);
        }
    }
}

/// Forgets identities numbered after `mark`.
pub fn forget_after(ctx: Context<'_>, mark: u64) {
    identities(ctx)
        .borrow_mut(&ctx)
        .0
        .retain(|_, id| *id <= mark);
}

/// Writes a float as Lua 5.3's `tostring` does (`%.14g`, integral values keep `.0`).
pub fn write_float(f: f64, out: &mut Vec<u8>) {
    super::lua_number::fmt_float(f, out);
}

/// Writes `v` as `tostring` would without consulting metamethods.
pub fn write_plain<'gc>(ctx: Context<'gc>, v: Value<'gc>, out: &mut Vec<u8>) {
    match v {
        Value::Nil => out.extend_from_slice(b"nil"),
        Value::Boolean(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        Value::Integer(i) => super::lua_number::fmt_integer(i, out),
        Value::Number(f) => write_float(f, out),
        Value::String(s) => out.extend_from_slice(s.as_bytes()),
        other => {
            let id = address(other).map(|p| identity(ctx, p)).unwrap_or(0);
            let kind = match other {
                // `type()` says function; "builtin" tells Rust callbacks from Lua closures.
                Value::Function(Function::Callback(_)) => "function: builtin",
                v => v.type_name(),
            };
            let _ = write!(out, "{kind}: 0x{id:08x}");
        }
    }
}
