//! Our own compile pipeline around piccolo's public parser and compiler:
//! `source -> check size -> parse -> check shape -> rewrite -> compile -> closure`.
//!
//! Parsing and compiling happen without a Lua state (strings are `Arc<[u8]>` until the
//! prototype is instantiated), so natively they run on a thread with a large stack:
//! piccolo's parser and compiler recurse, and the caller's thread may be small.
//!
//! Why not `Closure::load`: piccolo has no string metatable, so `("x"):rep(3)` and
//! `msg.Data:match(p)` would fail. We rewrite every method call `recv:name(args)` into
//! `M(recv, "name", args)` where `M` is a hidden upvalue holding [`method_call`], which looks
//! the method up in the string library for string receivers and indexes anything else normally.
//! `M` lives in a local of an invisible wrapper function, so it works under any `_ENV`.

use std::collections::HashMap;
use std::sync::Arc;

use gc_arena::{allocator_api::MetricsAlloc, Gc};
use piccolo::{
    closure::{UpValue, UpValueState},
    compiler::{
        self,
        lexer::{Lexer, Token},
        parser::{
            Block, CallSuffix, Chunk, ConstructorField, Expression, FunctionDefinition,
            LineAnnotated, LocalStatement, ReturnStatement, SimpleExpression, Statement,
            SuffixPart, SuffixedExpression,
        },
        CompiledPrototype, FunctionRef, LineNumber, StringInterner,
    },
    types::{RegisterIndex, UpValueDescriptor},
    Closure, Context, FunctionPrototype, Value,
};

use super::arith::ArithRewrite;
use super::assign::{AssignNames, AssignRewrite};
use super::calls::CallRewrite;
use super::helpers::Helpers;
use super::index::{constructor_order, After, Anchor, Describe, HelperNames, IndexRewrite, Stored};
use super::labels::{LabelError, LabelRewrite};
use super::params::{restore_vararg_flags, ParamRewrite};
use super::rewrite::{
    library_aliases, simple, Rewrite, BASE_FUNCTIONS, LIBRARY_TABLES, STRING_METHODS,
};
use super::split::{SplitBodies, SplitNames};
use super::visit::mutable::VisitMut;
use super::visit::read_only::{
    walk_block, walk_function, walk_simple, walk_statement, walk_suffixed, Visit,
};
use crate::error::Error;

/// Bounds on source accepted for compilation. piccolo's compiler recurses on operator
/// chains, and a deep enough chain overflows the (wasm) stack, which traps and poisons the
/// instance; these bounds reject such source first with a clear error.
#[derive(Debug, Clone, Copy)]
pub struct SourceLimits {
    pub max_bytes: usize,
    pub max_operator_chain: usize,
    pub max_nesting: usize,
}

impl Default for SourceLimits {
    fn default() -> Self {
        SourceLimits {
            max_bytes: 16 << 20,
            max_operator_chain: 1000,
            max_nesting: 200,
        }
    }
}

/// How a chunk's table reads `a.k`, `a[k]` are compiled (see `index.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reads {
    /// Through the `(index)` helper: Lua's semantics for strings, errors with position and
    /// variable name. For all code users give.
    Lua,
    /// As piccolo's VM does them. Only for aolite's own runtime modules, which index
    /// tables only, read on every message, and cost about 12% of a token transfer otherwise.
    Vm,
    /// As `Lua`, for a runtime module that indexes what programs give it (`.crypto`); its
    /// errors carry aos's line numbers, as the `Vm` modules' do: it compiles with blank lines
    /// added before its `-- aos:N` lines (see `aos_lines::pad`).
    LuaInRuntime,
}

impl Reads {
    /// Whether reads (and the other rewrites user code gets) have Lua's semantics.
    pub fn lua_semantics(self) -> bool {
        self != Reads::Vm
    }
}

/// Strings of a compiled chunk before they are interned into a Lua state.
pub type SourceString = Arc<[u8]>;

#[derive(Clone, Copy)]
struct OwnedInterner;

impl StringInterner for OwnedInterner {
    type String = SourceString;

    fn intern(&mut self, s: &[u8]) -> Self::String {
        Arc::from(s)
    }
}

/// Stack for compiling natively (see the module docs).
#[cfg(not(target_arch = "wasm32"))]
const COMPILER_STACK: usize = 256 << 20;

/// The hidden locals of the wrapper function, in declaration (register) order; each is a
/// helper callback the rewrites call.
const HELPER_LOCALS: [&[u8]; 12] = [
    b"(method)",
    b"(concat)",
    b"(pass)",
    b"(first)",
    b"(set)",
    b"(setup)",
    b"(arith)",
    b"(key)",
    b"(drop)",
    b"(index)",
    b"(call)",
    b"(list)",
];

/// Parses, checks, rewrites and compiles `source` (not yet tied to a Lua state).
pub fn compile(chunk_name: &str, source: &[u8], limits: &SourceLimits) -> Result<Compiled, Error> {
    compile_with(chunk_name, source, limits, Reads::Lua)
}

/// [`compile`], choosing how table reads are compiled.
pub fn compile_with(
    chunk_name: &str,
    source: &[u8],
    limits: &SourceLimits,
    reads: Reads,
) -> Result<Compiled, Error> {
    compile_mode(chunk_name, source, limits, reads, false)
}

/// A compiled chunk, not yet tied to a Lua state; shared by every state that loads the same
/// source (see [`cache`]).
pub type Compiled = Arc<CompiledPrototype<SourceString>>;

/// [`compile_with`], in diagnostic mode when `diagnostic` (every call through the `(call)`
/// helper, see `diagnostics.rs`). The prototype tree has the same shape either way, so
/// closures exported from one mode are rebuilt in the other.
pub fn compile_mode(
    chunk_name: &str,
    source: &[u8],
    limits: &SourceLimits,
    reads: Reads,
    diagnostic: bool,
) -> Result<Compiled, Error> {
    compile_cached(chunk_name, source, limits, reads, (diagnostic, false))
}

/// [`compile_mode`] for the debug library's upvalue names: each function of the source
/// starts with a statement naming its parameters and upvalues, which puts its upvalues in
/// Lua's order (see `upvalues.rs`). Never run: only its prototypes' upvalue descriptors
/// and names constants are read, and matched to the closures compiled by `compile_mode`.
pub fn compile_names(
    chunk_name: &str,
    source: &[u8],
    limits: &SourceLimits,
    reads: Reads,
    diagnostic: bool,
) -> Result<Compiled, Error> {
    compile_cached(chunk_name, source, limits, reads, (diagnostic, true))
}

fn compile_cached(
    chunk_name: &str,
    source: &[u8],
    limits: &SourceLimits,
    reads: Reads,
    (diagnostic, names): (bool, bool),
) -> Result<Compiled, Error> {
    let key = cache::Key::new(chunk_name, source, limits, reads, (diagnostic, names));
    if let Some(hit) = cache::get(key) {
        return Ok(hit);
    }
    let compiled = Arc::new(compile_uncached(
        chunk_name,
        source,
        limits,
        reads,
        (diagnostic, names),
    )?);
    cache::put(key, compiled.clone());
    Ok(compiled)
}

