//! Read-only views of Lua state for people and apps: the plain JSON data view, short
//! previews, path text, and paged inspection of one table.
//!
//! Nothing here changes the state: reference values that have no display identity yet are
//! shown as `table: ?` rather than being given one (handing one out would change what a
//! later `tostring` prints and the state hash).
//!
//! The data view maps Lua to JSON as follows (it is for reading; the lossless form is the
//! state document):
//! - nil → `null`; booleans, strings (invalid UTF-8 replaced by U+FFFD), integers and
//!   finite floats → themselves; NaN and infinities → the strings `"nan"`, `"inf"`, `"-inf"`;
//! - a table whose keys are exactly `1..n` → an array; any other table → an object whose
//!   keys are string keys as they are and other keys as `tostring` writes them (`"1.5"`,
//!   `"true"`, `"table: 0x00000003"`), in `pairs` order; an empty table → `[]` (as aos's
//!   json and `getGlobal` write it);
//! - functions, coroutines and userdata → their `tostring` text (`"function: 0x0000000c"`);
//! - a table met again inside itself → `"<cycle: table: 0x...>"`; tables deeper than the
//!   depth limit → `"<table: N entries>"`.

use std::cmp::Ordering;

use piccolo::{Context, Table, Value};
use serde::Serialize;
use serde_json::{Map, Number, Value as Json};

use crate::error::Error;
use crate::stdlib::iter::{key_order, rank};
use crate::stdlib::tostring::{peek_identity, peek_text};

/// Deepest nesting the data view expands.
pub const VIEW_DEPTH: usize = 64;

/// A table's entries in `pairs` order (reference keys by identity, unnumbered ones last).
pub fn sorted_entries<'gc>(ctx: Context<'gc>, t: Table<'gc>) -> Vec<(Value<'gc>, Value<'gc>)> {
    let mut entries: Vec<(Value<'gc>, Value<'gc>)> = t.iter().collect();
    crate::vm::sort::sort_by(&mut entries, |(a, _), (b, _)| match key_order(*a, *b) {
        Ordering::Equal if rank(*a) == 3 && rank(*b) == 3 => {
            let (x, y) = (peek_identity(ctx, *a), peek_identity(ctx, *b));
            x.unwrap_or(u64::MAX).cmp(&y.unwrap_or(u64::MAX))
        }
        other => other,
    });
    entries
}

fn is_sequence(entries: &[(Value<'_>, Value<'_>)]) -> bool {
    entries
        .iter()
        .enumerate()
        .all(|(i, (k, _))| matches!(k, Value::Integer(n) if *n == i as i64 + 1))
}

/// `tostring`-like text of a value that is not a table key path (never hands out identities).
pub fn plain_text<'gc>(ctx: Context<'gc>, v: Value<'gc>) -> String {
    match v {
        Value::Nil => "nil".into(),
        Value::Boolean(b) => b.to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Number(f) => {
            let mut out = Vec::new();
            crate::stdlib::tostring::write_float(f, &mut out);
            String::from_utf8_lossy(&out).into_owned()
        }
        Value::String(s) => s.to_str_lossy().into_owned(),
        other => peek_text(ctx, other),
    }
}

/// The JSON data view of `v` (see the module docs).
pub fn to_view<'gc>(ctx: Context<'gc>, v: Value<'gc>, depth: usize) -> Json {
    let mut path = Vec::new();
    view_inner(ctx, v, depth, &mut path)
}

fn view_inner<'gc>(
    ctx: Context<'gc>,
    v: Value<'gc>,
    depth: usize,
    path: &mut Vec<Table<'gc>>,
) -> Json {
    match v {
        Value::Nil => Json::Null,
        Value::Boolean(b) => Json::Bool(b),
        Value::Integer(i) => Json::from(i),
        Value::Number(f) => match Number::from_f64(f) {
            Some(n) => Json::Number(n),
            None if f.is_nan() => "nan".into(),
            None if f > 0.0 => "inf".into(),
            None => "-inf".into(),
        },
        Value::String(s) => Json::String(s.to_str_lossy().into_owned()),
        Value::Table(t) => {
            if path.contains(&t) {
                return Json::String(format!("<cycle: {}>", peek_text(ctx, v)));
            }
            if path.len() >= depth {
                return Json::String(format!("<table: {} entries>", t.iter().count()));
            }
            path.push(t);
            let entries = sorted_entries(ctx, t);
            let out = if is_sequence(&entries) {
                Json::Array(
                    entries
                        .iter()
                        .map(|(_, v)| view_inner(ctx, *v, depth, path))
                        .collect(),
                )
            } else {
                let mut m = Map::new();
                for (k, v) in &entries {
                    let value = view_inner(ctx, *v, depth, path);
                    m.entry(plain_text(ctx, *k)).or_insert(value);
                }
                Json::Object(m)
            };
            path.pop();
            out
        }
        other => Json::String(peek_text(ctx, other)),
    }
}

