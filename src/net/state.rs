//! The network as one state: checkpoints and rollback of every process, the queue and the
//! trace together, and one JSON document (`"format": "aolite-network/1"`) that holds each
//! process's own state document:
//!
//! `{format, network: {seed, messenger, ids, seq, steps, clock, blockHeight, budget,
//! limits: {fuel, memory}}, processes: [{id, parent?, origin, monitored?, state}], pending: [...],
//! outbox: [...], trace: [...]}`; processes in spawn order, pending in delivery order.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::Serialize;
use serde_json::{Map, Value as Json};
use sha2::{Digest, Sha256};

use super::schedule::Pending;
use super::trace::{External, Kind, TraceEntry};
use super::{cron, Network, Node, MESSENGER};
use crate::ao::Process;
use crate::error::Error;
use crate::vm::Limits;

/// The `format` of network documents this version writes and reads.
pub const FORMAT: &str = "aolite-network/1";

#[derive(Debug, Clone)]
pub(crate) struct NetCheckpoint {
    id: u64,
    name: Option<String>,
    /// Each process's own checkpoint.
    processes: Vec<(String, u64)>,
    queue: VecDeque<Pending>,
    ids: u64,
    seq: u64,
    steps: u64,
    clock: i64,
    block_height: i64,
    outbox: usize,
    trace: usize,
    monitored: BTreeSet<String>,
    /// The log's actions and steps then.
    log: (usize, usize),
}

/// A network checkpoint as users see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetCheckpointInfo {
    pub id: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Deliveries made when it was taken.
    pub steps: u64,
}

impl Network {
    /// Marks the state of the whole network: every process (each takes a checkpoint of its
    /// own), the pending queue, the clock, the outbox and the trace. O(processes + pending).
    pub fn checkpoint(&mut self, name: Option<&str>) -> u64 {
        let processes = self
            .order
            .iter()
            .filter_map(|id| {
                let node = self.nodes.get_mut(id)?;
                Some((id.clone(), node.process.checkpoint(None)))
            })
            .collect();
        let id = self.next_checkpoint;
        self.next_checkpoint += 1;
        self.checkpoints.push(NetCheckpoint {
            id,
            name: name.map(str::to_owned),
            processes,
            queue: self.queue.clone(),
            ids: self.ids,
            seq: self.seq,
            steps: self.steps,
            clock: self.clock,
            block_height: self.block_height,
            outbox: self.outbox_total(),
            trace: self.trace_total(),
            monitored: self.monitored.clone(),
            log: self
                .log
                .as_ref()
                .map_or((0, 0), |l| (l.actions.len(), l.steps.len())),
        });
        id
    }

    /// The network checkpoints, oldest first.
    pub fn checkpoints(&self) -> Vec<NetCheckpointInfo> {
        self.checkpoints
            .iter()
            .map(|c| NetCheckpointInfo {
                id: c.id,
                name: c.name.clone(),
                steps: c.steps,
            })
            .collect()
    }

    fn checkpoint_index(&self, id: u64) -> Result<usize, Error> {
        self.checkpoints
            .iter()
            .position(|c| c.id == id)
            .ok_or_else(|| Error::BadCheckpoint(format!("no network checkpoint {id}")))
    }

