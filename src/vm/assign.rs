//! The assignment rewrite: every write the VM would do to a table field, a global or a
//! captured variable goes through a helper instead, so it can be logged (atomic messages,
//! see `undo.rs`) and so piccolo never grows a table that still holds dead keys.
//!
//! - `t[k] = v`, `t.k = v`, `function t.k() end` become `(set)(t, k, v)`;
//! - a global `x = v` (and `function x() end`) becomes `(set)(_ENV, "x", v)`;
//! - a captured local `x = v` of an enclosing function is preceded by `(setup)(g)`, where
//!   `g` is a getter `function() return x end` whose only upvalue is the variable's cell,
//!   which lets the helper log it: for a variable declared by a `local` statement the
//!   getter is made once, in a hidden local declared right after that statement (so a
//!   counter a handler keeps in a chunk's local costs no closure per write), and for a
//!   parameter once at the start of its function's body; for loop variables and a
//!   `local function` written inside its own body, the getter is made at the write;
//! - assignments to the function's own locals stay as they are.
//!
//! Multiple assignment keeps Lua's order: target prefixes and keys, then all values, are
//! evaluated into hidden locals before any store. The pass tracks scopes to tell locals,
//! captured locals and globals apart.

use piccolo::compiler::parser::{
    AssignmentStatement, AssignmentTarget, BinaryOperator, Block, CallSuffix, Expression,
    FieldSuffix, ForStatement, FunctionCallStatement, FunctionDefinition, FunctionStatement,
    HeadExpression, IfStatement, LineAnnotated, LocalStatement, PrimaryExpression, ReturnStatement,
    SimpleExpression, Statement, SuffixPart, SuffixedExpression, WhileStatement,
};

use super::kinds::NameId;
use super::rewrite::{block_on_line, simple};
use super::visit::mutable::{walk_function, walk_return, walk_statement, VisitMut};

/// Hidden names used by the pass.
pub struct AssignNames<S> {
    pub set: S,
    pub setup: S,
    /// The operator helper, whose `UPDATE` form does `t.k = t.k op v` in one call.
    pub arith: S,
    pub env: S,
    /// `self`, the implicit first parameter of `function t:m() end`.
    pub self_param: S,
    /// The hidden iterator function, state and control variable of a generic `for`.
    pub for_state: [S; 3],
    /// Prefix of the hidden temporaries of a multiple assignment; an index is appended.
    pub temp: fn(usize) -> S,
    /// The hidden local holding the getter of declaration `n` (see the module docs).
    pub cell: fn(usize) -> S,
    /// The local of the debug library's preludes (`upvalues::PRELUDE_LOCAL`).
    pub prelude: S,
    /// Appends left to the VM (see `fresh.rs`), by their tokens.
    pub fresh: super::fresh::FreshAppends<S>,
}

enum Resolved {
    Local,
    Captured,
    Global,
}

pub struct AssignRewrite<S> {
    names: AssignNames<S>,
    /// Locals in scope, innermost last, each tagged with the depth of the function that
    /// declared it and its declaration's number (an index of `cells`).
    scope: Vec<(S, usize, usize)>,
    depth: usize,
    /// Per declaration: whether its getter can be made once after the declaring statement
    /// (a `local` statement, once that statement is done), and whether a captured write
    /// asked for it.
    cells: Vec<Cell>,
    /// Per function being rewritten (outermost first): the getters made for its locals.
    hoisted: Vec<usize>,
}

/// Most getters one function keeps in hidden locals: each holds a register for the rest of
/// its scope, and the source check leaves the rewrites a margin of 16 of piccolo's 256
/// registers (see `ShapeCheck` in `compile.rs`); past it, writes make their getter.
const MAX_HOISTED_GETTERS: usize = 8;

/// A `local` statement of a block: where its getters go (after the statement), its line
/// and its declarations' numbers.
type Declared = (usize, piccolo::compiler::LineNumber, std::ops::Range<usize>);

#[derive(Clone, Copy, Default)]
struct Cell {
    ready: bool,
    used: bool,
}

fn name_expr<S>(name: S) -> Expression<S> {
    simple(SimpleExpression::Suffixed(SuffixedExpression {
        primary: PrimaryExpression::Name(name),
        suffixes: Vec::new(),
    }))
}

