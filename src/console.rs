//! The interactive console behind `aolite repl` (native and Node share it): an aos-style
//! prompt over a local process. Lua lines run as the owner through Eval; incomplete lines
//! continue on the next; messages the process sends to itself are delivered at once; dot
//! commands inspect the process. File access stays with the front end (`Step::Load`).
//!
//! `.spawn` turns the console into a local network ([`Network`]): the first process joins
//! it, others are spawned by name, one of them is the current process (the one Lua lines,
//! `.send` and the inspecting commands address), and what processes send each other is
//! delivered by the network's scheduler, at once after each input (`.deliver auto`) or by
//! `.step` and `.run` (`.deliver step`).

use serde_json::Value as Json;

use crate::ao::{Message, Outcome, Process, ProcessOptions, Tag};
use crate::error::Error;
use crate::net::{Kind, Network, NetworkOptions, TraceEntry, MESSENGER};

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

/// What the console runs: one process, or a network of them (after `.spawn`).
enum Home {
    Solo(Box<Process>),
    Net(Box<NetHome>),
}

struct NetHome {
    net: Network,
    /// The process Lua lines and `.send` address.
    current: String,
    /// The names the console knows processes by, in spawn order: (name, id).
    names: Vec<(String, String)>,
}

impl NetHome {
    /// A process's name, or its id when it has none (a child, a wallet).
    fn name_of(&self, id: &str) -> String {
        self.names
            .iter()
            .find(|(_, i)| i == id)
            .map_or_else(|| id.to_owned(), |(n, _)| n.clone())
    }

    /// The id of a process given by name or id.
    fn find(&self, who: &str) -> Option<String> {
        if let Some((_, id)) = self.names.iter().find(|(n, _)| n == who) {
            return Some(id.clone());
        }
        self.net
            .processes()
            .iter()
            .find(|id| id.as_str() == who)
            .cloned()
    }

    /// After a rollback: forgets the names of processes that are gone, and returns to the
    /// first process when the current one is gone.
    fn prune(&mut self) {
        let net = &self.net;
        self.names.retain(|(_, id)| net.process(id).is_some());
        if net.process(&self.current).is_none() {
            if let Some(first) = net.processes().first() {
                self.current = first.clone();
            }
        }
    }
}

/// What `.send`'s words ask besides the message.
struct SendWords {
    msg: Message,
    /// `--to NAME`: another process of the network.
    to: Option<String>,
    /// `--queue`: queue it without delivering it.
    queue: bool,
}

pub struct Console {
    home: Home,
    /// Whether the network delivers what an input sent before the next prompt (`.deliver`).
    auto: bool,
    /// `.spawn NAME FILE`: the process to spawn (name, tags) when the front end hands
    /// over the file's text (`load_source`); forgotten at the next line when it could not.
    spawn_then_load: Option<(String, Vec<Tag>)>,
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
.exit                 leave (also Ctrl-D)

A local network (the first .spawn starts it; the process so far joins it):
.spawn NAME [FILE.lua] [NAME=VALUE ...] [--eval LUA]
                      spawn a process with these tags (Name=NAME too), owned by the
                      owner, trusting the network's messenger; evaluate FILE.lua or the
                      Lua after --eval in it; it becomes the current process
.ps                   the processes: name, id, Inbox size; * marks the current one
.use NAME             make NAME (or a process id) the current process
.send ... --from NAME --to NAME [--queue]
                      from a process: pushed by the messenger as that process's message;
                      --to another process than the current one; --queue only queues it
.queue                the messages waiting for delivery, in delivery order
.step [N]             deliver the next N (default 1) waiting messages
.run                  deliver until nothing waits (at most the network's budget)
.deliver auto|step    auto (the default): what an input sends is delivered before the
                      next prompt; step: it waits for .step and .run
.advance MS           move the network's clock MS milliseconds; queues cron ticks
.monitor [NAME]       push what NAME's cron ticks send (aoconnect's monitor); the ticks
                      run either way. .unmonitor [NAME] stops it";

/// What `.editor` says when it starts.
const EDITOR_BANNER: &str =
    "editor mode: type Lua over several lines; .end (or Ctrl-D) runs it, .cancel (or Ctrl-C) drops it";

impl Console {
    pub fn new(mut process: Process) -> Console {
        process.set_diff(true);
        Console {
            home: Home::Solo(Box::new(process)),
            auto: true,
            spawn_then_load: None,
            pending: String::new(),
            editor: None,
            acting_as: None,
            interrupt: None,
            undo: Vec::new(),
            last_diff: Vec::new(),
        }
    }

