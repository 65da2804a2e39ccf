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
    AssignmentStatement, AssignmentTarget, BinaryOperator, Block, CallSuffix, Expression,
    ForStatement, FunctionDefinition, HeadExpression, LineAnnotated, LocalStatement,
    PrimaryExpression, ReturnStatement, SimpleExpression, Statement, SuffixPart,
    SuffixedExpression, UnaryOperator,
};
use piccolo::compiler::LineNumber;

use super::kinds::{self, LocalKinds, NameId};
use super::rewrite::{return_through_local, simple, single_name};
use super::visit::mutable::{
    walk_expression, walk_function, walk_head, walk_return, walk_statement, VisitMut,
};
use super::visit::read_only::{walk_simple as walk_simple_ref, Visit};

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
    /// `(arith)(FORPREP, initial, limit, step)`: the control values of a numeric `for`,
    /// checked and converted as Lua 5.3's `OP_FORPREP` does.
    pub const FORPREP: i64 = 18;
    /// `(arith)(LEN, v[, names])`: `#v` as Lua does it (`__len` called with `v, v`), with
    /// its error's position and variable name (added by `index.rs`).
    pub const LEN: i64 = 19;
    /// `(arith)(EQ, a, b)`, `(arith)(NE, a, b)`: `==` and `~=` where piccolo's instruction
    /// could compare an integer with a float inexactly (see `ArithRewrite::eq_vm_safe`).
    pub const EQ: i64 = 20;
    pub const NE: i64 = 21;
    /// `(arith)(UPDATE, op, v, base, k1, ..., kn)`: `base[k1]...[kn] op= v` when raw reads
    /// and numbers suffice, returning whether it did (see `assign.rs`, `fast_update`).
    pub const UPDATE: i64 = 22;
    /// `(arith)(APPEND, v, base, k1, ..., kn)`: `t[#t + 1] = v` for a table without a
    /// metatable at the end of the path, returning whether it did.
    pub const APPEND: i64 = 23;
}

/// What is statically known about an expression's value: a number of a known subtype, or
/// a number of either subtype.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Kind {
    Int,
    /// A length (`#x`), or computed from one with integers: an integer unless a `__len`
    /// metamethod returned something else. Trusted as an integer for arithmetic and
    /// ordering (a wrong guess gives piccolo's result or error there), but not for
    /// bitwise instructions, where piccolo panics on some strings.
    Length,
    Float,
    Number,
}

impl Kind {
    pub(super) fn join(self, other: Kind) -> Kind {
        match (self, other) {
            (a, b) if a == b => a,
            (Kind::Int | Kind::Length, Kind::Int | Kind::Length) => Kind::Length,
            _ => Kind::Number,
        }
    }

    pub(super) fn integer_like(self) -> bool {
        matches!(self, Kind::Int | Kind::Length)
    }
}

/// The subtype of `a <code> b` for numbers of kinds `a` and `b` (Lua 5.3's rules: `/` and
/// `^` give floats, bitwise operators integers, the rest integers only for two integers).
pub(super) fn result_kind(code: i64, a: Kind, b: Kind) -> Kind {
    match code {
        op::DIV | op::POW => Kind::Float,
        op::BAND | op::BOR | op::BXOR | op::SHL | op::SHR | op::BNOT => Kind::Int,
        _ => match (a, b) {
            (Kind::Int, Kind::Int) => Kind::Int,
            (a, b) if a.integer_like() && b.integer_like() => Kind::Length,
            (Kind::Float, _) | (_, Kind::Float) => Kind::Float,
            _ => Kind::Number,
        },
    }
}

/// The value of a numeric literal, possibly negated.
fn literal_value<S>(e: &Expression<S>) -> Option<f64> {
    if !e.tail.is_empty() {
        return None;
    }
    match &*e.head {
        HeadExpression::Simple(SimpleExpression::Integer(i)) => Some(*i as f64),
        HeadExpression::Simple(SimpleExpression::Float(f)) => Some(*f),
        HeadExpression::UnaryOperator(UnaryOperator::Minus, e) => literal_value(e).map(|v| -v),
        _ => None,
    }
}

/// The value of an integer literal (not negated).
fn integer_literal<S>(e: &Expression<S>) -> Option<i64> {
    match (&*e.head, e.tail.is_empty()) {
        (HeadExpression::Simple(SimpleExpression::Integer(i)), true) => Some(*i),
        _ => None,
    }
}

