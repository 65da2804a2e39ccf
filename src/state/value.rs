//! How scalar values and references are written in a state document.
//!
//! `null`, `true`/`false` and integers are plain JSON; a string is a JSON string when it is
//! valid UTF-8 and `{"bytes": base64}` otherwise; a float is `{"float": x}` (`"nan"`,
//! `"inf"`, `"-inf"` for what JSON numbers cannot hold), so floats never read back as
//! integers; a table, function, upvalue cell or thread is `{"ref": k}`, an index into the
//! document's `objects`.

use serde_json::{Map, Value as Json};

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
}
