//! Diagnostic mode: what a failing message needs to report its error as Lua 5.3 does.
//!
//! piccolo raises a call error (`attempt to call a nil value`) from inside its VM, without
//! the failing frame's position or the name of what was called, and exposes to a callback
//! only the Lua frame directly below it, so `error(msg, 2)` cannot find its caller's
//! caller. Instrumenting every call would slow every message down. Instead a failed
//! message is re-run on a copy of its state compiled in diagnostic mode (see
//! `crate::ao::process`), where every call `f(args)` becomes `(call)(f, site, args)`:
//! - `site` is a string constant `description [\t T]` naming what is called as Lua would
//!   (`global 'f'`, `local 'f'`, `field 'f'`...), `T` for a call in tail position;
//! - the `(call)` helper raises Lua's error when `f` cannot be called, and otherwise keeps a
//!   shadow call stack (per coroutine) of the Lua functions called, so `error` levels,
//!   `debug.traceback` and the structured error of an outcome can name the real frames.
//!
//! Outside diagnostic mode this module notes that an error lacked what diagnostics would add
//! (see [`note_degraded`]) or that a traceback knew only one frame ([`traced`]), so the host
//! knows a re-run is worth it. Every run also notes, in order, the error values it handed
//! back to Lua and its tracebacks ([`caught`], [`traced`]); a run started with a diagnostic
//! run's list ([`begin_run`]) hands back that run's values instead, one by one, while they
//! stand for the same errors (see `crate::state::diagnose`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::convert::address;
use super::runaway::{Level, PlainFacts, PlainLookup, Stop};
use gc_arena::{Collect, Rootable};
use piccolo::{
    compiler::FunctionRef, meta_ops, BoxSequence, Callback, CallbackReturn, Context,
    Error as LuaError, Execution, Function, Sequence, SequencePoll, Stack, Value,
};

/// Which function a frame runs: its chunk and where it was defined (as piccolo names it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionId {
    pub chunk: String,
    /// `None` for a chunk's main function.
    pub defined: Option<usize>,
    pub name: Option<String>,
}

impl FunctionId {
    fn of(chunk: &[u8], reference: &FunctionRef<piccolo::String<'_>>) -> Self {
        let chunk = String::from_utf8_lossy(chunk).into_owned();
        match reference {
            FunctionRef::Named(n, line) => FunctionId {
                chunk,
                defined: Some(line.0 as usize + 1),
                name: Some(n.to_str_lossy().into_owned()),
            },
            FunctionRef::Expression(line) => FunctionId {
                chunk,
                defined: Some(line.0 as usize + 1),
                name: None,
            },
            FunctionRef::Chunk => FunctionId {
                chunk,
                defined: None,
                name: None,
            },
        }
    }
}

/// One call made through `(call)` into a Lua function.
#[derive(Debug, Clone)]
struct Entry {
    /// Where the call is: the caller's chunk and line.
    chunk: String,
    line: usize,
    /// The function making the call.
    caller: Option<FunctionId>,
    /// The function called.
    callee: FunctionId,
    /// How Lua names the callee (`local 'f'`), empty when it gives no name.
    what: String,
    /// A tail call: in Lua the caller's frame is gone.
    tail: bool,
    /// Made by a library function (`pcall`, `xpcall`) called from `caller` at the site: a
    /// C frame sits between the two Lua frames.
    native: Option<&'static str>,
    /// The Lua stack slots PUC Lua would hold with this call's frame (see [`STACK_SLOTS`]).
    slots: usize,
    /// The nested C calls PUC Lua would count with this call (see [`C_CALLS`]).
    c_calls: usize,
    /// What `debug.getinfo` tells of the callee at deeper levels (see [`frame_at`]).
    facts: Facts,
    /// For a `native` entry: how the call of the library function was named (`global
    /// 'pcall'`), empty when unknown.
    native_site: String,
    /// The callee's plain facts, in a run looking for a stop (see [`aim_at_stop`]).
    plain: Option<Rc<PlainFacts>>,
    /// The calling Lua frame is gone (replaced): a tail call, or a call made by a library
    /// function (`pcall`) that was itself called in tail position.
    caller_gone: bool,
}

/// Facts of a called Lua function that its [`FunctionId`] lacks.
#[derive(Debug, Clone)]
struct Facts {
    /// The chunk name `load` was given (see `chunks::given_name`).
    source: Option<Rc<[u8]>>,
    /// Its last line (`lastlinedefined`).
    last_line: Option<usize>,
}

impl Facts {
    fn of<'gc>(ctx: Context<'gc>, proto: &piccolo::FunctionPrototype<'gc>) -> Facts {
        Facts {
            source: super::chunks::given_name(ctx, proto.chunk_name),
            last_line: proto
                .opcode_line_numbers
                .iter()
                .map(|(_, l)| l.0 as usize + 1)
                .max(),
        }
    }
}

/// PUC Lua's `LUAI_MAXSTACK`: a call that would take a thread's stack past this many slots
/// raises `stack overflow`. piccolo has no such limit (deep recursion only ends when memory
/// runs out), so the shadow stack of diagnostic mode counts slots as PUC Lua stacks them:
/// per Lua call, the caller's active locals and the function slot (from the call site, see
/// `calls.rs`), plus the arguments of a vararg callee (kept below its frame). A message
/// that ran out of memory is re-run in diagnostic mode to find such an overflow.
pub const STACK_SLOTS: usize = 1_000_000;

/// PUC Lua's `LUAI_MAXCCALLS`: a call made from C (`pcall`, a metamethod) that nests this
/// deep raises `C stack overflow`. The count starts at [`C_BASE`], what the host's call of
/// the main chunk holds.
pub const C_CALLS: usize = 200;
const C_BASE: usize = 2;

/// Slots counted for a call whose site is unknown (a method call, a library function's).
const UNKNOWN_SITE_SLOTS: usize = 2;

/// A frame of a traceback, innermost first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TraceFrame {
    pub chunk: String,
    pub line: Option<usize>,
    /// How the frame's function is named (`local 'f'`, `main chunk`, `function <aos:3>`).
    pub name: String,
}

/// An error's frames where it was raised (what `debug.traceback` shows in an `xpcall`
/// handler, as in Lua), and, for an error raised again with `error` after it was caught
/// (as aos's handlers do with every handler's error), the frames where it was first raised.
struct Traced {
    text: Vec<u8>,
    frames: Vec<TraceFrame>,
    origin: Option<Vec<TraceFrame>>,
}

#[derive(Default)]
struct State {
    enabled: bool,
    /// An error lost information diagnostics would give (outside diagnostic mode).
    degraded: bool,
    stacks: HashMap<usize, Vec<Entry>>,
    /// The C level each coroutine's shadow stack starts from, by thread: as PUC Lua's
    /// `lua_resume` sets it, one more than its resumer's (threads not listed start at
    /// [`C_BASE`]).
    bases: HashMap<usize, usize>,
    /// The latest error raised: its text and frames where it was raised.
    trace: Option<Traced>,
    /// That error was caught (`pcall`, `coroutine.resume`): an error with the same text is
    /// a new one (raised again, or a second failure at the same place).
    trace_caught: bool,
    /// `error` was given the caught error again: the next error traced keeps the frames
    /// where it was first raised as its origin.
    reraise: bool,
    /// The error values handed back to Lua so far in this run (see [`caught`]).
    caught: Caught,
    /// Replacements for those values (see [`begin_run`]).
    queue: Option<Queue>,
    /// Coroutines created in this run (see [`thread_created`]), by address.
    fresh_threads: std::collections::BTreeSet<usize>,
    /// More were created than are kept: any resumed coroutine may be older.
    fresh_overflow: bool,
    /// The latest call of a library function made by `(call)` (see [`enter_native`]).
    native_site: Option<NativeSite>,
    /// The [`Facts`] of the body functions of the coroutines created in this run (in
    /// diagnostic mode), by address.
    bodies: HashMap<usize, Facts>,
    /// The run resumed a coroutine created before it (see [`thread_resumed`]).
    resumed_older: bool,
    /// `debug.traceback` gave a text lacking callers, or `debug.getinfo` a frame lacking its
    /// name (outside diagnostic mode).
    traced: bool,
    /// The text of the latest error raised by `error` (in diagnostic mode), and where
    /// `error` was called.
    raised: Option<(Vec<u8>, Option<Position>)>,
    /// The `xpcall` message handlers running, innermost last (see [`begin_handling`]).
    handling: Vec<Handling>,
    /// A call raised `stack overflow` in this run (see [`STACK_SLOTS`]).
    overflowed: bool,
    /// What this run looks for, when it is run to find where a runaway call stopped (see
    /// [`aim_at_stop`]).
    aim: Option<Aim>,
    /// The error a table constructor's invalid key will raise, with its position (see
    /// [`note_key`]).
    pending_key: Option<String>,
    /// The latest library function called as a method (`s:gsub(p, f)`): its thread, caller
    /// and line (see [`method_calls_native`]).
    method_native: Option<(usize, FunctionId, usize)>,
    /// A library function (`pcall`, `xpcall`) calling a Rust function directly, which then
    /// has no Lua frame above it: its thread, and the Lua caller of the library function
    /// and its line (see [`native_calls_callback`]).
    native_callback: Option<(usize, FunctionId, usize)>,
}

/// A re-run looking for the frames a runaway call stopped in (see [`aim_at_stop`]).
struct Aim {
    stop: Stop,
    lookup: PlainLookup,
    /// The plain facts of this state's prototypes met so far, by address.
    facts: HashMap<usize, Option<Rc<PlainFacts>>>,
    /// The first function of each thread seen starting, by the thread's address.
    roots: HashMap<usize, (FunctionId, Option<Rc<PlainFacts>>)>,
    aimed: Aimed,
}

/// What a run aimed at a stop found (see [`aim_at_stop`]).
#[derive(Clone, Default)]
pub struct Aimed {
    /// A match at the start of a loop iteration, inside the loop: the run may stop.
    found: Rc<RefCell<Option<crate::error::Position>>>,
    /// The first match on entering a call, whose innermost frame nothing checks but its
    /// size (another function of the same size called from the same line matches too): the
    /// answer only if no loop matches before the run ends (a recursion stopped between two
    /// calls).
    entered: Rc<RefCell<Option<crate::error::Position>>>,
}