fn call_statement<S>(function: S, args: Vec<Expression<S>>) -> Statement<S> {
    Statement::FunctionCall(FunctionCallStatement {
        head: SuffixedExpression {
            primary: PrimaryExpression::Name(function),
            suffixes: Vec::new(),
        },
        call: CallSuffix::Function(args),
    })
}

impl<S: Clone + PartialEq + NameId> AssignRewrite<S> {
    pub fn new(names: AssignNames<S>) -> Self {
        AssignRewrite {
            names,
            scope: Vec::new(),
            depth: 0,
            cells: Vec::new(),
            hoisted: Vec::new(),
        }
    }

    fn resolve(&self, name: &S) -> Resolved {
        // Assigning `_ENV` itself changes the environment; it is not a global.
        if *name == self.names.env {
            return Resolved::Local;
        }
        match self.scope.iter().rev().find(|(n, _, _)| n == name) {
            Some((_, d, _)) if *d == self.depth => Resolved::Local,
            Some(_) => Resolved::Captured,
            None => Resolved::Global,
        }
    }

    fn declare(&mut self, name: S) {
        self.scope.push((name, self.depth, self.cells.len()));
        self.cells.push(Cell::default());
    }

    /// Rewrites a whole chunk body (the chunk is a vararg function without parameters).
    #[inline(never)] // a compile job of its own in V8 (see `compile::compile_here`)
    pub fn chunk(&mut self, block: &mut Block<S>) {
        self.depth += 1;
        self.hoisted.push(0);
        self.block(block);
        self.hoisted.pop();
        self.depth -= 1;
    }

    /// A block whose scope the caller opens and closes (`repeat ... until` sees the body's
    /// locals in its condition). Returns the block's `local` statements, for
    /// [`Self::place_getters`] once every write to their variables has been seen.
    fn block_in_scope(&mut self, b: &mut Block<S>) -> Vec<Declared> {
        let statements = std::mem::take(&mut b.statements);
        let mut declared: Vec<Declared> = Vec::new();
        for s in statements {
            let line = s.line_number;
            let local = matches!(
                s.inner,
                Statement::LocalStatement(_) | Statement::LocalFunction(_)
            );
            let before = self.scope.len();
            for rewritten in self.rewrite_statement(s.inner, line) {
                b.statements.push(LineAnnotated::new(line, rewritten));
            }
            if local {
                let ids = self.scope[before..]
                    .first()
                    .zip(self.scope.last())
                    .map_or(0..0, |(first, last)| first.2..last.2 + 1);
                for id in ids.clone() {
                    self.cells[id].ready = true;
                }
                declared.push((b.statements.len(), line, ids));
            }
        }
        if let Some(r) = &mut b.return_statement {
            walk_return(self, &mut r.inner);
        }
        declared
    }

    /// Puts the getters writes asked for after their declarations (from the last, so the
    /// positions stay right), once every write to the block's variables has been seen.
    fn place_getters(&mut self, b: &mut Block<S>, declared: Vec<Declared>) {
        for (at, line, ids) in declared.into_iter().rev() {
            let getters: Vec<_> = ids
                .filter(|id| self.cells[*id].used)
                .filter_map(|id| {
                    let name = self.declared_name(id)?;
                    Some(LineAnnotated::new(
                        line,
                        Statement::LocalStatement(LocalStatement {
                            names: vec![(self.names.cell)(id)],
                            values: vec![simple(getter(name))],
                        }),
                    ))
                })
                .collect();
            b.statements.splice(at..at, getters);
        }
    }

    /// Whether `s` is one of the blocks `upvalues.rs` puts first in every function of the
    /// debug library's compilation: `do local (debug) = ... end`.
    fn is_prelude(&self, s: &Statement<S>) -> bool {
        let Statement::Do(b) = s else {
            return false;
        };
        matches!(b.statements.as_slice(), [only] if matches!(&only.inner,
            Statement::LocalStatement(l) if matches!(l.names.as_slice(), [n] if *n == self.names.prelude)))
    }

