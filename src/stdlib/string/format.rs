//! `string.format` on piccolo: resolves each argument to a [`FormatArg`] and hands the work
//! to [`crate::stdlib::lua_format`].
//!
//! `%s` of a table or userdata with `__tostring` needs a Lua call, so such calls run first,
//! in argument order, from a [`Sequence`]; the formatting itself happens once all texts are
//! known. (Lua interleaves the calls with the formatting, which only shows if an earlier
//! conversion fails after a `__tostring` with side effects would have run.)

use std::borrow::Cow;

use gc_arena::Collect;
use piccolo::{
    meta_ops::{self, MetaResult},
    BoxSequence, CallbackReturn, Context, Error, Execution, Sequence, SequencePoll, Stack, Value,
};

use super::CallbackResult;
use crate::stdlib::args::{
    arg_error, byte_fuel, check_bytes, lua_error, new_string, to_bytes, type_name,
};
use crate::stdlib::lua_format::{format_detailed, FormatArg, FormatError};
use crate::stdlib::tostring::write_display;

/// Argument positions (0-based, among the values after the format string) that a `%s`
/// conversion consumes. Mirrors the scan in `lua_format` closely enough to find them: the
/// real parser reports any malformed spec later.
fn string_conversions(fmt: &[u8]) -> Vec<usize> {
    let mut found = Vec::new();
    let (mut i, mut arg) = (0, 0);
    while i < fmt.len() {
        if fmt[i] != b'%' {
            i += 1;
            continue;
        }
        i += 1;
        if fmt.get(i) == Some(&b'%') {
            i += 1;
            continue;
        }
        while fmt
            .get(i)
            .is_some_and(|c| b"-+ #0".contains(c) || c.is_ascii_digit() || *c == b'.')
        {
            i += 1;
        }
        if fmt.get(i) == Some(&b's') {
            found.push(arg);
        }
        arg += 1;
        i += 1;
    }
    found
}

/// `luaL_tolstring` without `__tostring`: `type: 0x...`, with `__name` as the type.
fn plain_display<'gc>(ctx: Context<'gc>, v: Value<'gc>) -> Vec<u8> {
    let mut buf = Vec::new();
    write_display(ctx, v, &mut buf);
    buf
}

pub fn format<'gc>(
    ctx: Context<'gc>,
    mut exec: Execution<'gc, '_>,
    mut stack: Stack<'gc, '_>,
) -> CallbackResult<'gc> {
    check_bytes(ctx, &exec, &stack, 1, "string.format")?;
    let has_objects = stack[1..]
        .iter()
        .any(|v| matches!(v, Value::Table(_) | Value::UserData(_)));
    if !has_objects {
        // The common case: nothing can have `__tostring`, so no Lua call and no state.
        let out = format_values(ctx, &exec, &stack[..], &[])?;
        // Not made past the memory limit (see `vm/budget.rs`).
        if !crate::vm::budget::reserve(ctx, &mut exec, out.len()) {
            return Ok(crate::vm::budget::retry(ctx, format));
        }
        exec.fuel().consume(byte_fuel(out.len()));
        stack.replace(ctx, new_string(ctx, out));
        return Ok(CallbackReturn::Return);
    }
    let args: Vec<Value<'gc>> = stack.drain(..).collect();
    let mut job = Format {
        texts: vec![None; args.len()],
        pending: string_conversions(&to_bytes(args[0]).unwrap_or_default())
            .into_iter()
            .rev()
            .collect(),
        waiting: None,
        args,
        shadow: Default::default(),
    };
    match job.resolve(ctx)? {
        Some(call) => {
            stack.extend(call.args);
            job.shadow.enter(ctx, &exec, call.function, "string.format");
            Ok(CallbackReturn::Call {
                function: call.function,
                then: Some(BoxSequence::new(&ctx, job)),
            })
        }
        None => {
            job.finish(ctx, exec, &mut stack)?;
            Ok(CallbackReturn::Return)
        }
    }
}

