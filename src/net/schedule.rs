//! The scheduler: the queue of pending messages, delivered first in, first out by their
//! sequence number unless the user holds, drops or reorders them; `step` and `run` with a
//! budget that stops a message loop with a clear error.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};

use super::trace::Kind;
use super::Network;
use crate::ao::{Message, Tag};
use crate::error::Error;

/// A message waiting for delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// Its place in the network's delivery order (assigned when queued, never reused).
    pub seq: u64,
    pub kind: Kind,
    pub target: String,
    /// The message as it will be delivered; its `Nonce` is assigned on delivery (the
    /// target's next slot).
    pub message: Message,
    /// The message whose outcome produced it.
    pub cause: Option<String>,
    /// The root of its chain: the `Pushed-For` of the messages its outcome will push.
    pub root: Option<String>,
    /// Held messages stay in the queue but are not delivered until released.
    pub held: bool,
    /// For a spawn: the process that asked for it and the `Spawned` notice's tags.
    pub parent: Option<String>,
    pub notice_tags: Vec<Tag>,
}

impl Pending {
    /// The message id (for a spawn, the new process's id).
    pub fn id(&self) -> &str {
        self.message.id.as_deref().unwrap_or_default()
    }

    /// `From` as the target will see it.
    pub fn from(&self) -> &str {
        self.message.from.as_deref().unwrap_or_default()
    }

    /// The `Action` tag, if any.
    pub fn action(&self) -> Option<&str> {
        self.message
            .tags
            .iter()
            .find(|t| t.name == "Action")
            .map(|t| t.value.as_str())
    }

    /// The pending message as JSON (the network document's `pending` entries).
    pub fn to_json(&self) -> Json {
        let mut o = Map::new();
        o.insert("seq".into(), self.seq.into());
        o.insert(
            "kind".into(),
            serde_json::to_value(self.kind).unwrap_or(Json::Null),
        );
        o.insert("id".into(), self.id().into());
        o.insert("from".into(), self.from().into());
        o.insert("target".into(), self.target.clone().into());
        if let Some(a) = self.action() {
            o.insert("action".into(), a.into());
        }
        if let Some(c) = &self.cause {
            o.insert("cause".into(), c.clone().into());
        }
        if let Some(r) = &self.root {
            o.insert("root".into(), r.clone().into());
        }
        o.insert("held".into(), self.held.into());
        if let Some(p) = &self.parent {
            o.insert("parent".into(), p.clone().into());
            let tags: Vec<Json> = self
                .notice_tags
                .iter()
                .map(|t| serde_json::json!({ "name": t.name, "value": t.value }))
                .collect();
            o.insert("noticeTags".into(), Json::Array(tags));
        }
        o.insert("message".into(), self.message.to_json());
        Json::Object(o)
    }

    /// Reads what [`Pending::to_json`] wrote.
    pub fn from_json(j: &Json) -> Result<Pending, Error> {
        let bad = |m: &str| Error::BadState(format!("pending message: {m}"));
        let text = |k: &str| j.get(k).and_then(Json::as_str).map(str::to_owned);
        let kind: Kind = serde_json::from_value(j.get("kind").cloned().unwrap_or(Json::Null))
            .map_err(|_| bad("'kind' must be message, spawn, assignment or cron"))?;
        let message = Message::from_json(j.get("message").unwrap_or(&Json::Null))
            .map_err(|e| bad(&e.to_string()))?;
        if message.id.is_none() {
            return Err(bad("the message has no Id"));
        }
        let notice_tags =
            crate::ao::message::parse_tags(j.get("noticeTags").unwrap_or(&Json::Null))
                .map_err(|e| bad(&e.to_string()))?;
        Ok(Pending {
            seq: j
                .get("seq")
                .and_then(Json::as_u64)
                .ok_or_else(|| bad("'seq' must be a non-negative integer"))?,
            kind,
            target: text("target").ok_or_else(|| bad("'target' must be a string"))?,
            message,
            cause: text("cause"),
            root: text("root"),
            held: j.get("held").and_then(Json::as_bool).unwrap_or(false),
            parent: text("parent"),
            notice_tags,
        })
    }
}

/// Deliveries a `run` makes at most, unless told otherwise.
pub const DEFAULT_BUDGET: u64 = 10_000;

impl Network {
    /// The pending messages in delivery order (held ones included, marked).
    pub fn pending(&self) -> impl Iterator<Item = &Pending> {
        self.queue.iter()
    }

    /// How many pending messages are not held.
    pub fn deliverable(&self) -> usize {
        self.queue.iter().filter(|p| !p.held).count()
    }

    fn position(&self, seq: u64) -> Result<usize, Error> {
        self.queue
            .iter()
            .position(|p| p.seq == seq)
            .ok_or_else(|| Error::BadOptions(format!("no pending message with seq {seq}")))
    }

    /// Takes a message out of the queue (to deliver or drop it).
    fn take(&mut self, i: usize) -> Result<Pending, Error> {
        let p = self
            .queue
            .remove(i)
            .ok_or_else(|| Error::BadOptions(format!("no pending message at position {i}")))?;
        if p.kind == Kind::Spawn {
            self.pending_spawns.remove(&p.target);
        }
        Ok(p)
    }

