//! `table.sort` as a resumable state machine.
//!
//! The algorithm is Lua 5.3's: quicksort with a median-of-three pivot at the middle, a
//! partition that detects inconsistent comparators ("invalid order function for sorting"),
//! recursion into the smaller part and iteration on the larger. Comparisons happen in the
//! same order as in PUC Lua, so results with ties, comparators with side effects, and the
//! invalid-order errors come out the same. Where PUC Lua would pick a random pivot (after
//! a badly unbalanced partition) we use a fixed pseudo-random sequence, which keeps the
//! expected O(n log n) and stays deterministic.
//!
//! Every comparison may be a Lua call, and so may every read and write (`__index` and
//! `__newindex` apply, as Lua 5.3's `lua_geti`/`lua_seti` apply them), so the sort is a
//! [`Job`] that stops at each one, in PUC Lua's order; the length honours `__len`.

use gc_arena::Collect;
use piccolo::{Context, Error, Execution, Function, Stack, Table, Value};

use super::access::{Job, Op};
use super::comparator::{self, Shape};
use crate::stdlib::args::{arg_error, lua_error, type_name};

/// Intervals at least this long may use a randomized pivot (`RANLIMIT`).
const RANDOM_LIMIT: i64 = 100;

/// Where the sort is: each phase after the first two waits for one result (a read, a
/// write, a comparison), in the order PUC Lua's `auxsort` and `partition` make them.
#[derive(Clone, Copy, Debug)]
enum Phase {
    /// Ask for the length.
    Init,
    /// Waiting for the length.
    Length,
    /// Take the next interval from the stack.
    Next,
    /// Start on `[lo, up]`: read `a[lo]`.
    Start,
    /// Got `a[lo]` (kept in `x`): read `a[up]`.
    GotLow,
    /// Got `a[up]` (kept in `y`): ask `a[up] < a[lo]`.
    GotHigh,
    /// Got `a[up] < a[lo]`: swap them (write `a[lo]`, then `a[up]`).
    OrderedEnds,
    /// Wrote `a[lo] = a[up]`: write `a[up] = a[lo]`.
    SwapEnds,
    /// The ends are in order: pick the pivot's index `p` and read `a[p]`.
    Middle,
    /// Got `a[p]` (in `x`): read `a[lo]`.
    GotMiddle,
    /// Got `a[lo]` (in `y`): ask `a[p] < a[lo]`.
    GotLowAgain,
    /// Got `a[p] < a[lo]`: swap them, or read `a[up]`.
    MiddleVsLow,
    /// Wrote `a[p] = a[lo]`: write `a[lo] = a[p]`.
    SwapMiddleLow,
    /// Got `a[up]` (in `y`): ask `a[up] < a[p]`.
    GotHighAgain,
    /// Got `a[up] < a[p]`: swap them.
    HighVsMiddle,
    /// Wrote `a[p] = a[up]`: write `a[up] = a[p]`.
    SwapMiddleHigh,
    /// The three are in order: stop for three elements, else read the pivot `a[p]`.
    Median,
    /// Got the pivot: read `a[up - 1]`.
    GotPivot,
    /// Got `a[up - 1]`: write it to `a[p]`.
    GotBeforeHigh,
    /// Wrote `a[p]`: write the pivot to `a[up - 1]`, then partition.
    PivotAside,
    /// Upward scan: read `a[i + 1]`.
    ScanUp,
    /// Got `a[i]`: ask `a[i] < P`.
    GotUp,
    /// Got `a[i] < P`.
    ComparedUp,
    /// Downward scan: read `a[j - 1]`.
    ScanDown,
    /// Got `a[j]`: ask `P < a[j]`.
    GotDown,
    /// Got `P < a[j]`.
    ComparedDown,
    /// Wrote `a[up - 1] = a[i]`: write the pivot to `a[i]` and split there.
    PlacePivot,
    /// Wrote `a[i] = a[j]`: write `a[j] = a[i]` and scan on.
    SwapScanned,
}

