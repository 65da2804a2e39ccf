//! Loads the aos runtime into a Lua state: the built-in modules become `require`-able
//! (`package.preload`), and `.process`'s `handle` is what every message goes through.
//! `package.searchers[2]` is the place of aos's module searcher (its wasm build's modules);
//! here the modules are found by the preload searcher, so it only adds its words to the
//! "module not found" message.

use gc_arena::{lock::RefLock, Collect, Gc, Rootable};
use piccolo::{
    BoxSequence, Callback, CallbackReturn, Context, Execution, IntoValue, Sequence, SequencePoll,
    Stack, StashedFunction, Table, Value,
};

use super::outcome::HandlerRun;

use crate::error::Error;
use crate::vm::compile::Reads;
use crate::vm::{Completion, Vm};

/// Modules written in Lua, by the name `require` knows them under.
const LUA_MODULES: &[(&str, &str)] = &[
    (".utils", include_str!("lua/utils.lua")),
    (".handlers-utils", include_str!("lua/handlers_utils.lua")),
    (".handlers", include_str!("lua/handlers.lua")),
    (".ao", include_str!("lua/ao.lua")),
    (".assignment", include_str!("lua/assignment.lua")),
    (".stringify", include_str!("lua/stringify.lua")),
    (".pretty", include_str!("lua/pretty.lua")),
    (".dump", include_str!("lua/dump.lua")),
    (".chance", include_str!("lua/chance.lua")),
    (".base64", include_str!("lua/base64.lua")),
    (".bint", include_str!("lua/bint.lua")),
    (".process", include_str!("lua/process.lua")),
    // aos's `.crypto`, one chunk per module of aos's, so errors name the same chunks.
    // `require(".crypto")` runs `.crypto.init`'s file again in aos: an equal, separate table.
    (".crypto", include_str!("lua/crypto/crypto_init.lua")),
    (".crypto.init", include_str!("lua/crypto/crypto_init.lua")),
    (".crypto.util.bit", include_str!("lua/crypto/util_bit.lua")),
    (
        ".crypto.util.queue",
        include_str!("lua/crypto/util_queue.lua"),
    ),
    (
        ".crypto.util.stream",
        include_str!("lua/crypto/util_stream.lua"),
    ),
    (".crypto.util.hex", include_str!("lua/crypto/util_hex.lua")),
    (
        ".crypto.util.array",
        include_str!("lua/crypto/util_array.lua"),
    ),
    (
        ".crypto.util.init",
        include_str!("lua/crypto/util_init.lua"),
    ),
    (
        ".crypto.digest.md2",
        include_str!("lua/crypto/digest_md2.lua"),
    ),
    (
        ".crypto.digest.md4",
        include_str!("lua/crypto/digest_md4.lua"),
    ),
    (
        ".crypto.digest.md5",
        include_str!("lua/crypto/digest_md5.lua"),
    ),
    (
        ".crypto.digest.sha1",
        include_str!("lua/crypto/digest_sha1.lua"),
    ),
    (
        ".crypto.digest.sha2_256",
        include_str!("lua/crypto/digest_sha2_256.lua"),
    ),
    (
        ".crypto.digest.sha2_512",
        include_str!("lua/crypto/digest_sha2_512.lua"),
    ),
    (
        ".crypto.digest.sha3",
        include_str!("lua/crypto/digest_sha3.lua"),
    ),
    (
        ".crypto.digest.blake2b",
        include_str!("lua/crypto/digest_blake2b.lua"),
    ),
    (
        ".crypto.digest.init",
        include_str!("lua/crypto/digest_init.lua"),
    ),
    (".crypto.mac.hmac", include_str!("lua/crypto/mac_hmac.lua")),
    (".crypto.mac.init", include_str!("lua/crypto/mac_init.lua")),
    (
        ".crypto.kdf.pbkdf2",
        include_str!("lua/crypto/kdf_pbkdf2.lua"),
    ),
    (".crypto.kdf.init", include_str!("lua/crypto/kdf_init.lua")),
    (
        ".crypto.cipher.issac",
        include_str!("lua/crypto/cipher_issac.lua"),
    ),
    (
        ".crypto.cipher.aes",
        include_str!("lua/crypto/cipher_aes.lua"),
    ),
    (
        ".crypto.cipher.aes128",
        include_str!("lua/crypto/cipher_aes_block.lua"),
    ),
    (
        ".crypto.cipher.aes192",
        include_str!("lua/crypto/cipher_aes_block.lua"),
    ),
    (
        ".crypto.cipher.aes256",
        include_str!("lua/crypto/cipher_aes_block.lua"),
    ),
    (
        ".crypto.cipher.mode.cbc",
        include_str!("lua/crypto/cipher_mode.lua"),
    ),
    (
        ".crypto.cipher.mode.cfb",
        include_str!("lua/crypto/cipher_mode.lua"),
    ),
    (
        ".crypto.cipher.mode.ctr",
        include_str!("lua/crypto/cipher_mode.lua"),
    ),
    (
        ".crypto.cipher.mode.ecb",
        include_str!("lua/crypto/cipher_mode.lua"),
    ),
    (
        ".crypto.cipher.mode.ofb",
        include_str!("lua/crypto/cipher_mode.lua"),
    ),
    (
        ".crypto.cipher.morus",
        include_str!("lua/crypto/cipher_morus.lua"),
    ),
    (
        ".crypto.cipher.norx",
        include_str!("lua/crypto/cipher_norx.lua"),
    ),
    (
        ".crypto.cipher.init",
        include_str!("lua/crypto/cipher_init.lua"),
    ),
    (
        ".crypto.padding.zero",
        include_str!("lua/crypto/padding_zero.lua"),
    ),
];

/// Modules the runtime does not load at boot (aos has them `require`-able but unused until a
/// program asks): compiled and instantiated on their first `require`, so an idle process
/// holds none of their code. `.bint` alone is over a third of the runtime's Lua.
const LAZY_MODULES: &[&str] = &[".bint"];

/// Whether the runtime loads the module `name` on its first `require` only: those above and
/// every `.crypto` module.
fn is_lazy(name: &str) -> bool {
    LAZY_MODULES.contains(&name) || is_crypto(name)
}

/// Whether `name` is one of aos's `.crypto` modules (`.crypto` itself or one below it).
fn is_crypto(name: &str) -> bool {
    name == ".crypto" || name.starts_with(".crypto.")
}

/// Installs the runtime's native parts (the `json` module, `require`-able) and names every
/// built-in object; after this only Lua code runs, whose state exports as closures.
pub fn install_natives(vm: &mut Vm) -> Result<(), Error> {
    let helpers = vm.stashed_helpers();
    let limits = vm.limits().source;
    vm.enter(|ctx| {
        install_searcher(ctx)?;
        let preload = preload(ctx)?;
        let json = super::json::module(ctx);
        let json_loader = Callback::from_fn_with(&ctx, json, |json, ctx, _, mut stack| {
            stack.replace(ctx, *json);
            Ok(CallbackReturn::Return)
        });
        for name in ["json", ".json"] {
            let _ = preload.set(ctx, name, json_loader);
        }
        // One loader serves every `.crypto` module (35 of them): one object per process.
        let crypto = lazy_loader(ctx, helpers.fetch(ctx), limits, None);
        for (name, source) in LUA_MODULES.iter().filter(|(name, _)| is_lazy(name)) {
            let loader = if is_crypto(name) {
                crypto
            } else {
                lazy_loader(ctx, helpers.fetch(ctx), limits, Some((name, source)))
            };
            let _ = preload.set(ctx, *name, loader);
        }
        crate::state::builtins::add_root(ctx, "(json)", Value::Table(json));
        crate::state::builtins::add_root(ctx, NATIVES, Value::Table(natives(ctx)));
        crate::state::builtins::scan(ctx);
        Ok(())
    })
}

