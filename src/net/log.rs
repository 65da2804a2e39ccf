//! The network's log and its replay with a hash check at every step.
//!
//! A network started with `log: true` (or told [`Network::start_log`]) records what the
//! host asked of it (spawns, messages, assignments, steps and runs, clock advances, queue
//! changes, monitor requests), each with the error code it ended with, and after every
//! delivery the state hash of the process that received it. [`Network::replay`] rebuilds
//! the network from the log's start (its options, or the state document logging started
//! from) by doing the same again, and checks after every delivery that the same message
//! reached the same process and left it with the same state hash: the first step that
//! differs is an [`Error::ReplayMismatch`] naming the step, the process and the message.
//!
//! Only one process changes per delivery, so checking the receiver's hash after each step
//! checks every process at every step. Hashing exports the receiver's state after each
//! delivery: logging is for debugging and audits, not for benchmarks. Changes made
//! through [`Network::process_mut`] bypass the network and are not logged (a replay then
//! reports the first step they affected). A rollback returns the log to the checkpoint. A
//! process waiting in `receive()` cannot be exported, so it has no state hash: its steps
//! record `error: BAD_STATE` as the hash, and the replay checks only that the same message
//! reached it (the hash is checked again once it stops waiting).
//!
//! The log as JSON (`"format": "aolite-network-log/1"`): `{format, start: {options} |
//! {state}, actions: [{op, ..., error?}], steps: [{step, process, message, hash?}]}`.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::{Network, NetworkOptions};
use crate::ao::{Message, Process, ProcessOptions};
use crate::error::Error;

/// The `format` of network logs this version writes and reads.
pub const FORMAT: &str = "aolite-network-log/1";

/// What the host asked of the network, as the log records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum Action {
    /// `spawn(options)`: the options as given (a derived id is derived again).
    Spawn {
        options: Json,
    },
    /// `adopt(process)`: the process's state document when it joined.
    Adopt {
        state: String,
    },
    /// `send(target, message)`: the message as given.
    Send {
        target: String,
        message: Json,
    },
    Assign {
        process: String,
        message: String,
    },
    Step,
    Run {
        budget: u64,
    },
    Advance {
        ms: i64,
    },
    Hold {
        seq: u64,
    },
    Release {
        seq: u64,
    },
    Drop {
        seq: u64,
    },
    Reorder {
        seqs: Vec<u64>,
    },
    Budget {
        max: u64,
    },
    BlockHeight {
        height: i64,
    },
    Monitor {
        process: String,
    },
    Unmonitor {
        process: String,
    },
}

/// One entry of the log: an action and the error code it ended with, if any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    #[serde(flatten)]
    pub action: Action,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What one delivery left behind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    /// The delivery's step (its place in the network's delivery order).
    pub step: u64,
    /// The process that received it.
    pub process: String,
    /// The message id (for a spawn, the new process's id).
    pub message: String,
    /// The receiver's state hash after the delivery; none when it does not exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
}

/// Where a log starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Start {
    /// A network created with these options (`NetworkOptions` as JSON).
    Options(Json),
    /// The state document of the network when logging started.
    State(String),
}

/// The network's log (see the module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetLog {
    pub format: String,
    pub start: Start,
    pub actions: Vec<Entry>,
    pub steps: Vec<StepRecord>,
}

impl NetLog {
    fn new(start: Start) -> NetLog {
        NetLog {
            format: FORMAT.into(),
            start,
            actions: Vec::new(),
            steps: Vec::new(),
        }
    }

    /// The log as JSON.
    pub fn to_json(&self) -> Json {
        serde_json::to_value(self).unwrap_or(Json::Null)
    }

    /// Reads what [`NetLog::to_json`] wrote.
    pub fn from_json(json: &Json) -> Result<NetLog, Error> {
        match json.get("format").and_then(Json::as_str) {
            Some(FORMAT) => {}
            other => {
                return Err(Error::BadOptions(format!(
                    "not a network log: 'format' is {other:?}, not '{FORMAT}'"
                )))
            }
        }
        serde_json::from_value(json.clone())
            .map_err(|e| Error::BadOptions(format!("not a network log: {e}")))
    }
}

