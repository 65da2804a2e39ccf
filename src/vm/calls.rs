//! The call rewrite of diagnostic mode (see `diagnostics.rs`): every call `f(args)` becomes
//! `(call)(f, site, args)`, where `site` is `what\tN[\t@L][\tT]`: `what` names `f` as Lua
//! 5.3 would in an error (`global 'f'`, `local 'f'`, `upvalue 'f'`, `field 'f'`), `N` is the
//! number of Lua stack slots the calling frame holds below the call (its active locals, a
//! `for` loop's three hidden ones included, plus the function slot: what PUC Lua's call
//! stacks up per level, for its `stack overflow` limit), `L` is the source line Lua gives the
//! call (that of the first token of the called expression, where piccolo gives every call
//! of a statement the statement's first line) when its token is known, and `\tT` marks a
//! call in tail position.
//!
//! A generic `for`'s call of its iterator (`(for f)((for s), (for c))`, see `assign.rs`)
//! goes through `(call)` too, named as Lua names that frame (`for iterator`) and on the
//! line of the first token after `in`, where Lua puts it.
//!
//! It runs after every other pass, on the final tree: calls of the pipeline's own helpers
//! (hidden names) are left alone, a field read is recognised in its `(index)` form, and
//! parameters are already `local` statements. A tail call `return f(x)` becomes
//! `return (pass)((call)(f, ...))`: a tail call of the helper would drop the calling frame
//! that its position and the shadow stack come from; the `T` mark tells the shadow stack
//! that in Lua the caller's frame would be gone.

use std::collections::HashSet;
use std::sync::Arc;

use piccolo::compiler::parser::{
    Block, CallSuffix, ConstructorField, Expression, FieldSuffix, ForStatement,
    FunctionCallStatement, FunctionDefinition, HeadExpression, LineAnnotated, LocalStatement,
    PrimaryExpression, SimpleExpression, Statement, SuffixPart, SuffixedExpression,
};
use piccolo::compiler::LineNumber;

use super::compile::SourceString;
use super::index::{is_hidden, After, Anchor, Describe};
use super::rewrite::simple;
use super::visit::mutable::{walk_simple, walk_statement, walk_suffixed, VisitMut};

/// The start of the site of a loop's mark (see [`CallRewrite::mark_loop`]).
pub const LOOP_SITE: &str = "(loop)\t";

pub struct CallRewrite {
    call: SourceString,
    pass: SourceString,
    /// The method-call helper: a tail method call is kept as `(call)` tail calls are.
    method: SourceString,
    index: SourceString,
    inline: SourceString,
    /// Locals in scope, innermost last, with the depth of the function declaring them.
    scope: Vec<(SourceString, usize)>,
    depth: usize,
    /// Gives the source line of a token (`@N`, see `index.rs`).
    text: Describe<SourceString>,
    /// The hidden local holding a generic `for`'s iterator.
    iterator: SourceString,
    /// The names that start an item of a table constructor (by allocation): Lua's parser
    /// reads the token after such a name before parsing the item, so the calls of an item
    /// that starts with one are on the line of the token after it.
    item_starts: HashSet<usize>,
}

impl CallRewrite {
    pub fn new(
        [call, pass, method]: [SourceString; 3],
        index: SourceString,
        inline: SourceString,
        text: Describe<SourceString>,
    ) -> Self {
        CallRewrite {
            call,
            pass,
            method,
            index,
            inline,
            scope: Vec::new(),
            depth: 0,
            text,
            iterator: Arc::from(&b"(for f)"[..]),
            item_starts: HashSet::new(),
        }
    }

