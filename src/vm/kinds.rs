//! Which locals of a chunk only ever hold numbers, and of which subtype: the facts the
//! operator rewrite (`arith.rs`) needs to leave an operator to the VM instead of the
//! `(arith)` helper.
//!
//! A local holds only numbers when every value ever stored in it is one: its initial value,
//! every assignment to it (in nested functions too) and, for a numeric `for` counter, the
//! loop's values. Those values can name other locals, declared anywhere in the chunk (`s =
//! s + i` names the loop counter `i`, declared after `s`), so the kinds are found together:
//! every local starts as "no value seen yet" and takes the join of its values' kinds,
//! evaluated with the kinds found so far, until nothing changes (the kinds only grow, and
//! each can grow at most a few times). Generic `for` variables, local functions and globals
//! are not known.
//!
//! A local function whose name is only ever called (`local function f(n) ... end`, or
//! `local f = function ...`, never passed, stored, reassigned or indexed) is called only
//! where the chunk says, so its parameters hold what those calls pass (`fib(n - 1)`), and
//! a call of it gives what its `return` statements give (unknown if it can end without
//! one). Any other function's parameters are not known.
//!
//! Locals are told apart by their declaration, found with Lua's scoping rules, and named to
//! the rewrite by the allocation of their declaring name: each name token of the source
//! has its own (see `compile.rs`'s `LineInterner`). Names the rewrites share between
//! declarations (hidden locals) get the join of all of them, which is still true of each.

use std::collections::HashMap;
use std::sync::Arc;

use piccolo::compiler::parser::{
    AssignmentTarget, Block, CallSuffix, Expression, ForStatement, FunctionDefinition,
    HeadExpression, PrimaryExpression, ReturnStatement, SimpleExpression, Statement, SuffixPart,
    SuffixedExpression, UnaryOperator,
};

use super::arith::{binary_code, result_kind, yields_number, Kind};
use super::upvalues::PRELUDE_LOCAL;
use super::visit::read_only::{walk_statement, walk_suffixed, Visit};

/// The identity of a declared name: the address of its allocation.
pub trait NameId {
    fn name_id(&self) -> usize;
}

impl NameId for Arc<[u8]> {
    fn name_id(&self) -> usize {
        Arc::as_ptr(self) as *const u8 as usize
    }
}

/// What is known of a local's values while the kinds are being found.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Known {
    /// No value seen yet.
    Nothing,
    Number(Kind),
    /// Some value may not be a number.
    Anything,
}

impl Known {
    fn join(self, other: Known) -> Known {
        match (self, other) {
            (Known::Nothing, x) | (x, Known::Nothing) => x,
            (Known::Number(a), Known::Number(b)) => Known::Number(a.join(b)),
            _ => Known::Anything,
        }
    }
}

/// The kind of a value, in terms of the locals it reads.
#[derive(Clone)]
enum Formula {
    Known(Known),
    Local(usize),
    /// `-x` keeps the kind, `~x` gives an integer.
    Negated(Box<Formula>),
    BitNot(Box<Formula>),
    Operator(i64, Box<Formula>, Box<Formula>),
    /// A numeric `for` counter, from its initial value and step: always a number (piccolo's
    /// loop or the `(arith)` helper's preparation converts them).
    Counter(Box<Formula>, Box<Formula>),
    /// The first result of a call of the local function of this index (see [`Function`]).
    Result(usize),
}

/// A local function, as [`Collect`] found it.
struct Function {
    /// The declarations of its parameters.
    params: Vec<usize>,
    /// A pseudo-local holding the first result of each of its calls.
    result: usize,
    /// The arguments of each call (a parameter past them gets nil, or what a last call or
    /// `...` gives after its first value: not known).
    calls: Vec<Vec<Formula>>,
    /// Whether its name is used other than to call it, or assigned: then anyone may call it
    /// with anything, and a call through the name may reach another function.
    escapes: bool,
}

