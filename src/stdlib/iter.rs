//! `next`, `pairs` (honouring `__pairs`; plain tables in a canonical key order) and `ipairs` (Lua 5.3: respects `__index`, stops at
//! the first nil), each returning the three values Lua returns.

use std::cmp::Ordering;

use gc_arena::{lock::RefLock, Collect, Gc};
use piccolo::{
    meta_ops::{self, MetaResult},
    table::NextValue,
    BoxSequence, Callback, CallbackReturn, Context, Error, Execution, Function, Sequence,
    SequencePoll, Stack, Table, Value,
};

use crate::vm::convert::address;
use crate::vm::diagnostics;

use super::argcheck::{check_any, check_integer, check_table, error};

pub fn install<'gc>(ctx: Context<'gc>) {
    let g = ctx.globals();
    let next = next_named(ctx, "next");
    let _ = g.set(ctx, "next", next);
    // What `pairs` returns for a value that is not a table (and has no `__pairs`): `next`
    // itself in Lua, which then fails in the generic `for` that calls it, and Lua names a
    // function by how it is called: "bad argument #1 to 'for iterator' (table expected, got
    // string)", as `for k, v in pairs(msg.Data)` over undecoded Data gives in aos.
    let for_next = next_named(ctx, "for iterator");
    // Only `pairs` holds it: named so a state that keeps it can be exported.
    crate::state::builtins::add_root(
        ctx,
        "(for iterator)",
        Value::Function(Function::Callback(for_next)),
    );

    let _ = g.set(
        ctx,
        "pairs",
        Callback::from_fn_with(
            &ctx,
            (next, for_next),
            |(next, for_next), ctx, mut exec, mut stack| {
                let t = check_any(ctx, &exec, &stack, 0, "pairs")?;
                let mt = match t {
                    Value::Table(t) => t.metatable(),
                    Value::UserData(u) => u.metatable(),
                    _ => None,
                };
                let handler =
                    mt.map_or(Value::Nil, |mt| crate::vm::undo::field(ctx, mt, "__pairs"));
                if handler.is_nil() {
                    let iterator = match t {
                        Value::Table(table) => Value::Function(Function::Callback(
                            ordered_pairs(ctx, &mut exec, table).unwrap_or(*next),
                        )),
                        _ => Value::Function(Function::Callback(*for_next)),
                    };
                    stack.replace(ctx, (iterator, t, Value::Nil));
                    return Ok(CallbackReturn::Return);
                }
                let function = meta_ops::call(ctx, handler)
                    .map_err(|_| error(ctx, &exec, "attempt to call a non-function '__pairs'"))?;
                stack.replace(ctx, t);
                let then = BoxSequence::new(&ctx, Truncate(3));
                Ok(diagnostics::call_back(ctx, &exec, function, "pairs", then))
            },
        ),
    );

    let inext = Callback::from_fn(&ctx, |ctx, exec, mut stack| {
        let i = check_integer(ctx, &exec, &stack, 1, "ipairs")?.wrapping_add(1);
        let t = stack.get(0);
        match crate::vm::helpers::index_value(ctx, t, Value::Integer(i))
            .map_err(|failure| error(ctx, &exec, &failure.message()))?
        {
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
                // The iterator's `[C]` frame: Lua names it as the loop calls it.
                let then = BoxSequence::new(&ctx, IndexResult(i));
                Ok(diagnostics::call_back(ctx, &exec, call.function, "", then))
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

/// Lua's `next`, reporting a bad table argument as an argument of `name`.
fn next_named<'gc>(ctx: Context<'gc>, name: &'static str) -> Callback<'gc> {
    Callback::from_fn(&ctx, move |ctx, exec, mut stack| {
        let t = check_table(ctx, &exec, &stack, 0, name)?;
        match t.next(stack.get(1)) {
            NextValue::Found { key, value } => stack.replace(ctx, (key, value)),
            NextValue::Last => stack.replace(ctx, Value::Nil),
            // `luaG_runerror` from inside `next` (a C function): Lua adds no position.
            NextValue::NotFound => {
                return Err(super::argcheck::plain_error(ctx, "invalid key to 'next'"))
            }
        }
        Ok(CallbackReturn::Return)
    })
}

/// Where a key sorts in `pairs` order: numbers, then strings, then booleans, then
/// reference values (among themselves by identity, see `ordered_pairs`).
pub(crate) fn rank(v: Value<'_>) -> u8 {
    match v {
        Value::Integer(_) | Value::Number(_) => 0,
        Value::String(_) => 1,
        Value::Boolean(_) => 2,
        _ => 3,
    }
}

pub(crate) fn key_order(a: Value<'_>, b: Value<'_>) -> Ordering {
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) => x.cmp(&y),
        (Value::Integer(x), Value::Number(y)) => (x as f64).total_cmp(&y),
        (Value::Number(x), Value::Integer(y)) => x.total_cmp(&(y as f64)),
        (Value::Number(x), Value::Number(y)) => x.total_cmp(&y),
        (Value::String(x), Value::String(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Value::Boolean(x), Value::Boolean(y)) => x.cmp(&y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// What a `pairs` iterator walks: the table's keys, ordered when the loop starts.
#[derive(Collect)]
#[collect(no_drop)]
struct Walk<'gc> {
    table: Table<'gc>,
    keys: Vec<Value<'gc>>,
    next: usize,
}

/// The iterator `pairs` returns for a plain table. piccolo iterates in hash-table slot
/// order, which differs between native and wasm builds (different SIMD group widths) and
/// with a table's insertion and deletion history; we visit keys in a canonical order
/// instead, so every platform sees the same order. Keys whose value became nil during the
/// loop are skipped, as with `next`. A sequence that `next` already walks as 1..n gets
/// plain `next` (so `pairs(t) == next` still holds for arrays): `None` then.
fn ordered_pairs<'gc>(
    ctx: Context<'gc>,
    exec: &mut Execution<'gc, '_>,
    table: Table<'gc>,
) -> Option<Callback<'gc>> {
    let mut keys: Vec<Value<'gc>> = table.iter().map(|(k, _)| k).collect();
    let n = keys.len();
    // The charge depends on the keys alone, never on the order piccolo holds them in (which
    // depends on the table's history: a table rebuilt by an import holds the same keys in
    // another layout, and must cost the same to walk).
    let sequence = keys
        .iter()
        .all(|k| matches!(k, Value::Integer(i) if (1..=n as i64).contains(i)));
    let charge = if sequence {
        n / 8
    } else {
        n + n * (usize::BITS - n.leading_zeros()) as usize / 4
    };
    exec.fuel()
        .consume(i32::try_from(charge).unwrap_or(i32::MAX));
    if keys
        .iter()
        .enumerate()
        .all(|(i, k)| matches!(k, Value::Integer(n) if *n == i as i64 + 1))
    {
        return None;
    }
    // Reference-typed keys sort by identity: keys stored by assignment got theirs in
    // program order; any still without one (from a table constructor) get theirs now.
    let mut identity = std::collections::HashMap::new();
    for k in &keys {
        if let Some(id) = super::tostring::identity_of(ctx, *k) {
            identity.insert(address(*k), id);
        }
    }
    keys.sort_by(|a, b| match key_order(*a, *b) {
        Ordering::Equal if rank(*a) == 3 && rank(*b) == 3 => {
            identity.get(&address(*a)).cmp(&identity.get(&address(*b)))
        }
        other => other,
    });
    let walk = Gc::new(
        &ctx,
        RefLock::new(Walk {
            table,
            keys,
            next: 0,
        }),
    );
    Some(Callback::from_fn_with(
        &ctx,
        walk,
        |walk, ctx, _, mut stack| {
            let mut w = walk.borrow_mut(&ctx);
            while w.next < w.keys.len() {
                let key = w.keys[w.next];
                w.next += 1;
                let value = w.table.get_value(key);
                if !value.is_nil() {
                    stack.replace(ctx, (key, value));
                    return Ok(CallbackReturn::Return);
                }
            }
            stack.replace(ctx, Value::Nil);
            Ok(CallbackReturn::Return)
        },
    ))
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
