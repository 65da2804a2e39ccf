//! The last steps of `.process`'s `handle` for a message its handlers took without an
//! error, natively (`finish` in `.process`): the output (`{ data = logs(), prompt =
//! Prompt(), print = true }`), `ao.result({ Output = output })`, `HANDLER_PRINT_LOGS = {}`
//! and `ao.Nonce = msg.Nonce`, which in Lua are five calls and four tables per message.
//!
//! `finish(msg, runtime, version)` does them when they would run no code but the
//! runtime's own: `Prompt`, `ao.result` and `ao` the installed ones (`runtime`, see
//! `prologue.rs`), `table.concat` and `tostring` the built-in ones (its guard), the message
//! not an `Eval` (whose output differs), the printed lines (`HANDLER_PRINT_LOGS`) strings
//! in a plain list, `Colors`, `Inbox` and the outbox plain, the outbox without an `Error`,
//! and `Name` and `version` (`process._version`) strings. Otherwise it returns nil, having
//! changed nothing, and the Lua does them.

use piccolo::{CallbackReturn, Context, Execution, Stack, Table, Value};

use super::names::{get, names, Names};
use super::runtime::{constructed, declined, plain, prompt_text};

/// `finish(msg, runtime, version)`: the message's result, or nil.
pub(super) fn finish<'gc>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> Result<CallbackReturn<'gc>, piccolo::Error<'gc>> {
    let n = names(ctx);
    let Some((result, lines)) = result(ctx, n, stack.get(0), stack.get(1), stack.get(2))? else {
        return declined(ctx, stack);
    };
    exec.fuel()
        .consume(i32::try_from(8 + lines).unwrap_or(i32::MAX));
    stack.replace(ctx, result);
    Ok(CallbackReturn::Return)
}

/// `Prompt()`'s text for the process as it is (`Colors`, `Name`, `Inbox`), while `Prompt`
/// is the runtime's (`runtime.Prompt`) and those are plain and strings (see
/// `runtime::prompt_text`).
pub(super) fn prompt_now<'gc>(
    ctx: Context<'gc>,
    n: &Names<'gc>,
    runtime: Table<'gc>,
    version: piccolo::String<'gc>,
) -> Option<Vec<u8>> {
    let globals = ctx.globals();
    if !crate::stdlib::base::raw_equal(get(globals, n.Prompt), get(runtime, n.Prompt)) {
        return None;
    }
    let (Some(colors), Value::String(name), Some(inbox)) = (
        plain(get(globals, n.Colors)),
        get(globals, n.Name),
        plain(get(globals, n.Inbox)),
    ) else {
        return None;
    };
    prompt_text(ctx, colors, name, version, inbox)
}

/// `{ data = data, prompt = prompt, print = true }`, as the runtime's outputs are.
pub(super) fn output_table<'gc>(
    ctx: Context<'gc>,
    n: &Names<'gc>,
    data: Vec<u8>,
    prompt: Vec<u8>,
) -> Table<'gc> {
    let output = constructed(ctx, 0, 3);
    let _ = output.set(ctx, n.data, crate::stdlib::args::new_string(ctx, data));
    let _ = output.set(ctx, n.prompt, crate::stdlib::args::new_string(ctx, prompt));
    let _ = output.set(ctx, n.print, true);
    output
}

/// The result and the number of printed lines, or `None` (nothing changed).
fn result<'gc>(
    ctx: Context<'gc>,
    n: &Names<'gc>,
    msg: Value<'gc>,
    runtime: Value<'gc>,
    version: Value<'gc>,
) -> Result<Option<(Table<'gc>, usize)>, piccolo::Error<'gc>> {
    let same = crate::stdlib::base::raw_equal;
    let globals = ctx.globals();
    let (Some(msg), Some(runtime), Value::String(version)) = (plain(msg), plain(runtime), version)
    else {
        return Ok(None);
    };
    let Some(ao) = super::prologue::runtime_ao(ctx, n, runtime) else {
        return Ok(None);
    };
    let in_place = same(get(ao, n.result), get(runtime, n.result))
        && !matches!(get(msg, n.Action), Value::String(a) if a.as_bytes() == b"Eval");
    let outbox = plain(get(ao, n.outbox));
    let logs = plain(get(globals, n.HANDLER_PRINT_LOGS));
    let (Some(outbox), Some(logs), true) = (outbox, logs, in_place) else {
        return Ok(None);
    };
    if !get(outbox, n.Error).is_nil() {
        return Ok(None);
    }
    // `table.concat(HANDLER_PRINT_LOGS, "\n")`: strings only, within the heap's room (as
    // `table.concat` checks before it makes its string).
    let count = logs.length().max(0);
    let mut data = Vec::new();
    for i in 1..=count {
        let Value::String(line) = logs.get(ctx, i) else {
            return Ok(None);
        };
        if i > 1 {
            data.push(b'\n');
        }
        data.extend_from_slice(line.as_bytes());
    }
    if data.len() > crate::vm::budget::room(ctx) {
        return Ok(None);
    }
    let Some(prompt) = prompt_now(ctx, n, runtime, version) else {
        return Ok(None);
    };
    let output = output_table(ctx, n, data, prompt);
    let result = constructed(ctx, 0, 4);
    let _ = result.set(ctx, n.Output, output);
    for name in [n.Messages, n.Spawns, n.Assignments] {
        let _ = result.set(ctx, name, get(outbox, name));
    }
    let set = |t: Table<'gc>, key: piccolo::String<'gc>, value: Value<'gc>| {
        crate::vm::undo::raw_set(ctx, t, Value::String(key), value)
    };
    set(
        globals,
        n.HANDLER_PRINT_LOGS,
        Value::Table(Table::new(&ctx)),
    )?;
    set(ao, n.Nonce, get(msg, n.Nonce))?;
    Ok(Some((result, count as usize)))
}
