//! The native CLI. Thin: parses arguments, calls the library, prints results.
//! The npm package ships a Node CLI with the same commands and output.

use std::io::Write;
use std::process::ExitCode;

use aolite::{Limits, Process, ProcessOptions};
use serde_json::Value as Json;

#[cfg(all(feature = "fast-alloc", not(target_arch = "wasm32")))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const HELP: &str = "aolite - run AO (aos) Lua processes locally and deterministically

USAGE:
    aolite lua FILE.lua [ARGS...]
        Run a plain Lua 5.3 script (ARGS are its ... and arg, as lua gives them);
        print its output. Exits 1 with the error on stderr, or with os.exit's status.
    aolite run [PROCESS.lua] --messages MESSAGES.json [OPTIONS]
        Spawn a process (or --import one), evaluate PROCESS.lua in it as the owner,
        send each message of MESSAGES.json (a JSON array) and print what came of
        each. On a terminal, a readable account per message (the message, its output,
        the messages it sent with their tags, its error in red) and a summary; when
        stdout is not a terminal, one JSON outcome per line, as ao-loader shapes it.
        With many messages and stdout redirected, progress goes to stderr.
        In messages, \"$OWNER\" and \"$PROCESS\" stand for the owner and process id.
          --json                one JSON outcome per line, also on a terminal
          --text                the readable account, also into a pipe or file
                                (colour only on a terminal, and not with NO_COLOR)
          --import STATE.json   start from this state document instead of a spawn
          --export STATE.json   write the final state document here
          --diff                each outcome lists what the message changed (Diff)
          --hash                each outcome carries the state hash after it (StateHash)
          --fail-on-error       exit with status 1 when any message failed (its
                                outcome has an Error, or it was refused)
        When the reader of the output goes away (aolite run ... | head), the run
        stops quietly.

    aolite net SCENARIO.json
        Run a local network of processes: spawn the scenario's processes (their
        \"source\" files are read relative to the scenario), do its steps (send,
        eval, advance, monitor, unmonitor, run) and print every delivery, each
        message that left the network and the network's state hash, one JSON
        object per line.

    aolite repl [PROCESS.lua] [OPTIONS]
        An aos-style console over a local process: Lua lines run as the owner,
        messages the process sends itself are delivered, dot commands inspect it
        (.help lists them: .editor, .send ACTION NAME=VALUE ... --from ADDRESS, .as,
        .load, .inbox...). .spawn NAME [FILE.lua] starts a local network: .ps lists
        its processes, .use NAME switches, .send --from NAME --to NAME sends between
        them, .queue, .step and .run deliver. Ctrl-C stops a running computation
        and keeps the process.

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
    --clock-step MS       how far the clock moves for a message without a Timestamp
                          (default 1; 0 keeps it still)
    --block-height N      block height of the spawn (with the ids, it seeds
                          math.random, as in aos)
    --fuel N              compute limit per message, in fuel units
    --memory BYTES        memory limit of the process
    --diagnostics WHEN    when a message is re-run for Lua's exact errors: a failure's
                          error and traceback (ErrorInfo), errors caught by pcall and
                          tracebacks (see COMPATIBILITY.md): auto (default: when an
                          error lacks a position or name), always (every failure too),
                          off

    -h, --help            show this help
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(msg) => {
            let _ = writeln!(std::io::stderr(), "aolite: {msg}");
            ExitCode::from(2)
        }
    }
}

/// Writes to stdout. A reader that went away (a closed pipe) is `Closed`, which ends the
/// command quietly; any other failure is an error.
fn put(out: &mut impl Write, text: &str) -> Result<(), Closed> {
    match out.write_all(text.as_bytes()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Closed::Reader),
        Err(e) => Err(Closed::Failed(format!("cannot write the output: {e}"))),
    }
}

/// Why output stopped.
enum Closed {
    /// The reader closed the pipe: stop quietly.
    Reader,
    Failed(String),
}

