//! The `json` module of aos, native: `json.encode` / `json.decode` with the observable
//! behaviour of the rxi-style json.lua that aos 2.0.6 ships (empty tables encode as `[]`,
//! numbers print with `%.14g`, NaN and infinities, sparse
//! arrays and mixed keys are errors, `null` decodes to nil, errors name line and column).
//! One deliberate difference: object keys are written in sorted order, not hash order,
//! so the output is the same on every platform.

use piccolo::{Callback, CallbackReturn, Context, Error, Table, Value};

use crate::stdlib::lua_number::{self, LuaNum, Spec};

/// Deepest nesting encoded or decoded before giving up with an error (instead of
/// exhausting the host stack).
const MAX_DEPTH: usize = 200;

fn lua_error<'gc>(ctx: Context<'gc>, msg: &str) -> Error<'gc> {
    Error::from_value(Value::String(ctx.intern(msg.as_bytes())))
}

/// The `json` module table.
pub fn module<'gc>(ctx: Context<'gc>) -> Table<'gc> {
    let json = Table::new(&ctx);
    let _ = json.set(ctx, "_version", "0.2.0");
    let _ = json.set(
        ctx,
        "encode",
        Callback::from_fn(&ctx, |ctx, mut exec, mut stack| {
            let v = stack.get(0);
            let mut out = Vec::new();
            let mut path = Vec::new();
            encode(ctx, v, &mut out, &mut path).map_err(|m| lua_error(ctx, &m))?;
            exec.fuel().consume((out.len() / 16) as i32);
            stack.replace(ctx, Value::String(ctx.intern(&out)));
            Ok(CallbackReturn::Return)
        }),
    );
    let _ = json.set(
        ctx,
        "decode",
        Callback::from_fn(&ctx, |ctx, mut exec, mut stack| {
            let text = match stack.get(0) {
                Value::String(s) => s,
                other => {
                    let msg = format!(
                        "expected argument of type string, got {}",
                        other.type_name()
                    );
                    return Err(lua_error(ctx, &aos_error(597, &msg)));
                }
            };
            let bytes = text.as_bytes();
            exec.fuel().consume((bytes.len() / 16) as i32);
            let mut p = Parser {
                ctx,
                src: bytes,
                depth: 0,
            };
            let v = p.document().map_err(|m| lua_error(ctx, &m))?;
            stack.replace(ctx, v);
            Ok(CallbackReturn::Return)
        }),
    );
    json
}

/// An error as aos 2.0.6's json.lua raises it: with the position of its `error` call
/// (`[string "json"]:261: ...`; lines probed on the real module, see COMPATIBILITY.md).
fn aos_error(line: u32, msg: &str) -> String {
    format!("[string \"json\"]:{line}: {msg}")
}

/// Encodes one value as JSON text into `out`.
pub fn encode<'gc>(
    ctx: Context<'gc>,
    v: Value<'gc>,
    out: &mut Vec<u8>,
    path: &mut Vec<Table<'gc>>,
) -> Result<(), String> {
    match v {
        Value::Nil => out.extend_from_slice(b"null"),
        Value::Boolean(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        // aos 2.0.6's json writes every number with `%.14g`, integers included.
        Value::Integer(i) => encode_float(i as f64, out)?,
        Value::Number(f) => encode_float(f, out)?,
        Value::String(s) => encode_string(s.as_bytes(), out),
        Value::Table(t) => encode_table(ctx, t, out, path)?,
        other => {
            let msg = format!("unexpected type '{}'", other.type_name());
            return Err(aos_error(183, &msg));
        }
    }
    Ok(())
}

fn encode_float(f: f64, out: &mut Vec<u8>) -> Result<(), String> {
    if !f.is_finite() {
        let mut text = Vec::new();
        lua_number::fmt_float(f, &mut text);
        let msg = format!(
            "unexpected number value '{}'",
            String::from_utf8_lossy(&text)
        );
        return Err(aos_error(149, &msg));
    }
    let spec = Spec {
        precision: Some(14),
        ..Spec::default()
    };
    if lua_number::fmt_float_spec(f, b'g', &spec, out) {
        Ok(())
    } else {
        Err("number format 'g' refused".to_string())
    }
}

fn encode_string(s: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(s.len() + 2);
    out.push(b'"');
    for &b in s {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0..=0x1f => {
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 15)]);
            }
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