impl Aimed {
    /// Whether a loop matched (the run can be stopped).
    pub fn found(&self) -> bool {
        self.found.borrow().is_some()
    }

    /// The position found, once the run is over.
    pub fn take(&self) -> Option<crate::error::Position> {
        let found = self.found.borrow_mut().take();
        found.or_else(|| self.entered.borrow_mut().take())
    }
}

/// A chunk and line.
type Position = (String, usize);

/// A call of a library function made by `(call)`: where, and how it was named.
struct NativeSite {
    thread: usize,
    line: usize,
    /// The line Lua gives the call, when the site names one.
    at: Option<usize>,
    what: String,
    /// Called in tail position: the calling Lua frame is gone in Lua (and in piccolo).
    tail: bool,
    /// The library function called (its address).
    callee: Option<usize>,
}

/// An `xpcall` message handler running in diagnostic mode: in Lua it runs on top of the
/// frame that failed, so a traceback taken in it lists that frame and its callers.
struct Handling {
    thread: usize,
    /// The shadow stack's depth when the handler was called.
    depth: usize,
    /// The frames of the error (innermost first, the `xpcall` and its callers included).
    frames: Vec<TraceFrame>,
    /// The error was raised by `error` (Lua shows its C frame).
    by_error: bool,
    /// The handler is a library function (`debug.traceback` itself), not a Lua function.
    native: bool,
    /// How Lua names the handler's frame (after what the failing frame was doing).
    name: Option<String>,
}

/// A handler entry made by [`begin_handling`], for [`end_handling`].
#[derive(Debug, Clone, Copy)]
pub struct HandlingToken(usize);

/// At most this many coroutines created in one run are told apart from older ones.
const MAX_FRESH_THREADS: usize = 100_000;

/// What a run handed back to Lua that a diagnostic re-run can improve, in order: the error
/// values of caught errors (`pcall`, `xpcall`, `coroutine.resume`, `load`'s reader) and the
/// texts of `debug.traceback`. A run that notes too many (or too much text) keeps no list:
/// `overflow`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Caught {
    pub values: Vec<Noted>,
    pub overflow: bool,
    bytes: usize,
}

/// One thing a run handed back (see [`Caught`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Noted {
    /// A caught error's value: the text of a string, `None` for any other value.
    Error(Option<Vec<u8>>),
    /// A `debug.traceback` text.
    Traceback(Vec<u8>),
    /// The name `debug.getinfo(1, "n")` gave the function it was called from (see
    /// [`upper_name`]).
    Name {
        function: FunctionId,
        name: Option<(String, String)>,
    },
    /// What `debug.getinfo(level)` (level 2 or more) told of a frame, asked from `function`
    /// (see [`frame_at`]).
    Frame {
        function: FunctionId,
        level: i64,
        frame: Option<FrameAt>,
    },
}

/// A frame below the calling one as `debug.getinfo(level)` describes it (see [`frame_at`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameAt {
    /// A Lua function's frame.
    Lua {
        function: FunctionId,
        /// The chunk name `load` was given, when known.
        source: Option<Vec<u8>>,
        last_line: Option<usize>,
        line: usize,
        name: Option<(String, String)>,
        tail: bool,
    },
    /// A library function's frame, or the host's call of the main chunk.
    C { name: Option<(String, String)> },
}

impl Noted {
    fn len(&self) -> usize {
        match self {
            Noted::Error(Some(t)) | Noted::Traceback(t) => t.len(),
            Noted::Error(None) => 0,
            Noted::Name { function, name } => {
                function.chunk.len() + name.as_ref().map_or(0, |(n, w)| n.len() + w.len())
            }
            Noted::Frame {
                function, frame, ..
            } => {
                function.chunk.len()
                    + match frame {
                        Some(FrameAt::Lua {
                            function, source, ..
                        }) => function.chunk.len() + source.as_ref().map_or(0, Vec::len),
                        _ => 0,
                    }
            }
        }
    }

    /// Whether `diagnosed` (a diagnostic re-run's) may stand in for this: the same error up
    /// to positions and names, or a traceback of the same message.
    fn matches(&self, diagnosed: &Noted) -> bool {
        let text = |t: &[u8]| String::from_utf8_lossy(t).into_owned();
        match (self, diagnosed) {
            (Noted::Error(None), Noted::Error(None)) => true,
            (Noted::Error(Some(a)), Noted::Error(Some(b))) => {
                a == b || same_error(&text(a), &text(b))
            }
            (Noted::Name { function: a, .. }, Noted::Name { function: b, .. }) => a == b,
            (
                Noted::Frame {
                    function: a,
                    level: i,
                    ..
                },
                Noted::Frame {
                    function: b,
                    level: j,
                    ..
                },
            ) => a == b && i == j,
            (Noted::Traceback(a), Noted::Traceback(b)) => {
                let (a, b) = (text(a), text(b));
                match (a.find("stack traceback:"), b.find("stack traceback:")) {
                    (Some(i), Some(j)) => same_error(&a[..i], &b[..j]),
                    _ => false,
                }
            }
            _ => false,
        }
    }
}

/// At most this many values, and this much of their text, are noted per run.
const MAX_CAUGHT: usize = 10_000;
const MAX_CAUGHT_BYTES: usize = 1 << 20;

impl Caught {
    fn push(&mut self, value: Noted) {
        let len = value.len();
        if self.overflow || self.values.len() >= MAX_CAUGHT || self.bytes + len > MAX_CAUGHT_BYTES {
            self.overflow = true;
            return;
        }
        self.bytes += len;
        self.values.push(value);
    }

    /// The diagnosed values to hand back instead of this run's (`diagnosed`, a diagnostic
    /// re-run's list): `None` when nothing would change or the lists do not line up. They
    /// line up when each value both runs noted up to the first that differs is the same,
    /// and that one the same error up to positions and names (or a traceback of the same
    /// message, a frame asked for by the same function). What follows it may differ: a
    /// program that reads the values (`assert(err:find("local 'f'"))`, `debug.getinfo(2)`
    /// being nil or not) may well go on differently with Lua's, as the diagnostic run did.
    /// The run handing them back must then meet exactly these values (see [`end_run`]).
    pub fn replacements(&self, diagnosed: &Caught) -> Option<Caught> {
        if self.overflow || diagnosed.overflow {
            return None;
        }
        for (first, again) in self.values.iter().zip(&diagnosed.values) {
            if first == again {
                continue;
            }
            return first.matches(again).then(|| diagnosed.clone());
        }
        None
    }
}

/// A run handing back substituted error values: the i-th caught value is replaced by
/// `values[i]` (see [`begin_run`]).
struct Queue {
    values: Vec<Noted>,
    next: usize,
    broken: bool,
}

#[derive(Clone, Collect)]
#[collect(require_static)]
struct Diagnostics(Rc<RefCell<State>>);

impl<'gc> piccolo::Singleton<'gc> for Diagnostics {
    fn create(_: Context<'gc>) -> Self {
        Diagnostics(Rc::default())
    }
}

fn state(ctx: Context<'_>) -> Rc<RefCell<State>> {
    ctx.singleton::<Rootable![Diagnostics]>().0.clone()
}

/// [`enabled`], without looking the state up while no state is in diagnostic mode.
pub fn in_diagnostic_mode(ctx: Context<'_>) -> bool {
    ENABLED_STATES.load(Ordering::Relaxed) != 0 && enabled(ctx)
}

/// Whether code compiled in this Lua state gets the diagnostic instrumentation.
pub fn enabled(ctx: Context<'_>) -> bool {
    state(ctx).borrow().enabled
}

pub fn set_enabled(ctx: Context<'_>, on: bool) {
    let s = state(ctx);
    let mut s = s.borrow_mut();
    if s.enabled != on {
        if on {
            ENABLED_STATES.fetch_add(1, Ordering::Relaxed);
        } else {
            ENABLED_STATES.fetch_sub(1, Ordering::Relaxed);
        }
    }
    s.enabled = on;
}

/// How many Lua states are in diagnostic mode right now (in practice: a re-run's copy).
/// While there are none, the library functions that keep shadow frames (`pcall`, `xpcall`)
/// skip even looking their state up, so the success path pays nothing for diagnostics.
static ENABLED_STATES: AtomicUsize = AtomicUsize::new(0);