/// The kinds found: the kind of number each declared local always holds, if it does.
pub(super) struct LocalKinds<S> {
    kinds: HashMap<usize, Option<Kind>>,
    /// For local functions whose calls all are seen, by their name's declaration: the kind
    /// of their first result, if always a number.
    results: HashMap<usize, Option<Kind>>,
    /// The declaring names, kept alive so no allocation made while rewriting can take
    /// one's address.
    _names: Vec<Option<S>>,
}

impl<S: NameId> LocalKinds<S> {
    /// The kind of the local declared by `name`; `None` when not known to hold only numbers
    /// (or not a declaration this inference saw).
    pub(super) fn of(&self, name: &S) -> Option<Kind> {
        self.kinds.get(&name.name_id()).copied().flatten()
    }

    /// The kind of the first result of a call of the local function declared by `name`, if
    /// always a number.
    pub(super) fn result_of(&self, name: &S) -> Option<Kind> {
        self.results.get(&name.name_id()).copied().flatten()
    }
}

/// Joins the kinds found for declarations that share a name's allocation.
fn join_shared(map: &mut HashMap<usize, Option<Kind>>, id: usize, kind: Option<Kind>) {
    map.entry(id)
        .and_modify(|shared| {
            *shared = match (*shared, kind) {
                (Some(a), Some(b)) => Some(a.join(b)),
                _ => None,
            }
        })
        .or_insert(kind);
}

/// Finds the kinds of the locals declared in `block` (a whole chunk).
pub(super) fn infer<S: Clone + PartialEq + NameId + AsRef<[u8]>>(
    block: &Block<S>,
) -> LocalKinds<S> {
    let mut collect = Collect {
        scope: Vec::new(),
        names: Vec::new(),
        values: Vec::new(),
        functions: Vec::new(),
        function_of: HashMap::new(),
        pending: None,
        inside: Vec::new(),
    };
    collect.block(block);
    let Collect {
        names,
        mut values,
        functions,
        function_of,
        ..
    } = collect;
    for f in &functions {
        for (j, &param) in f.params.iter().enumerate() {
            if f.escapes {
                values.push((param, Formula::Known(Known::Anything)));
                continue;
            }
            for call in &f.calls {
                let arg = call.get(j).cloned().unwrap_or_else(anything);
                values.push((param, arg));
            }
        }
    }
    let mut known = vec![Known::Nothing; names.len()];
    // Each pass re-evaluates every value with the kinds so far. A local's kind grows at most
    // three times, so this settles; the bound is a guard against a mistake, not a limit
    // programs reach (values mostly name locals declared before them: two or three passes).
    let mut settled = false;
    for _ in 0..64 {
        let mut changed = false;
        for (local, formula) in &values {
            let joined = known[*local].join(evaluate(formula, &known, &functions));
            if joined != known[*local] {
                known[*local] = joined;
                changed = true;
            }
        }
        if !changed {
            settled = true;
            break;
        }
    }
    let number = |k: Known| match k {
        Known::Number(kind) if settled => Some(kind),
        _ => None,
    };
    let mut kinds: HashMap<usize, Option<Kind>> = HashMap::with_capacity(names.len());
    for (name, &k) in names.iter().zip(&known) {
        if let Some(name) = name {
            join_shared(&mut kinds, name.name_id(), number(k));
        }
    }
    let mut results: HashMap<usize, Option<Kind>> = HashMap::with_capacity(functions.len());
    for (&declaration, &f) in &function_of {
        let function = &functions[f];
        let kind = if function.escapes {
            None
        } else {
            number(known[function.result])
        };
        if let Some(name) = &names[declaration] {
            join_shared(&mut results, name.name_id(), kind);
        }
    }
    LocalKinds {
        kinds,
        results,
        _names: names,
    }
}

