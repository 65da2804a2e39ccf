//! Lua 5.3 number <-> text conversion, matching PUC Lua 5.3 on glibc.
//!
//! Formatting follows C `printf` as implemented by glibc (which prints the
//! exact, correctly rounded decimal expansion of the binary value). The
//! decimal digits come from Rust's `{:.N}` / `{:.Ne}` formatting, which is
//! also exact and rounds ties to even, so only the C layout rules (exponent
//! style, `%g` selection, flags, padding) are implemented here.
//!
//! Parsing follows `luaO_str2num` (`l_str2int` then `l_str2d` / `strtod`)
//! and `tonumber(s, base)`.

use std::io::Write;

/// A Lua number: the two subtypes of Lua 5.3.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LuaNum {
    Int(i64),
    Float(f64),
}

/// Flags, width and precision of one `printf`-style conversion.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spec {
    /// `-`: left-justify within the field.
    pub minus: bool,
    /// `+`: always print a sign for signed conversions.
    pub plus: bool,
    /// ` `: print a space where a `+` sign would go.
    pub space: bool,
    /// `#`: alternate form.
    pub alt: bool,
    /// `0`: pad with zeros after the sign/prefix.
    pub zero: bool,
    /// Minimum field width (0 = none).
    pub width: usize,
    /// Precision, if given (`.` alone means `Some(0)`).
    pub precision: Option<usize>,
}

// ---------------------------------------------------------------------------
// Output helpers
// ---------------------------------------------------------------------------

/// Writes formatted text into `out`. Writing into a `Vec<u8>` cannot fail,
/// so the `io::Result` carries no information.
fn write_fmt(out: &mut Vec<u8>, args: std::fmt::Arguments<'_>) {
    let _ = out.write_fmt(args);
}

/// Inserts `n` copies of `byte` at `at`, shifting the tail right.
fn insert_fill(out: &mut Vec<u8>, at: usize, n: usize, byte: u8) {
    if n == 0 {
        return;
    }
    let old = out.len();
    out.resize(old + n, byte);
    out.copy_within(at..old, at + n);
    out[at..at + n].fill(byte);
}

/// Pads the field `out[start..]` to `spec.width` bytes.
///
/// `body` is the index where digits begin (after sign and `0x` prefix): zero
/// padding goes there, space padding goes before the whole field. `zero_ok`
/// is false where C ignores the `0` flag (inf/nan, integers with precision,
/// strings and characters).
pub fn pad_field(out: &mut Vec<u8>, start: usize, body: usize, spec: &Spec, zero_ok: bool) {
    let len = out.len() - start;
    if len >= spec.width {
        return;
    }
    let n = spec.width - len;
    if spec.minus {
        out.resize(out.len() + n, b' ');
    } else if spec.zero && zero_ok {
        insert_fill(out, body, n, b'0');
    } else {
        insert_fill(out, start, n, b' ');
    }
}

/// Writes the decimal digits of `v` (no sign).
fn push_u64(v: u64, out: &mut Vec<u8>) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut v = v;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

// ---------------------------------------------------------------------------
// tostring
// ---------------------------------------------------------------------------

/// Lua's `tostring` of an integer (`"%lld"`).
pub fn fmt_integer(i: i64, out: &mut Vec<u8>) {
    if i < 0 {
        out.push(b'-');
    }
    push_u64(i.unsigned_abs(), out);
}

/// Lua's `tostring` of a float: `"%.14g"`, plus `".0"` when the result
/// looks like an integer (so floats stay distinguishable from integers).
///
/// NaN prints as `"nan"` or `"-nan"` according to its sign bit, as glibc
/// does; on x86-64 `0/0` produces a negative NaN, hence `"-nan"`.
pub fn fmt_float(x: f64, out: &mut Vec<u8>) {
    let start = out.len();
    let spec = Spec {
        precision: Some(14),
        ..Spec::default()
    };
    fmt_g(x, &spec, false, out);
    if out[start..]
        .iter()
        .all(|&c| c == b'-' || c.is_ascii_digit())
    {
        out.extend_from_slice(b".0");
    }
}

// ---------------------------------------------------------------------------
// printf-style float conversions
// ---------------------------------------------------------------------------

/// Formats `x` like C `printf` with conversion `conv` (one of `eEfFgGaA`).
///
/// Precision is unbounded (Lua itself limits it to two digits).
///
/// Returns `false` (and writes nothing) if `conv` is not one of the listed conversions.
#[must_use]
pub fn fmt_float_spec(x: f64, conv: u8, spec: &Spec, out: &mut Vec<u8>) -> bool {
    let upper = conv.is_ascii_uppercase();
    match conv.to_ascii_lowercase() {
        b'e' => fmt_e(x, spec, upper, out),
        b'f' => fmt_f(x, spec, upper, out),
        b'g' => fmt_g(x, spec, upper, out),
        b'a' => fmt_a(x, spec, upper, out),
        _ => return false,
    }
    true
}