impl Drop for State {
    fn drop(&mut self) {
        if self.enabled {
            ENABLED_STATES.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

/// Notes that an error was reported without a position or name a diagnostic re-run would
/// give (a VM error, `error` at a level above 1).
pub fn note_degraded(ctx: Context<'_>) {
    let s = state(ctx);
    let mut s = s.borrow_mut();
    if !s.enabled {
        s.degraded = true;
    }
}

/// Whether an error lost information since the last call (and forgets it).
pub fn take_degraded(ctx: Context<'_>) -> bool {
    std::mem::take(&mut state(ctx).borrow_mut().degraded)
}

/// Whether an error lost information since the last [`take_degraded`] (kept).
pub fn degraded(ctx: Context<'_>) -> bool {
    state(ctx).borrow().degraded
}

/// Whether `debug.traceback` gave a text lacking callers since the run began (see
/// [`traced`]). Such a text is worth a re-run only in a run that succeeds: a failed
/// message's outcome has its error, and aos's runtime takes a traceback of every failure.
pub fn was_traced(ctx: Context<'_>) -> bool {
    state(ctx).borrow().traced
}

/// A caught error's value on its way back to Lua (`pcall`, `xpcall`, `coroutine.resume`):
/// recorded (see [`Caught`]), and, in a run that substitutes ([`begin_run`]), replaced by
/// the diagnosed value when it is the same error. Only caught errors pay for this.
pub fn caught<'gc>(ctx: Context<'gc>, value: Value<'gc>) -> Value<'gc> {
    let noted = Noted::Error(match value {
        Value::String(t) => Some(t.as_bytes().to_vec()),
        _ => None,
    });
    match note(ctx, noted) {
        Some(Noted::Error(Some(text))) => Value::String(ctx.intern(&text)),
        _ => value,
    }
}

/// A `debug.traceback` text on its way back to Lua: noted as [`caught`] notes errors, and
/// replaced by the diagnosed text (of the same message) in a run that substitutes. Outside
/// diagnostic mode it lacks the callers: the run is marked as worth a re-run when it succeeds.
pub fn traced(ctx: Context<'_>, text: Vec<u8>) -> Vec<u8> {
    {
        let s = state(ctx);
        let mut s = s.borrow_mut();
        if !s.enabled {
            s.traced = true;
        }
    }
    match note(ctx, Noted::Traceback(text.clone())) {
        Some(Noted::Traceback(better)) => better,
        _ => text,
    }
}

/// `debug.getinfo(1, "n")`'s name for the Lua function below the running callback:
/// `(name, namewhat)` as Lua gives them (`("f", "global")`), `None` for none. Lua names a
/// function after the instruction that called it, which piccolo keeps private: diagnostic
/// mode knows it from its shadow stack; outside it `guess` is given and the run is marked
/// as worth a re-run (as [`traced`] does), whose names a substituting run hands back.
pub fn upper_name(
    ctx: Context<'_>,
    exec: &Execution<'_, '_>,
    guess: Option<(String, String)>,
) -> Option<(String, String)> {
    let (current, _) = upper(exec)?;
    let value = {
        let s = state(ctx);
        let mut s = s.borrow_mut();
        if s.enabled {
            s.stacks
                .get(&thread_key(exec))
                .and_then(|stack| stack.last())
                .and_then(|e| call_name(e, &current))
        } else {
            s.traced = true;
            guess
        }
    };
    let noted = Noted::Name {
        function: current,
        name: value.clone(),
    };
    match note(ctx, noted) {
        Some(Noted::Name { name, .. }) => name,
        _ => value,
    }
}

/// `debug.getinfo(level)`'s frame for `level` 2 or more (level 1 is the Lua function below
/// the running callback, which piccolo shows; deeper ones it keeps private): `None` past
/// the end of the stack. Diagnostic mode walks its shadow stack; it knows no frame past one
/// that a library function entered without telling it (a `table.sort` comparator's caller),
/// and answers `None` there. Outside it the answer is `None` and the run is marked as worth
/// a re-run (as [`traced`] does), whose frames a substituting run hands back.
pub fn frame_at(ctx: Context<'_>, exec: &Execution<'_, '_>, level: i64) -> Option<FrameAt> {
    let (current, _) = upper(exec)?;
    let value = {
        let s = state(ctx);
        let mut s = s.borrow_mut();
        if s.enabled {
            let empty = Vec::new();
            let key = thread_key(exec);
            let stack = s.stacks.get(&key).unwrap_or(&empty);
            let body = s.bodies.get(&key);
            walk_frames(
                stack,
                body,
                current.clone(),
                level,
                exec.current_thread().is_main,
            )
        } else {
            s.traced = true;
            None
        }
    };
    let noted = Noted::Frame {
        function: current,
        level,
        frame: value.clone(),
    };
    match note(ctx, noted) {
        Some(Noted::Frame { frame, .. }) => frame,
        _ => value,
    }
}

/// The frame `level` levels up (2 or more) from `current`, the running Lua function, on a
/// shadow stack (see [`frame_at`]); `body` tells of the function a coroutine's stack starts with, if known.
fn walk_frames(
    stack: &[Entry],
    body: Option<&Facts>,
    mut current: FunctionId,
    level: i64,
    main: bool,
) -> Option<FrameAt> {
    let mut left = level - 1;
    let mut i = stack.len();
    while i > 0 {
        let e = &stack[i - 1];
        if e.callee != current {
            // Entered by a library function we were not told of: its frame, then unknown.
            left -= 1;
            return (left == 0).then_some(FrameAt::C { name: None });
        }
        if let Some(native) = e.native {
            // The library function (`pcall`) between the two Lua frames; `print` calling
            // `tostring` is two.
            let frames = native.split(' ').count();
            for k in 1..=frames {
                left -= 1;
                if left == 0 {
                    // Lua calls a library function in tail position as any other call;
                    // one called by another has no name.
                    return Some(FrameAt::C {
                        name: (k == frames).then(|| site_name(&e.native_site)).flatten(),
                    });
                }
            }
        }
        let caller = e.caller.clone()?;
        if !e.tail {
            left -= 1;
            if left == 0 {
                // The entry that entered the caller, if it is on the stack; else the caller
                // starts the stack (a coroutine's body, the main chunk).
                let entered = i
                    .checked_sub(2)
                    .map(|j| &stack[j])
                    .filter(|p| p.callee == caller);
                let facts = match entered {
                    Some(p) => Some(&p.facts),
                    None if i == 1 && !main => body,
                    None => None,
                };
                return Some(FrameAt::Lua {
                    source: facts.and_then(|f| f.source.as_deref().map(<[u8]>::to_vec)),
                    last_line: facts.and_then(|f| f.last_line),
                    line: e.line,
                    name: entered.and_then(|p| call_name(p, &caller)),
                    tail: entered.is_some_and(|p| p.tail),
                    function: caller,
                });
            }
        }
        current = caller;
        i -= 1;
    }
    // The outermost function: the host called the main chunk; a coroutine's body ends it.
    left -= 1;
    (main && left == 0).then_some(FrameAt::C { name: None })
}

/// How Lua names `current` when `e`, the innermost shadow-stack entry, is the call that
/// entered it: after the calling instruction (`global 'f'` gives `("f", "global")`). A
/// function entered otherwise (by a library function, a coroutine's resume), called by a
/// library function (`pcall`) or by a tail call has no name.
fn call_name(e: &Entry, current: &FunctionId) -> Option<(String, String)> {
    if e.callee != *current || e.tail || e.native.is_some() {
        return None;
    }
    site_name(&e.what)
}

/// How Lua names library function `fname` (its qualified name, `string.rep`) in an
/// argument error (`luaL_argerror`), in diagnostic mode: after the instruction that called
/// it when Lua code did (`local r = string.rep; r()` gives `r`, `t.f()` gives `f`, a `for`
/// loop's call `for iterator`), else (called by a library function, or a call of a call's
/// result) by where `package.loaded` holds it (`string.rep`; `_G.f` as `f`), else `?`.
/// `None` outside diagnostic mode, where the calling instruction is unknown.
pub fn argument_error_name(
    ctx: Context<'_>,
    exec: &Execution<'_, '_>,
    fname: &str,
) -> Option<String> {
    let s = state(ctx);
    if !s.borrow().enabled {
        return None;
    }
    let own = Some(super::undo::global_path(ctx, fname)).filter(|v| !v.is_nil());
    let line = exec
        .upper_lua_frame()
        .map(|f| f.current_line.0 as usize + 1);
    if let Some(site) = &s.borrow().native_site {
        let ours = own.is_none_or(|f| address(f) == site.callee);
        if site.thread == thread_key(exec) && Some(site.line) == line && ours {
            if let Some((name, _)) = site_name(&site.what) {
                return Some(name);
            }
        }
    }
    Some(match own {
        Some(f) => loaded_name(ctx, f).unwrap_or_else(|| "?".to_owned()),
        None => fname.to_owned(),
    })
}

/// Where `package.loaded` holds `f`, as Lua's `pushglobalfuncname` finds it: the first
/// module that is `f`, or whose table has `f` under a string key (`string.rep`), in
/// `pairs` order; a name under `_G` loses that prefix.
fn loaded_name<'gc>(ctx: Context<'gc>, f: Value<'gc>) -> Option<String> {
    let Value::Table(loaded) = super::undo::global_path(ctx, "package.loaded") else {
        return None;
    };
    let f = address(f)?;
    let same = |v: Value<'gc>| address(v) == Some(f);
    for (k, v) in loaded.iter() {
        let Value::String(module) = k else {
            continue;
        };
        let module = module.to_str_lossy();
        if same(v) {
            return Some(module.into_owned());
        }
        if let Value::Table(t) = v {
            for (k2, v2) in t.iter() {
                if let (Value::String(name), true) = (k2, same(v2)) {
                    let name = name.to_str_lossy();
                    return Some(if module == "_G" {
                        name.into_owned()
                    } else {
                        format!("{module}.{name}")
                    });
                }
            }
        }
    }
    None
}

/// `(name, namewhat)` from a call site's description (`global 'f'`).
fn site_name(what: &str) -> Option<(String, String)> {
    let (kind, name) = what.split_once(" '")?;
    Some((name.strip_suffix('\'')?.to_owned(), kind.to_owned()))
}

/// Notes `value` (see [`Caught`]); in a run that substitutes, the value to hand back instead
/// when it differs and stands in for it, else `None` (a mismatch stops the substitution).
fn note(ctx: Context<'_>, value: Noted) -> Option<Noted> {
    let s = state(ctx);
    let mut s = s.borrow_mut();
    let q = match s.queue.as_mut() {
        Some(q) if !q.broken => q,
        _ => {
            s.caught.push(value);
            return None;
        }
    };
    let expected = q.values.get(q.next).cloned();
    q.next += 1;
    let out = match expected {
        Some(e) if e == value => None,
        Some(e) if value.matches(&e) => Some(e),
        _ => {
            q.broken = true;
            None
        }
    };
    s.caught.push(value);
    out
}

/// Notes a coroutine made by `coroutine.create` or `coroutine.wrap` in this run.
///
/// A run is only run again (see [`begin_run`]) when it resumed no coroutine older than
/// itself: rolling a run back does not restore a coroutine it resumed (piccolo keeps a
/// thread's stack private), so a second run would not meet the same coroutine.
pub fn thread_created<'gc>(ctx: Context<'gc>, thread: piccolo::Thread<'gc>, body: Function<'gc>) {
    thread_started(ctx, thread, body);
    let s = state(ctx);
    let mut s = s.borrow_mut();
    if s.enabled && s.bodies.len() < MAX_FRESH_THREADS {
        // For `debug.getinfo` of the body's frame (see [`frame_at`]).
        if let Function::Closure(c) = body {
            let key = gc_arena::Gc::as_ptr(thread.into_inner()) as usize;
            s.bodies.insert(key, Facts::of(ctx, &c.prototype()));
        }
    }
    if s.fresh_threads.len() >= MAX_FRESH_THREADS {
        s.fresh_overflow = true;
    } else {
        s.fresh_threads
            .insert(gc_arena::Gc::as_ptr(thread.into_inner()) as usize);
    }
}

/// Notes that a coroutine is resumed (see [`thread_created`]); in diagnostic mode, a
/// coroutine with no call under way starts one C level above its resumer (see
/// [`State::bases`]).
pub fn thread_resumed(ctx: Context<'_>, exec: &Execution<'_, '_>, thread: piccolo::Thread<'_>) {
    let s = state(ctx);
    let mut s = s.borrow_mut();
    let key = gc_arena::Gc::as_ptr(thread.into_inner()) as usize;
    if s.fresh_overflow || !s.fresh_threads.contains(&key) {
        s.resumed_older = true;
    }
    if s.enabled && s.stacks.get(&key).is_none_or(Vec::is_empty) {
        let level = c_level(&s, thread_key(exec)) + 1;
        s.bases.insert(key, level);
    }
}

/// The C level of the call under way on thread `key` (see [`C_CALLS`]).
fn c_level(s: &State, key: usize) -> usize {
    match s.stacks.get(&key).and_then(|st| st.last()) {
        Some(e) => e.c_calls,
        None => s.bases.get(&key).copied().unwrap_or(C_BASE),
    }
}

/// Starts a run: forgets the values caught so far and, with `replacements`, makes the run
/// hand back those instead (see [`caught`]).
pub fn begin_run(ctx: Context<'_>, replacements: Option<Caught>) {
    let s = state(ctx);
    let mut s = s.borrow_mut();
    s.caught = Caught::default();
    s.bases.clear();
    s.fresh_threads.clear();
    s.bodies.clear();
    s.fresh_overflow = false;
    s.resumed_older = false;
    s.traced = false;
    s.overflowed = false;
    s.queue = replacements.map(|c| Queue {
        values: c.values,
        next: 0,
        broken: false,
    });
}

/// How a run went, as [`end_run`] tells it.
#[derive(Debug, Clone, Default)]
pub struct RunEnd {
    /// Its substitution (if any) lined up: every replacement used, each for the same error.
    pub lined_up: bool,
    /// Whether it can be run again from the same state (see [`thread_created`]).
    pub repeatable: bool,
}

/// The error values handed back to Lua since the run began (see [`caught`]).
pub fn take_caught(ctx: Context<'_>) -> Caught {
    std::mem::take(&mut state(ctx).borrow_mut().caught)
}

/// Ends a run started by [`begin_run`] (the values it caught are kept for [`take_caught`]).
pub fn end_run(ctx: Context<'_>) -> RunEnd {
    let s = state(ctx);
    let mut s = s.borrow_mut();
    let lined_up = match s.queue.take() {
        None => true,
        Some(q) => !q.broken && q.next == q.values.len(),
    };
    s.fresh_threads.clear();
    RunEnd {
        lined_up,
        repeatable: !s.resumed_older,
    }
}

/// Whether the run resumed a coroutine created before it (see [`thread_resumed`]).
pub fn resumed_older(ctx: Context<'_>) -> bool {
    state(ctx).borrow().resumed_older
}

/// Whether a call raised `stack overflow` since the run began (see [`STACK_SLOTS`]).
pub fn overflowed(ctx: Context<'_>) -> bool {
    state(ctx).borrow().overflowed
}

/// The frames recorded for the error whose text ends the given text, if any: where it was
/// raised (last).
pub fn trace_of(ctx: Context<'_>, text: &[u8]) -> Option<Vec<TraceFrame>> {
    traced_as(ctx, text, |t| &t.frames)
}

/// As [`trace_of`], but where the error was first raised when it was caught and raised
/// again (a message's `ErrorInfo`: the handler's frames, not those of aos's re-raise).
pub fn origin_trace_of(ctx: Context<'_>, text: &[u8]) -> Option<Vec<TraceFrame>> {
    traced_as(ctx, text, |t| t.origin.as_ref().unwrap_or(&t.frames))
}

/// The frames `pick` chooses of the error whose text ends `text`, if it is the one traced.
fn traced_as(
    ctx: Context<'_>,
    text: &[u8],
    pick: impl FnOnce(&Traced) -> &Vec<TraceFrame>,
) -> Option<Vec<TraceFrame>> {
    let s = state(ctx);
    let s = s.borrow();
    s.trace
        .as_ref()
        .filter(|_| continues_trace(&s, text))
        .map(|t| pick(t).clone())
}

fn thread_key(exec: &Execution<'_, '_>) -> usize {
    super::yields::thread_key(exec)
}

/// The Lua function below the running callback, and its current line.
fn upper(exec: &Execution<'_, '_>) -> Option<(FunctionId, usize)> {
    exec.upper_lua_frame().map(|f| {
        (
            FunctionId::of(f.chunk_name.as_bytes(), &f.current_function),
            f.current_line.0 as usize + 1,
        )
    })
}

/// `what\tN[\t@L][\tT]`, see `calls.rs`.
struct Site {
    what: String,
    slots: usize,
    /// The line Lua gives the call, when it is not the statement's (which piccolo gives).
    line: Option<usize>,
    tail: bool,
}

fn parse_site(v: Value<'_>) -> Site {
    let text = match v {
        Value::String(s) => s.to_str_lossy().into_owned(),
        _ => String::new(),
    };
    let (text, tail) = match text.strip_suffix("\tT") {
        Some(rest) => (rest.to_owned(), true),
        None => (text, false),
    };
    let (text, line) = match text.rsplit_once("\t@") {
        Some((rest, n)) if n.parse::<usize>().is_ok() => (rest.to_owned(), n.parse().ok()),
        _ => (text, None),
    };
    let (what, slots) = match text.rsplit_once('\t') {
        Some((what, n)) => match n.parse() {
            Ok(slots) => (what.to_owned(), slots),
            Err(_) => (text, UNKNOWN_SITE_SLOTS),
        },
        None => (text, UNKNOWN_SITE_SLOTS),
    };
    Site {
        what,
        slots,
        line,
        tail,
    }
}

/// The `(call)` helper: `(call)(f, site, args...)` calls `f(args...)`.
pub fn call_helper(ctx: Context<'_>) -> Callback<'_> {
    Callback::from_fn(&ctx, |ctx, mut exec, mut stack| {
        super::runaway::note(&mut exec);
        let f = stack.get(0);
        if f.is_nil() {
            if let Some(lines) = loop_lines(stack.get(1)) {
                loop_reached(ctx, &exec, lines);
                stack.clear();
                return Ok(CallbackReturn::Return);
            }
        }
        let site = parse_site(stack.get(1));
        stack.drain(0..2.min(stack.len()));
        let function = match meta_ops::call(ctx, f) {
            Ok(function) => function,
            Err(_) => {
                let pos = match (site.line, exec.upper_lua_frame()) {
                    (Some(line), Some(frame)) => {
                        format!("{}:{line}: ", frame.chunk_name.to_str_lossy())
                    }
                    _ => super::helpers::position(ctx, &exec),
                };
                // Lua names the called value by where it is; a `for` iterator is in a
                // temporary (the frame's name comes from the instruction instead).
                let what = if site.what.is_empty() || site.what == super::calls::ITERATOR {
                    String::new()
                } else {
                    format!(" ({})", site.what)
                };
                let msg = format!("{pos}attempt to call a {} value{what}", f.type_name());
                return Err(LuaError::from_value(Value::String(
                    ctx.intern(msg.as_bytes()),
                )));
            }
        };
        // A callable table or userdata: Lua calls its `__call` (a Lua function here) in the
        // call's place, with the value first, and names its frame as the call.
        let function = match (f, call_metamethod(ctx, f)) {
            (Value::Table(_) | Value::UserData(_), Some(closure)) => {
                stack.push_front(f);
                Function::Closure(closure)
            }
            _ => function,
        };
        // A callback runs directly on the Lua frame (no sequence between), so it still
        // sees its caller's position; only Lua functions are tracked.
        let Function::Closure(closure) = function else {
            // Kept for a library function that calls back (`pcall`, see `enter_native`) and
            // for the name of its argument errors (`argument_error_name`).
            if let Some(frame) = exec.upper_lua_frame() {
                state(ctx).borrow_mut().native_site = Some(NativeSite {
                    thread: thread_key(&exec),
                    line: frame.current_line.0 as usize + 1,
                    at: site.line,
                    what: site.what,
                    tail: site.tail,
                    callee: address(Value::Function(function)),
                });
            }
            return Ok(CallbackReturn::Call {
                function,
                then: None,
            });
        };
        let slots = Slots {
            site: site.slots,
            arguments: stack.len(),
        };
        let pop = push_entry(ctx, &exec, closure, site.what, site.tail, slots, false)?;
        if let Some(line) = site.line {
            // Where the caller's frame is while the call runs (tracebacks, `getinfo`).
            if let Some(e) = state(ctx)
                .borrow_mut()
                .stacks
                .get_mut(&pop.thread)
                .and_then(|stack| stack.get_mut(pop.depth))
            {
                e.line = line;
            }
        }
        Ok(CallbackReturn::Call {
            function,
            then: Some(BoxSequence::new(&ctx, pop)),
        })
    })
}

/// The `__call` metamethod of `v` when it is a Lua function.
fn call_metamethod<'gc>(ctx: Context<'gc>, v: Value<'gc>) -> Option<piccolo::Closure<'gc>> {
    let mt = match v {
        Value::Table(t) => t.metatable(),
        Value::UserData(u) => u.metatable(),
        _ => None,
    }?;
    match mt.get(ctx, piccolo::MetaMethod::Call) {
        Value::Function(Function::Closure(c)) => Some(c),
        _ => None,
    }
}

/// What a call stacks up in PUC Lua (see [`STACK_SLOTS`]): the caller's slots below the
/// call, and the number of arguments.
struct Slots {
    site: usize,
    arguments: usize,
}

impl Slots {
    /// The slots of a thread's stack with the new frame, `below` being those without it.
    fn after(&self, below: usize, tail: bool, vararg: bool) -> usize {
        // A tail call reuses the caller's frame; a vararg callee keeps its arguments below.
        let frame = if tail { 0 } else { self.site };
        below + frame + if vararg { self.arguments } else { 0 }
    }
}

/// Pushes the shadow-stack entry of a call of `closure` made from the Lua function below
/// the running callback; the returned sequence pops it. A call that takes the stack past
/// [`STACK_SLOTS`] raises Lua's `stack overflow` instead.
fn push_entry<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    closure: piccolo::Closure<'gc>,
    what: String,
    tail: bool,
    slots: Slots,
    metamethod: bool,
) -> Result<PopEntry, LuaError<'gc>> {
    let proto = closure.prototype();
    let callee = FunctionId::of(proto.chunk_name.as_bytes(), &proto.reference);
    let facts = Facts::of(ctx, &proto);
    let caller = upper(exec);
    let (chunk, line) = match &caller {
        Some((c, line)) => (c.chunk.clone(), *line),
        None => (String::new(), 0),
    };
    let key = thread_key(exec);
    let s = state(ctx);
    let mut s = s.borrow_mut();
    let plain = s.aim.as_mut().and_then(|aim| aim.plain_of(ctx, proto));
    let c_calls = c_level(&s, key) + usize::from(metamethod);
    let stack = s.stacks.entry(key).or_default();
    let below = stack.last().map_or(0, |e| e.slots);
    let slots = slots.after(below, tail, proto.has_varargs);
    if slots > STACK_SLOTS || c_calls >= C_CALLS {
        s.overflowed = true;
        let what = if c_calls >= C_CALLS {
            "C stack overflow"
        } else {
            "stack overflow"
        };
        let msg = format!("{}{what}", super::helpers::position(ctx, exec));
        super::runaway::overflow_raised(msg.as_bytes());
        return Err(LuaError::from_value(Value::String(
            ctx.intern(msg.as_bytes()),
        )));
    }
    stack.push(Entry {
        chunk,
        line,
        caller: caller.map(|(c, _)| c),
        callee,
        what,
        tail,
        native: None,
        slots,
        c_calls,
        facts,
        native_site: String::new(),
        plain,
        caller_gone: tail,
    });
    let depth = stack.len() - 1;
    look_for_stop(&mut s, key, None);
    Ok(PopEntry { thread: key, depth })
}

