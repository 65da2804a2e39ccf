//! The runtime halves of the compile-time rewrites (see `rewrite.rs`): the hidden
//! `(method)` and `(concat)` callbacks every compiled chunk captures as upvalues.

use gc_arena::Collect;
use piccolo::{
    meta_ops::{self, MetaResult},
    BoxSequence, Callback, CallbackReturn, Context, Error as LuaError, Execution, Function,
    MetaMethod, Sequence, SequencePoll, Stack, Table, Value,
};

use super::undo;
use crate::stdlib::lua_number;

/// The helper functions a compiled chunk needs, created once per Lua state.
#[derive(Clone, Copy, Collect)]
#[collect(no_drop)]
pub struct Helpers<'gc> {
    pub method: Function<'gc>,
    pub concat: Function<'gc>,
    pub pass: Function<'gc>,
    pub first: Function<'gc>,
    pub set: Function<'gc>,
    pub setup: Function<'gc>,
    pub arith: Function<'gc>,
    pub key: Function<'gc>,
    pub drop: Function<'gc>,
    pub index: Function<'gc>,
    /// Diagnostic mode's call wrapper (see `diagnostics.rs`).
    pub call: Function<'gc>,
    /// `(list)(t, n, ...)`: the positional items of a split table constructor (see
    /// `split.rs`).
    pub list: Function<'gc>,
}

/// The state's one set of helpers (so library functions can tell them apart from other
/// functions: see `table/comparator.rs`).
#[derive(Collect, Clone, Copy)]
#[collect(no_drop)]
struct HelpersRoot<'gc>(Helpers<'gc>);

impl<'gc> piccolo::Singleton<'gc> for HelpersRoot<'gc> {
    fn create(ctx: Context<'gc>) -> Self {
        HelpersRoot(Helpers::build(ctx))
    }
}

impl<'gc> Helpers<'gc> {
    /// The helpers of this Lua state (made on first use).
    pub fn new(ctx: Context<'gc>) -> Self {
        ctx.singleton::<gc_arena::Rootable![HelpersRoot<'_>]>().0
    }

    fn build(ctx: Context<'gc>) -> Self {
        Helpers {
            method: Function::Callback(method_helper(ctx)),
            concat: Function::Callback(concat_helper(ctx)),
            // `(pass)(...)` returns its arguments unchanged.
            pass: Function::Callback(Callback::from_fn(&ctx, |_, mut exec, _| {
                // Not counted (see `runaway::Counting`): diagnostic mode passes more
                // library calls through it than plain code does.
                super::runaway::note(&mut exec);
                Ok(CallbackReturn::Return)
            })),
            // `(first)(...)` returns its first argument (nil if none).
            first: Function::Callback(Callback::from_fn(&ctx, |ctx, mut exec, mut stack| {
                super::runaway::enter(ctx, &mut exec)?;
                stack.resize(1);
                Ok(CallbackReturn::Return)
            })),
            set: Function::Callback(set_helper(ctx)),
            setup: Function::Callback(setup_helper(ctx)),
            arith: Function::Callback(super::arith_ops::arith_helper(ctx)),
            // `(key)(k)` returns `k`, first giving a reference-typed key its identity, so
            // keys of a table constructor get theirs in source order (see `rewrite.rs`).
            // In diagnostic mode it also notes where a nil or NaN key is: piccolo's
            // constructor raises Lua's error for it without a position, once the value is
            // evaluated (see `diagnostics::note_key`).
            // `(key)(k, "@N")`: the store fails on line N (see `index.rs`, `place_key`).
            key: Function::Callback(Callback::from_fn(&ctx, |ctx, mut exec, mut stack| {
                super::runaway::enter(ctx, &mut exec)?;
                let line = described_line(stack.get(1));
                stack.resize(1);
                if super::diagnostics::in_diagnostic_mode(ctx) {
                    super::diagnostics::note_key(ctx, stack[0], || position_at(ctx, &exec, line));
                }
                crate::stdlib::tostring::identity_of(ctx, stack[0]);
                Ok(CallbackReturn::Return)
            })),
            // `(drop)(n, ...)` returns the arguments after the first `n` of `...` (a vararg
            // function's extra arguments, see `params.rs`).
            drop: Function::Callback(Callback::from_fn(&ctx, |ctx, mut exec, mut stack| {
                super::runaway::enter(ctx, &mut exec)?;
                let n = match stack.get(0) {
                    Value::Integer(n) => usize::try_from(n).unwrap_or(0),
                    _ => 0,
                };
                let end = (n + 1).min(stack.len());
                stack.drain(..end);
                Ok(CallbackReturn::Return)
            })),
            index: Function::Callback(index_helper(ctx)),
            call: Function::Callback(super::diagnostics::call_helper(ctx)),
            list: Function::Callback(list_helper(ctx)),
        }
    }
}

/// The metatable every string shares (`getmetatable("")`): `{__index = string}` at first,
/// changeable from Lua like any table. piccolo has none, so our own indexing of strings
/// (method calls, `ipairs`) consults it through [`index_value`].
#[derive(Collect, Clone, Copy)]
#[collect(no_drop)]
struct StringMeta<'gc>(Table<'gc>);

