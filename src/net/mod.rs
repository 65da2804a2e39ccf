//! The local network: many processes on one deterministic scheduler, talking to each other
//! as they would on AO.
//!
//! - **Ids** are derived from the network's seed and a counter (`base64url(sha256(...))`,
//!   43 characters), so the same scenario gives the same ids on every run and platform.
//! - **Delivery** is the messenger's (see [`route`]): an outgoing message whose `Target` is
//!   a process of the network is queued for it signed by the messenger ([`MESSENGER`] is
//!   its `Owner`), with `From-Process`, `From-Module`, `Pushed-For`, a fresh `Id`; other
//!   messages go to the external [`Network::outbox`]. `ao.spawn` creates the child and the
//!   parent gets the `Spawned` notice; `ao.assign` schedules the assigned message.
//! - **Scheduling** ([`schedule`]): pending messages are delivered first in, first out by
//!   their sequence number; `Nonce` is the target's next slot on delivery and `Timestamp`
//!   the virtual clock when the message was queued. The clock moves only by
//!   [`Network::advance`], which queues cron ticks ([`cron`]).
//! - **State** ([`state`]): checkpoints and rollback of every process and the queue, one
//!   JSON document for the whole network, and the trace of every delivery ([`trace`]).
//!
//! ```
//! use aolite::{Message, Network, ProcessOptions};
//! let mut net = Network::default();
//! let echo = net.spawn(ProcessOptions::default()).unwrap();
//! net.eval(&echo, r#"Handlers.add("hi", "Hi", function(msg) msg.reply({ Action = "Hello" }) end)"#)
//!     .unwrap();
//! let counter = net.spawn(ProcessOptions::default()).unwrap();
//! net.eval(&counter, &format!(r#"Handlers.add("hello", "Hello", function() Hellos = (Hellos or 0) + 1 end)
//!     ao.send({{ Target = "{echo}", Action = "Hi" }})"#)).unwrap();
//! // The Hi was pushed to `echo`, whose reply was pushed back, before `eval` returned.
//! assert_eq!(net.process_mut(&counter).unwrap().global_json("Hellos").unwrap(), 1);
//! let hello = net.trace().last().unwrap();
//! assert_eq!((hello.from.as_str(), hello.action.as_deref()), (echo.as_str(), Some("Hello")));
//! ```

pub mod cron;
pub mod explore;
pub mod log;
pub mod route;
pub mod scenario;
pub mod schedule;
pub mod state;
pub mod trace;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde_json::Value as Json;

use crate::ao::process::{derive_id, DEFAULT_OWNER, DEFAULT_TIMESTAMP};
use crate::ao::{Message, Outcome, Process, ProcessOptions, Tag};
use crate::error::Error;
use crate::vm::Limits;

pub use explore::{ExploreOptions, Explored};
pub use log::NetLog;
pub use schedule::{Pending, DEFAULT_BUDGET};
pub use trace::{External, Kind, TraceEntry};

/// The messenger's address: the `Owner` of every message the network pushes between
/// processes, and the `Authority` of processes spawned from the host unless the caller
/// gives one (as the aos CLI adds the real MU's), so that aos trusts pushed messages.
pub const MESSENGER: &str = "aoLiteMessenger0000000000000000000000000000";

/// The seed of a network when none is given.
pub const DEFAULT_SEED: &str = "aolite";

/// Most deliveries the trace keeps, and most messages the outbox keeps, unless the options
/// say otherwise: past it the oldest go, so that a long-running network does not grow with
/// every message (each entry holds its message and outcome, a few KB).
pub const DEFAULT_TRACE_LIMIT: usize = 10_000;

