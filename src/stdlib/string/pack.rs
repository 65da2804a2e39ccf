//! `string.pack`, `string.unpack` and `string.packsize` with Lua 5.3's format language:
//! `< > = ![n]` set endianness and maximum alignment; `b B h H l L j J T i[n] I[n]`
//! integers; `f d n` floats; `s[n]` length-prefixed, `z` zero-terminated and `c<n>`
//! fixed-size strings; `x` a padding byte; `X<op>` alignment to `op`; spaces are ignored.
//! Native sizes are those of 64-bit Linux (Lua's reference platform for our tests), so
//! results are the same on every host, wasm included.

use piccolo::{CallbackReturn, Context, Error, Execution, Stack, Value};

use super::{posrelat, CallbackResult, MAX_STRING_LEN};
use crate::stdlib::args::lua_error;
use crate::stdlib::args::{
    arg_error, byte_fuel, check_bytes, check_integer, check_number, new_string, new_string_from,
    opt_integer,
};
use crate::vm::budget;

/// Bytes in a `lua_Integer` (`SZINT`).
const SZINT: usize = 8;
/// Largest `i[n]`/`I[n]`/`s[n]` size (`MAXINTSIZE`).
const MAX_INT_SIZE: i64 = 16;
/// Default for `!` (`MAXALIGN`: the alignment of double, pointer and integer).
const MAX_ALIGN: i64 = 8;
/// Lua's `MAXSIZE` for these functions: `INT_MAX`.
const MAX_SIZE: usize = i32::MAX as usize;
/// Most values `unpack` returns at once (Lua's C stack limit is about a million slots).
const MAX_RESULTS: usize = 999_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Uint,
    Float,
    /// `c<n>`: fixed-size string.
    Char,
    /// `s[n]`: string preceded by its length.
    Str,
    /// `z`: zero-terminated string.
    Zstr,
    /// `x`: one padding byte.
    Padding,
    /// `X<op>`: alignment only.
    PadAlign,
    /// Options without data (`< > = ! space`).
    Nop,
}

/// An error worded as Lua does: either about an argument or a plain message.
enum PackError {
    Arg(usize, String),
    Msg(String),
}

impl PackError {
    fn into_lua<'gc>(
        self,
        ctx: Context<'gc>,
        exec: &Execution<'gc, '_>,
        fname: &str,
    ) -> Error<'gc> {
        match self {
            PackError::Arg(n, msg) => arg_error(ctx, exec, n, fname, &msg),
            PackError::Msg(msg) => lua_error(ctx, exec, &msg),
        }
    }
}

/// One option of the format, with the padding that must precede it.
struct Item {
    kind: Kind,
    size: usize,
    align_pad: usize,
}

/// Reads a format string option by option (Lua's `Header` plus `getdetails`).
struct FormatReader<'a> {
    fmt: &'a [u8],
    pos: usize,
    little: bool,
    max_align: usize,
}

impl<'a> FormatReader<'a> {
    fn new(fmt: &'a [u8]) -> Self {
        FormatReader {
            fmt,
            pos: 0,
            little: true,
            max_align: 1,
        }
    }

    /// Like Lua, which reads the format as a C string, an embedded NUL ends it.
    fn at_end(&self) -> bool {
        self.fmt.get(self.pos).is_none_or(|&c| c == 0)
    }

    fn peek_digit(&self) -> bool {
        self.fmt.get(self.pos).is_some_and(u8::is_ascii_digit)
    }

    /// `getnum`: an optional decimal size, read until it would overflow an `int`.
    fn number(&mut self, default: i64) -> i64 {
        if !self.peek_digit() {
            return default;
        }
        let mut a: i64 = 0;
        loop {
            a = a * 10 + i64::from(self.fmt[self.pos] - b'0');
            self.pos += 1;
            if !(self.peek_digit() && a <= (MAX_SIZE as i64 - 9) / 10) {
                return a;
            }
        }
    }

    /// `getnumlimit`: a size in `1..=16`.
    fn limited_number(&mut self, default: i64) -> Result<usize, PackError> {
        let n = self.number(default);
        if n > MAX_INT_SIZE || n <= 0 {
            return Err(PackError::Msg(format!(
                "integral size ({n}) out of limits [1,{MAX_INT_SIZE}]"
            )));
        }
        Ok(n as usize)
    }