    /// The variable declaration `id` declared (still in `scope`: its block is running).
    fn declared_name(&self, id: usize) -> Option<S> {
        self.scope
            .iter()
            .find(|(_, _, i)| *i == id)
            .map(|(n, _, _)| n.clone())
    }

    /// The statements that replace `s`.
    fn rewrite_statement(
        &mut self,
        s: Statement<S>,
        line: piccolo::compiler::LineNumber,
    ) -> Vec<Statement<S>> {
        match s {
            Statement::Assignment(a) => self.assignment(a, line),
            Statement::Function(f) => self.function_statement(f),
            Statement::For(ForStatement::Generic {
                names,
                arguments,
                body,
            }) => self.generic_for(names, arguments, body, line),
            mut s => {
                self.statement(&mut s);
                vec![s]
            }
        }
    }

    /// piccolo's generic `for` stops when the control variable is `false` (its loop opcode
    /// tests truthiness; Lua tests for nil), so `for k in pairs{[false]=1}` would skip the
    /// entry. We emit the loop Lua defines instead:
    /// `do local f, s, c = explist; while true do local k, v = f(s, c);
    ///  if k == nil then break end; c = k; <body> end end`.
    fn generic_for(
        &mut self,
        names: Vec<S>,
        mut arguments: Vec<Expression<S>>,
        mut body: Block<S>,
        header: piccolo::compiler::LineNumber,
    ) -> Vec<Statement<S>> {
        for a in &mut arguments {
            self.expression(a);
        }
        // As in Lua, the explist and each call of the iterator belong to the `for` line
        // (an error there names it); only the hidden `break` sits on the closing line.
        let line = body.closed_on;
        let (f, st, c) = (
            self.names.for_state[0].clone(),
            self.names.for_state[1].clone(),
            self.names.for_state[2].clone(),
        );
        let mark = self.scope.len();
        for n in [&f, &st, &c] {
            self.declare(n.clone());
        }
        for n in names.iter().cloned() {
            self.declare(n);
        }
        self.block(&mut body);
        self.scope.truncate(mark);

        let first = names[0].clone();
        let step = Statement::LocalStatement(LocalStatement {
            names,
            values: vec![simple(SimpleExpression::Suffixed(SuffixedExpression {
                primary: PrimaryExpression::Name(f.clone()),
                suffixes: vec![SuffixPart::Call(CallSuffix::Function(vec![
                    name_expr(st.clone()),
                    name_expr(c.clone()),
                ]))],
            }))],
        });
        let stop = Statement::If(IfStatement {
            if_part: (
                Expression {
                    head: Box::new(HeadExpression::Simple(SimpleExpression::Suffixed(
                        SuffixedExpression {
                            primary: PrimaryExpression::Name(first.clone()),
                            suffixes: Vec::new(),
                        },
                    ))),
                    tail: vec![(BinaryOperator::Equal, simple(SimpleExpression::Nil))],
                },
                Block {
                    statements: vec![LineAnnotated::new(line, Statement::Break)],
                    return_statement: None,
                    closed_on: line,
                },
            ),
            else_if_parts: Vec::new(),
            else_part: None,
        });
        let advance = local_store(c.clone(), name_expr(first));
        // The body becomes a `do` block, so its own locals and labels keep their scope.
        let loop_body = Block {
            statements: vec![
                LineAnnotated::new(header, step),
                LineAnnotated::new(header, stop),
                LineAnnotated::new(header, advance),
                LineAnnotated::new(line, Statement::Do(body)),
            ],
            return_statement: None,
            closed_on: line,
        };
        let setup = Statement::LocalStatement(LocalStatement {
            names: vec![f, st, c],
            values: arguments,
        });
        let looping = Statement::While(WhileStatement {
            condition: simple(SimpleExpression::True),
            block: loop_body,
        });
        vec![Statement::Do(Block {
            statements: vec![
                LineAnnotated::new(header, setup),
                LineAnnotated::new(header, looping),
            ],
            return_statement: None,
            closed_on: line,
        })]
    }

