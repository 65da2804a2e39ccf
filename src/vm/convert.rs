//! Lua values <-> JSON values, for messages in, outcomes out and the data view.
//!
//! Tables whose keys are exactly `1..n` become arrays; an empty table becomes `[]` (as aos's
//! json does); other tables become objects with keys in sorted order, so the result never
//! depends on hash order. Functions, threads and userdata have no JSON form and are skipped
//! inside tables.

use piccolo::{Context, Table, Value};
use serde_json::{Map, Number, Value as Json};

use crate::error::Error;
use crate::stdlib::tostring;

/// Deepest table nesting converted to JSON; deeper structures are cut with an error.
const MAX_DEPTH: usize = 128;

pub fn to_json<'gc>(ctx: Context<'gc>, value: Value<'gc>) -> Result<Json, Error> {
    let mut path = Vec::new();
    to_json_inner(ctx, value, &mut path)
}

fn to_json_inner<'gc>(
    ctx: Context<'gc>,
    value: Value<'gc>,
    path: &mut Vec<Table<'gc>>,
) -> Result<Json, Error> {
    Ok(match value {
        Value::Nil => Json::Null,
        Value::Boolean(b) => Json::Bool(b),
        Value::Integer(i) => Json::Number(i.into()),
        Value::Number(n) => Number::from_f64(n).map_or(Json::Null, Json::Number),
        Value::String(s) => Json::String(s.to_str_lossy().into_owned()),
        Value::Table(t) => {
            if path.contains(&t) {
                return Err(Error::Lua(
                    "cannot convert a table with a cycle to JSON".into(),
                ));
            }
            if path.len() >= MAX_DEPTH {
                return Err(Error::Lua(format!(
                    "cannot convert tables nested deeper than {MAX_DEPTH} levels to JSON"
                )));
            }
            path.push(t);
            let r = table_to_json(ctx, t, path);
            path.pop();
            r?
        }
        Value::Function(_) | Value::Thread(_) | Value::UserData(_) => Json::Null,
    })
}

fn table_to_json<'gc>(
    ctx: Context<'gc>,
    t: Table<'gc>,
    path: &mut Vec<Table<'gc>>,
) -> Result<Json, Error> {
    let entries: Vec<(Value<'gc>, Value<'gc>)> = t
        .iter()
        .filter(|(_, v)| {
            !matches!(
                v,
                Value::Function(_) | Value::Thread(_) | Value::UserData(_)
            )
        })
        .collect();
    let n = entries.len() as i64;
    let is_array = entries
        .iter()
        .all(|(k, _)| matches!(k, Value::Integer(i) if *i >= 1 && *i <= n));
    if is_array {
        let mut items = vec![Json::Null; entries.len()];
        for (k, v) in entries {
            if let Value::Integer(i) = k {
                items[(i - 1) as usize] = to_json_inner(ctx, v, path)?;
            }
        }
        return Ok(Json::Array(items));
    }
    let mut keyed: Vec<(String, Value<'gc>)> = entries
        .into_iter()
        .map(|(k, v)| (key_text(ctx, k), v))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let mut map = Map::new();
    for (k, v) in keyed {
        map.insert(k, to_json_inner(ctx, v, path)?);
    }
    Ok(Json::Object(map))
}

fn key_text<'gc>(ctx: Context<'gc>, k: Value<'gc>) -> String {
    match k {
        Value::String(s) => s.to_str_lossy().into_owned(),
        // Reading must not hand out display identities (that would change the state).
        other if address(other).is_some() => tostring::peek_text(ctx, other),
        other => {
            let mut buf = Vec::new();
            tostring::write_plain(ctx, other, &mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        }
    }
}

/// JSON into Lua: integers stay integers, other numbers become floats, `null` becomes nil.
pub fn from_json<'gc>(ctx: Context<'gc>, json: &Json) -> Value<'gc> {
    match json {
        Json::Null => Value::Nil,
        Json::Bool(b) => Value::Boolean(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::String(ctx.intern(s.as_bytes())),
        Json::Array(items) => {
            let t = Table::new(&ctx);
            for (i, item) in items.iter().enumerate() {
                // Integer keys never fail to insert; nil values are simply absent.
                let _ = t.set(ctx, (i + 1) as i64, from_json(ctx, item));
            }
            Value::Table(t)
        }
        Json::Object(map) => {
            let t = Table::new(&ctx);
            for (k, v) in map {
                let _ = t.set(ctx, ctx.intern(k.as_bytes()), from_json(ctx, v));
            }
            Value::Table(t)
        }
    }
}

/// The text of an error raised by Lua code, as `error()`'s message or Lua's own wording.
pub fn error_text<'gc>(ctx: Context<'gc>, err: &piccolo::Error<'gc>) -> String {
    match err {
        piccolo::Error::Lua(e) => match e.0 {
            Value::String(s) => s.to_str_lossy().into_owned(),
            Value::Nil => "nil".into(),
            v @ (Value::Integer(_) | Value::Number(_)) => {
                let mut buf = Vec::new();
                tostring::write_plain(ctx, v, &mut buf);
                String::from_utf8_lossy(&buf).into_owned()
            }
            v => format!("(error object is a {} value)", v.type_name()),
        },
        piccolo::Error::Runtime(e) => {
            // piccolo's own errors carry no position: a diagnostic re-run would give one.
            super::diagnostics::note_degraded(ctx);
            super::diagnostics::place_key_error(ctx, super::errors::runtime_message(e))
        }
    }
}

/// The address of a reference value (table, function, thread, userdata); `None` for
/// plain values. Identity within one Lua state, never shown to Lua code.
pub fn address(v: Value<'_>) -> Option<usize> {
    fn of<T>(gc: gc_arena::Gc<'_, T>) -> usize {
        gc_arena::Gc::as_ptr(gc) as *const () as usize
    }
    Some(match v {
        Value::Table(t) => of(t.into_inner()),
        Value::Function(piccolo::Function::Closure(c)) => of(c.into_inner()),
        Value::Function(piccolo::Function::Callback(c)) => of(c.into_inner()),
        Value::Thread(t) => of(t.into_inner()),
        Value::UserData(u) => of(u.into_inner()),
        _ => return None,
    })
}