/// How to start a network.
#[derive(Debug, Clone, Default)]
pub struct NetworkOptions {
    /// Seeds every id the network derives.
    pub seed: Option<String>,
    /// The virtual clock's start (ms since the epoch).
    pub timestamp: Option<i64>,
    pub block_height: Option<i64>,
    /// Limits of processes spawned by processes (the host gives its own per spawn).
    pub limits: Limits,
    /// Deliveries one `run` may make ([`DEFAULT_BUDGET`] when not given).
    pub budget: Option<u64>,
    /// Whether the network keeps a log for [`Network::replay`] (see [`log`]).
    pub log: bool,
    /// Most entries the trace and the outbox keep ([`DEFAULT_TRACE_LIMIT`] when not given).
    pub trace_limit: Option<usize>,
}

impl NetworkOptions {
    /// Reads options from JSON: `{seed, timestamp, blockHeight, budget, traceLimit, limits:
    /// {fuel, memory}, log}` (the limits of processes spawned by processes).
    pub fn from_json(json: &Json) -> Result<NetworkOptions, Error> {
        let bad = |m: String| Error::BadOptions(m);
        let obj = match json {
            Json::Null => return Ok(NetworkOptions::default()),
            Json::Object(o) => o,
            _ => return Err(bad("network options must be an object".into())),
        };
        for key in obj.keys() {
            if ![
                "seed",
                "timestamp",
                "blockHeight",
                "budget",
                "traceLimit",
                "limits",
                "log",
            ]
            .contains(&key.as_str())
            {
                return Err(bad(format!("unknown network option '{key}'")));
            }
        }
        let uint = |key: &str| match obj.get(key) {
            None | Some(Json::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .map(Some)
                .ok_or_else(|| bad(format!("'{key}' must be a non-negative integer"))),
        };
        let seed = match obj.get("seed") {
            None | Some(Json::Null) => None,
            Some(Json::String(s)) => Some(s.clone()),
            Some(_) => return Err(bad("'seed' must be a string".into())),
        };
        let to_i64 = |v: Option<u64>, key: &str| {
            v.map(|n| i64::try_from(n).map_err(|_| bad(format!("'{key}' is too large"))))
                .transpose()
        };
        // Limits as a process's options read them.
        let limits = ProcessOptions::from_json(&serde_json::json!({
            "limits": obj.get("limits").cloned().unwrap_or(Json::Null)
        }))?
        .limits;
        let log = match obj.get("log") {
            None | Some(Json::Null) => false,
            Some(Json::Bool(b)) => *b,
            Some(_) => return Err(bad("'log' must be true or false".into())),
        };
        Ok(NetworkOptions {
            log,
            seed,
            timestamp: to_i64(uint("timestamp")?, "timestamp")?,
            block_height: to_i64(uint("blockHeight")?, "blockHeight")?,
            limits,
            budget: uint("budget")?,
            trace_limit: uint("traceLimit")?
                .map(|n| usize::try_from(n).unwrap_or(usize::MAX).max(1)),
        })
    }
}

/// One process of the network.
pub(crate) struct Node {
    pub(crate) process: Process,
    /// The clock when it was spawned: cron ticks count from here.
    pub(crate) origin: i64,
    pub(crate) crons: Vec<cron::Cron>,
    /// The process that spawned it (none when spawned from the host).
    pub(crate) parent: Option<String>,
}

/// A local AO network.
pub struct Network {
    pub(crate) seed: String,
    /// Ids derived so far.
    pub(crate) ids: u64,
    /// Sequence numbers handed out to pending messages so far.
    pub(crate) seq: u64,
    /// Deliveries so far.
    pub(crate) steps: u64,
    pub(crate) clock: i64,
    pub(crate) block_height: i64,
    pub(crate) limits: Limits,
    pub(crate) budget: u64,
    pub(crate) nodes: BTreeMap<String, Node>,
    /// Process ids in spawn order.
    pub(crate) order: Vec<String>,
    pub(crate) queue: VecDeque<Pending>,
    /// The targets of the spawns in the queue (processes that will exist).
    pub(crate) pending_spawns: BTreeSet<String>,
    pub(crate) outbox: Vec<External>,
    /// Outbox entries dropped from its front (see [`Network::trace_limit`]).
    pub(crate) outbox_dropped: usize,
    pub(crate) trace: Vec<TraceEntry>,
    /// Trace entries dropped from its front: `trace[i]` is delivery `trace_dropped + i + 1`.
    pub(crate) trace_dropped: usize,
    /// Most entries the trace and the outbox keep.
    pub(crate) trace_limit: usize,
    /// Message id -> its delivery to its own target, as a position in the whole trace
    /// (dropped entries counted).
    pub(crate) by_id: BTreeMap<String, usize>,
    pub(crate) checkpoints: Vec<state::NetCheckpoint>,
    pub(crate) next_checkpoint: u64,
    /// Processes whose cron results the messenger pushes (aoconnect's `monitor`).
    pub(crate) monitored: BTreeSet<String>,
    /// What the host did, and the state hash after every delivery (see [`log`]).
    pub(crate) log: Option<log::NetLog>,
    /// During a replay: the steps it must reproduce.
    pub(crate) expect: Option<log::Expect>,
    /// The check that stops a running message (a console's Ctrl-C), given to every process.
    pub(crate) interrupt: Option<crate::vm::Interrupt>,
}

impl Default for Network {
    fn default() -> Self {
        Network::new(NetworkOptions::default())
    }
}

impl Network {
    pub fn new(options: NetworkOptions) -> Network {
        let mut net = Network::empty(&options);
        if options.log {
            net.log_from_options(&options);
        }
        net
    }

