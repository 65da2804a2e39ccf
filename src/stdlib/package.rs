//! `require` and the `package` table. A process has no file system: the searchers are Lua
//! 5.3's four (preload, Lua files, C libraries, C root), and the three file searchers, like
//! `package.searchpath`, report every candidate of `package.path`/`package.cpath` as absent
//! (`no file '...'`), which is what they find in a process.

use gc_arena::Collect;
use piccolo::{
    BoxSequence, Callback, CallbackReturn, Context, Error, Execution, Sequence, SequencePoll,
    Stack, String as LuaString, Table, Value,
};

use super::argcheck::{check_bytes, error, opt_bytes};
use super::iter::callable;

/// Names under which the standard libraries are found in `package.loaded`.
const LIBRARIES: [&str; 10] = [
    "io",
    "string",
    "table",
    "math",
    "os",
    "utf8",
    "bit32",
    "coroutine",
    "debug",
    "package",
];

pub fn install<'gc>(ctx: Context<'gc>) {
    let g = ctx.globals();
    let package = Table::new(&ctx);
    let loaded = Table::new(&ctx);
    let preload = Table::new(&ctx);
    let searchers = Table::new(&ctx);
    let _ = package.set(ctx, "loaded", loaded);
    let _ = package.set(ctx, "preload", preload);
    // Lua 5.3's compiled-in defaults (LUA_ROOT "/usr/local/"), as aos's Lua has them.
    let _ = package.set(ctx, "path", LUA_PATH_DEFAULT);
    let _ = package.set(ctx, "cpath", LUA_CPATH_DEFAULT);
    let _ = package.set(ctx, "config", "/\n;\n?\n!\n-\n");
    let _ = package.set(ctx, "searchers", searchers);
    let _ = package.set(
        ctx,
        "searchpath",
        Callback::from_fn(&ctx, |ctx, exec, mut stack| {
            let name = check_bytes(ctx, &exec, &stack, 0, "searchpath")?;
            let path = check_bytes(ctx, &exec, &stack, 1, "searchpath")?;
            let sep = opt_bytes(ctx, &exec, &stack, 2, "searchpath")?.unwrap_or(b".".to_vec());
            let rep = opt_bytes(ctx, &exec, &stack, 3, "searchpath")?.unwrap_or(b"/".to_vec());
            let msg = no_files(&name, &path, &sep, &rep);
            stack.replace(ctx, (Value::Nil, ctx.intern(&msg)));
            Ok(CallbackReturn::Return)
        }),
    );
    let preload_searcher =
        Callback::from_fn_with(&ctx, package, |package, ctx, exec, mut stack| {
            let name = check_bytes(ctx, &exec, &stack, 0, "searcher")?;
            let Value::Table(preload) = crate::vm::undo::field(ctx, *package, "preload") else {
                return Err(error(ctx, &exec, "'package.preload' must be a table"));
            };
            let loader = preload.get(ctx, ctx.intern(&name));
            if loader.is_nil() {
                let msg = format!(
                    "\n\tno field package.preload['{}']",
                    std::string::String::from_utf8_lossy(&name)
                );
                stack.replace(ctx, ctx.intern(msg.as_bytes()));
            } else {
                // Lua 5.3 passes no extra value to preload loaders (5.4 passes ":preload:").
                stack.replace(ctx, loader);
            }
            Ok(CallbackReturn::Return)
        });
    let _ = searchers.set(ctx, 1, preload_searcher);
    for (i, (field, root)) in [("path", false), ("cpath", false), ("cpath", true)]
        .into_iter()
        .enumerate()
    {
        let searcher =
            Callback::from_fn_with(&ctx, package, move |package, ctx, exec, mut stack| {
                let name = check_bytes(ctx, &exec, &stack, 0, "searcher")?;
                let name = if root {
                    // searcher_Croot: only a submodule ("a.b") looks for its root ("a").
                    match name.iter().position(|&c| c == b'.') {
                        Some(dot) => name[..dot].to_vec(),
                        None => {
                            stack.clear();
                            return Ok(CallbackReturn::Return);
                        }
                    }
                } else {
                    name
                };
                // lua_tostring: a number is converted, anything else is refused.
                let mut path = Vec::new();
                match package.get(ctx, field) {
                    Value::String(s) => path.extend_from_slice(s.as_bytes()),
                    Value::Integer(n) => super::lua_number::fmt_integer(n, &mut path),
                    Value::Number(f) => super::lua_number::fmt_float(f, &mut path),
                    _ => {
                        return Err(error(
                            ctx,
                            &exec,
                            &format!("'package.{field}' must be a string"),
                        ))
                    }
                }
                let msg = no_files(&name, &path, b".", b"/");
                stack.replace(ctx, ctx.intern(&msg));
                Ok(CallbackReturn::Return)
            });
        let _ = searchers.set(ctx, i as i64 + 2, searcher);
    }

    let require = Callback::from_fn_with(
        &ctx,
        (package, loaded),
        |&(package, loaded), ctx, exec, mut stack| {
            let name = ctx.intern(&check_bytes(ctx, &exec, &stack, 0, "require")?);
            let found = loaded.get(ctx, name);
            if found.to_bool() {
                stack.replace(ctx, found);
                return Ok(CallbackReturn::Return);
            }
            let Value::Table(searchers) = crate::vm::undo::field(ctx, package, "searchers") else {
                return Err(error(ctx, &exec, "'package.searchers' must be a table"));
            };
            let mut seq = Require {
                name,
                loaded,
                searchers,
                index: 0,
                msg: Vec::new(),
                loading: false,
                shadow: Default::default(),
            };
            stack.clear();
            match seq.next_searcher(ctx, &exec, &mut stack)? {
                SequencePoll::Call { function, .. } => Ok(CallbackReturn::Call {
                    function,
                    then: Some(BoxSequence::new(&ctx, seq)),
                }),
                _ => Ok(CallbackReturn::Return),
            }
        },
    );
    let _ = g.set(ctx, "require", require);
    let _ = g.set(ctx, "package", package);
}

