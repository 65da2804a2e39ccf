//! Naming the line a runaway computation was running when its fuel ran out.
//!
//! piccolo keeps a stopped frame's program counter private, but it tells every callback
//! the position of the Lua frame that called it ([`Execution::upper_lua_frame`]). So when
//! the fuel of a call runs out, [`super::Vm`] keeps the suspended executor, turns locating
//! on and lets it run a little further ([`LOCATE_FUEL`]): the first of our helpers called
//! from Lua code (`(index)`, `(set)`, `(arith)`, `(method)`, `(concat)`...) records its
//! caller's position and interrupts the executor. The call fails anyway and its effects are
//! rolled back by the caller, as for any failure; its output is cut back by the `Vm`.
//!
//! A loop whose body calls none of them (`while true do end`, arithmetic on numeric locals
//! only) is found in two steps: the frames of the thread that was running are read when the
//! fuel runs out ([`Stop`], from piccolo's `Debug` text of the thread: each Lua frame's
//! `pc` and stack size); then the host re-runs the call on a diagnostic copy (see
//! `diagnostics::aim_at_stop`), whose shadow stack names the function of each frame, until
//! its frames match the stopped ones ([`stopped_line`]): the line is the stopped `pc`'s in
//! the plain compilation of the innermost function. Frames that cannot be matched give no
//! line, never a guess.
//!
//! Success paths pay one relaxed load of [`LOCATING`] per helper call, and a push and a pop
//! per coroutine resume (the resume chain tells which thread was running).

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};

use gc_arena::{lock::RefLock, Collect, Gc, Rootable};
use piccolo::{Context, Error as LuaError, Execution, Thread, Value};

use crate::error::Position;

/// Extra fuel a call that ran out of fuel may use to reach a helper call.
pub const LOCATE_FUEL: u64 = 1_000_000;

/// How many threads are locating or counting right now (almost always 0): the cheap check
/// every helper makes before looking at its own thread's [`FOUND`] and [`COUNT`].
static LOCATING: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// `Some` while this thread locates: the position found, if any yet.
    static FOUND: RefCell<Option<Option<Position>>> = const { RefCell::new(None) };
    /// `Some` while this thread counts helper calls (see [`Counting`]).
    static COUNT: RefCell<Option<Count>> = const { RefCell::new(None) };
}

/// Whether a run is being watched for its out-of-fuel position or counted for a stack
/// overflow: then every helper call must happen as the program's code makes it.
pub fn locating() -> bool {
    LOCATING.load(Ordering::Relaxed) != 0
}

/// Called by the helpers on entry: while locating, records the calling Lua frame's position
/// (the first one only) and interrupts the executor.
#[inline]
pub fn note(exec: &mut Execution<'_, '_>) {
    if LOCATING.load(Ordering::Relaxed) != 0 {
        note_slow(exec);
    }
}

/// [`note`] for the helpers a program's code calls in every compilation mode (`(index)`,
/// `(set)`, `(arith)`, `(method)`...; not diagnostic mode's `(call)`): while counting
/// (see [`Counting`]), also counts the call, and fails it with a `stack overflow` it is
/// told to raise there.
#[inline]
pub fn enter<'gc>(ctx: Context<'gc>, exec: &mut Execution<'gc, '_>) -> Result<(), LuaError<'gc>> {
    if LOCATING.load(Ordering::Relaxed) != 0 {
        note_slow(exec);
        return count_slow(ctx);
    }
    Ok(())
}

