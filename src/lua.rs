//! Running plain Lua scripts (no process runtime): what `aolite lua FILE` does.

use crate::error::Error;
use crate::stdlib;
use crate::vm::{Completion, Limits, Vm};

/// What a script printed before it finished or failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptOutput {
    pub stdout: String,
    pub error: Option<Error>,
}

/// Runs `source` as a plain Lua 5.3 script named `chunk_name`, capturing its `print`s.
pub fn run_script(chunk_name: &str, source: &[u8], limits: Limits) -> Result<ScriptOutput, Error> {
    let mut vm = Vm::new(limits)?;
    stdlib::install(&mut vm);
    let error = match vm.load(chunk_name, source) {
        Err(e) => Some(e),
        Ok(f) => match vm.call(&f, |_| Vec::new(), |_, _| ()) {
            Ok(Completion::Returned(())) => None,
            Ok(Completion::Yielded(_)) => Some(Error::Lua(
                "attempt to yield from outside a coroutine".into(),
            )),
            Err(e) => Some(e),
        },
    };
    let stdout = String::from_utf8_lossy(&vm.host().borrow_mut().take_output()).into_owned();
    Ok(ScriptOutput { stdout, error })
}
