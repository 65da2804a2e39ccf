//! The result of handling one message, in the shape `@permaweb/ao-loader` returns, so code
//! written against aoconnect results reads it unchanged.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// A tag of an outgoing message. Values are what the process put there, as aos's loader
/// JSON-encodes them: strings normally, but numbers, booleans and tables pass through as
/// JSON numbers, booleans, arrays and objects (the network would reject them; they show up
/// locally as they would in aos). A tag without a value (`nil`, or a function, which aos's
/// json skips) has `value` null, and serializes without a `value` key, as aos emits it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutTag {
    pub name: String,
    #[serde(default, skip_serializing_if = "Json::is_null")]
    pub value: Json,
}

/// A message the process sent (`ao.send`, `msg.reply`...). A field the process left out
/// is `None` and is left out of the JSON form, as aos leaves it out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OutMessage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
    pub tags: Vec<OutTag>,
    /// The Data as aos emits it: text normally (a table is sent as its JSON text), but a
    /// number or boolean stays a JSON number or boolean.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Json>,
}

impl OutMessage {
    /// The value of the first tag called `name`, when it is a string.
    pub fn tag(&self, name: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|t| t.name == name)
            .and_then(|t| t.value.as_str())
    }

    /// The Data, when it is text.
    pub fn data_text(&self) -> Option<&str> {
        self.data.as_ref().and_then(Json::as_str)
    }
}

/// `{Output, Messages, Spawns, Assignments, Error, GasUsed}`. Serialised by hand (`Error`
/// may be a value, see `error_value`), read through [`OutcomeWire`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "OutcomeWire")]
pub struct Outcome {
    /// `{data, print}`: what the message printed.
    pub output: Json,
    pub messages: Vec<OutMessage>,
    pub spawns: Vec<OutMessage>,
    pub assignments: Vec<Json>,
    /// The error as text (for a value that is not a string, see `error_value`).
    pub error: Option<String>,
    /// The error when the program made it something other than a string (an Eval whose
    /// chunk returns a second value that is a number, boolean or table): that value as
    /// aos's loader hands it over, which `Error` then holds, as in aos; `error` is its text
    /// ([`split_error`]).
    pub error_value: Option<Json>,
    /// The error in structured form (an aolite addition to aos's shape): Lua's message, the
    /// position in the user's code and the frames that led there.
    pub error_info: Option<ErrorInfo>,
    /// The handlers whose pattern matched and that ran, in order (`_eval` and `_default`
    /// included), each with whether it failed: an aolite addition to aos's shape, on every
    /// outcome of a handled message.
    pub handlers: Option<Vec<HandlerRun>>,
    /// Fuel used by the message.
    pub gas_used: u64,
    /// What the message changed, when the process was asked for diffs.
    pub diff: Option<Vec<crate::state::diff::Change>>,
}

/// An outcome's `Error` as aos's loader hands it over (absent, text, or another value) as
/// [`Outcome::error`] and [`Outcome::error_value`]: a value that is not a string has its
/// JSON as text, the same whether read from the process or from a serialised outcome.
pub fn split_error(error: Option<Json>) -> (Option<String>, Option<Json>) {
    match error {
        None | Some(Json::Null) => (None, None),
        Some(Json::String(s)) => (Some(s), None),
        Some(v) => (Some(v.to_string()), Some(v)),
    }
}

/// `Error` as serialised: the text, or the value it is the text of.
#[derive(Serialize)]
#[serde(untagged)]
pub enum ErrorOut<'a> {
    Text(&'a str),
    Value(&'a Json),
}

impl Outcome {
    /// `Error` as it is serialised, when there is one.
    pub fn error_out(&self) -> Option<ErrorOut<'_>> {
        match (&self.error_value, &self.error) {
            (Some(v), _) => Some(ErrorOut::Value(v)),
            (None, Some(t)) => Some(ErrorOut::Text(t)),
            (None, None) => None,
        }
    }
}

