//! `next`, `pairs` (honouring `__pairs`) and `ipairs` (Lua 5.3: respects `__index`, stops at
//! the first nil), each returning the three values Lua returns.

use gc_arena::Collect;
use piccolo::{
    meta_ops::{self, MetaResult},
    table::NextValue,
    BoxSequence, Callback, CallbackReturn, Context, Error, Execution, Function, Sequence,
    SequencePoll, Stack, Value,
};

use super::argcheck::{check_any, check_integer, check_table, error};

pub fn install<'gc>(ctx: Context<'gc>) {
    let g = ctx.globals();
    let next = Callback::from_fn(&ctx, |ctx, exec, mut stack| {
        let t = check_table(ctx, &exec, &stack, 0, "next")?;
        match t.next(stack.get(1)) {
            NextValue::Found { key, value } => stack.replace(ctx, (key, value)),
            NextValue::Last => stack.replace(ctx, Value::Nil),
            NextValue::NotFound => return Err(error(ctx, &exec, "invalid key to 'next'")),
        }
        Ok(CallbackReturn::Return)
    });
    let _ = g.set(ctx, "next", next);

    let _ = g.set(
        ctx,
        "pairs",
        Callback::from_fn_with(&ctx, next, |next, ctx, exec, mut stack| {
            let t = check_any(ctx, &exec, &stack, 0, "pairs")?;
            let mt = match t {
                Value::Table(t) => t.metatable(),
                Value::UserData(u) => u.metatable(),
                _ => None,
            };
            let handler = mt.map_or(Value::Nil, |mt| mt.get(ctx, "__pairs"));
            if handler.is_nil() {
                stack.replace(ctx, (*next, t, Value::Nil));
                return Ok(CallbackReturn::Return);
            }
            let function = meta_ops::call(ctx, handler)
                .map_err(|_| error(ctx, &exec, "attempt to call a non-function '__pairs'"))?;
            stack.replace(ctx, t);
            Ok(CallbackReturn::Call {
                function,
                then: Some(BoxSequence::new(&ctx, Truncate(3))),
            })
        }),
    );

    let inext = Callback::from_fn(&ctx, |ctx, exec, mut stack| {
        let i = check_integer(ctx, &exec, &stack, 1, "ipairs")?.wrapping_add(1);
        let t = stack.get(0);
        match meta_ops::index(ctx, t, Value::Integer(i)).map_err(|_| {
            error(
                ctx,
                &exec,
                &format!("attempt to index a {} value", t.type_name()),
            )
        })? {
            MetaResult::Value(v) => {
                if v.is_nil() {
                    stack.replace(ctx, Value::Nil);
                } else {
                    stack.replace(ctx, (i, v));
                }
                Ok(CallbackReturn::Return)
            }
            MetaResult::Call(call) => {
                stack.clear();
                stack.extend(call.args);
                Ok(CallbackReturn::Call {
                    function: call.function,
                    then: Some(BoxSequence::new(&ctx, IndexResult(i))),
                })
            }
        }
    });
    let _ = g.set(
        ctx,
        "ipairs",
        Callback::from_fn_with(&ctx, inext, |inext, ctx, exec, mut stack| {
            let t = check_any(ctx, &exec, &stack, 0, "ipairs")?;
            stack.replace(ctx, (*inext, t, 0));
            Ok(CallbackReturn::Return)
        }),
    );
}

/// Keeps exactly `n` results (padding with nil), as `lua_call(L, .., n)` does.
#[derive(Collect)]
#[collect(require_static)]
pub struct Truncate(pub usize);

impl<'gc> Sequence<'gc> for Truncate {
    fn poll(
        &mut self,
        _ctx: Context<'gc>,
        _exec: Execution<'gc, '_>,
        mut stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, Error<'gc>> {
        stack.resize(self.0);
        Ok(SequencePoll::Return)
    }
}

/// The result of an `__index` call made by the `ipairs` iterator: `i, v`, or nil to stop.
#[derive(Collect)]
#[collect(require_static)]
struct IndexResult(i64);

impl<'gc> Sequence<'gc> for IndexResult {
    fn poll(
        &mut self,
        ctx: Context<'gc>,
        _exec: Execution<'gc, '_>,
        mut stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, Error<'gc>> {
        let v = stack.get(0);
        if v.is_nil() {
            stack.replace(ctx, Value::Nil);
        } else {
            stack.replace(ctx, (self.0, v));
        }
        Ok(SequencePoll::Return)
    }
}

/// A function value from a callable value, with Lua's error when it is not callable.
pub fn callable<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    v: Value<'gc>,
) -> Result<Function<'gc>, Error<'gc>> {
    meta_ops::call(ctx, v).map_err(|_| {
        error(
            ctx,
            exec,
            &format!("attempt to call a {} value", v.type_name()),
        )
    })
}