    /// Returns the whole network to checkpoint `id`: processes spawned since are gone, the
    /// others are rolled back, and the queue, clock, counters, outbox and trace are as they
    /// were. Later checkpoints are dropped; this one stays. Nothing changes when a process
    /// can no longer return to it (its history was trimmed).
    pub fn rollback(&mut self, id: u64) -> Result<(), Error> {
        let i = self.checkpoint_index(id)?;
        let cp = self.checkpoints[i].clone();
        for (pid, pcp) in &cp.processes {
            let kept = self
                .nodes
                .get(pid)
                .is_some_and(|n| n.process.checkpoints().iter().any(|c| c.id == *pcp));
            if !kept {
                return Err(Error::BadCheckpoint(format!(
                    "process '{pid}' no longer has the history to return to network checkpoint {id}"
                )));
            }
        }
        let keep = cp.processes.len();
        for pid in self.order.split_off(keep.min(self.order.len())) {
            self.nodes.remove(&pid);
        }
        for (pid, pcp) in &cp.processes {
            if let Some(node) = self.nodes.get_mut(pid) {
                node.process.rollback(*pcp)?;
            }
        }
        self.queue = cp.queue;
        self.reindex_pending();
        (self.ids, self.seq, self.steps) = (cp.ids, cp.seq, cp.steps);
        (self.clock, self.block_height) = (cp.clock, cp.block_height);
        // Positions count dropped entries; entries dropped since the checkpoint stay dropped
        // (the trace then starts at the checkpoint).
        self.outbox
            .truncate(cp.outbox.saturating_sub(self.outbox_dropped));
        self.outbox_dropped = self.outbox_dropped.min(cp.outbox);
        self.trace
            .truncate(cp.trace.saturating_sub(self.trace_dropped));
        self.trace_dropped = self.trace_dropped.min(cp.trace);
        self.monitored = cp.monitored;
        // The log returns to the checkpoint too: replaying what is left rebuilds this state.
        if let Some(log) = &mut self.log {
            log.actions.truncate(cp.log.0);
            log.steps.truncate(cp.log.1);
        }
        self.reindex();
        self.checkpoints.truncate(i + 1);
        Ok(())
    }

    /// Forgets a network checkpoint (and the processes' checkpoints it held).
    pub fn drop_checkpoint(&mut self, id: u64) -> Result<(), Error> {
        let i = self.checkpoint_index(id)?;
        let cp = self.checkpoints.remove(i);
        for (pid, pcp) in cp.processes {
            if let Some(node) = self.nodes.get_mut(&pid) {
                // Already gone when the process trimmed its history: nothing to free.
                let _ = node.process.drop_checkpoint(pcp);
            }
        }
        Ok(())
    }

    fn reindex(&mut self) {
        self.by_id = self
            .trace
            .iter()
            .enumerate()
            .filter(|(_, e)| e.kind != Kind::Assignment)
            .map(|(i, e)| (e.id.clone(), self.trace_dropped + i))
            .collect::<BTreeMap<_, _>>();
    }

    /// The whole network as one canonical JSON document (see the module docs). A process
    /// with a coroutine waiting in `Receive` cannot be exported (the error names it).
    pub fn export_state(&mut self) -> Result<String, Error> {
        let mut out = Vec::new();
        self.write_state(&mut |b| out.extend_from_slice(b))?;
        String::from_utf8(out)
            .map_err(|_| Error::BadState("internal: the document is not UTF-8".into()))
    }

    /// [`Network::export_state`] as a JSON value (the text parsed back: the document is
    /// written as text, never built as a value).
    pub fn export_state_value(&mut self) -> Result<Json, Error> {
        let doc = self.export_state()?;
        serde_json::from_str(&doc).map_err(|e| Error::BadState(format!("cannot read back: {e}")))
    }

