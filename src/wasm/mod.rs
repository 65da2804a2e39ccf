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
    if let Error::OutOfFuel { at: Some(at), .. } = e {
        let _ = js_sys::Reflect::set(&err, &"chunk".into(), &at.chunk.as_str().into());
        let _ = js_sys::Reflect::set(&err, &"line".into(), &(at.line as f64).into());
    }
    err.into()
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
/// arrays are kept as they are, for the conversion to read as before.
fn plain_copy(v: &JsValue, what: &str) -> Result<JsValue, Error> {
    use crate::ao::message::{too_deep, MAX_MESSAGE_DEPTH};
    use js_sys::{Array, Object, Reflect};
    use wasm_bindgen::JsCast;
    let refuse = |m: String| {
        if what == "message" {
            Error::BadMessage(m)
        } else {
            Error::BadOptions(format!("{what}: {m}"))
        }
    };
    let threw = |e: JsValue| {
        let text = e
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| e.as_string())
            .unwrap_or_else(|| "a value".into());
        refuse(format!("not a JSON-like value: reading it threw {text}"))
    };
    let holder = Array::new_with_length(1);
    // (container to write into, key there, value to copy, depth)
    let mut pending = vec![(
        JsValue::from(holder.clone()),
        JsValue::from(0),
        v.clone(),
        0,
    )];
    let mut containers = 0usize;
    while let Some((into, key, v, depth)) = pending.pop() {
        let copy = if !v.is_object() || v.is_function() {
            v
        } else {
            if depth >= MAX_MESSAGE_DEPTH {
                return Err(if what == "message" {
                    too_deep()
                } else {
                    refuse(format!(
                        "nests arrays or objects deeper than {MAX_MESSAGE_DEPTH} levels"
                    ))
                });
            }
            containers += 1;
            if containers > MAX_JS_CONTAINERS {
                return Err(refuse(format!(
                    "holds more than {MAX_JS_CONTAINERS} arrays and objects"
                )));
            }
            // A revoked proxy or a throwing trap fails here, caught, before any other look.
            Reflect::get_prototype_of(&v).map_err(threw)?;
            if Array::is_array(&v) {
                let length = Reflect::get(&v, &"length".into()).map_err(threw)?;
                let n = length.as_f64().unwrap_or(0.0).clamp(0.0, u32::MAX as f64) as u32;
                if n as usize > MAX_JS_CONTAINERS {
                    return Err(refuse(format!(
                        "holds an array of {n} items, more than {MAX_JS_CONTAINERS}"
                    )));
                }
                let copy = Array::new_with_length(n);
                for i in 0..n {
                    let item = Reflect::get_u32(&v, i).map_err(threw)?;
                    pending.push((copy.clone().into(), JsValue::from(i), item, depth + 1));
                }
                copy.into()
            } else if v.has_type::<js_sys::Map>()
                || Reflect::has(&v, &js_sys::Symbol::iterator()).map_err(threw)?
            {
                v
            } else {
                let copy = Object::new();
                for k in Reflect::own_keys(&v).map_err(threw)?.iter() {
                    if !k.is_string() {
                        continue;
                    }
                    let d = Reflect::get_own_property_descriptor(v.unchecked_ref::<Object>(), &k)
                        .map_err(threw)?;
                    let enumerable = !d.is_undefined()
                        && Reflect::get(&d, &"enumerable".into())
                            .map_err(threw)?
                            .is_truthy();
                    if enumerable {
                        let item = Reflect::get(&v, &k).map_err(threw)?;
                        // The key now, so the copy keeps the order (its value comes later).
                        Reflect::set(&copy, &k, &JsValue::UNDEFINED).map_err(threw)?;
                        pending.push((copy.clone().into(), k, item, depth + 1));
                    }
                }
                copy.into()
            }
        };
        Reflect::set(&into, &key, &copy).map_err(threw)?;
    }
    Ok(holder.get(0))
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