    fn empty(options: &NetworkOptions) -> Network {
        let options = options.clone();
        Network {
            seed: options.seed.unwrap_or_else(|| DEFAULT_SEED.into()),
            ids: 0,
            seq: 0,
            steps: 0,
            clock: options.timestamp.unwrap_or(DEFAULT_TIMESTAMP),
            block_height: options.block_height.unwrap_or(0),
            limits: options.limits,
            budget: options.budget.unwrap_or(DEFAULT_BUDGET),
            nodes: BTreeMap::new(),
            order: Vec::new(),
            queue: VecDeque::new(),
            pending_spawns: BTreeSet::new(),
            outbox: Vec::new(),
            outbox_dropped: 0,
            trace: Vec::new(),
            trace_dropped: 0,
            trace_limit: options.trace_limit.unwrap_or(DEFAULT_TRACE_LIMIT).max(1),
            by_id: BTreeMap::new(),
            checkpoints: Vec::new(),
            next_checkpoint: 1,
            monitored: BTreeSet::new(),
            log: None,
            expect: None,
            interrupt: None,
        }
    }

    /// Sets (or clears) the check that can stop a running message, on every process of
    /// the network and those it spawns from now on (see [`Process::set_interrupt`]).
    pub fn set_interrupt(&mut self, interrupt: Option<crate::vm::Interrupt>) {
        for node in self.nodes.values_mut() {
            node.process.set_interrupt(interrupt.clone());
        }
        self.interrupt = interrupt;
    }

    /// The next derived id: `base64url(sha256("<seed>:<label>:<n>"))`.
    pub(crate) fn fresh_id(&mut self, label: &str) -> String {
        self.ids += 1;
        derive_id(&format!("{}:{label}", self.seed), self.ids as i64)
    }

    /// The messenger's address ([`MESSENGER`]).
    pub fn messenger(&self) -> &'static str {
        MESSENGER
    }

    pub fn block_height(&self) -> i64 {
        self.block_height
    }

    /// Sets the `Block-Height` of messages queued from now on.
    pub fn set_block_height(&mut self, height: i64) {
        self.block_height = height;
        let _ = self.logged(log::Action::BlockHeight { height }, Ok(()));
    }

    /// Deliveries one `run` may make.
    pub fn budget(&self) -> u64 {
        self.budget
    }

    pub fn set_budget(&mut self, max: u64) {
        self.budget = max;
        let _ = self.logged(log::Action::Budget { max }, Ok(()));
    }

