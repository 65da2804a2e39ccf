//! Splitting functions that piccolo's compiler cannot number.
//!
//! piccolo numbers a function's inner functions with one byte and its constants with 16 bits,
//! so a function (a chunk above all: a bundle of modules, a process with hundreds of
//! handlers, a generated data table) that contains more than 256 function literals or more
//! than 65 536 distinct constants fails to compile ("too many inner functions", "too many
//! constants"), where Lua takes far more. Two rewrites move the excess into nested
//! functions, which number theirs on their own:
//!
//! - **Bodies.** A body's statements are cut where the count passes [`FUNCTIONS_PER_PART`]
//!   or [`CONSTANTS_PER_PART`], and the rest runs as a function of its own, nested there so
//!   that it still sees every local declared before the cut:
//!
//!   `S1 ... Sk  Sk+1 ... Sn  return R`
//!   becomes `S1 ... Sk  return (function(...) Sk+1 ... Sn  return R end)(...)`,
//!
//!   which returns what the body returned (nothing, when it ended without a `return`). Only
//!   a function's own top-level statement list is cut (a `return` there ends the function),
//!   and never between a `goto` and its label (the label rewrite has given every label a
//!   name of its own, so a jump's target is known).
//!
//! - **Table constructors.** A constructor holding more than [`CONSTRUCTOR_FUNCTIONS`]
//!   function literals or [`CONSTRUCTOR_CONSTANTS`] constants is built by statements, in
//!   pieces that each run as a nested function:
//!
//!   `(function(...) local (tc) = {}  (function(...) <piece 1> end)(...) ...  return (tc) end)(...)`
//!
//!   The statements do what Lua's constructor does, in its order: every key and value is
//!   evaluated in source order; a record field `[k] = v` / `name = v` is stored when it is
//!   met (`(set)(tc, k, v)`, which raises Lua's "table index is nil/NaN"); positional items
//!   are stored in batches of 50 (`(list)(tc, n, v1, ..., v50)`, the `SETLIST` of Lua's
//!   code), each batch when the field after its 50th item begins, and the last batch at the
//!   end, where a call or `...` in the last field gives all its values. So a repeated key
//!   ends with the value Lua gives it (a positional item wins over a record field met
//!   before its batch is stored, and loses to one met after). Items of a batch interleaved
//!   with record fields wait in locals of a `do` block until the batch is stored.
//!
//!   piccolo's own constructor evaluates and stores every record field before the
//!   positional items, so in user code a constructor whose order could be seen (a
//!   positional item before a record field, with side effects: [`order_sensitive`]) is built
//!   this way too, whatever its size.

use std::collections::HashSet;

use piccolo::compiler::parser::{
    Block, CallSuffix, ConstructorField, Expression, FieldSuffix, FunctionDefinition,
    HeadExpression, LineAnnotated, LocalStatement, PrimaryExpression, RecordKey, ReturnStatement,
    SimpleExpression, Statement, SuffixPart, SuffixedExpression, UnaryOperator,
};
use piccolo::compiler::LineNumber;

use super::rewrite::{block_on_line, is_multi_valued, simple};
use super::visit::mutable::{walk_function, walk_return, walk_simple, VisitMut};
use super::visit::read_only::{self, Visit};

/// Function literals one part of a body may hold (piccolo allows 256; the margin leaves
/// room for the part's own nested rest).
const FUNCTIONS_PER_PART: usize = 200;

/// Distinct constants one part may hold, as counted by [`Count`] (piccolo allows 65 536;
/// the margin covers constants the compiler adds itself, such as a constructor's starting
/// index, and those diagnostic mode adds after this pass).
const CONSTANTS_PER_PART: usize = 60_000;

/// A constructor with more function literals than this is built in pieces.
const CONSTRUCTOR_FUNCTIONS: usize = 64;

/// A constructor with more constants than this is built in pieces.
const CONSTRUCTOR_CONSTANTS: usize = 16_384;

/// Positional items Lua's constructor stores at once (`LFIELDS_PER_FLUSH`).
const FIELDS_PER_FLUSH: usize = 50;

/// Hidden names the pass uses.
pub struct SplitNames<S> {
    /// `(set)(t, k, v)`: a store (see `assign.rs`).
    pub set: S,
    /// `(list)(t, n, ...)`: positional items (see `helpers.rs`).
    pub list: S,
    /// `(first)(...)`: its first argument.
    pub first: S,
    /// The local holding the table being built.
    pub table: S,
    /// The locals holding a batch's items; an index is appended.
    pub temp: fn(usize) -> S,
}