/// The name of the runtime's private native helpers (a table only `.process` holds; see
/// [`install`]).
const NATIVES: &str = "(aolite)";

/// Native helpers of the runtime's Lua: fast paths for work aos does in Lua on every
/// message. Each computes exactly what the Lua it stands in for computes.
fn natives(ctx: piccolo::Context<'_>) -> Table<'_> {
    let t = Table::new(&ctx);
    // `utils.normalize`: `_` becomes `-`, then lower case, then an upper-case letter at the
    // start and after each `-` (ASCII, as Lua's C locale). Non-strings are returned as is;
    // an unchanged string is returned itself.
    let normalize = Callback::from_fn(&ctx, |ctx, mut exec, mut stack| {
        if let Value::String(s) = stack.get(0) {
            let bytes = s.as_bytes();
            exec.fuel()
                .consume(crate::stdlib::args::byte_fuel(bytes.len()));
            if let Some(out) = normalize_key(bytes) {
                stack.replace(ctx, crate::stdlib::args::new_string(ctx, out));
            } else {
                stack.replace(ctx, Value::String(s));
            }
        } else {
            let v = stack.get(0);
            stack.replace(ctx, v);
        }
        Ok(CallbackReturn::Return)
    });
    let _ = t.set(ctx, "normalize", normalize);
    // `table.remove(t, 1)` for a table without a metatable (the caller checks): one undo
    // record instead of one per slot. Returns the removed value.
    let remove_first = Callback::from_fn(&ctx, |ctx, mut exec, mut stack| {
        let Value::Table(t) = stack.get(0) else {
            return Err("removeFirst needs a table".into_value(ctx).into());
        };
        let len = t.length().max(0) as usize;
        exec.fuel()
            .consume(1 + (len / 64).min(i32::MAX as usize) as i32);
        let removed = crate::vm::undo::remove_first(ctx, t).unwrap_or_default();
        stack.replace(ctx, removed);
        Ok(CallbackReturn::Return)
    });
    let _ = t.set(ctx, "removeFirst", remove_first);
    // The hash functions of the `.crypto` digests (see `lazy_loader`).
    let _ = t.set(ctx, "digest", super::crypto::callback(ctx));
    let _ = t.set(ctx, "aes", super::crypto::aes_callback(ctx));
    let _ = t.set(ctx, "aead", super::crypto_aead::callback(ctx));
    let new_message = guarded(
        ctx,
        &["pairs", "table.insert", "string.format"],
        new_message,
    );
    let _ = t.set(ctx, "newMessage", new_message);
    let _ = t.set(ctx, "tagMap", guarded(ctx, &["type"], tag_map));
    let normalize_keys = guarded(ctx, &["pairs", "ipairs", "type"], normalize_keys);
    let _ = t.set(ctx, "normalizeKeys", normalize_keys);
    let keep_waiting = guarded(
        ctx,
        &["table.insert", "table.remove", "ipairs", "coroutine.status"],
        keep_waiting,
    );
    let _ = t.set(ctx, "keepWaiting", keep_waiting);
    let _ = t.set(ctx, "prompt", guarded(ctx, &["tostring"], prompt));
    let _ = t.set(ctx, "inboxText", guarded(ctx, &["string.sub"], inbox_text));
    let extract_tags = guarded(ctx, &["type", "getmetatable", "ipairs"], extract_tags);
    let _ = t.set(ctx, "extractTags", extract_tags);
    let _ = t.set(ctx, "register", Callback::from_fn(&ctx, register));
    let begin = guarded(
        ctx,
        &["pairs", "ipairs", "type", "getmetatable", "string.gmatch"],
        super::prologue::begin,
    );
    let _ = t.set(ctx, "begin", begin);
    let finish = guarded(ctx, &["table.concat", "tostring"], super::epilogue::finish);
    let _ = t.set(ctx, "finish", finish);
    let matches = guarded(
        ctx,
        &["type", "pairs", "string.lower", "string.match"],
        super::patterns::matches,
    );
    let _ = t.set(ctx, "match", matches);
    let send = guarded(
        ctx,
        &[
            "pairs",
            "table.insert",
            "string.format",
            "tostring",
            "type",
            "assert",
        ],
        super::send::send,
    );
    let _ = t.set(ctx, "send", send);
    let print = guarded(
        ctx,
        &["type", "tostring", "table.insert"],
        super::print::print,
    );
    let _ = t.set(ctx, "print", print);
    let known_authorities = guarded(ctx, &["type", "ipairs", "string.gmatch"], known_authorities);
    let _ = t.set(ctx, "knownAuthorities", known_authorities);
    // `pcall(h.handle, msg, env)` for the handler entry `h` that `Handlers.evaluate` runs
    // (called as `run(h, msg, env)`: the same instructions, so the same fuel): the same
    // call, results and errors, and the handler's name is recorded for the outcome's
    // `Handlers`, with whether it failed.
    let run = Callback::from_fn(&ctx, |ctx, exec, mut stack| {
        let h = stack.pop_front();
        let token = record(ctx, h, true);
        let handle = match h {
            Value::Table(t) if t.metatable().is_none() => crate::vm::undo::field(ctx, t, "handle"),
            _ => match piccolo::meta_ops::index(ctx, h, Value::String(ctx.intern(b"handle")))? {
                piccolo::meta_ops::MetaResult::Value(v) => v,
                piccolo::meta_ops::MetaResult::Call(call) => {
                    // `__index` is a function: call it, then the handler (see `ThenRun`).
                    let (msg, env) = (stack.get(0), stack.get(1));
                    let [table, key] = call.args;
                    stack.replace(ctx, (table, key));
                    return Ok(CallbackReturn::Call {
                        function: call.function,
                        then: Some(BoxSequence::new(&ctx, ThenRun { msg, env, token })),
                    });
                }
            },
        };
        stack.push_front(handle);
        crate::stdlib::pcall::protected_call(ctx, &exec, stack, Some((mark_failed, token)))
    });
    let _ = t.set(ctx, "runHandler", run);
    // `Handlers.evaluate` runs `_default` when no handler took the message: this records
    // it (its argument, the entry's position in the list, is returned as is). Noting it
    // costs the process nothing: the fuel of this call (its two instructions, the call and
    // the return) is given back, so `GasUsed` stays the cost of aos's own work.
    let ran_default = Callback::from_fn(&ctx, |ctx, mut exec, _| {
        exec.fuel().adjust(RAN_DEFAULT_FUEL);
        let name = ctx.intern(b"_default");
        record(ctx, Value::String(name), false);
        Ok(CallbackReturn::Return)
    });
    let _ = t.set(ctx, "ranDefault", ran_default);
    t
}

/// The fuel a call `ranDefault(i)` costs in `Handlers.evaluate` (piccolo 0.3.3: a
/// `GETUPVAL` and a `CALL`, the call of a callback with one argument, and its return), given
/// back by the callback; the recorded outcomes check that `GasUsed` is unchanged.
const RAN_DEFAULT_FUEL: i32 = 22;

/// After a handler entry's `__index` function gave its `handle`: the protected call of
/// `handle(msg, env)`, as `runHandler` makes it.
#[derive(Collect)]
#[collect(no_drop)]
struct ThenRun<'gc> {
    msg: Value<'gc>,
    env: Value<'gc>,
    token: u64,
}