/// Compiled chunks by their inputs. Every spawn compiles the same runtime modules and every
/// import or diagnostic copy the same chunks again; compiling is a pure function of the
/// name, the source and the options, so its result is shared (it is not observable: the
/// prototypes are instantiated per Lua state). Bounded by total source size: when full,
/// it starts over.
mod cache {
    use std::collections::hash_map::DefaultHasher;
    use std::collections::HashMap;
    use std::hash::{Hash, Hasher};
    use std::sync::Mutex;

    use super::{Compiled, Reads, SourceLimits};

    /// Source bytes kept at most (the runtime modules are about 100 KB).
    const MAX_BYTES: usize = 8 << 20;
    /// Larger sources are compiled each time.
    const MAX_SOURCE: usize = 1 << 20;

    /// What a compilation depends on, borrowed: a lookup copies nothing (the runtime's
    /// modules are read on every spawn).
    #[derive(Clone, Copy, PartialEq, Eq, Hash)]
    pub struct Key<'a> {
        name: &'a str,
        source: &'a [u8],
        limits: (usize, usize, usize),
        reads: Reads,
        diagnostic: bool,
        names: bool,
    }

    impl<'a> Key<'a> {
        pub fn new(
            name: &'a str,
            source: &'a [u8],
            limits: &SourceLimits,
            reads: Reads,
            (diagnostic, names): (bool, bool),
        ) -> Option<Key<'a>> {
            (source.len() <= MAX_SOURCE).then_some(Key {
                name,
                source,
                limits: (
                    limits.max_bytes,
                    limits.max_operator_chain,
                    limits.max_nesting,
                ),
                reads,
                diagnostic,
                names,
            })
        }

        fn hash(&self) -> u64 {
            let mut h = DefaultHasher::new();
            Hash::hash(self, &mut h);
            h.finish()
        }
    }

    /// A cached compilation with its own copy of the inputs it was made from.
    struct Entry {
        name: Box<str>,
        source: Box<[u8]>,
        limits: (usize, usize, usize),
        reads: Reads,
        diagnostic: bool,
        names: bool,
        compiled: Compiled,
    }

    impl Entry {
        fn key(&self) -> Key<'_> {
            Key {
                name: &self.name,
                source: &self.source,
                limits: self.limits,
                reads: self.reads,
                diagnostic: self.diagnostic,
                names: self.names,
            }
        }
    }

    #[derive(Default)]
    struct Cache {
        entries: HashMap<u64, Vec<Entry>>,
        bytes: usize,
    }

    static CACHE: Mutex<Option<Cache>> = Mutex::new(None);

    pub fn get(key: Option<Key<'_>>) -> Option<Compiled> {
        let key = key?;
        let guard = CACHE.lock().ok()?;
        let same = guard.as_ref()?.entries.get(&key.hash())?;
        same.iter()
            .find(|e| e.key() == key)
            .map(|e| e.compiled.clone())
    }

    pub fn put(key: Option<Key<'_>>, compiled: Compiled) {
        let (Some(key), Ok(mut guard)) = (key, CACHE.lock()) else {
            return;
        };
        let cache = guard.get_or_insert_with(Cache::default);
        let size = key.source.len() + key.name.len();
        if cache.bytes + size > MAX_BYTES {
            *cache = Cache::default();
        }
        cache.bytes += size;
        cache.entries.entry(key.hash()).or_default().push(Entry {
            name: key.name.into(),
            source: key.source.into(),
            limits: key.limits,
            reads: key.reads,
            diagnostic: key.diagnostic,
            names: key.names,
            compiled,
        });
    }
}

fn compile_uncached(
    chunk_name: &str,
    source: &[u8],
    limits: &SourceLimits,
    reads: Reads,
    (diagnostic, names): (bool, bool),
) -> Result<CompiledPrototype<SourceString>, Error> {
    if source.len() > limits.max_bytes {
        return Err(Error::SourceRejected(format!(
            "{chunk_name}: source is {} bytes, more than the limit of {}",
            source.len(),
            limits.max_bytes
        )));
    }
    if source.starts_with(b"\x1bLua") {
        return Err(Error::Syntax(format!(
            "{chunk_name}: attempt to load a binary chunk (only text chunks are supported)"
        )));
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::thread::scope(|scope| {
            std::thread::Builder::new()
                .name("aolite-compiler".into())
                .stack_size(COMPILER_STACK)
                .spawn_scoped(scope, || {
                    let compiled =
                        compile_here(chunk_name, source, limits, reads, (diagnostic, names));
                    super::syntax::lua_wording(compiled, chunk_name, source)
                })
                .map_err(|e| Error::SourceRejected(format!("cannot start the compiler: {e}")))?
                .join()
                .unwrap_or_else(|_| Err(internal("the compiler panicked")))
        })
    }
    #[cfg(target_arch = "wasm32")]
    {
        let compiled = compile_here(chunk_name, source, limits, reads, (diagnostic, names));
        super::syntax::lua_wording(compiled, chunk_name, source)
    }
}

