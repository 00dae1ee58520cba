//! Runs a parsed command line: picks the check, renders its reports, maps the exit status.
use crate::cli::{Cli, ColorWhen, Command, KbCommand};
use crate::finding::Severity;
use crate::kb::KnowledgeBase;
use crate::report::{self, Format, Outcome, Report, human::Palette};
use anyhow::{Context, Result};
use clap::CommandFactory;
use std::io::Write;
use std::process::ExitCode;

mod authorizer_command;
mod cloudfront_command;
mod domain_command;
mod kb_commands;
mod lambda_command;
mod lint_command;
#[cfg(feature = "aws")]
mod live_scan;
mod policy_command;
mod probe_command;
mod probe_websocket;
mod selection_command;
mod template_command;
mod trace_command;
mod validate_command;

/// What every command needs: the articles, and the printer its reports go to.
pub struct Session {
    pub kb: KnowledgeBase,
    pub printer: Printer,
    pub aws: crate::cli::AwsFlags,
}

impl Session {
    /// Connects to AWS for a command's `--aws` (read-only calls).
    #[cfg(feature = "aws")]
    pub fn connect_aws(&self) -> Result<crate::aws::Aws> {
        if let Some(list) = self.aws.region.as_deref().filter(|r| r.contains(',')) {
            anyhow::bail!(
                "--region {list}: this command reads one region; only lint --aws takes a list"
            );
        }
        crate::aws::Aws::connect(&self.aws_options(self.aws.region.clone()))
    }

    /// The live-mode options, in `region` (`None`: the profile's or AWS_REGION).
    #[cfg(feature = "aws")]
    pub fn aws_options(&self, region: Option<String>) -> crate::aws::Options {
        crate::aws::Options {
            profile: self.aws.profile.clone(),
            region,
            timeout: self.aws.timeout,
            concurrency: self.aws.concurrency,
            rate: self.aws.rate,
            deadline: self.aws.deadline,
        }
    }

    #[cfg(not(feature = "aws"))]
    pub fn connect_aws(&self) -> Result<std::convert::Infallible> {
        anyhow::bail!(
            "--aws: this build has no live mode; build it in: cargo install --path . --features aws (or cargo run --release --features aws -- ...)"
        )
    }
}

impl Session {
    /// Renders one report to standard output and remembers whether it fails the run.
    pub fn emit<R: Outcome>(&mut self, report: &Report<R>) -> Result<()> {
        self.printer.emit(report, &self.kb)
    }
}

/// Renders reports in the chosen format and keeps the run's exit status.
pub struct Printer {
    pub format: Format,
    pub fail_on: Severity,
    palette: Palette,
    /// Buffered stdout; for human output wrapped in anstream, which strips colour when off.
    out: Out,
    /// With `-o sarif`: the one log every report of the run goes into.
    sarif: report::sarif::Log,
    failed: bool,
}

impl Printer {
    pub fn emit<R: Outcome>(&mut self, report: &Report<R>, kb: &KnowledgeBase) -> Result<()> {
        self.failed |= report.fails(self.fail_on);
        match (&mut self.out, self.format) {
            (Out::Plain(out), Format::Json) => report::json::write(out, report, kb),
            (Out::Plain(out), _) => self.sarif.add(out, report, kb),
            (Out::Styled(out), _) => report::human::write(out, report, kb, &self.palette),
        }
        .or_else(ignore_broken_pipe)
        .context("cannot write to standard output")
    }

    /// Marks the run as failed without a finding (e.g. `kb search` found nothing).
    pub fn fail(&mut self) {
        self.failed = true;
    }

    fn exit_code(&mut self) -> Result<ExitCode> {
        self.close(None)?;
        Ok(ExitCode::from(u8::from(self.failed)))
    }

    /// Ends the output: closes the SARIF log (recording `failure`, the error that stopped
    /// the command, if any) and flushes.
    fn close(&mut self, failure: Option<&str>) -> Result<()> {
        if let (Format::Sarif, Out::Plain(out)) = (self.format, &mut self.out) {
            self.sarif
                .finish(out, failure)
                .or_else(ignore_broken_pipe)
                .context("cannot write to standard output")?;
        }
        self.out
            .flush()
            .or_else(ignore_broken_pipe)
            .context("cannot write to standard output")
    }
}

