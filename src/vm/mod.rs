//! Hosting piccolo: one Lua state with bounded execution (fuel and memory limits), our
//! compile pipeline, and conversion between Lua values and JSON values.

pub mod aos_lines;
pub mod arith;
pub mod arith_ops;
pub mod assign;
pub mod budget;
pub mod call_lines;
pub mod calls;
pub mod chunks;
pub mod compile;
pub mod convert;
pub mod determinism;
pub mod diagnostics;
pub mod errors;
pub mod fingerprint;
pub mod fresh;
#[cfg(test)]
mod gc_tests;
pub mod helpers;
pub mod index;
pub mod kinds;
pub mod labels;
pub mod numerals;
pub mod params;
pub mod rewrite;
pub mod runaway;
pub mod sort;
pub mod split;
pub mod syntax;
pub mod undo;
pub mod upvalues;
pub mod visit;
pub mod weak;
pub mod yields;

use std::cell::RefCell;
use std::rc::Rc;

use piccolo::{
    Context, Executor, ExecutorMode, Fuel, Function, Lua, StashedExecutor, StashedFunction,
    StashedTable, Thread, Value, Variadic,
};

pub use compile::SourceLimits;

use crate::error::Error;

/// Resource bounds for one process.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Fuel (roughly one unit per VM instruction) one call may use.
    pub fuel: u64,
    /// Bytes the Lua heap may hold, checked between execution slices.
    pub memory: usize,
    /// What source is accepted for compilation.
    pub source: SourceLimits,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            // A `while true do end` handler stops in about a second natively on this
            // project's 2-core reference machine, while real handlers use far less (a token
            // transfer: about 5 600). A recursion that runs out of it on its way down to
            // Lua's stack limit is still found to be Lua's `stack overflow` (see
            // `runaway::Stopped::Deep`).
            fuel: 120_000_000,
            memory: 256 << 20,
            source: SourceLimits::default(),
        }
    }
}

/// Fuel given to the VM between two returns to the host. Garbage is only collected between
/// slices, so this is also the GC granularity (small slices keep string-heavy code fast).
const FUEL_SLICE: i32 = 8192;

/// Fuel between two clearings of weak tables done by the engine itself (about 3 700 token
/// transfers). Each costs two full collections, so only processes with weak tables pay it.
const WEAK_COLLECTION_FUEL: u64 = 1 << 26;

/// How long the collector sleeps after a cycle: until the heap has grown by this fraction of
/// what the cycle kept (PUC Lua 5.3's default pause, 200%: a new cycle when the heap has
/// doubled; gc-arena's own default is 0.5). Every cycle walks the whole live heap, so the
/// walking a message pays for is its allocation divided by this factor: in a network of many
/// processes each walk meets a heap that is no longer in the cache, and 1.0 cuts the cache
/// misses of a delivery by 6% (`examples/network_bench.rs`), for a heap up to twice the live
/// state instead of 1.5 times.
const GC_PAUSE: f64 = 1.0;

/// Fuel that counts as one second of `os.clock()`: about what a browser runs in a second.
pub const FUEL_PER_SECOND: f64 = 100_000_000.0;

/// Host-side data shared with the Rust callbacks of one Lua state. Everything the standard
/// library would take from the machine (clock, random numbers) comes from here, so a process
/// is a pure function of its inputs and this state can be exported with it.
#[derive(Debug, Default)]
pub struct Host {
    /// Text printed since the last [`Host::take_output`].
    pub output: Vec<u8>,
    /// The host clock in milliseconds since the Unix epoch (aos: the message timestamp);
    /// `os.time()` returns it in seconds.
    pub time_ms: i64,
    /// `math.random`'s generator state.
    pub rng: crate::stdlib::random::Rng,
    /// Fuel used by all calls before the current slice (drives `os.clock()`).
    pub fuel_before_slice: u64,
    /// A plain script (`aolite lua`): what `io.write` writes to standard output joins the
    /// printed output, as in `lua5.3`. In a process it goes nowhere, as aos's does.
    pub scripted_io: bool,
    /// `os.exit(status)` was called in the running call: it ends at once (see
    /// `Vm::drive_slices`), whatever protected calls it is inside.
    pub exit: Option<i32>,
}

