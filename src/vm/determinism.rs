//! Everything that could make a run depend on the machine instead of the program.
//!
//! piccolo hashes table keys with `ahash::RandomState::new()`, whose seeds normally come from
//! the OS (getrandom) mixed with a per-process counter, so `pairs` order would change from run
//! to run. We pin both sources: ahash gets a constant [`RandomSource`], and getrandom (0.3
//! everywhere, 0.2 on wasm where rand pulls it in) gets a backend that returns fixed bytes.
//! Nothing in aolite needs real entropy: `math.random` is our own seeded generator.
//! `.cargo/config.toml` selects the custom getrandom backend and aligns ahash's hashing path
//! between wasm32 and 64-bit hosts.

use std::sync::OnceLock;

use ahash::random_state::RandomSource;

struct ConstantSource;

impl RandomSource for ConstantSource {
    fn gen_hasher_seed(&self) -> usize {
        0x5eed_a011
    }
}

/// Fills `dest` with a fixed byte stream (splitmix64 from a constant).
fn fixed_bytes(dest: &mut [u8]) {
    let mut state: u64 = 0x0a01_17e0_a011_17e0;
    for chunk in dest.chunks_mut(8) {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
    }
}

/// The getrandom 0.3 custom backend selected by `--cfg getrandom_backend="custom"`.
///
/// # Safety
/// Called by getrandom with a valid writable buffer of `len` bytes.
#[no_mangle]
unsafe extern "Rust" fn __getrandom_v03_custom(
    dest: *mut u8,
    len: usize,
) -> Result<(), getrandom_03::Error> {
    // SAFETY: getrandom passes a valid, writable, exclusively borrowed buffer.
    let buf = unsafe { std::slice::from_raw_parts_mut(dest, len) };
    fixed_bytes(buf);
    Ok(())
}

#[cfg(target_arch = "wasm32")]
fn getrandom_02_fixed(dest: &mut [u8]) -> Result<(), getrandom_02::Error> {
    fixed_bytes(dest);
    Ok(())
}

#[cfg(target_arch = "wasm32")]
getrandom_02::register_custom_getrandom!(getrandom_02_fixed);

/// Pins ahash's seed source. Must run before the first piccolo table exists; every `Vm`
/// calls it first. Returns false if some other code created an ahash `RandomState` with
/// the default source before us, in which case table order would not be reproducible.
pub fn ensure() -> bool {
    static PINNED: OnceLock<bool> = OnceLock::new();
    *PINNED.get_or_init(|| ahash::random_state::set_random_source(ConstantSource).is_ok())
}