/// The pipeline's stages stay functions of their own (`#[inline(never)]`): in wasm, V8
/// recompiles a function that has run hot with its optimising compiler, in one job whose time
/// and memory grow faster than the function; merged into this one, the pipeline a process's
/// first boot runs was one 35 KB function costing about 100 ms and 12 MB of compiler memory.
fn compile_here(
    chunk_name: &str,
    source: &[u8],
    limits: &SourceLimits,
    reads: Reads,
    (diagnostic, names): (bool, bool),
) -> Result<CompiledPrototype<SourceString>, Error> {
    let padded;
    let source = if reads == Reads::LuaInRuntime {
        padded = super::aos_lines::pad(source);
        &padded[..]
    } else {
        source
    };
    let source = super::numerals::wrap_hex_integers(source);
    // User code: note the line of every name and string token, for the positions of errors
    // inside statements that span several lines (see `LineInterner`).
    let mut interner = LineInterner::new(if reads.lua_semantics() {
        token_lines(&source)
    } else {
        Vec::new()
    });
    let chunk = compiler::parse_chunk(&*source, &mut interner)
        .map_err(|e| Error::Syntax(format!("{chunk_name}:{}: {}", e.line_number, e.kind)))?;
    let token_lines = std::rc::Rc::new(interner.finish());
    let checker = shape_check(&chunk.block, limits, diagnostic);
    if let Some(why) = checker.error {
        // More locals than Lua allows is Lua's syntax error (`lua_wording` words it).
        if checker.too_many_locals {
            return Err(Error::Syntax(format!("{chunk_name}: {why}")));
        }
        return Err(Error::SourceRejected(format!("{chunk_name}: {why}")));
    }
    // After the parameter rewrite every function is vararg, and piccolo does not check
    // this anyway: Lua's parser rejects `...` in a function that does not declare it.
    if let Some(line) = misplaced_vararg(&chunk.block) {
        return Err(Error::Syntax(format!(
            "{chunk_name}:{line}: cannot use '...' outside a vararg function near '...'"
        )));
    }
    let name = |s: &[u8]| -> SourceString { Arc::from(s) };
    let mut chunk = chunk;
    if names {
        // Before every rewrite: Lua's upvalue order and the names, from the source as
        // written (see `upvalues.rs`).
        super::upvalues::insert_preludes(&mut chunk.block);
    }
    let mut labels = LabelRewrite::new(|label: &SourceString, n| {
        // `#` cannot appear in a Lua name: no clash with the program's own labels.
        Arc::from(format!("{}#{n}", String::from_utf8_lossy(label)).as_bytes())
    });
    labels.chunk(&mut chunk.block);
    if let Some(e) = labels.error {
        let text = |s: &SourceString| String::from_utf8_lossy(s).into_owned();
        return Err(Error::Syntax(match e {
            LabelError::Repeated { name, first, again } => format!(
                "{chunk_name}:{again}: label '{}' already defined on line {first}",
                text(&name)
            ),
            LabelError::Unresolved { name, at, end } => format!(
                "{chunk_name}:{end}: no visible label '{}' for <goto> at line {at}",
                text(&name)
            ),
            LabelError::IntoScope {
                name,
                at,
                local,
                label,
            } => format!(
                "{chunk_name}:{label}: <goto {}> at line {at} jumps into the scope of local '{}'",
                text(&name),
                text(&local)
            ),
        }));
    }
    // Before the assignment rewrite turns stores into helper calls.
    let fresh = super::fresh::fresh_appends(&chunk.block);
    AssignRewrite::new(AssignNames {
        set: name(HELPER_LOCALS[4]),
        setup: name(HELPER_LOCALS[5]),
        arith: name(HELPER_LOCALS[6]),
        env: name(b"_ENV"),
        self_param: name(b"self"),
        for_state: [name(b"(for f)"), name(b"(for s)"), name(b"(for c)")],
        temp: |i| Arc::from(format!("(t{i})").as_bytes()),
        cell: |i| Arc::from(format!("(cell{i})").as_bytes()),
        prelude: name(super::upvalues::PRELUDE_LOCAL),
        fresh: fresh.clone(),
    })
    .chunk(&mut chunk.block);
    let library: Vec<_> = LIBRARY_TABLES.iter().map(|n| name(n.as_bytes())).collect();
    let base_functions: Vec<_> = BASE_FUNCTIONS.iter().map(|n| name(n.as_bytes())).collect();
    let aliases = library_aliases(&chunk.block, &library, &base_functions);
    let rewrite = Rewrite {
        method: name(HELPER_LOCALS[0]),
        concat: name(HELPER_LOCALS[1]),
        result: name(b"(result)"),
        pass: name(HELPER_LOCALS[2]),
        first: name(HELPER_LOCALS[3]),
        key: name(HELPER_LOCALS[7]),
        library,
        base_functions,
        string_methods: STRING_METHODS.iter().map(|n| name(n.as_bytes())).collect(),
        aliases,
    };
    let (wrapped, declared_vararg, read_lines) = wrap_chunk(
        chunk,
        rewrite,
        vec![
            name(HELPER_LOCALS[4]),
            name(HELPER_LOCALS[5]),
            name(HELPER_LOCALS[6]),
            name(HELPER_LOCALS[7]),
            name(HELPER_LOCALS[8]),
            name(HELPER_LOCALS[9]),
            name(HELPER_LOCALS[10]),
            name(HELPER_LOCALS[11]),
        ],
        [name(b"(from)"), name(b"(limit)"), name(b"(step)")],
        name(b"(inline)"),
        {
            let token_lines = token_lines.clone();
            std::rc::Rc::new(move |parts, operator| description(parts, operator, &token_lines))
        },
        (reads, diagnostic, fresh),
    );
    let mut compiled = compiler::compile_chunk(&wrapped, OwnedInterner)
        .map_err(|e| Error::Syntax(format!("{chunk_name}:{}: {}", e.line_number, e.kind)))?;
    if compiled.prototypes.is_empty() {
        return Err(internal("the wrapper compiled without its inner function"));
    }
    if reads.lua_semantics() {
        // Calls on Lua's lines, for the errors library functions raise (see `call_lines`).
        let call = diagnostic.then(|| name(HELPER_LOCALS[10]));
        super::call_lines::apply(
            &wrapped.block,
            &mut compiled,
            &|anchor| anchor_line(anchor, None, &token_lines),
            call.as_ref(),
            &read_lines,
        );
    }
    super::call_lines::loops_on_their_line(&mut compiled);
    let mut inner = *compiled.prototypes.remove(0);
    inner.reference = FunctionRef::Chunk;
    restore_vararg_flags(&mut inner, &declared_vararg);
    if reads == Reads::Vm {
        // aolite's runtime modules: their errors carry aos's line numbers (`LuaInRuntime`
        // modules were padded to them above).
        super::aos_lines::apply(&mut inner, &source);
    }
    // Resolve the inner function's upvalues against the wrapper now, so instantiating
    // needs only the inner prototype: Outer(i) must be the wrapper's _ENV.
    for desc in &mut inner.upvalues {
        match desc {
            UpValueDescriptor::Outer(i) => match compiled.upvalues.get(usize::from(i.0)) {
                Some(UpValueDescriptor::Environment) => *desc = UpValueDescriptor::Environment,
                _ => return Err(internal("unexpected outer upvalue")),
            },
            UpValueDescriptor::ParentLocal(RegisterIndex(r))
                if usize::from(*r) < HELPER_LOCALS.len() => {}
            UpValueDescriptor::ParentLocal(_) => return Err(internal("unexpected parent local")),
            UpValueDescriptor::Environment => {}
        }
    }
    Ok(inner)
}

#[inline(never)] // a compile job of its own in V8 (see `compile_here`)
fn shape_check<'l>(
    block: &Block<SourceString>,
    limits: &'l SourceLimits,
    diagnostic: bool,
) -> ShapeCheck<'l> {
    let mut checker = ShapeCheck {
        limits,
        depth: 0,
        held: 0,
        locals: 0,
        error: None,
        too_many_locals: false,
        diagnostic,
    };
    checker.block(block);
    checker
}

/// The line of a `...` used outside a vararg function, if any.
#[inline(never)] // a compile job of its own in V8 (see `compile_here`)
fn misplaced_vararg(block: &Block<SourceString>) -> Option<LineNumber> {
    let mut varargs = VarargCheck {
        vararg: vec![true],
        line: LineNumber(0),
        misplaced: None,
    };
    varargs.block(block);
    varargs.misplaced
}

