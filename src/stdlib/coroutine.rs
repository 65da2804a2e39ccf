//! Lua 5.3's `coroutine` library over piccolo threads. piccolo's own `create`, `yield` and
//! `running` are kept; `resume` and `status` are replaced (Lua's messages for dead and
//! non-suspended coroutines, Lua-worded errors), and `wrap` and `isyieldable` are added.
//! piccolo's non-standard `continue` and `yieldto` are removed.

use gc_arena::Collect;
use piccolo::{
    BoxSequence, Callback, CallbackReturn, Context, Error, Execution, Sequence, SequencePoll,
    Stack, Table, Thread, ThreadMode, Value,
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

/// Why `thread` cannot be resumed now, in Lua's words.
fn resume_refusal(thread: Thread<'_>) -> Option<&'static str> {
    match thread.mode() {
        ThreadMode::Suspended => None,
        ThreadMode::Stopped => Some("cannot resume dead coroutine"),
        _ => Some("cannot resume non-suspended coroutine"),
    }
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
        crate::vm::diagnostics::thread_created(ctx, thread);
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
            if let Some(why) = resume_refusal(thread) {
                stack.replace(ctx, (false, why));
                return Ok(CallbackReturn::Return);
            }
            crate::vm::diagnostics::thread_resumed(ctx, thread);
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
            stack.replace(ctx, !exec.current_thread().is_main);
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
            crate::vm::diagnostics::thread_created(ctx, thread);
            let wrapped = Callback::from_fn_with(&ctx, thread, |thread, ctx, exec, mut stack| {
                if let Some(why) = resume_refusal(*thread) {
                    let msg = format!("{}{why}", position(&exec));
                    stack.clear();
                    return Err(plain_error(ctx, &msg));
                }
                crate::vm::diagnostics::thread_resumed(ctx, *thread);
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
        let value = error_value(ctx, &error);
        if !self.wrap {
            stack.replace(ctx, (false, value));
            return Ok(SequencePoll::Return);
        }
        match value {
            Value::String(s) => {
                let mut text = position(&exec).into_bytes();
                text.extend_from_slice(s.as_bytes());
                Err(Error::from_value(Value::String(ctx.intern(&text))))
            }
            v => Err(Error::from_value(v)),
        }
    }
}
