//! Sort comparators answered without calling them.
//!
//! Each comparison of `table.sort(t, f)` is a Lua call made from a Rust callback through
//! piccolo's executor: about 3 400 instructions, ten times PUC Lua's. Most comparators
//! read fields of their parameters and compare them: `return a.score > b.score`, with a
//! tie-break `or (a.score == b.score and a.id < b.id)` or an `if`. Such a function is
//! recognised from its compiled code (the pipeline's output: `(index)` reads and
//! `(arith)` comparisons, moves, tests and forward jumps, nothing else), and while the
//! sort runs that code is run here on each pair, as long as every value it meets is plain
//! (tables read raw where the field is present or the table has no metatable; numbers or
//! strings compared, and for `==` booleans and nil too), giving the result the call
//! would. Anything else (a metatable that could answer, a nil compared, a mix of types,
//! an error to raise) calls the function as written, so errors, metamethods and their
//! order are Lua's; the code only reads, so nothing it did here is seen.

use gc_arena::Collect;
use piccolo::opcode::Operation;
use piccolo::{closure::UpValueState, Closure, Constant, Context, Function, Value};

use crate::stdlib::base::raw_equal;
use crate::vm::arith::op;
use crate::vm::arith_ops::plain_order;
use crate::vm::helpers::{plain_field, Helpers};

/// Longest comparator body looked at (longer ones are called).
const MAX_OPCODES: usize = 96;

/// Most registers a comparator run here may use (larger frames are called).
const MAX_REGISTERS: usize = 64;

/// Most instructions one answer may run (the code has no backward jump, so this only
/// bounds a long straight run).
const MAX_STEPS: usize = 256;

/// A comparator whose code reads fields of its parameters with constant keys and compares
/// them (`return a.v < b.v`, `return a.v > b.v or (a.v == b.v and a.id < b.id)`, an `if`
/// over such tests): its instructions, run here on plain values.
#[derive(Collect)]
#[collect(no_drop)]
pub struct Shape<'gc> {
    code: Vec<Step<'gc>>,
    index: Function<'gc>,
    arith: Function<'gc>,
    #[collect(require_static)]
    registers: usize,
}