/// Ties a compiled chunk to a Lua state: a closure whose `_ENV` is `env`.
pub fn instantiate<'gc>(
    ctx: Context<'gc>,
    chunk_name: piccolo::String<'gc>,
    compiled: &CompiledPrototype<SourceString>,
    env: Value<'gc>,
    helpers: Helpers<'gc>,
) -> Closure<'gc> {
    let slot = |v: Value<'gc>| UpValue::new(&ctx, UpValueState::Closed(v));
    let env_slot = slot(env);
    let helper_slots = [
        slot(Value::Function(helpers.method)),
        slot(Value::Function(helpers.concat)),
        slot(Value::Function(helpers.pass)),
        slot(Value::Function(helpers.first)),
        slot(Value::Function(helpers.set)),
        slot(Value::Function(helpers.setup)),
        slot(Value::Function(helpers.arith)),
        slot(Value::Function(helpers.key)),
        slot(Value::Function(helpers.drop)),
        slot(Value::Function(helpers.index)),
        slot(Value::Function(helpers.call)),
        slot(Value::Function(helpers.list)),
    ];
    let mut upvalues = allocator_api2::vec::Vec::new_in(MetricsAlloc::new(&ctx));
    for desc in &compiled.upvalues {
        upvalues.push(match desc {
            UpValueDescriptor::ParentLocal(RegisterIndex(r)) => helper_slots[usize::from(*r)],
            UpValueDescriptor::Environment | UpValueDescriptor::Outer(_) => env_slot,
        });
    }
    Closure::from_parts(&ctx, prototype_named(ctx, chunk_name, compiled), upvalues)
}

/// The helpers in the order of the wrapper's locals (a main function's upvalue
/// `ParentLocal(r)` is helper `r`).
pub fn helper_slots<'gc>(helpers: &Helpers<'gc>) -> Vec<Value<'gc>> {
    [
        helpers.method,
        helpers.concat,
        helpers.pass,
        helpers.first,
        helpers.set,
        helpers.setup,
        helpers.arith,
        helpers.key,
        helpers.drop,
        helpers.index,
        helpers.call,
        helpers.list,
    ]
    .map(Value::Function)
    .to_vec()
}

/// Compiles `source` as piccolo alone would, without the pipeline's rewrites: for the
/// runtime's own tiny helper functions. Through the same parser and compiler instances as
/// the pipeline (piccolo's `FunctionPrototype::compile` would build a second copy of its
/// compiler, for Lua strings, into the wasm module: about 100 KB).
pub fn compile_raw(
    chunk_name: &str,
    source: &[u8],
) -> Result<CompiledPrototype<SourceString>, Error> {
    let chunk = compiler::parse_chunk(source, &mut LineInterner::new(Vec::new()))
        .map_err(|e| Error::Syntax(format!("{chunk_name}:{}: {}", e.line_number, e.kind)))?;
    compiler::compile_chunk(&chunk, OwnedInterner)
        .map_err(|e| Error::Syntax(format!("{chunk_name}:{}: {}", e.line_number, e.kind)))
}

/// The prototype tree of a compiled chunk, tied to a Lua state.
pub fn prototype<'gc>(
    ctx: Context<'gc>,
    chunk_name: &str,
    compiled: &CompiledPrototype<SourceString>,
) -> Gc<'gc, FunctionPrototype<'gc>> {
    prototype_named(ctx, ctx.intern(chunk_name.as_bytes()), compiled)
}

/// `prototype` with the chunk name given as a Lua string (shared by all the prototypes).
fn prototype_named<'gc>(
    ctx: Context<'gc>,
    name: piccolo::String<'gc>,
    compiled: &CompiledPrototype<SourceString>,
) -> Gc<'gc, FunctionPrototype<'gc>> {
    Gc::new(
        &ctx,
        FunctionPrototype::from_compiled_map_strings(&ctx, name, compiled, |s| ctx.intern(s)),
    )
}

/// Compiles `source` into a function whose `_ENV` is `env` (normally a table), ready to
/// call. `chunk_name` is the name shown in messages (`chunk:line:`).
pub fn load<'gc>(
    ctx: Context<'gc>,
    chunk_name: &str,
    source: &[u8],
    env: Value<'gc>,
    helpers: Helpers<'gc>,
    limits: &SourceLimits,
    reads: Reads,
) -> Result<Closure<'gc>, Error> {
    load_given(ctx, chunk_name, None, source, env, helpers, limits, reads)
}

/// `load`, also recording `given`, the chunk name as Lua code gave it to `load` (Lua's
/// `source`, which `debug.getinfo` reports); `chunk_name` is then its `short_src`.
/// `given: Some(None)` means the source text itself (`load`'s default name).
#[allow(clippy::too_many_arguments)]
pub fn load_given<'gc>(
    ctx: Context<'gc>,
    chunk_name: &str,
    given: Option<Option<&[u8]>>,
    source: &[u8],
    env: Value<'gc>,
    helpers: Helpers<'gc>,
    limits: &SourceLimits,
    reads: Reads,
) -> Result<Closure<'gc>, Error> {
    let diagnostic = super::diagnostics::enabled(ctx);
    let compiled = compile_mode(chunk_name, source, limits, reads, diagnostic)?;
    let source: std::rc::Rc<[u8]> = source.into();
    let name = match given {
        // A string of its own, so the chunk can be told from others with the same display
        // name (see `chunks::record_given_name`).
        Some(given) => {
            let name = piccolo::String::from_slice(&ctx, chunk_name.as_bytes());
            let given = match given {
                Some(g) => g.into(),
                None => source.clone(),
            };
            super::chunks::record_given_name(ctx, name, given);
            name
        }
        None => ctx.intern(chunk_name.as_bytes()),
    };
    let closure = instantiate(ctx, name, &compiled, env, helpers);
    // Remembered so closures of this chunk can be exported (see `super::chunks`).
    super::chunks::record(ctx, chunk_name, source, env, closure.prototype());
    Ok(closure)
}

fn internal(what: &str) -> Error {
    Error::Syntax(format!("internal compiler pipeline error: {what}"))
}

