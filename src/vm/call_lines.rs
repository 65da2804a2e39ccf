//! Lua's line for each call of user code, written into the compiled line table.
//!
//! piccolo numbers every instruction of a statement with the statement's first line; Lua 5.3
//! gives a call instruction the line where the called expression starts (the line of the
//! token after a table constructor item's first name, which its parser reads ahead). A
//! library function reads its caller's line from the frame (`upper_lua_frame`), at the call
//! instruction, for its errors (`bad argument #1 to 'rep'`) and `error`'s position; so in
//! a statement over several lines it would name the statement's first line.
//!
//! After compiling, the calls of each function are listed from the final tree in the order
//! piccolo emits their `Call`/`TailCall` instructions (a call after its function and
//! arguments), and each call of the program's own (not of a hidden helper, whose errors
//! carry their own line, see `index.rs`, except a read with nothing to name on a later line
//! than its statement's, whose line the index rewrite notes here instead of passing it)
//! moves its instruction to Lua's line. A function
//! whose instructions do not match its listed calls one for one is left as it was. Only
//! the line table changes: nothing is paid at run time.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use piccolo::compiler::parser::{
    Block, CallSuffix, ConstructorField, Expression, FunctionDefinition, HeadExpression,
    PrimaryExpression, SimpleExpression, Statement, SuffixPart, SuffixedExpression,
};
use piccolo::compiler::{CompiledPrototype, LineNumber};
use piccolo::opcode::Operation;

use super::calls::{item_primary, start_token};
use super::compile::SourceString;
use super::index::{is_hidden, After, Anchor};
use super::visit::read_only::{walk_function, walk_simple, walk_statement, Visit};

/// The calls of one function, in emission order (Lua's line, 0-based, when it is to be
/// set), and those of the functions inside it, in the order piccolo compiles them.
#[derive(Default)]
struct FunctionCalls {
    calls: Vec<Option<u64>>,
    inner: Vec<FunctionCalls>,
}

struct CallSites<'a> {
    /// The function being visited and those around it, innermost last.
    open: Vec<FunctionCalls>,
    line: &'a dyn Fn(Anchor<SourceString>) -> Option<u64>,
    /// Names (by address) that start an item of a table constructor.
    item_starts: HashSet<usize>,
    /// Diagnostic mode's `(call)`, which calls for the program (see `calls.rs`).
    call: Option<&'a SourceString>,
    /// Reads `(index)(base, key)` with nothing to name, by their key token's address:
    /// Lua's line (see `index.rs`).
    reads: &'a HashMap<usize, u64>,
}

fn address(token: &SourceString) -> usize {
    Arc::as_ptr(token) as *const u8 as usize
}

impl CallSites<'_> {
    /// Whether `s` starts with a name of one of the pipeline's helpers, other than
    /// `(call)`, called by its first suffix (`i` = 0).
    fn calls_helper(&self, s: &SuffixedExpression<SourceString>, i: usize) -> bool {
        i == 0
            && matches!(&s.primary, PrimaryExpression::Name(n)
                if is_hidden(n) && Some(n) != self.call)
    }

    fn push(&mut self, line: Option<u64>) {
        if let Some(f) = self.open.last_mut() {
            f.calls.push(line);
        }
    }

    /// Lua's line for a call of the expression `s` starts (through its first suffix), or
    /// None for a call of a hidden helper.
    /// [`Self::call_line`] of the expression `e` (the function `(call)` is given).
    fn argument_line(&self, e: &Expression<SourceString>) -> Option<u64> {
        match &*e.head {
            HeadExpression::Simple(SimpleExpression::Suffixed(s)) if e.tail.is_empty() => {
                self.call_line(s, false)
            }
            _ => None,
        }
    }

    fn call_line(&self, s: &SuffixedExpression<SourceString>, helper: bool) -> Option<u64> {
        if helper {
            // `(index)(base, key)`: a read placed by the index rewrite.
            return match s.suffixes.first() {
                Some(SuffixPart::Call(CallSuffix::Function(args))) if args.len() == 2 => {
                    match &*args[1].head {
                        HeadExpression::Simple(SimpleExpression::String(k)) => {
                            self.reads.get(&address(k)).copied()
                        }
                        _ => None,
                    }
                }
                _ => None,
            };
        }
        let anchor = match start_token(s)? {
            (token, false) if self.item_starts.contains(&address(token)) => Anchor::Read {
                key: token.clone(),
                bracketed: false,
                skip: 0,
                after: After::Next,
            },
            (token, false) => Anchor::Latest(vec![token.clone()]),
            (token, true) => Anchor::Before(token.clone()),
        };
        (self.line)(anchor)
    }
}

