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
    #[serde(skip_serializing_if = "Option::is_none")]
    export: Option<ExportJs>,
    #[serde(skip_serializing_if = "Option::is_none")]
    import: Option<String>,
    exit: bool,
}

#[derive(Serialize)]
struct ExportJs {
    path: String,
    text: String,
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

    /// A console over a process rebuilt from a state document.
    #[wasm_bindgen(js_name = fromState)]
    pub fn from_state(doc: &str) -> Result<Console, JsValue> {
        let process = EngineProcess::import_state(doc).map_err(|e| js_error(&e))?;
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
    #[wasm_bindgen(
        unchecked_return_type = "{ print?: string; load?: string; export?: { path: string; text: string }; import?: string; exit: boolean }"
    )]
    pub fn line(&mut self, line: &str) -> Result<JsValue, JsValue> {
        let mut step = StepJs {
            print: None,
            load: None,
            export: None,
            import: None,
            exit: false,
        };
        match self.inner.line(line) {
            Step::Print(text) => step.print = Some(text),
            Step::Load(path) => step.load = Some(path),
            Step::Export { path, text } => step.export = Some(ExportJs { path, text }),
            Step::Import(path) => step.import = Some(path),
            Step::Exit => step.exit = true,
        }
        to_js(&step)
    }

    /// Evaluates a file's text after a `load` step; returns what to print.
    #[wasm_bindgen(js_name = evalSource)]
    pub fn eval_source(&mut self, source: &str) -> String {
        self.inner.eval_source(source)
    }

    /// Replaces the process by a state document's (after an `import` step); returns what
    /// to print.
    #[wasm_bindgen(js_name = importSource)]
    pub fn import_source(&mut self, text: &str) -> String {
        self.inner.import_source(text)
    }
}