pub struct SplitBodies<S> {
    names: SplitNames<S>,
    /// Also build by statements every constructor whose order piccolo would change (see
    /// [`order_sensitive`]).
    exact_order: bool,
    /// Whether each enclosing function is vararg, innermost last.
    vararg: Vec<bool>,
    /// The line of the statement being visited.
    line: LineNumber,
}

impl<S: Clone + AsRef<[u8]>> SplitBodies<S> {
    pub fn new(names: SplitNames<S>, exact_order: bool) -> Self {
        SplitBodies {
            names,
            exact_order,
            vararg: Vec::new(),
            line: LineNumber(0),
        }
    }

    /// Splits the chunk's body (a vararg function) and every function body in it.
    pub fn chunk(&mut self, body: &mut Block<S>) {
        self.vararg.push(true);
        self.block(body);
        self.vararg.pop();
        split_body(body, true);
    }

    fn name(&self, n: &S) -> Expression<S> {
        simple(SimpleExpression::Suffixed(SuffixedExpression {
            primary: PrimaryExpression::Name(n.clone()),
            suffixes: Vec::new(),
        }))
    }

    fn call(&self, f: &S, args: Vec<Expression<S>>) -> Statement<S> {
        Statement::FunctionCall(piccolo::compiler::parser::FunctionCallStatement {
            head: SuffixedExpression {
                primary: PrimaryExpression::Name(f.clone()),
                suffixes: Vec::new(),
            },
            call: CallSuffix::Function(args),
        })
    }

    /// `(list)(tc, base, items...)`.
    fn store_items(&self, base: usize, items: Vec<Expression<S>>) -> Statement<S> {
        let mut args = vec![
            self.name(&self.names.table),
            simple(SimpleExpression::Integer(base as i64)),
        ];
        args.extend(items);
        self.call(&self.names.list, args)
    }

    /// `(set)(tc, k, v)`.
    fn store_record(&self, key: RecordKey<S>, value: Expression<S>) -> Statement<S> {
        let key = match key {
            RecordKey::Named(n) => simple(SimpleExpression::String(n)),
            RecordKey::Indexed(e) => e,
        };
        self.call(
            &self.names.set,
            vec![self.name(&self.names.table), key, value],
        )
    }

    /// The statements that build a constructor's table in `(tc)`, in groups that must stay
    /// in one function (a batch and its locals).
    fn groups(&self, fields: Vec<ConstructorField<S>>) -> Vec<Vec<Statement<S>>> {
        let last = fields.len().saturating_sub(1);
        let mut groups = Vec::new();
        // The fields of the batch being gathered, from its first positional item on.
        let mut batch: Vec<ConstructorField<S>> = Vec::new();
        let mut pending = 0;
        let mut stored = 0;
        for (i, field) in fields.into_iter().enumerate() {
            if pending == FIELDS_PER_FLUSH {
                groups.push(self.batch(std::mem::take(&mut batch), stored, false));
                stored += pending;
                pending = 0;
            }
            match field {
                ConstructorField::Record(k, v) if batch.is_empty() => {
                    groups.push(vec![self.store_record(k, v)]);
                }
                f @ ConstructorField::Record(..) => batch.push(f),
                f @ ConstructorField::Array(_) => {
                    batch.push(f);
                    pending += 1;
                }
            }
            if i == last && !batch.is_empty() {
                groups.push(self.batch(std::mem::take(&mut batch), stored, true));
            }
        }
        groups
    }

