//! Lua 5.3's `coroutine` library over piccolo threads. piccolo's own `create`, `yield` and
//! `running` are kept; `resume` and `status` are replaced (Lua's messages for dead and
//! non-suspended coroutines, Lua-worded errors), and `wrap` and `isyieldable` are added.
//! piccolo's non-standard `continue` and `yieldto` are removed.

use std::collections::HashMap;

use gc_arena::{lock::RefLock, Collect, Gc, GcWeak, Rootable};
use piccolo::{
    thread::ThreadInner, BoxSequence, Callback, CallbackReturn, Context, Error, Execution,
    Sequence, SequencePoll, Stack, Table, Thread, ThreadMode, Value,
};

use super::argcheck::{bad_arg, plain_error, type_error};
use crate::vm::errors::error_value;
use crate::vm::helpers::position;

fn status_name(mode: ThreadMode) -> &'static str {
    match mode {
        ThreadMode::Stopped => "dead",
        ThreadMode::Running => "running",
        // Waiting: it resumed another coroutine and waits for it.
        ThreadMode::Waiting | ThreadMode::Normal => "normal",
        ThreadMode::Suspended | ThreadMode::Result => "suspended",
    }
}

/// Why `thread` cannot be resumed now from the running thread, in Lua's words; otherwise
/// records how deeply it is nested.
fn resume_refusal<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    thread: Thread<'gc>,
) -> Option<&'static str> {
    match thread.mode() {
        ThreadMode::Suspended => {}
        ThreadMode::Stopped => return Some("cannot resume dead coroutine"),
        _ => return Some("cannot resume non-suspended coroutine"),
    }
    nest(ctx, exec, thread).then_some("C stack overflow")
}

/// Lua's `LUAI_MAXCCALLS`: a resume nested this deep in C calls fails.
const MAX_C_CALLS: usize = 200;
/// The C calls the host's call of the main chunk holds (as `lua.c` calls it).
const MAIN_C_CALLS: usize = 2;

/// How deeply each coroutine was nested when last resumed, by address: a resumed coroutine
/// runs inside the thread that resumed it, so its depth is that thread's plus one (the main
/// thread's is 0). Lua counts the C calls of a thread (`nCcalls`), each resume one more than
/// its resumer's, and refuses a resume that reaches [`MAX_C_CALLS`] with `C stack overflow`;
/// piccolo has no such bound, so endless nesting (`f = function() coroutine.wrap(f)() end`)
/// would only end when memory runs out. Here only resumes are counted, not the other C
/// calls (`pcall`, metamethods) between them. Entries of collected threads are dropped as
/// the map grows.
#[derive(Collect, Default)]
#[collect(no_drop)]
struct Nesting<'gc> {
    depths: HashMap<usize, (GcWeak<'gc, ThreadInner<'gc>>, usize)>,
    #[collect(require_static)]
    prune_at: usize,
}

#[derive(Collect, Clone, Copy)]
#[collect(no_drop)]
struct NestingCell<'gc>(Gc<'gc, RefLock<Nesting<'gc>>>);

impl<'gc> piccolo::Singleton<'gc> for NestingCell<'gc> {
    fn create(ctx: Context<'gc>) -> Self {
        NestingCell(Gc::new(&ctx, RefLock::new(Nesting::default())))
    }
}

fn thread_key(thread: Thread<'_>) -> usize {
    Gc::as_ptr(thread.into_inner()) as *const () as usize
}

/// Records `thread`'s depth for a resume from the running thread; true when Lua would refuse
/// the resume (`C stack overflow`).
fn nest<'gc>(ctx: Context<'gc>, exec: &Execution<'gc, '_>, thread: Thread<'gc>) -> bool {
    let cell = ctx.singleton::<Rootable![NestingCell<'_>]>().0;
    let mut n = cell.borrow_mut(&ctx);
    let current = exec.current_thread();
    let below = if current.is_main {
        0
    } else {
        let key = thread_key(current.thread);
        match n.depths.get(&key) {
            Some((weak, depth)) if weak.upgrade(&ctx).is_some() => *depth,
            _ => 0,
        }
    };
    let depth = below + 1;
    if MAIN_C_CALLS + depth >= MAX_C_CALLS {
        return true;
    }
    if n.depths.len() >= n.prune_at {
        n.depths.retain(|_, (weak, _)| weak.upgrade(&ctx).is_some());
        n.prune_at = (n.depths.len() * 2).max(1024);
    }
    n.depths.insert(
        thread_key(thread),
        (Gc::downgrade(thread.into_inner()), depth),
    );
    false
}

