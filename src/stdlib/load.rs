//! `load`: text chunks from a string or a reader function, compiled through our own pipeline
//! (`vm::compile::load`) so the method-call and concatenation rewrites apply to them too.
//! Binary chunks are refused: piccolo has no bytecode loader, and accepting Lua bytecode
//! would bypass every source check.

use gc_arena::Collect;
use piccolo::{
    BoxSequence, Callback, CallbackReturn, Context, Error, Execution, Function, Sequence,
    SequencePoll, Stack, Value,
};

use super::argcheck::{opt_bytes, type_error};
use crate::vm::compile::{self, SourceLimits};
use crate::vm::diagnostics::NativeSlot;
use crate::vm::errors::error_value;
use crate::vm::helpers::charge;
use crate::vm::helpers::Helpers;

/// Lua's `LUA_IDSIZE`: the longest chunk id shown in messages, including the NUL.
const ID_SIZE: usize = 60;

/// The name Lua shows for a chunk in messages (`luaO_chunkid`): `=name` verbatim,
/// `@file` as the file name (its tail if long), anything else as `[string "first line..."]`.
pub fn short_src(chunkname: &[u8]) -> String {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let room = ID_SIZE - 1;
    if let Some(name) = chunkname.strip_prefix(b"=") {
        return text(&name[..name.len().min(room)]);
    }
    if let Some(file) = chunkname.strip_prefix(b"@") {
        if file.len() <= room {
            return text(file);
        }
        return format!("...{}", text(&file[file.len() - (room - 3)..]));
    }
    let line_end = chunkname.iter().position(|&c| c == b'\n');
    // Room left after `[string "` + `..."` + `"]` and the NUL.
    let limit = ID_SIZE - 15;
    let mut src = String::from("[string \"");
    match line_end {
        None if chunkname.len() < limit => src.push_str(&text(chunkname)),
        _ => {
            let n = line_end.unwrap_or(chunkname.len()).min(limit);
            src.push_str(&text(&chunkname[..n]));
            src.push_str("...");
        }
    }
    src.push_str("\"]");
    src
}

#[derive(Clone, Copy)]
struct Options {
    limits: SourceLimits,
}

pub fn install<'gc>(ctx: Context<'gc>, helpers: Helpers<'gc>, limits: SourceLimits) {
    let options = Options { limits };
    let load = Callback::from_fn_with(&ctx, helpers, move |helpers, ctx, mut exec, mut stack| {
        let mode = opt_bytes(ctx, &exec, &stack, 2, "load")?.unwrap_or_else(|| b"bt".to_vec());
        let env = if stack.len() > 3 {
            stack.get(3)
        } else {
            Value::Table(ctx.globals())
        };
        let chunk = stack.get(0);
        let source_text = match chunk {
            Value::String(s) => Some(s.as_bytes().to_vec()),
            Value::Integer(_) | Value::Number(_) => {
                let mut b = Vec::new();
                super::tostring::write_plain(ctx, chunk, &mut b);
                Some(b)
            }
            _ => None,
        };
        let chunkname = match opt_bytes(ctx, &exec, &stack, 1, "load")? {
            Some(n) => n,
            None => match &source_text {
                Some(s) => s.clone(),
                None => b"=(load)".to_vec(),
            },
        };
        let pending = Pending {
            chunkname,
            mode,
            env,
            helpers: *helpers,
            options,
            source: Vec::new(),
        };
        if let Some(source) = source_text {
            let mut pending = pending;
            pending.source = source;
            let r = pending.compile(ctx, &mut exec);
            put_result(ctx, &mut stack, r);
            return Ok(CallbackReturn::Return);
        }
        let Value::Function(reader) = chunk else {
            return Err(type_error(ctx, &exec, &stack, 0, "load", "function"));
        };
        stack.clear();
        let mut shadow = NativeSlot::default();
        shadow.enter(ctx, &exec, reader, "load");
        Ok(CallbackReturn::Call {
            function: reader,
            then: Some(BoxSequence::new(
                &ctx,
                ReadChunk {
                    pending,
                    reader,
                    shadow,
                },
            )),
        })
    });
    let _ = ctx.globals().set(ctx, "load", load);
    install_file_loaders(ctx);
}

/// `loadfile` and `dofile`. A process has no files (aos's file system holds none a program
/// can open, and every open fails with the same text) and no standard input: every name
/// fails to open, as in aos, and no name (standard input) is an error.
fn install_file_loaders(ctx: Context<'_>) {
    fn cannot_open(name: &[u8]) -> Vec<u8> {
        // The name as C sees it: up to its first zero byte (its bytes kept, as Lua's are).
        let end = name.iter().position(|&c| c == 0).unwrap_or(name.len());
        [b"cannot open ", &name[..end], b": No error information"].concat()
    }
    let loadfile = Callback::from_fn(&ctx, |ctx, exec, mut stack| {
        let name = opt_bytes(ctx, &exec, &stack, 0, "loadfile")?;
        opt_bytes(ctx, &exec, &stack, 1, "loadfile")?;
        let Some(name) = name else {
            return Err(super::io::no_input(ctx, &exec));
        };
        let message = ctx.intern(&cannot_open(&name));
        stack.replace(ctx, (Value::Nil, message));
        Ok(CallbackReturn::Return)
    });
    let _ = ctx.globals().set(ctx, "loadfile", loadfile);
    let dofile = Callback::from_fn(&ctx, |ctx, exec, stack| {
        let Some(name) = opt_bytes(ctx, &exec, &stack, 0, "dofile")? else {
            return Err(super::io::no_input(ctx, &exec));
        };
        let message = ctx.intern(&cannot_open(&name));
        Err(piccolo::Error::from_value(Value::String(message)))
    });
    let _ = ctx.globals().set(ctx, "dofile", dofile);
}

