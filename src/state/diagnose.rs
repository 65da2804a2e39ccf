//! Diagnosing a message: re-running it on a copy of the process compiled in diagnostic mode
//! (see [`crate::vm::diagnostics`]) for the errors Lua would give.
//!
//! Everything is deterministic, so the copy (the process exported and imported with every
//! chunk recompiled instrumented, from the state before the message) meets the same errors
//! again, this time with the position and name of a call error, the caller's position for
//! `error(msg, 2)` and the frames that led there. The copy is then dropped. It is used in two
//! ways, and only when the first run met an error lacking detail:
//! - a message that fails: the copy's error replaces the first run's (same error, more
//!   detail), and its frames fill `ErrorInfo.traceback`;
//! - a message that caught such an error (`pcall`, `xpcall`, `coroutine.resume`): the values
//!   the copy handed back for its errors, in order, replace the first run's in a third run
//!   on the process itself (rolled back to before the message), so what the program did
//!   with them (a reply, a stored text, a print) is what it does under Lua. When the copy's
//!   values do not line up with the first run's (another count, a different error), or the
//!   third run meets anything else than the copy did, the message is run again plainly: its
//!   result is exactly the first run's.
//!
//! Its cost is an export, an import and two more runs of the message: paid by messages that
//! met such an error only.

use super::import;
use crate::ao::outcome::{ErrorInfo, Outcome};
use crate::ao::process::{eval_error_text, Diagnostics, Process};
use crate::error::{Error, Position};
use crate::vm::diagnostics::{self, Caught};
use crate::vm::runaway::{plain_lookup, Counting, Stop};
use crate::vm::Vm;

/// How a message is run.
pub(crate) enum Pass {
    /// The first run: when it caught an error lacking detail (and can be run again), it is
    /// rolled back and given back for a diagnosis ([`Dispatched::Redo`]).
    First,
    /// A run handing back these (diagnosed) values for its caught errors: given back when they
    /// do not line up.
    Substitute(Caught),
    /// A run whose result is kept.
    Plain,
    /// A plain run of a message whose diagnostic copy caught Lua's `stack overflow` and
    /// went on: raising each overflow where the copy did (see `vm::runaway::Counting`) and
    /// handing back the copy's values for its caught errors. Kept only when it ends as the
    /// copy's run did (the same outcome and data), else rolled back and given back.
    Overflow(Box<CaughtOverflow>),
}

/// What the diagnostic copy of a message that ran out like a deep recursion found (see
/// [`Process::diagnose_overflow`]).
enum Overflow {
    /// The message fails there: its result.
    Failed(Box<Result<Outcome, Error>>),
    /// The program caught it and went on.
    Caught(Box<CaughtOverflow>),
}

/// How the diagnostic copy's run of a message that overflowed and went on ended (see
/// [`Pass::Overflow`]).
pub(crate) struct CaughtOverflow {
    outcome: Outcome,
    /// The copy's data after the message (see [`data_fingerprint`]).
    fingerprint: String,
    /// Where the copy raised each overflow (see `vm::runaway::Counting`).
    raises: Vec<(u64, Vec<u8>)>,
    caught: Caught,
}

/// The data reachable from the globals, comparable between a diagnostic copy and the plain
/// process (see `vm::fingerprint::data_fingerprint`).
fn data_fingerprint(vm: &mut Vm) -> String {
    vm.enter(|ctx| crate::vm::fingerprint::data_fingerprint(ctx, ctx.globals()))
}

/// Whether `plain` (a plain run's outcome) is what the copy's run gave (`copy`), fuel and
/// the diagnostic additions aside.
fn same_outcome(plain: &Outcome, copy: &Outcome) -> bool {
    plain.output == copy.output
        && plain.messages == copy.messages
        && plain.spawns == copy.spawns
        && plain.assignments == copy.assignments
        && plain.error == copy.error
        && plain.error_value == copy.error_value
        && plain.handlers == copy.handlers
}

/// How a run ended.
pub(crate) enum Dispatched {
    Done(Result<Outcome, Error>),
    /// Rolled back for another run: its result and the values it caught.
    Redo(Result<Outcome, Error>, Caught),
}

/// A run under way (see [`Pass::begin`]).
pub(crate) struct Running {
    first: bool,
    substituting: bool,
    /// For [`Pass::Overflow`]: its counting and what it must end as.
    overflow: Option<(Counting, Box<CaughtOverflow>)>,
}

