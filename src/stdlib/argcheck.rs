//! Argument checks for library callbacks with Lua 5.3's wording and coercions
//! (`luaL_checkinteger` and friends): `bad argument #2 to 'fmod' (number expected, got nil)`,
//! prefixed with the calling Lua code's position as `luaL_error` does.

use piccolo::{Context, Error, Execution, Stack, Table, Value};

use super::lua_number::{self, LuaNum};
use crate::vm::helpers::error_at;

/// A plain Lua error value (no position).
pub fn plain_error<'gc>(ctx: Context<'gc>, msg: &str) -> Error<'gc> {
    Error::from_value(Value::String(ctx.intern(msg.as_bytes())))
}

/// An error with the calling Lua code's position, like `luaL_error`.
pub fn error<'gc>(ctx: Context<'gc>, exec: &Execution<'gc, '_>, msg: &str) -> Error<'gc> {
    error_at(ctx, exec, msg)
}

/// The type name Lua shows for argument `i` (0-based): `no value` past the end.
pub fn arg_type_name(stack: &Stack<'_, '_>, i: usize) -> &'static str {
    if i >= stack.len() {
        "no value"
    } else {
        stack.get(i).type_name()
    }
}

/// `bad argument #n to 'fname' (extra)`; `i` is 0-based.
///
/// `fname` is the qualified name (`math.floor`). Lua names the function as the call site
/// does (`floor` for `math.floor(x)`, `fl` for `local fl = math.floor; fl(x)`) and falls
/// back to where `package.loaded` holds it when no Lua call site names it
/// (`pcall(math.floor, x)`). A plain run assumes the usual `lib.name(...)` call form and
/// asks for the diagnostic re-run, which sees the call site.
pub fn bad_arg<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    i: usize,
    fname: &str,
    extra: &str,
) -> Error<'gc> {
    let shown = match crate::vm::diagnostics::argument_error_name(ctx, exec, fname) {
        Some(name) => name,
        None if exec.upper_lua_frame().is_some() => {
            // The call site may name the function otherwise (`local fmt = string.format`),
            // and a tail call through such a name drops the calling frame: only diagnostic
            // mode sees the call.
            crate::vm::diagnostics::note_degraded(ctx);
            fname.rsplit('.').next().unwrap_or(fname).to_owned()
        }
        None => fname.to_owned(),
    };
    error(
        ctx,
        exec,
        &format!("bad argument #{} to '{shown}' ({extra})", i + 1),
    )
}

/// `bad argument #n to 'f' (T expected, got U)`.
pub fn type_error<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    i: usize,
    fname: &str,
    expected: &str,
) -> Error<'gc> {
    // As `luaL_typeerror`: a string `__name` metafield names the type.
    let got = if i < stack.len() {
        super::args::type_name(ctx, stack.get(i))
    } else {
        arg_type_name(stack, i).into()
    };
    bad_arg(
        ctx,
        exec,
        i,
        fname,
        &format!("{expected} expected, got {got}"),
    )
}

/// A value as a Lua number, with Lua's string coercion.
pub fn to_number(v: Value<'_>) -> Option<LuaNum> {
    match v {
        Value::Integer(i) => Some(LuaNum::Int(i)),
        Value::Number(f) => Some(LuaNum::Float(f)),
        Value::String(s) => lua_number::parse_number(s.as_bytes()),
        _ => None,
    }
}

/// A value as a Lua integer (`lua_tointeger`): integers, integral floats, numeric strings.
pub fn to_integer(v: Value<'_>) -> Option<i64> {
    match to_number(v)? {
        LuaNum::Int(i) => Some(i),
        LuaNum::Float(f) => lua_number::float_to_int_exact(f),
    }
}

pub fn check_number<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    i: usize,
    fname: &str,
) -> Result<LuaNum, Error<'gc>> {
    to_number(stack.get(i)).ok_or_else(|| type_error(ctx, exec, stack, i, fname, "number"))
}