fn evaluate(f: &Formula, known: &[Known], functions: &[Function]) -> Known {
    match f {
        Formula::Known(k) => *k,
        Formula::Local(i) => known[*i],
        Formula::Negated(x) => evaluate(x, known, functions),
        Formula::BitNot(x) => match evaluate(x, known, functions) {
            Known::Number(_) => Known::Number(Kind::Int),
            other => other,
        },
        Formula::Operator(code, a, b) => {
            match (evaluate(a, known, functions), evaluate(b, known, functions)) {
                (Known::Anything, _) | (_, Known::Anything) => Known::Anything,
                (Known::Number(x), Known::Number(y)) => Known::Number(result_kind(*code, x, y)),
                _ => Known::Nothing,
            }
        }
        Formula::Counter(initial, step) => match (
            evaluate(initial, known, functions),
            evaluate(step, known, functions),
        ) {
            (Known::Nothing, _) | (_, Known::Nothing) => Known::Nothing,
            (Known::Number(Kind::Int), Known::Number(Kind::Int)) => Known::Number(Kind::Int),
            (Known::Number(i), Known::Number(s)) if i.integer_like() && s.integer_like() => {
                Known::Number(Kind::Length)
            }
            (Known::Number(Kind::Float), _) | (_, Known::Number(Kind::Float)) => {
                Known::Number(Kind::Float)
            }
            _ => Known::Number(Kind::Number),
        },
        Formula::Result(f) if functions[*f].escapes => Known::Anything,
        Formula::Result(f) => known[functions[*f].result],
    }
}

/// The walk that declares the locals in scope order and notes every value stored in one.
struct Collect<S> {
    /// Locals in scope, innermost last: name and declaration index.
    scope: Vec<(S, usize)>,
    /// Each declaration's name (`None` for a function's result).
    names: Vec<Option<S>>,
    /// (declaration, the kind of a value stored in it).
    values: Vec<(usize, Formula)>,
    functions: Vec<Function>,
    /// The local function each declaration of one names.
    function_of: HashMap<usize, usize>,
    /// The local function whose definition the walk is about to enter.
    pending: Option<usize>,
    /// For each function the walk is in, innermost last, its index if a local function.
    inside: Vec<Option<usize>>,
}

fn anything() -> Formula {
    Formula::Known(Known::Anything)
}

impl<S: Clone + PartialEq + AsRef<[u8]>> Collect<S> {
    /// Declares `name`, starting with `value` (`None`: none yet, for the parameters of a
    /// local function, which get what its calls pass).
    fn declare(&mut self, name: &S, value: Option<Formula>) -> usize {
        let index = self.names.len();
        self.names.push(Some(name.clone()));
        if let Some(v) = value {
            self.values.push((index, v));
        }
        self.scope.push((name.clone(), index));
        index
    }

    /// A local function about to be declared and defined.
    fn new_function(&mut self) -> usize {
        let result = self.names.len();
        self.names.push(None);
        self.functions.push(Function {
            params: Vec::new(),
            result,
            calls: Vec::new(),
            escapes: false,
        });
        self.functions.len() - 1
    }

