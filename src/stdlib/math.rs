//! Lua 5.3's `math` library (plus the 5.2 compatibility functions Debian's lua5.3 ships:
//! `pow`, `log10`, `cosh`, `sinh`, `tanh`, `frexp`, `ldexp`, `atan2`).
//!
//! Integer/float subtypes follow Lua 5.3 (`floor` returns an integer when it fits, `max`
//! keeps the winning argument as it is). Transcendental functions use the pure-Rust `libm`
//! so results are bit-identical natively and in wasm. `random` draws from the deterministic
//! generator in `Host` (see random.rs), never from entropy.

use std::cell::RefCell;
use std::rc::Rc;

use piccolo::{Callback, CallbackReturn, Context, Error, Execution, Stack, Table, Value};

use super::argcheck::{
    bad_arg, check_any, check_float, check_integer, check_number, error, plain_error,
};
use super::base::set;
use super::lua_number::{float_to_int_exact, LuaNum};
use super::random::Rng;
use crate::vm::Host;

type Ret<'gc> = Result<CallbackReturn<'gc>, Error<'gc>>;

/// A float as an integer when it has an exact integer value in range (Lua's `pushnumint`).
fn int_if_exact<'gc>(f: f64) -> Value<'gc> {
    float_to_int_exact(f).map_or(Value::Number(f), Value::Integer)
}

/// `a < b` on Lua numbers, exact across subtypes (as Lua's `<`).
pub fn num_lt(a: LuaNum, b: LuaNum) -> bool {
    const TWO63: f64 = 9_223_372_036_854_775_808.0;
    match (a, b) {
        (LuaNum::Int(x), LuaNum::Int(y)) => x < y,
        (LuaNum::Float(x), LuaNum::Float(y)) => x < y,
        // i < f  <=>  i < ceil(f), within range.
        (LuaNum::Int(i), LuaNum::Float(f)) => {
            if f.is_nan() {
                false
            } else if f >= TWO63 {
                true
            } else if f > -TWO63 {
                i < f.ceil() as i64
            } else {
                false
            }
        }
        // f < i  <=>  floor(f) < i, within range.
        (LuaNum::Float(f), LuaNum::Int(i)) => {
            if f.is_nan() || f >= TWO63 {
                false
            } else if f >= -TWO63 {
                (f.floor() as i64) < i
            } else {
                true
            }
        }
    }
}

/// `sqrt` with the NaN aos's gives (the x86 `sqrtsd` a wasm `f64.sqrt` runs on there): a
/// NaN argument comes back as it is, a negative one gives the default NaN, whose sign bit
/// is set (`-nan`). wasm leaves the sign of a NaN result open, and this module's own
/// `f64.sqrt` gave `nan` in Node where the native build gave `-nan`.
fn sqrt(x: f64) -> f64 {
    if x.is_nan() {
        x
    } else if x < 0.0 {
        f64::from_bits(0xFFF8_0000_0000_0000)
    } else {
        libm::sqrt(x)
    }
}

/// Registers `math.<name>` as a one-float-in, one-float-out function.
fn unary<'gc>(ctx: Context<'gc>, math: Table<'gc>, qualified: &'static str, f: fn(f64) -> f64) {
    let name = qualified.trim_start_matches("math.");
    let cb = Callback::from_fn(&ctx, move |ctx, exec, mut stack| {
        let x = check_float(ctx, &exec, &stack, 0, qualified)?;
        stack.replace(ctx, f(x));
        Ok(CallbackReturn::Return)
    });
    let _ = math.set(ctx, name, cb);
}

