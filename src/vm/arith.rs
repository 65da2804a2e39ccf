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
    BinaryOperator, Block, CallSuffix, ConstructorField, Expression, FieldSuffix, ForStatement,
    HeadExpression, PrimaryExpression, RecordKey, SimpleExpression, Statement, SuffixPart,
    SuffixedExpression, UnaryOperator,
};

use super::rewrite::simple;

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

    fn call(&self, code: i64, args: Vec<Expression<S>>) -> Expression<S> {
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(simple(SimpleExpression::Integer(code)));
        all.extend(args);
        simple(SimpleExpression::Suffixed(SuffixedExpression {
            primary: PrimaryExpression::Name(self.helper.clone()),
            suffixes: vec![SuffixPart::Call(CallSuffix::Function(all))],
        }))
    }

    fn block(&mut self, b: &mut Block<S>) {
        let mark = self.scope.len();
        self.statements(&mut b.statements);
        if let Some(r) = &mut b.return_statement {
            self.budget = CALLS_PER_STATEMENT;
            for e in &mut r.inner.returns {
                self.expression(e);
            }
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

    fn is_helper_call(&self, e: &Expression<S>) -> bool {
        e.tail.is_empty()
            && matches!(&*e.head, HeadExpression::Simple(SimpleExpression::Suffixed(s))
                if matches!(&s.primary, PrimaryExpression::Name(n) if *n == self.helper)
                    && s.suffixes.len() == 1)
    }

    fn statements(
        &mut self,
        statements: &mut [piccolo::compiler::parser::LineAnnotated<Statement<S>>],
    ) {
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
            self.statement(s, rest);
        }
    }

    /// Whether every assignment to `name` in `rest` (at any depth) stores a number, assuming
    /// `name` itself holds one.
    fn only_numeric_assignments(
        &mut self,
        name: &S,
        rest: &[piccolo::compiler::parser::LineAnnotated<Statement<S>>],
    ) -> bool {
        self.scope.push((name.clone(), true));
        let ok = rest
            .iter()
            .all(|s| self.assignments_numeric(name, &s.inner));
        self.scope.pop();
        ok
    }

    fn assignments_numeric(&self, name: &S, s: &Statement<S>) -> bool {
        let blocks_ok = |this: &Self, b: &Block<S>| {
            b.statements
                .iter()
                .all(|s| this.assignments_numeric(name, &s.inner))
                && b.return_statement
                    .as_ref()
                    .is_none_or(|r| r.inner.returns.iter().all(|e| this.expr_ok(name, e)))
        };
        match s {
            Statement::Assignment(a) => {
                let targets_ok = a.targets.iter().enumerate().all(|(i, t)| match t {
                    piccolo::compiler::parser::AssignmentTarget::Name(n) if n == name => a
                        .values
                        .get(i)
                        .is_some_and(|v| self.numeric(v) && a.values.len() == a.targets.len()),
                    _ => true,
                });
                targets_ok && a.values.iter().all(|e| self.expr_ok(name, e))
            }
            Statement::If(i) => {
                self.expr_ok(name, &i.if_part.0)
                    && blocks_ok(self, &i.if_part.1)
                    && i.else_if_parts
                        .iter()
                        .all(|(c, b)| self.expr_ok(name, c) && blocks_ok(self, b))
                    && i.else_part.as_ref().is_none_or(|b| blocks_ok(self, b))
            }
            Statement::While(w) => self.expr_ok(name, &w.condition) && blocks_ok(self, &w.block),
            Statement::Do(b) => blocks_ok(self, b),
            Statement::For(ForStatement::Numeric {
                initial,
                limit,
                step,
                body,
                ..
            }) => {
                self.expr_ok(name, initial)
                    && self.expr_ok(name, limit)
                    && step.as_ref().is_none_or(|e| self.expr_ok(name, e))
                    && blocks_ok(self, body)
            }
            Statement::For(ForStatement::Generic {
                arguments, body, ..
            }) => arguments.iter().all(|e| self.expr_ok(name, e)) && blocks_ok(self, body),
            Statement::Repeat(r) => blocks_ok(self, &r.body) && self.expr_ok(name, &r.until),
            Statement::LocalFunction(f) => blocks_ok(self, &f.definition.body),
            Statement::Function(f) => blocks_ok(self, &f.definition.body),
            Statement::LocalStatement(l) => l.values.iter().all(|e| self.expr_ok(name, e)),
            Statement::FunctionCall(c) => {
                self.suffixed_ok(name, &c.head) && {
                    let (CallSuffix::Method(_, args) | CallSuffix::Function(args)) = &c.call;
                    args.iter().all(|e| self.expr_ok(name, e))
                }
            }
            Statement::Label(_) | Statement::Break | Statement::Goto(_) => true,
        }
    }

    /// Assignments inside function bodies nested in an expression.
    fn expr_ok(&self, name: &S, e: &Expression<S>) -> bool {
        let head_ok = match &*e.head {
            HeadExpression::Simple(s) => self.simple_ok(name, s),
            HeadExpression::UnaryOperator(_, e) => self.expr_ok(name, e),
        };
        head_ok && e.tail.iter().all(|(_, r)| self.expr_ok(name, r))
    }

    fn simple_ok(&self, name: &S, s: &SimpleExpression<S>) -> bool {
        match s {
            SimpleExpression::Function(f) => f
                .body
                .statements
                .iter()
                .all(|s| self.assignments_numeric(name, &s.inner)),
            SimpleExpression::TableConstructor(t) => t.fields.iter().all(|f| match f {
                ConstructorField::Array(e) => self.expr_ok(name, e),
                ConstructorField::Record(k, v) => {
                    (match k {
                        RecordKey::Indexed(k) => self.expr_ok(name, k),
                        RecordKey::Named(_) => true,
                    }) && self.expr_ok(name, v)
                }
            }),
            SimpleExpression::Suffixed(s) => self.suffixed_ok(name, s),
            _ => true,
        }
    }

    fn suffixed_ok(&self, name: &S, s: &SuffixedExpression<S>) -> bool {
        (match &s.primary {
            PrimaryExpression::GroupedExpression(e) => self.expr_ok(name, e),
            PrimaryExpression::Name(_) => true,
        }) && s.suffixes.iter().all(|p| match p {
            SuffixPart::Field(FieldSuffix::Indexed(e)) => self.expr_ok(name, e),
            SuffixPart::Field(FieldSuffix::Named(_)) => true,
            SuffixPart::Call(c) => {
                let (CallSuffix::Method(_, args) | CallSuffix::Function(args)) = c;
                args.iter().all(|e| self.expr_ok(name, e))
            }
        })
    }

    fn statement(
        &mut self,
        s: &mut Statement<S>,
        rest: &[piccolo::compiler::parser::LineAnnotated<Statement<S>>],
    ) {
        let _ = rest;
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
                let counter_untouched = body
                    .statements
                    .iter()
                    .all(|s| !assigns_name(name, &s.inner));
                let mark = self.scope.len();
                self.scope.push((name.clone(), counter_untouched));
                self.block(body);
                self.scope.truncate(mark);
            }
            Statement::For(ForStatement::Generic {
                names,
                arguments,
                body,
            }) => {
                for a in arguments.iter_mut() {
                    self.expression(a);
                }
                let mark = self.scope.len();
                for n in names.iter().cloned() {
                    self.scope.push((n, false));
                }
                self.block(body);
                self.scope.truncate(mark);
            }
            Statement::Repeat(r) => {
                let mark = self.scope.len();
                self.statements(&mut r.body.statements);
                if let Some(ret) = &mut r.body.return_statement {
                    for e in &mut ret.inner.returns {
                        self.expression(e);
                    }
                }
                self.expression(&mut r.until);
                self.scope.truncate(mark);
            }
            Statement::LocalFunction(f) => {
                self.scope.push((f.name.clone(), false));
                self.function(&mut f.definition);
            }
            Statement::Function(f) => self.function(&mut f.definition),
            Statement::FunctionCall(c) => {
                self.suffixed(&mut c.head);
                let (CallSuffix::Method(_, args) | CallSuffix::Function(args)) = &mut c.call;
                for a in args {
                    self.expression(a);
                }
            }
            Statement::Assignment(a) => {
                for t in &mut a.targets {
                    if let piccolo::compiler::parser::AssignmentTarget::Field(s, f) = t {
                        self.suffixed(s);
                        if let FieldSuffix::Indexed(e) = f {
                            self.expression(e);
                        }
                    }
                }
                for e in &mut a.values {
                    self.expression(e);
                }
            }
            Statement::LocalStatement(_)
            | Statement::Label(_)
            | Statement::Break
            | Statement::Goto(_) => {}
        }
    }

    fn function(&mut self, f: &mut piccolo::compiler::parser::FunctionDefinition<S>) {
        let mark = self.scope.len();
        for p in f.parameters.iter().cloned() {
            self.scope.push((p, false));
        }
        self.block(&mut f.body);
        self.scope.truncate(mark);
    }

    fn expression(&mut self, e: &mut Expression<S>) {
        // Operands first (their own operators, nested functions).
        self.head(&mut e.head);
        for (_, r) in &mut e.tail {
            self.expression(r);
        }
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
                    acc = self.call(code, vec![acc, r]);
                }
                _ => acc.tail.push((o, r)),
            }
        }
        *e = acc;
    }

    fn head(&mut self, h: &mut Box<HeadExpression<S>>) {
        match &mut **h {
            HeadExpression::Simple(s) => self.simple(s),
            HeadExpression::UnaryOperator(o, e) => {
                self.expression(e);
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
                    let call = self.call(code, vec![operand]);
                    **h = *call.head;
                }
            }
        }
    }

    fn simple(&mut self, s: &mut SimpleExpression<S>) {
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
            SimpleExpression::Function(f) => self.function(f),
            SimpleExpression::Suffixed(s) => self.suffixed(s),
            _ => {}
        }
    }

    fn suffixed(&mut self, s: &mut SuffixedExpression<S>) {
        if let PrimaryExpression::GroupedExpression(e) = &mut s.primary {
            self.expression(e);
        }
        for p in &mut s.suffixes {
            match p {
                SuffixPart::Field(FieldSuffix::Indexed(e)) => self.expression(e),
                SuffixPart::Field(FieldSuffix::Named(_)) => {}
                SuffixPart::Call(c) => {
                    let (CallSuffix::Method(_, args) | CallSuffix::Function(args)) = c;
                    for a in args {
                        self.expression(a);
                    }
                }
            }
        }
    }
}

