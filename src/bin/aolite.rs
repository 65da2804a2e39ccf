//! The native CLI. Thin: parses arguments, calls the library, prints results.
//! The npm package ships a Node CLI with the same commands and output.

use std::process::ExitCode;

use aolite::{Limits, Process, ProcessOptions};
use serde_json::Value as Json;

const HELP: &str = "aolite - run AO (aos) Lua processes locally and deterministically

USAGE:
    aolite lua FILE.lua
        Run a plain Lua 5.3 script; print its output. Exits 1 with the error on stderr.
    aolite run [PROCESS.lua] --messages MESSAGES.json [OPTIONS]
        Spawn a process (or --import one), evaluate PROCESS.lua in it as the owner,
        send each message of MESSAGES.json (a JSON array) and print one JSON outcome
        per line. In messages, \"$OWNER\" and \"$PROCESS\" stand for the owner and
        process id.
          --import STATE.json   start from this state document instead of a spawn
          --export STATE.json   write the final state document here
          --diff                each outcome lists what the message changed (Diff)
          --hash                each outcome carries the state hash after it (StateHash)

    aolite repl [PROCESS.lua] [OPTIONS]
        An aos-style console over a local process: Lua lines run as the owner,
        messages the process sends itself are delivered, dot commands inspect it
        (.help lists them).

OPTIONS (run, repl):
    --id PROCESS_ID       process id
    --owner ADDRESS       owner address (default sender of messages)
    --module MODULE_ID    module id
    --authority ADDRESS   a trusted authority (repeatable)
    --tag NAME=VALUE      a tag of the process (spawn) message, e.g. Name=token
                          (repeatable)
    --module-tag NAME=VALUE
                          a tag of the module (ao.env.Module.Tags; repeatable)
    --data TEXT           Data of the process message (evaluated with On-Boot=Data)
    --timestamp MS        time of the spawn, ms since the epoch (the process clock
                          starts there)
    --block-height N      block height of the spawn (with the ids, it seeds
                          math.random, as in aos)
    --fuel N              compute limit per message, in fuel units
    --memory BYTES        memory limit of the process

    -h, --help            show this help
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("aolite: {msg}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    match args.first().map(String::as_str) {
        None | Some("-h" | "--help" | "help") => {
            print!("{HELP}");
            Ok(ExitCode::SUCCESS)
        }
        Some("lua") => cmd_lua(&args[1..]),
        Some("run") => cmd_run(&args[1..]),
        Some("repl") => cmd_repl(&args[1..]),
        Some(other) => Err(format!("unknown command '{other}' (see aolite --help)")),
    }
}

fn read(path: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))
}

fn read_text(path: &str) -> Result<String, String> {
    String::from_utf8(read(path)?).map_err(|_| format!("{path} is not UTF-8 text"))
}

fn cmd_lua(args: &[String]) -> Result<ExitCode, String> {
    let [file] = args else {
        return Err("usage: aolite lua FILE.lua".into());
    };
    if file == "-h" || file == "--help" {
        print!("{HELP}");
        return Ok(ExitCode::SUCCESS);
    }
    let source = read(file)?;
    // Lua names a script's chunk after the path it was given.
    let name = file.clone();
    let out = aolite::run_script(&name, &source, Limits::default()).map_err(|e| e.to_string())?;
    {
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        // A closed pipe is not an error of the script.
        let _ = stdout.write_all(&out.stdout).and_then(|()| stdout.flush());
    }
    match out.error {
        None => Ok(ExitCode::SUCCESS),
        Some(e) => {
            eprintln!("lua: {e}");
            Ok(ExitCode::from(1))
        }
    }
}

#[derive(Default)]
struct RunArgs {
    process_file: Option<String>,
    messages_file: Option<String>,
    options: ProcessOptions,
    import: Option<String>,
    export: Option<String>,
    hash: bool,
}

fn parse_run_args(args: &[String]) -> Result<RunArgs, String> {
    let mut r = RunArgs::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--messages" => r.messages_file = Some(value("--messages")?),
            "--import" => r.import = Some(value("--import")?),
            "--export" => r.export = Some(value("--export")?),
            "--diff" => r.options.diff = true,
            "--hash" => r.hash = true,
            "--id" => r.options.id = Some(value("--id")?),
            "--owner" => r.options.owner = Some(value("--owner")?),
            "--module" => r.options.module = Some(value("--module")?),
            "--authority" => r.options.authorities.push(value("--authority")?),
            "--tag" => r.options.tags.push(name_value("--tag", &value("--tag")?)?),
            "--module-tag" => r
                .options
                .module_tags
                .push(name_value("--module-tag", &value("--module-tag")?)?),
            "--data" => r.options.data = Some(value("--data")?),
            "--timestamp" => {
                r.options.timestamp = Some(whole(&value("--timestamp")?, "--timestamp")?)
            }
            "--block-height" => {
                r.options.block_height = Some(whole(&value("--block-height")?, "--block-height")?)
            }
            "--fuel" => {
                r.options.limits.fuel = value("--fuel")?
                    .parse()
                    .map_err(|_| "--fuel takes a whole number".to_string())?
            }
            "--memory" => {
                r.options.limits.memory = value("--memory")?
                    .parse()
                    .map_err(|_| "--memory takes a whole number of bytes".to_string())?
            }
            "-h" | "--help" => return Err(HELP.into()),
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            file if r.process_file.is_none() => r.process_file = Some(file.to_owned()),
            extra => return Err(format!("unexpected argument '{extra}'")),
        }
    }
    Ok(r)
}

