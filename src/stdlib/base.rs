//! Lua 5.3's basic functions that piccolo lacks or words differently: `tonumber`, `type`,
//! `select`, the raw accessors, metatables, `assert`, `error` (with levels),
//! `collectgarbage`, `_G` and `_VERSION`. Iteration, protected calls, `load` and `require`
//! have their own modules.

use piccolo::{CallbackReturn, Context, Error, Table, Value};

use super::argcheck::{
    bad_arg, check_any, check_integer, check_table, error, plain_error, to_integer, type_error,
};
use super::lua_number::{self, LuaNum};
use crate::vm::helpers::position;

/// Installs the base functions; returns the string metatable shown by `getmetatable("")`.
pub fn install<'gc>(ctx: Context<'gc>) -> Table<'gc> {
    let g = ctx.globals();
    let _ = g.set(ctx, "_G", g);
    let _ = g.set(ctx, "_VERSION", "Lua 5.3");
    // piccolo's core library has these; Lua 5.3 has not.
    let _ = g.set(ctx, "loadstring", Value::Nil);
    let string_meta = crate::vm::helpers::string_metatable(ctx);

    set(ctx, g, "tonumber", |ctx, exec, mut stack| {
        if stack.get(1).is_nil() {
            let v = check_any(ctx, &exec, &stack, 0, "tonumber")?;
            let r = match v {
                Value::Integer(_) | Value::Number(_) => v,
                Value::String(s) => match lua_number::parse_number(s.as_bytes()) {
                    Some(LuaNum::Int(i)) => Value::Integer(i),
                    Some(LuaNum::Float(f)) => Value::Number(f),
                    None => Value::Nil,
                },
                _ => Value::Nil,
            };
            stack.replace(ctx, r);
            return Ok(CallbackReturn::Return);
        }
        let base = check_integer(ctx, &exec, &stack, 1, "tonumber")?;
        let Value::String(s) = stack.get(0) else {
            return Err(type_error(ctx, &exec, &stack, 0, "tonumber", "string"));
        };
        if !(2..=36).contains(&base) {
            return Err(bad_arg(ctx, &exec, 1, "tonumber", "base out of range"));
        }
        let r = lua_number::parse_int_base(s.as_bytes(), base as u32);
        stack.replace(ctx, r.map_or(Value::Nil, Value::Integer));
        Ok(CallbackReturn::Return)
    });

    set(ctx, g, "type", |ctx, exec, mut stack| {
        let v = check_any(ctx, &exec, &stack, 0, "type")?;
        stack.replace(ctx, v.type_name());
        Ok(CallbackReturn::Return)
    });

    set(ctx, g, "select", |ctx, exec, mut stack| {
        let n = stack.len() as i64;
        if matches!(stack.get(0), Value::String(s) if s == b"#") {
            stack.replace(ctx, n - 1);
            return Ok(CallbackReturn::Return);
        }
        let i = check_integer(ctx, &exec, &stack, 0, "select")?;
        let i = if i < 0 { n.saturating_add(i) } else { i.min(n) };
        if i < 1 {
            return Err(bad_arg(ctx, &exec, 0, "select", "index out of range"));
        }
        stack.drain(..i as usize);
        Ok(CallbackReturn::Return)
    });

    set(ctx, g, "rawequal", |ctx, exec, mut stack| {
        let a = check_any(ctx, &exec, &stack, 0, "rawequal")?;
        let b = check_any(ctx, &exec, &stack, 1, "rawequal")?;
        stack.replace(ctx, raw_equal(a, b));
        Ok(CallbackReturn::Return)
    });

    set(ctx, g, "rawlen", |ctx, exec, mut stack| {
        let n = match stack.get(0) {
            Value::Table(t) => t.length(),
            Value::String(s) => s.len(),
            _ => return Err(bad_arg(ctx, &exec, 0, "rawlen", "table or string expected")),
        };
        stack.replace(ctx, n);
        Ok(CallbackReturn::Return)
    });

    set(ctx, g, "rawget", |ctx, exec, mut stack| {
        let t = check_table(ctx, &exec, &stack, 0, "rawget")?;
        let k = check_any(ctx, &exec, &stack, 1, "rawget")?;
        stack.replace(ctx, t.get(ctx, k));
        Ok(CallbackReturn::Return)
    });

    set(ctx, g, "rawset", |ctx, exec, mut stack| {
        let t = check_table(ctx, &exec, &stack, 0, "rawset")?;
        let k = check_any(ctx, &exec, &stack, 1, "rawset")?;
        let v = check_any(ctx, &exec, &stack, 2, "rawset")?;
        table_set(ctx, &exec, t, k, v)?;
        stack.replace(ctx, t);
        Ok(CallbackReturn::Return)
    });

    let _ = g.set(
        ctx,
        "getmetatable",
        piccolo::Callback::from_fn_with(&ctx, string_meta, |string_meta, ctx, exec, mut stack| {
            let v = check_any(ctx, &exec, &stack, 0, "getmetatable")?;
            let mt = match v {
                Value::Table(t) => t.metatable(),
                Value::UserData(u) => u.metatable(),
                Value::String(_) => Some(*string_meta),
                _ => None,
            };
            let r = match mt {
                None => Value::Nil,
                Some(mt) => match crate::vm::undo::field(ctx, mt, "__metatable") {
                    Value::Nil => Value::Table(mt),
                    protected => protected,
                },
            };
            stack.replace(ctx, r);
            Ok(CallbackReturn::Return)
        }),
    );

    set(ctx, g, "setmetatable", |ctx, exec, mut stack| {
        let t = check_table(ctx, &exec, &stack, 0, "setmetatable")?;
        let mt = match stack.get(1) {
            Value::Table(mt) if stack.len() > 1 => Some(mt),
            Value::Nil if stack.len() > 1 => None,
            _ => {
                return Err(bad_arg(
                    ctx,
                    &exec,
                    1,
                    "setmetatable",
                    "nil or table expected",
                ))
            }
        };
        if let Some(old) = t.metatable() {
            if !crate::vm::undo::field(ctx, old, "__metatable").is_nil() {
                return Err(error(ctx, &exec, "cannot change a protected metatable"));
            }
        }
        crate::vm::undo::set_metatable(ctx, t, mt);
        stack.replace(ctx, t);
        Ok(CallbackReturn::Return)
    });

    set(ctx, g, "assert", |ctx, exec, mut stack| {
        if stack.get(0).to_bool() {
            return Ok(CallbackReturn::Return);
        }
        check_any(ctx, &exec, &stack, 0, "assert")?;
        // Lua's assert raises its message as `error(msg)` at level 1 would.
        let msg = if stack.len() > 1 {
            stack.get(1)
        } else {
            Value::String(ctx.intern(b"assertion failed!"))
        };
        stack.clear();
        Err(with_position(ctx, position(ctx, &exec), msg))
    });

    set(ctx, g, "error", |ctx, exec, stack| {
        let level = if stack.get(1).is_nil() {
            1
        } else {
            check_integer(ctx, &exec, &stack, 1, "error")?
        };
        let msg = stack.get(0);
        // Level 1 is the function that called `error`: piccolo tells us where that call is.
        // Deeper levels need the caller's caller, which piccolo does not expose: only
        // diagnostic mode's shadow stack knows it (see `vm::diagnostics`).
        let pos = match (level, msg) {
            (1, _) => position(ctx, &exec),
            (2.., Value::String(_)) => crate::vm::diagnostics::level_position(ctx, &exec, level),
            _ => String::new(),
        };
        let error = with_position(ctx, pos, msg);
        if let piccolo::Error::Lua(e) = &error {
            crate::vm::diagnostics::note_raised(ctx, &exec, msg, e.0);
        }
        Err(error)
    });

    set(ctx, g, "collectgarbage", |ctx, mut exec, mut stack| {
        let opt = match stack.get(0) {
            Value::Nil => b"collect".to_vec(),
            Value::String(s) => s.as_bytes().to_vec(),
            _ => {
                return Err(type_error(
                    ctx,
                    &exec,
                    &stack,
                    0,
                    "collectgarbage",
                    "string",
                ))
            }
        };
        // The collector runs between execution slices, never inside a call: a full
        // collection (which also clears weak tables) ends the running slice and runs before
        // the next; the options that tune the collector are accepted and do nothing.
        let r: Value = match opt.as_slice() {
            b"count" => Value::Number(ctx.metrics().total_allocation() as f64 / 1024.0),
            b"collect" => {
                crate::vm::weak::request_collection();
                exec.fuel().interrupt();
                Value::Integer(0)
            }
            b"stop" | b"restart" => Value::Integer(0),
            b"step" | b"isrunning" => Value::Boolean(true),
            b"setpause" | b"setstepmul" => {
                let _ = to_integer(stack.get(1));
                Value::Integer(200)
            }
            // Lua 5.4 options, accepted so code written for 5.4 runs.
            b"incremental" | b"generational" => Value::String(ctx.intern(b"incremental")),
            other => {
                let msg = format!("invalid option '{}'", String::from_utf8_lossy(other));
                return Err(bad_arg(ctx, &exec, 0, "collectgarbage", &msg));
            }
        };
        stack.replace(ctx, r);
        Ok(CallbackReturn::Return)
    });
    string_meta
}

