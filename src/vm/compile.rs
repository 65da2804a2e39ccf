//! Our own compile pipeline around piccolo's public parser and compiler:
//! `source -> check size -> parse -> check shape -> rewrite method calls -> compile -> closure`.
//!
//! Why not `Closure::load`: piccolo has no string metatable, so `("x"):rep(3)` and
//! `msg.Data:match(p)` would fail. We rewrite every method call `recv:name(args)` into
//! `M(recv, "name", args)` where `M` is a hidden upvalue holding [`method_call`], which looks
//! the method up in the string library for string receivers and indexes anything else normally.
//! `M` lives in a local of an invisible wrapper function, so it works under any `_ENV`.

use std::sync::Arc;

use gc_arena::{allocator_api::MetricsAlloc, Collect, Gc};
use piccolo::{
    closure::{UpValue, UpValueState},
    compiler::{
        self,
        parser::{
            AssignmentTarget, Block, CallSuffix, Chunk, ConstructorField, Expression, FieldSuffix,
            ForStatement, FunctionDefinition, HeadExpression, LineAnnotated, LocalStatement,
            PrimaryExpression, RecordKey, ReturnStatement, SimpleExpression, Statement, SuffixPart,
            SuffixedExpression,
        },
        CompiledPrototype, FunctionRef, LineNumber, StringInterner,
    },
    meta_ops::{self, MetaResult},
    types::UpValueDescriptor,
    BoxSequence, Callback, CallbackReturn, Closure, Context, Error as LuaError, Execution,
    Function, FunctionPrototype, Sequence, SequencePoll, Stack, Table, Value,
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

/// Strings of a compiled chunk before they are interned into a Lua state: compilation runs
/// without a `Context` so that natively it can run on a thread with a large stack.
pub type SourceString = Arc<[u8]>;

#[derive(Clone, Copy)]
struct OwnedInterner;

impl StringInterner for OwnedInterner {
    type String = SourceString;

    fn intern(&mut self, s: &[u8]) -> Self::String {
        Arc::from(s)
    }
}

/// Stack for compiling natively: piccolo's parser and compiler recurse on nesting and
/// operator chains, and the caller's thread may have as little as 2 MiB.
#[cfg(not(target_arch = "wasm32"))]
const COMPILER_STACK: usize = 256 << 20;

/// Parses, checks and compiles `source` into a prototype (not yet tied to a Lua state).
pub fn compile(
    chunk_name: &str,
    source: &[u8],
    limits: &SourceLimits,
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
                .spawn_scoped(scope, || compile_here(chunk_name, source, limits))
                .map_err(|e| Error::SourceRejected(format!("cannot start the compiler: {e}")))?
                .join()
                .unwrap_or_else(|_| Err(internal("the compiler panicked")))
        })
    }
    #[cfg(target_arch = "wasm32")]
    {
        compile_here(chunk_name, source, limits)
    }
}

fn compile_here(
    chunk_name: &str,
    source: &[u8],
    limits: &SourceLimits,
) -> Result<CompiledPrototype<SourceString>, Error> {
    let chunk = compiler::parse_chunk(source, OwnedInterner)
        .map_err(|e| Error::Syntax(format!("{chunk_name}:{}: {}", e.line_number, e.kind)))?;
    let mut checker = ShapeCheck {
        limits,
        depth: 0,
        error: None,
    };
    checker.block(&chunk.block);
    if let Some(why) = checker.error {
        return Err(Error::SourceRejected(format!("{chunk_name}: {why}")));
    }
    let wrapped = wrap_chunk(chunk, Arc::from(&b"(method)"[..]));
    let mut compiled = compiler::compile_chunk(&wrapped, OwnedInterner)
        .map_err(|e| Error::Syntax(format!("{chunk_name}:{}: {}", e.line_number, e.kind)))?;
    if compiled.prototypes.is_empty() {
        return Err(internal("the wrapper compiled without its inner function"));
    }
    let mut inner = *compiled.prototypes.remove(0);
    inner.reference = FunctionRef::Chunk;
    // Resolve the inner function's upvalues against the wrapper now, so instantiating
    // needs nothing but the inner prototype: Outer(i) must be the wrapper's _ENV.
    for desc in &mut inner.upvalues {
        if let UpValueDescriptor::Outer(i) = desc {
            match compiled.upvalues.get(usize::from(i.0)) {
                Some(UpValueDescriptor::Environment) => *desc = UpValueDescriptor::Environment,
                _ => return Err(internal("unexpected outer upvalue")),
            }
        }
    }
    Ok(inner)
}