    /// The statements storing `value` (an expression already rewritten) into `target`.
    fn store(&mut self, target: Target<S>, value: Expression<S>) -> Vec<Statement<S>> {
        match target {
            Target::Field(table, key) => vec![call_statement(
                self.names.set.clone(),
                vec![table, key, value],
            )],
            Target::Name(name) => match self.resolve(&name) {
                Resolved::Local => vec![local_store(name, value)],
                Resolved::Global => vec![call_statement(
                    self.names.set.clone(),
                    vec![
                        name_expr(self.names.env.clone()),
                        simple(SimpleExpression::String(name)),
                        value,
                    ],
                )],
                Resolved::Captured => {
                    let declared = self
                        .scope
                        .iter()
                        .rev()
                        .find(|(n, _, _)| *n == name)
                        .map(|(_, depth, id)| (*depth, *id));
                    let hoisted = declared.filter(|(depth, id)| {
                        let cell = self.cells[*id];
                        let made = depth
                            .checked_sub(1)
                            .and_then(|f| self.hoisted.get(f))
                            .copied()
                            .unwrap_or(MAX_HOISTED_GETTERS);
                        cell.ready && (cell.used || made < MAX_HOISTED_GETTERS)
                    });
                    let getter = match hoisted {
                        Some((depth, id)) => {
                            if !self.cells[id].used {
                                self.cells[id].used = true;
                                self.hoisted[depth - 1] += 1;
                            }
                            name_expr((self.names.cell)(id))
                        }
                        None => simple(getter(name.clone())),
                    };
                    vec![
                        call_statement(self.names.setup.clone(), vec![getter]),
                        local_store(name, value),
                    ]
                }
            },
        }
    }

    /// The arguments of `(arith)(UPDATE, ...)` for `path = path op v` (see [`fast_update`]):
    /// `path` a local, captured or global name followed by fields and keys that are
    /// constants or locals, the same on both sides; `op` arithmetic or bitwise; `v` a local
    /// or a numeric constant. Evaluating them has no effect, so the helper may evaluate them
    /// first and decline.
    fn update_args(&self, target: &Target<S>, value: &Expression<S>) -> Option<Vec<Expression<S>>> {
        let [(op, operand)] = value.tail.as_slice() else {
            return None;
        };
        let code = super::arith::binary_code(*op).filter(|c| *c <= super::arith::op::SHR)?;
        let read = self.head_path(&value.head)?;
        let written = match target {
            Target::Name(n) => match self.resolve(n) {
                Resolved::Global => vec![PathKey::Env, PathKey::Str(n.clone())],
                _ => return None,
            },
            Target::Field(table, key) => {
                let mut path = self.expression_path(table)?;
                path.push(self.key(key)?);
                path
            }
        };
        if read != written || written.len() < 2 {
            return None;
        }
        let v = self.operand(operand, false)?;
        let mut args = vec![
            simple(SimpleExpression::Integer(super::arith::op::UPDATE)),
            simple(SimpleExpression::Integer(code)),
            v,
        ];
        args.extend(written.into_iter().map(|k| self.path_expression(k)));
        Some(args)
    }

    /// The arguments of `(arith)(APPEND, v, base, k1, ..., kn)` for `path[#path + 1] = v`
    /// (see [`fast_update`]): `path` as for updates, `v` a local or a constant. Evaluating
    /// them has no effect, so the helper may evaluate them first and decline.
    fn append_args(&self, target: &Target<S>, value: &Expression<S>) -> Option<Vec<Expression<S>>> {
        let Target::Field(table, key) = target else {
            return None;
        };
        let path = self.expression_path(table)?;
        // The key: `#path + 1`.
        let measured = super::rewrite::length_plus_one(key)?;
        if self.expression_path(measured)? != path {
            return None;
        }
        let v = self.operand(value, true)?;
        let mut args = vec![
            simple(SimpleExpression::Integer(super::arith::op::APPEND)),
            v,
        ];
        args.extend(path.into_iter().map(|k| self.path_expression(k)));
        Some(args)
    }

    /// An operand without effects: a local, a numeric constant, or (with `any_constant`) a
    /// string or boolean constant.
    fn operand(&self, e: &Expression<S>, any_constant: bool) -> Option<Expression<S>> {
        if !e.tail.is_empty() {
            return None;
        }
        match &*e.head {
            HeadExpression::Simple(SimpleExpression::Integer(_) | SimpleExpression::Float(_)) => {
                Some(e.clone())
            }
            HeadExpression::Simple(
                SimpleExpression::String(_) | SimpleExpression::True | SimpleExpression::False,
            ) if any_constant => Some(e.clone()),
            HeadExpression::Simple(SimpleExpression::Suffixed(s))
                if s.suffixes.is_empty() && self.local_name(&s.primary).is_some() =>
            {
                Some(e.clone())
            }
            _ => None,
        }
    }