/// Registers a plain callback as global or field `name` of `t`.
pub fn set<'gc, F>(ctx: Context<'gc>, t: Table<'gc>, name: &'static str, f: F)
where
    F: Fn(
            Context<'gc>,
            piccolo::Execution<'gc, '_>,
            piccolo::Stack<'gc, '_>,
        ) -> Result<CallbackReturn<'gc>, Error<'gc>>
        + 'static,
{
    let _ = t.set(ctx, name, piccolo::Callback::from_fn(&ctx, f));
}

/// An error value: strings get `pos` prepended, anything else passes through untouched.
fn with_position<'gc>(ctx: Context<'gc>, pos: String, msg: Value<'gc>) -> Error<'gc> {
    match msg {
        Value::String(s) if !pos.is_empty() => {
            let mut text = pos.into_bytes();
            text.extend_from_slice(s.as_bytes());
            Error::from_value(Value::String(ctx.intern(&text)))
        }
        v => Error::from_value(v),
    }
}

/// Lua's primitive equality (`rawequal`): numbers by value across subtypes, everything else
/// by identity or content.
pub fn raw_equal<'gc>(a: Value<'gc>, b: Value<'gc>) -> bool {
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Boolean(x), Value::Boolean(y)) => x == y,
        (Value::Integer(x), Value::Integer(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::Integer(x), Value::Number(y)) | (Value::Number(y), Value::Integer(x)) => {
            lua_number::float_to_int_exact(y) == Some(x)
        }
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Table(x), Value::Table(y)) => x == y,
        (Value::Function(x), Value::Function(y)) => x == y,
        (Value::Thread(x), Value::Thread(y)) => x == y,
        (Value::UserData(x), Value::UserData(y)) => x == y,
        _ => false,
    }
}

/// `t[k] = v` without metamethods, with Lua's errors for nil and NaN keys.
pub fn table_set<'gc>(
    ctx: Context<'gc>,
    exec: &piccolo::Execution<'gc, '_>,
    t: Table<'gc>,
    k: Value<'gc>,
    v: Value<'gc>,
) -> Result<(), Error<'gc>> {
    match k {
        Value::Nil => Err(error(ctx, exec, "table index is nil")),
        Value::Number(f) if f.is_nan() => Err(error(ctx, exec, "table index is NaN")),
        _ => crate::vm::undo::raw_set(ctx, t, k, v)
            .map(|_| ())
            .map_err(|e| plain_error(ctx, &e.to_string())),
    }
}
