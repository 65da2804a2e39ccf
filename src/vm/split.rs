//! Splitting function bodies that define too many functions.
//!
//! piccolo numbers a function's inner functions with one byte, so a function (a chunk
//! above all: a bundle of modules, a process with hundreds of handlers) that contains more
//! than 256 function literals fails to compile ("too many inner functions"), where Lua takes
//! any number. A body's statements are cut where the count passes [`FUNCTIONS_PER_PART`],
//! and the rest runs as a function of its own, nested there so that it still sees every
//! local declared before the cut:
//!
//! `S1 ... Sk  Sk+1 ... Sn  return R`
//! becomes `S1 ... Sk  return (function(...) Sk+1 ... Sn  return R end)(...)`,
//!
//! which returns what the body returned (nothing, when it ended without a `return`). Only a
//! function's own top-level statement list is cut (a `return` there ends the function), and
//! only when the function uses no `goto` or label (a jump across the cut would break).

use piccolo::compiler::parser::{
    Block, CallSuffix, FunctionDefinition, LineAnnotated, PrimaryExpression, ReturnStatement,
    SimpleExpression, Statement, SuffixPart, SuffixedExpression,
};

use super::rewrite::simple;
use super::visit::mutable::{walk_function, VisitMut};
use super::visit::read_only::{self, Visit};

/// Function literals one part of a body may hold (piccolo allows 256; the margin leaves
/// room for the part's own nested rest).
const FUNCTIONS_PER_PART: usize = 200;

pub struct SplitBodies;

impl SplitBodies {
    /// Splits the chunk's body (a vararg function) and every function body in it.
    pub fn chunk<S: Clone>(&mut self, body: &mut Block<S>) {
        self.block(body);
        split_body(body, true);
    }
}

impl<S: Clone> VisitMut<S> for SplitBodies {
    fn function(&mut self, f: &mut FunctionDefinition<S>) {
        walk_function(self, f);
        split_body(&mut f.body, f.has_varargs);
    }
}

fn split_body<S: Clone>(body: &mut Block<S>, vararg: bool) {
    let mut count = Count::default();
    count.block(body);
    if count.functions <= FUNCTIONS_PER_PART || count.jumps {
        return;
    }
    let mut seen = 0;
    let mut cut = None;
    for (i, s) in body.statements.iter().enumerate() {
        let mut c = Count::default();
        c.statement(&s.inner);
        if seen + c.functions > FUNCTIONS_PER_PART && i > 0 {
            cut = Some(i);
            break;
        }
        seen += c.functions;
    }
    // One statement with too many functions cannot be cut.
    let Some(cut) = cut else {
        return;
    };
    let rest_statements = body.statements.split_off(cut);
    let line = rest_statements[0].line_number;
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

/// Function literals a body defines itself (not those inside them), and whether it jumps.
#[derive(Default)]
struct Count {
    functions: usize,
    jumps: bool,
}

impl<S> Visit<S> for Count {
    fn statement(&mut self, s: &Statement<S>) {
        if matches!(s, Statement::Goto(_) | Statement::Label(_)) {
            self.jumps = true;
        }
        read_only::walk_statement(self, s);
    }

    fn function(&mut self, _: &FunctionDefinition<S>) {
        self.functions += 1;
    }
}
