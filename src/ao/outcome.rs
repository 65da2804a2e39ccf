//! The result of handling one message, in the shape `@permaweb/ao-loader` returns, so code
//! written against aoconnect results reads it unchanged.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// A tag of an outgoing message. Values are what the process put there: strings
/// normally, but aos passes numbers and booleans through unchanged (the network would
/// reject them), and so do we, so such bugs show up locally.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutTag {
    pub name: String,
    pub value: Json,
}

/// A message the process sent (`ao.send`, `msg.reply`...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OutMessage {
    pub target: Option<String>,
    pub anchor: Option<String>,
    pub tags: Vec<OutTag>,
    pub data: Option<String>,
}

impl OutMessage {
    /// The value of the first tag called `name`, when it is a string.
    pub fn tag(&self, name: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|t| t.name == name)
            .and_then(|t| t.value.as_str())
    }
}

/// `{Output, Messages, Spawns, Assignments, Error, GasUsed}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Outcome {
    /// `{data, print}`: what the message printed.
    pub output: Json,
    pub messages: Vec<OutMessage>,
    pub spawns: Vec<OutMessage>,
    pub assignments: Vec<Json>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Fuel used by the message.
    pub gas_used: u64,
    /// What the message changed, when the process was asked for diffs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<Vec<crate::state::diff::Change>>,
}

impl Outcome {
    /// The printed text of this outcome.
    pub fn output_text(&self) -> &str {
        self.output
            .get("data")
            .and_then(Json::as_str)
            .unwrap_or_default()
    }
}
