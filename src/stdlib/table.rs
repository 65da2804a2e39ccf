//! Lua 5.3's `table` library: `insert`, `remove`, `concat`, `sort`, `move`, `pack` and
//! `unpack`, added into piccolo's `table` global (replacing its `pack` and `unpack`).
//!
//! Like Lua 5.3 these read and write elements through `__index`/`__newindex` and take
//! lengths through `__len` (see [`access`]); `sort` alone uses raw element access.
//! Arguments are checked before the length is taken, where Lua takes the length first;
//! this only shows if `__len` has side effects.

mod access;
mod comparator;
mod sort;

use gc_arena::Collect;
use piccolo::{Callback, CallbackReturn, Context, Error, Execution, Stack, Table, Value};

use self::access::{run, Job, Op};
use super::args::{
    arg_error, check_integer, is_none_or_nil, lua_error, new_string, opt_bytes, opt_integer,
    type_error,
};

use super::lua_number::{fmt_float, fmt_integer};
use super::string::MAX_STRING_LEN;

type CallbackResult<'gc> = Result<CallbackReturn<'gc>, Error<'gc>>;

/// Most values `unpack` returns at once (Lua's C stack limit is about a million slots).
const MAX_UNPACK: u64 = 999_000;

pub fn install(ctx: Context<'_>) {
    let table = match crate::vm::undo::field(ctx, ctx.globals(), "table") {
        Value::Table(t) => t,
        _ => {
            let t = Table::new(&ctx);
            let _ = ctx.globals().set(ctx, "table", t);
            t
        }
    };
    macro_rules! register {
        ($($name:literal => $f:expr),* $(,)?) => {
            $( let _ = table.set(ctx, $name, Callback::from_fn(&ctx, $f)); )*
        };
    }
    register! {
        "insert" => insert,
        "remove" => remove,
        "concat" => concat,
        "sort" => sort,
        "move" => move_,
        "pack" => pack,
        "unpack" => unpack,
    }
}

/// `checktab` for a plain table argument.
fn check_table<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    n: usize,
    fname: &str,
) -> Result<Value<'gc>, Error<'gc>> {
    match stack.get(n - 1) {
        v @ Value::Table(_) => Ok(v),
        _ => Err(type_error(ctx, exec, stack, n, fname, "table")),
    }
}

fn length(input: Value<'_>) -> i64 {
    match input {
        Value::Integer(n) => n,
        _ => 0,
    }
}

fn insert<'gc>(
    ctx: Context<'gc>,
    exec: Execution<'gc, '_>,
    stack: Stack<'gc, '_>,
) -> CallbackResult<'gc> {
    let t = check_table(ctx, &exec, &stack, 1, "table.insert")?;
    if let (2, Value::Table(plain)) = (stack.len(), t) {
        if plain.metatable().is_none() {
            // `t[#t + 1] = value` with `#` the border and the store raw: no phases needed.
            crate::vm::undo::raw_append(ctx, plain, stack.get(1));
            let mut stack = stack;
            stack.clear();
            return Ok(CallbackReturn::Return);
        }
    }
    let (pos, value) = match stack.len() {
        2 => (None, stack.get(1)),
        3 => (
            Some(check_integer(ctx, &exec, &stack, 2, "table.insert")?),
            stack.get(2),
        ),
        _ => {
            return Err(lua_error(
                ctx,
                &exec,
                "wrong number of arguments to 'insert'",
            ))
        }
    };
    run(
        ctx,
        exec,
        stack,
        Insert {
            t,
            value,
            pos,
            i: 0,
            phase: 0,
        },
    )
}

/// `t[pos..e-1]` moves up one slot, then `t[pos] = value`.
#[derive(Collect)]
#[collect(no_drop)]
struct Insert<'gc> {
    t: Value<'gc>,
    value: Value<'gc>,
    #[collect(require_static)]
    pos: Option<i64>,
    #[collect(require_static)]
    i: i64,
    #[collect(require_static)]
    phase: u8,
}

