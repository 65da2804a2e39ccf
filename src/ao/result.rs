//! The table the runtime's `handle` returns, read as an [`Outcome`]. aos's loader hands
//! the result to the host as `json.encode(result)`: the outcome is that JSON, read back.
//! The usual result (the runtime's own `ao.result` of an outbox `ao.send` filled) is read
//! straight from its tables ([`direct`]); anything else goes the general way, through a
//! JSON value of the whole result ([`through_json`]). Both give the same outcome.

use piccolo::{Context, Table, Value};
use serde_json::Value as Json;

use super::json;
use super::outcome::{OutMessage, OutTag, Outcome};
use super::runtime;
use crate::error::Error;

/// The table `handle` returned, as an outcome. aos's loader hands its result to the host
/// as `json.encode(result)`, so the outcome is that JSON, read back: a field the process left
/// out is absent, numbers are written with `%.14g`, a table-valued tag is its JSON, and a
/// result that json cannot encode (a sparse array, NaN, a cycle) makes the message fail, as
/// `handle` fails in aos.
pub(crate) fn read_result<'gc>(
    ctx: Context<'gc>,
    values: Vec<Value<'gc>>,
) -> Result<Outcome, Error> {
    let Some(Value::Table(r)) = values.first().copied() else {
        return Err(Error::Lua("the process runtime returned no result".into()));
    };
    if let Some(parts) = direct(ctx, r) {
        return Ok(parts.into_outcome(ctx));
    }
    through_json(ctx, r)
}

/// [`read_result`]'s general way: the whole result as JSON (built directly or through
/// text), then its parts.
fn through_json<'gc>(ctx: Context<'gc>, r: Table<'gc>) -> Result<Outcome, Error> {
    // The result as aos's loader sees it: JSON text, parsed; built directly when it can be.
    let mut result = match json::parsed_encoding(ctx, Value::Table(r), &mut Vec::new()) {
        Some(parsed) => parsed,
        None => {
            let mut encoded = Vec::new();
            json::encode(ctx, Value::Table(r), &mut encoded, &mut Vec::new()).map_err(|e| {
                Error::Lua(format!(
                    "the result cannot be encoded as JSON (aos's loader fails the same way): {e}"
                ))
            })?;
            // The loader reads the text as UTF-8 with a decoder that replaces each invalid
            // sequence with U+FFFD (the WHATWG decoder; Rust's lossy conversion replaces the
            // same maximal parts), so bytes a program printed or sent that are not UTF-8
            // arrive as replacement characters, not as a failed message.
            serde_json::from_str(&String::from_utf8_lossy(&encoded))
                .map_err(|e| Error::Lua(format!("the encoded result is not JSON: {e}")))?
        }
    };
    whole_numbers(&mut result);
    // The parts are moved out of the parsed result, not copied.
    let mut take = |key: &str| match &mut result {
        Json::Object(map) => map.swap_remove(key),
        _ => None,
    };
    let list = |v: Option<Json>| -> Vec<OutMessage> {
        match v {
            Some(Json::Array(items)) => items.into_iter().map(out_message).collect(),
            _ => Vec::new(),
        }
    };
    // The error: text, or a value as aos's loader hands it over (an Eval's second
    // result), with its JSON as text.
    let (error, error_value) = super::outcome::split_error(take("Error"));
    let output = take("Output").unwrap_or(Json::Null);
    let messages = list(take("Messages"));
    let spawns = list(take("Spawns"));
    let assignments = match take("Assignments") {
        Some(Json::Array(items)) => items,
        _ => Vec::new(),
    };
    Ok(Outcome {
        output,
        messages,
        spawns,
        assignments,
        handlers: Some(runtime::take_handlers(ctx, error.is_some())),
        error,
        error_value,
        error_info: None,
        gas_used: 0,
        diff: None,
    })
}

