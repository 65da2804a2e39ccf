//! The one error type of the engine. Every failure that crosses the public API is one of
//! these variants; the wasm binding turns them into JS `Error`s carrying [`Error::code`].

use std::fmt;

/// An engine error with a stable machine-readable code (see [`Error::code`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Lua source that does not parse or compile: `chunk:line: message`.
    Syntax(String),
    /// Source refused before compiling because it could exhaust the host (too large, or an
    /// expression nested or chained deeper than the compiler can take safely).
    SourceRejected(String),
    /// A Lua runtime error (`error(...)`, a type error, a failed assertion...).
    Lua(String),
    /// The compute budget of one call ran out; `at` is the Lua line it was running, when
    /// one could be found (see `vm::runaway`).
    OutOfFuel { limit: u64, at: Option<Position> },
    /// The host stopped the running call (Ctrl-C in a console); nothing it did is kept.
    Interrupted,
    /// An Eval message that no handler took: aos's Eval handler runs code only from the
    /// process's `Owner`, and the message went to the Inbox instead.
    NotHandled(String),
    /// The process grew past its memory limit.
    OutOfMemory { used: usize, limit: usize },
    /// A message that is not well-formed.
    BadMessage(String),
    /// Options that are not well-formed.
    BadOptions(String),
    /// A state document that cannot be imported.
    BadState(String),
    /// A checkpoint that does not exist (or is older than the history kept).
    BadCheckpoint(String),
    /// A replayed message whose outcome differs from the logged one.
    ReplayMismatch(String),
    /// A network run delivered as many messages as its budget allows and messages are
    /// still pending (a message loop, or a budget too small for the scenario).
    BudgetExceeded(String),
    /// The instance hit an internal fault earlier and refuses further work.
    Poisoned(String),
    /// Lua called `os.exit(status)`: the whole evaluation ends, past every `pcall`, as
    /// aos's emscripten `exit` throws out of `handle` (a message keeps nothing).
    Exit(i32),
}

/// A line of Lua source: the chunk's name as Lua writes it in messages (`[string "aos"]`,
/// `=stdin`'s `stdin`...) and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub chunk: String,
    pub line: u64,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.chunk, self.line)
    }
}

impl Error {
    /// The stable code of this error, as exposed to JS (`err.code`) and the CLI.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Syntax(_) => "SYNTAX_ERROR",
            Error::SourceRejected(_) => "SOURCE_REJECTED",
            Error::Lua(_) => "LUA_ERROR",
            Error::OutOfFuel { .. } => "OUT_OF_FUEL",
            Error::OutOfMemory { .. } => "OUT_OF_MEMORY",
            Error::Interrupted => "INTERRUPTED",
            Error::NotHandled(_) => "NOT_HANDLED",
            Error::BadMessage(_) => "BAD_MESSAGE",
            Error::BadOptions(_) => "BAD_OPTIONS",
            Error::BadState(_) => "BAD_STATE",
            Error::BadCheckpoint(_) => "BAD_CHECKPOINT",
            Error::ReplayMismatch(_) => "REPLAY_MISMATCH",
            Error::BudgetExceeded(_) => "BUDGET_EXCEEDED",
            Error::Poisoned(_) => "POISONED",
            Error::Exit(_) => "EXIT",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Syntax(m) | Error::Lua(m) => f.write_str(m),
            Error::SourceRejected(m) => write!(f, "source rejected: {m}"),
            Error::OutOfFuel { limit, at } => write!(
                f,
                "out of fuel{}: the computation used more than its limit of {limit} fuel units \
                 (a runaway loop?); to allow more, raise the fuel limit: `--fuel N` in the \
                 CLI, `limits: {{ fuel: N }}` in the JS API, `Limits::fuel` in Rust",
                match at {
                    Some(at) => format!(" at {at}"),
                    None => String::new(),
                }
            ),
            Error::OutOfMemory { used, limit } => write!(
                f,
                "out of memory: the process uses {used} bytes, more than its limit of {limit} bytes; \
                 to allow more, raise the memory limit: `--memory BYTES` in the CLI, \
                 `limits: {{ memory: BYTES }}` in the JS API, `Limits::memory` in Rust"
            ),
            Error::Interrupted => f.write_str("interrupted: the computation was stopped"),
            Error::NotHandled(m) => write!(f, "not handled: {m}"),
            Error::BadMessage(m) => write!(f, "bad message: {m}"),
            Error::BadOptions(m) => write!(f, "bad options: {m}"),
            Error::BadState(m) => write!(f, "bad state document: {m}"),
            Error::BadCheckpoint(m) => write!(f, "bad checkpoint: {m}"),
            Error::ReplayMismatch(m) => write!(f, "replay mismatch: {m}"),
            Error::BudgetExceeded(m) => write!(f, "budget exceeded: {m}"),
            Error::Poisoned(m) => write!(f, "instance poisoned by an earlier internal fault: {m}"),
            // emscripten's ExitStatus text, which aos's `handle` throws.
            Error::Exit(status) => write!(f, "Program terminated with exit({status})"),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;