/// `local (method), (concat), (pass), (first), (set), (setup), ...; return function(...) <chunk> end`
#[inline(never)] // a compile job of its own in V8 (see `compile_here`)
fn wrap_chunk(
    chunk: Chunk<SourceString>,
    mut rewrite: Rewrite<SourceString>,
    more_locals: Vec<SourceString>,
    for_names: [SourceString; 3],
    inline: SourceString,
    describe: Describe<SourceString>,
    (reads, diagnostic, fresh): (Reads, bool, super::fresh::FreshAppends<SourceString>),
) -> (Chunk<SourceString>, Vec<bool>, HashMap<usize, u64>) {
    let inline_name = inline.clone();
    let mut body = chunk.block;
    // Before any rewrite moves or adds constructors.
    let constructors = if diagnostic {
        constructor_order(&body)
    } else {
        HashMap::new()
    };
    rewrite.chunk(&mut body);
    // Operators last: they see the regrouped, rewritten expression trees.
    ArithRewrite::new(
        more_locals[2].clone(),
        [rewrite.pass.clone(), rewrite.result.clone()],
        for_names,
        inline.clone(),
        // aolite's runtime modules keep piccolo's `==` (see COMPATIBILITY.md): their
        // comparisons are of strings, tables and small numbers, and the exact one would
        // add about 18% to the gas of every message (`ping`: 5396 to 6380).
        reads.lua_semantics(),
    )
    .with_fresh_appends(fresh)
    .chunk(&mut body);
    let mut index = IndexRewrite::new(
        HelperNames {
            index: more_locals[5].clone(),
            result: rewrite.result.clone(),
            arith: more_locals[2].clone(),
            concat: rewrite.concat.clone(),
            set: more_locals[0].clone(),
            method: rewrite.method.clone(),
            key: rewrite.key.clone(),
            inline,
        },
        describe.clone(),
        reads.lua_semantics(),
        diagnostic,
    );
    index.constructors = constructors;
    index.chunk(&mut body);
    let read_lines: HashMap<usize, u64> = index.read_lines.into_iter().collect();
    // After every pass that adds functions, before the one that records them.
    SplitBodies::new(
        SplitNames {
            set: more_locals[0].clone(),
            list: more_locals[7].clone(),
            first: rewrite.first.clone(),
            table: Arc::from(&b"(tc)"[..]),
            temp: |i| Arc::from(format!("(p{i})").as_bytes()),
        },
        // aolite's runtime modules keep piccolo's constructor order (see `split.rs`).
        reads.lua_semantics(),
    )
    .chunk(&mut body);
    // Parameters last: every pass before sees functions as written.
    let mut params = ParamRewrite::new(more_locals[4].clone());
    params.block(&mut body);
    if diagnostic {
        // Last of all: it sees the calls every other pass made (and leaves theirs alone).
        CallRewrite::new(
            [
                more_locals[6].clone(),
                rewrite.pass.clone(),
                rewrite.method.clone(),
            ],
            more_locals[5].clone(),
            inline_name.clone(),
            describe,
        )
        .block(&mut body);
    }
    let Rewrite {
        method,
        concat,
        pass,
        first,
        ..
    } = rewrite;
    let line = LineNumber(0);
    let function = SimpleExpression::Function(FunctionDefinition {
        parameters: Vec::new(),
        has_varargs: true,
        body,
    });
    let chunk = Chunk {
        block: Block {
            statements: vec![LineAnnotated::new(
                line,
                Statement::LocalStatement(LocalStatement {
                    names: [vec![method, concat, pass, first], more_locals].concat(),
                    values: Vec::new(),
                }),
            )],
            return_statement: Some(LineAnnotated::new(
                line,
                ReturnStatement {
                    returns: vec![simple(function)],
                },
            )),
            closed_on: line,
        },
    };
    (chunk, params.declared_vararg, read_lines)
}

/// The string constant of variable descriptions as Lua words them in errors (`kind 'name'`,
/// `?` for a name it cannot give), one line each, empty for none; then, when the names'
/// tokens are known, a line `@N`: the latest of their source lines (1-based), which the
/// helpers report instead of the statement's first line (piccolo numbers instructions by
/// statement; Lua by the tokens an instruction was compiled from).
fn description(
    parts: &[Option<(&str, Option<&SourceString>)>],
    anchor: Anchor<SourceString>,
    token_lines: &TokenLines,
) -> SourceString {
    let mut lines: Vec<String> = parts
        .iter()
        .map(|p| match p {
            Some((kind, name)) => {
                let name = name.map_or("?".into(), |n| String::from_utf8_lossy(n));
                format!("{kind} '{name}'")
            }
            None => String::new(),
        })
        .collect();
    let names = parts
        .iter()
        .flatten()
        .filter_map(|(_, name)| name.and_then(|n| token_lines.line_of(n)))
        .max();
    let at = match anchor {
        Anchor::Call { call, at } => {
            let at = anchor_line(*at, names, token_lines);
            // The call's own line: its first token, whatever the names.
            if let Some(call) = anchor_line(*call, None, token_lines).filter(|&c| Some(c) != at) {
                lines.push(format!("@{}", call + 1));
            }
            at
        }
        anchor => anchor_line(anchor, names, token_lines),
    };
    if let Some(at) = at {
        lines.push(format!("@{}", at + 1));
    }
    Arc::from(lines.join("\n").as_bytes())
}

/// The 0-based line `anchor` names (see [`Anchor`]), `names` being the latest line of the
/// described names.
fn anchor_line(
    anchor: Anchor<SourceString>,
    names: Option<u64>,
    token_lines: &TokenLines,
) -> Option<u64> {
    match anchor {
        Anchor::Names => names,
        Anchor::Before(token) => token_lines.line_before(&token).or(names),
        Anchor::Latest(tokens) => tokens
            .iter()
            .filter_map(|t| token_lines.line_of(t))
            .chain(names)
            .max(),
        Anchor::Read {
            key,
            bracketed,
            skip,
            after,
        } => token_lines
            .read_end(&key, bracketed)
            .map(|end| end + skip)
            // `[1]` after the end: its `]`.
            .filter(|&end| skip == 0 || token_lines.class_at(end) == Some(Class::CloseBracket))
            .and_then(|end| match after {
                After::Own => token_lines.line_at(end),
                After::Next => token_lines.after_read(end, false),
                After::Item => token_lines.after_read(end, true),
                // `t.k = v` or `t[k] = v`: `=`, then `v`.
                After::Stored(value) => {
                    let end = match token_lines.class_at(end + 1) {
                        Some(Class::CloseBracket) => end + 1,
                        _ => end,
                    };
                    match (token_lines.class_at(end + 1), value) {
                        (Some(Class::Assign), Stored::Token) => token_lines.line_at(end + 2),
                        (Some(Class::Assign), _) => token_lines
                            .closing(end + 2)
                            .and_then(|at| token_lines.line_at(at)),
                        (_, Stored::Function) => token_lines.function_before(end),
                        _ => None,
                    }
                }
                // `a < 1`: the operator, then the operand.
                After::Operand => token_lines.line_at(end + 2),
                // `a < {}`: the operator, then the operand up to its end.
                After::OperandEnd => token_lines
                    .closing(end + 2)
                    .and_then(|at| token_lines.line_at(at)),
            })
            .or_else(|| token_lines.line_before(&key))
            .or(names),
        Anchor::Item { constructor, item } => token_lines
            .item_end(constructor, item)
            .and_then(|at| token_lines.line_at(at))
            .or(names),
        Anchor::StoreEnd(tokens) => tokens
            .iter()
            .filter_map(|t| token_lines.place(t))
            .max()
            .and_then(|at| token_lines.store_end(at))
            .and_then(|end| token_lines.line_at(end))
            .or_else(|| {
                tokens
                    .iter()
                    .filter_map(|t| token_lines.line_of(t))
                    .chain(names)
                    .max()
            }),
        Anchor::ForIn(last) => token_lines.after_in(&last),
        Anchor::ForDo(tokens) => tokens
            .iter()
            .filter_map(|t| token_lines.place(t))
            .max()
            .and_then(|at| token_lines.do_after(at))
            .or_else(|| tokens.iter().filter_map(|t| token_lines.line_of(t)).max()),
        Anchor::Call { at, .. } => anchor_line(*at, names, token_lines),
    }
}

