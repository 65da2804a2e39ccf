//! `string.find`, `match`, `gmatch` and `gsub` on piccolo, over the engine-agnostic matcher
//! in [`crate::stdlib::lua_pattern`].
//!
//! Matching runs inside a callback, where the VM cannot interrupt it, so every call has a
//! step budget ("pattern too complex" past it) and pays fuel for the steps it used.
//! `gsub` with a function (or a table with `__index`) replacement is a [`Sequence`] that calls
//! back into Lua between matches; plain string and table replacements never leave Rust.

use std::cell::RefCell;

use gc_arena::Collect;
use piccolo::{
    meta_ops::{self, MetaResult},
    BoxSequence, Callback, CallbackReturn, Context, Error, Execution, Function, Sequence,
    SequencePoll, Stack, String, Value,
};

use super::{posrelat, CallbackResult, MAX_STRING_LEN};
use crate::stdlib::args::lua_error;
use crate::stdlib::args::{
    arg_error, byte_fuel, check_bytes, new_string, new_string_from, opt_integer, to_bytes,
    type_error,
};
use crate::stdlib::lua_number::{fmt_float, fmt_integer};
use crate::stdlib::lua_pattern::{
    expand_replacement, find_plain, has_specials, Capture, GlobalState, Match, Matcher,
    PatternError,
};
use crate::vm::budget;

/// Matcher steps one library call may spend (about half a second of backtracking natively;
/// PUC Lua has no such limit and would run on).
const STEP_LIMIT: u64 = 100_000_000;
/// Matcher steps per unit of fuel: a step (a byte or pattern item tried, ~5 ns natively) is
/// a few times cheaper than a VM instruction.
const STEPS_PER_FUEL: u64 = 4;

fn step_fuel(steps: u64) -> i32 {
    i32::try_from(steps / STEPS_PER_FUEL).unwrap_or(i32::MAX)
}

/// The steps a match may take: at most `limit`, and no more than the running call's fuel
/// pays for (see `vm/budget.rs`). The flag says that the fuel is the bound: passing it
/// means the call is out of fuel, not that the pattern is too complex.
fn step_budget(exec: &mut Execution<'_, '_>, limit: u64) -> (u64, bool) {
    let by_fuel = budget::fuel_left(exec)
        .saturating_add(1)
        .saturating_mul(STEPS_PER_FUEL);
    if by_fuel < limit {
        (by_fuel, true)
    } else {
        (limit, false)
    }
}

fn pattern_error<'gc>(ctx: Context<'gc>, exec: &Execution<'gc, '_>, e: PatternError) -> Error<'gc> {
    lua_error(ctx, exec, &e.0)
}

/// A string argument kept as a Lua string (numbers are converted), for state that outlives
/// the call.
fn check_string<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    n: usize,
    fname: &str,
) -> Result<String<'gc>, Error<'gc>> {
    match stack.get(n - 1) {
        Value::String(s) => Ok(s),
        v => match to_bytes(v) {
            Some(b) => Ok(ctx.intern(&b)),
            None => Err(type_error(ctx, exec, stack, n, fname, "string")),
        },
    }
}

fn capture_value<'gc>(ctx: Context<'gc>, src: &[u8], c: Capture) -> Value<'gc> {
    match c {
        Capture::Span { start, end } => new_string_from(ctx, &src[start..end]),
        Capture::Position(p) => Value::Integer(p as i64),
        // `Match::capture` never yields it; an empty string keeps this total.
        Capture::Unfinished => Value::String(ctx.intern(b"")),
    }
}

/// Pushes captures `0..count` of `m` (`push_captures`).
fn push_captures<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &mut Stack<'gc, '_>,
    src: &[u8],
    m: &Match,
    count: usize,
) -> Result<(), Error<'gc>> {
    for i in 0..count {
        let c = m.capture(i).map_err(|e| pattern_error(ctx, exec, e))?;
        stack.push_back(capture_value(ctx, src, c));
    }
    Ok(())
}