/// Prints the help (quietly nothing when stdout is closed).
fn help() -> Result<ExitCode, String> {
    let mut out = std::io::stdout().lock();
    let _ = put(&mut out, HELP).and_then(|()| out.flush().map_err(|_| Closed::Reader));
    Ok(ExitCode::SUCCESS)
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    match args.first().map(String::as_str) {
        None | Some("-h" | "--help" | "help") => help(),
        Some("lua") => cmd_lua(&args[1..]),
        Some("run") => cmd_run(&args[1..]),
        Some("repl") => cmd_repl(&args[1..]),
        Some("net") => cmd_net(&args[1..]),
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
    let Some((file, script_args)) = args.split_first() else {
        return Err("usage: aolite lua FILE.lua [ARGS...]".into());
    };
    if file == "-h" || file == "--help" {
        return help();
    }
    let source = read(file)?;
    // Lua names a script's chunk after the path it was given.
    let name = file.clone();
    // The script's own arguments: its `...` and `arg[1..n]`, as `lua FILE ARGS...` gives them.
    let script_args: Vec<Vec<u8>> = script_args.iter().map(|a| a.as_bytes().to_vec()).collect();
    let out = aolite::run_script_with_args(&name, &source, &script_args, Limits::default())
        .map_err(|e| e.to_string())?;
    {
        let mut stdout = std::io::stdout().lock();
        // A closed pipe is not an error of the script.
        let _ = stdout.write_all(&out.stdout).and_then(|()| stdout.flush());
    }
    match out.error {
        None => Ok(ExitCode::SUCCESS),
        // `os.exit(status)`: the process's exit status, as the system keeps it (its low 8 bits).
        Some(aolite::Error::Exit(status)) => Ok(ExitCode::from(status as u8)),
        Some(e) => {
            let _ = writeln!(std::io::stderr(), "lua: {e}");
            Ok(ExitCode::from(1))
        }
    }
}

/// `aolite net SCENARIO.json`: the scenario's `source` files are read here (relative to
/// the scenario), the engine runs it (`aolite::net::scenario`).
fn cmd_net(args: &[String]) -> Result<ExitCode, String> {
    let [file] = args else {
        return Err("usage: aolite net SCENARIO.json".into());
    };
    if file == "-h" || file == "--help" {
        print!("{HELP}");
        return Ok(ExitCode::SUCCESS);
    }
    let mut scenario: Json =
        serde_json::from_str(&read_text(file)?).map_err(|e| format!("{file} is not JSON: {e}"))?;
    let dir = std::path::Path::new(file)
        .parent()
        .unwrap_or(std::path::Path::new(""));
    if let Some(Json::Array(processes)) = scenario.get_mut("processes") {
        for p in processes.iter_mut().filter_map(Json::as_object_mut) {
            let Some(source) = p.remove("source") else {
                continue;
            };
            let Json::String(source) = source else {
                return Err("a process's \"source\" must be a file path".into());
            };
            if p.contains_key("lua") {
                return Err(format!(
                    "a process has both \"source\" ({source}) and \"lua\""
                ));
            }
            let path = dir.join(&source);
            let text = read_text(&path.to_string_lossy())?;
            p.insert("lua".into(), Json::String(text));
        }
    }
    let out = aolite::net::scenario::run(&scenario).map_err(|e| e.to_string())?;
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`aolite net ... | head`) is not an error of the scenario.
    let _ = stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush());
    Ok(ExitCode::SUCCESS)
}

