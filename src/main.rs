use clap::error::ErrorKind;
use std::process::ExitCode;

use apigw_doctor::report::human::say;

/// The longest error message printed whole (a server can answer with megabytes of text).
const MAX_ERROR: usize = 2000;

fn main() -> ExitCode {
    // A last line of defence: a bug must still end in one line and exit status 2, not a
    // backtrace (from any thread, including the network runtime's workers).
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let text = apigw_doctor::report::human::visible_cut(&what, MAX_ERROR);
        say(format_args!(
            "apigw-doctor: error: internal error{place}: {text} (please report this bug)"
        ));
        std::process::exit(2);
    }));
    let cli = match apigw_doctor::cli::parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    apigw_doctor::allocator::choose(allocator_for(&cli.command));
    match apigw_doctor::app::run(cli) {
        Ok(code) => code,
        Err(e) => {
            // One line: the error and its context, never a backtrace.
            let text = apigw_doctor::report::human::visible_cut(
                &format!("{e:#}").replace('\n', " "),
                MAX_ERROR,
            );
            say(format_args!("apigw-doctor: error: {text}"));
            if e.downcast_ref::<apigw_doctor::input::TerminalStdin>()
                .is_some()
            {
                say(format_args!("hint: {}", usage_line()));
            }
            ExitCode::from(2)
        }
    }
}
/// clap's usage errors in the tool's own format: one `apigw-doctor: error:` line, then one
/// `hint:` line; help and version requests print as clap renders them.
fn usage_error(e: clap::Error) -> ExitCode {
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
    }
    let rendered = e.render().to_string();
    let mut message = Vec::new();
    let mut hint = None;
    for line in rendered.lines().map(str::trim) {
        if let Some(m) = line.strip_prefix("error: ") {
            message.push(m.to_string());
        } else if let Some(tip) = line.strip_prefix("tip: ") {
            hint.get_or_insert_with(|| tip.to_string());
        } else if line.starts_with("For more information") {
            hint.get_or_insert_with(|| format!("try 'apigw-doctor {}--help'", subcommand()));
        } else if line.starts_with('[') || message.last().is_some_and(|m| m.ends_with(':')) {
            message.push(line.to_string());
        }
    }
    let visible = |s: &str| apigw_doctor::report::human::visible_cut(s, MAX_ERROR);
    say(format_args!(
        "apigw-doctor: error: {}",
        visible(&message.join(" "))
    ));
    if let Some(hint) = hint {
        say(format_args!("hint: {}", visible(&hint)));
    }
    ExitCode::from(2)
}

/// `usage: apigw-doctor lambda [OPTIONS] [FILE]` for the command that was run.
fn usage_line() -> String {
    let mut cmd = apigw_doctor::cli::command();
    cmd.build();
    let mut page = &cmd;
    for name in subcommand().split_whitespace() {
        match page.find_subcommand(name) {
            Some(sub) => page = sub,
            None => break,
        }
    }
    let usage = page.clone().render_usage().to_string();
    let usage = usage.trim().trim_start_matches("Usage: ");
    format!("usage: {usage} (see: apigw-doctor {}--help)", subcommand())
}

/// The subcommand named on the command line (`kb search `, `lambda `), for hints.
fn subcommand() -> String {
    let mut cmd = &apigw_doctor::cli::command();
    let mut path = String::new();
    // args_os: a file name that is not UTF-8 must not panic here.
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    for arg in args.iter().filter(|a| !a.starts_with('-')) {
        match cmd.find_subcommand(arg) {
            Some(sub) => {
                path.push_str(sub.get_name());
                path.push(' ');
                cmd = sub;
            }
            None => break,
        }
    }
    path
}

/// The allocator each command runs fastest and leanest on (scripts/bench-alloc.sh, hyperfine
/// means, this machine): mimalloc for those that build many values from a large input. A 1
/// MB body through a template 26 ms with mimalloc, 73 ms with the system allocator. One
/// Lambda output runs on the system allocator: its headers borrow from the output, so few
/// blocks are allocated, and mimalloc's arena on transparent huge pages would add 6-20 MB of
/// RSS (242,000 header values: 17.6 MB against 24.7 MB, 98 against 83 ms; 101,000 names
/// 16.7 against 36.9 MB; a 6 MB JSON body 14.1 against 20.6 MB, 29 ms either way). `lint`, `selection --export` and `validate` read an export
/// part by part and free each part: mimalloc is faster there too (lint of 50,000 methods
/// 1.23G instructions against 1.64G), and committing its memory lazily costs them nothing
/// (lint: 80 MB of RSS -> 57 MB; validate on 10,000 methods 65 -> 44 ms, 26 -> 14 MB) while
/// it slows the others (a 6 MB Lambda output 23 -> 33 ms). The other commands read small
/// documents or wait on the network: the system allocator spares mimalloc's arena there
/// (kb search 3.2 ms instead of 3.8 ms, 9.5 MB of RSS instead of 15.6 MB), and so does a
/// small file of Lambda outputs, one per line ([`SMALL_INPUT`]).
fn allocator_for(command: &apigw_doctor::cli::Command) -> apigw_doctor::allocator::Choice {
    use apigw_doctor::allocator::Choice;
    use apigw_doctor::cli::Command;
    match command {
        Command::Lint(_) | Command::Selection(_) | Command::Validate(_) => {
            Choice::MimallocCommittingLazily
        }
        Command::Lambda(args) if !args.lines || small_file(&args.file) => Choice::System,
        Command::Lambda(_) | Command::Template(_) | Command::Trace(_) => Choice::Mimalloc,
        _ => Choice::System,
    }
}

/// Below this size a file of Lambda outputs (`--lines`) is evaluated as fast on the system
/// allocator, and mimalloc's arena, backed by transparent huge pages where the kernel grants
/// them on request, would add 6 MB of RSS (15.0 MB against 8.6 MB for a 100-byte output).
const SMALL_INPUT: u64 = 256 * 1024;

/// Whether `path` names a regular file smaller than [`SMALL_INPUT`] (standard input, a pipe
/// or a device may be of any size); a path that cannot be read is small (the command then
/// says why in one line).
fn small_file(path: &str) -> bool {
    path != "-" && std::fs::metadata(path).map_or(true, |m| m.is_file() && m.len() < SMALL_INPUT)
}

#[global_allocator]
static GLOBAL: apigw_doctor::allocator::Chosen = apigw_doctor::allocator::Chosen;
