//! Upvalue names and Lua's upvalue order, for `debug.getupvalue`, `setupvalue`, `upvalueid`,
//! `getlocal(f, n)` and `getinfo(f).nups`.
//!
//! piccolo's compiled prototypes keep no names, and number a function's upvalues in the
//! order its compiler first resolves them, in the *rewritten* tree (whose helper calls and
//! hidden locals of the invisible wrapper come first in most functions). Lua 5.3 numbers
//! them in the order their names are first met in the source text of the function (a name
//! used only in a nested function counts where it is met there; a global name makes `_ENV`
//! an upvalue; a main chunk has exactly `_ENV`).
//!
//! The code that runs is left as it is. When the debug library asks, the closure's chunk is
//! compiled a second time (`compile::compile_names`, cached like any compilation), with
//! [`insert_preludes`] run before the rewrites: it walks each function of the source as
//! Lua's parser does and puts at the start of its body one statement per name it finds,
//!
//! `do local (debug) = "<names>" end  do local (debug) = u1 end ... do local (debug) = un end`
//!
//! piccolo compiles them before anything else of the body (after the parameter prologue of
//! `params.rs`), so in that compilation its upvalues 1..n are `u1..un` in Lua's order, and
//! the string (parameter and upvalue names) is the function's constant 0. [`view`] then
//! matches each of them to the running closure's cell for the same variable, by what the
//! upvalue refers to (the wrapper's `_ENV` or a helper, or a register of an enclosing
//! function: the prelude frees its register before any local is declared, so locals get the
//! same registers in both compilations). Functions with neither parameters nor upvalues get
//! no prelude (nothing to name).

use std::sync::Arc;

use piccolo::compiler::parser::{
    AssignmentTarget, Block, CallSuffix, ConstructorField, Expression, FieldSuffix, ForStatement,
    FunctionDefinition, HeadExpression, LineAnnotated, LocalStatement, PrimaryExpression,
    RecordKey, SimpleExpression, Statement, SuffixPart, SuffixedExpression,
};
use piccolo::compiler::{CompiledPrototype, FunctionRef};
use piccolo::opcode::Operation;
use piccolo::types::UpValueDescriptor;
use piccolo::Constant;

use super::compile::SourceString;

/// The start of the names constant. Lua names are ASCII letters, digits and `_`; the
/// marker's NUL bytes cannot appear in one.
const MARKER: &[u8] = b"\0(debug names)\0";

/// The hidden local each prelude statement assigns (not writable in Lua).
pub(super) const PRELUDE_LOCAL: &[u8] = b"(debug)";

/// The names a prelude records.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct DebugNames {
    /// Parameter names (`self` first for a method), in order.
    params: Vec<Vec<u8>>,
    /// Upvalue names in Lua's order; in the names compilation, upvalue `i` (1-based) is
    /// piccolo's upvalue `i - 1`.
    upvalues: Vec<Vec<u8>>,
}

fn encode(params: &[SourceString], upvalues: &[SourceString]) -> Vec<u8> {
    let join = |names: &[SourceString]| names.join(&b","[..]);
    [MARKER, &join(params), b"\0", &join(upvalues)].concat()
}

fn decode(bytes: &[u8]) -> Option<DebugNames> {
    let rest = bytes.strip_prefix(MARKER)?;
    let split = |part: &[u8]| -> Vec<Vec<u8>> {
        if part.is_empty() {
            Vec::new()
        } else {
            part.split(|&b| b == b',').map(<[u8]>::to_vec).collect()
        }
    };
    let mut parts = rest.splitn(2, |&b| b == 0);
    let params = split(parts.next()?);
    let upvalues = split(parts.next()?);
    Some(DebugNames { params, upvalues })
}

/// Lua's view of a closure made by the pipeline: its parameter names and, for each of Lua's
/// upvalues in order, its name and the index of its cell among the closure's upvalues
/// (none for the `_ENV` of a main chunk that uses no global: piccolo made no cell).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LuaView {
    pub params: Vec<Vec<u8>>,
    pub upvalues: Vec<(Vec<u8>, Option<usize>)>,
}

