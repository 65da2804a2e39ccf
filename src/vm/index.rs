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
    AssignmentTarget, Block, CallSuffix, ConstructorField, Expression, FieldSuffix, ForStatement,
    FunctionCallStatement, FunctionDefinition, HeadExpression, LocalStatement, PrimaryExpression,
    RecordKey, SimpleExpression, Statement, SuffixPart, SuffixedExpression, UnaryOperator,
};

use std::collections::{HashMap, HashSet};

use super::arith::op::{APPEND, EQ, FORPREP, GE, GT, LE, LEN, LT, NE, UPDATE};
use super::rewrite::{is_multi_valued, return_through_local, simple, single_name};
use super::visit::mutable::{walk_head, walk_simple, walk_statement, VisitMut};
use super::visit::read_only::{self, Visit};

/// Builds a string constant from descriptions (see [`IndexRewrite`]).
/// Its second argument says where Lua puts the instruction that may fail (see
/// `compile.rs`, `description`).
pub type Describe<S> = std::rc::Rc<dyn Fn(&[Option<(&str, Option<&S>)>], Anchor<S>) -> S>;

/// Lua's description of a value: its kind (`local`, `field`...) and name (`?` when None).
type Described<S> = (&'static str, Option<S>);

/// Where, among the tokens of an expression, Lua 5.3 puts the instruction whose error it is
/// (piccolo puts all of a statement's instructions on its first line).
pub enum Anchor<S> {
    /// On the line of the described names (a variable or field read).
    Names,
    /// On the line of the token before this one: an operator, given the first token of its
    /// last operand; a field read, given its key.
    Before(S),
    /// On the line of the latest of these tokens: a store, made after its value.
    Latest(Vec<S>),
    /// An expression that ends with a name or string token `key`, or with `[key]` when
    /// `bracketed` (a field read, or a variable): at the token `after` says, counted from
    /// that end; `Before(key)` when the tokens around the key are not what it needs.
    Read {
        key: S,
        bracketed: bool,
        /// Tokens between that end and the expression's: 3 for each `[n]` with a key of no
        /// identity (a number) after it.
        skip: usize,
        after: After,
    },
    /// A call: on the line `at` gives, preceded by a line `@M` for the call itself (`call`)
    /// when that differs (a method call's receiver is indexed at the method's name and
    /// called where the expression starts).
    Call {
        call: Box<Anchor<S>>,
        at: Box<Anchor<S>>,
    },
    /// On the line of the last token of item `item` (0-based) of the `constructor`-th table
    /// constructor of the source (by its `{`, in source order): a `[k] = v` field's store.
    Item { constructor: usize, item: usize },
    /// On the line of the last token of a store's value list, found in the token stream
    /// from the latest of these tokens (its key's and values'): where Lua stores.
    StoreEnd(Vec<S>),
    /// On the line of the token after `in`, given the last name of a generic `for`: where
    /// Lua calls its iterator.
    ForIn(S),
    /// On the line of a numeric `for`'s `do`, given tokens of its header (the latest when
    /// the `do` cannot be found).
    ForDo(Vec<S>),
}

impl<S> Anchor<S> {
    fn before(token: Option<&S>) -> Self
    where
        S: Clone,
    {
        token.map_or(Anchor::Names, |t| Anchor::Before(t.clone()))
    }
}

/// Which token after the end of an expression an [`Anchor::Read`] names.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum After {
    /// Its last token.
    Own,
    /// The token after it (a `,`, `)`, `}` or operator).
    Next,
    /// The token after it, or the `}` after a last separator: a constructor's item.
    Item,
    /// The end of the value stored into it (`t.k = v`, `t[k] = v`, `function t.k() end`).
    Stored(Stored),
    /// The one-token operand after the operator that follows it: a comparison `a < 1`.
    Operand,
    /// The end (`}` or `end`) of the constructor or function after the operator that
    /// follows it: a comparison `a < {}`.
    OperandEnd,
}

/// A value stored whose end the token stream can tell (see [`After::Stored`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Stored {
    /// One token of no identity (`1`, `nil`): the token after the `=`.
    Token,
    /// A table constructor: the `}` matching the `{` after the `=`.
    Table,
    /// A function: the `end` matching the `function` after the `=`; for a function
    /// statement (no `=`), the line of its `function`, where Lua puts the store.
    Function,
}

/// The hidden names the pass uses.
pub struct HelperNames<S> {
    pub index: S,
    /// A local that holds a returned read (see `block`).
    pub result: S,
    pub arith: S,
    pub concat: S,
    pub set: S,
    pub method: S,
    /// The helper a table constructor's computed key goes through (see `rewrite.rs`).
    pub key: S,
    /// The first parameter of the operator rewrite's inline functions (see `arith.rs`).
    pub inline: S,
}