impl<'gc> Job<'gc> for Insert<'gc> {
    const NAME: &'static str = "table.insert";

    fn step(
        &mut self,
        ctx: Context<'gc>,
        exec: &Execution<'gc, '_>,
        input: Value<'gc>,
    ) -> Result<Op<'gc>, Error<'gc>> {
        Ok(match self.phase {
            0 => {
                self.phase = 1;
                Op::Len(self.t)
            }
            1 => {
                let e = length(input).wrapping_add(1);
                let pos = *self.pos.get_or_insert(e);
                // 1 <= pos <= e, compared as Lua does (unsigned, so no overflow).
                if (pos as u64).wrapping_sub(1) >= e as u64 {
                    return Err(arg_error(
                        ctx,
                        exec,
                        2,
                        "table.insert",
                        "position out of bounds",
                    ));
                }
                self.i = e;
                self.phase = 2;
                return self.step(ctx, exec, Value::Nil);
            }
            2 => {
                let pos = self.pos.unwrap_or(self.i);
                if self.i > pos {
                    self.phase = 3;
                    Op::Get(self.t, self.i - 1)
                } else {
                    self.phase = 4;
                    Op::Set(self.t, pos, self.value)
                }
            }
            3 => {
                self.phase = 2;
                self.i -= 1;
                Op::Set(self.t, self.i + 1, input)
            }
            _ => Op::Done,
        })
    }

    fn finish(&mut self, _: Context<'gc>, _: &mut Stack<'gc, '_>) {}
}

fn remove<'gc>(
    ctx: Context<'gc>,
    exec: Execution<'gc, '_>,
    stack: Stack<'gc, '_>,
) -> CallbackResult<'gc> {
    let t = check_table(ctx, &exec, &stack, 1, "table.remove")?;
    let pos = if is_none_or_nil(&stack, 2) {
        None
    } else {
        Some(check_integer(ctx, &exec, &stack, 2, "table.remove")?)
    };
    run(
        ctx,
        exec,
        stack,
        Remove {
            t,
            result: Value::Nil,
            pos: pos.unwrap_or(0),
            given: pos.is_some(),
            size: 0,
            phase: 0,
        },
    )
}

/// Returns `t[pos]`, moves `t[pos+1..size]` down one slot and clears `t[size]`.
#[derive(Collect)]
#[collect(no_drop)]
struct Remove<'gc> {
    t: Value<'gc>,
    result: Value<'gc>,
    #[collect(require_static)]
    pos: i64,
    #[collect(require_static)]
    given: bool,
    #[collect(require_static)]
    size: i64,
    #[collect(require_static)]
    phase: u8,
}

impl<'gc> Job<'gc> for Remove<'gc> {
    const NAME: &'static str = "table.remove";

    fn step(
        &mut self,
        ctx: Context<'gc>,
        exec: &Execution<'gc, '_>,
        input: Value<'gc>,
    ) -> Result<Op<'gc>, Error<'gc>> {
        Ok(match self.phase {
            0 => {
                self.phase = 1;
                Op::Len(self.t)
            }
            1 => {
                self.size = length(input);
                if !self.given {
                    self.pos = self.size;
                }
                // Lua 5.3.6: a given position must be in 1..=size+1 (size itself is always
                // accepted, so removing from an empty table at 0 is fine).
                if self.pos != self.size && (self.pos as u64).wrapping_sub(1) > self.size as u64 {
                    return Err(arg_error(
                        ctx,
                        exec,
                        1,
                        "table.remove",
                        "position out of bounds",
                    ));
                }
                self.phase = 2;
                Op::Get(self.t, self.pos)
            }
            2 => {
                self.result = input;
                self.phase = 3;
                return self.step(ctx, exec, Value::Nil);
            }
            3 => {
                if self.pos < self.size {
                    self.phase = 4;
                    Op::Get(self.t, self.pos + 1)
                } else {
                    self.phase = 5;
                    Op::Set(self.t, self.pos, Value::Nil)
                }
            }
            4 => {
                self.phase = 3;
                self.pos += 1;
                Op::Set(self.t, self.pos - 1, input)
            }
            _ => Op::Done,
        })
    }

    fn finish(&mut self, _: Context<'gc>, stack: &mut Stack<'gc, '_>) {
        stack.push_back(self.result);
    }
}

fn concat<'gc>(
    ctx: Context<'gc>,
    exec: Execution<'gc, '_>,
    stack: Stack<'gc, '_>,
) -> CallbackResult<'gc> {
    let t = check_table(ctx, &exec, &stack, 1, "table.concat")?;
    let sep = opt_bytes(ctx, &exec, &stack, 2, "table.concat", b"")?.into_owned();
    let first = opt_integer(ctx, &exec, &stack, 3, "table.concat", 1)?;
    let last = if is_none_or_nil(&stack, 4) {
        None
    } else {
        Some(check_integer(ctx, &exec, &stack, 4, "table.concat")?)
    };
    run(
        ctx,
        exec,
        stack,
        Concat {
            t,
            sep,
            out: Vec::new(),
            i: first,
            last: last.unwrap_or(0),
            last_given: last.is_some(),
            phase: 0,
        },
    )
}