impl Host {
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.output)
    }

    /// Fuel used so far, given what remains of the running slice.
    pub fn fuel_total(&self, slice_remaining: i32) -> u64 {
        let in_slice = (i64::from(FUEL_SLICE) - i64::from(slice_remaining)).max(0) as u64;
        self.fuel_before_slice + in_slice
    }
}

/// [`helpers::Helpers`] kept outside the arena.
#[derive(Clone)]
pub struct StashedHelpers([StashedFunction; 12]);

impl StashedHelpers {
    fn stash<'gc>(ctx: Context<'gc>, h: helpers::Helpers<'gc>) -> Self {
        StashedHelpers(
            [
                h.method, h.concat, h.pass, h.first, h.set, h.setup, h.arith, h.key, h.drop,
                h.index, h.call, h.list,
            ]
            .map(|f| ctx.stash(f)),
        )
    }

    pub fn fetch<'gc>(&self, ctx: Context<'gc>) -> helpers::Helpers<'gc> {
        let [method, concat, pass, first, set, setup, arith, key, drop, index, call, list] =
            &self.0;
        helpers::Helpers {
            method: ctx.fetch(method),
            concat: ctx.fetch(concat),
            pass: ctx.fetch(pass),
            first: ctx.fetch(first),
            set: ctx.fetch(set),
            setup: ctx.fetch(setup),
            arith: ctx.fetch(arith),
            key: ctx.fetch(key),
            drop: ctx.fetch(drop),
            index: ctx.fetch(index),
            call: ctx.fetch(call),
            list: ctx.fetch(list),
        }
    }
}

/// What [`Vm::rollback`] restores besides the logged writes.
pub struct Savepoint {
    identities: u64,
    rng: crate::stdlib::random::Rng,
}

/// How a call ended.
pub enum Completion<R> {
    /// The function returned; `R` is what the caller's `take` made of the return values.
    Returned(R),
    /// The function yielded to the host (aos `Receive`); it can be resumed later.
    Yielded(StashedExecutor),
}

/// Asked between execution slices whether to stop the running call (Ctrl-C in a console).
pub type Interrupt = Rc<dyn Fn() -> bool>;

/// One Lua state with its limits and host data.
pub struct Vm {
    lua: Lua,
    host: Rc<RefCell<Host>>,
    limits: Limits,
    helpers: StashedHelpers,
    globals: StashedTable,
    fuel_used: u64,
    interrupt: Option<Interrupt>,
    /// Full collections made so far (see [`Vm::full_collections`]).
    full_collections: u64,
    /// Whether the open transaction asked for a full collection (see [`Vm::commit`]).
    collected_in_transaction: bool,
    /// The latest call ran out of memory or fuel as deep recursion does (see
    /// [`Vm::ran_out_like_recursion`]).
    stopped_like_recursion: bool,
    /// See [`Vm::take_fuel_stop`].
    fuel_stop: Option<runaway::Stop>,
    /// See [`Vm::watch_depth`].
    watch_depth: bool,
    /// The latest call was stopped by the depth watch (see [`Vm::take_depth_stop`]).
    depth_stopped: bool,
}

/// Fuel a watched call runs before the depth watch first reads the running thread's frames
/// (see [`Vm::watch_depth`]), and at least between two reads. Counted in fuel, which every
/// platform spends alike, so the same calls are stopped natively and in wasm.
const DEPTH_PROBE_FUEL: u64 = 250_000;
/// Fuel per frame seen before the next read: a deep stack takes longer to read (about 0.1
/// µs a frame), so it is read less often.
const DEPTH_PROBE_FUEL_PER_FRAME: u64 = 32;

/// Whether a heap that ran out looks like unbounded recursion's: nearly all of it outside
/// garbage-collected objects (piccolo's thread stacks, frames and table storage are such
/// "external" allocations; every table, closure and string header is a GC object). A
/// recursion that builds nothing per level holds well under 1% in GC objects; a table or
/// string bomb holds 5% or more.
fn stack_like(metrics: &gc_arena::metrics::Metrics) -> bool {
    metrics.total_gc_allocation().saturating_mul(50) < metrics.total_allocation()
}