/// `str_find_aux`: `string.find` when `find`, else `string.match`.
fn find_aux<'gc>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
    find: bool,
) -> CallbackResult<'gc> {
    let fname = if find { "string.find" } else { "string.match" };
    let s = check_bytes(ctx, &exec, &stack, 1, fname)?;
    let p = check_bytes(ctx, &exec, &stack, 2, fname)?;
    let ls = s.len();
    let init = posrelat(opt_integer(ctx, &exec, &stack, 3, fname, 1)?, ls).max(1);
    let plain = stack.get(3).to_bool();
    if init > ls as i64 + 1 {
        stack.replace(ctx, Value::Nil);
        return Ok(CallbackReturn::Return);
    }
    let init = init as usize - 1;
    if find && (plain || !has_specials(&p)) {
        exec.fuel().consume(byte_fuel(ls - init));
        let found = find_plain(&s, &p, init);
        stack.clear();
        match found {
            Some(start) => {
                stack.push_back(Value::Integer(start as i64 + 1));
                stack.push_back(Value::Integer((start + p.len()) as i64));
            }
            None => stack.push_back(Value::Nil),
        }
        return Ok(CallbackReturn::Return);
    }
    let (limit, by_fuel) = step_budget(&mut exec, STEP_LIMIT);
    let mut matcher = Matcher::new(&s, &p).with_step_limit(limit);
    let found = matcher.find(init);
    exec.fuel().consume(step_fuel(matcher.steps()));
    if by_fuel && matcher.steps() > limit {
        return Ok(budget::exhausted(ctx, &mut exec));
    }
    let found = found.map_err(|e| pattern_error(ctx, &exec, e))?;
    stack.clear();
    match found {
        Some(m) if find => {
            stack.push_back(Value::Integer(m.start as i64 + 1));
            stack.push_back(Value::Integer(m.end as i64));
            push_captures(ctx, &exec, &mut stack, &s, &m, m.captures.len())?;
        }
        Some(m) => push_captures(ctx, &exec, &mut stack, &s, &m, m.value_count())?,
        None => stack.push_back(Value::Nil),
    }
    Ok(CallbackReturn::Return)
}

pub fn find<'gc>(
    ctx: Context<'gc>,
    exec: Execution<'gc, '_>,
    stack: Stack<'gc, '_>,
) -> CallbackResult<'gc> {
    find_aux(ctx, exec, stack, true)
}

pub fn match_<'gc>(
    ctx: Context<'gc>,
    exec: Execution<'gc, '_>,
    stack: Stack<'gc, '_>,
) -> CallbackResult<'gc> {
    find_aux(ctx, exec, stack, false)
}

/// What a `gmatch` iterator remembers between calls.
#[derive(Collect)]
#[collect(no_drop)]
struct GmatchState<'gc> {
    src: String<'gc>,
    pat: String<'gc>,
    #[collect(require_static)]
    state: RefCell<GlobalState>,
}

pub fn gmatch<'gc>(
    ctx: Context<'gc>,
    exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> CallbackResult<'gc> {
    let src = check_string(ctx, &exec, &stack, 1, "string.gmatch")?;
    let pat = check_string(ctx, &exec, &stack, 2, "string.gmatch")?;
    let root = GmatchState {
        src,
        pat,
        state: RefCell::new(GlobalState::gmatch()),
    };
    let iter = Callback::from_fn_with(&ctx, root, |root, ctx, mut exec, mut stack| {
        let (src, pat) = (root.src.as_bytes(), root.pat.as_bytes());
        let (limit, by_fuel) = step_budget(&mut exec, STEP_LIMIT);
        let mut matcher = Matcher::new(src, pat).with_step_limit(limit);
        let found = matcher.next_match(&mut root.state.borrow_mut());
        exec.fuel().consume(step_fuel(matcher.steps()));
        if by_fuel && matcher.steps() > limit {
            return Ok(budget::exhausted(ctx, &mut exec));
        }
        let found = found.map_err(|e| pattern_error(ctx, &exec, e))?;
        stack.clear();
        // At the end Lua's iterator returns no values at all (not even nil).
        if let Some(m) = found {
            push_captures(ctx, &exec, &mut stack, src, &m, m.value_count())?;
        }
        Ok(CallbackReturn::Return)
    });
    stack.replace(ctx, iter);
    Ok(CallbackReturn::Return)
}

fn too_large() -> PatternError {
    PatternError("resulting string too large".into())
}