/// What an upvalue refers to, from the chunk's main function down to a function: the
/// wrapper's `_ENV` or one of its helpers, or a local (register) of the function `level`
/// steps down the path. The same variable has the same key in the plain compilation and in
/// the names compilation (a prelude frees its register before any local is declared).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    Env,
    Helper(u8),
    Local(usize, u8),
}

/// The keys of the upvalues of the function at `path` under `main` (the chunk's function).
fn keys<'a>(
    main: &'a CompiledPrototype<SourceString>,
    path: &[u32],
) -> Option<(Vec<Key>, &'a CompiledPrototype<SourceString>)> {
    let mut keys: Vec<Key> = main
        .upvalues
        .iter()
        .map(|d| match d {
            UpValueDescriptor::ParentLocal(r) => Key::Helper(r.0),
            _ => Key::Env,
        })
        .collect();
    let mut proto = main;
    for (level, &i) in path.iter().enumerate() {
        let child = &**proto.prototypes.get(usize::try_from(i).ok()?)?;
        keys = child
            .upvalues
            .iter()
            .map(|d| match d {
                UpValueDescriptor::ParentLocal(r) => Some(Key::Local(level, r.0)),
                UpValueDescriptor::Outer(o) => keys.get(usize::from(o.0)).cloned(),
                UpValueDescriptor::Environment => Some(Key::Env),
            })
            .collect::<Option<_>>()?;
        proto = child;
    }
    Some((keys, proto))
}

/// Lua's view of the function at `path` of a chunk, from its plain compilation (the one
/// that runs) and its names compilation ([`compile_names`](super::compile::compile_names)).
pub fn view(
    plain: &CompiledPrototype<SourceString>,
    named: &CompiledPrototype<SourceString>,
    path: &[u32],
) -> Option<LuaView> {
    let (have, _) = keys(plain, path)?;
    let (want, proto) = keys(named, path)?;
    if !same_shape(plain, named, path) {
        return None;
    }
    let Some(Constant::String(first)) = proto.constants.first() else {
        // Neither parameters nor upvalues: no prelude.
        return Some(LuaView::default());
    };
    let Some(names) = decode(first) else {
        return Some(LuaView::default());
    };
    // The prelude must be the first code of the function, or the numbers are not Lua's.
    if !starts_with_prelude(proto, names.upvalues.len()) {
        return None;
    }
    let mut upvalues = Vec::with_capacity(names.upvalues.len());
    for (name, key) in names.upvalues.into_iter().zip(&want) {
        let cell = have.iter().position(|k| k == key);
        // Only a main chunk that uses no global has an upvalue piccolo did not make (its
        // `_ENV`, which Lua always gives a main function).
        if cell.is_none() && !(path.is_empty() && *key == Key::Env) {
            return None;
        }
        upvalues.push((name, cell));
    }
    Some(LuaView {
        params: names.params,
        upvalues,
    })
}

/// Whether the two compilations agree along `path`: at each function, as many inner
/// functions, and the same function (its definition's line). They do unless the preludes
/// moved a cut of `split.rs` (a body within one constant of its limit), which would
/// renumber functions or move locals between them.
fn same_shape(
    plain: &CompiledPrototype<SourceString>,
    named: &CompiledPrototype<SourceString>,
    path: &[u32],
) -> bool {
    let line = |p: &CompiledPrototype<SourceString>| match &p.reference {
        FunctionRef::Named(_, line) | FunctionRef::Expression(line) => Some(line.0),
        FunctionRef::Chunk => None,
    };
    let (mut a, mut b) = (plain, named);
    for &i in path.iter().chain(std::iter::once(&u32::MAX)) {
        if a.prototypes.len() != b.prototypes.len() || line(a) != line(b) {
            return false;
        }
        let i = i as usize;
        match (a.prototypes.get(i), b.prototypes.get(i)) {
            (Some(x), Some(y)) => (a, b) = (x, y),
            _ => break,
        }
    }
    true
}