pub struct IndexRewrite<S> {
    index: S,
    result: S,
    /// Names some assignment statement assigns: no local of these names is known to be a
    /// table.
    assigned: Vec<S>,
    /// Locals in scope, innermost last: name, the depth of the function declaring it, and
    /// whether it can only hold a table.
    scope: Vec<(S, usize, bool)>,
    depth: usize,
    /// Builds the string constant of descriptions, one line each (`local 't'`; `field '?'`
    /// for a None name; an empty line for a None description), and a last line `@N` with
    /// the source line of the names when known (see `compile.rs`, `token_lines`).
    text: Describe<S>,
    /// The operator, concatenation and store helpers, whose calls get their operands'
    /// names.
    arith: S,
    concat: S,
    set: S,
    method: S,
    /// `(key)`, whose calls get the line of their field's store in diagnostic mode, where
    /// its errors are placed (see `simple`).
    key: Option<S>,
    inline: S,
    /// Whether reads go through `(index)` (see [`super::compile::Reads`]); operand names are
    /// added either way.
    reads: bool,
    /// Hidden locals holding what a multiple assignment stores into (`(t1)`, see
    /// `assign.rs`), with the description of the expression each holds: Lua names that.
    aliases: Vec<(S, Option<Described<S>>)>,
    /// The name and string tokens of the latest multiple assignment's targets and values
    /// (the hidden locals' values): where its stores are, which Lua makes after them all.
    alias_tokens: Vec<S>,
    /// The first line of the statement being visited (0-based), where piccolo puts all of
    /// its instructions, and so the position of a helper call given no line of its own.
    statement_line: u64,
    /// The name of the numeric `for` whose checked values are being visited.
    for_name: Option<S>,
    /// Reads with nothing to name on a later line than their statement's: the key token's
    /// address and Lua's line (0-based), for the line of the helper call instruction
    /// (see `call_lines.rs`).
    pub read_lines: Vec<(usize, u64)>,
    /// The names (by address) that start an item of a table constructor: Lua's parser
    /// reads the token after such a name before it parses the item, and a call there
    /// takes that token's line.
    item_starts: HashSet<usize>,
    /// When Lua emits a read that is the whole of the next expression visited (see
    /// [`Discharge`]); consumed by `expression`.
    discharge: Discharge<S>,
    /// The same for the read a suffixed expression ends with, handed from `expression` to
    /// its head; consumed by `suffixed`.
    read_at: Discharge<S>,
    /// Each table constructor's place among the source's (see [`constructor_order`]), for
    /// the line of a field whose tokens are all of no identity (`[0/0] = 1`).
    pub constructors: HashMap<usize, usize>,
}

/// When Lua 5.3 emits the instruction of a read (`a.k`, `a[k]`): it only notes the read
/// while parsing and emits it when the value is needed, on the line of the last token read
/// by then.
#[derive(Clone)]
enum Discharge<S> {
    /// Right after the read's own last token: before a further suffix, an operator's
    /// right-hand operand, a value stored, a condition, a record field's value, the last
    /// value of a list assigned or returned, a key, a numeric `for`'s value.
    Own,
    /// After the token that follows it: a `,` of a list, the `)` of a call's last argument
    /// or of parentheses, the operator after a left-hand operand, the `then` after an `if`
    /// condition.
    Next,
    /// A constructor's item: at the separator after it, or the `}` (after a last
    /// separator, if any).
    Item,
    /// At this token: the name of a method called on the read (`a.b:m()`).
    At(S),
}

impl<S: Clone + PartialEq + AsRef<[u8]>> IndexRewrite<S> {
    /// `diagnostic`: compiling for diagnostic mode (see `key`).
    pub fn new(names: HelperNames<S>, text: Describe<S>, reads: bool, diagnostic: bool) -> Self {
        let HelperNames {
            index,
            result,
            arith,
            concat,
            set,
            method,
            key,
            inline,
        } = names;
        IndexRewrite {
            index,
            result,
            arith,
            concat,
            set,
            method,
            key: diagnostic.then_some(key),
            inline,
            reads,
            assigned: Vec::new(),
            scope: Vec::new(),
            depth: 0,
            text,
            aliases: Vec::new(),
            alias_tokens: Vec::new(),
            statement_line: 0,
            for_name: None,
            read_lines: Vec::new(),
            item_starts: HashSet::new(),
            discharge: Discharge::Own,
            read_at: Discharge::Own,
            constructors: HashMap::new(),
        }
    }

    /// `walk_block`, noting each statement's line (see `statement_line`).
    fn walk_lines(&mut self, b: &mut Block<S>) {
        let outer = self.statement_line;
        for s in &mut b.statements {
            self.statement_line = s.line_number.0;
            self.statement(&mut s.inner);
        }
        if let Some(r) = &mut b.return_statement {
            self.statement_line = r.line_number.0;
            self.list(&mut r.inner.returns);
        }
        self.statement_line = outer;
    }

    /// A list of values (`local`, assignment, `return`): each but the last is emitted after
    /// its `,`.
    fn list(&mut self, values: &mut [Expression<S>]) {
        let n = values.len();
        for (i, v) in values.iter_mut().enumerate() {
            self.discharge = if i + 1 < n {
                Discharge::Next
            } else {
                Discharge::Own
            };
            self.expression(v);
        }
    }

    /// When Lua emits each argument of a call of `callee` (a helper's name, or None for a
    /// call of the program's own).
    fn argument_discharges(&self, callee: Option<&S>, args: &[Expression<S>]) -> Vec<Discharge<S>> {
        let own = vec![Discharge::Own; args.len()];
        let Some(h) = callee.filter(|h| is_hidden(*h)) else {
            // `f(a, b)`: after the `,` or the `)`.
            return vec![Discharge::Next; args.len()];
        };
        let operands = |from: usize| -> Vec<Discharge<S>> {
            // Every operand but the last is emitted after the operator that follows it.
            (0..args.len())
                .map(|i| {
                    if i >= from && i + 1 < args.len() {
                        Discharge::Next
                    } else {
                        Discharge::Own
                    }
                })
                .collect()
        };
        if *h == self.arith && args.len() == 3 && !is_fast_store(args) {
            // `(arith)(code, a, b)`.
            operands(1)
        } else if *h == self.concat {
            // `(concat)(count, a, b, ...)`.
            operands(1)
        } else if *h == self.method && args.len() >= 2 {
            // `(method)(recv, name, args...)`: the receiver when the name is read, the
            // arguments as a call's.
            let mut d = vec![Discharge::Next; args.len()];
            d[0] = string_constant(&args[1]).map_or(Discharge::Own, |n| Discharge::At(n.clone()));
            d[1] = Discharge::Own;
            d
        } else {
            own
        }
    }

    /// The arguments of a call of `callee`, each in its [`Discharge`].
    fn call_arguments(&mut self, callee: Option<&S>, c: &mut CallSuffix<S>) {
        let args = match c {
            CallSuffix::Method(_, args) => {
                let d = vec![Discharge::Next; args.len()];
                (args, d)
            }
            CallSuffix::Function(args) => {
                let d = self.argument_discharges(callee, args);
                (args, d)
            }
        };
        for (a, d) in args.0.iter_mut().zip(args.1) {
            self.discharge = d;
            self.expression(a);
        }
    }