/// In diagnostic mode, the shadow-stack entry for a method call `recv:name(...)` of a Lua
/// function made by the `(method)` helper (called from Lua): the sequence to run after the
/// call, which pops it. `None` outside diagnostic mode (without even a look at the state
/// while no state is in it) and for library functions; `stack overflow` when the call
/// would go past [`STACK_SLOTS`].
pub fn enter_method<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    function: Function<'gc>,
    name: Value<'gc>,
    arguments: usize,
    tail: bool,
) -> Result<Option<BoxSequence<'gc>>, LuaError<'gc>> {
    if !in_diagnostic_mode(ctx) {
        return Ok(None);
    }
    let Function::Closure(closure) = function else {
        return Ok(None);
    };
    let what = match name {
        Value::String(n) => format!("method '{}'", n.to_str_lossy()),
        _ => String::new(),
    };
    let slots = Slots {
        site: UNKNOWN_SITE_SLOTS,
        arguments,
    };
    let pop = push_entry(ctx, exec, closure, what, tail, slots, false)?;
    Ok(Some(BoxSequence::new(&ctx, pop)))
}

/// The mark `calls.rs` puts at the end of the receiver's description of a method call in
/// tail position (the description may be absent: then the mark alone).
pub const TAIL_MARK: &[u8] = b"\tT";