impl<'gc> piccolo::Singleton<'gc> for StringMeta<'gc> {
    fn create(ctx: Context<'gc>) -> Self {
        let mt = Table::new(&ctx);
        let _ = mt.set(
            ctx,
            "__index",
            crate::vm::undo::field(ctx, ctx.globals(), "string"),
        );
        StringMeta(mt)
    }
}

pub fn string_metatable<'gc>(ctx: Context<'gc>) -> Table<'gc> {
    ctx.singleton::<gc_arena::Rootable![StringMeta<'_>]>().0
}

/// Lua's bound on `__index` and `__newindex` chains (`MAXTAGLOOP`).
const MAX_TAG_LOOP: usize = 2000;

/// Why `v[k]` failed (see [`index_value`]).
#[derive(Clone, Copy, Debug)]
pub enum IndexFailure {
    /// A value on the chain cannot be indexed: its type name, and whether it is `v` itself
    /// (only then does Lua describe the variable).
    Type { found: &'static str, first: bool },
    /// More than `MAX_TAG_LOOP` `__index` tables in a row.
    Loop,
}

impl IndexFailure {
    /// Lua's message for the failure, without a variable description.
    pub fn message(self) -> String {
        match self {
            IndexFailure::Type { found, .. } => format!("attempt to index a {found} value"),
            IndexFailure::Loop => "'__index' chain too long; possible loop".to_owned(),
        }
    }
}

/// `v[k]` with Lua's semantics for every type (`luaV_finishget`): strings index through the
/// string metatable's `__index`, tables and userdata through theirs; an `__index` table is
/// followed here, at most `MAX_TAG_LOOP` steps from `v`, and an `__index` function is
/// returned as the call to make.
pub fn index_value<'gc>(
    ctx: Context<'gc>,
    v: Value<'gc>,
    k: Value<'gc>,
) -> Result<MetaResult<'gc, 2>, IndexFailure> {
    let mut obj = v;
    for depth in 0..=MAX_TAG_LOOP {
        if depth == MAX_TAG_LOOP {
            // Lua's last step only looks for a raw value in the final `__index` table.
            let found = match obj {
                Value::Table(t) => t.get(ctx, k),
                _ => Value::Nil,
            };
            return match found {
                Value::Nil => Err(IndexFailure::Loop),
                found => Ok(MetaResult::Value(found)),
            };
        }
        let handler = match obj {
            Value::Table(t) => {
                let found = t.get(ctx, k);
                if !found.is_nil() {
                    return Ok(MetaResult::Value(found));
                }
                match t.metatable() {
                    Some(mt) => match crate::vm::undo::field(ctx, mt, MetaMethod::Index.name()) {
                        Value::Nil => return Ok(MetaResult::Value(Value::Nil)),
                        handler => handler,
                    },
                    None => return Ok(MetaResult::Value(Value::Nil)),
                }
            }
            Value::String(_) => undo::field(ctx, string_metatable(ctx), MetaMethod::Index.name()),
            Value::UserData(u) => u.metatable().map_or(Value::Nil, |mt| {
                crate::vm::undo::field(ctx, mt, MetaMethod::Index.name())
            }),
            _ => Value::Nil,
        };
        match handler {
            Value::Nil => {
                return Err(IndexFailure::Type {
                    found: obj.type_name(),
                    first: depth == 0,
                })
            }
            Value::Function(function) => {
                return Ok(MetaResult::Call(meta_ops::MetaCall {
                    function,
                    args: [obj, k],
                }))
            }
            next => obj = next,
        }
    }
    Err(IndexFailure::Loop)
}