/// Formats `args` (the format string first). `texts[i]`, when present, is what
/// `__tostring` made of `args[i]`.
fn format_values<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    args: &[Value<'gc>],
    texts: &[Option<Value<'gc>>],
) -> Result<Vec<u8>, Error<'gc>> {
    let fmt = to_bytes(args[0]).unwrap_or_default();
    let values = &args[1..];
    let is_object = |v: &Value| {
        matches!(
            v,
            Value::Table(_) | Value::UserData(_) | Value::Function(_) | Value::Thread(_)
        )
    };
    // Type names and texts of the non-primitive values, in order; usually empty.
    let objects: Vec<(Cow<str>, Vec<u8>)> = values
        .iter()
        .enumerate()
        .filter(|(_, v)| is_object(v))
        .map(|(i, &v)| {
            let text = match texts.get(i + 1).copied().flatten() {
                Some(t) => to_bytes(t).map(Cow::into_owned).unwrap_or_default(),
                None => plain_display(ctx, v),
            };
            (type_name(ctx, v), text)
        })
        .collect();
    let mut objects_iter = objects.iter();
    let fargs: Vec<FormatArg> = values
        .iter()
        .map(|&v| match v {
            Value::Nil => FormatArg::Nil,
            Value::Boolean(b) => FormatArg::Bool(b),
            Value::Integer(n) => FormatArg::Int(n),
            Value::Number(f) => FormatArg::Float(f),
            Value::String(s) => FormatArg::Str(s.as_bytes()),
            _ => match objects_iter.next() {
                Some((name, text)) => FormatArg::Other {
                    type_name: name,
                    display: text,
                },
                None => FormatArg::Nil,
            },
        })
        .collect();
    let mut out = Vec::with_capacity(fmt.len() + 16);
    format_detailed(&fmt, &fargs, &mut out).map_err(|e| match e {
        FormatError::BadArgument { arg, msg } => arg_error(ctx, exec, arg, "string.format", &msg),
        FormatError::Message(msg) => lua_error(ctx, exec, &msg),
    })?;
    Ok(out)
}

#[derive(Collect)]
#[collect(no_drop)]
struct Format<'gc> {
    /// Every argument, the format string first.
    args: Vec<Value<'gc>>,
    /// `__tostring` results, by index into `args`.
    texts: Vec<Option<Value<'gc>>>,
    /// `%s` argument positions still to resolve (after the format string), last first.
    #[collect(require_static)]
    pending: Vec<usize>,
    /// The argument whose `__tostring` is running.
    #[collect(require_static)]
    waiting: Option<usize>,
    /// That metamethod's shadow-stack entry (below a `[C]` string.format frame).
    #[collect(require_static)]
    shadow: crate::vm::diagnostics::NativeSlot,
}

impl<'gc> Format<'gc> {
    /// Resolves `%s` arguments until one needs a `__tostring` call.
    fn resolve(
        &mut self,
        ctx: Context<'gc>,
    ) -> Result<Option<meta_ops::MetaCall<'gc, 1>>, Error<'gc>> {
        while let Some(pos) = self.pending.pop() {
            let idx = pos + 1;
            let Some(&v) = self.args.get(idx) else {
                continue;
            };
            if let Value::Table(_) | Value::UserData(_) = v {
                if let MetaResult::Call(call) = meta_ops::tostring(ctx, v)? {
                    self.waiting = Some(idx);
                    return Ok(Some(call));
                }
            }
        }
        Ok(None)
    }

    fn finish(
        &self,
        ctx: Context<'gc>,
        mut exec: Execution<'gc, '_>,
        stack: &mut Stack<'gc, '_>,
    ) -> Result<(), Error<'gc>> {
        let out = format_values(ctx, &exec, &self.args, &self.texts)?;
        exec.fuel().consume(byte_fuel(out.len()));
        stack.replace(ctx, new_string(ctx, out));
        Ok(())
    }
}

impl<'gc> Sequence<'gc> for Format<'gc> {
    fn poll(
        &mut self,
        ctx: Context<'gc>,
        exec: Execution<'gc, '_>,
        mut stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, Error<'gc>> {
        if let Some(idx) = self.waiting.take() {
            self.shadow.leave(ctx, None);
            let text = stack.get(0);
            if !matches!(
                text,
                Value::String(_) | Value::Integer(_) | Value::Number(_)
            ) {
                return Err(lua_error(ctx, &exec, "'__tostring' must return a string"));
            }
            self.texts[idx] = Some(text);
        }
        stack.clear();
        if let Some(call) = self.resolve(ctx)? {
            stack.extend(call.args);
            self.shadow
                .enter(ctx, &exec, call.function, "string.format");
            return Ok(SequencePoll::Call {
                function: call.function,
                is_tail: false,
            });
        }
        self.finish(ctx, exec, &mut stack)?;
        Ok(SequencePoll::Return)
    }

    fn error(
        &mut self,
        ctx: Context<'gc>,
        _exec: Execution<'gc, '_>,
        error: Error<'gc>,
        _stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, Error<'gc>> {
        self.shadow.leave(ctx, Some(&error));
        Err(error)
    }
}