    /// One batch: its items (and the record fields among them) and the store of its items
    /// at `base + 1...`. In the constructor's last batch, a multi-valued last field gives
    /// all its values.
    fn batch(
        &self,
        fields: Vec<ConstructorField<S>>,
        base: usize,
        is_last: bool,
    ) -> Vec<Statement<S>> {
        let n = fields.len();
        let interleaved = fields
            .iter()
            .any(|f| matches!(f, ConstructorField::Record(..)));
        let expands = is_last
            && matches!(fields.last(), Some(ConstructorField::Array(e)) if is_multi_valued(e));
        let one_value = |e: Expression<S>| {
            if is_multi_valued(&e) {
                simple(SimpleExpression::Suffixed(SuffixedExpression {
                    primary: PrimaryExpression::Name(self.names.first.clone()),
                    suffixes: vec![SuffixPart::Call(CallSuffix::Function(vec![e]))],
                }))
            } else {
                e
            }
        };
        if !interleaved {
            let items = fields
                .into_iter()
                .enumerate()
                .filter_map(|(i, f)| match f {
                    ConstructorField::Array(e) if i + 1 == n && expands => Some(e),
                    ConstructorField::Array(e) => Some(one_value(e)),
                    ConstructorField::Record(..) => None,
                })
                .collect();
            return vec![self.store_items(base, items)];
        }
        let mut statements = Vec::new();
        let mut items = Vec::new();
        for (i, f) in fields.into_iter().enumerate() {
            match f {
                ConstructorField::Record(k, v) => statements.push(self.store_record(k, v)),
                ConstructorField::Array(e) if i + 1 == n && expands => items.push(e),
                ConstructorField::Array(e) => {
                    let local = (self.names.temp)(items.len());
                    statements.push(Statement::LocalStatement(LocalStatement {
                        names: vec![local.clone()],
                        values: vec![e],
                    }));
                    items.push(self.name(&local));
                }
            }
        }
        statements.push(self.store_items(base, items));
        vec![Statement::Do(block_on_line(statements, self.line))]
    }

    /// `(function(...) <statements> end)(...)` (without `...` outside a vararg function).
    fn nested_call(&self, body: Block<S>, vararg: bool) -> SimpleExpression<S> {
        let function = SimpleExpression::Function(FunctionDefinition {
            parameters: Vec::new(),
            has_varargs: vararg,
            body,
        });
        let args = if vararg {
            vec![simple(SimpleExpression::VarArgs)]
        } else {
            Vec::new()
        };
        SimpleExpression::Suffixed(SuffixedExpression {
            primary: PrimaryExpression::GroupedExpression(simple(function)),
            suffixes: vec![SuffixPart::Call(CallSuffix::Function(args))],
        })
    }

    /// The expression that builds the constructor `fields` in pieces.
    fn build(&self, fields: Vec<ConstructorField<S>>) -> SimpleExpression<S> {
        let vararg = self.vararg.last().copied().unwrap_or(true);
        let line = self.line;
        let block = |statements: Vec<Statement<S>>, returns: Option<Expression<S>>| Block {
            statements: statements
                .into_iter()
                .map(|s| LineAnnotated::new(line, s))
                .collect(),
            return_statement: returns
                .map(|r| LineAnnotated::new(line, ReturnStatement { returns: vec![r] })),
            closed_on: line,
        };
        // Groups packed into pieces that each stay within a function's limits.
        let mut pieces: Vec<Vec<Statement<S>>> = Vec::new();
        let mut piece: Vec<Statement<S>> = Vec::new();
        let mut count = Count::default();
        for group in self.groups(fields) {
            let mut c = Count::default();
            for s in &group {
                c.statement(s);
            }
            let added = c.constants.difference(&count.constants).count() + c.folded;
            if !piece.is_empty()
                && (count.functions + c.functions > FUNCTIONS_PER_PART
                    || count.size() + added > CONSTANTS_PER_PART)
            {
                pieces.push(std::mem::take(&mut piece));
                count = Count::default();
            }
            count.functions += c.functions;
            count.folded += c.folded;
            count.constants.extend(c.constants);
            piece.extend(group);
        }
        if !piece.is_empty() {
            pieces.push(piece);
        }
        // One piece (a small constructor built for its order) runs in the wrapper itself.
        let pieces: Vec<Statement<S>> = if pieces.len() == 1 {
            pieces.pop().unwrap_or_default()
        } else {
            pieces
                .into_iter()
                .filter_map(|piece| {
                    let SimpleExpression::Suffixed(call) =
                        self.nested_call(block(piece, None), vararg)
                    else {
                        return None;
                    };
                    let Some(SuffixPart::Call(c)) = call.suffixes.into_iter().next() else {
                        return None;
                    };
                    Some(Statement::FunctionCall(
                        piccolo::compiler::parser::FunctionCallStatement {
                            head: SuffixedExpression {
                                primary: call.primary,
                                suffixes: Vec::new(),
                            },
                            call: c,
                        },
                    ))
                })
                .collect()
        };
        let mut statements = vec![Statement::LocalStatement(LocalStatement {
            names: vec![self.names.table.clone()],
            values: vec![simple(SimpleExpression::TableConstructor(
                piccolo::compiler::parser::TableConstructor { fields: Vec::new() },
            ))],
        })];
        statements.extend(pieces);
        let mut body = block(statements, Some(self.name(&self.names.table)));
        // Very many pieces are function literals too many for one function.
        split_body(&mut body, vararg);
        self.nested_call(body, vararg)
    }
}

