//! Diagnosing a failed message: re-running it on a copy of the process compiled in
//! diagnostic mode (see [`crate::vm::diagnostics`]) for the error Lua would give.
//!
//! The failed message was rolled back and everything is deterministic, so the copy (the
//! process exported and imported with every chunk recompiled instrumented) meets the same
//! error again, this time with the position and name of a call error, the caller's
//! position for `error(msg, 2)` and the frames that led there. Only that error is kept;
//! the copy is dropped. Its cost is an export and an import: paid by failed messages
//! only, and only when the first error lacks detail.

use super::import;
use crate::ao::outcome::{ErrorInfo, Outcome};
use crate::ao::process::{eval_error_text, Diagnostics, Process};
use crate::error::Error;
use crate::vm::diagnostics;

impl Process {
    /// When failed messages are re-run for a better error ([`Diagnostics::Auto`] unless
    /// set).
    pub fn set_diagnostics(&mut self, when: Diagnostics) {
        self.diagnose = when;
    }

    /// Completes the error of a failed message (`result`), re-running it with `rerun` on a
    /// diagnostic copy when its error lacks detail. Successes are left as they are.
    pub(crate) fn diagnose_failure(
        &mut self,
        result: &mut Result<Outcome, Error>,
        rerun: impl FnOnce(&mut Process) -> Result<Outcome, Error>,
    ) {
        let degraded = self.vm.enter(diagnostics::take_degraded);
        let Ok(outcome) = result else {
            return;
        };
        let Some(text) = outcome.error.clone() else {
            return;
        };
        let mut frames = Vec::new();
        let rerun_now = match self.diagnose {
            Diagnostics::Off => false,
            Diagnostics::Auto => degraded || diagnostics::needs_diagnosis(&text),
            Diagnostics::Always => true,
        };
        if rerun_now {
            if let Some((better, trace)) = self.rerun_diagnostic(rerun) {
                // Only the error itself is taken from the copy: what the first run printed
                // (aos puts its logs in front) stays as it was.
                let (first, again) = (eval_error_text(&text), eval_error_text(&better));
                if !first.is_empty() && diagnostics::same_error(&first, &again) {
                    outcome.error = Some(text.replace(&first, &again));
                    frames = trace;
                }
            }
        }
        let error = outcome.error.as_deref().unwrap_or_default();
        outcome.error_info = Some(ErrorInfo::new(error, frames));
    }

    fn rerun_diagnostic(
        &mut self,
        rerun: impl FnOnce(&mut Process) -> Result<Outcome, Error>,
    ) -> Option<(String, Vec<diagnostics::TraceFrame>)> {
        let doc = self.export_state().ok()?;
        let mut copy = import::import_mode(&doc, true).ok()?;
        let better = rerun(&mut copy).ok()?.error?;
        let inner = eval_error_text(&better);
        let trace = copy
            .vm
            .enter(|ctx| diagnostics::trace_of(ctx, inner.as_bytes()))
            .unwrap_or_default();
        Some((better, trace))
    }
}
