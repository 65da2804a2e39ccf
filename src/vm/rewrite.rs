//! The AST rewrites of our compile pipeline, applied between piccolo's parser and compiler.
//!
//! - Operator precedence: piccolo's parser gives `~=` the priority of `+` (Lua gives it the
//!   priority of `==`), so `a ~= b + 1` would compile as `(a ~= b) + 1`. Chains containing
//!   `~=` are flattened back into their operand/operator sequence and regrouped with Lua
//!   5.3's priorities.
//! - Method calls: `recv:name(args)` becomes `(method)(recv, "name", args)`, so strings find
//!   their methods in the `string` table (piccolo has no string metatable).
//! - Concatenation: a chain `a .. b .. c` becomes `(concat)(a, b, c)`, which formats numbers
//!   as Lua 5.3 does (piccolo writes `2.0` as `2`), rejects nil and booleans, and honours
//!   `__concat`. Chains of string literals only are left to piccolo.
//!
//! `(method)` and `(concat)` are locals of the invisible wrapper function around the chunk
//! (see `compile::wrap_chunk`); their names cannot be written in Lua source.

use piccolo::compiler::parser::{
    BinaryOperator, Block, CallSuffix, ConstructorField, Expression, FieldSuffix, HeadExpression,
    LineAnnotated, LocalStatement, PrimaryExpression, RecordKey, SimpleExpression, Statement,
    SuffixPart, SuffixedExpression, UnaryOperator,
};

use super::visit::mutable::{
    walk_block, walk_record_key, walk_simple, walk_statement, walk_suffixed, VisitMut,
};

/// Names of the hidden helper locals.
pub struct Rewrite<S> {
    pub method: S,
    pub concat: S,
    /// A local that holds a returned concatenation (see `block`).
    pub result: S,
    /// The identity helper that keeps library calls out of tail position (see `block`).
    pub pass: S,
    /// The helper that keeps only the first value: `(f())` (see `suffixed`).
    pub first: S,
    /// The helper that gives a constructor's computed key its identity (see `record_key`).
    pub key: S,
    /// Interned names of the standard library (see `is_library_call`).
    pub library: Vec<S>,
    pub base_functions: Vec<S>,
    pub string_methods: Vec<S>,
    /// Names of locals that hold a library function (see [`library_aliases`]).
    pub aliases: Vec<S>,
}

/// The names of locals declared with a library function as their value anywhere in `block`
/// (`local fmt, insert = string.format, table.insert`, `local setmt = setmetatable`): calls
/// through them are kept out of tail position as calls of the library function are. By
/// name, as for the library itself: another local of the same name elsewhere in the chunk
/// only loses its proper tail calls.
#[inline(never)] // a compile job of its own in V8 (see `compile::compile_here`)
pub fn library_aliases<S: Clone + PartialEq>(
    block: &Block<S>,
    library: &[S],
    base: &[S],
) -> Vec<S> {
    struct Aliases<'a, S> {
        library: &'a [S],
        base: &'a [S],
        found: Vec<S>,
    }
    impl<S: Clone + PartialEq> super::visit::read_only::Visit<S> for Aliases<'_, S> {
        fn statement(&mut self, st: &Statement<S>) {
            if let Statement::LocalStatement(l) = st {
                for (name, value) in l.names.iter().zip(&l.values) {
                    if self.is_library_function(value) && !self.found.contains(name) {
                        self.found.push(name.clone());
                    }
                }
            }
            super::visit::read_only::walk_statement(self, st)
        }
    }
    impl<S: PartialEq> Aliases<'_, S> {
        fn is_library_function(&self, e: &Expression<S>) -> bool {
            let Some((n, suffixes)) = name_and_suffixes(e) else {
                return false;
            };
            match suffixes {
                [] => self.base.contains(n),
                [SuffixPart::Field(FieldSuffix::Named(_))] => self.library.contains(n),
                _ => false,
            }
        }
    }
    let mut v = Aliases {
        library,
        base,
        found: Vec::new(),
    };
    super::visit::read_only::Visit::block(&mut v, block);
    v.found
}

/// Method names of the string library: `return s:rep(n)` is kept out of tail position too
/// (a user method of the same name just loses proper tail calls).
pub const STRING_METHODS: [&str; 17] = [
    "byte", "char", "dump", "find", "format", "gmatch", "gsub", "len", "lower", "match", "pack",
    "packsize", "rep", "reverse", "sub", "unpack", "upper",
];