/// Plain `%a` (no flags, width or precision), as `%q` uses for floats.
pub fn fmt_hex_float(x: f64, out: &mut Vec<u8>) {
    fmt_a(x, &Spec::default(), false, out);
}

/// Pushes the sign character of `x` (if any) and returns `|x|`.
fn push_sign(x: f64, spec: &Spec, out: &mut Vec<u8>) -> f64 {
    if x.is_sign_negative() {
        out.push(b'-');
    } else if spec.plus {
        out.push(b'+');
    } else if spec.space {
        out.push(b' ');
    }
    x.abs()
}

/// Handles inf and nan for all float conversions; returns false for finite
/// values. C never zero-pads these.
fn nonfinite(x: f64, spec: &Spec, upper: bool, out: &mut Vec<u8>) -> bool {
    if x.is_finite() {
        return false;
    }
    let start = out.len();
    push_sign(x, spec, out);
    let text: &[u8] = match (x.is_nan(), upper) {
        (true, false) => b"nan",
        (true, true) => b"NAN",
        (false, false) => b"inf",
        (false, true) => b"INF",
    };
    out.extend_from_slice(text);
    pad_field(out, start, start, spec, false);
    true
}

/// Appends a C exponent suffix: `e+05`, `e-300` (at least two digits).
fn push_exponent(exp: i32, upper: bool, out: &mut Vec<u8>) {
    out.push(if upper { b'E' } else { b'e' });
    out.push(if exp < 0 { b'-' } else { b'+' });
    let e = exp.unsigned_abs();
    if e < 10 {
        out.push(b'0');
    }
    push_u64(u64::from(e), out);
}

/// Writes `ax` (non-negative, finite) in Rust's exact scientific form with
/// `prec` fraction digits at the end of `out`, strips Rust's `e<exp>`
/// suffix and returns the decimal exponent. Leaves `d` or `d.ddd` behind.
fn push_sci_digits(ax: f64, prec: usize, out: &mut Vec<u8>) -> i32 {
    let start = out.len();
    write_fmt(out, format_args!("{ax:.prec$e}"));
    // Rust's scientific format always ends in `e<small integer>`; were it ever missing,
    // the digits are left as written with exponent 0 rather than trapping.
    let Some(rel) = out[start..].iter().rposition(|&c| c == b'e') else {
        return 0;
    };
    let e_pos = start + rel;
    let exp = std::str::from_utf8(&out[e_pos + 1..])
        .ok()
        .and_then(|s| s.parse::<i32>().ok())
        .unwrap_or(0);
    out.truncate(e_pos);
    exp
}

/// Fast path for [`push_sci_digits`] with `p` significant digits: the
/// shortest round-trip digits are cheaper to produce than exact ones, and
/// when there are at most `p` of them (`p <= 15`, `ax` normal) they are the
/// exact rounding too: `ax` lies within 2^-53 (relative) of them, well
/// inside half a unit of the p-th digit. Pads to `p` digits; returns `None`
/// (leaving `out` unchanged) when the fast path does not apply.
fn push_short_sci_digits(ax: f64, p: usize, out: &mut Vec<u8>) -> Option<i32> {
    if p > 15 || ax < f64::MIN_POSITIVE {
        return None;
    }
    let start = out.len();
    write_fmt(out, format_args!("{ax:e}"));
    let e_pos = start + out[start..].iter().rposition(|&c| c == b'e')?;
    let digits = e_pos - start - usize::from(e_pos > start + 1);
    if digits > p {
        out.truncate(start);
        return None;
    }
    let exp = std::str::from_utf8(&out[e_pos + 1..]).ok()?.parse().ok()?;
    out.truncate(e_pos);
    if p > 1 && digits == 1 {
        out.push(b'.');
    }
    out.resize(out.len() + (p - digits), b'0');
    Some(exp)
}

/// `%e` / `%E`.
fn fmt_e(x: f64, spec: &Spec, upper: bool, out: &mut Vec<u8>) {
    if nonfinite(x, spec, upper, out) {
        return;
    }
    let start = out.len();
    let ax = push_sign(x, spec, out);
    let body = out.len();
    let prec = spec.precision.unwrap_or(6);
    let exp = push_sci_digits(ax, prec, out);
    if prec == 0 && spec.alt {
        out.push(b'.');
    }
    push_exponent(exp, upper, out);
    pad_field(out, start, body, spec, true);
}