/// A value for a diff or a listing: the data view for small tables, else a summary.
pub fn compact<'gc>(ctx: Context<'gc>, v: Value<'gc>) -> Json {
    match v {
        Value::Table(t) => {
            let size = weight(t, 3, 64);
            if size <= 64 {
                to_view(ctx, v, 3)
            } else {
                Json::String(format!("<table: {} entries>", t.iter().count()))
            }
        }
        other => to_view(ctx, other, 1),
    }
}

/// Entries of `t` and its sub-tables to `depth`, counting no further than `cap`.
fn weight(t: Table<'_>, depth: usize, cap: usize) -> usize {
    let mut n = 0;
    for (_, v) in t.iter() {
        n += 1;
        if n > cap {
            return n;
        }
        if let (Value::Table(sub), true) = (v, depth > 1) {
            n += weight(sub, depth - 1, cap - n);
        }
    }
    n
}

/// A one-line preview of a value, Lua-style (`"text"`, `42`, `{3 entries}`).
pub fn preview<'gc>(ctx: Context<'gc>, v: Value<'gc>) -> String {
    const MAX: usize = 80;
    match v {
        Value::String(s) => {
            let text = s.to_str_lossy();
            let mut out: String = text.chars().take(MAX).collect();
            if text.chars().count() > MAX {
                out.push('…');
            }
            format!("{out:?}")
        }
        Value::Table(t) => {
            let n = t.iter().count();
            let len = t.length();
            let plural = |one: &str, many: &str| {
                if n == 1 {
                    one.to_owned()
                } else {
                    many.to_owned()
                }
            };
            if n > 0 && len as usize == n {
                format!("[{n} {}]", plural("item", "items"))
            } else {
                format!("{{{n} {}}}", plural("entry", "entries"))
            }
        }
        other => plain_text(ctx, other),
    }
}

/// Whether `name` can be written after a dot in a path.
fn is_identifier(name: &[u8]) -> bool {
    const KEYWORDS: &[&str] = &[
        "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
        "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
    ];
    matches!(name.first(), Some(c) if c.is_ascii_alphabetic() || *c == b'_')
        && name.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        && !KEYWORDS.iter().any(|k| k.as_bytes() == name)
}

/// Appends one key to a path's text: `.name`, `["any text"]`, `[3]`, `[table: 0x...]`.
pub fn push_path<'gc>(ctx: Context<'gc>, path: &mut String, k: Value<'gc>) {
    match k {
        Value::String(s) if is_identifier(s.as_bytes()) => {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&s.to_str_lossy());
        }
        Value::String(s) => path.push_str(&format!("[{:?}]", s.to_str_lossy())),
        other => {
            path.push('[');
            path.push_str(&plain_text(ctx, other));
            path.push(']');
        }
    }
}

/// One step of a path given from outside: a string key, a number key, or the JSON forms
/// `{"bool": true}` and `{"ref": "table: 0x00000003"}` that `inspect` hands out for keys
/// that are neither.
pub fn resolve_step<'gc>(
    ctx: Context<'gc>,
    t: Table<'gc>,
    step: &Json,
) -> Result<Value<'gc>, Error> {
    let bad = |m: String| Error::BadOptions(m);
    match step {
        Json::String(s) => Ok(t.get_value(Value::String(ctx.intern(s.as_bytes())))),
        Json::Number(n) => Ok(match n.as_i64() {
            Some(i) => t.get_value(Value::Integer(i)),
            None => t.get_value(Value::Number(n.as_f64().unwrap_or(f64::NAN))),
        }),
        Json::Object(o) => {
            if let Some(Json::Bool(b)) = o.get("bool") {
                return Ok(t.get_value(Value::Boolean(*b)));
            }
            if let Some(Json::String(r)) = o.get("ref") {
                for (k, v) in t.iter() {
                    if rank(k) == 3 && plain_text(ctx, k) == *r {
                        return Ok(v);
                    }
                }
                return Ok(Value::Nil);
            }
            Err(bad(format!("unknown path step {step}")))
        }
        other => Err(bad(format!(
            "a path step must be a string, a number or an object, got {other}"
        ))),
    }
}