/// Interval bookkeeping, free of GC values.
#[derive(Clone, Debug)]
struct State {
    phase: Phase,
    /// Intervals still to sort, with their pivot randomization; the top is next.
    pending: Vec<(i64, i64, u32)>,
    lo: i64,
    up: i64,
    rnd: u32,
    p: i64,
    i: i64,
    j: i64,
    /// Deterministic stand-in for Lua's clock-based `l_randomizePivot`.
    seed: u32,
    /// Comparisons answered without an op (copy mode).
    compares: i64,
    /// Fuel of the comparator runs made here (see `comparator.rs`), not yet charged.
    shaped: i32,
}

#[derive(Collect)]
#[collect(no_drop)]
pub struct Sort<'gc> {
    t: Table<'gc>,
    /// The elements `1..=n`, when the whole sort runs on a copy (see [`sort_primitives`]).
    copy: Option<Vec<Value<'gc>>>,
    /// The second argument as given (checked once the length is known, like Lua).
    comparator: Value<'gc>,
    function: Option<Function<'gc>>,
    /// The comparator's shape, when it is one comparison the sort can make itself (see
    /// `comparator.rs`).
    shape: Option<Shape<'gc>>,
    pivot: Value<'gc>,
    /// The two values read for the comparison in flight (see [`Phase`]).
    x: Value<'gc>,
    y: Value<'gc>,
    /// `a[i]` as read by the upward partition scan, and `a[j]` by the downward one.
    ai: Value<'gc>,
    aj: Value<'gc>,
    /// On a copy: the result of the last read or comparison, answered without an op.
    got: Value<'gc>,
    #[collect(require_static)]
    s: State,
}

impl<'gc> Sort<'gc> {
    pub fn new(t: Table<'gc>, comparator: Value<'gc>) -> Self {
        Sort {
            t,
            comparator,
            copy: None,
            function: None,
            shape: None,
            pivot: Value::Nil,
            x: Value::Nil,
            y: Value::Nil,
            ai: Value::Nil,
            aj: Value::Nil,
            got: Value::Nil,
            s: State {
                phase: Phase::Init,
                pending: Vec::new(),
                lo: 0,
                up: 0,
                rnd: 0,
                p: 0,
                i: 0,
                j: 0,
                seed: 0x9e37_79b9,
                compares: 0,
                shaped: 0,
            },
        }
    }

    /// Reads `a[i]`, then goes on at `next`. On a copy or a table without a metatable (it
    /// may get one from a comparator) the value is the next step's input at once (`None`),
    /// otherwise it is asked for with an op that honours `__index`.
    fn read(&mut self, ctx: Context<'gc>, i: i64, next: Phase) -> Option<Op<'gc>> {
        self.s.phase = next;
        self.got = match &self.copy {
            Some(values) => usize::try_from(i - 1)
                .ok()
                .and_then(|i| values.get(i).copied())
                .unwrap_or(Value::Nil),
            None if self.t.metatable().is_none() => self.t.get(ctx, i),
            None => return Some(Op::Get(Value::Table(self.t), i)),
        };
        None
    }

    /// Writes `a[i] = v`, then goes on at `next`: at once on a copy or a table without a
    /// metatable, otherwise with an op that honours `__newindex`.
    fn write(&mut self, ctx: Context<'gc>, i: i64, v: Value<'gc>, next: Phase) -> Option<Op<'gc>> {
        self.s.phase = next;
        match &mut self.copy {
            Some(values) => {
                if let Some(slot) = usize::try_from(i - 1).ok().and_then(|i| values.get_mut(i)) {
                    *slot = v;
                }
            }
            // Integer keys are always valid table keys.
            None if self.t.metatable().is_none() => {
                let _ = crate::vm::undo::raw_set(ctx, self.t, Value::Integer(i), v);
            }
            None => return Some(Op::Set(Value::Table(self.t), i, v)),
        }
        self.got = Value::Nil;
        None
    }