/// `%f` / `%F`.
fn fmt_f(x: f64, spec: &Spec, upper: bool, out: &mut Vec<u8>) {
    if nonfinite(x, spec, upper, out) {
        return;
    }
    let start = out.len();
    let ax = push_sign(x, spec, out);
    let body = out.len();
    let prec = spec.precision.unwrap_or(6);
    write_fmt(out, format_args!("{ax:.prec$}"));
    if prec == 0 && spec.alt {
        out.push(b'.');
    }
    pad_field(out, start, body, spec, true);
}

/// `%g` / `%G`: with P significant digits and decimal exponent X (after
/// rounding to P digits), use `%e` style if X < -4 or X >= P, else `%f`
/// style with P-1-X decimals; then drop trailing zeros unless `#`.
fn fmt_g(x: f64, spec: &Spec, upper: bool, out: &mut Vec<u8>) {
    if nonfinite(x, spec, upper, out) {
        return;
    }
    let start = out.len();
    let ax = push_sign(x, spec, out);
    let body = out.len();
    let p = match spec.precision {
        None => 6,
        Some(0) => 1,
        Some(p) => p,
    };
    // Both styles show the same P rounded significant digits, so format
    // once in scientific form and move the point for the fixed style.
    let exp = match push_short_sci_digits(ax, p, out) {
        Some(exp) => exp,
        None => push_sci_digits(ax, p - 1, out),
    };
    let use_exp = exp < -4 || i64::from(exp) >= p as i64;
    if spec.alt && use_exp && i64::from(exp) == p as i64 && below_pow10(ax, p) {
        // glibc quirk, kept for fidelity: when only rounding lifts the value
        // to 10^P (e.g. "%#g" of 999999.5), glibc has already chosen zero
        // fraction digits for the fixed style and prints "1.e+06" rather
        // than "1.00000e+06".
        out.truncate(body + 1);
    }
    if !use_exp {
        if exp >= 0 {
            // "d.ddddd" -> "dddd.dd": shift the first `exp` fraction digits
            // left over the point, then put the point after them.
            let e = exp as usize;
            if p > 1 {
                out.copy_within(body + 2..body + 2 + e, body + 1);
                out[body + 1 + e] = b'.';
                if body + 2 + e == out.len() {
                    // No fraction digits remain; the point only stays for '#'.
                    out.pop();
                }
            }
        } else {
            // "d.ddd" -> "0.000dddd".
            let zeros = (-exp - 1) as usize;
            if p > 1 {
                out.remove(body + 1);
            }
            insert_fill(out, body, 2 + zeros, b'0');
            out[body + 1] = b'.';
        }
    }
    if spec.alt {
        if !out[body..].contains(&b'.') {
            out.push(b'.');
        }
    } else if out[body..].contains(&b'.') {
        while out.last() == Some(&b'0') {
            out.pop();
        }
        if out.last() == Some(&b'.') {
            out.pop();
        }
    }
    if use_exp {
        push_exponent(exp, upper, out);
    }
    pad_field(out, start, body, spec, true);
}

/// Whether `ax` (finite, non-negative) is below 10^p exactly.
fn below_pow10(ax: f64, p: usize) -> bool {
    // Powers of ten up to 1e22 are exact doubles.
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    // Beyond that the caller's question is moot: doubles of 10^22 or more
    // are integers, so rounding them to 23+ digits is exact and can never
    // carry up to 10^p. Answering `false` is then always right.
    POW10.get(p).is_some_and(|&limit| ax < limit)
}

/// `%a` / `%A`, laid out as glibc does: normal numbers as `0x1.hhhp+e`,
/// subnormals as `0x0.hhhp-1022`, zero as `0x0p+0`; without a precision
/// trailing zero digits are dropped, with one the mantissa is rounded to
/// nearest-even (a carry may turn the leading digit into `2`).
fn fmt_a(x: f64, spec: &Spec, upper: bool, out: &mut Vec<u8>) {
    if nonfinite(x, spec, upper, out) {
        return;
    }
    const FRAC_BITS: u32 = 52;
    const FRAC_DIGITS: usize = 13;
    let start = out.len();
    let ax = push_sign(x, spec, out);
    out.extend_from_slice(if upper { b"0X" } else { b"0x" });
    let body = out.len();

    let bits = ax.to_bits();
    let biased = (bits >> FRAC_BITS) as i32;
    let frac = bits & ((1u64 << FRAC_BITS) - 1);
    let (lead, exp) = match (biased, frac) {
        (0, 0) => (0u64, 0),
        (0, _) => (0, -1022),
        _ => (1, biased - 1023),
    };
    // Leading digit and 13 fraction digits as one 53-bit integer.
    let mut mant = (lead << FRAC_BITS) | frac;
    let ndigits = match spec.precision {
        None => FRAC_DIGITS - (frac.trailing_zeros() as usize / 4).min(FRAC_DIGITS),
        Some(p) if p < FRAC_DIGITS => {
            let shift = 4 * (FRAC_DIGITS - p) as u32;
            let rem = mant & ((1u64 << shift) - 1);
            let half = 1u64 << (shift - 1);
            mant >>= shift;
            if rem > half || (rem == half && mant & 1 == 1) {
                mant += 1;
            }
            mant <<= shift;
            p
        }
        Some(p) => p,
    };
    let digits = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    // After rounding the leading part may be 2 (or 1 for a subnormal).
    push_u64(mant >> FRAC_BITS, out);
    if ndigits > 0 || spec.alt {
        out.push(b'.');
    }
    for i in 0..ndigits.min(FRAC_DIGITS) {
        let shift = FRAC_BITS - 4 * (i as u32 + 1);
        out.push(digits[((mant >> shift) & 0xf) as usize]);
    }
    if ndigits > FRAC_DIGITS {
        out.resize(out.len() + ndigits - FRAC_DIGITS, b'0');
    }
    out.push(if upper { b'P' } else { b'p' });
    out.push(if exp < 0 { b'-' } else { b'+' });
    push_u64(u64::from(exp.unsigned_abs()), out);
    pad_field(out, start, body, spec, true);
}

