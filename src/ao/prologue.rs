//! The first steps of `.process`'s `handle` for the usual message, natively: `ao.init(env)`,
//! the message's normalisation (keys and tag names through `Utils.normalize`, tags to the
//! root), `ao.id`, `initializeState`, the tag maps of the message and of the process
//! (`Tab`) and `ao.clearOutbox()`. In Lua that is some twenty calls and a few hundred
//! instructions per message, about a third of the runtime's own work on an empty handler.
//!
//! `begin(msg, env, runtime)` does them only when they would run no code but the runtime's
//! own and would take no unusual branch; it decides that from a read-only look at the state
//! first and changes nothing when it declines (nil), so the Lua then runs every step as aos
//! writes it. `runtime` is `.process`'s table of the functions the steps call as installed
//! (`ao`, `init`, `clearOutbox`, `normalize`, `Tab`, `utilsNormalize`): a program that
//! replaced any of them gets its own function called, from the Lua. The stores are logged
//! as Lua's are; the outbox `ao.init` makes and `clearOutbox` replaces before anything can
//! see it is not made.

use gc_arena::Gc;
use piccolo::{CallbackReturn, Context, Execution, IntoValue, Stack, Table, Value};

use super::runtime::{
    authorities_known, constructed, declined, handler_entry, items, map_of_tags, named_tags,
    normalize_key, plain, rename_keys, store_tags, string_keys, update_entry,
};

/// What `begin` found it can do, read before anything changes.
struct Plan<'gc> {
    runtime: Table<'gc>,
    ao: Table<'gc>,
    env: Table<'gc>,
    msg: Table<'gc>,
    msg_tags: Table<'gc>,
    tags: Vec<Table<'gc>>,
    keys: Vec<(piccolo::String<'gc>, Value<'gc>)>,
    skip: Vec<piccolo::String<'gc>>,
    process: Table<'gc>,
    process_tags: Table<'gc>,
    process_entries: Vec<(piccolo::String<'gc>, Value<'gc>)>,
    fuel: usize,
}

/// `begin(msg, env, runtime)`: true once the steps are done, nil (nothing done) otherwise.
/// Its guard (see `runtime::guarded`) holds `pairs`, `ipairs`, `type`, `getmetatable` and
/// `string.gmatch`, which the steps' Lua calls.
pub(super) fn begin<'gc>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> Result<CallbackReturn<'gc>, piccolo::Error<'gc>> {
    let Some(plan) = plan(ctx, stack.get(0), stack.get(1), stack.get(2)) else {
        return declined(ctx, stack);
    };
    let (fuel, msg, ao, process) = (plan.fuel, plan.msg, plan.ao, plan.process);
    let runtime = plan.runtime;
    apply(ctx, plan)?;
    let registered = register_handlers(ctx, msg, ao, process, runtime)?;
    let fuel = fuel + registered.unwrap_or(0);
    exec.fuel().consume(i32::try_from(fuel).unwrap_or(i32::MAX));
    stack.replace(ctx, if registered.is_some() { 2 } else { 1 });
    Ok(CallbackReturn::Return)
}

/// The steps after `ao.clearOutbox()` up to the handlers' run, when they take the usual
/// branches: the message is trusted (`From` is its `Owner` or one of them is in
/// `ao.authorities`), not an assignment (`Target` is `ao.id`), not the process's own, and
/// `_eval` and `_default` are already in `Handlers.list` (plain entries) while `Handlers`,
/// `Handlers.add`, `Handlers.append`, `Handlers.generateResolver`, `ao.isTrusted` and
/// `ao.isAssignment` are the installed ones: both entries get `register`'s update; returns
/// the fuel. Anything else changes nothing here (`None`) and the Lua goes on from the trust
/// check (whose reads change nothing).
fn register_handlers<'gc>(
    ctx: Context<'gc>,
    msg: Table<'gc>,
    ao: Table<'gc>,
    process: Table<'gc>,
    runtime: Table<'gc>,
) -> Result<Option<usize>, piccolo::Error<'gc>> {
    let same = crate::stdlib::base::raw_equal;
    let part = |name: &str| field(ctx, runtime, name);
    let in_place = same(field(ctx, ao, "isTrusted"), part("isTrusted"))
        && same(field(ctx, ao, "isAssignment"), part("isAssignment"));
    let (Value::String(from), Value::String(owner)) =
        (field(ctx, msg, "From"), field(ctx, msg, "Owner"))
    else {
        return Ok(None);
    };
    let Some(authorities) = plain(field(ctx, ao, "authorities")) else {
        return Ok(None);
    };
    let authorities = items(ctx, authorities);
    let trusted = from == owner
        || authorities
            .iter()
            .any(|a| same(*a, Value::String(from)) || same(*a, Value::String(owner)));
    // `msg.Target ~= ao.id` and `env.Process.Id == msg.Id`, with no `__eq` to call.
    let (target, id) = (field(ctx, msg, "Target"), field(ctx, ao, "id"));
    let compared_raw = !matches!((target, id), (Value::Table(_), Value::Table(_)));
    let usual = in_place
        && trusted
        && compared_raw
        && same(target, id)
        && !same(field(ctx, process, "Id"), field(ctx, msg, "Id"));
    let Value::Table(handlers) = crate::vm::undo::global_path(ctx, "Handlers") else {
        return Ok(None);
    };
    let handlers_in_place = same(Value::Table(handlers), part("Handlers"))
        && ["add", "append", "generateResolver"]
            .iter()
            .all(|name| same(field(ctx, handlers, name), part(name)));
    let list = plain(field(ctx, handlers, "list"));
    let (Some(list), true, true) = (list, usual, handlers_in_place) else {
        return Ok(None);
    };
    let (eval, eval_steps) = handler_entry(ctx, list, Value::String(ctx.intern(b"_eval")));
    let (default, default_steps) = handler_entry(ctx, list, Value::String(ctx.intern(b"_default")));
    let (Some(eval), Some(default)) = (eval, default) else {
        return Ok(None);
    };
    update_entry(ctx, eval, part("evalPattern"), part("evalResolver"))?;
    update_entry(
        ctx,
        default,
        part("defaultPattern"),
        part("defaultResolver"),
    )?;
    let steps = usize::try_from(eval_steps + default_steps).unwrap_or(0);
    Ok(Some(authorities.len() + steps))
}

