//! The wasm-bindgen layer: converts JS values, calls the engine, maps errors. Nothing else.
// deny, not forbid: the `extern` block importing `js/plain_copy.js` expands to an allow.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod console;
mod network;
mod process;
mod types;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::error::Error;

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// A JS `Error` whose `code` property is the engine error's stable code.
pub(crate) fn js_error(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name("AoliteError");
    let _ = js_sys::Reflect::set(&err, &"code".into(), &e.code().into());
    if let Error::OutOfFuel { at: Some(at), .. } = e {
        let _ = js_sys::Reflect::set(&err, &"chunk".into(), &at.chunk.as_str().into());
        let _ = js_sys::Reflect::set(&err, &"line".into(), &(at.line as f64).into());
    }
    err.into()
}

/// A result for JS as its JSON text, which the package's wrapper (`guard.js`, its `parsed`
/// lists) parses: one string across the boundary and V8's own `JSON.parse` instead of an
/// object built property by property from wasm (about a tenth of a message's time in Node,
/// and most of a long trace's). The shape is `to_js`'s (both write `None` as null and maps
/// as objects), except integers past 2^53, which come out as `JSON.parse` reads them where
/// `to_js` refused the whole result.
pub(crate) fn json_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsValue> {
    serde_json::to_string(v)
        .map(|text| JsValue::from_str(&text))
        .map_err(|e| js_error(&Error::BadOptions(format!("cannot convert result: {e}"))))
}

pub(crate) fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsValue> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_error(&Error::BadOptions(format!("cannot convert result: {e}"))))
}

/// Most arrays and objects a value from JS may hold (shared ones counted at each place).
const MAX_JS_CONTAINERS: usize = 1_000_000;

/// A copy of a value from JS made of fresh arrays and plain objects, read once, without
/// recursion and with every read that can run the caller's code (a getter, a `Proxy` trap)
/// caught. The conversion that follows recurses and reads again: a value nested too deeply
/// would exhaust the wasm stack, a throwing getter or trap would unwind through the engine,
/// and a value sharing its parts could expand without end; each of these traps or breaks
/// the module (and poisons it), so the copy refuses them first. Maps, iterables and byte
/// arrays are kept as they are, for the conversion to read as before. The walk is one call
/// into JS (`plain_copy.js`): done from Rust, property by property, it cost a fifth of a
/// token transfer in Node.
fn plain_copy(v: &JsValue, what: &str) -> Result<JsValue, Error> {
    use crate::ao::message::{too_deep, MAX_MESSAGE_DEPTH};
    use js_sys::Reflect;
    let refuse = |m: String| {
        if what == "message" {
            Error::BadMessage(m)
        } else {
            Error::BadOptions(format!("{what}: {m}"))
        }
    };
    let max = u32::try_from(MAX_JS_CONTAINERS).unwrap_or(u32::MAX);
    let depth = u32::try_from(MAX_MESSAGE_DEPTH).unwrap_or(u32::MAX);
    let result = js_plain_copy(v, depth, max);
    let field = |name: &str| Reflect::get(&result, &name.into()).unwrap_or(JsValue::UNDEFINED);
    match field("kind").as_string().as_deref() {
        Some("ok") => Ok(field("value")),
        Some("deep") => Err(if what == "message" {
            too_deep()
        } else {
            refuse(format!(
                "nests arrays or objects deeper than {MAX_MESSAGE_DEPTH} levels"
            ))
        }),
        Some("many") => Err(refuse(format!(
            "holds more than {MAX_JS_CONTAINERS} arrays and objects"
        ))),
        Some("array") => Err(refuse(format!(
            "holds an array of {} items, more than {MAX_JS_CONTAINERS}",
            field("length").as_f64().unwrap_or(0.0)
        ))),
        _ => Err(refuse(format!(
            "not a JSON-like value: reading it threw {}",
            field("threw")
                .as_string()
                .unwrap_or_else(|| "a value".into())
        ))),
    }
}

#[wasm_bindgen(module = "/js/plain_copy.js")]
extern "C" {
    /// See `js/plain_copy.js`: `{kind: "ok", value}` or why the value is refused.
    #[wasm_bindgen(js_name = plainCopy)]
    fn js_plain_copy(v: &JsValue, max_depth: u32, max_containers: u32) -> JsValue;
}

pub(crate) fn from_js(v: JsValue, what: &str) -> Result<serde_json::Value, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(serde_json::Value::Null);
    }
    let v = plain_copy(&v, what).map_err(|e| js_error(&e))?;
    serde_wasm_bindgen::from_value(v).map_err(|e| {
        let err = if what == "message" {
            Error::BadMessage(format!("not a JSON-like value: {e}"))
        } else {
            Error::BadOptions(format!("{what} is not a JSON-like value: {e}"))
        };
        js_error(&err)
    })
}

#[derive(Serialize)]
struct ScriptResult {
    stdout: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'static str>,
    /// `os.exit`'s status (with code `EXIT`).
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<i32>,
}

/// Runs a plain Lua script, with `args` as its `...` and `arg[1..n]`: `{stdout, error?, code?,
/// status?}`.
#[wasm_bindgen(js_name = runLua, unchecked_return_type = "ScriptResult")]
pub fn run_lua(
    source: &str,
    chunk_name: Option<String>,
    args: Option<Vec<String>>,
) -> Result<JsValue, JsValue> {
    let name = chunk_name.unwrap_or_else(|| "script".into());
    let args: Vec<Vec<u8>> = args
        .unwrap_or_default()
        .into_iter()
        .map(String::into_bytes)
        .collect();
    let out =
        crate::run_script_with_args(&name, source.as_bytes(), &args, crate::Limits::default())
            .map_err(|e| js_error(&e))?;
    to_js(&ScriptResult {
        stdout: out.stdout_text(),
        error: out.error.as_ref().map(ToString::to_string),
        code: out.error.as_ref().map(Error::code),
        status: match out.error {
            Some(Error::Exit(status)) => Some(status),
            _ => None,
        },
    })
}

/// `aolite run`'s readable account of one message (the Node CLI prints what the native one
/// does): `line` is the JSON outcome (or `{Error, Code}`) `--json` prints for it.
#[wasm_bindgen(js_name = renderRun)]
pub fn render_run(
    index: u32,
    #[wasm_bindgen(unchecked_param_type = "Message")] message: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Outcome | { Error: string; Code: string }")]
    line: JsValue,
    owner: &str,
    colour: bool,
) -> Result<String, JsValue> {
    let message = from_js(message, "message")?;
    let line = from_js(line, "outcome")?;
    Ok(crate::report::render_run(
        index as usize,
        &message,
        &line,
        owner,
        crate::report::Style { colour },
    ))
}

/// The summary line after a readable `aolite run`.
#[wasm_bindgen(js_name = renderSummary)]
pub fn render_summary(count: u32, failed: u32, colour: bool) -> String {
    crate::report::render_summary(
        count as usize,
        failed as usize,
        crate::report::Style { colour },
    )
}

/// `text` without ANSI escape sequences.
#[wasm_bindgen(js_name = stripAnsi)]
pub fn strip_ansi(text: &str) -> String {
    crate::report::strip_ansi(text)
}
