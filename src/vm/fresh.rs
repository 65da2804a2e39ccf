//! Appends to a table the running call has just made and nobody else has seen yet, which
//! need neither the undo log nor a helper call.
//!
//! `local t = {}` makes a table in the running call. As long as `t` is used only to read
//! its fields, take its length and append (`t[#t + 1] = v`), no other code can reach that
//! table: it has no metatable (so `#t` is its border and a store is raw), nothing from
//! before the running message refers to it (undoing the message only has to undo the
//! logged stores that later make it reachable), and it holds no dead keys (only appends
//! store into it), so piccolo's own store of the border plus one is safe (see
//! `undo::appends_at_the_array_end`). Such appends are left to the VM: a `Length`, an add
//! and a store instead of a call of the `(arith)` helper (see `assign.rs`, `fast_update`).
//!
//! Any other use of `t` lets the table out: a call argument, a method call, a value stored,
//! returned or compared, a capture by a nested function. An append qualifies when every
//! such *escape* is in a later statement of the block declaring `t` (so it runs after every
//! append of that run of the block), `t` is never assigned and never stored into otherwise,
//! and the declaring function has no `goto` (which could run an append again after an
//! escape). A coroutine suspended between the table's creation and an append resumes it in
//! a later message: that append is then as unlogged as the rest of the coroutine's stack,
//! which a failed message brings back by replaying the log (see `history.rs`,
//! `restore_coroutines_if_undone`). Not seen: `debug.getlocal` reading `t` from another
//! function (documented in COMPATIBILITY.md).
//!
//! The appends found are named by the tokens of their two `t`s (each name token has its own
//! allocation, see `compile.rs`'s `LineInterner`), which the assignment and operator
//! rewrites look up.

use std::collections::HashSet;

use piccolo::compiler::parser::{
    AssignmentTarget, Block, Expression, FieldSuffix, FunctionDefinition, HeadExpression,
    PrimaryExpression, SimpleExpression, Statement, SuffixPart, SuffixedExpression, UnaryOperator,
};

use super::kinds::NameId;
use super::rewrite::{length_plus_one, single_name};
use super::visit::read_only::{walk_head, walk_return, walk_statement, walk_suffixed, Visit};

/// The tokens of the qualifying appends (`t[#t + 1] = v`): the stored-into `t` and the
/// measured `t` of each, by address.
#[derive(Clone)]
pub struct FreshAppends<S> {
    ids: HashSet<usize>,
    /// The tokens themselves, kept alive so no allocation made while rewriting can take one's
    /// address (as `kinds.rs` keeps its declaring names).
    _tokens: Vec<S>,
}

impl<S> Default for FreshAppends<S> {
    fn default() -> Self {
        FreshAppends {
            ids: HashSet::new(),
            _tokens: Vec::new(),
        }
    }
}

impl<S: NameId> FreshAppends<S> {
    /// Whether `token` is one of a qualifying append's.
    pub fn holds(&self, token: &S) -> bool {
        self.ids.contains(&token.name_id())
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.ids.len()
    }
}

/// Finds the appends of `block` (a whole chunk) that may run as VM instructions.
#[inline(never)] // a compile job of its own in V8 (see `compile::compile_here`)
pub(super) fn fresh_appends<S: Clone + PartialEq + NameId>(block: &Block<S>) -> FreshAppends<S> {
    let mut finder = Finder {
        scope: Vec::new(),
        decls: Vec::new(),
        has_goto: vec![false],
        functions: vec![0],
        cursor: Vec::new(),
        blocks: 0,
    };
    finder.block(block);
    let mut found = FreshAppends::default();
    for d in &finder.decls {
        if d.spoiled || finder.has_goto[d.function] {
            continue;
        }
        let Some(last) = d.appends.iter().map(|(at, _)| *at).max() else {
            continue;
        };
        if d.escapes.iter().all(|&e| e > last) {
            for (_, tokens) in &d.appends {
                for t in tokens {
                    found.ids.insert(t.name_id());
                    found._tokens.push(t.clone());
                }
            }
        }
    }
    found
}