    /// Asks whether `a < b`, then goes on at `next`. On a copy of primitive values the
    /// answer is computed here (`None`, the answer as the next input).
    fn compare(&mut self, a: Value<'gc>, b: Value<'gc>, next: Phase) -> Option<Op<'gc>> {
        self.s.phase = next;
        if self.copy.is_some() {
            self.s.compares += 1;
            self.got = Value::Boolean(primitive_less(a, b));
            return None;
        }
        if let Some((lt, steps)) = self
            .shape
            .as_ref()
            .and_then(|s| comparator::compare(s, a, b))
        {
            // A VM instruction's fuel per instruction run, without the call's.
            let steps = i32::try_from(steps).unwrap_or(i32::MAX);
            self.s.shaped = self.s.shaped.saturating_add(steps);
            self.got = Value::Boolean(lt);
            return None;
        }
        Some(match self.function {
            Some(f) => Op::Compare(f, a, b),
            None => Op::Less(a, b),
        })
    }

    fn random(&mut self) -> u32 {
        // xorshift32: any fixed sequence will do, it only has to break up bad splits.
        let mut x = self.s.seed;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.s.seed = x;
        x
    }

    fn invalid_order(ctx: Context<'gc>, exec: &Execution<'gc, '_>) -> Error<'gc> {
        lua_error(ctx, exec, "invalid order function for sorting")
    }

    /// After the partition put the pivot at `p`: queue both sides, smaller one first.
    fn split(&mut self, p: i64) {
        let (lo, up) = (self.s.lo, self.s.up);
        let (small, large, n) = if p - lo < up - p {
            ((lo, p - 1), (p + 1, up), p - lo)
        } else {
            ((p + 1, up), (lo, p - 1), up - p)
        };
        let mut large_rnd = self.s.rnd;
        if (large.1 - large.0).max(0) / 128 > n {
            large_rnd = self.random();
        }
        self.s.pending.push((large.0, large.1, large_rnd));
        self.s.pending.push((small.0, small.1, self.s.rnd));
        self.s.phase = Phase::Next;
    }
}

