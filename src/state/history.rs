//! Checkpoints, rollback, the message log and replay.
//!
//! A checkpoint is a position in the undo log's history plus the host-side state (schedule,
//! random generator, identity counter, message-log length). While any checkpoint exists,
//! each committed message keeps its logged writes; rolling back to a checkpoint undoes the
//! messages after it, newest first, so it costs what they changed, not the size of the
//! state. With no checkpoint, nothing is kept. Dropping the oldest checkpoint forgets the
//! history only it needed.
//!
//! The message log records every message handled (not dry-runs) with the SHA-256 of its
//! outcome; [`Process::replay`] runs a log again from the same start and checks every step.
//! Entries are kept compact (the message as its JSON text, the hash as bytes), and the log
//! is bounded: when it holds more than [`MAX_LOG_BYTES`] (or more than its base document,
//! if that is larger), it restarts from a *base*, the state document at that point
//! ([`Process::log_base`]), so memory stays flat over any number of messages while a replay
//! from that base rebuilds the present.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use crate::ao::outcome::Outcome;
use crate::ao::process::{Process, ProcessOptions};
use crate::error::Error;
use crate::stdlib::random::Rng;
use crate::stdlib::tostring;
use crate::vm::undo;

/// Most writes the history may hold; beyond it the oldest checkpoints are dropped.
pub const MAX_HISTORY_ENTRIES: usize = 2_000_000;

/// Most bytes of messages the log holds before it restarts from a base state document, unless
/// that document is larger (see [`History::log_limit`]). 4 MB: in wasm, whose memory never
/// shrinks, the log and the export at its restart are most of a long-lived process's
/// footprint (16 MB kept 1 000 000 messages through the Node package at about 150 MB
/// resident).
pub const MAX_LOG_BYTES: usize = 4 << 20;

/// What a checkpoint restores besides Lua state.
#[derive(Debug, Clone)]
struct HostSnapshot {
    nonce: i64,
    clock: i64,
    block_height: i64,
    fuel: u64,
    time_ms: i64,
    rng: Rng,
    identities: u64,
}

#[derive(Debug, Clone)]
struct Checkpoint {
    id: u64,
    name: Option<String>,
    position: u64,
    seq: usize,
    host: HostSnapshot,
}

/// A checkpoint as users see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckpointInfo {
    pub id: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Messages in the log when it was taken.
    pub seq: usize,
}

/// How a logged message was delivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Delivery {
    /// `send` (defaults filled in from the process).
    Send,
    /// `handle`: message and env exactly as given.
    Handle,
    /// `evaluate`: Lua source run by the host (`message` is the source text).
    Evaluate,
}

/// One handled message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    pub seq: usize,
    pub kind: Delivery,
    pub message: Json,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<Json>,
    /// Whether the message committed (no error).
    pub ok: bool,
    /// SHA-256 (hex) of the outcome, `Diff` left out.
    #[serde(rename = "outcomeHash")]
    pub outcome_hash: String,
}

/// A log entry as the log keeps it: its texts are ranges of [`History::texts`].
#[derive(Debug, Clone)]
struct Stored {
    kind: Delivery,
    message: std::ops::Range<usize>,
    env: Option<std::ops::Range<usize>>,
    ok: bool,
    outcome_hash: [u8; 32],
}

impl Stored {
    fn bytes(&self) -> usize {
        std::mem::size_of::<Stored>()
            + self.message.len()
            + self.env.as_ref().map_or(0, |e| e.len())
    }
}

