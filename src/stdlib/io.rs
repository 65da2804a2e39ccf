//! The parts of `io` that aos 2.0.6 has and that a process can use: the standard files
//! (`io.stdout`, `io.stderr`, `io.stdin`, full userdata of type `FILE*`) and writing to them.
//! In aos what is written goes to the compute unit's log, never into a result, so in a
//! process it goes nowhere; `io.write` is there so that programs that call it run as they do
//! on aos instead of failing. In a plain script (`aolite lua`) standard output is the
//! printed output, as in `lua5.3`. There is no file system: `io.open` finds no file, and reading
//! standard input (which makes aos's host fail) is an error.

use std::cell::RefCell;
use std::rc::Rc;

use piccolo::{Callback, CallbackReturn, Context, Error, Execution, Stack, Table, UserData, Value};

use super::lua_format::FormatArg;
use crate::vm::Host;

use super::argcheck::{bad_arg, check_option, error, type_error};

/// Which standard file a `FILE*` userdata is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Std {
    In,
    Out,
    Err,
}

/// What aos's emscripten build reports for a file it cannot open: its `fopen` fails without
/// setting `errno` (`strerror(0)` and 0), unless an earlier failure left one.
const NO_FILE: &str = "No error information";
const NO_FILE_ERRNO: i64 = 0;

/// The name Lua gives a function in an argument error: a library function its qualified
/// name (`io.close`, shortened by [`type_error`] at a Lua call site); a file method (`write`)
/// the called name from a Lua call site and `?` without one (it is no global's field).
fn method_name<'a>(exec: &Execution<'_, '_>, name: &'a str) -> &'a str {
    if name.contains('.') || exec.upper_lua_frame().is_some() {
        name
    } else {
        "?"
    }
}

/// The standard file at argument `i`, or Lua's `bad argument` (`FILE* expected`).
fn check_file<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    i: usize,
    fname: &str,
) -> Result<UserData<'gc>, Error<'gc>> {
    match stack.get(i) {
        Value::UserData(ud) if ud.downcast_static::<Std>().is_ok() => Ok(ud),
        _ => Err(type_error(
            ctx,
            exec,
            stack,
            i,
            method_name(exec, fname),
            "FILE*",
        )),
    }
}

/// Writes the values `write` takes (strings, and numbers as `%.14g` or integers), from
/// argument `from` on, to `file`: in a plain script standard output joins the printed
/// output; anything else goes nowhere. Charged as fuel as any library call reading them.
fn write_args<'gc>(
    ctx: Context<'gc>,
    exec: &mut Execution<'gc, '_>,
    stack: &Stack<'gc, '_>,
    (from, fname): (usize, &str),
    file: Value<'gc>,
    host: &Rc<RefCell<Host>>,
) -> Result<(), Error<'gc>> {
    let to_output = matches!(file, Value::UserData(ud)
        if ud.downcast_static::<Std>().is_ok_and(|w| *w == Std::Out))
        && host.borrow().scripted_io;
    // Value by value, as Lua writes them: those before a bad one are written.
    let mut out = Vec::new();
    let mut failed = None;
    for i in from..stack.len() {
        match stack.get(i) {
            Value::String(s) => out.extend_from_slice(s.as_bytes()),
            Value::Integer(n) => super::lua_number::fmt_integer(n, &mut out),
            // `%.14g`, without the `.0` `tostring` adds (Lua's `g_write`).
            Value::Number(x) => {
                let _ = super::lua_format::format(b"%.14g", &[FormatArg::Float(x)], &mut out);
            }
            _ => {
                failed = Some(i);
                break;
            }
        }
    }
    exec.fuel().consume(super::args::byte_fuel(out.len()));
    if to_output {
        host.borrow_mut().output.extend_from_slice(&out);
    }
    match failed {
        Some(i) => Err(type_error(ctx, exec, stack, i, fname, "string")),
        None => Ok(()),
    }
}

/// `nil, message, errno`, as Lua's file functions report a failure (also `os.remove` and
/// `os.rename`, `os_files.rs`).
pub(super) fn failure<'gc>(
    ctx: Context<'gc>,
    mut stack: Stack<'gc, '_>,
    msg: impl AsRef<[u8]>,
    code: Option<i64>,
) {
    let msg = Value::String(ctx.intern(msg.as_ref()));
    match code {
        Some(code) => stack.replace(ctx, (Value::Nil, msg, code)),
        None => stack.replace(ctx, (Value::Nil, msg)),
    }
}

/// Reading: there is no standard input in a process (aos's host fails on it).
pub(super) fn no_input<'gc>(ctx: Context<'gc>, exec: &Execution<'gc, '_>) -> Error<'gc> {
    error(ctx, exec, "standard input is not available in a process")
}

