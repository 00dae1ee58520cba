//! Command-line definitions only: flags are documented here once and reused by `--help`,
//! the man page and shell completions.
use crate::finding::Severity;
use crate::report::Format;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "apigw-doctor",
    version,
    about = "Diagnose Amazon API Gateway problems from the evidence: Lambda outputs, \
             selection patterns, custom domains, and the error text you already have.",
    after_help = "Exit status: 0 no problem found, 1 problems found, 2 the tool could not run."
)]
pub struct Cli {
    /// Output format: text for people, or one JSON object per target per line.
    #[arg(short, long, value_enum, default_value_t = Format::Human, global = true)]
    pub output: Format,

    /// When to colour human output (auto honours NO_COLOR and a non-terminal stdout).
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, global = true, value_name = "WHEN")]
    pub color: ColorWhen,

    /// Load knowledge-base articles from this folder instead of the embedded ones.
    #[arg(long, global = true, value_name = "DIR")]
    pub rules: Option<PathBuf>,

    /// Lowest finding severity that makes the exit status 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error, global = true, value_name = "SEVERITY")]
    pub fail_on: FailOn,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

impl FailOn {
    pub fn severity(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Search and read the knowledge base (the troubleshooting articles and their fixes).
    #[command(subcommand)]
    Kb(KbCommand),

    /// Print a shell completion script.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },

    /// Print the man page (roff) to standard output.
    Man,
}

#[derive(Debug, Subcommand)]
pub enum KbCommand {
    /// Rank articles against pasted error text or a question.
    Search(KbSearchArgs),
    /// Print one article, by id or by a finding code it explains.
    Show {
        /// Article id (`vpc-link-delete`) or finding code (`lambda.body-not-string`).
        id: String,
    },
    /// List every article.
    List,
}

#[derive(Debug, Args)]
pub struct KbSearchArgs {
    /// The error message or question; several words are joined. `-` reads standard input.
    #[arg(required = true, num_args = 1.., value_name = "TEXT")]
    pub text: Vec<String>,

    /// How many hits to show at most.
    #[arg(short = 'n', long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..))]
    pub limit: u16,
}