/// What the line queries need to know of a token (see [`TokenLines`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    /// A name or string: a token the parsed tree holds (by allocation).
    Identity,
    /// `(`, `[`.
    Open,
    /// `{`: a table constructor (Lua has no other use for it).
    OpenBrace,
    CloseParen,
    CloseBrace,
    CloseBracket,
    /// `,`.
    Separator,
    SemiColon,
    /// `=`.
    Assign,
    /// A binary operator, or `-` and `~`, which may also be unary.
    BinaryOperator,
    /// `not`, `#`.
    UnaryOperator,
    /// A number, `nil`, `true`, `false`, `...`: a value of one token and no identity.
    Literal,
    /// `.`, `:`: a field or method name follows.
    Dot,
    Do,
    In,
    /// `function`, `if`, `repeat`: a word that opens a block another word ends.
    BlockOpen,
    /// `end`, `until`.
    BlockClose,
    Other,
}

impl Class {
    fn of<S>(t: &Token<S>) -> Self {
        match t {
            Token::Name(_) | Token::String(_) => Class::Identity,
            Token::LeftParen | Token::LeftBracket => Class::Open,
            Token::LeftBrace => Class::OpenBrace,
            Token::RightParen => Class::CloseParen,
            Token::RightBrace => Class::CloseBrace,
            Token::RightBracket => Class::CloseBracket,
            Token::Comma => Class::Separator,
            Token::SemiColon => Class::SemiColon,
            Token::Assign => Class::Assign,
            Token::And
            | Token::Or
            | Token::Minus
            | Token::Add
            | Token::Mul
            | Token::Div
            | Token::IDiv
            | Token::Pow
            | Token::Mod
            | Token::BitNotXor
            | Token::BitAnd
            | Token::BitOr
            | Token::ShiftRight
            | Token::ShiftLeft
            | Token::Concat
            | Token::LessThan
            | Token::LessEqual
            | Token::GreaterThan
            | Token::GreaterEqual
            | Token::Equal
            | Token::NotEqual => Class::BinaryOperator,
            Token::Not | Token::Len => Class::UnaryOperator,
            Token::Integer(_)
            | Token::Float(_)
            | Token::Nil
            | Token::True
            | Token::False
            | Token::Dots => Class::Literal,
            Token::Dot | Token::Colon => Class::Dot,
            Token::Do => Class::Do,
            Token::In => Class::In,
            Token::Function | Token::If | Token::Repeat => Class::BlockOpen,
            Token::End | Token::Until => Class::BlockClose,
            _ => Class::Other,
        }
    }
}

/// Every token of `source` with its 0-based source line, in the order piccolo's lexer reads
/// them; the parser reads the same tokens in the same order, through the same lexer.
#[inline(never)] // a compile job of its own in V8 (see `compile_here`)
fn token_lines(source: &[u8]) -> Vec<(Class, u32)> {
    let mut lexer = Lexer::new(source, NoStrings);
    let mut stream = Vec::new();
    loop {
        if lexer.skip_whitespace().is_err() {
            break;
        }
        let line = u32::try_from(lexer.line_number().0).unwrap_or(u32::MAX);
        match lexer.read_token() {
            Ok(Some(t)) => stream.push((Class::of(&t), line)),
            Ok(None) | Err(_) => break,
        }
    }
    stream
}

/// An interner for a pass that only needs the tokens' kinds and lines: keeps no text.
struct NoStrings;

impl StringInterner for NoStrings {
    type String = &'static [u8];

    fn intern(&mut self, _: &[u8]) -> &'static [u8] {
        b""
    }
}

/// An interner that gives each name and string token its own allocation and notes its
/// place in the token stream (from [`token_lines`]), so a name in the tree tells where it
/// was written and what surrounds it.
struct LineInterner {
    /// The positions of the name and string tokens in `found`'s stream, in order.
    identities: Vec<u32>,
    next: usize,
    found: TokenLines,
}

impl LineInterner {
    fn new(stream: Vec<(Class, u32)>) -> Self {
        let identities: Vec<u32> = stream
            .iter()
            .enumerate()
            .filter(|(_, (c, _))| *c == Class::Identity)
            .map(|(i, _)| u32::try_from(i).unwrap_or(u32::MAX))
            .collect();
        let mut found = TokenLines::default();
        found.reserve(identities.len());
        found.stream = stream;
        LineInterner {
            identities,
            next: 0,
            found,
        }
    }

    /// The lines noted, or none when the parser did not read exactly the tokens the line
    /// pass read (so no token can be given another's line).
    fn finish(self) -> TokenLines {
        if self.next == self.identities.len() {
            self.found
        } else {
            TokenLines::default()
        }
    }
}

impl StringInterner for LineInterner {
    type String = SourceString;

    fn intern(&mut self, s: &[u8]) -> SourceString {
        let token: SourceString = Arc::from(s);
        if let Some(&at) = self.identities.get(self.next) {
            self.found.note(&token, at);
        }
        self.next += 1;
        token
    }
}

/// The source's tokens (kind and line), and where in them each name and string token of the
/// tree is, by allocation. Holding each token keeps its address from being reused by a
/// string made later (whose address would then find a place it never had).
#[derive(Default)]
struct TokenLines {
    places: HashMap<usize, u32, super::undo::AddressHash>,
    stream: Vec<(Class, u32)>,
    held: Vec<SourceString>,
}

impl TokenLines {
    fn key(token: &SourceString) -> usize {
        Arc::as_ptr(token) as *const u8 as usize
    }

    fn reserve(&mut self, tokens: usize) {
        self.places.reserve(tokens);
        self.held.reserve(tokens);
    }

    fn note(&mut self, token: &SourceString, at: u32) {
        self.places.insert(Self::key(token), at);
        self.held.push(token.clone());
    }

    /// Where `token` is in the stream.
    fn place(&self, token: &SourceString) -> Option<usize> {
        self.places.get(&Self::key(token)).map(|&at| at as usize)
    }

    fn line_at(&self, at: usize) -> Option<u64> {
        self.stream.get(at).map(|(_, line)| u64::from(*line))
    }

    fn class_at(&self, at: usize) -> Option<Class> {
        self.stream.get(at).map(|(class, _)| *class)
    }

    fn line_of(&self, token: &SourceString) -> Option<u64> {
        self.line_at(self.place(token)?)
    }

    fn line_before(&self, token: &SourceString) -> Option<u64> {
        let at = self.place(token)?;
        self.line_at(at.saturating_sub(1))
    }

    /// Where a field read whose key is `key` ends: the key itself (`.k`), or the `]` right
    /// after it (`[k]`, checked).
    fn read_end(&self, key: &SourceString, bracketed: bool) -> Option<usize> {
        let at = self.place(key)?;
        if !bracketed {
            return Some(at);
        }
        (self.class_at(at + 1)? == Class::CloseBracket).then_some(at + 1)
    }

    /// Where Lua emits a read ending at `end` that waits for the token after it: that
    /// token, or with `item` (a constructor's item) the `}` after a last separator.
    fn after_read(&self, end: usize, item: bool) -> Option<u64> {
        let next = end + 1;
        if item
            && matches!(self.class_at(next)?, Class::Separator | Class::SemiColon)
            && self.class_at(next + 1) == Some(Class::CloseBrace)
        {
            return self.line_at(next + 1);
        }
        self.line_at(next)
    }

