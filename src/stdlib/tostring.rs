//! Lua 5.3's conversion of values to text, deterministic on every platform.
//!
//! Numbers follow Lua 5.3 (`%.14g`, and integral floats keep `.0`). Tables, functions and
//! other reference values print an identity that comes from the order in which they were
//! first shown (`table: 0x00000001`), never from a memory address, which differs between
//! native and wasm builds and from run to run.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;

use gc_arena::Gc;
use piccolo::{Function, Value};

thread_local! {
    static IDENTITIES: RefCell<HashMap<usize, u64>> = RefCell::new(HashMap::new());
}

fn identity(ptr: usize) -> u64 {
    IDENTITIES.with(|ids| {
        let mut ids = ids.borrow_mut();
        let next = ids.len() as u64 + 1;
        *ids.entry(ptr).or_insert(next)
    })
}

fn address(v: Value<'_>) -> Option<usize> {
    Some(match v {
        Value::Table(t) => Gc::as_ptr(t.into_inner()) as *const () as usize,
        Value::Function(Function::Closure(c)) => Gc::as_ptr(c.into_inner()) as *const () as usize,
        Value::Function(Function::Callback(c)) => Gc::as_ptr(c.into_inner()) as *const () as usize,
        Value::Thread(t) => Gc::as_ptr(t.into_inner()) as *const () as usize,
        Value::UserData(u) => Gc::as_ptr(u.into_inner()) as *const () as usize,
        _ => return None,
    })
}

/// Writes a float as Lua 5.3's `tostring` does (`%.14g`, integral values keep `.0`).
pub fn write_float(f: f64, out: &mut Vec<u8>) {
    super::lua_number::fmt_float(f, out);
}

/// Writes `v` as `tostring` would without consulting metamethods.
pub fn write_plain(v: Value<'_>, out: &mut Vec<u8>) {
    match v {
        Value::Nil => out.extend_from_slice(b"nil"),
        Value::Boolean(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        Value::Integer(i) => super::lua_number::fmt_integer(i, out),
        Value::Number(f) => write_float(f, out),
        Value::String(s) => out.extend_from_slice(s.as_bytes()),
        other => {
            let id = address(other).map(identity).unwrap_or(0);
            let kind = match other {
                // `type()` says function; "builtin" tells Rust callbacks from Lua closures.
                Value::Function(Function::Callback(_)) => "function: builtin",
                v => v.type_name(),
            };
            let _ = write!(out, "{kind}: 0x{id:08x}");
        }
    }
}