impl<'gc> Sequence<'gc> for ThenRun<'gc> {
    fn poll(
        &mut self,
        ctx: Context<'gc>,
        _exec: Execution<'gc, '_>,
        mut stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, piccolo::Error<'gc>> {
        let handle = stack.get(0);
        stack.replace(ctx, (handle, self.msg, self.env));
        let protected = Callback::from_fn_with(&ctx, self.token, |token, ctx, exec, stack| {
            crate::stdlib::pcall::protected_call(ctx, &exec, stack, Some((mark_failed, *token)))
        });
        Ok(SequencePoll::Call {
            function: protected.into(),
            is_tail: true,
        })
    }
}

/// The handlers that ran for the message being handled (see [`begin_message`]).
#[derive(Collect, Default)]
#[collect(require_static)]
struct Ran {
    /// Counts messages, so a handler that finishes during a later message (one that waited
    /// in `Receive`) does not mark an entry of that message.
    generation: u32,
    /// Each run, with whether it ran inside `pcall` (`_default` does not).
    runs: Vec<(HandlerRun, bool)>,
}

#[derive(Collect, Clone, Copy)]
#[collect(no_drop)]
struct Recorder<'gc>(Gc<'gc, RefLock<Ran>>);

impl<'gc> piccolo::Singleton<'gc> for Recorder<'gc> {
    fn create(ctx: Context<'gc>) -> Self {
        Recorder(Gc::new(&ctx, RefLock::new(Ran::default())))
    }
}

fn recorder(ctx: Context<'_>) -> Gc<'_, RefLock<Ran>> {
    ctx.singleton::<Rootable![Recorder<'_>]>().0
}

/// Records that the handler entry `h` (or the name `h`) starts; returns the token
/// [`mark_failed`] takes.
fn record<'gc>(ctx: Context<'gc>, h: Value<'gc>, protected: bool) -> u64 {
    let name = match h {
        Value::Table(t) => crate::vm::undo::field(ctx, t, "name"),
        other => other,
    };
    let name = match name {
        Value::String(s) => s.to_str_lossy().into_owned(),
        Value::Nil => String::new(),
        other => {
            let mut buf = Vec::new();
            crate::stdlib::tostring::write_plain(ctx, other, &mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        }
    };
    let r = recorder(ctx);
    let mut r = r.borrow_mut(&ctx);
    let index = r.runs.len() as u64;
    r.runs.push((HandlerRun { name, ok: true }, protected));
    (u64::from(r.generation) << 32) | (index & 0xffff_ffff)
}

/// Marks the run `token` names as failed, when it belongs to the current message.
fn mark_failed(ctx: Context<'_>, token: u64) {
    let r = recorder(ctx);
    let mut r = r.borrow_mut(&ctx);
    if u64::from(r.generation) != token >> 32 {
        return;
    }
    if let Some(run) = r.runs.get_mut((token & 0xffff_ffff) as usize) {
        run.0.ok = false;
    }
}

/// Starts recording the handlers of a new message.
pub fn begin_message(ctx: Context<'_>) {
    let r = recorder(ctx);
    let mut r = r.borrow_mut(&ctx);
    r.generation = r.generation.wrapping_add(1);
    r.runs.clear();
}

/// The handlers that ran for the message, in order. `failed`: whether the message failed;
/// a failure that no protected run reported came from `_default` when it was the last to
/// run (an error there ends the evaluation).
pub fn take_handlers(ctx: Context<'_>, failed: bool) -> Vec<HandlerRun> {
    let r = recorder(ctx);
    let mut r = r.borrow_mut(&ctx);
    let mut runs: Vec<(HandlerRun, bool)> = std::mem::take(&mut r.runs);
    if failed && runs.iter().all(|(run, _)| run.ok) {
        if let Some((last, false)) = runs.last_mut() {
            last.ok = false;
        }
    }
    runs.into_iter().map(|(run, _)| run).collect()
}

/// `ao.send`'s message, `newMessage(msg, ref, reference)`: the table its constructor and
/// `collectTags` build from `msg` (`Target`, `Data`, the `Anchor` `string.format("%032d",
/// reference)` writes, the four protocol tags, then a `{name, value}` tag for each root key
/// but `Target`, `Data`, `Anchor`, `Tags` and `From`, in `pairs` order), for the usual
/// case: `msg` a table without a metatable, with string keys only and no `Tags`, and an
/// integer reference. Anything else gives nil and the Lua builds it (or when `pairs`,
/// `table.insert` or `string.format` is not the built-in one any more). Every table made
/// here is new, so none of its stores needs an undo record.
fn new_message<'gc>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> Result<CallbackReturn<'gc>, piccolo::Error<'gc>> {
    let (msg, reference) = match (stack.get(0), stack.get(2)) {
        (Value::Table(msg), Value::Integer(reference)) if msg.metatable().is_none() => {
            (msg, reference)
        }
        _ => {
            return declined(ctx, stack);
        }
    };
    match message_of(ctx, &mut exec, msg, stack.get(1), reference) {
        Some(message) => {
            stack.replace(ctx, message);
            Ok(CallbackReturn::Return)
        }
        None => declined(ctx, stack),
    }
}

/// The message `newMessage` builds from the plain `msg` (see [`new_message`]), or `None`
/// (nothing made) when `msg` has a key that is not a string, or `Tags`.
pub(super) fn message_of<'gc>(
    ctx: Context<'gc>,
    exec: &mut Execution<'gc, '_>,
    msg: Table<'gc>,
    ref_text: Value<'gc>,
    reference: i64,
) -> Option<Table<'gc>> {
    let mut keys = string_keys(msg)?;
    exec.fuel()
        .consume(i32::try_from(keys.len()).unwrap_or(i32::MAX));
    let field = |keys: &[(piccolo::String<'gc>, Value<'gc>)], name: &[u8]| {
        keys.iter()
            .find(|(k, _)| k.as_bytes() == name)
            .map_or(Value::Nil, |(_, v)| *v)
    };
    if !field(&keys, b"Tags").is_nil() {
        return None;
    }
    keys.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let n = super::names::names(ctx);
    let (name_key, value_key) = (n.name, n.value);
    let tag = |name: Value<'gc>, value: Value<'gc>| {
        let t = constructed(ctx, 0, 2);
        let _ = t.set(ctx, name_key, name);
        let _ = t.set(ctx, value_key, value);
        t
    };
    let tags = constructed(ctx, 4, 0);
    let mut count = 0;
    let mut push = |t: Table<'gc>| {
        count += 1;
        let _ = tags.set(ctx, count, t);
    };
    for (name, value) in [
        (n.DataProtocol, n.ao),
        (n.Variant, n.aoTN1),
        (n.Type, n.Message),
    ] {
        push(tag(Value::String(name), Value::String(value)));
    }
    push(tag(Value::String(n.Reference), ref_text));
    for (k, v) in &keys {
        if !matches!(
            k.as_bytes(),
            b"Target" | b"Data" | b"Anchor" | b"Tags" | b"From"
        ) {
            push(tag(Value::String(*k), *v));
        }
    }
    let message = constructed(ctx, 0, 4);
    // `%032d`: the digits right-aligned in 32 places padded with zeros, a minus sign first.
    let mut anchor = [b'0'; 32];
    let mut rest = reference.unsigned_abs();
    let mut at = anchor.len();
    while rest > 0 {
        at -= 1;
        anchor[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    if reference < 0 {
        anchor[0] = b'-';
    }
    let _ = message.set(ctx, n.Target, field(&keys, b"Target"));
    let _ = message.set(ctx, n.Data, field(&keys, b"Data"));
    let _ = message.set(ctx, n.Anchor, ctx.intern(&anchor));
    let _ = message.set(ctx, n.Tags, tags);
    Some(message)
}

/// The `(name, value)` of each tag in a tag list (`tags[1]`, `tags[2]`, ... up to the first
/// nil), read raw, when every tag is a plain table (no metatable) other than `not`, with a
/// string name; `None` otherwise (the caller leaves the list to its Lua).
pub(super) fn named_tags<'gc>(
    ctx: Context<'gc>,
    tags: Table<'gc>,
    not: Option<Table<'gc>>,
) -> Option<Vec<(piccolo::String<'gc>, Value<'gc>)>> {
    Some(
        tag_tables(ctx, tags, not)?
            .into_iter()
            .map(|(_, name, value)| (name, value))
            .collect(),
    )
}