// ---------------------------------------------------------------------------
// printf-style integer conversions
// ---------------------------------------------------------------------------

/// Formats `i` like C `printf("%lld")` family with conversion `conv` (one of
/// `diuoxX`). `u`, `o`, `x` and `X` print the two's-complement bits as an
/// unsigned number, as Lua does by passing the integer to printf.
///
/// Returns `false` (and writes nothing) if `conv` is not one of the listed conversions.
#[must_use]
pub fn fmt_int_spec(i: i64, conv: u8, spec: &Spec, out: &mut Vec<u8>) -> bool {
    let start = out.len();
    let (signed, radix, upper) = match conv {
        b'd' | b'i' => (true, 10, false),
        b'u' => (false, 10, false),
        b'o' => (false, 8, false),
        b'x' => (false, 16, false),
        b'X' => (false, 16, true),
        _ => return false,
    };
    let mag = if signed { i.unsigned_abs() } else { i as u64 };
    if signed {
        if i < 0 {
            out.push(b'-');
        } else if spec.plus {
            out.push(b'+');
        } else if spec.space {
            out.push(b' ');
        }
    }
    if spec.alt && radix == 16 && mag != 0 {
        out.extend_from_slice(if upper { b"0X" } else { b"0x" });
    }
    let body = out.len();

    // Digits, least significant first into a stack buffer (22 octal digits
    // is the longest u64).
    let digit_set = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut buf = [0u8; 22];
    let mut n = 0;
    let mut v = mag;
    while v != 0 {
        buf[buf.len() - 1 - n] = digit_set[(v % radix) as usize];
        v /= radix;
        n += 1;
    }
    let digits = &buf[buf.len() - n..];
    // Precision is the minimum number of digits; "%.0d" of 0 prints nothing.
    let mut min_digits = spec.precision.unwrap_or(1);
    if spec.alt && radix == 8 && min_digits <= n {
        // '#' with 'o' forces a leading zero digit.
        min_digits = n + 1;
    }
    out.resize(out.len() + min_digits.saturating_sub(n), b'0');
    out.extend_from_slice(digits);
    pad_field(out, start, body, spec, spec.precision.is_none());
    true
}

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

/// Lua's `lisspace` (C `isspace` in the C locale).
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn trim_spaces(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&c| !is_space(c)).unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|&c| !is_space(c))
        .map_or(start, |e| e + 1);
    &s[start..end]
}

/// Splits an optional leading sign; returns (negative, rest).
fn split_sign(s: &[u8]) -> (bool, &[u8]) {
    match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    }
}

fn hex_value(c: u8) -> Option<u32> {
    (c as char).to_digit(16)
}

fn strip_hex_prefix(s: &[u8]) -> Option<&[u8]> {
    match s {
        [b'0', b'x' | b'X', rest @ ..] => Some(rest),
        _ => None,
    }
}

/// Lua 5.3 string -> number conversion (`lua_stringtonumber`).
///
/// Tries an integer first (decimal that fits in i64, or hex wrapping modulo
/// 2^64), then a float (decimal or hex, as `strtod` reads it, but never
/// `inf`/`nan`). Surrounding whitespace is allowed, nothing else is.
pub fn parse_number(s: &[u8]) -> Option<LuaNum> {
    // Lua sees a C string: an embedded NUL ends the numeral early, and the
    // length check then rejects it.
    if s.contains(&0) {
        return None;
    }
    let t = trim_spaces(s);
    if let Some(i) = parse_int(t) {
        return Some(LuaNum::Int(i));
    }
    parse_float(t).map(LuaNum::Float)
}