/// What a replay expects: the recorded steps, how many were checked, the first difference.
pub(crate) struct Expect {
    steps: Vec<StepRecord>,
    next: usize,
    pub(crate) diverged: Option<Error>,
}

impl NetworkOptions {
    /// The options as JSON, in the form [`NetworkOptions::from_json`] reads.
    pub fn to_json(&self) -> Json {
        let mut o = serde_json::Map::new();
        if let Some(s) = &self.seed {
            o.insert("seed".into(), s.clone().into());
        }
        if let Some(t) = self.timestamp {
            o.insert("timestamp".into(), t.into());
        }
        if let Some(h) = self.block_height {
            o.insert("blockHeight".into(), h.into());
        }
        if let Some(b) = self.budget {
            o.insert("budget".into(), b.into());
        }
        o.insert(
            "limits".into(),
            serde_json::json!({ "fuel": self.limits.fuel, "memory": self.limits.memory as u64 }),
        );
        Json::Object(o)
    }
}

impl Network {
    /// Starts the log at the start of a network made with `log: true`.
    pub(super) fn log_from_options(&mut self, options: &NetworkOptions) {
        self.log = Some(NetLog::new(Start::Options(options.to_json())));
    }

    /// Starts logging from now on: the log starts from the network's present state
    /// document (nothing when it already logs). Fails when the network cannot be exported
    /// (a process waiting in `receive()`).
    pub fn start_log(&mut self) -> Result<(), Error> {
        if self.log.is_none() {
            let doc = self.export_state()?;
            self.log = Some(NetLog::new(Start::State(doc)));
        }
        Ok(())
    }

    /// The log, when the network keeps one.
    pub fn log(&self) -> Option<&NetLog> {
        self.log.as_ref()
    }

    /// Records an action with how it ended, and returns its result.
    pub(super) fn logged<T>(
        &mut self,
        action: Action,
        result: Result<T, Error>,
    ) -> Result<T, Error> {
        if let Some(log) = &mut self.log {
            log.actions.push(Entry {
                action,
                error: result.as_ref().err().map(|e| e.code().to_owned()),
            });
        }
        result
    }

    /// After a delivery to `process` (of message `id`, as step `step`): records the
    /// receiver's state hash, and checks it against the replayed log.
    pub(super) fn log_step(&mut self, step: u64, process: &str, id: &str) {
        if self.log.is_none() {
            return;
        }
        let hash = match self.nodes.get_mut(process) {
            Some(node) => Some(
                node.process
                    .state_hash()
                    .unwrap_or_else(|e| format!("error: {}", e.code())),
            ),
            None => None,
        };
        let record = StepRecord {
            step,
            process: process.to_owned(),
            message: id.to_owned(),
            hash,
        };
        if let Some(expect) = &mut self.expect {
            if expect.diverged.is_none() {
                expect.diverged = check(expect.steps.get(expect.next), &record);
                expect.next += 1;
            }
        }
        if let Some(log) = &mut self.log {
            log.steps.push(record);
        }
    }

    /// Whether a replay found a difference (a run stops there).
    pub(super) fn diverged(&self) -> bool {
        self.expect.as_ref().is_some_and(|e| e.diverged.is_some())
    }