/// Whether the compiled function starts with a prelude naming `n` upvalues: after the
/// parameter prologue (`VarArgs` into register 0), if any, the names constant loaded and
/// upvalues 0..n read, all into one register.
fn starts_with_prelude(proto: &CompiledPrototype<SourceString>, n: usize) -> bool {
    let mut ops = proto
        .opcodes
        .iter()
        .take(n + 2)
        .map(|op| op.decode())
        .peekable();
    if matches!(ops.peek(), Some(Operation::VarArgs { dest, .. }) if dest.0 == 0) {
        ops.next();
    }
    let Some(Operation::LoadConstant { dest, constant }) = ops.next() else {
        return false;
    };
    constant.0 == 0
        && (0..n).all(|i| {
            matches!(ops.next(), Some(Operation::GetUpValue { source, dest: d })
                if usize::from(source.0) == i && d == dest)
        })
}

/// Inserts the preludes into every function of a chunk (its main function included), from
/// the source as written (see the module docs). Run before every rewrite.
#[inline(never)] // a compile job of its own in V8 (see `compile::compile_here`)
pub fn insert_preludes(chunk: &mut Block<SourceString>) {
    let env: SourceString = Arc::from(&b"_ENV"[..]);
    let mut order = Order {
        functions: vec![Scope {
            locals: Vec::new(),
            upvalues: vec![env.clone()],
        }],
        env,
    };
    order.block(chunk);
    let main = order.functions.pop().unwrap_or_default();
    prepend(chunk, &[], &main.upvalues);
}

#[derive(Default)]
struct Scope {
    /// Locals in scope, innermost last.
    locals: Vec<SourceString>,
    /// Upvalue names met so far, in order.
    upvalues: Vec<SourceString>,
}

/// Lua's parser's view of names: resolves each where it is met in the source text.
struct Order {
    /// Enclosing functions, the main chunk first.
    functions: Vec<Scope>,
    env: SourceString,
}

#[derive(PartialEq)]
enum Found {
    Local,
    UpValue,
    Global,
}

impl Order {
    /// Lua's `singlevaraux`: where `name` is found from function `level`, adding it as an
    /// upvalue of every function between.
    fn resolve(&mut self, level: usize, name: &SourceString) -> Found {
        let scope = &self.functions[level];
        if scope.locals.iter().rev().any(|l| l == name) {
            return Found::Local;
        }
        if scope.upvalues.iter().any(|u| u == name) {
            return Found::UpValue;
        }
        if level == 0 {
            return Found::Global;
        }
        match self.resolve(level - 1, name) {
            Found::Global => Found::Global,
            Found::Local | Found::UpValue => {
                self.functions[level].upvalues.push(name.clone());
                Found::UpValue
            }
        }
    }

    /// A name used as a variable: its upvalue, or `_ENV`'s for a global.
    fn name(&mut self, name: &SourceString) {
        let level = self.functions.len() - 1;
        if self.resolve(level, name) == Found::Global {
            let env = self.env.clone();
            self.resolve(level, &env);
        }
    }

    fn declare(&mut self, name: &SourceString) {
        if let Some(f) = self.functions.last_mut() {
            f.locals.push(name.clone());
        }
    }

    fn scoped(&mut self, visit: impl FnOnce(&mut Self)) {
        let mark = self.functions.last().map_or(0, |f| f.locals.len());
        visit(self);
        if let Some(f) = self.functions.last_mut() {
            f.locals.truncate(mark);
        }
    }

    fn block(&mut self, b: &mut Block<SourceString>) {
        self.scoped(|this| this.block_items(b));
    }

    /// A block's statements and return, in the current scope.
    fn block_items(&mut self, b: &mut Block<SourceString>) {
        for s in &mut b.statements {
            self.statement(&mut s.inner);
        }
        if let Some(r) = &mut b.return_statement {
            for e in &mut r.inner.returns {
                self.expression(e);
            }
        }
    }