/// Ties a compiled chunk to a Lua state: a closure with `_ENV = env`.
pub fn instantiate<'gc>(
    ctx: Context<'gc>,
    chunk_name: &str,
    compiled: &CompiledPrototype<SourceString>,
    env: Table<'gc>,
    method_helper: Function<'gc>,
) -> Closure<'gc> {
    let env_slot = UpValue::new(&ctx, UpValueState::Closed(Value::Table(env)));
    let helper_slot = UpValue::new(&ctx, UpValueState::Closed(Value::Function(method_helper)));
    let mut upvalues = allocator_api2::vec::Vec::new_in(MetricsAlloc::new(&ctx));
    for desc in &compiled.upvalues {
        upvalues.push(match desc {
            UpValueDescriptor::ParentLocal(_) => helper_slot,
            UpValueDescriptor::Environment | UpValueDescriptor::Outer(_) => env_slot,
        });
    }
    let name = ctx.intern(chunk_name.as_bytes());
    let proto =
        FunctionPrototype::from_compiled_map_strings(&ctx, name, compiled, |s| ctx.intern(s));
    Closure::from_parts(&ctx, Gc::new(&ctx, proto), upvalues)
}

/// Compiles `source` into a function whose `_ENV` is `env`, ready to call.
pub fn load<'gc>(
    ctx: Context<'gc>,
    chunk_name: &str,
    source: &[u8],
    env: Table<'gc>,
    method_helper: Function<'gc>,
    limits: &SourceLimits,
) -> Result<Closure<'gc>, Error> {
    let compiled = compile(chunk_name, source, limits)?;
    Ok(instantiate(ctx, chunk_name, &compiled, env, method_helper))
}

fn internal(what: &str) -> Error {
    Error::Syntax(format!("internal compiler pipeline error: {what}"))
}

