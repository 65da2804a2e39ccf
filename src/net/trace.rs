//! What the network did: every delivery (who sent what to whom, why, and what came of it)
//! and the messages that left the network.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::ao::{Message, Outcome};

/// How a message reached its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A message: from the host (a wallet) or pushed by the messenger from a process's
    /// outbox (the `Spawned` notice included).
    Message,
    /// A process message: the first message of a new process (its boot).
    Spawn,
    /// An existing message assigned to another process (`ao.assign`).
    Assignment,
    /// A cron tick generated for a process with `Cron-Interval` tags.
    Cron,
}

/// One delivery, in delivery order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceEntry {
    /// 1-based position in the network's delivery order.
    pub step: u64,
    /// The sequence number the message had while it was pending.
    pub seq: u64,
    pub kind: Kind,
    /// The message id (for a spawn, the new process's id).
    pub id: String,
    /// `From` as the process saw it (the sending process for pushed messages).
    pub from: String,
    pub target: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The id of the message whose outcome produced this one (none for host messages and
    /// cron ticks): the edges of the causality tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// The `Pushed-For` tag: the message at the root of the chain, as the messenger sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pushed_for: Option<String>,
    /// The target's slot for this message (a cron tick carries the last one; -1 when the
    /// target does not exist).
    pub nonce: i64,
    pub timestamp: i64,
    /// Whether the message committed (no error).
    pub ok: bool,
    /// The outcome's `Error`, or the engine's error (`OUT_OF_FUEL: ...`) when the process
    /// could not finish the message at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The message as delivered; serialised in the form `Message::from_json` reads (its
    /// `to_json`), made only when the trace is read or exported.
    #[serde(with = "crate::ao::message::as_json")]
    pub message: Message,
    /// The outcome (none when the engine stopped the message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
}

/// A message, spawn or assignment that did not stay in the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct External {
    /// The process that sent it.
    pub from: String,
    /// The message whose outcome held it.
    pub cause: String,
    /// `message`, `spawn` or `assignment`.
    pub kind: String,
    /// As the process emitted it (`{Target, Anchor, Tags, Data}`, or `{Processes, Message}`).
    pub message: Json,
    /// Why it was not delivered in the network, when its target is not simply outside:
    /// a tag value the messenger would reject, a dropped spawn...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl External {
    /// The `Target` the message was addressed to.
    pub fn target(&self) -> Option<&str> {
        self.message.get("Target").and_then(Json::as_str)
    }

    /// The value of the first tag called `name`, when it is a string.
    pub fn tag(&self, name: &str) -> Option<&str> {
        self.message
            .get("Tags")
            .and_then(Json::as_array)?
            .iter()
            .find(|t| t.get("name").and_then(Json::as_str) == Some(name))
            .and_then(|t| t.get("value"))
            .and_then(Json::as_str)
    }
}
