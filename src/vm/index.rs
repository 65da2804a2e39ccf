//! The index rewrite: reads `a.k` and `a[k]` go through the hidden `(index)` helper.
//!
//! piccolo 0.3.3 has no string metatable, so its VM raises "attempt to index a string value"
//! where Lua indexes the `string` table (`("x").len`, `s.missing` is nil, `Data.x` on an
//! undecoded string is nil), and its index errors carry neither a position nor the name of
//! what was indexed. `(index)(a, k, what)` indexes with Lua's semantics for every type and
//! raises Lua 5.3's error, `chunk:line: attempt to index a nil value (local 't')`, where
//! `what` is the description Lua gives (`local 't'`, `upvalue 't'`, `global 't'`,
//! `field 'k'`), omitted when Lua gives none.
//!
//! A read is left to the VM when its base is a local that can only hold a table: declared
//! with a table constructor and never assigned (by name, anywhere in the chunk). Global
//! lookups themselves (`x` as `_ENV.x`) stay with the VM too: `_ENV` is a table.
//! Stores are not touched here: the assignment rewrite already sends them through `(set)`.

use piccolo::compiler::parser::{
    AssignmentTarget, Block, CallSuffix, Expression, FieldSuffix, FunctionDefinition,
    HeadExpression, LineAnnotated, LocalStatement, PrimaryExpression, SimpleExpression, Statement,
    SuffixPart, SuffixedExpression,
};

use super::rewrite::simple;
use super::visit::mutable::{walk_block, walk_statement, walk_suffixed, VisitMut};
use super::visit::read_only::{self, Visit};

pub struct IndexRewrite<S> {
    index: S,
    /// A local that holds a returned read (see `block`).
    result: S,
    /// Names some assignment statement assigns: no local of these names is known to be a
    /// table.
    assigned: Vec<S>,
    /// Locals in scope, innermost last: name, the depth of the function declaring it, and
    /// whether it can only hold a table.
    scope: Vec<(S, usize, bool)>,
    depth: usize,
    /// Builds the string constant of a description (`local 't'`; `field '?'` for None).
    text: fn(&str, Option<&S>) -> S,
}

impl<S: Clone + PartialEq> IndexRewrite<S> {
    pub fn new(index: S, result: S, text: fn(&str, Option<&S>) -> S) -> Self {
        IndexRewrite {
            index,
            result,
            assigned: Vec::new(),
            scope: Vec::new(),
            depth: 0,
            text,
        }
    }

    pub fn chunk(&mut self, b: &mut Block<S>) {
        let mut names = AssignedNames(Vec::new());
        names.block(b);
        self.assigned = names.0;
        self.block(b);
    }

    fn declare(&mut self, name: S, table: bool) {
        let table = table && !self.assigned.contains(&name);
        self.scope.push((name, self.depth, table));
    }

    /// Whether `name` is a table-only local, and Lua's description of it.
    fn resolve(&self, name: &S) -> (bool, S) {
        match self.scope.iter().rev().find(|(n, _, _)| n == name) {
            Some((_, depth, table)) if *depth == self.depth => {
                (*table, (self.text)("local", Some(name)))
            }
            Some((_, _, table)) => (*table, (self.text)("upvalue", Some(name))),
            None => (false, (self.text)("global", Some(name))),
        }
    }

    fn is_index_call(&self, e: &Expression<S>) -> bool {
        e.tail.is_empty()
            && matches!(&*e.head, HeadExpression::Simple(SimpleExpression::Suffixed(s))
                if matches!(&s.primary, PrimaryExpression::Name(n) if *n == self.index)
                    && s.suffixes.len() == 1)
    }

    fn index_call(
        &self,
        base: SuffixedExpression<S>,
        key: Expression<S>,
        what: Option<S>,
    ) -> SuffixedExpression<S> {
        let mut args = vec![simple(SimpleExpression::Suffixed(base)), key];
        if let Some(what) = what {
            args.push(simple(SimpleExpression::String(what)));
        }
        SuffixedExpression {
            primary: PrimaryExpression::Name(self.index.clone()),
            suffixes: vec![SuffixPart::Call(CallSuffix::Function(args))],
        }
    }
}