    /// The current process (the only one, or the network's current one).
    fn current(&mut self) -> Option<&mut Process> {
        match &mut self.home {
            Home::Solo(p) => Some(p),
            Home::Net(h) => {
                h.prune();
                h.net.process_mut(&h.current)
            }
        }
    }

    /// Checkpoints before an input that may change the state, and forgets the last diff.
    fn before_input(&mut self) {
        let cp = match &mut self.home {
            Home::Solo(p) => p.checkpoint(None),
            Home::Net(h) => h.net.checkpoint(None),
        };
        self.undo.push(cp);
        self.last_diff.clear();
    }

    fn note_diff(&mut self, outcome: &Outcome) {
        if let Some(d) = &outcome.diff {
            self.last_diff.extend(d.iter().cloned());
        }
    }

    /// Replaces the process by the state in `text` (after `Step::Import`).
    pub fn import_source(&mut self, text: &str) -> String {
        if matches!(self.home, Home::Net(_)) {
            return "error: the console runs a network: .import replaces a lone process".into();
        }
        match Process::import_state(text) {
            Ok(mut p) => {
                p.set_diff(true);
                p.set_interrupt(self.interrupt.clone());
                let id = p.id().to_owned();
                self.home = Home::Solo(Box::new(p));
                self.undo.clear();
                self.last_diff.clear();
                format!("imported process {id}")
            }
            Err(e) => format!("error: {e}"),
        }
    }

    /// Sets the check, asked between execution slices, that stops a running input (the
    /// front end's Ctrl-C); the input then fails and the process stays as it was.
    pub fn set_interrupt(&mut self, interrupt: Option<crate::vm::Interrupt>) {
        match &mut self.home {
            Home::Solo(p) => p.set_interrupt(interrupt.clone()),
            Home::Net(h) => h.net.set_interrupt(interrupt.clone()),
        }
        self.interrupt = interrupt;
    }

    /// The current process.
    pub fn process(&mut self) -> Option<&mut Process> {
        self.current()
    }

    /// The network, once `.spawn` started one.
    pub fn network(&mut self) -> Option<&mut Network> {
        match &mut self.home {
            Home::Solo(_) => None,
            Home::Net(h) => Some(&mut h.net),
        }
    }

    pub fn banner(&mut self) -> String {
        match self.current() {
            Some(p) => format!(
                "aolite repl: process {} owned by {}; .help lists the commands",
                p.id(),
                p.owner()
            ),
            None => "aolite repl: .help lists the commands".into(),
        }
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
        let who = match &self.acting_as {
            Some(who) => format!("({who})"),
            None => String::new(),
        };
        match &self.home {
            Home::Solo(_) => format!("aolite{who}[Inbox:{inbox}]> "),
            Home::Net(h) => {
                let name = h.name_of(&h.current);
                let queued = h.net.pending().count();
                let queue = if queued > 0 {
                    format!(" Queue:{queued}")
                } else {
                    String::new()
                };
                format!("aolite:{name}{who}[Inbox:{inbox}{queue}]> ")
            }
        }
    }

    fn inbox_len(&mut self) -> usize {
        let Some(p) = self.current() else {
            return 0;
        };
        match p.global_json("Inbox") {
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
        self.spawn_then_load = None;
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
        if matches!(self.home, Home::Net(_)) {
            return Step::Print(self.net_line(source));
        }
        self.before_input();
        let Some(p) = self.current() else {
            return Step::Print(NO_PROCESS.into());
        };
        let id = p.next_message_id();
        match p.eval_outcome(&source) {
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
                    && self.current().and_then(|p| p.inbox_last_id()).as_deref()
                        == Some(id.as_str());
                let mut text = self.report_eval(result);
                if unhandled {
                    push_line(&mut text, UNHANDLED_EVAL);
                }
                Step::Print(text)
            }
        }
    }

    fn drop_last_checkpoint(&mut self) {
        if let Some(id) = self.undo.pop() {
            let _ = match &mut self.home {
                Home::Solo(p) => p.drop_checkpoint(id),
                Home::Net(h) => h.net.drop_checkpoint(id),
            };
        }
    }

