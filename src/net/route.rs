//! Delivery as the messenger unit (MU) does it: what a process's outcome sends, spawns and
//! assigns becomes pending messages of the network, shaped as the MU signs them, or leaves
//! the network through the external outbox.
//!
//! Shapes follow `permaweb/ao` `servers/mu/src/domain/lib/build-tx.js` (pushed messages),
//! `spawn-process.js` (the child's process message) and `build-success-tx.js` (the
//! `Spawned` notice); `From` is computed as the compute unit's `mapFrom` does: the
//! `From-Process` tag when present, else the signer (`Owner`).

use serde_json::Value as Json;

use super::schedule::Pending;
use super::trace::{External, Kind};
use super::{Network, MESSENGER};
use crate::ao::{Message, OutMessage, OutTag, Outcome, Tag};

/// Tags the MU replaces on a pushed message.
const PUSH_REPLACED: &[&str] = &[
    "Data-Protocol",
    "Type",
    "From-Process",
    "From-Module",
    "Assignments",
];

/// The tags as the MU would sign them: strings only. A value of another type (a number, a
/// table, nil) is refused, naming the tag, as the MU refuses such a message (ao #777).
fn string_tags(tags: &[OutTag]) -> Result<Vec<Tag>, String> {
    tags.iter()
        .map(|t| match &t.value {
            Json::String(s) => Ok(Tag::new(t.name.clone(), s.clone())),
            Json::Null => Err(format!(
                "tag '{}' has no value; the messenger only accepts string tag values",
                t.name
            )),
            other => Err(format!(
                "tag '{}' has the non-string value {other}; the messenger only accepts string tag values (ao #777)",
                t.name
            )),
        })
        .collect()
}

/// Data as the network carries it: text (a number or boolean Data as its JSON text).
fn data_text(out: &OutMessage) -> Option<String> {
    match &out.data {
        None | Some(Json::Null) => None,
        Some(Json::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    }
}

/// `From` as the compute unit computes it: the first `From-Process` tag, else the owner.
pub(super) fn map_from(tags: &[Tag], owner: &str) -> String {
    tags.iter()
        .find(|t| t.name == "From-Process" && !t.value.is_empty())
        .map_or_else(|| owner.to_owned(), |t| t.value.clone())
}

fn first_tag<'a>(tags: &'a [Tag], name: &str) -> Option<&'a str> {
    tags.iter()
        .find(|t| t.name == name)
        .map(|t| t.value.as_str())
}

/// Where an outcome came from: the sending process, its module, the message whose outcome
/// it is, and the root of that message's chain.
pub(super) struct Origin<'a> {
    pub sender: &'a str,
    pub module: &'a str,
    pub cause: &'a str,
    pub root: Option<&'a str>,
}

impl Network {
    /// Whether `target` is a process of the network, or one whose spawn is pending.
    pub(super) fn is_known(&self, target: &str) -> bool {
        self.nodes.contains_key(target) || self.pending_spawns.contains(target)
    }

    pub(super) fn enqueue(&mut self, kind: Kind, target: String, message: Message) -> u64 {
        let pending = self.pending_for(kind, target, message);
        self.enqueue_pending(pending)
    }

    pub(super) fn enqueue_pending(&mut self, mut p: Pending) -> u64 {
        self.seq += 1;
        p.seq = self.seq;
        if p.kind == Kind::Spawn {
            self.pending_spawns.insert(p.target.clone());
        }
        self.queue.push_back(p);
        self.seq
    }

    fn leave(&mut self, o: &Origin, kind: &str, message: Json, reason: Option<String>) {
        self.outbox.push(External {
            from: o.sender.to_owned(),
            cause: o.cause.to_owned(),
            kind: kind.to_owned(),
            message,
            reason,
        });
    }

    /// Routes a committed outcome: its messages in outbox order, then its spawns, then its
    /// assignments.
    pub(super) fn route(&mut self, o: &Origin, outcome: &Outcome) {
        for m in &outcome.messages {
            self.push_message(o, m);
        }
        for s in &outcome.spawns {
            self.push_spawn(o, s);
        }
        for a in &outcome.assignments {
            self.push_assignment(o, a);
        }
    }

