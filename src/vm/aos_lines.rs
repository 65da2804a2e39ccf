//! aos's line numbers for the errors aolite's runtime modules raise.
//!
//! A program sees the positions of the runtime's own errors: every handler error reaches the
//! outcome re-raised by `.handlers` (`[string ".handlers"]:723: [string "aos"]:3: ...` in
//! aos 2.0.6), and `pcall(utils.map, 1, {})` returns `.utils`'s position. aolite's runtime
//! modules are its own, shorter sources, so their lines differ. A line of a runtime module
//! that raises such an error ends with a marker comment `-- aos:N` giving the line of the
//! same error in aos 2.0.6; after compiling, every instruction of that line is attributed to
//! line N. Only instructions move: the source and every other line stay as written, and
//! nothing is paid at run time. Lines were read from aos 2.0.6's module sources.

use piccolo::compiler::{CompiledPrototype, FunctionRef, LineNumber};

const MARKER: &[u8] = b"-- aos:";

/// `(our line, aos's line)`, both 0-based, for every marked line of `source`.
pub fn markers(source: &[u8]) -> Vec<(u64, u64)> {
    let mut found = Vec::new();
    for (index, line) in source.split(|&b| b == b'\n').enumerate() {
        let Some(at) = line.windows(MARKER.len()).position(|w| w == MARKER) else {
            continue;
        };
        let digits: Vec<u8> = line[at + MARKER.len()..]
            .iter()
            .copied()
            .take_while(u8::is_ascii_digit)
            .collect();
        let aos_line = std::str::from_utf8(&digits)
            .ok()
            .and_then(|d| d.parse::<u64>().ok());
        if let Some(aos_line) = aos_line.filter(|&n| n > 0) {
            found.push((index as u64, aos_line - 1));
        }
    }
    found
}

/// Attributes the instructions of each marked line of `source` to aos's line, in the chunk
/// and every function inside it.
#[inline(never)] // a compile job of its own in V8 (see `compile::compile_here`)
pub fn apply<S>(chunk: &mut CompiledPrototype<S>, source: &[u8]) {
    let map = markers(source);
    if !map.is_empty() {
        remap(chunk, &map);
    }
}

fn remap<S>(proto: &mut CompiledPrototype<S>, map: &[(u64, u64)]) {
    let moved = |line: &mut LineNumber| {
        if let Some((_, to)) = map.iter().find(|(from, _)| *from == line.0) {
            line.0 = *to;
        }
    };
    for (_, line) in &mut proto.opcode_line_numbers {
        moved(line);
    }
    match &mut proto.reference {
        FunctionRef::Named(_, line) | FunctionRef::Expression(line) => moved(line),
        FunctionRef::Chunk => {}
    }
    for inner in &mut proto.prototypes {
        remap(inner, map);
    }
}

/// `source` with blank lines inserted so that every marked line is at aos's line: for runtime
/// modules compiled with Lua's semantics, whose errors get their positions in more ways than
/// from instructions' lines (the helpers' line arguments, the diagnostic re-run), so the
/// simplest exact way is for the lines to be aos's. A marked line that would have to move up
/// stays (`runtime.rs` checks that none of the `.crypto` modules has one).
pub fn pad(source: &[u8]) -> Vec<u8> {
    let map = markers(source);
    if map.is_empty() {
        return source.to_vec();
    }
    let mut out = Vec::with_capacity(source.len() + 512);
    let mut added = 0u64;
    for (index, line) in source.split(|&b| b == b'\n').enumerate() {
        if let Some((_, to)) = map.iter().find(|(from, _)| *from == index as u64) {
            while index as u64 + added < *to {
                out.push(b'\n');
                added += 1;
            }
        }
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out.pop();
    out
}

#[cfg(test)]
mod tests {
    use super::{markers, pad};

    #[test]
    fn padding_puts_marked_lines_at_aos_lines() {
        let source = b"a\nb -- aos:4\nc\nd -- aos:3\ne -- aos:9";
        let padded = pad(source);
        let lines: Vec<&[u8]> = padded.split(|&b| b == b'\n').collect();
        assert_eq!(lines[3], b"b -- aos:4");
        assert_eq!(lines[4], b"c");
        assert_eq!(lines[5], b"d -- aos:3", "a line cannot move up");
        assert_eq!(lines[8], b"e -- aos:9");
        assert_eq!(lines.len(), 9);
        assert_eq!(pad(b"x\ny"), b"x\ny");
    }

    #[test]
    fn reads_markers_as_zero_based_pairs() {
        let source =
            b"local a = 1\nerror(x) -- aos:723\n-- aos:\nassert(y) -- aos:0\nz() -- aos:12 more";
        assert_eq!(markers(source), vec![(1, 722), (4, 11)]);
    }
}