    /// Starts pushing what the cron ticks of process `id` send, as the messenger does
    /// for a process monitored through aoconnect's `monitor`: until then, ticks still run
    /// (the compute unit evaluates them whoever asks) but what they send stays in the
    /// outbox, marked as not pushed. Returns the id of the monitor request. A process
    /// already monitored is refused, as the messenger refuses it.
    pub fn monitor(&mut self, id: &str) -> Result<String, Error> {
        let result = if !self.nodes.contains_key(id) {
            Err(Network::no_process(id))
        } else if self.monitored.contains(id) {
            Err(Error::BadMessage(format!(
                "process '{id}' is already monitored"
            )))
        } else {
            self.monitored.insert(id.to_owned());
            Ok(self.fresh_id("monitor"))
        };
        let process = id.to_owned();
        self.logged(log::Action::Monitor { process }, result)
    }

    /// Stops pushing what the cron ticks of process `id` send (aoconnect's `unmonitor`);
    /// the ticks go on. Returns the id of the request. A process not monitored is refused.
    pub fn unmonitor(&mut self, id: &str) -> Result<String, Error> {
        let result = if !self.nodes.contains_key(id) {
            Err(Network::no_process(id))
        } else if !self.monitored.remove(id) {
            Err(Error::BadMessage(format!(
                "process '{id}' is not monitored"
            )))
        } else {
            Ok(self.fresh_id("unmonitor"))
        };
        let process = id.to_owned();
        self.logged(log::Action::Unmonitor { process }, result)
    }

    /// Whether the cron results of process `id` are pushed ([`Network::monitor`]).
    pub fn is_monitored(&self, id: &str) -> bool {
        self.monitored.contains(id)
    }

    /// The process ids, in spawn order.
    pub fn processes(&self) -> &[String] {
        &self.order
    }

    pub fn process(&self, id: &str) -> Option<&Process> {
        self.nodes.get(id).map(|n| &n.process)
    }

    /// The process itself, for everything a single process offers (export, stats, view,
    /// checkpoints...). Messages sent to it this way bypass the network: their outgoing
    /// messages are not routed.
    pub fn process_mut(&mut self, id: &str) -> Option<&mut Process> {
        self.nodes.get_mut(id).map(|n| &mut n.process)
    }

    /// The process that spawned `id` (none for processes spawned from the host).
    pub fn parent(&self, id: &str) -> Option<&str> {
        self.nodes.get(id).and_then(|n| n.parent.as_deref())
    }

    /// Messages, spawns and assignments that left the network, in the order they were sent
    /// (the latest [`Network::trace_limit`] of them).
    pub fn outbox(&self) -> &[External] {
        &self.outbox
    }

    /// The outbox from position `from` of all messages that ever left (dropped ones
    /// counted): what left since [`Network::outbox_total`] was `from`.
    pub fn outbox_from(&self, from: usize) -> &[External] {
        since(&self.outbox, self.outbox_dropped, from)
    }

    /// Messages that ever left the network (dropped ones counted).
    pub fn outbox_total(&self) -> usize {
        self.outbox_dropped + self.outbox.len()
    }

    /// The deliveries, in order: the latest [`Network::trace_limit`] of them (`step` numbers
    /// every delivery since the network began).
    pub fn trace(&self) -> &[TraceEntry] {
        &self.trace
    }

    /// The trace from delivery `from + 1` on (what was delivered since
    /// [`Network::trace_total`] was `from`), as far as the trace still holds it.
    pub fn trace_from(&self, from: usize) -> &[TraceEntry] {
        since(&self.trace, self.trace_dropped, from)
    }

    /// Deliveries recorded since the network began (dropped ones counted).
    pub fn trace_total(&self) -> usize {
        self.trace_dropped + self.trace.len()
    }

    /// Most entries the trace and the outbox keep ([`DEFAULT_TRACE_LIMIT`] by default).
    pub fn trace_limit(&self) -> usize {
        self.trace_limit
    }

