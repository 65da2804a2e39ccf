//! The parts of Lua 5.3's `debug` library that piccolo's public API can support.
//!
//! piccolo keeps its call frames private: the only frame a library function can see is the
//! Lua function that called it (`Execution::upper_lua_frame`: chunk name, function, current
//! line). So `traceback` shows the message and that one frame, and `getinfo` answers for
//! function values (from their prototypes) and for level 1; deeper levels are unknown and
//! answer nil. Hooks are accepted and never run; `getmetatable`/`setmetatable` bypass
//! `__metatable` as in Lua. Upvalues (names, values, identities) and the parameter names
//! of functions are in `upvalues.rs`; locals of running functions and the registry are
//! not available.

use piccolo::{
    compiler::FunctionRef, Callback, CallbackReturn, Context, Execution, Function, Table, Value,
};

use super::argcheck::{bad_arg, error, type_error};

/// `linedefined` of a function reference (0 for a main chunk).
fn line_defined(r: &FunctionRef<piccolo::String<'_>>) -> i64 {
    match r {
        FunctionRef::Named(_, line) | FunctionRef::Expression(line) => line.0 as i64 + 1,
        FunctionRef::Chunk => 0,
    }
}

/// Lua's `source` of a chunk: the name `load` was given, when it came from `load`;
/// otherwise (the script, aolite's modules, chunks restored from an exported state) rebuilt
/// from its display name: files get `@`, `[string "..."]` names are shown as they are.
fn source_of<'gc>(ctx: Context<'gc>, chunk_name: piccolo::String<'gc>) -> Value<'gc> {
    if let Some(given) = crate::vm::chunks::given_name(ctx, chunk_name) {
        return Value::String(ctx.intern(&given));
    }
    Value::String(ctx.intern(display_source(&chunk_name.to_str_lossy()).as_bytes()))
}

/// `debug.getinfo`'s table for a frame at level 2 or more (see `diagnostics::frame_at`):
/// its `S`, `l`, `n` and `t` fields; `u`, `f` and `L` need the frame's function, which the
/// shadow stack does not keep, and are left out.
fn deep_frame_info<'gc>(
    ctx: Context<'gc>,
    what: &[u8],
    frame: crate::vm::diagnostics::FrameAt,
) -> Table<'gc> {
    use crate::vm::diagnostics::FrameAt;
    let info = Table::new(&ctx);
    let has = |c: u8| what.contains(&c);
    let put = |k: &'static str, v: Value<'gc>| {
        let _ = info.set(ctx, k, v);
    };
    let s = |text: &[u8]| Value::String(ctx.intern(text));
    // Both kinds of frame give `n` and `t` alike.
    let (name, tail) = match frame {
        FrameAt::C { name } => {
            if has(b'S') {
                put("source", s(b"=[C]"));
                put("short_src", s(b"[C]"));
                put("what", s(b"C"));
                put("linedefined", Value::Integer(-1));
                put("lastlinedefined", Value::Integer(-1));
            }
            if has(b'l') {
                put("currentline", Value::Integer(-1));
            }
            if has(b'u') {
                put("nups", Value::Integer(0));
                put("nparams", Value::Integer(0));
                put("isvararg", Value::Boolean(true));
            }
            (name, false)
        }
        FrameAt::Lua {
            function,
            source,
            last_line,
            line,
            name,
            tail,
        } => {
            if has(b'S') {
                let main = function.defined.is_none();
                let source = match source {
                    Some(given) => given,
                    None => display_source(&function.chunk).into_bytes(),
                };
                put("source", s(&source));
                put("short_src", s(function.chunk.as_bytes()));
                put("what", s(if main { b"main" } else { b"Lua" }));
                put(
                    "linedefined",
                    Value::Integer(function.defined.map_or(0, |l| l as i64)),
                );
                put(
                    "lastlinedefined",
                    Value::Integer(if main {
                        0
                    } else {
                        last_line.map_or(-1, |l| l as i64)
                    }),
                );
            }
            if has(b'l') {
                put("currentline", Value::Integer(line as i64));
            }
            (name, tail)
        }
    };
    if has(b'n') {
        match name {
            Some((name, namewhat)) => {
                put("name", s(name.as_bytes()));
                put("namewhat", s(namewhat.as_bytes()));
            }
            None => put("namewhat", s(b"")),
        }
    }
    if has(b't') {
        put("istailcall", Value::Boolean(tail));
    }
    info
}

