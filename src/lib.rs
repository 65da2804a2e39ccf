//! aolite runs AO (aos) Lua processes locally, deterministically and fast, on the piccolo
//! Lua VM: natively, in Node and in the browser, from one codebase.
//!
//! Layers, each using only the ones above it: [`vm`] hosts piccolo (limits, compile
//! pipeline, value conversion); [`stdlib`] completes the Lua 5.3 library; [`ao`] is the
//! process model; [`state`] exports, checkpoints and replays a process; [`net`] runs many
//! processes as a local AO network. The `wasm` module (wasm32 only) is a thin JS binding over this API.
//!
//! ```
//! use aolite::{Message, Process, ProcessOptions};
//! let mut p = Process::new(ProcessOptions::default()).unwrap();
//! p.eval(r#"Handlers.add("ping", "Ping", function(msg) msg.reply({ Data = "pong" }) end)"#)
//!     .unwrap();
//! let out = p.send(Message::default().with_tag("Action", "Ping")).unwrap();
//! assert_eq!(out.messages[0].data_text(), Some("pong"));
//! ```

// No panic paths in the engine: a panic in wasm poisons the whole module, so library code
// turns every broken invariant into an `Error` value instead of `unwrap`/`expect`.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

pub mod ao;
pub mod console;
pub mod error;
pub mod lua;
pub mod net;
pub mod report;
pub mod state;
pub mod stdlib;
pub mod vm;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use ao::{Diagnostics, EvalOutput, Message, OutMessage, Outcome, Process, ProcessOptions, Tag};
pub use error::{Error, Position};
pub use lua::{run_script, run_script_with_args, ScriptOutput};
pub use net::{Network, NetworkOptions};
pub use vm::Limits;