/// `t[k]` when no metamethod can take part: `t` a table whose field is present, or that
/// has no metatable; `None` otherwise.
pub fn plain_field<'gc>(t: Value<'gc>, k: Value<'gc>) -> Option<Value<'gc>> {
    let Value::Table(table) = t else {
        return None;
    };
    let v = table.get_value(k);
    (!v.is_nil() || table.metatable().is_none()).then_some(v)
}

/// `(index)(t, k, what)`: `t[k]` as Lua reads it (see `index.rs`).
fn index_helper<'gc>(ctx: Context<'gc>) -> Callback<'gc> {
    Callback::from_fn(&ctx, |ctx, mut exec, mut stack| {
        super::runaway::enter(ctx, &mut exec)?;
        let t = stack.get(0);
        let k = stack.get(1);
        // The common case first: a field present in a table.
        if let Some(v) = plain_field(t, k) {
            stack.replace(ctx, v);
            return Ok(CallbackReturn::Return);
        }
        match index_value(ctx, t, k) {
            Ok(MetaResult::Value(v)) => {
                stack.replace(ctx, v);
                Ok(CallbackReturn::Return)
            }
            Ok(MetaResult::Call(call)) => {
                stack.clear();
                stack.extend(call.args);
                // Diagnostic mode counts the call as Lua counts a metamethod's.
                let shadow = super::diagnostics::enter_metamethod(
                    ctx,
                    &exec,
                    call.function,
                    "index",
                    stack.len(),
                )?;
                Ok(CallbackReturn::Call {
                    function: call.function,
                    // Only its first result counts, as for any metamethod.
                    then: Some(BoxSequence::new(
                        &ctx,
                        super::arith_ops::AfterMetamethod::first(shadow),
                    )),
                })
            }
            Err(failure) => {
                let names = stack.get(2);
                let what = match failure {
                    IndexFailure::Type { first: true, .. } => {
                        super::arith_ops::operand_name(names, 0)
                            .map_or(String::new(), |n| format!(" ({n})"))
                    }
                    _ => String::new(),
                };
                Err(error_at_site(
                    ctx,
                    &exec,
                    names,
                    &format!("{}{what}", failure.message()),
                ))
            }
        }
    })
}

/// `chunk:line: ` of the Lua code that called the running callback, as Lua's `luaL_where(L, 1)`
/// gives it, for an error; empty when no Lua frame is above the callback. Lua has none when
/// the caller is not Lua (`pcall(f)` calling `f` directly), but it keeps one for a C function
/// Lua code called as `return f(...)`, a frame piccolo's tail call drops: either way the run
/// is noted for a diagnostic re-run, whose shadow stack knows which, and gives Lua's text.
pub fn position(ctx: Context<'_>, exec: &Execution<'_, '_>) -> String {
    match exec.upper_lua_frame() {
        Some(frame) => format!(
            "{}:{}: ",
            frame.chunk_name.to_str_lossy(),
            frame.current_line
        ),
        None => {
            super::diagnostics::note_degraded(ctx);
            String::new()
        }
    }
}

/// Charges `units` of fuel for O(n) work done inside a callback.
pub fn charge(exec: &mut Execution<'_, '_>, units: usize) {
    exec.fuel()
        .consume(i32::try_from(units).unwrap_or(i32::MAX));
}

/// A Lua error whose message is prefixed with the caller's position.
pub fn error_at<'gc>(ctx: Context<'gc>, exec: &Execution<'gc, '_>, msg: &str) -> LuaError<'gc> {
    let text = format!("{}{msg}", position(ctx, exec));
    LuaError::from_value(Value::String(ctx.intern(text.as_bytes())))
}

/// [`error_at`] for an error of an expression the pipeline described (`names`, see
/// `index.rs`): at the line its names were written on when the description gives one (an
/// expression in a statement over several lines), else the statement's.
pub fn error_at_site<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    names: Value<'gc>,
    msg: &str,
) -> LuaError<'gc> {
    let text = format!("{}{msg}", position_at(ctx, exec, described_line(names)));
    LuaError::from_value(Value::String(ctx.intern(text.as_bytes())))
}

/// The line of a method call whose receiver `names` describes (see `index.rs`,
/// `receiver_name`): the `@M` line before the last when there is one, else the last.
fn call_line(names: Value<'_>) -> Option<u64> {
    let Value::String(s) = names else {
        return None;
    };
    let mut lines = s.as_bytes().rsplit(|&b| b == b'\n');
    let last = lines.next()?;
    let line = match lines.next() {
        Some(before) if before.starts_with(b"@") => before,
        _ => last,
    };
    std::str::from_utf8(line.strip_prefix(b"@")?)
        .ok()?
        .parse()
        .ok()
}

