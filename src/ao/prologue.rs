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

use super::names::{get, names, Names};
use super::runtime::{
    authorities_known_in, constructed, declined, handler_entry, items, map_of_tags, named_tags,
    normalize_key, normalized, plain, rename_keys, store_tags, string_keys, tag_tables,
    update_entry,
};

/// What `begin` found it can do, read before anything changes.
struct Plan<'gc> {
    runtime: Table<'gc>,
    ao: Table<'gc>,
    env: Table<'gc>,
    msg: Table<'gc>,
    msg_tags: Table<'gc>,
    tags: Vec<Table<'gc>>,
    /// The message's tags as named before the normalisation, and whether it renames any.
    entries: Vec<(piccolo::String<'gc>, Value<'gc>)>,
    tags_renamed: bool,
    keys: Vec<(piccolo::String<'gc>, Value<'gc>)>,
    skip: Vec<piccolo::String<'gc>>,
    process: Table<'gc>,
    process_tags: Table<'gc>,
    process_entries: Vec<(piccolo::String<'gc>, Value<'gc>)>,
    fuel: usize,
}

/// `begin(msg, env, runtime)`: 2 once the steps up to the handlers' run are done, 1 once
/// those up to `ao.clearOutbox()` are (the Lua goes on from the trust check), nil (nothing
/// done) otherwise. Its guard (see `runtime::guarded`) holds `pairs`, `ipairs`, `type`,
/// `getmetatable` and `string.gmatch`, which the steps' Lua calls.
pub(super) fn begin<'gc>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> Result<CallbackReturn<'gc>, piccolo::Error<'gc>> {
    let n = names(ctx);
    let Some(plan) = plan(ctx, n, stack.get(0), stack.get(1), stack.get(2)) else {
        return declined(ctx, stack);
    };
    let (fuel, msg, ao, process) = (plan.fuel, plan.msg, plan.ao, plan.process);
    let runtime = plan.runtime;
    apply(ctx, n, plan)?;
    let registered = register_handlers(ctx, n, msg, ao, process, runtime)?;
    let fuel = fuel + registered.unwrap_or(0);
    exec.fuel().consume(i32::try_from(fuel).unwrap_or(i32::MAX));
    stack.replace(ctx, if registered.is_some() { 2 } else { 1 });
    Ok(CallbackReturn::Return)
}

/// Whether `v` is the empty string (`ao.id == ""`: `ao.init`'s first-message branches).
fn is_empty_string(v: Value<'_>) -> bool {
    matches!(v, Value::String(s) if s.as_bytes().is_empty())
}