/// How `json.encode` writes a table: an array of `t[1..=n]` when `[1]` is set or the table
/// is empty, else an object of its string-keyed fields (functions left out, in `pairs`
/// order: the writer sorts them).
pub(crate) enum Layout<'gc> {
    Array(i64),
    Object(Vec<(piccolo::String<'gc>, Value<'gc>)>),
}

/// Why a table cannot be written (aos's json.lua fails on each with its own line).
pub(crate) enum Unwritable {
    /// An array with a key that is not a number.
    ArrayKeys,
    /// An array whose entries are not exactly `1..=#t`.
    Sparse,
    /// An object with a key that is not a string.
    ObjectKeys,
}

/// The one classification [`encode`], [`parsed_encoding`] and the outcome's direct reading
/// (`result.rs`) share, so the three write the same tables the same way.
pub(crate) fn layout<'gc>(ctx: Context<'gc>, t: Table<'gc>) -> Result<Layout<'gc>, Unwritable> {
    if t.get(ctx, 1).is_nil() {
        let mut fields = Vec::new();
        let mut empty = true;
        for (k, v) in t.iter() {
            empty = false;
            let Value::String(k) = k else {
                return Err(Unwritable::ObjectKeys);
            };
            if !matches!(v, Value::Function(_)) {
                fields.push((k, v));
            }
        }
        if !empty {
            return Ok(Layout::Object(fields));
        }
    }
    let mut count = 0i64;
    for (k, _) in t.iter() {
        if !matches!(k, Value::Integer(_) | Value::Number(_)) {
            return Err(Unwritable::ArrayKeys);
        }
        count += 1;
    }
    let n = t.length();
    if count != n {
        return Err(Unwritable::Sparse);
    }
    Ok(Layout::Array(n))
}

fn encode_table<'gc>(
    ctx: Context<'gc>,
    t: Table<'gc>,
    out: &mut Vec<u8>,
    path: &mut Vec<Table<'gc>>,
) -> Result<(), String> {
    if path.contains(&t) {
        return Err(aos_error(65, "circular reference"));
    }
    if path.len() >= MAX_DEPTH {
        return Err(format!(
            "cannot encode tables nested deeper than {MAX_DEPTH}"
        ));
    }
    let layout = layout(ctx, t).map_err(|e| match e {
        Unwritable::ArrayKeys => aos_error(83, "invalid table: mixed or invalid key types"),
        Unwritable::Sparse => aos_error(91, "invalid table: sparse array"),
        Unwritable::ObjectKeys => aos_error(111, "invalid table: mixed or invalid key types"),
    })?;
    path.push(t);
    match layout {
        Layout::Array(n) => {
            out.push(b'[');
            for i in 1..=n {
                if i > 1 {
                    out.push(b',');
                }
                encode(ctx, t.get(ctx, i), out, path)?;
            }
            out.push(b']');
        }
        Layout::Object(mut fields) => {
            fields.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (k, v)) in fields.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                encode_string(k.as_bytes(), out);
                out.push(b':');
                encode(ctx, v, out, path)?;
            }
            out.push(b'}');
        }
    }
    path.pop();
    Ok(())
}

/// Nesting from which [`parsed_encoding`] leaves a value to `encode` and serde_json:
/// below serde_json's own recursion limit (128), whose error the parse would give.
const MAX_DIRECT_DEPTH: usize = 100;