impl Vm {
    /// A fresh state with piccolo's core library (the rest of the stdlib is added by
    /// [`crate::stdlib::install`]).
    pub fn new(limits: Limits) -> Result<Vm, Error> {
        if !determinism::ensure() {
            return Err(Error::Poisoned(
                "table hashing was seeded before aolite could pin it; iteration order would \
                 not be reproducible"
                    .into(),
            ));
        }
        let mut lua = Lua::core();
        lua.gc_metrics()
            .set_pacing(gc_arena::metrics::Pacing::default().with_pause_factor(GC_PAUSE));
        let (helpers, globals) = lua.enter(|ctx| {
            let helpers = helpers::Helpers::new(ctx);
            (
                StashedHelpers::stash(ctx, helpers),
                ctx.stash(ctx.globals()),
            )
        });
        Ok(Vm {
            lua,
            host: Rc::new(RefCell::new(Host::default())),
            limits,
            helpers,
            globals,
            fuel_used: 0,
            interrupt: None,
            full_collections: 0,
            collected_in_transaction: false,
            stopped_like_recursion: false,
            fuel_stop: None,
            watch_depth: false,
            depth_stopped: false,
        })
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Whether the latest call stopped as unbounded recursion does: it failed with
    /// [`Error::OutOfMemory`] holding almost none of its memory in GC objects, with
    /// [`Error::OutOfFuel`] in a thread about as deep as Lua allows (see
    /// [`runaway::Stopped::Deep`]), or the depth watch stopped it (see [`Vm::watch_depth`]).
    /// Worth a diagnostic re-run for Lua's `stack overflow` (see `crate::state::diagnose`).
    pub fn ran_out_like_recursion(&self) -> bool {
        self.stopped_like_recursion
    }

    /// Watches the depth of the running thread while the next calls run: a call whose
    /// thread gets about as deep as Lua's stack allows (see `runaway::Stopped::Deep`) is
    /// stopped with [`Error::OutOfMemory`], as recursion that runs out of memory is, and
    /// [`Vm::take_depth_stop`] says so. The caller then looks for Lua's `stack overflow` on
    /// a diagnostic copy, and runs the call again unwatched if there is none. piccolo has
    /// no depth limit, so without it a finite recursion deeper than Lua allows would
    /// succeed. The frames are read every [`DEPTH_PROBE_FUEL`] of fuel, or more when the
    /// stack is deep: an ordinary message (a few thousand fuel) is never looked at, and a
    /// recursion that goes past Lua's limit and back between two reads is missed.
    pub fn watch_depth(&mut self, on: bool) {
        self.watch_depth = on;
    }

    /// Whether the latest call was stopped by the depth watch (see [`Vm::watch_depth`]).
    pub fn take_depth_stop(&mut self) -> bool {
        std::mem::take(&mut self.depth_stopped)
    }

    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Sets (or clears) the check that can stop a running call between slices: when it
    /// returns true, the call ends with [`Error::Interrupted`].
    pub fn set_interrupt(&mut self, interrupt: Option<Interrupt>) {
        self.interrupt = interrupt;
    }

    /// The host data shared with callbacks.
    pub fn host(&self) -> Rc<RefCell<Host>> {
        self.host.clone()
    }

    /// Fuel used by the last call (or resume).
    pub fn fuel_used(&self) -> u64 {
        self.fuel_used
    }

    /// Full garbage collections the engine has forced so far. A full collection costs time
    /// in proportion to the whole heap, so the engine forces one only when the memory limit
    /// is at stake; an abandoned call's garbage (out of fuel, interrupted) is left to the
    /// incremental collector, or every such message would cost as much as the state is big.
    pub fn full_collections(&self) -> u64 {
        self.full_collections
    }

    fn full_collect(&mut self) {
        self.full_collections += 1;
        self.lua.gc_collect();
    }

    /// A full collection that also clears weak tables (see `weak.rs`): their weakly held
    /// entries are taken out, the collector runs, and the survivors go back. Two
    /// collections when entries are out: a cycle already under way keeps whatever it marked
    /// before the entries left; only a cycle started after frees all of it.
    pub fn collect_weak(&mut self) {
        let parked = self.lua.enter(weak::park);
        self.full_collect();
        if parked > 0 {
            self.full_collect();
        }
        self.lua.enter(weak::restore);
    }

    /// Bytes currently held by the Lua heap.
    pub fn memory(&self) -> usize {
        self.lua.total_memory()
    }

    /// Runs `f` inside the arena (setup and inspection; no limits apply).
    pub fn enter<F, T>(&mut self, f: F) -> T
    where
        F: for<'gc> FnOnce(Context<'gc>) -> T,
    {
        self.lua.enter(f)
    }