#[cold]
#[inline(never)]
fn count_slow(ctx: Context<'_>) -> Result<(), LuaError<'_>> {
    let raise = COUNT.with(|count| {
        let mut count = count.borrow_mut();
        let count = count.as_mut()?;
        count.calls += 1;
        let due = count
            .raises
            .get(count.fired)
            .filter(|(at, _)| count.calls == at + 1)?;
        let text = due.1.clone();
        count.fired += 1;
        // The failed call is not one the copy made: the counts go on as the copy's.
        count.calls -= 1;
        Some(text)
    });
    match raise {
        Some(text) => Err(LuaError::from_value(Value::String(ctx.intern(&text)))),
        None => Ok(()),
    }
}

/// A diagnostic run raised `text` (a `stack overflow`) here: while counting, notes where
/// (after how many counted helper calls), so that a plain run can raise it at the same point.
pub fn overflow_raised(text: &[u8]) {
    if LOCATING.load(Ordering::Relaxed) == 0 {
        return;
    }
    COUNT.with(|count| {
        if let Some(count) = count.borrow_mut().as_mut() {
            let at = count.calls;
            count.noted.push((at, text.to_vec()));
        }
    });
}

/// What a counting thread knows (see [`Counting`]).
struct Count {
    /// Helper calls counted so far.
    calls: u64,
    /// The `stack overflow` errors to raise, each right after the helper call it names
    /// (a count), in order.
    raises: Vec<(u64, Vec<u8>)>,
    /// How many of `raises` were raised.
    fired: usize,
    /// The `stack overflow` errors a diagnostic run raised, each after the count of helper
    /// calls made before it.
    noted: Vec<(u64, Vec<u8>)>,
}

/// Counting of the helper calls of a run turned on for this thread while it lives. A
/// diagnostic copy that meets Lua's `stack overflow` and catches it notes where
/// ([`overflow_raised`]); the plain process, whose recursion piccolo does not stop, then
/// runs the message counting the same calls and raising each overflow at the first helper
/// call after the copy's point: the first one in the function whose call overflowed, or
/// after a library function that did (`pcall`), inside it, as Lua raises it. The code such
/// a function runs before that helper call runs in the plain run only, so the caller
/// checks that the run ends as the copy's did (see `state::diagnose`).
pub struct Counting {
    outer: Option<Count>,
}

impl Counting {
    /// Counting for a run that raises `raises` (see [`Count::raises`]): empty for the
    /// diagnostic copy's, which notes its own.
    pub fn start(raises: Vec<(u64, Vec<u8>)>) -> Counting {
        let outer = COUNT.with(|count| {
            count.borrow_mut().replace(Count {
                calls: 0,
                raises,
                fired: 0,
                noted: Vec::new(),
            })
        });
        LOCATING.fetch_add(1, Ordering::Relaxed);
        Counting { outer }
    }

    /// Ends the counting: the overflows noted (see [`overflow_raised`]).
    pub fn into_noted(self) -> Vec<(u64, Vec<u8>)> {
        COUNT
            .with(|count| {
                count
                    .borrow_mut()
                    .as_mut()
                    .map(|c| std::mem::take(&mut c.noted))
            })
            .unwrap_or_default()
    }

    /// Whether every overflow this run was to raise was raised.
    pub fn all_raised(&self) -> bool {
        COUNT.with(|count| {
            count
                .borrow()
                .as_ref()
                .is_some_and(|c| c.fired == c.raises.len())
        })
    }
}

impl Drop for Counting {
    fn drop(&mut self) {
        LOCATING.fetch_sub(1, Ordering::Relaxed);
        let outer = self.outer.take();
        COUNT.with(|count| *count.borrow_mut() = outer);
    }
}

#[cold]
#[inline(never)]
fn note_slow(exec: &mut Execution<'_, '_>) {
    let recorded = FOUND.with(|found| {
        let mut found = found.borrow_mut();
        match found.as_mut() {
            Some(slot @ None) => match exec.upper_lua_frame() {
                Some(frame) => {
                    *slot = Some(Position {
                        chunk: frame.chunk_name.to_str_lossy().into_owned(),
                        line: frame.current_line.0.saturating_add(1),
                    });
                    true
                }
                None => false,
            },
            _ => false,
        }
    });
    if recorded {
        exec.fuel().interrupt();
    }
}

/// Locating turned on for this thread while it lives (what it replaced is put back after).
pub struct Locating(Option<Option<Position>>);

impl Locating {
    pub fn start() -> Locating {
        let outer = FOUND.with(|found| found.borrow_mut().replace(None));
        LOCATING.fetch_add(1, Ordering::Relaxed);
        Locating(outer)
    }

    /// The position found so far.
    pub fn found(&self) -> Option<Position> {
        FOUND.with(|found| found.borrow().clone().flatten())
    }
}

impl Drop for Locating {
    fn drop(&mut self) {
        LOCATING.fetch_sub(1, Ordering::Relaxed);
        let outer = self.0.take();
        FOUND.with(|found| *found.borrow_mut() = outer);
    }
}

/// Where a call that ran out of fuel stopped, for a loop that called none of our helpers:
/// the Lua frames of the thread that was running, outermost first. piccolo keeps frames
/// private but prints them with `Debug`; only the frame list is read (its first field),
/// never the stack of values after it. A diagnostic re-run finds which function each
/// frame runs (see `diagnostics::aim_at_stop`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stop {
    pub frames: Vec<StopFrame>,
}

/// A Lua frame of a [`Stop`]: its function's stack size (a prototype's `stack_size`) and
/// program counter (the next instruction; a caller's is just after its call).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StopFrame {
    pub stack_size: usize,
    pub pc: usize,
}