    /// What the cron tick of a process nobody monitors sent: the compute unit has it, but
    /// the messenger does not push it (see [`Network::monitor`]); kept in the outbox.
    pub(super) fn keep_unpushed(&mut self, o: &Origin, outcome: &Outcome) {
        let reason = || {
            Some(format!(
                "not pushed: '{}' is not monitored, and the messenger pushes what cron ticks send only for monitored processes",
                o.sender
            ))
        };
        for m in &outcome.messages {
            let json = serde_json::to_value(m).unwrap_or(Json::Null);
            self.leave(o, "message", json, reason());
        }
        for s in &outcome.spawns {
            let json = serde_json::to_value(s).unwrap_or(Json::Null);
            self.leave(o, "spawn", json, reason());
        }
        for a in &outcome.assignments {
            self.leave(o, "assignment", a.clone(), reason());
        }
    }

    fn push_message(&mut self, o: &Origin, out: &OutMessage) {
        let json = || serde_json::to_value(out).unwrap_or(Json::Null);
        let Some(target) = out.target.clone().filter(|t| self.is_known(t)) else {
            return self.leave(o, "message", json(), None);
        };
        let tags = match string_tags(&out.tags) {
            Ok(tags) => tags,
            Err(reason) => return self.leave(o, "message", json(), Some(reason)),
        };
        let mut tags: Vec<Tag> = tags
            .into_iter()
            .filter(|t| !PUSH_REPLACED.contains(&t.name.as_str()))
            .collect();
        tags.push(Tag::new("Data-Protocol", "ao"));
        tags.push(Tag::new("Type", "Message"));
        tags.push(Tag::new("From-Process", o.sender));
        tags.push(Tag::new("From-Module", o.module));
        if let Some(root) = o.root {
            tags.push(Tag::new("Pushed-For", root));
        }
        let id = self.fresh_id("message");
        let message = self.signed(id, &target, tags, Some(out));
        self.enqueue_pending(Pending {
            cause: Some(o.cause.to_owned()),
            root: o.root.map(str::to_owned),
            ..self.pending_for(Kind::Message, target, message)
        });
    }

    /// A message as the messenger signs and forwards it: `Owner` and `Forwarded-By` the
    /// messenger, `From` its `From-Process` tag, the process's `Anchor` and Data, the
    /// clock's time and block height.
    fn signed(
        &self,
        id: String,
        target: &str,
        tags: Vec<Tag>,
        out: Option<&OutMessage>,
    ) -> Message {
        let mut extra = vec![("Forwarded-By".to_owned(), Json::from(MESSENGER))];
        if let Some(anchor) = out.and_then(|o| o.anchor.clone()) {
            extra.push(("Anchor".to_owned(), Json::from(anchor)));
        }
        Message {
            id: Some(id),
            from: Some(map_from(&tags, MESSENGER)),
            owner: Some(MESSENGER.to_owned()),
            target: Some(target.to_owned()),
            tags,
            data: out.and_then(data_text),
            timestamp: Some(self.clock),
            block_height: Some(self.block_height),
            extra,
            ..Message::default()
        }
    }

    pub(super) fn pending_for(&self, kind: Kind, target: String, message: Message) -> Pending {
        Pending {
            seq: 0,
            kind,
            target,
            message,
            cause: None,
            root: None,
            held: false,
            parent: None,
            notice_tags: Vec::new(),
        }
    }

