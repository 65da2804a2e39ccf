//! aos's `print` for a string, natively (`print` in `.process` calls it first): the line
//! joins the outbox's output (`ao.outbox.Output = { data = <data so far> .. "\n" .. line,
//! prompt = Prompt(), print = true }`) and, while a message is being handled, the printed
//! lines (`HANDLER_PRINT_LOGS`); the result is nil then, else the line. Called as
//! `print(a, runtime, version)`; it runs for a string `a` while `Prompt` and `ao` are the
//! installed ones (`runtime`), `type`, `tostring` and `table.insert` the built-in ones (its
//! guard), the globals, `ao`, its outbox and `Output`, `Colors`, `Inbox` and the printed
//! lines plain, the output so far a string or nil and `Name` a string. Anything else (a
//! table, a number...) returns nothing, having changed nothing, and the Lua prints it.

use piccolo::{CallbackReturn, Context, Execution, Stack, Value};

use super::epilogue::{output_table, prompt_now};
use super::names::{get, names};
use super::runtime::{declined, plain};

/// `print(a, runtime, version)`: true and what aos's `print` returns, or nil.
pub(super) fn print<'gc>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> Result<CallbackReturn<'gc>, piccolo::Error<'gc>> {
    let n = names(ctx);
    let globals = ctx.globals();
    let ready = (|| {
        let (Value::String(line), Some(runtime), Value::String(version)) =
            (stack.get(0), plain(stack.get(1)), stack.get(2))
        else {
            return None;
        };
        let ao = super::prologue::runtime_ao(ctx, n, runtime)?;
        let outbox = plain(get(ao, n.outbox))?;
        let output = plain(get(outbox, n.Output))?;
        let so_far = match get(output, n.data) {
            Value::Nil | Value::Boolean(false) => None,
            Value::String(s) => Some(s),
            _ => return None,
        };
        let logs = match get(globals, n.HANDLER_PRINT_LOGS) {
            Value::Nil | Value::Boolean(false) => None,
            other => Some(plain(other)?),
        };
        let prompt = prompt_now(ctx, n, runtime, version)?;
        let mut data = Vec::new();
        if let Some(so_far) = so_far {
            data.extend_from_slice(so_far.as_bytes());
            data.push(b'\n');
        }
        data.extend_from_slice(line.as_bytes());
        // Room for the joined text, as the Lua's concatenation checks.
        if data.len() > crate::vm::budget::room(ctx) {
            return None;
        }
        Some((line, outbox, logs, data, prompt))
    })();
    let Some((line, outbox, logs, data, prompt)) = ready else {
        return declined(ctx, stack);
    };
    let fresh = output_table(ctx, n, data, prompt);
    crate::vm::undo::raw_set(ctx, outbox, Value::String(n.Output), Value::Table(fresh))?;
    exec.fuel().consume(8);
    match logs {
        Some(logs) => {
            crate::vm::undo::raw_append(ctx, logs, Value::String(line));
            stack.replace(ctx, (true, Value::Nil));
        }
        None => stack.replace(ctx, (true, line)),
    }
    Ok(CallbackReturn::Return)
}