    /// Evaluates a whole file's text (after `Step::Load`).
    pub fn eval_source(&mut self, source: &str) -> String {
        if matches!(self.home, Home::Net(_)) {
            return self.net_eval(source).1;
        }
        self.before_input();
        let Some(p) = self.current() else {
            return NO_PROCESS.into();
        };
        let result = p.eval_outcome(source);
        self.report_eval(result)
    }

    /// Evaluates the text of the file `path` (after `Step::Load`) and says what it loaded:
    /// its size, the handlers it added, then what it printed.
    pub fn load_source(&mut self, path: &str, source: &str) -> String {
        let Some((name, tags)) = self.spawn_then_load.take() else {
            return self.load(path, source);
        };
        match self.spawn_process(&name, tags) {
            Ok(mut text) => {
                push_line(&mut text, &self.load(path, source));
                text
            }
            Err(text) => text,
        }
    }

    fn load(&mut self, path: &str, source: &str) -> String {
        let before = self.handler_names();
        let (failed, report) = if matches!(self.home, Home::Net(_)) {
            self.net_eval(source)
        } else {
            self.before_input();
            let Some(p) = self.current() else {
                return NO_PROCESS.into();
            };
            let result = p.eval_outcome(source);
            let failed = !matches!(&result, Ok(o) if o.error.is_none());
            (failed, self.report_eval(result))
        };
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
        let Some(Ok(handlers)) = self.current().map(|p| p.global_json("Handlers")) else {
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
                let words = match self.message_from_words(rest) {
                    Ok(w) => w,
                    Err(e) => return Step::Print(format!("error: {e}")),
                };
                if matches!(self.home, Home::Net(_)) {
                    return Step::Print(self.net_send(name == "send", words));
                }
                if words.to.is_some() || words.queue {
                    return Step::Print(format!(
                        "error: --to and --queue need a network ({NO_NETWORK})"
                    ));
                }
                let msg = words.msg;
                let Some(p) = self.current() else {
                    return Step::Print(NO_PROCESS.into());
                };
                let result = if name == "send" {
                    self.before_input();
                    match self.current() {
                        Some(p) => p.send(msg),
                        None => return Step::Print(NO_PROCESS.into()),
                    }
                } else {
                    p.dry_run(msg)
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
                let done = match &mut self.home {
                    Home::Solo(p) => p.rollback(target).map(|()| {
                        let _ = p.drop_checkpoint(target);
                    }),
                    Home::Net(h) => h.net.rollback(target).map(|()| {
                        let _ = h.net.drop_checkpoint(target);
                        h.prune();
                    }),
                };
                Step::Print(match done {
                    Ok(()) => format!("rolled back {n} input(s)"),
                    Err(e) => format!("error: {e}"),
                })
            }
            "hash" => Step::Print(match self.current().map(|p| p.state_hash()) {
                Some(Ok(h)) => h,
                Some(Err(e)) => format!("error: {e}"),
                None => NO_PROCESS.into(),
            }),
            "stats" => Step::Print(self.stats()),
            "export" if !rest.is_empty() => match self.current().map(|p| p.export_state()) {
                Some(Ok(text)) => Step::Export {
                    path: rest.to_owned(),
                    text,
                },
                Some(Err(e)) => Step::Print(format!("error: {e}")),
                None => Step::Print(NO_PROCESS.into()),
            },
            "import" if !rest.is_empty() => Step::Import(rest.to_owned()),
            "spawn" if !rest.is_empty() => self.spawn(rest),
            "ps" | "processes" => Step::Print(self.list_processes()),
            "use" if !rest.is_empty() => Step::Print(self.use_process(rest)),
            "queue" => Step::Print(self.queue()),
            "step" => {
                let n: usize = if rest.is_empty() {
                    1
                } else {
                    match rest.parse() {
                        Ok(n) if n > 0 => n,
                        _ => return Step::Print("usage: .step [N] (N > 0)".into()),
                    }
                };
                Step::Print(self.net_step(Some(n)))
            }
            "run" => Step::Print(self.net_step(None)),
            "deliver" => Step::Print(match rest {
                "auto" => {
                    self.auto = true;
                    "what an input sends is delivered before the next prompt".into()
                }
                "step" => {
                    self.auto = false;
                    "what an input sends waits for .step and .run".into()
                }
                _ => "usage: .deliver auto|step".into(),
            }),
            "advance" => Step::Print(match rest.parse::<i64>() {
                Ok(ms) if ms >= 0 => self.advance(ms),
                _ => "usage: .advance MS (a whole number of milliseconds)".into(),
            }),
            "monitor" | "unmonitor" => Step::Print(self.monitor(name == "monitor", rest)),
            _ => Step::Print(format!("unknown command .{name} (.help lists them)")),
        }
    }

