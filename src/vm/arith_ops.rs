//! The runtime half of the operator rewrite (`arith.rs`): `(arith)(op, a, b)` computes
//! numbers and strings directly and otherwise applies Lua 5.3's metamethods (`__add`...
//! `__shr`, `__unm`, `__bnot`, `__lt`, `__le`), with Lua's error messages.

use std::cmp::Ordering;

use gc_arena::Collect;
use piccolo::{
    BoxSequence, Callback, CallbackReturn, Context, Error, Execution, Function, Sequence,
    SequencePoll, Stack, Value,
};

use super::arith::op;
use super::helpers::{error_at, error_at_site};
use crate::stdlib::lua_number::{
    float_to_int_ceil, float_to_int_exact, float_to_int_floor, parse_number, str_to_int, LuaNum,
};

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
    mt.map_or(Value::Nil, |mt| super::undo::field(ctx, mt, name))
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

/// The form of an ordering operator code: (strict, operands swapped), `a > b` being
/// `b < a` and `a >= b` being `b <= a`; `None` for other codes.
fn order_form(code: i64) -> Option<(bool, bool)> {
    match code {
        op::LT => Some((true, false)),
        op::LE => Some((false, false)),
        op::GT => Some((true, true)),
        op::GE => Some((false, true)),
        _ => None,
    }
}

/// Ordering operator `code` (`<`, `<=`, `>`, `>=`) between two strings (byte order) or
/// two numbers (exact, a NaN false) as Lua gives it; `None` for other operands (a
/// metamethod or an error decides) and other codes.
pub fn plain_order<'gc>(code: i64, a: Value<'gc>, b: Value<'gc>) -> Option<bool> {
    let (strict, swap) = order_form(code)?;
    let (a, b) = if swap { (b, a) } else { (a, b) };
    let order = match (a, b) {
        (Value::String(x), Value::String(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        _ if is_number(a) && is_number(b) => compare_numbers(a, b),
        _ => return None,
    };
    Some(match order {
        None => false,
        Some(o) if strict => o == Ordering::Less,
        Some(o) => o != Ordering::Greater,
    })
}

/// A number operand as Lua 5.3's `tonumber` sees it: numbers as they are, numeric strings
/// converted (to a float, as `luaV_tonumber_` does for arithmetic).
fn to_float(v: Value<'_>) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(i as f64),
        Value::Number(f) => Some(f),
        Value::String(s) => Some(match parse_number(s.as_bytes())? {
            LuaNum::Int(i) => i as f64,
            LuaNum::Float(f) => f,
        }),
        _ => None,
    }
}

/// Lua 5.3's `tointeger` for bitwise operands: integers, floats with an exact integer
/// value (2^63 has none), and strings whose numeral has one.
fn to_int(v: Value<'_>) -> Option<i64> {
    match v {
        Value::Integer(i) => Some(i),
        Value::Number(f) => float_to_int_exact(f),
        Value::String(s) => str_to_int(s.as_bytes()),
        _ => None,
    }
}

/// Integer floor division (`luaV_div`); `None` for a zero divisor.
pub fn int_floor_div(m: i64, n: i64) -> Option<i64> {
    if n == 0 {
        return None;
    }
    if n == -1 {
        // Avoids the overflow of `mininteger // -1`, which wraps to mininteger.
        return Some(m.wrapping_neg());
    }
    let q = m / n;
    Some(if (m ^ n) < 0 && m % n != 0 { q - 1 } else { q })
}

/// Integer modulo with the sign of the divisor (`luaV_mod`); `None` for a zero divisor.
pub fn int_mod(m: i64, n: i64) -> Option<i64> {
    if n == 0 {
        return None;
    }
    if n == -1 {
        return Some(0);
    }
    let r = m % n;
    Some(if r != 0 && (r ^ n) < 0 { r + n } else { r })
}

/// Float modulo (Lua 5.3's `luai_nummod`): C's `fmod`, plus the divisor when the product
/// of the two is negative (so `-10 % math.huge` is `inf`, and a product that underflows
/// to zero keeps the remainder as it is, as in C).
pub fn float_mod(a: f64, b: f64) -> f64 {
    let m = a % b;
    if m * b < 0.0 {
        m + b
    } else {
        m
    }
}

/// Logical shift left by a signed amount (`luaV_shiftl`): shifts of 64 or more give 0,
/// negative amounts shift right.
pub fn shift_left(x: i64, y: i64) -> i64 {
    if y <= -64 || y >= 64 {
        0
    } else if y < 0 {
        ((x as u64) >> (-y)) as i64
    } else {
        ((x as u64) << y) as i64
    }
}