impl<'gc> Job<'gc> for Sort<'gc> {
    const NAME: &'static str = "table.sort";

    fn step(
        &mut self,
        ctx: Context<'gc>,
        exec: &Execution<'gc, '_>,
        mut input: Value<'gc>,
    ) -> Result<Op<'gc>, Error<'gc>> {
        // Go on at the phase just set: return its op, or (on a copy) loop with the answer.
        macro_rules! then {
            ($op:expr) => {{
                match $op {
                    Some(op) => return Ok(op),
                    None => {
                        input = self.got;
                        continue;
                    }
                }
            }};
        }
        loop {
            let (lo, up, p) = (self.s.lo, self.s.up, self.s.p);
            match self.s.phase {
                Phase::Init => {
                    self.s.phase = Phase::Length;
                    return Ok(Op::Len(Value::Table(self.t)));
                }
                Phase::Length => {
                    let n = match input {
                        Value::Integer(n) => n,
                        _ => 0,
                    };
                    if n <= 1 {
                        return Ok(Op::Done);
                    }
                    if n >= i64::from(i32::MAX) {
                        return Err(arg_error(ctx, exec, 1, "table.sort", "array too big"));
                    }
                    match self.comparator {
                        Value::Nil => {}
                        Value::Function(f) => {
                            self.function = Some(f);
                            // Not while the runaway machinery counts helper calls: the
                            // comparator's must then happen as in every other run.
                            if !crate::vm::runaway::locating() {
                                self.shape = comparator::shape(ctx, f);
                            }
                        }
                        v => {
                            return Err(arg_error(
                                ctx,
                                exec,
                                2,
                                "table.sort",
                                &format!("function expected, got {}", type_name(ctx, v)),
                            ))
                        }
                    }
                    self.s.pending.push((1, n, 0));
                    self.s.phase = Phase::Next;
                }
                Phase::Next => {
                    let Some((lo, up, rnd)) = self.s.pending.pop() else {
                        return Ok(Op::Done);
                    };
                    (self.s.lo, self.s.up, self.s.rnd) = (lo, up, rnd);
                    self.s.phase = Phase::Start;
                }
                Phase::Start => {
                    if lo >= up {
                        self.s.phase = Phase::Next;
                        continue;
                    }
                    then!(self.read(ctx, lo, Phase::GotLow));
                }
                Phase::GotLow => {
                    self.x = input;
                    then!(self.read(ctx, up, Phase::GotHigh));
                }
                Phase::GotHigh => {
                    self.y = input;
                    then!(self.compare(self.y, self.x, Phase::OrderedEnds));
                }
                Phase::OrderedEnds => {
                    if input.to_bool() {
                        then!(self.write(ctx, lo, self.y, Phase::SwapEnds));
                    }
                    self.s.phase = Phase::Middle;
                }
                Phase::SwapEnds => then!(self.write(ctx, up, self.x, Phase::Middle)),
                Phase::Middle => {
                    if up - lo == 1 {
                        self.s.phase = Phase::Next;
                        continue;
                    }
                    let p = if up - lo < RANDOM_LIMIT || self.s.rnd == 0 {
                        (lo + up) / 2
                    } else {
                        let r4 = (up - lo) / 4;
                        i64::from(self.s.rnd) % (r4 * 2) + (lo + r4)
                    };
                    self.s.p = p;
                    then!(self.read(ctx, p, Phase::GotMiddle));
                }
                Phase::GotMiddle => {
                    self.x = input;
                    then!(self.read(ctx, lo, Phase::GotLowAgain));
                }
                Phase::GotLowAgain => {
                    self.y = input;
                    then!(self.compare(self.x, self.y, Phase::MiddleVsLow));
                }
                Phase::MiddleVsLow => {
                    if input.to_bool() {
                        // x = a[p], y = a[lo].
                        then!(self.write(ctx, p, self.y, Phase::SwapMiddleLow));
                    }
                    then!(self.read(ctx, up, Phase::GotHighAgain));
                }
                Phase::SwapMiddleLow => then!(self.write(ctx, lo, self.x, Phase::Median)),
                Phase::GotHighAgain => {
                    self.y = input;
                    then!(self.compare(self.y, self.x, Phase::HighVsMiddle));
                }
                Phase::HighVsMiddle => {
                    if input.to_bool() {
                        // x = a[p], y = a[up].
                        then!(self.write(ctx, p, self.y, Phase::SwapMiddleHigh));
                    }
                    self.s.phase = Phase::Median;
                }
                Phase::SwapMiddleHigh => then!(self.write(ctx, up, self.x, Phase::Median)),
                Phase::Median => {
                    if up - lo == 2 {
                        self.s.phase = Phase::Next;
                        continue;
                    }
                    then!(self.read(ctx, p, Phase::GotPivot));
                }
                Phase::GotPivot => {
                    self.pivot = input;
                    then!(self.read(ctx, up - 1, Phase::GotBeforeHigh));
                }
                Phase::GotBeforeHigh => then!(self.write(ctx, p, input, Phase::PivotAside)),
                Phase::PivotAside => {
                    self.s.i = lo;
                    self.s.j = up - 1;
                    then!(self.write(ctx, up - 1, self.pivot, Phase::ScanUp));
                }
                Phase::ScanUp => {
                    self.s.i += 1;
                    then!(self.read(ctx, self.s.i, Phase::GotUp));
                }
                Phase::GotUp => {
                    self.ai = input;
                    then!(self.compare(self.ai, self.pivot, Phase::ComparedUp));
                }
                Phase::ComparedUp => {
                    if input.to_bool() {
                        // a[i] < P, but a[up - 1] is P itself.
                        if self.s.i == up - 1 {
                            return Err(Self::invalid_order(ctx, exec));
                        }
                        self.s.phase = Phase::ScanUp;
                    } else {
                        self.s.phase = Phase::ScanDown;
                    }
                }
                Phase::ScanDown => {
                    self.s.j -= 1;
                    then!(self.read(ctx, self.s.j, Phase::GotDown));
                }
                Phase::GotDown => {
                    self.aj = input;
                    then!(self.compare(self.pivot, self.aj, Phase::ComparedDown));
                }
                Phase::ComparedDown => {
                    let (i, j) = (self.s.i, self.s.j);
                    if input.to_bool() {
                        // P < a[j] below i: the order function contradicts itself.
                        if j < i {
                            return Err(Self::invalid_order(ctx, exec));
                        }
                        self.s.phase = Phase::ScanDown;
                    } else if j < i {
                        // Put the pivot in its final place.
                        then!(self.write(ctx, up - 1, self.ai, Phase::PlacePivot));
                    } else {
                        then!(self.write(ctx, i, self.aj, Phase::SwapScanned));
                    }
                }
                Phase::PlacePivot => {
                    let i = self.s.i;
                    self.split(i);
                    then!(self.write(ctx, i, self.pivot, Phase::Next));
                }
                Phase::SwapScanned => then!(self.write(ctx, self.s.j, self.ai, Phase::ScanUp)),
            }
        }
    }

    fn finish(&mut self, _ctx: Context<'gc>, _stack: &mut Stack<'gc, '_>) {}

    fn take_fuel(&mut self) -> i32 {
        std::mem::take(&mut self.s.shaped)
    }
}

