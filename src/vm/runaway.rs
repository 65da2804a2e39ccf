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
//! only) gives no position: the error then says nothing about where it stopped.
//!
//! Success paths pay one relaxed load of [`LOCATING`] per helper call.

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};

use piccolo::Execution;

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
