//! The hash functions behind aos's `.crypto` digests. aos computes them in Lua; the runtime's
//! `.crypto` modules (`lua/crypto/`) keep aos's interfaces (streams or strings in, objects
//! with `asHex`/`asBytes`/`asString` out) and hand the bytes to [`digest`], which computes
//! what aos's implementations compute: the standard algorithms, but for the padding of
//! aos's SHA-512, SHA3/Keccak and BLAKE2b, whose departures are reproduced (checked against
//! real aos by the oracle scenario `crypto_digests`).

use piccolo::{Callback, CallbackReturn, Context, Value};
use sha2::Digest;

use crate::stdlib::args::{byte_fuel, new_string};

/// The digest of `data` by the algorithm `name`; `None` for an unknown name or a BLAKE2b
/// size or key aos refuses (1..=64 bytes out, a key of at most 64 bytes).
pub fn digest(name: &[u8], data: &[u8], out_len: usize, key: &[u8]) -> Option<Vec<u8>> {
    Some(match name {
        b"md2" => md2::Md2::digest(data).to_vec(),
        b"md4" => md4::Md4::digest(data).to_vec(),
        b"md5" => md5::Md5::digest(data).to_vec(),
        b"sha1" => sha1::Sha1::digest(data).to_vec(),
        b"sha256" => sha2::Sha256::digest(data).to_vec(),
        b"sha512" => aos_sha512(data),
        b"sha3_256" => aos_keccak(data, 136, 0x06, 32),
        b"sha3_512" => aos_keccak(data, 72, 0x06, 64),
        b"keccak256" => aos_keccak(data, 136, 0x01, 32),
        b"keccak512" => aos_keccak(data, 72, 0x01, 64),
        b"blake2b" => blake2b(data, out_len, key)?,
        _ => return None,
    })
}

