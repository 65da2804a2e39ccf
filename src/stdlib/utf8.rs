//! Lua 5.3's `utf8` library with 5.3.6's rules: sequences of at most 4 bytes, code points
//! up to U+10FFFF, no overlong forms (surrogates are accepted, as 5.3 does).

use piccolo::{Callback, CallbackReturn, Context, Table, Value};

use super::argcheck::{bad_arg, check_integer, check_string, error, opt_integer};
use crate::vm::helpers::charge;

const MAX_UNICODE: i64 = 0x10FFFF;

fn is_cont(s: &[u8], i: usize) -> bool {
    s.get(i).is_some_and(|&b| b & 0xC0 == 0x80)
}

/// Decodes the sequence at `i`: the code point and the index after it.
pub fn decode(s: &[u8], i: usize) -> Option<(u32, usize)> {
    let c = u32::from(*s.get(i)?);
    if c < 0x80 {
        return Some((c, i + 1));
    }
    // Smallest code point each sequence length may encode (anything below is overlong).
    const LIMITS: [u32; 4] = [0xFF, 0x7F, 0x7FF, 0xFFFF];
    let mut count = 0;
    let mut res: u32 = 0;
    let mut lead = c;
    while lead & 0x40 != 0 {
        count += 1;
        let cc = u32::from(*s.get(i + count)?);
        if cc & 0xC0 != 0x80 {
            return None;
        }
        res = (res << 6) | (cc & 0x3F);
        lead <<= 1;
        if count > 3 {
            return None;
        }
    }
    res |= (lead & 0x7F) << (count * 5);
    if res > MAX_UNICODE as u32 || res <= LIMITS[count] {
        return None;
    }
    Some((res, i + count + 1))
}

/// Appends the UTF-8 encoding of `code` (at most U+10FFFF; surrogates allowed).
pub fn encode(code: u32, out: &mut Vec<u8>) {
    if code < 0x80 {
        out.push(code as u8);
    } else if code < 0x800 {
        out.extend([0xC0 | (code >> 6) as u8, 0x80 | (code & 0x3F) as u8]);
    } else if code < 0x10000 {
        out.extend([
            0xE0 | (code >> 12) as u8,
            0x80 | ((code >> 6) & 0x3F) as u8,
            0x80 | (code & 0x3F) as u8,
        ]);
    } else {
        out.extend([
            0xF0 | (code >> 18) as u8,
            0x80 | ((code >> 12) & 0x3F) as u8,
            0x80 | ((code >> 6) & 0x3F) as u8,
            0x80 | (code & 0x3F) as u8,
        ]);
    }
}

/// Lua's `u_posrelat`: negative positions count from the end, too negative clamps to 0.
fn posrelat(pos: i64, len: usize) -> i64 {
    let len = len as i64;
    if pos >= 0 {
        pos
    } else if pos.unsigned_abs() > len as u64 {
        0
    } else {
        len + pos + 1
    }
}