    /// Sets how many entries the trace and the outbox keep (at least 1); the oldest go
    /// first. Results of dropped deliveries can no longer be read (`result`) nor their
    /// messages assigned.
    pub fn set_trace_limit(&mut self, max: usize) {
        self.trace_limit = max.max(1);
        self.trim_trace();
    }

    /// The trace entry at position `at` of the whole trace, if still kept.
    pub(crate) fn trace_at(&self, at: usize) -> Option<&TraceEntry> {
        at.checked_sub(self.trace_dropped)
            .and_then(|i| self.trace.get(i))
    }

    /// The delivery of message `id` to its target (for a spawn, the process id: its boot),
    /// while the trace holds it.
    pub fn result(&self, id: &str) -> Option<&TraceEntry> {
        self.by_id.get(id).and_then(|i| self.trace_at(*i))
    }

    /// Drops the oldest trace and outbox entries past the limit. They go in batches (down
    /// to the limit once a quarter more has gathered), so the cost per delivery stays flat;
    /// when they go depends only on the counts, so a network and its imported copy drop
    /// the same entries.
    pub(crate) fn trim_trace(&mut self) {
        let limit = self.trace_limit;
        let slack = limit / 4;
        if self.trace.len() > limit + slack {
            let n = self.trace.len() - limit;
            for (i, e) in self.trace.drain(..n).enumerate() {
                let at = self.trace_dropped + i;
                if self.by_id.get(&e.id) == Some(&at) {
                    self.by_id.remove(&e.id);
                }
            }
            self.trace_dropped += n;
        }
        if self.outbox.len() > limit + slack {
            let n = self.outbox.len() - limit;
            self.outbox.drain(..n);
            self.outbox_dropped += n;
        }
    }

    /// The deliveries whose message was caused by message `id` (the next level of its
    /// `Pushed-For` tree).
    pub fn caused_by(&self, id: &str) -> Vec<&TraceEntry> {
        self.trace
            .iter()
            .filter(|e| e.cause.as_deref() == Some(id))
            .collect()
    }

    /// Spawns a process from the host: its process message is handled at once (`On-Boot`
    /// included) and what it sends is queued. Unlike [`Process::new`], when neither
    /// `authorities` nor an `Authority` tag is given, the messenger becomes its authority,
    /// so it trusts messages pushed by other processes. The id is derived from the seed
    /// unless given; the clock and block height are the network's.
    pub fn spawn(&mut self, options: ProcessOptions) -> Result<String, Error> {
        let given = self.log.is_some().then(|| options.to_json());
        let result = self.spawn_inner(options);
        match given {
            Some(options) => self.logged(log::Action::Spawn { options }, result),
            None => result,
        }
    }

    /// Adds a process made elsewhere (a console's, an imported one) to the network as it
    /// is: nothing is delivered to it now, and its authorities stay its own (without the
    /// messenger among them, aos ignores what other processes push to it). Cron ticks
    /// count from the present clock. Returns its id.
    pub fn adopt(&mut self, mut process: Process) -> Result<String, Error> {
        let state = match &self.log {
            Some(_) => Some(process.export_state()?),
            None => None,
        };
        let result = self.adopt_inner(process);
        match state {
            Some(state) => self.logged(log::Action::Adopt { state }, result),
            None => result,
        }
    }

    fn adopt_inner(&mut self, process: Process) -> Result<String, Error> {
        let id = process.id().to_owned();
        if self.is_known(&id) {
            return Err(Error::BadOptions(format!(
                "a process with id '{id}' is already in the network"
            )));
        }
        let crons = cron::parse(&process.process_tags).unwrap_or_default();
        self.insert(
            id.clone(),
            Node {
                process,
                origin: self.clock,
                crons,
                parent: None,
            },
        );
        Ok(id)
    }