/// A numeric `for`'s control values checked and converted as Lua 5.3's `OP_FORPREP`
/// (`forlimit` for an integer loop), then adjusted so piccolo's loop (which continues
/// while `i <= limit` for a step >= 0, `i >= limit` for a negative one, and never stops
/// on NaN) runs exactly as many times as Lua's would.
pub fn for_prep<'gc>(
    init: Value<'gc>,
    limit: Value<'gc>,
    step: Value<'gc>,
) -> Result<[Value<'gc>; 3], &'static str> {
    // Values for which piccolo's loop runs no iteration.
    let none = [Value::Integer(1), Value::Integer(0), Value::Integer(1)];
    if let (Value::Integer(i), Value::Integer(s)) = (init, step) {
        let (l, stop) = match limit {
            Value::Integer(l) => (l, false),
            _ => {
                let f = to_float(limit).ok_or("'for' limit must be a number")?;
                let exact = match limit {
                    Value::String(s) => match parse_number(s.as_bytes()) {
                        Some(LuaNum::Int(l)) => Some(l),
                        _ => None,
                    },
                    _ => None,
                };
                let fitted = exact.or_else(|| {
                    if s < 0 {
                        float_to_int_ceil(f)
                    } else {
                        float_to_int_floor(f)
                    }
                });
                match fitted {
                    Some(l) => (l, false),
                    None if f > 0.0 => (i64::MAX, s < 0),
                    // Below the integers, or NaN.
                    None => (i64::MIN, s >= 0),
                }
            }
        };
        let i = if stop { 0 } else { i };
        return Ok(if s != 0 {
            [Value::Integer(i), Value::Integer(l), Value::Integer(s)]
        } else if l <= i {
            // Lua loops forever (its test is `limit <= i` for a step that is not
            // positive); so does piccolo's `i <= limit` with the limit at `i`.
            [Value::Integer(i), Value::Integer(i), Value::Integer(0)]
        } else {
            none
        });
    }
    let l = to_float(limit).ok_or("'for' limit must be a number")?;
    let s = to_float(step).ok_or("'for' step must be a number")?;
    let i = to_float(init).ok_or("'for' initial value must be a number")?;
    // Lua's first value and test (false whenever a NaN is involved; later values cannot
    // become NaN once the first is not).
    let first = (i - s) + s;
    let runs = if s > 0.0 { first <= l } else { l <= first };
    Ok(if !runs {
        none
    } else if s == 0.0 {
        // Lua loops forever; piccolo does with the limit at the first value.
        [Value::Number(i), Value::Number(first), Value::Number(s)]
    } else {
        [Value::Number(i), Value::Number(l), Value::Number(s)]
    })
}

/// Lua 5.3's arithmetic and bitwise operators on numbers and numeric strings.
/// `Ok(None)`: an operand is not a number (or has no integer value, for bitwise
/// operators), so metamethods come next; `Err`: integer division or modulo by zero.
pub fn arith_numbers<'gc>(
    code: i64,
    a: Value<'gc>,
    b: Value<'gc>,
) -> Result<Option<Value<'gc>>, &'static str> {
    if let (Value::Integer(x), Value::Integer(y)) = (a, b) {
        let v = match code {
            op::ADD => x.wrapping_add(y),
            op::SUB => x.wrapping_sub(y),
            op::MUL => x.wrapping_mul(y),
            op::IDIV => int_floor_div(x, y).ok_or("attempt to divide by zero")?,
            op::MOD => int_mod(x, y).ok_or("attempt to perform 'n%0'")?,
            op::UNM => x.wrapping_neg(),
            _ => return Ok(arith_float_or_bits(code, a, b)),
        };
        return Ok(Some(Value::Integer(v)));
    }
    Ok(arith_float_or_bits(code, a, b))
}

fn arith_float_or_bits<'gc>(code: i64, a: Value<'gc>, b: Value<'gc>) -> Option<Value<'gc>> {
    match code {
        op::BAND | op::BOR | op::BXOR | op::SHL | op::SHR | op::BNOT => {
            let (x, y) = (to_int(a)?, to_int(b)?);
            Some(Value::Integer(match code {
                op::BAND => x & y,
                op::BOR => x | y,
                op::BXOR => x ^ y,
                op::SHL => shift_left(x, y),
                op::SHR => shift_left(x, y.wrapping_neg()),
                _ => !x,
            }))
        }
        _ => {
            let (x, y) = (to_float(a)?, to_float(b)?);
            Some(Value::Number(match code {
                op::ADD => x + y,
                op::SUB => x - y,
                op::MUL => x * y,
                op::DIV => x / y,
                op::IDIV => (x / y).floor(),
                op::MOD => float_mod(x, y),
                op::POW => x.powf(y),
                _ => -x,
            }))
        }
    }
}

