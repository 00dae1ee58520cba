//! Reports: a command's findings and result, rendered for people or for scripts.
//! Checks never print; rendering never decides.
pub mod human;
pub mod json;
pub mod sarif;

use crate::finding::{Finding, Severity};
use serde::Serialize;
use std::io::{self, Write};

/// A command's own result section, with its human rendering.
pub trait Outcome: Serialize {
    /// Writes the result part of the human report (findings are written by the caller).
    fn render_human(&self, out: &mut dyn Write, style: &human::Palette) -> io::Result<()>;
}

pub struct Report<R> {
    pub command: &'static str,
    pub target: String,
    pub findings: Vec<Finding>,
    pub result: R,
}

impl<R> Report<R> {
    pub fn new(command: &'static str, target: impl Into<String>, result: R) -> Self {
        Report {
            command,
            target: target.into(),
            findings: Vec::new(),
            result,
        }
    }

    pub fn with_findings(mut self, findings: Vec<Finding>) -> Self {
        self.findings = findings;
        self
    }

    /// Whether any finding reaches `threshold` (the `--fail-on` level).
    pub fn fails(&self, threshold: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= threshold)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    /// SARIF 2.1.0: one log for the whole run, for CI code-scanning annotations.
    Sarif,
}
