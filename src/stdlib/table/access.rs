//! Running table-library algorithms that may need Lua calls in the middle.
//!
//! Lua 5.3's table functions read and write through `lua_geti`/`lua_seti` (so `__index` and
//! `__newindex` apply), take lengths with `__len`, and `sort` calls comparators or `__lt`.
//! Each such function is written as a [`Job`]: a state machine that asks for one [`Op`] at a
//! time and is handed the op's result on its next step. The [`Driver`] performs ops directly
//! when no metamethod is involved (the usual case: the whole job then runs inside one
//! callback with no extra allocation) and otherwise calls the metamethod through piccolo's
//! [`Sequence`] mechanism and resumes the job with its result.

use gc_arena::Collect;
use piccolo::{
    meta_ops::{self, MetaResult},
    BoxSequence, CallbackReturn, Context, Error, Execution, Function, MetaMethod, Sequence,
    SequencePoll, Stack, Table, Value,
};

use crate::stdlib::args::{lua_error, runtime_error, to_integer, type_name};
use crate::vm::{diagnostics, undo};

/// One step of a job.
pub enum Op<'gc> {
    /// `t[k]` honouring `__index`; the value is the next step's input.
    Get(Value<'gc>, i64),
    /// `t[k] = v` honouring `__newindex`.
    Set(Value<'gc>, i64, Value<'gc>),
    /// `#t` honouring `__len`, as an integer (`luaL_len`).
    Len(Value<'gc>),
    /// `a < b` as the `<` operator does it (`__lt` included); a boolean input.
    Less(Value<'gc>, Value<'gc>),
    /// `f(a, b)` made a boolean (a sort comparator).
    Compare(Function<'gc>, Value<'gc>, Value<'gc>),
    /// Room in the heap for a result of this many bytes (see `vm/budget.rs`): the job
    /// pauses until the `Vm` has collected (or stopped the call for its memory limit).
    Reserve(usize),
    /// The job is over; [`Job::finish`] puts its results on the stack.
    Done,
}

pub trait Job<'gc>: Collect + 'gc {
    /// The library function, as Lua's tracebacks name it (`table.concat`): the `[C]` frame
    /// above the metamethods and comparators the job calls.
    const NAME: &'static str;
    /// The next operation, given the result of the previous one (`nil` at the start and
    /// after a `Set`).
    fn step(
        &mut self,
        ctx: Context<'gc>,
        exec: &Execution<'gc, '_>,
        input: Value<'gc>,
    ) -> Result<Op<'gc>, Error<'gc>>;
    /// Leaves the job's return values on `stack` (which is empty).
    fn finish(&mut self, ctx: Context<'gc>, stack: &mut Stack<'gc, '_>);
    /// Fuel for work the job did within its steps besides the ops (charged and reset
    /// after every run of steps).
    fn take_fuel(&mut self) -> i32 {
        0
    }
}

/// What kind of result a pending Lua call produces for the job.
#[derive(Clone, Copy)]
enum Waiting {
    Value,
    Nothing,
    Length,
    Truth,
}

#[derive(Collect)]
#[collect(no_drop)]
pub struct Driver<J> {
    job: J,
    #[collect(require_static)]
    waiting: Waiting,
    /// In diagnostic mode, the shadow-stack entry of the comparator or metamethod running
    /// (so tracebacks and the search for a runaway loop see its frame, as Lua's stack has
    /// it).
    #[collect(require_static)]
    shadow: diagnostics::NativeSlot,
}

/// Runs `job` for a callback: to completion if it needs no Lua call, else as a sequence.
pub fn run<'gc, J: Job<'gc>>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
    job: J,
) -> Result<CallbackReturn<'gc>, Error<'gc>> {
    stack.clear();
    let mut driver = Driver {
        job,
        waiting: Waiting::Nothing,
        shadow: Default::default(),
    };
    match driver.drive(ctx, &mut exec, &mut stack, Value::Nil)? {
        None => Ok(CallbackReturn::Return),
        Some(function) => {
            driver.enter(ctx, &exec, function);
            Ok(CallbackReturn::Call {
                function,
                then: Some(BoxSequence::new(&ctx, driver)),
            })
        }
    }
}

/// `attempt to <what> a <type> value`, Lua's wording for operations on the wrong type.
fn attempt<'gc>(ctx: Context<'gc>, what: &str, v: Value<'gc>) -> Error<'gc> {
    runtime_error(
        ctx,
        &format!("attempt to {what} a {} value", type_name(ctx, v)),
    )
}

/// The length of `t` when no `__len` applies.
fn raw_len<'gc>(ctx: Context<'gc>, t: Value<'gc>) -> Result<Option<i64>, Error<'gc>> {
    match t {
        Value::Table(tt)
            if tt
                .metatable()
                .is_none_or(|mt| crate::vm::undo::field(ctx, mt, "__len").is_nil()) =>
        {
            Ok(Some(tt.length()))
        }
        Value::String(s) => Ok(Some(s.len())),
        Value::Table(_) | Value::UserData(_) => Ok(None),
        v => Err(attempt(ctx, "get length of", v)),
    }
}

fn length_value<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    v: Value<'gc>,
) -> Result<Value<'gc>, Error<'gc>> {
    to_integer(v)
        .map(Value::Integer)
        .map_err(|_| lua_error(ctx, exec, "object length is not an integer"))
}

impl<'gc, J: Job<'gc>> Driver<J> {
    /// Notes (in diagnostic mode) that the job calls `function` (a comparator or a
    /// metamethod).
    fn enter(&mut self, ctx: Context<'gc>, exec: &Execution<'gc, '_>, function: Function<'gc>) {
        self.shadow.enter(ctx, exec, function, J::NAME);
    }

    /// Steps the job until it is done (`None`, results on `stack`) or needs a Lua call
    /// (the function is returned, its arguments are on `stack`).
    fn drive(
        &mut self,
        ctx: Context<'gc>,
        exec: &mut Execution<'gc, '_>,
        stack: &mut Stack<'gc, '_>,
        mut input: Value<'gc>,
    ) -> Result<Option<Function<'gc>>, Error<'gc>> {
        let mut ops: i32 = 0;
        let result = loop {
            ops = ops.saturating_add(1);
            let op = match self.job.step(ctx, exec, input) {
                Ok(op) => op,
                Err(e) => break Err(e),
            };
            match self.perform(ctx, exec, stack, op) {
                Ok(Performed::Value(v)) => input = v,
                Ok(Performed::Call(f, waiting)) => {
                    self.waiting = waiting;
                    break Ok(Some(f));
                }
                Ok(Performed::Done) => {
                    self.job.finish(ctx, stack);
                    break Ok(None);
                }
                Err(e) => break Err(e),
            }
        };
        exec.fuel()
            .consume(ops.saturating_add(self.job.take_fuel()));
        result
    }

    fn perform(
        &mut self,
        ctx: Context<'gc>,
        exec: &mut Execution<'gc, '_>,
        stack: &mut Stack<'gc, '_>,
        op: Op<'gc>,
    ) -> Result<Performed<'gc>, Error<'gc>> {
        Ok(match op {
            Op::Get(t, k) => match t {
                Value::Table(_) | Value::UserData(_) => {
                    match meta_ops::index(ctx, t, Value::Integer(k))? {
                        MetaResult::Value(v) => Performed::Value(v),
                        MetaResult::Call(call) => {
                            stack.extend(call.args);
                            Performed::Call(call.function, Waiting::Value)
                        }
                    }
                }
                // Strings index the string library, which has no integer keys.
                Value::String(_) => Performed::Value(Value::Nil),
                v => return Err(attempt(ctx, "index", v)),
            },
            Op::Set(t, k, v) => match t {
                // A raw store unless `__newindex` applies (absent key and a handler).
                Value::Table(tt)
                    if !tt.get_value(Value::Integer(k)).is_nil()
                        || tt.metatable().is_none_or(|mt| {
                            crate::vm::undo::field(ctx, mt, MetaMethod::NewIndex.name()).is_nil()
                        }) =>
                {
                    undo::raw_set(ctx, tt, Value::Integer(k), v)?;
                    Performed::Value(Value::Nil)
                }
                Value::Table(_) | Value::UserData(_) => {
                    match meta_ops::new_index(ctx, t, Value::Integer(k), v)? {
                        None => Performed::Value(Value::Nil),
                        Some(call) => {
                            stack.extend(call.args);
                            Performed::Call(call.function, Waiting::Nothing)
                        }
                    }
                }
                v => return Err(attempt(ctx, "index", v)),
            },
            Op::Len(t) => match raw_len(ctx, t)? {
                Some(n) => Performed::Value(Value::Integer(n)),
                None => match meta_ops::len(ctx, t) {
                    Ok(MetaResult::Value(v)) => Performed::Value(length_value(ctx, exec, v)?),
                    Ok(MetaResult::Call(call)) => {
                        stack.extend(call.args);
                        Performed::Call(call.function, Waiting::Length)
                    }
                    Err(_) => return Err(attempt(ctx, "get length of", t)),
                },
            },
            Op::Less(a, b) => match less_than(ctx, a, b)? {
                Ok(lt) => Performed::Value(Value::Boolean(lt)),
                Err((f, a, b)) => {
                    stack.extend([a, b]);
                    Performed::Call(f, Waiting::Truth)
                }
            },
            Op::Compare(f, a, b) => {
                stack.extend([a, b]);
                Performed::Call(f, Waiting::Truth)
            }
            Op::Reserve(bytes) => {
                if crate::vm::budget::reserve(ctx, exec, bytes) {
                    Performed::Value(Value::Nil)
                } else {
                    Performed::Call(crate::vm::budget::pause(ctx), Waiting::Nothing)
                }
            }
            Op::Done => Performed::Done,
        })
    }
}

enum Performed<'gc> {
    Value(Value<'gc>),
    Call(Function<'gc>, Waiting),
    Done,
}

impl<'gc, J: Job<'gc>> Sequence<'gc> for Driver<J> {
    fn poll(
        &mut self,
        ctx: Context<'gc>,
        mut exec: Execution<'gc, '_>,
        mut stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, Error<'gc>> {
        self.shadow.leave(ctx, None);
        let result = stack.get(0);
        let input = match self.waiting {
            Waiting::Value => result,
            Waiting::Nothing => Value::Nil,
            Waiting::Length => length_value(ctx, &exec, result)?,
            Waiting::Truth => Value::Boolean(result.to_bool()),
        };
        stack.clear();
        Ok(match self.drive(ctx, &mut exec, &mut stack, input)? {
            None => SequencePoll::Return,
            Some(function) => {
                self.enter(ctx, &exec, function);
                SequencePoll::Call {
                    function,
                    is_tail: false,
                }
            }
        })
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

/// The metatable of a value that can have one here.
fn metatable<'gc>(v: Value<'gc>) -> Option<Table<'gc>> {
    match v {
        Value::Table(t) => t.metatable(),
        Value::UserData(u) => u.metatable(),
        _ => None,
    }
}

/// Lua 5.3's `a < b` (`luaV_lessthan`): numbers by value, strings bytewise, anything else
/// through `__lt` of either operand (returned as the call to make), or an error.
#[allow(clippy::type_complexity)]
pub fn less_than<'gc>(
    ctx: Context<'gc>,
    a: Value<'gc>,
    b: Value<'gc>,
) -> Result<Result<bool, (Function<'gc>, Value<'gc>, Value<'gc>)>, Error<'gc>> {
    let lt = match crate::vm::arith_ops::plain_order(crate::vm::arith::op::LT, a, b) {
        Some(lt) => lt,
        None => {
            let handler = [a, b]
                .into_iter()
                .filter_map(metatable)
                .map(|mt| crate::vm::undo::field(ctx, mt, "__lt"))
                .find(|h| !h.is_nil());
            return match handler {
                Some(h) => match meta_ops::call(ctx, h) {
                    Ok(f) => Ok(Err((f, a, b))),
                    Err(_) => Err(attempt(ctx, "call", h)),
                },
                None => {
                    let (ta, tb) = (type_name(ctx, a), type_name(ctx, b));
                    Err(runtime_error(
                        ctx,
                        &if ta == tb {
                            format!("attempt to compare two {ta} values")
                        } else {
                            format!("attempt to compare {ta} with {tb}")
                        },
                    ))
                }
            };
        }
    };
    Ok(Ok(lt))
}