/// The threads of the call under way: its main thread, then the coroutines resumed and not
/// yet back, innermost last (see [`resumed`]). The last one is the thread running.
#[derive(Collect, Clone, Copy)]
#[collect(no_drop)]
struct ResumeChain<'gc>(Gc<'gc, RefLock<Vec<Thread<'gc>>>>);

impl<'gc> piccolo::Singleton<'gc> for ResumeChain<'gc> {
    fn create(ctx: Context<'gc>) -> Self {
        ResumeChain(Gc::new(&ctx, RefLock::new(Vec::new())))
    }
}

fn chain<'gc>(ctx: Context<'gc>) -> Gc<'gc, RefLock<Vec<Thread<'gc>>>> {
    ctx.singleton::<Rootable![ResumeChain<'_>]>().0
}

/// A call from the host starts on `main` (what an abandoned call left behind goes).
pub fn call_started<'gc>(ctx: Context<'gc>, main: Thread<'gc>) {
    let chain = chain(ctx);
    let mut chain = chain.borrow_mut(&ctx);
    chain.clear();
    chain.push(main);
}

/// A call from the host ended or was abandoned: its threads are garbage now (and a stopped
/// one may hold a deep stack), nothing keeps them.
pub fn call_ended(ctx: Context<'_>) {
    chain(ctx).borrow_mut(&ctx).clear();
}

/// A coroutine is resumed (by `coroutine.resume` or a wrapped function).
pub fn resumed<'gc>(ctx: Context<'gc>, thread: Thread<'gc>) {
    chain(ctx).borrow_mut(&ctx).push(thread);
}

/// The innermost resumed coroutine yielded, returned or failed.
pub fn returned(ctx: Context<'_>) {
    let chain = chain(ctx);
    let mut chain = chain.borrow_mut(&ctx);
    // The main thread stays (a resume made before the call was noted has no entry).
    if chain.len() > 1 {
        chain.pop();
    }
}

/// What the frames of the thread running tell, read when a call ran out of fuel or by the
/// depth watch (`Vm::watch_depth`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped {
    /// Its frames, for a diagnostic re-run to find (see [`Stop`]).
    At(Stop),
    /// It is as deep as Lua's stack limits allow, or nearly (see [`DEEP_SLOTS`]): a
    /// recursion Lua would have stopped with `stack overflow` before running out of any
    /// fuel, worth the diagnostic re-run that counts Lua's stack (its frames are not kept).
    Deep,
}

/// The frames of the thread running in the call under way (see [`Stopped`]).
pub fn stopped_frames(ctx: Context<'_>) -> Option<Stopped> {
    let thread = chain(ctx).borrow().last().copied()?;
    let mut scan = FrameScan::default();
    // The scan stops the formatting (with an error) once the frame list is read, or once it
    // is known to be deep.
    let _ = std::fmt::write(&mut scan, format_args!("{thread:?}"));
    scan.stopped()
}

/// The stack length (a Lua frame's `base` plus its stack size) from which a stopped thread
/// is [`Stopped::Deep`]: three quarters of PUC Lua's limit (`diagnostics::STACK_SLOTS`).
/// piccolo lays frames out as PUC Lua does (a callee's base just above the caller's
/// register holding it), but its compiler may use a few registers more or fewer. A recursion
/// that deep ran out of fuel on its way down more likely than not; the re-run tells for sure.
const DEEP_SLOTS: usize = super::diagnostics::STACK_SLOTS / 4 * 3;
/// Frames of library functions and helpers (piccolo's sequences and callbacks) from which
/// a stopped thread is deep: half of Lua's C stack limit (`diagnostics::C_CALLS`).
const DEEP_NATIVE_FRAMES: usize = super::diagnostics::C_CALLS / 2;
/// Where the frame list starts in piccolo's `Debug` of a thread.
const FRAMES_START: &str = "frames: [";
/// Text before the frame list kept at most while looking for it.
const MAX_PREFIX: usize = 4096;
/// Text of one frame kept at most (a frame prints as about a hundred bytes).
const MAX_ITEM: usize = 4096;

/// Reads the frame list of piccolo's `Debug` of a thread (`frames: [Lua { bottom: 0, base:
/// 1, is_variable: false, pc: 3, stack_size: 2, expected_return: None }, Sequence { .. },
/// ...], stack: [...]`) as it is written, one frame at a time, never keeping more than a
/// frame's text: a runaway recursion has millions.
#[derive(Default)]
struct FrameScan {
    /// Text before the frame list, until it is found.
    prefix: String,
    started: bool,
    /// The frame being read.
    item: String,
    /// Brackets open inside it.
    depth: usize,
    frames: Vec<StopFrame>,
    native_frames: usize,
    ended: bool,
    deep: bool,
    malformed: bool,
}