/// The table at `stack[base][stack[base + 1]]...[stack[end - 1]]`, every step a raw read
/// (a present field is what Lua reads too, without `__index`); `None` if a step is not a
/// table.
fn raw_path<'gc>(stack: &Stack<'gc, '_>, base: usize, end: usize) -> Option<piccolo::Table<'gc>> {
    let mut t = stack.get(base);
    for i in base + 1..end {
        let Value::Table(table) = t else {
            return None;
        };
        t = table.get_value(stack.get(i));
    }
    match t {
        Value::Table(table) => Some(table),
        _ => None,
    }
}

/// `(arith)(UPDATE, op, v, base, k1, ..., kn)` (see `assign.rs`, `fast_update`): when each
/// step is a present field read raw (so Lua would call no `__index`) and the field and `v`
/// are numbers (no coercion, no metamethod), stores `field op v` into the present key (no
/// `__newindex`), logged as every store, and returns true; else changes nothing.
fn update<'gc>(ctx: Context<'gc>, stack: &Stack<'gc, '_>) -> bool {
    let (Value::Integer(code), v) = (stack.get(1), stack.get(2)) else {
        return false;
    };
    let n = stack.len();
    if n < 5 || !matches!(v, Value::Integer(_) | Value::Number(_)) {
        return false;
    }
    let Some(table) = raw_path(stack, 3, n - 1) else {
        return false;
    };
    let key = stack.get(n - 1);
    let old = table.get_value(key);
    if !matches!(old, Value::Integer(_) | Value::Number(_)) {
        return false;
    }
    match arith_numbers(code, old, v) {
        Ok(Some(new)) => crate::vm::undo::raw_set(ctx, table, key, new).is_ok(),
        _ => false,
    }
}

/// `(arith)(APPEND, v, base, k1, ..., kn)` (see `assign.rs`, `fast_update`): when each
/// step is a present field read raw and the table at the end has no metatable (no `__len`,
/// no `__newindex`), stores `v` at its border plus one, logged, and returns true; else
/// changes nothing.
fn append<'gc>(ctx: Context<'gc>, stack: &Stack<'gc, '_>) -> bool {
    let n = stack.len();
    if n < 3 {
        return false;
    }
    let Some(table) = raw_path(stack, 2, n) else {
        return false;
    };
    if table.metatable().is_some() {
        return false;
    }
    crate::vm::undo::raw_append(ctx, table, stack.get(1));
    true
}

fn type_name<'gc>(ctx: Context<'gc>, v: Value<'gc>) -> String {
    match metamethod(ctx, v, "__name") {
        Value::String(s) => s.to_str_lossy().into_owned(),
        _ => v.type_name().to_owned(),
    }
}

/// Lua's description of operand `i` (`local 'x'`, `field 'k'`...), from the optional last
/// argument the compile pipeline passes: one line per operand, empty where Lua gives none
/// (see `index.rs`).
pub fn operand_name(names: Value<'_>, i: usize) -> Option<String> {
    let Value::String(s) = names else {
        return None;
    };
    s.as_bytes()
        .split(|&b| b == b'\n')
        .nth(i)
        .filter(|n| !n.is_empty())
        .map(|n| String::from_utf8_lossy(n).into_owned())
}

/// `#v`: strings and tables without `__len` directly, `__len` called as Lua calls it
/// (`v, v`), anything else an error naming `v` as `names` does.
fn length<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
    v: Value<'gc>,
    names: Value<'gc>,
) -> Result<CallbackReturn<'gc>, Error<'gc>> {
    let handler = metamethod(ctx, v, "__len");
    if let Some(f) = callable(handler) {
        return call_meta(ctx, exec, stack, f, v, v, Then::Value, "len");
    }
    let n = match v {
        Value::String(s) => s.as_bytes().len() as i64,
        Value::Table(t) => t.length(),
        _ => {
            let named = operand_name(names, 0).map_or(String::new(), |n| format!(" ({n})"));
            let msg = format!(
                "attempt to get length of a {} value{named}",
                type_name(ctx, v)
            );
            return Err(error_at_site(ctx, exec, names, &msg));
        }
    };
    stack.replace(ctx, n);
    Ok(CallbackReturn::Return)
}