#[derive(Collect)]
#[collect(no_drop)]
struct Concat<'gc> {
    t: Value<'gc>,
    #[collect(require_static)]
    sep: Vec<u8>,
    #[collect(require_static)]
    out: Vec<u8>,
    #[collect(require_static)]
    i: i64,
    #[collect(require_static)]
    last: i64,
    #[collect(require_static)]
    last_given: bool,
    #[collect(require_static)]
    phase: u8,
}

impl<'gc> Job<'gc> for Concat<'gc> {
    const NAME: &'static str = "table.concat";

    fn step(
        &mut self,
        ctx: Context<'gc>,
        exec: &Execution<'gc, '_>,
        input: Value<'gc>,
    ) -> Result<Op<'gc>, Error<'gc>> {
        Ok(match self.phase {
            0 => {
                self.phase = 1;
                Op::Len(self.t)
            }
            4 => Op::Done,
            1 => {
                if !self.last_given {
                    self.last = length(input);
                }
                self.phase = 2;
                return self.step(ctx, exec, Value::Nil);
            }
            2 => {
                if self.i <= self.last {
                    self.phase = 3;
                    Op::Get(self.t, self.i)
                } else {
                    Op::Done
                }
            }
            _ => {
                match input {
                    Value::String(s) => self.out.extend_from_slice(s.as_bytes()),
                    Value::Integer(n) => fmt_integer(n, &mut self.out),
                    Value::Number(f) => fmt_float(f, &mut self.out),
                    v => {
                        return Err(lua_error(
                            ctx,
                            exec,
                            &format!(
                                "invalid value ({}) at index {} in table for 'concat'",
                                v.type_name(),
                                // Lua formats the index with C's `%d` (an int).
                                self.i as i32
                            ),
                        ));
                    }
                }
                if self.i == self.last {
                    // Room for the result before it is made (see `vm/budget.rs`); the
                    // usual case needs no extra step (nor its fuel).
                    if self.out.len() <= crate::vm::budget::room(ctx) {
                        return Ok(Op::Done);
                    }
                    self.phase = 4;
                    return Ok(Op::Reserve(self.out.len()));
                }
                self.out.extend_from_slice(&self.sep);
                if self.out.len() > MAX_STRING_LEN {
                    return Err(lua_error(ctx, exec, "resulting string too large"));
                }
                self.i += 1;
                self.phase = 2;
                // Not built past the room the heap has without a collection.
                if self.out.len() > crate::vm::budget::room(ctx) {
                    return Ok(Op::Reserve(self.out.len()));
                }
                return self.step(ctx, exec, Value::Nil);
            }
        })
    }

    fn finish(&mut self, ctx: Context<'gc>, stack: &mut Stack<'gc, '_>) {
        stack.push_back(new_string(ctx, std::mem::take(&mut self.out)));
    }
}

fn sort<'gc>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> CallbackResult<'gc> {
    let Value::Table(t) = check_table(ctx, &exec, &stack, 1, "table.sort")? else {
        return Err(type_error(ctx, &exec, &stack, 1, "table.sort", "table"));
    };
    if stack.get(1).is_nil() {
        if let Some(result) = sort::sort_primitives(ctx, &mut exec, t) {
            result?;
            stack.clear();
            return Ok(CallbackReturn::Return);
        }
    }
    let job = sort::Sort::new(t, stack.get(1));
    run(ctx, exec, stack, job)
}

fn move_<'gc>(
    ctx: Context<'gc>,
    exec: Execution<'gc, '_>,
    stack: Stack<'gc, '_>,
) -> CallbackResult<'gc> {
    let f = check_integer(ctx, &exec, &stack, 2, "table.move")?;
    let e = check_integer(ctx, &exec, &stack, 3, "table.move")?;
    let t = check_integer(ctx, &exec, &stack, 4, "table.move")?;
    let dest_arg = if is_none_or_nil(&stack, 5) { 1 } else { 5 };
    let src = check_table(ctx, &exec, &stack, 1, "table.move")?;
    let dest = check_table(ctx, &exec, &stack, dest_arg, "table.move")?;
    let mut job = Move {
        src,
        dest,
        f,
        t,
        n: 0,
        i: 0,
        backwards: false,
        phase: 0,
    };
    if e >= f {
        if !(f > 0 || e < i64::MAX.wrapping_add(f)) {
            return Err(arg_error(
                ctx,
                &exec,
                3,
                "table.move",
                "too many elements to move",
            ));
        }
        let n = e - f + 1;
        if t > i64::MAX - n + 1 {
            return Err(arg_error(
                ctx,
                &exec,
                4,
                "table.move",
                "destination wrap around",
            ));
        }
        // Overlapping ranges in one table are copied from the end.
        let same = matches!((src, dest), (Value::Table(a), Value::Table(b)) if a == b);
        job.backwards = !(t > e || t <= f || dest_arg != 1 && !same);
        job.n = n;
        job.i = if job.backwards { n - 1 } else { 0 };
    }
    run(ctx, exec, stack, job)
}