/// `local (method); return function(...) <chunk> end`
fn wrap_chunk<S: Clone>(chunk: Chunk<S>, helper: S) -> Chunk<S> {
    let mut body = chunk.block;
    MethodRewrite {
        helper: helper.clone(),
    }
    .block(&mut body);
    let line = LineNumber(0);
    let function = SimpleExpression::Function(FunctionDefinition {
        parameters: Vec::new(),
        has_varargs: true,
        body,
    });
    Chunk {
        block: Block {
            statements: vec![LineAnnotated::new(
                line,
                Statement::LocalStatement(LocalStatement {
                    names: vec![helper],
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
    }
}

fn simple<S>(e: SimpleExpression<S>) -> Expression<S> {
    Expression {
        head: Box::new(HeadExpression::Simple(e)),
        tail: Vec::new(),
    }
}

/// Rejects source whose shape could exhaust the compiler's stack.
struct ShapeCheck<'a> {
    limits: &'a SourceLimits,
    depth: usize,
    error: Option<String>,
}

impl<S> AstVisit<S> for ShapeCheck<'_> {
    fn enter(&mut self) -> bool {
        self.depth += 1;
        if self.depth > self.limits.max_nesting && self.error.is_none() {
            self.error = Some(format!(
                "code nested deeper than {} levels",
                self.limits.max_nesting
            ));
        }
        self.error.is_none()
    }

    fn leave(&mut self) {
        self.depth -= 1;
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
        self.walk_expression(e);
    }
}

/// A read-only AST walk with a depth hook; `ShapeCheck` is its only user today.
trait AstVisit<S> {
    fn enter(&mut self) -> bool;
    fn leave(&mut self);
    fn expression(&mut self, e: &Expression<S>);

    fn block(&mut self, b: &Block<S>) {
        if !self.enter() {
            return;
        }
        for s in &b.statements {
            self.statement(s);
        }
        if let Some(r) = &b.return_statement {
            for e in &r.returns {
                self.expression(e);
            }
        }
        self.leave();
    }

    fn statement(&mut self, s: &Statement<S>) {
        match s {
            Statement::If(i) => {
                self.expression(&i.if_part.0);
                self.block(&i.if_part.1);
                for (c, b) in &i.else_if_parts {
                    self.expression(c);
                    self.block(b);
                }
                if let Some(b) = &i.else_part {
                    self.block(b);
                }
            }
            Statement::While(w) => {
                self.expression(&w.condition);
                self.block(&w.block);
            }
            Statement::Do(b) => self.block(b),
            Statement::For(ForStatement::Numeric {
                initial,
                limit,
                step,
                body,
                ..
            }) => {
                self.expression(initial);
                self.expression(limit);
                if let Some(s) = step {
                    self.expression(s);
                }
                self.block(body);
            }
            Statement::For(ForStatement::Generic {
                arguments, body, ..
            }) => {
                for a in arguments {
                    self.expression(a);
                }
                self.block(body);
            }
            Statement::Repeat(r) => {
                self.block(&r.body);
                self.expression(&r.until);
            }
            Statement::Function(f) => self.block(&f.definition.body),
            Statement::LocalFunction(f) => self.block(&f.definition.body),
            Statement::LocalStatement(l) => {
                for e in &l.values {
                    self.expression(e);
                }
            }
            Statement::FunctionCall(c) => {
                self.suffixed(&c.head);
                self.call(&c.call);
            }
            Statement::Assignment(a) => {
                for t in &a.targets {
                    if let AssignmentTarget::Field(s, f) = t {
                        self.suffixed(s);
                        self.field(f);
                    }
                }
                for e in &a.values {
                    self.expression(e);
                }
            }
            Statement::Label(_) | Statement::Break | Statement::Goto(_) => {}
        }
    }

    fn walk_expression(&mut self, e: &Expression<S>) {
        if !self.enter() {
            return;
        }
        match &*e.head {
            HeadExpression::Simple(s) => self.simple(s),
            HeadExpression::UnaryOperator(_, e) => self.expression(e),
        }
        for (_, e) in &e.tail {
            self.expression(e);
        }
        self.leave();
    }

    fn simple(&mut self, s: &SimpleExpression<S>) {
        match s {
            SimpleExpression::TableConstructor(t) => {
                for f in &t.fields {
                    match f {
                        ConstructorField::Array(e) => self.expression(e),
                        ConstructorField::Record(k, v) => {
                            if let RecordKey::Indexed(k) = k {
                                self.expression(k);
                            }
                            self.expression(v);
                        }
                    }
                }
            }
            SimpleExpression::Function(f) => self.block(&f.body),
            SimpleExpression::Suffixed(s) => self.suffixed(s),
            _ => {}
        }
    }

    fn suffixed(&mut self, s: &SuffixedExpression<S>) {
        if let PrimaryExpression::GroupedExpression(e) = &s.primary {
            self.expression(e);
        }
        for p in &s.suffixes {
            match p {
                SuffixPart::Field(f) => self.field(f),
                SuffixPart::Call(c) => self.call(c),
            }
        }
    }

    fn field(&mut self, f: &FieldSuffix<S>) {
        if let FieldSuffix::Indexed(e) = f {
            self.expression(e);
        }
    }

    fn call(&mut self, c: &CallSuffix<S>) {
        let (CallSuffix::Method(_, args) | CallSuffix::Function(args)) = c;
        for a in args {
            self.expression(a);
        }
    }
}

/// Rewrites `recv:name(args)` into `(method)(recv, "name", args)` everywhere.
struct MethodRewrite<S> {
    helper: S,
}

impl<S: Clone> MethodRewrite<S> {
    fn block(&self, b: &mut Block<S>) {
        for s in &mut b.statements {
            self.statement(&mut s.inner);
        }
        if let Some(r) = &mut b.return_statement {
            for e in &mut r.inner.returns {
                self.expression(e);
            }
        }
    }

    fn statement(&self, s: &mut Statement<S>) {
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
                initial,
                limit,
                step,
                body,
                ..
            }) => {
                self.expression(initial);
                self.expression(limit);
                if let Some(s) = step {
                    self.expression(s);
                }
                self.block(body);
            }
            Statement::For(ForStatement::Generic {
                arguments, body, ..
            }) => {
                for a in arguments {
                    self.expression(a);
                }
                self.block(body);
            }
            Statement::Repeat(r) => {
                self.block(&mut r.body);
                self.expression(&mut r.until);
            }
            Statement::Function(f) => self.block(&mut f.definition.body),
            Statement::LocalFunction(f) => self.block(&mut f.definition.body),
            Statement::LocalStatement(l) => {
                for e in &mut l.values {
                    self.expression(e);
                }
            }
            Statement::FunctionCall(c) => {
                self.suffixed(&mut c.head);
                self.call_args(&mut c.call);
                if let CallSuffix::Method(name, args) = &mut c.call {
                    let receiver = std::mem::replace(
                        &mut c.head,
                        SuffixedExpression {
                            primary: PrimaryExpression::Name(self.helper.clone()),
                            suffixes: Vec::new(),
                        },
                    );
                    let args = self.helper_args(receiver, name.clone(), std::mem::take(args));
                    c.call = CallSuffix::Function(args);
                }
            }
            Statement::Assignment(a) => {
                for t in &mut a.targets {
                    if let AssignmentTarget::Field(s, f) = t {
                        self.suffixed(s);
                        self.field(f);
                    }
                }
                for e in &mut a.values {
                    self.expression(e);
                }
            }
            Statement::Label(_) | Statement::Break | Statement::Goto(_) => {}
        }
    }

    fn expression(&self, e: &mut Expression<S>) {
        match &mut *e.head {
            HeadExpression::Simple(s) => self.simple(s),
            HeadExpression::UnaryOperator(_, e) => self.expression(e),
        }
        for (_, e) in &mut e.tail {
            self.expression(e);
        }
    }

    fn simple(&self, s: &mut SimpleExpression<S>) {
        match s {
            SimpleExpression::TableConstructor(t) => {
                for f in &mut t.fields {
                    match f {
                        ConstructorField::Array(e) => self.expression(e),
                        ConstructorField::Record(k, v) => {
                            if let RecordKey::Indexed(k) = k {
                                self.expression(k);
                            }
                            self.expression(v);
                        }
                    }
                }
            }
            SimpleExpression::Function(f) => self.block(&mut f.body),
            SimpleExpression::Suffixed(s) => self.suffixed(s),
            _ => {}
        }
    }

    fn field(&self, f: &mut FieldSuffix<S>) {
        if let FieldSuffix::Indexed(e) = f {
            self.expression(e);
        }
    }

    fn call_args(&self, c: &mut CallSuffix<S>) {
        let (CallSuffix::Method(_, args) | CallSuffix::Function(args)) = c;
        for a in args {
            self.expression(a);
        }
    }

    fn suffixed(&self, s: &mut SuffixedExpression<S>) {
        if let PrimaryExpression::GroupedExpression(e) = &mut s.primary {
            self.expression(e);
        }
        for p in &mut s.suffixes {
            match p {
                SuffixPart::Field(f) => self.field(f),
                SuffixPart::Call(c) => self.call_args(c),
            }
        }
        // Fold each method call, left to right, into a helper call on the prefix before it.
        while let Some(i) = s
            .suffixes
            .iter()
            .position(|p| matches!(p, SuffixPart::Call(CallSuffix::Method(..))))
        {
            let rest = s.suffixes.split_off(i + 1);
            let Some(SuffixPart::Call(CallSuffix::Method(name, args))) = s.suffixes.pop() else {
                unreachable!("position() found a method call here");
            };
            let receiver = SuffixedExpression {
                primary: std::mem::replace(
                    &mut s.primary,
                    PrimaryExpression::Name(self.helper.clone()),
                ),
                suffixes: std::mem::take(&mut s.suffixes),
            };
            let args = self.helper_args(receiver, name, args);
            s.suffixes
                .push(SuffixPart::Call(CallSuffix::Function(args)));
            s.suffixes.extend(rest);
        }
    }

    fn helper_args(
        &self,
        receiver: SuffixedExpression<S>,
        name: S,
        args: Vec<Expression<S>>,
    ) -> Vec<Expression<S>> {
        let mut out = Vec::with_capacity(args.len() + 2);
        out.push(simple(SimpleExpression::Suffixed(receiver)));
        out.push(simple(SimpleExpression::String(name)));
        out.extend(args);
        out
    }
}