    fn statement(&mut self, s: &mut Statement<SourceString>) {
        match s {
            Statement::If(i) => {
                self.expression(&mut i.if_part.0);
                self.block(&mut i.if_part.1);
                for (c, b) in &mut i.else_if_parts {
                    self.expression(c);
                    self.block(b);
                }
                if let Some(b) = &mut i.else_part {
                    self.block(b);
                }
            }
            Statement::While(w) => {
                self.expression(&mut w.condition);
                self.block(&mut w.block);
            }
            Statement::Do(b) => self.block(b),
            Statement::For(ForStatement::Numeric {
                name,
                initial,
                limit,
                step,
                body,
            }) => {
                self.expression(initial);
                self.expression(limit);
                if let Some(s) = step {
                    self.expression(s);
                }
                self.scoped(|this| {
                    this.declare(name);
                    this.block(body);
                });
            }
            Statement::For(ForStatement::Generic {
                names,
                arguments,
                body,
            }) => {
                for a in arguments.iter_mut() {
                    self.expression(a);
                }
                self.scoped(|this| {
                    for n in names.iter() {
                        this.declare(n);
                    }
                    this.block(body);
                });
            }
            // The condition sees the body's locals.
            Statement::Repeat(r) => self.scoped(|this| {
                this.block_items(&mut r.body);
                this.expression(&mut r.until);
            }),
            Statement::Function(f) => {
                self.name(&f.name);
                let self_param = f.method.is_some().then(|| Arc::from(&b"self"[..]));
                self.function(&mut f.definition, self_param);
            }
            Statement::LocalFunction(f) => {
                self.declare(&f.name);
                self.function(&mut f.definition, None);
            }
            Statement::LocalStatement(l) => {
                for v in &mut l.values {
                    self.expression(v);
                }
                for n in &l.names {
                    self.declare(n);
                }
            }
            Statement::Label(_) | Statement::Break | Statement::Goto(_) => {}
            Statement::FunctionCall(c) => {
                self.suffixed(&mut c.head);
                self.call(&mut c.call);
            }
            Statement::Assignment(a) => {
                for t in &mut a.targets {
                    match t {
                        AssignmentTarget::Name(n) => self.name(n),
                        AssignmentTarget::Field(s, f) => {
                            self.suffixed(s);
                            self.field(f);
                        }
                    }
                }
                for v in &mut a.values {
                    self.expression(v);
                }
            }
        }
    }

    fn function(
        &mut self,
        f: &mut FunctionDefinition<SourceString>,
        self_param: Option<SourceString>,
    ) {
        let params: Vec<SourceString> = self_param
            .into_iter()
            .chain(f.parameters.iter().cloned())
            .collect();
        self.functions.push(Scope {
            locals: params.clone(),
            upvalues: Vec::new(),
        });
        self.block_items(&mut f.body);
        let scope = self.functions.pop().unwrap_or_default();
        prepend(&mut f.body, &params, &scope.upvalues);
    }

    fn expression(&mut self, e: &mut Expression<SourceString>) {
        match &mut *e.head {
            HeadExpression::Simple(s) => self.simple(s),
            HeadExpression::UnaryOperator(_, e) => self.expression(e),
        }
        for (_, operand) in &mut e.tail {
            self.expression(operand);
        }
    }

    fn simple(&mut self, s: &mut SimpleExpression<SourceString>) {
        match s {
            SimpleExpression::TableConstructor(t) => {
                for f in &mut t.fields {
                    match f {
                        ConstructorField::Array(e) => self.expression(e),
                        ConstructorField::Record(k, e) => {
                            if let RecordKey::Indexed(k) = k {
                                self.expression(k);
                            }
                            self.expression(e);
                        }
                    }
                }
            }
            SimpleExpression::Function(f) => self.function(f, None),
            SimpleExpression::Suffixed(s) => self.suffixed(s),
            SimpleExpression::Float(_)
            | SimpleExpression::Integer(_)
            | SimpleExpression::String(_)
            | SimpleExpression::Nil
            | SimpleExpression::True
            | SimpleExpression::False
            | SimpleExpression::VarArgs => {}
        }
    }

    fn suffixed(&mut self, s: &mut SuffixedExpression<SourceString>) {
        match &mut s.primary {
            PrimaryExpression::Name(n) => self.name(n),
            PrimaryExpression::GroupedExpression(e) => self.expression(e),
        }
        for p in &mut s.suffixes {
            match p {
                SuffixPart::Field(f) => self.field(f),
                SuffixPart::Call(c) => self.call(c),
            }
        }
    }

