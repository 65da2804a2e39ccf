//! `Console` for JS: the console behind `npx aolite repl`.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{from_js, js_error, to_js};
use crate::ao::{Process as EngineProcess, ProcessOptions};
use crate::console::{Console as EngineConsole, Step};

#[wasm_bindgen]
pub struct Console {
    inner: EngineConsole,
}

#[derive(Serialize)]
struct StepJs {
    #[serde(skip_serializing_if = "Option::is_none")]
    print: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    load: Option<String>,
    exit: bool,
}

#[wasm_bindgen]
impl Console {
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "ProcessOptions")] options: JsValue,
    ) -> Result<Console, JsValue> {
        let json = from_js(options, "options")?;
        let options = ProcessOptions::from_json(&json).map_err(|e| js_error(&e))?;
        let process = EngineProcess::new(options).map_err(|e| js_error(&e))?;
        Ok(Console {
            inner: EngineConsole::new(process),
        })
    }

    pub fn banner(&self) -> String {
        self.inner.banner()
    }

    pub fn prompt(&mut self) -> String {
        self.inner.prompt()
    }

    /// Handles one input line: `{print?, load?, exit}`.
    #[wasm_bindgen(unchecked_return_type = "{ print?: string; load?: string; exit: boolean }")]
    pub fn line(&mut self, line: &str) -> Result<JsValue, JsValue> {
        let step = match self.inner.line(line) {
            Step::Print(text) => StepJs {
                print: Some(text),
                load: None,
                exit: false,
            },
            Step::Load(path) => StepJs {
                print: None,
                load: Some(path),
                exit: false,
            },
            Step::Exit => StepJs {
                print: None,
                load: None,
                exit: true,
            },
        };
        to_js(&step)
    }

    /// Evaluates a file's text after a `load` step; returns what to print.
    #[wasm_bindgen(js_name = evalSource)]
    pub fn eval_source(&mut self, source: &str) -> String {
        self.inner.eval_source(source)
    }
}