#[derive(Collect)]
#[collect(no_drop)]
struct Move<'gc> {
    src: Value<'gc>,
    dest: Value<'gc>,
    #[collect(require_static)]
    f: i64,
    #[collect(require_static)]
    t: i64,
    #[collect(require_static)]
    n: i64,
    #[collect(require_static)]
    i: i64,
    #[collect(require_static)]
    backwards: bool,
    #[collect(require_static)]
    phase: u8,
}

impl<'gc> Job<'gc> for Move<'gc> {
    const NAME: &'static str = "table.move";

    fn step(
        &mut self,
        _: Context<'gc>,
        _: &Execution<'gc, '_>,
        input: Value<'gc>,
    ) -> Result<Op<'gc>, Error<'gc>> {
        if self.phase == 1 {
            self.phase = 0;
            let at = self.t + self.i;
            self.i += if self.backwards { -1 } else { 1 };
            return Ok(Op::Set(self.dest, at, input));
        }
        if (0..self.n).contains(&self.i) {
            self.phase = 1;
            Ok(Op::Get(self.src, self.f + self.i))
        } else {
            Ok(Op::Done)
        }
    }

    fn finish(&mut self, _: Context<'gc>, stack: &mut Stack<'gc, '_>) {
        stack.push_back(self.dest);
    }
}

fn pack<'gc>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> CallbackResult<'gc> {
    let t = Table::new(&ctx);
    let n = stack.len();
    for (i, v) in stack.into_iter().enumerate() {
        let _ = t.set(ctx, i as i64 + 1, v);
    }
    let _ = t.set(ctx, "n", n as i64);
    exec.fuel().consume(i32::try_from(n).unwrap_or(i32::MAX));
    stack.replace(ctx, t);
    Ok(CallbackReturn::Return)
}

fn unpack<'gc>(
    ctx: Context<'gc>,
    exec: Execution<'gc, '_>,
    stack: Stack<'gc, '_>,
) -> CallbackResult<'gc> {
    let first = opt_integer(ctx, &exec, &stack, 2, "table.unpack", 1)?;
    let last = if is_none_or_nil(&stack, 3) {
        None
    } else {
        Some(check_integer(ctx, &exec, &stack, 3, "table.unpack")?)
    };
    let job = Unpack {
        t: stack.get(0),
        values: Vec::new(),
        i: first,
        last: last.unwrap_or(0),
        have_last: last.is_some(),
        phase: 0,
    };
    run(ctx, exec, stack, job)
}

#[derive(Collect)]
#[collect(no_drop)]
struct Unpack<'gc> {
    t: Value<'gc>,
    values: Vec<Value<'gc>>,
    #[collect(require_static)]
    i: i64,
    #[collect(require_static)]
    last: i64,
    #[collect(require_static)]
    have_last: bool,
    #[collect(require_static)]
    phase: u8,
}

impl<'gc> Job<'gc> for Unpack<'gc> {
    const NAME: &'static str = "table.unpack";

    fn step(
        &mut self,
        ctx: Context<'gc>,
        exec: &Execution<'gc, '_>,
        input: Value<'gc>,
    ) -> Result<Op<'gc>, Error<'gc>> {
        match self.phase {
            0 if !self.have_last => {
                self.phase = 1;
                return Ok(Op::Len(self.t));
            }
            0 | 1 => {
                if self.phase == 1 {
                    self.last = length(input);
                }
                if self.i > self.last {
                    return Ok(Op::Done);
                }
                // Elements minus one, computed without overflow as Lua does.
                let n = (self.last as u64).wrapping_sub(self.i as u64);
                if n >= MAX_UNPACK {
                    return Err(lua_error(ctx, exec, "too many results to unpack"));
                }
                self.values.reserve(n as usize + 1);
                self.phase = 2;
            }
            _ => {
                self.values.push(input);
                if self.i == self.last {
                    return Ok(Op::Done);
                }
                self.i += 1;
            }
        }
        Ok(Op::Get(self.t, self.i))
    }

    fn finish(&mut self, _: Context<'gc>, stack: &mut Stack<'gc, '_>) {
        stack.extend(self.values.drain(..));
    }
}