/// [`named_tags`] with each tag's table.
pub(super) fn tag_tables<'gc>(
    ctx: Context<'gc>,
    tags: Table<'gc>,
    not: Option<Table<'gc>>,
) -> Option<Vec<(Table<'gc>, piccolo::String<'gc>, Value<'gc>)>> {
    let n = super::names::names(ctx);
    items(ctx, tags)
        .into_iter()
        .map(|tag| {
            let tag = plain(tag).filter(|t| Some(*t) != not)?;
            match tag.get_value(Value::String(n.name)) {
                Value::String(name) => Some((tag, name, tag.get_value(Value::String(n.value)))),
                _ => None,
            }
        })
        .collect()
}

/// `tagMap(msg)` of `.process` (`Tab`'s map of a message's tags: the first value of each
/// name), for the usual case: `msg`, its `Tags` and every tag plain tables (no metatable)
/// and every name a string, and `type` (which the Lua's `items` calls) the built-in one.
/// Anything else gives nil and the Lua loop builds it. The map is new, so its stores need
/// no undo record.
fn tag_map<'gc>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> Result<CallbackReturn<'gc>, piccolo::Error<'gc>> {
    let tags = plain(stack.get(0)).and_then(|msg| plain(crate::vm::undo::field(ctx, msg, "Tags")));
    let Some(tags) = tags else {
        return declined(ctx, stack);
    };
    let Some(entries) = named_tags(ctx, tags, None) else {
        return declined(ctx, stack);
    };
    exec.fuel()
        .consume(i32::try_from(entries.len()).unwrap_or(i32::MAX));
    stack.replace(ctx, map_of_tags(ctx, &entries));
    Ok(CallbackReturn::Return)
}

/// `Tab`'s map of named tags: each name's first value that is neither nil nor false. The
/// map is new, so its stores need no undo record.
pub(super) fn map_of_tags<'gc>(
    ctx: Context<'gc>,
    entries: &[(piccolo::String<'gc>, Value<'gc>)],
) -> Table<'gc> {
    let map = Table::new(&ctx);
    for &(name, value) in entries {
        let name = Value::String(name);
        if !map.get_value(name).to_bool() {
            let _ = map.set_value(&ctx, name, value);
        }
    }
    map
}

/// The search and update of `register` in `.process` (aos's `Handlers.add`/`append` of
/// `_eval` and `_default` on every message; the caller has checked that those are the
/// built-in functions): `register(list, name, pattern, resolver)` finds the entry named
/// `name` and stores the fields that differ (logged, as Lua's stores are). Done here when
/// `list` and every entry up to the one found are plain tables (no metatable): returns
/// true. Anything else (no such entry, which the Lua appends) gives nil before changing
/// anything, and the Lua does it.
fn register<'gc>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> Result<CallbackReturn<'gc>, piccolo::Error<'gc>> {
    let (name, pattern, resolver) = (stack.get(1), stack.get(2), stack.get(3));
    let Some(list) = plain(stack.get(0)) else {
        return declined(ctx, stack);
    };
    let (found, steps) = handler_entry(ctx, list, name);
    exec.fuel()
        .consume(i32::try_from(steps).unwrap_or(i32::MAX));
    let Some(entry) = found else {
        return declined(ctx, stack);
    };
    update_entry(ctx, entry, pattern, resolver)?;
    stack.replace(ctx, true);
    Ok(CallbackReturn::Return)
}

/// The entry named `name` in the handler list `list`, when it and every entry before it are
/// plain tables; with the number of entries looked at (the fuel of the walk).
pub(super) fn handler_entry<'gc>(
    ctx: Context<'gc>,
    list: Table<'gc>,
    name: Value<'gc>,
) -> (Option<Table<'gc>>, i64) {
    let name_key = super::names::names(ctx).name;
    let mut i: i64 = 1;
    loop {
        let Some(entry) = plain(list.get(ctx, i)) else {
            return (None, i);
        };
        if crate::stdlib::base::raw_equal(entry.get(ctx, name_key), name) {
            return (Some(entry), i);
        }
        i += 1;
    }
}

/// `register`'s update of a found entry: the pattern, the resolver and no `maxRuns`, each
/// stored (logged) only when it differs.
pub(super) fn update_entry<'gc>(
    ctx: Context<'gc>,
    entry: Table<'gc>,
    pattern: Value<'gc>,
    resolver: Value<'gc>,
) -> Result<(), piccolo::Error<'gc>> {
    let n = super::names::names(ctx);
    let (pattern_key, handle_key) = (n.pattern, n.handle);
    let runs_key = n.maxRuns;
    for (key, value) in [
        (pattern_key, pattern),
        (handle_key, resolver),
        (runs_key, Value::Nil),
    ] {
        if !crate::stdlib::base::raw_equal(entry.get(ctx, key), value) {
            crate::vm::undo::raw_set(ctx, entry, Value::String(key), value)?;
        }
    }
    Ok(())
}