/// `chunk:line: ` at `line` of the calling Lua code's chunk, or [`position`] without one.
fn position_at(ctx: Context<'_>, exec: &Execution<'_, '_>, line: Option<u64>) -> String {
    match (line, exec.upper_lua_frame()) {
        (Some(line), Some(frame)) => format!("{}:{line}: ", frame.chunk_name.to_str_lossy()),
        _ => position(ctx, exec),
    }
}

/// The source line a description ends with (`...\n@12`), if any.
fn described_line(names: Value<'_>) -> Option<u64> {
    let Value::String(s) = names else {
        return None;
    };
    let last = s.as_bytes().rsplit(|&b| b == b'\n').next()?;
    std::str::from_utf8(last.strip_prefix(b"@")?)
        .ok()?
        .parse()
        .ok()
}

/// The runtime half of the method-call rewrite: `(method)(recv, name, ...)` calls
/// `recv[name](recv, ...)`, where strings index the string library as in Lua 5.3.
fn method_helper<'gc>(ctx: Context<'gc>) -> Callback<'gc> {
    Callback::from_fn(&ctx, |ctx, mut exec, mut stack| {
        super::runaway::enter(ctx, &mut exec)?;
        // `(method)(recv, name, what, args...)`: `what` describes the receiver as Lua would
        // in an error (nil when it gives none), see `index.rs`.
        let receiver = stack.get(0);
        let name = stack.get(1);
        let (what, tail) = super::diagnostics::tail_mark(ctx, stack.get(2));
        // Drop the name and description so the stack is `recv, args...`: the method's own
        // arguments.
        stack.drain(1..3);
        let found = match index_value(ctx, receiver, name) {
            Ok(found) => found,
            Err(IndexFailure::Type { first: true, found }) => {
                let named = super::arith_ops::operand_name(what, 0)
                    .map_or(String::new(), |n| format!(" ({n})"));
                let msg = format!("attempt to index a {found} value{named}");
                return Err(error_at_site(ctx, &exec, what, &msg));
            }
            Err(failure) => return Err(error_at_site(ctx, &exec, what, &failure.message())),
        };
        match found {
            MetaResult::Value(v) => {
                let call = MethodCall {
                    name,
                    arguments: stack.len(),
                    line: call_line(what),
                    tail,
                };
                call_method(ctx, &exec, v, call)
            }
            MetaResult::Call(call) => {
                // `__index` is a function: call it, then call what it returns with our args.
                let args: std::vec::Vec<Value<'gc>> = stack.drain(..).collect();
                stack.extend(call.args);
                let line = call_line(what);
                Ok(CallbackReturn::Call {
                    function: call.function,
                    then: Some(BoxSequence::new(
                        &ctx,
                        ThenCallMethod {
                            args,
                            name,
                            line,
                            tail,
                            shadow: None,
                        },
                    )),
                })
            }
        }
    })
}

/// A method call of `(method)`: the name, how many arguments the method gets (the
/// receiver included), the call's line when it is not the statement's, and whether it is
/// a tail call in Lua (marked in diagnostic mode, see `calls.rs`).
struct MethodCall<'gc> {
    name: Value<'gc>,
    arguments: usize,
    line: Option<u64>,
    tail: bool,
}

fn call_method<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    method: Value<'gc>,
    call: MethodCall<'gc>,
) -> Result<CallbackReturn<'gc>, LuaError<'gc>> {
    let MethodCall {
        name,
        arguments,
        line,
        tail,
    } = call;
    match meta_ops::call(ctx, method) {
        // A library function numbers its arguments counting the receiver; Lua does not
        // count `self` in a method call (see [`MethodArgErrors`]).
        Ok(function @ Function::Callback(_)) => {
            super::diagnostics::method_calls_native(ctx, exec);
            Ok(CallbackReturn::Call {
                function,
                then: Some(BoxSequence::new(&ctx, MethodArgErrors { name, line })),
            })
        }
        Ok(function) => Ok(CallbackReturn::Call {
            function,
            // Diagnostic mode's shadow stack knows method calls too (see `diagnostics`).
            then: super::diagnostics::enter_method(ctx, exec, function, name, arguments, tail)?,
        }),
        Err(_) => Err(type_error(ctx, exec, "call", method, name, line)),
    }
}