/// A method call's receiver description without its tail mark, and whether it had one.
pub fn tail_mark<'gc>(ctx: Context<'gc>, what: Value<'gc>) -> (Value<'gc>, bool) {
    let Value::String(s) = what else {
        return (what, false);
    };
    match s.as_bytes().strip_suffix(TAIL_MARK) {
        Some([]) => (Value::Nil, true),
        Some(rest) => (Value::String(ctx.intern(rest)), true),
        None => (what, false),
    }
}

/// In diagnostic mode, the shadow-stack entry for a call of metamethod `__event` (a Lua
/// function) made by one of our helpers, to be ended with [`leave_native`] when the call
/// returns or fails. `None` outside diagnostic mode and for library functions; `C stack
/// overflow` (or `stack overflow`) when Lua would raise it.
pub fn enter_metamethod<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    function: Function<'gc>,
    event: &str,
    arguments: usize,
) -> Result<Option<NativeCall>, LuaError<'gc>> {
    if !in_diagnostic_mode(ctx) {
        return Ok(None);
    }
    let Function::Closure(closure) = function else {
        return Ok(None);
    };
    let slots = Slots {
        site: UNKNOWN_SITE_SLOTS,
        arguments,
    };
    // Lua names the metamethod's frame by the event's full name (`metamethod '__add'`).
    let what = format!("metamethod '__{event}'");
    let pop = push_entry(ctx, exec, closure, what, false, slots, true)?;
    Ok(Some(NativeCall {
        thread: pop.thread,
        depth: pop.depth,
    }))
}

/// In diagnostic mode, whether a library function (`pcall`) calling a function now nests C
/// calls as deep as Lua allows (see [`C_CALLS`]): Lua then raises `C stack overflow`, with
/// no position (the failing frame is the library function's), inside the protected call.
pub fn c_stack_full(ctx: Context<'_>, exec: &Execution<'_, '_>) -> bool {
    if ENABLED_STATES.load(Ordering::Relaxed) == 0 {
        return false;
    }
    let s = state(ctx);
    let mut s = s.borrow_mut();
    if !s.enabled {
        return false;
    }
    let key = thread_key(exec);
    let level = c_level(&s, key);
    let full = level + 1 >= C_CALLS;
    s.overflowed |= full;
    if full {
        super::runaway::overflow_raised(b"C stack overflow");
    }
    full
}

/// Pops a `(call)` entry when the call returns or fails.
#[derive(Collect)]
#[collect(require_static)]
struct PopEntry {
    thread: usize,
    depth: usize,
}

impl PopEntry {
    /// Records the frames of `error` if it is new: the innermost entry sees an error first,
    /// with the whole stack still there.
    fn trace(&self, ctx: Context<'_>, error: &LuaError<'_>) {
        let s = state(ctx);
        let mut s = s.borrow_mut();
        let text = error_text(&s, error);
        let known = !s.trace_caught && continues_trace(&s, &text);
        if !known {
            let origin = match s.trace.take() {
                Some(old) if s.reraise && text.ends_with(&old.text) => {
                    Some(old.origin.unwrap_or(old.frames))
                }
                _ => None,
            };
            s.trace_caught = false;
            s.reraise = false;
            // The failing frame's line: where `error` was called (its message may carry
            // another level's position), else the error's own position.
            let top = match &s.raised {
                Some((t, at)) if *t == text => at.clone(),
                _ => error_position(&text),
            };
            let traced = match s.stacks.get(&self.thread) {
                Some(st) => frames(&st[..(self.depth + 1).min(st.len())], top),
                None => Vec::new(),
            };
            s.trace = Some(Traced {
                text,
                frames: elide(traced),
                origin,
            });
        }
    }

    fn pop(&self, ctx: Context<'_>) {
        if let Some(stack) = state(ctx).borrow_mut().stacks.get_mut(&self.thread) {
            stack.truncate(self.depth);
        }
    }
}

impl<'gc> Sequence<'gc> for PopEntry {
    fn poll(
        &mut self,
        ctx: Context<'gc>,
        _exec: Execution<'gc, '_>,
        _stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, LuaError<'gc>> {
        self.pop(ctx);
        Ok(SequencePoll::Return)
    }

    fn error(
        &mut self,
        ctx: Context<'gc>,
        _exec: Execution<'gc, '_>,
        error: LuaError<'gc>,
        _stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, LuaError<'gc>> {
        self.trace(ctx, &error);
        self.pop(ctx);
        Err(error)
    }
}

/// An error value's text, as traces are keyed by it.
fn value_text(v: Value<'_>) -> Vec<u8> {
    match v {
        Value::String(s) => s.as_bytes().to_vec(),
        other => other.to_string().into_bytes(),
    }
}

/// The text of an error being raised, as it will read when handed over to Lua: a
/// runtime error Lua-worded, with the position [`note_key`] noted for a constructor's nil or
/// NaN key (see [`place_key_error`]).
fn error_text(s: &State, error: &LuaError<'_>) -> Vec<u8> {
    match error {
        LuaError::Lua(e) => value_text(e.0),
        LuaError::Runtime(e) => {
            let message = super::errors::runtime_message(e);
            placed_key(s.pending_key.as_ref(), message).into_bytes()
        }
    }
}

/// `message` with the position noted for a constructor's key (`pending`, see
/// [`note_key`]) when it is that key's error.
fn placed_key(pending: Option<&String>, message: String) -> String {
    match pending {
        Some(placed) if placed.ends_with(&message) => placed.clone(),
        _ => message,
    }
}

/// Whether an error with `text` is the traced one on its way out (with positions added in
/// front as handlers re-raise it).
fn continues_trace(s: &State, text: &[u8]) -> bool {
    matches!(&s.trace, Some(t) if !t.text.is_empty() && text.ends_with(&t.text))
}

/// In diagnostic mode, notes that a protected call (`pcall`, `xpcall`, `coroutine.resume`,
/// a `load` reader) caught the error that is being handed to Lua.
pub fn error_caught(ctx: Context<'_>) {
    if ENABLED_STATES.load(Ordering::Relaxed) == 0 {
        return;
    }
    let s = state(ctx);
    let mut s = s.borrow_mut();
    if s.enabled {
        s.trace_caught = true;
    }
}

/// `chunk:line:` at the start of an error text (see [`leading_position`]).
fn error_position(text: &[u8]) -> Option<(String, usize)> {
    leading_position(&String::from_utf8_lossy(text)).map(|(chunk, line, _)| (chunk, line))
}

/// How Lua's traceback names a frame's function.
fn frame_name(f: &FunctionId, what: &str) -> String {
    if !what.is_empty() {
        // Lua names a global function by its place in the loaded table.
        return match what.strip_prefix("global ") {
            Some(name) => format!("function {name}"),
            None => what.to_owned(),
        };
    }
    match f.defined {
        None => "main chunk".to_owned(),
        Some(line) => format!("function <{}:{line}>", f.chunk),
    }
}