    fn kind(&self, name: &SourceString) -> &'static str {
        match self.scope.iter().rev().find(|(n, _)| n == name) {
            Some((_, depth)) if *depth == self.depth => "local",
            Some(_) => "upvalue",
            None => "global",
        }
    }

    /// Stack slots a call made here stacks up in PUC Lua: the function slot above the
    /// current function's active locals (ours: the visible ones, and the three hidden ones
    /// of each enclosing `for`).
    fn frame_slots(&self) -> usize {
        let locals = self
            .scope
            .iter()
            .rev()
            .take_while(|(_, depth)| *depth == self.depth)
            .filter(|(n, _)| !is_hidden(n) || n.starts_with(b"(for "))
            .count();
        locals + 1
    }

    /// How Lua names the value `s` evaluates to, when it is a variable or a field read.
    fn what(&self, s: &SuffixedExpression<SourceString>) -> String {
        let text = |b: &SourceString| String::from_utf8_lossy(b).into_owned();
        match (&s.primary, s.suffixes.as_slice()) {
            (PrimaryExpression::Name(n), []) if !is_hidden(n) => {
                format!("{} '{}'", self.kind(n), text(n))
            }
            // `(f)(x)`: Lua names `f` (parentheses only cut a call's results to one).
            (PrimaryExpression::GroupedExpression(inner), []) => match &*inner.head {
                HeadExpression::Simple(SimpleExpression::Suffixed(i)) if inner.tail.is_empty() => {
                    self.what(i)
                }
                // `("x")()`: Lua loads the string constant into a register and names it.
                HeadExpression::Simple(SimpleExpression::String(k)) if inner.tail.is_empty() => {
                    format!("constant '{}'", text(k))
                }
                _ => String::new(),
            },
            // `(index)(base, key, ...)`: a field read (see `index.rs`).
            (PrimaryExpression::Name(h), [SuffixPart::Call(CallSuffix::Function(args))])
                if *h == self.index =>
            {
                match args.get(1).and_then(string_constant) {
                    Some(k) => format!("field '{}'", text(k)),
                    None => "field '?'".into(),
                }
            }
            (_, [.., SuffixPart::Field(FieldSuffix::Named(k))]) => format!("field '{}'", text(k)),
            (_, [.., SuffixPart::Field(FieldSuffix::Indexed(k))]) => match string_constant(k) {
                Some(k) => format!("field '{}'", text(k)),
                None => "field '?'".into(),
            },
            _ => String::new(),
        }
    }

    /// `\t@L`: the line Lua gives a call of `callee` (see the module docs), if known.
    fn call_line(&self, callee: &SuffixedExpression<SourceString>) -> String {
        let anchor = match start_token(callee) {
            Some((token, false)) if self.item_starts.contains(&address(token)) => Anchor::Read {
                key: token.clone(),
                bracketed: false,
                skip: 0,
                after: After::Next,
            },
            Some((token, false)) => Anchor::Latest(vec![token.clone()]),
            // `(f)(x)`: the line of the `(`, the token before the first one inside.
            Some((token, true)) => Anchor::Before(token.clone()),
            None => return String::new(),
        };
        self.line_text(anchor)
    }

    /// `\t@L` for the line `anchor` names, if known.
    fn line_text(&self, anchor: Anchor<SourceString>) -> String {
        let text = (self.text)(&[], anchor);
        if text.starts_with(b"@") {
            format!("\t{}", String::from_utf8_lossy(&text))
        } else {
            String::new()
        }
    }

    /// The arguments of `(call)` for calling `callee` with `args`: `callee, what, args...`.
    fn call_arguments(
        &self,
        callee: SuffixedExpression<SourceString>,
        args: Vec<Expression<SourceString>>,
        tail: bool,
    ) -> Vec<Expression<SourceString>> {
        let what = self.what(&callee);
        let line = self.call_line(&callee);
        self.site_arguments(callee, what, line, args, tail)
    }

    /// `callee, site, args...` for `(call)`, given `what` and the `\t@L` part of the site.
    fn site_arguments(
        &self,
        callee: SuffixedExpression<SourceString>,
        mut what: String,
        line: String,
        args: Vec<Expression<SourceString>>,
        tail: bool,
    ) -> Vec<Expression<SourceString>> {
        what.push_str(&format!("\t{}{line}", self.frame_slots()));
        if tail {
            what.push_str("\tT");
        }
        let mut all = Vec::with_capacity(args.len() + 2);
        all.push(simple(SimpleExpression::Suffixed(callee)));
        all.push(simple(SimpleExpression::String(Arc::from(what.as_bytes()))));
        all.extend(args);
        all
    }

    fn wrap(
        &self,
        callee: SuffixedExpression<SourceString>,
        args: Vec<Expression<SourceString>>,
        tail: bool,
    ) -> SuffixedExpression<SourceString> {
        SuffixedExpression {
            primary: PrimaryExpression::Name(self.call.clone()),
            suffixes: vec![SuffixPart::Call(CallSuffix::Function(
                self.call_arguments(callee, args, tail),
            ))],
        }
    }

    /// Starts the body of a loop with `(call)(nil, "(loop)\tFIRST\tLAST")` (its lines): a
    /// no-op, except when a re-run looks for the loop a runaway call was running (see
    /// `diagnostics::aim_at_stop`). Only diagnostic mode has it.
    fn mark_loop(&self, s: &mut LineAnnotated<Statement<SourceString>>) {
        let first = s.line_number;
        let body = match &mut s.inner {
            Statement::While(w) => &mut w.block,
            Statement::Repeat(r) => &mut r.body,
            Statement::For(ForStatement::Numeric { body, .. })
            | Statement::For(ForStatement::Generic { body, .. }) => body,
            _ => return,
        };
        body.statements
            .insert(0, self.loop_hook(first, body.closed_on));
    }

    /// After a label a later `goto` jumps back to (a loop written with `goto`), the same
    /// mark as [`Self::mark_loop`]'s, its lines from the label to the last such `goto`.
    fn mark_goto_loops(&self, statements: &mut Vec<LineAnnotated<Statement<SourceString>>>) {
        let mut i = 0;
        while i < statements.len() {
            if let Statement::Label(l) = &statements[i].inner {
                let last = (!is_hidden(&l.name))
                    .then(|| last_goto(&statements[i + 1..], &l.name))
                    .flatten();
                if let Some(last) = last {
                    let hook = self.loop_hook(statements[i].line_number, last);
                    statements.insert(i + 1, hook);
                    i += 1;
                }
            }
            i += 1;
        }
    }

    /// `(call)(nil, "(loop)\tFIRST\tLAST")`, a statement on line `first`.
    fn loop_hook(
        &self,
        first: LineNumber,
        last: LineNumber,
    ) -> LineAnnotated<Statement<SourceString>> {
        let site = format!(
            "{LOOP_SITE}{}\t{}",
            first.0 as usize + 1,
            last.0 as usize + 1
        );
        let hook = Statement::FunctionCall(FunctionCallStatement {
            head: SuffixedExpression {
                primary: PrimaryExpression::Name(self.call.clone()),
                suffixes: Vec::new(),
            },
            call: CallSuffix::Function(vec![
                simple(SimpleExpression::Nil),
                simple(SimpleExpression::String(Arc::from(site.as_bytes()))),
            ]),
        });
        LineAnnotated {
            inner: hook,
            line_number: first,
        }
    }

    /// For a call of `(call)` or `(method)`, where its description argument is (the site
    /// of `(call)`, the receiver's description of `(method)`).
    fn called_helper(&self, e: &Expression<SourceString>) -> Option<usize> {
        if !e.tail.is_empty() {
            return None;
        }
        let HeadExpression::Simple(SimpleExpression::Suffixed(s)) = &*e.head else {
            return None;
        };
        match &s.primary {
            _ if s.suffixes.len() != 1 => None,
            PrimaryExpression::Name(n) if *n == self.call => Some(1),
            PrimaryExpression::Name(n) if *n == self.method => Some(2),
            _ => None,
        }
    }

    /// Whether calling `callee` is a call of one of the pipeline's helpers.
    fn is_helper(callee: &SuffixedExpression<SourceString>) -> bool {
        matches!(&callee.primary, PrimaryExpression::Name(n) if is_hidden(n))
            && callee.suffixes.is_empty()
    }

    /// Rewrites the calls of a chain whose parts were already visited.
    fn chain(&self, s: &mut SuffixedExpression<SourceString>, tail: bool) {
        let last = s.suffixes.len().saturating_sub(1);
        let primary = std::mem::replace(&mut s.primary, PrimaryExpression::Name(self.call.clone()));
        let mut acc = SuffixedExpression {
            primary,
            suffixes: Vec::new(),
        };
        for (i, part) in std::mem::take(&mut s.suffixes).into_iter().enumerate() {
            match part {
                SuffixPart::Call(CallSuffix::Function(args)) if !Self::is_helper(&acc) => {
                    acc = self.wrap(acc, args, tail && i == last);
                }
                other => acc.suffixes.push(other),
            }
        }
        *s = acc;
    }

    /// Rewrites `value` into a `(call)` of the iterator when it is a generic `for`'s call
    /// `(for f)((for s), (for c))`, `last` being the last name the loop declares.
    fn iterator_call(&self, value: &mut Expression<SourceString>, last: &SourceString) {
        if !value.tail.is_empty() {
            return;
        }
        let HeadExpression::Simple(SimpleExpression::Suffixed(s)) = &mut *value.head else {
            return;
        };
        let is_iterator = matches!(&s.primary, PrimaryExpression::Name(n) if *n == self.iterator)
            && matches!(
                s.suffixes.as_slice(),
                [SuffixPart::Call(CallSuffix::Function(_))]
            );
        if !is_iterator {
            return;
        }
        let Some(SuffixPart::Call(CallSuffix::Function(args))) = s.suffixes.pop() else {
            return;
        };
        let callee = std::mem::replace(
            s,
            SuffixedExpression {
                primary: PrimaryExpression::Name(self.call.clone()),
                suffixes: Vec::new(),
            },
        );
        let line = self.line_text(Anchor::ForIn(last.clone()));
        let args = self.site_arguments(callee, ITERATOR.to_owned(), line, args, false);
        s.suffixes
            .push(SuffixPart::Call(CallSuffix::Function(args)));
    }

    /// The body of a function, as the function (`inline`: a helper function of the
    /// operator rewrite, part of the one around it in Lua's eyes).
    fn body(&mut self, f: &mut FunctionDefinition<SourceString>) {
        let inline = matches!(
            f.body.statements.first().map(|s| &s.inner),
            Some(Statement::LocalStatement(LocalStatement { names, .. }))
                if names.first() == Some(&self.inline)
        ) || f.parameters.first() == Some(&self.inline);
        let mark = self.scope.len();
        let depth = self.depth;
        if !inline {
            self.depth += 1;
        }
        for p in &f.parameters {
            self.scope.push((p.clone(), self.depth));
        }
        self.block(&mut f.body);
        self.depth = depth;
        self.scope.truncate(mark);
    }
}