pub fn install<'gc>(ctx: Context<'gc>, host: Rc<RefCell<Host>>) {
    let math = Table::new(&ctx);
    let _ = math.set(ctx, "pi", std::f64::consts::PI);
    let _ = math.set(ctx, "huge", f64::INFINITY);
    let _ = math.set(ctx, "maxinteger", i64::MAX);
    let _ = math.set(ctx, "mininteger", i64::MIN);

    unary(ctx, math, "math.sqrt", sqrt);
    unary(ctx, math, "math.exp", libm::exp);
    unary(ctx, math, "math.sin", libm::sin);
    unary(ctx, math, "math.cos", libm::cos);
    unary(ctx, math, "math.tan", libm::tan);
    unary(ctx, math, "math.asin", libm::asin);
    unary(ctx, math, "math.acos", libm::acos);
    unary(ctx, math, "math.cosh", libm::cosh);
    unary(ctx, math, "math.sinh", libm::sinh);
    unary(ctx, math, "math.tanh", libm::tanh);
    unary(ctx, math, "math.log10", libm::log10);
    unary(ctx, math, "math.deg", |x| {
        x * (180.0 / std::f64::consts::PI)
    });
    unary(ctx, math, "math.rad", |x| {
        x * (std::f64::consts::PI / 180.0)
    });

    set(ctx, math, "abs", |ctx, exec, mut stack| {
        let r = match check_number_subtype(ctx, &exec, &stack, 0, "math.abs")? {
            LuaNum::Int(i) => Value::Integer(i.wrapping_abs()),
            LuaNum::Float(f) => Value::Number(f.abs()),
        };
        stack.replace(ctx, r);
        Ok(CallbackReturn::Return)
    });
    set(ctx, math, "floor", |ctx, exec, mut stack| {
        let r = match check_number_subtype(ctx, &exec, &stack, 0, "math.floor")? {
            LuaNum::Int(i) => Value::Integer(i),
            LuaNum::Float(f) => int_if_exact(f.floor()),
        };
        stack.replace(ctx, r);
        Ok(CallbackReturn::Return)
    });
    set(ctx, math, "ceil", |ctx, exec, mut stack| {
        let r = match check_number_subtype(ctx, &exec, &stack, 0, "math.ceil")? {
            LuaNum::Int(i) => Value::Integer(i),
            LuaNum::Float(f) => int_if_exact(f.ceil()),
        };
        stack.replace(ctx, r);
        Ok(CallbackReturn::Return)
    });
    set(ctx, math, "fmod", |ctx, exec, mut stack| {
        let a = check_number_subtype(ctx, &exec, &stack, 0, "math.fmod")?;
        let b = check_number_subtype(ctx, &exec, &stack, 1, "math.fmod")?;
        let r = match (a, b) {
            (LuaNum::Int(_), LuaNum::Int(0)) => {
                return Err(bad_arg(ctx, &exec, 1, "math.fmod", "zero"));
            }
            // C's `%` truncates toward zero; -1 is special-cased to avoid overflow.
            (LuaNum::Int(x), LuaNum::Int(-1)) => Value::Integer(x.wrapping_mul(0)),
            (LuaNum::Int(x), LuaNum::Int(y)) => Value::Integer(x % y),
            (a, b) => Value::Number(libm::fmod(as_float(a), as_float(b))),
        };
        stack.replace(ctx, r);
        Ok(CallbackReturn::Return)
    });
    set(ctx, math, "modf", |ctx, exec, mut stack| {
        let (ip, frac) = match check_number(ctx, &exec, &stack, 0, "math.modf")? {
            // An integer is its own integral part (a numeric string goes through a float).
            LuaNum::Int(i) if matches!(stack.get(0), Value::Integer(_)) => (Value::Integer(i), 0.0),
            LuaNum::Int(i) => (Value::Number(i as f64), 0.0),
            LuaNum::Float(f) => {
                let ip = f.trunc();
                let frac = if f == ip { 0.0 } else { f - ip };
                (Value::Number(ip), frac)
            }
        };
        // Lua 5.3 shows the integral part as an integer when it fits ("3", not "3.0").
        let ip = match ip {
            Value::Number(f) if f.is_finite() => int_if_exact(f),
            v => v,
        };
        stack.replace(ctx, (ip, frac));
        Ok(CallbackReturn::Return)
    });
    set(ctx, math, "log", |ctx, exec, mut stack| {
        let x = check_float(ctx, &exec, &stack, 0, "math.log")?;
        let r = if stack.get(1).is_nil() {
            libm::log(x)
        } else {
            let b = check_float(ctx, &exec, &stack, 1, "math.log")?;
            if b == 2.0 {
                libm::log2(x)
            } else if b == 10.0 {
                libm::log10(x)
            } else {
                libm::log(x) / libm::log(b)
            }
        };
        stack.replace(ctx, r);
        Ok(CallbackReturn::Return)
    });
    let atan = Callback::from_fn(&ctx, |ctx, exec, mut stack| {
        let y = check_float(ctx, &exec, &stack, 0, "math.atan")?;
        let x = if stack.get(1).is_nil() {
            1.0
        } else {
            check_float(ctx, &exec, &stack, 1, "math.atan")?
        };
        stack.replace(ctx, libm::atan2(y, x));
        Ok(CallbackReturn::Return)
    });
    let _ = math.set(ctx, "atan", atan);
    let _ = math.set(ctx, "atan2", atan);
    set(ctx, math, "pow", |ctx, exec, mut stack| {
        let x = check_float(ctx, &exec, &stack, 0, "math.pow")?;
        let y = check_float(ctx, &exec, &stack, 1, "math.pow")?;
        stack.replace(ctx, libm::pow(x, y));
        Ok(CallbackReturn::Return)
    });
    set(ctx, math, "frexp", |ctx, exec, mut stack| {
        let x = check_float(ctx, &exec, &stack, 0, "math.frexp")?;
        let (m, e) = libm::frexp(x);
        stack.replace(ctx, (m, i64::from(e)));
        Ok(CallbackReturn::Return)
    });
    set(ctx, math, "ldexp", |ctx, exec, mut stack| {
        let m = check_float(ctx, &exec, &stack, 0, "math.ldexp")?;
        let e = check_integer(ctx, &exec, &stack, 1, "math.ldexp")?;
        let e = e.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
        stack.replace(ctx, libm::ldexp(m, e));
        Ok(CallbackReturn::Return)
    });
    set(ctx, math, "tointeger", |ctx, exec, mut stack| {
        let v = check_any(ctx, &exec, &stack, 0, "math.tointeger")?;
        let r = super::argcheck::to_integer(v).map_or(Value::Nil, Value::Integer);
        stack.replace(ctx, r);
        Ok(CallbackReturn::Return)
    });
    set(ctx, math, "type", |ctx, exec, mut stack| {
        let r = match check_any(ctx, &exec, &stack, 0, "math.type")? {
            Value::Integer(_) => Value::String(ctx.intern(b"integer")),
            Value::Number(_) => Value::String(ctx.intern(b"float")),
            _ => Value::Nil,
        };
        stack.replace(ctx, r);
        Ok(CallbackReturn::Return)
    });
    set(ctx, math, "ult", |ctx, exec, mut stack| {
        let a = check_integer(ctx, &exec, &stack, 0, "math.ult")?;
        let b = check_integer(ctx, &exec, &stack, 1, "math.ult")?;
        stack.replace(ctx, (a as u64) < (b as u64));
        Ok(CallbackReturn::Return)
    });
    set(ctx, math, "max", |ctx, exec, stack| {
        extreme(ctx, exec, stack, "math.max", true)
    });
    set(ctx, math, "min", |ctx, exec, stack| {
        extreme(ctx, exec, stack, "math.min", false)
    });

    let rng_host = host.clone();
    let random = Callback::from_fn(&ctx, move |ctx, exec, mut stack| {
        let (low, up) = match stack.len() {
            0 => {
                let f = rng_host.borrow_mut().rng.next_float();
                stack.replace(ctx, f);
                return Ok(CallbackReturn::Return);
            }
            1 => (1, check_integer(ctx, &exec, &stack, 0, "math.random")?),
            2 => (
                check_integer(ctx, &exec, &stack, 0, "math.random")?,
                check_integer(ctx, &exec, &stack, 1, "math.random")?,
            ),
            _ => return Err(error(ctx, &exec, "wrong number of arguments")),
        };
        if low > up {
            return Err(bad_arg(ctx, &exec, 0, "math.random", "interval is empty"));
        }
        // Lua 5.3 refuses ranges wider than maxinteger; kept for compatibility.
        if low < 0 && up > i64::MAX.wrapping_add(low) {
            return Err(bad_arg(ctx, &exec, 0, "math.random", "interval too large"));
        }
        let r = rng_host.borrow_mut().rng.next_in(low, up);
        stack.replace(ctx, r);
        Ok(CallbackReturn::Return)
    });
    let _ = math.set(ctx, "random", random);
    let seed_host = host;
    let randomseed = Callback::from_fn(&ctx, move |ctx, exec, mut stack| {
        let seed = match check_number(ctx, &exec, &stack, 0, "math.randomseed")? {
            LuaNum::Int(i) => i as u64,
            LuaNum::Float(f) => float_to_int_exact(f).map_or(f.to_bits(), |i| i as u64),
        };
        seed_host.borrow_mut().rng = Rng::seeded(seed);
        stack.clear();
        Ok(CallbackReturn::Return)
    });
    let _ = math.set(ctx, "randomseed", randomseed);

    let _ = ctx.globals().set(ctx, "math", math);
}