impl<S: Clone + AsRef<[u8]>> VisitMut<S> for SplitBodies<S> {
    fn block(&mut self, b: &mut Block<S>) {
        for s in &mut b.statements {
            self.line = s.line_number;
            self.statement(&mut s.inner);
        }
        if let Some(r) = &mut b.return_statement {
            self.line = r.line_number;
            walk_return(self, &mut r.inner);
        }
    }

    fn function(&mut self, f: &mut FunctionDefinition<S>) {
        let line = self.line;
        self.vararg.push(f.has_varargs);
        walk_function(self, f);
        self.vararg.pop();
        self.line = line;
        split_body(&mut f.body, f.has_varargs);
    }

    fn simple(&mut self, e: &mut SimpleExpression<S>) {
        let line = self.line;
        walk_simple(self, e);
        self.line = line;
        let SimpleExpression::TableConstructor(t) = e else {
            return;
        };
        let too_big = || {
            let mut quick = Count::quick();
            quick.simple_fields(&t.fields);
            if quick.functions > CONSTRUCTOR_FUNCTIONS {
                return true;
            }
            if quick.size() <= CONSTRUCTOR_CONSTANTS {
                return false;
            }
            let mut count = Count::default();
            count.simple_fields(&t.fields);
            count.size() > CONSTRUCTOR_CONSTANTS
        };
        if too_big() || (self.exact_order && order_sensitive(&t.fields)) {
            let fields = std::mem::take(&mut t.fields);
            *e = self.build(fields);
        }
    }
}

/// Whether piccolo's order for this constructor (every record field, then the positional
/// items) could be seen: a positional item before a record field, one of them with side
/// effects and the other not a constant (a side effect could change what it reads).
/// `{f(), g()}`, `{x = f(), y = g()}`, `{"a", n = select("#", ...)}`, `{..., n = 2}` keep
/// piccolo's constructor; `{f(), x = g()}` and `{v, x = g()}` do not.
fn order_sensitive<S>(fields: &[ConstructorField<S>]) -> bool {
    let (mut variable, mut effects) = (false, false);
    let mut positional = 0;
    for f in fields {
        match f {
            ConstructorField::Array(e) => {
                variable |= !is_fixed(e);
                effects |= has_effects(e);
                positional += 1;
            }
            // Past a batch of 50 items, Lua has stored them: a record field met then may
            // replace one (`{1, ..., 60, [1] = "r"}` keeps "r"); piccolo stores it first.
            ConstructorField::Record(RecordKey::Indexed(k), _)
                if positional >= FIELDS_PER_FLUSH
                    && !matches!(
                        &*k.head,
                        HeadExpression::Simple(SimpleExpression::String(_))
                    ) =>
            {
                return true;
            }
            ConstructorField::Record(k, v) => {
                let key = match k {
                    RecordKey::Named(_) => None,
                    RecordKey::Indexed(k) => Some(k),
                };
                let record_variable = !is_fixed(v) || key.is_some_and(|k| !is_fixed(k));
                let record_effects = has_effects(v) || key.is_some_and(has_effects);
                if (variable && record_effects) || (effects && record_variable) {
                    return true;
                }
            }
        }
    }
    false
}

/// A value no side effect can change: a literal, `...`, a function literal, or a table
/// constructor of such values.
fn is_fixed<S>(e: &Expression<S>) -> bool {
    e.tail.is_empty()
        && match &*e.head {
            HeadExpression::Simple(s) => match s {
                SimpleExpression::TableConstructor(t) => t.fields.iter().all(|f| match f {
                    ConstructorField::Array(e) => is_fixed(e),
                    ConstructorField::Record(RecordKey::Named(_), e) => is_fixed(e),
                    ConstructorField::Record(RecordKey::Indexed(k), e) => {
                        is_fixed(k) && is_fixed(e)
                    }
                }),
                SimpleExpression::Suffixed(_) => false,
                _ => true,
            },
            HeadExpression::UnaryOperator(UnaryOperator::Minus, e) => {
                matches!(
                    &*e.head,
                    HeadExpression::Simple(
                        SimpleExpression::Integer(_) | SimpleExpression::Float(_)
                    )
                ) && e.tail.is_empty()
            }
            HeadExpression::UnaryOperator(..) => false,
        }
}

