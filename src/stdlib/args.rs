//! Argument checking for the string and table libraries, with Lua 5.3's coercions and error
//! wording (`luaL_checkinteger`, `luaL_checklstring`, `luaL_typeerror`, ...), on top of
//! [`super::argcheck`] (which adds the caller's position and picks the function's name).
//!
//! Unlike `argcheck`, arguments are numbered from 1 as Lua reports them (`stack.get(n - 1)`
//! is argument `n`), strings are borrowed rather than copied, and type names honour
//! `__name` as `luaL_typeerror` does. Past the end of the stack an argument is "no value",
//! an explicit `nil` is "nil". `fname` is the qualified name (`string.rep`).

use std::borrow::Cow;

use piccolo::{Context, Error, Execution, Stack, Value};

use super::argcheck;
use super::lua_number::{float_to_int_exact, fmt_float, fmt_integer, parse_number, LuaNum};

/// `bad argument #n to 'fname' (msg)`, with the caller's position.
pub fn arg_error<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    n: usize,
    fname: &str,
    msg: &str,
) -> Error<'gc> {
    argcheck::bad_arg(ctx, exec, n - 1, fname, msg)
}

/// A `luaL_error`: the message with the caller's position.
pub fn lua_error<'gc>(ctx: Context<'gc>, exec: &Execution<'gc, '_>, msg: &str) -> Error<'gc> {
    argcheck::error(ctx, exec, msg)
}

/// A runtime error raised inside a library function (`luaG_runerror` from C code), which
/// carries no position.
pub fn runtime_error<'gc>(ctx: Context<'gc>, msg: &str) -> Error<'gc> {
    argcheck::plain_error(ctx, msg)
}

/// The type name Lua shows in messages: the `__name` metafield when it is a string
/// (`luaL_typeerror`, `luaT_objtypename`), else the basic type.
pub fn type_name<'gc>(ctx: Context<'gc>, v: Value<'gc>) -> Cow<'gc, str> {
    let mt = match v {
        Value::Table(t) => t.metatable(),
        Value::UserData(u) => u.metatable(),
        _ => None,
    };
    if let Some(Value::String(s)) = mt.map(|mt| crate::vm::undo::field(ctx, mt, "__name")) {
        return s.to_str_lossy();
    }
    Cow::Borrowed(v.type_name())
}

/// `bad argument #n to 'fname' (<expected> expected, got <type>)`.
pub fn type_error<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    n: usize,
    fname: &str,
    expected: &str,
) -> Error<'gc> {
    let got = if n > stack.len() {
        Cow::Borrowed("no value")
    } else {
        type_name(ctx, stack.get(n - 1))
    };
    arg_error(
        ctx,
        exec,
        n,
        fname,
        &format!("{expected} expected, got {got}"),
    )
}

/// Whether argument `n` is absent or nil (`lua_isnoneornil`).
pub fn is_none_or_nil(stack: &Stack<'_, '_>, n: usize) -> bool {
    stack.get(n - 1).is_nil()
}

/// A value's integer as `lua_tointegerx` sees it: integers, integral floats and strings
/// holding either. `Err(true)` means "a number, but not integral".
pub fn to_integer(v: Value<'_>) -> Result<i64, bool> {
    let num = match v {
        Value::Integer(i) => return Ok(i),
        Value::Number(f) => LuaNum::Float(f),
        Value::String(s) => parse_number(s.as_bytes()).ok_or(false)?,
        _ => return Err(false),
    };
    match num {
        LuaNum::Int(i) => Ok(i),
        LuaNum::Float(f) => float_to_int_exact(f).ok_or(true),
    }
}

/// A value's number as `lua_tonumberx` sees it (numbers and numeric strings).
pub fn to_number(v: Value<'_>) -> Option<LuaNum> {
    match v {
        Value::Integer(i) => Some(LuaNum::Int(i)),
        Value::Number(f) => Some(LuaNum::Float(f)),
        Value::String(s) => parse_number(s.as_bytes()),
        _ => None,
    }
}

/// `luaL_checkinteger`.
pub fn check_integer<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    n: usize,
    fname: &str,
) -> Result<i64, Error<'gc>> {
    to_integer(stack.get(n - 1)).map_err(|is_number| {
        if is_number {
            arg_error(ctx, exec, n, fname, "number has no integer representation")
        } else {
            type_error(ctx, exec, stack, n, fname, "number")
        }
    })
}

/// `luaL_optinteger`: `default` when the argument is absent or nil.
pub fn opt_integer<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    n: usize,
    fname: &str,
    default: i64,
) -> Result<i64, Error<'gc>> {
    if is_none_or_nil(stack, n) {
        Ok(default)
    } else {
        check_integer(ctx, exec, stack, n, fname)
    }
}

/// `luaL_checknumber`, as an f64.
pub fn check_number<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    n: usize,
    fname: &str,
) -> Result<f64, Error<'gc>> {
    match to_number(stack.get(n - 1)) {
        Some(LuaNum::Int(i)) => Ok(i as f64),
        Some(LuaNum::Float(f)) => Ok(f),
        None => Err(type_error(ctx, exec, stack, n, fname, "number")),
    }
}

/// A value as a string the way `lua_tolstring` converts it (strings, and numbers in Lua 5.3
/// format), or `None`.
pub fn to_bytes<'gc>(v: Value<'gc>) -> Option<Cow<'gc, [u8]>> {
    match v {
        Value::String(s) => Some(Cow::Borrowed(s.as_bytes())),
        Value::Integer(i) => {
            let mut buf = Vec::new();
            fmt_integer(i, &mut buf);
            Some(Cow::Owned(buf))
        }
        Value::Number(f) => {
            let mut buf = Vec::new();
            fmt_float(f, &mut buf);
            Some(Cow::Owned(buf))
        }
        _ => None,
    }
}

/// `luaL_checklstring`: strings, and numbers converted to text.
pub fn check_bytes<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    n: usize,
    fname: &str,
) -> Result<Cow<'gc, [u8]>, Error<'gc>> {
    to_bytes(stack.get(n - 1)).ok_or_else(|| type_error(ctx, exec, stack, n, fname, "string"))
}

/// `luaL_optlstring`: `default` when the argument is absent or nil.
pub fn opt_bytes<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    n: usize,
    fname: &str,
    default: &'static [u8],
) -> Result<Cow<'gc, [u8]>, Error<'gc>> {
    if is_none_or_nil(stack, n) {
        Ok(Cow::Borrowed(default))
    } else {
        check_bytes(ctx, exec, stack, n, fname)
    }
}

/// A new Lua string. Short strings are interned (they are often compared and used as
/// keys); long ones take ownership of the buffer instead of being copied and looked up.
pub fn new_string<'gc>(ctx: Context<'gc>, bytes: Vec<u8>) -> Value<'gc> {
    if bytes.len() <= 64 {
        Value::String(ctx.intern(&bytes))
    } else {
        Value::String(piccolo::String::from_buffer(&ctx, bytes.into_boxed_slice()))
    }
}

/// Like [`new_string`] for borrowed bytes.
pub fn new_string_from<'gc>(ctx: Context<'gc>, bytes: &[u8]) -> Value<'gc> {
    if bytes.len() <= 64 {
        Value::String(ctx.intern(bytes))
    } else {
        Value::String(piccolo::String::from_slice(&ctx, bytes))
    }
}

/// Fuel for `bytes` bytes of work done inside a callback (one unit per 64 bytes, about the
/// cost of a VM instruction), so big string work still counts against the compute limit.
pub fn byte_fuel(bytes: usize) -> i32 {
    i32::try_from(bytes / 64).unwrap_or(i32::MAX)
}