/// The texts of the log's entries, one after another, addressed by their position in the
/// whole sequence. Kept in a few large buffers instead of an allocation per entry: long-lived
/// small blocks among each message's short-lived garbage fragmented the allocator's free
/// lists, which cost every later message about a fifth of its time (a run of 40 000
/// messages: 50 µs per message against 39 without the log). And in blocks of [`TEXT_BLOCK`]
/// rather than one buffer that doubles: each doubling copied the texts into a new block and
/// left the old one free, and in wasm, whose memory never shrinks, those freed blocks kept
/// the memory at about three times the log's size (a 16 MB log: 60 MB of wasm memory).
#[derive(Debug, Default)]
struct Texts {
    /// The blocks: the first grows as a `String` does up to a block's size, the others are
    /// made at their size and never grow. A text never spans two blocks.
    blocks: Vec<String>,
    /// Where each block starts in the whole sequence.
    starts: Vec<usize>,
}

/// Bytes of a text block (a longer text gets a block of its own size).
const TEXT_BLOCK: usize = 1 << 20;

impl Texts {
    /// Appends `t`; its place in the whole sequence.
    fn push(&mut self, t: &str) -> std::ops::Range<usize> {
        let end = self.len();
        let full = self
            .blocks
            .last()
            .is_none_or(|b| !b.is_empty() && b.len() + t.len() > TEXT_BLOCK.max(b.capacity()));
        if full {
            let first = self.blocks.is_empty();
            self.blocks.push(if first {
                String::new()
            } else {
                String::with_capacity(TEXT_BLOCK.max(t.len()))
            });
            self.starts.push(end);
        }
        if let Some(b) = self.blocks.last_mut() {
            b.push_str(t);
        }
        end..end + t.len()
    }

    /// The text at `r` (a range [`Texts::push`] gave).
    fn get(&self, r: std::ops::Range<usize>) -> &str {
        let i = self
            .starts
            .partition_point(|&s| s <= r.start)
            .saturating_sub(1);
        let start = self.starts.get(i).copied().unwrap_or(0);
        self.blocks
            .get(i)
            .and_then(|b| b.get(r.start - start..r.end - start))
            .unwrap_or("")
    }

    /// Bytes in the whole sequence.
    fn len(&self) -> usize {
        match (self.starts.last(), self.blocks.last()) {
            (Some(s), Some(b)) => s + b.len(),
            _ => 0,
        }
    }

    /// Drops everything from position `end` on.
    fn truncate(&mut self, end: usize) {
        while self.starts.last().is_some_and(|&s| s >= end && s > 0) {
            self.starts.pop();
            self.blocks.pop();
        }
        if let (Some(&s), Some(b)) = (self.starts.last(), self.blocks.last_mut()) {
            b.truncate(end.saturating_sub(s));
        }
    }

    /// Empties it, keeping the first block's memory.
    fn clear(&mut self) {
        self.blocks.truncate(1);
        self.starts.truncate(1);
        if let Some(b) = self.blocks.first_mut() {
            b.clear();
        }
    }
}

/// Per-process history settings and records.
#[derive(Debug, Default)]
pub struct History {
    checkpoints: Vec<Checkpoint>,
    next_id: u64,
    log: Vec<Stored>,
    /// The texts of the log's entries, one after another (see [`Texts`]).
    texts: Texts,
    /// Bytes the log's entries hold.
    log_bytes: usize,
    /// Messages handled before the log's first entry (since spawn or import).
    log_offset: usize,
    /// The state document the log starts from, once it no longer starts at the spawn or
    /// import (`None` there; also `None` when that state could not be exported, e.g. with
    /// a suspended coroutine: then no replay reaches the present).
    log_base: Option<std::sync::Arc<str>>,
    /// Most bytes the log holds before it restarts (default [`MAX_LOG_BYTES`]).
    pub max_log_bytes: usize,
    /// Whether messages are logged (default on).
    pub logging: bool,
    /// Whether outcomes carry a `Diff`.
    pub diffs: bool,
    /// Most writes the history may hold (default [`MAX_HISTORY_ENTRIES`]).
    pub max_entries: usize,
    /// Where a log that has not restarted replays from (see [`Origin`]).
    pub(crate) origin: Option<Origin>,
}

/// What a process started from: what a replay of a log that has not restarted starts from.
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    /// Spawned with these options.
    Spawn(Box<ProcessOptions>),
    /// Imported from this state document (kept, as a restarted log keeps its base).
    Import(std::sync::Arc<str>),
}