/// The value serde_json parses from what [`encode`] writes for `v`, built without the text
/// (the outcome of every message is read this way, and the round trip through text was
/// about a tenth of a token transfer). `None` where the two could differ in any detail,
/// for the caller to take the text's way: an encoding error, a string that is not UTF-8
/// (the parse fails on it), nesting near serde_json's limit. Walks the table in `encode`'s
/// order and keeps its rules: arrays when `[1]` is set or the table is empty, object keys
/// sorted, functions left out of objects, numbers as `%.14g` writes them.
pub fn parsed_encoding<'gc>(
    ctx: Context<'gc>,
    v: Value<'gc>,
    path: &mut Vec<Table<'gc>>,
) -> Option<serde_json::Value> {
    use serde_json::Value as Json;
    Some(match v {
        Value::Nil => Json::Null,
        Value::Boolean(b) => Json::Bool(b),
        Value::Integer(_) | Value::Number(_) => {
            let f = match v {
                Value::Integer(i) => i as f64,
                Value::Number(f) => f,
                _ => return None,
            };
            let mut text = Vec::new();
            encode_float(f, &mut text).ok()?;
            serde_json::from_slice(&text).ok()?
        }
        Value::String(s) => Json::String(std::str::from_utf8(s.as_bytes()).ok()?.to_owned()),
        Value::Table(t) => {
            if path.contains(&t) || path.len() >= MAX_DIRECT_DEPTH {
                return None;
            }
            path.push(t);
            let value = match layout(ctx, t).ok()? {
                Layout::Array(n) => {
                    let mut items = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
                    for i in 1..=n {
                        items.push(parsed_encoding(ctx, t.get(ctx, i), path)?);
                    }
                    Json::Array(items)
                }
                Layout::Object(mut fields) => {
                    fields.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                    let mut map = serde_json::Map::with_capacity(fields.len());
                    for (k, v) in fields {
                        let key = std::str::from_utf8(k.as_bytes()).ok()?.to_owned();
                        map.insert(key, parsed_encoding(ctx, v, path)?);
                    }
                    Json::Object(map)
                }
            };
            path.pop();
            value
        }
        _ => return None,
    })
}

/// A parsed value and the offset just past it.
type Parsed<'gc> = Result<(Value<'gc>, usize), String>;

struct Parser<'gc, 'a> {
    ctx: Context<'gc>,
    src: &'a [u8],
    depth: usize,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_delim(b: u8) -> bool {
    is_space(b) || matches!(b, b']' | b'}' | b',')
}

impl<'gc> Parser<'gc, '_> {
    /// `msg at line L col C`, positions counted as json.lua counts them (1-based).
    /// Positions past the end count on (json.lua counts columns up to the index it was
    /// given, which can be one past the text), and the message carries the position of
    /// json.lua's `decode_error` in aos 2.0.6, as its errors do there.
    fn error(&self, at: usize, msg: &str) -> String {
        let (mut line, mut col) = (1, 1);
        for k in 0..at.min(self.src.len() + 1) {
            col += 1;
            if self.src.get(k) == Some(&b'\n') {
                line += 1;
                col = 1;
            }
        }
        aos_error(261, &format!("{msg} at line {line} col {col}"))
    }

    fn skip_space(&self, mut i: usize) -> usize {
        while i < self.src.len() && is_space(self.src[i]) {
            i += 1;
        }
        i
    }

