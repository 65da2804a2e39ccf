//! Where a coroutine may yield, as PUC Lua 5.3 decides it. A library function written in C
//! that calls back into Lua with `lua_call` (a `table.sort` comparator, a `string.gsub`
//! replacement function, a `__tostring` or `__index` run by `tostring`, `print`,
//! `ipairs`, `table.concat`..., a `load` reader, a `require` loader, an `xpcall` message
//! handler) makes everything it calls unable to yield: `coroutine.yield` there raises
//! `attempt to yield across a C-call boundary` and `coroutine.isyieldable()` is false (also
//! `pairs`'s `__pairs`, which 5.3 runs with `lua_call`). Only `pcall`'s and `xpcall`'s
//! protected functions (called with continuations) and metamethods run by Lua code itself
//! stay yieldable.
//!
//! piccolo can suspend a thread inside any of our callbacks' sequences, so it would let
//! those yields through; aos (PUC Lua) refuses them, and a program must fail here as it
//! fails there. Each library call back into Lua counts on its thread from the call until
//! it returns or fails (`diagnostics::NativeSlot`, which every such call site already
//! goes through), and the counts start from zero with every call the host makes (no
//! suspended coroutine can be inside such a call: it could not have yielded there).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use gc_arena::{Collect, Rootable};
use piccolo::{Context, Execution};

#[derive(Clone, Collect, Default)]
#[collect(require_static)]
struct Boundaries(Rc<RefCell<HashMap<usize, u32>>>);

fn counts(ctx: Context<'_>) -> Rc<RefCell<HashMap<usize, u32>>> {
    ctx.singleton::<Rootable![Boundaries]>().0.clone()
}

/// The running thread's key (its address).
pub fn thread_key(exec: &Execution<'_, '_>) -> usize {
    gc_arena::Gc::as_ptr(exec.current_thread().thread.into_inner()) as usize
}

/// A library function on thread `thread` starts calling back into Lua.
pub fn enter(ctx: Context<'_>, thread: usize) {
    *counts(ctx).borrow_mut().entry(thread).or_insert(0) += 1;
}

/// That call returned or failed.
pub fn leave(ctx: Context<'_>, thread: usize) {
    let counts = counts(ctx);
    let mut counts = counts.borrow_mut();
    if let Some(n) = counts.get_mut(&thread) {
        *n -= 1;
        if *n == 0 {
            counts.remove(&thread);
        }
    }
}

/// Whether the running code may yield: not on the main thread, and not inside a library
/// function's call back into Lua on this thread.
pub fn may_yield(ctx: Context<'_>, exec: &Execution<'_, '_>) -> bool {
    !exec.current_thread().is_main && !counts(ctx).borrow().contains_key(&thread_key(exec))
}

/// A new call from the host: nothing is inside a library call yet.
pub fn reset(ctx: Context<'_>) {
    counts(ctx).borrow_mut().clear();
}