/// `aes(key, block, bits, decrypt)` for `.crypto.cipher.aes128` and its siblings: the
/// block as a 16-byte string, or nil when the key or block is too short.
pub fn aes_callback(ctx: Context<'_>) -> Callback<'_> {
    Callback::from_fn(&ctx, |ctx, mut exec, mut stack| {
        let (Value::String(key), Value::String(block)) = (stack.get(0), stack.get(1)) else {
            return Err(crate::stdlib::args::runtime_error(
                ctx,
                "aes: bad arguments",
            ));
        };
        let bits = match stack.get(2) {
            Value::Integer(n) => usize::try_from(n).unwrap_or(0),
            _ => 0,
        };
        let decrypt = stack.get(3).to_bool();
        exec.fuel().consume(byte_fuel(64));
        match aes_block(key.as_bytes(), block.as_bytes(), bits, decrypt) {
            Some(out) => stack.replace(ctx, new_string(ctx, out.to_vec())),
            None => stack.replace(ctx, Value::Nil),
        }
        Ok(CallbackReturn::Return)
    })
}

/// `digest(name, data [, outlen, key])` for the `.crypto` modules: the raw digest as a Lua
/// string. Fuel as for any library call that reads its input once.
pub fn callback(ctx: Context<'_>) -> Callback<'_> {
    Callback::from_fn(&ctx, |ctx, mut exec, mut stack| {
        let (Value::String(name), Value::String(data)) = (stack.get(0), stack.get(1)) else {
            return Err(crate::stdlib::args::runtime_error(
                ctx,
                "digest: bad arguments",
            ));
        };
        let out_len = match stack.get(2) {
            Value::Integer(n) => usize::try_from(n).unwrap_or(0),
            _ => 64,
        };
        let key = match stack.get(3) {
            Value::String(k) => k.as_bytes().to_vec(),
            _ => Vec::new(),
        };
        exec.fuel().consume(byte_fuel(data.len() as usize));
        let result = digest(name.as_bytes(), data.as_bytes(), out_len, &key);
        match result {
            Some(bytes) => stack.replace(ctx, new_string(ctx, bytes)),
            None => stack.replace(ctx, Value::Nil),
        }
        Ok(CallbackReturn::Return)
    })
}

/// SHA-512 as aos computes it: its padding ends with a 64-bit length where the standard has
/// a 128-bit one, so a message whose length is 112 to 118 bytes past a multiple of 128 is
/// padded to one block less than the standard pads it (the length's upper zero bytes would
/// not fit), and its digest differs from the standard's. Every other length pads to the same
/// bytes (the standard's upper eight length bytes are zeros where aos has padding zeros).
fn aos_sha512(data: &[u8]) -> Vec<u8> {
    let extra = 128 - ((data.len() + 1 + 8) % 128);
    let mut padded = Vec::with_capacity(data.len() + 9 + extra);
    padded.extend_from_slice(data);
    padded.push(0x80);
    padded.resize(data.len() + 1 + extra, 0);
    padded.extend_from_slice(&((data.len() as u64).wrapping_mul(8)).to_be_bytes());
    let mut state = SHA512_IV;
    let blocks: Vec<_> = padded
        .chunks_exact(128)
        .map(|c| *sha2::digest::generic_array::GenericArray::from_slice(c))
        .collect();
    sha2::compress512(&mut state, &blocks);
    state.iter().flat_map(|w| w.to_be_bytes()).collect()
}

/// SHA3 (`pad` 0x06) and Keccak (`pad` 0x01) as aos computes them: the message, the pad
/// byte and zeros up to a whole number of `rate` blocks, the last byte's top bit set, absorbed
/// into Keccak-f[1600]. A message one byte short of a block gets a whole block of zeros more
/// (the standard puts the pad byte and the top bit in the same byte), so its digest differs
/// from the standard's; every other length is padded as the standard pads it.
fn aos_keccak(data: &[u8], rate: usize, pad: u8, out_len: usize) -> Vec<u8> {
    let zeros = rate - ((data.len() + 1) % rate);
    let mut padded = Vec::with_capacity(data.len() + 1 + zeros);
    padded.extend_from_slice(data);
    padded.push(pad);
    padded.resize(data.len() + 1 + zeros, 0);
    if let Some(last) = padded.last_mut() {
        *last |= 0x80;
    }
    let mut state = [0u64; 25];
    for block in padded.chunks_exact(rate) {
        for (lane, word) in state.iter_mut().zip(block.chunks_exact(8)) {
            let mut b = [0u8; 8];
            b.copy_from_slice(word);
            *lane ^= u64::from_le_bytes(b);
        }
        keccak::f1600(&mut state);
    }
    let bytes: Vec<u8> = state.iter().flat_map(|w| w.to_le_bytes()).collect();
    bytes[..out_len].to_vec()
}

/// One AES block: `block` (16 bytes) encrypted or decrypted with the first `bits / 8` bytes
/// of `key`, as aos's `.crypto.cipher.aes128`/`aes192`/`aes256` compute it. `None` when the
/// key or block is too short (aos's Lua fails on the missing bytes) or `bits` is not an AES
/// size.
pub fn aes_block(key: &[u8], block: &[u8], bits: usize, decrypt: bool) -> Option<[u8; 16]> {
    use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
    let mut b = aes::Block::clone_from_slice(block.get(..16)?);
    let key = key.get(..bits / 8)?;
    macro_rules! run {
        ($cipher:ty) => {{
            let c = <$cipher>::new_from_slice(key).ok()?;
            if decrypt {
                c.decrypt_block(&mut b)
            } else {
                c.encrypt_block(&mut b)
            }
        }};
    }
    match bits {
        128 => run!(aes::Aes128),
        192 => run!(aes::Aes192),
        256 => run!(aes::Aes256),
        _ => return None,
    }
    Some(b.into())
}

/// SHA-512's initial state, which BLAKE2b takes as its IV too.
const SHA512_IV: [u64; 8] = [
    0x6a09e667f3bcc908,
    0xbb67ae8584caa73b,
    0x3c6ef372fe94f82b,
    0xa54ff53a5f1d36f1,
    0x510e527fade682d1,
    0x9b05688c2b3e6c1f,
    0x1f83d9abfb41bd6b,
    0x5be0cd19137e2179,
];

const BLAKE2B_SIGMA: [[usize; 16]; 12] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
];

/// BLAKE2b (RFC 7693) with `out_len` bytes of output and an optional key, which BLAKE2
/// hashes as a first block of its own, blocked as aos blocks it (see below).
fn blake2b(data: &[u8], out_len: usize, key: &[u8]) -> Option<Vec<u8>> {
    if !(1..=64).contains(&out_len) || key.len() > 64 {
        return None;
    }
    let mut h = SHA512_IV;
    h[0] ^= 0x0101_0000 ^ ((key.len() as u64) << 8) ^ out_len as u64;
    let mut input = Vec::with_capacity(data.len() + 128);
    if !key.is_empty() {
        input.extend_from_slice(key);
        input.resize(128, 0);
    }
    input.extend_from_slice(data);
    // aos compresses every block as soon as it is full and the last, partial (or empty)
    // block as the final one; the standard makes the last full block final. So an input
    // (key block included) of a whole number of blocks has one block more in aos.
    let full = input.len() / 128;
    for b in 0..full {
        let mut block = [0u8; 128];
        block.copy_from_slice(&input[b * 128..(b + 1) * 128]);
        blake2b_compress(&mut h, &block, ((b + 1) * 128) as u128, false);
    }
    let mut last = [0u8; 128];
    let rest = &input[full * 128..];
    last[..rest.len()].copy_from_slice(rest);
    blake2b_compress(&mut h, &last, input.len() as u128, true);
    let bytes: Vec<u8> = h.iter().flat_map(|w| w.to_le_bytes()).collect();
    Some(bytes[..out_len].to_vec())
}

fn blake2b_compress(h: &mut [u64; 8], block: &[u8; 128], counter: u128, last: bool) {
    let mut m = [0u64; 16];
    for (i, word) in m.iter_mut().enumerate() {
        let mut b = [0u8; 8];
        b.copy_from_slice(&block[i * 8..i * 8 + 8]);
        *word = u64::from_le_bytes(b);
    }
    let mut v = [0u64; 16];
    v[..8].copy_from_slice(h);
    v[8..].copy_from_slice(&SHA512_IV);
    v[12] ^= counter as u64;
    v[13] ^= (counter >> 64) as u64;
    if last {
        v[14] = !v[14];
    }
    fn g(v: &mut [u64; 16], a: usize, b: usize, c: usize, d: usize, x: u64, y: u64) {
        v[a] = v[a].wrapping_add(v[b]).wrapping_add(x);
        v[d] = (v[d] ^ v[a]).rotate_right(32);
        v[c] = v[c].wrapping_add(v[d]);
        v[b] = (v[b] ^ v[c]).rotate_right(24);
        v[a] = v[a].wrapping_add(v[b]).wrapping_add(y);
        v[d] = (v[d] ^ v[a]).rotate_right(16);
        v[c] = v[c].wrapping_add(v[d]);
        v[b] = (v[b] ^ v[c]).rotate_right(63);
    }
    for s in &BLAKE2B_SIGMA {
        g(&mut v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
        g(&mut v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
        g(&mut v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
        g(&mut v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
        g(&mut v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
        g(&mut v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
        g(&mut v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
        g(&mut v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for i in 0..8 {
        h[i] ^= v[i] ^ v[i + 8];
    }
}

#[cfg(test)]
mod tests {
    use super::digest;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    /// Values real aos 2.0.6 printed for "ao" (the oracle scenario checks many more).
    #[test]
    fn digests_of_ao_are_aos() {
        let d = |name: &str| hex(&digest(name.as_bytes(), b"ao", 64, b"").expect(name));
        assert_eq!(d("md2"), "0d4e80edd07bee6c7965b21b25a9b1ea");
        assert_eq!(d("md4"), "e068dfe3d8cb95311b58be566db66954");
        assert_eq!(d("md5"), "adac5e63f80f8629e9573527b25891d3");
        assert_eq!(d("sha1"), "c29dd6c83b67a1d6d3b28588a1f068b68689aa1d");
        assert_eq!(
            d("sha256"),
            "2dd411308b37266d33c9246821adc5aa4002f0091f5e2aece1953789930ad924"
        );
        assert_eq!(
            d("sha3_256"),
            "1bbe785577db997a394d5b4555eec9159cb51f235aec07514872d2d436c6e985"
        );
        assert_eq!(
            d("keccak256"),
            "76da52eec05b749b99d6e62bb52333c1569fe75284e6c82f3de12a4618be00d6"
        );
        assert_eq!(&d("blake2b")[..16], "576701fd79a126f2");
        let keyed = hex(&digest(b"blake2b", b"ao", 32, b"key").expect("keyed"));
        assert_eq!(
            keyed,
            "b78573ee7e97f4f58c2b54f5654dd1b5ef7a0bd91a8bc587ffc2e42e06d25318"
        );
        assert_eq!(digest(b"blake2b", b"ao", 65, b""), None);
    }
}