/// `a < b` for two numbers or two strings (never an error, never a metamethod).
fn primitive_less<'gc>(a: Value<'gc>, b: Value<'gc>) -> bool {
    crate::vm::arith_ops::plain_order(crate::vm::arith::op::LT, a, b) == Some(true)
}

/// The common case, sorted without the job machinery: no comparator, no `__len`, and only
/// numbers or only strings in `1..=#t`, so no comparison can call Lua or fail. The same
/// algorithm runs on a copy of the elements (the same comparisons in the same order, so the
/// same result), which is written back at the end, also after an "invalid order function"
/// error (NaNs can cause one), leaving the table as PUC Lua would. Returns `None` when the
/// case does not apply.
pub fn sort_primitives<'gc>(
    ctx: Context<'gc>,
    exec: &mut Execution<'gc, '_>,
    t: Table<'gc>,
) -> Option<Result<(), Error<'gc>>> {
    if t.metatable().is_some() {
        return None;
    }
    let n = t.length();
    if n < 2 || n >= i64::from(i32::MAX) {
        return None;
    }
    let values: Vec<Value<'gc>> = (1..=n).map(|i| t.get(ctx, i)).collect();
    let numbers = values
        .iter()
        .all(|v| matches!(v, Value::Integer(_) | Value::Number(_)));
    let strings = values.iter().all(|v| matches!(v, Value::String(_)));
    if !numbers && !strings {
        return None;
    }
    let mut job = Sort::new(t, Value::Nil);
    job.copy = Some(values);
    let mut input = Value::Nil;
    let result = loop {
        match job.step(ctx, exec, input) {
            Ok(Op::Len(_)) => input = Value::Integer(n),
            // Copy mode answers comparisons itself; nothing else is asked.
            Ok(_) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    let compares = job.s.compares;
    if let Some(values) = job.copy.take() {
        for (i, v) in values.into_iter().enumerate() {
            let _ = crate::vm::undo::raw_set(ctx, t, Value::Integer(i as i64 + 1), v);
        }
    }
    exec.fuel()
        .consume(i32::try_from(compares + n).unwrap_or(i32::MAX));
    Some(result)
}