impl Serialize for Outcome {
    fn serialize<Z: serde::Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
        use serde::ser::SerializeStruct;
        let error = self.error_out();
        let fields = 5
            + usize::from(error.is_some())
            + usize::from(self.error_info.is_some())
            + usize::from(self.handlers.is_some())
            + usize::from(self.diff.is_some());
        let mut s = serializer.serialize_struct("Outcome", fields)?;
        s.serialize_field("Output", &self.output)?;
        s.serialize_field("Messages", &self.messages)?;
        s.serialize_field("Spawns", &self.spawns)?;
        s.serialize_field("Assignments", &self.assignments)?;
        if let Some(e) = &error {
            s.serialize_field("Error", e)?;
        }
        if let Some(info) = &self.error_info {
            s.serialize_field("ErrorInfo", info)?;
        }
        if let Some(h) = &self.handlers {
            s.serialize_field("Handlers", h)?;
        }
        s.serialize_field("GasUsed", &self.gas_used)?;
        if let Some(d) = &self.diff {
            s.serialize_field("Diff", d)?;
        }
        s.end()
    }
}

/// An outcome as serialised, `Error` being any JSON value.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OutcomeWire {
    output: Json,
    messages: Vec<OutMessage>,
    spawns: Vec<OutMessage>,
    assignments: Vec<Json>,
    #[serde(default)]
    error: Option<Json>,
    #[serde(default)]
    error_info: Option<ErrorInfo>,
    #[serde(default)]
    handlers: Option<Vec<HandlerRun>>,
    gas_used: u64,
    #[serde(default)]
    diff: Option<Vec<crate::state::diff::Change>>,
}

impl From<OutcomeWire> for Outcome {
    fn from(w: OutcomeWire) -> Self {
        let (error, error_value) = split_error(w.error);
        Outcome {
            output: w.output,
            messages: w.messages,
            spawns: w.spawns,
            assignments: w.assignments,
            error,
            error_value,
            error_info: w.error_info,
            handlers: w.handlers,
            gas_used: w.gas_used,
            diff: w.diff,
        }
    }
}

/// A handler that ran for a message (see [`Outcome::handlers`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandlerRun {
    /// The handler's name (`Handlers.add`'s first argument).
    pub name: String,
    /// Whether it finished without an error.
    pub ok: bool,
}

/// A failed message's error, for tools that should not parse text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorInfo {
    /// The error as Lua reports it, without aos's framing (`[string "aos"]:3: attempt ...`).
    pub message: String,
    /// The innermost `chunk:line` of the message, when it has one.
    pub chunk: Option<String>,
    pub line: Option<u64>,
    /// The frames, innermost first, when a diagnostic re-run could see them (see
    /// `crate::vm::diagnostics`); empty otherwise.
    pub traceback: Vec<crate::vm::diagnostics::TraceFrame>,
}

impl ErrorInfo {
    /// From an outcome's `Error` text and the frames of its diagnostic re-run.
    pub fn new(error: &str, traceback: Vec<crate::vm::diagnostics::TraceFrame>) -> Self {
        let message = crate::ao::process::eval_error_text(error);
        let (chunk, line) = match crate::vm::diagnostics::innermost_position(&message) {
            Some((c, l)) => (Some(c), Some(l as u64)),
            None => (None, None),
        };
        ErrorInfo {
            message,
            chunk,
            line,
            traceback,
        }
    }
}

/// An outcome without its `Diff`, `ErrorInfo` (derived from `Error`) and `Handlers` (an
/// aolite addition, left out so hashes stay those of aos's shape), serialised as
/// [`Outcome`] serialises (for hashing it
/// without a copy).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OutcomeWithoutDiff<'a> {
    output: &'a Json,
    messages: &'a [OutMessage],
    spawns: &'a [OutMessage],
    assignments: &'a [Json],
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ErrorOut<'a>>,
    gas_used: u64,
}

impl Outcome {
    /// This outcome as its JSON shows it when it has no `Diff`.
    pub fn without_diff(&self) -> OutcomeWithoutDiff<'_> {
        OutcomeWithoutDiff {
            output: &self.output,
            messages: &self.messages,
            spawns: &self.spawns,
            assignments: &self.assignments,
            error: self.error_out(),
            gas_used: self.gas_used,
        }
    }

    /// The printed text of this outcome.
    pub fn output_text(&self) -> &str {
        self.output
            .get("data")
            .and_then(Json::as_str)
            .unwrap_or_default()
    }
}
