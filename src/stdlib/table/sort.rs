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
//! Every comparison may be a Lua call, so the sort is a [`Job`] that stops at each one.
//! Reads and writes use raw access (Lua 5.3 honours `__index`/`__newindex` here; we do
//! not, a documented difference), the length honours `__len`.

use gc_arena::Collect;
use piccolo::{Context, Error, Execution, Function, Stack, Table, Value};

use super::access::{Job, Op};
use crate::stdlib::args::{arg_error, lua_error, type_name};

/// Intervals at least this long may use a randomized pivot (`RANLIMIT`).
const RANDOM_LIMIT: i64 = 100;

#[derive(Clone, Copy, Debug)]
enum Phase {
    /// Ask for the length.
    Init,
    /// Waiting for the length.
    Length,
    /// Take the next interval from the stack.
    Next,
    /// Sort `a[lo]` and `a[up]`.
    Start,
    /// Got `a[up] < a[lo]`.
    OrderedEnds,
    /// Got `a[p] < a[lo]`.
    MiddleVsLow,
    /// Got `a[up] < a[p]`.
    HighVsMiddle,
    /// Got `a[i] < P`.
    ScanUp,
    /// Got `P < a[j]`.
    ScanDown,
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
    /// Comparisons answered without an op (copy mode), and the last answer.
    compares: i64,
    fast_lt: bool,
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
    pivot: Value<'gc>,
    /// The two values of the comparison in flight, as read before it.
    x: Value<'gc>,
    y: Value<'gc>,
    /// `a[i]` as read by the upward partition scan.
    ai: Value<'gc>,
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
            pivot: Value::Nil,
            x: Value::Nil,
            y: Value::Nil,
            ai: Value::Nil,
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
                fast_lt: false,
            },
        }
    }

    fn get(&self, ctx: Context<'gc>, i: i64) -> Value<'gc> {
        match &self.copy {
            Some(values) => usize::try_from(i - 1)
                .ok()
                .and_then(|i| values.get(i).copied())
                .unwrap_or(Value::Nil),
            None => self.t.get(ctx, i),
        }
    }

    fn set(&mut self, ctx: Context<'gc>, i: i64, v: Value<'gc>) {
        match &mut self.copy {
            Some(values) => {
                if let Some(slot) = usize::try_from(i - 1).ok().and_then(|i| values.get_mut(i)) {
                    *slot = v;
                }
            }
            // Integer keys are always valid table keys.
            None => {
                let _ = crate::vm::undo::raw_set(ctx, self.t, Value::Integer(i), v);
            }
        }
    }

    /// Asks whether `a < b`, remembering both values. On a copy of primitive values the
    /// answer is computed here (`None`, result in `fast_lt`) instead of going through an op.
    fn compare(&mut self, a: Value<'gc>, b: Value<'gc>, next: Phase) -> Option<Op<'gc>> {
        self.x = a;
        self.y = b;
        self.s.phase = next;
        if self.copy.is_some() {
            self.s.compares += 1;
            self.s.fast_lt = primitive_less(a, b);
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

    /// Done with the median of three: stop for intervals of three, else move the pivot to
    /// `up - 1` and start partitioning (phase `ScanUp`).
    fn start_partition(&mut self, ctx: Context<'gc>) {
        let (lo, up, p) = (self.s.lo, self.s.up, self.s.p);
        if up - lo == 2 {
            self.s.phase = Phase::Next;
            return;
        }
        let pivot = self.get(ctx, p);
        self.set(ctx, p, self.get(ctx, up - 1));
        self.set(ctx, up - 1, pivot);
        self.pivot = pivot;
        self.s.i = lo;
        self.s.j = up - 1;
        self.s.phase = Phase::ScanUp;
    }

    /// Next step of the upward scan: is `a[i + 1] < P`?
    fn scan_up(&mut self, ctx: Context<'gc>) -> Option<Op<'gc>> {
        self.s.i += 1;
        self.ai = self.get(ctx, self.s.i);
        self.compare(self.ai, self.pivot, Phase::ScanUp)
    }

    /// Next step of the downward scan: is `P < a[j - 1]`?
    fn scan_down(&mut self, ctx: Context<'gc>) -> Option<Op<'gc>> {
        self.s.j -= 1;
        let aj = self.get(ctx, self.s.j);
        self.compare(self.pivot, aj, Phase::ScanDown)
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
        input: Value<'gc>,
    ) -> Result<Op<'gc>, Error<'gc>> {
        let mut lt = input.to_bool();
        // Ask a comparison: return its op, or go on at once with a computed answer.
        macro_rules! ask {
            ($op:expr) => {{
                match $op {
                    Some(op) => return Ok(op),
                    None => {
                        lt = self.s.fast_lt;
                        continue;
                    }
                }
            }};
        }
        loop {
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
                        Value::Function(f) => self.function = Some(f),
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
                    let (lo, up) = (self.s.lo, self.s.up);
                    if lo >= up {
                        self.s.phase = Phase::Next;
                        continue;
                    }
                    let (a_up, a_lo) = (self.get(ctx, up), self.get(ctx, lo));
                    ask!(self.compare(a_up, a_lo, Phase::OrderedEnds));
                }
                Phase::OrderedEnds => {
                    let (lo, up) = (self.s.lo, self.s.up);
                    if lt {
                        // x = a[up], y = a[lo]: swap them.
                        self.set(ctx, lo, self.x);
                        self.set(ctx, up, self.y);
                    }
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
                    let (a_p, a_lo) = (self.get(ctx, p), self.get(ctx, lo));
                    ask!(self.compare(a_p, a_lo, Phase::MiddleVsLow));
                }
                Phase::MiddleVsLow => {
                    let (lo, up, p) = (self.s.lo, self.s.up, self.s.p);
                    if lt {
                        // x = a[p], y = a[lo].
                        self.set(ctx, p, self.y);
                        self.set(ctx, lo, self.x);
                    } else {
                        let (a_up, a_p) = (self.get(ctx, up), self.x);
                        ask!(self.compare(a_up, a_p, Phase::HighVsMiddle));
                    }
                    self.start_partition(ctx);
                    if matches!(self.s.phase, Phase::ScanUp) {
                        ask!(self.scan_up(ctx));
                    }
                }
                Phase::HighVsMiddle => {
                    let (up, p) = (self.s.up, self.s.p);
                    if lt {
                        // x = a[up], y = a[p].
                        self.set(ctx, p, self.x);
                        self.set(ctx, up, self.y);
                    }
                    self.start_partition(ctx);
                    if matches!(self.s.phase, Phase::ScanUp) {
                        ask!(self.scan_up(ctx));
                    }
                }
                Phase::ScanUp => {
                    if lt {
                        // a[i] < P, but a[up - 1] is P itself.
                        if self.s.i == self.s.up - 1 {
                            return Err(Self::invalid_order(ctx, exec));
                        }
                        ask!(self.scan_up(ctx));
                    }
                    ask!(self.scan_down(ctx));
                }
                Phase::ScanDown => {
                    let (i, j) = (self.s.i, self.s.j);
                    if lt {
                        // P < a[j] below i: the order function contradicts itself.
                        if j < i {
                            return Err(Self::invalid_order(ctx, exec));
                        }
                        ask!(self.scan_down(ctx));
                    }
                    // `x` is P and `y` is a[j]; `ai` holds a[i] from the upward scan.
                    if j < i {
                        // Put the pivot in its final place.
                        let ai = self.ai;
                        self.set(ctx, self.s.up - 1, ai);
                        self.set(ctx, i, self.pivot);
                        self.split(i);
                        continue;
                    }
                    let ai = self.ai;
                    self.set(ctx, i, self.y);
                    self.set(ctx, j, ai);
                    ask!(self.scan_up(ctx));
                }
            }
        }
    }

    fn finish(&mut self, _ctx: Context<'gc>, _stack: &mut Stack<'gc, '_>) {}
}

/// `a < b` for two numbers or two strings (never an error, never a metamethod).
fn primitive_less(a: Value<'_>, b: Value<'_>) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.as_bytes() < y.as_bytes(),
        _ => super::access::number_less(a, b),
    }
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
