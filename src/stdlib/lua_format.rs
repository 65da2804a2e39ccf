//! Lua 5.3 `string.format`, matching PUC Lua 5.3.6 (`str_format` in
//! lstrlib.c) on glibc, including its error messages.

use std::fmt;

use super::lua_number::{
    float_to_int_exact, fmt_float, fmt_float_spec, fmt_hex_float, fmt_int_spec, fmt_integer,
    pad_field, parse_number, LuaNum, Spec,
};

/// One argument of `string.format`, already resolved by the caller.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FormatArg<'a> {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a [u8]),
    /// Any other value. `type_name` is what Lua's type errors show (the
    /// `__name` metafield if the caller honours it, else the type);
    /// `display` is what `tostring` produced (after `__tostring`).
    Other {
        type_name: &'a str,
        display: &'a [u8],
    },
}

/// A `string.format` failure, structured so a host can re-word it (e.g.
/// for method calls, where Lua shifts argument numbers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// `bad argument #arg to 'format' (msg)`; `arg` counts the format
    /// string as #1.
    BadArgument { arg: usize, msg: String },
    /// Any other error, complete.
    Message(String),
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::BadArgument { arg, msg } => {
                write!(f, "bad argument #{arg} to 'format' ({msg})")
            }
            FormatError::Message(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for FormatError {}

/// Lua 5.3 `string.format(fmt, args...)`, appending the result to `out`.
///
/// The error string is Lua's message without the `chunk:line:` prefix
/// (Lua adds the caller's position; the host should do the same). On error
/// `out` is restored to its original length.
pub fn format(fmt: &[u8], args: &[FormatArg], out: &mut Vec<u8>) -> Result<(), String> {
    format_detailed(fmt, args, out).map_err(|e| e.to_string())
}

/// Like [`format`], with a structured error.
pub fn format_detailed(
    fmt: &[u8],
    args: &[FormatArg],
    out: &mut Vec<u8>,
) -> Result<(), FormatError> {
    let start = out.len();
    let result = format_into(fmt, args, out);
    if result.is_err() {
        out.truncate(start);
    }
    result
}

/// Flag characters accepted by Lua (`L_FMTFLAGS`).
const FLAGS: &[u8] = b"-+ #0";

fn format_into(fmt: &[u8], args: &[FormatArg], out: &mut Vec<u8>) -> Result<(), FormatError> {
    // Lua reads the format as a C string: past the end (and at an embedded
    // NUL) scanning sees '\0', which is never a flag, digit or conversion.
    let at = |i: usize| fmt.get(i).copied().unwrap_or(0);
    let mut i = 0;
    let mut nargs = 0;
    while i < fmt.len() {
        if fmt[i] != b'%' {
            let end = fmt[i..]
                .iter()
                .position(|&c| c == b'%')
                .map_or(fmt.len(), |n| i + n);
            out.extend_from_slice(&fmt[i..end]);
            i = end;
            continue;
        }
        i += 1;
        if at(i) == b'%' {
            out.push(b'%');
            i += 1;
            continue;
        }

        // Lua checks for a missing argument before looking at the spec.
        nargs += 1;
        let argn = nargs + 1;
        let arg = *args
            .get(nargs - 1)
            .ok_or_else(|| bad_arg(argn, "no value"))?;

        let spec_start = i;
        let mut spec = Spec::default();
        while at(i) != 0 && FLAGS.contains(&at(i)) {
            match at(i) {
                b'-' => spec.minus = true,
                b'+' => spec.plus = true,
                b' ' => spec.space = true,
                b'#' => spec.alt = true,
                _ => spec.zero = true,
            }
            i += 1;
        }
        // Lua only limits the count of flag characters, not repeats as such.
        if i - spec_start > FLAGS.len() {
            return Err(message("invalid format (repeated flags)"));
        }
        spec.width = read_2_digits(fmt, &mut i);
        if at(i) == b'.' {
            i += 1;
            spec.precision = Some(read_2_digits(fmt, &mut i));
        }
        if at(i).is_ascii_digit() {
            return Err(message("invalid format (width or precision too long)"));
        }
        let has_modifiers = i != spec_start;
        let conv = at(i);
        i += 1;

        match conv {
            b'c' => {
                let c = check_integer(arg, argn)?;
                let field = out.len();
                // C converts to `int`, then to `unsigned char`.
                out.push(c as u8);
                pad_field(out, field, field, &spec, false);
            }
            b'd' | b'i' | b'o' | b'u' | b'x' | b'X' => {
                let n = check_integer(arg, argn)?;
                if !fmt_int_spec(n, conv, &spec, out) {
                    return Err(invalid_option(conv));
                }
            }
            b'a' | b'A' | b'e' | b'E' | b'f' | b'g' | b'G' => {
                let x = check_number(arg, argn)?;
                if !fmt_float_spec(x, conv, &spec, out) {
                    return Err(invalid_option(conv));
                }
            }
            // Lua 5.3 ignores any modifiers of '%q'.
            b'q' => add_literal(arg, argn, out)?,
            b's' => add_string(arg, argn, has_modifiers, &spec, out)?,
            _ => return Err(invalid_option(conv)),
        }
    }
    Ok(())
}

/// Reads at most two decimal digits (Lua's limit for width and precision).
fn read_2_digits(fmt: &[u8], i: &mut usize) -> usize {
    let mut v = 0;
    for _ in 0..2 {
        match fmt.get(*i) {
            Some(&c) if c.is_ascii_digit() => {
                v = v * 10 + usize::from(c - b'0');
                *i += 1;
            }
            _ => break,
        }
    }
    v
}

fn bad_arg(arg: usize, msg: &str) -> FormatError {
    FormatError::BadArgument {
        arg,
        msg: msg.to_owned(),
    }
}

fn message(msg: &str) -> FormatError {
    FormatError::Message(msg.to_owned())
}

/// Lua prints the option with `%c` of `lua_pushfstring`, which shows
/// non-printable bytes as `<\code>`.
fn invalid_option(conv: u8) -> FormatError {
    let shown = if conv == b' ' || conv.is_ascii_graphic() {
        char::from(conv).to_string()
    } else {
        format!("<\\{conv}>")
    };
    FormatError::Message(format!("invalid option '%{shown}' to 'format'"))
}

fn type_name<'a>(arg: FormatArg<'a>) -> &'a str {
    match arg {
        FormatArg::Nil => "nil",
        FormatArg::Bool(_) => "boolean",
        FormatArg::Int(_) | FormatArg::Float(_) => "number",
        FormatArg::Str(_) => "string",
        FormatArg::Other { type_name, .. } => type_name,
    }
}