/// `%.14g` writes whole numbers from 1e14 up in exponent form (`1e+14`), which parses as a
/// float; below 2^53 the same value as an integer prints as JS prints it (`100000000000000`),
/// so the native and the Node CLI print the same bytes. From 2^53 on a number stays a float
/// (an integer there is not a safe JS number, which the JS API cannot hand over), and the
/// two CLIs differ in form only: `9007199254741000.0` against JS's `9007199254741000`.
fn whole_numbers(v: &mut Json) {
    const SAFE: f64 = 9_007_199_254_740_991.0; // 2^53 - 1, JS's Number.MAX_SAFE_INTEGER
    match v {
        Json::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(0.0);
            if f.fract() == 0.0 && f.abs() <= SAFE {
                *v = Json::from(f as i64);
            }
        }
        Json::Array(items) => items.iter_mut().for_each(whole_numbers),
        Json::Object(map) => map.values_mut().for_each(whole_numbers),
        _ => {}
    }
}

/// One outbox entry, from the encoded result. A non-string `Target` or `Anchor` (a process
/// bug) is kept as its JSON text.
fn out_message(m: Json) -> OutMessage {
    let Json::Object(mut m) = m else {
        return OutMessage {
            target: None,
            anchor: None,
            tags: Vec::new(),
            data: None,
        };
    };
    let mut field = |key: &str| match m.swap_remove(key) {
        None | Some(Json::Null) => None,
        Some(Json::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    };
    let target = field("Target");
    let anchor = field("Anchor");
    let tags = match m.swap_remove("Tags") {
        Some(Json::Array(items)) => items
            .into_iter()
            .map(|tag| {
                let Json::Object(mut tag) = tag else {
                    return OutTag {
                        name: String::new(),
                        value: Json::Null,
                    };
                };
                OutTag {
                    name: match tag.swap_remove("name") {
                        Some(Json::String(s)) => s,
                        None | Some(Json::Null) => String::new(),
                        Some(other) => other.to_string(),
                    },
                    value: tag.swap_remove("value").unwrap_or(Json::Null),
                }
            })
            .collect(),
        _ => Vec::new(),
    };
    OutMessage {
        target,
        anchor,
        tags,
        data: m.swap_remove("Data").filter(|d| !d.is_null()),
    }
}

/// The parts of a result read straight from its tables.
struct Parts {
    output: Json,
    messages: Vec<OutMessage>,
    spawns: Vec<OutMessage>,
    assignments: Vec<Json>,
}

impl Parts {
    fn into_outcome(self, ctx: Context<'_>) -> Outcome {
        Outcome {
            output: self.output,
            messages: self.messages,
            spawns: self.spawns,
            assignments: self.assignments,
            handlers: Some(runtime::take_handlers(ctx, false)),
            error: None,
            error_value: None,
            error_info: None,
            gas_used: 0,
            diff: None,
        }
    }
}

/// The result read without building a JSON value of its structure, for the shape the
/// runtime returns for a message that did not fail: an object of `Output`, `Messages`,
/// `Spawns` and `Assignments` (no `Error`), whose messages are objects of `Target`,
/// `Anchor`, `Data` and `Tags`, each tag an object of `name` and `value`. The values
/// inside (`Output`, `Data`, tag values, `Assignments`) are read as the general way reads
/// them ([`json::parsed_encoding`], from the same place in the tree, so nesting and cycles
/// count the same). `None` at anything else, for [`through_json`] to read: another key,
/// a non-string `Target`, `Anchor` or tag name, a list that is not a sequence, a string
/// that is not UTF-8, a value the encoding declines.
fn direct<'gc>(ctx: Context<'gc>, r: Table<'gc>) -> Option<Parts> {
    let mut path = vec![r];
    let fields = object(ctx, r)?;
    let mut parts = Parts {
        output: Json::Null,
        messages: Vec::new(),
        spawns: Vec::new(),
        assignments: Vec::new(),
    };
    for (key, value) in fields {
        match key.as_bytes() {
            b"Output" => parts.output = leaf(ctx, value, &mut path)?,
            b"Messages" => parts.messages = out_messages(ctx, value, &mut path)?,
            b"Spawns" => parts.spawns = out_messages(ctx, value, &mut path)?,
            b"Assignments" => {
                if let Json::Array(items) = leaf(ctx, value, &mut path)? {
                    parts.assignments = items;
                }
            }
            _ => return None,
        }
    }
    Some(parts)
}

