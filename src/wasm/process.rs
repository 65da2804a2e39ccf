//! `Process` for JS.

use wasm_bindgen::prelude::*;

use super::{from_js, js_error, to_js};
use crate::ao::{Process as EngineProcess, ProcessOptions};

#[wasm_bindgen]
pub struct Process {
    inner: EngineProcess,
}

#[wasm_bindgen]
impl Process {
    /// `new Process({id, owner, module, tags, authorities, timestamp, blockHeight, limits})`
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "ProcessOptions")] options: JsValue,
    ) -> Result<Process, JsValue> {
        let json = from_js(options, "options")?;
        let options = ProcessOptions::from_json(&json).map_err(|e| js_error(&e))?;
        let inner = EngineProcess::new(options).map_err(|e| js_error(&e))?;
        Ok(Process { inner })
    }

    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.inner.id().to_owned()
    }

    #[wasm_bindgen(getter)]
    pub fn owner(&self) -> String {
        self.inner.owner().to_owned()
    }

    /// Evaluates Lua source as the owner through aos's Eval: `{output}`. Throws on errors.
    #[wasm_bindgen(unchecked_return_type = "EvalOutput")]
    pub fn eval(&mut self, source: &str) -> Result<JsValue, JsValue> {
        let out = self.inner.eval(source).map_err(|e| js_error(&e))?;
        to_js(&out)
    }

    /// Sends one message: the outcome `{Output, Messages, Spawns, Assignments, Error, GasUsed}`.
    #[wasm_bindgen(unchecked_return_type = "Outcome")]
    pub fn send(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Message")] message: JsValue,
    ) -> Result<JsValue, JsValue> {
        let json = from_js(message, "message")?;
        let out = self.inner.send_json(&json).map_err(|e| js_error(&e))?;
        to_js(&out)
    }

    /// Evaluates a message without keeping its effects (a dry-run): the outcome only.
    #[wasm_bindgen(js_name = dryRun, unchecked_return_type = "Outcome")]
    pub fn dry_run(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Message")] message: JsValue,
    ) -> Result<JsValue, JsValue> {
        let json = from_js(message, "message")?;
        let out = self.inner.dry_run_json(&json).map_err(|e| js_error(&e))?;
        to_js(&out)
    }

    /// Hands a message and env to the runtime exactly as given (ao-loader's `handle`).
    #[wasm_bindgen(unchecked_return_type = "Outcome")]
    pub fn handle(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Message")] message: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Env")] env: JsValue,
    ) -> Result<JsValue, JsValue> {
        let msg = from_js(message, "message")?;
        let env = from_js(env, "message")?;
        let out = self
            .inner
            .handle_raw(&msg, &env)
            .map_err(|e| js_error(&e))?;
        to_js(&out)
    }

    /// The JSON view of one global variable.
    #[wasm_bindgen(js_name = getGlobal, unchecked_return_type = "JsonValue")]
    pub fn get_global(&mut self, name: &str) -> Result<JsValue, JsValue> {
        let v = self.inner.global_json(name).map_err(|e| js_error(&e))?;
        to_js(&v)
    }
}
