//! `pcall` and `xpcall`. Caught errors reach Lua as Lua 5.3 would hand them over: `error()`'s
//! value unchanged, piccolo's own runtime errors as Lua-worded strings (vm::errors).

use gc_arena::Collect;
use piccolo::{
    BoxSequence, Callback, CallbackReturn, Context, Error, Execution, Sequence, SequencePoll,
    Stack, Value,
};

use super::argcheck::{bad_arg, type_error};
use crate::vm::diagnostics;
use crate::vm::errors::error_value;

pub fn install<'gc>(ctx: Context<'gc>) {
    let g = ctx.globals();
    let _ = g.set(
        ctx,
        "pcall",
        Callback::from_fn(&ctx, |ctx, mut exec, stack| {
            // A point where a plain run can raise a `C stack overflow` the diagnostic copy met
            // in the call below (see `vm::runaway::Counting`): `pcall(f)` nested without end
            // calls no helper between the levels.
            crate::vm::runaway::enter(ctx, &mut exec)?;
            if stack.is_empty() {
                return Err(bad_arg(ctx, &exec, 0, "pcall", "value expected"));
            }
            protected_call(ctx, &exec, stack, None)
        }),
    );
    let _ = g.set(
        ctx,
        "xpcall",
        Callback::from_fn(&ctx, |ctx, mut exec, mut stack| {
            crate::vm::runaway::enter(ctx, &mut exec)?;
            if !matches!(stack.get(1), Value::Function(_)) {
                return Err(type_error(ctx, &exec, &stack, 1, "xpcall", "function"));
            }
            let f = stack.pop_front();
            let handler = stack.pop_front();
            let mut seq = Protected {
                handler: Some(handler),
                handling: false,
                shadow: Default::default(),
                on_error: None,
                handling_token: None,
            };
            match piccolo::meta_ops::call(ctx, f) {
                Ok(function) => {
                    diagnostics::native_calls_callback(ctx, &exec, function);
                    // xpcall's function may yield (Lua calls it with a continuation).
                    seq.shadow.enter_yieldable(ctx, &exec, function, "xpcall");
                    Ok(CallbackReturn::Call {
                        function,
                        then: Some(BoxSequence::new(&ctx, seq)),
                    })
                }
                Err(_) => {
                    let msg = format!("attempt to call a {} value", f.type_name());
                    stack.replace(ctx, ctx.intern(msg.as_bytes()));
                    handle(ctx, seq, stack)
                }
            }
        }),
    );
}

/// What a protected call tells when it fails: `(report, token)`, called as
/// `report(ctx, token)` (the runtime marks a handler that failed, see `crate::ao::runtime`).
pub(crate) type OnError = (for<'a> fn(Context<'a>, u64), u64);

/// `pcall(f, ...)` with `stack` holding `f, ...`: the same call, results and errors as
/// `pcall`; `on_error` is told when the call fails.
pub(crate) fn protected_call<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
    on_error: Option<OnError>,
) -> Result<CallbackReturn<'gc>, Error<'gc>> {
    let f = stack.pop_front();
    if diagnostics::c_stack_full(ctx, exec) {
        // Lua raises it inside the protected call, which catches it.
        if let Some((report, token)) = on_error {
            report(ctx, token);
        }
        // Noted as any caught error: a plain run that raises it at the same point (see
        // `vm::runaway::Counting`) catches it through the protected call.
        diagnostics::error_caught(ctx);
        let value = diagnostics::caught(ctx, Value::String(ctx.intern(b"C stack overflow")));
        stack.replace(ctx, (false, value));
        return Ok(CallbackReturn::Return);
    }
    match piccolo::meta_ops::call(ctx, f) {
        Ok(function) => {
            diagnostics::native_calls_callback(ctx, exec, function);
            Ok(CallbackReturn::Call {
                function,
                then: Some(BoxSequence::new(
                    &ctx,
                    Protected {
                        handler: None,
                        handling: false,
                        shadow: diagnostics::enter_native(ctx, exec, function, "pcall").into(),
                        on_error,
                        handling_token: None,
                    },
                )),
            })
        }
        Err(_) => {
            // Calling a non-function is an error caught by pcall itself.
            if let Some((report, token)) = on_error {
                report(ctx, token);
            }
            let msg = format!("attempt to call a {} value", f.type_name());
            stack.replace(ctx, (false, ctx.intern(msg.as_bytes())));
            Ok(CallbackReturn::Return)
        }
    }
}