    fn spawn_inner(&mut self, options: ProcessOptions) -> Result<String, Error> {
        let id = match options.id.clone() {
            Some(id) if self.is_known(&id) => {
                return Err(Error::BadOptions(format!(
                    "a process with id '{id}' is already in the network"
                )))
            }
            Some(id) => id,
            None => self.fresh_id("process"),
        };
        let owner = options
            .owner
            .clone()
            .unwrap_or_else(|| DEFAULT_OWNER.into());
        let mut authorities = options.authorities.clone();
        if authorities.is_empty() && !options.tags.iter().any(|t| t.name == "Authority") {
            authorities.push(MESSENGER.into());
        }
        let data = options.data.clone();
        let mut process = Process::new(ProcessOptions {
            id: Some(id.clone()),
            owner: Some(owner.clone()),
            authorities,
            timestamp: Some(self.clock),
            block_height: Some(self.block_height),
            no_spawn: true,
            ..options
        })?;
        let crons = cron::parse(&process.process_tags).map_err(Error::BadOptions)?;
        let message = Message {
            id: Some(id.clone()),
            from: Some(owner.clone()),
            owner: Some(owner),
            target: Some(id.clone()),
            tags: process.process_tags.clone(),
            data,
            timestamp: Some(self.clock),
            block_height: Some(self.block_height),
            nonce: Some(0),
            ..Message::default()
        };
        let outcome = process.send(message.clone())?;
        if let Some(e) = outcome.error {
            return Err(Error::Lua(e));
        }
        process.history.clear_log();
        let module = process.module().to_owned();
        self.insert(
            id.clone(),
            Node {
                process,
                origin: self.clock,
                crons,
                parent: None,
            },
        );
        // Handled at once, not queued, but numbered like every delivery.
        self.seq += 1;
        let pending = Pending {
            seq: self.seq,
            root: Some(id.clone()),
            ..self.pending_for(Kind::Spawn, id.clone(), message)
        };
        self.record(pending, 0, Ok(outcome), &module);
        Ok(id)
    }

    fn no_process(id: &str) -> Error {
        Error::BadMessage(format!("no process '{id}' in the network"))
    }

    fn insert(&mut self, id: String, mut node: Node) {
        if self.interrupt.is_some() {
            node.process.set_interrupt(self.interrupt.clone());
        }
        self.order.push(id.clone());
        self.nodes.insert(id, node);
    }

    /// Queues a message from the host (a wallet) to process `target` and returns its id.
    /// Defaults: `From` the default owner, `Owner` = `From`, a fresh `Id`, `Timestamp` and
    /// `Block-Height` the network's; the `Nonce` is assigned on delivery.
    pub fn send(&mut self, target: &str, msg: Message) -> Result<String, Error> {
        let given = self.log.is_some().then(|| msg.to_json());
        let result = self.send_inner(target, msg);
        match given {
            Some(message) => {
                let target = target.to_owned();
                self.logged(log::Action::Send { target, message }, result)
            }
            None => result,
        }
    }

    fn send_inner(&mut self, target: &str, mut msg: Message) -> Result<String, Error> {
        if !self.is_known(target) {
            return Err(Network::no_process(target));
        }
        let id = match msg.id.take() {
            Some(id) => id,
            None => self.fresh_id("message"),
        };
        let from = msg.from.take().unwrap_or_else(|| DEFAULT_OWNER.into());
        msg.owner = Some(msg.owner.take().unwrap_or_else(|| from.clone()));
        msg.from = Some(from);
        msg.id = Some(id.clone());
        msg.target = Some(target.to_owned());
        msg.nonce = None;
        msg.read_only = false;
        msg.timestamp = Some(msg.timestamp.unwrap_or(self.clock));
        msg.block_height = Some(msg.block_height.unwrap_or(self.block_height));
        let mut pending = self.pending_for(Kind::Message, target.to_owned(), msg);
        pending.root = Some(id.clone());
        self.enqueue_pending(pending);
        Ok(id)
    }

