//! Lua 5.3's `string` library, added into piccolo's existing `string` table (which also
//! serves `("x"):method()` calls through the method-call rewrite).
//!
//! This module has the simple byte functions; patterns, `format` and `pack` live in the
//! submodules. piccolo's own `len`, `sub`, `lower`, `upper` and `reverse` are replaced: they
//! format numbers with Rust's `Display` (`string.len(1e15)` counted "1000000000000000")
//! and word their errors differently from Lua.

mod format;
mod pack;
mod patterns;

use piccolo::{Callback, CallbackReturn, Context, Error, Execution, Stack, Table, Value};

use super::args::lua_error;
use super::args::{
    arg_error, byte_fuel, check_bytes, check_integer, new_string, new_string_from, opt_bytes,
    opt_integer,
};

/// The largest string `rep` (and similar builders) will make. Lua's own limit is the address
/// space; ours stops a one-line script from asking for gigabytes before the memory limit is
/// ever checked.
pub const MAX_STRING_LEN: usize = 256 << 20;

type CallbackResult<'gc> = Result<CallbackReturn<'gc>, Error<'gc>>;

/// Adds the library to the global `string` table (creating it if piccolo did not).
pub fn install(ctx: Context<'_>) {
    let string = match crate::vm::undo::field(ctx, ctx.globals(), "string") {
        Value::Table(t) => t,
        _ => {
            let t = Table::new(&ctx);
            let _ = ctx.globals().set(ctx, "string", t);
            t
        }
    };
    macro_rules! register {
        ($($name:literal => $f:expr),* $(,)?) => {
            $( let _ = string.set(ctx, $name, Callback::from_fn(&ctx, $f)); )*
        };
    }
    register! {
        "len" => len,
        "sub" => sub,
        "upper" => upper,
        "lower" => lower,
        "reverse" => reverse,
        "rep" => rep,
        "byte" => byte,
        "char" => char,
        "find" => patterns::find,
        "match" => patterns::match_,
        "gmatch" => patterns::gmatch,
        "gsub" => patterns::gsub,
        "format" => format::format,
        "pack" => pack::pack,
        "unpack" => pack::unpack,
        "packsize" => pack::packsize,
    }
}

/// Lua's `posrelat`: a negative position counts from the end; too negative becomes 0.
pub fn posrelat(pos: i64, len: usize) -> i64 {
    if pos >= 0 {
        pos
    } else if pos.unsigned_abs() > len as u64 {
        0
    } else {
        len as i64 + pos + 1
    }
}

fn len<'gc>(
    ctx: Context<'gc>,
    exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> CallbackResult<'gc> {
    let n = check_bytes(ctx, &exec, &stack, 1, "string.len")?.len();
    stack.replace(ctx, n as i64);
    Ok(CallbackReturn::Return)
}

fn sub<'gc>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> CallbackResult<'gc> {
    let s = check_bytes(ctx, &exec, &stack, 1, "string.sub")?;
    let l = s.len();
    let start = posrelat(check_integer(ctx, &exec, &stack, 2, "string.sub")?, l).max(1);
    let end = posrelat(opt_integer(ctx, &exec, &stack, 3, "string.sub", -1)?, l).min(l as i64);
    let result = if start <= end {
        let piece = &s[start as usize - 1..end as usize];
        if piece.len() == l {
            // The whole string: hand back the same Lua string when there is one.
            match stack.get(0) {
                v @ Value::String(_) => v,
                _ => new_string_from(ctx, piece),
            }
        } else {
            exec.fuel().consume(byte_fuel(piece.len()));
            new_string_from(ctx, piece)
        }
    } else {
        Value::String(ctx.intern(b""))
    };
    stack.replace(ctx, result);
    Ok(CallbackReturn::Return)
}

/// A function of the whole string, byte by byte (`upper`, `lower`, `reverse`).
fn map_bytes<'gc, G>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
    fname: &str,
    f: impl FnOnce(&[u8]) -> Vec<u8>,
    again: G,
) -> CallbackResult<'gc>
where
    G: 'static + Fn(Context<'gc>, Execution<'gc, '_>, Stack<'gc, '_>) -> CallbackResult<'gc>,
{
    let s = check_bytes(ctx, &exec, &stack, 1, fname)?;
    // Not made past the memory limit (see `vm/budget.rs`).
    if !crate::vm::budget::reserve(ctx, &mut exec, s.len()) {
        return Ok(crate::vm::budget::retry(ctx, again));
    }
    exec.fuel().consume(byte_fuel(s.len()));
    let out = f(&s);
    stack.replace(ctx, new_string(ctx, out));
    Ok(CallbackReturn::Return)
}

