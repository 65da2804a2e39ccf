//! Readable text for people: `aolite run`'s account of each message on a terminal, and the
//! plain-text form of output that carries ANSI colour codes. Shared by the native and Node
//! CLIs (the Node CLI reaches it through the wasm module), so both print the same bytes.

use serde_json::Value as Json;

/// Tags the runtime adds to every message it sends (protocol bookkeeping, not content).
pub const PROTOCOL_TAGS: &[&str] = &[
    "Data-Protocol",
    "Variant",
    "Type",
    "Reference",
    "X-Reference",
    "X-Origin",
    "From-Process",
    "From-Module",
    "Pushed-For",
    "SDK",
];

const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[31m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// `text` without ANSI escape sequences (CSI `ESC [ ... final`, OSC `ESC ] ... BEL|ST`, and
/// two-byte escapes), for terminals without colour and for plain-text forms.
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                // Parameters and intermediates, up to a final byte in @..~.
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\x07' {
                        break;
                    }
                    if c == '\x1b' && chars.peek() == Some(&'\\') {
                        chars.next();
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// How [`render_run`] writes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// ANSI colour: errors in red, headings in bold. Without it, the process's own colour
    /// codes are removed too.
    pub colour: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.colour {
            format!("{code}{text}{RESET}")
        } else {
            text.to_owned()
        }
    }

    fn clean(&self, text: &str) -> String {
        if self.colour {
            text.to_owned()
        } else {
            strip_ansi(text)
        }
    }
}

/// A JSON scalar as text (strings without quotes).
fn scalar(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Null => "nil".into(),
        other => other.to_string(),
    }
}

/// Shortens `s` to `max` characters, saying how long it was.
fn clip(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}... ({n} characters)")
    }
}

/// The `(name, value)` pairs of tags given as an array of `{name, value}` (any casing of
/// the keys) or as an object.
fn tag_pairs(tags: Option<&Json>) -> Vec<(String, String)> {
    match tags {
        Some(Json::Array(items)) => items
            .iter()
            .filter_map(|t| {
                let obj = t.as_object()?;
                let get = |k: &str| {
                    obj.iter()
                        .find(|(key, _)| key.eq_ignore_ascii_case(k))
                        .map(|(_, v)| v)
                };
                Some((
                    scalar(get("name")?),
                    get("value").map(scalar).unwrap_or_default(),
                ))
            })
            .collect(),
        Some(Json::Object(map)) => map.iter().map(|(k, v)| (k.clone(), scalar(v))).collect(),
        _ => Vec::new(),
    }
}

/// A field of a message object, in the casing given or in lower case (aoconnect's).
fn field<'a>(msg: &'a Json, name: &str) -> Option<&'a Json> {
    msg.get(name)
        .or_else(|| msg.get(name.to_ascii_lowercase().as_str()))
}

/// A tag value or Data as one word: quoted (JSON style) when it is empty or holds spaces,
/// quotes, `=` or control characters, so `Key=value` pairs stay readable.
fn word(v: &str) -> String {
    if v.is_empty()
        || v.chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '=')
    {
        Json::String(v.to_owned()).to_string()
    } else {
        v.to_owned()
    }
}