/// What a traceback shows for the frames a tail call reused.
const TAIL_CALLS: &str = "(...tail calls...)";

/// How the call that made entry `e` names its callee in a traceback: a tail call leaves Lua
/// no calling instruction to name it by, so only a global name (found in the loaded
/// table) is left.
fn entered_as(e: &Entry) -> &str {
    if e.tail && !e.what.starts_with("global ") {
        ""
    } else {
        &e.what
    }
}

/// The Lua frames, innermost first, from the entries of one coroutine (outermost first)
/// and the innermost frame's position when known. A frame entered by something other than
/// `(call)` (a library function such as `pcall`, a metamethod) shows as a gap: `None` line.
fn frames(entries: &[Entry], top: Option<(String, usize)>) -> Vec<TraceFrame> {
    let mut out = Vec::new();
    let Some(last) = entries.last() else {
        return out;
    };
    // The innermost function: the callee of the last entry.
    let (chunk, line) = match top {
        Some((c, l)) => (c, Some(l)),
        None => (last.callee.chunk.clone(), None),
    };
    out.push(TraceFrame {
        chunk,
        line,
        name: frame_name(&last.callee, entered_as(last)),
    });
    for (i, e) in entries.iter().enumerate().rev() {
        // The frame that made call `e`: the callee of the entry before, if it called.
        let (caller, what) = match i.checked_sub(1).map(|j| &entries[j]) {
            Some(prev) if Some(&prev.callee) == e.caller.as_ref() => {
                (Some(prev.callee.clone()), entered_as(prev).to_owned())
            }
            Some(_) => (None, String::new()),
            None => (e.caller.clone(), String::new()),
        };
        for name in e.native.iter().flat_map(|n| n.split(' ')) {
            out.push(TraceFrame {
                chunk: "[C]".to_owned(),
                line: None,
                name: match (name, e.native_site.as_str()) {
                    ("", "") => "?".to_owned(),
                    // A function no library table holds (`ipairs`'s iterator): named by how
                    // it was called.
                    ("", site) => site.to_owned(),
                    (name, _) => format!("function '{name}'"),
                },
            });
        }
        if e.tail {
            // Lua reused the caller's frame for the callee: one mark for a run of them.
            if out.last().is_some_and(|f| f.chunk == TAIL_CALLS) {
                continue;
            }
            out.push(TraceFrame {
                chunk: TAIL_CALLS.to_owned(),
                line: None,
                name: String::new(),
            });
            continue;
        }
        match caller {
            Some(f) => out.push(TraceFrame {
                chunk: e.chunk.clone(),
                line: Some(e.line),
                name: frame_name(&f, &what),
            }),
            None => {
                out.push(TraceFrame {
                    chunk: e.chunk.clone(),
                    line: Some(e.line),
                    name: match &e.caller {
                        Some(f) => frame_name(f, ""),
                        None => "?".to_owned(),
                    },
                });
                out.push(TraceFrame {
                    chunk: "[C]".to_owned(),
                    line: None,
                    name: "?".to_owned(),
                });
            }
        }
    }
    out
}

/// In diagnostic mode, notes that a protected call (`pcall`, `xpcall`) is about to call
/// `function`: when it is a Rust function (`pcall(error, msg, 2)`), it sees no Lua frame
/// above it, and `error`'s levels start from the library function's C frame. Forgotten
/// when the protected call ends ([`native_callback_done`]).
pub fn native_calls_callback(ctx: Context<'_>, exec: &Execution<'_, '_>, function: Function<'_>) {
    if !matches!(function, Function::Callback(_)) || !in_diagnostic_mode(ctx) {
        return;
    }
    let noted = upper(exec).map(|(caller, line)| (thread_key(exec), caller, line));
    state(ctx).borrow_mut().native_callback = noted;
}

/// The protected call [`native_calls_callback`] noted has ended.
pub fn native_callback_done(ctx: Context<'_>) {
    if ENABLED_STATES.load(Ordering::Relaxed) == 0 {
        return;
    }
    state(ctx).borrow_mut().native_callback = None;
}

/// Where level `level` (2 or more) of `error` is, as Lua's `luaL_where` gives it: the
/// position of the call that the function at level `level - 1` is in. `None` in
/// diagnostic mode means Lua gives no position (a library function's frame); outside it,
/// the position is unknown and the error is noted as degraded.
pub fn level_position(ctx: Context<'_>, exec: &Execution<'_, '_>, level: i64) -> String {
    let s = state(ctx);
    if !s.borrow().enabled {
        note_degraded(ctx);
        return String::new();
    }
    let mut remaining = level - 1;
    let key = thread_key(exec);
    let mut current = match upper(exec) {
        Some((current, _)) => current,
        None => {
            // Called by a library function (`pcall(error, msg, 2)`): level 1 is its C
            // frame, level 2 the Lua code that called it.
            let noted = s.borrow_mut().native_callback.take();
            match noted {
                Some((thread, caller, line)) if thread == key => {
                    remaining -= 1;
                    if remaining == 0 {
                        return format!("{}:{}: ", caller.chunk, line);
                    }
                    caller
                }
                _ => return String::new(),
            }
        }
    };
    let s = s.borrow();
    let Some(stack) = s.stacks.get(&key) else {
        return String::new();
    };
    for e in stack.iter().rev() {
        // The frame `current` must have been entered by this entry; if not, a library
        // function (or metamethod) called it and Lua's next level is that C frame.
        if e.callee != current {
            return String::new();
        }
        if let Some(native) = e.native {
            // The library functions' own levels: Lua gives no position for them.
            for _ in native.split(' ') {
                remaining -= 1;
                if remaining == 0 {
                    return String::new();
                }
            }
        }
        if !e.tail {
            remaining -= 1;
            if remaining == 0 {
                return format!("{}:{}: ", e.chunk, e.line);
            }
        }
        match &e.caller {
            Some(c) => current = c.clone(),
            None => return String::new(),
        }
    }
    String::new()
}

/// `debug.traceback`'s frames in diagnostic mode: the running Lua function at its current
/// line, then its callers.
pub fn current_frames(ctx: Context<'_>, exec: &Execution<'_, '_>) -> Vec<TraceFrame> {
    let s = state(ctx);
    let s = s.borrow();
    let entries = s.stacks.get(&thread_key(exec)).cloned().unwrap_or_default();
    let top = upper(exec);
    let mut out = frames(&entries, top.as_ref().map(|(f, l)| (f.chunk.clone(), *l)));
    if entries.is_empty() {
        if let Some((f, line)) = top {
            out.push(TraceFrame {
                chunk: f.chunk.clone(),
                line: Some(line),
                name: frame_name(&f, ""),
            });
        }
    }
    out
}

/// Notes, in diagnostic mode, the error `error` raises (its text), so a message handler
/// can tell an error raised by `error` from one raised by the VM; `argument` is the value
/// `error` was given (before a position is put in front).
pub fn note_raised(
    ctx: Context<'_>,
    exec: &Execution<'_, '_>,
    argument: Value<'_>,
    value: Value<'_>,
) {
    if ENABLED_STATES.load(Ordering::Relaxed) == 0 {
        return;
    }
    let s = state(ctx);
    let mut s = s.borrow_mut();
    if s.enabled {
        // `error(e)` with a caught error raises it again (aos's handlers re-raise every
        // handler's error so). The argument tells: `error("x")` at the same place again
        // has only "x", without the position.
        if s.trace_caught && continues_trace(&s, &value_text(argument)) {
            s.reraise = true;
        }
        s.raised = match value {
            Value::String(t) => Some((
                t.as_bytes().to_vec(),
                upper(exec).map(|(f, line)| (f.chunk, line)),
            )),
            _ => None,
        };
    }
}

/// In diagnostic mode, notes that `xpcall`'s message handler (`native`: a library function)
/// is about to run for the error whose value is `handed` (as the handler gets it): a
/// traceback taken in it lists the frames of the error.
pub fn begin_handling(
    ctx: Context<'_>,
    exec: &Execution<'_, '_>,
    handed: Value<'_>,
    native: bool,
) -> Option<HandlingToken> {
    if !in_diagnostic_mode(ctx) {
        return None;
    }
    let Value::String(handed) = handed else {
        return None;
    };
    let text = handed.as_bytes().to_vec();
    let frames = trace_of(ctx, &text)?;
    let s = state(ctx);
    let mut s = s.borrow_mut();
    let thread = thread_key(exec);
    let depth = s.stacks.get(&thread).map_or(0, Vec::len);
    let by_error = matches!(&s.raised, Some((t, _)) if *t == text);
    let message = String::from_utf8_lossy(&text);
    // Lua names the handler after the instruction the failing frame was running: a call
    // (named as the call), an index (`metamethod '__index'`); after `error` (a C function) it
    // has no name.
    let name = if by_error {
        None
    } else if message.contains("attempt to call a ") {
        message
            .rfind(" (")
            .filter(|_| message.ends_with("')"))
            .map(|i| message[i + 2..message.len() - 1].to_owned())
    } else if message.contains("attempt to index a ") {
        Some("metamethod '__index'".to_owned())
    } else if message.ends_with("table index is nil") || message.ends_with("table index is NaN") {
        // A store (`SETTABLE`).
        Some("metamethod '__newindex'".to_owned())
    } else {
        None
    };
    s.handling.push(Handling {
        thread,
        depth,
        frames,
        by_error,
        native,
        name,
    });
    Some(HandlingToken(s.handling.len() - 1))
}

/// Ends what [`begin_handling`] began.
pub fn end_handling(ctx: Context<'_>, token: HandlingToken) {
    state(ctx).borrow_mut().handling.truncate(token.0);
}