impl Pass {
    /// Starts a run of this pass on `vm`: forgets what earlier runs noted.
    pub(crate) fn begin(self, vm: &mut Vm) -> Running {
        vm.enter(diagnostics::take_degraded);
        let (first, replacements, overflow) = match self {
            Pass::First => (true, None, None),
            Pass::Substitute(values) => (false, Some(values), None),
            Pass::Plain => (false, None, None),
            Pass::Overflow(copy) => {
                let counting = Counting::start(copy.raises.clone());
                (false, Some(copy.caught.clone()), Some((counting, copy)))
            }
        };
        let substituting = replacements.is_some();
        vm.enter(|ctx| diagnostics::begin_run(ctx, replacements));
        Running {
            first,
            substituting,
            overflow,
        }
    }
}

impl Running {
    /// Ends the run (`outcome`: what it returned, with or without an `Error`; `None` when it
    /// failed outside the handlers): `Some` with the values it noted when it is to be rolled
    /// back and given back ([`Dispatched::Redo`]). A first run is given back when it can be
    /// run again and met an error lacking detail, or, when it succeeded, took a traceback; a
    /// substituting run when its values did not line up; an overflow run when it did not
    /// end as the copy's.
    pub(crate) fn end(self, vm: &mut Vm, outcome: Option<&Outcome>) -> Option<Caught> {
        let ok = outcome.is_some();
        let succeeded = outcome.is_some_and(|o| o.error.is_none());
        let end = vm.enter(diagnostics::end_run);
        if let Some((counting, copy)) = self.overflow {
            let kept = succeeded
                && end.lined_up
                && counting.all_raised()
                && outcome.is_some_and(|o| same_outcome(o, &copy.outcome))
                && data_fingerprint(vm) == copy.fingerprint;
            return (!kept).then(|| vm.enter(diagnostics::take_caught));
        }
        let redo = if self.first {
            end.repeatable
                && ok
                && vm.enter(|ctx| {
                    diagnostics::degraded(ctx) || (succeeded && diagnostics::was_traced(ctx))
                })
        } else {
            self.substituting && (!end.lined_up || !ok)
        };
        redo.then(|| vm.enter(diagnostics::take_caught))
    }
}

impl Dispatched {
    fn result(self) -> Result<Outcome, Error> {
        match self {
            Dispatched::Done(r) | Dispatched::Redo(r, _) => r,
        }
    }
}

/// What the diagnostic copy's run gave: its error (for a failed message), the frames of that
/// error and the values it handed back for caught errors.
struct CopyRun {
    error: Option<String>,
    trace: Vec<diagnostics::TraceFrame>,
    caught: Caught,
}

impl Process {
    /// When messages are re-run for better errors ([`Diagnostics::Auto`] unless set).
    pub fn set_diagnostics(&mut self, when: Diagnostics) {
        self.diagnose = when;
    }

    /// Runs a message: `run` makes one run of it (see [`Pass`]); `rerun` the same message on
    /// the diagnostic copy. See the module docs.
    pub(crate) fn run_passes(
        &mut self,
        run: impl FnMut(&mut Process, Pass) -> Dispatched,
        rerun: impl Fn(&mut Process) -> Result<Outcome, Error>,
    ) -> Result<Outcome, Error> {
        let watch = self.diagnose != Diagnostics::Off;
        self.run_passes_watching(run, rerun, watch)
    }