    fn resolve(&self, name: &S) -> Option<usize> {
        self.scope
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, i)| *i)
    }

    /// The local function `name` refers to here, if it names one.
    fn function_named(&self, name: &S) -> Option<usize> {
        self.resolve(name)
            .and_then(|d| self.function_of.get(&d).copied())
    }

    /// The kind of `e`'s value, as `ArithRewrite::kind` reads it, over the locals in scope.
    fn formula(&self, e: &Expression<S>) -> Formula {
        let mut formula = match &*e.head {
            HeadExpression::Simple(SimpleExpression::Integer(_)) => {
                Formula::Known(Known::Number(Kind::Int))
            }
            HeadExpression::Simple(SimpleExpression::Float(_)) => {
                Formula::Known(Known::Number(Kind::Float))
            }
            HeadExpression::Simple(SimpleExpression::Suffixed(s)) => self.suffixed_formula(s),
            HeadExpression::UnaryOperator(UnaryOperator::Minus, e) => {
                Formula::Negated(Box::new(self.formula(e)))
            }
            HeadExpression::UnaryOperator(UnaryOperator::BitNot, e) => {
                Formula::BitNot(Box::new(self.formula(e)))
            }
            _ => anything(),
        };
        for (o, r) in &e.tail {
            let Some(code) = binary_code(*o).filter(|_| yields_number(*o)) else {
                return anything();
            };
            formula = Formula::Operator(code, Box::new(formula), Box::new(self.formula(r)));
        }
        formula
    }

    /// A name, a parenthesised expression, or a call of a local function.
    fn suffixed_formula(&self, s: &SuffixedExpression<S>) -> Formula {
        match (&s.primary, s.suffixes.as_slice()) {
            (PrimaryExpression::Name(n), []) => match self.resolve(n) {
                Some(i) => Formula::Local(i),
                None => anything(),
            },
            (PrimaryExpression::GroupedExpression(e), []) => self.formula(e),
            (PrimaryExpression::Name(n), [SuffixPart::Call(CallSuffix::Function(_))]) => {
                match self.function_named(n) {
                    Some(f) => Formula::Result(f),
                    None => anything(),
                }
            }
            _ => anything(),
        }
    }

    /// A call of the local function `f` with `args`, or any other use of its name.
    fn use_function(&mut self, f: usize, call: Option<&CallSuffix<S>>) {
        match call {
            Some(CallSuffix::Function(args)) => {
                let args = args.iter().map(|a| self.formula(a)).collect();
                self.functions[f].calls.push(args);
            }
            _ => self.functions[f].escapes = true,
        }
    }

    fn statements(&mut self, block: &Block<S>) {
        let mark = self.scope.len();
        for s in &block.statements {
            self.statement(&s.inner);
        }
        if let Some(r) = &block.return_statement {
            self.returned(&r.inner);
        }
        self.scope.truncate(mark);
    }

    fn returned(&mut self, r: &ReturnStatement<S>) {
        for e in &r.returns {
            self.expression(e);
        }
        if let Some(Some(f)) = self.inside.last() {
            let value = r.returns.first().map_or_else(anything, |e| self.formula(e));
            let result = self.functions[*f].result;
            self.values.push((result, value));
        }
    }
}

impl<S: Clone + PartialEq + AsRef<[u8]>> Visit<S> for Collect<S> {
    fn block(&mut self, b: &Block<S>) {
        self.statements(b);
    }