/// A `local t = {...}` declaration.
struct Decl<S> {
    function: usize,
    block: usize,
    /// Appends: the statement of the declaring block they are in, and their tokens.
    appends: Vec<(usize, [S; 2])>,
    /// The statements of the declaring block where the table may get out.
    escapes: Vec<usize>,
    /// Assigned, or stored into other than by appending.
    spoiled: bool,
}

struct Finder<S> {
    /// Locals in scope, innermost last, with their declaration if a candidate.
    scope: Vec<(S, Option<usize>)>,
    decls: Vec<Decl<S>>,
    /// Per function (0: the chunk): whether it has a `goto`.
    has_goto: Vec<bool>,
    /// The functions being walked, innermost last.
    functions: Vec<usize>,
    /// The blocks being walked, innermost last: their number and the statement at hand.
    cursor: Vec<(usize, usize)>,
    blocks: usize,
}

impl<S: Clone + PartialEq + NameId> Finder<S> {
    fn function_here(&self) -> usize {
        self.functions.last().copied().unwrap_or(0)
    }

    /// The candidate `name` refers to, if it is one declared in the function being walked
    /// (`Err` for one of an enclosing function: a capture).
    fn candidate(&self, name: &S) -> Option<Result<usize, usize>> {
        let (_, d) = self.scope.iter().rev().find(|(n, _)| n == name)?;
        let d = (*d)?;
        Some(if self.decls[d].function == self.function_here() {
            Ok(d)
        } else {
            Err(d)
        })
    }

    /// The statement of `d`'s declaring block the walk is in (always found: `d` is in scope
    /// only inside that block).
    fn position(&self, d: usize) -> Option<usize> {
        let block = self.decls[d].block;
        self.cursor
            .iter()
            .rev()
            .find(|(b, _)| *b == block)
            .map(|(_, at)| *at)
    }

    fn escape(&mut self, d: usize) {
        // Not found: as if first, which keeps every append of `d` to the helper.
        let at = self.position(d).unwrap_or(0);
        self.decls[d].escapes.push(at);
    }

    /// Walks `statements` as a block of their own, then `after` (a `repeat`'s condition,
    /// which sees the body's locals) at the position after them.
    fn statements(&mut self, block: &Block<S>, after: Option<&Expression<S>>) {
        let id = self.blocks;
        self.blocks += 1;
        let mark = self.scope.len();
        self.cursor.push((id, 0));
        for (i, s) in block.statements.iter().enumerate() {
            self.at(i);
            self.statement(&s.inner);
        }
        self.at(block.statements.len());
        if let Some(r) = &block.return_statement {
            walk_return(self, &r.inner);
        }
        if let Some(e) = after {
            self.expression(e);
        }
        self.cursor.pop();
        self.scope.truncate(mark);
    }

    fn at(&mut self, i: usize) {
        if let Some(c) = self.cursor.last_mut() {
            c.1 = i;
        }
    }

    /// `t[#t + 1] = v` with `t` a candidate of this function: its declaration and tokens.
    fn append(&self, target: &AssignmentTarget<S>) -> Option<(usize, [S; 2])> {
        let AssignmentTarget::Field(prefix, FieldSuffix::Indexed(key)) = target else {
            return None;
        };
        let (PrimaryExpression::Name(n), []) = (&prefix.primary, prefix.suffixes.as_slice()) else {
            return None;
        };
        let d = self.candidate(n)?.ok()?;
        let m = single_name(length_plus_one(key)?)?;
        (m == n).then(|| (d, [n.clone(), m.clone()]))
    }
}