/// `authorityTags(processTags)` of `.ao` (every message: each comma-separated part of an
/// `Authority` tag's value joins `ao.authorities` unless it is there) when it would change
/// nothing: `knownAuthorities(processTags, authorities)` gives true when the tag list and
/// its tags are plain tables, every `Authority` value is a string, `authorities` is a plain
/// table, every part is already in it, and `type`, `ipairs` and `string.gmatch` (which the
/// Lua calls) are the built-in ones. Anything else gives nil and the Lua runs.
fn known_authorities<'gc>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> Result<CallbackReturn<'gc>, piccolo::Error<'gc>> {
    let answer = (|| authorities_known(ctx, plain(stack.get(0))?, plain(stack.get(1))?))();
    match answer {
        Some(items) => {
            exec.fuel()
                .consume(i32::try_from(items).unwrap_or(i32::MAX));
            stack.replace(ctx, true);
        }
        None => stack.replace(ctx, Value::Nil),
    }
    Ok(CallbackReturn::Return)
}

/// Whether every comma-separated part of each `Authority` tag in the plain tag list `tags`
/// is already an item of `authorities` (so `authorityTags` would change nothing): the
/// number of steps of the Lua's walk (one per tag and its end), or `None` when a tag is not
/// a plain table, an `Authority` value is not a string or a part is new.
pub(super) fn authorities_known<'gc>(
    ctx: Context<'gc>,
    tags: Table<'gc>,
    authorities: Table<'gc>,
) -> Option<usize> {
    let n = super::names::names(ctx);
    let mut named = Vec::new();
    let tags = items(ctx, tags);
    for tag in &tags {
        let tag = plain(*tag)?;
        // A tag whose name is not a string is not an `Authority` tag.
        if let Value::String(name) = tag.get_value(Value::String(n.name)) {
            named.push((name, tag.get_value(Value::String(n.value))));
        }
    }
    authorities_known_in(ctx, &named, authorities).then_some(tags.len() + 1)
}

/// Whether every part of the `Authority` tags among `(name, value)` pairs is already in
/// `authorities` (see [`authorities_known`]).
pub(super) fn authorities_known_in<'gc>(
    ctx: Context<'gc>,
    entries: &[(piccolo::String<'gc>, Value<'gc>)],
    authorities: Table<'gc>,
) -> bool {
    let known = items(ctx, authorities);
    for &(name, value) in entries {
        if name.as_bytes() == b"Authority" {
            let Value::String(value) = value else {
                return false;
            };
            for part in value.as_bytes().split(|&b| b == b',') {
                if !part.is_empty()
                    && !known
                        .iter()
                        .any(|k| matches!(k, Value::String(k) if k.as_bytes() == part))
                {
                    return false;
                }
            }
        }
    }
    true
}

/// The items `ipairs` reads of a table without a metatable: `t[1]`, `t[2]`, ... up to the
/// first nil.
pub(super) fn items<'gc>(ctx: Context<'gc>, t: Table<'gc>) -> Vec<Value<'gc>> {
    (1..)
        .map(|i: i64| t.get(ctx, i))
        .take_while(|v| !v.is_nil())
        .collect()
}

/// `v` as a table without a metatable: one whose reads and writes run no Lua, so a
/// stand-in may do them itself.
pub(super) fn plain(v: Value<'_>) -> Option<Table<'_>> {
    match v {
        Value::Table(t) if t.metatable().is_none() => Some(t),
        _ => None,
    }
}

/// A stand-in's answer that it steps aside (nil): the Lua it stands in for runs.
pub(super) fn declined<'gc>(
    ctx: Context<'gc>,
    mut stack: Stack<'gc, '_>,
) -> Result<CallbackReturn<'gc>, piccolo::Error<'gc>> {
    stack.replace(ctx, Value::Nil);
    Ok(CallbackReturn::Return)
}

/// The global function `path` names (`"pairs"`, `"table.insert"`), as Lua code reads it
/// when it is set: a raw field, read without metamethods. `None` if it is not a function.
fn global_function<'gc>(ctx: Context<'gc>, path: &str) -> Option<piccolo::Function<'gc>> {
    match crate::vm::undo::global_path(ctx, path) {
        Value::Function(f) => Some(f),
        _ => None,
    }
}

/// The native stand-in `native` for Lua code that calls the global functions `paths`: it
/// runs while each is still the built-in function it was at install; once a program has
/// replaced one, the stand-in returns nil and the Lua runs, calling the program's function.
/// Each path's names are interned once, here, not at every call.
pub(super) fn guarded<'gc>(
    ctx: Context<'gc>,
    paths: &'static [&'static str],
    native: for<'a> fn(
        Context<'a>,
        Execution<'a, '_>,
        Stack<'a, '_>,
    ) -> Result<CallbackReturn<'a>, piccolo::Error<'a>>,
) -> Callback<'gc> {
    let guards: Vec<(Vec<piccolo::String<'gc>>, piccolo::Function<'gc>)> = paths
        .iter()
        .filter_map(|p| {
            let names = p.split('.').map(|n| ctx.intern(n.as_bytes())).collect();
            Some((names, global_function(ctx, p)?))
        })
        .collect();
    let complete = guards.len() == paths.len();
    Callback::from_fn_with(&ctx, guards, move |guards, ctx, exec, stack| {
        let in_place = complete
            && guards.iter().all(|(names, builtin)| {
                let mut v = Value::Table(ctx.globals());
                for name in names {
                    v = match v {
                        Value::Table(t) => t.get_value(Value::String(*name)),
                        _ => Value::Nil,
                    };
                }
                matches!(v, Value::Function(f) if f == *builtin)
            });
        if in_place {
            native(ctx, exec, stack)
        } else {
            declined(ctx, stack)
        }
    })
}

/// `normalizeMessage`'s renaming in `.process` (while `Utils.normalize` is the built-in one,
/// which the caller checks): every root key that `utils.normalize` changes is renamed (in
/// `pairs` order: removed, then set under its new name), then every tag's string `name`
/// that it changes is replaced. Done here for a plain `msg` (no metatable) whose keys are
/// all strings and whose `Tags`, if a table, is plain and holds plain tag tables: returns
/// true. Anything else gives nil before changing anything, and the Lua does it. The stores
/// are logged as Lua's are.
fn normalize_keys<'gc>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> Result<CallbackReturn<'gc>, piccolo::Error<'gc>> {
    let Some(msg) = plain(stack.get(0)) else {
        return declined(ctx, stack);
    };
    let tag_list = crate::vm::undo::field(ctx, msg, "Tags");
    let tags = if matches!(tag_list, Value::Table(_)) {
        let all_plain = plain(tag_list).and_then(|list| {
            items(ctx, list)
                .into_iter()
                .map(plain)
                .collect::<Option<Vec<_>>>()
        });
        let Some(tags) = all_plain else {
            return declined(ctx, stack);
        };
        tags
    } else {
        Vec::new()
    };
    let Some(keys) = string_keys(msg) else {
        return declined(ctx, stack);
    };
    let fuel = rename_keys(ctx, msg, keys, &tags)?;
    exec.fuel().consume(fuel);
    stack.replace(ctx, true);
    Ok(CallbackReturn::Return)
}

/// The fields of `msg` (in no particular order), when every key is a string.
pub(super) fn string_keys<'gc>(msg: Table<'gc>) -> Option<Vec<(piccolo::String<'gc>, Value<'gc>)>> {
    let mut keys = Vec::new();
    for (k, v) in msg.iter() {
        match k {
            Value::String(k) => keys.push((k, v)),
            // `pairs` would give such keys their identities now (see `ordered_pairs`).
            _ => return None,
        }
    }
    Some(keys)
}