/// A number argument whose integer subtype counts only for actual integers: Lua's math
/// functions test `lua_isinteger`, which is false for numeric strings ("-2" -> 2.0).
fn check_number_subtype<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    i: usize,
    name: &str,
) -> Result<LuaNum, Error<'gc>> {
    Ok(match check_number(ctx, exec, stack, i, name)? {
        LuaNum::Int(n) if !matches!(stack.get(i), Value::Integer(_)) => LuaNum::Float(n as f64),
        n => n,
    })
}

fn as_float(n: LuaNum) -> f64 {
    match n {
        LuaNum::Int(i) => i as f64,
        LuaNum::Float(f) => f,
    }
}

/// `math.max`/`math.min`: the first argument that wins against all others under Lua's `<`
/// (numbers exactly across subtypes, strings bytewise), returned as it was passed.
fn extreme<'gc>(
    ctx: Context<'gc>,
    exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
    name: &str,
    max: bool,
) -> Ret<'gc> {
    if stack.is_empty() {
        return Err(bad_arg(ctx, &exec, 0, name, "value expected"));
    }
    let mut best = stack.get(0);
    for i in 1..stack.len() {
        let x = stack.get(i);
        let wins = if max {
            lua_lt(ctx, best, x)?
        } else {
            lua_lt(ctx, x, best)?
        };
        if wins {
            best = x;
        }
    }
    stack.replace(ctx, best);
    Ok(CallbackReturn::Return)
}