    /// Where the constructor or function starting at `at` (its `{` or `function`) ends:
    /// its matching `}` or `end`.
    fn closing(&self, at: usize) -> Option<usize> {
        let mut nesting = Nesting::default();
        for (i, (class, _)) in self.stream.get(at..)?.iter().enumerate() {
            if nesting.step(*class)? && nesting.top() {
                return Some(at + i);
            }
        }
        None
    }

    /// Where the last token of item `item` (0-based, whatever its kind) of the table
    /// constructor opened by the `constructor`-th `{` of the source is: when that item is
    /// a `[k] = v` field (it starts with a bracket). Lua stores such a field once its value
    /// is read, on that token's line.
    fn item_end(&self, constructor: usize, item: usize) -> Option<usize> {
        let open = self
            .stream
            .iter()
            .enumerate()
            .filter(|(_, (class, _))| *class == Class::OpenBrace)
            .nth(constructor)?
            .0;
        let (mut nesting, mut index) = (Nesting::default(), 0usize);
        let mut start = open + 1;
        for (i, (class, _)) in self.stream.get(open + 1..)?.iter().enumerate() {
            let at = open + 1 + i;
            let separator = matches!(class, Class::Separator | Class::SemiColon);
            if !(nesting.top() && (separator || *class == Class::CloseBrace)) {
                nesting.step(*class)?;
                continue;
            }
            if index == item {
                let opens = self.class_at(start) == Some(Class::Open);
                return (opens && at > start).then(|| at - 1);
            }
            if *class == Class::CloseBrace {
                return None;
            }
            index += 1;
            start = at + 1;
        }
        None
    }

    /// Where the value list a store waits for ends (Lua stores after its last token), from
    /// the token at `from`: the store's key when it is followed by `=` (or `]` and `=`), else
    /// a token inside the values (the latest with identity). The values are followed as Lua
    /// reads expressions: operands (a name, a string, a literal, a bracketed part, a
    /// function), each followed by an operator, a `,`, a field, call or index suffix, or a
    /// bracket closing one opened before `from`; anything else ends them. From a target of
    /// several, the later targets are followed the same way up to the `=`.
    fn store_end(&self, from: usize) -> Option<usize> {
        let (mut at, mut operand) = match (self.class_at(from + 1), self.class_at(from + 2)) {
            (Some(Class::Assign), _) => (from + 1, true),
            (Some(Class::CloseBracket), Some(Class::Assign)) => (from + 2, true),
            _ => (from, false),
        };
        loop {
            let Some(class) = self.class_at(at + 1) else {
                return (!operand).then_some(at);
            };
            match (operand, class) {
                (true, Class::Identity | Class::Literal) => (at, operand) = (at + 1, false),
                (true, Class::Open | Class::OpenBrace | Class::BlockOpen) => {
                    (at, operand) = (self.closing(at + 1)?, false)
                }
                (true, Class::UnaryOperator | Class::BinaryOperator) => at += 1,
                (true, _) => return None,
                // `=` after a target: the values follow (`t.a, t.b = x, y`).
                (false, Class::BinaryOperator | Class::Separator | Class::Dot | Class::Assign) => {
                    (at, operand) = (at + 1, true)
                }
                (false, Class::Open | Class::OpenBrace) => at = self.closing(at + 1)?,
                (false, Class::CloseParen | Class::CloseBracket | Class::CloseBrace) => at += 1,
                (false, _) => return Some(at),
            }
        }
    }

    /// The line of the `function` of a function statement whose name ends at `end`
    /// (`function a.b.c(` or `function a.b:c(`): back over its names, dots and colon.
    fn function_before(&self, end: usize) -> Option<u64> {
        let mut at = end;
        loop {
            at = at.checked_sub(1)?;
            match self.class_at(at)? {
                Class::BlockOpen => return self.line_at(at),
                Class::Identity | Class::Dot => {}
                _ => return None,
            }
        }
    }

    /// The line of the token after `in` when `last` (the last name of a generic `for`) is
    /// followed by `in`.
    fn after_in(&self, last: &SourceString) -> Option<u64> {
        let at = self.place(last)?;
        (self.class_at(at + 1)? == Class::In).then(|| self.line_at(at + 2))?
    }

    /// The line of the first `do` after the token at `from` outside any bracket and any
    /// block opened after it: a numeric `for`'s `do` after a token of its header.
    fn do_after(&self, from: usize) -> Option<u64> {
        let mut nesting = Nesting::default();
        for (class, line) in self.stream.get(from + 1..)? {
            if *class == Class::Do && nesting.top() {
                return Some(u64::from(*line));
            }
            nesting.step(*class)?;
        }
        None
    }
}

/// How deep a walk through the token stream is in brackets and in blocks (`function`,
/// `do`, `if`, `repeat` up to their `end` or `until`).
#[derive(Default)]
struct Nesting {
    brackets: usize,
    blocks: usize,
}

impl Nesting {
    /// Takes in one token: whether it opened or closed something (`None` for a close
    /// without its open: the walk went past what it was looking in).
    fn step(&mut self, class: Class) -> Option<bool> {
        match class {
            Class::Open | Class::OpenBrace => self.brackets += 1,
            Class::CloseParen | Class::CloseBrace | Class::CloseBracket => {
                self.brackets = self.brackets.checked_sub(1)?
            }
            Class::BlockOpen | Class::Do => self.blocks += 1,
            Class::BlockClose => self.blocks = self.blocks.checked_sub(1)?,
            _ => return Some(false),
        }
        Some(true)
    }

    /// Outside every bracket and block it met.
    fn top(&self) -> bool {
        self.brackets == 0 && self.blocks == 0
    }
}

/// Finds the first `...` in a function that does not declare it.
struct VarargCheck {
    /// Whether each enclosing function is vararg, innermost last.
    vararg: Vec<bool>,
    /// The line of the statement being visited.
    line: LineNumber,
    misplaced: Option<LineNumber>,
}

impl<S> Visit<S> for VarargCheck {
    fn block(&mut self, b: &Block<S>) {
        for s in &b.statements {
            self.line = s.line_number;
            self.statement(&s.inner);
        }
        if let Some(r) = &b.return_statement {
            self.line = r.line_number;
            for e in &r.returns {
                self.expression(e);
            }
        }
    }

    fn function(&mut self, f: &FunctionDefinition<S>) {
        self.vararg.push(f.has_varargs);
        walk_function(self, f);
        self.vararg.pop();
    }

    fn simple(&mut self, s: &SimpleExpression<S>) {
        if matches!(s, SimpleExpression::VarArgs)
            && self.vararg.last() == Some(&false)
            && self.misplaced.is_none()
        {
            self.misplaced = Some(self.line);
        }
        walk_simple(self, s);
    }
}

