//! Running plain Lua scripts (no process runtime): what `aolite lua FILE` does.

use crate::error::Error;
use crate::stdlib;
use crate::vm::diagnostics::{self, diagnostic_limits, needs_diagnosis, same_error};
use crate::vm::{Completion, Limits, Vm};

/// What a script printed before it finished or failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptOutput {
    /// The printed bytes, as they are (Lua strings need not be UTF-8).
    pub stdout: Vec<u8>,
    pub error: Option<Error>,
}

impl ScriptOutput {
    /// The printed text, with invalid UTF-8 replaced (for hosts that need text).
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// The source of a script file as `lua` loads it: a UTF-8 byte-order mark is skipped, and a
/// first line starting with `#` (`#!/usr/bin/env lua`) is blanked (its newline is kept, so
/// line numbers stay those of the file).
fn script_source(source: &[u8]) -> &[u8] {
    let source = source.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(source);
    if source.starts_with(b"#") {
        let end = source
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(source.len());
        &source[end..]
    } else {
        source
    }
}

/// Runs `source` as a plain Lua 5.3 script named `chunk_name`, capturing its `print`s.
///
/// A script that fails with an error piccolo reported without position or name (see
/// [`crate::vm::diagnostics`]) is run again in diagnostic mode, and that run's error is
/// reported when it is the same error with more detail; the output is the first run's.
pub fn run_script(chunk_name: &str, source: &[u8], limits: Limits) -> Result<ScriptOutput, Error> {
    let (stdout, error, degraded) = run_once(chunk_name, source, limits, false)?;
    let error = match error {
        Some(Error::Lua(text)) if degraded || needs_diagnosis(&text) => {
            let (_, again, _) = run_once(chunk_name, source, diagnostic_limits(limits), true)?;
            match again {
                Some(Error::Lua(better)) if same_error(&text, &better) => Some(Error::Lua(better)),
                _ => Some(Error::Lua(text)),
            }
        }
        other => other,
    };
    Ok(ScriptOutput { stdout, error })
}

type RunResult = (Vec<u8>, Option<Error>, bool);

fn run_once(
    chunk_name: &str,
    source: &[u8],
    limits: Limits,
    diagnostic: bool,
) -> Result<RunResult, Error> {
    let mut vm = Vm::new(limits)?;
    stdlib::install(&mut vm);
    vm.enter(|ctx| diagnostics::set_enabled(ctx, diagnostic));
    let error = match vm.load(chunk_name, script_source(source)) {
        Err(e) => Some(e),
        Ok(f) => match vm.call(&f, |_| Vec::new(), |_, _| ()) {
            Ok(Completion::Returned(())) => None,
            Ok(Completion::Yielded(_)) => Some(Error::Lua(
                "attempt to yield from outside a coroutine".into(),
            )),
            Err(e) => Some(e),
        },
    };
    let degraded = vm.enter(diagnostics::take_degraded);
    let stdout = vm.host().borrow_mut().take_output();
    Ok((stdout, error, degraded))
}