    /// [`Process::run_passes`], its first run watched for depth (see `Vm::watch_depth`)
    /// when `watch`.
    fn run_passes_watching(
        &mut self,
        mut run: impl FnMut(&mut Process, Pass) -> Dispatched,
        rerun: impl Fn(&mut Process) -> Result<Outcome, Error>,
        watch: bool,
    ) -> Result<Outcome, Error> {
        let first = match self.diagnose {
            Diagnostics::Off => Pass::Plain,
            Diagnostics::Auto | Diagnostics::Always => Pass::First,
        };
        self.vm.watch_depth(watch);
        let ran = run(self, first);
        self.vm.watch_depth(false);
        let watched_out = self.vm.take_depth_stop();
        let (first, caught) = match ran {
            Dispatched::Done(result @ Err(Error::OutOfMemory { .. } | Error::OutOfFuel { .. }))
                if self.diagnose != Diagnostics::Off && self.vm.ran_out_like_recursion() =>
            {
                match self.diagnose_overflow(&rerun) {
                    Some(Overflow::Failed(failed)) => return *failed,
                    Some(Overflow::Caught(copy)) => {
                        if let Dispatched::Done(kept) = run(self, Pass::Overflow(copy)) {
                            return kept;
                        }
                        // It did not end as the copy's (rolled back): as if no overflow.
                    }
                    None => {}
                }
                return if watched_out {
                    // Stopped for its depth alone: it runs again as it would have.
                    self.run_passes_watching(run, rerun, false)
                } else {
                    result
                };
            }
            Dispatched::Done(Err(Error::OutOfFuel { limit, at: None }))
                if self.diagnose != Diagnostics::Off =>
            {
                let at = match self.vm.take_fuel_stop() {
                    Some(stop) => self.locate_runaway(stop, rerun),
                    None => None,
                };
                return Err(Error::OutOfFuel { limit, at });
            }
            Dispatched::Done(mut result) => {
                self.diagnose_failure(&mut result, None, rerun);
                return result;
            }
            Dispatched::Redo(first, caught) => (first, caught),
        };
        let copy = self.rerun_diagnostic(rerun);
        let failed = !matches!(&first, Ok(o) if o.error.is_none());
        let replacements = copy.as_ref().and_then(|c| caught.replacements(&c.caught));
        let mut result = match replacements {
            Some(values) => match run(self, Pass::Substitute(values)) {
                Dispatched::Done(result) => result,
                // A failed message was rolled back: its first result is as good as a new one.
                Dispatched::Redo(..) if failed => first,
                Dispatched::Redo(..) => run(self, Pass::Plain).result(),
            },
            None if failed => first,
            // Nothing to change, but the first run was rolled back: run it again as it was.
            None => run(self, Pass::Plain).result(),
        };
        self.diagnose_failure(&mut result, Some(copy), |_| unreachable_rerun());
        result
    }

    /// Completes the error of a failed message (`result`), with the diagnostic copy's run if
    /// there was one (`diagnosed`), else by re-running it with `rerun` on a diagnostic copy
    /// when its error lacks detail. Successes are left as they are.
    fn diagnose_failure(
        &mut self,
        result: &mut Result<Outcome, Error>,
        diagnosed: Option<Option<CopyRun>>,
        rerun: impl FnOnce(&mut Process) -> Result<Outcome, Error>,
    ) {
        let degraded = self.vm.enter(diagnostics::take_degraded);
        let Ok(outcome) = result else {
            return;
        };
        let Some(text) = outcome.error.clone() else {
            return;
        };
        if outcome.error_value.is_some() {
            // A value the program returned as its error (an Eval's second result): no Lua
            // error, nothing to diagnose.
            outcome.error_info = Some(ErrorInfo::new(&text, Vec::new()));
            return;
        }
        let copy = match diagnosed {
            Some(copy) => copy,
            None => {
                let rerun_now = match self.diagnose {
                    Diagnostics::Off => false,
                    Diagnostics::Auto => degraded || diagnostics::needs_diagnosis(&text),
                    Diagnostics::Always => true,
                };
                if rerun_now {
                    self.rerun_diagnostic(rerun)
                } else {
                    None
                }
            }
        };
        let mut frames = Vec::new();
        if let Some(CopyRun {
            error: Some(better),
            trace,
            ..
        }) = copy
        {
            // Only the error itself is taken from the copy: what the run printed (aos puts
            // its logs in front) stays as it was.
            let (first, again) = (eval_error_text(&text), eval_error_text(&better));
            if !first.is_empty() && diagnostics::same_error(&first, &again) {
                outcome.error = Some(text.replace(&first, &again));
                frames = trace;
            }
        }
        let error = outcome.error.as_deref().unwrap_or_default();
        outcome.error_info = Some(ErrorInfo::new(error, frames));
    }