/// One instruction of a comparator (piccolo's, with its constants and helpers resolved).
#[derive(Collect, Clone, Copy)]
#[collect(no_drop)]
enum Step<'gc> {
    /// The parameter rewrite's `local a, b = ...`: `a` to `dest`, `b` to `dest + 1`.
    Params(#[collect(require_static)] usize),
    Load(#[collect(require_static)] usize, Value<'gc>),
    Move(
        #[collect(require_static)] usize,
        #[collect(require_static)] usize,
    ),
    /// `func`, fixed argument count (`None`: up to the last call's result), fixed result
    /// count (`None`: one result, which ends the values).
    Call(
        #[collect(require_static)] usize,
        #[collect(require_static)] Option<usize>,
        #[collect(require_static)] bool,
    ),
    /// Skip the next instruction when the register's truth is the flag.
    Test(
        #[collect(require_static)] usize,
        #[collect(require_static)] bool,
    ),
    /// The same, copying the register to `dest` when not skipping.
    TestSet(
        #[collect(require_static)] usize,
        #[collect(require_static)] usize,
        #[collect(require_static)] bool,
    ),
    /// Forward jump by this many instructions.
    Jump(#[collect(require_static)] usize),
    Not(
        #[collect(require_static)] usize,
        #[collect(require_static)] usize,
    ),
    LoadBool(
        #[collect(require_static)] usize,
        #[collect(require_static)] bool,
        #[collect(require_static)] bool,
    ),
    /// Return the register's value (`None`: nothing).
    Return(#[collect(require_static)] Option<usize>),
}

/// The shape of comparator `f`, when its code is made only of what [`compare`] runs.
pub fn shape<'gc>(ctx: Context<'gc>, f: Function<'gc>) -> Option<Shape<'gc>> {
    let Function::Closure(closure) = f else {
        return None;
    };
    let proto = closure.prototype();
    if proto.fixed_params != 0 || proto.opcodes.len() > MAX_OPCODES {
        return None;
    }
    let helpers = Helpers::new(ctx);
    let registers = usize::from(proto.stack_size);
    if registers > MAX_REGISTERS {
        return None;
    }
    let reg = |r: u8| Some(usize::from(r)).filter(|r| *r < registers);
    let mut code = Vec::with_capacity(proto.opcodes.len());
    for (pc, op) in proto.opcodes.iter().enumerate() {
        let step = match op.decode() {
            // The parameter rewrite's `local a, b = ...`.
            Operation::VarArgs { dest, count } if pc == 0 && count.to_constant() == Some(2) => {
                Step::Params(reg(dest.0).filter(|d| d + 1 < registers)?)
            }
            // Only the hidden helpers: a comparator reading its upvalues is called.
            Operation::GetUpValue { dest, source } => match upvalue(closure, source.0)? {
                Value::Function(h) if h == helpers.index || h == helpers.arith => {
                    Step::Load(reg(dest.0)?, Value::Function(h))
                }
                _ => return None,
            },
            Operation::LoadConstant { dest, constant } => {
                let value = match proto.constants.get(usize::from(constant.0))? {
                    Constant::Nil => Value::Nil,
                    Constant::Boolean(b) => Value::Boolean(*b),
                    Constant::Integer(i) => Value::Integer(*i),
                    Constant::Number(n) => Value::Number(*n),
                    Constant::String(s) => Value::String(*s),
                };
                Step::Load(reg(dest.0)?, value)
            }
            Operation::Move { dest, source } => Step::Move(reg(dest.0)?, reg(source.0)?),
            Operation::Call {
                func,
                args,
                returns,
            } => {
                let one = match returns.to_constant() {
                    Some(1) => true,
                    None => false,
                    Some(_) => return None,
                };
                let args = args.to_constant().map(usize::from);
                Step::Call(reg(func.0)?, args, one)
            }
            Operation::Test { value, is_true } => Step::Test(reg(value.0)?, is_true),
            Operation::TestSet {
                dest,
                value,
                is_true,
            } => Step::TestSet(reg(dest.0)?, reg(value.0)?, is_true),
            Operation::Jump { offset, .. } if offset >= 0 => Step::Jump(offset as usize),
            Operation::Not { dest, source } => Step::Not(reg(dest.0)?, reg(source.0)?),
            Operation::LoadBool {
                dest,
                value,
                skip_next,
            } => Step::LoadBool(reg(dest.0)?, value, skip_next),
            Operation::Return { start, count } if count.to_constant() == Some(1) => {
                Step::Return(Some(reg(start.0)?))
            }
            // The end of the body: no value, false to the sort.
            Operation::Return { count, .. } if count.to_constant() == Some(0) => Step::Return(None),
            _ => return None,
        };
        code.push(step);
    }
    matches!(code.first(), Some(Step::Params(_))).then_some(Shape {
        code,
        index: helpers.index,
        arith: helpers.arith,
        registers,
    })
}

/// The closed value of `closure`'s upvalue `index`.
fn upvalue<'gc>(closure: Closure<'gc>, index: u8) -> Option<Value<'gc>> {
    match closure.upvalues().get(usize::from(index))?.get() {
        UpValueState::Closed(v) => Some(v),
        UpValueState::Open(_) => None,
    }
}

/// What `f(a, b)` returns, made truthy, when its run meets only plain values; `None` to
/// call `f` (nothing it did here was visible: reads and comparisons only). Also the number
/// of instructions run, for the fuel.
pub fn compare<'gc>(shape: &Shape<'gc>, a: Value<'gc>, b: Value<'gc>) -> Option<(bool, usize)> {
    let mut regs = [Value::Nil; MAX_REGISTERS];
    let regs = regs.get_mut(..shape.registers)?;
    let mut top = 0;
    let mut pc = 0;
    for steps in 1..=MAX_STEPS {
        let step = *shape.code.get(pc)?;
        pc += 1;
        match step {
            Step::Params(d) => {
                regs[d] = a;
                regs[d + 1] = b;
            }
            Step::Load(d, v) => regs[d] = v,
            Step::Move(d, s) => regs[d] = regs[s],
            Step::Call(f, args, one) => {
                let end = match args {
                    Some(n) => f + 1 + n,
                    None => top,
                };
                let args = regs.get(f + 1..end)?;
                let result = match regs[f] {
                    Value::Function(h) if h == shape.index => match *args {
                        [t, k] | [t, k, _] => plain_field(t, k)?,
                        _ => return None,
                    },
                    Value::Function(h) if h == shape.arith => match *args {
                        [Value::Integer(code), x, y] | [Value::Integer(code), x, y, _] => {
                            Value::Boolean(operate(code, x, y)?)
                        }
                        _ => return None,
                    },
                    _ => return None,
                };
                regs[f] = result;
                if !one {
                    top = f + 1;
                }
            }
            Step::Test(r, is_true) => {
                if regs[r].to_bool() == is_true {
                    pc += 1;
                }
            }
            Step::TestSet(d, r, is_true) => {
                if regs[r].to_bool() == is_true {
                    pc += 1;
                } else {
                    regs[d] = regs[r];
                }
            }
            Step::Jump(offset) => pc += offset,
            Step::Not(d, s) => regs[d] = Value::Boolean(!regs[s].to_bool()),
            Step::LoadBool(d, v, skip) => {
                regs[d] = Value::Boolean(v);
                if skip {
                    pc += 1;
                }
            }
            Step::Return(r) => return Some((r.is_some_and(|r| regs[r].to_bool()), steps)),
        }
    }
    None
}

/// An `(arith)` comparison of plain values: numbers or strings ordered, and for `==`/`~=`
/// anything but tables and userdata (which could have `__eq`), by raw equality.
fn operate<'gc>(code: i64, x: Value<'gc>, y: Value<'gc>) -> Option<bool> {
    let equal = || match (x, y) {
        (Value::Table(_) | Value::UserData(_), _) | (_, Value::Table(_) | Value::UserData(_)) => {
            None
        }
        _ => Some(raw_equal(x, y)),
    };
    match code {
        op::EQ => equal(),
        op::NE => equal().map(|e| !e),
        _ => plain_order(code, x, y),
    }
}