    fn push_spawn(&mut self, o: &Origin, out: &OutMessage) {
        let json = serde_json::to_value(out).unwrap_or(Json::Null);
        let tags = match string_tags(&out.tags) {
            Ok(tags) => tags,
            Err(reason) => return self.leave(o, "spawn", json, Some(reason)),
        };
        if first_tag(&tags, "Module").is_none() {
            let reason = "the spawn has no Module tag".to_owned();
            return self.leave(o, "spawn", json, Some(reason));
        }
        let child = self.fresh_id("process");
        let variant = match first_tag(&tags, "Variant") {
            Some("ao.N.1") => "ao.N.1",
            _ => "ao.TN.1",
        };
        let mut process_tags: Vec<Tag> = tags
            .iter()
            .filter(|t| t.name != "Data-Protocol" && t.name != "Type")
            .cloned()
            .collect();
        process_tags.push(Tag::new("Variant", variant));
        process_tags.push(Tag::new("Data-Protocol", "ao"));
        process_tags.push(Tag::new("Type", "Process"));
        process_tags.push(Tag::new("From-Process", o.sender));
        if let Some(root) = o.root {
            process_tags.push(Tag::new("Pushed-For", root));
        }
        let mut notice_tags: Vec<Tag> = tags
            .iter()
            .filter(|t| !matches!(t.name.as_str(), "Data-Protocol" | "Variant" | "Type"))
            .cloned()
            .collect();
        notice_tags.push(Tag::new("Data-Protocol", "ao"));
        notice_tags.push(Tag::new("Type", "Message"));
        notice_tags.push(Tag::new("Process", child.clone()));
        notice_tags.push(Tag::new("Action", "Spawned"));
        notice_tags.push(Tag::new("Variant", variant));
        let message = self.signed(child.clone(), &child, process_tags, Some(out));
        self.enqueue_pending(Pending {
            cause: Some(o.cause.to_owned()),
            root: o.root.map(str::to_owned),
            parent: Some(o.sender.to_owned()),
            notice_tags,
            ..self.pending_for(Kind::Spawn, child, message)
        });
    }

    /// The `Spawned` notice the MU sends the parent once the child's process message is
    /// scheduled: the spawn's tags (its `From-Process` makes `From` the parent itself, its
    /// `Reference` is what `Spawn(...).receive()` waits for) plus `Action`, `Process`.
    pub(super) fn push_spawned(&mut self, spawn: &Pending) {
        let Some(parent) = spawn.parent.clone() else {
            return;
        };
        if !self.nodes.contains_key(&parent) {
            return;
        }
        let id = self.fresh_id("message");
        let message = self.signed(id, &parent, spawn.notice_tags.clone(), None);
        self.enqueue_pending(Pending {
            cause: Some(spawn.target.clone()),
            ..self.pending_for(Kind::Message, parent, message)
        });
    }

    /// `{Processes = {...}, Message = id}`: the message, as its target received it, is
    /// scheduled for each listed process of the network.
    fn push_assignment(&mut self, o: &Origin, a: &Json) {
        let id = a.get("Message").and_then(Json::as_str).unwrap_or_default();
        let processes: Vec<String> = a
            .get("Processes")
            .and_then(Json::as_array)
            .map(|ps| {
                ps.iter()
                    .filter_map(|p| p.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let original = self.assigned(id);
        for process in processes {
            let one = serde_json::json!({ "Processes": [process], "Message": id });
            if !self.is_known(&process) {
                self.leave(o, "assignment", one, None);
                continue;
            }
            let Some(message) = original.clone() else {
                let reason = format!("message '{id}' was not delivered in this network");
                self.leave(o, "assignment", one, Some(reason));
                continue;
            };
            self.enqueue_pending(Pending {
                cause: Some(o.cause.to_owned()),
                root: o.root.map(str::to_owned),
                ..self.pending_for(Kind::Assignment, process, message)
            });
        }
    }

    /// Message `id` as its own target received it, ready to be assigned now: same `Id`,
    /// `From`, `Owner`, `Target`, tags and data; the clock's time; its slot assigned on
    /// delivery. `None` when the network never delivered it.
    pub(super) fn assigned(&self, id: &str) -> Option<Message> {
        let entry = self.result(id)?;
        let mut message = entry.message.clone();
        message.nonce = None;
        message.timestamp = Some(self.clock);
        message.block_height = Some(self.block_height);
        message.cron = false;
        Some(message)
    }
}
