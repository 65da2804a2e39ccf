//! Sort comparators answered without calling them.
//!
//! Each comparison of `table.sort(t, f)` is a Lua call made from a Rust callback through
//! piccolo's executor: about 3 400 instructions, ten times PUC Lua's. Most comparators are
//! one comparison of two fields: `function(a, b) return a.score > b.score end`. Such a
//! function is recognised from its compiled code (the pipeline's output: `(index)` reads
//! of constant keys from the parameters and one `(arith)` comparison, returned), and while
//! the sort runs, each comparison whose operands are plain (tables read raw where the
//! field is present or the table has no metatable, then two numbers or two strings) is
//! computed here, with the result the call would give. Anything else (a metatable that
//! could answer, a nil, a mix of types, an error to raise) calls the function as written,
//! so errors, metamethods and their order are Lua's.

use gc_arena::Collect;
use piccolo::opcode::Operation;
use piccolo::{closure::UpValueState, Closure, Constant, Context, Function, Table, Value};

use super::access::number_less;
use crate::vm::arith::op;
use crate::vm::helpers::Helpers;

/// Longest comparator body looked at (longer ones are called).
const MAX_OPCODES: usize = 64;

/// A comparator `return <operand> <op> <operand>` over its two parameters.
#[derive(Collect)]
#[collect(no_drop)]
pub struct Shape<'gc> {
    #[collect(require_static)]
    op: i64,
    left: Operand<'gc>,
    right: Operand<'gc>,
}

/// A parameter (0 or 1) followed by constant keys: `a`, `a.score`, `b[2].price`.
#[derive(Collect, Clone)]
#[collect(no_drop)]
struct Operand<'gc> {
    #[collect(require_static)]
    param: u8,
    keys: Vec<Value<'gc>>,
}

/// What a register holds while the comparator's code is read.
#[derive(Clone)]
enum Held<'gc> {
    Unknown,
    Index,
    Arith,
    Constant(Value<'gc>),
    Operand(Operand<'gc>),
    Compared(i64, Operand<'gc>, Operand<'gc>),
}

/// The shape of comparator `f`, when its code is one comparison of two operands.
pub fn shape<'gc>(ctx: Context<'gc>, f: Function<'gc>) -> Option<Shape<'gc>> {
    let Function::Closure(closure) = f else {
        return None;
    };
    let proto = closure.prototype();
    if proto.fixed_params != 0 || proto.opcodes.len() > MAX_OPCODES {
        return None;
    }
    let helpers = Helpers::new(ctx);
    let mut regs: Vec<Held<'gc>> = vec![Held::Unknown; usize::from(proto.stack_size)];
    let reg = |regs: &Vec<Held<'gc>>, r: u8| regs.get(usize::from(r)).cloned();
    for (pc, code) in proto.opcodes.iter().enumerate() {
        match code.decode() {
            // The parameter rewrite's `local a, b = ...`.
            Operation::VarArgs { dest, count } if pc == 0 && count.to_constant() == Some(2) => {
                let d = usize::from(dest.0);
                *regs.get_mut(d)? = Held::Operand(param(0));
                *regs.get_mut(d + 1)? = Held::Operand(param(1));
            }
            Operation::GetUpValue { dest, source } => {
                let held = match upvalue(closure, source.0)? {
                    Value::Function(h) if h == helpers.index => Held::Index,
                    Value::Function(h) if h == helpers.arith => Held::Arith,
                    _ => return None,
                };
                *regs.get_mut(usize::from(dest.0))? = held;
            }
            Operation::LoadConstant { dest, constant } => {
                let value = match proto.constants.get(usize::from(constant.0))? {
                    Constant::Nil => Value::Nil,
                    Constant::Boolean(b) => Value::Boolean(*b),
                    Constant::Integer(i) => Value::Integer(*i),
                    Constant::Number(n) => Value::Number(*n),
                    Constant::String(s) => Value::String(*s),
                };
                *regs.get_mut(usize::from(dest.0))? = Held::Constant(value);
            }
            Operation::Move { dest, source } => {
                let held = reg(&regs, source.0)?;
                *regs.get_mut(usize::from(dest.0))? = held;
            }
            Operation::Call {
                func,
                args,
                returns,
            } if returns.to_constant() == Some(1) => {
                let f = usize::from(func.0);
                let arg = |i: usize| regs.get(f + 1 + i).cloned();
                let result = match (regs.get(f)?, args.to_constant()?) {
                    // `(index)(receiver, key, description)`.
                    (Held::Index, 3) => match (arg(0)?, arg(1)?, arg(2)?) {
                        (Held::Operand(mut o), Held::Constant(k), Held::Constant(_))
                            if is_key(k) =>
                        {
                            o.keys.push(k);
                            Held::Operand(o)
                        }
                        _ => return None,
                    },
                    // `(arith)(op, x, y, description)`.
                    (Held::Arith, 4) => match (arg(0)?, arg(1)?, arg(2)?, arg(3)?) {
                        (
                            Held::Constant(Value::Integer(code)),
                            Held::Operand(x),
                            Held::Operand(y),
                            Held::Constant(_),
                        ) if (op::LT..=op::GE).contains(&code) => Held::Compared(code, x, y),
                        _ => return None,
                    },
                    _ => return None,
                };
                *regs.get_mut(f)? = result;
            }
            Operation::Return { start, count } if count.to_constant() == Some(1) => {
                return match reg(&regs, start.0)? {
                    Held::Compared(op, left, right) => Some(Shape { op, left, right }),
                    _ => None,
                };
            }
            _ => return None,
        }
    }
    None
}

fn param<'gc>(param: u8) -> Operand<'gc> {
    Operand {
        param,
        keys: Vec::new(),
    }
}

/// A key read with Lua's plain semantics: a string or an integer (a float key would need
/// the conversions of table keys).
fn is_key(k: Value<'_>) -> bool {
    matches!(k, Value::String(_) | Value::Integer(_))
}

/// The closed value of `closure`'s upvalue `index`.
fn upvalue<'gc>(closure: Closure<'gc>, index: u8) -> Option<Value<'gc>> {
    match closure.upvalues().get(usize::from(index))?.get() {
        UpValueState::Closed(v) => Some(v),
        UpValueState::Open(_) => None,
    }
}

