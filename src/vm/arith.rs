//! The operator rewrite: piccolo 0.3.3 has no arithmetic, bitwise or ordering metamethods
//! (`__add`, `__lt`...), and its `<` compares large integers as floats. An operator whose
//! operands are not known to be numbers becomes a call of the hidden `(arith)` helper, which
//! computes numbers directly and otherwise applies Lua 5.3's metamethods and error messages.
//! Operators on operands known to be numbers stay VM instructions, because a helper call
//! costs several times an instruction: numeric literals, `#x`, numeric `for` counters and
//! locals whose every assigned value is numeric count as known.
//!
//! Runs after the other rewrites, on expression trees shaped like piccolo's parser's (each
//! `tail` is a left fold; tighter operators sit in the right operands).

use piccolo::compiler::parser::{
    AssignmentTarget, BinaryOperator, Block, CallSuffix, Expression, FunctionDefinition,
    HeadExpression, LineAnnotated, PrimaryExpression, SimpleExpression, Statement, SuffixPart,
    SuffixedExpression, UnaryOperator,
};

use super::rewrite::simple;
use super::visit::mutable::{
    walk_expression, walk_function, walk_head, walk_return, walk_statement, VisitMut,
};
use super::visit::read_only::{walk_statement as walk_statement_ref, Visit};

/// Operation codes passed as the helper's first argument.
pub mod op {
    pub const ADD: i64 = 0;
    pub const SUB: i64 = 1;
    pub const MUL: i64 = 2;
    pub const DIV: i64 = 3;
    pub const IDIV: i64 = 4;
    pub const MOD: i64 = 5;
    pub const POW: i64 = 6;
    pub const BAND: i64 = 7;
    pub const BOR: i64 = 8;
    pub const BXOR: i64 = 9;
    pub const SHL: i64 = 10;
    pub const SHR: i64 = 11;
    pub const UNM: i64 = 12;
    pub const BNOT: i64 = 13;
    pub const LT: i64 = 14;
    pub const LE: i64 = 15;
    pub const GT: i64 = 16;
    pub const GE: i64 = 17;
}

fn binary_code(o: BinaryOperator) -> Option<i64> {
    use BinaryOperator::*;
    Some(match o {
        Add => op::ADD,
        Sub => op::SUB,
        Mul => op::MUL,
        Div => op::DIV,
        IDiv => op::IDIV,
        Mod => op::MOD,
        Pow => op::POW,
        BitAnd => op::BAND,
        BitOr => op::BOR,
        BitXor => op::BXOR,
        ShiftLeft => op::SHL,
        ShiftRight => op::SHR,
        LessThan => op::LT,
        LessEqual => op::LE,
        GreaterThan => op::GT,
        GreaterEqual => op::GE,
        Concat | Equal | NotEqual | And | Or => return None,
    })
}

fn yields_number(o: BinaryOperator) -> bool {
    binary_code(o).is_some_and(|c| c < op::LT)
}

/// At most this many operator calls are made per statement: nested helper calls hold
/// registers, and piccolo has 256 per function (and panics or miscompiles past that).
/// Longer chains keep plain VM operators for the rest (no metamethods there).
const CALLS_PER_STATEMENT: usize = 32;

pub struct ArithRewrite<S> {
    helper: S,
    /// Operator calls left for the current statement.
    budget: usize,
    /// The identity helper that keeps a returned operator call out of tail position, so
    /// its errors still see the calling line.
    pass: S,
    /// Locals in scope, innermost last, with whether they are known to hold numbers.
    scope: Vec<(S, bool)>,
}

impl<S: Clone + PartialEq> ArithRewrite<S> {
    pub fn new(helper: S, pass: S) -> Self {
        ArithRewrite {
            helper,
            budget: CALLS_PER_STATEMENT,
            pass,
            scope: Vec::new(),
        }
    }

    pub fn chunk(&mut self, block: &mut Block<S>) {
        self.block(block);
    }

    fn known_number(&self, name: &S) -> bool {
        self.scope
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .is_some_and(|(_, numeric)| *numeric)
    }

    fn numeric(&self, e: &Expression<S>) -> bool {
        let head = match &*e.head {
            HeadExpression::Simple(SimpleExpression::Integer(_) | SimpleExpression::Float(_)) => {
                true
            }
            HeadExpression::Simple(SimpleExpression::Suffixed(s)) if s.suffixes.is_empty() => {
                match &s.primary {
                    PrimaryExpression::Name(n) => self.known_number(n),
                    PrimaryExpression::GroupedExpression(e) => self.numeric(e),
                }
            }
            HeadExpression::UnaryOperator(UnaryOperator::Len, _) => true,
            HeadExpression::UnaryOperator(UnaryOperator::Minus | UnaryOperator::BitNot, e) => {
                self.numeric(e)
            }
            _ => false,
        };
        head && e
            .tail
            .iter()
            .all(|(o, r)| yields_number(*o) && self.numeric(r))
    }

