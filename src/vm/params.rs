//! The parameter rewrite: every function with parameters receives them from `...`.
//!
//! piccolo 0.3.3 sets up a called Lua function's frame in four places, and only one of
//! them (the tail call) fills the parameters a caller did not pass with nil; the others
//! leave whatever the caller's registers held there (kyren/piccolo#145), so
//! `local function f(v, opt) return opt end; f(T[k])` sees `opt == k`. The tail call that
//! does fill them does it before growing the stack, and panics when the callee needs more
//! room than the caller had. Both depend on the callee's *fixed* parameter count: a
//! function with none starts its registers past its arguments, on fresh (nil) slots, on
//! every path, and never fills anything. So
//!
//! - `function(a, b) body end` becomes `function(...) local a, b = ... body end`
//!   (`local ... = ...` fills missing values with nil, as Lua's call does);
//! - `function(a, b, ...) body end` becomes the same, with each `...` of the body (not of
//!   nested functions, which have their own) replaced by `(drop)(2, ...)`, the arguments
//!   after the parameters.
//!
//! This covers every caller alike: Lua calls and tail calls, metamethods, and our Rust
//! callbacks (pcall, sort comparators, gsub, iterators, coroutines...).

use piccolo::compiler::parser::{
    CallSuffix, FunctionDefinition, LineAnnotated, LocalStatement, PrimaryExpression,
    SimpleExpression, Statement, SuffixPart, SuffixedExpression,
};
use piccolo::compiler::CompiledPrototype;
use piccolo::opcode::{OpCode, Operation};

use super::rewrite::simple;
use super::visit::mutable::{walk_function, walk_simple, VisitMut};

pub struct ParamRewrite<S> {
    /// The hidden helper `(drop)(n, ...)`: its arguments after the first `n`.
    pub drop: S,
    /// Whether each function was declared vararg, in pre-order (the order of the compiled
    /// prototype tree), for [`restore_vararg_flags`].
    pub declared_vararg: Vec<bool>,
}

impl<S> ParamRewrite<S> {
    pub fn new(drop: S) -> Self {
        ParamRewrite {
            drop,
            declared_vararg: Vec::new(),
        }
    }
}

/// Gives the compiled prototypes under `chunk` their declared vararg flag back (piccolo's VM
/// does not read it; `debug.getinfo` reports it as `isvararg`).
#[inline(never)] // a compile job of its own in V8 (see `compile::compile_here`)
pub fn restore_vararg_flags<S>(chunk: &mut CompiledPrototype<S>, declared: &[bool]) {
    let mut next = declared.iter();
    let mut pending: Vec<&mut CompiledPrototype<S>> = chunk
        .prototypes
        .iter_mut()
        .rev()
        .map(|p| &mut **p)
        .collect();
    while let Some(p) = pending.pop() {
        if let Some(&flag) = next.next() {
            p.has_varargs = flag;
        }
        pending.extend(p.prototypes.iter_mut().rev().map(|p| &mut **p));
    }
}

/// The parameter count a function was declared with: its prologue `local a, b = ...` is the
/// first opcode, `VarArgs` into register 0 (see the module docs). A vararg function
/// written with that same first statement reads as having those parameters.
pub fn declared_params(fixed_params: u8, first: Option<&OpCode>) -> u8 {
    match first.map(|op| op.decode()) {
        Some(Operation::VarArgs { dest, count }) if fixed_params == 0 && dest.0 == 0 => {
            count.to_constant().unwrap_or(0)
        }
        _ => fixed_params,
    }
}

impl<S: Clone> VisitMut<S> for ParamRewrite<S> {
    fn function(&mut self, f: &mut FunctionDefinition<S>) {
        self.declared_vararg.push(f.has_varargs);
        walk_function(self, f);
        if f.parameters.is_empty() {
            return;
        }
        let names = std::mem::take(&mut f.parameters);
        if f.has_varargs {
            let count = i64::try_from(names.len()).unwrap_or(i64::MAX);
            let mut rest = RestOfVarargs {
                drop: self.drop.clone(),
                count,
            };
            rest.block(&mut f.body);
        }
        f.has_varargs = true;
        let line = f
            .body
            .statements
            .first()
            .map(|s| s.line_number)
            .unwrap_or(f.body.closed_on);
        f.body.statements.insert(
            0,
            LineAnnotated::new(
                line,
                Statement::LocalStatement(LocalStatement {
                    names,
                    values: vec![simple(SimpleExpression::VarArgs)],
                }),
            ),
        );
    }
}

/// Replaces `...` in one function body (not in nested functions) by the arguments after
/// its `count` parameters.
struct RestOfVarargs<S> {
    drop: S,
    count: i64,
}

impl<S: Clone> VisitMut<S> for RestOfVarargs<S> {
    fn function(&mut self, _: &mut FunctionDefinition<S>) {}

    fn simple(&mut self, s: &mut SimpleExpression<S>) {
        if matches!(s, SimpleExpression::VarArgs) {
            *s = SimpleExpression::Suffixed(SuffixedExpression {
                primary: PrimaryExpression::Name(self.drop.clone()),
                suffixes: vec![SuffixPart::Call(CallSuffix::Function(vec![
                    simple(SimpleExpression::Integer(self.count)),
                    simple(SimpleExpression::VarArgs),
                ]))],
            });
        } else {
            walk_simple(self, s);
        }
    }
}
