//! Lua 5.3's wording for the errors piccolo raises itself, in one place.
//!
//! piccolo's VM errors are Rust error types (`type error, expected table, found nil`,
//! `cannot add values`). Lua programs see them through `pcall`, `xpcall`,
//! `coroutine.resume` and the host, all of which convert them here. What can be mapped:
//! - index/call/length type errors carry the offending type: exact Lua text;
//! - arithmetic, bitwise and comparison errors carry no operand types in piccolo, so the
//!   message keeps Lua's prefix but cannot name the type (documented in COMPATIBILITY.md);
//! - none carry a source position: piccolo does not expose the failing frame's pc.

use piccolo::{
    thread::BinaryOperatorError, BadConcatType, Context, Error, InvalidTableKey, RuntimeError,
    TypeError, VMError, Value,
};

/// The Lua value a caught error is: `error()`'s value unchanged, or the Lua-worded message
/// of a runtime error.
///
/// Every such value is noted (see [`super::diagnostics::caught`]): a run that caught an error
/// lacking detail is run again with the diagnosed values in their place.
pub fn error_value<'gc>(ctx: Context<'gc>, err: &Error<'gc>) -> Value<'gc> {
    let value = match err {
        Error::Lua(e) => {
            super::diagnostics::forget_key(ctx);
            e.0
        }
        Error::Runtime(e) => {
            // piccolo's own errors carry no position: a diagnostic re-run would give one.
            super::diagnostics::note_degraded(ctx);
            let text = super::diagnostics::place_key_error(ctx, runtime_message(e));
            Value::String(ctx.intern(text.as_bytes()))
        }
    };
    super::diagnostics::caught(ctx, value)
}

fn type_error_message(e: &TypeError) -> String {
    match e.expected {
        "table" => format!("attempt to index a {} value", e.found),
        "function" => format!("attempt to call a {} value", e.found),
        "string or table" => format!("attempt to get length of a {} value", e.found),
        expected => format!("bad argument ({expected} expected, got {})", e.found),
    }
}

/// Lua 5.3's wording of a piccolo runtime error.
pub fn runtime_message(e: &RuntimeError) -> String {
    if let Some(t) = e.downcast::<TypeError>() {
        return type_error_message(t);
    }
    if let Some(v) = e.downcast::<VMError>() {
        if let VMError::BadType(t) = v {
            return type_error_message(t);
        }
        return v.to_string();
    }
    if let Some(b) = e.downcast::<BinaryOperatorError>() {
        use BinaryOperatorError::*;
        return match b {
            Add | Subtract | Multiply | FloatDivide | Exponentiate | UnaryNegate => {
                "attempt to perform arithmetic on a non-number value".into()
            }
            // piccolo raises the same error for integer division by zero.
            FloorDivide => {
                "attempt to divide by zero, or to perform arithmetic on a non-number value".into()
            }
            Modulo => "attempt to perform 'n%0', or arithmetic on a non-number value".into(),
            BitAnd | BitOr | BitXor | BitNot | ShiftLeft | ShiftRight => {
                "attempt to perform bitwise operation on a non-integer value".into()
            }
            LessThan | LessEqual => "attempt to compare incompatible values".into(),
        };
    }
    if let Some(c) = e.downcast::<BadConcatType>() {
        let text = c.to_string();
        let ty = text.strip_prefix("cannot concat ").unwrap_or("?");
        return format!("attempt to concatenate a {ty} value");
    }
    if let Some(k) = e.downcast::<InvalidTableKey>() {
        return match k {
            InvalidTableKey::IsNaN => "table index is NaN".into(),
            InvalidTableKey::IsNil => "table index is nil".into(),
        };
    }
    e.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_piccolo_errors_to_lua_wording() {
        let e = RuntimeError::from(TypeError {
            expected: "table",
            found: "nil",
        });
        assert_eq!(runtime_message(&e), "attempt to index a nil value");
        let e = RuntimeError::from(VMError::BadType(TypeError {
            expected: "function",
            found: "number",
        }));
        assert_eq!(runtime_message(&e), "attempt to call a number value");
        let e = RuntimeError::from(BinaryOperatorError::Add);
        assert!(runtime_message(&e).starts_with("attempt to perform arithmetic on a"));
        let e = RuntimeError::from(InvalidTableKey::IsNil);
        assert_eq!(runtime_message(&e), "table index is nil");
    }
}