/// Lua's `source` rebuilt from a chunk's display name (see `source_of`).
fn display_source(chunk: &str) -> String {
    if chunk.starts_with('[') || chunk == "?" {
        chunk.to_string()
    } else {
        format!("@{chunk}")
    }
}

/// One line of a traceback for the frame piccolo shows us.
fn frame_line(exec: &Execution<'_, '_>) -> String {
    match exec.upper_lua_frame() {
        Some(f) => {
            let chunk = f.chunk_name.to_str_lossy();
            let what = match &f.current_function {
                FunctionRef::Chunk => "in main chunk".to_string(),
                FunctionRef::Named(name, _) => format!("in function '{}'", name.to_str_lossy()),
                FunctionRef::Expression(line) => {
                    format!("in function <{chunk}:{}>", line.0 + 1)
                }
            };
            format!("\n\t{chunk}:{}: {what}", f.current_line)
        }
        None => String::new(),
    }
}

pub fn install<'gc>(
    ctx: Context<'gc>,
    string_meta: Table<'gc>,
    limits: crate::vm::compile::SourceLimits,
) {
    let debug = Table::new(&ctx);

    set(ctx, debug, "traceback", |ctx, exec, mut stack| {
        // An optional thread comes first; frames of other threads are not visible.
        let other_thread = matches!(stack.get(0), Value::Thread(_));
        if other_thread {
            stack.pop_front();
        }
        let msg = stack.get(0);
        let mut text = match msg {
            Value::String(s) => {
                let mut t = s.to_str_lossy().into_owned();
                t.push('\n');
                t
            }
            Value::Integer(_) | Value::Number(_) => {
                let mut b = Vec::new();
                super::tostring::write_plain(ctx, msg, &mut b);
                let mut t = String::from_utf8_lossy(&b).into_owned();
                t.push('\n');
                t
            }
            Value::Nil => String::new(),
            // Non-string messages are returned untouched, as Lua does.
            other => {
                stack.replace(ctx, other);
                return Ok(CallbackReturn::Return);
            }
        };
        if crate::vm::diagnostics::enabled(ctx) && !other_thread {
            // Diagnostic mode knows the callers (see `vm::diagnostics`).
            let level = match stack.get(1) {
                Value::Integer(l) => l,
                Value::Number(n) if n.fract() == 0.0 => n as i64,
                _ => 1,
            };
            let mut frames = crate::vm::diagnostics::handler_frames(ctx, &exec)
                .unwrap_or_else(|| crate::vm::diagnostics::current_frames(ctx, &exec));
            if exec.current_thread().is_main {
                // The host's call of the main chunk.
                frames.push(crate::vm::diagnostics::TraceFrame {
                    chunk: "[C]".to_owned(),
                    line: None,
                    name: "?".to_owned(),
                });
            }
            if level <= 0 {
                frames.insert(
                    0,
                    crate::vm::diagnostics::TraceFrame {
                        chunk: "[C]".to_owned(),
                        line: None,
                        name: "function 'debug.traceback'".to_owned(),
                    },
                );
            } else {
                let skip = usize::try_from(level - 1).unwrap_or(usize::MAX);
                frames.drain(..skip.min(frames.len()));
            }
            text.push_str(&crate::vm::diagnostics::traceback_text(&frames));
            let text = crate::vm::diagnostics::traced(ctx, text.into_bytes());
            stack.replace(ctx, ctx.intern(&text));
            return Ok(CallbackReturn::Return);
        }
        text.push_str("stack traceback:");
        if !other_thread {
            text.push_str(&frame_line(&exec));
        }
        text.push_str("\n\t[C]: in ?");
        // Only the calling frame is known here: a diagnostic re-run knows them all, and a
        // run that then hands its texts back gets them (see `vm::diagnostics::traced`).
        let text = crate::vm::diagnostics::traced(ctx, text.into_bytes());
        stack.replace(ctx, ctx.intern(&text));
        Ok(CallbackReturn::Return)
    });

    set(ctx, debug, "getinfo", move |ctx, exec, mut stack| {
        if matches!(stack.get(0), Value::Thread(_)) {
            stack.pop_front();
        }
        let what = match stack.get(1) {
            Value::Nil => b"flnStu".to_vec(),
            Value::String(s) => s.as_bytes().to_vec(),
            _ => return Err(type_error(ctx, &exec, &stack, 1, "debug.getinfo", "string")),
        };
        if what.iter().any(|c| !b"SlnutfL".contains(c)) || what.first() == Some(&b'>') {
            return Err(bad_arg(ctx, &exec, 1, "debug.getinfo", "invalid option"));
        }
        let has = |c: u8| what.contains(&c);
        let info = Table::new(&ctx);
        let put = |k: &'static str, v: Value<'gc>| {
            let _ = info.set(ctx, k, v);
        };
        let s = |text: &str| Value::String(ctx.intern(text.as_bytes()));
        match stack.get(0) {
            Value::Function(f) => {
                match f {
                    Function::Closure(c) => {
                        let p = c.prototype();
                        let chunk = p.chunk_name.to_str_lossy().into_owned();
                        if has(b'S') {
                            let main = matches!(p.reference, FunctionRef::Chunk);
                            let last = p
                                .opcode_line_numbers
                                .iter()
                                .map(|(_, l)| l.0 as i64 + 1)
                                .max();
                            put("source", source_of(ctx, p.chunk_name));
                            put("short_src", s(&chunk));
                            put("what", s(if main { "main" } else { "Lua" }));
                            put("linedefined", Value::Integer(line_defined(&p.reference)));
                            put(
                                "lastlinedefined",
                                Value::Integer(if main { 0 } else { last.unwrap_or(-1) }),
                            );
                        }
                        if has(b'u') {
                            put(
                                "nups",
                                Value::Integer(super::upvalues::count(ctx, &limits, f) as i64),
                            );
                            put(
                                "nparams",
                                Value::Integer(i64::from(crate::vm::params::declared_params(
                                    p.fixed_params,
                                    p.opcodes.first(),
                                ))),
                            );
                            put("isvararg", Value::Boolean(p.has_varargs));
                        }
                    }
                    Function::Callback(_) => {
                        if has(b'S') {
                            put("source", s("=[C]"));
                            put("short_src", s("[C]"));
                            put("what", s("C"));
                            put("linedefined", Value::Integer(-1));
                            put("lastlinedefined", Value::Integer(-1));
                        }
                        if has(b'u') {
                            put("nups", Value::Integer(0));
                            put("nparams", Value::Integer(0));
                            put("isvararg", Value::Boolean(true));
                        }
                    }
                }
                if has(b'l') {
                    put("currentline", Value::Integer(-1));
                }
                if has(b'n') {
                    put("namewhat", s(""));
                }
                if has(b't') {
                    put("istailcall", Value::Boolean(false));
                }
                if has(b'f') {
                    put("func", Value::Function(f));
                }
            }
            Value::Integer(_) | Value::Number(_) | Value::String(_) => {
                let level = super::argcheck::check_integer(ctx, &exec, &stack, 0, "debug.getinfo")?;
                // Level 0 is getinfo itself; level 1 the Lua function calling it, the only
                // frame piccolo shows. Deeper levels are unknown: nil, as past the stack end.
                let frame = match (level, exec.upper_lua_frame()) {
                    (0, _) => None,
                    (1, Some(f)) => Some(f),
                    (2.., Some(_)) => {
                        // Deeper frames: known to the diagnostic re-run (see
                        // `diagnostics::frame_at`).
                        let found = crate::vm::diagnostics::frame_at(ctx, &exec, level);
                        let result = match found {
                            Some(frame) => Value::Table(deep_frame_info(ctx, &what, frame)),
                            None => Value::Nil,
                        };
                        stack.replace(ctx, result);
                        return Ok(CallbackReturn::Return);
                    }
                    _ => {
                        stack.replace(ctx, Value::Nil);
                        return Ok(CallbackReturn::Return);
                    }
                };
                match frame {
                    None => {
                        if has(b'S') {
                            put("source", s("=[C]"));
                            put("short_src", s("[C]"));
                            put("what", s("C"));
                            put("linedefined", Value::Integer(-1));
                            put("lastlinedefined", Value::Integer(-1));
                        }
                        if has(b'l') {
                            put("currentline", Value::Integer(-1));
                        }
                        if has(b'n') {
                            put("name", s("getinfo"));
                            put("namewhat", s("field"));
                        }
                    }
                    Some(f) => {
                        let chunk = f.chunk_name.to_str_lossy().into_owned();
                        let main = matches!(f.current_function, FunctionRef::Chunk);
                        if has(b'S') {
                            put("source", source_of(ctx, f.chunk_name));
                            put("short_src", s(&chunk));
                            put("what", s(if main { "main" } else { "Lua" }));
                            put(
                                "linedefined",
                                Value::Integer(line_defined(&f.current_function)),
                            );
                        }
                        if has(b'l') {
                            put("currentline", Value::Integer(f.current_line.0 as i64 + 1));
                        }
                        if has(b'n') {
                            // How the frame was called; outside diagnostic mode piccolo's
                            // name from the definition stands in, and the run is marked for
                            // the re-run that knows (see `diagnostics::upper_name`).
                            let guess = match &f.current_function {
                                FunctionRef::Named(name, _) => {
                                    Some((name.to_str_lossy().into_owned(), String::new()))
                                }
                                _ => None,
                            };
                            match crate::vm::diagnostics::upper_name(ctx, &exec, guess) {
                                Some((name, namewhat)) => {
                                    put("name", s(&name));
                                    put("namewhat", s(&namewhat));
                                }
                                None => put("namewhat", s("")),
                            }
                        }
                    }
                }
                if has(b't') {
                    put("istailcall", Value::Boolean(false));
                }
            }
            _ => return Err(type_error(ctx, &exec, &stack, 0, "debug.getinfo", "number")),
        }
        stack.replace(ctx, info);
        Ok(CallbackReturn::Return)
    });

    set(ctx, debug, "sethook", |_, _, mut stack| {
        stack.clear();
        Ok(CallbackReturn::Return)
    });
    set(ctx, debug, "gethook", |ctx, _, mut stack| {
        stack.replace(ctx, (Value::Nil, "", 0));
        Ok(CallbackReturn::Return)
    });

    let _ = debug.set(
        ctx,
        "getmetatable",
        Callback::from_fn_with(&ctx, string_meta, |string_meta, ctx, exec, mut stack| {
            let v = super::argcheck::check_any(ctx, &exec, &stack, 0, "debug.getmetatable")?;
            let mt = match v {
                Value::Table(t) => t.metatable(),
                Value::UserData(u) => u.metatable(),
                Value::String(_) => Some(*string_meta),
                _ => None,
            };
            stack.replace(ctx, mt.map_or(Value::Nil, Value::Table));
            Ok(CallbackReturn::Return)
        }),
    );
    set(ctx, debug, "setmetatable", |ctx, exec, mut stack| {
        let mt = match stack.get(1) {
            Value::Nil => None,
            Value::Table(t) => Some(t),
            _ => {
                return Err(bad_arg(
                    ctx,
                    &exec,
                    1,
                    "debug.setmetatable",
                    "nil or table expected",
                ))
            }
        };
        match stack.get(0) {
            Value::Table(t) => {
                crate::vm::undo::set_metatable(ctx, t, mt);
            }
            Value::UserData(u) => {
                u.set_metatable(&ctx, mt);
            }
            other => {
                // piccolo has no per-type metatables for strings, numbers, functions...
                let msg = format!("cannot set the metatable of a {} value", other.type_name());
                return Err(error(ctx, &exec, &msg));
            }
        }
        stack.resize(1);
        Ok(CallbackReturn::Return)
    });

    super::upvalues::install(ctx, debug, limits);

    let _ = ctx.globals().set(ctx, "debug", debug);
}

use super::base::set;