/// Whether `e` is a table constructor and nothing else.
fn is_constructor<S>(e: &Expression<S>) -> bool {
    e.tail.is_empty()
        && matches!(
            &*e.head,
            HeadExpression::Simple(SimpleExpression::TableConstructor(_))
        )
}

impl<S: Clone + PartialEq + NameId> Visit<S> for Finder<S> {
    fn block(&mut self, b: &Block<S>) {
        self.statements(b, None);
    }

    fn statement(&mut self, s: &Statement<S>) {
        match s {
            Statement::Goto(_) | Statement::Label(_) => {
                let f = self.function_here();
                self.has_goto[f] = true;
            }
            Statement::LocalStatement(l) => {
                for e in &l.values {
                    self.expression(e);
                }
                let candidate = matches!(
                    (l.names.as_slice(), l.values.as_slice()),
                    ([_], [v]) if is_constructor(v)
                );
                for n in &l.names {
                    let d = candidate.then(|| {
                        self.decls.push(Decl {
                            function: self.function_here(),
                            block: self.cursor.last().map_or(0, |c| c.0),
                            appends: Vec::new(),
                            escapes: Vec::new(),
                            spoiled: false,
                        });
                        self.decls.len() - 1
                    });
                    self.scope.push((n.clone(), d));
                }
            }
            Statement::LocalFunction(f) => {
                self.scope.push((f.name.clone(), None));
                self.function(&f.definition);
            }
            Statement::Function(f) => {
                if let Some(Ok(d) | Err(d)) = self.candidate(&f.name) {
                    self.decls[d].spoiled = true;
                }
                self.function(&f.definition);
            }
            Statement::Assignment(a) => {
                if let ([target], [value]) = (a.targets.as_slice(), a.values.as_slice()) {
                    if let Some((d, ids)) = self.append(target) {
                        let at = self.position(d).unwrap_or(usize::MAX);
                        self.decls[d].appends.push((at, ids));
                        self.expression(value);
                        return;
                    }
                }
                for t in &a.targets {
                    match t {
                        AssignmentTarget::Name(n) => {
                            if let Some(Ok(d) | Err(d)) = self.candidate(n) {
                                self.decls[d].spoiled = true;
                            }
                        }
                        AssignmentTarget::Field(prefix, field) => {
                            match (&prefix.primary, prefix.suffixes.as_slice()) {
                                (PrimaryExpression::Name(n), []) => {
                                    if let Some(Ok(d) | Err(d)) = self.candidate(n) {
                                        self.decls[d].spoiled = true;
                                    }
                                }
                                _ => self.suffixed(prefix),
                            }
                            self.field(field);
                        }
                    }
                }
                for e in &a.values {
                    self.expression(e);
                }
            }
            Statement::Repeat(r) => self.statements(&r.body, Some(&r.until)),
            _ => walk_statement(self, s),
        }
    }

    fn numeric_for_body(&mut self, name: &S, body: &Block<S>) {
        let mark = self.scope.len();
        self.scope.push((name.clone(), None));
        self.block(body);
        self.scope.truncate(mark);
    }

    fn generic_for_body(&mut self, names: &[S], body: &Block<S>) {
        let mark = self.scope.len();
        self.scope.extend(names.iter().map(|n| (n.clone(), None)));
        self.block(body);
        self.scope.truncate(mark);
    }

    fn function(&mut self, f: &FunctionDefinition<S>) {
        let id = self.has_goto.len();
        self.has_goto.push(false);
        self.functions.push(id);
        let mark = self.scope.len();
        self.scope
            .extend(f.parameters.iter().map(|p| (p.clone(), None)));
        self.block(&f.body);
        self.scope.truncate(mark);
        self.functions.pop();
    }

    fn head(&mut self, h: &HeadExpression<S>) {
        // `#t` reads the table.
        if let HeadExpression::UnaryOperator(UnaryOperator::Len, e) = h {
            if let Some(Ok(_)) = single_name(e).and_then(|n| self.candidate(n)) {
                return;
            }
        }
        walk_head(self, h);
    }