/// `normalizeMessage`'s renaming of `msg`'s fields `keys` and of the
/// string names of its plain `tags`, logged; returns its fuel.
pub(super) fn rename_keys<'gc>(
    ctx: Context<'gc>,
    msg: Table<'gc>,
    keys: Vec<(piccolo::String<'gc>, Value<'gc>)>,
    tags: &[Table<'gc>],
) -> Result<i32, piccolo::Error<'gc>> {
    let mut fuel = 0;
    let mut renamed = Vec::new();
    for (key, value) in keys {
        fuel += crate::stdlib::args::byte_fuel(key.len() as usize);
        if let Some(norm) = normalize_key(key.as_bytes()) {
            renamed.push((key, norm, value));
        }
    }
    // In `pairs` order (sorted by key), as the Lua renames them.
    renamed.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    for (key, norm, value) in renamed {
        crate::vm::undo::raw_set(ctx, msg, Value::String(key), Value::Nil)?;
        let norm = crate::stdlib::args::new_string(ctx, norm);
        crate::vm::undo::raw_set(ctx, msg, norm, value)?;
    }
    let name_key = Value::String(super::names::names(ctx).name);
    for &tag in tags {
        if let Value::String(name) = tag.get_value(name_key) {
            fuel += crate::stdlib::args::byte_fuel(name.len() as usize);
            if let Some(norm) = normalize_key(name.as_bytes()) {
                let norm = crate::stdlib::args::new_string(ctx, norm);
                crate::vm::undo::raw_set(ctx, tag, name_key, norm)?;
            }
        }
    }
    Ok(fuel)
}

/// The string `Prompt()` of `.process` builds (once per message, twice for one that goes to
/// the Inbox), called as `prompt(Colors, Name, process._version, Inbox)`, for the usual
/// case: `Colors` a plain table whose `green`, `gray`, `blue`, `red` and `reset` are
/// strings, `Name` and the version strings, `Inbox` a plain table (its `#` is its border)
/// and `tostring` the built-in one. Anything else gives nil and the Lua concatenates (with
/// its errors).
fn prompt<'gc>(
    ctx: Context<'gc>,
    exec: Execution<'gc, '_>,
    stack: Stack<'gc, '_>,
) -> Result<CallbackReturn<'gc>, piccolo::Error<'gc>> {
    let (Some(colors), Value::String(name), Value::String(version), Some(inbox)) = (
        plain(stack.get(0)),
        stack.get(1),
        stack.get(2),
        plain(stack.get(3)),
    ) else {
        return declined(ctx, stack);
    };
    match prompt_text(ctx, colors, name, version, inbox) {
        Some(text) => returned_text(ctx, exec, stack, text),
        None => declined(ctx, stack),
    }
}

/// `Prompt()`'s text from plain `Colors` and `Inbox`, when the colours are strings.
pub(super) fn prompt_text<'gc>(
    ctx: Context<'gc>,
    colors: Table<'gc>,
    name: piccolo::String<'gc>,
    version: piccolo::String<'gc>,
    inbox: Table<'gc>,
) -> Option<Vec<u8>> {
    let n = super::names::names(ctx);
    let [green, gray, blue, red, reset] =
        string_fields(colors, [n.green, n.gray, n.blue, n.red, n.reset])?;
    let count = inbox.length().to_string();
    let parts: [&[u8]; 14] = [
        green.as_bytes(),
        name.as_bytes(),
        gray.as_bytes(),
        b"@",
        blue.as_bytes(),
        b"aos-",
        version.as_bytes(),
        gray.as_bytes(),
        b"[Inbox:",
        red.as_bytes(),
        count.as_bytes(),
        gray.as_bytes(),
        b"]",
        reset.as_bytes(),
    ];
    let mut text = Vec::with_capacity(parts.iter().map(|p| p.len()).sum::<usize>() + 2);
    for part in parts {
        text.extend_from_slice(part);
    }
    text.extend_from_slice(b"> ");
    Some(text)
}

/// The string fields `names` of a plain table, when each is a string (`Colors.gray`...).
fn string_fields<'gc, const N: usize>(
    t: Table<'gc>,
    names: [piccolo::String<'gc>; N],
) -> Option<[piccolo::String<'gc>; N]> {
    let mut out = names;
    for (slot, name) in out.iter_mut().zip(names) {
        let Value::String(s) = t.get_value(Value::String(name)) else {
            return None;
        };
        *slot = s;
    }
    Some(out)
}

/// Returns `text` as the Lua string a stand-in built (the fuel of its concatenation).
fn returned_text<'gc>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
    text: Vec<u8>,
) -> Result<CallbackReturn<'gc>, piccolo::Error<'gc>> {
    exec.fuel().consume(4);
    let text = crate::stdlib::args::new_string(ctx, text);
    stack.replace(ctx, text);
    Ok(CallbackReturn::Return)
}

/// The line the Inbox's default handler prints for a message with an `Action`, called as
/// `inboxText(msg, Colors)`: `Colors.gray .. "New Message From " .. Colors.green .. from ..
/// Colors.gray .. ": " .. Colors.gray .. "Action = " .. Colors.blue .. string.sub(msg.Action,
/// 1, 20) .. Colors.reset`, where `from` is the first and last three bytes of `msg.From`
/// around `...` (`string.sub(From, 1, 3)`, `string.sub(From, -3)`), or `unknown` when it is
/// nil or false. For the usual case: `msg` and `Colors` plain tables, the colours, `From`
/// (when set) and `Action` strings, `string.sub` the built-in one (the caller's guard).
/// Anything else (no `Action`: the Data branch) gives nil and the Lua builds the line.
fn inbox_text<'gc>(
    ctx: Context<'gc>,
    exec: Execution<'gc, '_>,
    stack: Stack<'gc, '_>,
) -> Result<CallbackReturn<'gc>, piccolo::Error<'gc>> {
    let (Some(msg), Some(colors)) = (plain(stack.get(0)), plain(stack.get(1))) else {
        return declined(ctx, stack);
    };
    let n = super::names::names(ctx);
    let from = match msg.get_value(Value::String(n.From)) {
        Value::Nil | Value::Boolean(false) => None,
        Value::String(s) => Some(s),
        _ => return declined(ctx, stack),
    };
    let (Value::String(action), Some([gray, green, blue, reset])) = (
        msg.get_value(Value::String(n.Action)),
        string_fields(colors, [n.gray, n.green, n.blue, n.reset]),
    ) else {
        return declined(ctx, stack);
    };
    let mut text = Vec::with_capacity(128);
    text.extend_from_slice(gray.as_bytes());
    text.extend_from_slice(b"New Message From ");
    text.extend_from_slice(green.as_bytes());
    match from {
        Some(from) => {
            let bytes = from.as_bytes();
            text.extend_from_slice(&bytes[..bytes.len().min(3)]);
            text.extend_from_slice(b"...");
            text.extend_from_slice(&bytes[bytes.len().saturating_sub(3)..]);
        }
        None => text.extend_from_slice(b"unknown"),
    }
    for part in [
        gray.as_bytes(),
        b": ",
        gray.as_bytes(),
        b"Action = ",
        blue.as_bytes(),
    ] {
        text.extend_from_slice(part);
    }
    let action = action.as_bytes();
    text.extend_from_slice(&action[..action.len().min(20)]);
    text.extend_from_slice(reset.as_bytes());
    returned_text(ctx, exec, stack, text)
}

