//! The shared wasm tests, run under Node by `wasm-pack test --node`.
#![cfg(target_arch = "wasm32")]

mod wasm_common;