    /// `getoption`: the next option and its size.
    fn option(&mut self) -> Result<(Kind, usize), PackError> {
        let c = self.fmt.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        Ok(match c {
            b'b' => (Kind::Int, 1),
            b'B' => (Kind::Uint, 1),
            b'h' => (Kind::Int, 2),
            b'H' => (Kind::Uint, 2),
            b'l' | b'j' => (Kind::Int, 8),
            b'L' | b'J' | b'T' => (Kind::Uint, 8),
            b'f' => (Kind::Float, 4),
            b'd' | b'n' => (Kind::Float, 8),
            b'i' => (Kind::Int, self.limited_number(4)?),
            b'I' => (Kind::Uint, self.limited_number(4)?),
            b's' => (Kind::Str, self.limited_number(8)?),
            b'c' => {
                let n = self.number(-1);
                if n == -1 {
                    return Err(PackError::Msg("missing size for format option 'c'".into()));
                }
                (Kind::Char, n as usize)
            }
            b'z' => (Kind::Zstr, 0),
            b'x' => (Kind::Padding, 1),
            b'X' => (Kind::PadAlign, 0),
            b' ' => (Kind::Nop, 0),
            b'<' | b'=' => {
                self.little = true;
                (Kind::Nop, 0)
            }
            b'>' => {
                self.little = false;
                (Kind::Nop, 0)
            }
            b'!' => {
                self.max_align = self.limited_number(MAX_ALIGN)?;
                (Kind::Nop, 0)
            }
            c => {
                // `%c` of lua_pushfstring shows unprintable bytes as `<\code>`.
                let shown = if (0x20..0x7f).contains(&c) {
                    char::from(c).to_string()
                } else {
                    format!("<\\{c}>")
                };
                return Err(PackError::Msg(format!("invalid format option '{shown}'")));
            }
        })
    }

    /// `getdetails`: the next option, with the padding that aligns it after `total` bytes.
    fn next(&mut self, total: usize) -> Result<Item, PackError> {
        let (kind, size) = self.option()?;
        let mut align = size;
        if kind == Kind::PadAlign {
            if self.at_end() {
                return Err(bad_next_option());
            }
            let (next, next_size) = self.option()?;
            align = next_size;
            if next == Kind::Char || align == 0 {
                return Err(bad_next_option());
            }
        }
        let align_pad = if align <= 1 || kind == Kind::Char {
            0
        } else {
            let align = align.min(self.max_align);
            if !align.is_power_of_two() {
                return Err(PackError::Arg(
                    1,
                    "format asks for alignment not power of 2".into(),
                ));
            }
            (align - (total & (align - 1))) & (align - 1)
        };
        Ok(Item {
            kind,
            size,
            align_pad,
        })
    }
}

fn bad_next_option() -> PackError {
    PackError::Arg(1, "invalid next option for option 'X'".into())
}

/// Appends the low `size` bytes of `n` (sign-extended past 8 bytes when `negative`).
fn pack_int(out: &mut Vec<u8>, n: u64, little: bool, size: usize, negative: bool) {
    let start = out.len();
    for i in 0..size {
        let byte = if i < SZINT {
            (n >> (8 * i)) as u8
        } else if negative {
            0xff
        } else {
            0
        };
        out.push(byte);
    }
    if !little {
        out[start..].reverse();
    }
}

/// Reads a `size`-byte integer (`unpackint`).
fn unpack_int(data: &[u8], little: bool, size: usize, signed: bool) -> Result<i64, PackError> {
    let byte = |i: usize| if little { data[i] } else { data[size - 1 - i] };
    let limit = size.min(SZINT);
    let mut res: u64 = 0;
    for i in (0..limit).rev() {
        res = (res << 8) | u64::from(byte(i));
    }
    if size < SZINT {
        if signed {
            let mask = 1u64 << (size * 8 - 1);
            res = (res ^ mask).wrapping_sub(mask);
        }
    } else if size > SZINT {
        let fill = if !signed || (res as i64) >= 0 {
            0
        } else {
            0xff
        };
        if (limit..size).any(|i| byte(i) != fill) {
            return Err(PackError::Msg(format!(
                "{size}-byte integer does not fit into Lua Integer"
            )));
        }
    }
    Ok(res as i64)
}

fn float_bytes(x: f64, size: usize, little: bool, out: &mut Vec<u8>) {
    match (size, little) {
        (4, true) => out.extend_from_slice(&(x as f32).to_le_bytes()),
        (4, false) => out.extend_from_slice(&(x as f32).to_be_bytes()),
        (_, true) => out.extend_from_slice(&x.to_le_bytes()),
        (_, false) => out.extend_from_slice(&x.to_be_bytes()),
    }
}

fn read_float(data: &[u8], size: usize, little: bool) -> f64 {
    if size == 4 {
        let b = [data[0], data[1], data[2], data[3]];
        f64::from(if little {
            f32::from_le_bytes(b)
        } else {
            f32::from_be_bytes(b)
        })
    } else {
        let mut b = [0u8; 8];
        b.copy_from_slice(&data[..8]);
        if little {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        }
    }
}

