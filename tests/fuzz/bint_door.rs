//! The bint door: `bint` (aos's `.bint`, 256 bits) built from hostile strings (empty, signs,
//! huge, hex, binary, whitespace, non-digits, very long) and its operators inside a process,
//! through a handler: the strings arrive as message tags.
//!
//! Properties: no panic; a string `bint` refuses, and an operation that fails (division by
//! zero), is an ordinary Lua error (the outcome's `Error`) that leaves the state hash
//! unchanged; every value produced is cross-checked against [`U256`], a 256-bit
//! two's-complement reference written here (wrapping like bint), including the round trip
//! `tostring(bint(s)) == s` for canonical decimal strings.
#![allow(dead_code)]

use std::cmp::Ordering;

use aolite::ao::process::{Process, ProcessOptions};
use serde_json::json;

use crate::doors::{guarded, Report, Rng, Verdict};

// ---------------------------------------------------------------- the reference

/// A 256-bit integer, two's complement, little-endian words; every operation wraps.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct U256(pub [u64; 4]);

impl U256 {
    pub const ZERO: U256 = U256([0; 4]);
    pub const ONE: U256 = U256([1, 0, 0, 0]);

    pub fn from_i128(v: i128) -> U256 {
        let ext = if v < 0 { u64::MAX } else { 0 };
        U256([v as u64, (v >> 64) as u64, ext, ext])
    }
    pub fn is_zero(self) -> bool {
        self.0 == [0; 4]
    }
    pub fn is_neg(self) -> bool {
        self.0[3] >> 63 == 1
    }
    pub fn add(self, o: U256) -> U256 {
        let mut r = [0u64; 4];
        let mut carry = 0u128;
        for (i, w) in r.iter_mut().enumerate() {
            let t = self.0[i] as u128 + o.0[i] as u128 + carry;
            *w = t as u64;
            carry = t >> 64;
        }
        U256(r)
    }
    pub fn not(self) -> U256 {
        U256(self.0.map(|w| !w))
    }
    pub fn neg(self) -> U256 {
        self.not().add(U256::ONE)
    }
    pub fn sub(self, o: U256) -> U256 {
        self.add(o.neg())
    }
    pub fn mul(self, o: U256) -> U256 {
        let mut r = [0u64; 4];
        for i in 0..4 {
            let mut carry = 0u128;
            for j in 0..4 - i {
                let t = r[i + j] as u128 + self.0[i] as u128 * o.0[j] as u128 + carry;
                r[i + j] = t as u64;
                carry = t >> 64;
            }
        }
        U256(r)
    }
    pub fn ucmp(self, o: U256) -> Ordering {
        for i in (0..4).rev() {
            match self.0[i].cmp(&o.0[i]) {
                Ordering::Equal => {}
                c => return c,
            }
        }
        Ordering::Equal
    }
    pub fn scmp(self, o: U256) -> Ordering {
        match (self.is_neg(), o.is_neg()) {
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            _ => self.ucmp(o),
        }
    }
    fn bit(self, i: usize) -> bool {
        self.0[i / 64] >> (i % 64) & 1 == 1
    }
    fn set_bit(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    /// Logical shift left by `k` < 256 bits.
    pub fn shl_bits(self, k: u32) -> U256 {
        let mut r = U256::ZERO;
        for i in 0..256 - k as usize {
            if self.bit(i) {
                r.set_bit(i + k as usize);
            }
        }
        r
    }
    /// Logical shift right by `k` < 256 bits.
    pub fn shr_bits(self, k: u32) -> U256 {
        let mut r = U256::ZERO;
        for i in k as usize..256 {
            if self.bit(i) {
                r.set_bit(i - k as usize);
            }
        }
        r
    }
    /// Unsigned quotient and remainder, `None` for a zero divisor.
    pub fn udivmod(self, d: U256) -> Option<(U256, U256)> {
        if d.is_zero() {
            return None;
        }
        let (mut q, mut r) = (U256::ZERO, U256::ZERO);
        for i in (0..256).rev() {
            r = r.shl_bits(1);
            if self.bit(i) {
                r.0[0] |= 1;
            }
            if r.ucmp(d) != Ordering::Less {
                r = r.sub(d);
                q.set_bit(i);
            }
        }
        Some((q, r))
    }
    fn abs(self) -> U256 {
        if self.is_neg() {
            self.neg()
        } else {
            self
        }
    }
    /// Floor division and the remainder with the divisor's sign (Lua's `//` and `%`),
    /// of the signed values, modulo 2^256.
    pub fn floor_divmod(self, d: U256) -> Option<(U256, U256)> {
        let (q, r) = self.abs().udivmod(d.abs())?;
        let (xn, yn) = (self.is_neg(), d.is_neg());
        let (mut q, mut r) = (q, r);
        if xn != yn {
            q = q.neg();
            if !r.is_zero() {
                q = q.sub(U256::ONE);
                r = d.abs().sub(r);
                if yn {
                    r = r.neg();
                }
            }
        } else if xn {
            r = r.neg();
        }
        Some((q, r))
    }
    /// `self ^ e` by square-and-multiply over the 256 bits of `e` (read unsigned).
    pub fn pow(self, e: U256) -> U256 {
        let mut acc = U256::ONE;
        for i in (0..256).rev() {
            acc = acc.mul(acc);
            if e.bit(i) {
                acc = acc.mul(self);
            }
        }
        acc
    }
    fn udec(self) -> String {
        if self.is_zero() {
            return "0".into();
        }
        let ten19 = U256([10_000_000_000_000_000_000, 0, 0, 0]);
        let mut chunks = Vec::new();
        let mut v = self;
        while !v.is_zero() {
            let (q, r) = v.udivmod(ten19).unwrap_or_default();
            chunks.push(r.0[0]);
            v = q;
        }
        let mut s = chunks.pop().unwrap_or_default().to_string();
        while let Some(c) = chunks.pop() {
            s.push_str(&format!("{c:019}"));
        }
        s
    }
    /// Signed decimal.
    pub fn to_dec(self) -> String {
        if self.is_neg() {
            format!("-{}", self.neg().udec())
        } else {
            self.udec()
        }
    }
    /// Unsigned hexadecimal, lower case, no leading zeros.
    pub fn to_hex(self) -> String {
        let mut s = String::new();
        for w in self.0.iter().rev() {
            if s.is_empty() {
                if *w != 0 {
                    s = format!("{w:x}");
                }
            } else {
                s.push_str(&format!("{w:016x}"));
            }
        }
        if s.is_empty() {
            "0".into()
        } else {
            s
        }
    }
    /// The value as a Lua integer, when the signed value fits 64 bits.
    pub fn to_i64(self) -> Option<i64> {
        let v = self.0[0] as i64;
        let ext = if v < 0 { u64::MAX } else { 0 };
        (self.0[1] == ext && self.0[2] == ext && self.0[3] == ext).then_some(v)
    }
    fn from_digits(digits: &str, base: u64, neg: bool) -> U256 {
        let mut acc = U256::ZERO;
        let b = U256([base, 0, 0, 0]);
        for c in digits.chars() {
            let d = c.to_digit(base as u32).unwrap_or(0) as u64;
            acc = acc.mul(b).add(U256([d, 0, 0, 0]));
        }
        if neg {
            acc.neg()
        } else {
            acc
        }
    }
    /// What `bint(s)` gives: decimal `[+-]?[0-9]+`, hex `[+-]?0[xX][0-9a-fA-F]+`, binary
    /// `[+-]?0[bB][01]+` (ASCII digits only), modulo 2^256; `None` otherwise.
    pub fn parse(s: &str) -> Option<U256> {
        let (neg, body) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let all = |t: &str, f: fn(&u8) -> bool| !t.is_empty() && t.as_bytes().iter().all(f);
        if all(body, u8::is_ascii_digit) {
            return Some(U256::from_digits(body, 10, neg));
        }
        let prefixed = body.len() > 2 && body.as_bytes()[0] == b'0';
        if prefixed
            && matches!(body.as_bytes()[1], b'x' | b'X')
            && all(&body[2..], u8::is_ascii_hexdigit)
        {
            return Some(U256::from_digits(&body[2..], 16, neg));
        }
        if prefixed
            && matches!(body.as_bytes()[1], b'b' | b'B')
            && all(&body[2..], |c| *c == b'0' || *c == b'1')
        {
            return Some(U256::from_digits(&body[2..], 2, neg));
        }
        None
    }
}

// ---------------------------------------------------------------- generators

fn random_u256(r: &mut Rng) -> U256 {
    let words = r.below(5);
    let mut v = U256::ZERO;
    for i in 0..words {
        v.0[i] = r.next();
    }
    if r.chance(3) {
        v = v.neg();
    }
    v
}

fn boundary(r: &mut Rng) -> U256 {
    let max = U256([u64::MAX, u64::MAX, u64::MAX, u64::MAX >> 1]);
    let pick = [
        U256::ZERO,
        U256::ONE,
        U256::ONE.neg(),
        max,
        max.add(U256::ONE),
        U256::from_i128(i64::MAX as i128),
        U256::from_i128(i64::MAX as i128 + 1),
        U256::from_i128(i64::MIN as i128),
        U256::from_i128(i64::MIN as i128 - 1),
        U256::from_i128(u64::MAX as i128),
        U256::from_i128(i128::MAX),
        U256::from_i128(i128::MIN),
        U256::from_i128(1 << 31),
        U256::from_i128(10_i128.pow(18)),
        U256::from_i128(10_i128.pow(19)),
        U256::from_i128(-(10_i128.pow(18))),
    ];
    let v = pick[r.below(pick.len())];
    match r.below(4) {
        0 => v.add(U256::ONE),
        1 => v.sub(U256::ONE),
        _ => v,
    }
}

const HOSTILE: &[&str] = &[
    "",
    "+",
    "-",
    "--1",
    "+-1",
    "-+1",
    " 1",
    "1 ",
    "\t1",
    "1\n",
    "1_000",
    "1,000",
    "0x",
    "0X",
    "0x-1",
    "-0x",
    "0b",
    "0b102",
    "0B11",
    "0X1F",
    "-0x1F",
    "+0b101",
    "0x1p4",
    "1e5",
    "1E5",
    "1.0",
    "1.",
    ".1",
    "inf",
    "-inf",
    "nan",
    "NaN",
    "0x1.8",
    "１２",
    "٣",
    "\u{0}1",
    "12\u{0}",
    "0",
    "-0",
    "+0",
    "00000123",
    "-000",
    "0x0000",
    "0b0000",
    "9",
    "99999999999999999",
    "999999999999999999",
    "9999999999999999999",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "-9223372036854775809",
    "0xffffffffffffffff",
    "0x7fffffffffffffff",
    "0x8000000000000000",
    "0xfffffffffffffff",
    "0b1111111111111111111111111111111111111111111111111111111111111111",
    "true",
    "nil",
    "abc",
    "0xg",
    "12a",
    "a12",
    "--",
    "+ 1",
    "- 1",
    "1-",
    "1+",
    "0o17",
    "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
];

/// A string for `bint(...)`: canonical decimals of random and boundary values, other
/// notations of them, very long digit runs, hostile strings and damaged canonical ones.
pub fn bint_string(r: &mut Rng) -> String {
    match r.below(12) {
        0 | 1 => random_u256(r).to_dec(),
        2 => boundary(r).to_dec(),
        3 => {
            let v = if r.chance(2) {
                random_u256(r)
            } else {
                boundary(r)
            };
            let sign = ["", "-", "+"][r.below(3)];
            match r.below(2) {
                0 => format!("{sign}0x{}", v.to_hex()),
                _ => format!("{sign}0X{}", v.to_hex().to_uppercase()),
            }
        }
        4 => {
            let v = random_u256(r);
            let mut bits = String::new();
            for i in (0..(64 * (1 + r.below(4)))).rev() {
                bits.push(if v.bit(i) { '1' } else { '0' });
            }
            format!("{}0b{bits}", ["", "-"][r.below(2)])
        }
        5 => {
            let n = [20, 40, 77, 78, 79, 100, 1000, 10_000, 100_000][r.below(9)];
            let mut s: String = (0..n).map(|_| (b'0' + r.below(10) as u8) as char).collect();
            if r.chance(3) {
                s.insert(0, '-');
            }
            s
        }
        6 => format!("{}{}", "0".repeat(r.below(100)), r.next() >> r.below(64)),
        7 | 8 => HOSTILE[r.below(HOSTILE.len())].to_owned(),
        9 => (r.next() as i64 >> r.below(64)).to_string(),
        _ => {
            let mut s: Vec<char> = random_u256(r).to_dec().chars().collect();
            let i = r.below(s.len() + 1);
            let c = [' ', '-', '+', 'x', '.', 'e', '\0', '٣', '_', 'a'][r.below(10)];
            if r.chance(2) && i < s.len() {
                s[i] = c;
            } else {
                s.insert(i, c);
            }
            s.into_iter().collect()
        }
    }
}

fn small_string(r: &mut Rng) -> String {
    match r.below(4) {
        0 => (r.below(300) as i64 - 40).to_string(),
        1 => [
            "0",
            "1",
            "-1",
            "2",
            "255",
            "256",
            "257",
            "-256",
            "63",
            "64",
            "-9223372036854775808",
        ][r.below(11)]
        .to_owned(),
        _ => bint_string(r),
    }
}

const OPS: &[&str] = &[
    "add", "sub", "mul", "idiv", "mod", "pow", "ipow", "eq", "lt", "le", "unm", "tonumber", "hex",
    "shl", "shr", "numadd", "numlt", "fromstr", "tostr",
];

const SETUP: &str = r#"
local bint = require('.bint')(256)
BintCount = 0
local OPS = {
  add = function(a, b) return a + b end,
  sub = function(a, b) return a - b end,
  mul = function(a, b) return a * b end,
  idiv = function(a, b) return a // b end,
  mod = function(a, b) return a % b end,
  pow = function(a, b) return math.type(a ^ b) end,
  ipow = function(a, b) return bint.ipow(a, b) end,
  eq = function(a, b) return a == b end,
  lt = function(a, b) return a < b end,
  le = function(a, b) return a <= b end,
  unm = function(a) return -a end,
  tonumber = function(a) local v = bint.tonumber(a) return math.type(v) .. ':' .. tostring(v) end,
  hex = function(a) return bint.tobase(a, 16) end,
  shl = function(a, b) return a << b end,
  shr = function(a, b) return a >> b end,
  numadd = function(a) return math.type(a + 0.5) end,
  numlt = function(a) return a < 1 end,
  fromstr = function(_, _, s) local v = bint.fromstring(s) return v == nil and 'nil' or tostring(v) end,
  tostr = function(_, _, s) return tostring(bint(s)) end,
}
Handlers.add("bint", "Bint", function(msg)
  BintCount = BintCount + 1
  local a = bint(msg.Tags.A)
  local b = bint(msg.Tags.B)
  local out = { tostring(a), tostring(b) }
  for op in string.gmatch(msg.Tags.Ops, '%S+') do
    if msg.Tags.Strict == '1' then
      out[#out + 1] = op .. '=' .. tostring(OPS[op](a, b, msg.Tags.A))
    else
      local ok, r = pcall(OPS[op], a, b, msg.Tags.A)
      out[#out + 1] = op .. (ok and '=' or '!') .. tostring(r)
    end
  end
  msg.reply({ Data = table.concat(out, '\n') })
end)
"#;

pub fn bint_process() -> Process {
    let mut p = Process::new(ProcessOptions::default()).expect("new process");
    p.eval(SETUP).expect("bint setup loads");
    p
}

/// What the handler's line for `op` should be (`=value` or an error), from the reference;
/// `None` when the reference does not decide the value (only its kind is checked).
fn expected(op: &str, a: U256, b: U256, sa: &str) -> Result<String, &'static str> {
    let shift = |x: U256, k: i64, left: bool| -> U256 {
        if k == i64::MIN || k.unsigned_abs() >= 256 {
            return U256::ZERO;
        }
        let left = left == (k >= 0);
        let k = k.unsigned_abs() as u32;
        if left {
            x.shl_bits(k)
        } else {
            x.shr_bits(k)
        }
    };
    Ok(match op {
        "add" => a.add(b).to_dec(),
        "sub" => a.sub(b).to_dec(),
        "mul" => a.mul(b).to_dec(),
        "idiv" => a.floor_divmod(b).ok_or("divide by zero")?.0.to_dec(),
        "mod" => a.floor_divmod(b).ok_or("divide by zero")?.1.to_dec(),
        "pow" => "float".into(),
        "ipow" => a.pow(b).to_dec(),
        "eq" => (a == b).to_string(),
        "lt" => (a.scmp(b) == Ordering::Less).to_string(),
        "le" => (a.scmp(b) != Ordering::Greater).to_string(),
        "unm" => a.neg().to_dec(),
        "tonumber" => match a.to_i64() {
            Some(v) => format!("integer:{v}"),
            None => "float:".into(),
        },
        "hex" => a.to_hex(),
        "shl" => shift(a, b.0[0] as i64, true).to_dec(),
        "shr" => shift(a, b.0[0] as i64, false).to_dec(),
        "numadd" => "float".into(),
        "numlt" => (a.scmp(U256::ONE) == Ordering::Less).to_string(),
        "fromstr" => U256::parse(sa)
            .map(|v| v.to_dec())
            .unwrap_or_else(|| "nil".into()),
        "tostr" => U256::parse(sa).map(|v| v.to_dec()).unwrap_or_default(),
        _ => return Err("unknown op"),
    })
}

fn check_bint(
    p: &mut Process,
    hash: &mut Option<String>,
    sa: &str,
    sb: &str,
    ops: &[&str],
    strict: bool,
) -> Result<Verdict, String> {
    let (pa, pb) = (U256::parse(sa), U256::parse(sb));
    // The state hash costs an export: taken before the cases the reference says fail
    // (an unexpected failure is a finding whatever the hash says).
    let predicted_failure = match (pa, pb) {
        (Some(a), Some(b)) => strict && ops.iter().any(|op| expected(op, a, b, sa).is_err()),
        _ => true,
    };
    let before = match hash {
        Some(h) => Some(h.clone()),
        None if predicted_failure => Some(p.state_hash().map_err(|e| format!("state_hash: {e}"))?),
        None => None,
    };
    let o = p
        .send_json(&json!({
            "Tags": { "Action": "Bint", "A": sa, "B": sb, "Ops": ops.join(" "),
                      "Strict": if strict { "1" } else { "0" } },
        }))
        .map_err(|e| format!("send failed: {} {e}", e.code()))?;
    if let Some(err) = &o.error {
        *hash = None;
        let after = p.state_hash().map_err(|e| format!("state_hash: {e}"))?;
        let Some(before) = before else {
            return Err(format!("unexpected error {err:?}"));
        };
        if after != before {
            return Err(format!("failed message changed the state hash ({err})"));
        }
        *hash = Some(after);
        // The reference must predict a failure: a refused string, or (strict) a failing op.
        let (Some(a), Some(b)) = (pa, pb) else {
            if !err.contains("value cannot be represented by a bint") {
                return Err(format!("refused string failed with {err:?}"));
            }
            return Ok(Verdict::Rejected("string refused".into()));
        };
        let failing = ops.iter().any(|op| expected(op, a, b, sa).is_err());
        if strict && failing {
            return Ok(Verdict::Rejected("operation failed (strict)".into()));
        }
        return Err(format!("unexpected error {err:?}"));
    }
    *hash = None;
    let (Some(a), Some(b)) = (pa, pb) else {
        return Err("a string the reference refuses was accepted".into());
    };
    let data = o
        .messages
        .first()
        .and_then(|m| m.data.as_ref())
        .and_then(|d| d.as_str())
        .unwrap_or_default()
        .to_owned();
    let lines: Vec<&str> = data.split('\n').collect();
    if lines.len() != ops.len() + 2 {
        return Err(format!("reply has {} lines: {data:?}", lines.len()));
    }
    if lines[0] != a.to_dec() || lines[1] != b.to_dec() {
        return Err(format!(
            "tostring: got {:?} {:?}, reference {} {}",
            lines[0],
            lines[1],
            a.to_dec(),
            b.to_dec()
        ));
    }
    for (op, line) in ops.iter().zip(&lines[2..]) {
        let want = expected(op, a, b, sa);
        let got = line.strip_prefix(op).unwrap_or(line);
        let ok = match (&want, got.split_at(got.len().min(1))) {
            (Ok(w), ("=", v)) if w == "float" || w == "float:" => v.starts_with(w.as_str()),
            (Ok(w), ("=", v)) => v == w,
            (Err(_), ("!", _)) => true,
            _ => false,
        };
        if !ok {
            return Err(format!("{op}: got {got:?}, reference {want:?}"));
        }
    }
    Ok(Verdict::Accepted)
}

pub fn fuzz_bint(seed: u64, count: usize) -> Report {
    let mut report = Report::default();
    let mut r = Rng::new(seed);
    let mut p = bint_process();
    let mut hash: Option<String> = None;
    for i in 0..count {
        report.cases += 1;
        let sa = bint_string(&mut r);
        let sb = small_string(&mut r);
        let ops: Vec<&str> = (0..1 + r.below(6))
            .map(|_| OPS[r.below(OPS.len())])
            .collect();
        let strict = r.chance(4);
        if i % 1000 == 999 {
            p = bint_process();
            hash = None;
        }
        let tag = format!("bint seed {seed} case {i}");
        let found = guarded(&mut report, &tag, || {
            check_bint(&mut p, &mut hash, &sa, &sb, &ops, strict)
        });
        if found.is_none() {
            p = bint_process();
            hash = None;
        }
        let short = |s: &str| s.chars().take(120).collect::<String>();
        report.record(
            &tag,
            found,
            &format!(
                " (A {:?}, B {:?}, ops {ops:?}, strict {strict})",
                short(&sa),
                short(&sb)
            ),
        );
    }
    report
}

#[cfg(test)]
mod tests {
    use super::U256;

    #[test]
    fn reference_agrees_with_i128() {
        let vals = [
            0i128,
            1,
            -1,
            7,
            -7,
            3,
            -3,
            1 << 70,
            -(1 << 70),
            12345678901234567890,
        ];
        for &a in &vals {
            for &b in &vals {
                let (x, y) = (U256::from_i128(a), U256::from_i128(b));
                assert_eq!(x.add(y).to_dec(), (a + b).to_string());
                assert_eq!(x.sub(y).to_dec(), (a - b).to_string());
                if let Some(p) = a.checked_mul(b) {
                    assert_eq!(x.mul(y).to_dec(), p.to_string());
                }
                if b != 0 {
                    let q = a / b - i128::from(a % b != 0 && (a < 0) != (b < 0));
                    let m = a - q * b;
                    let (fq, fm) = x.floor_divmod(y).expect("nonzero");
                    assert_eq!(
                        (fq.to_dec(), fm.to_dec()),
                        (q.to_string(), m.to_string()),
                        "{a} {b}"
                    );
                }
            }
        }
        assert_eq!(U256::parse("-0x10").map(|v| v.to_dec()), Some("-16".into()));
        assert_eq!(U256::parse("0b101").map(|v| v.to_dec()), Some("5".into()));
        assert_eq!(U256::parse(" 1"), None);
        assert_eq!(U256::parse("0x"), None);
    }
}