    fn path_expression(&self, k: PathKey<S>) -> Expression<S> {
        match k {
            PathKey::Env => name_expr(self.names.env.clone()),
            PathKey::Local(n) => name_expr(n),
            PathKey::Str(s) => simple(SimpleExpression::String(s)),
            PathKey::Int(i) => simple(SimpleExpression::Integer(i)),
        }
    }

    /// A name that is a local or captured local here.
    fn local_name<'a>(&self, p: &'a PrimaryExpression<S>) -> Option<&'a S> {
        match p {
            PrimaryExpression::Name(n) if !matches!(self.resolve(n), Resolved::Global) => Some(n),
            _ => None,
        }
    }

    /// [`AssignRewrite::head_path`] of an expression without operators.
    fn expression_path(&self, e: &Expression<S>) -> Option<Vec<PathKey<S>>> {
        if !e.tail.is_empty() {
            return None;
        }
        self.head_path(&e.head)
    }

    /// `name.a[k][1]` as its keys, from its variable.
    fn head_path(&self, head: &HeadExpression<S>) -> Option<Vec<PathKey<S>>> {
        let HeadExpression::Simple(SimpleExpression::Suffixed(s)) = head else {
            return None;
        };
        let PrimaryExpression::Name(n) = &s.primary else {
            return None;
        };
        let mut path = match self.resolve(n) {
            Resolved::Global => vec![PathKey::Env, PathKey::Str(n.clone())],
            _ => vec![PathKey::Local(n.clone())],
        };
        for suffix in &s.suffixes {
            match suffix {
                SuffixPart::Field(FieldSuffix::Named(k)) => path.push(PathKey::Str(k.clone())),
                SuffixPart::Field(FieldSuffix::Indexed(e)) => path.push(self.key(e)?),
                SuffixPart::Call(_) => return None,
            }
        }
        Some(path)
    }

    /// A key without effects: a string or integer constant, or a local.
    fn key(&self, e: &Expression<S>) -> Option<PathKey<S>> {
        if !e.tail.is_empty() {
            return None;
        }
        match &*e.head {
            HeadExpression::Simple(SimpleExpression::String(s)) => Some(PathKey::Str(s.clone())),
            HeadExpression::Simple(SimpleExpression::Integer(i)) => Some(PathKey::Int(*i)),
            HeadExpression::Simple(SimpleExpression::Suffixed(s)) if s.suffixes.is_empty() => self
                .local_name(&s.primary)
                .map(|n| PathKey::Local(n.clone())),
            _ => None,
        }
    }

    fn target(&mut self, t: AssignmentTarget<S>) -> Target<S> {
        match t {
            AssignmentTarget::Name(n) => Target::Name(n),
            AssignmentTarget::Field(mut prefix, field) => {
                self.suffixed(&mut prefix);
                let key = match field {
                    FieldSuffix::Named(n) => simple(SimpleExpression::String(n)),
                    FieldSuffix::Indexed(mut e) => {
                        self.expression(&mut e);
                        e
                    }
                };
                Target::Field(simple(SimpleExpression::Suffixed(prefix)), key)
            }
        }
    }

    fn assignment(
        &mut self,
        a: AssignmentStatement<S>,
        line: piccolo::compiler::LineNumber,
    ) -> Vec<Statement<S>> {
        if self.is_fresh_append(&a) {
            // `t[#t + 1] = v` on a table nobody else has seen (see `fresh.rs`): as written.
            let mut a = a;
            for v in &mut a.values {
                self.expression(v);
            }
            return vec![Statement::Assignment(a)];
        }
        let AssignmentStatement {
            targets,
            mut values,
        } = a;
        let mut targets: Vec<Target<S>> = targets.into_iter().map(|t| self.target(t)).collect();
        for v in &mut values {
            self.expression(v);
        }
        if targets.len() == 1 && values.len() == 1 {
            if let (Some(target), Some(value)) = (targets.pop(), values.pop()) {
                let fused = self
                    .update_args(&target, &value)
                    .or_else(|| self.append_args(&target, &value));
                let store = self.store(target, value);
                return match fused {
                    Some(args) => vec![fast_update(self.names.arith.clone(), args, store, line)],
                    None => store,
                };
            }
        }
        // General case: `do local (t1), (k1), ... = prefixes, keys; local (v1), ... = values;
        // stores end`, so evaluation order and value adjustment stay Lua's.
        let mut counter = 0;
        let mut fresh = || {
            counter += 1;
            (self.names.temp)(counter)
        };
        let mut prefix_names = Vec::new();
        let mut prefix_values = Vec::new();
        let mut slots = Vec::new();
        for t in targets {
            match t {
                Target::Field(table, key) => {
                    let (tn, kn) = (fresh(), fresh());
                    prefix_names.push(tn.clone());
                    prefix_values.push(table);
                    prefix_names.push(kn.clone());
                    prefix_values.push(key);
                    slots.push(Target::Field(name_expr(tn), name_expr(kn)));
                }
                name @ Target::Name(_) => slots.push(name),
            }
        }
        let value_names: Vec<S> = slots.iter().map(|_| fresh()).collect();
        let mut body = Vec::new();
        if !prefix_names.is_empty() {
            body.push(Statement::LocalStatement(LocalStatement {
                names: prefix_names,
                values: prefix_values,
            }));
        }
        body.push(Statement::LocalStatement(LocalStatement {
            names: value_names.clone(),
            values,
        }));
        // Hidden temporaries are locals of this function while the stores run.
        let mark = self.scope.len();
        for n in &value_names {
            self.declare(n.clone());
        }
        // PUC Lua 5.3 stores from the last target to the first (`x, x = 1, 2` leaves 1, and
        // `__newindex` sees the stores in that order).
        for (slot, v) in slots.into_iter().zip(value_names).rev() {
            body.extend(self.store(slot, name_expr(v)));
        }
        self.scope.truncate(mark);
        // The statement's own line: its stores' errors name it.
        vec![Statement::Do(block_on_line(body, line))]
    }

    /// Whether `a` is an append `fresh.rs` found, to a local of the function at hand.
    fn is_fresh_append(&self, a: &AssignmentStatement<S>) -> bool {
        let [AssignmentTarget::Field(prefix, FieldSuffix::Indexed(_))] = a.targets.as_slice()
        else {
            return false;
        };
        match (&prefix.primary, prefix.suffixes.as_slice()) {
            (PrimaryExpression::Name(n), []) => {
                self.names.fresh.holds(n) && matches!(self.resolve(n), Resolved::Local)
            }
            _ => false,
        }
    }

    fn function_statement(&mut self, f: FunctionStatement<S>) -> Vec<Statement<S>> {
        let FunctionStatement {
            name,
            mut fields,
            method,
            mut definition,
        } = f;
        if method.is_some() {
            definition
                .parameters
                .insert(0, self.names.self_param.clone());
        }
        self.function(&mut definition);
        let function = simple(SimpleExpression::Function(definition));
        let last = match method {
            Some(m) => Some(m),
            None => fields.pop(),
        };
        let target = match last {
            None => Target::Name(name),
            Some(key) => Target::Field(
                simple(SimpleExpression::Suffixed(SuffixedExpression {
                    primary: PrimaryExpression::Name(name),
                    suffixes: fields
                        .into_iter()
                        .map(|f| SuffixPart::Field(FieldSuffix::Named(f)))
                        .collect(),
                })),
                simple(SimpleExpression::String(key)),
            ),
        };
        self.store(target, function)
    }
}