/// The path step (as [`resolve_step`] reads it) that names key `k`.
fn step_of<'gc>(ctx: Context<'gc>, k: Value<'gc>) -> Json {
    match k {
        Value::String(s) => Json::String(s.to_str_lossy().into_owned()),
        Value::Integer(i) => Json::from(i),
        Value::Number(f) => Number::from_f64(f).map_or(Json::Null, Json::Number),
        Value::Boolean(b) => serde_json::json!({ "bool": b }),
        other => serde_json::json!({ "ref": plain_text(ctx, other) }),
    }
}

/// How to page through a table.
#[derive(Debug, Clone)]
pub struct InspectOptions {
    pub offset: usize,
    pub limit: usize,
    /// Only entries whose key or preview contains this text (case-insensitive).
    pub search: Option<String>,
}

impl Default for InspectOptions {
    fn default() -> Self {
        InspectOptions {
            offset: 0,
            limit: 100,
            search: None,
        }
    }
}

impl InspectOptions {
    /// Reads `{offset, limit, search, at}` (all optional); `at` is a checkpoint id.
    pub fn from_json(json: &Json) -> Result<(InspectOptions, Option<u64>), Error> {
        let bad = |m: &str| Error::BadOptions(m.into());
        let mut o = InspectOptions::default();
        let Some(map) = json.as_object() else {
            return match json {
                Json::Null => Ok((o, None)),
                _ => Err(bad("inspect options must be an object")),
            };
        };
        let count = |key: &str| -> Result<Option<u64>, Error> {
            match map.get(key) {
                None | Some(Json::Null) => Ok(None),
                Some(v) => v
                    .as_u64()
                    .map(Some)
                    .ok_or_else(|| bad(&format!("'{key}' must be a non-negative integer"))),
            }
        };
        if let Some(n) = count("offset")? {
            // Saturates on a 32-bit target: no view is that long either way.
            o.offset = usize::try_from(n).unwrap_or(usize::MAX);
        }
        if let Some(n) = count("limit")? {
            o.limit = usize::try_from(n).unwrap_or(usize::MAX);
        }
        match map.get("search") {
            None | Some(Json::Null) => {}
            Some(Json::String(s)) if s.is_empty() => {}
            Some(Json::String(s)) => o.search = Some(s.clone()),
            Some(_) => return Err(bad("'search' must be a string")),
        }
        Ok((o, count("at")?))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InspectEntry {
    /// The key as text.
    pub key: String,
    /// The path step naming this key (append it to the path to inspect the value).
    pub step: Json,
    #[serde(rename = "keyType")]
    pub key_type: String,
    #[serde(rename = "type")]
    pub value_type: String,
    pub preview: String,
    /// Entries of the value, when it is a table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
}

/// One page of a table (or the value itself, when the path ends at a non-table).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inspection {
    pub path: String,
    #[serde(rename = "type")]
    pub value_type: String,
    pub preview: String,
    /// Entries in the table (after `search`).
    pub count: usize,
    pub offset: usize,
    pub entries: Vec<InspectEntry>,
}

/// Pages through the value at `path` (steps from the globals; empty: the globals).
pub fn inspect<'gc>(
    ctx: Context<'gc>,
    root: Table<'gc>,
    path: &[Json],
    options: &InspectOptions,
) -> Result<Inspection, Error> {
    let mut value = Value::Table(root);
    let mut text = String::new();
    for step in path {
        let Value::Table(t) = value else {
            return Err(Error::BadOptions(format!(
                "path {text} is a {}, not a table",
                value.type_name()
            )));
        };
        value = resolve_step(ctx, t, step)?;
        match step {
            Json::String(s) => push_path(ctx, &mut text, Value::String(ctx.intern(s.as_bytes()))),
            other => text.push_str(&format!("[{}]", other)),
        }
    }
    let mut entries = Vec::new();
    let mut count = 0;
    if let Value::Table(t) = value {
        let needle = options.search.as_ref().map(|s| s.to_lowercase());
        for (k, v) in sorted_entries(ctx, t) {
            let key = plain_text(ctx, k);
            let preview = preview(ctx, v);
            if let Some(n) = &needle {
                if !key.to_lowercase().contains(n) && !preview.to_lowercase().contains(n) {
                    continue;
                }
            }
            count += 1;
            if count <= options.offset || entries.len() >= options.limit {
                continue;
            }
            entries.push(InspectEntry {
                step: step_of(ctx, k),
                key,
                key_type: k.type_name().to_owned(),
                value_type: v.type_name().to_owned(),
                count: match v {
                    Value::Table(sub) => Some(sub.iter().count()),
                    _ => None,
                },
                preview,
            });
        }
    }
    Ok(Inspection {
        path: text,
        value_type: value.type_name().to_owned(),
        preview: preview(ctx, value),
        count,
        offset: options.offset,
        entries,
    })
}
