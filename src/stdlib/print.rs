//! `print` (captured into the process output) and `tostring` (Lua 5.3 number formatting,
//! deterministic identities, `__tostring`).

use std::cell::RefCell;
use std::rc::Rc;

use gc_arena::Collect;
use gc_arena::Gc;
use piccolo::{
    meta_ops::{self, MetaResult},
    BoxSequence, Callback, CallbackReturn, Context, Error, Execution, Function, Sequence,
    SequencePoll, Stack, Value,
};

use super::argcheck::bad_arg;
use super::tostring::{write_display, write_plain};
use crate::vm::diagnostics::{self, NativeSlot};
use crate::vm::Host;

pub fn install(ctx: Context<'_>, host: Rc<RefCell<Host>>) {
    let g = ctx.globals();
    let tostring = Callback::from_fn(&ctx, |ctx, exec, mut stack| {
        if stack.is_empty() {
            return Err(bad_arg(ctx, &exec, 0, "tostring", "value expected"));
        }
        let v = stack.get(0);
        stack.clear();
        match tostring_step(ctx, v)? {
            Ok(s) => {
                stack.push_back(s);
                Ok(CallbackReturn::Return)
            }
            Err(call) => {
                stack.extend(call.args);
                let then = BoxSequence::new(&ctx, FirstResult);
                Ok(diagnostics::call_back(
                    ctx,
                    &exec,
                    call.function,
                    "tostring",
                    then,
                ))
            }
        }
    });
    // Lua's `print` calls whatever the global `tostring` is; ours is the common case and is
    // done in place.
    let print = Callback::from_fn_with(&ctx, tostring, move |builtin, ctx, _, mut stack| {
        let custom = match crate::vm::undo::field(ctx, ctx.globals(), "tostring") {
            Value::Function(Function::Callback(c))
                if Gc::ptr_eq(c.into_inner(), builtin.into_inner()) =>
            {
                None
            }
            other => Some(other),
        };
        let args: Vec<Value> = stack.drain(..).collect();
        Ok(CallbackReturn::Sequence(BoxSequence::new(
            &ctx,
            Print {
                args,
                next: 0,
                awaiting: false,
                custom,
                line: Vec::new(),
                host: host.clone(),
                shadow: NativeSlot::default(),
            },
        )))
    });
    let _ = g.set(ctx, "print", print);
    let _ = g.set(ctx, "tostring", tostring);
}

pub fn lua_error<'gc>(ctx: Context<'gc>, msg: &str) -> Error<'gc> {
    Error::from_value(Value::String(ctx.intern(msg.as_bytes())))
}

/// Keeps only the first result of a `__tostring` call (Lua's `tostring` returns one value).
#[derive(Collect)]
#[collect(require_static)]
struct FirstResult;

impl<'gc> Sequence<'gc> for FirstResult {
    fn poll(
        &mut self,
        ctx: Context<'gc>,
        _exec: Execution<'gc, '_>,
        mut stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, Error<'gc>> {
        match stack.get(0) {
            Value::String(_) | Value::Integer(_) | Value::Number(_) => {}
            _ => return Err(lua_error(ctx, "'__tostring' must return a string")),
        }
        stack.resize(1);
        Ok(SequencePoll::Return)
    }
}

/// `tostring` of one value: its text, or the `__tostring` call that produces it.
fn tostring_step<'gc>(
    ctx: Context<'gc>,
    v: Value<'gc>,
) -> Result<Result<Value<'gc>, meta_ops::MetaCall<'gc, 1>>, Error<'gc>> {
    match v {
        Value::Table(_) | Value::UserData(_) => match meta_ops::tostring(ctx, v)? {
            MetaResult::Call(call) => return Ok(Err(call)),
            MetaResult::Value(_) => {}
        },
        Value::String(_) => return Ok(Ok(v)),
        _ => {}
    }
    let mut buf = Vec::new();
    write_display(ctx, v, &mut buf);
    Ok(Ok(Value::String(ctx.intern(&buf))))
}

/// `print`: converts each argument with `tostring` semantics (calling `__tostring` where
/// present), joins them with tabs and appends the line to the host output.
#[derive(Collect)]
#[collect(no_drop)]
struct Print<'gc> {
    args: Vec<Value<'gc>>,
    next: usize,
    awaiting: bool,
    /// The global `tostring` when it is not the built-in one.
    custom: Option<Value<'gc>>,
    #[collect(require_static)]
    line: Vec<u8>,
    #[collect(require_static)]
    host: Rc<RefCell<Host>>,
    /// The shadow-stack entry of the `tostring` call running (below `[C]` frames).
    #[collect(require_static)]
    shadow: NativeSlot,
}

impl<'gc> Print<'gc> {
    fn push_text(&mut self, ctx: Context<'gc>, v: Value<'gc>) -> Result<(), Error<'gc>> {
        if self.next > 0 {
            self.line.push(b'\t');
        }
        match v {
            Value::String(s) => self.line.extend_from_slice(s.as_bytes()),
            Value::Integer(_) | Value::Number(_) => write_plain(ctx, v, &mut self.line),
            _ => return Err(lua_error(ctx, "'tostring' must return a string to 'print'")),
        }
        self.next += 1;
        Ok(())
    }
}

impl<'gc> Sequence<'gc> for Print<'gc> {
    fn poll(
        &mut self,
        ctx: Context<'gc>,
        exec: Execution<'gc, '_>,
        mut stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, Error<'gc>> {
        // Results of a `__tostring` call we made on the previous poll.
        if self.awaiting {
            self.awaiting = false;
            self.shadow.leave(ctx, None);
            let v = stack.get(0);
            stack.clear();
            self.push_text(ctx, v)?;
        }
        while self.next < self.args.len() {
            if let Some(custom) = self.custom {
                let Value::Function(function) = custom else {
                    return Err(lua_error(
                        ctx,
                        &format!("attempt to call a {} value", custom.type_name()),
                    ));
                };
                stack.push_back(self.args[self.next]);
                self.awaiting = true;
                self.shadow.enter(ctx, &exec, function, "print");
                return Ok(SequencePoll::Call {
                    function,
                    is_tail: false,
                });
            }
            match tostring_step(ctx, self.args[self.next])? {
                Ok(s) => self.push_text(ctx, s)?,
                Err(call) => {
                    stack.extend(call.args);
                    self.awaiting = true;
                    // Lua's `print` calls `tostring`, which calls the metamethod.
                    self.shadow
                        .enter(ctx, &exec, call.function, "tostring print");
                    return Ok(SequencePoll::Call {
                        function: call.function,
                        is_tail: false,
                    });
                }
            }
        }
        self.line.push(b'\n');
        self.host.borrow_mut().output.extend_from_slice(&self.line);
        Ok(SequencePoll::Return)
    }

    fn error(
        &mut self,
        ctx: Context<'gc>,
        _exec: Execution<'gc, '_>,
        error: Error<'gc>,
        _stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, Error<'gc>> {
        self.shadow.leave(ctx, Some(&error));
        Err(error)
    }
}