impl History {
    pub fn new(logging: bool, diffs: bool) -> History {
        History {
            logging,
            diffs,
            next_id: 1,
            max_entries: MAX_HISTORY_ENTRIES,
            max_log_bytes: MAX_LOG_BYTES,
            ..History::default()
        }
    }

    /// Bytes of messages the log holds before it restarts: [`History::max_log_bytes`], or the
    /// size of its base document when that is larger. A restart exports the whole state, so
    /// a large state restarts a log only after as many bytes of messages as it has itself:
    /// the export costs each logged byte at most one byte of export, and the log never holds
    /// more than its base already does.
    pub fn log_limit(&self) -> usize {
        self.max_log_bytes
            .max(self.log_base.as_ref().map_or(0, |b| b.len()))
    }

    /// Messages handled since spawn or import (the log's length had it never restarted).
    fn logged(&self) -> usize {
        self.log_offset + self.log.len()
    }

    /// Whether committed messages must keep their writes.
    pub fn keeps_writes(&self) -> bool {
        !self.checkpoints.is_empty()
    }

    pub(crate) fn clear_log(&mut self) {
        self.log.clear();
        self.texts.clear();
        self.log_bytes = 0;
        self.log_offset = 0;
        self.log_base = None;
    }

    /// The log's entries, numbered from 1 at the spawn or import.
    pub fn log(&self) -> Vec<LogEntry> {
        self.log
            .iter()
            .enumerate()
            .map(|(i, e)| LogEntry {
                seq: self.log_offset + i + 1,
                kind: e.kind.clone(),
                message: serde_json::from_str(self.texts.get(e.message.clone()))
                    .unwrap_or(Json::Null),
                env: e.env.as_ref().map(|env| {
                    serde_json::from_str(self.texts.get(env.clone())).unwrap_or(Json::Null)
                }),
                ok: e.ok,
                outcome_hash: hex(&e.outcome_hash),
            })
            .collect()
    }

    /// Records a handled message (`message` as its JSON text); `true` when the log has
    /// outgrown its bound.
    pub(crate) fn record(
        &mut self,
        kind: Delivery,
        message: &str,
        env: Option<&Json>,
        o: &Outcome,
    ) -> bool {
        if !self.logging {
            return false;
        }
        let mut text = |t: &str| self.texts.push(t);
        let message = text(message);
        let env = env.map(|e| text(&e.to_string()));
        let entry = Stored {
            kind,
            message,
            env,
            ok: o.error.is_none(),
            outcome_hash: outcome_digest(o),
        };
        self.log_bytes += entry.bytes();
        self.log.push(entry);
        self.log_bytes > self.log_limit()
    }

    /// Restarts the log after message `offset`, from `base` (the state document then).
    fn restart_log(&mut self, offset: usize, base: Option<String>) {
        self.log_offset = offset;
        self.log.clear();
        self.log.shrink_to(1024);
        self.texts.clear();
        self.log_bytes = 0;
        self.log_base = base.map(std::sync::Arc::from);
    }
}

/// SHA-256 (hex) of an outcome's JSON without its `Diff`.
pub fn outcome_hash(o: &Outcome) -> String {
    hex(&outcome_digest(o))
}

