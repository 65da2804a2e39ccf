//! What the running call may still spend, for library callbacks that do much work at once.
//!
//! piccolo charges fuel between instructions and [`super::Vm`] checks the memory limit
//! between execution slices, but a library callback (a pattern match, `string.rep`) runs to
//! its end inside one step. So while it drives a call, the `Vm` publishes here the fuel the
//! call has left at the start of each slice and the memory limit, and such callbacks bound
//! their work by them:
//!
//! - **Fuel.** [`fuel_left`] is what the call may still spend. A callback whose work would
//!   cost more stops early and calls [`exhaust`], which charges the rest of the call's fuel
//!   and ends the slice: the `Vm` then stops the call with `OUT_OF_FUEL`, as it stops a loop
//!   (the callback leaves a [`Exhausted`] sequence behind, which only runs if the `Vm`
//!   looks for the line, see `runaway.rs`).
//! - **Memory.** Before it builds a result of `n` bytes, a callback asks [`reserve`]. When
//!   the Lua heap plus `n` fits in the limit, it goes on. Otherwise the request is recorded
//!   and the slice ends; the callback pauses (it calls itself again, or a no-op for a
//!   sequence that keeps its work). The `Vm` collects garbage, and if the heap plus `n` still
//!   exceeds the limit stops the call with `OUT_OF_MEMORY`, exactly as the limit between
//!   slices does (before the result is allocated); else it grants the request and the call
//!   goes on, the next [`reserve`] of at most `n` passing.
//!
//! Outside a call driven by a `Vm` (setup code, tests of the library) nothing is bounded.
//! Every value here comes from the call's inputs (fuel) or from the heap's byte count, which
//! is the measure the memory limit uses anyway.

use std::cell::Cell;

use piccolo::{Callback, CallbackReturn, Context, Error, Execution, Sequence, SequencePoll, Stack};

#[derive(Clone, Copy)]
struct Budget {
    active: bool,
    /// Fuel the call had left when the running slice started.
    fuel_at_slice: u64,
    /// The fuel the running slice started with.
    slice: i32,
    memory_limit: usize,
    /// Bytes a callback asked for that did not fit.
    request: Option<usize>,
    /// Bytes the `Vm` found room for after collecting.
    grant: usize,
}

const UNBOUNDED: Budget = Budget {
    active: false,
    fuel_at_slice: u64::MAX,
    slice: 0,
    memory_limit: usize::MAX,
    request: None,
    grant: 0,
};

thread_local! {
    static CURRENT: Cell<Budget> = const { Cell::new(UNBOUNDED) };
}

fn get() -> Budget {
    CURRENT.with(Cell::get)
}

fn set(b: Budget) {
    CURRENT.with(|c| c.set(b));
}

/// The budget of one driven call, in force while this lives (the one it replaced is put
/// back after).
pub struct Scope(Budget);

impl Scope {
    pub fn enter(memory_limit: usize) -> Scope {
        let outer = get();
        set(Budget {
            active: true,
            memory_limit,
            ..UNBOUNDED
        });
        Scope(outer)
    }

    /// A slice starts with `slice` fuel; the call has `fuel_left`.
    pub fn start_slice(&self, fuel_left: u64, slice: i32) {
        set(Budget {
            fuel_at_slice: fuel_left,
            slice,
            ..get()
        });
    }

    /// The bytes a callback asked for in the slice that just ended, if any.
    pub fn take_request(&self) -> Option<usize> {
        let mut b = get();
        let r = b.request.take();
        set(b);
        r
    }

    /// Room was found for `bytes`: the next request of at most that passes.
    pub fn grant(&self, bytes: usize) {
        set(Budget {
            grant: bytes,
            ..get()
        });
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        set(self.0);
    }
}

