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
    /// Lines typed since `.editor`, until `.end` runs them (or `.cancel` drops them).
    editor: Option<Vec<String>>,
    /// The sender of `.send` and `.dryrun` messages set by `.as` (the owner when `None`).
    acting_as: Option<String>,
    /// The front end's Ctrl-C check, kept across `.import`.
    interrupt: Option<crate::vm::Interrupt>,
    /// A checkpoint before each input that ran something, newest last (for `.rollback`).
    undo: Vec<u64>,
    /// What the latest input changed (for `.diff`).
    last_diff: Vec<crate::state::diff::Change>,
}

pub const HELP: &str =
    "Lua lines run in the process as its owner (aos Eval); a line that is not complete
continues on the next. Messages the process sends to itself are delivered at once.
Ctrl-C stops a running computation (the process stays as it was before the input)
or drops the line being typed; Ctrl-D or .exit leaves.

.help                 this text
.editor               type Lua over several lines; .end (or Ctrl-D) runs it all,
                      .cancel (or Ctrl-C) drops it
.load FILE            evaluate a Lua file; says what it loaded and the handlers it added
.send ACTION [NAME=VALUE ...] [--from ADDRESS] [--data TEXT | DATA...]
                      send a message with this Action and tags (values with spaces in
                      double quotes), from the owner unless --from or .as says otherwise;
                      words that are not NAME=VALUE are its Data
.dryrun ACTION ...    the same, as a read-only dry-run (nothing is kept)
.as [ADDRESS]         send .send and .dryrun messages from ADDRESS from now on (no
                      address: from the owner again); Lua lines still run as the owner
.inbox [N]            the last N (default 5) messages in the Inbox, with their tags and Data
.handlers             the handler list, in evaluation order
.diff                 what the last input changed in the globals
.rollback [N]         undo the last N inputs (default 1)
.hash                 the state hash (SHA-256 of the state document)
.stats                the state's size, per global
.export FILE          write the state document to FILE
.import FILE          replace the process by the state in FILE
.exit                 leave (also Ctrl-D)";

/// What `.editor` says when it starts.
const EDITOR_BANNER: &str =
    "editor mode: type Lua over several lines; .end (or Ctrl-D) runs it, .cancel (or Ctrl-C) drops it";