/// Errors of a library function called as a method: they get the caller's position (the
/// function ran under this sequence, so it could not see the calling Lua frame), and an
/// argument error is renumbered as Lua's `luaL_argerror` does for a method call:
/// `bad argument #2 to 'rep'` becomes `#1`, and an error in the receiver itself reads
/// `calling 'rep' on bad self`.
#[derive(Collect)]
#[collect(no_drop)]
struct MethodArgErrors<'gc> {
    name: Value<'gc>,
    /// The call's line, when it is not the statement's.
    #[collect(require_static)]
    line: Option<u64>,
}

impl<'gc> Sequence<'gc> for MethodArgErrors<'gc> {
    fn poll(
        &mut self,
        _ctx: Context<'gc>,
        _exec: Execution<'gc, '_>,
        _stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, LuaError<'gc>> {
        Ok(SequencePoll::Return)
    }

    fn error(
        &mut self,
        ctx: Context<'gc>,
        exec: Execution<'gc, '_>,
        error: LuaError<'gc>,
        _stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, LuaError<'gc>> {
        let (LuaError::Lua(e), Value::String(name)) = (&error, self.name) else {
            return Err(error);
        };
        let Value::String(text) = e.0 else {
            return Err(error);
        };
        let text = text.as_bytes();
        // The function ran under this sequence, not directly under Lua code, so its own
        // errors came without the caller's position: add it, as they would have had it.
        // Errors that already carry one come from Lua code it called.
        if has_position(text) {
            return Err(error);
        }
        let mut fixed = position_at(ctx, &exec, self.line).into_bytes();
        match renumber_method_arg(text, name.as_bytes()) {
            Some(renumbered) => fixed.extend_from_slice(&renumbered),
            None => fixed.extend_from_slice(text),
        }
        Err(LuaError::from_value(Value::String(ctx.intern(&fixed))))
    }
}

/// Whether an error message starts with a `chunk:line:` position (`name:12: ...`,
/// `[string "..."]:3: ...`).
fn has_position(text: &[u8]) -> bool {
    let end_of_chunk = if text.starts_with(b"[string \"") {
        match text.windows(3).position(|w| w == b"\"]:") {
            Some(i) => i + 2,
            None => return false,
        }
    } else {
        match text.iter().position(|&b| b == b':' || b == b' ') {
            Some(i) if text[i] == b':' && i > 0 => i,
            _ => return false,
        }
    };
    let rest = &text[end_of_chunk + 1..];
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    digits > 0 && rest.get(digits) == Some(&b':')
}

/// `bad argument #N to 'f' (why)` as it reads for a method call of `name`, or None when
/// `text` is not an argument error of that function. `f` may be qualified
/// (`string.rep`): a library function names itself so when no Lua code called it; or `?`.
fn renumber_method_arg(text: &[u8], name: &[u8]) -> Option<Vec<u8>> {
    let rest = text.strip_prefix(b"bad argument #")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let n: u64 = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    let rest = rest[digits..].strip_prefix(b" to '")?;
    let quote = rest.iter().position(|&b| b == b'\'')?;
    let called = &rest[..quote];
    let short = called.rsplit(|&b| b == b'.').next().unwrap_or(called);
    let why = rest[quote + 1..].strip_prefix(b" ")?;
    // A function that names itself `?` (a file method: no global's field) is the one the
    // method call called.
    if n == 0 || (short != name && called != b"?") {
        return None;
    }
    let mut out = if n == 1 {
        b"calling '".to_vec()
    } else {
        format!("bad argument #{} to '", n - 1).into_bytes()
    };
    out.extend_from_slice(name);
    out.extend_from_slice(if n == 1 { b"' on bad self " } else { b"' " });
    out.extend_from_slice(why);
    Some(out)
}

/// Calls the method an `__index` function gave (`args`: the receiver and arguments). In
/// diagnostic mode a Lua method gets its shadow-stack entry, ended here when it returns.
#[derive(Collect)]
#[collect(no_drop)]
struct ThenCallMethod<'gc> {
    args: std::vec::Vec<Value<'gc>>,
    name: Value<'gc>,
    #[collect(require_static)]
    line: Option<u64>,
    #[collect(require_static)]
    tail: bool,
    /// The method's shadow-stack entry, once it is called.
    shadow: Option<BoxSequence<'gc>>,
}

