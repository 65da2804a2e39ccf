//! A process: one Lua state running the aos-style runtime, its identity and clock, and the
//! calls users make on it (`eval`, `send`).

use piccolo::{Context, StashedFunction, Table, Value};
use serde::Serialize;
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use super::message::{json_type, parse_tags, Message, Tag};
use super::outcome::{OutMessage, Outcome};
use crate::error::Error;
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

const RUNTIME_LUA: &str = include_str!("lua/process.lua");

/// Keys of a message that are not copied from tags to the message root (aos's
/// `nonExtractableTags`).
const NON_EXTRACTABLE: &[&str] = &[
    "Data-Protocol",
    "Variant",
    "From-Process",
    "From-Module",
    "Type",
    "From",
    "Owner",
    "Anchor",
    "Target",
    "Data",
    "Tags",
    "Read-Only",
];

/// How to spawn a process. Every field has a deterministic default.
#[derive(Debug, Clone, Default)]
pub struct ProcessOptions {
    pub id: Option<String>,
    pub owner: Option<String>,
    pub module: Option<String>,
    /// Tags of the process (spawn) message, e.g. `Name`, `Authority`.
    pub tags: Vec<Tag>,
    pub authorities: Vec<String>,
    /// Start of the process clock (ms since the epoch).
    pub timestamp: Option<i64>,
    pub block_height: Option<i64>,
    pub limits: Limits,
}

impl ProcessOptions {
    /// Reads options from JSON: `{id, owner, module, tags, authorities, timestamp,
    /// blockHeight, limits: {fuel, memory}}`.
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
                    limits.memory = m as usize;
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
            authorities,
            timestamp: int("timestamp", obj.get("timestamp"))?,
            block_height: int("blockHeight", obj.get("blockHeight"))?,
            limits,
        })
    }
}

/// What an `eval` printed and returned.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalOutput {
    /// Printed text, followed by the returned values as `print` would show them.
    pub output: String,
    /// The returned values as JSON.
    pub values: Vec<Json>,
}

/// A running AO process.
pub struct Process {
    vm: Vm,
    id: String,
    owner: String,
    module: String,
    clock: i64,
    block_height: i64,
    nonce: i64,
    handle: StashedFunction,
}