#[derive(Default)]
struct RunArgs {
    process_file: Option<String>,
    messages_file: Option<String>,
    options: ProcessOptions,
    import: Option<String>,
    export: Option<String>,
    hash: bool,
    fail_on_error: bool,
    /// `Some(true)`: `--json`, `Some(false)`: `--text`, `None`: by whether stdout is a
    /// terminal.
    json: Option<bool>,
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
            "--fail-on-error" => r.fail_on_error = true,
            "--json" => r.json = Some(true),
            "--text" => r.json = Some(false),
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
            "--clock-step" => {
                r.options.clock_step = Some(whole(&value("--clock-step")?, "--clock-step")?)
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
            "--diagnostics" => {
                r.options.diagnostics = aolite::Diagnostics::parse(&value("--diagnostics")?)
                    .map_err(|e| e.to_string())?
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

/// The message list of `aolite run`: a file up to [`MessageFile::IN_MEMORY`] bytes is read
/// once and parsed from memory (faster than through a reader); a longer one
/// is read one message at a time, so any length runs in the memory of one message.
enum MessageFile<'a> {
    InMemory(Vec<u8>),
    Streamed(&'a str),
}

impl<'a> MessageFile<'a> {
    const IN_MEMORY: u64 = 64 << 20;

    fn open(path: &'a str) -> Result<Self, String> {
        let size = std::fs::metadata(path)
            .map_err(|e| format!("cannot read {path}: {e}"))?
            .len();
        if size <= Self::IN_MEMORY {
            Ok(MessageFile::InMemory(read(path)?))
        } else {
            Ok(MessageFile::Streamed(path))
        }
    }

    fn reader(path: &str) -> Result<std::fs::File, String> {
        std::fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))
    }

    /// Whether the file is a well-formed message list.
    fn check(&self) -> Result<bool, String> {
        Ok(match self {
            MessageFile::InMemory(bytes) => aolite::ao::message::check_message_list_in(bytes),
            MessageFile::Streamed(path) => {
                aolite::ao::message::check_message_list(Self::reader(path)?)
            }
        })
    }

    /// Each message of the list, in order (see [`aolite::ao::message::for_each_message`]).
    fn for_each<E: std::fmt::Display>(
        &self,
        each: impl FnMut(Json) -> Result<(), E>,
    ) -> Result<(), String> {
        match self {
            MessageFile::InMemory(bytes) => aolite::ao::message::for_each_message_in(bytes, each),
            MessageFile::Streamed(path) => {
                aolite::ao::message::for_each_message(Self::reader(path)?, each)
            }
        }
    }
}

fn cmd_run(args: &[String]) -> Result<ExitCode, String> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return help();
    }
    let RunArgs {
        process_file,
        messages_file,
        options,
        import,
        export,
        hash,
        fail_on_error,
        json,
    } = parse_run_args(args)?;
    if process_file.is_none() && import.is_none() {
        return Err("usage: aolite run PROCESS.lua --messages FILE".into());
    }
    let messages_file = messages_file.ok_or("aolite run needs --messages FILE")?;
    let source = match &process_file {
        Some(f) => Some(read_text(f)?),
        None => None,
    };
    // The file is checked whole first, then read one message at a time; a malformed one is
    // refused with the whole file's error.
    let messages = MessageFile::open(&messages_file)?;
    if !messages.check()? {
        let text = read_text(&messages_file)?;
        aolite::ao::message::parse_message_list(&text)
            .map_err(|e| format!("{messages_file}: {e}"))?;
    }

    let mut process = start_process(import.as_deref(), options)?;
    // Nothing here reads the message log (for `history`/`replay`), and keeping it costs each
    // message a record and a SHA-256 of its outcome. An exported state never holds the log.
    process.set_logging(false);
    if let (Some(source), Some(file)) = (&source, &process_file) {
        if let Err(e) = process.eval(source) {
            let _ = writeln!(std::io::stderr(), "{file}: {e}");
            return Ok(ExitCode::from(1));
        }
    }
    let (owner, id) = (process.owner().to_owned(), process.id().to_owned());
    let stdout_terminal = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let json = json.unwrap_or(!stdout_terminal);
    let style = aolite::report::Style {
        colour: stdout_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    // The bar needs the total: counted (one more pass over the file) only when it can show.
    let mut count = 0;
    if !stdout_terminal && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let _ = messages.for_each(|_| {
            count += 1;
            Ok::<(), &str>(())
        });
    }
    let mut progress = Progress::new(count, !stdout_terminal);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut i = 0;
    let mut failed = 0;
    // What stopped the run early: an error, or `None` for a closed output.
    let mut stopped: Option<Option<String>> = None;
    let mut each = |mut msg: Json| -> Result<(), Option<String>> {
        substitute(&mut msg, &owner, &id);
        let line = match process.send_json(&msg) {
            Ok(outcome) => {
                if outcome.error.is_some() {
                    failed += 1;
                }
                let mut line = serde_json::to_string(&outcome).map_err(|e| Some(e.to_string()))?;
                if hash {
                    // The object's last member (a hash needs no escaping).
                    let h = process.state_hash().map_err(|e| Some(e.to_string()))?;
                    line.pop();
                    line.push_str(&format!(",\"StateHash\":\"{h}\"}}"));
                }
                line
            }
            Err(e) => {
                failed += 1;
                serde_json::json!({
                    "Error": e.to_string(),
                    "Code": e.code(),
                    "Message": i,
                })
                .to_string()
            }
        };
        let text = if json {
            format!("{line}\n")
        } else {
            let value: Json = serde_json::from_str(&line).map_err(|e| Some(e.to_string()))?;
            aolite::report::render_run(i, &msg, &value, &owner, style)
        };
        i += 1;
        progress.step(i);
        // Flushed per message, so a consumer sees each outcome as it comes.
        match put(&mut out, &text).and_then(|()| {
            out.flush().map_err(|e| match e.kind() {
                std::io::ErrorKind::BrokenPipe => Closed::Reader,
                _ => Closed::Failed(format!("cannot write the output: {e}")),
            })
        }) {
            Ok(()) => Ok(()),
            Err(Closed::Reader) => Err(None),
            Err(Closed::Failed(e)) => Err(Some(e)),
        }
    };
    let read = messages.for_each(|msg| {
        each(msg).map_err(|e| {
            stopped = Some(e);
            "stopped"
        })
    });
    progress.clear();
    match (stopped, read) {
        (Some(None), _) => return Ok(run_status(fail_on_error && failed > 0)),
        (Some(Some(e)), _) | (None, Err(e)) => return Err(e),
        (None, Ok(())) => {}
    }
    if !json {
        let summary = aolite::report::render_summary(i, failed, style);
        match put(&mut out, &summary).and_then(|()| out.flush().map_err(|_| Closed::Reader)) {
            Ok(()) | Err(Closed::Reader) => {}
            Err(Closed::Failed(e)) => return Err(e),
        }
    }
    if let Some(path) = export {
        let doc = process.export_state().map_err(|e| e.to_string())?;
        std::fs::write(&path, doc).map_err(|e| format!("cannot write {path}: {e}"))?;
    }
    Ok(run_status(fail_on_error && failed > 0))
}

