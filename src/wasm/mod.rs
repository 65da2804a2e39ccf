//! The wasm-bindgen layer: converts JS values, calls the engine, maps errors. Nothing else.
#![cfg_attr(not(test), forbid(clippy::unwrap_used))]

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
    err.into()
}

pub(crate) fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsValue> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_error(&Error::BadOptions(format!("cannot convert result: {e}"))))
}

/// Most arrays and objects a value from JS may hold (shared ones counted at each place).
const MAX_JS_CONTAINERS: usize = 1_000_000;

/// Why a JS value cannot be converted safely, if it cannot: the conversion recurses, and a
/// value nested too deeply would exhaust the wasm stack (a trap that poisons the module);
/// a value sharing its parts could expand without end. Walked without recursion.
fn js_shape_error(v: &JsValue, what: &str) -> Option<Error> {
    use crate::ao::message::{too_deep, MAX_MESSAGE_DEPTH};
    use wasm_bindgen::JsCast;
    let mut pending = vec![(v.clone(), 0usize)];
    let mut containers = 0usize;
    while let Some((v, depth)) = pending.pop() {
        if !v.is_object() || v.is_function() {
            continue;
        }
        if depth >= MAX_MESSAGE_DEPTH {
            return Some(if what == "message" {
                too_deep()
            } else {
                Error::BadOptions(format!(
                    "{what} nests arrays or objects deeper than {MAX_MESSAGE_DEPTH} levels"
                ))
            });
        }
        containers += 1;
        if containers > MAX_JS_CONTAINERS {
            let m = format!("{what} holds more than {MAX_JS_CONTAINERS} arrays and objects");
            return Some(if what == "message" {
                Error::BadMessage(m)
            } else {
                Error::BadOptions(m)
            });
        }
        let children = if js_sys::Array::is_array(&v) {
            js_sys::Array::from(&v)
        } else {
            js_sys::Object::values(v.unchecked_ref())
        };
        pending.extend(
            children
                .iter()
                .filter(|c| c.is_object())
                .map(|c| (c, depth + 1)),
        );
    }
    None
}

pub(crate) fn from_js(v: JsValue, what: &str) -> Result<serde_json::Value, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(serde_json::Value::Null);
    }
    if let Some(e) = js_shape_error(&v, what) {
        return Err(js_error(&e));
    }
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
}

/// Runs a plain Lua script: `{stdout, error?, code?}`.
#[wasm_bindgen(js_name = runLua, unchecked_return_type = "ScriptResult")]
pub fn run_lua(source: &str, chunk_name: Option<String>) -> Result<JsValue, JsValue> {
    let name = chunk_name.unwrap_or_else(|| "script".into());
    let out = crate::run_script(&name, source.as_bytes(), crate::Limits::default())
        .map_err(|e| js_error(&e))?;
    to_js(&ScriptResult {
        stdout: out.stdout_text(),
        error: out.error.as_ref().map(ToString::to_string),
        code: out.error.as_ref().map(Error::code),
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
