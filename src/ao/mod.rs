//! The AO process model: messages, the aos-compatible runtime, outcomes.

pub mod crypto;
pub mod crypto_aead;
mod epilogue;
pub mod json;
pub mod message;
pub(crate) mod names;
pub mod outcome;
mod patterns;
mod print;
pub mod process;
mod prologue;
mod result;
pub mod runtime;
mod send;

pub use message::{Message, Tag};
pub use outcome::{HandlerRun, OutMessage, OutTag, Outcome};
pub use process::{Diagnostics, EvalOutput, Process, ProcessOptions};