impl<'gc> Sequence<'gc> for ThenCallMethod<'gc> {
    fn poll(
        &mut self,
        ctx: Context<'gc>,
        exec: Execution<'gc, '_>,
        mut stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, LuaError<'gc>> {
        if let Some(mut entry) = self.shadow.take() {
            // The method returned.
            return entry.poll(ctx, exec, stack);
        }
        let method = stack.get(0);
        stack.clear();
        let arguments = self.args.len();
        stack.extend(self.args.drain(..));
        let function = meta_ops::call(ctx, method)
            .map_err(|_| type_error(ctx, &exec, "call", method, self.name, self.line))?;
        self.shadow = super::diagnostics::enter_method(
            ctx, &exec, function, self.name, arguments, self.tail,
        )?;
        Ok(SequencePoll::Call {
            function,
            is_tail: self.shadow.is_none(),
        })
    }

    fn error(
        &mut self,
        ctx: Context<'gc>,
        exec: Execution<'gc, '_>,
        error: LuaError<'gc>,
        stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, LuaError<'gc>> {
        match self.shadow.take() {
            Some(mut entry) => entry.error(ctx, exec, error, stack),
            None => Err(error),
        }
    }
}

/// Lua 5.3's wording: `attempt to index a nil value` / `attempt to call a nil value (method 'x')`.
fn type_error<'gc>(
    ctx: Context<'gc>,
    exec: &Execution<'gc, '_>,
    what: &str,
    value: Value<'gc>,
    name: Value<'gc>,
    line: Option<u64>,
) -> LuaError<'gc> {
    let msg = if what == "call" {
        let name = match name {
            Value::String(s) => s.to_str_lossy().into_owned(),
            _ => String::from("?"),
        };
        format!(
            "attempt to call a {} value (method '{name}')",
            value.type_name()
        )
    } else {
        format!("attempt to {what} a {} value", value.type_name())
    };
    let text = format!("{}{msg}", position_at(ctx, exec, line));
    LuaError::from_value(Value::String(ctx.intern(text.as_bytes())))
}

/// `(concat)(a, b, ...)`: Lua 5.3's `a .. b .. ...`. Strings and numbers (formatted as Lua
/// formats them) are joined; any other operand needs a `__concat` metamethod, applied pairwise
/// from the right as Lua's VM does.
fn concat_helper<'gc>(ctx: Context<'gc>) -> Callback<'gc> {
    Callback::from_fn(&ctx, |ctx, mut exec, mut stack| {
        super::runaway::enter(ctx, &mut exec)?;
        // `(concat)(count, operands...)`: exactly `count` operands (see rewrite.rs).
        let count = match stack.get(0) {
            Value::Integer(n) => usize::try_from(n).unwrap_or(0),
            _ => 0,
        };
        stack.pop_front();
        // The operands' names, when the pipeline passed them (after the operands).
        let names = stack.get(count);
        stack.resize(count);
        let all_text = stack[..].iter().all(|v| is_text(*v));
        if all_text {
            // Not made past the memory limit (see `budget.rs`); a number's text is at most
            // a few dozen bytes.
            let size = stack[..]
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.as_bytes().len(),
                    _ => 48,
                })
                .fold(0usize, usize::saturating_add);
            if super::budget::reserve(ctx, &mut exec, size) {
                let joined = join(ctx, &mut exec, &stack[..]);
                stack.clear();
                stack.push_back(joined);
                return Ok(CallbackReturn::Return);
            }
        }
        let values: Vec<Value<'gc>> = stack.drain(..).collect();
        let concat = BoxSequence::new(
            &ctx,
            Concat {
                originals: values.len(),
                values,
                awaiting: false,
                names,
                shadow: Default::default(),
            },
        );
        if all_text {
            // Paused until the `Vm` has collected; the join is then done by the sequence.
            return Ok(CallbackReturn::Call {
                function: super::budget::pause(ctx),
                then: Some(concat),
            });
        }
        Ok(CallbackReturn::Sequence(concat))
    })
}

fn is_text(v: Value<'_>) -> bool {
    matches!(v, Value::String(_) | Value::Integer(_) | Value::Number(_))
}

fn join<'gc>(
    ctx: Context<'gc>,
    exec: &mut Execution<'gc, '_>,
    values: &[Value<'gc>],
) -> Value<'gc> {
    let mut buf = Vec::new();
    for v in values {
        match *v {
            Value::String(s) => buf.extend_from_slice(s.as_bytes()),
            Value::Integer(i) => lua_number::fmt_integer(i, &mut buf),
            Value::Number(f) => lua_number::fmt_float(f, &mut buf),
            _ => {}
        }
    }
    // Copying is O(length): charge for it so that building huge strings meets the fuel limit.
    charge(exec, buf.len() / 128);
    Value::String(piccolo::String::from_slice(&ctx, &buf))
}