    /// Rebuilds the set of pending spawns after the queue was replaced.
    pub(crate) fn reindex_pending(&mut self) {
        self.pending_spawns = self
            .queue
            .iter()
            .filter(|p| p.kind == Kind::Spawn)
            .map(|p| p.target.clone())
            .collect();
    }

    /// Keeps a pending message in the queue without delivering it, until [`Network::release`].
    pub fn hold(&mut self, seq: u64) -> Result<(), Error> {
        let result = self.position(seq).map(|i| self.queue[i].held = true);
        self.logged(super::log::Action::Hold { seq }, result)
    }

    /// Makes a held message deliverable again (it keeps its place).
    pub fn release(&mut self, seq: u64) -> Result<(), Error> {
        let result = self.position(seq).map(|i| self.queue[i].held = false);
        self.logged(super::log::Action::Release { seq }, result)
    }

    /// Removes a pending message: it is never delivered (as if lost on the way).
    pub fn drop_pending(&mut self, seq: u64) -> Result<Pending, Error> {
        let result = self.position(seq).and_then(|i| self.take(i));
        self.logged(super::log::Action::Drop { seq }, result)
    }

    /// Moves the listed pending messages to the front of the queue, in the order given; the
    /// others keep their order behind them.
    pub fn reorder(&mut self, seqs: &[u64]) -> Result<(), Error> {
        let result = self.reorder_inner(seqs);
        let seqs = seqs.to_vec();
        self.logged(super::log::Action::Reorder { seqs }, result)
    }

    fn reorder_inner(&mut self, seqs: &[u64]) -> Result<(), Error> {
        let mut front = Vec::with_capacity(seqs.len());
        for (i, seq) in seqs.iter().enumerate() {
            if seqs[..i].contains(seq) {
                return Err(Error::BadOptions(format!("seq {seq} is listed twice")));
            }
            let at = self.position(*seq)?;
            let p = self.queue.remove(at);
            front.extend(p);
        }
        for p in front.into_iter().rev() {
            self.queue.push_front(p);
        }
        Ok(())
    }

    /// Delivers the first pending message that is not held; `None` when there is none.
    pub fn step(&mut self) -> Result<Option<&super::TraceEntry>, Error> {
        let result = self.step_inner();
        let delivered = self.logged(super::log::Action::Step, result)?;
        Ok(if delivered { self.trace.last() } else { None })
    }

    /// Delivers the first pending message that is not held; whether there was one.
    fn step_inner(&mut self) -> Result<bool, Error> {
        let Some(i) = self.queue.iter().position(|p| !p.held) else {
            return Ok(false);
        };
        let pending = self.take(i)?;
        self.deliver(pending)?;
        Ok(true)
    }

    /// Delivers until no message is pending (held ones stay), at most the network's budget
    /// of deliveries ([`Network::set_budget`]); returns how many it delivered.
    pub fn run(&mut self) -> Result<u64, Error> {
        self.run_with_budget(self.budget)
    }

    /// [`Network::run`] with a budget of `max` deliveries. Running out of budget with
    /// messages still pending is [`Error::BudgetExceeded`], naming the busiest routes of this
    /// run; what was delivered stays delivered and the rest stays pending. A delivery the
    /// interrupt check stopped ([`Network::set_interrupt`]) ends the run with
    /// [`Error::Interrupted`].
    pub fn run_with_budget(&mut self, max: u64) -> Result<u64, Error> {
        let result = self.run_inner(max);
        self.logged(super::log::Action::Run { budget: max }, result)
    }

    fn run_inner(&mut self, max: u64) -> Result<u64, Error> {
        let first = self.trace_total();
        let mut delivered = 0;
        while delivered < max {
            // A replay stops at the first step that differs from its log.
            if self.diverged() || !self.step_inner()? {
                return Ok(delivered);
            }
            delivered += 1;
            // The host stopped that delivery (a console's Ctrl-C): stop the run too, rather
            // than fail every delivery after it.
            if self.trace.last().is_some_and(|e| {
                e.outcome.is_none()
                    && e.error
                        .as_deref()
                        .is_some_and(|m| m.starts_with(Error::Interrupted.code()))
            }) {
                return Err(Error::Interrupted);
            }
        }
        if self.deliverable() == 0 {
            return Ok(delivered);
        }
        Err(Error::BudgetExceeded(self.runaway_report(first, max)))
    }

    /// What a run that ran out of budget was busy with.
    pub(super) fn runaway_report(&self, first: usize, max: u64) -> String {
        let mut routes: BTreeMap<(String, String, String), u64> = BTreeMap::new();
        for e in self.trace_from(first) {
            let action = e.action.clone().unwrap_or_else(|| "-".into());
            *routes
                .entry((e.from.clone(), e.target.clone(), action))
                .or_default() += 1;
        }
        let mut busiest: Vec<_> = routes.into_iter().collect();
        crate::vm::sort::sort_by(&mut busiest, |a, b| {
            b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0))
        });
        let list: Vec<String> = busiest
            .iter()
            .take(3)
            .map(|((from, to, action), n)| format!("{from} -> {to} (Action {action}) {n} times"))
            .collect();
        let pending = self.deliverable();
        format!(
            "the network delivered {max} messages in this run and {pending} {} still pending; \
             busiest routes: {}. Two processes answering each other forever? Hold or drop the \
             pending messages, roll back, or run with a larger budget",
            if pending == 1 { "is" } else { "are" },
            list.join(", ")
        )
    }
}