    fn suffixed(&mut self, s: &SuffixedExpression<S>) {
        if let PrimaryExpression::Name(n) = &s.primary {
            match self.candidate(n) {
                // `t.k`, `t[k]` (then anything): a read.
                Some(Ok(_)) if matches!(s.suffixes.first(), Some(SuffixPart::Field(_))) => {}
                Some(Ok(d) | Err(d)) => self.escape(d),
                None => {}
            }
        }
        walk_suffixed(self, s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::kinds::tests::Fresh as Tokens;
    use piccolo::compiler::parse_chunk;

    /// How many appends of `source` qualify.
    fn qualifying(source: &str) -> usize {
        let chunk = parse_chunk(source.as_bytes(), &mut Tokens).expect("parses");
        fresh_appends(&chunk.block).len() / 2
    }

    #[test]
    fn appends_before_any_escape_qualify() {
        assert_eq!(
            qualifying("local t = {} for i = 1, 3 do t[#t + 1] = i end return t"),
            1
        );
        assert_eq!(
            qualifying("local t = {} t[#t + 1] = 1 t[#t + 1] = t.x print(table.concat(t))"),
            2
        );
        // Reads and lengths inside the loop are not escapes.
        assert_eq!(
            qualifying("local t = {1} while #t < 9 do t[#t + 1] = t[#t] * 2 end print(t[9])"),
            1
        );
    }

    #[test]
    fn an_escape_before_or_beside_an_append_disqualifies() {
        assert_eq!(qualifying("local t = {} f(t) t[#t + 1] = 1"), 0);
        assert_eq!(
            qualifying("local t = {} for i = 1, 3 do t[#t + 1] = i f(t) end"),
            0
        );
        assert_eq!(
            qualifying("local t = {} for i = 1, 3 do t[#t + 1] = t end"),
            0
        );
        assert_eq!(
            qualifying("local t = {} local g = function() return t end t[#t + 1] = 1"),
            0
        );
        assert_eq!(qualifying("local t = {} t:m() t[#t + 1] = 1"), 0);
        assert_eq!(qualifying("local t = {} local u = t t[#t + 1] = 1"), 0);
    }

    #[test]
    fn other_stores_assignments_and_gotos_disqualify() {
        assert_eq!(qualifying("local t = {} t.x = nil t[#t + 1] = 1"), 0);
        assert_eq!(qualifying("local t = {} t[#t + 1] = 1 t[#t] = nil"), 0);
        assert_eq!(qualifying("local t = {} t = {} t[#t + 1] = 1"), 0);
        assert_eq!(
            qualifying("local t = {} function t.f() end t[#t + 1] = 1"),
            0
        );
        assert_eq!(
            qualifying("local t = {} ::a:: t[#t + 1] = 1 if #t < 3 then goto a end"),
            0
        );
        // Not a table made here.
        assert_eq!(qualifying("local t = g() t[#t + 1] = 1"), 0);
        assert_eq!(qualifying("local a, t = 1, {} t[#t + 1] = 1"), 0);
    }

    #[test]
    fn captures_and_nested_functions_are_told_apart() {
        // An append through an upvalue is not the declaring call's.
        assert_eq!(
            qualifying("local t = {} local function f() t[#t + 1] = 1 end"),
            0
        );
        // A nested function's own table qualifies; a goto outside it does not matter.
        assert_eq!(
            qualifying("local function f() local t = {} t[#t + 1] = 1 return t end ::x::"),
            1
        );
        // Shadowing: the inner `t` is another local.
        assert_eq!(
            qualifying("local t = {} do local t = g() t[#t + 1] = 1 end t[#t + 1] = 2"),
            1
        );
        // A `repeat` condition runs after the body's statements.
        assert_eq!(
            qualifying("repeat local t = {} t[#t + 1] = 1 until f(t)"),
            1
        );
    }
}