#[derive(Collect)]
#[collect(no_drop)]
struct Pending<'gc> {
    #[collect(require_static)]
    chunkname: Vec<u8>,
    #[collect(require_static)]
    mode: Vec<u8>,
    env: Value<'gc>,
    helpers: Helpers<'gc>,
    #[collect(require_static)]
    options: Options,
    #[collect(require_static)]
    source: Vec<u8>,
}

impl<'gc> Pending<'gc> {
    /// `f` or `nil, message`.
    fn compile(
        &self,
        ctx: Context<'gc>,
        exec: &mut Execution<'gc, '_>,
    ) -> (Value<'gc>, Value<'gc>) {
        let fail = |msg: &str| (Value::Nil, Value::String(ctx.intern(msg.as_bytes())));
        let mode_text = String::from_utf8_lossy(&self.mode).into_owned();
        let binary = self.source.first() == Some(&0x1b);
        if binary {
            if !self.mode.contains(&b'b') {
                return fail(&format!(
                    "attempt to load a binary chunk (mode is '{mode_text}')"
                ));
            }
            return fail("attempt to load a binary chunk (binary chunks are not supported)");
        }
        if !self.mode.contains(&b't') {
            return fail(&format!(
                "attempt to load a text chunk (mode is '{mode_text}')"
            ));
        }
        // Compiling is linear in the source: charge for it like other O(n) library work.
        charge(exec, self.source.len() / 16);
        let name = short_src(&self.chunkname);
        // Lua's `source` is the name as given (the text itself by default): kept for
        // `debug.getinfo`, sharing the source's bytes when it is the text.
        let given = (self.chunkname != self.source).then_some(&self.chunkname[..]);
        match compile::load_given(
            ctx,
            &name,
            Some(given),
            &self.source,
            self.env,
            self.helpers,
            &self.options.limits,
            compile::Reads::Lua,
        ) {
            Ok(closure) => (Value::Function(Function::Closure(closure)), Value::Nil),
            Err(e) => fail(&compile_error_text(e)),
        }
    }
}

/// `load`'s results: the function alone, or `nil, message` (Lua returns one value on
/// success).
fn put_result<'gc>(ctx: Context<'gc>, stack: &mut Stack<'gc, '_>, r: (Value<'gc>, Value<'gc>)) {
    if r.0.is_nil() {
        stack.replace(ctx, r);
    } else {
        stack.replace(ctx, r.0);
    }
}

fn compile_error_text(e: crate::error::Error) -> String {
    match e {
        crate::error::Error::Syntax(m) | crate::error::Error::SourceRejected(m) => m,
        other => other.to_string(),
    }
}

/// Calls the reader until it returns nil or an empty string, then compiles the pieces.
#[derive(Collect)]
#[collect(no_drop)]
struct ReadChunk<'gc> {
    pending: Pending<'gc>,
    reader: Function<'gc>,
    /// Diagnostic mode's shadow-stack entry for the reader's call under way (below a `[C]`
    /// load frame).
    #[collect(require_static)]
    shadow: NativeSlot,
}

impl<'gc> Sequence<'gc> for ReadChunk<'gc> {
    fn poll(
        &mut self,
        ctx: Context<'gc>,
        mut exec: Execution<'gc, '_>,
        mut stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, Error<'gc>> {
        self.shadow.leave(ctx, None);
        let piece = stack.get(0);
        stack.clear();
        match piece {
            Value::String(s) if !s.as_bytes().is_empty() => {
                if self.pending.source.len() + s.len() as usize
                    > self.pending.options.limits.max_bytes
                {
                    stack.replace(ctx, (Value::Nil, "chunk is larger than the source limit"));
                    return Ok(SequencePoll::Return);
                }
                charge(&mut exec, s.as_bytes().len() / 64);
                self.pending.source.extend_from_slice(s.as_bytes());
                self.shadow.enter(ctx, &exec, self.reader, "load");
                Ok(SequencePoll::Call {
                    function: self.reader,
                    is_tail: false,
                })
            }
            Value::Nil | Value::String(_) => {
                let r = self.pending.compile(ctx, &mut exec);
                put_result(ctx, &mut stack, r);
                Ok(SequencePoll::Return)
            }
            _ => {
                stack.replace(ctx, (Value::Nil, "reader function must return a string"));
                Ok(SequencePoll::Return)
            }
        }
    }

    fn error(
        &mut self,
        ctx: Context<'gc>,
        _exec: Execution<'gc, '_>,
        error: Error<'gc>,
        mut stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, Error<'gc>> {
        self.shadow.leave(ctx, Some(&error));
        // A failing reader makes `load` return nil and the error, as in Lua.
        crate::vm::diagnostics::error_caught(ctx);
        stack.replace(ctx, (Value::Nil, error_value(ctx, &error)));
        Ok(SequencePoll::Return)
    }
}

#[cfg(test)]
mod tests {
    use super::short_src;

    #[test]
    fn chunk_ids_follow_lua() {
        assert_eq!(short_src(b"=stdin"), "stdin");
        assert_eq!(short_src(b"@x.lua"), "x.lua");
        assert_eq!(short_src(b"return 1"), "[string \"return 1\"]");
        assert_eq!(short_src(b"x = 1\ny = 2"), "[string \"x = 1...\"]");
        let long = "a".repeat(100);
        assert_eq!(
            short_src(long.as_bytes()),
            format!("[string \"{}...\"]", "a".repeat(45))
        );
        let long_file = format!("@{}", "f".repeat(80));
        assert_eq!(short_src(long_file.as_bytes()).len(), 59);
    }
}