    /// Feeds the network document's text, in order, to `sink`: each process's document is
    /// written as it is exported and dropped before the next, so neither a JSON tree of the
    /// network nor (for a hash) its whole text is ever held. On an error (a process that
    /// cannot be exported) what was fed is not a document and is to be dropped.
    fn write_state(&mut self, sink: &mut dyn FnMut(&[u8])) -> Result<(), Error> {
        let json = |j: &Json| {
            serde_json::to_vec(j).map_err(|e| Error::BadState(format!("cannot serialise: {e}")))
        };
        let mut n = Map::new();
        n.insert("seed".into(), self.seed.clone().into());
        n.insert("messenger".into(), MESSENGER.into());
        n.insert("ids".into(), self.ids.into());
        n.insert("seq".into(), self.seq.into());
        n.insert("steps".into(), self.steps.into());
        n.insert("clock".into(), self.clock.into());
        n.insert("blockHeight".into(), self.block_height.into());
        n.insert("budget".into(), self.budget.into());
        n.insert(
            "limits".into(),
            serde_json::json!({ "fuel": self.limits.fuel, "memory": self.limits.memory as u64 }),
        );
        // Written only when not the default, so documents of networks that keep it read as
        // before (and hash the same).
        if self.trace_limit != super::DEFAULT_TRACE_LIMIT {
            n.insert("traceLimit".into(), (self.trace_limit as u64).into());
        }
        // `{format, network, processes, pending, outbox, trace}`, as serde_json writes an
        // object (compact).
        sink(b"{\"format\":");
        sink(&json(&Json::from(FORMAT))?);
        sink(b",\"network\":");
        sink(&json(&Json::Object(n))?);
        sink(b",\"processes\":[");
        let mut first = true;
        for id in &self.order {
            let Some(node) = self.nodes.get_mut(id) else {
                continue;
            };
            let state = node.process.export_document().map_err(|e| match e {
                Error::BadState(m) => Error::BadState(format!("process '{id}': {m}")),
                other => other,
            })?;
            // `{id, parent?, origin, monitored?, state}`: the members before `state`, then
            // the process's document.
            let mut p = Map::new();
            p.insert("id".into(), id.clone().into());
            if let Some(parent) = &node.parent {
                p.insert("parent".into(), parent.clone().into());
            }
            p.insert("origin".into(), node.origin.into());
            if self.monitored.contains(id) {
                p.insert("monitored".into(), true.into());
            }
            let mut head = json(&Json::Object(p))?;
            head.pop();
            head.extend_from_slice(b",\"state\":");
            if !first {
                sink(b",");
            }
            first = false;
            sink(&head);
            state.write_to(sink);
            sink(b"}");
        }
        let value = |r: serde_json::Result<Json>| {
            r.map_err(|e| Error::BadState(format!("cannot serialise: {e}")))
        };
        sink(b"],\"pending\":");
        sink(&json(&Json::Array(
            self.queue.iter().map(Pending::to_json).collect(),
        ))?);
        sink(b",\"outbox\":");
        sink(&json(&value(serde_json::to_value(&self.outbox))?)?);
        sink(b",\"trace\":");
        sink(&json(&value(serde_json::to_value(&self.trace))?)?);
        sink(b"}");
        Ok(())
    }

    /// SHA-256 (lowercase hex) of the network document (streamed, never held whole).
    pub fn state_hash(&mut self) -> Result<String, Error> {
        let mut hasher = Sha256::new();
        self.write_state(&mut |b| hasher.update(b))?;
        Ok(crate::state::history::hex(&hasher.finalize()))
    }

    /// An independent copy of the network (through export and import).
    pub fn fork(&mut self) -> Result<Network, Error> {
        let doc = self.export_state()?;
        Network::import_state(&doc)
    }