impl Visit<SourceString> for CallSites<'_> {
    fn function(&mut self, f: &FunctionDefinition<SourceString>) {
        self.open.push(FunctionCalls::default());
        walk_function(self, f);
        if let Some(done) = self.open.pop() {
            if let Some(outer) = self.open.last_mut() {
                outer.inner.push(done);
            } else {
                self.open.push(done);
            }
        }
    }

    fn statement(&mut self, s: &Statement<SourceString>) {
        match s {
            Statement::FunctionCall(c) => {
                self.suffixed(&c.head);
                self.call(&c.call);
                let helper = c.head.suffixes.is_empty() && self.calls_helper(&c.head, 0);
                // `(call)(f, site, args)` as a statement: `f` starts the call.
                let line = match (&c.head.primary, &c.call) {
                    (PrimaryExpression::Name(n), CallSuffix::Function(args))
                        if !helper && c.head.suffixes.is_empty() && is_hidden(n) =>
                    {
                        args.first().and_then(|f| self.argument_line(f))
                    }
                    _ => self.call_line(&c.head, helper),
                };
                self.push(line);
            }
            _ => walk_statement(self, s),
        }
    }

    fn simple(&mut self, s: &SimpleExpression<SourceString>) {
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

    fn suffixed(&mut self, s: &SuffixedExpression<SourceString>) {
        if let PrimaryExpression::GroupedExpression(e) = &s.primary {
            self.expression(e);
        }
        for (i, p) in s.suffixes.iter().enumerate() {
            match p {
                SuffixPart::Field(f) => self.field(f),
                SuffixPart::Call(c) => {
                    self.call(c);
                    let helper = self.calls_helper(s, i);
                    let line = self.call_line(s, helper);
                    self.push(line);
                }
            }
        }
    }
}

/// Moves the call instructions of the wrapper `compiled` (compiled from `block`) and of
/// every function inside it to Lua's lines; `line` gives the line of an anchor.
/// `call` is diagnostic mode's `(call)` helper, when the chunk was compiled in that mode;
/// `reads` the lines of reads with nothing to name (see `index.rs`).
#[inline(never)] // a compile job of its own in V8 (see `compile::compile_here`)
pub fn apply(
    block: &Block<SourceString>,
    compiled: &mut CompiledPrototype<SourceString>,
    line: &dyn Fn(Anchor<SourceString>) -> Option<u64>,
    call: Option<&SourceString>,
    reads: &HashMap<usize, u64>,
) {
    let mut sites = CallSites {
        open: vec![FunctionCalls::default()],
        line,
        item_starts: HashSet::new(),
        call,
        reads,
    };
    sites.block(block);
    // Statements at the top of `block` are the wrapper's own (it has no calls).
    if let Some(top) = sites.open.pop() {
        set_lines(compiled, &top);
    }
}

fn set_lines(proto: &mut CompiledPrototype<SourceString>, calls: &FunctionCalls) {
    let at: Vec<usize> = proto
        .opcodes
        .iter()
        .enumerate()
        .filter(|(_, op)| {
            matches!(
                op.decode(),
                Operation::Call { .. } | Operation::TailCall { .. }
            )
        })
        .map(|(i, _)| i)
        .collect();
    if at.len() == calls.calls.len() && calls.calls.iter().any(Option::is_some) {
        let mut lines = expand(&proto.opcode_line_numbers, proto.opcodes.len());
        for (&i, line) in at.iter().zip(&calls.calls) {
            if let (Some(line), Some(slot)) = (line, lines.get_mut(i)) {
                *slot = LineNumber(*line);
            }
        }
        proto.opcode_line_numbers = compress(&lines);
    }
    if proto.prototypes.len() == calls.inner.len() {
        for (inner, calls) in proto.prototypes.iter_mut().zip(&calls.inner) {
            set_lines(inner, calls);
        }
    }
}

/// Puts each numeric `for`'s back edge (`NumericForLoop`) on the line of its `for`, as Lua
/// numbers it (piccolo gives it the line of the loop's `end`), in `proto` and the functions
/// inside it. Only a loop stopped for running out of fuel there shows it: that stop is named
/// by the line where the loop starts, or by a line of its body.
pub fn loops_on_their_line(proto: &mut CompiledPrototype<SourceString>) {
    let mut lines: Option<Vec<LineNumber>> = None;
    for (i, op) in proto.opcodes.iter().enumerate() {
        if let Operation::NumericForLoop { jump, .. } = op.decode() {
            // It jumps to the instruction after its `NumericForPrep`.
            let target = i as isize + 1 + jump as isize;
            let lines = lines
                .get_or_insert_with(|| expand(&proto.opcode_line_numbers, proto.opcodes.len()));
            if let Some(prep) = usize::try_from(target - 1).ok().filter(|&p| p < i) {
                lines[i] = lines[prep];
            }
        }
    }
    if let Some(lines) = lines {
        proto.opcode_line_numbers = compress(&lines);
    }
    for inner in &mut proto.prototypes {
        loops_on_their_line(inner);
    }
}

/// The line of each of `count` instructions from piccolo's table (sorted starts).
fn expand(table: &[(usize, LineNumber)], count: usize) -> Vec<LineNumber> {
    let mut lines = Vec::with_capacity(count);
    let mut current = table.first().map_or(LineNumber(0), |(_, l)| *l);
    let mut next = 0;
    for i in 0..count {
        while let Some(&(start, line)) = table.get(next) {
            if start > i {
                break;
            }
            current = line;
            next += 1;
        }
        lines.push(current);
    }
    lines
}

/// piccolo's table for per-instruction lines: an entry where the line changes.
fn compress(lines: &[LineNumber]) -> Vec<(usize, LineNumber)> {
    let mut table: Vec<(usize, LineNumber)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if table.last().map(|(_, l)| l) != Some(line) {
            table.push((i, *line));
        }
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expand_then_compress_is_the_table() {
        let table = vec![(0, LineNumber(1)), (3, LineNumber(2)), (5, LineNumber(7))];
        let lines = expand(&table, 8);
        assert_eq!(
            lines.iter().map(|l| l.0).collect::<Vec<_>>(),
            vec![1, 1, 1, 2, 2, 7, 7, 7]
        );
        assert_eq!(compress(&lines), table);
    }
}