#[derive(Collect)]
#[collect(no_drop)]
struct Concat<'gc> {
    values: Vec<Value<'gc>>,
    awaiting: bool,
    /// How many of `values`, from the start, are still the operands as written (the rest
    /// are results of joins and metamethods, which Lua cannot name).
    originals: usize,
    names: Value<'gc>,
    /// Diagnostic mode's shadow-stack entry of the `__concat` call running.
    #[collect(require_static)]
    shadow: super::diagnostics::NativeSlot,
}

impl<'gc> Sequence<'gc> for Concat<'gc> {
    fn poll(
        &mut self,
        ctx: Context<'gc>,
        mut exec: Execution<'gc, '_>,
        mut stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, LuaError<'gc>> {
        if self.awaiting {
            self.awaiting = false;
            self.shadow.leave(ctx, None);
            // The metamethod's first result replaces the two operands it combined.
            self.values.push(stack.get(0));
        }
        stack.clear();
        while self.values.len() > 1 {
            let n = self.values.len();
            let (a, b) = (self.values[n - 2], self.values[n - 1]);
            if is_text(a) && is_text(b) {
                // Join the longest run of strings and numbers at the end in one go.
                let start = self.values[..n - 1]
                    .iter()
                    .rposition(|v| !is_text(*v))
                    .map_or(0, |i| i + 1);
                let joined = join(ctx, &mut exec, &self.values[start..]);
                self.values.truncate(start);
                self.originals = self.originals.min(start);
                self.values.push(joined);
                continue;
            }
            let handler = [a, b]
                .into_iter()
                .map(|v| metamethod(ctx, v))
                .find(|h| !h.is_nil());
            let Some(handler) = handler else {
                let (bad, at) = if is_text(a) { (b, n - 1) } else { (a, n - 2) };
                let named = Some(at)
                    .filter(|&at| at < self.originals)
                    .and_then(|at| super::arith_ops::operand_name(self.names, at))
                    .map_or(String::new(), |name| format!(" ({name})"));
                let msg = format!("attempt to concatenate a {} value{named}", bad.type_name());
                return Err(error_at_site(ctx, &exec, self.names, &msg));
            };
            let function = meta_ops::call(ctx, handler).map_err(|_| {
                let msg = format!("attempt to call a {} value", handler.type_name());
                error_at(ctx, &exec, &msg)
            })?;
            self.values.truncate(n - 2);
            self.originals = self.originals.min(n - 2);
            stack.extend([a, b]);
            self.awaiting = true;
            // Diagnostic mode counts the call as Lua counts a metamethod's.
            self.shadow =
                super::diagnostics::enter_metamethod(ctx, &exec, function, "concat", 2)?.into();
            return Ok(SequencePoll::Call {
                function,
                is_tail: false,
            });
        }
        stack.push_back(self.values.pop().unwrap_or(Value::Nil));
        Ok(SequencePoll::Return)
    }

    fn error(
        &mut self,
        ctx: Context<'gc>,
        _exec: Execution<'gc, '_>,
        error: LuaError<'gc>,
        _stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, LuaError<'gc>> {
        self.shadow.leave(ctx, Some(&error));
        Err(error)
    }
}

fn metamethod<'gc>(ctx: Context<'gc>, v: Value<'gc>) -> Value<'gc> {
    let mt = match v {
        Value::Table(t) => t.metatable(),
        Value::UserData(u) => u.metatable(),
        _ => None,
    };
    mt.map_or(Value::Nil, |mt| crate::vm::undo::field(ctx, mt, "__concat"))
}