/// `apigw-doctor kb search ... | head -1` must not turn into an error.
fn ignore_broken_pipe(e: std::io::Error) -> std::io::Result<()> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(e)
    }
}

/// Buffered standard output. JSON never carries colour, so it skips the escape-stripping
/// adapter (which would scan every byte of a 6 MB body for nothing), and it is a concrete
/// type: serde_json writes a large escaped body in many small pieces, which a `dyn Write`
/// would dispatch one by one.
/// Human output without colour skips anstream too: the palette then writes no escape
/// sequences, so there is nothing to strip (stripping scanned every byte again: 15% of a
/// 300,000-line `lambda --lines` run).
enum Out {
    Plain(std::io::BufWriter<std::io::Stdout>),
    Styled(report::human::Sanitize<Box<dyn Write>>),
}

impl Out {
    fn new(format: Format, choice: anstream::ColorChoice) -> Out {
        let buffered = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout());
        match format {
            Format::Json | Format::Sarif => Out::Plain(buffered),
            Format::Human if choice == anstream::ColorChoice::Never => {
                Out::Styled(report::human::Sanitize::new(Box::new(buffered)))
            }
            Format::Human => Out::Styled(report::human::Sanitize::new(Box::new(
                anstream::AutoStream::new(Box::new(buffered) as Box<dyn Write>, choice),
            ))),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Out::Plain(w) => w.flush(),
            Out::Styled(w) => w.flush(),
        }
    }
}

/// Every page (the command and each subcommand) into `dir`, as clap_mangen names them,
/// never through a symbolic link placed there: an existing link is refused, an existing
/// file replaced by a new one.
fn write_man_pages(cmd: &clap::Command, dir: &std::path::Path) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_man_pages(sub, dir)?;
    }
    let man = clap_mangen::Man::new(cmd.clone());
    let path = dir.join(man.get_filename());
    let mut roff = Vec::new();
    man.render(&mut roff)?;
    match std::fs::symlink_metadata(&path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            anyhow::bail!(
                "{}: is a symbolic link: refusing to write a man page through it",
                path.display()
            )
        }
        Ok(meta) if meta.is_file() => std::fs::remove_file(&path)
            .with_context(|| format!("{}: cannot replace", path.display()))?,
        Ok(_) => anyhow::bail!("{}: exists and is not a file", path.display()),
        Err(_) => {}
    }
    // create_new with O_NOFOLLOW: a link put there since the check is not followed either.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
        .with_context(|| format!("{}: cannot create", path.display()))?;
    file.write_all(&roff)
        .and_then(|()| file.flush())
        .with_context(|| format!("{}: cannot write", path.display()))
}

/// clap_complete's bash script names the states of a hyphenated binary two ways
/// (`apigw__doctor__subcmd__lambda` where it sets them, `apigw__subcmd__doctor__subcmd__lambda`
/// where it matches them), so nothing after a subcommand completes: one spelling for both.
fn fix_bash_names(script: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(script)
        .replace("apigw__subcmd__doctor", "apigw__doctor")
        .into_bytes()
}

/// A person at a terminal reads the page as man(1) renders it, through their pager; false
/// when man(1) is not there or fails (the roff is printed instead).
fn show_with_man(roff: &[u8]) -> bool {
    let Ok(dir) = tempfile_dir() else {
        return false;
    };
    let path = dir.join("apigw-doctor.1");
    let shown = std::fs::write(&path, roff).is_ok()
        && std::process::Command::new("man")
            .arg("-l")
            .arg(&path)
            .status()
            .is_ok_and(|s| s.success());
    let _ = std::fs::remove_dir_all(&dir);
    shown
}