impl Process {
    /// Spawns a process: a fresh Lua state with the stdlib and the aos runtime loaded.
    pub fn new(options: ProcessOptions) -> Result<Process, Error> {
        let mut vm = Vm::new(options.limits)?;
        stdlib::install(&mut vm);
        let id = options.id.unwrap_or_else(|| DEFAULT_PROCESS_ID.into());
        let owner = options.owner.unwrap_or_else(|| DEFAULT_OWNER.into());
        let module = options.module.unwrap_or_else(|| DEFAULT_MODULE.into());
        let runtime = vm.load("aolite.process", RUNTIME_LUA.as_bytes())?;
        expect_returned(vm.call(&runtime, |_| Vec::new(), |_, _| ())?)?;
        let name = options
            .tags
            .iter()
            .find(|t| t.name == "Name")
            .map_or("aos", |t| t.value.as_str())
            .to_owned();
        let handle = vm.enter(|ctx| {
            let g = ctx.globals();
            let _ = g.set(ctx, "Owner", ctx.intern(owner.as_bytes()));
            let _ = g.set(ctx, "Name", ctx.intern(name.as_bytes()));
            if let Value::Table(ao) = g.get(ctx, "ao") {
                let _ = ao.set(ctx, "id", ctx.intern(id.as_bytes()));
                let _ = ao.set(ctx, "_module", ctx.intern(module.as_bytes()));
                let auth = Table::new(&ctx);
                for (i, a) in options.authorities.iter().enumerate() {
                    let _ = auth.set(ctx, i as i64 + 1, ctx.intern(a.as_bytes()));
                }
                let _ = ao.set(ctx, "authorities", auth);
            }
            let runtime = match g.get(ctx, "__aolite") {
                Value::Table(t) => t,
                _ => Table::new(&ctx),
            };
            match runtime.get(ctx, "handle") {
                Value::Function(f) => Some(ctx.stash(f)),
                _ => None,
            }
        });
        let handle =
            handle.ok_or_else(|| Error::Lua("the process runtime has no handle".into()))?;
        Ok(Process {
            vm,
            id,
            owner,
            module,
            clock: options.timestamp.unwrap_or(DEFAULT_TIMESTAMP),
            block_height: options.block_height.unwrap_or(0),
            nonce: 0,
            handle,
        })
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

    /// Evaluates Lua source as the owner would with aos's Eval: first as an expression
    /// (`return <source>`), and if that does not compile, as a chunk.
    pub fn eval(&mut self, source: &str) -> Result<EvalOutput, Error> {
        let chunk = match self.vm.load("eval", format!("return {source}").as_bytes()) {
            Ok(f) => f,
            Err(Error::Syntax(_)) => self.vm.load("eval", source.as_bytes())?,
            Err(e) => return Err(e),
        };
        self.vm.host().borrow_mut().output.clear();
        let result = self.vm.call(
            &chunk,
            |_| Vec::new(),
            |ctx, values| {
                let mut shown = Vec::new();
                let mut json = Vec::new();
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        shown.push(b'\t');
                    }
                    crate::stdlib::tostring::write_plain(*v, &mut shown);
                    json.push(convert::to_json(ctx, *v).unwrap_or(Json::Null));
                }
                (shown, json)
            },
        );
        let mut printed = self.vm.host().borrow_mut().take_output();
        let (shown, values) = expect_returned(result?)?;
        if !values.is_empty() {
            printed.extend_from_slice(&shown);
        } else if printed.last() == Some(&b'\n') {
            printed.pop();
        }
        Ok(EvalOutput {
            output: String::from_utf8_lossy(&printed).into_owned(),
            values,
        })
    }

    /// Sends a message given as JSON (see [`Message::from_json`]).
    pub fn send_json(&mut self, json: &Json) -> Result<Outcome, Error> {
        let msg = Message::from_json(json)?;
        self.send(msg)
    }

    /// Handles one message and returns its outcome. A Lua error is reported in
    /// `Outcome::error`; running out of fuel or memory is an `Err`.
    pub fn send(&mut self, msg: Message) -> Result<Outcome, Error> {
        let nonce = msg.nonce.unwrap_or(self.nonce + 1);
        let timestamp = msg.timestamp.unwrap_or(self.clock);
        let block_height = msg.block_height.unwrap_or(self.block_height);
        let id = msg.id.clone().unwrap_or_else(|| derive_id(&self.id, nonce));
        let from = msg.from.clone().unwrap_or_else(|| self.owner.clone());
        let owner = msg.owner.clone().unwrap_or_else(|| from.clone());
        let target = msg.target.clone().unwrap_or_else(|| self.id.clone());
        self.nonce = nonce;
        self.clock = timestamp;
        self.block_height = block_height;

        self.vm.host().borrow_mut().output.clear();
        let env = MessageEnv {
            id: &id,
            from: &from,
            owner: &owner,
            target: &target,
            timestamp,
            block_height,
            nonce,
        };
        let result = self.vm.call(
            &self.handle,
            |ctx| vec![Value::Table(build_message(ctx, &msg, &env))],
            |_, _| (),
        );
        let printed = self.vm.host().borrow_mut().take_output();
        let gas_used = self.vm.fuel_used();
        let mut text = String::from_utf8_lossy(&printed).into_owned();
        if text.ends_with('\n') {
            text.pop();
        }
        let output = serde_json::json!({ "data": text, "print": true });
        match result.and_then(expect_returned) {
            Ok(()) => {
                let (messages, spawns) = self.vm.enter(read_outbox)?;
                Ok(Outcome {
                    output,
                    messages,
                    spawns,
                    assignments: Vec::new(),
                    error: None,
                    gas_used,
                })
            }
            Err(Error::Lua(e)) => Ok(Outcome {
                output,
                messages: Vec::new(),
                spawns: Vec::new(),
                assignments: Vec::new(),
                error: Some(e),
                gas_used,
            }),
            Err(e) => Err(e),
        }
    }

    /// The JSON view of a global variable (`null` when unset).
    pub fn global_json(&mut self, name: &str) -> Result<Json, Error> {
        self.vm
            .enter(|ctx| convert::to_json(ctx, ctx.globals().get(ctx, ctx.intern(name.as_bytes()))))
    }
}