pub fn install<'gc>(ctx: Context<'gc>, host: Rc<RefCell<Host>>) {
    let meta = Table::new(&ctx);
    let file = |which: Std| {
        let ud = UserData::new_static(&ctx, which);
        ud.set_metatable(&ctx, Some(meta));
        ud
    };
    let (stdin, stdout, stderr) = (file(Std::In), file(Std::Out), file(Std::Err));
    let set = |t: Table<'gc>, name: &'static str, f: Callback<'gc>| {
        let _ = t.set(ctx, name, f);
    };

    // The methods of a `FILE*`.
    set(
        meta,
        "write",
        Callback::from_fn(&ctx, {
            let host = host.clone();
            move |ctx, mut exec, mut stack| {
                let ud = check_file(ctx, &exec, &stack, 0, "write")?;
                let name = method_name(&exec, "write");
                write_args(ctx, &mut exec, &stack, (1, name), ud.into(), &host)?;
                stack.replace(ctx, ud);
                Ok(CallbackReturn::Return)
            }
        }),
    );
    set(
        meta,
        "flush",
        Callback::from_fn(&ctx, |ctx, exec, mut stack| {
            check_file(ctx, &exec, &stack, 0, "flush")?;
            stack.replace(ctx, true);
            Ok(CallbackReturn::Return)
        }),
    );
    set(
        meta,
        "setvbuf",
        Callback::from_fn(&ctx, |ctx, exec, mut stack| {
            check_file(ctx, &exec, &stack, 0, "setvbuf")?;
            let name = method_name(&exec, "setvbuf");
            check_option(ctx, &exec, &stack, 1, name, &["no", "full", "line"], None)?;
            stack.replace(ctx, true);
            Ok(CallbackReturn::Return)
        }),
    );
    set(
        meta,
        "seek",
        Callback::from_fn(&ctx, |ctx, exec, mut stack| {
            check_file(ctx, &exec, &stack, 0, "seek")?;
            let whence = &["set", "cur", "end"];
            let name = method_name(&exec, "seek");
            check_option(ctx, &exec, &stack, 1, name, whence, Some("cur"))?;
            // The standard files are not seekable positions in a process: always 0, as aos
            // answers.
            stack.replace(ctx, 0);
            Ok(CallbackReturn::Return)
        }),
    );
    // `file:close()` and `io.close()`: without a file, the default output; a standard file
    // cannot be closed.
    let close = |fname: &'static str| {
        Callback::from_fn(&ctx, move |ctx, exec, stack| {
            if !stack.is_empty() {
                check_file(ctx, &exec, &stack, 0, fname)?;
            }
            failure(ctx, stack, "cannot close standard file", None);
            Ok(CallbackReturn::Return)
        })
    };
    set(meta, "close", close("close"));
    let read = Callback::from_fn(&ctx, |ctx, exec, stack| {
        check_file(ctx, &exec, &stack, 0, "read")?;
        Err(no_input(ctx, &exec))
    });
    set(meta, "read", read);
    let lines = Callback::from_fn(&ctx, |ctx, exec, stack| {
        check_file(ctx, &exec, &stack, 0, "lines")?;
        Err(no_input(ctx, &exec))
    });
    set(meta, "lines", lines);
    set(
        meta,
        "__tostring",
        Callback::from_fn(&ctx, |ctx, exec, mut stack| {
            let ud = check_file(ctx, &exec, &stack, 0, "tostring")?;
            let id = super::tostring::identity_of(ctx, Value::UserData(ud)).unwrap_or(0);
            let text = format!("file (0x{id:08x})");
            stack.replace(ctx, ctx.intern(text.as_bytes()));
            Ok(CallbackReturn::Return)
        }),
    );
    // The standard files are never collected; the field is there as in Lua.
    set(
        meta,
        "__gc",
        Callback::from_fn(&ctx, |_, _, _| Ok(CallbackReturn::Return)),
    );
    let _ = meta.set(ctx, "__name", "FILE*");
    let _ = meta.set(ctx, "__index", meta);

    // The default input and output files (Lua keeps them in its registry): a table only Rust
    // holds, named so that the state (exports, checkpoints, rollback) keeps what a program
    // chose with `io.output(file)`. Stores go through the undo log.
    let defaults = Table::new(&ctx);
    let _ = defaults.set(ctx, "input", stdin);
    let _ = defaults.set(ctx, "output", stdout);
    crate::state::builtins::add_root(ctx, "(io defaults)", Value::Table(defaults));

    let io = Table::new(&ctx);
    let _ = io.set(ctx, "stdin", stdin);
    let _ = io.set(ctx, "stdout", stdout);
    let _ = io.set(ctx, "stderr", stderr);
    set(
        io,
        "write",
        Callback::from_fn_with(&ctx, defaults, move |defaults, ctx, mut exec, mut stack| {
            let output = crate::vm::undo::field(ctx, *defaults, "output");
            write_args(ctx, &mut exec, &stack, (0, "io.write"), output, &host)?;
            stack.replace(ctx, output);
            Ok(CallbackReturn::Return)
        }),
    );
    set(
        io,
        "flush",
        Callback::from_fn(&ctx, |ctx, _, mut stack| {
            stack.replace(ctx, true);
            Ok(CallbackReturn::Return)
        }),
    );
    set(io, "close", close("io.close"));
    set(
        io,
        "type",
        Callback::from_fn(&ctx, |ctx, exec, mut stack| {
            super::argcheck::check_any(ctx, &exec, &stack, 0, "io.type")?;
            let is_file =
                matches!(stack.get(0), Value::UserData(ud) if ud.downcast_static::<Std>().is_ok());
            if is_file {
                stack.replace(ctx, "file");
            } else {
                stack.replace(ctx, Value::Nil);
            }
            Ok(CallbackReturn::Return)
        }),
    );
    // `io.input`/`io.output`: the default file, or a file given, which becomes the default;
    // a name is a file to open, and there is none.
    for (name, fname) in [("input", "io.input"), ("output", "io.output")] {
        set(
            io,
            name,
            Callback::from_fn_with(&ctx, defaults, move |defaults, ctx, exec, mut stack| {
                match stack.get(0) {
                    Value::Nil => stack.replace(ctx, crate::vm::undo::field(ctx, *defaults, name)),
                    Value::String(_) | Value::Integer(_) | Value::Number(_) => {
                        let name = super::argcheck::check_bytes(ctx, &exec, &stack, 0, fname)?;
                        let msg = format!(
                            "cannot open file '{}' ({NO_FILE})",
                            String::from_utf8_lossy(&name)
                        );
                        return Err(error(ctx, &exec, &msg));
                    }
                    _ => {
                        let ud = check_file(ctx, &exec, &stack, 0, fname)?;
                        let key = ctx.intern(name.as_bytes());
                        let _ = crate::vm::undo::raw_set(ctx, *defaults, key.into(), ud.into());
                        stack.replace(ctx, ud);
                    }
                }
                Ok(CallbackReturn::Return)
            }),
        );
    }
    set(
        io,
        "open",
        Callback::from_fn(&ctx, |ctx, exec, stack| {
            let name = super::argcheck::check_bytes(ctx, &exec, &stack, 0, "io.open")?;
            let mode = super::argcheck::opt_bytes(ctx, &exec, &stack, 1, "io.open")?;
            if !valid_mode(mode.as_deref().unwrap_or(b"r")) {
                return Err(bad_arg(ctx, &exec, 1, "io.open", "invalid mode"));
            }
            let msg = format!("{}: {NO_FILE}", String::from_utf8_lossy(&name));
            failure(ctx, stack, &msg, Some(NO_FILE_ERRNO));
            Ok(CallbackReturn::Return)
        }),
    );
    set(
        io,
        "lines",
        Callback::from_fn(&ctx, |ctx, exec, stack| match stack.get(0) {
            Value::Nil => Err(no_input(ctx, &exec)),
            _ => {
                let name = super::argcheck::check_bytes(ctx, &exec, &stack, 0, "io.lines")?;
                let msg = format!(
                    "cannot open file '{}' ({NO_FILE})",
                    String::from_utf8_lossy(&name)
                );
                Err(error(ctx, &exec, &msg))
            }
        }),
    );
    set(
        io,
        "read",
        Callback::from_fn(&ctx, |ctx, exec, _| Err(no_input(ctx, &exec))),
    );
    set(
        io,
        "popen",
        Callback::from_fn(&ctx, |ctx, exec, _| {
            Err(error(ctx, &exec, "'popen' not supported"))
        }),
    );
    set(
        io,
        "tmpfile",
        Callback::from_fn(&ctx, |ctx, _, stack| {
            failure(ctx, stack, NO_FILE, Some(NO_FILE_ERRNO));
            Ok(CallbackReturn::Return)
        }),
    );
    let _ = ctx.globals().set(ctx, "io", io);
}

/// `r`, `w` or `a`, then an optional `+`, then an optional `b` (`l_checkmode`).
fn valid_mode(mode: &[u8]) -> bool {
    let rest = match mode.first() {
        Some(b'r' | b'w' | b'a') => &mode[1..],
        _ => return false,
    };
    let rest = rest.strip_prefix(b"+").unwrap_or(rest);
    rest.is_empty() || rest == b"b"
}