pub fn gsub<'gc>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> CallbackResult<'gc> {
    let src = check_string(ctx, &exec, &stack, 1, "string.gsub")?;
    let pat = check_string(ctx, &exec, &stack, 2, "string.gsub")?;
    let repl = stack.get(2);
    let max_s = opt_integer(
        ctx,
        &exec,
        &stack,
        4,
        "string.gsub",
        src.len().saturating_add(1),
    )?;
    let max_n = usize::try_from(max_s.max(0)).unwrap_or(usize::MAX);
    match repl {
        Value::String(_) | Value::Integer(_) | Value::Number(_) => {
            let repl = to_bytes(repl).unwrap_or_default();
            let (s, p) = (src.as_bytes(), pat.as_bytes());
            let (limit, by_fuel) = step_budget(&mut exec, STEP_LIMIT);
            // Past what the heap has room for, the result is not built further.
            let room = budget::room(ctx);
            let mut short_of_room = None;
            let mut matcher = Matcher::new(s, p).with_step_limit(limit);
            let result = matcher.gsub_with(max_n, |m, out| {
                expand_replacement(&repl, s, m, out)?;
                if out.len() > MAX_STRING_LEN {
                    return Err(too_large());
                }
                if out.len() > room {
                    short_of_room = Some(out.len());
                    return Err(too_large());
                }
                Ok(())
            });
            exec.fuel().consume(step_fuel(matcher.steps()));
            if by_fuel && matcher.steps() > limit {
                return Ok(budget::exhausted(ctx, &mut exec));
            }
            if let Some(bytes) = short_of_room {
                if !budget::reserve(ctx, &mut exec, bytes) {
                    return Ok(budget::retry(ctx, gsub));
                }
            }
            let (out, n) = result.map_err(|e| pattern_error(ctx, &exec, e))?;
            if n > 0 && !budget::reserve(ctx, &mut exec, out.len()) {
                return Ok(budget::retry(ctx, gsub));
            }
            exec.fuel().consume(byte_fuel(out.len()));
            let out = if n == 0 {
                Value::String(src)
            } else {
                new_string(ctx, out)
            };
            stack.replace(ctx, (out, n as i64));
            Ok(CallbackReturn::Return)
        }
        Value::Table(_) | Value::Function(_) => {
            let mut job = Gsub {
                src,
                pat,
                repl,
                state: GlobalState::gsub(pat.as_bytes()),
                out: Vec::with_capacity(src.as_bytes().len()),
                prev_end: 0,
                n: 0,
                max_n,
                steps_left: STEP_LIMIT,
                pending: None,
                exhausted: false,
                finishing: false,
                shadow: Default::default(),
            };
            match job.advance(ctx, &mut exec, &mut stack)? {
                None => Ok(CallbackReturn::Return),
                Some(function) => Ok(CallbackReturn::Call {
                    function,
                    then: Some(BoxSequence::new(&ctx, job)),
                }),
            }
        }
        _ => Err(arg_error(
            ctx,
            &exec,
            3,
            "string.gsub",
            "string/function/table expected",
        )),
    }
}

/// `gsub` with a table or function replacement, resumable around the Lua calls it makes.
#[derive(Collect)]
#[collect(no_drop)]
struct Gsub<'gc> {
    src: String<'gc>,
    pat: String<'gc>,
    repl: Value<'gc>,
    #[collect(require_static)]
    state: GlobalState,
    #[collect(require_static)]
    out: Vec<u8>,
    #[collect(require_static)]
    prev_end: usize,
    #[collect(require_static)]
    n: usize,
    #[collect(require_static)]
    max_n: usize,
    #[collect(require_static)]
    steps_left: u64,
    /// The match whose replacement value a Lua call is computing.
    #[collect(require_static)]
    pending: Option<(usize, usize)>,
    /// The call ran out of fuel while matching (see `vm/budget.rs`).
    #[collect(require_static)]
    exhausted: bool,
    /// In diagnostic mode, the shadow-stack entry of the replacement function running (so
    /// tracebacks and the search for a runaway loop see its frame, as Lua's stack has it).
    #[collect(require_static)]
    shadow: crate::vm::diagnostics::NativeSlot,
    /// Every match is done; the result waits for room in the heap.
    #[collect(require_static)]
    finishing: bool,
}