impl VisitMut<SourceString> for CallRewrite {
    fn block(&mut self, b: &mut Block<SourceString>) {
        let mark = self.scope.len();
        for s in &mut b.statements {
            self.statement(&mut s.inner);
            self.mark_loop(s);
        }
        self.mark_goto_loops(&mut b.statements);
        if let Some(r) = &mut b.return_statement {
            let n = r.inner.returns.len();
            for (i, e) in r.inner.returns.iter_mut().enumerate() {
                let tail = n == 1 && i == 0 && is_plain_call(e);
                self.expression(e);
                let helper = if tail { self.called_helper(e) } else { None };
                if let Some(what_at) = helper {
                    // `return (pass)((call)(...))`: see the module docs.
                    if let HeadExpression::Simple(SimpleExpression::Suffixed(s)) = &mut *e.head {
                        let placeholder = SuffixedExpression {
                            primary: PrimaryExpression::Name(self.pass.clone()),
                            suffixes: Vec::new(),
                        };
                        let mut marked = std::mem::replace(s, placeholder);
                        mark_tail(&mut marked, what_at);
                        s.suffixes = vec![SuffixPart::Call(CallSuffix::Function(vec![simple(
                            SimpleExpression::Suffixed(marked),
                        )]))];
                    }
                }
            }
        }
        self.scope.truncate(mark);
    }