fn type_error(arg: FormatArg, argn: usize) -> FormatError {
    FormatError::BadArgument {
        arg: argn,
        msg: format!("number expected, got {}", type_name(arg)),
    }
}

/// `luaL_checknumber`: numbers, and strings that convert to numbers.
fn check_number(arg: FormatArg, argn: usize) -> Result<f64, FormatError> {
    match arg {
        FormatArg::Int(i) => Ok(i as f64),
        FormatArg::Float(f) => Ok(f),
        FormatArg::Str(s) => match parse_number(s) {
            Some(LuaNum::Int(i)) => Ok(i as f64),
            Some(LuaNum::Float(f)) => Ok(f),
            None => Err(type_error(arg, argn)),
        },
        _ => Err(type_error(arg, argn)),
    }
}

/// `luaL_checkinteger`: integers, floats with an exact integer value, and
/// strings converting to either.
fn check_integer(arg: FormatArg, argn: usize) -> Result<i64, FormatError> {
    let num = match arg {
        FormatArg::Int(i) => LuaNum::Int(i),
        FormatArg::Float(f) => LuaNum::Float(f),
        FormatArg::Str(s) => parse_number(s).ok_or_else(|| type_error(arg, argn))?,
        _ => return Err(type_error(arg, argn)),
    };
    match num {
        LuaNum::Int(i) => Ok(i),
        LuaNum::Float(f) => float_to_int_exact(f)
            .ok_or_else(|| bad_arg(argn, "number has no integer representation")),
    }
}