/// `l_str2int` on an already trimmed string.
fn parse_int(t: &[u8]) -> Option<i64> {
    let (neg, digits) = split_sign(t);
    let mag = if let Some(hex) = strip_hex_prefix(digits) {
        if hex.is_empty() {
            return None;
        }
        hex.iter().try_fold(0u64, |a, &c| {
            hex_value(c).map(|d| a.wrapping_mul(16).wrapping_add(u64::from(d)))
        })?
    } else {
        if digits.is_empty() {
            return None;
        }
        // Decimal integers must fit; otherwise the numeral becomes a float.
        let limit = if neg { 1u64 << 63 } else { i64::MAX as u64 };
        digits.iter().try_fold(0u64, |a, &c| {
            if !c.is_ascii_digit() {
                return None;
            }
            a.checked_mul(10)?
                .checked_add(u64::from(c - b'0'))
                .filter(|&v| v <= limit)
        })?
    };
    let v = if neg { mag.wrapping_neg() } else { mag };
    Some(v as i64)
}

/// `l_str2d` on an already trimmed string: `strtod` grammar minus inf/nan.
fn parse_float(t: &[u8]) -> Option<f64> {
    let (neg, body) = split_sign(t);
    let v = if let Some(hex) = strip_hex_prefix(body) {
        parse_hex_float(hex)?
    } else {
        parse_dec_float(body)?
    };
    Some(if neg { -v } else { v })
}

/// Length of the leading run of bytes satisfying `pred`.
fn run_len(s: &[u8], pred: impl Fn(u8) -> bool) -> usize {
    s.iter().position(|&c| !pred(c)).unwrap_or(s.len())
}

/// Splits `digits ['.' digits]` off the front; returns (int, frac, rest).
/// `frac` is `None` when there is no point.
fn split_mantissa(s: &[u8], is_digit: fn(u8) -> bool) -> (&[u8], Option<&[u8]>, &[u8]) {
    let n = run_len(s, is_digit);
    let (int, rest) = s.split_at(n);
    match rest.split_first() {
        Some((b'.', after)) => {
            let m = run_len(after, is_digit);
            (int, Some(&after[..m]), &after[m..])
        }
        _ => (int, None, rest),
    }
}

/// Checks that `s` is exactly an exponent: marker, optional sign, digits.
/// Returns the signed digits part (without marker).
fn exponent_part(s: &[u8], markers: [u8; 2]) -> Option<&[u8]> {
    let (&m, rest) = s.split_first()?;
    if !markers.contains(&m) {
        return None;
    }
    let (_, digits) = split_sign(rest);
    (!digits.is_empty() && digits.iter().all(u8::is_ascii_digit)).then_some(rest)
}

/// Unsigned decimal float: `digits [. digits] [e [sign] digits]`, at least
/// one mantissa digit. The digits are converted by Rust's correctly rounded
/// parser, like glibc's `strtod`.
fn parse_dec_float(s: &[u8]) -> Option<f64> {
    let (int, frac, rest) = split_mantissa(s, |c| c.is_ascii_digit());
    if int.is_empty() && frac.is_none_or(<[u8]>::is_empty) {
        return None;
    }
    if !rest.is_empty() {
        exponent_part(rest, [b'e', b'E'])?;
    }
    // Only ASCII digits, '.', 'e', and signs remain, so this is valid UTF-8
    // in Rust's float grammar.
    std::str::from_utf8(s).ok()?.parse().ok()
}

/// Unsigned hex float after `0x`: `hex [. hex] [p [sign] digits]`, at least
/// one mantissa digit, correctly rounded (nearest, ties to even).
fn parse_hex_float(s: &[u8]) -> Option<f64> {
    let (int, frac, rest) = split_mantissa(s, |c| c.is_ascii_hexdigit());
    let frac = frac.unwrap_or(&[]);
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut exp2: i64 = 0;
    if !rest.is_empty() {
        let e = exponent_part(rest, [b'p', b'P'])?;
        let (neg, digits) = split_sign(e);
        // Saturate: anything beyond this already over/underflows.
        let mag = digits
            .iter()
            .fold(0i64, |a, &c| (a * 10 + i64::from(c - b'0')).min(1 << 40));
        exp2 = if neg { -mag } else { mag };
    }

    // Keep the first 15 significant hex digits (60 bits) exactly; later
    // digits only matter as a "sticky" nonzero flag for rounding.
    let mut mant: u64 = 0;
    let mut kept = 0;
    let mut sticky = false;
    for (i, &c) in int.iter().chain(frac).enumerate() {
        // The digits were validated by the caller; a non-digit would count as 0.
        let d = u64::from(hex_value(c).unwrap_or(0));
        let in_frac = i >= int.len();
        if mant == 0 && d == 0 {
            // Leading zero: only shifts the scale if after the point.
            if in_frac {
                exp2 -= 4;
            }
        } else if kept < 15 {
            mant = mant * 16 + d;
            kept += 1;
            if in_frac {
                exp2 -= 4;
            }
        } else {
            sticky |= d != 0;
            if !in_frac {
                exp2 += 4;
            }
        }
    }
    if mant == 0 {
        return Some(0.0);
    }
    Some(round_to_f64(mant, exp2, sticky))
}