/// `process.handle`'s upkeep of `Handlers.coroutines` after each message, called as
/// `keepWaiting(Handlers.coroutines, co)`: `table.insert(list, co)`, then, walking the list
/// with `ipairs`, `table.remove(list, i)` for each dead coroutine (the item after a removed
/// one moves into its place and is not looked at, as in aos). Done here, writing only the
/// slots whose value differs at the end (usually none: the message's coroutine finished and
/// the list is empty), for a plain list (no metatable) of coroutines without holes, `co` a
/// coroutine, and `table.insert`, `table.remove`, `ipairs` and `coroutine.status` the
/// built-in ones: returns true. Anything else gives nil and the Lua does it.
fn keep_waiting<'gc>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> Result<CallbackReturn<'gc>, piccolo::Error<'gc>> {
    let (Some(list), co @ Value::Thread(_)) = (plain(stack.get(0)), stack.get(1)) else {
        return declined(ctx, stack);
    };
    let mut kept = items(ctx, list);
    // `table.insert` appends at `#list`, which is where `ipairs` stops only without holes.
    if kept.iter().any(|c| !matches!(c, Value::Thread(_))) || list.length() != kept.len() as i64 {
        return declined(ctx, stack);
    }
    let before = kept.len();
    kept.push(co);
    exec.fuel()
        .consume(i32::try_from(kept.len()).unwrap_or(i32::MAX));
    let mut i = 0;
    while i < kept.len() {
        if matches!(kept[i], Value::Thread(t) if t.mode() == piccolo::ThreadMode::Stopped) {
            kept.remove(i);
        }
        i += 1;
    }
    for (k, item) in kept.iter().enumerate() {
        let key = Value::Integer(k as i64 + 1);
        if !crate::stdlib::base::raw_equal(list.get_value(key), *item) {
            crate::vm::undo::raw_set(ctx, list, key, *item)?;
        }
    }
    for k in kept.len()..before {
        crate::vm::undo::raw_set(ctx, list, Value::Integer(k as i64 + 1), Value::Nil)?;
    }
    stack.replace(ctx, true);
    Ok(CallbackReturn::Return)
}

/// `extractTags(msg)` of `.ao` (`ao.normalize`: every tag's value stored in `msg` under the
/// tag's name, in tag order, unless `ao.nonExtractableTags` lists the name), called as
/// `extractTags(msg, ao.nonExtractableTags)` for the usual case: `msg`, its `Tags` and every
/// tag plain tables, every tag name a string, and the list a plain table whose items (up to
/// the first nil, as `ipairs` reads them) are strings; `type`, `getmetatable` and `ipairs`
/// (which the Lua calls) the built-in ones. Returns true. Anything else gives nil before
/// changing anything, and the Lua does it (with its errors: a nil name is a nil index). The
/// stores are logged as Lua's are.
fn extract_tags<'gc>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> Result<CallbackReturn<'gc>, piccolo::Error<'gc>> {
    let (Some(msg), Some(list)) = (plain(stack.get(0)), plain(stack.get(1))) else {
        return declined(ctx, stack);
    };
    let Some(tags) = plain(crate::vm::undo::field(ctx, msg, "Tags")) else {
        return declined(ctx, stack);
    };
    let skip: Option<Vec<piccolo::String<'gc>>> = items(ctx, list)
        .into_iter()
        .map(|v| match v {
            Value::String(s) => Some(s),
            _ => None,
        })
        .collect();
    let Some(skip) = skip else {
        return declined(ctx, stack);
    };
    // The Lua reads each tag after storing the ones before it: a tag that is `msg` itself
    // would see those stores.
    let Some(entries) = named_tags(ctx, tags, Some(msg)) else {
        return declined(ctx, stack);
    };
    exec.fuel()
        .consume(i32::try_from(entries.len() + 1 + skip.len()).unwrap_or(i32::MAX));
    store_tags(ctx, msg, &entries, &skip)?;
    stack.replace(ctx, true);
    Ok(CallbackReturn::Return)
}

/// `extractTags`'s stores: each tag's value under its name in `msg`, in tag order, unless
/// `skip` lists the name; logged.
pub(super) fn store_tags<'gc>(
    ctx: Context<'gc>,
    msg: Table<'gc>,
    entries: &[(piccolo::String<'gc>, Value<'gc>)],
    skip: &[piccolo::String<'gc>],
) -> Result<(), piccolo::Error<'gc>> {
    for &(name, value) in entries {
        if !skip.iter().any(|s| s.as_bytes() == name.as_bytes()) {
            crate::vm::undo::raw_set(ctx, msg, Value::String(name), value)?;
        }
    }
    Ok(())
}

/// A new table sized as a Lua table constructor with `array` list items and `map` named
/// fields sizes it, so it is laid out as the constructor's table would be.
pub(super) fn constructed(ctx: Context<'_>, array: usize, map: usize) -> Table<'_> {
    let mut raw = piccolo::table::RawTable::new(&ctx);
    raw.reserve_array(array);
    raw.reserve_map(map);
    Table::from_parts(&ctx, raw, None)
}

/// `utils.normalize` of `key`, or `None` when that leaves it unchanged.
pub(super) fn normalize_key(key: &[u8]) -> Option<Vec<u8>> {
    if normalized(key).eq(key.iter().copied()) {
        return None;
    }
    Some(normalized(key).collect())
}

/// The bytes of `utils.normalize(key)`: `_` becomes `-`, then lower case, then an
/// upper-case letter at the start and after each `-` (ASCII, as Lua's C locale).
pub(super) fn normalized(key: &[u8]) -> impl Iterator<Item = u8> + '_ {
    let mut starts_word = true;
    key.iter().map(move |&b| {
        let b = if b == b'_' {
            b'-'
        } else {
            b.to_ascii_lowercase()
        };
        let out = if starts_word {
            b.to_ascii_uppercase()
        } else {
            b
        };
        starts_word = out == b'-';
        out
    })
}

/// Inserts at `package.searchers[2]` a searcher that reports `module NAME not found`, as
/// aos's module searcher does for a name it does not have.
fn install_searcher(ctx: piccolo::Context<'_>) -> Result<(), Error> {
    let Value::Table(package) = ctx.globals().get(ctx, "package") else {
        return Err(Error::Lua("the runtime needs the package library".into()));
    };
    let Value::Table(searchers) = package.get(ctx, "searchers") else {
        return Err(Error::Lua("the runtime needs package.searchers".into()));
    };
    let searcher = Callback::from_fn(&ctx, |ctx, _, mut stack| {
        let name = match stack.get(0) {
            Value::String(s) => s.to_str_lossy().into_owned(),
            other => other.type_name().to_owned(),
        };
        let msg = format!("module {name} not found");
        stack.replace(ctx, ctx.intern(msg.as_bytes()));
        Ok(CallbackReturn::Return)
    });
    let mut n = searchers.length();
    while n >= 2 {
        let _ = searchers.set(ctx, n + 1, searchers.get(ctx, n));
        n -= 1;
    }
    let _ = searchers.set(ctx, 2, searcher);
    Ok(())
}