/// `debug.traceback`'s frames in diagnostic mode when it is taken by a running `xpcall`
/// message handler (or is that handler): the handler's frame, then the failed frames.
/// `None` when no handler is running on this thread at this depth.
pub fn handler_frames(ctx: Context<'_>, exec: &Execution<'_, '_>) -> Option<Vec<TraceFrame>> {
    let s = state(ctx);
    let s = s.borrow();
    let thread = thread_key(exec);
    let h = s.handling.last().filter(|h| h.thread == thread)?;
    let depth = s.stacks.get(&thread).map_or(0, Vec::len);
    if depth != h.depth {
        return None;
    }
    let mut out = Vec::new();
    if !h.native {
        let (f, line) = upper(exec)?;
        out.push(TraceFrame {
            chunk: f.chunk.clone(),
            line: Some(line),
            name: match &h.name {
                Some(what) => frame_name(&f, what),
                None => frame_name(&f, ""),
            },
        });
    }
    if h.by_error {
        out.push(TraceFrame {
            chunk: "[C]".to_owned(),
            line: None,
            name: "function 'error'".to_owned(),
        });
    }
    out.extend(h.frames.iter().cloned());
    Some(out)
}

/// The frames Lua's traceback shows of a deep stack: the 10 innermost, a `...` line and the
/// 11 outermost (`luaL_traceback`'s `LEVELS1` and `LEVELS2`).
pub fn elide(mut frames: Vec<TraceFrame>) -> Vec<TraceFrame> {
    const INNERMOST: usize = 10;
    const OUTERMOST: usize = 11;
    if frames.len() > INNERMOST + OUTERMOST {
        let skipped = frames.len() - INNERMOST - OUTERMOST;
        frames.splice(
            INNERMOST..INNERMOST + skipped,
            [TraceFrame {
                chunk: "...".to_owned(),
                line: None,
                name: String::new(),
            }],
        );
    }
    frames
}

/// Lua's traceback text for frames.
pub fn traceback_text(frames: &[TraceFrame]) -> String {
    let frames = elide(frames.to_vec());
    let mut out = String::from("stack traceback:");
    for f in &frames {
        match f.line {
            Some(l) => out.push_str(&format!("\n\t{}:{l}: in {}", f.chunk, f.name)),
            None if f.name.is_empty() => out.push_str(&format!("\n\t{}", f.chunk)),
            None => out.push_str(&format!("\n\t{}: in {}", f.chunk, f.name)),
        }
    }
    out
}

/// An entry a library function pushed for the function it calls (see [`enter_native`]).
#[derive(Debug, Clone, Copy)]
pub struct NativeCall {
    thread: usize,
    depth: usize,
}

/// A library function's call back into Lua: diagnostic mode's shadow-stack entry for the
/// Lua function it calls, if any (see [`enter_native`]), and the C-call boundary that
/// keeps the callee from yielding (see `vm::yields`): entered before the call, ended when
/// it returns or fails.
#[derive(Default)]
pub struct NativeSlot {
    call: Option<NativeCall>,
    /// The thread whose boundary count this call holds.
    boundary: Option<usize>,
}

impl From<Option<NativeCall>> for NativeSlot {
    /// A call that may yield (a metamethod run for Lua code, `pcall`'s function).
    fn from(call: Option<NativeCall>) -> Self {
        NativeSlot {
            call,
            boundary: None,
        }
    }
}

impl NativeSlot {
    /// A call Lua makes with `lua_call` from C: what it calls cannot yield.
    pub fn enter<'gc>(
        &mut self,
        ctx: Context<'gc>,
        exec: &Execution<'gc, '_>,
        function: Function<'gc>,
        name: &'static str,
    ) {
        self.enter_yieldable(ctx, exec, function, name);
        let thread = super::yields::thread_key(exec);
        super::yields::enter(ctx, thread);
        self.boundary = Some(thread);
    }

    /// A call Lua makes with a continuation (`xpcall`'s function): what it calls may yield.
    pub fn enter_yieldable<'gc>(
        &mut self,
        ctx: Context<'gc>,
        exec: &Execution<'gc, '_>,
        function: Function<'gc>,
        name: &'static str,
    ) {
        self.end_boundary(ctx);
        self.call = enter_native(ctx, exec, function, name);
    }

    /// Gives back the boundary count this slot holds, if any.
    fn end_boundary(&mut self, ctx: Context<'_>) {
        if let Some(thread) = self.boundary.take() {
            super::yields::leave(ctx, thread);
        }
    }

    /// The call returned (`None`) or failed.
    pub fn leave(&mut self, ctx: Context<'_>, error: Option<&LuaError<'_>>) {
        self.end_boundary(ctx);
        if let Some(call) = self.call.take() {
            leave_native(ctx, call, error);
        }
    }
}

/// A library function's call of `function` (a metamethod it runs), then `then`: with
/// diagnostic mode's shadow-stack entry for it (see [`enter_native`]) and a C-call boundary
/// (Lua 5.3 runs these with `lua_call`) around the call.
pub fn call_back<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    function: Function<'gc>,
    name: &'static str,
    then: BoxSequence<'gc>,
) -> CallbackReturn<'gc> {
    let mut slot = NativeSlot::default();
    slot.enter(ctx, exec, function, name);
    CallbackReturn::Call {
        function,
        then: Some(BoxSequence::new(&ctx, AfterNative { slot, then })),
    }
}

/// Ends the entry of [`call_back`], then goes on as `then`.
#[derive(Collect)]
#[collect(no_drop)]
struct AfterNative<'gc> {
    #[collect(require_static)]
    slot: NativeSlot,
    then: BoxSequence<'gc>,
}

impl<'gc> Sequence<'gc> for AfterNative<'gc> {
    fn poll(
        &mut self,
        ctx: Context<'gc>,
        exec: Execution<'gc, '_>,
        stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, LuaError<'gc>> {
        self.slot.leave(ctx, None);
        self.then.poll(ctx, exec, stack)
    }

    fn error(
        &mut self,
        ctx: Context<'gc>,
        exec: Execution<'gc, '_>,
        error: LuaError<'gc>,
        stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, LuaError<'gc>> {
        self.slot.leave(ctx, Some(&error));
        self.then.error(ctx, exec, error, stack)
    }
}

/// In diagnostic mode, records that library function `name` (called from Lua) calls
/// `function`, so levels and tracebacks see through it. Pair with [`leave_native`]. A name
/// of several words is as many nested library functions, innermost first (`print`
/// calling `tostring`: `"tostring print"`); an empty name, a function that Lua names by
/// its call site (`ipairs`'s iterator).
pub fn enter_native<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    function: Function<'gc>,
    name: &'static str,
) -> Option<NativeCall> {
    if ENABLED_STATES.load(Ordering::Relaxed) == 0 {
        return None;
    }
    let s = state(ctx);
    if !s.borrow().enabled {
        return None;
    }
    let Function::Closure(closure) = function else {
        return None;
    };
    let proto = closure.prototype();
    let callee = FunctionId::of(proto.chunk_name.as_bytes(), &proto.reference);
    let facts = Facts::of(ctx, &proto);
    let key = thread_key(exec);
    let mut s = s.borrow_mut();
    let by_method = s.method_native.take();
    let (caller, line) = match upper(exec) {
        Some(found) => found,
        // Called as a method: the method helper's continuation sits between.
        None => match by_method {
            Some((thread, caller, line)) if thread == key => (caller, line),
            _ => return None,
        },
    };
    let plain = s.aim.as_mut().and_then(|aim| aim.plain_of(ctx, proto));
    // How the library function itself was called, if `(call)` called it from here.
    let (native_site, line, native_tail) = match s.native_site.take() {
        Some(p) if p.thread == key && p.line == line => (p.what, p.at.unwrap_or(line), p.tail),
        _ => (String::new(), line, false),
    };
    let c_calls = c_level(&s, key) + 1;
    let stack = s.stacks.entry(key).or_default();
    let slots = stack.last().map_or(0, |e| e.slots) + UNKNOWN_SITE_SLOTS;
    stack.push(Entry {
        chunk: caller.chunk.clone(),
        line,
        caller: Some(caller),
        callee,
        what: String::new(),
        tail: false,
        native: Some(name),
        slots,
        c_calls,
        facts,
        native_site,
        plain,
        caller_gone: native_tail,
    });
    let depth = stack.len() - 1;
    look_for_stop(&mut s, key, None);
    Some(NativeCall { thread: key, depth })
}

/// In diagnostic mode, notes that the Lua function below is calling library function
/// `function` as a method: the method helper calls it with a continuation of its own in
/// between, so a function it calls back ([`enter_native`]) cannot see its caller's frame.
pub fn method_calls_native(ctx: Context<'_>, exec: &Execution<'_, '_>) {
    if !in_diagnostic_mode(ctx) {
        return;
    }
    let noted = upper(exec).map(|(caller, line)| (thread_key(exec), caller, line));
    state(ctx).borrow_mut().method_native = noted;
}

/// Ends a [`NativeCall`]; with the error it failed with, which is traced if it is new.
fn leave_native(ctx: Context<'_>, call: NativeCall, error: Option<&LuaError<'_>>) {
    let pop = PopEntry {
        thread: call.thread,
        depth: call.depth,
    };
    if let Some(e) = error {
        pop.trace(ctx, e);
    }
    pop.pop(ctx);
}

/// Limits for the diagnostic re-run of a run that ran out of memory or fuel as deep
/// recursion does (looking for a `stack overflow`, see [`STACK_SLOTS`]): no more memory
/// than the first run had, so a memory bomb costs at most twice its memory, and more fuel.
/// A first run that ran out of fuel may have been only three quarters as deep as Lua's
/// limit (see `runaway::Stopped::Deep`), and its stack slots per level may be fewer than
/// Lua's; the copy spends about a third more fuel per level (its shadow stack) and more
/// again unwinding from the overflow (measured: a first run found deep at 16 million fuel
/// needed 52.5 million in the copy): eight times.
pub fn overflow_limits(limits: super::Limits) -> super::Limits {
    super::Limits {
        fuel: limits.fuel.saturating_mul(8),
        ..limits
    }
}

/// Limits for a diagnostic re-run: its instrumentation costs fuel and stack, and it must
/// reach the error the first run met.
pub fn diagnostic_limits(limits: super::Limits) -> super::Limits {
    super::Limits {
        fuel: limits.fuel.saturating_mul(4),
        memory: limits.memory.saturating_mul(2),
        ..limits
    }
}

/// Whether an error text lacks what a diagnostic re-run adds: a call error without the
/// name of what was called (piccolo raises those itself).
pub fn needs_diagnosis(text: &str) -> bool {
    text.match_indices("attempt to call a ").any(|(i, _)| {
        let rest = &text[i..];
        let end = rest.find('\n').unwrap_or(rest.len());
        !rest[..end].contains(" value (")
    })
}