    fn statement(&mut self, s: &mut Statement<SourceString>) {
        match s {
            Statement::LocalStatement(LocalStatement { names, values }) => {
                for v in values.iter_mut() {
                    self.expression(v);
                }
                // `local k, v = (for f)((for s), (for c))`: a generic `for` calling its
                // iterator.
                if let ([value], Some(last)) = (values.as_mut_slice(), names.last()) {
                    self.iterator_call(value, last);
                }
                for n in names.iter() {
                    self.scope.push((n.clone(), self.depth));
                }
            }
            Statement::LocalFunction(f) => {
                self.scope.push((f.name.clone(), self.depth));
                self.body(&mut f.definition);
            }
            Statement::Repeat(r) => {
                // The condition sees the body's locals.
                let mark = self.scope.len();
                for st in &mut r.body.statements {
                    self.statement(&mut st.inner);
                    self.mark_loop(st);
                }
                self.mark_goto_loops(&mut r.body.statements);
                walk_block_return(self, &mut r.body);
                self.expression(&mut r.until);
                self.scope.truncate(mark);
            }
            Statement::FunctionCall(_) => {
                walk_statement(self, s);
                let Statement::FunctionCall(FunctionCallStatement {
                    head,
                    call: CallSuffix::Function(args),
                }) = s
                else {
                    return;
                };
                if Self::is_helper(head) {
                    return;
                }
                let callee = std::mem::replace(
                    head,
                    SuffixedExpression {
                        primary: PrimaryExpression::Name(self.call.clone()),
                        suffixes: Vec::new(),
                    },
                );
                *args = self.call_arguments(callee, std::mem::take(args), false);
            }
            _ => walk_statement(self, s),
        }
    }