fn preload(ctx: piccolo::Context<'_>) -> Result<Table<'_>, Error> {
    let Value::Table(package) = crate::vm::undo::field(ctx, ctx.globals(), "package") else {
        return Err(Error::Lua("the runtime needs the package library".into()));
    };
    let Value::Table(preload) = crate::vm::undo::field(ctx, package, "preload") else {
        return Err(Error::Lua("the runtime needs package.preload".into()));
    };
    Ok(preload)
}

/// The chunk name a built-in module is loaded under, as `load(source, name)` would show it
/// (aos loads its modules so).
fn chunk_name(module: &str) -> String {
    format!("[string \"{module}\"]")
}

/// How the chunk `name` with `source` compiles its table reads: the built-in modules leave
/// them to the VM (see [`Reads::Vm`]), everything else has Lua's semantics.
pub fn reads_for(name: &str, source: &[u8]) -> Reads {
    LUA_MODULES
        .iter()
        .find(|(module, text)| text.as_bytes() == source && chunk_name(module) == name)
        .map_or(Reads::Lua, |(module, _)| module_reads(module))
}

/// How a built-in module's reads compile: `.crypto`'s index what programs give them (a
/// string where aos expects a byte array reads as empty there, through the string
/// metatable), so they keep Lua's semantics; the rest index their own tables only.
fn module_reads(module: &str) -> Reads {
    if is_crypto(module) {
        Reads::LuaInRuntime
    } else {
        Reads::Vm
    }
}

/// The global through which `.process` receives the native helpers at install time.
const NATIVES_GLOBAL: &str = "_AOLITE_NATIVES";

/// Registers the built-in Lua modules and loads `.process`; returns its `handle` function.
/// [`install_natives`] must have run first.
pub fn install(vm: &mut Vm) -> Result<StashedFunction, Error> {
    let mut loaders = Vec::with_capacity(LUA_MODULES.len());
    for (name, source) in LUA_MODULES {
        if is_lazy(name) {
            continue;
        }
        loaders.push((
            *name,
            vm.load_with(&chunk_name(name), source.as_bytes(), Reads::Vm)?,
        ));
    }
    vm.enter(|ctx| {
        let preload = preload(ctx)?;
        for (name, loader) in &loaders {
            let _ = preload.set(ctx, ctx.intern(name.as_bytes()), ctx.fetch(loader));
        }
        // `.process` takes its native helpers from this global and removes it as it loads.
        let natives = crate::state::builtins::by_name(ctx, NATIVES).unwrap_or_default();
        let _ = ctx.globals().set(ctx, NATIVES_GLOBAL, natives);
        Ok::<(), Error>(())
    })?;
    let boot = vm.load("=(aolite)", b"return require('.process').handle")?;
    match vm.call(
        &boot,
        |_| Vec::new(),
        |ctx, values| match values.first() {
            Some(Value::Function(f)) => Some(ctx.stash(*f)),
            _ => None,
        },
    )? {
        Completion::Returned(Some(handle)) => Ok(handle),
        _ => Err(Error::Lua(
            ".process did not provide a handle function".into(),
        )),
    }
}

/// The `package.preload` loader of a module loaded on first `require` (see [`is_lazy`]):
/// compiles the module (the compile cache makes this cheap after the first process) into a
/// closure with the globals as `_ENV`, as every runtime module has, and calls it with the
/// loader's arguments. `module` is the module (name, source); `None` makes the loader all
/// `.crypto` modules share, which loads the one `require` names.
fn lazy_loader<'gc>(
    ctx: piccolo::Context<'gc>,
    helpers: crate::vm::helpers::Helpers<'gc>,
    limits: crate::vm::SourceLimits,
    module: Option<(&'static str, &'static str)>,
) -> Callback<'gc> {
    Callback::from_fn_with(&ctx, helpers, move |helpers, ctx, _, mut stack| {
        let (name, source) = match module {
            Some(module) => module,
            None => {
                let asked = match stack.get(0) {
                    Value::String(s) => s.as_bytes(),
                    _ => b"",
                };
                let found = LUA_MODULES
                    .iter()
                    .find(|(name, _)| is_crypto(name) && name.as_bytes() == asked);
                let Some((name, source)) = found else {
                    let asked = String::from_utf8_lossy(asked).into_owned();
                    return Err(format!("module '{asked}' not found").into_value(ctx).into());
                };
                (*name, *source)
            }
        };
        let closure = crate::vm::compile::load(
            ctx,
            &chunk_name(name),
            source.as_bytes(),
            Value::Table(ctx.globals()),
            *helpers,
            &limits,
            module_reads(name),
        )
        .map_err(|e| e.to_string().into_value(ctx))?;
        if is_crypto(name) {
            // `.crypto`'s modules get their own name (one source serves several names) and
            // the native functions they need: the hash functions, AES's block function, or
            // the MORUS and NORX ciphers.
            let native = if name.starts_with(".crypto.cipher.aes") {
                "aes"
            } else if name == ".crypto.cipher.morus" || name == ".crypto.cipher.norx" {
                "aead"
            } else {
                "digest"
            };
            let native = match crate::state::builtins::by_name(ctx, NATIVES) {
                Some(Value::Table(natives)) => crate::vm::undo::field(ctx, natives, native),
                _ => Value::Nil,
            };
            stack.replace(ctx, (ctx.intern(name.as_bytes()), native));
        }
        Ok(CallbackReturn::Call {
            function: piccolo::Function::Closure(closure),
            then: None,
        })
    })
}

/// `{name, value}` tag tables as aos expects them.
pub fn tag_array<'gc>(ctx: piccolo::Context<'gc>, tags: &[super::Tag]) -> Table<'gc> {
    let t = Table::new(&ctx);
    let n = super::names::names(ctx);
    let (name_key, value_key) = (n.name, n.value);
    for (i, super::Tag { name, value }) in tags.iter().enumerate() {
        let tag = Table::new(&ctx);
        let _ = tag.set(ctx, name_key, ctx.intern(name.as_bytes()));
        let _ = tag.set(ctx, value_key, ctx.intern(value.as_bytes()));
        let _ = t.set(ctx, i as i64 + 1, tag);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::{is_crypto, module_reads, LUA_MODULES};
    use crate::vm::aos_lines::{markers, pad};
    use crate::vm::compile::Reads;

    /// Padding can put every `-- aos:N` line of the `.crypto` modules at aos's line: none is
    /// already past it (which `pad` could not move up).
    #[test]
    fn crypto_modules_pad_to_every_aos_line() {
        let mut checked = 0;
        for (name, source) in LUA_MODULES.iter().filter(|(name, _)| is_crypto(name)) {
            assert_eq!(module_reads(name), Reads::LuaInRuntime, "{name}");
            let padded = pad(source.as_bytes());
            for (_, aos_line) in markers(source.as_bytes()) {
                let line = padded
                    .split(|&b| b == b'\n')
                    .nth(aos_line as usize)
                    .unwrap_or_default();
                let wanted = format!("-- aos:{}", aos_line + 1);
                assert!(
                    line.windows(wanted.len()).any(|w| w == wanted.as_bytes()),
                    "{name}: the marker {wanted} cannot reach its line"
                );
                checked += 1;
            }
        }
        assert!(checked >= 20, "only {checked} markers");
    }
}