fn too_large() -> PackError {
    PackError::Msg("resulting string too large".into())
}

pub fn pack<'gc>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> CallbackResult<'gc> {
    let fmt = check_bytes(ctx, &exec, &stack, 1, "string.pack")?;
    // Lua pushes a nil mark after the arguments, so the first missing one reads as "nil"
    // in its errors (and later ones as "no value").
    stack.push_back(Value::Nil);
    let mut reader = FormatReader::new(&fmt);
    let mut out = Vec::new();
    let mut arg = 1;
    // What the heap has room for (see `vm/budget.rs`): past it, the call pauses for a
    // collection before building more, and fails with the memory limit if that is not enough.
    let room = budget::room(ctx);
    while !reader.at_end() {
        let item = reader
            .next(out.len())
            .map_err(|e| e.into_lua(ctx, &exec, "string.pack"))?;
        if out.len() + item.align_pad + item.size > MAX_STRING_LEN {
            return Err(too_large().into_lua(ctx, &exec, "string.pack"));
        }
        if out.len() + item.align_pad + item.size > room {
            let bytes = out.len() + item.align_pad + item.size;
            return Ok(pause_for(ctx, &mut exec, &mut stack, bytes));
        }
        out.resize(out.len() + item.align_pad, 0);
        arg += 1;
        let little = reader.little;
        match item.kind {
            Kind::Int => {
                let n = check_integer(ctx, &exec, &stack, arg, "string.pack")?;
                if item.size < SZINT {
                    let lim = 1i64 << (item.size * 8 - 1);
                    if !(-lim..lim).contains(&n) {
                        return Err(arg_error(
                            ctx,
                            &exec,
                            arg,
                            "string.pack",
                            "integer overflow",
                        ));
                    }
                }
                pack_int(&mut out, n as u64, little, item.size, n < 0);
            }
            Kind::Uint => {
                let n = check_integer(ctx, &exec, &stack, arg, "string.pack")?;
                if item.size < SZINT && (n as u64) >= 1u64 << (item.size * 8) {
                    return Err(arg_error(
                        ctx,
                        &exec,
                        arg,
                        "string.pack",
                        "unsigned overflow",
                    ));
                }
                pack_int(&mut out, n as u64, little, item.size, false);
            }
            Kind::Float => {
                let x = check_number(ctx, &exec, &stack, arg, "string.pack")?;
                float_bytes(x, item.size, little, &mut out);
            }
            Kind::Char => {
                let s = check_bytes(ctx, &exec, &stack, arg, "string.pack")?;
                if s.len() > item.size {
                    return Err(arg_error(
                        ctx,
                        &exec,
                        arg,
                        "string.pack",
                        "string longer than given size",
                    ));
                }
                out.extend_from_slice(&s);
                out.resize(out.len() + item.size - s.len(), 0);
            }
            Kind::Str => {
                let s = check_bytes(ctx, &exec, &stack, arg, "string.pack")?;
                if item.size < SZINT && (s.len() as u64) >= 1u64 << (item.size * 8) {
                    return Err(arg_error(
                        ctx,
                        &exec,
                        arg,
                        "string.pack",
                        "string length does not fit in given size",
                    ));
                }
                if out.len() + s.len() > MAX_STRING_LEN {
                    return Err(too_large().into_lua(ctx, &exec, "string.pack"));
                }
                if out.len() + item.size + s.len() > room {
                    let bytes = out.len() + item.size + s.len();
                    return Ok(pause_for(ctx, &mut exec, &mut stack, bytes));
                }
                pack_int(&mut out, s.len() as u64, little, item.size, false);
                out.extend_from_slice(&s);
            }
            Kind::Zstr => {
                let s = check_bytes(ctx, &exec, &stack, arg, "string.pack")?;
                if s.contains(&0) {
                    return Err(arg_error(
                        ctx,
                        &exec,
                        arg,
                        "string.pack",
                        "string contains zeros",
                    ));
                }
                if out.len() + s.len() >= MAX_STRING_LEN {
                    return Err(too_large().into_lua(ctx, &exec, "string.pack"));
                }
                if out.len() + s.len() + 1 > room {
                    let bytes = out.len() + s.len() + 1;
                    return Ok(pause_for(ctx, &mut exec, &mut stack, bytes));
                }
                out.extend_from_slice(&s);
                out.push(0);
            }
            Kind::Padding => {
                out.push(0);
                arg -= 1;
            }
            Kind::PadAlign | Kind::Nop => arg -= 1,
        }
    }
    exec.fuel().consume(byte_fuel(out.len()));
    stack.replace(ctx, new_string(ctx, out));
    Ok(CallbackReturn::Return)
}