/// The runtime half of the method-call rewrite: `(method)(recv, name, ...)` calls
/// `recv[name](recv, ...)`, where strings index the string library as in Lua 5.3.
pub fn method_helper<'gc>(ctx: Context<'gc>, string_lib: Table<'gc>) -> Callback<'gc> {
    Callback::from_fn_with(&ctx, string_lib, |string_lib, ctx, _exec, mut stack| {
        let receiver = stack.get(0);
        let name = stack.get(1);
        // Drop the name so the stack is `recv, args...`: the method's own arguments.
        stack.drain(1..2);
        let found = match receiver {
            Value::String(_) => MetaResult::Value(string_lib.get(ctx, name)),
            Value::Nil | Value::Boolean(_) | Value::Integer(_) | Value::Number(_) => {
                return Err(type_error(ctx, "index", receiver, name));
            }
            _ => meta_ops::index(ctx, receiver, name)
                .map_err(|_| type_error(ctx, "index", receiver, name))?,
        };
        match found {
            MetaResult::Value(v) => call_method(ctx, v, name),
            MetaResult::Call(call) => {
                // `__index` is a function: call it, then call what it returns with our args.
                let args: std::vec::Vec<Value<'gc>> = stack.drain(..).collect();
                stack.extend(call.args);
                Ok(CallbackReturn::Call {
                    function: call.function,
                    then: Some(BoxSequence::new(&ctx, ThenCallMethod { args, name })),
                })
            }
        }
    })
}