    fn statement(&mut self, s: &Statement<S>) {
        match s {
            // The debug library's naming compilation starts functions with statements that
            // reference their upvalues (`upvalues.rs`): not uses that let a function escape,
            // or its kinds, hidden locals and so registers would differ from the running
            // compilation's, whose cells that one names by register.
            Statement::LocalStatement(l) if matches!(l.names.as_slice(), [n] if n.as_ref() == PRELUDE_LOCAL) =>
                {}
            Statement::LocalStatement(l) => {
                // `local f = function ... end`: a local function too.
                let function = match (l.names.as_slice(), l.values.as_slice()) {
                    ([_], [v])
                        if v.tail.is_empty()
                            && matches!(
                                &*v.head,
                                HeadExpression::Simple(SimpleExpression::Function(_))
                            ) =>
                    {
                        let f = self.new_function();
                        self.pending = Some(f);
                        Some(f)
                    }
                    _ => None,
                };
                for e in &l.values {
                    self.expression(e);
                }
                self.pending = None;
                let formulas: Vec<Formula> = (0..l.names.len())
                    .map(|j| l.values.get(j).map_or_else(anything, |v| self.formula(v)))
                    .collect();
                for (name, f) in l.names.iter().zip(formulas) {
                    let declared = self.declare(name, Some(f));
                    if let Some(function) = function {
                        self.function_of.insert(declared, function);
                    }
                }
            }
            Statement::LocalFunction(f) => {
                let function = self.new_function();
                let declared = self.declare(&f.name, Some(anything()));
                self.function_of.insert(declared, function);
                self.pending = Some(function);
                self.function(&f.definition);
            }
            Statement::Function(f) => {
                if f.fields.is_empty() && f.method.is_none() {
                    if let Some(i) = self.resolve(&f.name) {
                        self.values.push((i, anything()));
                        if let Some(function) = self.function_of.get(&i) {
                            self.functions[*function].escapes = true;
                        }
                    }
                }
                self.function(&f.definition);
            }
            Statement::FunctionCall(c) => {
                // `f(x)` as a statement: the call is not among the head's suffixes.
                if let (PrimaryExpression::Name(n), []) =
                    (&c.head.primary, c.head.suffixes.as_slice())
                {
                    if let Some(f) = self.function_named(n) {
                        self.use_function(f, Some(&c.call));
                        self.call(&c.call);
                        return;
                    }
                }
                walk_statement(self, s);
            }
            Statement::Assignment(a) => {
                walk_statement(self, s);
                for (i, t) in a.targets.iter().enumerate() {
                    if let AssignmentTarget::Name(n) = t {
                        if let Some(local) = self.resolve(n) {
                            if let Some(function) = self.function_of.get(&local) {
                                self.functions[*function].escapes = true;
                            }
                            let value = a.values.get(i).map_or_else(anything, |v| self.formula(v));
                            self.values.push((local, value));
                        }
                    }
                }
            }
            Statement::For(ForStatement::Numeric {
                name,
                initial,
                limit,
                step,
                body,
            }) => {
                self.expression(initial);
                self.expression(limit);
                if let Some(e) = step {
                    self.expression(e);
                }
                let step = match step {
                    Some(e) => self.formula(e),
                    None => Formula::Known(Known::Number(Kind::Int)),
                };
                let counter = Formula::Counter(Box::new(self.formula(initial)), Box::new(step));
                let mark = self.scope.len();
                self.declare(name, Some(counter));
                self.statements(body);
                self.scope.truncate(mark);
            }
            Statement::For(ForStatement::Generic {
                names,
                arguments,
                body,
            }) => {
                for a in arguments {
                    self.expression(a);
                }
                let mark = self.scope.len();
                for n in names {
                    self.declare(n, Some(anything()));
                }
                self.statements(body);
                self.scope.truncate(mark);
            }
            Statement::Repeat(r) => {
                // The condition sees the body's locals.
                let mark = self.scope.len();
                for s in &r.body.statements {
                    self.statement(&s.inner);
                }
                if let Some(ret) = &r.body.return_statement {
                    self.returned(&ret.inner);
                }
                self.expression(&r.until);
                self.scope.truncate(mark);
            }
            _ => walk_statement(self, s),
        }
    }

    fn function(&mut self, f: &FunctionDefinition<S>) {
        let function = self.pending.take();
        let mark = self.scope.len();
        let start = function.is_none().then(anything);
        let params: Vec<usize> = f
            .parameters
            .iter()
            .map(|p| self.declare(p, start.clone()))
            .collect();
        if let Some(i) = function {
            self.functions[i].params = params;
        }
        self.inside.push(function);
        self.statements(&f.body);
        if let Some(i) = function {
            if f.body.return_statement.is_none() {
                // It can end without a `return`: a call of it may give nil.
                let result = self.functions[i].result;
                self.values.push((result, anything()));
            }
        }
        self.inside.pop();
        self.scope.truncate(mark);
    }

