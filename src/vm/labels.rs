//! The label rewrite: every label gets a name of its own, and every `goto` the name of the
//! label Lua would jump to.
//!
//! Lua resolves `goto l` in the goto's own block first, whether `::l::` comes before or
//! after it there, then in the enclosing blocks outward. piccolo 0.3.3 takes a label already
//! defined in an enclosing block over one defined later in the goto's own block, so in
//! `::l:: ... do goto l; ::l:: end` it jumps back to the outer label (a loop that never
//! ends, where Lua goes forward). Unique names leave piccolo one choice. A goto with no
//! visible label keeps its name, so piccolo's error still names it.

use piccolo::compiler::parser::{Block, FunctionDefinition, Statement};
use piccolo::compiler::LineNumber;

use super::visit::mutable::{walk_function, walk_return, VisitMut};

pub struct LabelRewrite<S> {
    /// The labels of the enclosing blocks of the current function, innermost last: each
    /// label's name and its unique name.
    blocks: Vec<Vec<(S, S)>>,
    /// The blocks of enclosing functions, set aside (labels are not visible across them).
    outer: Vec<Vec<Vec<(S, S)>>>,
    count: usize,
    /// The unique name of the `n`th label called `name`.
    unique: fn(&S, usize) -> S,
    /// The first label defined twice in one block: its name, and its two lines.
    pub repeated: Option<(S, LineNumber, LineNumber)>,
    /// The first goto with no visible label: its name, its line, and the line where its
    /// function ends (where Lua reports it).
    pub unresolved: Option<(S, LineNumber, LineNumber)>,
    /// The line of the statement being visited, and where the current function ends.
    line: LineNumber,
    function_end: LineNumber,
}

impl<S: Clone + PartialEq> LabelRewrite<S> {
    pub fn new(unique: fn(&S, usize) -> S) -> Self {
        LabelRewrite {
            blocks: Vec::new(),
            outer: Vec::new(),
            count: 0,
            unique,
            repeated: None,
            unresolved: None,
            line: LineNumber(0),
            function_end: LineNumber(0),
        }
    }

    /// Visits a chunk's body (the main function).
    pub fn chunk(&mut self, b: &mut Block<S>) {
        self.function_end = b.closed_on;
        self.block(b);
    }
}

impl<S: Clone + PartialEq> VisitMut<S> for LabelRewrite<S> {
    fn block(&mut self, b: &mut Block<S>) {
        // This block's labels, renamed before its statements are visited: a goto may come
        // before its label.
        let mut own: Vec<(S, S)> = Vec::new();
        let mut lines: Vec<LineNumber> = Vec::new();
        for s in &mut b.statements {
            if let Statement::Label(l) = &mut s.inner {
                // Lua refuses a name defined twice in one block (renamed, piccolo would not).
                if let Some(i) = own.iter().position(|(name, _)| *name == l.name) {
                    if self.repeated.is_none() {
                        self.repeated = Some((l.name.clone(), lines[i], s.line_number));
                    }
                }
                lines.push(s.line_number);
                self.count += 1;
                let unique = (self.unique)(&l.name, self.count);
                own.push((l.name.clone(), unique.clone()));
                l.name = unique;
            }
        }
        self.blocks.push(own);
        for s in &mut b.statements {
            self.line = s.line_number;
            self.statement(&mut s.inner);
        }
        if let Some(r) = &mut b.return_statement {
            walk_return(self, &mut r.inner);
        }
        self.blocks.pop();
    }

    fn statement(&mut self, s: &mut Statement<S>) {
        if let Statement::Goto(g) = s {
            let target = self
                .blocks
                .iter()
                .rev()
                .find_map(|labels| labels.iter().find(|(name, _)| *name == g.name));
            match target {
                Some((_, unique)) => g.name = unique.clone(),
                None if self.unresolved.is_none() => {
                    self.unresolved = Some((g.name.clone(), self.line, self.function_end));
                }
                None => {}
            }
            return;
        }
        super::visit::mutable::walk_statement(self, s);
    }

    fn function(&mut self, f: &mut FunctionDefinition<S>) {
        self.outer.push(std::mem::take(&mut self.blocks));
        let end = std::mem::replace(&mut self.function_end, f.body.closed_on);
        walk_function(self, f);
        self.function_end = end;
        self.blocks = self.outer.pop().unwrap_or_default();
    }
}