/// Lines of `text` prefixed with `by`; blank lines are left out.
fn indent(text: &str, by: &str) -> String {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("{by}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The account of one message of `aolite run`: the message handled (its number, Action,
/// sender and other tags, Data), then what came of it (printed output, messages and spawns
/// sent with their non-protocol tags, the error, the diff and state hash when asked).
/// `line` is the JSON `aolite run --json` prints for it: an outcome, or `{Error, Code}` for
/// a message that was refused. Ends with a newline.
pub fn render_run(index: usize, msg: &Json, line: &Json, owner: &str, style: Style) -> String {
    let mut out = String::new();
    let tags = tag_pairs(field(msg, "Tags"));
    let action = tags
        .iter()
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v.clone());
    let from = match field(msg, "From") {
        Some(Json::String(s)) => s.clone(),
        _ => format!("{owner} (the owner: no From given)"),
    };
    let head = format!(
        "#{} {} from {}",
        index + 1,
        action.as_deref().unwrap_or("(no Action)"),
        from
    );
    out.push_str(&style.paint(BOLD, &head));
    out.push('\n');
    let others: Vec<String> = tags
        .iter()
        .filter(|(k, _)| k != "Action")
        .map(|(k, v)| format!("{k}={}", word(&clip(v, 80))))
        .collect();
    if !others.is_empty() {
        out.push_str(&format!("  tags: {}\n", others.join(" ")));
    }
    if let Some(data) = field(msg, "Data").filter(|d| !d.is_null()) {
        let text = match data {
            Json::String(s) => s.clone(),
            other => other.to_string(),
        };
        if !text.is_empty() {
            out.push_str(&format!("  data: {}\n", clip(&text, 200)));
        }
    }

    if line.get("Output").is_none() {
        // Refused before it ran (a malformed message, out of fuel or memory).
        let e = line.get("Error").map(scalar).unwrap_or_default();
        let code = line.get("Code").map(scalar).unwrap_or_default();
        out.push_str(&style.paint(RED, &format!("  error ({code}): {e}")));
        out.push('\n');
        return out;
    }

    if let Some(ran) = line.get("Handlers").and_then(Json::as_array) {
        out.push_str(&style.paint(DIM, &format!("  handlers: {}", handler_list(ran))));
        out.push('\n');
    }
    let printed = line
        .get("Output")
        .and_then(|o| o.get("data"))
        .map(|d| match d {
            Json::String(s) => s.clone(),
            Json::Null => String::new(),
            other => other.to_string(),
        })
        .unwrap_or_default();
    let printed = style.clean(&printed);
    let mut said_something = false;
    if !printed.trim().is_empty() {
        said_something = true;
        if printed.contains('\n') {
            out.push_str("  output:\n");
            out.push_str(&indent(printed.trim_end_matches('\n'), "    "));
            out.push('\n');
        } else {
            out.push_str(&format!("  output: {printed}\n"));
        }
    }
    for (kind, key) in [("->", "Messages"), ("spawn", "Spawns")] {
        for m in line.get(key).and_then(Json::as_array).into_iter().flatten() {
            said_something = true;
            let target = m.get("Target").map(scalar).unwrap_or_else(|| "?".into());
            let mut parts: Vec<String> = Vec::new();
            for (k, v) in tag_pairs(m.get("Tags")) {
                if !PROTOCOL_TAGS.contains(&k.as_str()) {
                    parts.push(format!("{k}={}", word(&clip(&v, 80))));
                }
            }
            if let Some(d) = m.get("Data").filter(|d| !d.is_null()) {
                let text = scalar(d);
                if !text.is_empty() {
                    parts.push(format!("Data={}", word(&clip(&style.clean(&text), 120))));
                }
            }
            let sep = if parts.is_empty() { "" } else { " " };
            out.push_str(&format!("  {kind} {target}{sep}{}\n", parts.join(" ")));
        }
    }
    if let Some(n) = line
        .get("Assignments")
        .and_then(Json::as_array)
        .map(Vec::len)
        .filter(|n| *n > 0)
    {
        said_something = true;
        out.push_str(&format!("  assignments: {n}\n"));
    }
    if let Some(e) = line.get("Error").filter(|e| !e.is_null()) {
        said_something = true;
        let text = style.clean(&scalar(e));
        let text = indent(text.trim_end_matches('\n'), "    ");
        out.push_str(&style.paint(RED, &format!("  error: {}", text.trim_start())));
        out.push('\n');
        // The frames that led there (ErrorInfo, when a diagnostic re-run saw them).
        let frames = line
            .get("ErrorInfo")
            .and_then(|i| i.get("traceback"))
            .and_then(Json::as_array);
        for f in frames.into_iter().flatten() {
            let chunk = f.get("chunk").map(scalar).unwrap_or_default();
            let name = f.get("name").map(scalar).unwrap_or_default();
            let at = match f.get("line").and_then(Json::as_u64) {
                Some(l) => format!("{chunk}:{l}"),
                None => chunk,
            };
            let frame = if name.is_empty() {
                at
            } else {
                format!("{at}: in {name}")
            };
            out.push_str(&style.paint(DIM, &format!("    at {frame}")));
            out.push('\n');
        }
    }
    if !said_something {
        out.push_str(&style.paint(DIM, "  (printed nothing, sent nothing)"));
        out.push('\n');
    }
    if let Some(diff) = line.get("Diff").and_then(Json::as_array) {
        if diff.is_empty() {
            out.push_str("  changed: nothing\n");
        } else {
            out.push_str("  changed:\n");
            for c in diff {
                let side = |k: &str| c.get(k).map(Json::to_string).unwrap_or("nil".into());
                out.push_str(&format!(
                    "    {}: {} -> {}\n",
                    c.get("path").map(scalar).unwrap_or_default(),
                    clip(&side("old"), 80),
                    clip(&side("new"), 80)
                ));
            }
        }
    }
    if let Some(h) = line.get("StateHash") {
        out.push_str(&format!("  state hash: {}\n", scalar(h)));
    }
    out
}

/// An outcome's `Handlers` as text: the names in the order they ran, a failed one marked
/// (`transfer, boom (failed)`); `(none)` when no handler ran.
pub fn handler_list(ran: &[Json]) -> String {
    if ran.is_empty() {
        return "(none)".into();
    }
    ran.iter()
        .map(|h| {
            let name = h.get("name").map(scalar).unwrap_or_default();
            if h.get("ok") == Some(&Json::Bool(false)) {
                format!("{name} (failed)")
            } else {
                name
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The last line of a readable run: how many messages ran and how many failed.
pub fn render_summary(count: usize, failed: usize, style: Style) -> String {
    let s = if count == 1 { "" } else { "s" };
    if failed == 0 {
        format!("{count} message{s}, none failed\n")
    } else {
        style.paint(RED, &format!("{count} message{s}, {failed} failed")) + "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strips_colour_codes() {
        assert_eq!(
            strip_ansi("\x1b[31mred\x1b[0m and \x1b]0;t\x07plain"),
            "red and plain"
        );
        assert_eq!(strip_ansi("no escapes"), "no escapes");
    }

    #[test]
    fn renders_a_message_and_its_outcome() {
        let msg = json!({"From": "alice", "Tags": {"Action": "Transfer", "Quantity": "10"}});
        let line = json!({
            "Output": {"data": "\u{1b}[32mok\u{1b}[0m"},
            "Messages": [{"Target": "bob", "Tags": [
                {"name": "Data-Protocol", "value": "ao"}, {"name": "Action", "value": "Credit-Notice"}
            ], "Data": "hi"}],
            "Spawns": [], "Assignments": [], "GasUsed": 1
        });
        let text = render_run(0, &msg, &line, "own", Style::default());
        assert_eq!(
            text,
            "#1 Transfer from alice\n  tags: Quantity=10\n  output: ok\n  -> bob Action=Credit-Notice Data=hi\n"
        );
        let with_handlers = json!({
            "Output": {"data": ""}, "Messages": [], "Spawns": [], "Assignments": [],
            "Error": "boom",
            "Handlers": [{"name": "log", "ok": true}, {"name": "transfer", "ok": false}],
            "GasUsed": 1
        });
        let text = render_run(0, &msg, &with_handlers, "own", Style::default());
        assert_eq!(
            text,
            "#1 Transfer from alice\n  tags: Quantity=10\n  handlers: log, transfer (failed)\n  error: boom\n"
        );
        let text = render_run(0, &msg, &with_handlers, "own", Style { colour: true });
        assert!(text.contains("\x1b[2m  handlers: log, transfer (failed)\x1b[0m\n"));
        let none = json!({"Output": {"data": "x"}, "Handlers": [], "GasUsed": 1});
        assert!(
            render_run(0, &msg, &none, "own", Style::default()).contains("  handlers: (none)\n")
        );
        let traced = json!({
            "Output": {"data": ""}, "Error": "[string \"aos\"]:3: attempt to call a nil value (global 'f')",
            "ErrorInfo": {"message": "m", "chunk": "[string \"aos\"]", "line": 3, "traceback": [
                {"chunk": "[string \"aos\"]", "line": 3, "name": "function <[string \"aos\"]:2>"},
                {"chunk": "[C]", "line": null, "name": "function 'pcall'"}
            ]},
            "GasUsed": 1
        });
        let text = render_run(0, &msg, &traced, "own", Style::default());
        assert!(
            text.ends_with(
                "  error: [string \"aos\"]:3: attempt to call a nil value (global 'f')\n    \
                 at [string \"aos\"]:3: in function <[string \"aos\"]:2>\n    at [C]: in function 'pcall'\n"
            ),
            "{text}"
        );
        let refused = json!({"Error": "bad message: x", "Code": "BAD_MESSAGE", "Message": 0});
        let text = render_run(1, &json!({}), &refused, "own", Style { colour: true });
        assert!(text.contains("from own (the owner: no From given)"));
        assert!(text.contains("\x1b[31m  error (BAD_MESSAGE): bad message: x\x1b[0m"));
    }
}