/// Messages from which `aolite run` shows its progress.
const PROGRESS_FROM: usize = 200;

/// A progress line on stderr, for long runs whose output goes elsewhere (stdout redirected
/// and stderr a terminal). Redrawn at each whole percent.
struct Progress {
    total: usize,
    on: bool,
    shown: usize,
}

impl Progress {
    fn new(total: usize, stdout_elsewhere: bool) -> Progress {
        let on = stdout_elsewhere
            && total >= PROGRESS_FROM
            && std::io::IsTerminal::is_terminal(&std::io::stderr());
        Progress {
            total,
            on,
            shown: 0,
        }
    }

    fn step(&mut self, done: usize) {
        if !self.on {
            return;
        }
        let percent = done * 100 / self.total;
        if percent > self.shown || done == self.total {
            self.shown = percent;
            let width = 30;
            let filled = done * width / self.total;
            let bar = format!("{}{}", "#".repeat(filled), "-".repeat(width - filled));
            let _ = write!(
                std::io::stderr(),
                "\r[{bar}] {done}/{} messages",
                self.total
            );
        }
    }

    fn clear(&mut self) {
        if self.on {
            let _ = write!(std::io::stderr(), "\r\x1b[K");
            self.on = false;
        }
    }
}

/// `aolite run`'s exit status: 1 when `--fail-on-error` was given and a message failed.
fn run_status(fail: bool) -> ExitCode {
    if fail {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
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

    /// The next input after showing `prompt`.
    fn read(&mut self, prompt: &str, out: &mut std::io::Stdout) -> Read {
        match self {
            Input::Piped(lines) => {
                let _ = write!(out, "{prompt}");
                let _ = out.flush();
                match lines.next() {
                    Some(Ok(line)) => Read::Line(line),
                    _ => Read::End,
                }
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
                    Read::Line(line)
                }
                // Ctrl-C drops the line being typed (and the editor's lines), as in aos.
                Err(rustyline::error::ReadlineError::Interrupted) => Read::Cancel,
                Err(_) => Read::End,
            },
        }
    }
}

/// What the console's input gave.
enum Read {
    Line(String),
    /// Ctrl-C at the prompt (only a terminal, which the wasm build has not, sends it).
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    Cancel,
    /// Ctrl-D, or the end of piped input.
    End,
}