/// Whether evaluating `e` can have no effect and raise no error: a name or a literal
/// (possibly negated or grouped), so it may be evaluated out of order.
fn pure<S>(e: &Expression<S>) -> bool {
    e.tail.is_empty()
        && match &*e.head {
            HeadExpression::Simple(SimpleExpression::Integer(_) | SimpleExpression::Float(_)) => {
                true
            }
            HeadExpression::Simple(SimpleExpression::Suffixed(s)) if s.suffixes.is_empty() => {
                match &s.primary {
                    PrimaryExpression::Name(_) => true,
                    PrimaryExpression::GroupedExpression(e) => pure(e),
                }
            }
            HeadExpression::UnaryOperator(UnaryOperator::Minus, e) => pure(e),
            _ => false,
        }
}

fn grouped<S>(e: Expression<S>) -> Expression<S> {
    simple(SimpleExpression::Suffixed(SuffixedExpression {
        primary: PrimaryExpression::GroupedExpression(e),
        suffixes: Vec::new(),
    }))
}

pub(super) fn binary_code(o: BinaryOperator) -> Option<i64> {
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
        Equal => op::EQ,
        NotEqual => op::NE,
        Concat | And | Or => return None,
    })
}

pub(super) fn yields_number(o: BinaryOperator) -> bool {
    binary_code(o).is_some_and(|c| c < op::LT)
}

/// Whether `e` is certainly not a number that piccolo's `==` could compare wrongly with
/// one of the other subtype (see `ArithRewrite::eq_vm_safe`).
fn never_rounded<S>(e: &Expression<S>) -> bool {
    const TWO_53: f64 = 9_007_199_254_740_992.0;
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if let Some((o, _)) = e.tail.last() {
        return yields_boolean(*o);
    }
    match &*e.head {
        HeadExpression::Simple(s) => match s {
            SimpleExpression::Nil
            | SimpleExpression::True
            | SimpleExpression::False
            | SimpleExpression::String(_)
            | SimpleExpression::TableConstructor(_)
            | SimpleExpression::Function(_) => true,
            SimpleExpression::Integer(i) => i.unsigned_abs() <= 1 << 53,
            SimpleExpression::Float(f) => {
                !(f.fract() == 0.0 && (TWO_53..=TWO_63).contains(&f.abs()))
            }
            SimpleExpression::Suffixed(s) => match (&s.primary, s.suffixes.is_empty()) {
                (PrimaryExpression::GroupedExpression(e), true) => never_rounded(e),
                _ => false,
            },
            SimpleExpression::VarArgs => false,
        },
        HeadExpression::UnaryOperator(UnaryOperator::Not, _) => true,
        // A negated literal (its magnitude decides); `-x` may be anything.
        HeadExpression::UnaryOperator(UnaryOperator::Minus, e) => {
            literal_value(e).is_some() && never_rounded(e)
        }
        _ => false,
    }
}

/// Whether `o` gives a boolean (comparisons; `__eq`, `__lt` and `__le` results are
/// converted to booleans, by piccolo and by the helper).
fn yields_boolean(o: BinaryOperator) -> bool {
    use BinaryOperator::*;
    matches!(
        o,
        Equal | NotEqual | LessThan | LessEqual | GreaterThan | GreaterEqual
    )
}

/// At most this many operator calls are made per statement and function: nested helper
/// calls hold registers, and piccolo has 256 per function (and panics or miscompiles past
/// that). Past it, the operand built so far moves into a function of its own, which has
/// registers of its own (`(function() return <operand> end)()`); plain VM operators are no
/// way out, as piccolo's panic on some operands (`math.mininteger % -1`, `"" & 1`).
const CALLS_PER_STATEMENT: usize = 32;

pub struct ArithRewrite<S> {
    helper: S,
    /// Operator calls left for the current statement.
    budget: usize,
    /// The identity helper that keeps an operator call out of tail position, so its errors
    /// still see the calling line (in the functions of [`Self::in_own_function`]).
    pass: S,
    /// The hidden local a returned operator call is kept in (see `block`).
    result: S,
    /// Locals in scope, innermost last, with what is known of the numbers they hold.
    scope: Vec<(S, Option<Kind>)>,
    /// The hidden locals holding a numeric `for`'s checked control values.
    for_names: [S; 3],
    /// The line of the statement being rewritten.
    line: LineNumber,
    /// The hidden first parameter that marks a function of [`Self::in_own_function`], so
    /// later passes can see it as part of the function around it (`index.rs` names the
    /// variables of an error as Lua, which has no such function, would).
    inline: S,
    /// Whether `==` and `~=` get Lua's exact integer/float comparison where piccolo's could
    /// round (see [`Self::eq_vm_safe`]); off for aolite's own runtime modules (`Reads::Vm`).
    exact_equality: bool,
    /// The kinds of the chunk's locals (see `kinds.rs`), found before rewriting.
    locals: Option<LocalKinds<S>>,
    /// The tokens of appends left to the VM (see `fresh.rs`): their `#t` is an integer.
    fresh: super::fresh::FreshAppends<S>,
}