pub fn install<'gc>(ctx: Context<'gc>) {
    // A fresh table, keeping piccolo's `running`. (Deleting keys from piccolo's table
    // instead would leave dead keys, which piccolo 0.3.3 panics on when the table grows
    // after a collection.)
    let co = Table::new(&ctx);
    if let Value::Table(old) = crate::vm::undo::field(ctx, ctx.globals(), "coroutine") {
        let _ = co.set(ctx, "running", crate::vm::undo::field(ctx, old, "running"));
    }
    // piccolo's main thread yields to the host, which would end the whole run; Lua raises.
    let _ = co.set(
        ctx,
        "yield",
        Callback::from_fn(&ctx, |ctx, exec, _| {
            if exec.current_thread().is_main {
                return Err(plain_error(
                    ctx,
                    "attempt to yield from outside a coroutine",
                ));
            }
            if !crate::vm::yields::may_yield(ctx, &exec) {
                return Err(plain_error(
                    ctx,
                    "attempt to yield across a C-call boundary",
                ));
            }
            Ok(CallbackReturn::Yield {
                to_thread: None,
                then: None,
            })
        }),
    );

    let create = Callback::from_fn(&ctx, |ctx, exec, mut stack| {
        let Value::Function(f) = stack.get(0) else {
            return Err(type_error(
                ctx,
                &exec,
                &stack,
                0,
                "coroutine.create",
                "function",
            ));
        };
        let thread = Thread::new(ctx);
        thread
            .start_suspended(&ctx, f)
            .map_err(|e| plain_error(ctx, &e.to_string()))?;
        crate::vm::diagnostics::thread_created(ctx, thread, f);
        stack.replace(ctx, thread);
        Ok(CallbackReturn::Return)
    });
    let _ = co.set(ctx, "create", create);

    let _ = co.set(
        ctx,
        "resume",
        Callback::from_fn(&ctx, |ctx, exec, mut stack| {
            let Value::Thread(thread) = stack.get(0) else {
                return Err(bad_arg(
                    ctx,
                    &exec,
                    0,
                    "coroutine.resume",
                    "thread expected",
                ));
            };
            stack.pop_front();
            if let Some(why) = resume_refusal(ctx, &exec, thread) {
                stack.replace(ctx, (false, why));
                return Ok(CallbackReturn::Return);
            }
            crate::vm::diagnostics::thread_resumed(ctx, &exec, thread);
            crate::vm::runaway::resumed(ctx, thread);
            Ok(CallbackReturn::Resume {
                thread,
                then: Some(BoxSequence::new(&ctx, Resumed { wrap: false })),
            })
        }),
    );

    let _ = co.set(
        ctx,
        "status",
        Callback::from_fn(&ctx, |ctx, exec, mut stack| {
            let Value::Thread(thread) = stack.get(0) else {
                return Err(bad_arg(
                    ctx,
                    &exec,
                    0,
                    "coroutine.status",
                    "thread expected",
                ));
            };
            stack.replace(ctx, status_name(thread.mode()));
            Ok(CallbackReturn::Return)
        }),
    );

    let _ = co.set(
        ctx,
        "isyieldable",
        Callback::from_fn(&ctx, |ctx, exec, mut stack| {
            stack.replace(ctx, crate::vm::yields::may_yield(ctx, &exec));
            Ok(CallbackReturn::Return)
        }),
    );

    let _ = co.set(
        ctx,
        "wrap",
        Callback::from_fn(&ctx, |ctx, exec, mut stack| {
            let Value::Function(f) = stack.get(0) else {
                return Err(type_error(
                    ctx,
                    &exec,
                    &stack,
                    0,
                    "coroutine.wrap",
                    "function",
                ));
            };
            let thread = Thread::new(ctx);
            thread
                .start_suspended(&ctx, f)
                .map_err(|e| plain_error(ctx, &e.to_string()))?;
            crate::vm::diagnostics::thread_created(ctx, thread, f);
            let wrapped = Callback::from_fn_with(&ctx, thread, |thread, ctx, exec, mut stack| {
                if let Some(why) = resume_refusal(ctx, &exec, *thread) {
                    let msg = format!("{}{why}", position(ctx, &exec));
                    stack.clear();
                    return Err(plain_error(ctx, &msg));
                }
                crate::vm::diagnostics::thread_resumed(ctx, &exec, *thread);
                crate::vm::runaway::resumed(ctx, *thread);
                Ok(CallbackReturn::Resume {
                    thread: *thread,
                    then: Some(BoxSequence::new(&ctx, Resumed { wrap: true })),
                })
            });
            stack.replace(ctx, wrapped);
            Ok(CallbackReturn::Return)
        }),
    );

    let _ = ctx.globals().set(ctx, "coroutine", co);
}

/// What a resume returns: `true, ...` / `false, err` for `resume`; the values, or the error
/// re-raised with the caller's position prepended (as Lua's `auxwrap` does), for `wrap`.
#[derive(Collect)]
#[collect(require_static)]
struct Resumed {
    wrap: bool,
}

impl<'gc> Sequence<'gc> for Resumed {
    fn poll(
        &mut self,
        ctx: Context<'gc>,
        _exec: Execution<'gc, '_>,
        mut stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, Error<'gc>> {
        crate::vm::runaway::returned(ctx);
        if !self.wrap {
            stack.into_front(ctx, true);
        }
        Ok(SequencePoll::Return)
    }

    fn error(
        &mut self,
        ctx: Context<'gc>,
        exec: Execution<'gc, '_>,
        error: Error<'gc>,
        mut stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, Error<'gc>> {
        crate::vm::runaway::returned(ctx);
        let value = error_value(ctx, &error);
        if !self.wrap {
            crate::vm::diagnostics::error_caught(ctx);
            stack.replace(ctx, (false, value));
            return Ok(SequencePoll::Return);
        }
        match value {
            Value::String(s) => {
                let mut text = position(ctx, &exec).into_bytes();
                text.extend_from_slice(s.as_bytes());
                Err(Error::from_value(Value::String(ctx.intern(&text))))
            }
            v => Err(Error::from_value(v)),
        }
    }
}