/// A new private folder under the system's temporary folder.
fn tempfile_dir() -> std::io::Result<std::path::PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let dir = std::env::temp_dir().join(format!(
        "apigw-doctor-man-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    ));
    std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
    Ok(dir)
}

/// `man [COMMAND...]` to standard output, or every page into `out_dir`.
fn man(command: &[String], out_dir: Option<&std::path::Path>) -> Result<()> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    if let Some(dir) = out_dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create the folder", dir.display()))?;
        return write_man_pages(&cmd, dir);
    }
    let mut page = &cmd;
    for name in command {
        page = page.find_subcommand(name).ok_or_else(|| {
            let known: Vec<&str> = page.get_subcommands().map(|c| c.get_name()).collect();
            anyhow::anyhow!(
                "man {}: no such command (one of: {})",
                command.join(" "),
                known.join(", ")
            )
        })?;
    }
    let mut roff = Vec::new();
    clap_mangen::Man::new(page.clone()).render(&mut roff)?;
    if std::io::IsTerminal::is_terminal(&std::io::stdout()) && show_with_man(&roff) {
        return Ok(());
    }
    std::io::stdout()
        .write_all(&roff)
        .and_then(|()| std::io::stdout().flush())
        .or_else(ignore_broken_pipe)
        .context("cannot write to standard output")
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    let choice = match cli.color {
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
        // Resolved against the real stdout (terminal? NO_COLOR? CLICOLOR_FORCE?) before it
        // is wrapped in a buffer, which is not a terminal.
        ColorWhen::Auto => anstream::AutoStream::choice(&std::io::stdout()),
    };
    // Commands that print no report need no knowledge base.
    match &cli.command {
        Command::Completions { shell } => {
            // clap_complete panics when its writer fails: render into memory, then write.
            let mut script = Vec::new();
            clap_complete::generate(
                *shell,
                &mut crate::cli::man_command(),
                "apigw-doctor",
                &mut script,
            );
            if *shell == clap_complete::Shell::Bash {
                script = fix_bash_names(&script);
            }
            std::io::stdout()
                .write_all(&script)
                .and_then(|()| std::io::stdout().flush())
                .or_else(ignore_broken_pipe)
                .context("cannot write to standard output")?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Man { command, out_dir } => {
            man(command, out_dir.as_deref())?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    crate::sources::set_parameters(cli.parameters.clone());
    let kb = match &cli.rules {
        Some(dir) => KnowledgeBase::from_dir(dir)?,
        None => KnowledgeBase::embedded().context("embedded knowledge base")?,
    };
    let mut session = Session {
        kb,
        printer: Printer {
            format: cli.output,
            fail_on: cli.fail_on.severity(),
            palette: if choice == anstream::ColorChoice::Never {
                Palette::plain()
            } else {
                Palette::default()
            },
            out: Out::new(cli.output, choice),
            sarif: Default::default(),
            failed: false,
        },
        aws: crate::cli::AwsFlags {
            profile: cli.profile.clone(),
            region: cli.region.clone(),
            timeout: cli.aws_timeout,
            deadline: cli.aws_deadline,
            concurrency: usize::from(cli.aws_concurrency),
            rate: cli.aws_rate,
        },
    };
    if let Err(e) = run_command(&mut session, cli.command) {
        // The reports already written stay valid: a SARIF log is closed with the error.
        let _ = session
            .printer
            .close(Some(&format!("{e:#}").replace('\n', " ")));
        return Err(e);
    }
    session.printer.exit_code()
}

fn run_command(session: &mut Session, command: Command) -> Result<()> {
    let session = &mut *session;
    match command {
        Command::Kb(KbCommand::Search(args)) => kb_commands::search(session, &args)?,
        Command::Kb(KbCommand::Show { id }) => kb_commands::show(session, &id)?,
        Command::Kb(KbCommand::List) => kb_commands::list(session)?,
        Command::Lambda(args) => lambda_command::run(session, &args)?,
        Command::Selection(args) => selection_command::run(session, &args)?,
        Command::Domain(args) => domain_command::run(session, &args)?,
        Command::Lint(args) => lint_command::run(session, &args)?,
        Command::Policy(args) => policy_command::run(session, &args)?,
        Command::Authorizer(args) => authorizer_command::run(session, &args)?,
        Command::Validate(args) => validate_command::run(session, &args)?,
        Command::Trace(args) => trace_command::run(session, &args)?,
        Command::Probe(args) => probe_command::run(session, &args)?,
        Command::Cloudfront(args) => cloudfront_command::run(session, &args)?,
        Command::Template(args) => template_command::run(session, &args)?,
        Command::Completions { .. } | Command::Man { .. } => unreachable!("handled above"),
    }
    Ok(())
}