    fn suffixed(&mut self, s: &SuffixedExpression<S>) {
        if let PrimaryExpression::Name(n) = &s.primary {
            if let Some(f) = self.function_named(n) {
                let call = match s.suffixes.first() {
                    Some(SuffixPart::Call(c)) => Some(c),
                    _ => None,
                };
                self.use_function(f, call);
            }
        }
        walk_suffixed(self, s);
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use piccolo::compiler::{parse_chunk, StringInterner};

    /// Every token its own allocation, as the compile pipeline's interner gives them.
    pub(in crate::vm) struct Fresh;

    impl StringInterner for Fresh {
        type String = Arc<[u8]>;

        fn intern(&mut self, s: &[u8]) -> Arc<[u8]> {
            Arc::from(s)
        }
    }

    /// The kind found for each declaration named `name`, in source order.
    fn kinds(source: &str, name: &str) -> Vec<Option<Kind>> {
        let chunk = parse_chunk(source.as_bytes(), Fresh).expect("parses");
        let found = infer(&chunk.block);
        found
            ._names
            .iter()
            .flatten()
            .filter(|n| &***n == name.as_bytes())
            .map(|n| found.of(n))
            .collect()
    }

    /// The kind of a call of the local function `name` (its last declaration).
    fn result(source: &str, name: &str) -> Option<Kind> {
        let chunk = parse_chunk(source.as_bytes(), Fresh).expect("parses");
        let found = infer(&chunk.block);
        let declared = found
            ._names
            .iter()
            .flatten()
            .rfind(|n| &***n == name.as_bytes())
            .expect("declared");
        found.result_of(declared)
    }

    #[test]
    fn an_accumulator_over_a_later_counter_is_an_integer() {
        let src = "local s = 0 for i = 1, 10 do local d = i * 2 s = s + d end";
        assert_eq!(kinds(src, "s"), [Some(Kind::Int)]);
        assert_eq!(kinds(src, "i"), [Some(Kind::Int)]);
        assert_eq!(kinds(src, "d"), [Some(Kind::Int)]);
        // A float anywhere widens it; a string anywhere (a closure too) unknowns it.
        assert_eq!(kinds("local a = 1 a = a / 2", "a"), [Some(Kind::Number)]);
        assert_eq!(
            kinds("local x = 1 local function f() x = 'a' end", "x"),
            [None]
        );
        // An unknown counter start still gives a number.
        assert_eq!(kinds("for i = f(), 3 do end", "i"), [Some(Kind::Number)]);
    }

    #[test]
    fn shadowing_declarations_are_told_apart() {
        let src = "local v = 1 do local v = 'a' v = v .. 'b' end v = v + 1";
        assert_eq!(kinds(src, "v"), [Some(Kind::Int), None]);
        let src = "local n = 5 for n = 1.5, 3 do n = tostring(n) end";
        assert_eq!(kinds(src, "n"), [Some(Kind::Int), None]);
    }

    #[test]
    fn a_local_function_called_only_with_numbers_has_numeric_parameters() {
        let fib = "local function fib(n) if n < 2 then return n end \
                   return fib(n - 1) + fib(n - 2) end print(fib(20))";
        assert_eq!(kinds(fib, "n"), [Some(Kind::Int)]);
        assert_eq!(result(fib, "fib"), Some(Kind::Int));
        let expr = "local half = function(v) return v / 2 end local h = half(3)";
        assert_eq!(kinds(expr, "v"), [Some(Kind::Int)]);
        assert_eq!(kinds(expr, "h"), [Some(Kind::Float)]);
    }

    #[test]
    fn a_function_used_otherwise_knows_nothing_of_its_calls() {
        for src in [
            // Passed as a value, stored, indexed, called as a method, reassigned.
            "local function f(n) return n + 1 end f(1) pcall(f, 'x')",
            "local function f(n) return n + 1 end f(1) T = { f }",
            "local function f(n) return n + 1 end f(1) print(f.x)",
            "local function f(n) return n + 1 end f(1) f:m()",
            "local function f(n) return n + 1 end f(1) f = print",
            // One call with a string, or too few arguments, or `...`.
            "local function f(n) return n + 1 end f(1) f('2')",
            "local function f(n) return n + 1 end f()",
            "local function f(n) return n + 1 end local function g(...) return f(...) end g(1)",
        ] {
            assert_eq!(kinds(src, "n"), [None], "{src}");
            assert_eq!(result(src, "f"), None, "{src}");
        }
        // A function that can end without a `return` may give nil.
        let src = "local function f(n) if n > 0 then return n end end local y = f(1)";
        assert_eq!(kinds(src, "n"), [Some(Kind::Int)]);
        assert_eq!(kinds(src, "y"), [None]);
    }
}