/// A value as the general way reads it: its JSON, with whole numbers as integers.
fn leaf<'gc>(ctx: Context<'gc>, v: Value<'gc>, path: &mut Vec<Table<'gc>>) -> Option<Json> {
    if let Value::String(s) = v {
        return text(s).map(Json::String);
    }
    let mut json = json::parsed_encoding(ctx, v, path)?;
    whole_numbers(&mut json);
    Some(json)
}

/// The fields of a table `json.encode` writes as an object; `None` for any other table.
fn object<'gc>(
    ctx: Context<'gc>,
    t: Table<'gc>,
) -> Option<Vec<(piccolo::String<'gc>, Value<'gc>)>> {
    match json::layout(ctx, t) {
        Ok(json::Layout::Object(fields)) => Some(fields),
        _ => None,
    }
}

/// The items of a table `json.encode` writes as an array; `None` for any other table.
fn sequence<'gc>(ctx: Context<'gc>, t: Table<'gc>) -> Option<Vec<Value<'gc>>> {
    match json::layout(ctx, t) {
        Ok(json::Layout::Array(n)) => Some((1..=n).map(|i| t.get(ctx, i)).collect()),
        _ => None,
    }
}

/// A string as UTF-8 text (the general way's parse fails on anything else).
fn text(s: piccolo::String<'_>) -> Option<String> {
    std::str::from_utf8(s.as_bytes()).ok().map(str::to_owned)
}

/// `v` as a table entered on `path` (the tables above the value being read): `None` when it
/// is not a table, or is one of them (a cycle, which the encoding fails on).
fn enter<'gc>(v: Value<'gc>, path: &mut Vec<Table<'gc>>) -> Option<Table<'gc>> {
    let Value::Table(t) = v else {
        return None;
    };
    if path.contains(&t) {
        return None;
    }
    path.push(t);
    Some(t)
}

/// `Messages` or `Spawns`: a sequence of outbox entries.
fn out_messages<'gc>(
    ctx: Context<'gc>,
    v: Value<'gc>,
    path: &mut Vec<Table<'gc>>,
) -> Option<Vec<OutMessage>> {
    let list = enter(v, path)?;
    let mut out = Vec::new();
    for item in sequence(ctx, list)? {
        out.push(direct_message(ctx, item, path)?);
    }
    path.pop();
    Some(out)
}

/// One outbox entry (see [`out_message`] for the general way).
fn direct_message<'gc>(
    ctx: Context<'gc>,
    v: Value<'gc>,
    path: &mut Vec<Table<'gc>>,
) -> Option<OutMessage> {
    let m = enter(v, path)?;
    let mut message = OutMessage {
        target: None,
        anchor: None,
        tags: Vec::new(),
        data: None,
    };
    for (key, value) in object(ctx, m)? {
        match (key.as_bytes(), value) {
            (b"Target", Value::String(s)) => message.target = Some(text(s)?),
            (b"Anchor", Value::String(s)) => message.anchor = Some(text(s)?),
            (b"Data", v) => message.data = Some(leaf(ctx, v, path)?),
            (b"Tags", v) => message.tags = direct_tags(ctx, v, path)?,
            _ => return None,
        }
    }
    path.pop();
    Some(message)
}

