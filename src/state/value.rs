//! How scalar values and references are written in a state document.
//!
//! `null`, `true`/`false` and integers are plain JSON; a string is a JSON string when it is
//! valid UTF-8 and `{"bytes": base64}` otherwise; a float is `{"float": x}` (`"nan"`,
//! `"inf"`, `"-inf"` for what JSON numbers cannot hold), so floats never read back as
//! integers; a table, function, upvalue cell or thread is `{"ref": k}`, an index into the
//! document's `objects`.

use serde_json::{Map, Value as Json};

use crate::error::Error;

pub fn float(f: f64) -> Json {
    let v = if f.is_nan() {
        Json::from("nan")
    } else if f.is_infinite() {
        Json::from(if f > 0.0 { "inf" } else { "-inf" })
    } else {
        serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number)
    };
    tagged("float", v)
}

pub fn bytes(b: &[u8]) -> Json {
    match std::str::from_utf8(b) {
        Ok(s) => Json::from(s),
        Err(_) => tagged("bytes", Json::from(base64_encode(b))),
    }
}

pub fn reference(k: u32) -> Json {
    tagged("ref", Json::from(k))
}

// The same encodings written straight to text, as `serde_json` writes the values above
// (compact): the export writes its document through these, without building values.

fn serialised(e: serde_json::Error) -> Error {
    Error::BadState(format!("cannot serialise: {e}"))
}

/// A JSON string (escaped as `serde_json` escapes).
pub fn write_str(out: &mut Vec<u8>, s: &str) -> Result<(), Error> {
    serde_json::to_writer(out, s).map_err(serialised)
}

/// An integer's decimal digits (as JSON numbers are written).
pub fn write_int(out: &mut Vec<u8>, i: i64) {
    if i < 0 {
        out.push(b'-');
    }
    write_uint(out, i.unsigned_abs());
}

pub fn write_uint(out: &mut Vec<u8>, mut u: u64) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[at..]);
}

/// [`float`] as text.
pub fn write_float(out: &mut Vec<u8>, f: f64) -> Result<(), Error> {
    out.extend_from_slice(b"{\"float\":");
    if f.is_nan() {
        out.extend_from_slice(b"\"nan\"");
    } else if f.is_infinite() {
        out.extend_from_slice(if f > 0.0 {
            &b"\"inf\""[..]
        } else {
            &b"\"-inf\""[..]
        });
    } else {
        match serde_json::Number::from_f64(f) {
            Some(n) => serde_json::to_writer(&mut *out, &n).map_err(serialised)?,
            None => out.extend_from_slice(b"null"),
        }
    }
    out.push(b'}');
    Ok(())
}

/// [`bytes`] as text.
pub fn write_bytes(out: &mut Vec<u8>, b: &[u8]) -> Result<(), Error> {
    match std::str::from_utf8(b) {
        Ok(s) => write_str(out, s),
        Err(_) => {
            // Base64 needs no escaping.
            out.extend_from_slice(b"{\"bytes\":\"");
            out.extend_from_slice(base64_encode(b).as_bytes());
            out.extend_from_slice(b"\"}");
            Ok(())
        }
    }
}

/// [`reference`] as text.
pub fn write_reference(out: &mut Vec<u8>, k: u32) {
    out.extend_from_slice(b"{\"ref\":");
    write_uint(out, u64::from(k));
    out.push(b'}');
}

pub fn tagged(tag: &str, v: Json) -> Json {
    let mut m = Map::new();
    m.insert(tag.to_owned(), v);
    Json::Object(m)
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64_encode(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for chunk in b.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &c)| n | u32::from(c) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Strict standard base64 with padding; `None` when `s` is not exactly that.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.as_bytes();
    if s.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    for (q, quad) in s.chunks(4).enumerate() {
        let last = q + 1 == s.len() / 4;
        let pad = quad.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut n = 0u32;
        for (i, &c) in quad.iter().enumerate() {
            let d = if i >= 4 - pad {
                0
            } else {
                ALPHABET.iter().position(|&a| a == c)? as u32
            };
            n |= d << (18 - 6 * i);
        }
        let got = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&got[..3 - pad]);
    }
    // Canonical form only: re-encoding must give the same text.
    (base64_encode(&out).as_bytes() == s).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for s in [&b""[..], b"a", b"ab", b"abc", b"\xff\x00\xfe\x80"] {
            let e = base64_encode(s);
            assert_eq!(base64_decode(&e).as_deref(), Some(s));
        }
        assert_eq!(base64_encode(b"hello"), "aGVsbG8=");
        assert!(base64_decode("aGVsbG9=").is_none());
        assert!(base64_decode("a===").is_none());
    }

    /// The writers give the text `serde_json` gives for the values they stand for.
    #[test]
    fn writers_match_serialised_values() {
        let text = |j: Json| serde_json::to_string(&j).unwrap();
        for i in [
            0,
            1,
            -1,
            9,
            10,
            -10,
            12345,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ] {
            let mut out = Vec::new();
            write_int(&mut out, i);
            assert_eq!(String::from_utf8(out).unwrap(), text(Json::from(i)));
        }
        for u in [0, 7, 10, 99, 100, u64::from(u32::MAX), u64::MAX] {
            let mut out = Vec::new();
            write_uint(&mut out, u);
            assert_eq!(String::from_utf8(out).unwrap(), text(Json::from(u)));
        }
        for f in [
            0.0,
            -0.0,
            1.0,
            -1.5,
            0.1,
            1e300,
            -1e-300,
            f64::MIN_POSITIVE,
            5e-324,
            f64::MAX,
            2f64.powi(63),
            123456789.125,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            let mut out = Vec::new();
            write_float(&mut out, f).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), text(float(f)));
        }
        let strings: [&[u8]; 9] = [
            b"",
            b"plain",
            b"quote \" backslash \\ slash /",
            b"\x00\x01\x08\x09\x0a\x0b\x0c\x0d\x1f\x7f",
            "\u{e9}\u{2028}\u{2029}\u{1f600}".as_bytes(),
            b"\xff\xfe",
            b"abc\x80",
            b"\xc3",
            b"</script>",
        ];
        for b in strings {
            let mut out = Vec::new();
            write_bytes(&mut out, b).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), text(bytes(b)));
        }
        for k in [0, 1, 10, u32::MAX] {
            let mut out = Vec::new();
            write_reference(&mut out, k);
            assert_eq!(String::from_utf8(out).unwrap(), text(reference(k)));
        }
    }
}