    fn field(&mut self, f: &mut FieldSuffix<SourceString>) {
        if let FieldSuffix::Indexed(e) = f {
            self.expression(e);
        }
    }

    fn call(&mut self, c: &mut CallSuffix<SourceString>) {
        let (CallSuffix::Method(_, args) | CallSuffix::Function(args)) = c;
        for a in args {
            self.expression(a);
        }
    }
}

/// Puts the prelude naming `params` and `upvalues` at the start of `body`.
fn prepend(body: &mut Block<SourceString>, params: &[SourceString], upvalues: &[SourceString]) {
    if params.is_empty() && upvalues.is_empty() {
        return;
    }
    let line = body
        .statements
        .first()
        .map(|s| s.line_number)
        .unwrap_or(body.closed_on);
    let local: SourceString = Arc::from(PRELUDE_LOCAL);
    let one = |value: SimpleExpression<SourceString>| {
        LineAnnotated::new(
            line,
            Statement::Do(Block {
                statements: vec![LineAnnotated::new(
                    line,
                    Statement::LocalStatement(LocalStatement {
                        names: vec![local.clone()],
                        values: vec![super::rewrite::simple(value)],
                    }),
                )],
                return_statement: None,
                closed_on: line,
            }),
        )
    };
    let names = Arc::from(encode(params, upvalues));
    let prelude =
        std::iter::once(one(SimpleExpression::String(names))).chain(upvalues.iter().map(|u| {
            one(SimpleExpression::Suffixed(SuffixedExpression {
                primary: PrimaryExpression::Name(u.clone()),
                suffixes: Vec::new(),
            }))
        }));
    body.statements.splice(0..0, prelude);
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::vm::compile::{compile_mode, compile_names, Reads, SourceLimits};

    fn lua_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                lua_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "lua") {
                out.push(p);
            }
        }
    }

    /// Every function of the runtime modules, the examples and the differential corpus
    /// gets Lua's view (its prelude compiled first, each upvalue matched to a cell), in
    /// both compile modes.
    #[test]
    fn every_function_of_a_corpus_has_a_view() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["src/ao/lua", "examples", "tests/lua"] {
            lua_files(&root.join(dir), &mut files);
        }
        files.sort();
        assert!(files.len() > 50, "corpus missing: {}", files.len());
        let limits = SourceLimits::default();
        let mut functions = 0;
        for file in &files {
            let source = std::fs::read(file).unwrap();
            let reads = if file.starts_with(root.join("src/ao/lua/crypto")) {
                Reads::LuaInRuntime
            } else if file.starts_with(root.join("src/ao/lua")) {
                Reads::Vm
            } else {
                Reads::Lua
            };
            for diagnostic in [false, true] {
                let name = file.display().to_string();
                let (Ok(plain), Ok(named)) = (
                    compile_mode(&name, &source, &limits, reads, diagnostic),
                    compile_names(&name, &source, &limits, reads, diagnostic),
                ) else {
                    continue;
                };
                let mut pending = vec![(&*plain, Vec::new())];
                while let Some((proto, path)) = pending.pop() {
                    functions += 1;
                    assert!(
                        view(&plain, &named, &path).is_some(),
                        "{name} ({diagnostic}): no view at {path:?}"
                    );
                    for (i, child) in proto.prototypes.iter().enumerate() {
                        let mut p = path.clone();
                        p.push(i as u32);
                        pending.push((&**child, p));
                    }
                }
            }
        }
        assert!(functions > 1000, "{functions}");
    }

    #[test]
    fn names_round_trip() {
        let s = |t: &str| -> SourceString { Arc::from(t.as_bytes()) };
        let bytes = encode(&[s("a"), s("b")], &[s("_ENV"), s("x")]);
        let names = decode(&bytes).unwrap();
        assert_eq!(names.params, vec![b"a".to_vec(), b"b".to_vec()]);
        assert_eq!(names.upvalues, vec![b"_ENV".to_vec(), b"x".to_vec()]);
        let empty = decode(&encode(&[], &[s("y")])).unwrap();
        assert!(empty.params.is_empty());
        assert_eq!(empty.upvalues, vec![b"y".to_vec()]);
    }
}