/// Whether `s` (at any depth, nested functions included) assigns the name `name`.
fn assigns_name<S: PartialEq>(name: &S, s: &Statement<S>) -> bool {
    fn block<S: PartialEq>(name: &S, b: &Block<S>) -> bool {
        b.statements.iter().any(|s| assigns_name(name, &s.inner))
            || b.return_statement
                .as_ref()
                .is_some_and(|r| r.inner.returns.iter().any(|e| expr(name, e)))
    }
    fn expr<S: PartialEq>(name: &S, e: &Expression<S>) -> bool {
        let head = match &*e.head {
            HeadExpression::Simple(s) => simple(name, s),
            HeadExpression::UnaryOperator(_, e) => expr(name, e),
        };
        head || e.tail.iter().any(|(_, r)| expr(name, r))
    }
    fn simple<S: PartialEq>(name: &S, s: &SimpleExpression<S>) -> bool {
        match s {
            SimpleExpression::Function(f) => block(name, &f.body),
            SimpleExpression::TableConstructor(t) => t.fields.iter().any(|f| match f {
                ConstructorField::Array(e) => expr(name, e),
                ConstructorField::Record(k, v) => {
                    matches!(k, RecordKey::Indexed(k) if expr(name, k)) || expr(name, v)
                }
            }),
            SimpleExpression::Suffixed(s) => suffixed(name, s),
            _ => false,
        }
    }
    fn suffixed<S: PartialEq>(name: &S, s: &SuffixedExpression<S>) -> bool {
        matches!(&s.primary, PrimaryExpression::GroupedExpression(e) if expr(name, e))
            || s.suffixes.iter().any(|p| match p {
                SuffixPart::Field(FieldSuffix::Indexed(e)) => expr(name, e),
                SuffixPart::Field(FieldSuffix::Named(_)) => false,
                SuffixPart::Call(c) => {
                    let (CallSuffix::Method(_, args) | CallSuffix::Function(args)) = c;
                    args.iter().any(|e| expr(name, e))
                }
            })
    }
    match s {
        Statement::Assignment(a) => {
            a.targets.iter().any(|t| match t {
                piccolo::compiler::parser::AssignmentTarget::Name(n) => n == name,
                piccolo::compiler::parser::AssignmentTarget::Field(s, f) => {
                    suffixed(name, s) || matches!(f, FieldSuffix::Indexed(e) if expr(name, e))
                }
            }) || a.values.iter().any(|e| expr(name, e))
        }
        Statement::If(i) => {
            expr(name, &i.if_part.0)
                || block(name, &i.if_part.1)
                || i.else_if_parts
                    .iter()
                    .any(|(c, b)| expr(name, c) || block(name, b))
                || i.else_part.as_ref().is_some_and(|b| block(name, b))
        }
        Statement::While(w) => expr(name, &w.condition) || block(name, &w.block),
        Statement::Do(b) => block(name, b),
        Statement::For(ForStatement::Numeric {
            initial,
            limit,
            step,
            body,
            ..
        }) => {
            expr(name, initial)
                || expr(name, limit)
                || step.as_ref().is_some_and(|e| expr(name, e))
                || block(name, body)
        }
        Statement::For(ForStatement::Generic {
            arguments, body, ..
        }) => arguments.iter().any(|e| expr(name, e)) || block(name, body),
        Statement::Repeat(r) => block(name, &r.body) || expr(name, &r.until),
        Statement::LocalFunction(f) => block(name, &f.definition.body),
        Statement::Function(f) => block(name, &f.definition.body),
        Statement::LocalStatement(l) => l.values.iter().any(|e| expr(name, e)),
        Statement::FunctionCall(c) => {
            suffixed(name, &c.head) || {
                let (CallSuffix::Method(_, args) | CallSuffix::Function(args)) = &c.call;
                args.iter().any(|e| expr(name, e))
            }
        }
        Statement::Label(_) | Statement::Break | Statement::Goto(_) => false,
    }
}