    /// Whether the VM's own instruction gives Lua's result and errors for these operands:
    /// both known numbers, and, for operations that can still fail on numbers (integer
    /// division or modulo by zero, bitwise operations on non-integral floats), literals
    /// that cannot fail.
    fn vm_safe(&self, code: i64, a: &Expression<S>, b: &Expression<S>) -> bool {
        let literal = |e: &Expression<S>| match (&*e.head, e.tail.is_empty()) {
            (HeadExpression::Simple(SimpleExpression::Integer(i)), true) => Some(*i as f64),
            (HeadExpression::Simple(SimpleExpression::Float(f)), true) => Some(*f),
            _ => None,
        };
        let integer_literal = |e: &Expression<S>| {
            matches!(
                (&*e.head, e.tail.is_empty()),
                (HeadExpression::Simple(SimpleExpression::Integer(_)), true)
            )
        };
        if !(self.numeric(a) && self.numeric(b)) {
            return false;
        }
        match code {
            op::IDIV | op::MOD => literal(b).is_some_and(|d| d != 0.0),
            op::BAND | op::BOR | op::BXOR | op::SHL | op::SHR => {
                integer_literal(a) && integer_literal(b)
            }
            _ => true,
        }
    }

    fn helper_call(&self, code: i64, args: Vec<Expression<S>>) -> Expression<S> {
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(simple(SimpleExpression::Integer(code)));
        all.extend(args);
        simple(SimpleExpression::Suffixed(SuffixedExpression {
            primary: PrimaryExpression::Name(self.helper.clone()),
            suffixes: vec![SuffixPart::Call(CallSuffix::Function(all))],
        }))
    }

    fn is_helper_call(&self, e: &Expression<S>) -> bool {
        e.tail.is_empty()
            && matches!(&*e.head, HeadExpression::Simple(SimpleExpression::Suffixed(s))
                if matches!(&s.primary, PrimaryExpression::Name(n) if *n == self.helper)
                    && s.suffixes.len() == 1)
    }

    fn statements(&mut self, statements: &mut [LineAnnotated<Statement<S>>]) {
        for i in 0..statements.len() {
            self.budget = CALLS_PER_STATEMENT;
            let (done, rest) = statements.split_at_mut(i + 1);
            let s = &mut done[i].inner;
            if let Statement::LocalStatement(l) = s {
                for e in &mut l.values {
                    self.expression(e);
                }
                // Decide before the values are rewritten further: a name is numeric when
                // its value is, and every later assignment to it is too.
                let flags: Vec<bool> = l
                    .names
                    .iter()
                    .enumerate()
                    .map(|(j, name)| {
                        l.values.get(j).is_some_and(|v| self.numeric(v))
                            && self.only_numeric_assignments(name, rest)
                    })
                    .collect();
                for (name, numeric) in l.names.iter().cloned().zip(flags) {
                    self.scope.push((name, numeric));
                }
                continue;
            }
            self.statement(s);
        }
    }

    /// Whether every assignment to `name` in `rest` (at any depth) stores a number, assuming
    /// `name` itself holds one.
    fn only_numeric_assignments(&mut self, name: &S, rest: &[LineAnnotated<Statement<S>>]) -> bool {
        self.scope.push((name.clone(), true));
        let mut check = NumericStores {
            arith: self,
            name,
            ok: true,
        };
        for s in rest {
            check.statement(&s.inner);
        }
        let ok = check.ok;
        self.scope.pop();
        ok
    }
}

impl<S: Clone + PartialEq> VisitMut<S> for ArithRewrite<S> {
    fn block(&mut self, b: &mut Block<S>) {
        let mark = self.scope.len();
        self.statements(&mut b.statements);
        if let Some(r) = &mut b.return_statement {
            self.budget = CALLS_PER_STATEMENT;
            walk_return(self, &mut r.inner);
            if let [only] = r.inner.returns.as_mut_slice() {
                if self.is_helper_call(only) {
                    let call = std::mem::replace(only, simple(SimpleExpression::Nil));
                    *only = simple(SimpleExpression::Suffixed(SuffixedExpression {
                        primary: PrimaryExpression::Name(self.pass.clone()),
                        suffixes: vec![SuffixPart::Call(CallSuffix::Function(vec![call]))],
                    }));
                }
            }
        }
        self.scope.truncate(mark);
    }

