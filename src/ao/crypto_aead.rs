//! The two authenticated ciphers of aos's `.crypto.cipher`: MORUS-1280 (`morus`) and NORX
//! 64-4-1 (`norx`), computed natively with the block layout, padding and tags of aos's Lua
//! implementations (checked against real aos by the oracle scenario `crypto_aead`).

fn le_words<const N: usize>(bytes: &[u8]) -> [u64; N] {
    let mut words = [0u64; N];
    for (w, chunk) in words.iter_mut().zip(bytes.chunks(8)) {
        let mut b = [0u8; 8];
        b[..chunk.len()].copy_from_slice(chunk);
        *w = u64::from_le_bytes(b);
    }
    words
}

fn le_bytes(words: &[u64]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// MORUS-1280's state: five rows of four 64-bit words.
struct Morus([[u64; 4]; 5]);

impl Morus {
    /// The state update with message block `m`: each row in turn takes in the message (not
    /// the first row) and the row three after it, which then turns by whole words, and the
    /// AND of the next two rows, and rotates its words' bits.
    fn update(&mut self, m: [u64; 4]) {
        const BITS: [u32; 5] = [13, 46, 38, 7, 4];
        const WORDS: [usize; 5] = [3, 2, 1, 2, 3];
        let s = &mut self.0;
        for r in 0..5 {
            let partner = (r + 3) % 5;
            let mut row = s[r];
            for ((w, p), mj) in row.iter_mut().zip(s[partner]).zip(m) {
                *w ^= p ^ if r == 0 { 0 } else { mj };
            }
            s[partner].rotate_left(WORDS[r]);
            let (b, c) = (s[(r + 1) % 5], s[(r + 2) % 5]);
            for ((w, bj), cj) in row.iter_mut().zip(b).zip(c) {
                *w = (*w ^ (bj & cj)).rotate_left(BITS[r]);
            }
            s[r] = row;
        }
    }

    /// The keystream word `j` XORed into a block.
    fn stream(&self, j: usize) -> u64 {
        let s = &self.0;
        s[0][j] ^ s[1][(j + 1) % 4] ^ (s[2][j] & s[3][j])
    }

    fn new(key: &[u8], iv: &[u8]) -> Morus {
        let k: [u64; 4] = if key.len() == 16 {
            let [a, b] = le_words::<2>(key);
            [a, b, a, b]
        } else {
            le_words(key)
        };
        let [iv0, iv1] = le_words::<2>(iv);
        let mut s = Morus([
            [iv0, iv1, 0, 0],
            k,
            [u64::MAX; 4],
            [0; 4],
            [
                0x0d08050302010100,
                0x6279e99059372215,
                0xf12fc26d55183ddb,
                0xdd28b57342311120,
            ],
        ]);
        for _ in 0..16 {
            s.update([0; 4]);
        }
        for (w, kw) in s.0[1].iter_mut().zip(k) {
            *w ^= kw;
        }
        s
    }

    /// Encrypts one 32-byte block (zero-padded when partial) and updates with the plain text.
    fn encrypt_block(&mut self, plain: [u64; 4]) -> [u64; 4] {
        let c = std::array::from_fn(|j| plain[j] ^ self.stream(j));
        self.update(plain);
        c
    }

    fn absorb(&mut self, ad: &[u8]) {
        for chunk in ad.chunks(32) {
            self.encrypt_block(le_words(chunk));
        }
    }

    fn tag(&mut self, ad_len: usize, m_len: usize) -> Vec<u8> {
        let first = self.0[0];
        for (w, f) in self.0[4].iter_mut().zip(first) {
            *w ^= f;
        }
        let lengths = [(ad_len as u64) << 3, (m_len as u64) << 3, 0, 0];
        for _ in 0..10 {
            self.update(lengths);
        }
        le_bytes(&[self.stream(0), self.stream(1)])
    }
}

/// MORUS-1280 encryption: the cipher text (as long as `m`) and the 16-byte tag. `key` is 16
/// or 32 bytes and `iv` 16 (the caller checks, as aos asserts).
pub fn morus_encrypt(key: &[u8], iv: &[u8], m: &[u8], ad: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut s = Morus::new(key, iv);
    s.absorb(ad);
    let mut c = Vec::with_capacity(m.len());
    for chunk in m.chunks(32) {
        let block = le_bytes(&s.encrypt_block(le_words(chunk)));
        c.extend_from_slice(&block[..chunk.len()]);
    }
    let tag = s.tag(ad.len(), m.len());
    (c, tag)
}

/// MORUS-1280 decryption of `e` (`ad_len` bytes of associated data, the cipher text, the
/// tag); `None` when the tag does not match.
pub fn morus_decrypt(key: &[u8], iv: &[u8], e: &[u8], ad_len: usize) -> Option<Vec<u8>> {
    let e_len = e.len().checked_sub(16)?;
    let m_len = e_len.checked_sub(ad_len)?;
    let mut s = Morus::new(key, iv);
    s.absorb(&e[..ad_len]);
    let mut m = Vec::with_capacity(m_len);
    for chunk in e[ad_len..e_len].chunks(32) {
        let c: [u64; 4] = le_words(chunk);
        let mut plain = le_bytes(&std::array::from_fn::<u64, 4, _>(|j| c[j] ^ s.stream(j)));
        plain.truncate(chunk.len());
        s.update(le_words(&plain));
        m.extend_from_slice(&plain);
    }
    (s.tag(ad_len, m_len) == e[e_len..]).then_some(m)
}

const NORX_PAYLOAD: u64 = 0x02;

/// NORX 64-4-1's state: sixteen 64-bit words, the first twelve the rate.
struct Norx([u64; 16]);

impl Norx {
    fn g(&mut self, a: usize, b: usize, c: usize, d: usize) {
        let s = &mut self.0;
        let h = |x: u64, y: u64| (x ^ y) ^ ((x & y) << 1);
        s[a] = h(s[a], s[b]);
        s[d] = (s[d] ^ s[a]).rotate_right(8);
        s[c] = h(s[c], s[d]);
        s[b] = (s[b] ^ s[c]).rotate_right(19);
        s[a] = h(s[a], s[b]);
        s[d] = (s[d] ^ s[a]).rotate_right(40);
        s[c] = h(s[c], s[d]);
        s[b] = (s[b] ^ s[c]).rotate_right(63);
    }

    fn f(&mut self) {
        self.g(0, 4, 8, 12);
        self.g(1, 5, 9, 13);
        self.g(2, 6, 10, 14);
        self.g(3, 7, 11, 15);
        self.g(0, 5, 10, 15);
        self.g(1, 6, 11, 12);
        self.g(2, 7, 8, 13);
        self.g(3, 4, 9, 14);
    }

    fn permute(&mut self) {
        for _ in 0..4 {
            self.f();
        }
    }

    fn new(key: &[u64; 4], nonce: &[u64; 4]) -> Norx {
        let mut s = Norx(std::array::from_fn(|i| i as u64));
        s.f();
        s.f();
        s.0[..4].copy_from_slice(nonce);
        s.0[4..8].copy_from_slice(key);
        for (w, p) in s.0[12..].iter_mut().zip([64, 4, 1, 256]) {
            *w ^= p;
        }
        s.permute();
        for (w, k) in s.0[12..].iter_mut().zip(key) {
            *w ^= k;
        }
        s
    }

    /// A padded last block: the bytes, 0x01, zeros, 0x80 in the last byte (one byte 0x81
    /// when 95 bytes are given).
    fn pad(last: &[u8]) -> [u8; 96] {
        let mut out = [0u8; 96];
        out[..last.len()].copy_from_slice(last);
        out[last.len()] ^= 0x01;
        out[95] ^= 0x80;
        out
    }

    fn absorb(&mut self, data: &[u8], tag: u64) {
        if data.is_empty() {
            return;
        }
        let full = data.len() / 96;
        let absorb_block = |s: &mut Norx, block: &[u8]| {
            s.0[15] ^= tag;
            s.permute();
            for (w, x) in s.0[..12].iter_mut().zip(le_words::<12>(block)) {
                *w ^= x;
            }
        };
        for block in data[..full * 96].chunks(96) {
            absorb_block(self, block);
        }
        absorb_block(self, &Norx::pad(&data[full * 96..]));
    }

    fn finalize(&mut self, key: &[u64; 4]) -> Vec<u8> {
        self.0[15] ^= 0x08;
        self.permute();
        for (w, k) in self.0[12..].iter_mut().zip(key) {
            *w ^= k;
        }
        self.permute();
        for (w, k) in self.0[12..].iter_mut().zip(key) {
            *w ^= k;
        }
        le_bytes(&self.0[12..])
    }
}

/// NORX 64-4-1 encryption: the cipher text and the 32-byte tag. `key` and `nonce` hold at
/// least 32 bytes (the caller checks, as aos's reads fail on shorter ones).
pub fn norx_encrypt(
    key: &[u8],
    nonce: &[u8],
    plain: &[u8],
    header: &[u8],
    trailer: &[u8],
) -> (Vec<u8>, Vec<u8>) {
    let (k, n) = (le_words::<4>(key), le_words::<4>(nonce));
    let mut s = Norx::new(&k, &n);
    s.absorb(header, 0x01);
    let mut c = Vec::with_capacity(plain.len());
    if !plain.is_empty() {
        let full = plain.len() / 96;
        let encrypt = |s: &mut Norx, block: &[u8]| -> Vec<u8> {
            s.0[15] ^= NORX_PAYLOAD;
            s.permute();
            for (w, x) in s.0[..12].iter_mut().zip(le_words::<12>(block)) {
                *w ^= x;
            }
            le_bytes(&s.0[..12])
        };
        for block in plain[..full * 96].chunks(96) {
            c.extend(encrypt(&mut s, block));
        }
        let last = &plain[full * 96..];
        c.extend_from_slice(&encrypt(&mut s, &Norx::pad(last))[..last.len()]);
    }
    s.absorb(trailer, 0x04);
    let tag = s.finalize(&k);
    (c, tag)
}

/// NORX 64-4-1 decryption of `crypted` (cipher text, then the 32-byte tag); `None` when the
/// tag does not match (or `crypted` is shorter than a tag).
pub fn norx_decrypt(
    key: &[u8],
    nonce: &[u8],
    crypted: &[u8],
    header: &[u8],
    trailer: &[u8],
) -> Option<Vec<u8>> {
    let c_len = crypted.len().checked_sub(32)?;
    let (c, tag) = crypted.split_at(c_len);
    let (k, n) = (le_words::<4>(key), le_words::<4>(nonce));
    let mut s = Norx::new(&k, &n);
    s.absorb(header, 0x01);
    let mut plain = Vec::with_capacity(c_len);
    if !c.is_empty() {
        let full = c.len() / 96;
        for block in c[..full * 96].chunks(96) {
            s.0[15] ^= NORX_PAYLOAD;
            s.permute();
            for (w, x) in s.0[..12].iter_mut().zip(le_words::<12>(block)) {
                plain.extend_from_slice(&(*w ^ x).to_le_bytes());
                *w = x;
            }
        }
        let last = &c[full * 96..];
        s.0[15] ^= NORX_PAYLOAD;
        s.permute();
        // The last block: the cipher bytes over the keystream, padded in place.
        let mut block = le_bytes(&s.0[..12]);
        block[..last.len()].copy_from_slice(last);
        block[last.len()] ^= 0x01;
        block[95] ^= 0x80;
        let mut out = Vec::with_capacity(96);
        for (w, x) in s.0[..12].iter_mut().zip(le_words::<12>(&block)) {
            out.extend_from_slice(&(*w ^ x).to_le_bytes());
            *w = x;
        }
        plain.extend_from_slice(&out[..last.len()]);
    }
    s.absorb(trailer, 0x04);
    (s.finalize(&k) == tag).then_some(plain)
}

/// `aead(op, ...)` for `.crypto.cipher.morus` and `norx`, which check their arguments as aos
/// does before calling it: `"morus.encrypt", key, iv, m, ad` and `"norx.encrypt", key, nonce,
/// plain, header, trailer` return the cipher text and the tag; `"morus.decrypt", key, iv, e,
/// adlen` and `"norx.decrypt", key, nonce, crypted, header, trailer` the plain text, or nil
/// when the tag does not match.
pub fn callback(ctx: piccolo::Context<'_>) -> piccolo::Callback<'_> {
    use piccolo::{CallbackReturn, Value};
    piccolo::Callback::from_fn(&ctx, |ctx, mut exec, mut stack| {
        let bytes = |i: usize| match stack.get(i) {
            Value::String(s) => Some(s.as_bytes().to_vec()),
            _ => None,
        };
        let bad = || crate::stdlib::args::runtime_error(ctx, "aead: bad arguments");
        let op = bytes(0).ok_or_else(bad)?;
        let (a, b, c) = (
            bytes(1).ok_or_else(bad)?,
            bytes(2).ok_or_else(bad)?,
            bytes(3).ok_or_else(bad)?,
        );
        exec.fuel()
            .consume(crate::stdlib::args::byte_fuel(c.len().saturating_mul(4)));
        let string = |v: Vec<u8>| crate::stdlib::args::new_string(ctx, v);
        match op.as_slice() {
            b"morus.encrypt" => {
                let (cipher, tag) = morus_encrypt(&a, &b, &c, &bytes(4).unwrap_or_default());
                stack.replace(ctx, (string(cipher), string(tag)));
            }
            b"morus.decrypt" => {
                let ad_len = match stack.get(4) {
                    Value::Integer(n) => usize::try_from(n).ok(),
                    Value::Number(n) if n >= 0.0 && n.fract() == 0.0 => Some(n as usize),
                    _ => None,
                };
                let plain = ad_len.and_then(|n| morus_decrypt(&a, &b, &c, n));
                stack.replace(ctx, plain.map_or(Value::Nil, string));
            }
            b"norx.encrypt" => {
                let (header, trailer) =
                    (bytes(4).unwrap_or_default(), bytes(5).unwrap_or_default());
                let (cipher, tag) = norx_encrypt(&a, &b, &c, &header, &trailer);
                stack.replace(ctx, (string(cipher), string(tag)));
            }
            b"norx.decrypt" => {
                let (header, trailer) =
                    (bytes(4).unwrap_or_default(), bytes(5).unwrap_or_default());
                let plain = norx_decrypt(&a, &b, &c, &header, &trailer);
                stack.replace(ctx, plain.map_or(Value::Nil, string));
            }
            _ => return Err(bad()),
        }
        Ok(CallbackReturn::Return)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    /// Values real aos 2.0.6 gave (the oracle scenario checks many more).
    #[test]
    fn ciphers_give_aos_values_and_round_trip() {
        let (c, tag) = morus_encrypt(b"super_secret_shh", b"0000000000000000", b"ao", b"");
        assert_eq!(hex(&c) + &hex(&tag), "514ed31473d8fb0b76c6cbb17af35ed01d0a");
        let mut e = c.clone();
        e.extend(&tag);
        assert_eq!(
            morus_decrypt(b"super_secret_shh", b"0000000000000000", &e, 0),
            Some(b"ao".to_vec())
        );
        let key = [b'k'; 32];
        let nonce = [b'n'; 32];
        let (c, tag) = norx_encrypt(&key, &nonce, b"ao", b"", b"");
        assert_eq!(
            hex(&c) + &hex(&tag),
            "b760c775055ddad5f61a23d75bee2f73bb4ad6bb3c637a95a51f9d760cf40b4cad08"
        );
        let plain: Vec<u8> = (0..300u32).map(|i| (i * 7) as u8).collect();
        let (c, tag) = norx_encrypt(&key, &nonce, &plain, b"head", b"tail");
        let mut crypted = c;
        crypted.extend(tag);
        assert_eq!(
            norx_decrypt(&key, &nonce, &crypted, b"head", b"tail"),
            Some(plain.clone())
        );
        crypted[0] ^= 1;
        assert_eq!(norx_decrypt(&key, &nonce, &crypted, b"head", b"tail"), None);
    }
}