/// Fuel the running call may still spend (unbounded outside a driven call).
pub fn fuel_left(exec: &mut Execution<'_, '_>) -> u64 {
    let b = get();
    if !b.active {
        return u64::MAX;
    }
    let used = (i64::from(b.slice) - i64::from(exec.fuel().remaining())).max(0) as u64;
    b.fuel_at_slice.saturating_sub(used)
}

/// Charges more than the call's remaining fuel and ends the slice: the `Vm` stops the call
/// with `OUT_OF_FUEL` right after the callback returns.
pub fn exhaust(exec: &mut Execution<'_, '_>) {
    let left = fuel_left(exec);
    let charge = i32::try_from(left.saturating_add(1)).unwrap_or(i32::MAX);
    exec.fuel().consume(charge);
    exec.fuel().interrupt();
}

/// Bytes the Lua heap may still grow by (with what was granted).
pub fn room(ctx: Context<'_>) -> usize {
    let b = get();
    if !b.active {
        return usize::MAX;
    }
    let used = ctx.metrics().total_allocation();
    b.memory_limit.saturating_sub(used).max(b.grant)
}

/// Whether a result of `bytes` may be built now. When not, the request is recorded and the
/// slice ends: the caller must pause (see the module docs) and ask again when resumed.
pub fn reserve(ctx: Context<'_>, exec: &mut Execution<'_, '_>, bytes: usize) -> bool {
    let mut b = get();
    if !b.active {
        return true;
    }
    let used = ctx.metrics().total_allocation();
    if used.saturating_add(bytes) <= b.memory_limit {
        return true;
    }
    if b.grant >= bytes {
        b.grant = 0;
        set(b);
        return true;
    }
    b.request = Some(bytes);
    set(b);
    exec.fuel().interrupt();
    false
}

/// What a plain callback returns to pause on a refused [`reserve`]: a tail call of itself
/// with the same arguments (still on its stack), made after the `Vm` has collected.
pub fn retry<'gc, F>(ctx: Context<'gc>, f: F) -> CallbackReturn<'gc>
where
    F: 'static
        + Fn(
            Context<'gc>,
            Execution<'gc, '_>,
            Stack<'gc, '_>,
        ) -> Result<CallbackReturn<'gc>, Error<'gc>>,
{
    CallbackReturn::Call {
        function: Callback::from_fn(&ctx, f).into(),
        then: None,
    }
}

/// A function that does nothing: a sequence that must pause calls it and resumes after.
pub fn pause<'gc>(ctx: Context<'gc>) -> piccolo::Function<'gc> {
    Callback::from_fn(&ctx, |_, _, mut stack| {
        stack.clear();
        Ok(CallbackReturn::Return)
    })
    .into()
}

/// What a callback that called [`exhaust`] leaves to run. The `Vm` stops the call before
/// it runs, unless it looks for the line the call was running (`runaway.rs`): then it names
/// its caller's line when the caller is Lua code, and else returns nothing, so that the
/// program goes on to the next helper call, which names its line (as when the library call
/// had run to its end).
#[derive(gc_arena::Collect)]
#[collect(require_static)]
pub struct Exhausted;

impl<'gc> Sequence<'gc> for Exhausted {
    fn poll(
        &mut self,
        _ctx: Context<'gc>,
        mut exec: Execution<'gc, '_>,
        stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, Error<'gc>> {
        Ok(after_exhaustion(&mut exec, stack))
    }
}

/// See [`Exhausted`]: when its line is named, the executor is interrupted there.
pub fn after_exhaustion<'gc>(
    exec: &mut Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> SequencePoll<'gc> {
    super::runaway::note(exec);
    stack.clear();
    SequencePoll::Return
}

/// [`exhaust`], and the callback's return value.
pub fn exhausted<'gc>(ctx: Context<'gc>, exec: &mut Execution<'gc, '_>) -> CallbackReturn<'gc> {
    exhaust(exec);
    CallbackReturn::Sequence(piccolo::BoxSequence::new(&ctx, Exhausted))
}