/// Correctly rounds `(mant + sticky*epsilon) * 2^exp2` to an f64.
fn round_to_f64(mant: u64, exp2: i64, sticky: bool) -> f64 {
    let nbits = i64::from(64 - mant.leading_zeros());
    let top = exp2 + nbits - 1; // exponent of the most significant bit
    if top > 1023 {
        return f64::INFINITY;
    }
    if top < -1075 - 1 {
        return 0.0;
    }
    // Bits of precision available at this magnitude (fewer when subnormal).
    let prec = if top >= -1022 { 53 } else { top + 1075 };
    let drop = nbits - prec;
    let (kept, scale) = if drop <= 0 {
        (mant, exp2)
    } else {
        // `prec >= 0` and `mant` has at most 60 bits, so `drop <= 60`.
        let drop = drop as u32;
        let kept = mant >> drop;
        let rem = mant & ((1u64 << drop) - 1);
        let half = 1u64 << (drop - 1);
        let up = rem > half || (rem == half && (sticky || kept & 1 == 1));
        (kept + u64::from(up), exp2 + i64::from(drop))
    };
    // `kept` now fits the target precision, so scaling is exact (or
    // overflows to inf, which is the correctly rounded result).
    ldexp(kept as f64, scale)
}

/// `x * 2^e` by steps whose factors are normal powers of two, so every
/// step is exact whenever the final result is representable.
fn ldexp(mut x: f64, mut e: i64) -> f64 {
    let pow2 = |e: i64| f64::from_bits(((e + 1023) as u64) << 52);
    while e > 1000 {
        x *= pow2(1000);
        e -= 1000;
    }
    while e < -1000 {
        x *= pow2(-1000);
        e += 1000;
    }
    x * pow2(e)
}

/// `tonumber(s, base)`: an integer in `base` (2..=36), letters in either
/// case, optional sign, surrounding whitespace; wraps modulo 2^64 like Lua.
/// Returns `None` for an invalid numeral or base.
pub fn parse_int_base(s: &[u8], base: u32) -> Option<i64> {
    if !(2..=36).contains(&base) || s.contains(&0) {
        return None;
    }
    let (neg, digits) = split_sign(trim_spaces(s));
    if digits.is_empty() {
        return None;
    }
    let mag = digits.iter().try_fold(0u64, |a, &c| {
        let d = (c as char).to_digit(36).filter(|&d| d < base)?;
        Some(a.wrapping_mul(u64::from(base)).wrapping_add(u64::from(d)))
    })?;
    let v = if neg { mag.wrapping_neg() } else { mag };
    Some(v as i64)
}

// ---------------------------------------------------------------------------
// Float -> integer
// ---------------------------------------------------------------------------

/// 2^63 as f64: the first float above the i64 range.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

/// The integer equal to `f`, if `f` is integral and within i64 range
/// (Lua's `lua_numbertointeger` with exact mode).
pub fn float_to_int_exact(f: f64) -> Option<i64> {
    if f.floor() != f {
        return None;
    }
    in_range(f)
}

/// `floor(f)` as an integer, if in range (Lua's `F2Ifloor` mode, used e.g.
/// by numeric `for` limits).
pub fn float_to_int_floor(f: f64) -> Option<i64> {
    in_range(f.floor())
}

/// `ceil(f)` as an integer, if in range (Lua's `F2Iceil` mode).
pub fn float_to_int_ceil(f: f64) -> Option<i64> {
    in_range(f.ceil())
}

fn in_range(f: f64) -> Option<i64> {
    // NaN fails both comparisons.
    (-TWO_POW_63..TWO_POW_63).contains(&f).then_some(f as i64)
}

