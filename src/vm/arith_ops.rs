//! The runtime half of the operator rewrite (`arith.rs`): `(arith)(op, a, b)` computes
//! numbers and strings directly and otherwise applies Lua 5.3's metamethods (`__add`...
//! `__shr`, `__unm`, `__bnot`, `__lt`, `__le`), with Lua's error messages.

use std::cmp::Ordering;

use gc_arena::Collect;
use piccolo::{
    raw_ops, BoxSequence, Callback, CallbackReturn, Context, Error, Execution, Function, Sequence,
    SequencePoll, Stack, Value,
};

use super::arith::op;
use super::helpers::error_at;

fn event(code: i64) -> &'static str {
    match code {
        op::ADD => "__add",
        op::SUB => "__sub",
        op::MUL => "__mul",
        op::DIV => "__div",
        op::IDIV => "__idiv",
        op::MOD => "__mod",
        op::POW => "__pow",
        op::BAND => "__band",
        op::BOR => "__bor",
        op::BXOR => "__bxor",
        op::SHL => "__shl",
        op::SHR => "__shr",
        op::UNM => "__unm",
        op::BNOT => "__bnot",
        op::LT => "__lt",
        _ => "__le",
    }
}

fn metamethod<'gc>(ctx: Context<'gc>, v: Value<'gc>, name: &'static str) -> Value<'gc> {
    let mt = match v {
        Value::Table(t) => t.metatable(),
        Value::UserData(u) => u.metatable(),
        _ => None,
    };
    mt.map_or(Value::Nil, |mt| mt.get(ctx, name))
}

fn is_number(v: Value<'_>) -> bool {
    matches!(v, Value::Integer(_) | Value::Number(_))
}

/// Lua's exact ordering of two numbers (integers and floats compare by value).
fn compare_numbers(a: Value<'_>, b: Value<'_>) -> Option<Ordering> {
    fn int_float(i: i64, f: f64) -> Option<Ordering> {
        if f.is_nan() {
            return None;
        }
        if f >= 9_223_372_036_854_775_808.0 {
            return Some(Ordering::Less);
        }
        if f < -9_223_372_036_854_775_808.0 {
            return Some(Ordering::Greater);
        }
        let floor = f.floor() as i64;
        Some(match i.cmp(&floor) {
            Ordering::Equal if f > f.floor() => Ordering::Less,
            other => other,
        })
    }
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) => Some(x.cmp(&y)),
        (Value::Number(x), Value::Number(y)) => x.partial_cmp(&y),
        (Value::Integer(x), Value::Number(y)) => int_float(x, y),
        (Value::Number(x), Value::Integer(y)) => int_float(y, x).map(Ordering::reverse),
        _ => None,
    }
}

fn type_name<'gc>(ctx: Context<'gc>, v: Value<'gc>) -> String {
    match metamethod(ctx, v, "__name") {
        Value::String(s) => s.to_str_lossy().into_owned(),
        _ => v.type_name().to_owned(),
    }
}

fn arith_error<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    code: i64,
    a: Value<'gc>,
    b: Value<'gc>,
) -> Error<'gc> {
    let bitwise = matches!(
        code,
        op::BAND | op::BOR | op::BXOR | op::SHL | op::SHR | op::BNOT
    );
    // The operand to blame: the first one that is not a number (or numeric string), as
    // Lua's luaG_opinterror does.
    let numeric = |v: Value<'_>| match v {
        Value::String(s) => crate::stdlib::lua_number::parse_number(s.as_bytes()).is_some(),
        v => is_number(v),
    };
    let culprit = if numeric(a) { b } else { a };
    if bitwise && is_number(a) && is_number(b) {
        return error_at(ctx, exec, "number has no integer representation");
    }
    if matches!(code, op::IDIV | op::MOD)
        && matches!((a, b), (Value::Integer(_), Value::Integer(0)))
    {
        // Lua 5.3.6's wording for integer division and modulo by zero.
        return error_at(
            ctx,
            exec,
            if code == op::IDIV {
                "attempt to divide by zero"
            } else {
                "attempt to perform 'n%0'"
            },
        );
    }
    let what = if bitwise {
        "perform bitwise operation on"
    } else {
        "perform arithmetic on"
    };
    error_at(
        ctx,
        exec,
        &format!("attempt to {what} a {} value", type_name(ctx, culprit)),
    )
}

fn compare_error<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    a: Value<'gc>,
    b: Value<'gc>,
) -> Error<'gc> {
    let (ta, tb) = (type_name(ctx, a), type_name(ctx, b));
    let msg = if ta == tb {
        format!("attempt to compare two {ta} values")
    } else {
        format!("attempt to compare {ta} with {tb}")
    };
    error_at(ctx, exec, &msg)
}

