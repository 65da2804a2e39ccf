//! Running plain Lua scripts (no process runtime): what `aolite lua FILE` does.

use crate::error::Error;
use crate::stdlib;
use crate::vm::compile::Reads;
use crate::vm::diagnostics::{
    self, diagnostic_limits, needs_diagnosis, overflow_limits, same_error, Caught,
};
use crate::vm::runaway::{plain_lookup, Stop};
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
/// A script that met an error piccolo reported without position or name (see
/// [`crate::vm::diagnostics`]) is run again in diagnostic mode:
/// - when it fails, that run's error is reported if it is the same error with more detail;
/// - when it caught such errors (`pcall`, `xpcall`, `coroutine.resume`) or took tracebacks
///   (`debug.traceback`, which outside diagnostic mode knows only the calling frame) or
///   asked how its function was called (`debug.getinfo(1, "n")`), it is
///   run a third time with the diagnostic run's values handed back in their place, so what it
///   printed with them is what Lua prints; if they do not line up, the first run stands.
///
/// A script that ran out of memory or fuel deep in recursion (see
/// [`Vm::ran_out_like_recursion`]) may have recursed without end, which Lua stops with
/// `stack overflow` (piccolo has no depth limit; diagnostic mode counts Lua's stack slots):
/// when the diagnostic run meets one, that whole run, from a fresh start like the first, is
/// the script's.
pub fn run_script(chunk_name: &str, source: &[u8], limits: Limits) -> Result<ScriptOutput, Error> {
    run_script_with_args(chunk_name, source, &[], limits)
}

/// [`run_script`] with command-line arguments, as `lua FILE ARGS...` runs a script: the
/// chunk gets them as `...`, and the global `arg` holds them at 1..n with the script's name
/// at 0 and the interpreter's words before it (`arg[-2] = "aolite"`, `arg[-1] = "lua"`).
pub fn run_script_with_args(
    chunk_name: &str,
    source: &[u8],
    args: &[Vec<u8>],
    limits: Limits,
) -> Result<ScriptOutput, Error> {
    let script = Script {
        name: chunk_name,
        source,
        args,
    };
    let mut first = run_once_in(&script, limits, Mode::Watched, None)?;
    let ran_out = matches!(
        first.error,
        Some(Error::OutOfMemory { .. } | Error::OutOfFuel { .. })
    );
    if ran_out && first.stack_like {
        // Under the script's own memory limit: a memory bomb pays at most twice.
        let again = run_once_in(&script, overflow_limits(limits), Mode::Diagnostic, None)?;
        // A copy that met the overflow but ran out of its own limits after it (going on
        // from a caught overflow) tells nothing more than the first run.
        let finished = !matches!(
            again.error,
            Some(Error::OutOfMemory { .. } | Error::OutOfFuel { .. })
        );
        if again.overflowed && finished {
            return Ok(again.output());
        }
        if !first.depth_stopped {
            return Ok(first.output());
        }
        // Stopped for its depth alone: it runs again as it would have.
        first = run_once(&script, limits, None)?;
    }
    if let (Some(Error::OutOfFuel { at: None, limit }), Some(stop)) =
        (&first.error, first.fuel_stop.clone())
    {
        let limit = *limit;
        let mut first = first;
        let at = runaway_line(&script, limits, stop);
        first.error = Some(Error::OutOfFuel { limit, at });
        return Ok(first.output());
    }
    let needs = match &first.error {
        Some(Error::Lua(text)) => needs_diagnosis(text),
        _ => false,
    };
    if !first.degraded && !first.traced && !needs {
        return Ok(first.output());
    }
    let diagnostic = diagnostic_limits(limits);
    let again = run_once_in(&script, diagnostic, Mode::Diagnostic, None)?;
    let mut kept = first;
    if let Some(values) = kept.caught.replacements(&again.caught) {
        let third = run_once(&script, limits, Some(values))?;
        if third.lined_up {
            kept = third;
        }
    }
    if let (Some(Error::Lua(text)), Some(Error::Lua(better))) = (&kept.error, &again.error) {
        if same_error(text, better) {
            kept.error = Some(Error::Lua(better.clone()));
        }
    }
    Ok(kept.output())
}

/// The line a script that ran out of fuel in a loop calling none of our helpers was running
/// (see `crate::vm::runaway`): a diagnostic re-run, with the same fuel, looks for the frames
/// it stopped in and is stopped as soon as it meets them.
fn runaway_line(script: &Script<'_>, limits: Limits, stop: Stop) -> Option<crate::error::Position> {
    let mut vm = Vm::new(limits).ok()?;
    stdlib::install(&mut vm);
    script.install_args(&mut vm);
    vm.enter(|ctx| {
        diagnostics::set_enabled(ctx, true);
        diagnostics::begin_run(ctx, None);
    });
    // A script's chunks all have Lua's reads.
    let found = vm.aim_at_stop(stop, plain_lookup(limits.source, |_, _| Reads::Lua));
    if let Ok(f) = vm.load(script.name, script_source(script.source)) {
        let _ = vm.call(&f, |ctx| script.varargs(ctx), |_, _| ());
    }
    found.take()
}