impl<S: Clone + PartialEq + NameId + AsRef<[u8]>> ArithRewrite<S> {
    pub fn new(
        helper: S,
        [pass, result]: [S; 2],
        for_names: [S; 3],
        inline: S,
        exact_equality: bool,
    ) -> Self {
        ArithRewrite {
            exact_equality,
            helper,
            budget: CALLS_PER_STATEMENT,
            pass,
            result,
            scope: Vec::new(),
            for_names,
            line: LineNumber(0),
            inline,
            locals: None,
            fresh: Default::default(),
        }
    }

    pub fn with_fresh_appends(mut self, fresh: super::fresh::FreshAppends<S>) -> Self {
        self.fresh = fresh;
        self
    }

    pub fn chunk(&mut self, block: &mut Block<S>) {
        self.locals = Some(kinds::infer(block));
        self.block(block);
    }

    /// The kind of number the local declared by `name` always holds, if known.
    fn declared_kind(&self, name: &S) -> Option<Kind> {
        self.locals.as_ref().and_then(|l| l.of(name))
    }

    /// The innermost local in scope named `name`: its declaring name and known kind.
    fn in_scope(&self, name: &S) -> Option<&(S, Option<Kind>)> {
        self.scope.iter().rev().find(|(n, _)| n == name)
    }

    fn known_kind(&self, name: &S) -> Option<Kind> {
        self.in_scope(name).and_then(|(_, kind)| *kind)
    }

    fn numeric(&self, e: &Expression<S>) -> bool {
        self.kind(e).is_some()
    }

    /// What is known of the number `e` evaluates to, if it is known to be one.
    fn kind(&self, e: &Expression<S>) -> Option<Kind> {
        let mut kind = match &*e.head {
            HeadExpression::Simple(SimpleExpression::Integer(_)) => Kind::Int,
            HeadExpression::Simple(SimpleExpression::Float(_)) => Kind::Float,
            HeadExpression::Simple(SimpleExpression::Suffixed(s)) => match &s.primary {
                PrimaryExpression::Name(n) if s.suffixes.is_empty() => self.known_kind(n)?,
                PrimaryExpression::GroupedExpression(e) if s.suffixes.is_empty() => self.kind(e)?,
                // An operator call already made by this rewrite: on numbers it gives a number
                // (or raises).
                PrimaryExpression::Name(n) if *n == self.helper => match s.suffixes.as_slice() {
                    [SuffixPart::Call(CallSuffix::Function(args))] => match args.as_slice() {
                        [code, x] => match integer_literal(code)? {
                            op::UNM => self.kind(x)?,
                            op::BNOT => self.kind(x).map(|_| Kind::Int)?,
                            _ => return None,
                        },
                        [code, x, y] => {
                            let code = integer_literal(code)?;
                            if code >= op::LT {
                                return None;
                            }
                            result_kind(code, self.kind(x)?, self.kind(y)?)
                        }
                        _ => return None,
                    },
                    _ => return None,
                },
                // A call of a local function whose results are known (see `kinds.rs`).
                PrimaryExpression::Name(n)
                    if matches!(
                        s.suffixes.as_slice(),
                        [SuffixPart::Call(CallSuffix::Function(_))]
                    ) =>
                {
                    let (declared, _) = self.in_scope(n)?;
                    self.locals.as_ref()?.result_of(declared)?
                }
                _ => return None,
            },
            // `__len` may return anything (`#t + 1` with a string length raises in Lua where
            // piccolo's instruction would convert it): not known to be a number.
            // Except the length of a table no other code has seen (no metatable).
            HeadExpression::UnaryOperator(UnaryOperator::Len, t)
                if single_name(t).is_some_and(|n| self.fresh.holds(n)) =>
            {
                Kind::Int
            }
            HeadExpression::UnaryOperator(UnaryOperator::Len, _) => return None,
            HeadExpression::UnaryOperator(UnaryOperator::Minus, e) => self.kind(e)?,
            HeadExpression::UnaryOperator(UnaryOperator::BitNot, e) => {
                self.kind(e).map(|_| Kind::Int)?
            }
            _ => return None,
        };
        for (o, r) in &e.tail {
            let code = binary_code(*o).filter(|_| yields_number(*o))?;
            kind = result_kind(code, kind, self.kind(r)?);
        }
        Some(kind)
    }