/// SHA-256 of an outcome's JSON without its `Diff`, written straight into the hasher.
fn outcome_digest(o: &Outcome) -> [u8; 32] {
    struct Hashing(Sha256);
    impl std::io::Write for Hashing {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut h = Hashing(Sha256::new());
    let _ = serde_json::to_writer(&mut h, &o.without_diff());
    h.0.finalize().into()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a replay starts.
pub enum ReplayStart<'a> {
    /// A fresh spawn with these options.
    Spawn(Box<ProcessOptions>),
    /// An exported state document.
    State(&'a str),
}

impl Process {
    fn host_snapshot(&mut self) -> HostSnapshot {
        let identities = self.vm.enter(tostring::identity_mark);
        let host = self.vm.host();
        let host = host.borrow();
        HostSnapshot {
            nonce: self.nonce,
            clock: self.clock,
            block_height: self.block_height,
            fuel: host.fuel_before_slice,
            time_ms: host.time_ms,
            rng: host.rng.clone(),
            identities,
        }
    }

    fn restore_host(&mut self, s: &HostSnapshot) {
        (self.nonce, self.clock, self.block_height) = (s.nonce, s.clock, s.block_height);
        let host = self.vm.host();
        let mut host = host.borrow_mut();
        host.fuel_before_slice = s.fuel;
        host.time_ms = s.time_ms;
        host.rng = s.rng.clone();
    }

    /// Marks the current state; [`Process::rollback`] returns to it. Costs O(1).
    pub fn checkpoint(&mut self, name: Option<&str>) -> u64 {
        let position = self.vm.enter(undo::history_position);
        let host = self.host_snapshot();
        let id = self.history.next_id.max(1);
        self.history.next_id = id + 1;
        self.history.checkpoints.push(Checkpoint {
            id,
            name: name.map(str::to_owned),
            position,
            seq: self.history.logged(),
            host,
        });
        id
    }

    /// A checkpoint for the engine's own use (undoing an unhandled Eval): dropped with
    /// [`Process::drop_scratch_checkpoint`], it leaves the next user checkpoint's id as
    /// it was.
    pub(crate) fn scratch_checkpoint(&mut self) -> u64 {
        self.checkpoint(None)
    }

    pub(crate) fn drop_scratch_checkpoint(&mut self, id: u64) {
        if self.drop_checkpoint(id).is_ok() && self.history.next_id == id + 1 {
            self.history.next_id = id;
        }
    }

    /// The checkpoints one can roll back to, oldest first.
    pub fn checkpoints(&self) -> Vec<CheckpointInfo> {
        self.history
            .checkpoints
            .iter()
            .map(|c| CheckpointInfo {
                id: c.id,
                name: c.name.clone(),
                seq: c.seq,
            })
            .collect()
    }

    /// Caps the writes the history keeps for checkpoints (oldest checkpoints go first).
    pub fn set_history_limit(&mut self, max_entries: usize) {
        self.history.max_entries = max_entries;
        self.trim_history();
    }

    /// After a committed message: keeps the history within its cap.
    pub(crate) fn after_commit(&mut self) {
        if self.history.keeps_writes()
            && self.vm.enter(undo::history_entries) > self.history.max_entries
        {
            self.trim_history();
        }
    }

    /// Forgets a checkpoint (and the history only it needed).
    pub fn drop_checkpoint(&mut self, id: u64) -> Result<(), Error> {
        let i = self.checkpoint_index(id)?;
        self.history.checkpoints.remove(i);
        self.trim_history();
        Ok(())
    }

    fn checkpoint_index(&self, id: u64) -> Result<usize, Error> {
        self.history
            .checkpoints
            .iter()
            .position(|c| c.id == id)
            .ok_or_else(|| Error::BadCheckpoint(format!("no checkpoint {id}")))
    }

    /// Drops history no checkpoint needs, and the oldest checkpoints while the history
    /// holds more than `max_entries` writes (the newest checkpoint always stays).
    pub(crate) fn trim_history(&mut self) {
        loop {
            let oldest = self.history.checkpoints.iter().map(|c| c.position).min();
            match oldest {
                None => {
                    let end = self.vm.enter(undo::history_position);
                    self.vm.enter(|ctx| undo::forget_history_before(ctx, end));
                    return;
                }
                Some(p) => self.vm.enter(|ctx| undo::forget_history_before(ctx, p)),
            }
            if self.vm.enter(undo::history_entries) <= self.history.max_entries
                || self.history.checkpoints.len() <= 1
            {
                return;
            }
            self.history.checkpoints.remove(0);
        }
    }

    /// Returns the process to checkpoint `id`: the state, schedule, random generator and
    /// message log as they were. Checkpoints taken after it are dropped; it stays.
    pub fn rollback(&mut self, id: u64) -> Result<(), Error> {
        let i = self.checkpoint_index(id)?;
        let cp = self.history.checkpoints[i].clone();
        let undone = self.vm.enter(|ctx| match undo::undo_to(ctx, cp.position) {
            Some(_) => {
                tostring::forget_after(ctx, cp.host.identities);
                true
            }
            None => false,
        });
        if !undone {
            return Err(Error::BadCheckpoint(format!(
                "checkpoint {id} is older than the history kept"
            )));
        }
        self.restore_host(&cp.host);
        self.history.checkpoints.truncate(i + 1);
        let h = &mut self.history;
        if cp.seq >= h.log_offset {
            h.log.truncate(cp.seq - h.log_offset);
            let end = h
                .log
                .last()
                .map_or(0, |e| e.env.as_ref().unwrap_or(&e.message).end);
            h.texts.truncate(end);
            h.log_bytes = h.log.iter().map(Stored::bytes).sum();
        } else {
            // The log restarted after the checkpoint: it restarts again here, from this state.
            let base = self.export_state().ok();
            self.history.restart_log(cp.seq, base);
        }
        Ok(())
    }

    /// Runs `f` on the process as it was at checkpoint `id` (its Lua state, schedule and
    /// random generator), then returns to the present. `f` must only read. Costs what the
    /// messages since then changed, twice.
    fn with_state_at<R>(
        &mut self,
        id: u64,
        f: impl FnOnce(&mut Process) -> Result<R, Error>,
    ) -> Result<R, Error> {
        let i = self.checkpoint_index(id)?;
        let cp = self.history.checkpoints[i].clone();
        let parked = self.vm.enter(|ctx| {
            let ok = undo::park_to(ctx, cp.position);
            if ok {
                tostring::park_after(ctx, cp.host.identities);
            }
            ok
        });
        if !parked {
            return Err(Error::BadCheckpoint(format!(
                "checkpoint {id} is older than the history kept"
            )));
        }
        let now = self.host_snapshot();
        self.restore_host(&cp.host);
        let r = f(self);
        self.restore_host(&now);
        self.vm.enter(|ctx| {
            tostring::unpark(ctx);
            undo::unpark(ctx);
        });
        r
    }

    /// Runs `f` on the Lua state as it was at checkpoint `id` (see `with_state_at`).
    pub fn peek<R>(
        &mut self,
        id: u64,
        f: impl for<'gc> FnOnce(piccolo::Context<'gc>) -> R,
    ) -> Result<R, Error> {
        self.with_state_at(id, |p| Ok(p.vm.enter(f)))
    }

    /// The state document as it was at checkpoint `id`.
    pub fn export_state_at(&mut self, id: u64) -> Result<String, Error> {
        self.with_state_at(id, |p| p.export_state())
    }

    /// The state hash as it was at checkpoint `id`.
    pub fn state_hash_at(&mut self, id: u64) -> Result<String, Error> {
        self.with_state_at(id, |p| p.state_hash())
    }

    /// [`Process::stats`] as they were at checkpoint `id`.
    pub fn stats_at(&mut self, id: u64) -> Result<crate::state::stats::Stats, Error> {
        self.with_state_at(id, |p| Ok(p.stats()))
    }

    /// An independent copy of the process as it was at checkpoint `id`.
    pub fn fork_at(&mut self, id: u64) -> Result<Process, Error> {
        let doc = self.export_state_at(id)?;
        self.copy_from(&doc)
    }

    /// The message log (since spawn or import, or since its base: see [`Process::log_base`]).
    pub fn message_log(&self) -> Vec<LogEntry> {
        self.history.log()
    }

    /// The state document the message log starts from once it has restarted (it holds at
    /// most [`History::max_log_bytes`] of messages): `Process::replay` from this document
    /// with the log rebuilds the present. `None` while the log starts at the spawn or
    /// import (or when the state at the restart could not be exported).
    pub fn log_base(&self) -> Option<&str> {
        self.history.log_base.as_deref()
    }

    /// Caps the bytes of messages the log holds before restarting from a base document (or
    /// as many bytes as that document has, if more: see [`History::log_limit`]).
    pub fn set_log_limit(&mut self, max_bytes: usize) {
        self.history.max_log_bytes = max_bytes;
    }

    /// Bytes of messages the log holds before it restarts (see [`History::log_limit`]).
    pub fn log_limit(&self) -> usize {
        self.history.log_limit()
    }

    /// Records a handled message in the log, restarting the log from the present state
    /// when it has outgrown its bound.
    pub(crate) fn log_message(
        &mut self,
        kind: Delivery,
        message: &str,
        env: Option<&Json>,
        o: &Outcome,
    ) {
        if self.history.record(kind, message, env, o) {
            let base = self.export_state().ok();
            let offset = self.history.logged();
            self.history.restart_log(offset, base);
        }
    }

    /// An independent copy of this process (through export and import).
    pub fn fork(&mut self) -> Result<Process, Error> {
        let doc = self.export_state()?;
        self.copy_from(&doc)
    }

    /// A process imported from `doc` with this one's history settings.
    fn copy_from(&self, doc: &str) -> Result<Process, Error> {
        let mut p = Process::import_state(doc)?;
        p.history.diffs = self.history.diffs;
        p.history.logging = self.history.logging;
        Ok(p)
    }

    /// Rebuilds a process from `start` and `log`, checking each step's outcome hash. A step
    /// whose outcome differs is an [`Error::ReplayMismatch`] naming it.
    pub fn replay(start: ReplayStart<'_>, log: &[LogEntry]) -> Result<Process, Error> {
        let mut p = Process::replay_start(start, log)?;
        for entry in log {
            p.replay_entry(entry)?;
        }
        Ok(p)
    }

    /// The process a replay of `log` starts from.
    fn replay_start(start: ReplayStart<'_>, log: &[LogEntry]) -> Result<Process, Error> {
        match start {
            ReplayStart::Spawn(options) => {
                if let Some(first) = log.first().filter(|e| e.seq != 1) {
                    return Err(Error::ReplayMismatch(format!(
                        "the log starts at message {}, not at the spawn: replay it from the \
                         state document it starts from (the log's base)",
                        first.seq
                    )));
                }
                Process::new(*options)
            }
            ReplayStart::State(doc) => Process::import_state(doc),
        }
    }

    /// After a message was undone (it failed, or was read-only) that had resumed a coroutine
    /// created before it: undoing restored every table and variable, but not the coroutine,
    /// whose stack piccolo keeps private (it stays where the message left it, often
    /// finished). On a compute unit the coroutine is as it was before the message, still
    /// waiting. So the process is rebuilt by replaying its log, which brings the coroutine
    /// back to where it waited; the checkpoints taken since the log's start are taken again
    /// at the same messages (older ones cannot be and are dropped). Nothing changes when the
    /// log cannot reach the present (logging off, a log restarted from a state that could
    /// not be exported, an imported process whose log has not restarted) or the replay
    /// does not give the logged outcomes.
    pub(crate) fn restore_coroutines_if_undone(
        &mut self,
        read_only: bool,
        result: &Result<crate::ao::Outcome, Error>,
    ) {
        let undone = read_only || !matches!(result, Ok(o) if o.error.is_none());
        if !undone || !self.vm.enter(crate::vm::diagnostics::resumed_older) {
            return;
        }
        if let Some(fresh) = self.replayed() {
            let Process {
                vm,
                handle,
                clock,
                block_height,
                nonce,
                history,
                ..
            } = fresh;
            self.vm = vm;
            self.handle = handle;
            (self.clock, self.block_height, self.nonce) = (clock, block_height, nonce);
            self.history.checkpoints = history.checkpoints;
        }
    }

    /// This process rebuilt from its log, with the checkpoints it can take again (see
    /// [`Process::restore_coroutines_if_undone`]).
    fn replayed(&mut self) -> Option<Process> {
        let h = &self.history;
        if !h.logging {
            return None;
        }
        let mut fresh = match (&h.log_base, h.log_offset, &h.origin) {
            (Some(doc), _, _) => Process::import_state(doc).ok()?,
            (None, 0, Some(Origin::Spawn(options))) => Process::new((**options).clone()).ok()?,
            (None, 0, Some(Origin::Import(doc))) => Process::import_state(doc).ok()?,
            _ => return None,
        };
        fresh.history.logging = false;
        fresh.history.max_entries = h.max_entries;
        fresh.diagnose = self.diagnose;
        let mut pending = h
            .checkpoints
            .iter()
            .filter(|c| c.seq >= h.log_offset)
            .peekable();
        let log = h.log();
        for entry in &log {
            while let Some(c) = pending.next_if(|c| c.seq < entry.seq) {
                fresh.retake(c);
            }
            // A failed message was undone: it changed nothing but, perhaps, a coroutine it
            // resumed, which is what this rebuild is for (a replayed failure would do that
            // again, and the rebuilt process keeps no log to undo it with).
            if entry.ok {
                fresh.replay_entry(entry).ok()?;
            }
        }
        for c in pending {
            fresh.retake(c);
        }
        Some(fresh)
    }

    /// Takes checkpoint `c` (of another process at the same message) here, with its id.
    fn retake(&mut self, c: &Checkpoint) {
        let position = self.vm.enter(undo::history_position);
        let host = self.host_snapshot();
        self.history.checkpoints.push(Checkpoint {
            id: c.id,
            name: c.name.clone(),
            position,
            seq: c.seq,
            host,
        });
    }

    /// Delivers one logged entry again, as it was delivered; its outcome must hash as logged.
    fn replay_entry(&mut self, entry: &LogEntry) -> Result<(), Error> {
        let outcome = match entry.kind {
            Delivery::Send => self.send_json(&entry.message),
            Delivery::Handle => self.handle_raw(
                &entry.message,
                entry
                    .env
                    .as_ref()
                    .unwrap_or(&Json::Object(Default::default())),
            ),
            Delivery::Evaluate => match &entry.message {
                Json::String(source) => self.evaluate_outcome(source),
                _ => Err(Error::BadOptions(format!(
                    "log entry {}: an evaluate entry's message is its source text",
                    entry.seq
                ))),
            },
        };
        let got = match outcome {
            Ok(o) => outcome_hash(&o),
            Err(e) => {
                return Err(Error::ReplayMismatch(format!(
                    "message {} failed on replay: {e}",
                    entry.seq
                )))
            }
        };
        if got != entry.outcome_hash {
            return Err(Error::ReplayMismatch(format!(
                "message {}: outcome hash {got} differs from the logged {}",
                entry.seq, entry.outcome_hash
            )));
        }
        Ok(())
    }

    /// [`Process::replay`] with the start given as JSON: spawn options, or `{state: doc}`.
    pub fn replay_json(start: &Json, log: &[LogEntry]) -> Result<Process, Error> {
        let mut p = match start.get("state") {
            Some(Json::String(doc)) => Process::replay(ReplayStart::State(doc), log)?,
            Some(_) => return Err(Error::BadOptions("'state' must be a string".into())),
            None => Process::replay(
                ReplayStart::Spawn(Box::new(ProcessOptions::from_json(start)?)),
                log,
            )?,
        };
        p.set_history_options(start);
        Ok(p)
    }

    /// Applies `{diff, log}` from options given as JSON.
    pub fn set_history_options(&mut self, options: &Json) {
        if let Some(Json::Bool(on)) = options.get("diff") {
            self.history.diffs = *on;
        }
        if let Some(Json::Bool(on)) = options.get("log") {
            self.history.logging = *on;
        }
    }

    /// Whether outcomes carry a `Diff`.
    pub fn set_diff(&mut self, on: bool) {
        self.history.diffs = on;
    }

    /// Whether handled messages are kept in the message log (see [`Process::message_log`]).
    pub fn set_logging(&mut self, on: bool) {
        self.history.logging = on;
    }

    /// Parses a log given as JSON (what [`Process::message_log`] serialises to).
    pub fn parse_log(json: &Json) -> Result<Vec<LogEntry>, Error> {
        serde_json::from_value(json.clone())
            .map_err(|e| Error::BadOptions(format!("not a message log: {e}")))
    }
}

/// The state hash after every message of each `(name, source, messages JSON)` example, and
/// after rolling back to its middle: one line per step, `name step hash`. The platforms'
/// determinism tests compare this text with a golden file.
pub fn hash_trail(examples: &[(&str, &str, &str)]) -> String {
    let mut out = String::new();
    for (name, source, messages) in examples {
        let line = |out: &mut String, step: &str, p: &mut Process| {
            let h = p
                .state_hash()
                .unwrap_or_else(|e| format!("error: {}", e.code()));
            out.push_str(&format!("{name} {step} {h}\n"));
        };
        let mut p = match Process::new(ProcessOptions::default()) {
            Ok(p) => p,
            Err(e) => {
                out.push_str(&format!("{name} spawn error: {e}\n"));
                continue;
            }
        };
        if let Err(e) = p.eval(source) {
            out.push_str(&format!("{name} eval error: {e}\n"));
            continue;
        }
        line(&mut out, "loaded", &mut p);
        let msgs = crate::ao::message::parse_message_list(messages).unwrap_or_default();
        let mut middle = None;
        for (i, m) in msgs.iter().enumerate() {
            if i == msgs.len() / 2 {
                middle = Some(p.checkpoint(None));
            }
            let _ = p.send_json(m);
            line(&mut out, &(i + 1).to_string(), &mut p);
        }
        if let Some(cp) = middle {
            let _ = p.rollback(cp);
            line(&mut out, "rollback", &mut p);
        }
    }
    out
}

#[cfg(test)]
mod texts_tests {
    use super::{Texts, TEXT_BLOCK};

    /// Texts over several blocks (and one longer than a block) read back as pushed, also
    /// after truncations at block starts, inside blocks and at the end, and after a clear.
    #[test]
    fn texts_over_blocks_read_back_and_truncate() {
        let mut texts = Texts::default();
        let mut pushed: Vec<(std::ops::Range<usize>, String)> = Vec::new();
        for i in 0..3000 {
            let t = match i {
                1234 => "L".repeat(TEXT_BLOCK + 7),
                _ if i % 7 == 0 => String::new(),
                _ => format!("{i}:{}", "x".repeat(i % 1500)),
            };
            let r = texts.push(&t);
            assert_eq!(r.len(), t.len());
            pushed.push((r, t));
        }
        assert!(texts.blocks.len() > 3, "{} blocks", texts.blocks.len());
        assert!(texts.blocks.iter().skip(1).all(|b| b.len() <= b.capacity()));
        for (r, t) in &pushed {
            assert_eq!(texts.get(r.clone()), t);
        }
        // Truncate at each block's start, then in the middle of an entry's block.
        for cut in [2999, 2000, 1235, 1234, 700, 1] {
            let end = pushed[cut].0.start;
            texts.truncate(end);
            pushed.truncate(cut);
            assert_eq!(texts.len(), end);
            for (r, t) in &pushed {
                assert_eq!(texts.get(r.clone()), t);
            }
            let again = texts.push("again");
            assert_eq!(texts.get(again.clone()), "again");
            texts.truncate(again.start);
        }
        texts.clear();
        assert_eq!(texts.len(), 0);
        let r = texts.push("fresh");
        assert_eq!((r.clone(), texts.get(r)), (0..5, "fresh"));
    }
}