/// Calls the message handler on `stack`'s error value (or returns `false, err` for pcall).
fn handle<'gc>(
    ctx: Context<'gc>,
    mut seq: Protected<'gc>,
    mut stack: Stack<'gc, '_>,
) -> Result<CallbackReturn<'gc>, Error<'gc>> {
    match seq.handler.take() {
        None => {
            stack.push_front(Value::Boolean(false));
            Ok(CallbackReturn::Return)
        }
        Some(h) => match piccolo::meta_ops::call(ctx, h) {
            Ok(function) => {
                seq.handling = true;
                Ok(CallbackReturn::Call {
                    function,
                    then: Some(BoxSequence::new(&ctx, seq)),
                })
            }
            Err(_) => {
                // Lua reports a handler that cannot run as an error in error handling.
                stack.replace(ctx, (false, ctx.intern(b"error in error handling")));
                Ok(CallbackReturn::Return)
            }
        },
    }
}

/// The continuation of a protected call: success adds `true`; an error goes to the message
/// handler if there is one (`handling` then marks that its results are what we return).
#[derive(Collect)]
#[collect(no_drop)]
struct Protected<'gc> {
    handler: Option<Value<'gc>>,
    handling: bool,
    /// Diagnostic mode's shadow-stack entry for the protected function.
    #[collect(require_static)]
    shadow: diagnostics::NativeSlot,
    /// Told when the protected function fails (see [`protected_call`]).
    #[collect(require_static)]
    on_error: Option<OnError>,
    /// Diagnostic mode's note that the message handler is running (see
    /// `diagnostics::begin_handling`).
    #[collect(require_static)]
    handling_token: Option<diagnostics::HandlingToken>,
}

impl<'gc> Sequence<'gc> for Protected<'gc> {
    fn poll(
        &mut self,
        ctx: Context<'gc>,
        _exec: Execution<'gc, '_>,
        mut stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, Error<'gc>> {
        diagnostics::native_callback_done(ctx);
        self.shadow.leave(ctx, None);
        if let Some(token) = self.handling_token.take() {
            diagnostics::end_handling(ctx, token);
        }
        if self.handling {
            stack.resize(1);
            stack.push_front(Value::Boolean(false));
        } else {
            stack.push_front(Value::Boolean(true));
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
        diagnostics::native_callback_done(ctx);
        self.shadow.leave(ctx, Some(&error));
        if let Some(token) = self.handling_token.take() {
            diagnostics::end_handling(ctx, token);
        }
        if let Some((report, token)) = self.on_error.take() {
            report(ctx, token);
        }
        if !self.handling {
            diagnostics::error_caught(ctx);
        }
        stack.replace(ctx, error_value(ctx, &error));
        if self.handling {
            // The handler itself failed: Lua reports this as LUA_ERRERR.
            stack.replace(ctx, (false, ctx.intern(b"error in error handling")));
            return Ok(SequencePoll::Return);
        }
        match self.handler {
            None => {
                stack.push_front(Value::Boolean(false));
                Ok(SequencePoll::Return)
            }
            Some(h) => match piccolo::meta_ops::call(ctx, h) {
                Ok(function) => {
                    self.handling = true;
                    let native = matches!(function, piccolo::Function::Callback(_));
                    let handed = stack.get(0);
                    // The handler on the shadow stack (as the frames a runaway loop in it
                    // stopped in have it), then noted as running at that depth.
                    self.shadow.enter(ctx, &exec, function, "xpcall");
                    self.handling_token = diagnostics::begin_handling(ctx, &exec, handed, native);
                    Ok(SequencePoll::Call {
                        function,
                        is_tail: false,
                    })
                }
                Err(_) => {
                    stack.replace(ctx, (false, ctx.intern(b"error in error handling")));
                    Ok(SequencePoll::Return)
                }
            },
        }
    }
}