    /// Assigns message `id`, delivered earlier in this network, to `process` (as
    /// aoconnect's `assign` does from the host): it is queued for it with its own `Id` and
    /// `Target`, so aos takes it as an assignment (`ao.addAssignable` decides). Returns its
    /// sequence number in the queue.
    pub fn assign(&mut self, process: &str, id: &str) -> Result<u64, Error> {
        let result = self.assign_inner(process, id);
        let (process, message) = (process.to_owned(), id.to_owned());
        self.logged(log::Action::Assign { process, message }, result)
    }

    fn assign_inner(&mut self, process: &str, id: &str) -> Result<u64, Error> {
        if !self.is_known(process) {
            return Err(Network::no_process(process));
        }
        let message = self.assigned(id).ok_or_else(|| {
            Error::BadMessage(format!("message '{id}' was not delivered in this network"))
        })?;
        let pending = self.pending_for(Kind::Assignment, process.to_owned(), message);
        Ok(self.enqueue_pending(pending))
    }

    /// [`Network::send`], then [`Network::run`]: when it returns, everything the message
    /// caused has been delivered (read it with [`Network::result`]).
    pub fn message(&mut self, target: &str, msg: Message) -> Result<String, Error> {
        let id = self.send(target, msg)?;
        self.run()?;
        Ok(id)
    }

    /// Evaluates Lua in process `target` through aos's Eval, sent by its owner (for a
    /// child, pushed from its parent), then runs the network. Returns the Eval's outcome (a
    /// Lua error is its `Error`).
    pub fn eval(&mut self, target: &str, source: &str) -> Result<Outcome, Error> {
        let node = self
            .nodes
            .get(target)
            .ok_or_else(|| Network::no_process(target))?;
        let mut msg = Message::default()
            .with_tag("Action", "Eval")
            .with_data(source);
        match &node.parent {
            Some(parent) => {
                msg.from = Some(parent.clone());
                msg.owner = Some(MESSENGER.into());
                msg.tags.push(Tag::new("From-Process", parent.clone()));
            }
            None => msg.from = Some(node.process.owner().to_owned()),
        }
        let id = self.message(target, msg)?;
        let entry = self
            .result(&id)
            .ok_or_else(|| Error::BadState(format!("the Eval '{id}' was not delivered")))?;
        match &entry.outcome {
            Some(o) => Ok(o.clone()),
            None => Err(Error::Lua(entry.error.clone().unwrap_or_default())),
        }
    }

    /// Evaluates a message on process `target` without keeping anything (a `Read-Only`
    /// dry-run); nothing is routed. `From` defaults to the default owner.
    pub fn dry_run(&mut self, target: &str, mut msg: Message) -> Result<Outcome, Error> {
        let node = self
            .nodes
            .get_mut(target)
            .ok_or_else(|| Network::no_process(target))?;
        if msg.from.is_none() {
            msg.from = Some(DEFAULT_OWNER.into());
        }
        msg.target = Some(target.to_owned());
        node.process.dry_run(msg)
    }

    /// Delivers one pending message.
    pub(crate) fn deliver(&mut self, mut pending: Pending) -> Result<(), Error> {
        if pending.kind == Kind::Spawn {
            return self.deliver_spawn(pending);
        }
        let Some(node) = self.nodes.get_mut(&pending.target) else {
            // Its target's spawn was dropped, or is still pending behind it (reordered): a
            // failed delivery.
            let e = Error::BadMessage(format!(
                "no process '{}' in the network (its spawn was dropped or is still pending)",
                pending.target
            ));
            self.record(pending, -1, Err(e), "");
            return Ok(());
        };
        // A cron tick takes no slot of its own: it carries the last scheduled nonce.
        let nonce = match pending.kind {
            Kind::Cron => node.process.nonce.max(0),
            _ => node.process.nonce + 1,
        };
        pending.message.nonce = Some(nonce);
        let result = node.process.send_ref(&pending.message);
        let module = node.process.module().to_owned();
        self.record(pending, nonce, result, &module);
        Ok(())
    }