    /// `walk_suffixed`, with each inner expression in its [`Discharge`].
    fn walk_parts(&mut self, s: &mut SuffixedExpression<S>) {
        let helper = match &mut s.primary {
            PrimaryExpression::Name(n) => Some(n.clone()),
            PrimaryExpression::GroupedExpression(e) => {
                // `(e)`: after its `)`.
                self.discharge = Discharge::Next;
                self.expression(e);
                None
            }
        };
        for (i, p) in s.suffixes.iter_mut().enumerate() {
            match p {
                SuffixPart::Field(f) => {
                    self.discharge = Discharge::Own;
                    self.field(f);
                }
                SuffixPart::Call(c) => {
                    let callee = if i == 0 { helper.as_ref() } else { None };
                    self.call_arguments(callee, c);
                }
            }
        }
    }

    /// The anchor of a read whose key is `key` (`.k` when not `bracketed`), emitted as
    /// `discharge` says.
    fn read_anchor(
        key: &Expression<S>,
        bracketed: bool,
        discharge: &Discharge<S>,
        base_end: Option<&(S, bool, usize)>,
    ) -> Anchor<S> {
        let token = match string_constant(key) {
            Some(t) if !bracketed || key.tail.is_empty() => Some(t),
            _ if bracketed => single_name(key),
            _ => None,
        };
        let after = match discharge {
            Discharge::Next => After::Next,
            Discharge::Item => After::Item,
            _ => After::Own,
        };
        match (discharge, token, base_end) {
            (Discharge::At(t), _, _) => Anchor::Latest(vec![t.clone()]),
            // `a[1]`: three tokens after the end of `a`, when that is known.
            (_, None, Some((t, b, skip))) if bracketed && is_literal(key) => Anchor::Read {
                key: t.clone(),
                bracketed: *b,
                skip: skip + 3,
                after,
            },
            // `[k]` is only placed when `k` is a single token (the `]` must follow it).
            (_, Some(t), _) if !bracketed || is_single_token(key) => Anchor::Read {
                key: t.clone(),
                bracketed,
                skip: 0,
                after,
            },
            _ => Anchor::before(first_token(key)),
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

    /// Whether `name` is a table-only local, and Lua's kind for it.
    fn resolve(&self, name: &S) -> (bool, &'static str) {
        match self.scope.iter().rev().find(|(n, _, _)| n == name) {
            Some((_, depth, table)) if *depth == self.depth => (*table, "local"),
            Some((_, _, table)) => (*table, "upvalue"),
            None => (false, "global"),
        }
    }

    /// Whether `e` is a plain name of a table-only local.
    fn table_local(&self, e: &Expression<S>) -> bool {
        matches!(&*e.head, HeadExpression::Simple(SimpleExpression::Suffixed(s))
            if e.tail.is_empty()
                && s.suffixes.is_empty()
                && matches!(&s.primary, PrimaryExpression::Name(n) if self.resolve(n).0))
    }

    /// Lua's description of an operand, when it gives one: a variable, or a field read
    /// (named by a string-constant key, `?` for any other).
    fn describe<'e>(&'e self, e: &'e Expression<S>) -> Option<(&'static str, Option<&'e S>)> {
        let HeadExpression::Simple(SimpleExpression::Suffixed(s)) = &*e.head else {
            return None;
        };
        if !e.tail.is_empty() {
            return None;
        }
        match (s.suffixes.last(), &s.primary) {
            (None, PrimaryExpression::Name(n)) if !is_hidden(n) => {
                Some((self.resolve(n).1, Some(n)))
            }
            // `(t)` is `t` to Lua (parentheses only cut a call's results to one).
            (None, PrimaryExpression::GroupedExpression(inner)) => self.describe(inner),
            (None, PrimaryExpression::Name(n)) => self
                .aliases
                .iter()
                .rev()
                .find(|(alias, _)| alias == n)
                .and_then(|(_, d)| d.as_ref().map(|(kind, name)| (*kind, name.as_ref()))),
            (Some(SuffixPart::Field(FieldSuffix::Named(k))), _) => Some(("field", Some(k))),
            (Some(SuffixPart::Field(FieldSuffix::Indexed(k))), _) => match &*k.head {
                HeadExpression::Simple(SimpleExpression::String(name)) if k.tail.is_empty() => {
                    Some(("field", Some(name)))
                }
                _ => Some(("field", None)),
            },
            _ => None,
        }
    }

    /// The argument the pipeline adds to a call of one of our helpers `h`, and where:
    /// operand names after the operands of `(arith)`, `(concat)` and `(set)` (see
    /// [`Self::call_names`]), the receiver's description after the name of `(method)`.
    fn extra_argument(&self, h: &S, args: &[Expression<S>]) -> Option<(usize, Expression<S>)> {
        if *h == self.method && args.len() >= 2 {
            return Some((2, self.receiver_name(args)));
        }
        let names = self.call_names(h, args)?;
        Some((args.len(), simple(SimpleExpression::String(names))))
    }

    /// [`Self::extra_argument`] of the call a suffixed expression starts with.
    fn extra_argument_of(&self, s: &SuffixedExpression<S>) -> Option<(usize, Expression<S>)> {
        match (&s.primary, s.suffixes.first()) {
            (PrimaryExpression::Name(h), Some(SuffixPart::Call(CallSuffix::Function(args)))) => {
                self.extra_argument(h, args)
            }
            _ => None,
        }
    }

    /// The receiver's description for a method call `(method)(recv, name, args...)`, to
    /// insert after the name (nil when Lua gives none: the helper drops it either way).
    ///
    /// Its last line is where Lua indexes the receiver (`@N`, the line of the method's
    /// name, read just before), preceded by where it calls the method (`@M`, the line
    /// where the expression starts) when that differs (see `helpers.rs`, `call_line`).
    fn receiver_name(&self, args: &[Expression<S>]) -> Expression<S> {
        // Lua loads a constant receiver (`("x"):m()`) into a register and names it so.
        let described = args.first().and_then(|recv| match string_constant(recv) {
            Some(s) => Some(("constant", Some(s))),
            None => self.describe(recv),
        });
        let index_at = match args.get(1).and_then(string_constant) {
            Some(name) => Anchor::Latest(vec![name.clone()]),
            None => Anchor::Names,
        };
        let anchor = match args.first().and_then(|recv| self.start_anchor(recv)) {
            Some(call) => Anchor::Call {
                call: Box::new(call),
                at: Box::new(index_at),
            },
            None => index_at,
        };
        let none = described.is_none();
        let text = (self.text)(&[described], anchor);
        // Nothing to name: only worth passing when a line is not the statement's.
        let statement = format!("@{}", self.statement_line + 1);
        let differs = text
            .as_ref()
            .split(|&b| b == b'\n')
            .any(|l| l.starts_with(b"@") && l != statement.as_bytes());
        if none && !differs {
            return simple(SimpleExpression::Nil);
        }
        simple(SimpleExpression::String(text))
    }

    /// Where Lua puts a call of (or a method call on) `e`: the line of its first token, or
    /// of the token after it when that name starts a constructor's item (Lua's parser reads
    /// the next token there before parsing the item).
    fn start_anchor(&self, e: &Expression<S>) -> Option<Anchor<S>> {
        let HeadExpression::Simple(SimpleExpression::Suffixed(s)) = &*e.head else {
            return first_token(e).map(|t| Anchor::Latest(vec![t.clone()]));
        };
        match &s.primary {
            PrimaryExpression::Name(n) if self.item_starts.contains(&address(n)) => {
                Some(Anchor::Read {
                    key: n.clone(),
                    bracketed: false,
                    skip: 0,
                    after: After::Next,
                })
            }
            PrimaryExpression::Name(n) => Some(Anchor::Latest(vec![n.clone()])),
            PrimaryExpression::GroupedExpression(inner) => {
                first_token(inner).map(|t| Anchor::Before(t.clone()))
            }
        }
    }

    /// [`Self::operand_names`] of a call of helper `h` with `args`.
    fn call_names(&self, h: &S, args: &[Expression<S>]) -> Option<S> {
        // `(arith)(FORPREP, from, limit, step)`: Lua checks a `for`'s values on the line of
        // its `do`, after the header's last token.
        if *h == self.arith && args.len() == 4 && args.first().is_some_and(|c| is_code(c, FORPREP))
        {
            // The loop's name too: the header's values may have no token of ours.
            let mut tokens = Tokens(self.for_name.iter().cloned().collect());
            for a in &args[1..] {
                tokens.expression(a);
            }
            let text = (self.text)(&[], Anchor::ForDo(tokens.0));
            let line = described_line(text.as_ref())?;
            return (line != self.statement_line + 1).then_some(text);
        }
        // `(arith)(code, a[, b])` (its `for` check has 4 arguments), `(concat)(n, ...)`:
        // every operand; `(set)(t, k, v)`: the table.
        // (Not the one-call stores of `assign.rs`, whose errors the statement raises.)
        let arith = *h == self.arith && (2..=3).contains(&args.len()) && !is_fast_store(args);
        // `==` and `~=` raise no error of their own: nothing to name.
        if arith
            && args
                .first()
                .is_some_and(|c| is_code(c, EQ) || is_code(c, NE))
        {
            return None;
        }
        let operands = if arith || (*h == self.concat && args.len() >= 2) {
            &args[1..]
        } else if *h == self.set && args.len() == 3 {
            &args[..1]
        } else {
            return None;
        };
        // A unary operator's operand sits in a register even when it is a constant, and Lua
        // names it so (`-""`); a binary operator reads constants in place, unnamed.
        let unary = arith && args.len() == 2;
        let names: Vec<_> = operands
            .iter()
            .map(|a| match string_constant(a).filter(|_| unary) {
                Some(s) => Some(("constant", Some(s))),
                None => self.describe(a),
            })
            .collect();
        let spill = args.last().is_some_and(is_multi_valued);
        // Lua puts an arithmetic, bitwise or concatenation instruction on its operator's
        // line (an ordering one on its last token's, a store on the statement's).
        let ordering = args
            .first()
            .is_some_and(|c| [LT, LE, GT, GE].iter().any(|&o| is_code(c, o)));
        let all_tokens = || {
            let mut tokens = Tokens(Vec::new());
            for a in operands {
                tokens.expression(a);
            }
            Anchor::Latest(tokens.0)
        };
        let anchor = if (arith && !ordering) || *h == self.concat {
            // The operator sits before the last operand; when that has no token of ours
            // (a number), after a left operand that ends with one, else after the last
            // token of the others.
            match (operands.last().and_then(first_token), operands) {
                (Some(t), _) => Anchor::Before(t.clone()),
                (None, [left, _]) => match end_token(left) {
                    Some((key, bracketed)) => Anchor::Read {
                        key: key.clone(),
                        bracketed,
                        skip: 0,
                        after: After::Next,
                    },
                    None => all_tokens(),
                },
                (None, _) => all_tokens(),
            }
        } else if ordering {
            // Compared after the last operand: when that is one token of no identity (a
            // number), the second token after a left operand that ends with a name.
            // A constructor or function: at its last token.
            let after = match operands {
                [left, right] if first_token(left).is_some() && is_literal(right) => {
                    Some(After::Operand)
                }
                [left, right] if first_token(left).is_some() && is_closed(right) => {
                    Some(After::OperandEnd)
                }
                _ => None,
            };
            match (after, end_token(&operands[0])) {
                (Some(after), Some((key, bracketed))) => Anchor::Read {
                    key: key.clone(),
                    bracketed,
                    skip: 0,
                    after,
                },
                _ => all_tokens(),
            }
        } else if *h == self.set {
            let mut tokens = Tokens(Vec::new());
            for a in &args[1..] {
                tokens.expression(a);
            }
            // A multiple assignment's store: its key and value are hidden locals.
            if args.iter().any(|a| first_token(a).is_some_and(is_hidden)) {
                tokens.0.extend(self.alias_tokens.iter().cloned());
            }
            // After the value's last token: for a one-token value of no identity
            // (`t.k = 1`), a constructor or a function, found after the `=`; `function
            // t.k() ... end` at its first line.
            let key = first_token(&args[1]).filter(|k| is_single_token(&args[1]) && !is_hidden(*k));
            // A one-token value only when no other token follows the key's.
            let value = stored_shape(&args[2])
                .filter(|shape| *shape != Stored::Token || tokens.0.len() == 1);
            match (key, value) {
                (Some(k), Some(value)) => Anchor::Read {
                    key: k.clone(),
                    bracketed: false,
                    skip: 0,
                    after: After::Stored(value),
                },
                _ => Anchor::StoreEnd(tokens.0),
            }
        } else {
            Anchor::Names
        };
        let text = (self.text)(&names, anchor);
        if names.iter().all(Option::is_none) && !spill {
            // Nothing to name: only worth passing when Lua's line is not the statement's
            // (an operator on a later line of a statement that spans several).
            let line = described_line(text.as_ref())?;
            if line == self.statement_line + 1 {
                return None;
            }
        }
        Some(text)
    }

    /// Where Lua stores a constructor's field `[k] = v` whose key goes through `(key)`: on
    /// the line of the value's last token (a one-token value, a constructor's `}`, a
    /// function's `end`, else the latest name or string of the field). A nil or NaN key
    /// fails there. None for another field.
    fn store_anchor(
        &self,
        k: &RecordKey<S>,
        value: &Expression<S>,
        item: Option<(usize, usize)>,
    ) -> Option<Anchor<S>> {
        let RecordKey::Indexed(key) = k else {
            return None;
        };
        let inner = self.key_argument(key)?;
        Some(match (end_token(inner), stored_shape(value), item) {
            (Some((token, bracketed)), Some(shape), _) => Anchor::Read {
                key: token.clone(),
                bracketed,
                skip: 0,
                after: After::Stored(shape),
            },
            // Found by counting constructors and items in the token stream: the field's
            // last token, whatever it is.
            (_, _, Some((constructor, item))) => Anchor::Item { constructor, item },
            _ => {
                let mut tokens = Tokens(Vec::new());
                tokens.expression(inner);
                tokens.expression(value);
                Anchor::Latest(tokens.0)
            }
        })
    }

    /// The `k` of `(key)(k)`.
    fn key_argument<'e>(&self, e: &'e Expression<S>) -> Option<&'e Expression<S>> {
        let HeadExpression::Simple(SimpleExpression::Suffixed(s)) = &*e.head else {
            return None;
        };
        match (&s.primary, s.suffixes.as_slice()) {
            (PrimaryExpression::Name(n), [SuffixPart::Call(CallSuffix::Function(args))])
                if e.tail.is_empty() && Some(n) == self.key.as_ref() && args.len() == 1 =>
            {
                args.first()
            }
            _ => None,
        }
    }

    /// Gives `(key)(k)` the line `anchor` names, as a second argument (`@N`): the
    /// constructor's store of a nil or NaN key fails there (see `helpers.rs`).
    fn place_key(&self, key: &mut Expression<S>, anchor: Anchor<S>) {
        let line = (self.text)(&[], anchor);
        if line.as_ref().is_empty() {
            return;
        }
        let HeadExpression::Simple(SimpleExpression::Suffixed(s)) = &mut *key.head else {
            return;
        };
        if let Some(SuffixPart::Call(CallSuffix::Function(args))) = s.suffixes.first_mut() {
            args.push(simple(SimpleExpression::String(line)));
        }
    }

    /// A call of `(index)` or `(arith)` (whose errors need the calling frame).
    fn is_index_call(&self, e: &Expression<S>) -> bool {
        e.tail.is_empty()
            && matches!(&*e.head, HeadExpression::Simple(SimpleExpression::Suffixed(s))
                if matches!(&s.primary, PrimaryExpression::Name(n) if *n == self.index || *n == self.arith)
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

impl<S: Clone + PartialEq + AsRef<[u8]>> VisitMut<S> for IndexRewrite<S> {
    fn block(&mut self, b: &mut Block<S>) {
        let mark = self.scope.len();
        self.walk_lines(b);
        self.scope.truncate(mark);
        // `return t.x` would tail-call the helper, and a tail call drops the calling frame
        // that errors take their position from: the read goes through a local first.
        return_through_local(b, &self.result, |e| self.is_index_call(e));
    }

    fn statement(&mut self, s: &mut Statement<S>) {
        match s {
            Statement::LocalStatement(LocalStatement { names, values }) => {
                let aliases: Vec<_> = names
                    .iter()
                    .zip(values.iter())
                    .filter(|(n, _)| is_hidden(*n))
                    .map(|(n, v)| {
                        let described = self.describe(v).map(|(kind, name)| (kind, name.cloned()));
                        (n.clone(), described)
                    })
                    .collect();
                if !aliases.is_empty() {
                    let mut tokens = Tokens(Vec::new());
                    for v in values.iter() {
                        tokens.expression(v);
                    }
                    self.alias_tokens = tokens.0;
                }
                self.aliases.extend(aliases);
                self.list(values);
                for (i, n) in names.iter().enumerate() {
                    let table = values.get(i).is_some_and(is_table_constructor);
                    self.declare(n.clone(), table);
                }
            }
            Statement::LocalFunction(f) => {
                self.declare(f.name.clone(), false);
                self.function(&mut f.definition);
            }
            // A store `(set)(t, k, v)` or a method call `(method)(recv, name, ...)` as a
            // statement (see `assign.rs`, `rewrite.rs`).
            Statement::FunctionCall(c) if c.head.suffixes.is_empty() => {
                let extra = match (&c.head.primary, &c.call) {
                    (PrimaryExpression::Name(h), CallSuffix::Function(args)) => {
                        self.extra_argument(h, args)
                    }
                    _ => None,
                };
                if let Statement::FunctionCall(c) = s {
                    let callee = match &c.head.primary {
                        PrimaryExpression::Name(n) => Some(n.clone()),
                        PrimaryExpression::GroupedExpression(_) => None,
                    };
                    self.suffixed(&mut c.head);
                    self.call_arguments(callee.as_ref(), &mut c.call);
                }
                if let (
                    Some((at, e)),
                    Statement::FunctionCall(FunctionCallStatement {
                        call: CallSuffix::Function(args),
                        ..
                    }),
                ) = (extra, s)
                {
                    args.insert(at.min(args.len()), e);
                }
            }
            // `do local (from), (limit), (step) = (arith)(FORPREP, ...); for i = ... end`
            // (see `arith.rs`): the loop's name, for the check's line.
            Statement::Do(b)
                if b.statements.len() == 2
                    && matches!(b.statements[0].inner, Statement::LocalStatement(_)) =>
            {
                let name = match &b.statements[1].inner {
                    Statement::For(ForStatement::Numeric { name, .. }) => Some(name.clone()),
                    _ => None,
                };
                let outer = std::mem::replace(&mut self.for_name, name);
                self.block(b);
                self.for_name = outer;
            }
            Statement::Repeat(r) => {
                // The condition sees the body's locals.
                let mark = self.scope.len();
                self.walk_lines(&mut r.body);
                self.expression(&mut r.until);
                self.scope.truncate(mark);
            }
            Statement::FunctionCall(c) => {
                self.suffixed(&mut c.head);
                self.call_arguments(None, &mut c.call);
            }
            Statement::If(i) => {
                // Lua tests an `if` condition after reading the `then`.
                self.discharge = Discharge::Next;
                self.expression(&mut i.if_part.0);
                self.block(&mut i.if_part.1);
                for (c, b) in &mut i.else_if_parts {
                    self.discharge = Discharge::Next;
                    self.expression(c);
                    self.block(b);
                }
                if let Some(b) = &mut i.else_part {
                    self.block(b);
                }
            }
            Statement::Assignment(a) => {
                for t in &mut a.targets {
                    if let AssignmentTarget::Field(s, f) = t {
                        self.suffixed(s);
                        self.field(f);
                    }
                }
                self.list(&mut a.values);
            }
            _ => walk_statement(self, s),
        }
    }

    fn expression(&mut self, e: &mut Expression<S>) {
        let discharge = std::mem::replace(&mut self.discharge, Discharge::Own);
        let read = matches!(
            &*e.head,
            HeadExpression::Simple(SimpleExpression::Suffixed(_))
        );
        // A left-hand operand is emitted after its operator; the last one as the operator
        // emits it (after its own last token).
        self.read_at = match (read, e.tail.is_empty()) {
            (false, _) => Discharge::Own,
            (true, true) => discharge,
            (true, false) => Discharge::Next,
        };
        self.head(&mut e.head);
        self.read_at = Discharge::Own;
        let n = e.tail.len();
        for (i, (_, r)) in e.tail.iter_mut().enumerate() {
            self.discharge = if i + 1 < n {
                Discharge::Next
            } else {
                Discharge::Own
            };
            self.expression(r);
        }
    }

    fn simple(&mut self, s: &mut SimpleExpression<S>) {
        let SimpleExpression::TableConstructor(t) = s else {
            return walk_simple(self, s);
        };
        for f in &t.fields {
            if let ConstructorField::Array(e) = f {
                if let Some(n) = item_start(e) {
                    self.item_starts.insert(address(n));
                }
            }
        }
        let constructor = self.constructors.get(&fields_address(&t.fields)).copied();
        for (i, f) in t.fields.iter_mut().enumerate() {
            match f {
                // An item is emitted when the next one starts, or at the `}`.
                ConstructorField::Array(e) => {
                    self.discharge = Discharge::Item;
                    self.expression(e);
                }
                ConstructorField::Record(k, e) => {
                    let store = self.store_anchor(k, e, constructor.map(|c| (c, i)));
                    self.record_key(k);
                    self.discharge = Discharge::Own;
                    self.expression(e);
                    if let (Some(anchor), RecordKey::Indexed(key)) = (store, k) {
                        self.place_key(key, anchor);
                    }
                }
            }
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
        // An inline function of the operator rewrite is part of the one around it.
        let inline = f.parameters.first() == Some(&self.inline);
        let depth = self.depth;
        if !inline {
            self.depth += 1;
        }
        for p in &f.parameters {
            self.declare(p.clone(), false);
        }
        self.block(&mut f.body);
        self.depth = depth;
        self.scope.truncate(mark);
    }

    fn head(&mut self, h: &mut HeadExpression<S>) {
        // Described as written, before its reads become helper calls.
        let described = match h {
            HeadExpression::UnaryOperator(UnaryOperator::Len, e) => self
                .describe(e)
                .map(|(kind, name)| (kind, name.cloned(), first_token(e).cloned())),
            _ => None,
        };
        walk_head(self, h);
        // `#v` through the helper too, unless `v` is a table-only local: Lua's error (with
        // position and name) and `__len` called with `v, v`.
        let HeadExpression::UnaryOperator(UnaryOperator::Len, e) = h else {
            return;
        };
        if !self.reads || self.table_local(e) {
            return;
        }
        let names = described.map(|(kind, name, first)| {
            (self.text)(
                &[Some((kind, name.as_ref()))],
                Anchor::before(first.as_ref()),
            )
        });
        let operand = std::mem::replace(e, simple(SimpleExpression::Nil));
        let mut args = vec![simple(SimpleExpression::Integer(LEN)), operand];
        if let Some(names) = names {
            args.push(simple(SimpleExpression::String(names)));
        }
        *h = HeadExpression::Simple(SimpleExpression::Suffixed(SuffixedExpression {
            primary: PrimaryExpression::Name(self.arith.clone()),
            suffixes: vec![SuffixPart::Call(CallSuffix::Function(args))],
        }));
    }

    fn suffixed(&mut self, s: &mut SuffixedExpression<S>) {
        let read_at = std::mem::replace(&mut self.read_at, Discharge::Own);
        let extra = self.extra_argument_of(s);
        self.walk_parts(s);
        if let (Some((at, e)), Some(SuffixPart::Call(CallSuffix::Function(args)))) =
            (extra, s.suffixes.first_mut())
        {
            args.insert(at.min(args.len()), e);
        }
        if !self.reads || !s.suffixes.iter().any(|p| matches!(p, SuffixPart::Field(_))) {
            return;
        }
        // `what`: how Lua describes the value indexed next (the variable, or the field it
        // was read from), turned into the helper's description at the read.
        let (mut safe, mut what) = match &s.primary {
            PrimaryExpression::Name(n) => {
                let (table, kind) = self.resolve(n);
                (table, Some((kind, Some(n.clone()))))
            }
            PrimaryExpression::GroupedExpression(_) => (false, None),
        };
        let primary =
            std::mem::replace(&mut s.primary, PrimaryExpression::Name(self.index.clone()));
        let mut acc = SuffixedExpression {
            primary,
            suffixes: Vec::new(),
        };
        // Where the expression read so far ends: a name or string token (in brackets or
        // not) and the tokens after it (see `Anchor::Read`).
        let mut base_end: Option<(S, bool, usize)> = match &acc.primary {
            PrimaryExpression::Name(n) if !is_hidden(n) => Some((n.clone(), false, 0)),
            _ => None,
        };
        let parts = std::mem::take(&mut s.suffixes);
        let last = parts.len().saturating_sub(1);
        for (i, part) in parts.into_iter().enumerate() {
            // Only the read the expression ends with waits for what follows it.
            let discharge = if i == last {
                read_at.clone()
            } else {
                Discharge::Own
            };
            match part {
                SuffixPart::Field(field) => {
                    let bracketed = matches!(field, FieldSuffix::Indexed(_));
                    let end_here = match &field {
                        FieldSuffix::Named(n) => Some((n.clone(), false, 0)),
                        FieldSuffix::Indexed(k) if is_single_token(k) => {
                            first_token(k).map(|t| (t.clone(), true, 0))
                        }
                        FieldSuffix::Indexed(k) if is_literal(k) => {
                            base_end.clone().map(|(t, b, skip)| (t, b, skip + 3))
                        }
                        FieldSuffix::Indexed(_) => None,
                    };
                    let (key, next_what) = match field {
                        FieldSuffix::Named(n) => {
                            let what = ("field", Some(n.clone()));
                            (simple(SimpleExpression::String(n)), Some(what))
                        }
                        FieldSuffix::Indexed(e) => {
                            // Lua names a field by its key only when that is a string
                            // constant.
                            let what = match &*e.head {
                                HeadExpression::Simple(SimpleExpression::String(n))
                                    if e.tail.is_empty() =>
                                {
                                    ("field", Some(n.clone()))
                                }
                                _ => ("field", None),
                            };
                            (e, Some(what))
                        }
                    };
                    if safe {
                        acc.suffixes
                            .push(SuffixPart::Field(FieldSuffix::Indexed(key)));
                    } else {
                        // Lua reads the field on the line of its key (`.k`, `[k]`): the
                        // token after the one before the key.
                        let anchor =
                            Self::read_anchor(&key, bracketed, &discharge, base_end.as_ref());
                        let text = match what.take() {
                            Some((kind, n)) => {
                                Some((self.text)(&[Some((kind, n.as_ref()))], anchor))
                            }
                            // Nothing to name (`f().x`): only when Lua's line is not the
                            // statement's, and then in the line table when the key is a
                            // token of ours (see `call_lines.rs`), else as an argument.
                            None => {
                                let text = (self.text)(&[None], anchor);
                                match described_line(text.as_ref())
                                    .filter(|&l| l != self.statement_line + 1)
                                {
                                    Some(line) => match string_constant(&key) {
                                        Some(k) if key.tail.is_empty() => {
                                            self.read_lines.push((address(k), line - 1));
                                            None
                                        }
                                        _ => Some(text),
                                    },
                                    None => None,
                                }
                            }
                        };
                        acc = self.index_call(acc, key, text);
                    }
                    safe = false;
                    what = next_what;
                    base_end = end_here;
                }
                call @ SuffixPart::Call(_) => {
                    acc.suffixes.push(call);
                    safe = false;
                    what = None;
                    base_end = None;
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

/// Names the rewrites introduce (`(t1)`, `(for f)`, the helpers) start with `(`, which no
/// Lua name can: Lua would describe those values as temporaries, not variables.
pub(super) fn is_hidden<S: AsRef<[u8]>>(name: &S) -> bool {
    name.as_ref().first() == Some(&b'(')
}

/// The line (1-based) a description ends with (`...\n@12`), if any.
fn described_line(text: &[u8]) -> Option<u64> {
    let last = text.rsplit(|&b| b == b'\n').next()?;
    std::str::from_utf8(last.strip_prefix(b"@")?)
        .ok()?
        .parse()
        .ok()
}

/// The string literal `e` is, through any parentheses.
fn string_constant<S>(mut e: &Expression<S>) -> Option<&S> {
    loop {
        if !e.tail.is_empty() {
            return None;
        }
        match &*e.head {
            HeadExpression::Simple(SimpleExpression::String(s)) => return Some(s),
            HeadExpression::Simple(SimpleExpression::Suffixed(SuffixedExpression {
                primary: PrimaryExpression::GroupedExpression(inner),
                suffixes,
            })) if suffixes.is_empty() => e = inner,
            _ => return None,
        }
    }
}

fn address<S: AsRef<[u8]>>(token: &S) -> usize {
    token.as_ref().as_ptr() as usize
}

/// The name an item starts with, through the receiver of a method call
/// (`(method)(recv, name, ...)`) and the operands of other helpers.
fn item_start<S: AsRef<[u8]>>(e: &Expression<S>) -> Option<&S> {
    let HeadExpression::Simple(SimpleExpression::Suffixed(s)) = &*e.head else {
        return None;
    };
    match (&s.primary, s.suffixes.first()) {
        (PrimaryExpression::Name(n), Some(SuffixPart::Call(CallSuffix::Function(args))))
            if is_hidden(n) =>
        {
            args.iter()
                .find(|a| {
                    !matches!(
                        &*a.head,
                        HeadExpression::Simple(SimpleExpression::Integer(_))
                    )
                })
                .and_then(item_start)
        }
        (PrimaryExpression::Name(n), _) if !is_hidden(n) => Some(n),
        _ => None,
    }
}

/// Whether `e` is one token without identity (a number, `nil`, `true`, `false`).
fn is_literal<S>(e: &Expression<S>) -> bool {
    e.tail.is_empty()
        && matches!(
            &*e.head,
            HeadExpression::Simple(
                SimpleExpression::Integer(_)
                    | SimpleExpression::Float(_)
                    | SimpleExpression::Nil
                    | SimpleExpression::True
                    | SimpleExpression::False
            )
        )
}

/// The token an expression ends with, when it is a name or string token (a variable, a
/// string, a read `a.k`), or the `[k]` of a read `a[k]` whose key is one: `(token,
/// bracketed)`.
fn end_token<S: AsRef<[u8]>>(e: &Expression<S>) -> Option<(&S, bool)> {
    if !e.tail.is_empty() {
        return None;
    }
    match &*e.head {
        HeadExpression::Simple(SimpleExpression::String(s)) => Some((s, false)),
        HeadExpression::Simple(SimpleExpression::Suffixed(s)) => {
            match (s.suffixes.last(), &s.primary) {
                (None, PrimaryExpression::Name(n)) if !is_hidden(n) => Some((n, false)),
                (Some(SuffixPart::Field(FieldSuffix::Named(n))), _) => Some((n, false)),
                (Some(SuffixPart::Field(FieldSuffix::Indexed(k))), _) if is_single_token(k) => {
                    first_token(k).map(|t| (t, true))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// How the token stream tells where a stored value ends (see [`Stored`]): a one-token value
/// of no identity, a constructor or a function; None for anything else.
fn stored_shape<S>(value: &Expression<S>) -> Option<Stored> {
    match &*value.head {
        _ if !value.tail.is_empty() => None,
        _ if is_literal(value) => Some(Stored::Token),
        HeadExpression::Simple(SimpleExpression::TableConstructor(_)) => Some(Stored::Table),
        HeadExpression::Simple(SimpleExpression::Function(_)) => Some(Stored::Function),
        _ => None,
    }
}

/// Whether `e` is a table constructor or a function, alone.
fn is_closed<S>(e: &Expression<S>) -> bool {
    e.tail.is_empty()
        && matches!(
            &*e.head,
            HeadExpression::Simple(
                SimpleExpression::TableConstructor(_) | SimpleExpression::Function(_)
            )
        )
}

/// Whether `e` is one name or string token.
fn is_single_token<S>(e: &Expression<S>) -> bool {
    e.tail.is_empty()
        && (single_name(e).is_some()
            || matches!(
                &*e.head,
                HeadExpression::Simple(SimpleExpression::String(_))
            ))
}

/// Each table constructor of `block` with fields, by the address of its fields (which the
/// rewrites move but do not reallocate), numbered in source order among all of its
/// constructors: the place of its `{` among the source's (Lua has no other `{`). Taken
/// before any rewrite, so constructors the rewrites make are not counted.
pub fn constructor_order<S>(block: &Block<S>) -> HashMap<usize, usize> {
    let mut order = ConstructorOrder {
        seen: 0,
        found: HashMap::new(),
    };
    order.block(block);
    order.found
}

struct ConstructorOrder {
    seen: usize,
    found: HashMap<usize, usize>,
}

impl<S> Visit<S> for ConstructorOrder {
    fn simple(&mut self, e: &SimpleExpression<S>) {
        if let SimpleExpression::TableConstructor(t) = e {
            if !t.fields.is_empty() {
                self.found.insert(fields_address(&t.fields), self.seen);
            }
            self.seen += 1;
        }
        read_only::walk_simple(self, e);
    }
}

fn fields_address<T>(fields: &[T]) -> usize {
    fields.as_ptr() as usize
}

/// Every name and string token of what is visited.
struct Tokens<S>(Vec<S>);

impl<S: Clone> Visit<S> for Tokens<S> {
    fn simple(&mut self, e: &SimpleExpression<S>) {
        if let SimpleExpression::String(s) = e {
            self.0.push(s.clone());
        }
        read_only::walk_simple(self, e);
    }

    fn suffixed(&mut self, e: &SuffixedExpression<S>) {
        if let PrimaryExpression::Name(n) = &e.primary {
            self.0.push(n.clone());
        }
        read_only::walk_suffixed(self, e);
    }

    fn field(&mut self, f: &FieldSuffix<S>) {
        if let FieldSuffix::Named(n) = f {
            self.0.push(n.clone());
        }
        read_only::walk_field(self, f);
    }
}

/// The name or string token `e` starts with, if it starts with one (not with an operator
/// or a number, which carry no token identity); inside parentheses, the first one after
/// them (whose token before is then the `(`, on the line of what precedes it as a rule).
fn first_token<S>(e: &Expression<S>) -> Option<&S> {
    match &*e.head {
        HeadExpression::Simple(SimpleExpression::Suffixed(s)) => match &s.primary {
            PrimaryExpression::Name(n) => Some(n),
            PrimaryExpression::GroupedExpression(inner) => first_token(inner),
        },
        HeadExpression::Simple(SimpleExpression::String(s)) => Some(s),
        _ => None,
    }
}

/// Whether `e` is the integer literal `code` (an operator code passed to `(arith)`).
fn is_code<S>(e: &Expression<S>, code: i64) -> bool {
    e.tail.is_empty()
        && matches!(&*e.head, HeadExpression::Simple(SimpleExpression::Integer(c)) if *c == code)
}

/// `(arith)(UPDATE, ...)` or `(arith)(APPEND, ...)`: a one-call store (`assign.rs`,
/// `fast_update`), not an operator: it raises no error and needs no names.
fn is_fast_store<S>(args: &[Expression<S>]) -> bool {
    args.first()
        .is_some_and(|c| is_code(c, UPDATE) || is_code(c, APPEND))
}