impl<S: Clone + PartialEq> VisitMut<S> for IndexRewrite<S> {
    fn block(&mut self, b: &mut Block<S>) {
        let mark = self.scope.len();
        walk_block(self, b);
        self.scope.truncate(mark);
        // `return t.x` would tail-call the helper, and a tail call drops the calling frame
        // that errors take their position from: the read goes through a local first.
        if let Some(r) = &mut b.return_statement {
            if let [only] = r.inner.returns.as_mut_slice() {
                if self.is_index_call(only) {
                    let value = std::mem::replace(only, simple(SimpleExpression::Nil));
                    *only = simple(SimpleExpression::Suffixed(SuffixedExpression {
                        primary: PrimaryExpression::Name(self.result.clone()),
                        suffixes: Vec::new(),
                    }));
                    b.statements.push(LineAnnotated::new(
                        r.line_number,
                        Statement::LocalStatement(LocalStatement {
                            names: vec![self.result.clone()],
                            values: vec![value],
                        }),
                    ));
                }
            }
        }
    }

    fn statement(&mut self, s: &mut Statement<S>) {
        match s {
            Statement::LocalStatement(LocalStatement { names, values }) => {
                for v in values.iter_mut() {
                    self.expression(v);
                }
                for (i, n) in names.iter().enumerate() {
                    let table = values.get(i).is_some_and(is_table_constructor);
                    self.declare(n.clone(), table);
                }
            }
            Statement::LocalFunction(f) => {
                self.declare(f.name.clone(), false);
                self.function(&mut f.definition);
            }
            Statement::Repeat(r) => {
                // The condition sees the body's locals.
                let mark = self.scope.len();
                walk_block(self, &mut r.body);
                self.expression(&mut r.until);
                self.scope.truncate(mark);
            }
            _ => walk_statement(self, s),
        }
    }

    fn numeric_for_body(&mut self, name: &S, body: &mut Block<S>) {
        let mark = self.scope.len();
        self.declare(name.clone(), false);
        self.block(body);
        self.scope.truncate(mark);
    }

    fn generic_for_body(&mut self, names: &[S], body: &mut Block<S>) {
        let mark = self.scope.len();
        for n in names {
            self.declare(n.clone(), false);
        }
        self.block(body);
        self.scope.truncate(mark);
    }

    fn function(&mut self, f: &mut FunctionDefinition<S>) {
        let mark = self.scope.len();
        self.depth += 1;
        for p in &f.parameters {
            self.declare(p.clone(), false);
        }
        self.block(&mut f.body);
        self.depth -= 1;
        self.scope.truncate(mark);
    }

    fn suffixed(&mut self, s: &mut SuffixedExpression<S>) {
        walk_suffixed(self, s);
        if !s.suffixes.iter().any(|p| matches!(p, SuffixPart::Field(_))) {
            return;
        }
        let (mut safe, mut what) = match &s.primary {
            PrimaryExpression::Name(n) => {
                let (table, what) = self.resolve(n);
                (table, Some(what))
            }
            PrimaryExpression::GroupedExpression(_) => (false, None),
        };
        let primary =
            std::mem::replace(&mut s.primary, PrimaryExpression::Name(self.index.clone()));
        let mut acc = SuffixedExpression {
            primary,
            suffixes: Vec::new(),
        };
        for part in std::mem::take(&mut s.suffixes) {
            match part {
                SuffixPart::Field(field) => {
                    let (key, next_what) = match field {
                        FieldSuffix::Named(n) => {
                            let what = (self.text)("field", Some(&n));
                            (simple(SimpleExpression::String(n)), Some(what))
                        }
                        FieldSuffix::Indexed(e) => {
                            // Lua names a field by its key only when that is a string
                            // constant.
                            let what = match &*e.head {
                                HeadExpression::Simple(SimpleExpression::String(n))
                                    if e.tail.is_empty() =>
                                {
                                    (self.text)("field", Some(n))
                                }
                                _ => (self.text)("field", None),
                            };
                            (e, Some(what))
                        }
                    };
                    if safe {
                        acc.suffixes
                            .push(SuffixPart::Field(FieldSuffix::Indexed(key)));
                    } else {
                        acc = self.index_call(acc, key, what.take());
                    }
                    safe = false;
                    what = next_what;
                }
                call @ SuffixPart::Call(_) => {
                    acc.suffixes.push(call);
                    safe = false;
                    what = None;
                }
            }
        }
        *s = acc;
    }
}

fn is_table_constructor<S>(e: &Expression<S>) -> bool {
    e.tail.is_empty()
        && matches!(
            &*e.head,
            HeadExpression::Simple(SimpleExpression::TableConstructor(_))
        )
}

/// Collects the names assignment statements assign to.
struct AssignedNames<S>(Vec<S>);

impl<S: Clone + PartialEq> Visit<S> for AssignedNames<S> {
    fn statement(&mut self, s: &Statement<S>) {
        if let Statement::Assignment(a) = s {
            for t in &a.targets {
                if let AssignmentTarget::Name(n) = t {
                    if !self.0.contains(n) {
                        self.0.push(n.clone());
                    }
                }
            }
        }
        read_only::walk_statement(self, s);
    }
}