/// A string's integer value as Lua coerces it (`"10"`, `"0x10"`, `"1e2"`,
/// `"3.0"`), or `None` when it is not a numeral or not integral.
pub fn str_to_int(s: &[u8]) -> Option<i64> {
    match parse_number(s)? {
        LuaNum::Int(i) => Some(i),
        LuaNum::Float(f) => float_to_int_exact(f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tostr(x: f64) -> String {
        let mut v = Vec::new();
        fmt_float(x, &mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn unknown_conversions_are_refused_without_output() {
        let mut v = b"x".to_vec();
        assert!(!fmt_int_spec(7, b'q', &Spec::default(), &mut v));
        assert!(!fmt_float_spec(7.5, b'd', &Spec::default(), &mut v));
        assert_eq!(v, b"x");
    }

    fn f(x: f64, conv: u8, spec: Spec) -> String {
        let mut v = Vec::new();
        assert!(fmt_float_spec(x, conv, &spec, &mut v));
        String::from_utf8(v).unwrap()
    }

    fn prec(p: usize) -> Spec {
        Spec {
            precision: Some(p),
            ..Spec::default()
        }
    }

    #[test]
    fn tostring_floats() {
        assert_eq!(tostr(1.0), "1.0");
        assert_eq!(tostr(1e100), "1e+100");
        assert_eq!(tostr(2f64.powi(63)), "9.2233720368548e+18");
        assert_eq!(tostr(0.1), "0.1");
        assert_eq!(tostr(-0.0), "-0.0");
        assert_eq!(tostr(f64::INFINITY), "inf");
        assert_eq!(tostr(f64::NEG_INFINITY), "-inf");
        assert_eq!(tostr(f64::NAN), "nan");
        assert_eq!(tostr(-f64::NAN), "-nan");
        assert_eq!(tostr(1e15), "1e+15");
        assert_eq!(tostr(123456789012345.0), "1.2345678901234e+14");
        assert_eq!(tostr(1e14), "1e+14");
        assert_eq!(tostr(12345678901234.0), "12345678901234.0");
        assert_eq!(tostr(1.0 / 3.0), "0.33333333333333");
        assert_eq!(tostr(0.0001), "0.0001");
        assert_eq!(tostr(0.00001), "1e-05");
    }

    #[test]
    fn tostring_integers() {
        let mut v = Vec::new();
        fmt_integer(i64::MIN, &mut v);
        v.push(b' ');
        fmt_integer(0, &mut v);
        v.push(b' ');
        fmt_integer(-42, &mut v);
        assert_eq!(v, b"-9223372036854775808 0 -42");
    }

    #[test]
    fn g_style() {
        assert_eq!(f(100000.0, b'g', Spec::default()), "100000");
        assert_eq!(f(1e6, b'g', Spec::default()), "1e+06");
        assert_eq!(f(0.5, b'g', prec(0)), "0.5");
        assert_eq!(
            f(
                1.0,
                b'g',
                Spec {
                    alt: true,
                    ..Spec::default()
                }
            ),
            "1.00000"
        );
        assert_eq!(
            f(
                1.0,
                b'g',
                Spec {
                    alt: true,
                    ..prec(0)
                }
            ),
            "1."
        );
        assert_eq!(
            f(
                0.0001,
                b'G',
                Spec {
                    alt: true,
                    ..Spec::default()
                }
            ),
            "0.000100000"
        );
        assert_eq!(f(9.9999996, b'g', Spec::default()), "10");
        assert_eq!(f(0.0, b'g', Spec::default()), "0");
        // glibc's rounding-carry quirk under '#'.
        assert_eq!(
            f(
                999999.5,
                b'g',
                Spec {
                    alt: true,
                    ..Spec::default()
                }
            ),
            "1.e+06"
        );
        assert_eq!(
            f(
                9999995.0,
                b'g',
                Spec {
                    alt: true,
                    ..Spec::default()
                }
            ),
            "1.00000e+07"
        );
        assert_eq!(
            f(
                99.96,
                b'g',
                Spec {
                    alt: true,
                    ..prec(3)
                }
            ),
            "100."
        );
    }

    #[test]
    fn hex_floats() {
        assert_eq!(f(1.0, b'a', Spec::default()), "0x1p+0");
        assert_eq!(f(0.5, b'a', Spec::default()), "0x1p-1");
        assert_eq!(f(0.1, b'a', Spec::default()), "0x1.999999999999ap-4");
        assert_eq!(f(0.1, b'A', Spec::default()), "0X1.999999999999AP-4");
        assert_eq!(f(1.5, b'a', prec(0)), "0x2p+0");
        assert_eq!(f(2.5, b'a', prec(0)), "0x1p+1");
        assert_eq!(f(1e-320, b'a', Spec::default()), "0x0.00000000007e8p-1022");
        assert_eq!(f(-0.0, b'a', Spec::default()), "-0x0p+0");
        assert_eq!(
            f(
                1.0,
                b'a',
                Spec {
                    zero: true,
                    width: 10,
                    ..Spec::default()
                }
            ),
            "0x00001p+0"
        );
        assert_eq!(f(1.0, b'a', prec(15)), "0x1.000000000000000p+0");
    }

    #[test]
    fn huge_precision() {
        let s = f(0.1, b'f', prec(60));
        assert_eq!(
            s,
            "0.100000000000000005551115123125782702118158340454101562500000"
        );
        assert_eq!(f(1e300, b'e', prec(0)), "1e+300");
        assert_eq!(f(5e-324, b'e', prec(3)), "4.941e-324");
    }

    #[test]
    fn integers() {
        let spec = |s: &str| {
            let mut sp = Spec::default();
            for c in s.bytes() {
                match c {
                    b'-' => sp.minus = true,
                    b'+' => sp.plus = true,
                    b' ' => sp.space = true,
                    b'#' => sp.alt = true,
                    b'0' => sp.zero = true,
                    _ => unreachable!(),
                }
            }
            sp
        };
        let i = |v: i64, c: u8, sp: Spec| {
            let mut o = Vec::new();
            assert!(fmt_int_spec(v, c, &sp, &mut o));
            String::from_utf8(o).unwrap()
        };
        assert_eq!(i(-1, b'x', Spec::default()), "ffffffffffffffff");
        assert_eq!(
            i(
                255,
                b'x',
                Spec {
                    width: 10,
                    ..spec("#0")
                }
            ),
            "0x000000ff"
        );
        assert_eq!(
            i(
                8,
                b'o',
                Spec {
                    precision: Some(3),
                    ..spec("#")
                }
            ),
            "010"
        );
        assert_eq!(i(0, b'd', prec(0)), "");
        assert_eq!(
            i(
                -5,
                b'd',
                Spec {
                    width: 8,
                    precision: Some(3),
                    ..spec("0")
                }
            ),
            "    -005"
        );
        assert_eq!(i(i64::MIN, b'd', Spec::default()), "-9223372036854775808");
        assert_eq!(i(-1, b'o', Spec::default()), "1777777777777777777777");
    }

    #[test]
    fn parse() {
        use LuaNum::*;
        let p = |s: &str| parse_number(s.as_bytes());
        assert_eq!(p("10"), Some(Int(10)));
        assert_eq!(p(" 10 "), Some(Int(10)));
        assert_eq!(p("0x10"), Some(Int(16)));
        assert_eq!(p("-0x10"), Some(Int(-16)));
        assert_eq!(p("0xffffffffffffffff"), Some(Int(-1)));
        assert_eq!(p("9223372036854775807"), Some(Int(i64::MAX)));
        assert_eq!(p("9223372036854775808"), Some(Float(9223372036854775808.0)));
        assert_eq!(p("-9223372036854775808"), Some(Int(i64::MIN)));
        assert_eq!(p("0x1p4"), Some(Float(16.0)));
        assert_eq!(p("0x.8"), Some(Float(0.5)));
        assert_eq!(p("1e2"), Some(Float(100.0)));
        assert_eq!(p(".5"), Some(Float(0.5)));
        assert_eq!(p("5."), Some(Float(5.0)));
        for bad in [
            "", " ", "1e", "0x", "1 2", "- 1", "10e", "inf", "nan", "-inf", ".", "0x.p1", "1e+",
            "0x1p", "1\0",
        ] {
            assert_eq!(p(bad), None, "{bad:?}");
        }
        assert_eq!(p("0x1.fffffffffffff8p1023"), Some(Float(f64::INFINITY)));
        assert_eq!(p("0x1p-1075"), Some(Float(0.0)));
        assert_eq!(p("0x1.0000000000001p-1075"), Some(Float(5e-324)));
        assert_eq!(p("0x1.00000000000008p0"), Some(Float(1.0)));
        assert_eq!(
            p("0x1.000000000000080001p0"),
            Some(Float(1.0 + f64::EPSILON))
        );
        assert_eq!(
            p("0x1.00000000000018p0"),
            Some(Float(1.0 + 2.0 * f64::EPSILON))
        );
    }

    #[test]
    fn int_base() {
        assert_eq!(parse_int_base(b"z", 36), Some(35));
        assert_eq!(parse_int_base(b" -ff ", 16), Some(-255));
        assert_eq!(parse_int_base(b"+11", 2), Some(3));
        assert_eq!(parse_int_base(b"8", 8), None);
        assert_eq!(parse_int_base(b"", 10), None);
        assert_eq!(parse_int_base(b"-", 10), None);
        assert_eq!(parse_int_base(b"ffffffffffffffffffff", 16), Some(-1));
        assert_eq!(parse_int_base(b"1", 37), None);
    }

    #[test]
    fn float_to_int() {
        assert_eq!(float_to_int_exact(3.0), Some(3));
        assert_eq!(float_to_int_exact(3.5), None);
        assert_eq!(float_to_int_exact(TWO_POW_63), None);
        assert_eq!(float_to_int_exact(-TWO_POW_63), Some(i64::MIN));
        assert_eq!(float_to_int_exact(f64::NAN), None);
        assert_eq!(float_to_int_floor(-3.5), Some(-4));
        assert_eq!(float_to_int_ceil(-3.5), Some(-3));
        assert_eq!(str_to_int(b"1e2"), Some(100));
        assert_eq!(str_to_int(b"1.5"), None);
    }
}