    /// Rebuilds a network from a document made by [`Network::export_state`]. Everything is
    /// checked; a bad document is an [`Error::BadState`] naming what is wrong.
    pub fn import_state(doc: &str) -> Result<Network, Error> {
        let bad = |m: String| Error::BadState(m);
        let doc: Json = serde_json::from_str(doc).map_err(|e| bad(format!("invalid JSON: {e}")))?;
        match doc.get("format").and_then(Json::as_str) {
            Some(FORMAT) => {}
            Some(other) => {
                return Err(bad(format!(
                    "format '{other}' is not '{FORMAT}' (a process document? use Process::import_state)"
                )))
            }
            None => return Err(bad(format!("no 'format' (expected '{FORMAT}')"))),
        }
        let n = doc
            .get("network")
            .and_then(Json::as_object)
            .ok_or_else(|| bad("'network' must be an object".into()))?;
        let uint = |k: &str| {
            n.get(k)
                .and_then(Json::as_u64)
                .ok_or_else(|| bad(format!("network.{k} must be a non-negative integer")))
        };
        let int = |k: &str| {
            n.get(k)
                .and_then(Json::as_i64)
                .ok_or_else(|| bad(format!("network.{k} must be an integer")))
        };
        let mut limits = Limits::default();
        if let Some(l) = n.get("limits") {
            let field = |k: &str| {
                l.get(k).and_then(Json::as_u64).ok_or_else(|| {
                    bad(format!("network.limits.{k} must be a non-negative integer"))
                })
            };
            limits.fuel = field("fuel")?;
            limits.memory = usize::try_from(field("memory")?)
                .map_err(|_| bad("network.limits.memory is too large".into()))?;
        }
        let trace_limit = match n.get("traceLimit") {
            None => super::DEFAULT_TRACE_LIMIT,
            Some(v) => v
                .as_u64()
                .filter(|n| *n > 0)
                .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
                .ok_or_else(|| bad("network.traceLimit must be a positive integer".into()))?,
        };
        let mut net = Network {
            trace_limit,
            seed: n
                .get("seed")
                .and_then(Json::as_str)
                .ok_or_else(|| bad("network.seed must be a string".into()))?
                .to_owned(),
            ids: uint("ids")?,
            seq: uint("seq")?,
            steps: uint("steps")?,
            clock: int("clock")?,
            block_height: int("blockHeight")?,
            limits,
            budget: uint("budget")?,
            ..Network::default()
        };
        let processes = doc
            .get("processes")
            .and_then(Json::as_array)
            .ok_or_else(|| bad("'processes' must be an array".into()))?;
        for (i, p) in processes.iter().enumerate() {
            let id = p
                .get("id")
                .and_then(Json::as_str)
                .ok_or_else(|| bad(format!("processes[{i}].id must be a string")))?
                .to_owned();
            if net.nodes.contains_key(&id) {
                return Err(bad(format!("process '{id}' is listed twice")));
            }
            let state = p
                .get("state")
                .ok_or_else(|| bad(format!("processes[{i}].state is missing")))?;
            let text = serde_json::to_string(state)
                .map_err(|e| bad(format!("processes[{i}].state: {e}")))?;
            let process = Process::import_state(&text).map_err(|e| match e {
                Error::BadState(m) => bad(format!("process '{id}': {m}")),
                other => other,
            })?;
            if process.id() != id {
                return Err(bad(format!(
                    "processes[{i}] is '{id}' but its state is of process '{}'",
                    process.id()
                )));
            }
            let crons = cron::parse(&process.process_tags).unwrap_or_default();
            let node = Node {
                process,
                origin: p
                    .get("origin")
                    .and_then(Json::as_i64)
                    .ok_or_else(|| bad(format!("processes[{i}].origin must be an integer")))?,
                crons,
                parent: p.get("parent").and_then(Json::as_str).map(str::to_owned),
            };
            if p.get("monitored").and_then(Json::as_bool) == Some(true) {
                net.monitored.insert(id.clone());
            }
            net.insert(id, node);
        }
        let pending = doc
            .get("pending")
            .and_then(Json::as_array)
            .ok_or_else(|| bad("'pending' must be an array".into()))?;
        for p in pending {
            let p = Pending::from_json(p)?;
            if p.kind != Kind::Spawn
                && !net.nodes.contains_key(&p.target)
                && !pending_spawn(pending, &p.target)
            {
                return Err(bad(format!(
                    "pending message {} is for '{}', which is not in the network",
                    p.seq, p.target
                )));
            }
            net.queue.push_back(p);
        }
        net.reindex_pending();
        net.outbox = serde_json::from_value::<Vec<External>>(
            doc.get("outbox").cloned().unwrap_or(Json::Null),
        )
        .map_err(|e| bad(format!("'outbox': {e}")))?;
        net.trace = serde_json::from_value::<Vec<TraceEntry>>(
            doc.get("trace").cloned().unwrap_or(Json::Null),
        )
        .map_err(|e| bad(format!("'trace': {e}")))?;
        // The trace keeps the latest deliveries (one per step): those before it were dropped.
        net.trace_dropped = usize::try_from(net.steps)
            .unwrap_or(usize::MAX)
            .saturating_sub(net.trace.len());
        net.reindex();
        Ok(net)
    }
}

fn pending_spawn(pending: &[Json], target: &str) -> bool {
    pending.iter().any(|p| {
        p.get("kind").and_then(Json::as_str) == Some("spawn")
            && p.get("target").and_then(Json::as_str) == Some(target)
    })
}