fn call_method<'gc>(
    ctx: Context<'gc>,
    method: Value<'gc>,
    name: Value<'gc>,
) -> Result<CallbackReturn<'gc>, LuaError<'gc>> {
    match meta_ops::call(ctx, method) {
        Ok(function) => Ok(CallbackReturn::Call {
            function,
            then: None,
        }),
        Err(_) => Err(type_error(ctx, "call", method, name)),
    }
}

#[derive(Collect)]
#[collect(no_drop)]
struct ThenCallMethod<'gc> {
    args: std::vec::Vec<Value<'gc>>,
    name: Value<'gc>,
}

impl<'gc> Sequence<'gc> for ThenCallMethod<'gc> {
    fn poll(
        &mut self,
        ctx: Context<'gc>,
        _exec: Execution<'gc, '_>,
        mut stack: Stack<'gc, '_>,
    ) -> Result<SequencePoll<'gc>, LuaError<'gc>> {
        let method = stack.get(0);
        stack.clear();
        stack.extend(self.args.drain(..));
        let function =
            meta_ops::call(ctx, method).map_err(|_| type_error(ctx, "call", method, self.name))?;
        Ok(SequencePoll::Call {
            function,
            is_tail: true,
        })
    }
}

/// Lua 5.3's wording: `attempt to index a nil value` / `attempt to call a nil value (method 'x')`.
fn type_error<'gc>(
    ctx: Context<'gc>,
    what: &str,
    value: Value<'gc>,
    name: Value<'gc>,
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
    LuaError::from_value(Value::String(ctx.intern(msg.as_bytes())))
}
