//! Hex integer numerals that do not fit in an `i64`. Lua 5.3 reads them modulo 2^64
//! (`0xFFFFFFFFFFFFFFFF` is `-1`, `0x8000000000000000` is `math.mininteger`, which is how
//! `string.format("%q", math.mininteger)` writes it); piccolo's lexer reads them as floats.
//! Before parsing, each such numeral is replaced by an expression of the wrapped value that
//! piccolo reads exactly, on the same line: `(-1)`, `(-9223372036854775807-1)`, or a
//! decimal numeral.

use std::borrow::Cow;

fn ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The length of a long bracket opening `[==[` at `s[0]`, and its level.
fn long_bracket(s: &[u8]) -> Option<(usize, usize)> {
    if s.first() != Some(&b'[') {
        return None;
    }
    let level = s[1..].iter().take_while(|&&c| c == b'=').count();
    (s.get(1 + level) == Some(&b'[')).then_some((level + 2, level))
}

/// The index just past the closing `]==]` of the given level, searching from `from`.
fn long_close(s: &[u8], from: usize, level: usize) -> usize {
    let mut i = from;
    while i < s.len() {
        if s[i] == b']'
            && s[i + 1..].iter().take_while(|&&c| c == b'=').count() >= level
            && s.get(i + 1 + level) == Some(&b']')
            && s[i + 1..i + 1 + level].iter().all(|&c| c == b'=')
        {
            return i + level + 2;
        }
        i += 1;
    }
    s.len()
}

/// The replacement for a hex integer numeral, if its value does not fit in an `i64`.
fn wrapped(numeral: &[u8]) -> Option<String> {
    let digits = numeral.get(2..).filter(|d| !d.is_empty())?;
    let mut value: u64 = 0;
    for &c in digits {
        value = value
            .wrapping_mul(16)
            .wrapping_add((c as char).to_digit(16)? as u64);
    }
    let fits = digits.iter().skip_while(|&&c| c == b'0').count() <= 16 && value <= i64::MAX as u64;
    if fits {
        return None;
    }
    let v = value as i64;
    Some(if v == i64::MIN {
        "(-9223372036854775807-1)".to_owned()
    } else if v < 0 {
        format!("(-{})", -v)
    } else {
        v.to_string()
    })
}

/// `source` with every hex integer numeral beyond the `i64` range replaced (see the module
/// docs); strings and comments are left alone.
#[inline(never)] // a compile job of its own in V8 (see `compile::compile_here`)
pub fn wrap_hex_integers(source: &[u8]) -> Cow<'_, [u8]> {
    let s = source;
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c == b'-' && s.get(i + 1) == Some(&b'-') {
            i += 2;
            if let Some((open, level)) = long_bracket(&s[i..]) {
                i = long_close(s, i + open, level);
            } else {
                while i < s.len() && s[i] != b'\n' {
                    i += 1;
                }
            }
        } else if let Some((open, level)) = long_bracket(&s[i..]) {
            i = long_close(s, i + open, level);
        } else if c == b'"' || c == b'\'' {
            i += 1;
            while i < s.len() && s[i] != c && s[i] != b'\n' {
                i += if s[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
        } else if c.is_ascii_digit() && (i == 0 || !ident_byte(s[i - 1])) {
            // A numeral, read as Lua's lexer does: alphanumerics, dots and exponent signs.
            let start = i;
            i += 1;
            while i < s.len() {
                let d = s[i];
                let exponent_sign = (d == b'+' || d == b'-') && matches!(s[i - 1], b'p' | b'P');
                if !(ident_byte(d) || d == b'.' || exponent_sign) {
                    break;
                }
                i += 1;
            }
            let numeral = &s[start..i];
            if numeral.len() > 2 && numeral[0] == b'0' && matches!(numeral[1], b'x' | b'X') {
                if let Some(text) = wrapped(numeral) {
                    let buf = out.get_or_insert_with(|| Vec::with_capacity(s.len() + 32));
                    buf.extend_from_slice(&s[copied..start]);
                    buf.extend_from_slice(text.as_bytes());
                    copied = i;
                }
            }
        } else {
            i += 1;
        }
    }
    match out {
        Some(mut buf) => {
            buf.extend_from_slice(&s[copied.min(s.len())..]);
            Cow::Owned(buf)
        }
        None => Cow::Borrowed(source),
    }
}

#[cfg(test)]
mod tests {
    use super::wrap_hex_integers;

    fn w(s: &str) -> String {
        String::from_utf8(wrap_hex_integers(s.as_bytes()).into_owned()).unwrap()
    }

    #[test]
    fn wraps_only_overflowing_hex_integers_outside_strings_and_comments() {
        assert_eq!(w("return 0xFFFFFFFFFFFFFFFF"), "return (-1)");
        assert_eq!(w("x=0x8000000000000000"), "x=(-9223372036854775807-1)");
        assert_eq!(w("x=0x7FFFFFFFFFFFFFFF"), "x=0x7FFFFFFFFFFFFFFF");
        assert_eq!(w("x=0x13121110090807060504030201"), "x=578437695752307201");
        assert_eq!(w("x=0x00000000000000001"), "x=0x00000000000000001");
        assert_eq!(
            w("x=0x1p4 y=0xFFFFFFFFFFFFFFFF.0"),
            "x=0x1p4 y=0xFFFFFFFFFFFFFFFF.0"
        );
        assert_eq!(
            w("s='0xFFFFFFFFFFFFFFFF' -- 0xFFFFFFFFFFFFFFFF"),
            "s='0xFFFFFFFFFFFFFFFF' -- 0xFFFFFFFFFFFFFFFF"
        );
        assert_eq!(
            w("--[[ 0xFFFFFFFFFFFFFFFF ]] [==[0xFFFFFFFFFFFFFFFF]==] a0xFFFFFFFFFFFFFFFF"),
            "--[[ 0xFFFFFFFFFFFFFFFF ]] [==[0xFFFFFFFFFFFFFFFF]==] a0xFFFFFFFFFFFFFFFF"
        );
        assert_eq!(w("a..0xFFFFFFFFFFFFFFFF"), "a..(-1)");
    }
}