    /// Whether the VM's own instruction (or piccolo's constant folding of it) gives Lua
    /// 5.3's result and errors for these operands. piccolo truncates integer `//`, computes
    /// `%` as `((a % b) + b) % b` (overflowing, and wrong for floats at zero and infinity),
    /// saturates 2^63 to an integer in bitwise operators, panics on shifts of 64 or more,
    /// compares integers with floats as floats, and compiles `a > b` as `not (a <= b)`
    /// (true for NaN); the helper is exact.
    fn vm_safe(&self, code: i64, a: &Expression<S>, b: &Expression<S>) -> bool {
        if code == op::EQ || code == op::NE {
            return !self.exact_equality || self.eq_vm_safe(a, b);
        }
        let (Some(ka), Some(kb)) = (self.kind(a), self.kind(b)) else {
            return false;
        };
        match code {
            op::ADD | op::SUB | op::MUL | op::DIV | op::POW => true,
            // Floats: floor(a / b), as Lua. Integers: only non-negative literals (folded
            // by piccolo; truncation is flooring there).
            op::IDIV => {
                ka == Kind::Float
                    || kb == Kind::Float
                    || matches!((integer_literal(a), integer_literal(b)), (Some(x), Some(y)) if x >= 0 && y > 0)
            }
            // Integers by a positive literal small enough that `(a % b) + b` cannot overflow.
            op::MOD => {
                ka.integer_like() && integer_literal(b).is_some_and(|y| y > 0 && y <= 1 << 62)
            }
            op::BAND | op::BOR | op::BXOR => ka == Kind::Int && kb == Kind::Int,
            op::SHL | op::SHR => {
                ka == Kind::Int && integer_literal(b).is_some_and(|y| (0..64).contains(&y))
            }
            op::LT | op::LE | op::GT | op::GE => {
                // Exact when both have one subtype, or one side is a literal whose magnitude
                // is below 2^53 (converting the other side to a float keeps the order).
                let small = |e: &Expression<S>| {
                    literal_value(e).is_some_and(|v| v.abs() < 9_007_199_254_740_992.0)
                };
                let exact = (ka.integer_like() && kb.integer_like())
                    || (ka == Kind::Float && kb == Kind::Float)
                    || small(a)
                    || small(b);
                // `>` and `>=` are turned into `<` and `<=` with swapped operands when a
                // float is possible (see `expression`), which needs one side pure.
                let ints = ka.integer_like() && kb.integer_like();
                exact && (ints || matches!(code, op::LT | op::LE) || pure(a) || pure(b))
            }
            _ => false,
        }
    }

    /// Whether piccolo's `==` instruction (and its constant folding) is exact for these
    /// operands. It compares an integer `i` with a float `f` as `i as f64 == f`. Whenever that
    /// is false, Lua's exact comparison is false too (an `i` equal to `f` converts to `f`
    /// exactly); it is wrongly true only when `i` does not convert exactly (|i| > 2^53) and
    /// rounds to `f`, which is then a float with an integer value of magnitude in
    /// [2^53, 2^63]. So the instruction is exact when either operand
    /// - is certainly not a number: a string, `nil`, `true`/`false`, a table constructor, a
    ///   function, `not x`, or a comparison (`__eq`/`__lt`/`__le` results are converted to
    ///   booleans); not a concatenation, which `__concat` may make a number;
    /// - is an integer literal with |c| <= 2^53 (converts exactly);
    /// - is a float literal that is not an integer in [2^53, 2^63] in magnitude (NaN, the
    ///   infinities, fractions and everything below 2^53 or above 2^63 are no rounded
    ///   integer);
    ///
    /// or when both are known numbers of one subtype (integers, lengths trusted as integers
    /// as for ordering, or floats). Everything else goes through the helper, which keeps
    /// Lua's `__eq` rules (tried only between two tables or two userdata that are not the
    /// same object) by deferring to piccolo's own equality there.
    fn eq_vm_safe(&self, a: &Expression<S>, b: &Expression<S>) -> bool {
        if never_rounded(a) || never_rounded(b) {
            return true;
        }
        match (self.kind(a), self.kind(b)) {
            (Some(x), Some(y)) => {
                (x.integer_like() && y.integer_like()) || (x == Kind::Float && y == Kind::Float)
            }
            _ => false,
        }
    }