    /// A message that ran out of memory or fuel, or was stopped by the depth watch (already
    /// rolled back), as deep recursion does may have recursed past Lua's limit, where Lua
    /// stops it with `stack overflow`: piccolo has no depth limit, so
    /// the diagnostic copy, which counts Lua's stack slots, runs it again. When the copy
    /// meets a `stack overflow` and the message fails there (uncaught, or caught by the
    /// handlers' own `pcall`, as aos does), the copy's failed outcome is the message's
    /// (`Some`): a failure changes no state, so nothing has to be brought back from the
    /// copy. When the program catches the overflow itself and goes on, what it changed lives
    /// in the copy only, and the first run's result stands (`None`, as when the copy meets
    /// no overflow).
    fn diagnose_overflow(
        &mut self,
        rerun: impl FnOnce(&mut Process) -> Result<Outcome, Error>,
    ) -> Option<Overflow> {
        let doc = self.export_state().ok()?;
        let mut copy = import::import_mode(&doc, true).ok()?;
        copy.vm
            .set_limits(diagnostics::overflow_limits(*self.vm.limits()));
        let counting = Counting::start(Vec::new());
        let again = rerun(&mut copy);
        let raises = counting.into_noted();
        if !copy.vm.enter(diagnostics::overflowed) {
            return None;
        }
        match again {
            Ok(outcome) if outcome.error.is_none() => {
                // Caught by the program, which went on: the process runs it again, raising
                // the overflows where the copy met them (see `Pass::Overflow`).
                let caught = copy.vm.enter(diagnostics::take_caught);
                if raises.is_empty() || caught.overflow {
                    return None;
                }
                let fingerprint = data_fingerprint(&mut copy.vm);
                Some(Overflow::Caught(Box::new(CaughtOverflow {
                    outcome,
                    fingerprint,
                    raises,
                    caught,
                })))
            }
            Ok(mut outcome) => {
                let error = outcome.error.clone()?;
                let inner = eval_error_text(&error);
                let trace = copy
                    .vm
                    .enter(|ctx| diagnostics::origin_trace_of(ctx, inner.as_bytes()))
                    .unwrap_or_default();
                outcome.error_info = Some(ErrorInfo::new(&error, trace));
                Some(Overflow::Failed(Box::new(Ok(outcome))))
            }
            Err(Error::Lua(text)) if text.contains("stack overflow") => {
                Some(Overflow::Failed(Box::new(Err(Error::Lua(text)))))
            }
            Err(_) => None,
        }
    }

    /// The line a message that ran out of fuel in a loop calling none of our helpers was
    /// running (see `crate::vm::runaway`): the diagnostic copy, given the same fuel, runs the
    /// message looking for the frames it stopped in, and is stopped as soon as it meets them.
    fn locate_runaway(
        &mut self,
        stop: Stop,
        rerun: impl FnOnce(&mut Process) -> Result<Outcome, Error>,
    ) -> Option<Position> {
        // Finding the line may cost about what the runaway did: a state whose document
        // passes one byte per [`FUEL_PER_COPIED_BYTE`] of the fuel limit is not copied.
        let budget = self.vm.limits().fuel / FUEL_PER_COPIED_BYTE;
        let budget = usize::try_from(budget).unwrap_or(usize::MAX);
        let doc = self.export_state_within(budget).ok()?;
        let mut copy = import::import_mode(&doc, true).ok()?;
        let lookup = plain_lookup(self.vm.limits().source, crate::ao::runtime::reads_for);
        let found = copy.vm.aim_at_stop(stop, lookup);
        let limits = *copy.vm.limits();
        copy.vm.set_limits(crate::vm::Limits {
            fuel: self.vm.limits().fuel,
            ..limits
        });
        let _ = rerun(&mut copy);
        found.take()
    }

    fn rerun_diagnostic(
        &mut self,
        rerun: impl FnOnce(&mut Process) -> Result<Outcome, Error>,
    ) -> Option<CopyRun> {
        let doc = self.export_state().ok()?;
        let mut copy = import::import_mode(&doc, true).ok()?;
        let outcome = rerun(&mut copy).ok()?;
        let caught = copy.vm.enter(diagnostics::take_caught);
        let trace = match &outcome.error {
            Some(better) => {
                let inner = eval_error_text(better);
                copy.vm
                    .enter(|ctx| diagnostics::origin_trace_of(ctx, inner.as_bytes()))
                    .unwrap_or_default()
            }
            None => Vec::new(),
        };
        Some(CopyRun {
            error: outcome.error,
            trace,
            caught,
        })
    }
}

/// How much fuel of its limit a runaway message spends per byte of the state document copied
/// to find its line (see [`Process::locate_runaway`]): a copy (export, import, and the re-run
/// up to the loop) takes about as long per 8 bytes as piccolo takes per fuel unit, so under
/// the default 120 000 000 fuel a state of up to 15 MB is copied.
const FUEL_PER_COPIED_BYTE: u64 = 8;

/// The re-run [`Process::diagnose_failure`] is given when the copy has already run: never
/// called (the copy's run is passed in instead).
fn unreachable_rerun() -> Result<Outcome, Error> {
    Err(Error::Lua(
        "internal: a message was diagnosed twice".to_owned(),
    ))
}