    fn deliver_spawn(&mut self, mut pending: Pending) -> Result<(), Error> {
        let child = pending.target.clone();
        if self.nodes.contains_key(&child) {
            return Err(Error::BadState(format!(
                "process '{child}' is spawned twice"
            )));
        }
        let tags = pending.message.tags.clone();
        let module = tags
            .iter()
            .find(|t| t.name == "Module")
            .map(|t| t.value.clone())
            .unwrap_or_default();
        let timestamp = pending.message.timestamp.unwrap_or(self.clock);
        pending.message.nonce = Some(0);
        let created = Process::new(ProcessOptions {
            id: Some(child.clone()),
            owner: Some(MESSENGER.into()),
            module: Some(module.clone()),
            timestamp: Some(timestamp),
            block_height: pending.message.block_height,
            no_spawn: true,
            limits: self.limits,
            ..ProcessOptions::default()
        });
        let result = match created {
            Ok(mut process) => {
                process.process_tags = tags;
                let result = process.send_ref(&pending.message);
                process.history.clear_log();
                // A child whose cron tags the CU could not read gets no ticks.
                let crons = cron::parse(&process.process_tags).unwrap_or_default();
                self.insert(
                    child,
                    Node {
                        process,
                        origin: timestamp,
                        crons,
                        parent: pending.parent.clone(),
                    },
                );
                self.push_spawned(&pending);
                result
            }
            Err(e) => Err(e),
        };
        self.record(pending, 0, result, &module);
        Ok(())
    }

    /// Records a delivery in the trace and routes what it sent, when it committed.
    fn record(
        &mut self,
        mut pending: Pending,
        nonce: i64,
        result: Result<Outcome, Error>,
        module: &str,
    ) {
        self.steps += 1;
        let (ok, error, outcome) = match result {
            Ok(o) => (o.error.is_none(), o.error.clone(), Some(o)),
            Err(e) => (false, Some(format!("{}: {e}", e.code())), None),
        };
        let id = pending.id().to_owned();
        let pushed_for = pending
            .message
            .tags
            .iter()
            .find(|t| t.name == "Pushed-For")
            .map(|t| t.value.clone());
        let from = pending.from().to_owned();
        let action = pending.action().map(str::to_owned);
        let timestamp = pending.message.timestamp.unwrap_or(self.clock);
        let entry = TraceEntry {
            step: self.steps,
            seq: pending.seq,
            kind: pending.kind,
            id: id.clone(),
            from,
            target: pending.target.clone(),
            action,
            cause: pending.cause.take(),
            pushed_for,
            nonce,
            timestamp,
            ok,
            error,
            // The trace keeps the message; the pending entry is done with it.
            message: std::mem::take(&mut pending.message),
            outcome,
        };
        if pending.kind != Kind::Assignment {
            self.by_id.insert(id.clone(), self.trace_total());
        }
        // Recorded first, so that an assignment of this very message finds it; the outcome
        // is lent to the router meanwhile.
        let at = self.trace.len();
        self.trace.push(entry);
        self.log_step(self.steps, &pending.target, &id);
        if ok {
            if let Some(o) = self.trace[at].outcome.take() {
                let origin = route::Origin {
                    sender: &pending.target,
                    module,
                    cause: &id,
                    root: pending.root.as_deref(),
                };
                if pending.kind == Kind::Cron && !self.monitored.contains(&pending.target) {
                    self.keep_unpushed(&origin, &o);
                } else {
                    self.route(&origin, &o);
                }
                self.trace[at].outcome = Some(o);
            }
        }
        self.trim_trace();
    }
}

/// The entries of a list whose first `dropped` entries are gone, from position `from` counted
/// over all entries ever recorded (what was recorded since the total was `from`).
fn since<T>(kept: &[T], dropped: usize, from: usize) -> &[T] {
    &kept[from.saturating_sub(dropped).min(kept.len())..]
}
