//! `Process` for JS.

use wasm_bindgen::prelude::*;

use super::{from_js, js_error, json_js, to_js};
use crate::ao::{Process as EngineProcess, ProcessOptions};
use crate::error::Error;

#[wasm_bindgen]
pub struct Process {
    inner: EngineProcess,
}

#[wasm_bindgen]
impl Process {
    /// `new Process({id, owner, module, tags, authorities, timestamp, clockStep, blockHeight,
    /// limits})`
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

    /// The process clock, ms since the epoch: the latest message's `Timestamp` (a message
    /// without one moves it by the `clockStep` option).
    #[wasm_bindgen(getter)]
    pub fn clock(&self) -> f64 {
        self.inner.clock() as f64
    }

    /// Evaluates Lua source as the owner through aos's Eval: `{output}`. Throws on errors, and
    /// with `NOT_HANDLED` when no handler took the Eval message (nothing is then kept).
    #[wasm_bindgen(unchecked_return_type = "EvalOutput")]
    pub fn eval(&mut self, source: &str) -> Result<JsValue, JsValue> {
        let out = self.inner.eval(source).map_err(|e| js_error(&e))?;
        to_js(&out)
    }

    /// Runs Lua source in the process as the host, whatever its handlers do (no message,
    /// the clock stays): `{output}` with what it printed and returned. Throws on errors.
    #[wasm_bindgen(unchecked_return_type = "EvalOutput")]
    pub fn evaluate(&mut self, source: &str) -> Result<JsValue, JsValue> {
        let out = self.inner.evaluate(source).map_err(|e| js_error(&e))?;
        to_js(&out)
    }

    /// Evaluates Lua source as the owner through aos's Eval and returns the whole outcome
    /// (a Lua error is its `Error`, with `Diff` when diffs are on); only source that cannot
    /// compile throws.
    #[wasm_bindgen(js_name = evalOutcome, unchecked_return_type = "Outcome")]
    pub fn eval_outcome(&mut self, source: &str) -> Result<JsValue, JsValue> {
        let out = self.inner.eval_outcome(source).map_err(|e| js_error(&e))?;
        json_js(&out)
    }

    /// Sends one message: the outcome `{Output, Messages, Spawns, Assignments, Error, GasUsed}`.
    #[wasm_bindgen(unchecked_return_type = "Outcome")]
    pub fn send(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Message")] message: JsValue,
    ) -> Result<JsValue, JsValue> {
        let json = from_js(message, "message")?;
        let out = self.inner.send_json(&json).map_err(|e| js_error(&e))?;
        json_js(&out)
    }

    /// `send` of a message given as JSON text: the package's wrapper sends plain messages so
    /// (one string instead of a conversion property by property; `guard.js`).
    #[wasm_bindgen(js_name = sendText, skip_typescript)]
    pub fn send_text(&mut self, message: &str) -> Result<JsValue, JsValue> {
        let json = json_message(message)?;
        let out = self.inner.send_json(&json).map_err(|e| js_error(&e))?;
        json_js(&out)
    }

    /// `dryRun` of a message given as JSON text (see `sendText`).
    #[wasm_bindgen(js_name = dryRunText, skip_typescript)]
    pub fn dry_run_text(&mut self, message: &str) -> Result<JsValue, JsValue> {
        let json = json_message(message)?;
        let out = self.inner.dry_run_json(&json).map_err(|e| js_error(&e))?;
        json_js(&out)
    }

    /// `handle` of a message and env given as JSON text (see `sendText`).
    #[wasm_bindgen(js_name = handleText, skip_typescript)]
    pub fn handle_text(&mut self, message: &str, env: &str) -> Result<JsValue, JsValue> {
        let (msg, env) = (json_message(message)?, json_message(env)?);
        let out = self
            .inner
            .handle_raw(&msg, &env)
            .map_err(|e| js_error(&e))?;
        json_js(&out)
    }