fn upper<'gc>(
    ctx: Context<'gc>,
    exec: Execution<'gc, '_>,
    stack: Stack<'gc, '_>,
) -> CallbackResult<'gc> {
    map_bytes(
        ctx,
        exec,
        stack,
        "string.upper",
        <[u8]>::to_ascii_uppercase,
        upper,
    )
}

fn lower<'gc>(
    ctx: Context<'gc>,
    exec: Execution<'gc, '_>,
    stack: Stack<'gc, '_>,
) -> CallbackResult<'gc> {
    map_bytes(
        ctx,
        exec,
        stack,
        "string.lower",
        <[u8]>::to_ascii_lowercase,
        lower,
    )
}

fn reverse<'gc>(
    ctx: Context<'gc>,
    exec: Execution<'gc, '_>,
    stack: Stack<'gc, '_>,
) -> CallbackResult<'gc> {
    map_bytes(
        ctx,
        exec,
        stack,
        "string.reverse",
        |s| s.iter().rev().copied().collect(),
        reverse,
    )
}

fn rep<'gc>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> CallbackResult<'gc> {
    let s = check_bytes(ctx, &exec, &stack, 1, "string.rep")?;
    let n = check_integer(ctx, &exec, &stack, 2, "string.rep")?;
    let sep = opt_bytes(ctx, &exec, &stack, 3, "string.rep", b"")?;
    if n <= 0 || (s.is_empty() && sep.is_empty()) {
        stack.replace(ctx, ctx.intern(b""));
        return Ok(CallbackReturn::Return);
    }
    // n copies of s and n - 1 separators, refused before anything is allocated.
    let total = (s.len() as u128) * (n as u128) + (sep.len() as u128) * (n as u128 - 1);
    if total > MAX_STRING_LEN as u128 {
        return Err(lua_error(ctx, &exec, "resulting string too large"));
    }
    let total = total as usize;
    // Not built past the memory limit (see `vm/budget.rs`).
    if !crate::vm::budget::reserve(ctx, &mut exec, total) {
        return Ok(crate::vm::budget::retry(ctx, rep));
    }
    exec.fuel().consume(byte_fuel(total));
    let mut out = Vec::with_capacity(total);
    for i in 0..n {
        if i > 0 {
            out.extend_from_slice(&sep);
        }
        out.extend_from_slice(&s);
    }
    stack.replace(ctx, new_string(ctx, out));
    Ok(CallbackReturn::Return)
}

/// Most values `byte` returns at once (Lua's C stack limit is about a million slots).
const MAX_BYTE_RESULTS: i64 = 999_000;

fn byte<'gc>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> CallbackResult<'gc> {
    let s = check_bytes(ctx, &exec, &stack, 1, "string.byte")?;
    let l = s.len();
    let i = posrelat(opt_integer(ctx, &exec, &stack, 2, "string.byte", 1)?, l);
    let j = posrelat(opt_integer(ctx, &exec, &stack, 3, "string.byte", i)?, l);
    let (i, j) = (i.max(1), j.min(l as i64));
    if i > j {
        stack.clear();
        return Ok(CallbackReturn::Return);
    }
    if j - i >= MAX_BYTE_RESULTS {
        return Err(lua_error(ctx, &exec, "string slice too long"));
    }
    let bytes = &s[i as usize - 1..j as usize];
    exec.fuel()
        .consume(i32::try_from(bytes.len() / 8).unwrap_or(i32::MAX));
    let values: Vec<Value> = bytes
        .iter()
        .map(|&b| Value::Integer(i64::from(b)))
        .collect();
    stack.clear();
    stack.extend(values);
    Ok(CallbackReturn::Return)
}

fn char<'gc>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> CallbackResult<'gc> {
    let n = stack.len();
    let mut out = Vec::with_capacity(n);
    for a in 1..=n {
        let c = check_integer(ctx, &exec, &stack, a, "string.char")?;
        // Lua compares as unsigned, so negative codes are out of range too.
        let c = u8::try_from(c)
            .map_err(|_| arg_error(ctx, &exec, a, "string.char", "value out of range"))?;
        out.push(c);
    }
    exec.fuel()
        .consume(i32::try_from(n / 8).unwrap_or(i32::MAX));
    stack.replace(ctx, new_string(ctx, out));
    Ok(CallbackReturn::Return)
}