fn expect_returned<R>(c: Completion<R>) -> Result<R, Error> {
    match c {
        Completion::Returned(r) => Ok(r),
        Completion::Yielded(_) => Err(Error::Lua(
            "attempt to yield from outside a coroutine".into(),
        )),
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

struct MessageEnv<'a> {
    id: &'a str,
    from: &'a str,
    owner: &'a str,
    target: &'a str,
    timestamp: i64,
    block_height: i64,
    nonce: i64,
}

/// The `msg` table handlers see: fields at the root, `Tags` as a map (first duplicate wins),
/// `TagArray` as given, and each extractable tag copied to the root (last duplicate wins).
fn build_message<'gc>(ctx: Context<'gc>, msg: &Message, env: &MessageEnv) -> Table<'gc> {
    let t = Table::new(&ctx);
    let s = |v: &str| ctx.intern(v.as_bytes());
    let tags = Table::new(&ctx);
    let tag_array = Table::new(&ctx);
    for (i, tag) in msg.tags.iter().enumerate() {
        let entry = Table::new(&ctx);
        let _ = entry.set(ctx, "name", s(&tag.name));
        let _ = entry.set(ctx, "value", s(&tag.value));
        let _ = tag_array.set(ctx, i as i64 + 1, entry);
        if tags.get(ctx, s(&tag.name)).is_nil() {
            let _ = tags.set(ctx, s(&tag.name), s(&tag.value));
        }
        if !NON_EXTRACTABLE.contains(&tag.name.as_str()) {
            let _ = t.set(ctx, s(&tag.name), s(&tag.value));
        }
    }
    let _ = t.set(ctx, "Id", s(env.id));
    let _ = t.set(ctx, "From", s(env.from));
    let _ = t.set(ctx, "Owner", s(env.owner));
    let _ = t.set(ctx, "Target", s(env.target));
    if let Some(data) = &msg.data {
        let _ = t.set(ctx, "Data", s(data));
    }
    let _ = t.set(ctx, "Timestamp", env.timestamp);
    let _ = t.set(ctx, "Block-Height", env.block_height);
    let _ = t.set(ctx, "Nonce", env.nonce);
    if msg.cron {
        let _ = t.set(ctx, "Cron", true);
    }
    if msg.read_only {
        let _ = t.set(ctx, "Read-Only", true);
    }
    let _ = t.set(ctx, "Tags", tags);
    let _ = t.set(ctx, "TagArray", tag_array);
    t
}

fn read_outbox(ctx: Context<'_>) -> Result<(Vec<OutMessage>, Vec<OutMessage>), Error> {
    let outbox = match ctx.globals().get(ctx, "ao") {
        Value::Table(ao) => ao.get(ctx, "outbox"),
        _ => Value::Nil,
    };
    let Value::Table(outbox) = outbox else {
        return Ok((Vec::new(), Vec::new()));
    };
    let list = |key: &str| -> Result<Vec<OutMessage>, Error> {
        let Value::Table(items) = outbox.get(ctx, ctx.intern(key.as_bytes())) else {
            return Ok(Vec::new());
        };
        let n = items.length();
        (1..=n)
            .map(|i| out_message(ctx, items.get(ctx, i)))
            .collect()
    };
    Ok((list("Messages")?, list("Spawns")?))
}

fn out_message<'gc>(ctx: Context<'gc>, v: Value<'gc>) -> Result<OutMessage, Error> {
    let Value::Table(m) = v else {
        return Err(Error::Lua("outbox entry is not a table".into()));
    };
    let text = |v: Value<'gc>| -> Option<String> {
        match v {
            Value::Nil => None,
            Value::String(s) => Some(s.to_str_lossy().into_owned()),
            other => {
                let mut buf = Vec::new();
                crate::stdlib::tostring::write_plain(other, &mut buf);
                Some(String::from_utf8_lossy(&buf).into_owned())
            }
        }
    };
    let data = match m.get(ctx, "Data") {
        v @ Value::Table(_) => Some(convert::to_json(ctx, v)?.to_string()),
        v => text(v),
    };
    let mut tags = Vec::new();
    if let Value::Table(list) = m.get(ctx, "Tags") {
        for i in 1..=list.length() {
            if let Value::Table(tag) = list.get(ctx, i) {
                tags.push(Tag {
                    name: text(tag.get(ctx, "name")).unwrap_or_default(),
                    value: text(tag.get(ctx, "value")).unwrap_or_default(),
                });
            }
        }
    }
    Ok(OutMessage {
        target: text(m.get(ctx, "Target")),
        anchor: text(m.get(ctx, "Anchor")),
        tags,
        data,
    })
}