/// Whether evaluating `e` may run code: anything but a fixed value or a plain name.
fn has_effects<S>(e: &Expression<S>) -> bool {
    if is_fixed(e) {
        return false;
    }
    !(e.tail.is_empty()
        && matches!(&*e.head, HeadExpression::Simple(SimpleExpression::Suffixed(s))
            if s.suffixes.is_empty() && matches!(s.primary, PrimaryExpression::Name(_))))
}

fn split_body<S: Clone + AsRef<[u8]>>(body: &mut Block<S>, vararg: bool) {
    let mut quick = Count::quick();
    quick.block(body);
    if quick.functions <= FUNCTIONS_PER_PART && quick.size() <= CONSTANTS_PER_PART {
        return;
    }
    let mut total = Count::default();
    total.block(body);
    if total.functions <= FUNCTIONS_PER_PART && total.size() <= CONSTANTS_PER_PART {
        return;
    }
    // Where the count passes a limit: the statements from there on are the rest.
    let mut count = Count::default();
    let mut cut = None;
    for (i, s) in body.statements.iter().enumerate() {
        count.statement(&s.inner);
        if count.functions > FUNCTIONS_PER_PART || count.size() > CONSTANTS_PER_PART {
            cut = Some(i);
            break;
        }
    }
    // The return alone passes it: the rest is just the return.
    let mut cut = cut.unwrap_or(body.statements.len());
    if total.jumps {
        let spans = jump_spans(&body.statements);
        while cut > 0 && spans.iter().any(|&(from, to)| from < cut && cut <= to) {
            cut -= 1;
        }
    }
    // One statement with too much in it cannot be cut.
    if cut == 0 {
        return;
    }
    let rest_statements = body.statements.split_off(cut);
    let line = rest_statements
        .first()
        .map(|s| s.line_number)
        .or(body.return_statement.as_ref().map(|r| r.line_number))
        .unwrap_or(body.closed_on);
    let mut rest = Block {
        statements: rest_statements,
        return_statement: body.return_statement.take(),
        closed_on: body.closed_on,
    };
    split_body(&mut rest, vararg);
    let function = SimpleExpression::Function(FunctionDefinition {
        parameters: Vec::new(),
        has_varargs: vararg,
        body: rest,
    });
    let args = if vararg {
        vec![simple(SimpleExpression::VarArgs)]
    } else {
        Vec::new()
    };
    let call = SimpleExpression::Suffixed(SuffixedExpression {
        primary: PrimaryExpression::GroupedExpression(simple(function)),
        suffixes: vec![SuffixPart::Call(CallSuffix::Function(args))],
    });
    body.return_statement = Some(LineAnnotated::new(
        line,
        ReturnStatement {
            returns: vec![simple(call)],
        },
    ));
}

/// For each `goto` among `statements` (at any depth, outside nested functions) whose label
/// is one of `statements` itself, the indices of the two statements, lower first: a cut
/// before a statement in `(from, to]` would separate them.
fn jump_spans<S: AsRef<[u8]>>(statements: &[LineAnnotated<Statement<S>>]) -> Vec<(usize, usize)> {
    let labels: Vec<(usize, &[u8])> = statements
        .iter()
        .enumerate()
        .filter_map(|(i, s)| match &s.inner {
            Statement::Label(l) => Some((i, l.name.as_ref())),
            _ => None,
        })
        .collect();
    let mut spans = Vec::new();
    for (i, s) in statements.iter().enumerate() {
        let mut c = Count::default();
        c.statement(&s.inner);
        for g in &c.gotos {
            if let Some(&(at, _)) = labels.iter().find(|(_, name)| name == &g.as_slice()) {
                spans.push((i.min(at), i.max(at)));
            }
        }
    }
    spans
}

/// A constant as piccolo's compiler tells them apart.
#[derive(PartialEq, Eq, Hash)]
enum Constant {
    String(Vec<u8>),
    Integer(i64),
    Float(u64),
    /// A numeral under unary minus (folded into one constant).
    NegatedInteger(i64),
    NegatedFloat(u64),
}