    fn document(&mut self) -> Result<Value<'gc>, String> {
        let start = self.skip_space(0);
        let (v, end) = self.value(start)?;
        let end = self.skip_space(end);
        if end < self.src.len() {
            return Err(self.error(end, "trailing garbage"));
        }
        Ok(v)
    }

    fn value(&mut self, i: usize) -> Parsed<'gc> {
        match self.src.get(i) {
            Some(b'"') => {
                let (s, end) = self.string(i)?;
                Ok((Value::String(self.ctx.intern(&s)), end))
            }
            Some(b'0'..=b'9' | b'-') => self.number(i),
            Some(b't' | b'f' | b'n') => self.literal(i),
            Some(b'[') => self.nested(i, Self::array),
            Some(b'{') => self.nested(i, Self::object),
            Some(&c) => Err(self.error(
                i,
                &format!("unexpected character '{}'", String::from_utf8_lossy(&[c])),
            )),
            None => Err(self.error(i, "unexpected character ''")),
        }
    }

    fn nested(&mut self, i: usize, parse: fn(&mut Self, usize) -> Parsed<'gc>) -> Parsed<'gc> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(i, "too deeply nested"));
        }
        self.depth += 1;
        let r = parse(self, i);
        self.depth -= 1;
        r
    }

    fn token_end(&self, i: usize) -> usize {
        let mut j = i;
        while j < self.src.len() && !is_delim(self.src[j]) {
            j += 1;
        }
        j
    }

    fn number(&mut self, i: usize) -> Parsed<'gc> {
        let end = self.token_end(i);
        let token = &self.src[i..end];
        match lua_number::parse_number(token) {
            Some(LuaNum::Int(n)) => Ok((Value::Integer(n), end)),
            Some(LuaNum::Float(f)) => Ok((Value::Number(f), end)),
            None => Err(self.error(
                i,
                &format!("invalid number '{}'", String::from_utf8_lossy(token)),
            )),
        }
    }

    fn literal(&mut self, i: usize) -> Parsed<'gc> {
        let end = self.token_end(i);
        let v = match &self.src[i..end] {
            b"true" => Value::Boolean(true),
            b"false" => Value::Boolean(false),
            b"null" => Value::Nil,
            word => {
                return Err(self.error(
                    i,
                    &format!("invalid literal '{}'", String::from_utf8_lossy(word)),
                ))
            }
        };
        Ok((v, end))
    }

    fn string(&self, start: usize) -> Result<(Vec<u8>, usize), String> {
        let src = self.src;
        let mut out = Vec::new();
        let mut j = start + 1;
        while j < src.len() {
            match src[j] {
                b'"' => return Ok((out, j + 1)),
                b'\\' => {
                    let c = src.get(j + 1).copied().unwrap_or(0);
                    match c {
                        b'u' => {
                            let (cp, used) = self
                                .unicode_escape(j + 2)
                                .ok_or_else(|| self.error(j, "invalid unicode escape in string"))?;
                            push_utf8(cp, &mut out).map_err(|m| self.error(j, &m))?;
                            j += 2 + used;
                            continue;
                        }
                        b'"' | b'\\' | b'/' => out.push(c),
                        b'b' => out.push(0x08),
                        b'f' => out.push(0x0c),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        _ => {
                            return Err(self.error(
                                j,
                                &format!(
                                    "invalid escape char '{}' in string",
                                    String::from_utf8_lossy(&[c])
                                ),
                            ))
                        }
                    }
                    j += 2;
                }
                b if b < 32 => return Err(self.error(j, "control character in string")),
                b => {
                    out.push(b);
                    j += 1;
                }
            }
        }
        Err(self.error(start, "expected closing quote for string"))
    }

    /// The code point of `XXXX` (or of a `D8XX\uDCXX` surrogate pair) at `i`, and the
    /// number of bytes it took.
    fn unicode_escape(&self, i: usize) -> Option<(u32, usize)> {
        let hex4 = |at: usize| -> Option<u32> {
            let s = self.src.get(at..at + 4)?;
            if !s.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            u32::from_str_radix(std::str::from_utf8(s).ok()?, 16).ok()
        };
        let first = hex4(i)?;
        if (0xd800..0xdc00).contains(&first) && self.src.get(i + 4..i + 6) == Some(b"\\u") {
            if let Some(second) = hex4(i + 6) {
                let cp = (first - 0xd800) * 0x400 + second.wrapping_sub(0xdc00) + 0x10000;
                return Some((cp, 10));
            }
        }
        Some((first, 4))
    }

    fn array(&mut self, start: usize) -> Parsed<'gc> {
        let t = Table::new(&self.ctx);
        let mut n: i64 = 1;
        let mut i = start + 1;
        loop {
            i = self.skip_space(i);
            if self.src.get(i) == Some(&b']') {
                return Ok((Value::Table(t), i + 1));
            }
            let (v, end) = self.value(i)?;
            let _ = t.set(self.ctx, n, v);
            n += 1;
            i = self.skip_space(end);
            let c = self.src.get(i).copied();
            i += 1;
            match c {
                Some(b']') => return Ok((Value::Table(t), i)),
                Some(b',') => {}
                _ => return Err(self.error(i, "expected ']' or ','")),
            }
        }
    }

    fn object(&mut self, start: usize) -> Parsed<'gc> {
        let t = Table::new(&self.ctx);
        let mut i = start + 1;
        loop {
            i = self.skip_space(i);
            if self.src.get(i) == Some(&b'}') {
                return Ok((Value::Table(t), i + 1));
            }
            if self.src.get(i) != Some(&b'"') {
                return Err(self.error(i, "expected string for key"));
            }
            let (key, end) = self.string(i)?;
            i = self.skip_space(end);
            if self.src.get(i) != Some(&b':') {
                return Err(self.error(i, "expected ':' after key"));
            }
            i = self.skip_space(i + 1);
            let (v, end) = self.value(i)?;
            let _ = t.set(self.ctx, self.ctx.intern(&key), v);
            i = self.skip_space(end);
            let c = self.src.get(i).copied();
            i += 1;
            match c {
                Some(b'}') => return Ok((Value::Table(t), i)),
                Some(b',') => {}
                _ => return Err(self.error(i, "expected '}' or ','")),
            }
        }
    }
}