/// A raw field of a plain table.
fn field<'gc>(ctx: Context<'gc>, t: Table<'gc>, name: &str) -> Value<'gc> {
    crate::vm::undo::field(ctx, t, name)
}

/// Whether `v` is the empty string (`ao.id == ""`: `ao.init`'s first-message branches).
fn is_empty_string(v: Value<'_>) -> bool {
    matches!(v, Value::String(s) if s.as_bytes().is_empty())
}

fn plan<'gc>(
    ctx: Context<'gc>,
    msg: Value<'gc>,
    env: Value<'gc>,
    runtime: Value<'gc>,
) -> Option<Plan<'gc>> {
    let (msg, env, runtime) = (plain(msg)?, plain(env)?, plain(runtime)?);
    let globals = ctx.globals();
    if globals.metatable().is_some() {
        return None;
    }
    let global = |name: &str| field(ctx, globals, name);
    let same = |a: Value<'gc>, b: Value<'gc>| crate::stdlib::base::raw_equal(a, b);
    // The runtime's functions, as installed.
    let ao = plain(global("ao"))?;
    let Value::Table(utils) = global("Utils") else {
        return None;
    };
    let in_place = same(Value::Table(ao), field(ctx, runtime, "ao"))
        && ["init", "clearOutbox", "normalize"]
            .iter()
            .all(|name| same(field(ctx, ao, name), field(ctx, runtime, name)))
        && same(global("Tab"), field(ctx, runtime, "Tab"))
        && same(
            field(ctx, utils, "normalize"),
            field(ctx, runtime, "utilsNormalize"),
        );
    // State that only a process's first messages set up (the Lua does those).
    let set_up = ["Seeded", "Name", "Errors", "Inbox"]
        .iter()
        .all(|name| global(name).to_bool())
        && !is_empty_string(field(ctx, ao, "id"))
        && !is_empty_string(field(ctx, ao, "_module"));
    if !(in_place && set_up) {
        return None;
    }
    // The process: `ao.init`'s Authority tags already known, `Tab` of its tags.
    let process = plain(field(ctx, env, "Process"))?;
    if !matches!(field(ctx, process, "Id"), Value::String(_)) {
        return None;
    }
    let process_tags = plain(field(ctx, process, "Tags"))?;
    let process_entries = named_tags(ctx, process_tags, None)?;
    let authorities = plain(field(ctx, ao, "authorities"))?;
    let walked = authorities_known(ctx, process_tags, authorities)?;
    // The message: string keys, plain tags with string names; none renamed to `Tags` (the
    // tag list must stay the one read), and no JSON Data to decode (the Lua does that).
    let keys = string_keys(msg)?;
    let msg_tags = plain(field(ctx, msg, "Tags"))?;
    let tags: Vec<Table<'gc>> = items(ctx, msg_tags)
        .into_iter()
        .map(plain)
        .collect::<Option<_>>()?;
    let entries = named_tags(ctx, msg_tags, Some(msg))?;
    let renamed = |name: &[u8]| normalize_key(name).unwrap_or_else(|| name.to_vec());
    if keys
        .iter()
        .any(|(k, _)| k.as_bytes() != b"Tags" && renamed(k.as_bytes()) == b"Tags")
    {
        return None;
    }
    let mut content_type = None;
    for (name, value) in &entries {
        let name = renamed(name.as_bytes());
        if name == b"Tags" {
            return None;
        }
        if name == b"Content-Type" && content_type.is_none() && value.to_bool() {
            content_type = Some(*value);
        }
    }
    if matches!(content_type, Some(Value::String(s)) if s.as_bytes() == b"application/json") {
        return None;
    }
    let skip: Vec<piccolo::String<'gc>> = items(ctx, plain(field(ctx, ao, "nonExtractableTags"))?)
        .into_iter()
        .map(|v| match v {
            Value::String(s) => Some(s),
            _ => None,
        })
        .collect::<Option<_>>()?;
    // `initializeState` sets `Owner` on the process's own message when it has none.
    if !global("Owner").to_bool()
        && same(final_id(&keys, &entries, &skip), field(ctx, process, "Id"))
    {
        return None;
    }
    // The tables written (`ao`, the message, its tags, the process) are none of the tables
    // read, so what was read above still holds while they are written.
    let written: Vec<Table<'gc>> = [ao, msg, process]
        .into_iter()
        .chain(tags.iter().copied())
        .collect();
    let read = [
        globals,
        runtime,
        utils,
        env,
        process_tags,
        msg_tags,
        authorities,
    ];
    let mut read: Vec<usize> = read.into_iter().map(address).collect();
    for tag in items(ctx, process_tags) {
        read.extend(plain(tag).map(address));
    }
    read.sort_unstable();
    let mut written: Vec<usize> = written.into_iter().map(address).collect();
    written.sort_unstable();
    // A tag listed twice is renamed once, as in the Lua.
    written.dedup();
    if written.len() < tags_unique(&tags) + 3
        || written.iter().any(|w| read.binary_search(w).is_ok())
    {
        return None;
    }
    let fuel = 4 + walked + 2 * entries.len() + skip.len() + process_entries.len() + keys.len();
    Some(Plan {
        runtime,
        ao,
        env,
        msg,
        msg_tags,
        tags,
        keys,
        skip,
        process,
        process_tags,
        process_entries,
        fuel,
    })
}