/// Standard library tables whose functions are kept out of tail position.
pub const LIBRARY_TABLES: [&str; 9] = [
    "math",
    "bit32",
    "string",
    "table",
    "os",
    "utf8",
    "coroutine",
    "debug",
    "package",
];

/// Base functions kept out of tail position.
pub const BASE_FUNCTIONS: [&str; 17] = [
    "error",
    "assert",
    "tostring",
    "tonumber",
    "type",
    "select",
    "rawget",
    "rawset",
    "rawlen",
    "rawequal",
    "setmetatable",
    "getmetatable",
    "next",
    "pairs",
    "ipairs",
    "require",
    "load",
];

/// `return e` as `local (result) = e; return (result)` when `e` is a helper call that
/// `is_helper` picks: a tail call would drop the calling frame, which the helper's errors
/// take their position from (the helper returns one value, so nothing is lost).
pub fn return_through_local<S: Clone>(
    b: &mut Block<S>,
    result: &S,
    is_helper: impl Fn(&Expression<S>) -> bool,
) {
    let Some(r) = &mut b.return_statement else {
        return;
    };
    let [only] = r.inner.returns.as_mut_slice() else {
        return;
    };
    if !is_helper(only) {
        return;
    }
    let value = std::mem::replace(only, simple(SimpleExpression::Nil));
    *only = simple(SimpleExpression::Suffixed(SuffixedExpression {
        primary: PrimaryExpression::Name(result.clone()),
        suffixes: Vec::new(),
    }));
    b.statements.push(LineAnnotated::new(
        r.line_number,
        Statement::LocalStatement(LocalStatement {
            names: vec![result.clone()],
            values: vec![value],
        }),
    ));
}

/// The name `e` is, when it is a plain name (`x`, not `(x)` or `x.k`).
pub fn single_name<S>(e: &Expression<S>) -> Option<&S> {
    match &*e.head {
        HeadExpression::Simple(SimpleExpression::Suffixed(s))
            if e.tail.is_empty() && s.suffixes.is_empty() =>
        {
            match &s.primary {
                PrimaryExpression::Name(n) => Some(n),
                PrimaryExpression::GroupedExpression(_) => None,
            }
        }
        _ => None,
    }
}

/// The measured operand `x` of a key written `#x + 1` (an append's key), if `key` is one.
pub fn length_plus_one<S>(key: &Expression<S>) -> Option<&Expression<S>> {
    let [(BinaryOperator::Add, one)] = key.tail.as_slice() else {
        return None;
    };
    if !one.tail.is_empty()
        || !matches!(
            &*one.head,
            HeadExpression::Simple(SimpleExpression::Integer(1))
        )
    {
        return None;
    }
    match &*key.head {
        HeadExpression::UnaryOperator(UnaryOperator::Len, measured) => Some(measured),
        _ => None,
    }
}

pub fn simple<S>(e: SimpleExpression<S>) -> Expression<S> {
    Expression {
        head: Box::new(HeadExpression::Simple(e)),
        tail: Vec::new(),
    }
}

/// A block of `statements` all on `line` (statements the pipeline makes for one of the
/// source's), without a `return`.
pub fn block_on_line<S>(
    statements: Vec<Statement<S>>,
    line: piccolo::compiler::LineNumber,
) -> Block<S> {
    Block {
        statements: statements
            .into_iter()
            .map(|s| LineAnnotated::new(line, s))
            .collect(),
        return_statement: None,
        closed_on: line,
    }
}

/// `name` followed by `suffixes`, when `e` is such a single expression (no operator).
fn name_and_suffixes<S>(e: &Expression<S>) -> Option<(&S, &[SuffixPart<S>])> {
    if !e.tail.is_empty() {
        return None;
    }
    let HeadExpression::Simple(SimpleExpression::Suffixed(s)) = &*e.head else {
        return None;
    };
    match &s.primary {
        PrimaryExpression::Name(n) => Some((n, &s.suffixes)),
        _ => None,
    }
}

