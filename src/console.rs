//! The interactive console behind `aolite repl` (native and Node share it): an aos-style
//! prompt over a local process. Lua lines run as the owner through Eval; incomplete lines
//! continue on the next; messages the process sends to itself are delivered at once; dot
//! commands inspect the process. File access stays with the front end (`Step::Load`).

use serde_json::Value as Json;

use crate::ao::{Message, Outcome, Process};
use crate::error::Error;

/// Messages a process may send itself in answer to one input line, before the console
/// stops delivering (a process pinging itself forever must not hang the console).
const MAX_SELF_DELIVERIES: usize = 100;

/// What the front end should do after a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Print this text (possibly empty) and prompt again.
    Print(String),
    /// Read this file and pass its text to [`Console::eval_source`].
    Load(String),
    /// Write this state document (the text) to this file.
    Export { path: String, text: String },
    /// Read this file and pass its text to [`Console::import_source`].
    Import(String),
    /// Leave the console.
    Exit,
}

pub struct Console {
    process: Process,
    pending: String,
    /// A checkpoint before each input that ran something, newest last (for `.rollback`).
    undo: Vec<u64>,
    /// What the latest input changed (for `.diff`).
    last_diff: Vec<crate::state::diff::Change>,
}

pub const HELP: &str =
    "Lua lines run in the process as its owner (aos Eval); a line that is not complete
continues on the next. Messages the process sends to itself are delivered at once.

.help                 this text
.load FILE            evaluate a Lua file
.send ACTION [DATA]   send a message from the owner with this Action tag
.dryrun ACTION [DATA] the same, as a read-only dry-run (nothing is kept)
.inbox [N]            the last N (default 5) messages in the Inbox
.handlers             the handler list, in evaluation order
.diff                 what the last input changed in the globals
.rollback [N]         undo the last N inputs (default 1)
.hash                 the state hash (SHA-256 of the state document)
.stats                the state's size, per global
.export FILE          write the state document to FILE
.import FILE          replace the process by the state in FILE
.exit                 leave (also Ctrl-D)";

impl Console {
    pub fn new(mut process: Process) -> Console {
        process.set_diff(true);
        Console {
            process,
            pending: String::new(),
            undo: Vec::new(),
            last_diff: Vec::new(),
        }
    }

    /// Checkpoints before an input that may change the state, and forgets the last diff.
    fn before_input(&mut self) {
        self.undo.push(self.process.checkpoint(None));
        self.last_diff.clear();
    }

    fn note_diff(&mut self, outcome: &Outcome) {
        if let Some(d) = &outcome.diff {
            self.last_diff.extend(d.iter().cloned());
        }
    }

    /// Replaces the process by the state in `text` (after `Step::Import`).
    pub fn import_source(&mut self, text: &str) -> String {
        match Process::import_state(text) {
            Ok(mut p) => {
                p.set_diff(true);
                self.process = p;
                self.undo.clear();
                self.last_diff.clear();
                format!("imported process {}", self.process.id())
            }
            Err(e) => format!("error: {e}"),
        }
    }

    pub fn process(&mut self) -> &mut Process {
        &mut self.process
    }

    pub fn banner(&self) -> String {
        format!(
            "aolite repl: process {} owned by {}; .help lists the commands",
            self.process.id(),
            self.process.owner()
        )
    }

    /// The prompt: the Inbox size, or a continuation mark inside a multi-line chunk.
    pub fn prompt(&mut self) -> String {
        if !self.pending.is_empty() {
            return ">> ".into();
        }
        let inbox = match self.process.global_json("Inbox") {
            Ok(Json::Array(items)) => items.len(),
            _ => 0,
        };
        format!("aolite[Inbox:{inbox}]> ")
    }

    /// Handles one input line.
    pub fn line(&mut self, line: &str) -> Step {
        if self.pending.is_empty() {
            let trimmed = line.trim();
            if let Some(command) = trimmed.strip_prefix('.') {
                return self.command(command);
            }
            if trimmed.is_empty() {
                return Step::Print(String::new());
            }
        }
        let source = if self.pending.is_empty() {
            line.to_owned()
        } else {
            format!("{}\n{line}", self.pending)
        };
        self.before_input();
        match self.process.eval_outcome(&source) {
            // As Lua's own REPL decides: a chunk whose syntax error is at its end (`near
            // <eof>`) is incomplete and continues on the next line.
            Err(Error::Syntax(m)) if m.ends_with("<eof>") => {
                self.drop_last_checkpoint();
                self.pending = source;
                Step::Print(String::new())
            }
            result => {
                self.pending.clear();
                Step::Print(self.report_eval(result))
            }
        }
    }