/// Rejects source whose shape could exhaust the compiler's stack.
struct ShapeCheck<'a> {
    limits: &'a SourceLimits,
    depth: usize,
    /// Registers held by the enclosing calls, constructors and operators of the current
    /// function while the node being visited is evaluated (an estimate, see
    /// [`MAX_HELD_REGISTERS`]).
    held: usize,
    /// Locals of the current function in scope (each holds a register for its lifetime),
    /// counted as Lua counts them (parameters, and a for loop's three hidden ones).
    locals: usize,
    error: Option<String>,
    /// The error is that the function declares more locals than Lua's limit.
    too_many_locals: bool,
    /// Diagnostic mode passes two more arguments to every call (see `calls.rs`).
    diagnostic: bool,
}

/// Registers nested calls and constructors may hold at once. piccolo has 256 per function
/// and its compiler panics when they run out (a trap in wasm), so such source is refused
/// first. Measured: `f(1, f(1, ...))` holds 2 per level and fails at 127 levels,
/// `{1, {1, ...}}` and method calls 3 (fail at 85), `{{...}}` 2 (fail at 128); the margin
/// leaves room for the function's locals and the rewrites' helper calls.
const MAX_HELD_REGISTERS: usize = 200;

/// Lua's limit of locals in scope in one function (`MAXVARS`); piccolo has none, and past
/// its 256 registers its compiler panics (a trap in wasm).
const MAX_LOCALS: usize = 200;

/// Registers a function's locals in scope and the values held for the node being visited
/// may take together: piccolo's 256 less a margin for the rewrites' helper calls (the
/// measurements above fail within 2 registers of 256).
const MAX_REGISTERS: usize = 240;

impl ShapeCheck<'_> {
    /// Visits one level deeper, unless that is too deep or an error was already found.
    fn nested(&mut self, visit: impl FnOnce(&mut Self)) {
        self.depth += 1;
        if self.depth > self.limits.max_nesting && self.error.is_none() {
            self.error = Some(format!(
                "code nested deeper than {} levels",
                self.limits.max_nesting
            ));
        }
        if self.error.is_none() {
            visit(self);
        }
        self.depth -= 1;
    }

    /// Brings `n` more locals into scope (until the enclosing block ends).
    fn declare(&mut self, n: usize) {
        self.locals += n;
        if self.locals > MAX_LOCALS && self.error.is_none() {
            self.error = Some(format!("too many local variables (limit is {MAX_LOCALS})"));
            self.too_many_locals = true;
        }
    }

    /// Visits with `extra` more registers held.
    fn holding(&mut self, extra: usize, visit: impl FnOnce(&mut Self)) {
        self.held += extra;
        if self.held > MAX_HELD_REGISTERS && self.error.is_none() {
            self.error = Some(format!(
                "calls or table constructors nested too deeply (they would need more than \
                 {MAX_HELD_REGISTERS} registers)"
            ));
        }
        if self.held + self.locals > MAX_REGISTERS && self.error.is_none() {
            self.error = Some(format!(
                "calls or table constructors nested too deeply for a function with {} locals \
                 (together they would need more than {MAX_REGISTERS} registers)",
                self.locals
            ));
        }
        if self.error.is_none() {
            visit(self);
        }
        self.held -= extra;
    }
}

impl<S> Visit<S> for ShapeCheck<'_> {
    fn block(&mut self, b: &Block<S>) {
        let locals = self.locals;
        self.nested(|this| walk_block(this, b));
        self.locals = locals;
    }

    fn statement(&mut self, s: &Statement<S>) {
        match s {
            // The names come into scope after the values are evaluated.
            Statement::LocalStatement(l) => {
                walk_statement(self, s);
                self.declare(l.names.len());
            }
            // The name is in scope in the function's own body.
            Statement::LocalFunction(_) => {
                self.declare(1);
                walk_statement(self, s);
            }
            _ => walk_statement(self, s),
        }
    }

    fn numeric_for_body(&mut self, _name: &S, body: &Block<S>) {
        let locals = self.locals;
        self.declare(4);
        self.block(body);
        self.locals = locals;
    }

    fn generic_for_body(&mut self, names: &[S], body: &Block<S>) {
        let locals = self.locals;
        self.declare(3 + names.len());
        self.block(body);
        self.locals = locals;
    }

    fn suffixed(&mut self, s: &SuffixedExpression<S>) {
        // Each field read and method call of a chain becomes a nested helper call (see
        // `index.rs`, `rewrite.rs`): a chain nests as deep as it is long. (A plain call
        // stays a call.)
        let n = s
            .suffixes
            .iter()
            .filter(|p| {
                matches!(
                    p,
                    SuffixPart::Field(_) | SuffixPart::Call(CallSuffix::Method(..))
                )
            })
            .count();
        self.depth += n;
        if self.depth > self.limits.max_nesting && self.error.is_none() {
            self.error = Some(format!(
                "code nested deeper than {} levels (a chain of {n} field reads and calls counts \
                 as {n})",
                self.limits.max_nesting
            ));
        }
        if self.error.is_none() {
            walk_suffixed(self, s);
        }
        self.depth -= n;
    }

    fn expression(&mut self, e: &Expression<S>) {
        if e.tail.len() > self.limits.max_operator_chain && self.error.is_none() {
            self.error = Some(format!(
                "an expression chains {} binary operators, more than the limit of {}",
                e.tail.len(),
                self.limits.max_operator_chain
            ));
            return;
        }
        self.nested(|this| {
            this.head(&e.head);
            // The left operand (or a helper call's first arguments) waits in a register.
            for (_, operand) in &e.tail {
                this.holding(2, |this| this.expression(operand));
            }
        });
    }

    fn function(&mut self, f: &FunctionDefinition<S>) {
        // A function literal gets a register file of its own.
        let held = std::mem::take(&mut self.held);
        let locals = std::mem::take(&mut self.locals);
        self.declare(f.parameters.len());
        walk_function(self, f);
        self.held = held;
        self.locals = locals;
    }

    fn call(&mut self, c: &CallSuffix<S>) {
        // The function (for a method, our helper, the receiver and the name) and the
        // arguments before this one.
        let (base, args) = match c {
            CallSuffix::Method(_, args) => (3, args),
            CallSuffix::Function(args) if self.diagnostic => (3, args),
            CallSuffix::Function(args) => (1, args),
        };
        for (i, a) in args.iter().enumerate() {
            self.holding(base + i, |this| this.expression(a));
        }
    }

    fn simple(&mut self, s: &SimpleExpression<S>) {
        let SimpleExpression::TableConstructor(t) = s else {
            return walk_simple(self, s);
        };
        // The table, a value slot, and array items not yet flushed (every 50).
        let mut pending = 0;
        for f in &t.fields {
            match f {
                ConstructorField::Array(e) => {
                    self.holding(2 + pending, |this| this.expression(e));
                    pending = (pending + 1) % 50;
                }
                ConstructorField::Record(k, e) => {
                    self.holding(2 + pending, |this| this.record_key(k));
                    self.holding(3 + pending, |this| this.expression(e));
                }
            }
        }
    }
}