pub fn check_float<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    i: usize,
    fname: &str,
) -> Result<f64, Error<'gc>> {
    Ok(match check_number(ctx, exec, stack, i, fname)? {
        LuaNum::Int(n) => n as f64,
        LuaNum::Float(f) => f,
    })
}

pub fn check_integer<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    i: usize,
    fname: &str,
) -> Result<i64, Error<'gc>> {
    match to_number(stack.get(i)) {
        Some(LuaNum::Int(n)) => Ok(n),
        Some(LuaNum::Float(f)) => lua_number::float_to_int_exact(f)
            .ok_or_else(|| bad_arg(ctx, exec, i, fname, "number has no integer representation")),
        None => Err(type_error(ctx, exec, stack, i, fname, "number")),
    }
}

pub fn opt_integer<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    i: usize,
    fname: &str,
    default: i64,
) -> Result<i64, Error<'gc>> {
    if stack.get(i).is_nil() {
        Ok(default)
    } else {
        check_integer(ctx, exec, stack, i, fname)
    }
}

/// A string argument; numbers are converted as Lua does (`luaL_checklstring`).
pub fn check_bytes<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    i: usize,
    fname: &str,
) -> Result<Vec<u8>, Error<'gc>> {
    let mut out = Vec::new();
    match stack.get(i) {
        Value::String(s) => out.extend_from_slice(s.as_bytes()),
        Value::Integer(n) => lua_number::fmt_integer(n, &mut out),
        Value::Number(f) => lua_number::fmt_float(f, &mut out),
        _ => return Err(type_error(ctx, exec, stack, i, fname, "string")),
    }
    Ok(out)
}

/// `luaL_checkoption`: argument `i` (a string, or a number converted to one) must be one
/// of `options`, else `bad argument #i to 'f' (invalid option 'x')`; absent, it is
/// `default` when there is one. The index of the option chosen.
pub fn check_option<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    i: usize,
    fname: &str,
    options: &[&str],
    default: Option<&str>,
) -> Result<usize, Error<'gc>> {
    let given = match (stack.get(i), default) {
        (Value::Nil, Some(d)) => d.as_bytes().to_vec(),
        _ => check_bytes(ctx, exec, stack, i, fname)?,
    };
    match options.iter().position(|o| o.as_bytes() == given) {
        Some(chosen) => Ok(chosen),
        None => {
            let shown = String::from_utf8_lossy(&given).into_owned();
            Err(bad_arg(
                ctx,
                exec,
                i,
                fname,
                &format!("invalid option '{shown}'"),
            ))
        }
    }
}

/// A string argument as a Lua string (numbers converted), without copying its bytes.
pub fn check_string<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    i: usize,
    fname: &str,
) -> Result<piccolo::String<'gc>, Error<'gc>> {
    match stack.get(i) {
        Value::String(s) => Ok(s),
        _ => check_bytes(ctx, exec, stack, i, fname).map(|b| ctx.intern(&b)),
    }
}

pub fn opt_bytes<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    i: usize,
    fname: &str,
) -> Result<Option<Vec<u8>>, Error<'gc>> {
    if stack.get(i).is_nil() {
        Ok(None)
    } else {
        check_bytes(ctx, exec, stack, i, fname).map(Some)
    }
}

pub fn check_table<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    i: usize,
    fname: &str,
) -> Result<Table<'gc>, Error<'gc>> {
    match stack.get(i) {
        Value::Table(t) => Ok(t),
        _ => Err(type_error(ctx, exec, stack, i, fname, "table")),
    }
}

/// `bad argument #n to 'f' (value expected)` when the argument is absent.
pub fn check_any<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    i: usize,
    fname: &str,
) -> Result<Value<'gc>, Error<'gc>> {
    if i >= stack.len() {
        Err(bad_arg(ctx, exec, i, fname, "value expected"))
    } else {
        Ok(stack.get(i))
    }
}

/// Stores `f` in `table` under `name` (library tables are fresh, so this cannot fail).
pub fn set_fn<'gc>(
    ctx: Context<'gc>,
    table: Table<'gc>,
    name: &'static str,
    f: piccolo::Callback<'gc>,
) {
    let _ = table.set(ctx, name, f);
}