    fn drop_last_checkpoint(&mut self) {
        if let Some(id) = self.undo.pop() {
            let _ = self.process.drop_checkpoint(id);
        }
    }

    /// Evaluates a whole file's text (after `Step::Load`).
    pub fn eval_source(&mut self, source: &str) -> String {
        self.before_input();
        let result = self.process.eval_outcome(source);
        self.report_eval(result)
    }

    fn report_eval(&mut self, result: Result<Outcome, Error>) -> String {
        match result {
            Ok(outcome) => {
                self.note_diff(&outcome);
                let mut text = match &outcome.error {
                    None => outcome.output_text().to_owned(),
                    Some(e) => format!("error: {}", crate::ao::process::eval_error_text(e)),
                };
                self.deliver_self_messages(&mut text, outcome.messages);
                text
            }
            Err(e) => format!("error: {e}"),
        }
    }

    fn command(&mut self, command: &str) -> Step {
        let mut words = command.splitn(2, char::is_whitespace);
        let name = words.next().unwrap_or_default();
        let rest = words.next().unwrap_or_default().trim();
        match name {
            "help" => Step::Print(HELP.into()),
            "exit" | "quit" => Step::Exit,
            "load" if !rest.is_empty() => Step::Load(rest.to_owned()),
            "send" | "dryrun" if !rest.is_empty() => {
                let mut parts = rest.splitn(2, char::is_whitespace);
                let action = parts.next().unwrap_or_default();
                let mut msg = Message::default().with_tag("Action", action);
                if let Some(data) = parts.next() {
                    msg = msg.with_data(data.trim());
                }
                let result = if name == "send" {
                    self.before_input();
                    self.process.send(msg)
                } else {
                    self.process.dry_run(msg)
                };
                if let Ok(o) = &result {
                    self.note_diff(o);
                }
                let (mut text, sent) = match result {
                    Ok(outcome) => (describe(&outcome), outcome.messages),
                    Err(e) => (format!("error: {e}"), Vec::new()),
                };
                if name == "send" {
                    self.deliver_self_messages(&mut text, sent);
                }
                Step::Print(text)
            }
            "inbox" => {
                let n: usize = rest.parse().unwrap_or(5);
                Step::Print(self.inbox(n))
            }
            "handlers" => Step::Print(self.handlers()),
            "diff" if self.last_diff.is_empty() => Step::Print("no changes".into()),
            "diff" => Step::Print(
                self.last_diff
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            "rollback" => {
                let n: usize = if rest.is_empty() {
                    1
                } else {
                    match rest.parse() {
                        Ok(n) if n > 0 => n,
                        _ => return Step::Print("usage: .rollback [N] (N > 0)".into()),
                    }
                };
                if n > self.undo.len() {
                    return Step::Print(format!(
                        "only {} input(s) can be rolled back",
                        self.undo.len()
                    ));
                }
                let target = self.undo[self.undo.len() - n];
                self.undo.truncate(self.undo.len() - n);
                self.last_diff.clear();
                Step::Print(match self.process.rollback(target) {
                    Ok(()) => {
                        let _ = self.process.drop_checkpoint(target);
                        format!("rolled back {n} input(s)")
                    }
                    Err(e) => format!("error: {e}"),
                })
            }
            "hash" => Step::Print(match self.process.state_hash() {
                Ok(h) => h,
                Err(e) => format!("error: {e}"),
            }),
            "stats" => Step::Print(self.stats()),
            "export" if !rest.is_empty() => match self.process.export_state() {
                Ok(text) => Step::Export {
                    path: rest.to_owned(),
                    text,
                },
                Err(e) => Step::Print(format!("error: {e}")),
            },
            "import" if !rest.is_empty() => Step::Import(rest.to_owned()),
            _ => Step::Print(format!("unknown command .{name} (.help lists them)")),
        }
    }

    fn inbox(&mut self, n: usize) -> String {
        let Ok(Json::Array(items)) = self.process.global_json("Inbox") else {
            return "Inbox is empty".into();
        };
        if items.is_empty() {
            return "Inbox is empty".into();
        }
        let start = items.len().saturating_sub(n);
        items[start..]
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let field = |k: &str| m.get(k).and_then(Json::as_str).unwrap_or("-").to_owned();
                let data = match m.get("Data") {
                    Some(Json::String(s)) => s.clone(),
                    Some(Json::Null) | None => String::new(),
                    Some(other) => other.to_string(),
                };
                format!(
                    "{}. From {} Action {} Data {}",
                    start + i + 1,
                    field("From"),
                    field("Action"),
                    truncate(&data, 60)
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn stats(&mut self) -> String {
        let s = self.process.stats();
        let mut lines = vec![format!(
            "{} bytes (estimated), {} tables, {} closures, {} strings; heap {} bytes",
            s.total.bytes, s.total.tables, s.total.closures, s.total.strings, s.heap_bytes
        )];
        for g in s.globals.iter().filter(|g| g.user) {
            lines.push(format!(
                "  {}: {} bytes, {} entries",
                g.name, g.counts.bytes, g.counts.entries
            ));
        }
        lines.join("\n")
    }

    fn handlers(&mut self) -> String {
        // A dry-run: listing the handlers must not change the process (or its log).
        let msg = Message::default()
            .with_tag("Action", "Eval")
            .with_data("local n = {} for i, h in ipairs(Handlers.list) do n[i] = h.name end return table.concat(n, '\\n')");
        match self.process.dry_run(msg) {
            Ok(o) if o.error.is_some() => format!("error: {}", o.error.unwrap_or_default()),
            Ok(o) if !o.output_text().is_empty() => o.output_text().to_owned(),
            Ok(_) => "no handlers".into(),
            Err(e) => format!("error: {e}"),
        }
    }

    /// Delivers the messages the process sent to itself, and what those send it, in order.
    fn deliver_self_messages(&mut self, text: &mut String, sent: Vec<crate::ao::OutMessage>) {
        let id = self.process.id().to_owned();
        let mut queue = sent;
        let mut delivered = 0;
        while let Some(out) = queue.first().cloned() {
            queue.remove(0);
            if out.target.as_deref() != Some(id.as_str()) {
                continue;
            }
            if delivered == MAX_SELF_DELIVERIES {
                text.push_str("\n(stopped delivering messages the process sends itself)");
                return;
            }
            delivered += 1;
            let mut msg = Message::default().with_from(id.clone());
            for tag in &out.tags {
                if let Some(v) = tag.value.as_str() {
                    msg = msg.with_tag(tag.name.clone(), v);
                }
            }
            // The network delivers a body as text; a number or boolean Data as its JSON text.
            msg.data = out.data.as_ref().map(|d| match d {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            });
            match self.process.send(msg) {
                Ok(outcome) => {
                    self.note_diff(&outcome);
                    if !text.is_empty() {
                        text.push('\n');
                    }
                    text.push_str(&format!("-> {}", describe(&outcome)));
                    queue.extend(outcome.messages);
                }
                Err(e) => text.push_str(&format!("\n-> error: {e}")),
            }
        }
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}...")
    }
}

/// One outcome as console text: printed output, then sent messages and the error.
pub fn describe(outcome: &Outcome) -> String {
    let mut lines = Vec::new();
    let printed = outcome.output_text();
    if !printed.is_empty() {
        lines.push(printed.to_owned());
    }
    for m in &outcome.messages {
        let action = m
            .tag("Action")
            .map(|a| format!(" Action={a}"))
            .unwrap_or_default();
        let data = m
            .data_text()
            .filter(|d| !d.is_empty())
            .map(|d| format!(" Data={}", truncate(d, 60)))
            .unwrap_or_default();
        lines.push(format!(
            "message to {}{action}{data}",
            m.target.as_deref().unwrap_or("?")
        ));
    }
    if let Some(e) = &outcome.error {
        lines.push(format!("error: {e}"));
    }
    lines.join("\n")
}