impl<'gc> Gsub<'gc> {
    /// Adds the replacement value `v` for the match `start..end` (`add_value`).
    fn apply(
        &mut self,
        ctx: Context<'gc>,
        exec: &Execution<'gc, '_>,
        v: Value<'gc>,
        start: usize,
        end: usize,
    ) -> Result<(), Error<'gc>> {
        match v {
            Value::Nil | Value::Boolean(false) => {
                self.out.extend_from_slice(&self.src.as_bytes()[start..end])
            }
            Value::String(s) => self.out.extend_from_slice(s.as_bytes()),
            Value::Integer(i) => fmt_integer(i, &mut self.out),
            Value::Number(f) => fmt_float(f, &mut self.out),
            v => {
                return Err(lua_error(
                    ctx,
                    exec,
                    &format!("invalid replacement value (a {})", v.type_name()),
                ))
            }
        }
        if self.out.len() > MAX_STRING_LEN {
            return Err(pattern_error(ctx, exec, too_large()));
        }
        Ok(())
    }

    /// Runs matches until one needs a Lua call (its arguments are left on `stack` and the
    /// function returned) or the substitution is complete (its results are on `stack`).
    fn advance(
        &mut self,
        ctx: Context<'gc>,
        exec: &mut Execution<'gc, '_>,
        stack: &mut Stack<'gc, '_>,
    ) -> Result<Option<Function<'gc>>, Error<'gc>> {
        if self.finishing {
            return Ok(self.finish(ctx, exec, stack));
        }
        let (src, pat) = (self.src.as_bytes(), self.pat.as_bytes());
        let (limit, by_fuel) = step_budget(exec, self.steps_left);
        let mut matcher = Matcher::new(src, pat).with_step_limit(limit);
        let result = self.advance_with(ctx, exec, &mut matcher, stack);
        let steps = matcher.steps();
        self.steps_left = self.steps_left.saturating_sub(steps);
        exec.fuel().consume(step_fuel(steps));
        if by_fuel && steps > limit {
            // `poll` fails when run (only if the `Vm` looks for the line).
            self.exhausted = true;
            budget::exhaust(exec);
            return Ok(Some(budget::pause(ctx)));
        }
        let call = result?;
        if call.is_some() {
            return Ok(call);
        }
        self.out.extend_from_slice(&src[self.prev_end..]);
        self.finishing = true;
        Ok(self.finish(ctx, exec, stack))
    }

    /// Makes the result string, or pauses (a no-op call) until the heap has room for it.
    fn finish(
        &mut self,
        ctx: Context<'gc>,
        exec: &mut Execution<'gc, '_>,
        stack: &mut Stack<'gc, '_>,
    ) -> Option<Function<'gc>> {
        if !budget::reserve(ctx, exec, self.out.len()) {
            stack.clear();
            return Some(budget::pause(ctx));
        }
        exec.fuel().consume(byte_fuel(self.out.len()));
        let out = new_string(ctx, std::mem::take(&mut self.out));
        stack.replace(ctx, (out, self.n as i64));
        None
    }

    fn advance_with(
        &mut self,
        ctx: Context<'gc>,
        exec: &Execution<'gc, '_>,
        matcher: &mut Matcher<'_>,
        stack: &mut Stack<'gc, '_>,
    ) -> Result<Option<Function<'gc>>, Error<'gc>> {
        let src = self.src.as_bytes();
        while self.n < self.max_n {
            let Some(m) = matcher
                .next_match(&mut self.state)
                .map_err(|e| pattern_error(ctx, exec, e))?
            else {
                break;
            };
            self.out.extend_from_slice(&src[self.prev_end..m.start]);
            self.prev_end = m.end;
            self.n += 1;
            stack.clear();
            match self.repl {
                Value::Table(t) => {
                    let key = capture_value(
                        ctx,
                        src,
                        m.capture(0).map_err(|e| pattern_error(ctx, exec, e))?,
                    );
                    match meta_ops::index(ctx, Value::Table(t), key)? {
                        MetaResult::Value(v) => self.apply(ctx, exec, v, m.start, m.end)?,
                        MetaResult::Call(call) => {
                            stack.extend(call.args);
                            self.pending = Some((m.start, m.end));
                            // The `__index` function's frame, called from gsub as Lua has it.
                            self.shadow.enter(ctx, exec, call.function, "string.gsub");
                            return Ok(Some(call.function));
                        }
                    }
                }
                Value::Function(f) => {
                    push_captures(ctx, exec, stack, src, &m, m.value_count())?;
                    self.pending = Some((m.start, m.end));
                    self.shadow.enter(ctx, exec, f, "string.gsub");
                    return Ok(Some(f));
                }
                _ => {
                    return Err(arg_error(
                        ctx,
                        exec,
                        3,
                        "string.gsub",
                        "string/function/table expected",
                    ))
                }
            }
        }
        Ok(None)
    }
}

impl<'gc> Sequence<'gc> for Gsub<'gc> {
    fn poll(
        &mut self,
        ctx: Context<'gc>,
        mut exec: Execution<'gc, '_>,
        mut stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, Error<'gc>> {
        self.shadow.leave(ctx, None);
        if self.exhausted {
            return Ok(budget::after_exhaustion(&mut exec, stack));
        }
        if let Some((start, end)) = self.pending.take() {
            let v = stack.get(0);
            self.apply(ctx, &exec, v, start, end)?;
        }
        Ok(match self.advance(ctx, &mut exec, &mut stack)? {
            Some(function) => SequencePoll::Call {
                function,
                is_tail: false,
            },
            None => SequencePoll::Return,
        })
    }

    fn error(
        &mut self,
        ctx: Context<'gc>,
        _exec: Execution<'gc, '_>,
        error: Error<'gc>,
        _stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, Error<'gc>> {
        self.shadow.leave(ctx, Some(&error));
        Err(error)
    }
}