/// Records the standard libraries in `package.loaded` (after they are all installed).
pub fn register_loaded<'gc>(ctx: Context<'gc>) {
    let g = ctx.globals();
    let Value::Table(package) = crate::vm::undo::field(ctx, g, "package") else {
        return;
    };
    let Value::Table(loaded) = crate::vm::undo::field(ctx, package, "loaded") else {
        return;
    };
    let _ = loaded.set(ctx, "_G", g);
    for name in LIBRARIES {
        let lib = g.get(ctx, name);
        if !lib.is_nil() {
            let _ = loaded.set(ctx, name, lib);
        }
    }
}

const LUA_PATH_DEFAULT: &str =
    "/usr/local/share/lua/5.3/?.lua;/usr/local/share/lua/5.3/?/init.lua;\
/usr/local/lib/lua/5.3/?.lua;/usr/local/lib/lua/5.3/?/init.lua;./?.lua;./?/init.lua";
const LUA_CPATH_DEFAULT: &str =
    "/usr/local/lib/lua/5.3/?.so;/usr/local/lib/lua/5.3/loadall.so;./?.so";

/// What Lua's `searchpath` reports when no candidate file exists: one `no file '...'` line
/// per template of `path`, with `sep` in `name` replaced by `rep` (no file ever exists here).
fn no_files(name: &[u8], path: &[u8], sep: &[u8], rep: &[u8]) -> Vec<u8> {
    let name = if sep.is_empty() {
        name.to_vec()
    } else {
        replace(name, sep, rep)
    };
    let mut msg = Vec::new();
    for template in path.split(|&c| c == b';').filter(|t| !t.is_empty()) {
        msg.extend_from_slice(b"\n\tno file '");
        msg.extend_from_slice(&replace(template, b"?", &name));
        msg.push(b'\'');
    }
    msg
}

fn replace(s: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if !from.is_empty() && s[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out
}

#[derive(Collect)]
#[collect(no_drop)]
struct Require<'gc> {
    name: LuaString<'gc>,
    loaded: Table<'gc>,
    searchers: Table<'gc>,
    index: i64,
    #[collect(require_static)]
    msg: Vec<u8>,
    loading: bool,
    /// Diagnostic mode's shadow-stack entry for the loader (below a `[C]` require frame).
    #[collect(require_static)]
    shadow: crate::vm::diagnostics::NativeSlot,
}

impl<'gc> Require<'gc> {
    /// Calls the next searcher, or fails with Lua's "module not found" message.
    fn next_searcher(
        &mut self,
        ctx: Context<'gc>,
        exec: &Execution<'gc, '_>,
        stack: &mut Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, Error<'gc>> {
        self.index += 1;
        let searcher = self.searchers.get(ctx, self.index);
        if searcher.is_nil() {
            let msg = format!(
                "module '{}' not found:{}",
                self.name.to_str_lossy(),
                std::string::String::from_utf8_lossy(&self.msg)
            );
            return Err(error(ctx, exec, &msg));
        }
        let function = callable(ctx, exec, searcher)?;
        stack.replace(ctx, self.name);
        Ok(SequencePoll::Call {
            function,
            is_tail: false,
        })
    }
}

impl<'gc> Sequence<'gc> for Require<'gc> {
    fn poll(
        &mut self,
        ctx: Context<'gc>,
        exec: Execution<'gc, '_>,
        mut stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, Error<'gc>> {
        if self.loading {
            self.shadow.leave(ctx, None);
            let r = stack.get(0);
            stack.clear();
            // package.loaded is a Lua table like any other (keys may have been deleted from
            // it), so these stores go through the guarded, logged raw_set.
            let name = Value::String(self.name);
            if !r.is_nil() {
                let _ = crate::vm::undo::raw_set(ctx, self.loaded, name, r);
            }
            if self.loaded.get(ctx, self.name).is_nil() {
                let _ = crate::vm::undo::raw_set(ctx, self.loaded, name, Value::Boolean(true));
            }
            stack.push_back(self.loaded.get(ctx, self.name));
            return Ok(SequencePoll::Return);
        }
        let (first, extra) = (stack.get(0), stack.get(1));
        stack.clear();
        match first {
            Value::Function(loader) => {
                self.loading = true;
                self.shadow.enter(ctx, &exec, loader, "require");
                stack.extend([Value::String(self.name), extra]);
                Ok(SequencePoll::Call {
                    function: loader,
                    is_tail: false,
                })
            }
            Value::String(s) => {
                self.msg.extend_from_slice(s.as_bytes());
                self.next_searcher(ctx, &exec, &mut stack)
            }
            _ => self.next_searcher(ctx, &exec, &mut stack),
        }
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
