//! A process: one Lua state running the aos-style runtime, its identity and clock, and the
//! calls users make on it (`eval`, `send`).

use piccolo::{Context, StashedFunction, Table, Value};
use serde::Serialize;
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use super::message::{json_type, parse_tags, Message, Tag};
use super::outcome::Outcome;
use super::runtime;
use crate::error::Error;
use crate::state::diagnose::{Dispatched, Pass};
use crate::state::history::{Delivery, History};
use crate::stdlib;
use crate::vm::{convert, Completion, Limits, Vm};

/// Process id used when none is given (43 characters, like an Arweave id).
pub const DEFAULT_PROCESS_ID: &str = "aoLiteProcess000000000000000000000000000000";
/// Owner address used when none is given.
pub const DEFAULT_OWNER: &str = "aoLiteOwner00000000000000000000000000000000";
/// Module id used when none is given.
pub const DEFAULT_MODULE: &str = "aoLiteModule0000000000000000000000000000000";
/// The process clock's start (ms since the epoch) when none is given: 2024-01-01T00:00:00Z.
pub const DEFAULT_TIMESTAMP: i64 = 1_704_067_200_000;
/// How far the clock moves (ms) for a message that brings no `Timestamp`: time passes from
/// one message to the next, as on the network, but deterministically.
pub const DEFAULT_CLOCK_STEP: i64 = 1;

/// How to spawn a process. Every field has a deterministic default.
#[derive(Debug, Clone, Default)]
pub struct ProcessOptions {
    pub id: Option<String>,
    pub owner: Option<String>,
    pub module: Option<String>,
    /// Tags of the process (spawn) message, e.g. `Name`, `Authority`.
    pub tags: Vec<Tag>,
    /// Tags of the module (`env.Module.Tags`), e.g. `Memory-Limit`.
    pub module_tags: Vec<Tag>,
    pub authorities: Vec<String>,
    /// Start of the process clock (ms since the epoch).
    pub timestamp: Option<i64>,
    /// Milliseconds the clock advances for each message without a `Timestamp` (default
    /// [`DEFAULT_CLOCK_STEP`]; 0 keeps the clock still).
    pub clock_step: Option<i64>,
    pub block_height: Option<i64>,
    /// Data of the process message (evaluated at spawn when a tag `On-Boot` = `Data`).
    pub data: Option<String>,
    /// Whether `new` handles the process message itself (default). Without it the
    /// caller sends the process message with [`Process::handle_raw`].
    pub no_spawn: bool,
    /// Whether outcomes list what each message changed (`Diff`).
    pub diff: bool,
    /// Whether messages are not recorded in the message log.
    pub no_log: bool,
    /// When a message is re-run for Lua's exact errors (see `crate::state::diagnose`).
    pub diagnostics: Diagnostics,
    pub limits: Limits,
}

/// When a message is re-run in diagnostic mode (`crate::state::diagnose`), which gives Lua's
/// exact error and the frames of `ErrorInfo.traceback` for a failure, and Lua's texts for the
/// errors a message caught and the tracebacks it took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Diagnostics {
    /// Never: errors and tracebacks as the first run gives them.
    Off,
    /// When an error lacks detail (a call error, `error(msg, 2)`), caught or not, or a
    /// message that succeeds took a traceback: the default.
    #[default]
    Auto,
    /// As `Auto`, and after every failure, so every `ErrorInfo` has its traceback.
    Always,
}

impl Diagnostics {
    /// From its name in options (`"off"`, `"auto"`, `"always"`).
    pub fn parse(name: &str) -> Result<Diagnostics, Error> {
        match name {
            "off" => Ok(Diagnostics::Off),
            "auto" => Ok(Diagnostics::Auto),
            "always" => Ok(Diagnostics::Always),
            other => Err(Error::BadOptions(format!(
                "'diagnostics' must be \"off\", \"auto\" or \"always\", got {other:?}"
            ))),
        }
    }
}