/// Pauses `pack` until the heap has room for `bytes` (it then starts over).
fn pause_for<'gc>(
    ctx: Context<'gc>,
    exec: &mut Execution<'gc, '_>,
    stack: &mut Stack<'gc, '_>,
    bytes: usize,
) -> CallbackReturn<'gc> {
    // The nil mark pushed after the arguments: the call starts over with the arguments only.
    stack.pop_back();
    // Either the request is recorded (the `Vm` collects first) or room was granted.
    let _ = budget::reserve(ctx, exec, bytes);
    budget::retry(ctx, pack)
}

pub fn packsize<'gc>(
    ctx: Context<'gc>,
    exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> CallbackResult<'gc> {
    let fmt = check_bytes(ctx, &exec, &stack, 1, "string.packsize")?;
    let mut reader = FormatReader::new(&fmt);
    let mut total: usize = 0;
    while !reader.at_end() {
        let item = reader
            .next(total)
            .map_err(|e| e.into_lua(ctx, &exec, "string.packsize"))?;
        let size = item.size + item.align_pad;
        if total > MAX_SIZE.saturating_sub(size) {
            return Err(arg_error(
                ctx,
                &exec,
                1,
                "string.packsize",
                "format result too large",
            ));
        }
        total += size;
        if let Kind::Str | Kind::Zstr = item.kind {
            return Err(arg_error(
                ctx,
                &exec,
                1,
                "string.packsize",
                "variable-length format",
            ));
        }
    }
    stack.replace(ctx, total as i64);
    Ok(CallbackReturn::Return)
}

pub fn unpack<'gc>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> CallbackResult<'gc> {
    let fmt = check_bytes(ctx, &exec, &stack, 1, "string.unpack")?;
    let data = check_bytes(ctx, &exec, &stack, 2, "string.unpack")?;
    let ld = data.len();
    let init = posrelat(opt_integer(ctx, &exec, &stack, 3, "string.unpack", 1)?, ld) - 1;
    let mut pos = match usize::try_from(init) {
        Ok(p) if p <= ld => p,
        _ => {
            return Err(arg_error(
                ctx,
                &exec,
                3,
                "string.unpack",
                "initial position out of string",
            ))
        }
    };
    let mut reader = FormatReader::new(&fmt);
    let mut results: Vec<Value<'gc>> = Vec::new();
    let short = || arg_error(ctx, &exec, 2, "string.unpack", "data string too short");
    while !reader.at_end() {
        let item = reader
            .next(pos)
            .map_err(|e| e.into_lua(ctx, &exec, "string.unpack"))?;
        let needed = item.align_pad.checked_add(item.size).ok_or_else(short)?;
        if pos.checked_add(needed).is_none_or(|end| end > ld) {
            return Err(short());
        }
        pos += item.align_pad;
        if results.len() >= MAX_RESULTS {
            return Err(lua_error(ctx, &exec, "stack overflow (too many results)"));
        }
        let little = reader.little;
        let here = &data[pos..];
        match item.kind {
            Kind::Int | Kind::Uint => {
                let n = unpack_int(here, little, item.size, item.kind == Kind::Int)
                    .map_err(|e| e.into_lua(ctx, &exec, "string.unpack"))?;
                results.push(Value::Integer(n));
            }
            Kind::Float => results.push(Value::Number(read_float(here, item.size, little))),
            Kind::Char => results.push(new_string_from(ctx, &here[..item.size])),
            Kind::Str => {
                let len = unpack_int(here, little, item.size, false)
                    .map_err(|e| e.into_lua(ctx, &exec, "string.unpack"))?
                    as u64;
                let available = (ld - pos - item.size) as u64;
                if len > available {
                    return Err(short());
                }
                let len = len as usize;
                let start = pos + item.size;
                results.push(new_string_from(ctx, &data[start..start + len]));
                pos += len;
            }
            Kind::Zstr => {
                // Lua's strings end in a hidden NUL, so an unterminated one runs to the end
                // and the position moves one past it.
                let len = here.iter().position(|&c| c == 0).unwrap_or(here.len());
                results.push(new_string_from(ctx, &here[..len]));
                pos += len + 1;
            }
            Kind::Padding | Kind::PadAlign | Kind::Nop => {}
        }
        pos += item.size;
    }
    exec.fuel()
        .consume(byte_fuel(pos) + results.len() as i32 / 8);
    results.push(Value::Integer(pos as i64 + 1));
    stack.clear();
    stack.extend(results);
    Ok(CallbackReturn::Return)
}