fn push_utf8(cp: u32, out: &mut Vec<u8>) -> Result<(), String> {
    match cp {
        0..=0x7f => out.push(cp as u8),
        0x80..=0x7ff => out.extend_from_slice(&[0xc0 | (cp >> 6) as u8, 0x80 | (cp & 0x3f) as u8]),
        0x800..=0xffff => out.extend_from_slice(&[
            0xe0 | (cp >> 12) as u8,
            0x80 | ((cp >> 6) & 0x3f) as u8,
            0x80 | (cp & 0x3f) as u8,
        ]),
        0x10000..=0x10ffff => out.extend_from_slice(&[
            0xf0 | (cp >> 18) as u8,
            0x80 | ((cp >> 12) & 0x3f) as u8,
            0x80 | ((cp >> 6) & 0x3f) as u8,
            0x80 | (cp & 0x3f) as u8,
        ]),
        _ => return Err(format!("invalid unicode codepoint '{cp:x}'")),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{encode, parsed_encoding};
    use crate::vm::{Completion, Limits, Vm};

    /// What the text's way gives: `encode`, then serde_json's parse (`None` if either fails).
    fn through_text<'gc>(
        ctx: piccolo::Context<'gc>,
        v: piccolo::Value<'gc>,
    ) -> Option<serde_json::Value> {
        let mut out = Vec::new();
        encode(ctx, v, &mut out, &mut Vec::new()).ok()?;
        serde_json::from_slice(&out).ok()
    }

    /// Every value `parsed_encoding` builds is the one the text's way parses; it declines
    /// (leaving the value to the text's way) only where that way fails or may differ.
    #[test]
    fn parsed_encoding_is_what_the_text_parses_to() {
        let mut vm = Vm::new(Limits::default()).expect("vm");
        let source = r#"
          local cases = {
            {}, { 1, 2, 3 }, { a = 1, b = "x", c = { true, false } }, { [1] = "a", [3] = "c" },
            { 1, x = 2 }, { [1.0] = 1, [2] = 2 }, { 0.1, 1e15, 1e16, -0.0, 2^53, 2^63, 1/3, -7 },
            { math.maxinteger, math.mininteger, 123456789012345 }, { f = function() end, g = 1 },
            { function() end }, { s = "tab\tnew\nline\0\1\31 \127 quote\" back\\ é ☃" },
            { s = "\255\254 not utf-8" }, { ["\255"] = 1 }, { 0/0 }, { math.huge },
            { [true] = 1 }, { nested = { { { { {} } } } } }, "string", 42, 4.5, true,
            { Output = { data = "", prompt = "> ", print = true }, Messages = {
              { Target = "t", Tags = { { name = "Action", value = "A" } }, Data = "d" } } },
          }
          local deep = {}
          for _ = 1, 120 do deep = { deep } end
          cases[#cases + 1] = deep
          local cycle = {}
          cycle.self = cycle
          cases[#cases + 1] = cycle
          return cases
        "#;
        let f = vm.load("cases", source.as_bytes()).expect("load");
        let checked = vm
            .call(
                &f,
                |_| Vec::new(),
                |ctx, values| {
                    let Some(piccolo::Value::Table(cases)) = values.first().copied() else {
                        panic!("no cases");
                    };
                    // Cases `parsed_encoding` declines, and whether the text's way fails too.
                    let mut declined = Vec::new();
                    for i in 1..=cases.length() {
                        let v = cases.get(ctx, i);
                        let text = through_text(ctx, v);
                        match parsed_encoding(ctx, v, &mut Vec::new()) {
                            Some(direct) => assert_eq!(Some(direct), text, "case {i}"),
                            None => declined.push((i, text.is_none())),
                        }
                    }
                    declined
                },
            )
            .expect("call");
        // Declined: the encoding errors (sparse, mixed keys, functions in arrays, NaN,
        // infinity, boolean keys, the cycle) and strings that are not UTF-8, which the text's
        // way fails on too, and the deep nesting it parses.
        let expected: Vec<(i64, bool)> = [4, 5, 10, 12, 13, 14, 15, 16, 24]
            .into_iter()
            .map(|i| (i, true))
            .chain([(23, false)])
            .collect();
        let Completion::Returned(mut declined) = checked else {
            panic!("the cases yielded");
        };
        declined.sort();
        let mut expected = expected;
        expected.sort();
        assert_eq!(declined, expected);
    }
}