fn plan<'gc>(
    ctx: Context<'gc>,
    n: &Names<'gc>,
    msg: Value<'gc>,
    env: Value<'gc>,
    runtime: Value<'gc>,
) -> Option<Plan<'gc>> {
    let (msg, env, runtime) = (plain(msg)?, plain(env)?, plain(runtime)?);
    let globals = ctx.globals();
    let global = |name| get(globals, name);
    let same = crate::stdlib::base::raw_equal;
    // The runtime's functions, as installed.
    let ao = runtime_ao(ctx, n, runtime)?;
    let Value::Table(utils) = global(n.Utils) else {
        return None;
    };
    let in_place = [n.init, n.clearOutbox, n.normalize]
        .into_iter()
        .all(|name| same(get(ao, name), get(runtime, name)))
        && same(global(n.Tab), get(runtime, n.Tab))
        && same(get(utils, n.normalize), get(runtime, n.utilsNormalize));
    // State that only a process's first messages set up (the Lua does those).
    let set_up = [n.Seeded, n.Name, n.Errors, n.Inbox]
        .into_iter()
        .all(|name| global(name).to_bool())
        && !is_empty_string(get(ao, n.id))
        && !is_empty_string(get(ao, n._module));
    if !(in_place && set_up) {
        return None;
    }
    // The process: `ao.init`'s Authority tags already known, `Tab` of its tags.
    let process = plain(get(env, n.Process))?;
    if !matches!(get(process, n.Id), Value::String(_)) {
        return None;
    }
    let process_tags = plain(get(process, n.Tags))?;
    let (process_tag_tables, process_entries) = split_tags(tag_tables(ctx, process_tags, None)?);
    let authorities = plain(get(ao, n.authorities))?;
    if !authorities_known_in(ctx, &process_entries, authorities) {
        return None;
    }
    // The message: string keys, plain tags with string names; none renamed to `Tags` (the
    // tag list must stay the one read), and no JSON Data to decode (the Lua does that).
    let keys = string_keys(msg)?;
    let msg_tags = plain(get(msg, n.Tags))?;
    let (tags, entries) = split_tags(tag_tables(ctx, msg_tags, Some(msg))?);
    if keys
        .iter()
        .any(|(k, _)| k.as_bytes() != b"Tags" && normalizes_to(k.as_bytes(), b"Tags"))
    {
        return None;
    }
    let mut content_type = None;
    let mut tags_renamed = false;
    for (name, value) in &entries {
        tags_renamed |= normalize_key(name.as_bytes()).is_some();
        if normalizes_to(name.as_bytes(), b"Tags") {
            return None;
        }
        if content_type.is_none()
            && value.to_bool()
            && normalizes_to(name.as_bytes(), b"Content-Type")
        {
            content_type = Some(*value);
        }
    }
    if matches!(content_type, Some(Value::String(s)) if s.as_bytes() == b"application/json") {
        return None;
    }
    let skip: Vec<piccolo::String<'gc>> = items(ctx, plain(get(ao, n.nonExtractableTags))?)
        .into_iter()
        .map(|v| match v {
            Value::String(s) => Some(s),
            _ => None,
        })
        .collect::<Option<_>>()?;
    // `initializeState` sets `Owner` on the process's own message when it has none.
    if !global(n.Owner).to_bool() && same(final_id(&keys, &entries, &skip), get(process, n.Id)) {
        return None;
    }
    // The tables written (`ao`, the message, its tags, the process) are none of the tables
    // read, so what was read above still holds while they are written.
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
    read.extend(process_tag_tables.into_iter().map(address));
    read.sort_unstable();
    // A tag listed twice is renamed once, as in the Lua.
    let mut written: Vec<usize> = tags.iter().copied().map(address).collect();
    written.sort_unstable();
    written.dedup();
    let distinct_tags = written.len();
    written.extend([ao, msg, process].map(address));
    written.sort_unstable();
    written.dedup();
    if written.len() < distinct_tags + 3 || written.iter().any(|w| read.binary_search(w).is_ok()) {
        return None;
    }
    // The Authority walk's steps (each tag and its end), then the rest.
    let walked = process_entries.len() + 1;
    let fuel = 4 + walked + 2 * entries.len() + skip.len() + process_entries.len() + keys.len();
    Some(Plan {
        runtime,
        ao,
        env,
        msg,
        msg_tags,
        tags,
        entries,
        tags_renamed,
        keys,
        skip,
        process,
        process_tags,
        process_entries,
        fuel,
    })
}

/// Whether `Utils.normalize` turns `name` into `target`.
fn normalizes_to(name: &[u8], target: &[u8]) -> bool {
    name.len() == target.len() && normalized(name).eq(target.iter().copied())
}

/// The message's `Id` once normalised: its own, or the value of the last root key (in
/// `pairs` order) renamed to `Id`, then the last tag named `Id` (once normalised) that is
/// extracted.
fn final_id<'gc>(
    keys: &[(piccolo::String<'gc>, Value<'gc>)],
    entries: &[(piccolo::String<'gc>, Value<'gc>)],
    skip: &[piccolo::String<'gc>],
) -> Value<'gc> {
    let own = keys.iter().find(|(k, _)| k.as_bytes() == b"Id");
    let renamed = keys
        .iter()
        .filter(|(k, _)| k.as_bytes() != b"Id" && normalizes_to(k.as_bytes(), b"Id"))
        .max_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut id = renamed.or(own).map_or(Value::Nil, |(_, v)| *v);
    if !skip.iter().any(|s| s.as_bytes() == b"Id") {
        for (name, value) in entries {
            if normalizes_to(name.as_bytes(), b"Id") {
                id = *value;
            }
        }
    }
    id
}

/// [`tag_tables`]' tables, and their `(name, value)` pairs.
#[allow(clippy::type_complexity)]
fn split_tags<'gc>(
    tagged: Vec<(Table<'gc>, piccolo::String<'gc>, Value<'gc>)>,
) -> (Vec<Table<'gc>>, Vec<(piccolo::String<'gc>, Value<'gc>)>) {
    tagged
        .into_iter()
        .map(|(tag, name, value)| (tag, (name, value)))
        .unzip()
}

/// The global `ao` when the globals table and `ao` have no metatable and `ao` is the table
/// the runtime installed (`runtime.ao`): what every native step of `handle` starts from.
pub(super) fn runtime_ao<'gc>(
    ctx: Context<'gc>,
    n: &Names<'gc>,
    runtime: Table<'gc>,
) -> Option<Table<'gc>> {
    let globals = ctx.globals();
    if globals.metatable().is_some() {
        return None;
    }
    let ao = plain(get(globals, n.ao))?;
    crate::stdlib::base::raw_equal(Value::Table(ao), get(runtime, n.ao)).then_some(ao)
}

fn address(t: Table<'_>) -> usize {
    Gc::as_ptr(t.into_inner()) as usize
}