impl ProcessOptions {
    /// Reads options from JSON: `{id, owner, module, tags, authorities, timestamp,
    /// clockStep, blockHeight, limits: {fuel, memory}}`.
    pub fn from_json(json: &Json) -> Result<ProcessOptions, Error> {
        let bad = |m: String| Error::BadOptions(m);
        let obj = match json {
            Json::Null => return Ok(ProcessOptions::default()),
            Json::Object(o) => o,
            other => {
                return Err(bad(format!(
                    "options must be an object, got {}",
                    json_type(other)
                )))
            }
        };
        let text = |key: &str| -> Result<Option<String>, Error> {
            match obj.get(key) {
                None | Some(Json::Null) => Ok(None),
                Some(Json::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
                Some(other) => Err(bad(format!(
                    "'{key}' must be a non-empty string, got {}",
                    json_type(other)
                ))),
            }
        };
        let int = |key: &str, v: Option<&Json>| -> Result<Option<i64>, Error> {
            match v {
                None | Some(Json::Null) => Ok(None),
                Some(Json::Number(n)) => n
                    .as_i64()
                    .filter(|v| *v >= 0)
                    .map(Some)
                    .ok_or_else(|| bad(format!("'{key}' must be a non-negative integer"))),
                Some(other) => Err(bad(format!(
                    "'{key}' must be a non-negative integer, got {}",
                    json_type(other)
                ))),
            }
        };
        let mut limits = Limits::default();
        match obj.get("limits") {
            None | Some(Json::Null) => {}
            Some(Json::Object(l)) => {
                if let Some(f) = int("limits.fuel", l.get("fuel"))? {
                    limits.fuel = f as u64;
                }
                if let Some(m) = int("limits.memory", l.get("memory"))? {
                    limits.memory = usize::try_from(m).unwrap_or(usize::MAX);
                }
            }
            Some(other) => {
                return Err(bad(format!(
                    "'limits' must be an object, got {}",
                    json_type(other)
                )))
            }
        }
        let authorities = match obj.get("authorities") {
            None | Some(Json::Null) => Vec::new(),
            Some(Json::Array(items)) => items
                .iter()
                .map(|a| {
                    a.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| bad("'authorities' must be an array of strings".into()))
                })
                .collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(bad(format!(
                    "'authorities' must be an array of strings, got {}",
                    json_type(other)
                )))
            }
        };
        Ok(ProcessOptions {
            id: text("id")?,
            owner: text("owner")?,
            module: text("module")?,
            tags: parse_tags(obj.get("tags").unwrap_or(&Json::Null))
                .map_err(|e| bad(e.to_string()))?,
            module_tags: parse_tags(obj.get("moduleTags").unwrap_or(&Json::Null))
                .map_err(|e| bad(e.to_string()))?,
            authorities,
            timestamp: int("timestamp", obj.get("timestamp"))?,
            clock_step: int("clockStep", obj.get("clockStep"))?,
            block_height: int("blockHeight", obj.get("blockHeight"))?,
            // Any text, the empty one included (a Data, not a name).
            data: match obj.get("data") {
                None | Some(Json::Null) => None,
                Some(Json::String(s)) => Some(s.clone()),
                Some(other) => {
                    return Err(bad(format!(
                        "'data' must be a string, got {}",
                        json_type(other)
                    )))
                }
            },
            no_spawn: matches!(obj.get("spawn"), Some(Json::Bool(false))),
            diff: matches!(obj.get("diff"), Some(Json::Bool(true))),
            no_log: matches!(obj.get("log"), Some(Json::Bool(false))),
            diagnostics: match obj.get("diagnostics") {
                None | Some(Json::Null) => Diagnostics::Auto,
                Some(Json::String(s)) => Diagnostics::parse(s)?,
                Some(other) => {
                    return Err(bad(format!(
                        "'diagnostics' must be a string, got {}",
                        json_type(other)
                    )))
                }
            },
            limits,
        })
    }
}

impl ProcessOptions {
    /// The options as JSON, in the form [`ProcessOptions::from_json`] reads back to equal
    /// options (for the network's log).
    pub fn to_json(&self) -> Json {
        let mut o = serde_json::Map::new();
        let mut text = |key: &str, v: &Option<String>| {
            if let Some(v) = v {
                o.insert(key.into(), Json::String(v.clone()));
            }
        };
        text("id", &self.id);
        text("owner", &self.owner);
        text("module", &self.module);
        text("data", &self.data);
        let tags = |tags: &[Tag]| {
            Json::Array(
                tags.iter()
                    .map(|t| serde_json::json!({ "name": t.name, "value": t.value }))
                    .collect(),
            )
        };
        o.insert("tags".into(), tags(&self.tags));
        o.insert("moduleTags".into(), tags(&self.module_tags));
        o.insert("authorities".into(), serde_json::json!(self.authorities));
        if let Some(t) = self.timestamp {
            o.insert("timestamp".into(), t.into());
        }
        if let Some(h) = self.block_height {
            o.insert("blockHeight".into(), h.into());
        }
        o.insert("spawn".into(), Json::Bool(!self.no_spawn));
        o.insert("diff".into(), Json::Bool(self.diff));
        o.insert("log".into(), Json::Bool(!self.no_log));
        let diagnostics = match self.diagnostics {
            Diagnostics::Off => "off",
            Diagnostics::Auto => "auto",
            Diagnostics::Always => "always",
        };
        o.insert("diagnostics".into(), diagnostics.into());
        o.insert(
            "limits".into(),
            serde_json::json!({ "fuel": self.limits.fuel, "memory": self.limits.memory as u64 }),
        );
        Json::Object(o)
    }
}