    /// Compiles `source` with the globals as its `_ENV`.
    pub fn load(&mut self, chunk_name: &str, source: &[u8]) -> Result<StashedFunction, Error> {
        self.load_with(chunk_name, source, compile::Reads::Lua)
    }

    /// [`Vm::load`], choosing how table reads are compiled (see [`compile::Reads`]).
    pub fn load_with(
        &mut self,
        chunk_name: &str,
        source: &[u8],
        reads: compile::Reads,
    ) -> Result<StashedFunction, Error> {
        let limits = self.limits.source;
        let stashed = self.stashed_helpers();
        let globals = &self.globals;
        self.lua.enter(|ctx| {
            let helpers = stashed.fetch(ctx);
            let closure = compile::load(
                ctx,
                chunk_name,
                source,
                Value::Table(ctx.fetch(globals)),
                helpers,
                &limits,
                reads,
            )?;
            Ok(ctx.stash(Function::Closure(closure)))
        })
    }

    /// The hidden helpers every compiled chunk captures, for the Lua-side `load` (which
    /// must go through the same pipeline).
    pub fn stashed_helpers(&self) -> StashedHelpers {
        self.helpers.clone()
    }

    /// Calls `function` with the arguments made by `args`, within the limits, and hands the
    /// return values to `take` inside the arena.
    pub fn call<A, T, R>(
        &mut self,
        function: &StashedFunction,
        args: A,
        take: T,
    ) -> Result<Completion<R>, Error>
    where
        A: for<'gc> FnOnce(Context<'gc>) -> Vec<Value<'gc>>,
        T: for<'gc> FnOnce(Context<'gc>, Vec<Value<'gc>>) -> R,
    {
        let executor = self.lua.enter(|ctx| {
            let f = ctx.fetch(function);
            let args = args(ctx);
            // The main thread is kept to find where a runaway call stopped (`runaway.rs`).
            let thread = Thread::new(ctx);
            thread
                .start(ctx, f, Variadic(args))
                .map_err(|e| Error::Lua(format!("cannot start a call: {e}")))?;
            runaway::call_started(ctx, thread);
            diagnostics::thread_started(ctx, thread, f);
            yields::reset(ctx);
            Ok::<_, Error>(ctx.stash(Executor::run(&ctx, thread)))
        })?;
        self.drive(executor, take)
    }

    /// Resumes a call that yielded to the host, passing it `args` as the yield's results.
    pub fn resume<A, T, R>(
        &mut self,
        executor: StashedExecutor,
        args: A,
        take: T,
    ) -> Result<Completion<R>, Error>
    where
        A: for<'gc> FnOnce(Context<'gc>) -> Vec<Value<'gc>>,
        T: for<'gc> FnOnce(Context<'gc>, Vec<Value<'gc>>) -> R,
    {
        self.lua.enter(|ctx| {
            let ex = ctx.fetch(&executor);
            let args = args(ctx);
            ex.resume(ctx, Variadic(args))
                .map_err(|e| Error::Lua(format!("cannot resume: {e}")))
        })?;
        self.drive(executor, take)
    }

    fn drive<T, R>(&mut self, executor: StashedExecutor, take: T) -> Result<Completion<R>, Error>
    where
        T: for<'gc> FnOnce(Context<'gc>, Vec<Value<'gc>>) -> R,
    {
        let result = self.drive_slices(executor, take);
        if !matches!(result, Ok(Completion::Yielded(_))) {
            self.lua.enter(runaway::call_ended);
        }
        result
    }

    fn drive_slices<T, R>(
        &mut self,
        executor: StashedExecutor,
        take: T,
    ) -> Result<Completion<R>, Error>
    where
        T: for<'gc> FnOnce(Context<'gc>, Vec<Value<'gc>>) -> R,
    {
        let limit = self.limits.fuel;
        // A request left by a call that was abandoned (see `locate`) is not this call's.
        weak::take_request();
        self.stopped_like_recursion = false;
        self.fuel_stop = None;
        self.depth_stopped = false;
        // An `os.exit` met while an abandoned call was run on to find its line (`locate`)
        // ended nothing; it is not this call's.
        self.host.borrow_mut().exit = None;
        let mut next_probe = DEPTH_PROBE_FUEL;
        let mut used: u64 = 0;
        // What library callbacks may spend of the call's fuel and memory (see `budget.rs`).
        let budget = budget::Scope::enter(self.limits.memory);
        loop {
            let slice = FUEL_SLICE;
            budget.start_slice(limit.saturating_sub(used), slice);
            let mut fuel = Fuel::with(slice);
            let before = self.host.borrow().fuel_before_slice;
            let done = self
                .lua
                .enter(|ctx| ctx.fetch(&executor).step(ctx, &mut fuel));
            let spent = (i64::from(slice) - i64::from(fuel.remaining())).max(0) as u64;
            used += spent;
            self.fuel_used = used;
            self.host.borrow_mut().fuel_before_slice = before + spent;
            // `os.exit` interrupted the slice right after its callback returned: nothing
            // else of the call runs (no `pcall` or coroutine sees it, as in aos).
            let exit = self.host.borrow_mut().exit.take();
            if let Some(status) = exit {
                self.abandon(&executor);
                return Err(Error::Exit(status));
            }
            // Weak tables are also cleared whenever the fuel clock passes a multiple of
            // WEAK_COLLECTION_FUEL: at the same points on every platform and after an import
            // (the clock is state), unlike the collector's own cycles, which follow the
            // allocator's byte counts.
            let passed = (before + spent) / WEAK_COLLECTION_FUEL != before / WEAK_COLLECTION_FUEL;
            let requested = weak::take_request();
            if requested || (passed && self.lua.enter(weak::any_noted)) {
                self.collected_in_transaction |= requested;
                self.collect_weak();
            }
            if done {
                break;
            }
            if used > limit {
                match self.lua.enter(runaway::stopped_frames) {
                    Some(runaway::Stopped::At(stop)) => self.fuel_stop = Some(stop),
                    Some(runaway::Stopped::Deep) => self.stopped_like_recursion = true,
                    None => {}
                }
                let at = self.locate(&executor);
                self.abandon(&executor);
                return Err(Error::OutOfFuel { limit, at });
            }
            if self.interrupt.as_ref().is_some_and(|stop| stop()) {
                self.abandon(&executor);
                return Err(Error::Interrupted);
            }
            if self.watch_depth && used >= next_probe {
                let stopped = self.lua.enter(runaway::stopped_frames);
                let frames = match &stopped {
                    Some(runaway::Stopped::At(stop)) => stop.frames.len() as u64,
                    _ => 0,
                };
                next_probe = used + DEPTH_PROBE_FUEL.max(frames * DEPTH_PROBE_FUEL_PER_FRAME);
                if stopped == Some(runaway::Stopped::Deep) {
                    self.depth_stopped = true;
                    self.stopped_like_recursion = true;
                    self.abandon(&executor);
                    self.full_collect();
                    return Err(Error::OutOfMemory {
                        used: self.lua.total_memory(),
                        limit: self.limits.memory,
                    });
                }
            }
            // A library callback may have asked for room for a result it has not built.
            let request = budget.take_request();
            let wanted = request.unwrap_or(0);
            if self.lua.total_memory().saturating_add(wanted) > self.limits.memory {
                self.full_collect();
                let mut now = self.lua.total_memory().saturating_add(wanted);
                if now > self.limits.memory {
                    // A cycle already under way when the first collection started keeps
                    // what it marked before it became garbage and what was allocated while
                    // it swept (an abandoned call's deep stack): only a cycle started now
                    // frees all of it.
                    self.full_collect();
                    now = self.lua.total_memory().saturating_add(wanted);
                }
                if now > self.limits.memory {
                    self.stopped_like_recursion = stack_like(self.lua.gc_metrics());
                    self.abandon(&executor);
                    // What the stopped call held goes now: the heap is at its limit.
                    self.full_collect();
                    return Err(Error::OutOfMemory {
                        used: now,
                        limit: self.limits.memory,
                    });
                }
            }
            if let Some(bytes) = request {
                budget.grant(bytes);
            }
        }
        self.lua.enter(|ctx| {
            let ex = ctx.fetch(&executor);
            if ex.mode() == ExecutorMode::Suspended {
                return Ok(Completion::Yielded(executor.clone()));
            }
            match ex.take_result::<Variadic<Vec<Value>>>(ctx) {
                Ok(Ok(values)) => Ok(Completion::Returned(take(ctx, values.0))),
                Ok(Err(err)) => Err(Error::Lua(convert::error_text(ctx, &err))),
                Err(mode) => Err(Error::Lua(format!("executor in unexpected state: {mode}"))),
            }
        })
    }

    /// Opens a transaction: until [`Vm::commit`] or [`Vm::rollback`], every write to Lua
    /// state is logged so it can be undone.
    pub fn begin(&mut self) -> Savepoint {
        let identities = self.lua.enter(|ctx| {
            undo::begin(ctx);
            crate::stdlib::tostring::identity_mark(ctx)
        });
        self.collected_in_transaction = false;
        Savepoint {
            identities,
            rng: self.host.borrow().rng.clone(),
        }
    }

    /// Keeps the transaction's effects (with `keep`, also its undo records, for
    /// checkpoints); returns how many slots it changed.
    pub fn commit(&mut self, keep: bool) -> usize {
        let changed = self.lua.enter(|ctx| undo::commit(ctx, keep));
        // While a transaction is open, its undo log holds what it overwrote, so a weak entry
        // of an object the transaction let go of outlives its `collectgarbage()` (a rollback
        // must be able to bring the object back). Once committed, the log lets go too: the
        // collection the program asked for is finished now.
        if std::mem::take(&mut self.collected_in_transaction)
            && !keep
            && self.lua.enter(weak::any_noted)
        {
            self.collect_weak();
        }
        changed
    }

    /// Undoes everything since [`Vm::begin`]: Lua state and the host state Lua sees.
    pub fn rollback(&mut self, savepoint: Savepoint) {
        self.lua.enter(|ctx| {
            undo::rollback(ctx);
            crate::stdlib::tostring::forget_after(ctx, savepoint.identities);
        });
        self.host.borrow_mut().rng = savepoint.rng;
    }

    /// The Lua line a call that ran out of fuel is running: the suspended executor runs on
    /// for at most [`runaway::LOCATE_FUEL`] until one of our helpers is called from Lua and
    /// records its caller's position (see [`runaway`]). What it does meanwhile is undone
    /// with the rest of the failed call: its writes by the caller's rollback, its output here.
    fn locate(&mut self, executor: &StashedExecutor) -> Option<crate::error::Position> {
        let output_len = self.host.borrow().output.len();
        let fuel_clock = self.host.borrow().fuel_before_slice;
        let locating = runaway::Locating::start();
        let mut used: u64 = 0;
        while used < runaway::LOCATE_FUEL && locating.found().is_none() {
            let mut fuel = Fuel::with(FUEL_SLICE);
            let done = self
                .lua
                .enter(|ctx| ctx.fetch(executor).step(ctx, &mut fuel));
            used += (i64::from(FUEL_SLICE) - i64::from(fuel.remaining())).max(0) as u64;
            if done
                || self.interrupt.as_ref().is_some_and(|stop| stop())
                || self.lua.total_memory() > self.limits.memory
            {
                break;
            }
        }
        let found = locating.found();
        drop(locating);
        let mut host = self.host.borrow_mut();
        host.output.truncate(output_len);
        host.fuel_before_slice = fuel_clock;
        found
    }

    /// Stops a call that will not finish. Its garbage is left to the incremental collector
    /// (see [`Vm::full_collections`]).
    fn abandon(&mut self, executor: &StashedExecutor) {
        self.lua.enter(|ctx| {
            ctx.fetch(executor).stop(&ctx);
            runaway::call_ended(ctx);
        });
    }

    /// Makes this (diagnostic) state's next call look for `stop` and end as soon as it finds
    /// it in a loop (see `diagnostics::aim_at_stop`): the position found, if any, is taken
    /// from the returned [`diagnostics::Aimed`] after the call.
    pub fn aim_at_stop(
        &mut self,
        stop: runaway::Stop,
        lookup: runaway::PlainLookup,
    ) -> diagnostics::Aimed {
        let aimed = self
            .lua
            .enter(|ctx| diagnostics::aim_at_stop(ctx, stop, lookup));
        let seen = aimed.clone();
        self.interrupt = Some(Rc::new(move || seen.found()));
        aimed
    }

    /// Where the latest call that ran out of fuel without naming its line stopped: the Lua
    /// frames a diagnostic re-run looks for (see `runaway.rs`).
    pub fn take_fuel_stop(&mut self) -> Option<runaway::Stop> {
        self.fuel_stop.take()
    }
}