    /// `send` for `aolite run --json`: the message as JSON text in, `[line, failed]` out,
    /// where `line` is the outcome as the JSON text the native CLI prints for it and `failed`
    /// whether it has an `Error`. Neither the message nor the outcome becomes a JS object
    /// (the conversions both ways were about a tenth of a message's time in the Node CLI).
    #[wasm_bindgen(js_name = sendLine, unchecked_return_type = "[string, boolean]")]
    pub fn send_line(&mut self, message: &str) -> Result<JsValue, JsValue> {
        let json = json_message(message)?;
        let out = self.inner.send_json(&json).map_err(|e| js_error(&e))?;
        let line = serde_json::to_string(&out)
            .map_err(|e| js_error(&Error::BadOptions(format!("cannot convert result: {e}"))))?;
        let pair = js_sys::Array::new();
        pair.push(&JsValue::from(line));
        pair.push(&JsValue::from(out.error.is_some()));
        Ok(pair.into())
    }

    /// Evaluates a message without keeping its effects (a dry-run): the outcome only.
    #[wasm_bindgen(js_name = dryRun, unchecked_return_type = "Outcome")]
    pub fn dry_run(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Message")] message: JsValue,
    ) -> Result<JsValue, JsValue> {
        let json = from_js(message, "message")?;
        let out = self.inner.dry_run_json(&json).map_err(|e| js_error(&e))?;
        json_js(&out)
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
        json_js(&out)
    }

    /// The JSON view of one global variable.
    #[wasm_bindgen(js_name = getGlobal, unchecked_return_type = "JsonValue")]
    pub fn get_global(&mut self, name: &str) -> Result<JsValue, JsValue> {
        let v = self.inner.global_json(name).map_err(|e| js_error(&e))?;
        json_js(&v)
    }

    /// The whole process as a canonical JSON document (`format: "aolite-state/1"`); with
    /// `at`, as it was at that checkpoint.
    #[wasm_bindgen(js_name = exportState)]
    pub fn export_state(&mut self, at: Option<f64>) -> Result<String, JsValue> {
        match at {
            Some(id) => self.inner.export_state_at(id as u64),
            None => self.inner.export_state(),
        }
        .map_err(|e| js_error(&e))
    }