/// Whether two error texts are the same error up to positions and variable names: a
/// diagnostic re-run's error replaces the first only then.
pub fn same_error(first: &str, diagnosed: &str) -> bool {
    skeleton(first) == skeleton(diagnosed)
}

/// The text without `chunk:line:` positions and ` (kind 'name')` descriptions.
fn skeleton(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(n) = position_len(rest) {
            rest = &rest[n..];
            continue;
        }
        if let Some(n) = description_len(rest) {
            rest = &rest[n..];
            continue;
        }
        if let Some(n) = argument_function_len(rest, &out) {
            rest = &rest[n..];
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push(c);
        rest = &rest[c.len_utf8()..];
        // Positions start a word: skip to the next word boundary.
        if !c.is_whitespace() && c != '\n' {
            let end = rest
                .find(|ch: char| ch.is_whitespace() || ch == '(')
                .unwrap_or(rest.len());
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out
}

/// The length of the function's name in `bad argument #N to 'name'` at the start of `s`
/// (`out` holds what came before): Lua names it after the call site.
fn argument_function_len(s: &str, out: &str) -> Option<usize> {
    let inner = s.strip_prefix("to '")?;
    let head = out
        .strip_suffix(' ')?
        .trim_end_matches(|c: char| c.is_ascii_digit());
    if !head.ends_with("bad argument #") {
        return None;
    }
    Some(4 + inner.find('\'')? + 1)
}

/// The length of a `chunk:line: ` position at the start of `s`.
fn position_len(s: &str) -> Option<usize> {
    leading_position(s).map(|(_, _, len)| len)
}

/// A `chunk:line: ` position at the start of `s`: the chunk, the line and the length
/// (with the space after it, when there is one). A chunk is `[string "..."]` or a word.
fn leading_position(s: &str) -> Option<(String, usize, usize)> {
    let chunk_end = if s.starts_with("[string \"") {
        s.find("\"]:")? + 2
    } else {
        let i = s.find(|c: char| c == ':' || c.is_whitespace())?;
        if !s[i..].starts_with(':') || i == 0 {
            return None;
        }
        i
    };
    let after = &s[chunk_end + 1..];
    let digits = after.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 || !after[digits..].starts_with(':') {
        return None;
    }
    let line = after[..digits].parse().ok()?;
    let mut n = chunk_end + 1 + digits + 1;
    if s[n..].starts_with(' ') {
        n += 1;
    }
    Some((s[..chunk_end].to_owned(), line, n))
}

/// The length of a ` (kind 'name')` description at the start of `s`.
fn description_len(s: &str) -> Option<usize> {
    let inner = s.strip_prefix(" (")?;
    let kind_end = inner.find(' ')?;
    let kind = &inner[..kind_end];
    if !["local", "global", "field", "upvalue", "method", "constant"].contains(&kind) {
        return None;
    }
    let close = inner.find("')")?;
    Some(2 + close + 2)
}

/// The last of the `chunk:line:` positions an error text starts with: the innermost, when
/// handlers re-raised the error with their own in front (`[string ".handlers"]:723: [string
/// "aos"]:3: ...`).
pub fn innermost_position(text: &str) -> Option<(String, usize)> {
    let mut rest = text;
    let mut found = None;
    while let Some((chunk, line, len)) = leading_position(rest) {
        found = Some((chunk, line));
        rest = &rest[len..];
    }
    found
}

/// Makes this state's run (a diagnostic re-run of a call that ran out of fuel in a loop
/// calling none of our helpers, see `runaway.rs`) look for the frames `stop` lists: at
/// each call into a Lua function and at the start of each loop iteration (diagnostic mode
/// marks loops, see `calls.rs`), its shadow stack is compared with them, each function by
/// its plain compilation (`lookup`). The first match in a loop gives the line the innermost
/// frame stopped at, and the run may then be stopped; else the first match on entering a
/// call gives it (see [`Aimed`]).
pub fn aim_at_stop(ctx: Context<'_>, stop: Stop, lookup: PlainLookup) -> Aimed {
    let aimed = Aimed::default();
    state(ctx).borrow_mut().aim = Some(Aim {
        stop,
        lookup,
        facts: HashMap::new(),
        roots: HashMap::new(),
        aimed: aimed.clone(),
    });
    aimed
}

impl Aim {
    fn plain_of<'gc>(
        &mut self,
        ctx: Context<'gc>,
        proto: gc_arena::Gc<'gc, piccolo::FunctionPrototype<'gc>>,
    ) -> Option<Rc<PlainFacts>> {
        let key = super::chunks::proto_key(proto);
        if let Some(known) = self.facts.get(&key) {
            return known.clone();
        }
        let facts = super::chunks::locate(ctx, proto).and_then(|at| {
            let chunk = super::chunks::chunk(ctx, at.chunk)?;
            (self.lookup)(&chunk.name, &chunk.source, &at.path).map(Rc::new)
        });
        self.facts.insert(key, facts.clone());
        facts
    }
}

/// A thread starts running `f` (a call from the host, or a coroutine's body): in a run
/// looking for a stop, its first frame is known.
pub fn thread_started<'gc>(ctx: Context<'gc>, thread: piccolo::Thread<'gc>, f: Function<'gc>) {
    let s = state(ctx);
    let mut s = s.borrow_mut();
    let (Some(aim), Function::Closure(c)) = (s.aim.as_mut(), f) else {
        return;
    };
    let proto = c.prototype();
    let id = FunctionId::of(proto.chunk_name.as_bytes(), &proto.reference);
    let facts = aim.plain_of(ctx, proto);
    let key = gc_arena::Gc::as_ptr(thread.into_inner()) as usize;
    aim.roots.insert(key, (id, facts));
}

/// The lines of a loop's mark, `(loop)\tFIRST\tLAST` (see `calls.rs`).
fn loop_lines(site: Value<'_>) -> Option<(usize, usize)> {
    let Value::String(s) = site else {
        return None;
    };
    let text = s.to_str().ok()?.strip_prefix(super::calls::LOOP_SITE)?;
    let (first, last) = text.split_once('\t')?;
    Some((first.parse().ok()?, last.parse().ok()?))
}

/// A loop iteration starts (its mark was called from the function below `exec`).
fn loop_reached(ctx: Context<'_>, exec: &Execution<'_, '_>, lines: (usize, usize)) {
    if ENABLED_STATES.load(Ordering::Relaxed) == 0 {
        return;
    }
    let s = state(ctx);
    let mut s = s.borrow_mut();
    if s.aim.is_none() {
        return;
    }
    if let Some((function, _)) = upper(exec) {
        look_for_stop(&mut s, thread_key(exec), Some((function, lines)));
    }
}

/// Compares thread `key`'s frames with the stop looked for (see [`aim_at_stop`]): after a
/// call was entered (`looping` none), or at the start of an iteration of a loop of
/// `function` spanning `lines`, which the innermost frame's line must then be in.
fn look_for_stop(s: &mut State, key: usize, looping: Option<(FunctionId, (usize, usize))>) {
    let Some(aim) = &s.aim else {
        return;
    };
    if aim.aimed.found() || (looping.is_none() && aim.aimed.entered.borrow().is_some()) {
        return;
    }
    let root = aim.roots.get(&key);
    let mut levels: Vec<(Option<&FunctionId>, Level<'_>)> = vec![(
        root.map(|(id, _)| id),
        Level {
            facts: root.and_then(|(_, f)| f.as_deref()),
            call_line: None,
        },
    )];
    for e in s.stacks.get(&key).map(Vec::as_slice).unwrap_or_default() {
        let level = Level {
            facts: e.plain.as_deref(),
            call_line: Some(e.line),
        };
        match levels.last_mut() {
            // A tail call: Lua's (and piccolo's) frame of the caller is the callee's now.
            Some(last) if e.caller_gone => {
                *last = (
                    Some(&e.callee),
                    Level {
                        call_line: last.1.call_line,
                        ..level
                    },
                );
            }
            _ => levels.push((Some(&e.callee), level)),
        }
    }
    let Some((Some(top), _)) = levels.last() else {
        return;
    };
    let chunk = top.chunk.clone();
    if let Some((function, _)) = &looping {
        if *top != function {
            return;
        }
    }
    let levels: Vec<Level<'_>> = levels.into_iter().map(|(_, l)| l).collect();
    let Some(line) = super::runaway::stopped_line(&levels, &aim.stop) else {
        return;
    };
    let at = Some(crate::error::Position {
        chunk,
        line: line as u64,
    });
    match looping {
        Some((_, (first, last))) if line < first || line > last => {}
        Some(_) => *aim.aimed.found.borrow_mut() = at,
        None => *aim.aimed.entered.borrow_mut() = at,
    }
}

/// In diagnostic mode, notes the computed key of a table constructor field (`(key)(k)`):
/// when it is nil or NaN, piccolo raises `table index is nil` (`NaN`) without a position
/// once the field's value is evaluated, and [`place_key_error`] then gives it `position`.
/// Any other key, and any error handed over meanwhile, forgets it.
pub fn note_key(ctx: Context<'_>, key: Value<'_>, position: impl FnOnce() -> String) {
    let what = match key {
        Value::Nil => Some("table index is nil"),
        Value::Number(n) if n.is_nan() => Some("table index is NaN"),
        _ => None,
    };
    state(ctx).borrow_mut().pending_key = what.map(|w| format!("{}{w}", position()));
}

/// An error handed over (any error): a key noted by [`note_key`] no longer applies.
pub fn forget_key(ctx: Context<'_>) {
    if ENABLED_STATES.load(Ordering::Relaxed) != 0 {
        state(ctx).borrow_mut().pending_key = None;
    }
}

/// The text of piccolo's runtime error `message` with the position [`note_key`] noted, when
/// it is that key's error; every error handed over forgets the noted key.
pub fn place_key_error(ctx: Context<'_>, message: String) -> String {
    if ENABLED_STATES.load(Ordering::Relaxed) == 0 {
        return message;
    }
    let pending = state(ctx).borrow_mut().pending_key.take();
    placed_key(pending.as_ref(), message)
}