/// A message's `Tags`: a sequence of `{ name = <string>, value = <any> }`.
fn direct_tags<'gc>(
    ctx: Context<'gc>,
    v: Value<'gc>,
    path: &mut Vec<Table<'gc>>,
) -> Option<Vec<OutTag>> {
    let tags = enter(v, path)?;
    let mut out = Vec::new();
    for item in sequence(ctx, tags)? {
        let tag = enter(item, path)?;
        let mut name = String::new();
        let mut value = Json::Null;
        for (key, v) in object(ctx, tag)? {
            match (key.as_bytes(), v) {
                (b"name", Value::String(s)) => name = text(s)?,
                (b"value", v) => value = leaf(ctx, v, path)?,
                _ => return None,
            }
        }
        path.pop();
        out.push(OutTag { name, value });
    }
    path.pop();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::{direct, through_json};
    use crate::vm::{Completion, Limits, Vm};

    /// The direct reading gives the general way's outcome wherever it reads a result, and
    /// leaves every other shape to it.
    #[test]
    fn the_direct_reading_is_the_general_one() {
        let mut vm = Vm::new(Limits::default()).expect("vm");
        let source = r#"
          local function msg(extra)
            local m = { Target = "target-id", Data = "hello", Anchor = "00000000000000000000000000000001",
              Tags = { { name = "Action", value = "Ping" }, { name = "N", value = 5 },
                { name = "F", value = 1.5 }, { name = "Big", value = 1e15 }, { name = "T", value = { 1, 2 } },
                { name = "Nothing" }, { value = "no name" }, { name = "O", value = { a = { b = true } } } } }
            for k, v in pairs(extra or {}) do m[k] = v end
            return m
          end
          local out = { data = "printed", prompt = "aos> ", print = true }
          local cyclic = msg()
          cyclic.Tags[1].value = cyclic
          local cases = {
            { Output = out, Messages = { msg(), msg() }, Spawns = { msg() }, Assignments = {} },
            { Output = out, Messages = {}, Spawns = {}, Assignments = { { Processes = { "p" }, Message = "m" } } },
            { Output = "plain text" },
            { Messages = { msg({ Data = 3.0 }), msg({ Data = { a = 1, list = { 1, 2.5 } } }) } },
            { Messages = { msg({ onReply = print, receive = print }) } },
            { Output = out, f = print },
            { Assignments = { x = 1 } },
            { Output = 1e15, Messages = { msg({ Tags = {} }) } },
            -- Left to the general way (from case 9 on):
            { Messages = { msg({ Target = 42 }) } },
            { Messages = { msg({ Extra = 1 }) } },
            { Error = "boom" },
            { Output = out, Messages = { a = 1 } },
            { Messages = { cyclic } },
            { Messages = { msg({ Target = "\255bad" }) } },
            {},
            { Messages = { msg(), nil, msg() } },
            { Messages = { { 1, 2 } } },
            { Messages = { msg({ Tags = "not a list" }) } },
            { Messages = { msg({ Tags = { { name = 7, value = "x" } } }) } },
            { Messages = { msg({ Tags = { { name = "x", value = 0/0 } } }) } },
            { [1] = "array" },
          }
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
                    let mut declined = Vec::new();
                    for i in 1..=cases.length() {
                        let piccolo::Value::Table(r) = cases.get(ctx, i) else {
                            panic!("case {i} is not a table");
                        };
                        let general = through_json(ctx, r)
                            .map(|o| serde_json::to_string(&o).expect("outcome"));
                        match direct(ctx, r) {
                            Some(parts) => {
                                let o = parts.into_outcome(ctx);
                                let direct = serde_json::to_string(&o).expect("outcome");
                                assert_eq!(
                                    Ok(direct),
                                    general.map_err(|e| e.to_string()),
                                    "case {i}"
                                );
                            }
                            None => declined.push(i),
                        }
                    }
                    declined
                },
            )
            .expect("call");
        let Completion::Returned(declined) = checked else {
            panic!("the cases yielded");
        };
        assert_eq!(declined, (9..=21).collect::<Vec<i64>>());
    }
}