    /// Rebuilds a process from a document made by `exportState` (`{diff, log}` options).
    #[wasm_bindgen(js_name = importState)]
    pub fn import_state(
        doc: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "HistoryOptions")] options: JsValue,
    ) -> Result<Process, JsValue> {
        let options = from_js(options, "options")?;
        let mut inner = EngineProcess::import_state(doc).map_err(|e| js_error(&e))?;
        inner.set_history_options(&options);
        Ok(Process { inner })
    }

    /// SHA-256 (hex) of the exported document; with `at`, as it was at that checkpoint.
    #[wasm_bindgen(js_name = stateHash)]
    pub fn state_hash(&mut self, at: Option<f64>) -> Result<String, JsValue> {
        match at {
            Some(id) => self.inner.state_hash_at(id as u64),
            None => self.inner.state_hash(),
        }
        .map_err(|e| js_error(&e))
    }

    /// Marks the current state; returns the checkpoint's id.
    pub fn checkpoint(&mut self, name: Option<String>) -> f64 {
        self.inner.checkpoint(name.as_deref()) as f64
    }

    /// Returns to checkpoint `id` (state, clock, random generator, message log).
    pub fn rollback(&mut self, id: f64) -> Result<(), JsValue> {
        self.inner.rollback(id as u64).map_err(|e| js_error(&e))
    }

    /// Forgets checkpoint `id`.
    #[wasm_bindgen(js_name = dropCheckpoint)]
    pub fn drop_checkpoint(&mut self, id: f64) -> Result<(), JsValue> {
        self.inner
            .drop_checkpoint(id as u64)
            .map_err(|e| js_error(&e))
    }

    /// The checkpoints one can roll back to, oldest first.
    #[wasm_bindgen(unchecked_return_type = "Checkpoint[]")]
    pub fn checkpoints(&self) -> Result<JsValue, JsValue> {
        json_js(&self.inner.checkpoints())
    }

    /// An independent copy of this process; with `at`, as it was at that checkpoint.
    pub fn fork(&mut self, at: Option<f64>) -> Result<Process, JsValue> {
        let inner = match at {
            Some(id) => self.inner.fork_at(id as u64),
            None => self.inner.fork(),
        }
        .map_err(|e| js_error(&e))?;
        Ok(Process { inner })
    }

    /// The message log since spawn (or import): every message handled, with outcome hashes.
    #[wasm_bindgen(unchecked_return_type = "LogEntry[]")]
    pub fn history(&self) -> Result<JsValue, JsValue> {
        json_js(&self.inner.message_log())
    }

    /// The state document the message log starts from once it has restarted (it keeps at
    /// most 4 MB of messages, or its base's size if larger); `undefined` while it starts at the spawn or import.
    /// `Process.replay({ state: logBase() }, history())` rebuilds the present.
    #[wasm_bindgen(js_name = logBase)]
    pub fn log_base(&self) -> Option<String> {
        self.inner.log_base().map(str::to_owned)
    }

    /// Rebuilds a process from its spawn options (or `{state: doc}`) and a message log,
    /// checking every step's outcome hash (`REPLAY_MISMATCH` names the first that differs).
    pub fn replay(
        #[wasm_bindgen(unchecked_param_type = "ProcessOptions | { state: string }")] start: JsValue,
        #[wasm_bindgen(unchecked_param_type = "LogEntry[]")] log: JsValue,
    ) -> Result<Process, JsValue> {
        let start = from_js(start, "start")?;
        let log = from_js(log, "log")?;
        let log = EngineProcess::parse_log(&log).map_err(|e| js_error(&e))?;
        let inner = EngineProcess::replay_json(&start, &log).map_err(|e| js_error(&e))?;
        Ok(Process { inner })
    }

    /// Whether outcomes carry a `Diff` (also the `diff` spawn option).
    #[wasm_bindgen(js_name = setDiff)]
    pub fn set_diff(&mut self, on: bool) {
        self.inner.set_diff(on);
    }

    /// When a message is re-run for Lua's exact errors (a failure's error and traceback,
    /// errors caught by `pcall`, tracebacks): `"auto"` (the default), `"always"` or `"off"`
    /// (also the `diagnostics` spawn option).
    #[wasm_bindgen(js_name = setDiagnostics)]
    pub fn set_diagnostics(&mut self, when: &str) -> Result<(), JsValue> {
        let when = crate::ao::process::Diagnostics::parse(when).map_err(|e| js_error(&e))?;
        self.inner.set_diagnostics(when);
        Ok(())
    }

    /// Size and counts of the state, per top-level global; with `at`, as they were at that
    /// checkpoint.
    #[wasm_bindgen(unchecked_return_type = "Stats")]
    pub fn stats(&mut self, at: Option<f64>) -> Result<JsValue, JsValue> {
        match at {
            Some(id) => json_js(&self.inner.stats_at(id as u64).map_err(|e| js_error(&e))?),
            None => json_js(&self.inner.stats()),
        }
    }

    /// Plain JSON view of the named globals, or of all the process's own globals.
    #[wasm_bindgen(unchecked_return_type = "Record<string, JsonValue>")]
    pub fn view(&mut self, names: Option<Vec<String>>) -> Result<JsValue, JsValue> {
        json_js(&self.inner.view(names.as_deref()))
    }

    /// One page of the table at `path` (`[]`: the globals), optionally as it was at a
    /// checkpoint: `{offset, limit, search, at}`.
    #[wasm_bindgen(unchecked_return_type = "Inspection")]
    pub fn inspect(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "PathStep[]")] path: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "InspectOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let path = match from_js(path, "path")? {
            serde_json::Value::Array(steps) => steps,
            serde_json::Value::Null => Vec::new(),
            _ => return Err(js_error(&Error::BadOptions("path must be an array".into()))),
        };
        let options = from_js(options, "options")?;
        let (options, at) =
            crate::state::view::InspectOptions::from_json(&options).map_err(|e| js_error(&e))?;
        let page = self
            .inner
            .inspect(&path, &options, at)
            .map_err(|e| js_error(&e))?;
        json_js(&page)
    }
}

/// A message given as JSON text.
fn json_message(text: &str) -> Result<serde_json::Value, JsValue> {
    serde_json::from_str(text)
        .map_err(|e| js_error(&Error::BadMessage(format!("not a JSON-like value: {e}"))))
}