    /// Whether `a > b` should become `b < a`: a float (maybe NaN) is possible, and one side
    /// is pure, so evaluating the other first changes nothing (numeric operands call nothing).
    fn swap_ok(&self, a: &Expression<S>, b: &Expression<S>) -> bool {
        match (self.kind(a), self.kind(b)) {
            (Some(x), Some(y)) if x.integer_like() && y.integer_like() => false,
            (Some(_), Some(_)) => pure(a) || pure(b),
            _ => false,
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

    /// A helper call, with the statement's budget spent first if needed (see
    /// [`CALLS_PER_STATEMENT`]): `args[0]`, the operand built so far, then moves into a
    /// function of its own.
    fn budgeted_call(&mut self, code: i64, mut args: Vec<Expression<S>>) -> Expression<S> {
        if self.budget == 0 {
            let first = std::mem::replace(&mut args[0], simple(SimpleExpression::Nil));
            args[0] = self.in_own_function(first);
            self.budget = CALLS_PER_STATEMENT;
        }
        self.budget -= 1;
        self.helper_call(code, args)
    }

    /// One step of an operator chain's left fold: `acc o r`, as a helper call where the VM's
    /// instruction would not be exact.
    fn fold(&mut self, acc: Expression<S>, o: BinaryOperator, r: Expression<S>) -> Expression<S> {
        let mut acc = acc;
        match binary_code(o) {
            Some(code) if !self.vm_safe(code, &acc, &r) => self.budgeted_call(code, vec![acc, r]),
            Some(code @ (op::GT | op::GE)) if self.swap_ok(&acc, &r) => {
                // piccolo compiles `a > b` as `not (a <= b)`, true for NaN: `b < a`.
                let o = if code == op::GT {
                    BinaryOperator::LessThan
                } else {
                    BinaryOperator::LessEqual
                };
                Expression {
                    head: grouped(r).head,
                    tail: vec![(o, grouped(acc))],
                }
            }
            _ => {
                acc.tail.push((o, r));
                acc
            }
        }
    }

    /// The rest of an operator chain in a function of its own, taking the value so far as its
    /// parameter and applying one operator a statement:
    /// `(function((inline), ...) (inline) = (inline) o1 r1 ... return (inline) end)(acc, ...)`.
    /// Flat, so a long chain does not nest (which would exhaust the compiler's stack).
    fn rest_in_own_function(
        &mut self,
        acc: Expression<S>,
        rest: Vec<(BinaryOperator, Expression<S>)>,
    ) -> Expression<S> {
        let mut varargs = UsesVarargs(false);
        for (_, r) in &rest {
            varargs.expression(r);
        }
        let inline = self.inline.clone();
        let name = || {
            simple(SimpleExpression::Suffixed(SuffixedExpression {
                primary: PrimaryExpression::Name(inline.clone()),
                suffixes: Vec::new(),
            }))
        };
        let mut statements = Vec::with_capacity(rest.len());
        for (o, r) in rest {
            self.budget = CALLS_PER_STATEMENT;
            let value = self.fold(name(), o, r);
            statements.push(LineAnnotated::new(
                self.line,
                Statement::Assignment(AssignmentStatement {
                    targets: vec![AssignmentTarget::Name(self.inline.clone())],
                    values: vec![value],
                }),
            ));
        }
        // The statement that holds the call gets what is left of its budget back.
        self.budget = CALLS_PER_STATEMENT - 1;
        let function = FunctionDefinition {
            parameters: vec![self.inline.clone()],
            has_varargs: varargs.0,
            body: Block {
                statements,
                return_statement: Some(LineAnnotated::new(
                    self.line,
                    ReturnStatement {
                        returns: vec![name()],
                    },
                )),
                closed_on: self.line,
            },
        };
        let mut args = vec![acc];
        if varargs.0 {
            args.push(simple(SimpleExpression::VarArgs));
        }
        simple(SimpleExpression::Suffixed(SuffixedExpression {
            primary: PrimaryExpression::GroupedExpression(simple(SimpleExpression::Function(
                function,
            ))),
            suffixes: vec![SuffixPart::Call(CallSuffix::Function(args))],
        }))
    }

    /// `(function((inline), ...) return e end)(nil, ...)` (without `...` when `e` does not
    /// use it).
    fn in_own_function(&self, e: Expression<S>) -> Expression<S> {
        let mut varargs = UsesVarargs(false);
        varargs.expression(&e);
        let returned = if self.is_helper_call(&e) {
            // Not a tail call: the helper's errors need the calling line.
            simple(SimpleExpression::Suffixed(SuffixedExpression {
                primary: PrimaryExpression::Name(self.pass.clone()),
                suffixes: vec![SuffixPart::Call(CallSuffix::Function(vec![e]))],
            }))
        } else {
            e
        };
        let function = FunctionDefinition {
            parameters: vec![self.inline.clone()],
            has_varargs: varargs.0,
            body: Block {
                statements: Vec::new(),
                return_statement: Some(LineAnnotated::new(
                    self.line,
                    ReturnStatement {
                        returns: vec![returned],
                    },
                )),
                closed_on: self.line,
            },
        };
        let args = if varargs.0 {
            vec![
                simple(SimpleExpression::Nil),
                simple(SimpleExpression::VarArgs),
            ]
        } else {
            Vec::new()
        };
        simple(SimpleExpression::Suffixed(SuffixedExpression {
            primary: PrimaryExpression::GroupedExpression(simple(SimpleExpression::Function(
                function,
            ))),
            suffixes: vec![SuffixPart::Call(CallSuffix::Function(args))],
        }))
    }

    fn is_helper_call(&self, e: &Expression<S>) -> bool {
        e.tail.is_empty()
            && matches!(&*e.head, HeadExpression::Simple(SimpleExpression::Suffixed(s))
                if matches!(&s.primary, PrimaryExpression::Name(n) if *n == self.helper)
                    && s.suffixes.len() == 1)
    }

    fn statements(&mut self, statements: &mut [LineAnnotated<Statement<S>>]) {
        for statement in statements {
            self.budget = CALLS_PER_STATEMENT;
            let line = statement.line_number;
            self.line = line;
            let s = &mut statement.inner;
            if let Statement::LocalStatement(l) = s {
                for e in &mut l.values {
                    self.expression(e);
                }
                for name in &l.names {
                    let kind = self.declared_kind(name);
                    self.scope.push((name.clone(), kind));
                }
                continue;
            }
            if matches!(s, Statement::For(ForStatement::Numeric { .. })) {
                self.numeric_for(s, line);
                continue;
            }
            self.statement(s);
        }
    }

    /// A numeric `for`. piccolo's loop accepts any values its `to_number` takes, switches
    /// to a float loop for a float limit, loops forever on NaN or a zero step where Lua
    /// stops (and the reverse), and raises no `'for' ... must be a number` errors. Unless
    /// the control values are integers with a nonzero literal step (or literals making a
    /// float loop), they
    /// go through `(arith)(FORPREP, ...)`, which checks and converts them as Lua 5.3's
    /// `OP_FORPREP` and returns values for which piccolo's loop runs as Lua's would:
    /// `do local (from), (limit), (step) = (arith)(FORPREP, a, b, c); for i = (from),
    /// (limit), (step) do ... end end`.
    fn numeric_for(&mut self, s: &mut Statement<S>, line: LineNumber) {
        let Statement::For(ForStatement::Numeric {
            name,
            initial,
            limit,
            step,
            body,
        }) = s
        else {
            return;
        };
        self.expression(initial);
        self.expression(limit);
        if let Some(e) = step.as_mut() {
            self.expression(e);
        }
        let (ki, kl) = (self.kind(initial), self.kind(limit));
        let ks = step.as_ref().map_or(Some(Kind::Int), |e| self.kind(e));
        let step_value = step.as_ref().map_or(Some(1.0), |e| literal_value(e));
        let nonzero_step = step_value.is_some_and(|v| v != 0.0);
        let integers = [ki, kl, ks]
            .iter()
            .all(|k| k.is_some_and(Kind::integer_like));
        // Float literals with a float start or step: a float loop in Lua and in piccolo.
        let float_literals = literal_value(initial).is_some()
            && literal_value(limit).is_some()
            && (ki == Some(Kind::Float) || ks == Some(Kind::Float));
        self.numeric_for_body(name, body);
        if nonzero_step && (integers || float_literals) {
            return;
        }
        let name_expr = |n: &S| {
            simple(SimpleExpression::Suffixed(SuffixedExpression {
                primary: PrimaryExpression::Name(n.clone()),
                suffixes: Vec::new(),
            }))
        };
        let [from, to, by] = &self.for_names;
        let args = vec![
            std::mem::replace(initial, name_expr(from)),
            std::mem::replace(limit, name_expr(to)),
            step.replace(name_expr(by))
                .unwrap_or_else(|| simple(SimpleExpression::Integer(1))),
        ];
        let prep = LocalStatement {
            names: self.for_names.to_vec(),
            values: vec![self.helper_call(op::FORPREP, args)],
        };
        let closed_on = body.closed_on;
        let for_statement = std::mem::replace(s, Statement::Break);
        *s = Statement::Do(Block {
            statements: vec![
                LineAnnotated::new(line, Statement::LocalStatement(prep)),
                LineAnnotated::new(line, for_statement),
            ],
            return_statement: None,
            closed_on,
        });
    }
}

impl<S: Clone + PartialEq + NameId + AsRef<[u8]>> VisitMut<S> for ArithRewrite<S> {
    fn block(&mut self, b: &mut Block<S>) {
        let mark = self.scope.len();
        self.statements(&mut b.statements);
        if let Some(r) = &mut b.return_statement {
            self.budget = CALLS_PER_STATEMENT;
            self.line = r.line_number;
            walk_return(self, &mut r.inner);
        }
        // `return a + b` must not become a tail call of the helper (its errors need the
        // calling line): `local (result) = (arith)(...); return (result)`, which costs no
        // second call, where `return (pass)((arith)(...))` did.
        let result = self.result.clone();
        return_through_local(b, &result, |e| self.is_helper_call(e));
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
                let result = self.result.clone();
                return_through_local(&mut r.body, &result, |e| self.is_helper_call(e));
                self.expression(&mut r.until);
                self.scope.truncate(mark);
            }
            Statement::LocalFunction(f) => {
                self.scope.push((f.name.clone(), None));
                walk_statement(self, s);
            }
            _ => walk_statement(self, s),
        }
    }