/// What a body (or a statement, a constructor) puts in its own function, not counting what
/// is inside the function literals it defines: function literals, constants, jumps.
#[derive(Default)]
struct Count {
    functions: usize,
    /// Distinct literals and names (a name may be a global, whose name is a constant).
    constants: HashSet<Constant>,
    /// Operator applications, each of which piccolo may fold into a constant of its own.
    folded: usize,
    jumps: bool,
    /// The targets of the `goto`s met.
    gotos: Vec<Vec<u8>>,
    /// Count occurrences only (an upper bound of the distinct constants, without hashing):
    /// the quick first look that almost every function passes.
    quick: bool,
    occurrences: usize,
}

impl Count {
    fn quick() -> Count {
        Count {
            quick: true,
            ..Count::default()
        }
    }

    fn size(&self) -> usize {
        if self.quick {
            self.occurrences + self.folded
        } else {
            self.constants.len() + self.folded
        }
    }

    fn add(&mut self, c: impl FnOnce() -> Constant) {
        if self.quick {
            self.occurrences += 1;
        } else {
            self.constants.insert(c());
        }
    }

    fn string(&mut self, s: &impl AsRef<[u8]>) {
        self.add(|| Constant::String(s.as_ref().to_vec()));
    }

    fn simple_fields<S: AsRef<[u8]>>(&mut self, fields: &[ConstructorField<S>]) {
        for f in fields {
            match f {
                ConstructorField::Array(e) => self.expression(e),
                ConstructorField::Record(k, e) => {
                    self.record_key(k);
                    self.expression(e);
                }
            }
        }
    }
}

impl<S: AsRef<[u8]>> Visit<S> for Count {
    fn statement(&mut self, s: &Statement<S>) {
        match s {
            Statement::Goto(g) => {
                self.jumps = true;
                self.gotos.push(g.name.as_ref().to_vec());
            }
            Statement::Label(_) => self.jumps = true,
            Statement::Function(f) => {
                self.string(&f.name);
                for field in &f.fields {
                    self.string(field);
                }
                if let Some(m) = &f.method {
                    self.string(m);
                }
            }
            Statement::Assignment(a) => {
                for t in &a.targets {
                    if let piccolo::compiler::parser::AssignmentTarget::Name(n) = t {
                        self.string(n);
                    }
                }
            }
            _ => {}
        }
        read_only::walk_statement(self, s);
    }

    fn function(&mut self, _: &FunctionDefinition<S>) {
        self.functions += 1;
    }

    fn expression(&mut self, e: &Expression<S>) {
        self.folded += e.tail.len();
        read_only::walk_expression(self, e);
    }

    fn head(&mut self, h: &HeadExpression<S>) {
        if let HeadExpression::UnaryOperator(op, e) = h {
            let numeral = match (&*e.head, e.tail.is_empty()) {
                (HeadExpression::Simple(SimpleExpression::Integer(i)), true) => {
                    Some(Constant::NegatedInteger(*i))
                }
                (HeadExpression::Simple(SimpleExpression::Float(f)), true) => {
                    Some(Constant::NegatedFloat(f.to_bits()))
                }
                _ => None,
            };
            match numeral {
                Some(c) if *op == UnaryOperator::Minus => self.add(|| c),
                _ => self.folded += 1,
            }
        }
        read_only::walk_head(self, h);
    }

    fn simple(&mut self, s: &SimpleExpression<S>) {
        match s {
            SimpleExpression::String(v) => self.string(v),
            SimpleExpression::Integer(i) => self.add(|| Constant::Integer(*i)),
            SimpleExpression::Float(f) => self.add(|| Constant::Float(f.to_bits())),
            _ => {}
        }
        read_only::walk_simple(self, s);
    }

    fn record_key(&mut self, k: &RecordKey<S>) {
        if let RecordKey::Named(n) = k {
            self.string(n);
        }
        read_only::walk_record_key(self, k);
    }

    fn suffixed(&mut self, s: &SuffixedExpression<S>) {
        if let PrimaryExpression::Name(n) = &s.primary {
            self.string(n);
        }
        read_only::walk_suffixed(self, s);
    }

    fn field(&mut self, f: &FieldSuffix<S>) {
        if let FieldSuffix::Named(n) = f {
            self.string(n);
        }
        read_only::walk_field(self, f);
    }

    fn call(&mut self, c: &CallSuffix<S>) {
        if let CallSuffix::Method(m, _) = c {
            self.string(m);
        }
        read_only::walk_call(self, c);
    }
}
