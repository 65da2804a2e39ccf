//! Lua 5.2's `bit32` library, as the Lua 5.3 builds of aos and Debian include it
//! (`LUA_COMPAT_BITLIB`): 32-bit unsigned results as integers, arguments read as Lua
//! integers (`number has no integer representation` for 1.5) and reduced modulo 2^32.

use piccolo::{CallbackReturn, Context, Error, Execution, Stack, Table};

use super::argcheck::{bad_arg, check_integer, error, opt_integer};
use super::base::set;

const NBITS: i64 = 32;
const ALLONES: u64 = 0xFFFF_FFFF;

fn trim(x: u64) -> u64 {
    x & ALLONES
}

/// `luaL_checkunsigned`: the integer argument, as an unsigned 64-bit value.
fn unsigned<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    i: usize,
    fname: &str,
) -> Result<u64, Error<'gc>> {
    Ok(check_integer(ctx, exec, stack, i, fname)? as u64)
}

/// The AND of every argument (all ones without arguments).
fn and_all<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    fname: &str,
) -> Result<u64, Error<'gc>> {
    let mut r = !0u64;
    for i in 0..stack.len() {
        r &= unsigned(ctx, exec, stack, i, fname)?;
    }
    Ok(trim(r))
}

/// A logical shift: left for positive `i`, right for negative.
fn shift(r: u64, i: i64) -> u64 {
    if i < 0 {
        let i = i.unsigned_abs();
        let r = trim(r);
        if i >= NBITS as u64 {
            0
        } else {
            r >> i
        }
    } else if i >= NBITS {
        0
    } else {
        trim(r << i)
    }
}

fn rotate(r: u64, d: i64) -> u64 {
    let i = (d & (NBITS - 1)) as u32;
    let r = trim(r);
    if i == 0 {
        r
    } else {
        trim((r << i) | (r >> (NBITS as u32 - i)))
    }
}

fn mask(width: u32) -> u64 {
    trim(!((ALLONES << 1) << (width - 1)))
}

/// The `field, width` arguments of `extract` and `replace`, checked as Lua does.
fn field_args<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    farg: usize,
    fname: &str,
) -> Result<(u32, u32), Error<'gc>> {
    let f = check_integer(ctx, exec, stack, farg, fname)?;
    let w = opt_integer(ctx, exec, stack, farg + 1, fname, 1)?;
    if f < 0 {
        return Err(bad_arg(ctx, exec, farg, fname, "field cannot be negative"));
    }
    if w <= 0 {
        return Err(bad_arg(
            ctx,
            exec,
            farg + 1,
            fname,
            "width must be positive",
        ));
    }
    if i128::from(f) + i128::from(w) > i128::from(NBITS) {
        return Err(error(ctx, exec, "trying to access non-existent bits"));
    }
    Ok((f as u32, w as u32))
}

fn push<'gc>(ctx: Context<'gc>, mut stack: Stack<'gc, '_>, r: u64) -> CallbackReturn<'gc> {
    stack.replace(ctx, r as i64);
    CallbackReturn::Return
}