    /// The body with its counter in scope (from `numeric_for`).
    fn numeric_for_body(&mut self, name: &S, body: &mut Block<S>) {
        let mark = self.scope.len();
        let kind = self.declared_kind(name);
        self.scope.push((name.clone(), kind));
        self.block(body);
        self.scope.truncate(mark);
    }

    fn generic_for_body(&mut self, names: &[S], body: &mut Block<S>) {
        let mark = self.scope.len();
        for n in names.iter().cloned() {
            self.scope.push((n, None));
        }
        self.block(body);
        self.scope.truncate(mark);
    }

    fn function(&mut self, f: &mut FunctionDefinition<S>) {
        let mark = self.scope.len();
        for p in &f.parameters {
            let kind = self.declared_kind(p);
            self.scope.push((p.clone(), kind));
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
        let mut ops = tail.into_iter();
        while let Some((o, r)) = ops.next() {
            let needs_call = binary_code(o).is_some_and(|code| !self.vm_safe(code, &acc, &r));
            if needs_call && self.budget == 0 {
                // Out of calls: the rest of the chain goes on in a function of its own, one
                // operator a statement (each with the budget afresh).
                let rest: Vec<_> = std::iter::once((o, r)).chain(ops.by_ref()).collect();
                acc = self.rest_in_own_function(acc, rest);
                break;
            }
            acc = self.fold(acc, o, r);
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
        let safe = match code {
            op::UNM => self.numeric(e),
            _ => self.kind(e) == Some(Kind::Int),
        };
        if !safe {
            let operand = std::mem::replace(e, simple(SimpleExpression::Nil));
            let call = self.budgeted_call(code, vec![operand]);
            *h = *call.head;
        }
    }
}

/// Whether an expression uses `...` (outside the functions inside it).
struct UsesVarargs(bool);

impl<S> Visit<S> for UsesVarargs {
    fn function(&mut self, _: &FunctionDefinition<S>) {}

    fn simple(&mut self, s: &SimpleExpression<S>) {
        if matches!(s, SimpleExpression::VarArgs) {
            self.0 = true;
        }
        walk_simple_ref(self, s);
    }
}