/// Lua 5.3's (left, right) binding priorities; higher binds tighter.
fn priority(op: BinaryOperator) -> (u8, u8) {
    use BinaryOperator::*;
    match op {
        Or => (1, 1),
        And => (2, 2),
        Equal | NotEqual | LessThan | LessEqual | GreaterThan | GreaterEqual => (3, 3),
        BitOr => (4, 4),
        BitXor => (5, 5),
        BitAnd => (6, 6),
        ShiftLeft | ShiftRight => (7, 7),
        Concat => (9, 8),
        Add | Sub => (10, 10),
        Mul | Div | IDiv | Mod => (11, 11),
        Pow => (14, 13),
    }
}

/// Whether the binary-operator chain of `e` (its tail and the tails of its right operands,
/// which the parser nested by priority) contains `~=`.
fn chain_has_not_equal<S>(e: &Expression<S>) -> bool {
    e.tail
        .iter()
        .any(|(op, r)| *op == BinaryOperator::NotEqual || chain_has_not_equal(r))
}

/// Splits a chain into its operands (heads: simple or unary expressions) and operators, in
/// source order. Right operands are never parenthesised in the AST (parentheses are a
/// `GroupedExpression` primary), so this recovers the token sequence exactly.
fn flatten<S>(
    e: Expression<S>,
    operands: &mut Vec<HeadExpression<S>>,
    ops: &mut Vec<BinaryOperator>,
) {
    operands.push(*e.head);
    for (op, right) in e.tail {
        ops.push(op);
        flatten(right, operands, ops);
    }
}

/// Precedence climbing over the flat sequence, producing the same shape piccolo's parser
/// produces (a left fold in `tail`, tighter operators nested in right operands).
fn climb<S>(
    operands: &mut std::iter::Peekable<std::vec::IntoIter<HeadExpression<S>>>,
    ops: &mut std::iter::Peekable<std::vec::IntoIter<BinaryOperator>>,
    limit: u8,
) -> Option<Expression<S>> {
    let head = operands.next()?;
    let mut tail = Vec::new();
    while let Some(&op) = ops.peek() {
        let (left, right) = priority(op);
        if left <= limit {
            break;
        }
        ops.next();
        tail.push((op, climb(operands, ops, right)?));
    }
    Some(Expression {
        head: Box::new(head),
        tail,
    })
}

fn regroup<S>(e: &mut Expression<S>) {
    let taken = std::mem::replace(e, simple(SimpleExpression::Nil));
    let (mut operands, mut ops) = (Vec::new(), Vec::new());
    flatten(taken, &mut operands, &mut ops);
    let mut operands = operands.into_iter().peekable();
    let mut ops = ops.into_iter().peekable();
    if let Some(regrouped) = climb(&mut operands, &mut ops, 0) {
        *e = regrouped;
    }
}

fn is_string_literal<S>(e: &Expression<S>) -> bool {
    e.tail.is_empty()
        && matches!(
            &*e.head,
            HeadExpression::Simple(SimpleExpression::String(_))
        )
}

/// Whether `e` is a call or `...`, which produce any number of values.
pub fn is_multi_valued<S>(e: &Expression<S>) -> bool {
    e.tail.is_empty()
        && match &*e.head {
            HeadExpression::Simple(SimpleExpression::VarArgs) => true,
            HeadExpression::Simple(SimpleExpression::Suffixed(s)) => {
                matches!(s.suffixes.last(), Some(SuffixPart::Call(_)))
            }
            _ => false,
        }
}

/// Collects the operands of the right side of a `..`: `b .. c .. d` is nested as
/// `b .. (c .. d)` with any tighter operators kept inside each operand.
fn concat_operands<S>(mut right: Expression<S>, out: &mut Vec<Expression<S>>) {
    let last_is_concat = matches!(right.tail.last(), Some((BinaryOperator::Concat, _)));
    if last_is_concat {
        if let Some((_, rest)) = right.tail.pop() {
            out.push(right);
            concat_operands(rest, out);
            return;
        }
    }
    out.push(right);
}

/// Rebuilds `a .. (b .. (c))` from operands (used to leave literal-only chains alone).
fn concat_chain<S>(mut operands: Vec<Expression<S>>) -> Option<Expression<S>> {
    let mut acc = operands.pop()?;
    while let Some(mut left) = operands.pop() {
        left.tail.push((BinaryOperator::Concat, acc));
        acc = left;
    }
    Some(acc)
}