/// Keeps the first result of a metamethod call, as a boolean for comparisons (`not` of it
/// for `__le` emulated through `__lt`).
#[derive(Collect)]
#[collect(require_static)]
enum Then {
    Value,
    Truth,
    Negated,
}

impl<'gc> Sequence<'gc> for Then {
    fn poll(
        &mut self,
        _ctx: Context<'gc>,
        _exec: Execution<'gc, '_>,
        mut stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, Error<'gc>> {
        let v = stack.get(0);
        stack.clear();
        stack.push_back(match self {
            Then::Value => v,
            Then::Truth => Value::Boolean(v.to_bool()),
            Then::Negated => Value::Boolean(!v.to_bool()),
        });
        Ok(SequencePoll::Return)
    }
}

fn call_meta<'gc>(
    ctx: Context<'gc>,
    mut stack: Stack<'gc, '_>,
    f: Function<'gc>,
    a: Value<'gc>,
    b: Value<'gc>,
    then: Then,
) -> Result<CallbackReturn<'gc>, Error<'gc>> {
    stack.clear();
    stack.push_back(a);
    stack.push_back(b);
    Ok(CallbackReturn::Call {
        function: f,
        then: Some(BoxSequence::new(&ctx, then)),
    })
}

fn callable<'gc>(v: Value<'gc>) -> Option<Function<'gc>> {
    match v {
        Value::Function(f) => Some(f),
        _ => None,
    }
}

pub fn arith_helper<'gc>(ctx: Context<'gc>) -> Callback<'gc> {
    Callback::from_fn(&ctx, |ctx, exec, mut stack| {
        let code = match stack.get(0) {
            Value::Integer(c) => c,
            _ => return Err(error_at(ctx, &exec, "internal error: bad operator code")),
        };
        let (mut a, mut b) = (stack.get(1), stack.get(2));
        if code == op::UNM || code == op::BNOT {
            b = a;
        }
        let ordering = matches!(code, op::LT | op::LE | op::GT | op::GE);
        if ordering {
            let (strict, swap) = match code {
                op::LT => (true, false),
                op::LE => (false, false),
                op::GT => (true, true),
                _ => (false, true),
            };
            if swap {
                std::mem::swap(&mut a, &mut b);
            }
            let order = match (a, b) {
                (Value::String(x), Value::String(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
                _ if is_number(a) && is_number(b) => compare_numbers(a, b),
                _ => {
                    let name = if strict { "__lt" } else { "__le" };
                    let mut m = metamethod(ctx, a, name);
                    if m.is_nil() {
                        m = metamethod(ctx, b, name);
                    }
                    if let Some(f) = callable(m) {
                        return call_meta(ctx, stack, f, a, b, Then::Truth);
                    }
                    if !strict {
                        // 5.3: `a <= b` is `not (b < a)` when only `__lt` exists.
                        let mut lt = metamethod(ctx, b, "__lt");
                        if lt.is_nil() {
                            lt = metamethod(ctx, a, "__lt");
                        }
                        if let Some(f) = callable(lt) {
                            return call_meta(ctx, stack, f, b, a, Then::Negated);
                        }
                    }
                    return Err(compare_error(ctx, &exec, a, b));
                }
            };
            let result = match order {
                // NaN compares false.
                None => false,
                Some(o) => {
                    if strict {
                        o == Ordering::Less
                    } else {
                        o != Ordering::Greater
                    }
                }
            };
            stack.replace(ctx, result);
            return Ok(CallbackReturn::Return);
        }
        let direct = match code {
            op::ADD => raw_ops::add(a, b),
            op::SUB => raw_ops::subtract(a, b),
            op::MUL => raw_ops::multiply(a, b),
            op::DIV => raw_ops::float_divide(a, b),
            op::IDIV => raw_ops::floor_divide(a, b),
            op::MOD => raw_ops::modulo(a, b),
            op::POW => raw_ops::exponentiate(a, b),
            op::BAND => raw_ops::bitwise_and(a, b),
            op::BOR => raw_ops::bitwise_or(a, b),
            op::BXOR => raw_ops::bitwise_xor(a, b),
            op::SHL => raw_ops::shift_left(a, b),
            op::SHR => raw_ops::shift_right(a, b),
            op::UNM => raw_ops::negate(a),
            _ => raw_ops::bitwise_not(a),
        };
        if let Some(v) = direct {
            stack.replace(ctx, v);
            return Ok(CallbackReturn::Return);
        }
        let name = event(code);
        let mut m = metamethod(ctx, a, name);
        if m.is_nil() {
            m = metamethod(ctx, b, name);
        }
        match callable(m) {
            Some(f) => call_meta(ctx, stack, f, a, b, Then::Value),
            None => Err(arith_error(ctx, &exec, code, a, b)),
        }
    })
}
