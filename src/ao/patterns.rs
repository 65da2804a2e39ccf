//! `Handlers.evaluate`'s test of each handler's pattern, natively for the patterns that run
//! no code: `verdict(utils.matchesSpec(msg, pattern))` (-1 run and stop, 0 skip) for an
//! Action name and a table of field patterns (strings without pattern characters, `"_"`,
//! alternatives) and the runtime's own `_eval` pattern (`runtime.evalPattern`, which `.process`
//! adds to `.handlers`' table at load, so it is exported with the state). Called as `match(msg, pattern,
//! utils, runtime)` while `utils.matchesSpec` and `utils.matchesPattern` are the installed
//! functions (`runtime.matchesSpec`, `runtime.matchesPattern`) and `type`, `pairs`,
//! `string.lower` and `string.match` the built-in ones (its guard); any other pattern (a
//! function, a Lua pattern, a table with a metatable...) gives nil and the Lua tests it.

use piccolo::{CallbackReturn, Context, Execution, Stack, Table, Value};

use super::names::{get, names};
use super::runtime::{declined, plain};

/// The characters that make `utils.matchesPattern` use `string.match` (its `MAGIC` set).
const MAGIC: &[u8] = b"^$()%.[]*+?";

/// `match(msg, pattern, utils, runtime)`: -1 or 0, or nil.
pub(super) fn matches<'gc>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> Result<CallbackReturn<'gc>, piccolo::Error<'gc>> {
    let verdict = (|| {
        let n = names(ctx);
        let (msg, pattern) = (plain(stack.get(0))?, stack.get(1));
        let (utils, runtime) = (plain(stack.get(2))?, plain(stack.get(3))?);
        let in_place = [n.matchesSpec, n.matchesPattern]
            .into_iter()
            .all(|name| crate::stdlib::base::raw_equal(get(utils, name), get(runtime, name)));
        if !in_place {
            return None;
        }
        let matched = match pattern {
            // `msg.Action ~= nil and msg.Action == spec`
            Value::String(spec) => {
                matches!(get(msg, n.Action), Value::String(a) if a.as_bytes() == spec.as_bytes())
            }
            Value::Table(spec) => fields_match(msg, plain(Value::Table(spec))?)?,
            // The runtime's `_eval` pattern: `m.Action == "Eval" and Owner == m.From`.
            Value::Function(_)
                if crate::stdlib::base::raw_equal(pattern, get(runtime, n.evalPattern)) =>
            {
                let globals = ctx.globals();
                let (owner, from) = (get(globals, n.Owner), get(msg, n.From));
                if globals.metatable().is_some()
                    || matches!((owner, from), (Value::Table(_), Value::Table(_)))
                {
                    return None;
                }
                matches!(get(msg, n.Action), Value::String(a) if a.as_bytes() == b"Eval")
                    && crate::stdlib::base::raw_equal(owner, from)
            }
            Value::Function(_) => return None,
            // `matchesSpec` of anything else is false.
            _ => false,
        };
        Some(if matched { -1 } else { 0 })
    })();
    match verdict {
        Some(v) => {
            exec.fuel().consume(4);
            stack.replace(ctx, Value::Integer(v));
            Ok(CallbackReturn::Return)
        }
        None => declined(ctx, stack),
    }
}

/// `matchesSpec` of a table: every field's value in `msg` is set and matches its pattern;
/// `None` when a pattern would run code.
fn fields_match<'gc>(msg: Table<'gc>, spec: Table<'gc>) -> Option<bool> {
    let mut all = true;
    for (key, pattern) in spec.iter() {
        let value = msg.get_value(key);
        // Every pattern is checked (none runs code) before the answer is given.
        if !pattern_matches(pattern, value)? || !value.to_bool() {
            all = false;
        }
    }
    Some(all)
}

/// `utils.matchesPattern(pattern, value)`; `None` when it would run code (a function, a Lua
/// pattern, a non-string value to lower-case, a table with a metatable).
fn pattern_matches<'gc>(pattern: Value<'gc>, value: Value<'gc>) -> Option<bool> {
    match pattern {
        Value::Nil | Value::Boolean(false) => Some(false),
        Value::String(p) if p.as_bytes() == b"_" => Some(true),
        Value::String(p) => {
            if p.as_bytes().iter().any(|b| MAGIC.contains(b)) {
                return None;
            }
            let subject: &[u8] = match value {
                Value::String(s) => s.as_bytes(),
                // `string.lower(value or "")`: a missing value is the empty string (the
                // field test before it fails anyway).
                Value::Nil | Value::Boolean(false) => b"",
                _ => return None,
            };
            Some(subject.eq_ignore_ascii_case(p.as_bytes()))
        }
        Value::Table(alternatives) => {
            let alternatives = plain(Value::Table(alternatives))?;
            let mut any = false;
            for (_, alternative) in alternatives.iter() {
                any |= pattern_matches(alternative, value)?;
            }
            Some(any)
        }
        Value::Function(_) => None,
        _ => Some(false),
    }
}