    fn numeric_for_body(&mut self, name: &SourceString, body: &mut Block<SourceString>) {
        let mark = self.scope.len();
        // Lua's index, limit and step (counted by `frame_slots`).
        for _ in 0..3 {
            self.scope
                .push((Arc::from(&b"(for numeric)"[..]), self.depth));
        }
        self.scope.push((name.clone(), self.depth));
        self.block(body);
        self.scope.truncate(mark);
    }

    fn generic_for_body(&mut self, names: &[SourceString], body: &mut Block<SourceString>) {
        let mark = self.scope.len();
        for n in names {
            self.scope.push((n.clone(), self.depth));
        }
        self.block(body);
        self.scope.truncate(mark);
    }

    fn function(&mut self, f: &mut FunctionDefinition<SourceString>) {
        self.body(f);
    }

    fn simple(&mut self, s: &mut SimpleExpression<SourceString>) {
        if let SimpleExpression::TableConstructor(t) = s {
            for f in &t.fields {
                if let ConstructorField::Array(e) = f {
                    if let Some(PrimaryExpression::Name(n)) = item_primary(e) {
                        self.item_starts.insert(address(n));
                    }
                }
            }
        }
        walk_simple(self, s);
    }

    fn suffixed(&mut self, s: &mut SuffixedExpression<SourceString>) {
        walk_suffixed(self, s);
        if s.suffixes
            .iter()
            .any(|p| matches!(p, SuffixPart::Call(CallSuffix::Function(_))))
        {
            self.chain(s, false);
        }
    }
}

fn address(token: &SourceString) -> usize {
    Arc::as_ptr(token) as *const u8 as usize
}

/// The primary an item (an expression) starts with, through the base of field reads
/// (`(index)(base, key)`) and rewritten calls, when it starts with a suffixed expression.
pub(super) fn item_primary(
    e: &Expression<SourceString>,
) -> Option<&PrimaryExpression<SourceString>> {
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
                .and_then(item_primary)
        }
        (p, _) => Some(p),
    }
}

/// How Lua names the frame of a generic `for`'s iterator (its call error names nothing).
pub const ITERATOR: &str = "for iterator 'for iterator'";