/// One run of a script.
struct Run {
    stdout: Vec<u8>,
    error: Option<Error>,
    /// It met an error lacking detail.
    degraded: bool,
    /// It took a traceback lacking callers.
    traced: bool,
    /// The error values it handed back to Lua.
    caught: Caught,
    /// Its substitution, if any, lined up.
    lined_up: bool,
    /// A call raised `stack overflow` (diagnostic mode).
    overflowed: bool,
    /// It ran out of memory or fuel as unbounded recursion does
    /// ([`Vm::ran_out_like_recursion`]).
    stack_like: bool,
    /// The depth watch stopped it (see [`Vm::watch_depth`]).
    depth_stopped: bool,
    /// It ran out of fuel here, in a loop that named no line (see [`Vm::take_fuel_stop`]).
    fuel_stop: Option<Stop>,
}

impl Run {
    fn output(self) -> ScriptOutput {
        ScriptOutput {
            stdout: self.stdout,
            error: self.error,
        }
    }
}

/// How a script is run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Plain,
    /// Plain, its depth watched (see `Vm::watch_depth`).
    Watched,
    Diagnostic,
}

/// A script and its command-line arguments.
struct Script<'a> {
    name: &'a str,
    source: &'a [u8],
    args: &'a [Vec<u8>],
}

impl Script<'_> {
    /// The global `arg`, as `lua` sets it.
    fn install_args(&self, vm: &mut Vm) {
        vm.enter(|ctx| {
            let arg = piccolo::Table::new(&ctx);
            let _ = arg.set(ctx, -2, ctx.intern(b"aolite"));
            let _ = arg.set(ctx, -1, ctx.intern(b"lua"));
            let _ = arg.set(ctx, 0, ctx.intern(self.name.as_bytes()));
            for (i, a) in self.args.iter().enumerate() {
                let _ = arg.set(ctx, i as i64 + 1, ctx.intern(a));
            }
            let _ = ctx.globals().set(ctx, "arg", arg);
        });
    }

    /// The arguments as the chunk's `...`.
    fn varargs<'gc>(&self, ctx: piccolo::Context<'gc>) -> Vec<piccolo::Value<'gc>> {
        self.args
            .iter()
            .map(|a| piccolo::Value::String(ctx.intern(a)))
            .collect()
    }
}

fn run_once(
    script: &Script<'_>,
    limits: Limits,
    replacements: Option<Caught>,
) -> Result<Run, Error> {
    run_once_in(script, limits, Mode::Plain, replacements)
}

fn run_once_in(
    script: &Script<'_>,
    limits: Limits,
    mode: Mode,
    replacements: Option<Caught>,
) -> Result<Run, Error> {
    let diagnostic = mode == Mode::Diagnostic;
    let mut vm = Vm::new(limits)?;
    vm.host().borrow_mut().scripted_io = true;
    vm.watch_depth(mode == Mode::Watched);
    stdlib::install(&mut vm);
    script.install_args(&mut vm);
    vm.enter(|ctx| {
        diagnostics::set_enabled(ctx, diagnostic);
        diagnostics::begin_run(ctx, replacements);
    });
    let error = match vm.load(script.name, script_source(script.source)) {
        Err(e) => Some(e),
        Ok(f) => match vm.call(&f, |ctx| script.varargs(ctx), |_, _| ()) {
            Ok(Completion::Returned(())) => None,
            Ok(Completion::Yielded(_)) => Some(Error::Lua(
                "attempt to yield from outside a coroutine".into(),
            )),
            Err(e) => Some(e),
        },
    };
    let end = vm.enter(diagnostics::end_run);
    let degraded = vm.enter(diagnostics::take_degraded);
    let traced = vm.enter(diagnostics::was_traced);
    let caught = vm.enter(diagnostics::take_caught);
    let overflowed = vm.enter(diagnostics::overflowed);
    let stack_like = vm.ran_out_like_recursion();
    let depth_stopped = vm.take_depth_stop();
    let fuel_stop = vm.take_fuel_stop();
    let stdout = vm.host().borrow_mut().take_output();
    Ok(Run {
        stdout,
        error,
        degraded,
        traced,
        caught,
        lined_up: end.lined_up,
        overflowed,
        stack_like,
        depth_stopped,
        fuel_stop,
    })
}