pub fn install<'gc>(ctx: Context<'gc>) {
    let bit32 = Table::new(&ctx);
    set(ctx, bit32, "band", |ctx, exec, stack| {
        let r = and_all(ctx, &exec, &stack, "bit32.band")?;
        Ok(push(ctx, stack, r))
    });
    set(ctx, bit32, "btest", |ctx, exec, mut stack| {
        let r = and_all(ctx, &exec, &stack, "bit32.btest")?;
        stack.replace(ctx, r != 0);
        Ok(CallbackReturn::Return)
    });
    set(ctx, bit32, "bor", |ctx, exec, stack| {
        let mut r = 0u64;
        for i in 0..stack.len() {
            r |= unsigned(ctx, &exec, &stack, i, "bit32.bor")?;
        }
        Ok(push(ctx, stack, trim(r)))
    });
    set(ctx, bit32, "bxor", |ctx, exec, stack| {
        let mut r = 0u64;
        for i in 0..stack.len() {
            r ^= unsigned(ctx, &exec, &stack, i, "bit32.bxor")?;
        }
        Ok(push(ctx, stack, trim(r)))
    });
    set(ctx, bit32, "bnot", |ctx, exec, stack| {
        let r = !unsigned(ctx, &exec, &stack, 0, "bit32.bnot")?;
        Ok(push(ctx, stack, trim(r)))
    });
    set(ctx, bit32, "lshift", |ctx, exec, stack| {
        let r = unsigned(ctx, &exec, &stack, 0, "bit32.lshift")?;
        let i = check_integer(ctx, &exec, &stack, 1, "bit32.lshift")?;
        Ok(push(ctx, stack, shift(r, i)))
    });
    set(ctx, bit32, "rshift", |ctx, exec, stack| {
        let r = unsigned(ctx, &exec, &stack, 0, "bit32.rshift")?;
        let i = check_integer(ctx, &exec, &stack, 1, "bit32.rshift")?;
        // Lua negates the count (wrapping at the minimum integer, which then shifts right).
        Ok(push(ctx, stack, shift(r, i.wrapping_neg())))
    });
    set(ctx, bit32, "arshift", |ctx, exec, stack| {
        let r = unsigned(ctx, &exec, &stack, 0, "bit32.arshift")?;
        let i = check_integer(ctx, &exec, &stack, 1, "bit32.arshift")?;
        let r = if i < 0 || r & (1 << (NBITS - 1)) == 0 {
            shift(r, i.wrapping_neg())
        } else if i >= NBITS {
            ALLONES
        } else {
            // Shift in copies of the sign bit.
            trim((r >> i) | !(ALLONES >> i))
        };
        Ok(push(ctx, stack, r))
    });
    set(ctx, bit32, "lrotate", |ctx, exec, stack| {
        // Lua reads the count first (it is an argument of the call that reads the value).
        let d = check_integer(ctx, &exec, &stack, 1, "bit32.lrotate")?;
        let r = unsigned(ctx, &exec, &stack, 0, "bit32.lrotate")?;
        Ok(push(ctx, stack, rotate(r, d)))
    });
    set(ctx, bit32, "rrotate", |ctx, exec, stack| {
        // Lua reads the count first (it is an argument of the call that reads the value).
        let d = check_integer(ctx, &exec, &stack, 1, "bit32.rrotate")?;
        let r = unsigned(ctx, &exec, &stack, 0, "bit32.rrotate")?;
        Ok(push(ctx, stack, rotate(r, d.wrapping_neg())))
    });
    set(ctx, bit32, "extract", |ctx, exec, stack| {
        let r = trim(unsigned(ctx, &exec, &stack, 0, "bit32.extract")?);
        let (f, w) = field_args(ctx, &exec, &stack, 1, "bit32.extract")?;
        Ok(push(ctx, stack, (r >> f) & mask(w)))
    });
    set(ctx, bit32, "replace", |ctx, exec, stack| {
        let r = trim(unsigned(ctx, &exec, &stack, 0, "bit32.replace")?);
        let v = trim(unsigned(ctx, &exec, &stack, 1, "bit32.replace")?);
        let (f, w) = field_args(ctx, &exec, &stack, 2, "bit32.replace")?;
        let m = mask(w);
        Ok(push(ctx, stack, (r & !(m << f)) | ((v & m) << f)))
    });
    let _ = ctx.globals().set(ctx, "bit32", bit32);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_and_rotations() {
        assert_eq!(shift(1, 31), 0x8000_0000);
        assert_eq!(shift(1, 32), 0);
        assert_eq!(shift(u64::MAX, -1), 0x7FFF_FFFF);
        assert_eq!(shift(5, i64::MIN), 0);
        assert_eq!(rotate(0x8000_0001, 1), 3);
        assert_eq!(rotate(1, -1), 0x8000_0000);
        assert_eq!(mask(32), ALLONES);
        assert_eq!(mask(1), 1);
    }
}