/// The first source token of the expression `s` calls, and whether it is inside
/// parentheses that start the expression: its name, or that of the base of a field read
/// (`(index)(base, key)`) or of another rewritten call (`(call)(f, site)`), skipping the
/// operator code of `(arith)(code, a, b)`.
pub(super) fn start_token(s: &SuffixedExpression<SourceString>) -> Option<(&SourceString, bool)> {
    match (&s.primary, s.suffixes.first()) {
        (PrimaryExpression::Name(n), _) if !is_hidden(n) => Some((n, false)),
        (PrimaryExpression::Name(_), Some(SuffixPart::Call(CallSuffix::Function(args)))) => args
            .iter()
            .find(|a| {
                !matches!(
                    &*a.head,
                    HeadExpression::Simple(SimpleExpression::Integer(_))
                )
            })
            .and_then(expression_start),
        (PrimaryExpression::GroupedExpression(inner), _) => {
            expression_start(inner).map(|(t, _)| (t, true))
        }
        _ => None,
    }
}

fn expression_start(e: &Expression<SourceString>) -> Option<(&SourceString, bool)> {
    match &*e.head {
        HeadExpression::Simple(SimpleExpression::Suffixed(s)) => start_token(s),
        HeadExpression::Simple(SimpleExpression::String(s)) => Some((s, false)),
        _ => None,
    }
}

/// The return statement of a block whose statements were visited already.
fn walk_block_return(v: &mut CallRewrite, b: &mut Block<SourceString>) {
    let statements = std::mem::take(&mut b.statements);
    v.block(b);
    b.statements = statements;
}

/// The line of the last `goto label` among `statements` and the blocks inside them (not
/// inside functions they define, where the label is not visible).
fn last_goto(
    statements: &[LineAnnotated<Statement<SourceString>>],
    label: &SourceString,
) -> Option<LineNumber> {
    let mut last = None;
    for s in statements {
        let found = match &s.inner {
            Statement::Goto(g) if g.name == *label => Some(s.line_number),
            Statement::Do(b) => last_goto(&b.statements, label),
            Statement::While(w) => last_goto(&w.block.statements, label),
            Statement::Repeat(r) => last_goto(&r.body.statements, label),
            Statement::For(ForStatement::Numeric { body, .. })
            | Statement::For(ForStatement::Generic { body, .. }) => {
                last_goto(&body.statements, label)
            }
            Statement::If(i) => std::iter::once(&i.if_part.1)
                .chain(i.else_if_parts.iter().map(|(_, b)| b))
                .chain(i.else_part.as_ref())
                .filter_map(|b| last_goto(&b.statements, label))
                .max_by_key(|l| l.0),
            _ => None,
        };
        if let Some(l) = found {
            if last.is_none_or(|x: LineNumber| l.0 > x.0) {
                last = Some(l);
            }
        }
    }
    last
}

/// `e` is a single call (not in parentheses): a tail call when returned alone.
fn is_plain_call<S>(e: &Expression<S>) -> bool {
    e.tail.is_empty()
        && matches!(&*e.head, HeadExpression::Simple(SimpleExpression::Suffixed(s))
            if matches!(s.suffixes.last(), Some(SuffixPart::Call(_))))
}

/// Marks the outermost `(call)` or `(method)` of a rewritten tail call: the end of its
/// description argument, at `what_at` (a method call's absent description becomes the
/// mark alone, see `diagnostics::tail_mark`).
fn mark_tail(s: &mut SuffixedExpression<SourceString>, what_at: usize) {
    if s.suffixes.len() != 1 {
        return;
    }
    let Some(SuffixPart::Call(CallSuffix::Function(args))) = s.suffixes.last_mut() else {
        return;
    };
    if let Some(what) = args.get_mut(what_at) {
        if matches!(&*what.head, HeadExpression::Simple(SimpleExpression::Nil)) {
            *what.head = HeadExpression::Simple(SimpleExpression::String(Arc::from(&b""[..])));
        }
        if let HeadExpression::Simple(SimpleExpression::String(text)) = &mut *what.head {
            if !text.ends_with(b"\tT") {
                let mut t = text.to_vec();
                t.extend_from_slice(b"\tT");
                *text = Arc::from(t.as_slice());
            }
        }
    }
}

fn string_constant<S>(e: &Expression<S>) -> Option<&S> {
    match &*e.head {
        HeadExpression::Simple(SimpleExpression::String(s)) if e.tail.is_empty() => Some(s),
        _ => None,
    }
}