impl<S: Clone + PartialEq> Rewrite<S> {
    pub fn chunk(&mut self, block: &mut Block<S>) {
        self.block(block);
    }

    /// `lib.name(...)` or a base function call `name(...)`, by name (a local shadowing
    /// `math` or `error` is treated the same; the rewrite only changes frame handling).
    fn is_library_call(&self, e: &Expression<S>) -> bool {
        let Some((n, suffixes)) = name_and_suffixes(e) else {
            return false;
        };
        match suffixes {
            // A rewritten method call: `(method)(recv, "name", ...)`.
            [SuffixPart::Call(CallSuffix::Function(args))] if *n == self.method => {
                matches!(args.get(1).map(|a| &*a.head),
                    Some(HeadExpression::Simple(SimpleExpression::String(m)))
                        if self.string_methods.contains(m))
            }
            [SuffixPart::Call(CallSuffix::Function(_))] => {
                self.base_functions.contains(n) || self.aliases.contains(n)
            }
            [SuffixPart::Field(FieldSuffix::Named(_)), SuffixPart::Call(CallSuffix::Function(_))] => {
                self.library.contains(n)
            }
            _ => false,
        }
    }

    fn is_concat_call(&self, e: &Expression<S>) -> bool {
        e.tail.is_empty()
            && matches!(&*e.head, HeadExpression::Simple(SimpleExpression::Suffixed(s))
                if matches!(&s.primary, PrimaryExpression::Name(n) if *n == self.concat)
                    && s.suffixes.len() == 1)
    }

    /// A chain whose grouping is already right.
    fn chain(&mut self, e: &mut Expression<S>) {
        let Some(i) = e
            .tail
            .iter()
            .position(|(op, _)| *op == BinaryOperator::Concat)
        else {
            self.head(&mut e.head);
            for (_, r) in &mut e.tail {
                self.chain(r);
            }
            return;
        };
        // `e` = head pre.. `..` right post..: the operators before the `..` bind tighter
        // (they were not swallowed by its left side), those after bind looser.
        let post = e.tail.split_off(i + 1);
        let Some((_, right)) = e.tail.pop() else {
            return;
        };
        let left = std::mem::replace(e, simple(SimpleExpression::Nil));
        let mut operands = vec![left];
        concat_operands(right, &mut operands);
        if operands.iter().all(is_string_literal) {
            if let Some(chain) = concat_chain(operands) {
                *e = chain;
            }
        } else {
            for o in &mut operands {
                self.chain(o);
            }
            // The operand count goes first: a call as the last operand passes all its
            // results (piccolo does not truncate `(f())` to one value), and the helper uses
            // exactly `count` operands, padding with nil.
            let mut args = Vec::with_capacity(operands.len() + 1);
            args.push(simple(SimpleExpression::Integer(operands.len() as i64)));
            args.extend(operands);
            *e = simple(SimpleExpression::Suffixed(SuffixedExpression {
                primary: PrimaryExpression::Name(self.concat.clone()),
                suffixes: vec![SuffixPart::Call(CallSuffix::Function(args))],
            }));
        }
        e.tail.extend(post);
        for (_, r) in &mut e.tail {
            self.chain(r);
        }
    }

