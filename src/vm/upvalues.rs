//! Upvalue names and Lua's upvalue order, for `debug.getupvalue`, `setupvalue`, `upvalueid`
//! and `getlocal(f, n)`.
//!
//! piccolo's compiled prototypes keep no names, and number a function's upvalues in the
//! order its compiler first resolves them, in the *rewritten* tree (whose helper calls and
//! hidden locals of the invisible wrapper come first in most functions). Lua 5.3 numbers
//! them in the order their names are first met in the source text of the function (a name
//! used only in a nested function counts where it is met there; a global name makes `_ENV`
//! an upvalue; a main chunk has exactly `_ENV`).
//!
//! So, before the rewrites, [`insert_preludes`] walks each function of the source as Lua's
//! parser does and puts at the start of its body one statement per name it finds:
//!
//! `do local (debug) = "<names>" end  do local (debug) = u1 end ... do local (debug) = un end`
//!
//! piccolo compiles them before anything else of the body (after the parameter prologue of
//! `params.rs`), so its upvalues 1..n are `u1..un` in Lua's order, and the string (the
//! parameter and upvalue names) is the function's constant 0. After compiling,
//! [`strip_preludes`] removes the prelude's n+1 instructions (a `LoadConstant` and n
//! `GetUpValue` at the start, no jump reaches them): what runs is what ran without them,
//! only the upvalue indices differ. Functions with neither parameters nor upvalues get no
//! prelude (nothing to name). [`names`] reads the string back from a prototype.

use std::sync::Arc;

use piccolo::compiler::parser::{
    AssignmentTarget, Block, CallSuffix, ConstructorField, Expression, FieldSuffix, ForStatement,
    FunctionDefinition, HeadExpression, LineAnnotated, LocalStatement, PrimaryExpression,
    RecordKey, SimpleExpression, Statement, SuffixPart, SuffixedExpression,
};
use piccolo::compiler::{CompiledPrototype, LineNumber};
use piccolo::opcode::Operation;
use piccolo::{Constant, FunctionPrototype};

use super::compile::SourceString;

/// The start of the names constant. Lua names are ASCII letters, digits and `_`; the
/// marker's NUL bytes cannot appear in one.
const MARKER: &[u8] = b"\0(debug names)\0";

/// The hidden local each prelude statement assigns (not writable in Lua).
const PRELUDE_LOCAL: &[u8] = b"(debug)";

/// The names of a function as Lua's debug library gives them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DebugNames {
    /// Parameter names (`self` first for a method), in order.
    pub params: Vec<Vec<u8>>,
    /// Upvalue names in Lua's order; upvalue `i` (1-based) is piccolo's upvalue `i - 1`.
    pub upvalues: Vec<Vec<u8>>,
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

/// The names recorded for a compiled function, if it has any (Lua functions with parameters
/// or upvalues; hidden functions of the rewrites have none).
pub fn names(p: &FunctionPrototype<'_>) -> Option<DebugNames> {
    match p.constants.first()? {
        Constant::String(s) => {
            let names = decode(s.as_bytes())?;
            // Never more names than the closure has upvalues (a forged constant in a
            // hidden function cannot point past them).
            (names.upvalues.len() <= p.upvalues.len()).then_some(names)
        }
        _ => None,
    }
}

/// Inserts the preludes into every function of a chunk (its main function included), from
/// the source as written (see the module docs). Run before every rewrite.
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

/// Removes the compiled preludes from `proto` and every function under it (see the module
/// docs). A function whose code does not start as expected keeps its instructions and
/// loses its names constant's meaning (its constant 0 is made unreadable as names), so
/// nothing misnames its upvalues.
pub fn strip_preludes(proto: &mut CompiledPrototype<SourceString>) -> bool {
    let mut ok = strip_one(proto);
    for p in &mut proto.prototypes {
        ok &= strip_preludes(p);
    }
    ok
}

fn strip_one(proto: &mut CompiledPrototype<SourceString>) -> bool {
    let Some(Constant::String(first)) = proto.constants.first() else {
        return true;
    };
    let Some(names) = decode(first) else {
        return true;
    };
    match prelude_at(proto, names.upvalues.len()) {
        Some(start) => {
            remove_ops(proto, start, names.upvalues.len() + 1);
            true
        }
        None => {
            // Keep the (harmless) instructions; forget the names.
            proto.constants[0] = Constant::String(Arc::from(&b"(debug names lost)"[..]));
            false
        }
    }
}

/// Where the prelude of a function with `n` upvalue names starts: first, or after the
/// parameter prologue (`VarArgs` into register 0).
fn prelude_at(proto: &CompiledPrototype<SourceString>, n: usize) -> Option<usize> {
    let ops: Vec<Operation> = proto
        .opcodes
        .iter()
        .take(n + 2)
        .map(|op| op.decode())
        .collect();
    let start = match ops.first()? {
        Operation::VarArgs { dest, .. } if dest.0 == 0 => 1,
        _ => 0,
    };
    let Operation::LoadConstant { dest, constant } = *ops.get(start)? else {
        return None;
    };
    if constant.0 != 0 {
        return None;
    }
    for i in 0..n {
        match *ops.get(start + 1 + i)? {
            Operation::GetUpValue { source, dest: d }
                if usize::from(source.0) == i && d == dest => {}
            _ => return None,
        }
    }
    Some(start)
}

/// Removes `count` instructions at `start`. No jump starts before them or lands in them
/// (only the parameter prologue comes before), so relative jumps keep their targets.
fn remove_ops(proto: &mut CompiledPrototype<SourceString>, start: usize, count: usize) {
    proto.opcodes.drain(start..start + count);
    let mut lines: Vec<(usize, LineNumber)> = Vec::with_capacity(proto.opcode_line_numbers.len());
    for &(at, line) in &proto.opcode_line_numbers {
        let at = if at >= start + count {
            at - count
        } else if at > start {
            start
        } else {
            at
        };
        match lines.last_mut() {
            Some(last) if last.0 == at => last.1 = line,
            _ => lines.push((at, line)),
        }
    }
    lines.dedup_by(|next, prev| next.1 == prev.1);
    proto.opcode_line_numbers = lines;
}

#[cfg(test)]
mod tests {
    use super::*;

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