pub fn install<'gc>(ctx: Context<'gc>) {
    let utf8 = Table::new(&ctx);
    let _ = utf8.set(
        ctx,
        "charpattern",
        ctx.intern(b"[\x00-\x7F\xC2-\xF4][\x80-\xBF]*"),
    );
    set(ctx, utf8, "char", |ctx, mut exec, mut stack| {
        let mut out = Vec::new();
        for i in 0..stack.len() {
            let code = check_integer(ctx, &exec, &stack, i, "utf8.char")?;
            if !(0..=MAX_UNICODE).contains(&code) {
                return Err(bad_arg(ctx, &exec, i, "utf8.char", "value out of range"));
            }
            encode(code as u32, &mut out);
        }
        charge(&mut exec, out.len() / 16);
        stack.replace(ctx, ctx.intern(&out));
        Ok(CallbackReturn::Return)
    });
    set(ctx, utf8, "len", |ctx, mut exec, mut stack| {
        let s = check_string(ctx, &exec, &stack, 0, "utf8.len")?;
        let s = s.as_bytes();
        let len = s.len();
        let i = posrelat(opt_integer(ctx, &exec, &stack, 1, "utf8.len", 1)?, len);
        let j = posrelat(opt_integer(ctx, &exec, &stack, 2, "utf8.len", -1)?, len);
        if !(1 <= i && i - 1 <= len as i64) {
            return Err(bad_arg(
                ctx,
                &exec,
                1,
                "utf8.len",
                "initial position out of string",
            ));
        }
        if j > len as i64 {
            return Err(bad_arg(
                ctx,
                &exec,
                2,
                "utf8.len",
                "final position out of string",
            ));
        }
        let (mut pos, end) = ((i - 1) as usize, j - 1);
        let mut n: i64 = 0;
        while (pos as i64) <= end {
            match decode(s, pos) {
                Some((_, next)) => {
                    pos = next;
                    n += 1;
                }
                None => {
                    stack.replace(ctx, (Value::Nil, pos as i64 + 1));
                    return Ok(CallbackReturn::Return);
                }
            }
        }
        charge(&mut exec, (end.max(0) as usize) / 16);
        stack.replace(ctx, n);
        Ok(CallbackReturn::Return)
    });
    set(ctx, utf8, "codepoint", |ctx, mut exec, mut stack| {
        let s = check_string(ctx, &exec, &stack, 0, "utf8.codepoint")?;
        let s = s.as_bytes();
        let len = s.len();
        let i = posrelat(
            opt_integer(ctx, &exec, &stack, 1, "utf8.codepoint", 1)?,
            len,
        );
        let j = posrelat(
            opt_integer(ctx, &exec, &stack, 2, "utf8.codepoint", i)?,
            len,
        );
        if i < 1 {
            return Err(bad_arg(ctx, &exec, 1, "utf8.codepoint", "out of range"));
        }
        if j > len as i64 {
            return Err(bad_arg(ctx, &exec, 2, "utf8.codepoint", "out of range"));
        }
        stack.clear();
        let mut pos = (i - 1) as usize;
        while (pos as i64) < j {
            let Some((code, next)) = decode(s, pos) else {
                stack.clear();
                return Err(error(ctx, &exec, "invalid UTF-8 code"));
            };
            stack.push_back(Value::Integer(i64::from(code)));
            pos = next;
        }
        charge(&mut exec, stack.len() / 8);
        Ok(CallbackReturn::Return)
    });
    set(ctx, utf8, "offset", |ctx, exec, mut stack| {
        let s = check_string(ctx, &exec, &stack, 0, "utf8.offset")?;
        let s = s.as_bytes();
        let len = s.len() as i64;
        let mut n = check_integer(ctx, &exec, &stack, 1, "utf8.offset")?;
        let default = if n >= 0 { 1 } else { len + 1 };
        let i = posrelat(
            opt_integer(ctx, &exec, &stack, 2, "utf8.offset", default)?,
            s.len(),
        );
        if !(1 <= i && i - 1 <= len) {
            return Err(bad_arg(
                ctx,
                &exec,
                2,
                "utf8.offset",
                "position out of range",
            ));
        }
        let mut i = i - 1;
        let cont = |i: i64| is_cont(s, i as usize);
        if n == 0 {
            while i > 0 && cont(i) {
                i -= 1;
            }
        } else {
            if cont(i) {
                return Err(error(ctx, &exec, "initial position is a continuation byte"));
            }
            if n < 0 {
                while n < 0 && i > 0 {
                    i -= 1;
                    while i > 0 && cont(i) {
                        i -= 1;
                    }
                    n += 1;
                }
            } else {
                n -= 1;
                while n > 0 && i < len {
                    i += 1;
                    while cont(i) {
                        i += 1;
                    }
                    n -= 1;
                }
            }
        }
        stack.replace(
            ctx,
            if n == 0 {
                Value::Integer(i + 1)
            } else {
                Value::Nil
            },
        );
        Ok(CallbackReturn::Return)
    });
    let iter = Callback::from_fn(&ctx, |ctx, exec, mut stack| {
        let s = check_string(ctx, &exec, &stack, 0, "for iterator")?;
        let s = s.as_bytes();
        let len = s.len() as i64;
        let mut n = super::argcheck::to_integer(stack.get(1)).unwrap_or(0) - 1;
        if n < 0 {
            n = 0;
        } else if n < len {
            n += 1;
            while is_cont(s, n as usize) {
                n += 1;
            }
        }
        if n >= len {
            stack.clear();
            return Ok(CallbackReturn::Return);
        }
        match decode(s, n as usize) {
            Some((code, next)) if !is_cont(s, next) => {
                stack.replace(ctx, (n + 1, i64::from(code)));
                Ok(CallbackReturn::Return)
            }
            _ => Err(error(ctx, &exec, "invalid UTF-8 code")),
        }
    });
    let _ = utf8.set(
        ctx,
        "codes",
        Callback::from_fn_with(&ctx, iter, |iter, ctx, exec, mut stack| {
            let s = check_string(ctx, &exec, &stack, 0, "utf8.codes")?;
            stack.replace(ctx, (*iter, s, 0));
            Ok(CallbackReturn::Return)
        }),
    );
    let _ = ctx.globals().set(ctx, "utf8", utf8);
}

use super::base::set;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_follows_lua_5_3() {
        assert_eq!(decode(b"a", 0), Some((97, 1)));
        assert_eq!(decode("é".as_bytes(), 0), Some((0xE9, 2)));
        assert_eq!(decode(b"\xF4\x8F\xBF\xBF", 0), Some((0x10FFFF, 4)));
        assert_eq!(decode(b"\xF4\x90\x80\x80", 0), None); // above U+10FFFF
        assert_eq!(decode(b"\xC0\x80", 0), None); // overlong
        assert_eq!(decode(b"\xED\xA0\x80", 0), Some((0xD800, 3))); // surrogate: accepted
        assert_eq!(decode(b"\x80", 0), None);
        assert_eq!(decode(b"\xE2\x82", 0), None); // truncated
        assert_eq!(decode(b"\xF8\x88\x80\x80\x80", 0), None);
        let mut out = Vec::new();
        for c in [0u32, 0x7F, 0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF] {
            out.clear();
            encode(c, &mut out);
            assert_eq!(decode(&out, 0), Some((c, out.len())));
        }
    }
}
