//! `ao.send`'s work up to its reply closures, natively for the usual message (`send` in
//! `.ao`): the reference counted up, the message `newMessage` builds (see
//! `runtime::message_of`), and its copy appended to `ao.outbox.Messages`. Called as
//! `send(msg, ao)` with `.ao`'s own module table; returns the message and its reference
//! text, and `.ao` adds `onReply` and `receive` (Lua closures over both). It runs while
//! `pairs`, `table.insert`, `string.format`, `tostring`, `type` and `assert` are the
//! built-in ones (its guard) for a plain `msg` with string keys and no `Tags`, an integer
//! `ao.reference`, a plain outbox and `Messages`, `Handlers` set and plain globals;
//! anything else returns nil, having changed nothing, and the Lua does it all.

use piccolo::{CallbackReturn, Context, Execution, Stack, Value};

use super::names::{get, names};
use super::runtime::{constructed, declined, message_of, plain};

/// `send(msg, ao)`: the message and its reference text, or nil.
pub(super) fn send<'gc>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> Result<CallbackReturn<'gc>, piccolo::Error<'gc>> {
    let n = names(ctx);
    let globals = ctx.globals();
    let ready = (|| {
        let (msg, ao) = (plain(stack.get(0))?, plain(stack.get(1))?);
        let Value::Integer(reference) = get(ao, n.reference) else {
            return None;
        };
        if globals.metatable().is_some() || !get(globals, n.Handlers).to_bool() {
            return None;
        }
        let messages = plain(get(plain(get(ao, n.outbox))?, n.Messages))?;
        Some((msg, ao, reference.wrapping_add(1), messages))
    })();
    let Some((msg, ao, reference, messages)) = ready else {
        return declined(ctx, stack);
    };
    let ref_text = crate::stdlib::args::new_string(ctx, reference.to_string().into_bytes());
    let Some(message) = message_of(ctx, &mut exec, msg, ref_text, reference) else {
        return declined(ctx, stack);
    };
    crate::vm::undo::raw_set(
        ctx,
        ao,
        Value::String(n.reference),
        Value::Integer(reference),
    )?;
    let copy = constructed(ctx, 0, 4);
    for name in [n.Target, n.Data, n.Anchor, n.Tags] {
        let _ = copy.set_value(&ctx, Value::String(name), get(message, name));
    }
    crate::vm::undo::raw_append(ctx, messages, Value::Table(copy));
    exec.fuel().consume(8);
    stack.replace(ctx, (message, ref_text));
    Ok(CallbackReturn::Return)
}