    /// Local statements are handled by `statements`, which sees the statements after them.
    fn statement(&mut self, s: &mut Statement<S>) {
        match s {
            Statement::Repeat(r) => {
                let mark = self.scope.len();
                self.statements(&mut r.body.statements);
                if let Some(ret) = &mut r.body.return_statement {
                    walk_return(self, &mut ret.inner);
                }
                self.expression(&mut r.until);
                self.scope.truncate(mark);
            }
            Statement::LocalFunction(f) => {
                self.scope.push((f.name.clone(), false));
                walk_statement(self, s);
            }
            _ => walk_statement(self, s),
        }
    }

    fn numeric_for_body(&mut self, name: &S, body: &mut Block<S>) {
        let counter_untouched = !assigns_name(name, &body.statements);
        let mark = self.scope.len();
        self.scope.push((name.clone(), counter_untouched));
        self.block(body);
        self.scope.truncate(mark);
    }

    fn generic_for_body(&mut self, names: &[S], body: &mut Block<S>) {
        let mark = self.scope.len();
        for n in names.iter().cloned() {
            self.scope.push((n, false));
        }
        self.block(body);
        self.scope.truncate(mark);
    }

    fn function(&mut self, f: &mut FunctionDefinition<S>) {
        let mark = self.scope.len();
        for p in f.parameters.iter().cloned() {
            self.scope.push((p, false));
        }
        walk_function(self, f);
        self.scope.truncate(mark);
    }

    fn expression(&mut self, e: &mut Expression<S>) {
        // Operands first (their own operators, nested functions).
        walk_expression(self, e);
        if e.tail.iter().all(|(o, _)| binary_code(*o).is_none()) {
            return;
        }
        // Re-fold the left fold, turning operators with a non-numeric side into calls.
        let tail = std::mem::take(&mut e.tail);
        let mut acc = Expression {
            head: std::mem::replace(
                &mut e.head,
                Box::new(HeadExpression::Simple(SimpleExpression::Nil)),
            ),
            tail: Vec::new(),
        };
        for (o, r) in tail {
            match binary_code(o) {
                Some(code) if self.budget > 0 && !self.vm_safe(code, &acc, &r) => {
                    self.budget -= 1;
                    acc = self.helper_call(code, vec![acc, r]);
                }
                _ => acc.tail.push((o, r)),
            }
        }
        *e = acc;
    }

    fn head(&mut self, h: &mut HeadExpression<S>) {
        walk_head(self, h);
        let HeadExpression::UnaryOperator(o, e) = h else {
            return;
        };
        let code = match o {
            UnaryOperator::Minus => op::UNM,
            UnaryOperator::BitNot => op::BNOT,
            UnaryOperator::Not | UnaryOperator::Len => return,
        };
        let safe = self.numeric(e)
            && (code == op::UNM
                || matches!(
                    &*e.head,
                    HeadExpression::Simple(SimpleExpression::Integer(_))
                ));
        if self.budget > 0 && !safe {
            self.budget -= 1;
            let operand = std::mem::replace(e, simple(SimpleExpression::Nil));
            let call = self.helper_call(code, vec![operand]);
            *h = *call.head;
        }
    }
}

/// The search behind `only_numeric_assignments`: clears `ok` at an assignment to `name` of
/// a value not known to be a number.
struct NumericStores<'a, S> {
    arith: &'a ArithRewrite<S>,
    name: &'a S,
    ok: bool,
}

impl<S: Clone + PartialEq> Visit<S> for NumericStores<'_, S> {
    fn statement(&mut self, s: &Statement<S>) {
        if let Statement::Assignment(a) = s {
            self.ok &= a.targets.iter().enumerate().all(|(i, t)| match t {
                AssignmentTarget::Name(n) if n == self.name => a
                    .values
                    .get(i)
                    .is_some_and(|v| self.arith.numeric(v) && a.values.len() == a.targets.len()),
                _ => true,
            });
        }
        if self.ok {
            walk_statement_ref(self, s);
        }
    }
}

/// Whether any of `statements` (at any depth, nested functions included) assigns the name
/// `name`.
fn assigns_name<S: PartialEq>(name: &S, statements: &[LineAnnotated<Statement<S>>]) -> bool {
    struct Search<'a, S> {
        name: &'a S,
        found: bool,
    }
    impl<S: PartialEq> Visit<S> for Search<'_, S> {
        fn statement(&mut self, s: &Statement<S>) {
            if let Statement::Assignment(a) = s {
                self.found |= a
                    .targets
                    .iter()
                    .any(|t| matches!(t, AssignmentTarget::Name(n) if n == self.name));
            }
            if !self.found {
                walk_statement_ref(self, s);
            }
        }
    }
    let mut search = Search { name, found: false };
    for s in statements {
        search.statement(&s.inner);
    }
    search.found
}