    /// Rebuilds a network from its log, doing what the host did and checking after every
    /// delivery that the same message reached the same process and left the same state
    /// hash. The first difference is an [`Error::ReplayMismatch`] naming the step, the
    /// process and the message; an action that now ends otherwise (an error it did not
    /// have, or the reverse) is one naming the action. The rebuilt network keeps logging.
    pub fn replay(log: &NetLog) -> Result<Network, Error> {
        let mut net = match &log.start {
            Start::Options(json) => {
                let mut options = NetworkOptions::from_json(json)?;
                options.log = true;
                Network::new(options)
            }
            Start::State(doc) => {
                let mut net = Network::import_state(doc)?;
                net.log = Some(NetLog::new(Start::State(doc.clone())));
                net
            }
        };
        net.expect = Some(Expect {
            steps: log.steps.clone(),
            next: 0,
            diverged: None,
        });
        for (i, entry) in log.actions.iter().enumerate() {
            let result = net.redo(&entry.action);
            if let Some(e) = net.expect.as_mut().and_then(|x| x.diverged.take()) {
                return Err(e);
            }
            let got = result.err().map(|e| e.code().to_owned());
            if got != entry.error {
                let said = |e: &Option<String>| match e {
                    Some(code) => format!("failed with {code}"),
                    None => "succeeded".to_owned(),
                };
                return Err(Error::ReplayMismatch(format!(
                    "action {} ({}) {} when logged but {} on replay",
                    i + 1,
                    op_name(&entry.action),
                    said(&entry.error),
                    said(&got)
                )));
            }
        }
        let expect = net.expect.take();
        if let Some(x) = expect {
            if let Some(missing) = x.steps.get(x.next) {
                return Err(Error::ReplayMismatch(format!(
                    "step {}: the log has a delivery of message {} to {} that the replay did not make",
                    missing.step, missing.message, missing.process
                )));
            }
        }
        Ok(net)
    }

    /// [`Network::replay`] from the log as JSON.
    pub fn replay_json(log: &Json) -> Result<Network, Error> {
        Network::replay(&NetLog::from_json(log)?)
    }

    /// Does an action again (the public call, so it is logged again).
    fn redo(&mut self, action: &Action) -> Result<(), Error> {
        match action {
            Action::Spawn { options } => self.spawn(ProcessOptions::from_json(options)?).map(drop),
            Action::Adopt { state } => self.adopt(Process::import_state(state)?).map(drop),
            Action::Send { target, message } => {
                self.send(target, Message::from_json(message)?).map(drop)
            }
            Action::Assign { process, message } => self.assign(process, message).map(drop),
            Action::Step => self.step().map(drop),
            Action::Run { budget } => self.run_with_budget(*budget).map(drop),
            Action::Advance { ms } => self.advance(*ms).map(drop),
            Action::Hold { seq } => self.hold(*seq),
            Action::Release { seq } => self.release(*seq),
            Action::Drop { seq } => self.drop_pending(*seq).map(drop),
            Action::Reorder { seqs } => self.reorder(seqs),
            Action::Budget { max } => {
                self.set_budget(*max);
                Ok(())
            }
            Action::BlockHeight { height } => {
                self.set_block_height(*height);
                Ok(())
            }
            Action::Monitor { process } => self.monitor(process).map(drop),
            Action::Unmonitor { process } => self.unmonitor(process).map(drop),
        }
    }
}

fn op_name(action: &Action) -> String {
    serde_json::to_value(action)
        .ok()
        .and_then(|v| v.get("op").and_then(Json::as_str).map(str::to_owned))
        .unwrap_or_default()
}

/// The difference between a recorded step and the replayed one, as the replay reports it.
fn check(recorded: Option<&StepRecord>, got: &StepRecord) -> Option<Error> {
    let Some(r) = recorded else {
        return Some(Error::ReplayMismatch(format!(
            "step {}: the replay delivered message {} to {}, which the log does not have",
            got.step, got.message, got.process
        )));
    };
    if r.step != got.step || r.process != got.process || r.message != got.message {
        return Some(Error::ReplayMismatch(format!(
            "step {}: the log delivered message {} to {}, the replay message {} to {}",
            r.step, r.message, r.process, got.message, got.process
        )));
    }
    if r.hash != got.hash {
        let show = |h: &Option<String>| h.clone().unwrap_or_else(|| "(no process)".into());
        return Some(Error::ReplayMismatch(format!(
            "step {}: process {} has state hash {} after message {}, the log has {}",
            got.step,
            got.process,
            show(&got.hash),
            got.message,
            show(&r.hash)
        )));
    }
    None
}