impl FrameScan {
    fn stopped(self) -> Option<Stopped> {
        if self.deep {
            Some(Stopped::Deep)
        } else if self.ended && !self.malformed {
            Some(Stopped::At(Stop {
                frames: self.frames,
            }))
        } else {
            None
        }
    }

    /// One frame read (`item`, trimmed).
    fn frame(&mut self) {
        let item = std::mem::take(&mut self.item);
        let item = item.trim();
        if let Some(fields) = item.strip_prefix("Lua {") {
            let read = |name| field(fields, name);
            match (read("stack_size: "), read("pc: "), read("base: ")) {
                (Some(stack_size), Some(pc), Some(base)) => {
                    self.deep |= base.saturating_add(stack_size) >= DEEP_SLOTS;
                    self.frames.push(StopFrame { stack_size, pc });
                }
                _ => self.malformed = true,
            }
        } else if !item.is_empty() {
            self.native_frames += 1;
        }
        if self.native_frames >= DEEP_NATIVE_FRAMES {
            self.deep = true;
        }
    }
}

impl std::fmt::Write for FrameScan {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let mut rest = s;
        if !self.started {
            self.prefix.push_str(s);
            let Some(at) = self.prefix.find(FRAMES_START) else {
                if self.prefix.len() > MAX_PREFIX {
                    return Err(std::fmt::Error);
                }
                return Ok(());
            };
            self.started = true;
            let prefix = std::mem::take(&mut self.prefix);
            let from = at + FRAMES_START.len();
            // What of `s` follows the list's opening bracket.
            let skip = s.len() - (prefix.len() - from);
            rest = &s[skip..];
        }
        for (i, c) in rest.char_indices() {
            match c {
                '[' | '{' | '(' => self.depth += 1,
                ')' | '}' if self.depth > 0 => self.depth -= 1,
                ']' if self.depth > 0 => self.depth -= 1,
                ']' | ',' if self.depth == 0 => {
                    self.frame();
                    if c == ']' {
                        self.ended = true;
                    }
                    if self.ended || self.deep {
                        return Err(std::fmt::Error);
                    }
                    continue;
                }
                _ => {}
            }
            if self.item.len() < MAX_ITEM {
                self.item.push_str(&rest[i..i + c.len_utf8()]);
            } else {
                self.malformed = true;
            }
        }
        Ok(())
    }
}

fn field(fields: &str, name: &str) -> Option<usize> {
    let at = fields.find(name)? + name.len();
    let digits: String = fields[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// What matching a [`Stop`] needs of a function as the first run compiled it (the plain
/// compilation, not a diagnostic re-run's): its stack size and the lines of its opcodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainFacts {
    pub stack_size: usize,
    /// `(first opcode, line)` runs in opcode order, lines counted from 1.
    pub lines: Vec<(usize, usize)>,
}

impl PlainFacts {
    pub fn of<S>(proto: &piccolo::compiler::CompiledPrototype<S>) -> PlainFacts {
        PlainFacts {
            stack_size: usize::from(proto.stack_size),
            lines: proto
                .opcode_line_numbers
                .iter()
                .map(|(op, line)| (*op, line.0 as usize + 1))
                .collect(),
        }
    }

    /// The line of opcode `pc` (as piccolo finds a frame's current line).
    pub fn line_at(&self, pc: usize) -> Option<usize> {
        match self.lines.binary_search_by_key(&pc, |(op, _)| *op) {
            Ok(i) => Some(self.lines[i].1),
            Err(0) => None,
            Err(i) => Some(self.lines[i - 1].1),
        }
    }
}

/// The facts of the prototype at `path` under `root` (a chunk's compilation).
pub fn plain_facts<S>(
    root: &piccolo::compiler::CompiledPrototype<S>,
    path: &[u32],
) -> Option<PlainFacts> {
    let mut p = root;
    for &i in path {
        p = p.prototypes.get(i as usize)?;
    }
    Some(PlainFacts::of(p))
}

/// The [`PlainLookup`] of a state whose chunks compiled under `limits`, each chunk's reads
/// as `reads` tells (see `compile::Reads`).
pub fn plain_lookup(
    limits: super::SourceLimits,
    reads: fn(&str, &[u8]) -> super::compile::Reads,
) -> PlainLookup {
    std::rc::Rc::new(move |name, source, path| {
        let compiled =
            super::compile::compile_mode(name, source, &limits, reads(name, source), false).ok()?;
        plain_facts(&compiled, path)
    })
}

/// Finds the plain compilation of a function: from its chunk's name and source and its
/// path through nested prototypes. Given by the host, which knows how each chunk compiles.
pub type PlainLookup = std::rc::Rc<dyn Fn(&str, &[u8], &[u32]) -> Option<PlainFacts>>;

/// A Lua frame of a diagnostic re-run, as its shadow stack knows it: the function's plain
/// facts (unknown for a thread's first function when it was not seen starting) and the
/// line it was called from.
pub struct Level<'a> {
    pub facts: Option<&'a PlainFacts>,
    pub call_line: Option<usize>,
}