/// What an `eval` printed and returned.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalOutput {
    /// Printed text, followed by the returned value as aos shows it.
    pub output: String,
}

/// What [`Process::schedule`] saves before a message.
#[derive(Clone, Copy)]
struct Schedule {
    nonce: i64,
    clock: i64,
    block_height: i64,
    time_ms: i64,
    fuel_before_slice: u64,
}

/// A running AO process.
pub struct Process {
    pub(crate) vm: Vm,
    pub(crate) id: String,
    pub(crate) owner: String,
    pub(crate) module: String,
    pub(crate) process_tags: Vec<Tag>,
    pub(crate) module_tags: Vec<Tag>,
    pub(crate) clock: i64,
    /// What the clock advances for a message without a `Timestamp`.
    pub(crate) clock_step: i64,
    pub(crate) block_height: i64,
    pub(crate) nonce: i64,
    pub(crate) handle: StashedFunction,
    pub(crate) history: History,
    /// When a message is re-run in diagnostic mode for Lua's exact errors (see
    /// `crate::state::diagnose`).
    pub(crate) diagnose: Diagnostics,
}

impl Process {
    /// Spawns a process: a fresh Lua state with the stdlib and the aos runtime, which then
    /// handles its own Process message (as on the network: it sets `Owner`, runs `On-Boot`).
    pub fn new(options: ProcessOptions) -> Result<Process, Error> {
        let origin = crate::state::history::Origin::Spawn(Box::new(options.clone()));
        let mut vm = Vm::new(options.limits)?;
        stdlib::install(&mut vm);
        runtime::install_natives(&mut vm)?;
        let handle = runtime::install(&mut vm)?;
        let id = options.id.unwrap_or_else(|| DEFAULT_PROCESS_ID.into());
        let owner = options.owner.unwrap_or_else(|| DEFAULT_OWNER.into());
        let module = options.module.unwrap_or_else(|| DEFAULT_MODULE.into());
        let mut process_tags = vec![
            Tag::new("Data-Protocol", "ao"),
            Tag::new("Variant", "ao.TN.1"),
            Tag::new("Type", "Process"),
            Tag::new("Module", module.clone()),
        ];
        process_tags.extend(
            options
                .authorities
                .iter()
                .map(|a| Tag::new("Authority", a.clone())),
        );
        process_tags.extend(options.tags.iter().cloned());
        let mut process = Process {
            vm,
            id: id.clone(),
            owner: owner.clone(),
            module,
            process_tags: process_tags.clone(),
            module_tags: options.module_tags.clone(),
            clock: options.timestamp.unwrap_or(DEFAULT_TIMESTAMP),
            clock_step: options.clock_step.unwrap_or(DEFAULT_CLOCK_STEP),
            block_height: options.block_height.unwrap_or(0),
            nonce: -1,
            handle,
            history: History::new(!options.no_log, options.diff),
            diagnose: options.diagnostics,
        };
        if options.no_spawn {
            process.history.origin = Some(origin);
            return Ok(process);
        }
        // The process message is the clock's start.
        let spawn = Message {
            id: Some(id),
            from: Some(owner.clone()),
            owner: Some(owner),
            tags: process_tags,
            data: options.data,
            timestamp: Some(process.clock),
            ..Message::default()
        };
        let outcome = process.send(spawn)?;
        if let Some(e) = outcome.error {
            return Err(Error::Lua(e));
        }
        // The log holds what happens after the spawn (a replay starts from a spawn).
        process.history.clear_log();
        process.history.origin = Some(origin);
        Ok(process)
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    pub fn module(&self) -> &str {
        &self.module
    }

    /// The process clock (ms since the epoch): the latest message timestamp.
    pub fn clock(&self) -> i64 {
        self.clock
    }

    /// Milliseconds the clock advances for each message that brings no `Timestamp`.
    pub fn clock_step(&self) -> i64 {
        self.clock_step
    }

    /// Evaluates Lua source as the owner, through aos's `Eval` handler: first as an
    /// expression (`return <source>`), else as a chunk. Returns what it printed and
    /// returned; a Lua error is an `Err`.
    ///
    /// An Eval message no handler takes (aos's Eval handler runs code only from the
    /// process's `Owner`: after `Owner = ""`, for instance) goes to the Inbox as any
    /// unhandled message; `eval` then undoes it and returns [`Error::NotHandled`]
    /// ([`Process::evaluate`] runs code whatever the handlers do).
    pub fn eval(&mut self, source: &str) -> Result<EvalOutput, Error> {
        let id = self.next_message_id();
        let mark = self.scratch_checkpoint();
        let outcome = match self.eval_outcome(source) {
            Ok(o) => o,
            Err(e) => {
                self.drop_scratch_checkpoint(mark);
                return Err(e);
            }
        };
        if outcome.error.is_none() && self.inbox_last_id().as_deref() == Some(id.as_str()) {
            let owner = match self.global_json("Owner") {
                Ok(Json::String(o)) => format!("{o:?}"),
                Ok(Json::Null) | Err(_) => "nil".to_owned(),
                Ok(other) => other.to_string(),
            };
            let rolled_back = self.rollback(mark);
            self.drop_scratch_checkpoint(mark);
            rolled_back?;
            return Err(Error::NotHandled(format!(
                "no handler took the Eval message, so it went to the Inbox (aos's Eval \
                 handler runs code only from the process's Owner, which is {owner}; the \
                 message came from {}). Nothing was kept; evaluate() runs code in the \
                 process as the host, whatever its handlers do",
                self.owner
            )));
        }
        self.drop_scratch_checkpoint(mark);
        if let Some(e) = outcome.error {
            return Err(Error::Lua(eval_error_text(&e)));
        }
        Ok(EvalOutput {
            output: outcome.output_text().to_owned(),
        })
    }

    /// The `Id` a message sent now without an `Id` gets.
    pub fn next_message_id(&self) -> String {
        derive_id(&self.id, self.nonce + 1)
    }

    /// The `Id` of the newest message in the Inbox.
    pub fn inbox_last_id(&mut self) -> Option<String> {
        self.vm.enter(|ctx| {
            let Value::Table(inbox) = ctx.globals().get(ctx, "Inbox") else {
                return None;
            };
            let Value::Table(last) = inbox.get(ctx, inbox.length()) else {
                return None;
            };
            match last.get(ctx, "Id") {
                Value::String(s) => Some(s.to_str_lossy().into_owned()),
                _ => None,
            }
        })
    }

    /// Runs Lua source in the process as the host, not as a message: no handler is
    /// involved (so it works whatever the process's Eval handler does), no message is
    /// counted and the clock does not move. Like aos's Eval, the source is tried as an
    /// expression first, and what it prints and returns is the output. Atomic: an error
    /// leaves the state as it was. Logged (as `evaluate`), so a replay repeats it.
    pub fn evaluate(&mut self, source: &str) -> Result<EvalOutput, Error> {
        let outcome = self.evaluate_outcome(source)?;
        Ok(EvalOutput {
            output: outcome.output_text().to_owned(),
        })
    }

    /// [`Process::evaluate`] as an outcome (`Output.data` is its output), as logged.
    pub(crate) fn evaluate_outcome(&mut self, source: &str) -> Result<Outcome, Error> {
        self.precompile(source)?;
        let wrapper = self
            .vm
            .load("=(aolite evaluate)", HOST_EVALUATE.as_bytes())?;
        let fuel_clock = self.vm.host().borrow().fuel_before_slice;
        let result = self.run_passes(
            |p, pass| p.evaluate_pass(&wrapper, source, fuel_clock, pass),
            |copy| copy.evaluate_outcome(source),
        );
        self.restore_coroutines_if_undone(false, &result);
        if let Ok(o) = &result {
            if self.history.logging {
                // Logged as the JSON text of the source string (see `replay`).
                let text = Json::String(source.to_owned()).to_string();
                self.log_message(Delivery::Evaluate, &text, None, o);
            }
        }
        self.after_commit();
        result
    }

    /// One run of [`Process::evaluate_outcome`] (see [`Pass`]).
    fn evaluate_pass(
        &mut self,
        wrapper: &StashedFunction,
        source: &str,
        fuel_clock: u64,
        pass: Pass,
    ) -> Dispatched {
        let keep = self.history.keeps_writes();
        let running = pass.begin(&mut self.vm);
        let savepoint = self.vm.begin();
        let result = self.vm.call(
            wrapper,
            |ctx| vec![Value::String(ctx.intern(source.as_bytes()))],
            |_, values| match values.first() {
                Some(Value::String(s)) => s.to_str_lossy().into_owned(),
                _ => String::new(),
            },
        );
        let result = match result {
            Ok(Completion::Returned(output)) => Ok(Outcome {
                output: serde_json::json!({ "data": output }),
                messages: Vec::new(),
                spawns: Vec::new(),
                assignments: Vec::new(),
                error: None,
                error_value: None,
                error_info: None,
                handlers: None,
                gas_used: self.vm.fuel_used(),
                diff: None,
            }),
            Ok(Completion::Yielded(_)) => Err(Error::Lua(
                "evaluate: the code waited for a message (Receive works inside handlers)".into(),
            )),
            Err(e) => Err(e),
        };
        if let Some(caught) = running.end(&mut self.vm, result.as_ref().ok()) {
            self.vm.rollback(savepoint);
            self.vm.host().borrow_mut().fuel_before_slice = fuel_clock;
            return Dispatched::Redo(result, caught);
        }
        match &result {
            Ok(_) => {
                self.vm.commit(keep);
            }
            Err(_) => {
                self.vm.rollback(savepoint);
                self.vm.host().borrow_mut().fuel_before_slice = fuel_clock;
            }
        }
        Dispatched::Done(result)
    }

    /// Checks that `source` compiles as an expression or a chunk (as aos's Eval tries it),
    /// so callers get SYNTAX_ERROR / SOURCE_REJECTED for source that cannot run at all.
    pub(crate) fn precompile(&self, source: &str) -> Result<(), Error> {
        let limits = self.vm.limits().source;
        let name = "[string \"aos\"]";
        if let Err(e) =
            crate::vm::compile::compile(name, format!("return {source}").as_bytes(), &limits)
        {
            if let Err(e2) = crate::vm::compile::compile(name, source.as_bytes(), &limits) {
                return Err(match (e, e2) {
                    (Error::SourceRejected(m), _) | (_, Error::SourceRejected(m)) => {
                        Error::SourceRejected(m)
                    }
                    (_, e2) => e2,
                });
            }
        }
        Ok(())
    }

    /// Sets (or clears) the check that can stop a running message between execution
    /// slices (a console's Ctrl-C): the message then fails with [`Error::Interrupted`] and
    /// leaves the process as it was.
    pub fn set_interrupt(&mut self, interrupt: Option<crate::vm::Interrupt>) {
        self.vm.set_interrupt(interrupt);
    }

    /// [`Process::eval`], returning the whole outcome of the Eval message (its messages
    /// included); only source that cannot compile is an `Err`.
    pub fn eval_outcome(&mut self, source: &str) -> Result<Outcome, Error> {
        // Compile first, so callers get SYNTAX_ERROR / SOURCE_REJECTED rather than a
        // generic Lua error for source that cannot run at all.
        self.precompile(source)?;
        let msg = Message {
            tags: vec![Tag::new("Action", "Eval")],
            data: Some(source.to_owned()),
            ..Message::default()
        };
        self.send(msg)
    }

    /// Sends a message given as JSON (see [`Message::from_json`]).
    pub fn send_json(&mut self, json: &Json) -> Result<Outcome, Error> {
        let msg = Message::from_json(json)?;
        self.send(msg)
    }

    /// Handles one message and returns its outcome. A Lua error is reported in
    /// `Outcome::error`, as aos does; running out of fuel or memory is an `Err`.
    pub fn send(&mut self, msg: Message) -> Result<Outcome, Error> {
        self.send_ref(&msg)
    }

    /// [`Process::send`] of a message the caller keeps (the network keeps each delivered
    /// message for its trace): nothing is copied unless a failure is diagnosed.
    pub(crate) fn send_ref(&mut self, msg: &Message) -> Result<Outcome, Error> {
        let nonce = msg.nonce.unwrap_or(self.nonce + 1);
        let timestamp = msg
            .timestamp
            .unwrap_or_else(|| self.clock.saturating_add(self.clock_step));
        let block_height = msg.block_height.unwrap_or(self.block_height);
        let id = msg.id.clone().unwrap_or_else(|| derive_id(&self.id, nonce));
        let from = msg.from.clone().unwrap_or_else(|| self.owner.clone());
        let owner = msg.owner.clone().unwrap_or_else(|| from.clone());
        let target = msg.target.clone().unwrap_or_else(|| self.id.clone());
        let logged = (!msg.read_only && self.history.logging).then(|| msg.to_json_text());
        let schedule = self.schedule();
        let fields = MessageFields {
            id: &id,
            from: &from,
            owner: &owner,
            target: &target,
            timestamp,
            block_height,
            nonce,
        };
        let result = self.run_passes(
            |p, pass| p.send_pass(msg, &fields, schedule, pass),
            |copy| copy.send_ref(msg),
        );
        self.restore_coroutines_if_undone(msg.read_only, &result);
        if let (Some(m), Ok(o)) = (logged, &result) {
            self.log_message(Delivery::Send, &m, None, o);
        }
        self.after_commit();
        result
    }

    /// One run of [`Process::send`] (see [`Pass`]).
    fn send_pass(
        &mut self,
        msg: &Message,
        fields: &MessageFields<'_>,
        schedule: Schedule,
        pass: Pass,
    ) -> Dispatched {
        self.nonce = fields.nonce;
        self.clock = fields.timestamp;
        self.block_height = fields.block_height;
        let env = Env {
            process_id: &self.id,
            owner: &self.owner,
            process_tags: &self.process_tags,
            module_tags: &self.module_tags,
            module: &self.module,
        };
        let (handle, vm) = (&self.handle, &mut self.vm);
        let keep = (self.history.keeps_writes(), self.history.diffs);
        let run = dispatch(
            vm,
            handle,
            msg.read_only,
            keep,
            fields.timestamp,
            pass,
            |ctx| {
                vec![
                    Value::Table(build_message(ctx, msg, fields)),
                    Value::Table(build_env(ctx, &env)),
                ]
            },
        );
        let result = match run {
            Dispatched::Done(result) => result,
            Dispatched::Redo(..) => {
                self.restore_schedule(schedule);
                return run;
            }
        };
        self.keep_schedule_if_committed(schedule, msg.read_only, &result);
        Dispatched::Done(match result {
            // `handle` itself failed (outside the handlers' pcall), or the program called
            // `os.exit` (aos's `handle` throws then): report it as the error.
            Err(e @ (Error::Lua(_) | Error::Exit(_))) => Ok(Outcome {
                output: Json::Null,
                messages: Vec::new(),
                spawns: Vec::new(),
                assignments: Vec::new(),
                error: Some(e.to_string()),
                error_value: None,
                error_info: None,
                handlers: Some(self.vm.enter(|ctx| runtime::take_handlers(ctx, true))),
                gas_used: self.vm.fuel_used(),
                diff: None,
            }),
            other => other,
        })
    }

    /// Evaluates a message without keeping anything it changes (aos's dry-run, a
    /// `Read-Only` message): for reading state through handlers.
    pub fn dry_run(&mut self, mut msg: Message) -> Result<Outcome, Error> {
        msg.read_only = true;
        self.send(msg)
    }

    /// [`Process::dry_run`] for a message given as JSON.
    pub fn dry_run_json(&mut self, json: &Json) -> Result<Outcome, Error> {
        let msg = Message::from_json(json)?;
        self.dry_run(msg)
    }

    /// Hands `msg` and `env` to the runtime exactly as given, as a compute unit (or
    /// ao-loader's `handle`) does: no defaults are filled in. A failure of `handle` itself
    /// (for example invalid JSON `Data` with `Content-Type: application/json`) is an `Err`.
    pub fn handle_raw(&mut self, msg: &Json, env: &Json) -> Result<Outcome, Error> {
        let obj = msg.as_object().ok_or_else(|| {
            Error::BadMessage(format!(
                "a message must be a JSON object, got {}",
                json_type(msg)
            ))
        })?;
        parse_tags(obj.get("Tags").unwrap_or(&Json::Null))?;
        if !env.is_object() {
            return Err(Error::BadMessage(format!(
                "env must be a JSON object, got {}",
                json_type(env)
            )));
        }
        let schedule = self.schedule();
        let read_only = matches!(obj.get("Read-Only"), Some(Json::Bool(true)))
            || matches!(obj.get("Read-Only"), Some(Json::String(s)) if s == "true");
        let result = self.run_passes(
            |p, pass| p.handle_pass(msg, env, read_only, schedule, pass),
            |copy| copy.handle_raw(msg, env),
        );
        self.restore_coroutines_if_undone(read_only, &result);
        if let (false, Ok(o)) = (read_only, &result) {
            self.log_message(Delivery::Handle, &msg.to_string(), Some(env), o);
        }
        self.after_commit();
        result
    }

    /// One run of [`Process::handle_raw`] (see [`Pass`]).
    fn handle_pass(
        &mut self,
        msg: &Json,
        env: &Json,
        read_only: bool,
        schedule: Schedule,
        pass: Pass,
    ) -> Dispatched {
        let number = |key: &str| match msg.get(key) {
            Some(Json::Number(n)) => n.as_i64(),
            Some(Json::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        if let Some(t) = number("Timestamp") {
            self.clock = t;
        }
        if let Some(h) = number("Block-Height") {
            self.block_height = h;
        }
        if let Some(n) = number("Nonce") {
            self.nonce = n;
        }
        let (handle, vm, clock) = (&self.handle, &mut self.vm, self.clock);
        let keep = (self.history.keeps_writes(), self.history.diffs);
        let run = dispatch(vm, handle, read_only, keep, clock, pass, |ctx| {
            vec![convert::from_json(ctx, msg), convert::from_json(ctx, env)]
        });
        match &run {
            Dispatched::Done(result) => {
                self.keep_schedule_if_committed(schedule, read_only, result)
            }
            Dispatched::Redo(..) => self.restore_schedule(schedule),
        }
        run
    }

    /// The process's position in its schedule (nonce, clock, block height) and the host's
    /// clocks (the time `os.time` reads, the fuel clock): all part of the state, so a message
    /// that leaves no trace restores them.
    fn schedule(&self) -> Schedule {
        let host = self.vm.host();
        let host = host.borrow();
        Schedule {
            nonce: self.nonce,
            clock: self.clock,
            block_height: self.block_height,
            time_ms: host.time_ms,
            fuel_before_slice: host.fuel_before_slice,
        }
    }

    fn keep_schedule_if_committed(
        &mut self,
        before: Schedule,
        read_only: bool,
        result: &Result<Outcome, Error>,
    ) {
        let committed = !read_only && matches!(result, Ok(o) if o.error.is_none());
        if !committed {
            self.restore_schedule(before);
        }
    }

    /// Puts the schedule back as it was before a message that left no trace.
    fn restore_schedule(&mut self, before: Schedule) {
        (self.nonce, self.clock, self.block_height) =
            (before.nonce, before.clock, before.block_height);
        let host = self.vm.host();
        let mut host = host.borrow_mut();
        host.time_ms = before.time_ms;
        host.fuel_before_slice = before.fuel_before_slice;
    }

    /// A canonical text of all state reachable from the globals (see
    /// [`crate::vm::fingerprint`]): equal fingerprints mean equal data.
    pub fn fingerprint(&mut self) -> String {
        self.vm
            .enter(|ctx| crate::vm::fingerprint::fingerprint(ctx, ctx.globals()))
    }

    /// The JSON view of a global variable (`null` when unset).
    pub fn global_json(&mut self, name: &str) -> Result<Json, Error> {
        self.vm
            .enter(|ctx| convert::to_json(ctx, ctx.globals().get(ctx, ctx.intern(name.as_bytes()))))
    }
}

/// Runs the runtime's `handle` with the arguments `args` builds and reads its result,
/// atomically: a message that fails (an `Error` result, or any error out of `handle`) or
/// that is read-only (a dry-run) leaves the state exactly as it was, as on a compute unit.
/// `(keep, diff)`: whether the writes join the history (for checkpoints) and whether the
/// outcome lists them as a diff. `pass` says whether the run may be given back for another
/// (see `crate::state::diagnose`): it is then rolled back, whatever its result.
#[allow(clippy::too_many_arguments)]
fn dispatch<A>(
    vm: &mut Vm,
    handle: &StashedFunction,
    read_only: bool,
    (keep, diff): (bool, bool),
    timestamp: i64,
    pass: Pass,
    args: A,
) -> Dispatched
where
    A: for<'gc> FnOnce(Context<'gc>) -> Vec<Value<'gc>>,
{
    vm.host().borrow_mut().time_ms = timestamp;
    let running = pass.begin(vm);
    vm.enter(runtime::begin_message);
    let savepoint = vm.begin();
    let result = match vm.call(handle, args, super::result::read_result) {
        Ok(Completion::Returned(r)) => r.map(|mut outcome| {
            outcome.gas_used = vm.fuel_used();
            outcome
        }),
        Ok(Completion::Yielded(_)) => Err(Error::Lua(
            "the process runtime yielded outside a handler".into(),
        )),
        Err(e) => Err(e),
    };
    let mut result = result;
    if let Some(caught) = running.end(vm, result.as_ref().ok()) {
        if let (Ok(outcome), true) = (&mut result, diff) {
            outcome.diff = Some(Vec::new());
        }
        vm.rollback(savepoint);
        return Dispatched::Redo(result, caught);
    }
    match &mut result {
        Ok(outcome) if outcome.error.is_none() && !read_only => {
            if diff {
                let runtime = crate::state::stats::runtime_globals();
                outcome.diff = Some(vm.enter(|ctx| {
                    crate::state::diff::changes(
                        ctx,
                        ctx.globals(),
                        &crate::vm::undo::pending_fields(ctx),
                        runtime,
                    )
                }));
            }
            vm.commit(keep);
        }
        other => {
            // A message that leaves no trace changed nothing.
            if let (Ok(outcome), true) = (other, diff) {
                outcome.diff = Some(Vec::new());
            }
            vm.rollback(savepoint)
        }
    }
    Dispatched::Done(result)
}

/// [`Process::evaluate`]'s Lua side: aos's Eval (expression first, then chunk; the printed
/// lines and the returned value are the output) called directly, with `print` collecting
/// into a list of its own and the runtime's print state put back afterwards.
const HOST_EVALUATE: &str = r#"
local source = ...
local fn, err = load("return " .. source, "aos", "t", _G)
if err then
  fn, err = load(source, "aos", "t", _G)
end
if not fn then
  error(err, 0)
end
local outbox = type(ao) == "table" and ao.outbox or nil
local savedOutput = outbox and outbox.Output
local savedLogs = HANDLER_PRINT_LOGS
local logs = {}
HANDLER_PRINT_LOGS = logs
local ok, output, e = pcall(fn)
HANDLER_PRINT_LOGS = savedLogs
if outbox then
  outbox.Output = savedOutput
end
if not ok then
  error(output, 0)
end
if e then
  error(e, 0)
end
if output then
  logs[#logs + 1] = type(output) == "table" and require(".stringify").format(output) or tostring(output)
end
return table.concat(logs, "\n")
"#;

/// aos reports a failed Eval as `<printed>\n\n<red>error:\n<reset><message>`; the API
/// returns the message alone.
pub(crate) fn eval_error_text(e: &str) -> String {
    const MARK: &str = "error:\n\u{1b}[0m";
    match e.rfind(MARK) {
        Some(i) => e[i + MARK.len()..].to_owned(),
        None => e.to_owned(),
    }
}

/// A message id derived from the process id and nonce: base64url(sha256(id ":" nonce)),
/// 43 characters like an Arweave id.
pub fn derive_id(process_id: &str, nonce: i64) -> String {
    let digest = Sha256::digest(format!("{process_id}:{nonce}").as_bytes());
    base64url(&digest)
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 2);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

struct MessageFields<'a> {
    id: &'a str,
    from: &'a str,
    owner: &'a str,
    target: &'a str,
    timestamp: i64,
    block_height: i64,
    nonce: i64,
}

struct Env<'a> {
    process_id: &'a str,
    owner: &'a str,
    process_tags: &'a [Tag],
    module_tags: &'a [Tag],
    module: &'a str,
}

/// The message as the CU hands it to aos: raw tags; aos normalises it itself.
fn build_message<'gc>(ctx: Context<'gc>, msg: &Message, f: &MessageFields) -> Table<'gc> {
    let n = super::names::names(ctx);
    let t = Table::new(&ctx);
    let s = |v: &str| ctx.intern(v.as_bytes());
    let _ = t.set(ctx, n.Id, s(f.id));
    let _ = t.set(ctx, n.From, s(f.from));
    let _ = t.set(ctx, n.Owner, s(f.owner));
    let _ = t.set(ctx, n.Target, s(f.target));
    let _ = t.set(ctx, n.Tags, runtime::tag_array(ctx, &msg.tags));
    if let Some(data) = &msg.data {
        let _ = t.set(ctx, n.Data, s(data));
    }
    for (name, key, value) in [
        (n.Timestamp, "Timestamp", f.timestamp),
        (n.BlockHeight, "Block-Height", f.block_height),
        (n.Nonce, "Nonce", f.nonce),
    ] {
        if msg.textual.contains(&key) {
            let _ = t.set(ctx, name, s(&value.to_string()));
        } else {
            let _ = t.set(ctx, name, value);
        }
    }
    for (key, value) in &msg.extra {
        let _ = t.set(ctx, s(key), convert::from_json(ctx, value));
    }
    // A compute unit sets Cron on every message: true for its cron ticks, false otherwise.
    let _ = t.set(ctx, n.Cron, msg.cron);
    if msg.read_only {
        let _ = t.set(ctx, n.ReadOnly, true);
    }
    t
}

/// `{Process = {Id, Owner, Tags}, Module = {Id, Owner, Tags}}`, fresh for every message
/// (aos rewrites its Tags in place).
fn build_env<'gc>(ctx: Context<'gc>, env: &Env) -> Table<'gc> {
    let n = super::names::names(ctx);
    let s = |v: &str| ctx.intern(v.as_bytes());
    let process = Table::new(&ctx);
    let _ = process.set(ctx, n.Id, s(env.process_id));
    let _ = process.set(ctx, n.Owner, s(env.owner));
    let _ = process.set(ctx, n.Tags, runtime::tag_array(ctx, env.process_tags));
    let module = Table::new(&ctx);
    let _ = module.set(ctx, n.Id, s(env.module));
    let _ = module.set(ctx, n.Owner, s(env.owner));
    let _ = module.set(ctx, n.Tags, runtime::tag_array(ctx, env.module_tags));
    let t = Table::new(&ctx);
    let _ = t.set(ctx, n.Process, process);
    let _ = t.set(ctx, n.Module, module);
    t
}