fn arith_error<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    code: i64,
    a: Value<'gc>,
    b: Value<'gc>,
    names: Value<'gc>,
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
    let (culprit, index) = if numeric(a) { (b, 1) } else { (a, 0) };
    if bitwise && numeric(a) && numeric(b) {
        // The first operand without an integer value, as Lua's luaG_tointerror names it.
        let integral = |v: Value<'_>| {
            use crate::stdlib::lua_number::{float_to_int_exact, parse_number, LuaNum};
            match v {
                Value::Integer(_) => true,
                Value::Number(f) => float_to_int_exact(f).is_some(),
                Value::String(s) => match parse_number(s.as_bytes()) {
                    Some(LuaNum::Int(_)) => true,
                    Some(LuaNum::Float(f)) => float_to_int_exact(f).is_some(),
                    None => false,
                },
                _ => false,
            }
        };
        let index = if integral(a) { 1 } else { 0 };
        let what = operand_name(names, index).map_or(String::new(), |n| format!(" ({n})"));
        return error_at_site(
            ctx,
            exec,
            names,
            &format!("number{what} has no integer representation"),
        );
    }
    let named = operand_name(names, index).map_or(String::new(), |n| format!(" ({n})"));
    let what = if bitwise {
        "perform bitwise operation on"
    } else {
        "perform arithmetic on"
    };
    error_at_site(
        ctx,
        exec,
        names,
        &format!(
            "attempt to {what} a {} value{named}",
            type_name(ctx, culprit)
        ),
    )
}

fn compare_error<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    a: Value<'gc>,
    b: Value<'gc>,
    names: Value<'gc>,
) -> Error<'gc> {
    let (ta, tb) = (type_name(ctx, a), type_name(ctx, b));
    let msg = if ta == tb {
        format!("attempt to compare two {ta} values")
    } else {
        format!("attempt to compare {ta} with {tb}")
    };
    error_at_site(ctx, exec, names, &msg)
}

/// Keeps the first result of a metamethod call, as a boolean for comparisons (`not` of it
/// for `__le` emulated through `__lt`).
#[derive(Collect)]
#[collect(require_static)]
enum Then {
    Value,
    Truth,
    Negated,
    /// No result (an `__newindex` function's).
    Nothing,
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
        match self {
            Then::Value => stack.push_back(v),
            Then::Truth => stack.push_back(Value::Boolean(v.to_bool())),
            Then::Negated => stack.push_back(Value::Boolean(!v.to_bool())),
            Then::Nothing => {}
        }
        Ok(SequencePoll::Return)
    }
}

/// Calls metamethod `f` (of `event`, for diagnostic mode's count, see
/// [`super::diagnostics::enter_metamethod`]) with `a, b`, keeping its result as `then` says.
#[allow(clippy::too_many_arguments)]
fn call_meta<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
    f: Function<'gc>,
    a: Value<'gc>,
    b: Value<'gc>,
    then: Then,
    event: &str,
) -> Result<CallbackReturn<'gc>, Error<'gc>> {
    stack.clear();
    stack.push_back(a);
    stack.push_back(b);
    let shadow = super::diagnostics::enter_metamethod(ctx, exec, f, event, 2)?;
    Ok(CallbackReturn::Call {
        function: f,
        then: Some(BoxSequence::new(
            &ctx,
            AfterMetamethod {
                then,
                shadow: shadow.into(),
            },
        )),
    })
}

/// What follows a metamethod call: its result kept as [`Then`] says, and diagnostic mode's
/// shadow-stack entry ended.
#[derive(Collect)]
#[collect(require_static)]
pub(super) struct AfterMetamethod {
    then: Then,
    shadow: super::diagnostics::NativeSlot,
}

impl AfterMetamethod {
    /// Keeps the first result as it is (an `__index` function's).
    pub(super) fn first(shadow: Option<super::diagnostics::NativeCall>) -> Self {
        AfterMetamethod {
            then: Then::Value,
            shadow: shadow.into(),
        }
    }

    /// Keeps no result (an `__newindex` function's).
    pub(super) fn none(shadow: super::diagnostics::NativeCall) -> Self {
        AfterMetamethod {
            then: Then::Nothing,
            shadow: Some(shadow).into(),
        }
    }
}

impl<'gc> Sequence<'gc> for AfterMetamethod {
    fn poll(
        &mut self,
        ctx: Context<'gc>,
        exec: Execution<'gc, '_>,
        stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, Error<'gc>> {
        self.shadow.leave(ctx, None);
        self.then.poll(ctx, exec, stack)
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

fn callable<'gc>(v: Value<'gc>) -> Option<Function<'gc>> {
    match v {
        Value::Function(f) => Some(f),
        _ => None,
    }
}