/// The message's `Id` once normalised: its own, or the last root key renamed to `Id`, then
/// the last tag named `Id` (once normalised) that is extracted.
fn final_id<'gc>(
    keys: &[(piccolo::String<'gc>, Value<'gc>)],
    entries: &[(piccolo::String<'gc>, Value<'gc>)],
    skip: &[piccolo::String<'gc>],
) -> Value<'gc> {
    let normalised = |name: &[u8]| normalize_key(name).unwrap_or_else(|| name.to_vec());
    let mut id = keys
        .iter()
        .find(|(k, _)| k.as_bytes() == b"Id")
        .map_or(Value::Nil, |(_, v)| *v);
    for (key, value) in keys {
        if key.as_bytes() != b"Id" && normalised(key.as_bytes()) == b"Id" {
            id = *value;
        }
    }
    if !skip.iter().any(|s| s.as_bytes() == b"Id") {
        for (name, value) in entries {
            if normalised(name.as_bytes()) == b"Id" {
                id = *value;
            }
        }
    }
    id
}

/// The number of distinct tables among `tags`.
fn tags_unique(tags: &[Table<'_>]) -> usize {
    let mut seen: Vec<usize> = tags.iter().map(|t| address(*t)).collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

fn address(t: Table<'_>) -> usize {
    Gc::as_ptr(t.into_inner()) as usize
}

/// The steps, in the Lua's order.
fn apply<'gc>(ctx: Context<'gc>, plan: Plan<'gc>) -> Result<(), piccolo::Error<'gc>> {
    let set = |t: Table<'gc>, key: &str, value: Value<'gc>| {
        crate::vm::undo::raw_set(ctx, t, Value::String(ctx.intern(key.as_bytes())), value)
    };
    // ao.init(env)
    set(plan.ao, "env", Value::Table(plan.env))?;
    // normalizeMsg(msg)
    rename_keys(ctx, plan.msg, plan.keys, &plan.tags)?;
    let entries = named_tags(ctx, plan.msg_tags, Some(plan.msg))
        .ok_or_else(|| "begin: the tags changed while normalised".into_value(ctx))?;
    store_tags(ctx, plan.msg, &entries, &plan.skip)?;
    // ao.id = ao.env.Process.Id
    set(plan.ao, "id", field(ctx, plan.process, "Id"))?;
    // msg.TagArray = msg.Tags; msg.Tags = Tab(msg)
    set(plan.msg, "TagArray", Value::Table(plan.msg_tags))?;
    set(plan.msg, "Tags", Value::Table(map_of_tags(ctx, &entries)))?;
    // the same for ao.env.Process
    set(plan.process, "TagArray", Value::Table(plan.process_tags))?;
    let process_map = map_of_tags(ctx, &plan.process_entries);
    set(plan.process, "Tags", Value::Table(process_map))?;
    // ao.clearOutbox()
    let outbox = constructed(ctx, 0, 4);
    for name in ["Output", "Messages", "Spawns", "Assignments"] {
        let _ = outbox.set(ctx, name, Table::new(&ctx));
    }
    set(plan.ao, "outbox", Value::Table(outbox))?;
    Ok(())
}