/// Lua's `a < b` without metamethods (piccolo has no `__lt`), with Lua's error wording.
pub fn lua_lt<'gc>(ctx: Context<'gc>, a: Value<'gc>, b: Value<'gc>) -> Result<bool, Error<'gc>> {
    let num = |v: Value<'gc>| match v {
        Value::Integer(i) => Some(LuaNum::Int(i)),
        Value::Number(f) => Some(LuaNum::Float(f)),
        _ => None,
    };
    match (a, b) {
        (Value::String(x), Value::String(y)) => Ok(x.as_bytes() < y.as_bytes()),
        _ => match (num(a), num(b)) {
            (Some(x), Some(y)) => Ok(num_lt(x, y)),
            _ => {
                let (ta, tb) = (a.type_name(), b.type_name());
                let msg = if ta == tb {
                    format!("attempt to compare two {ta} values")
                } else {
                    format!("attempt to compare {ta} with {tb}")
                };
                Err(plain_error(ctx, &msg))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_comparisons_are_exact() {
        use LuaNum::{Float as F, Int as I};
        assert!(num_lt(I(1), F(1.5)));
        assert!(!num_lt(I(2), F(1.5)));
        assert!(num_lt(F(1.5), I(2)));
        assert!(num_lt(I(i64::MAX), F(9.223372036854776e18)));
        assert!(num_lt(I(i64::MAX - 1), F(9.223372036854776e18)));
        assert!(!num_lt(F(f64::NAN), I(0)));
        assert!(!num_lt(I(0), F(f64::NAN)));
        assert!(num_lt(F(-1e300), I(i64::MIN)));
        assert!(num_lt(I(i64::MIN), F(-9.2e18)));
    }
}