    fn method_args(
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

impl<S: Clone + PartialEq> VisitMut<S> for Rewrite<S> {
    fn simple(&mut self, e: &mut SimpleExpression<S>) {
        walk_simple(self, e);
        // piccolo expands a multi-valued last positional item even when record fields follow
        // it (`{f(), x = 1}` keeps all of f's values); Lua expands only the last field.
        if let SimpleExpression::TableConstructor(t) = e {
            let last = t
                .fields
                .iter()
                .rposition(|f| matches!(f, ConstructorField::Array(_)));
            if let Some(i) = last.filter(|&i| i + 1 < t.fields.len()) {
                if let ConstructorField::Array(item) = &mut t.fields[i] {
                    if is_multi_valued(item) {
                        let inner = std::mem::replace(item, simple(SimpleExpression::Nil));
                        *item = simple(SimpleExpression::Suffixed(SuffixedExpression {
                            primary: PrimaryExpression::Name(self.first.clone()),
                            suffixes: vec![SuffixPart::Call(CallSuffix::Function(vec![inner]))],
                        }));
                    }
                }
            }
        }
    }

    fn block(&mut self, b: &mut Block<S>) {
        walk_block(self, b);
        if let Some(r) = &mut b.return_statement {
            // piccolo runs `return f(x)` as a tail call, which drops the caller's frame: a
            // library function called that way can no longer tell the position of its
            // caller (for error messages and `debug.getinfo(1)`). Library calls become
            // `return (pass)(f(x))`, a normal call whose results the identity helper passes on.
            if let [only] = r.inner.returns.as_mut_slice() {
                if self.is_library_call(only) {
                    let call = std::mem::replace(only, simple(SimpleExpression::Nil));
                    *only = simple(SimpleExpression::Suffixed(SuffixedExpression {
                        primary: PrimaryExpression::Name(self.pass.clone()),
                        suffixes: vec![SuffixPart::Call(CallSuffix::Function(vec![call]))],
                    }));
                }
            }
        }
        // `return a .. b` must not become a tail call of the helper either.
        return_through_local(b, &self.result, |e| self.is_concat_call(e));
    }

    fn statement(&mut self, s: &mut Statement<S>) {
        walk_statement(self, s);
        if let Statement::FunctionCall(c) = s {
            if let CallSuffix::Method(name, args) = &mut c.call {
                let receiver = std::mem::replace(
                    &mut c.head,
                    SuffixedExpression {
                        primary: PrimaryExpression::Name(self.method.clone()),
                        suffixes: Vec::new(),
                    },
                );
                let args = self.method_args(receiver, name.clone(), std::mem::take(args));
                c.call = CallSuffix::Function(args);
            }
        }
    }

    /// A full expression (the start of an operator chain).
    fn expression(&mut self, e: &mut Expression<S>) {
        if chain_has_not_equal(e) {
            regroup(e);
        }
        self.chain(e);
    }

    fn record_key(&mut self, k: &mut RecordKey<S>) {
        walk_record_key(self, k);
        // A computed key may be a table or function: it gets its identity (which orders
        // it in `pairs`) now, in source order, as an assigned key does when stored.
        // A `nil` key goes through it too: its store fails, and the helper places the error.
        if let RecordKey::Indexed(k) = k {
            let nil = matches!(&*k.head, HeadExpression::Simple(SimpleExpression::Nil));
            if !is_constant(k) || nil {
                let inner = std::mem::replace(k, simple(SimpleExpression::Nil));
                *k = simple(SimpleExpression::Suffixed(SuffixedExpression {
                    primary: PrimaryExpression::Name(self.key.clone()),
                    suffixes: vec![SuffixPart::Call(CallSuffix::Function(vec![inner]))],
                }));
            }
        }
    }

    fn suffixed(&mut self, s: &mut SuffixedExpression<S>) {
        walk_suffixed(self, s);
        // piccolo compiles `(f())` and `(...)` as the bare multi-valued expression; Lua
        // truncates them to one value. `((first)(f()))` does.
        if let PrimaryExpression::GroupedExpression(e) = &mut s.primary {
            if s.suffixes.is_empty() && is_multi_valued(e) {
                let inner = std::mem::replace(e, simple(SimpleExpression::Nil));
                *e = simple(SimpleExpression::Suffixed(SuffixedExpression {
                    primary: PrimaryExpression::Name(self.first.clone()),
                    suffixes: vec![SuffixPart::Call(CallSuffix::Function(vec![inner]))],
                }));
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
                break;
            };
            let receiver = SuffixedExpression {
                primary: std::mem::replace(
                    &mut s.primary,
                    PrimaryExpression::Name(self.method.clone()),
                ),
                suffixes: std::mem::take(&mut s.suffixes),
            };
            let args = self.method_args(receiver, name, args);
            s.suffixes
                .push(SuffixPart::Call(CallSuffix::Function(args)));
            s.suffixes.extend(rest);
        }
    }
}

/// Whether `e` is a literal (string, number, boolean or nil): it can never be a
/// reference-typed table key.
fn is_constant<S>(e: &Expression<S>) -> bool {
    e.tail.is_empty()
        && matches!(
            &*e.head,
            HeadExpression::Simple(
                SimpleExpression::String(_)
                    | SimpleExpression::Integer(_)
                    | SimpleExpression::Float(_)
                    | SimpleExpression::True
                    | SimpleExpression::False
                    | SimpleExpression::Nil
            )
        )
}