impl<S: Clone + PartialEq + NameId> VisitMut<S> for AssignRewrite<S> {
    fn block(&mut self, b: &mut Block<S>) {
        let mark = self.scope.len();
        let declared = self.block_in_scope(b);
        self.place_getters(b, declared);
        self.scope.truncate(mark);
    }

    fn statement(&mut self, s: &mut Statement<S>) {
        match s {
            Statement::LocalFunction(f) => self.declare(f.name.clone()),
            Statement::Repeat(r) => {
                let mark = self.scope.len();
                let declared = self.block_in_scope(&mut r.body);
                // The condition sees the body's locals: its closures may write them too.
                self.expression(&mut r.until);
                self.place_getters(&mut r.body, declared);
                self.scope.truncate(mark);
                return;
            }
            _ => {}
        }
        walk_statement(self, s);
        if let Statement::LocalStatement(l) = s {
            for n in l.names.iter().cloned() {
                self.declare(n);
            }
        }
    }

    fn numeric_for_body(&mut self, name: &S, body: &mut Block<S>) {
        let mark = self.scope.len();
        self.declare(name.clone());
        self.block(body);
        self.scope.truncate(mark);
    }

    fn function(&mut self, f: &mut FunctionDefinition<S>) {
        let mark = self.scope.len();
        self.depth += 1;
        self.hoisted.push(0);
        let first = self.cells.len();
        for p in f.parameters.clone() {
            self.declare(p);
        }
        // Parameters are in scope from the start: their getters go first in the body.
        let params = first..self.cells.len();
        for id in params.clone() {
            self.cells[id].ready = true;
        }
        walk_function(self, f);
        let line = f
            .body
            .statements
            .first()
            .map_or(f.body.closed_on, |s| s.line_number);
        // After the debug library's preludes (`upvalues.rs`), which must stay first.
        let at = f
            .body
            .statements
            .iter()
            .take_while(|s| self.is_prelude(&s.inner))
            .count();
        self.place_getters(&mut f.body, vec![(at, line, params)]);
        self.hoisted.pop();
        self.depth -= 1;
        self.scope.truncate(mark);
    }
}

