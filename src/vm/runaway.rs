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
use piccolo::{Context, Execution, Thread};

use crate::error::Position;

/// Extra fuel a call that ran out of fuel may use to reach a helper call.
pub const LOCATE_FUEL: u64 = 1_000_000;

/// How many threads are locating right now (almost always 0): the cheap check every helper
/// makes before looking at its own thread's [`FOUND`].
static LOCATING: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// `Some` while this thread locates: the position found, if any yet.
    static FOUND: RefCell<Option<Option<Position>>> = const { RefCell::new(None) };
}

/// Called by the helpers on entry: while locating, records the calling Lua frame's position
/// (the first one only) and interrupts the executor.
#[inline]
pub fn note(exec: &mut Execution<'_, '_>) {
    if LOCATING.load(Ordering::Relaxed) != 0 {
        note_slow(exec);
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

/// The frames of the thread running in the call under way (see [`Stop`]).
pub fn stopped_frames(ctx: Context<'_>) -> Option<Stop> {
    let thread = chain(ctx).borrow().last().copied()?;
    let mut text = FrameText::default();
    // Stops itself (with an error) once the frame list is written.
    let _ = std::fmt::write(&mut text, format_args!("{thread:?}"));
    parse_frames(&text.text)
}

/// Where the frame list ends in piccolo's `Debug` of a thread (the stack follows).
const FRAMES_END: &str = "], stack: [";
/// Text kept at most: a frame list is a few hundred bytes per frame.
const MAX_FRAME_TEXT: usize = 1 << 20;

#[derive(Default)]
struct FrameText {
    text: String,
}

impl std::fmt::Write for FrameText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let from = self.text.len().saturating_sub(FRAMES_END.len());
        self.text.push_str(s);
        let ended = self
            .text
            .get(from..)
            .is_some_and(|t| t.contains(FRAMES_END));
        if ended || self.text.len() > MAX_FRAME_TEXT {
            return Err(std::fmt::Error);
        }
        Ok(())
    }
}

/// The Lua frames of `frames: [Lua { bottom: 0, base: 1, is_variable: false, pc: 3,
/// stack_size: 2, expected_return: None }, Sequence { .. }, ...]`.
fn parse_frames(text: &str) -> Option<Stop> {
    let start = text.find("frames: [")? + "frames: [".len();
    let mut frames = Vec::new();
    let mut depth = 0usize;
    let mut item_start = start;
    let bytes = text.as_bytes();
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'[' | b'{' | b'(' => depth += 1,
            b')' | b'}' if depth > 0 => depth -= 1,
            b']' if depth > 0 => depth -= 1,
            b']' | b',' if depth == 0 => {
                let item = text[item_start..i].trim();
                if let Some(fields) = item.strip_prefix("Lua {") {
                    frames.push(StopFrame {
                        stack_size: field(fields, "stack_size: ")?,
                        pc: field(fields, "pc: ")?,
                    });
                }
                if bytes[i] == b']' {
                    return Some(Stop { frames });
                }
                item_start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
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
        let stop = parse_frames(text).unwrap();
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
        assert_eq!(parse_frames("Thread(RefLock(<borrowed>))"), None);
    }
}
