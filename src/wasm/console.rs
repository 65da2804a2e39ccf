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

fn step_js(step: Step) -> Result<JsValue, JsValue> {
    let mut js = StepJs {
        print: None,
        load: None,
        export: None,
        import: None,
        exit: false,
    };
    match step {
        Step::Print(text) => js.print = Some(text),
        Step::Load(path) => js.load = Some(path),
        Step::Export { path, text } => js.export = Some(ExportJs { path, text }),
        Step::Import(path) => js.import = Some(path),
        Step::Exit => js.exit = true,
    }
    to_js(&js)
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

    pub fn banner(&mut self) -> String {
        self.inner.banner()
    }

    pub fn prompt(&mut self) -> String {
        self.inner.prompt()
    }

    /// Handles one input line: `{print?, load?, export?, import?, exit}`.
    #[wasm_bindgen(
        unchecked_return_type = "{ print?: string; load?: string; export?: { path: string; text: string }; import?: string; exit: boolean }"
    )]
    pub fn line(&mut self, line: &str) -> Result<JsValue, JsValue> {
        step_js(self.inner.line(line))
    }

    /// The end of the input (Ctrl-D): runs what the editor holds (a `print` step), or
    /// leaves (`exit`).
    #[wasm_bindgen(
        js_name = endOfInput,
        unchecked_return_type = "{ print?: string; exit: boolean }"
    )]
    pub fn end_of_input(&mut self) -> Result<JsValue, JsValue> {
        step_js(self.inner.end_of_input())
    }

    /// Ctrl-C at the prompt: drops the editor's lines or an unfinished chunk; returns what
    /// to print.
    pub fn cancel(&mut self) -> String {
        self.inner.cancel()
    }

    /// Whether `.editor` is collecting lines.
    #[wasm_bindgen(js_name = inEditor)]
    pub fn in_editor(&self) -> bool {
        self.inner.in_editor()
    }

    /// Sets the check asked between execution slices: when `check()` returns true, the
    /// running input stops (it fails; the process stays as it was). `undefined` removes it.
    #[wasm_bindgen(js_name = setInterrupt)]
    pub fn set_interrupt(&mut self, check: Option<js_sys::Function>) {
        let interrupt = check.map(|f| {
            std::rc::Rc::new(move || {
                f.call0(&JsValue::NULL)
                    .map(|v| v.is_truthy())
                    .unwrap_or(false)
            }) as crate::vm::Interrupt
        });
        self.inner.set_interrupt(interrupt);
    }

    /// Evaluates the text of the file `path` after a `load` step; says what it loaded
    /// (size, handlers added) and what it printed.
    #[wasm_bindgen(js_name = loadSource)]
    pub fn load_source(&mut self, path: &str, source: &str) -> String {
        self.inner.load_source(path, source)
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