/// The runtime half of the assignment rewrite: `(set)(t, k, v)` is `t[k] = v` with Lua's
/// `__newindex` semantics, every raw store going through the undo log.
fn set_helper<'gc>(ctx: Context<'gc>) -> Callback<'gc> {
    Callback::from_fn(&ctx, |ctx, mut exec, mut stack| {
        super::runaway::enter(ctx, &mut exec)?;
        let (mut target, key, value) = (stack.get(0), stack.get(1), stack.get(2));
        // The target's name, when the pipeline passed it (see `index.rs`).
        let names = stack.get(3);
        stack.clear();
        for depth in 0..=MAX_TAG_LOOP {
            if depth == MAX_TAG_LOOP {
                // Lua's last step only stores into a field the final table already has.
                match target {
                    Value::Table(t) if !t.get_value(key).is_nil() => {
                        undo::raw_set(ctx, t, key, value)
                            .map_err(|e| error_at(ctx, &exec, &e.to_string()))?;
                        return Ok(CallbackReturn::Return);
                    }
                    _ => break,
                }
            }
            let handler = match target {
                Value::Table(t) => {
                    let present = !t.get_value(key).is_nil();
                    let handler = if present {
                        Value::Nil
                    } else {
                        t.metatable().map_or(Value::Nil, |mt| {
                            crate::vm::undo::field(ctx, mt, MetaMethod::NewIndex.name())
                        })
                    };
                    if handler.is_nil() {
                        match key {
                            // On the store's line, as an index error would be.
                            Value::Nil => {
                                return Err(error_at_site(ctx, &exec, names, "table index is nil"))
                            }
                            Value::Number(f) if f.is_nan() => {
                                return Err(error_at_site(ctx, &exec, names, "table index is NaN"))
                            }
                            _ => {}
                        }
                        undo::raw_set(ctx, t, key, value)
                            .map_err(|e| error_at(ctx, &exec, &e.to_string()))?;
                        return Ok(CallbackReturn::Return);
                    }
                    handler
                }
                Value::UserData(u) => u.metatable().map_or(Value::Nil, |mt| {
                    crate::vm::undo::field(ctx, mt, MetaMethod::NewIndex.name())
                }),
                _ => Value::Nil,
            };
            match handler {
                Value::Nil => {
                    let named = Some(depth)
                        .filter(|&d| d == 0)
                        .and_then(|_| super::arith_ops::operand_name(names, 0))
                        .map_or(String::new(), |n| format!(" ({n})"));
                    return Err(error_at_site(
                        ctx,
                        &exec,
                        names,
                        &format!("attempt to index a {} value{named}", target.type_name()),
                    ));
                }
                Value::Function(f) => {
                    stack.extend([target, key, value]);
                    // Diagnostic mode counts the call as Lua counts a metamethod's.
                    let shadow =
                        super::diagnostics::enter_metamethod(ctx, &exec, f, "newindex", 3)?;
                    return Ok(CallbackReturn::Call {
                        function: f,
                        then: shadow.map(|call| {
                            BoxSequence::new(&ctx, super::arith_ops::AfterMetamethod::none(call))
                        }),
                    });
                }
                next => target = next,
            }
        }
        Err(error_at(
            ctx,
            &exec,
            "'__newindex' chain too long; possible loop",
        ))
    })
}

/// `(list)(t, n, v1, ..., vk)` stores `t[n + i] = vi` for every value passed, nils
/// included, as the `SETLIST` of Lua's table constructor does: the positional items of a
/// constructor split into pieces (see `split.rs`). `t` is the constructor's fresh table (no
/// metatable), so the stores are raw; they go through the guarded, logged store.
fn list_helper<'gc>(ctx: Context<'gc>) -> Callback<'gc> {
    Callback::from_fn(&ctx, |ctx, mut exec, mut stack| {
        super::runaway::enter(ctx, &mut exec)?;
        let (Value::Table(t), Value::Integer(base)) = (stack.get(0), stack.get(1)) else {
            return Err(error_at(
                ctx,
                &exec,
                "internal error: bad table constructor piece",
            ));
        };
        for i in 2..stack.len() {
            let key = i64::try_from(i - 1)
                .ok()
                .and_then(|i| base.checked_add(i))
                .ok_or_else(|| error_at(ctx, &exec, "table overflow"))?;
            undo::raw_set(ctx, t, Value::Integer(key), stack.get(i))
                .map_err(|e| error_at(ctx, &exec, &e.to_string()))?;
        }
        stack.clear();
        Ok(CallbackReturn::Return)
    })
}

/// `(setup)(function() return x end)`: logs the captured variable `x` (the getter's only
/// upvalue) before the assignment that follows it.
fn setup_helper<'gc>(ctx: Context<'gc>) -> Callback<'gc> {
    Callback::from_fn(&ctx, |ctx, mut exec, mut stack| {
        super::runaway::enter(ctx, &mut exec)?;
        if let Value::Function(Function::Closure(getter)) = stack.get(0) {
            if let Some(cell) = getter.upvalues().first() {
                undo::record_upvalue(ctx, *cell);
            }
        }
        stack.clear();
        Ok(CallbackReturn::Return)
    })
}