/// `NAME=VALUE` (split at the first `=`) as a tag.
fn name_value(flag: &str, text: &str) -> Result<aolite::Tag, String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok(aolite::Tag::new(name, value)),
        _ => Err(format!("{flag} takes NAME=VALUE")),
    }
}

/// A whole number a JS number holds exactly (so the Node CLI accepts the same ones).
fn whole(text: &str, flag: &str) -> Result<i64, String> {
    const MAX_SAFE: i64 = (1 << 53) - 1;
    text.parse::<i64>()
        .ok()
        .filter(|n| (0..=MAX_SAFE).contains(n) && text.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| format!("{flag} takes a whole number"))
}

/// The process `run` and `repl` work on: spawned with `options`, or rebuilt from the state
/// document at `import` (keeping the `--diff` choice).
fn start_process(import: Option<&str>, options: ProcessOptions) -> Result<Process, String> {
    match import {
        Some(path) => {
            let doc = read_text(path)?;
            let mut p = Process::import_state(&doc).map_err(|e| format!("{path}: {e}"))?;
            p.set_diff(options.diff);
            Ok(p)
        }
        None => Process::new(options).map_err(|e| e.to_string()),
    }
}

fn cmd_run(args: &[String]) -> Result<ExitCode, String> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        print!("{HELP}");
        return Ok(ExitCode::SUCCESS);
    }
    let RunArgs {
        process_file,
        messages_file,
        options,
        import,
        export,
        hash,
    } = parse_run_args(args)?;
    if process_file.is_none() && import.is_none() {
        return Err("usage: aolite run PROCESS.lua --messages FILE".into());
    }
    let messages_file = messages_file.ok_or("aolite run needs --messages FILE")?;
    let source = match &process_file {
        Some(f) => Some(read_text(f)?),
        None => None,
    };
    // The file is checked whole first, then read one message at a time (any length runs in
    // the memory of one message); a malformed one is refused with the whole file's error.
    let open = || {
        std::fs::File::open(&messages_file).map_err(|e| format!("cannot read {messages_file}: {e}"))
    };
    if !aolite::ao::message::check_message_list(open()?) {
        let text = read_text(&messages_file)?;
        aolite::ao::message::parse_message_list(&text)
            .map_err(|e| format!("{messages_file}: {e}"))?;
    }

    let mut process = start_process(import.as_deref(), options)?;
    if let (Some(source), Some(file)) = (&source, &process_file) {
        if let Err(e) = process.eval(source) {
            eprintln!("{file}: {e}");
            return Ok(ExitCode::from(1));
        }
    }
    let (owner, id) = (process.owner().to_owned(), process.id().to_owned());
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut i = 0;
    // What stopped the run early: an error, or `None` for a closed output.
    let mut stopped: Option<Option<String>> = None;
    let mut each = |mut msg: Json| -> Result<(), Option<String>> {
        substitute(&mut msg, &owner, &id);
        let line = match process.send_json(&msg) {
            Ok(outcome) => {
                let mut line = serde_json::to_string(&outcome).map_err(|e| Some(e.to_string()))?;
                if hash {
                    // The object's last member (a hash needs no escaping).
                    let h = process.state_hash().map_err(|e| Some(e.to_string()))?;
                    line.pop();
                    line.push_str(&format!(",\"StateHash\":\"{h}\"}}"));
                }
                line
            }
            Err(e) => serde_json::json!({
                "Error": e.to_string(),
                "Code": e.code(),
                "Message": i,
            })
            .to_string(),
        };
        i += 1;
        // Flushed per line, so a consumer sees each outcome as it comes.
        use std::io::Write;
        writeln!(out, "{line}")
            .and_then(|()| out.flush())
            .map_err(|_| None)
    };
    let read = aolite::ao::message::for_each_message(open()?, |msg| {
        each(msg).map_err(|e| {
            stopped = Some(e);
            "stopped"
        })
    });
    match (stopped, read) {
        (Some(None), _) => return Ok(ExitCode::SUCCESS),
        (Some(Some(e)), _) | (None, Err(e)) => return Err(e),
        (None, Ok(())) => {}
    }
    if let Some(path) = export {
        let doc = process.export_state().map_err(|e| e.to_string())?;
        std::fs::write(&path, doc).map_err(|e| format!("cannot write {path}: {e}"))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Where the console's lines come from: a terminal gets line editing and a history kept
/// in `~/.aolite_history`; piped input is read as it is (so scripted sessions print exactly
/// what the Node CLI prints).
enum Input {
    Piped(std::io::Lines<std::io::StdinLock<'static>>),
    #[cfg(not(target_arch = "wasm32"))]
    Terminal(Box<rustyline::DefaultEditor>, Option<std::path::PathBuf>),
}

impl Input {
    fn open() -> Input {
        use std::io::BufRead;
        #[cfg(not(target_arch = "wasm32"))]
        if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            if let Ok(mut editor) = rustyline::DefaultEditor::new() {
                let history = std::env::var_os("HOME")
                    .map(|h| std::path::PathBuf::from(h).join(".aolite_history"));
                if let Some(path) = &history {
                    let _ = editor.load_history(path);
                }
                return Input::Terminal(Box::new(editor), history);
            }
        }
        Input::Piped(std::io::stdin().lock().lines())
    }

    /// The next line, after showing `prompt`; `None` at the end of input.
    fn read(&mut self, prompt: &str, out: &mut std::io::Stdout) -> Option<String> {
        use std::io::Write;
        match self {
            Input::Piped(lines) => {
                let _ = write!(out, "{prompt}");
                let _ = out.flush();
                lines.next()?.ok()
            }
            #[cfg(not(target_arch = "wasm32"))]
            Input::Terminal(editor, history) => match editor.readline(prompt) {
                Ok(line) => {
                    if !line.trim().is_empty() {
                        let _ = editor.add_history_entry(line.as_str());
                        if let Some(path) = history {
                            let _ = editor.save_history(path);
                        }
                    }
                    Some(line)
                }
                // Ctrl-C drops the line being typed, as in aos.
                Err(rustyline::error::ReadlineError::Interrupted) => Some(String::new()),
                Err(_) => None,
            },
        }
    }
}

fn cmd_repl(args: &[String]) -> Result<ExitCode, String> {
    use std::io::Write;

    if args.iter().any(|a| a == "-h" || a == "--help") {
        print!("{HELP}");
        return Ok(ExitCode::SUCCESS);
    }
    let RunArgs {
        process_file,
        messages_file,
        options,
        import,
        export,
        hash,
    } = parse_run_args(args)?;
    if messages_file.is_some() || export.is_some() || hash {
        return Err("aolite repl takes no --messages, --export or --hash".into());
    }
    let process = start_process(import.as_deref(), options)?;
    let mut console = aolite::console::Console::new(process);
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{}", console.banner());
    if let Some(file) = process_file {
        let source = read_text(&file)?;
        let text = console.eval_source(&source);
        if !text.is_empty() {
            let _ = writeln!(out, "{text}");
        }
    }
    let mut input = Input::open();
    loop {
        let Some(line) = input.read(&console.prompt(), &mut out) else {
            let _ = writeln!(out);
            break;
        };
        match console.line(&line) {
            aolite::console::Step::Print(text) => {
                if !text.is_empty() {
                    let _ = writeln!(out, "{text}");
                }
            }
            aolite::console::Step::Load(path) => {
                let text = match read_text(&path) {
                    Ok(source) => console.eval_source(&source),
                    Err(e) => format!("error: {e}"),
                };
                if !text.is_empty() {
                    let _ = writeln!(out, "{text}");
                }
            }
            aolite::console::Step::Export { path, text } => {
                let msg = match std::fs::write(&path, text) {
                    Ok(()) => format!("state written to {path}"),
                    Err(e) => format!("error: cannot write {path}: {e}"),
                };
                let _ = writeln!(out, "{msg}");
            }
            aolite::console::Step::Import(path) => {
                let text = match read_text(&path) {
                    Ok(doc) => console.import_source(&doc),
                    Err(e) => format!("error: {e}"),
                };
                let _ = writeln!(out, "{text}");
            }
            aolite::console::Step::Exit => break,
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Replaces the placeholders `$OWNER` and `$PROCESS` in every string of a message.
fn substitute(v: &mut Json, owner: &str, id: &str) {
    match v {
        Json::String(s) if s == "$OWNER" => *s = owner.to_owned(),
        Json::String(s) if s == "$PROCESS" => *s = id.to_owned(),
        Json::Array(items) => items.iter_mut().for_each(|i| substitute(i, owner, id)),
        Json::Object(map) => map.values_mut().for_each(|i| substitute(i, owner, id)),
        _ => {}
    }
}