impl Console {
    pub fn new(mut process: Process) -> Console {
        process.set_diff(true);
        Console {
            process,
            pending: String::new(),
            editor: None,
            acting_as: None,
            interrupt: None,
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
                p.set_interrupt(self.interrupt.clone());
                self.process = p;
                self.undo.clear();
                self.last_diff.clear();
                format!("imported process {}", self.process.id())
            }
            Err(e) => format!("error: {e}"),
        }
    }

    /// Sets the check, asked between execution slices, that stops a running input (the
    /// front end's Ctrl-C); the input then fails and the process stays as it was.
    pub fn set_interrupt(&mut self, interrupt: Option<crate::vm::Interrupt>) {
        self.process.set_interrupt(interrupt.clone());
        self.interrupt = interrupt;
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

    /// The prompt: the Inbox size (and the sender set by `.as`), or a continuation mark
    /// inside a multi-line chunk or the editor.
    pub fn prompt(&mut self) -> String {
        if self.editor.is_some() {
            return "... ".into();
        }
        if !self.pending.is_empty() {
            return ">> ".into();
        }
        let inbox = self.inbox_len();
        match &self.acting_as {
            Some(who) => format!("aolite({who})[Inbox:{inbox}]> "),
            None => format!("aolite[Inbox:{inbox}]> "),
        }
    }

    fn inbox_len(&mut self) -> usize {
        match self.process.global_json("Inbox") {
            Ok(Json::Array(items)) => items.len(),
            _ => 0,
        }
    }

    /// Whether the editor (`.editor`) is collecting lines.
    pub fn in_editor(&self) -> bool {
        self.editor.is_some()
    }

    /// The end of the input (Ctrl-D): runs what the editor holds and stays, or leaves.
    pub fn end_of_input(&mut self) -> Step {
        match self.editor.take() {
            Some(lines) => Step::Print(self.eval_source(&lines.join("\n"))),
            None => Step::Exit,
        }
    }

    /// Ctrl-C at the prompt: drops the editor's lines or an unfinished chunk; returns what
    /// to print.
    pub fn cancel(&mut self) -> String {
        if self.editor.take().is_some() {
            return "editor cancelled".into();
        }
        if !self.pending.is_empty() {
            self.pending.clear();
            return "unfinished input dropped".into();
        }
        String::new()
    }

    /// Handles one input line.
    pub fn line(&mut self, line: &str) -> Step {
        if let Some(lines) = &mut self.editor {
            return match line.trim() {
                ".end" => self.end_of_input(),
                ".cancel" => Step::Print(self.cancel()),
                _ => {
                    lines.push(line.to_owned());
                    Step::Print(String::new())
                }
            };
        }
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
        let id = self.process.next_message_id();
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
                let unhandled = matches!(&result, Ok(o) if o.error.is_none())
                    && self.process.inbox_last_id().as_deref() == Some(id.as_str());
                let mut text = self.report_eval(result);
                if unhandled {
                    if !text.is_empty() {
                        text.push('\n');
                    }
                    text.push_str(
                        "(no handler took this Eval: aos runs Eval only from the process's \
                         Owner, so it went to the Inbox)",
                    );
                }
                Step::Print(text)
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

    /// Evaluates the text of the file `path` (after `Step::Load`) and says what it loaded:
    /// its size, the handlers it added, then what it printed.
    pub fn load_source(&mut self, path: &str, source: &str) -> String {
        let before = self.handler_names();
        self.before_input();
        let result = self.process.eval_outcome(source);
        let failed = !matches!(&result, Ok(o) if o.error.is_none());
        let report = self.report_eval(result);
        if failed {
            return format!("could not load {path}:\n{report}");
        }
        let lines = source.lines().count();
        let s = if lines == 1 { "" } else { "s" };
        let added: Vec<String> = self
            .handler_names()
            .into_iter()
            .filter(|n| !before.contains(n))
            .collect();
        let mut text = format!("loaded {path} ({lines} line{s})");
        if !added.is_empty() {
            text.push_str(&format!("; handlers added: {}", added.join(", ")));
        }
        if !report.is_empty() {
            text.push('\n');
            text.push_str(&report);
        }
        text
    }

    /// The names in `Handlers.list`, in order, read from the state (no message needed).
    fn handler_names(&mut self) -> Vec<String> {
        let Ok(handlers) = self.process.global_json("Handlers") else {
            return Vec::new();
        };
        handlers
            .get("list")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(|h| h.get("name").and_then(Json::as_str).map(str::to_owned))
            .collect()
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
            Err(e) => error_text(&e),
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
            "editor" => {
                self.editor = Some(Vec::new());
                Step::Print(EDITOR_BANNER.into())
            }
            "as" => {
                self.acting_as = (!rest.is_empty()).then(|| rest.to_owned());
                Step::Print(match &self.acting_as {
                    Some(who) => format!(".send and .dryrun messages now come from {who}"),
                    None => ".send and .dryrun messages come from the owner again".into(),
                })
            }
            "send" | "dryrun" if !rest.is_empty() => {
                let msg = match self.message_from_words(rest) {
                    Ok(m) => m,
                    Err(e) => return Step::Print(format!("error: {e}")),
                };
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
                    Err(e) => (error_text(&e), Vec::new()),
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

    /// A message from `.send`'s words: `ACTION [NAME=VALUE ...] [--from ADDRESS]
    /// [--data TEXT | DATA...]`.
    fn message_from_words(&self, text: &str) -> Result<Message, String> {
        let words = split_words(text)?;
        let mut words = words.into_iter();
        let action = words.next().unwrap_or_default();
        let mut msg = Message::default().with_tag("Action", action);
        let mut data: Vec<String> = Vec::new();
        let mut from = self.acting_as.clone();
        while let Some(word) = words.next() {
            match word.as_str() {
                "--from" => from = Some(words.next().ok_or("--from needs an address")?),
                "--data" => data.push(words.next().ok_or("--data needs a value")?),
                _ => match word.split_once('=') {
                    Some((k, v)) if !k.is_empty() && data.is_empty() => {
                        msg = msg.with_tag(k, v);
                    }
                    _ => data.push(word),
                },
            }
        }
        if !data.is_empty() {
            msg = msg.with_data(data.join(" "));
        }
        if let Some(from) = from {
            msg = msg.with_from(from);
        }
        Ok(msg)
    }

    fn inbox(&mut self, n: usize) -> String {
        let Ok(Json::Array(items)) = self.process.global_json("Inbox") else {
            return "Inbox is empty".into();
        };
        if items.is_empty() {
            return "Inbox is empty".into();
        }
        let start = items.len().saturating_sub(n);
        let total = items.len();
        let s = if total == 1 { "" } else { "s" };
        let mut lines = vec![if start == 0 {
            format!("Inbox: {total} message{s}")
        } else {
            format!("Inbox: {total} message{s}, the last {}:", total - start)
        }];
        for (i, m) in items[start..].iter().enumerate() {
            let field = |k: &str| m.get(k).and_then(Json::as_str).map(str::to_owned);
            lines.push(format!(
                "{}. {} from {}",
                start + i + 1,
                field("Action").unwrap_or_else(|| "(no Action)".into()),
                field("From").unwrap_or_else(|| "?".into())
            ));
            let tags: Vec<String> = match m.get("Tags") {
                Some(Json::Object(map)) => map
                    .iter()
                    .filter(|(k, _)| {
                        k.as_str() != "Action"
                            && !crate::report::PROTOCOL_TAGS.contains(&k.as_str())
                    })
                    .map(|(k, v)| {
                        let v = match v {
                            Json::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        format!("{k}={}", quote(&truncate(&v, 60)))
                    })
                    .collect(),
                _ => Vec::new(),
            };
            if !tags.is_empty() {
                lines.push(format!("   tags: {}", tags.join(" ")));
            }
            let data = match m.get("Data") {
                Some(Json::String(s)) => s.clone(),
                Some(Json::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            if !data.is_empty() {
                lines.push(format!("   data: {}", truncate(&data, 200)));
            }
        }
        lines.join("\n")
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
        let names = self.handler_names();
        if names.is_empty() {
            "no handlers".into()
        } else {
            names.join("\n")
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
                Err(e) => text.push_str(&format!("\n-> {}", error_text(&e))),
            }
        }
    }
}

/// How the console reports an error of the engine; an interrupt says the state is kept.
fn error_text(e: &Error) -> String {
    match e {
        Error::Interrupted => {
            "interrupted: the computation was stopped; the process is as it was before this input"
                .into()
        }
        e => format!("error: {e}"),
    }
}

/// Splits `.send`'s arguments at spaces; double quotes group words (`Note="a b"`, or a
/// whole `"a b"`), and `\"` is a quote inside them.
fn split_words(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            '\\' if quoted => match chars.next() {
                Some(next) => word.push(next),
                None => word.push('\\'),
            },
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if quoted {
        return Err("a double quote is not closed".into());
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// A value as one word, in double quotes when it holds spaces or quotes.
fn quote(v: &str) -> String {
    if v.is_empty() || v.chars().any(|c| c.is_whitespace() || c == '"') {
        Json::String(v.to_owned()).to_string()
    } else {
        v.to_owned()
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

/// One outcome as console text: printed output, then sent messages, the error and the
/// handlers that ran.
pub fn describe(outcome: &Outcome) -> String {
    let mut lines = Vec::new();
    let printed = outcome.output_text();
    if !printed.is_empty() {
        lines.push(printed.to_owned());
    }
    for m in &outcome.messages {
        let mut parts = Vec::new();
        for tag in &m.tags {
            if crate::report::PROTOCOL_TAGS.contains(&tag.name.as_str()) {
                continue;
            }
            let value = match &tag.value {
                Json::String(s) => s.clone(),
                other => other.to_string(),
            };
            parts.push(format!("{}={}", tag.name, quote(&truncate(&value, 60))));
        }
        if let Some(d) = m.data_text().filter(|d| !d.is_empty()) {
            parts.push(format!("Data={}", truncate(d, 60)));
        }
        let sep = if parts.is_empty() { "" } else { " " };
        lines.push(format!(
            "message to {}{sep}{}",
            m.target.as_deref().unwrap_or("?"),
            parts.join(" ")
        ));
    }
    if let Some(e) = &outcome.error {
        lines.push(format!("error: {e}"));
    }
    if let Some(ran) = &outcome.handlers {
        // Dim, as aos's console shows its own notes.
        lines.push(format!("\x1b[2mhandlers: {}\x1b[0m", handler_names(ran)));
    }
    lines.join("\n")
}

/// The handlers that ran, in order, a failed one marked: `log, transfer (failed)`.
fn handler_names(ran: &[crate::ao::outcome::HandlerRun]) -> String {
    if ran.is_empty() {
        return "(none)".into();
    }
    ran.iter()
        .map(|h| {
            if h.ok {
                h.name.clone()
            } else {
                format!("{} (failed)", h.name)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}