/// `a == b` (`a ~= b` when `negate`) as Lua 5.3 has it: an integer and a float are equal
/// only when the float has exactly the integer's value (piccolo converts the integer to a
/// float, so `2^53 + 1 == 2^53 + 0.0` was true); everything else, `__eq` included (tried
/// only between two tables or two userdata that are not the same object, the first one's
/// metamethod first, its result made a boolean), as piccolo's own equality does it.
fn equality<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
    negate: bool,
    a: Value<'gc>,
    b: Value<'gc>,
) -> Result<CallbackReturn<'gc>, Error<'gc>> {
    let equal = match (a, b) {
        (Value::Integer(i), Value::Number(f)) | (Value::Number(f), Value::Integer(i)) => {
            float_to_int_exact(f) == Some(i)
        }
        _ => match piccolo::meta_ops::equal(ctx, a, b)? {
            piccolo::meta_ops::MetaResult::Value(v) => v.to_bool(),
            piccolo::meta_ops::MetaResult::Call(call) => {
                let [x, y] = call.args;
                let then = if negate { Then::Negated } else { Then::Truth };
                return call_meta(ctx, exec, stack, call.function, x, y, then, "eq");
            }
        },
    };
    stack.replace(ctx, equal != negate);
    Ok(CallbackReturn::Return)
}

pub fn arith_helper<'gc>(ctx: Context<'gc>) -> Callback<'gc> {
    Callback::from_fn(&ctx, |ctx, mut exec, mut stack| {
        super::runaway::enter(ctx, &mut exec)?;
        let code = match stack.get(0) {
            Value::Integer(c) => c,
            _ => return Err(error_at(ctx, &exec, "internal error: bad operator code")),
        };
        let (mut a, mut b) = (stack.get(1), stack.get(2));
        if code == op::FORPREP {
            // The header's line, when the pipeline passed it (see `index.rs`).
            let line = stack.get(4);
            let values =
                for_prep(a, b, stack.get(3)).map_err(|m| error_at_site(ctx, &exec, line, m))?;
            stack.clear();
            stack.extend(values);
            return Ok(CallbackReturn::Return);
        }
        if code == op::LEN {
            return length(ctx, &exec, stack, a, b);
        }
        if code == op::UPDATE || code == op::APPEND {
            let done = if code == op::UPDATE {
                update(ctx, &stack)
            } else {
                append(ctx, &stack)
            };
            stack.replace(ctx, done);
            return Ok(CallbackReturn::Return);
        }
        if code == op::EQ || code == op::NE {
            return equality(ctx, &exec, stack, code == op::NE, a, b);
        }
        // The operands' names, when the pipeline passed them (after the operands).
        let names = if code == op::UNM || code == op::BNOT {
            b = a;
            stack.get(2)
        } else {
            stack.get(3)
        };
        if let Some((strict, swap)) = order_form(code) {
            if let Some(result) = plain_order(code, a, b) {
                stack.replace(ctx, result);
                return Ok(CallbackReturn::Return);
            }
            if swap {
                std::mem::swap(&mut a, &mut b);
            }
            let name = if strict { "__lt" } else { "__le" };
            let mut m = metamethod(ctx, a, name);
            if m.is_nil() {
                m = metamethod(ctx, b, name);
            }
            if let Some(f) = callable(m) {
                return call_meta(
                    ctx,
                    &exec,
                    stack,
                    f,
                    a,
                    b,
                    Then::Truth,
                    if strict { "lt" } else { "le" },
                );
            }
            if !strict {
                // 5.3: `a <= b` is `not (b < a)` when only `__lt` exists.
                let mut lt = metamethod(ctx, b, "__lt");
                if lt.is_nil() {
                    lt = metamethod(ctx, a, "__lt");
                }
                if let Some(f) = callable(lt) {
                    // Lua names the call after the instruction: `__le`.
                    return call_meta(ctx, &exec, stack, f, b, a, Then::Negated, "le");
                }
            }
            return Err(compare_error(ctx, &exec, a, b, names));
        }
        let direct = match arith_numbers(code, a, b) {
            Ok(v) => v,
            Err(msg) => return Err(error_at_site(ctx, &exec, names, msg)),
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
            Some(f) => call_meta(ctx, &exec, stack, f, a, b, Then::Value, &name[2..]),
            None => Err(arith_error(ctx, &exec, code, a, b, names)),
        }
    })
}
