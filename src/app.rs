//! Runs a parsed command line: picks the check, renders its reports, maps the exit status.
use crate::cli::{Cli, ColorWhen, Command, KbCommand};
use crate::finding::Severity;
use crate::kb::KnowledgeBase;
use crate::report::{self, Format, Outcome, Report, human::Palette};
use anyhow::{Context, Result};
use clap::CommandFactory;
use std::io::Write;
use std::process::ExitCode;

mod kb_commands;

/// What every command needs: the articles, and the printer its reports go to.
pub struct Session {
    pub kb: KnowledgeBase,
    pub printer: Printer,
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
    out: anstream::AutoStream<std::io::Stdout>,
    failed: bool,
}

impl Printer {
    pub fn emit<R: Outcome>(&mut self, report: &Report<R>, kb: &KnowledgeBase) -> Result<()> {
        self.failed |= report.fails(self.fail_on);
        let out: &mut dyn Write = &mut self.out;
        match self.format {
            Format::Json => report::json::write(out, report, kb),
            Format::Human => report::human::write(out, report, kb, &self.palette),
        }
        .or_else(ignore_broken_pipe)
        .context("cannot write to standard output")
    }

    /// Marks the run as failed without a finding (e.g. `kb search` found nothing).
    pub fn fail(&mut self) {
        self.failed = true;
    }

    fn exit_code(&mut self) -> ExitCode {
        let _ = self.out.flush();
        ExitCode::from(u8::from(self.failed))
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

pub fn run(cli: Cli) -> Result<ExitCode> {
    let choice = match cli.color {
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
        ColorWhen::Auto => anstream::ColorChoice::Auto,
    };
    // Commands that print no report need no knowledge base.
    match &cli.command {
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(*shell, &mut cmd, "apigw-doctor", &mut std::io::stdout());
            return Ok(ExitCode::SUCCESS);
        }
        Command::Man => {
            clap_mangen::Man::new(Cli::command())
                .render(&mut std::io::stdout())
                .or_else(ignore_broken_pipe)
                .context("cannot write the man page")?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let kb = match &cli.rules {
        Some(dir) => KnowledgeBase::from_dir(dir)?,
        None => KnowledgeBase::embedded().context("embedded knowledge base")?,
    };
    let mut session = Session {
        kb,
        printer: Printer {
            format: cli.output,
            fail_on: cli.fail_on.severity(),
            palette: Palette::default(),
            out: anstream::AutoStream::new(std::io::stdout(), choice),
            failed: false,
        },
    };
    match cli.command {
        Command::Kb(KbCommand::Search(args)) => kb_commands::search(&mut session, &args)?,
        Command::Kb(KbCommand::Show { id }) => kb_commands::show(&mut session, &id)?,
        Command::Kb(KbCommand::List) => kb_commands::list(&mut session)?,
        Command::Completions { .. } | Command::Man => unreachable!("handled above"),
    }
    Ok(session.printer.exit_code())
}