/// `%s`: the value's `tostring`, with flags, width and precision applied.
fn add_string(
    arg: FormatArg,
    argn: usize,
    has_modifiers: bool,
    spec: &Spec,
    out: &mut Vec<u8>,
) -> Result<(), FormatError> {
    let field = out.len();
    match arg {
        FormatArg::Nil => out.extend_from_slice(b"nil"),
        FormatArg::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        FormatArg::Int(i) => fmt_integer(i, out),
        FormatArg::Float(f) => fmt_float(f, out),
        FormatArg::Str(s) | FormatArg::Other { display: s, .. } => {
            // With modifiers Lua hands the text to C's sprintf, which would
            // stop at a NUL, so it refuses such strings outright.
            if has_modifiers && s.contains(&0) {
                return Err(bad_arg(argn, "string contains zeros"));
            }
            let n = spec.precision.map_or(s.len(), |p| p.min(s.len()));
            out.extend_from_slice(&s[..n]);
        }
    }
    if let Some(p) = spec.precision {
        out.truncate(out.len().min(field + p));
    }
    pad_field(out, field, field, spec, false);
    Ok(())
}

/// `%q`: the value as a Lua literal (`addliteral` in Lua 5.3).
fn add_literal(arg: FormatArg, argn: usize, out: &mut Vec<u8>) -> Result<(), FormatError> {
    match arg {
        FormatArg::Str(s) => add_quoted(s, out),
        // "-9223372036854775808" would read back as a float (the literal
        // 9223372036854775808 overflows before negation), so Lua uses hex.
        FormatArg::Int(i64::MIN) => out.extend_from_slice(b"0x8000000000000000"),
        FormatArg::Int(i) => fmt_integer(i, out),
        // Lua 5.3 uses plain "%a" here, so inf/nan come out as "inf", "-nan".
        FormatArg::Float(f) => fmt_hex_float(f, out),
        FormatArg::Nil => out.extend_from_slice(b"nil"),
        FormatArg::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        FormatArg::Other { .. } => return Err(bad_arg(argn, "value has no literal form")),
    }
    Ok(())
}