/// Ctrl-C while the console computes: a SIGINT handler raises a flag that the engine
/// checks between execution slices, which stops the computation (the input fails and the
/// process stays as it was). At the prompt a terminal is in raw mode, so Ctrl-C arrives as
/// a key instead; with piped input, Ctrl-C at any other time ends the program as usual.
mod sigint {
    use std::sync::atomic::{AtomicBool, Ordering};

    static BUSY: AtomicBool = AtomicBool::new(false);
    static HIT: AtomicBool = AtomicBool::new(false);
    static TERMINAL: AtomicBool = AtomicBool::new(false);

    #[cfg(unix)]
    extern "C" fn on_sigint(_: libc::c_int) {
        // Only async-signal-safe work here: atomics and _exit.
        if BUSY.load(Ordering::SeqCst) {
            HIT.store(true, Ordering::SeqCst);
        } else if !TERMINAL.load(Ordering::SeqCst) {
            // SAFETY: _exit is async-signal-safe and ends the process at once.
            unsafe { libc::_exit(130) }
        }
    }

    /// Installs the handler (`terminal`: the console reads a terminal).
    pub fn install(terminal: bool) {
        TERMINAL.store(terminal, Ordering::SeqCst);
        #[cfg(unix)]
        // SAFETY: the handler only touches atomics and calls _exit (async-signal-safe).
        unsafe {
            libc::signal(
                libc::SIGINT,
                on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t,
            );
        }
    }

    /// Runs `f` with Ctrl-C stopping the computation instead of the program.
    pub fn guard<T>(f: impl FnOnce() -> T) -> T {
        HIT.store(false, Ordering::SeqCst);
        BUSY.store(true, Ordering::SeqCst);
        let r = f();
        BUSY.store(false, Ordering::SeqCst);
        HIT.store(false, Ordering::SeqCst);
        r
    }

    /// The engine's check: has Ctrl-C been pressed during this computation?
    pub fn hit() -> bool {
        HIT.load(Ordering::SeqCst)
    }
}

fn cmd_repl(args: &[String]) -> Result<ExitCode, String> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return help();
    }
    let RunArgs {
        process_file,
        messages_file,
        options,
        import,
        export,
        hash,
        fail_on_error,
        json,
    } = parse_run_args(args)?;
    if messages_file.is_some() || export.is_some() || hash || fail_on_error || json.is_some() {
        return Err(
            "aolite repl takes no --messages, --export, --hash, --fail-on-error, --json or --text"
                .into(),
        );
    }
    let process = start_process(import.as_deref(), options)?;
    let mut console = aolite::console::Console::new(process);
    console.set_interrupt(Some(std::rc::Rc::new(sigint::hit)));
    let mut out = std::io::stdout();
    sigint::install(std::io::IsTerminal::is_terminal(&std::io::stdin()));
    let _ = writeln!(out, "{}", console.banner());
    if let Some(file) = process_file {
        let source = read_text(&file)?;
        let text = sigint::guard(|| console.load_source(&file, &source));
        if !text.is_empty() {
            let _ = writeln!(out, "{text}");
        }
    }
    let mut input = Input::open();
    loop {
        let step = match input.read(&console.prompt(), &mut out) {
            Read::Line(line) => sigint::guard(|| console.line(&line)),
            Read::Cancel => aolite::console::Step::Print(console.cancel()),
            Read::End => {
                let step = sigint::guard(|| console.end_of_input());
                if step == aolite::console::Step::Exit {
                    let _ = writeln!(out);
                }
                step
            }
        };
        let text = match step {
            aolite::console::Step::Print(text) => text,
            aolite::console::Step::Load(path) => match read_text(&path) {
                Ok(source) => sigint::guard(|| console.load_source(&path, &source)),
                Err(e) => format!("error: {e}"),
            },
            aolite::console::Step::Export { path, text } => match std::fs::write(&path, text) {
                Ok(()) => format!("state written to {path}"),
                Err(e) => format!("error: cannot write {path}: {e}"),
            },
            aolite::console::Step::Import(path) => match read_text(&path) {
                Ok(doc) => console.import_source(&doc),
                Err(e) => format!("error: {e}"),
            },
            aolite::console::Step::Exit => break,
        };
        if !text.is_empty() && writeln!(out, "{text}").is_err() {
            // The reader of the output went away.
            break;
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