/// Whether a re-run's frames `levels` (outermost first) are those of `stop`: as many, the
/// same stack sizes (a first function not known is only counted), each called from the line
/// its caller's frame stopped at. Then the line the innermost one stopped at.
pub fn stopped_line(levels: &[Level<'_>], stop: &Stop) -> Option<usize> {
    let frames = &stop.frames;
    if levels.len() != frames.len() || frames.is_empty() {
        return None;
    }
    for (j, (level, frame)) in levels.iter().zip(frames).enumerate() {
        match level.facts {
            Some(f) if f.stack_size != frame.stack_size => return None,
            Some(_) => {}
            None if j == 0 && levels.len() > 1 => {}
            None => return None,
        }
        if j > 0 {
            if let Some(below) = levels[j - 1].facts {
                // A caller's frame stopped just after its call.
                let call = below.line_at(frames[j - 1].pc.checked_sub(1)?)?;
                if level.call_line != Some(call) {
                    return None;
                }
            }
        }
    }
    levels.last()?.facts?.line_at(frames.last()?.pc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_lua_frames_of_a_frame_list() {
        let text = "Thread(RefLock(ThreadState { frames: [Lua { bottom: 0, base: 1, \
                    is_variable: false, pc: 12, stack_size: 5, expected_return: None }, \
                    Sequence { bottom: 7, sequence: Sequence(0x1), pending_error: None }, \
                    Lua { bottom: 9, base: 11, is_variable: true, pc: 3, stack_size: 2, \
                    expected_return: Some(Normal(VarCount(1))) }], stack: [";
        let stop = match scan(text) {
            Some(Stopped::At(stop)) => stop,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            stop.frames,
            vec![
                StopFrame {
                    stack_size: 5,
                    pc: 12
                },
                StopFrame {
                    stack_size: 2,
                    pc: 3
                }
            ]
        );
        assert_eq!(scan("Thread(RefLock(<borrowed>))"), None);
    }

    /// Scans `text` written in pieces of `n` bytes, as formatting writes it.
    fn scan_in(text: &str, n: usize) -> Option<Stopped> {
        use std::fmt::Write;
        let mut scan = FrameScan::default();
        let bytes = text.as_bytes();
        for piece in bytes.chunks(n) {
            if scan.write_str(std::str::from_utf8(piece).unwrap()).is_err() {
                break;
            }
        }
        scan.stopped()
    }

    fn scan(text: &str) -> Option<Stopped> {
        let whole = scan_in(text, text.len().max(1));
        for n in [1, 2, 7] {
            assert_eq!(scan_in(text, n), whole, "written {n} bytes at a time");
        }
        whole
    }

    #[test]
    fn a_recursion_past_three_quarters_of_lua_s_stack_is_deep() {
        // Frames of 4 slots, each based 3 above its caller's base.
        let list = |n: usize| {
            let frames: Vec<String> = (0..n)
                .map(|i| {
                    format!(
                        "Lua {{ bottom: {}, base: {}, is_variable: false, pc: 3, \
                         stack_size: 4, expected_return: None }}",
                        3 * i,
                        3 * i + 1
                    )
                })
                .collect();
            format!("ThreadState {{ frames: [{}], stack: [", frames.join(", "))
        };
        let shallow = (DEEP_SLOTS - 5) / 3;
        assert!(
            matches!(scan_in(&list(shallow), 64), Some(Stopped::At(s)) if s.frames.len() == shallow)
        );
        assert_eq!(scan_in(&list(shallow + 2), 64), Some(Stopped::Deep));
        let native = "Sequence { bottom: 7, sequence: Sequence(0x1), pending_error: None }, ";
        let natives = format!(
            "ThreadState {{ frames: [{}], stack: [",
            native.repeat(DEEP_NATIVE_FRAMES)
        );
        assert_eq!(scan(&natives), Some(Stopped::Deep));
    }
}