    /// A message from `.send`'s words: `ACTION [NAME=VALUE ...] [--from ADDRESS]
    /// [--data TEXT | DATA...]`.
    fn message_from_words(&self, text: &str) -> Result<SendWords, String> {
        let words = split_words(text)?;
        let mut words = words.into_iter();
        let action = words.next().unwrap_or_default();
        let mut msg = Message::default().with_tag("Action", action);
        let mut data: Vec<String> = Vec::new();
        let mut from = self.acting_as.clone();
        let (mut to, mut queue) = (None, false);
        while let Some(word) = words.next() {
            match word.as_str() {
                "--from" => from = Some(words.next().ok_or("--from needs an address")?),
                "--data" => data.push(words.next().ok_or("--data needs a value")?),
                "--to" => to = Some(words.next().ok_or("--to needs a process")?),
                "--queue" => queue = true,
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
        Ok(SendWords { msg, to, queue })
    }

    fn inbox(&mut self, n: usize) -> String {
        let Some(Ok(Json::Array(items))) = self.current().map(|p| p.global_json("Inbox")) else {
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
        let Some(p) = self.current() else {
            return NO_PROCESS.into();
        };
        let s = p.stats();
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
        let Some(id) = self.current().map(|p| p.id().to_owned()) else {
            return;
        };
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
            let Some(p) = self.current() else {
                return;
            };
            match p.send(msg) {
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

/// The network side of the console.
impl Console {
    /// The network, started with the console's process in it when there is none yet.
    /// Returns what to tell the user about it the first time.
    fn ensure_net(&mut self) -> Result<Option<String>, String> {
        if matches!(self.home, Home::Net(_)) {
            return Ok(None);
        }
        let (clock, height) = match self.current() {
            Some(p) => (p.clock, p.block_height),
            None => return Err(NO_PROCESS.into()),
        };
        let net = Network::new(NetworkOptions {
            timestamp: Some(clock),
            block_height: Some(height),
            ..NetworkOptions::default()
        });
        let home = Home::Net(Box::new(NetHome {
            net,
            current: String::new(),
            names: Vec::new(),
        }));
        let Home::Solo(mut process) = std::mem::replace(&mut self.home, home) else {
            return Err(NO_PROCESS.into());
        };
        // The solo process's checkpoints: the network keeps its own from now on.
        for cp in self.undo.drain(..) {
            let _ = process.drop_checkpoint(cp);
        }
        self.last_diff.clear();
        // As the network does for a process the host spawns: no authority given, the
        // messenger's, so that aos trusts what other processes push to it.
        let trusted = process
            .evaluate(&format!(
                "if #ao.authorities == 0 then table.insert(ao.authorities, '{MESSENGER}') return true end return false"
            ))
            .map(|o| o.output == "true")
            .unwrap_or(false);
        let name = process
            .process_tags
            .iter()
            .find(|t| t.name == "Name")
            .map_or_else(|| "main".to_owned(), |t| t.value.clone());
        let Home::Net(h) = &mut self.home else {
            return Err(NO_PROCESS.into());
        };
        let id = h.net.adopt(*process).map_err(|e| format!("error: {e}"))?;
        h.net.set_interrupt(self.interrupt.clone());
        h.names.push((name.clone(), id.clone()));
        h.current = id.clone();
        let mut note = format!("the console runs a local network now; {id} is in it as {name}");
        if trusted {
            note.push_str(&format!(
                " (it had no Authority: it trusts the messenger {MESSENGER} now, as processes spawned in the network do)"
            ));
        }
        Ok(Some(note))
    }

    fn net(&mut self) -> Option<&mut NetHome> {
        match &mut self.home {
            Home::Net(h) => Some(h),
            Home::Solo(_) => None,
        }
    }

    /// `.spawn NAME [FILE.lua] [NAME=VALUE ...] [--eval LUA]`
    fn spawn(&mut self, rest: &str) -> Step {
        let (head, lua) = match rest.find("--eval") {
            Some(i) => (
                &rest[..i],
                Some(rest[i + "--eval".len()..].trim().to_owned()),
            ),
            None => (rest, None),
        };
        let words = match split_words(head) {
            Ok(w) => w,
            Err(e) => return Step::Print(format!("error: {e}")),
        };
        let mut words = words.into_iter();
        let name = words.next().unwrap_or_default();
        let mut tags = vec![Tag::new("Name", name.clone())];
        let mut file = None;
        for word in words {
            match word.split_once('=') {
                Some((k, v)) if !k.is_empty() => tags.push(Tag::new(k, v)),
                _ if file.is_none() => file = Some(word),
                _ => return Step::Print(format!("error: .spawn takes one file, not also {word}")),
            }
        }
        if name.is_empty() {
            return Step::Print(
                "usage: .spawn NAME [FILE.lua] [NAME=VALUE ...] [--eval LUA]".into(),
            );
        }
        if let Some(h) = self.net() {
            if h.find(&name).is_some() {
                return Step::Print(format!("error: a process is already called {name}"));
            }
        }
        if let Some(file) = file {
            // Spawned once the front end has read the file (`load_source`).
            self.spawn_then_load = Some((name, tags));
            return Step::Load(file);
        }
        let mut text = match self.spawn_process(&name, tags) {
            Ok(text) => text,
            Err(text) => return Step::Print(text),
        };
        if let Some(lua) = lua.filter(|l| !l.is_empty()) {
            let (_, out) = self.net_eval(&lua);
            if !out.is_empty() {
                push_line(&mut text, &out);
            }
        }
        Step::Print(text)
    }

    /// Spawns process `name` (starting the network if needed) and makes it current;
    /// returns what to say, or the error to say.
    fn spawn_process(&mut self, name: &str, tags: Vec<Tag>) -> Result<String, String> {
        let Some(owner) = self.current().map(|p| p.owner().to_owned()) else {
            return Err(NO_PROCESS.into());
        };
        let mut text = self.ensure_net()?.unwrap_or_default();
        self.before_input();
        let auto = self.auto;
        let Some(h) = self.net() else {
            return Err(NO_PROCESS.into());
        };
        let first = h.net.trace().len();
        let spawned = h.net.spawn(ProcessOptions {
            owner: Some(owner),
            tags,
            ..ProcessOptions::default()
        });
        let id = match spawned {
            Ok(id) => id,
            Err(e) => {
                push_line(&mut text, &format!("error: {e}"));
                return Err(text);
            }
        };
        if let Some(p) = h.net.process_mut(&id) {
            p.set_diff(true);
        }
        h.names.push((name.to_owned(), id.clone()));
        h.current = id.clone();
        let stopped = if auto { h.net.run().err() } else { None };
        push_line(
            &mut text,
            &format!("spawned {name} ({id}); it is the current process"),
        );
        // What its boot sent, and what that caused (the boot itself is not news).
        let entries: Vec<TraceEntry> = h.net.trace()[first..].iter().skip(1).cloned().collect();
        self.report_deliveries(&mut text, &entries, stopped);
        Ok(text)
    }

    fn list_processes(&mut self) -> String {
        let Some(h) = self.net() else {
            return match self.current() {
                Some(p) => format!("* {} (the only process; {NO_NETWORK})", p.id()),
                None => NO_PROCESS.into(),
            };
        };
        h.prune();
        let ids = h.net.processes().to_vec();
        let mut lines = Vec::new();
        for id in &ids {
            let mark = if *id == h.current { "*" } else { " " };
            let name = h.name_of(id);
            let inbox = match h.net.process_mut(id).map(|p| p.global_json("Inbox")) {
                Some(Ok(Json::Array(items))) => items.len(),
                _ => 0,
            };
            let mut line = if name == *id {
                format!("{mark} {id} Inbox:{inbox}")
            } else {
                format!("{mark} {name} {id} Inbox:{inbox}")
            };
            if let Some(parent) = h.net.parent(id) {
                line.push_str(&format!(" (spawned by {})", h.name_of(parent)));
            }
            if h.net.is_monitored(id) {
                line.push_str(" (monitored)");
            }
            lines.push(line);
        }
        let queued = h.net.pending().count();
        if queued > 0 {
            let s = if queued == 1 { "" } else { "s" };
            lines.push(format!("{queued} message{s} waiting (.queue lists them)"));
        }
        lines.join("\n")
    }

    fn use_process(&mut self, who: &str) -> String {
        let Some(h) = self.net() else {
            return NO_NETWORK.into();
        };
        match h.find(who) {
            Some(id) => {
                let name = h.name_of(&id);
                h.current = id.clone();
                if name == id {
                    format!("the current process is {id}")
                } else {
                    format!("the current process is {name} ({id})")
                }
            }
            None => format!("error: no process called {who} (.ps lists them)"),
        }
    }

    fn queue(&mut self) -> String {
        let Some(h) = self.net() else {
            return format!("nothing waits: {NO_NETWORK}");
        };
        let lines: Vec<String> = h
            .net
            .pending()
            .map(|p| {
                let what = p
                    .action()
                    .map_or_else(|| "(no Action)".to_owned(), str::to_owned);
                let kind = match p.kind {
                    Kind::Message => String::new(),
                    other => format!(" [{}]", kind_name(other)),
                };
                let held = if p.held { " (held)" } else { "" };
                format!(
                    "#{} {what} from {} to {}{kind}{held}",
                    p.seq,
                    h.name_of(p.from()),
                    h.name_of(&p.target)
                )
            })
            .collect();
        if lines.is_empty() {
            "nothing waits".into()
        } else {
            lines.join("\n")
        }
    }

    /// `.step [N]` (`Some(n)`) or `.run` (`None`).
    fn net_step(&mut self, n: Option<usize>) -> String {
        if self.net().is_none() {
            return format!("nothing waits: {NO_NETWORK}");
        }
        self.before_input();
        let Some(h) = self.net() else {
            return NO_PROCESS.into();
        };
        let first = h.net.trace().len();
        let stopped = match n {
            Some(n) => {
                let mut stopped = None;
                for _ in 0..n {
                    match h.net.step() {
                        Ok(Some(_)) => {}
                        Ok(None) => break,
                        Err(e) => {
                            stopped = Some(e);
                            break;
                        }
                    }
                }
                stopped
            }
            None => h.net.run().err(),
        };
        let entries: Vec<TraceEntry> = h.net.trace()[first..].to_vec();
        if entries.is_empty() && stopped.is_none() {
            self.drop_last_checkpoint();
            return "nothing waits".into();
        }
        let mut text = String::new();
        self.report_deliveries(&mut text, &entries, stopped);
        text
    }

    fn advance(&mut self, ms: i64) -> String {
        let mut text = match self.ensure_net() {
            Ok(note) => note.unwrap_or_default(),
            Err(e) => return e,
        };
        self.before_input();
        let auto = self.auto;
        let Some(h) = self.net() else {
            return NO_PROCESS.into();
        };
        let ticks = match h.net.advance(ms) {
            Ok(n) => n,
            Err(e) => {
                push_line(&mut text, &format!("error: {e}"));
                return text;
            }
        };
        let s = if ticks == 1 { "" } else { "s" };
        push_line(
            &mut text,
            &format!("the clock moved {ms} ms; {ticks} cron tick{s} queued"),
        );
        if auto {
            let first = h.net.trace().len();
            let stopped = h.net.run().err();
            let entries: Vec<TraceEntry> = h.net.trace()[first..].to_vec();
            self.report_deliveries(&mut text, &entries, stopped);
        }
        text
    }

    fn monitor(&mut self, on: bool, who: &str) -> String {
        let mut text = match self.ensure_net() {
            Ok(note) => note.unwrap_or_default(),
            Err(e) => return e,
        };
        self.before_input();
        let Some(h) = self.net() else {
            return NO_PROCESS.into();
        };
        let id = if who.is_empty() {
            h.current.clone()
        } else {
            match h.find(who) {
                Some(id) => id,
                None => return format!("error: no process called {who} (.ps lists them)"),
            }
        };
        let name = h.name_of(&id);
        let done = if on {
            h.net.monitor(&id)
        } else {
            h.net.unmonitor(&id)
        };
        push_line(
            &mut text,
            &match done {
                Ok(_) if on => format!("{name} is monitored: what its cron ticks send is pushed"),
                Ok(_) => {
                    format!("{name} is not monitored: what its cron ticks send stays in the outbox")
                }
                Err(e) => format!("error: {e}"),
            },
        );
        text
    }

    /// The message of an Eval of `source` in the current process, from its owner (for a
    /// child, pushed from its parent, as `Network::eval` sends it).
    fn eval_message(h: &NetHome, source: &str) -> Message {
        let mut msg = Message::default()
            .with_tag("Action", "Eval")
            .with_data(source);
        match h.net.parent(&h.current) {
            Some(parent) => {
                msg.from = Some(parent.to_owned());
                msg.owner = Some(MESSENGER.into());
                msg.tags.push(Tag::new("From-Process", parent.to_owned()));
            }
            None => {
                msg.from = h.net.process(&h.current).map(|p| p.owner().to_owned());
            }
        }
        msg
    }

    /// A Lua line in network mode: incomplete chunks continue, others run (see `net_eval`).
    fn net_line(&mut self, source: String) -> String {
        let compiled = match self.current() {
            Some(p) => p.precompile(&source),
            None => return NO_PROCESS.into(),
        };
        match compiled {
            Err(Error::Syntax(m)) if m.ends_with("<eof>") => {
                self.pending = source;
                String::new()
            }
            Err(e) => {
                self.pending.clear();
                error_text(&e)
            }
            Ok(()) => {
                self.pending.clear();
                self.net_eval(&source).1
            }
        }
    }

    /// Evaluates `source` in the current process through the network; returns whether it
    /// failed and what to print (its output, then the deliveries it caused).
    fn net_eval(&mut self, source: &str) -> (bool, String) {
        if let Some(Err(e)) = self.current().map(|p| p.precompile(source)) {
            return (true, error_text(&e));
        }
        self.before_input();
        let Some(h) = self.net() else {
            return (true, NO_PROCESS.into());
        };
        let msg = Console::eval_message(h, source);
        let target = h.current.clone();
        let (input, others, stopped) = match self.net_input(&target, msg) {
            Ok(r) => r,
            Err(e) => return (true, error_text(&e)),
        };
        let (failed, mut text) = match &input.outcome {
            Some(o) => {
                let text = match &o.error {
                    None => o.output_text().to_owned(),
                    Some(e) => format!("error: {}", crate::ao::process::eval_error_text(e)),
                };
                (o.error.is_some(), text)
            }
            None => (true, entry_error(&input)),
        };
        let unhandled = !failed
            && self.current().and_then(|p| p.inbox_last_id()).as_deref() == Some(input.id.as_str());
        if unhandled {
            push_line(&mut text, UNHANDLED_EVAL);
        }
        self.report_deliveries(&mut text, &others, stopped);
        (failed, text)
    }

    /// `.send` and `.dryrun` in network mode.
    fn net_send(&mut self, send: bool, words: SendWords) -> String {
        let Some(h) = self.net() else {
            return NO_PROCESS.into();
        };
        let target = match &words.to {
            Some(who) => match h.find(who) {
                Some(id) => id,
                None => return format!("error: no process called {who} (.ps lists them)"),
            },
            None => h.current.clone(),
        };
        let mut msg = words.msg;
        // From a process of the network: as the messenger pushes that process's message.
        if let Some(sender) = msg.from.clone().and_then(|f| h.find(&f)) {
            msg.from = Some(sender.clone());
            msg.owner = Some(MESSENGER.into());
            msg.tags.push(Tag::new("From-Process", sender));
        }
        if !send {
            return match h.net.dry_run(&target, msg) {
                Ok(o) => describe(&o),
                Err(e) => error_text(&e),
            };
        }
        if words.queue {
            self.before_input();
            let Some(h) = self.net() else {
                return NO_PROCESS.into();
            };
            return match h.net.send(&target, msg) {
                Ok(id) => {
                    let seq = h.net.pending().find(|p| p.id() == id).map_or(0, |p| p.seq);
                    format!(
                        "queued #{seq} for {}; .step or .run delivers it",
                        h.name_of(&target)
                    )
                }
                Err(e) => format!("error: {e}"),
            };
        }
        self.before_input();
        let (input, others, stopped) = match self.net_input(&target, msg) {
            Ok(r) => r,
            Err(e) => return error_text(&e),
        };
        let mut text = match &input.outcome {
            Some(o) => describe(o),
            None => entry_error(&input),
        };
        self.report_deliveries(&mut text, &others, stopped);
        text
    }

    /// Delivers an input to `target` at once, ahead of what waits; in `.deliver auto`,
    /// then delivers until nothing waits. Returns the input's delivery, the others, and
    /// the error that stopped the run (a budget exceeded).
    fn net_input(
        &mut self,
        target: &str,
        msg: Message,
    ) -> Result<(TraceEntry, Vec<TraceEntry>, Option<Error>), Error> {
        let auto = self.auto;
        let Some(h) = self.net() else {
            return Err(Error::BadState("no network".into()));
        };
        let id = h.net.send(target, msg)?;
        let seq = h.net.pending().find(|p| p.id() == id).map(|p| p.seq);
        if let Some(seq) = seq {
            h.net.reorder(&[seq])?;
        }
        let first = h.net.trace().len();
        h.net.step()?;
        // An input the interrupt stopped stops there.
        let interrupted = h.net.trace().last().is_some_and(|e| {
            e.outcome.is_none()
                && e.error
                    .as_deref()
                    .is_some_and(|m| m.starts_with(Error::Interrupted.code()))
        });
        let stopped = if auto && !interrupted {
            h.net.run().err()
        } else {
            None
        };
        let mut entries: Vec<TraceEntry> = h.net.trace()[first..].to_vec();
        if entries.is_empty() {
            return Err(Error::BadState(format!("message {id} was not delivered")));
        }
        let input = entries.remove(0);
        if input.target == h.current {
            if let Some(d) = input.outcome.as_ref().and_then(|o| o.diff.as_ref()) {
                self.last_diff.extend(d.iter().cloned());
            }
        }
        Ok((input, entries, stopped))
    }

    /// Appends one line (and the outcome's lines, indented) per delivery, then the error
    /// that stopped delivering, and notes what changed in the current process.
    fn report_deliveries(
        &mut self,
        text: &mut String,
        entries: &[TraceEntry],
        stopped: Option<Error>,
    ) {
        let Some(h) = self.net() else {
            return;
        };
        let current = h.current.clone();
        let mut lines = Vec::new();
        let mut diffs = Vec::new();
        for e in entries {
            let to = h.name_of(&e.target);
            let from = h.name_of(&e.from);
            let what = e.action.clone().unwrap_or_else(|| "(no Action)".into());
            lines.push(match e.kind {
                Kind::Spawn => format!("-> {to}: spawned by {from}"),
                Kind::Cron => format!("-> {to}: cron tick {what}"),
                Kind::Assignment => format!("-> {to}: assigned {what} from {from}"),
                Kind::Message => format!("-> {to}: {what} from {from}"),
            });
            let body = match &e.outcome {
                Some(o) => describe(o),
                None => entry_error(e),
            };
            lines.extend(
                body.lines()
                    .filter(|l| !l.is_empty())
                    .map(|l| format!("   {l}")),
            );
            if e.target == current {
                if let Some(d) = e.outcome.as_ref().and_then(|o| o.diff.as_ref()) {
                    diffs.extend(d.iter().cloned());
                }
            }
        }
        match stopped {
            Some(Error::Interrupted) => lines.push(
                "interrupted: delivering was stopped; the messages delivered so far stay \
                 delivered (.rollback undoes the whole input)"
                    .into(),
            ),
            Some(e) => lines.push(error_text(&e)),
            None => {}
        }
        self.last_diff.extend(diffs);
        for line in lines {
            push_line(text, &line);
        }
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Message => "message",
        Kind::Spawn => "spawn",
        Kind::Assignment => "assignment",
        Kind::Cron => "cron",
    }
}

/// The error of a delivery the engine stopped (no outcome), as the console says it.
fn entry_error(e: &TraceEntry) -> String {
    let error = e.error.clone().unwrap_or_default();
    if error.starts_with(Error::Interrupted.code()) {
        return error_text(&Error::Interrupted);
    }
    format!("error: {error}")
}

/// What a command that needs a process says when there is none (a network never loses
/// its first process, so this is not expected).
const NO_PROCESS: &str = "error: no current process";

/// What network commands say before `.spawn` started a network.
const NO_NETWORK: &str = "no network yet: .spawn NAME starts one";

const UNHANDLED_EVAL: &str = "(no handler took this Eval: aos runs Eval only from the process's \
     Owner, so it went to the Inbox)";

fn push_line(text: &mut String, line: &str) {
    if !text.is_empty() {
        text.push('\n');
    }
    text.push_str(line);
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
