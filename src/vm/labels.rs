//! The label rewrite: every label gets a name of its own, and every `goto` the name of the
//! label Lua would jump to.
//!
//! Lua resolves `goto l` in the goto's own block first, whether `::l::` comes before or
//! after it there, then in the enclosing blocks outward. piccolo 0.3.3 takes a label already
//! defined in an enclosing block over one defined later in the goto's own block, so in
//! `::l:: ... do goto l; ::l:: end` it jumps back to the outer label (a loop that never
//! ends, where Lua goes forward). Unique names leave piccolo one choice. The pass also
//! raises the compile errors Lua gives for gotos and labels (piccolo's are worded
//! otherwise or missing): a label defined twice in a block, a goto with no visible label,
//! and a goto that jumps forward into the scope of a local.

use piccolo::compiler::parser::{Block, FunctionDefinition, Statement};
use piccolo::compiler::LineNumber;

use super::visit::mutable::{walk_function, walk_return, VisitMut};

/// A compile error found by the pass, with the lines Lua's message names.
pub enum LabelError<S> {
    /// `label 'name' already defined on line first`, reported at `again`.
    Repeated {
        name: S,
        first: LineNumber,
        again: LineNumber,
    },
    /// `no visible label 'name' for <goto> at line at`, reported where its function ends.
    Unresolved {
        name: S,
        at: LineNumber,
        end: LineNumber,
    },
    /// `<goto name> at line at jumps into the scope of local 'local'`, reported at the label.
    IntoScope {
        name: S,
        at: LineNumber,
        local: S,
        label: LineNumber,
    },
}

/// A label of a block: its name, unique name, statement index and line, and whether only
/// labels follow it in the block (Lua then counts it out of the scope of the block's locals).
struct Label<S> {
    name: S,
    unique: S,
    index: usize,
    line: LineNumber,
    last: bool,
}

/// What the pass knows of a block being visited.
struct BlockInfo<S> {
    labels: Vec<Label<S>>,
    /// Statement indices of its `local` declarations, with the first name declared.
    locals: Vec<(usize, S)>,
    /// The index of the statement being visited.
    current: usize,
}

pub struct LabelRewrite<S> {
    /// The enclosing blocks of the current function, innermost last.
    blocks: Vec<BlockInfo<S>>,
    /// The blocks of enclosing functions, set aside (labels are not visible across them).
    outer: Vec<Vec<BlockInfo<S>>>,
    count: usize,
    /// The unique name of the `n`th label called `name`.
    unique: fn(&S, usize) -> S,
    /// The first error found.
    pub error: Option<LabelError<S>>,
    /// The line of the statement being visited, and where the current function ends.
    line: LineNumber,
    function_end: LineNumber,
    /// Set while entering a `repeat` body, whose last label is still in the scope of its
    /// locals (`until` can see them).
    repeat_body: bool,
}

impl<S: Clone + PartialEq> LabelRewrite<S> {
    pub fn new(unique: fn(&S, usize) -> S) -> Self {
        LabelRewrite {
            blocks: Vec::new(),
            outer: Vec::new(),
            count: 0,
            unique,
            error: None,
            line: LineNumber(0),
            function_end: LineNumber(0),
            repeat_body: false,
        }
    }

    /// Visits a chunk's body (the main function).
    #[inline(never)] // a compile job of its own in V8 (see `compile::compile_here`)
    pub fn chunk(&mut self, b: &mut Block<S>) {
        self.function_end = b.closed_on;
        self.block(b);
    }

    fn fail(&mut self, e: LabelError<S>) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }
}

impl<S: Clone + PartialEq> VisitMut<S> for LabelRewrite<S> {
    fn block(&mut self, b: &mut Block<S>) {
        // This block's labels, renamed before its statements are visited: a goto may come
        // before its label.
        let mut info = BlockInfo {
            labels: Vec::new(),
            locals: Vec::new(),
            current: 0,
        };
        let count = b.statements.len();
        let repeat_body = std::mem::take(&mut self.repeat_body);
        for i in 0..count {
            let only_labels_follow = b.statements[i + 1..]
                .iter()
                .all(|s| matches!(s.inner, Statement::Label(_)))
                && b.return_statement.is_none()
                && !repeat_body;
            let line = b.statements[i].line_number;
            match &mut b.statements[i].inner {
                Statement::Label(l) => {
                    if let Some(first) = info.labels.iter().find(|x| x.name == l.name) {
                        let e = LabelError::Repeated {
                            name: l.name.clone(),
                            first: first.line,
                            again: line,
                        };
                        self.fail(e);
                    }
                    self.count += 1;
                    let unique = (self.unique)(&l.name, self.count);
                    info.labels.push(Label {
                        name: l.name.clone(),
                        unique: unique.clone(),
                        index: i,
                        line,
                        last: only_labels_follow,
                    });
                    l.name = unique;
                }
                Statement::LocalStatement(l) => {
                    if let Some(n) = l.names.first() {
                        info.locals.push((i, n.clone()));
                    }
                }
                Statement::LocalFunction(f) => info.locals.push((i, f.name.clone())),
                _ => {}
            }
        }
        self.blocks.push(info);
        for (i, s) in b.statements.iter_mut().enumerate() {
            if let Some(info) = self.blocks.last_mut() {
                info.current = i;
            }
            self.line = s.line_number;
            self.statement(&mut s.inner);
        }
        if let Some(r) = &mut b.return_statement {
            walk_return(self, &mut r.inner);
        }
        self.blocks.pop();
    }

    fn statement(&mut self, s: &mut Statement<S>) {
        if let Statement::Repeat(r) = s {
            self.repeat_body = true;
            self.block(&mut r.body);
            return self.expression(&mut r.until);
        }
        let Statement::Goto(g) = s else {
            return super::visit::mutable::walk_statement(self, s);
        };
        let found = self.blocks.iter().rev().find_map(|block| {
            let label = block.labels.iter().find(|l| l.name == g.name)?;
            // A forward jump over a local declaration of that block, to a label still in
            // its scope.
            let skipped = block
                .locals
                .iter()
                .find(|(i, _)| *i > block.current && *i < label.index)
                .filter(|_| label.index > block.current && !label.last)
                .map(|(_, local)| (local.clone(), label.line));
            Some((label.unique.clone(), skipped))
        });
        match found {
            Some((unique, skipped)) => {
                if let Some((local, label)) = skipped {
                    let e = LabelError::IntoScope {
                        name: g.name.clone(),
                        at: self.line,
                        local,
                        label,
                    };
                    self.fail(e);
                }
                g.name = unique;
            }
            None => {
                let e = LabelError::Unresolved {
                    name: g.name.clone(),
                    at: self.line,
                    end: self.function_end,
                };
                self.fail(e);
            }
        }
    }

    fn function(&mut self, f: &mut FunctionDefinition<S>) {
        self.outer.push(std::mem::take(&mut self.blocks));
        let end = std::mem::replace(&mut self.function_end, f.body.closed_on);
        walk_function(self, f);
        self.function_end = end;
        self.blocks = self.outer.pop().unwrap_or_default();
    }
}