/// The steps, in the Lua's order.
fn apply<'gc>(
    ctx: Context<'gc>,
    n: &Names<'gc>,
    plan: Plan<'gc>,
) -> Result<(), piccolo::Error<'gc>> {
    let set = |t: Table<'gc>, key: piccolo::String<'gc>, value: Value<'gc>| {
        crate::vm::undo::raw_set(ctx, t, Value::String(key), value)
    };
    // ao.init(env)
    set(plan.ao, n.env, Value::Table(plan.env))?;
    // normalizeMsg(msg)
    rename_keys(ctx, plan.msg, plan.keys, &plan.tags)?;
    let entries = if plan.tags_renamed {
        named_tags(ctx, plan.msg_tags, Some(plan.msg))
            .ok_or_else(|| "begin: the tags changed while normalised".into_value(ctx))?
    } else {
        plan.entries
    };
    store_tags(ctx, plan.msg, &entries, &plan.skip)?;
    // ao.id = ao.env.Process.Id (usually the id it holds already)
    let id = get(plan.process, n.Id);
    if !crate::stdlib::base::raw_equal(get(plan.ao, n.id), id) {
        set(plan.ao, n.id, id)?;
    }
    // HANDLER_PRINT_LOGS = {}
    set(
        ctx.globals(),
        n.HANDLER_PRINT_LOGS,
        Value::Table(Table::new(&ctx)),
    )?;
    // msg.TagArray = msg.Tags; msg.Tags = Tab(msg)
    set(plan.msg, n.TagArray, Value::Table(plan.msg_tags))?;
    set(plan.msg, n.Tags, Value::Table(map_of_tags(ctx, &entries)))?;
    // the same for ao.env.Process
    set(plan.process, n.TagArray, Value::Table(plan.process_tags))?;
    let process_map = map_of_tags(ctx, &plan.process_entries);
    set(plan.process, n.Tags, Value::Table(process_map))?;
    // ao.clearOutbox()
    let outbox = constructed(ctx, 0, 4);
    for name in [n.Output, n.Messages, n.Spawns, n.Assignments] {
        let _ = outbox.set_value(&ctx, Value::String(name), Value::Table(Table::new(&ctx)));
    }
    set(plan.ao, n.outbox, Value::Table(outbox))?;
    Ok(())
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
    n: &Names<'gc>,
    msg: Table<'gc>,
    ao: Table<'gc>,
    process: Table<'gc>,
    runtime: Table<'gc>,
) -> Result<Option<usize>, piccolo::Error<'gc>> {
    let same = crate::stdlib::base::raw_equal;
    let part = |name| get(runtime, name);
    let in_place = same(get(ao, n.isTrusted), part(n.isTrusted))
        && same(get(ao, n.isAssignment), part(n.isAssignment));
    let (Value::String(from), Value::String(owner)) = (get(msg, n.From), get(msg, n.Owner)) else {
        return Ok(None);
    };
    let Some(authorities) = plain(get(ao, n.authorities)) else {
        return Ok(None);
    };
    let authorities = items(ctx, authorities);
    let trusted = from == owner
        || authorities
            .iter()
            .any(|a| same(*a, Value::String(from)) || same(*a, Value::String(owner)));
    // `msg.Target ~= ao.id` and `env.Process.Id == msg.Id`, with no `__eq` to call.
    let (target, id) = (get(msg, n.Target), get(ao, n.id));
    let compared_raw = !matches!((target, id), (Value::Table(_), Value::Table(_)));
    let usual = in_place
        && trusted
        && compared_raw
        && same(target, id)
        && !same(get(process, n.Id), get(msg, n.Id));
    let Value::Table(handlers) = get(ctx.globals(), n.Handlers) else {
        return Ok(None);
    };
    let handlers_in_place = same(Value::Table(handlers), part(n.Handlers))
        && [n.add, n.append, n.generateResolver]
            .into_iter()
            .all(|name| same(get(handlers, name), part(name)));
    let list = plain(get(handlers, n.list));
    let (Some(list), true, true) = (list, usual, handlers_in_place) else {
        return Ok(None);
    };
    let (eval, eval_steps) = handler_entry(ctx, list, Value::String(n._eval));
    let (default, default_steps) = handler_entry(ctx, list, Value::String(n._default));
    let (Some(eval), Some(default)) = (eval, default) else {
        return Ok(None);
    };
    update_entry(ctx, eval, part(n.evalPattern), part(n.evalResolver))?;
    update_entry(
        ctx,
        default,
        part(n.defaultPattern),
        part(n.defaultResolver),
    )?;
    let steps = usize::try_from(eval_steps + default_steps).unwrap_or(0);
    Ok(Some(authorities.len() + steps))
}