enum Target<S> {
    Field(Expression<S>, Expression<S>),
    Name(S),
}

/// A step of a field path (see [`AssignRewrite::update_args`]).
#[derive(PartialEq)]
enum PathKey<S> {
    /// The environment a global belongs to.
    Env,
    Local(S),
    Str(S),
    Int(i64),
}

/// `if (arith)(UPDATE, op, v, base, k1, ..., kn) then else <store> end` (or `APPEND`,
/// below): the helper does
/// `base[k1]...[kn] = base[k1]...[kn] op v` when every step is a raw read of a present
/// field and both operands are numbers (no metamethod could run, the store replaces a
/// present key), and returns true; otherwise it changes nothing and the statement runs as
/// written. One callback instead of three (`(index)`, `(arith)`, `(set)`) for counters and
/// balances. `(arith)(APPEND, v, base, k1, ..., kn)` does `t[#t + 1] = v` for the table
/// `t` at the end of the path when it has no metatable (so `#` is its border and the store
/// raw): one callback instead of two (`#t + 1`, `(set)`).
fn fast_update<S>(
    arith: S,
    args: Vec<Expression<S>>,
    store: Vec<Statement<S>>,
    line: piccolo::compiler::LineNumber,
) -> Statement<S> {
    let call = simple(SimpleExpression::Suffixed(SuffixedExpression {
        primary: PrimaryExpression::Name(arith),
        suffixes: vec![SuffixPart::Call(CallSuffix::Function(args))],
    }));
    Statement::If(IfStatement {
        if_part: (call, block_on_line(Vec::new(), line)),
        else_if_parts: Vec::new(),
        else_part: Some(block_on_line(store, line)),
    })
}

/// `function() return name end`: a closure whose only upvalue is the variable's cell.
fn getter<S>(name: S) -> SimpleExpression<S> {
    SimpleExpression::Function(FunctionDefinition {
        parameters: Vec::new(),
        has_varargs: false,
        body: Block {
            statements: Vec::new(),
            return_statement: Some(LineAnnotated::new(
                piccolo::compiler::LineNumber(0),
                ReturnStatement {
                    returns: vec![name_expr(name)],
                },
            )),
            closed_on: piccolo::compiler::LineNumber(0),
        },
    })
}

fn local_store<S>(name: S, value: Expression<S>) -> Statement<S> {
    Statement::Assignment(AssignmentStatement {
        targets: vec![AssignmentTarget::Name(name)],
        values: vec![value],
    })
}