/// `shape`'s answer for `f(a, b)`, when the operands are plain; `None` to call `f`.
pub fn compare<'gc>(shape: &Shape<'gc>, a: Value<'gc>, b: Value<'gc>) -> Option<bool> {
    let x = shape.left.read(a, b)?;
    let y = shape.right.read(a, b)?;
    match shape.op {
        op::LT => less(x, y),
        op::LE => less_equal(x, y),
        op::GT => less(y, x),
        op::GE => less_equal(y, x),
        _ => None,
    }
}

impl<'gc> Operand<'gc> {
    /// The operand's value as Lua's reads would give it, when no metamethod could be
    /// involved.
    fn read(&self, a: Value<'gc>, b: Value<'gc>) -> Option<Value<'gc>> {
        let mut v = if self.param == 0 { a } else { b };
        for key in &self.keys {
            let Value::Table(t) = v else {
                return None;
            };
            v = raw_field(t, *key)?;
        }
        Some(v)
    }
}

/// `t[key]` when `__index` cannot take part: the field is present, or `t` has no
/// metatable.
fn raw_field<'gc>(t: Table<'gc>, key: Value<'gc>) -> Option<Value<'gc>> {
    let v = t.get_value(key);
    if v.is_nil() && t.metatable().is_some() {
        return None;
    }
    Some(v)
}

/// `x < y` for two numbers or two strings (byte order, as in the C locale).
fn less(x: Value<'_>, y: Value<'_>) -> Option<bool> {
    match (x, y) {
        (Value::String(s), Value::String(t)) => Some(s.as_bytes() < t.as_bytes()),
        (Value::Integer(_) | Value::Number(_), Value::Integer(_) | Value::Number(_)) => {
            Some(number_less(x, y))
        }
        _ => None,
    }
}

/// `x <= y` for two numbers (false with a NaN) or two strings.
fn less_equal(x: Value<'_>, y: Value<'_>) -> Option<bool> {
    match (x, y) {
        (Value::String(s), Value::String(t)) => Some(s.as_bytes() <= t.as_bytes()),
        (Value::Integer(i), Value::Integer(j)) => Some(i <= j),
        (Value::Integer(_) | Value::Number(_), Value::Integer(_) | Value::Number(_)) => {
            let nan = |v: Value<'_>| matches!(v, Value::Number(n) if n.is_nan());
            Some(!nan(x) && !nan(y) && !number_less(y, x))
        }
        _ => None,
    }
}