/// Quotes a string so Lua reads it back byte for byte (`addquoted`).
fn add_quoted(s: &[u8], out: &mut Vec<u8>) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    for (k, &c) in s.iter().enumerate() {
        match c {
            b'"' | b'\\' | b'\n' => out.extend_from_slice(&[b'\\', c]),
            // C `iscntrl` in the C locale.
            0..=0x1f | 0x7f => {
                out.push(b'\\');
                // A following digit would extend the escape, so pad to 3.
                let next_is_digit = s.get(k + 1).is_some_and(u8::is_ascii_digit);
                if next_is_digit {
                    out.extend_from_slice(&[b'0' + c / 100, b'0' + c / 10 % 10, b'0' + c % 10]);
                } else {
                    fmt_integer(i64::from(c), out);
                }
            }
            _ => out.push(c),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use FormatArg::*;

    fn f(fmt: &str, args: &[FormatArg]) -> Result<String, String> {
        let mut out = b"keep:".to_vec();
        let r = format(fmt.as_bytes(), args, &mut out);
        match r {
            Ok(()) => Ok(String::from_utf8_lossy(&out[5..]).into_owned()),
            Err(e) => {
                assert_eq!(out, b"keep:");
                Err(e)
            }
        }
    }

    #[test]
    fn basics() {
        assert_eq!(
            f(
                "%d|%5s|%-5s|%.2s",
                &[Int(3), Str(b"ab"), Str(b"ab"), Str(b"abc")]
            )
            .unwrap(),
            "3|   ab|ab   |ab"
        );
        assert_eq!(
            f("%5.1f|%g|%s", &[Float(3.24159), Float(1e20), Float(2.0)]).unwrap(),
            "  3.2|1e+20|2.0"
        );
        assert_eq!(f("%d %x", &[Float(3.0), Str(b"0x10")]).unwrap(), "3 10");
        assert_eq!(f("%f", &[Str(b" 1e1 ")]).unwrap(), "10.000000");
        assert_eq!(f("100%%", &[]).unwrap(), "100%");
        assert_eq!(
            f(
                "%s %s %s",
                &[
                    Nil,
                    Bool(true),
                    Other {
                        type_name: "table",
                        display: b"table: 0x1"
                    }
                ]
            )
            .unwrap(),
            "nil true table: 0x1"
        );
        assert_eq!(
            f(
                "%.3s",
                &[Other {
                    type_name: "table",
                    display: b"table: 0x1"
                }]
            )
            .unwrap(),
            "tab"
        );
        assert_eq!(
            f("%.3s|%5.1s", &[Float(0.25), Int(-42)]).unwrap(),
            "0.2|    -"
        );
        assert_eq!(f("%s", &[Str(b"a\0b")]).unwrap(), "a\0b");
        assert_eq!(f("%c%c", &[Int(0), Int(256 + 65)]).unwrap(), "\0A");
    }

    #[test]
    fn quoting() {
        assert_eq!(
            f("%q", &[Str(b"a\0b\x01c\x012\r\n\"\\\x7f\xff")]).unwrap(),
            "\"a\\0b\\1c\\0012\\13\\\n\\\"\\\\\\127\u{FFFD}\""
        );
        assert_eq!(
            f("%q %q %q", &[Int(i64::MIN), Int(-5), Float(1.0)]).unwrap(),
            "0x8000000000000000 -5 0x1p+0"
        );
        assert_eq!(
            f("%q %q %q", &[Float(f64::INFINITY), Nil, Bool(false)]).unwrap(),
            "inf nil false"
        );
        assert_eq!(f("%10q", &[Str(b"x")]).unwrap(), "\"x\"");
    }

    #[test]
    fn errors() {
        let t = Other {
            type_name: "table",
            display: b"",
        };
        assert_eq!(
            f("%d", &[Str(b"x")]).unwrap_err(),
            "bad argument #2 to 'format' (number expected, got string)"
        );
        assert_eq!(
            f("%d", &[Float(1.5)]).unwrap_err(),
            "bad argument #2 to 'format' (number has no integer representation)"
        );
        assert_eq!(
            f("%d", &[Str(b"1.5")]).unwrap_err(),
            "bad argument #2 to 'format' (number has no integer representation)"
        );
        assert_eq!(
            f("%d %d", &[Int(1)]).unwrap_err(),
            "bad argument #3 to 'format' (no value)"
        );
        assert_eq!(
            f("%y", &[Int(1)]).unwrap_err(),
            "invalid option '%y' to 'format'"
        );
        assert_eq!(
            f("%y", &[]).unwrap_err(),
            "bad argument #2 to 'format' (no value)"
        );
        assert_eq!(
            f("%", &[Int(1)]).unwrap_err(),
            "invalid option '%<\\0>' to 'format'"
        );
        assert_eq!(
            f("%\u{7f}", &[Int(1)]).unwrap_err(),
            "invalid option '%<\\127>' to 'format'"
        );
        assert_eq!(
            f("%F", &[Int(1)]).unwrap_err(),
            "invalid option '%F' to 'format'"
        );
        assert_eq!(
            f("%-+ #0-d", &[Int(1)]).unwrap_err(),
            "invalid format (repeated flags)"
        );
        assert_eq!(f("%-----d", &[Int(1)]).unwrap(), "1");
        assert_eq!(
            f("%123d", &[Int(1)]).unwrap_err(),
            "invalid format (width or precision too long)"
        );
        assert_eq!(
            f("%1.123d", &[Int(1)]).unwrap_err(),
            "invalid format (width or precision too long)"
        );
        assert_eq!(
            f("%q", &[t]).unwrap_err(),
            "bad argument #2 to 'format' (value has no literal form)"
        );
        assert_eq!(
            f("%f", &[t]).unwrap_err(),
            "bad argument #2 to 'format' (number expected, got table)"
        );
        assert_eq!(
            f("%d", &[Nil]).unwrap_err(),
            "bad argument #2 to 'format' (number expected, got nil)"
        );
        assert_eq!(
            f("%5s", &[Str(b"a\0b")]).unwrap_err(),
            "bad argument #2 to 'format' (string contains zeros)"
        );
    }
}
