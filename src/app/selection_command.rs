//! `apigw-doctor selection`.
use super::Session;
use crate::checks::lambda::MAX_RESPONSE_BYTES;
use crate::checks::selection::{
    self, Input, Integration, IntegrationKind, ResponseRule, TableRow, model,
};
use crate::cli::SelectionArgs;
use crate::input;
use crate::report::{Outcome, Report, human::Palette};
use anyhow::{Result, bail};
use serde::Serialize;
use serde_json::Value;
use std::io::{self, Write};

#[derive(Serialize, Clone)]
struct Selected {
    pattern: Option<String>,
    status: String,
}

impl From<&ResponseRule> for Selected {
    fn from(r: &ResponseRule) -> Self {
        Selected {
            pattern: r.pattern.clone(),
            status: r.status.clone(),
        }
    }
}

#[derive(Serialize)]
struct SelectionOutcome {
    integration: IntegrationKind,
    matched_against: String,
    selected: Option<Selected>,
    client_status: Option<u16>,
    matches: Vec<Selected>,
    #[serde(skip)]
    rows: Vec<(Selected, &'static str)>,
}

impl Outcome for SelectionOutcome {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        let what = match self.integration {
            IntegrationKind::Lambda if self.matched_against.is_empty() => {
                "a successful invocation (empty string)".to_string()
            }
            IntegrationKind::Lambda => format!("errorMessage {:?}", self.matched_against),
            _ => format!("status {}", self.matched_against),
        };
        writeln!(
            out,
            "{}{} integration{:#} — matching {what}",
            p.strong,
            kind_label(self.integration),
            p.strong
        )?;
        let width = crate::report::human::column_width(
            self.rows
                .iter()
                .map(|(r, _)| pattern_label(&r.pattern).chars().count()),
        );
        for (r, note) in &self.rows {
            let label = pattern_label(&r.pattern);
            let pad = width.saturating_sub(label.chars().count());
            let style = if note.starts_with("selected") {
                p.good
            } else {
                p.dim
            };
            writeln!(
                out,
                "  {}{label}{:pad$}{:#}  → {}  {style}{note}{style:#}",
                p.code, "", p.code, r.status
            )?;
        }
        match self.client_status {
            Some(s) => writeln!(out, "{}client gets {s}{:#}", p.strong, p.strong)?,
            None => writeln!(
                out,
                "{}client gets the backend's status{:#}",
                p.strong, p.strong
            )?,
        }
        writeln!(out)
    }
}

#[derive(Serialize)]
struct TableOutcome {
    integration: IntegrationKind,
    table: Vec<TableRow>,
}

impl Outcome for TableOutcome {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        writeln!(
            out,
            "{}status code → integration response{:#}",
            p.strong, p.strong
        )?;
        let width = crate::report::human::column_width(
            self.table
                .iter()
                .map(|r| pattern_label(&r.pattern).chars().count()),
        );
        for row in &self.table {
            let codes = if row.from == row.to {
                row.from.to_string()
            } else {
                format!("{}-{}", row.from, row.to)
            };
            let (label, status) = match &row.status {
                Some(s) => (pattern_label(&row.pattern), s.clone()),
                None => ("no match, no default".to_string(), "500".to_string()),
            };
            let pad = width.saturating_sub(label.chars().count());
            writeln!(
                out,
                "  {codes:>7}  {}{label}{:pad$}{:#}  → {status}",
                p.code, "", p.code
            )?;
        }
        writeln!(out)
    }
}

fn pattern_label(p: &Option<String>) -> String {
    match p {
        Some(p) => crate::report::human::visible(p),
        None => "(default)".to_string(),
    }
}

fn kind_label(k: IntegrationKind) -> &'static str {
    match k {
        IntegrationKind::Http => "HTTP",
        IntegrationKind::Lambda => "Lambda",
        IntegrationKind::Proxy => "Proxy",
    }
}

pub fn run(session: &mut Session, args: &SelectionArgs) -> Result<()> {
    let (integration, target) = responses(args)?;
    if args.table {
        if integration.kind == Some(IntegrationKind::Lambda) {
            bail!(
                "--table lists status codes; this is a Lambda integration, whose patterns match errorMessage"
            );
        }
        let (table, findings) = selection::table(&integration);
        let outcome = TableOutcome {
            integration: integration.kind.unwrap_or(IntegrationKind::Http),
            table,
        };
        return session.emit(&Report::new("selection", target, outcome).with_findings(findings));
    }
    let input = input_of(args)?;
    match (integration.kind, input.kind()) {
        (Some(IntegrationKind::Lambda), IntegrationKind::Http) => {
            bail!(
                "this is a Lambda integration: its patterns match errorMessage; give --error-message, --lambda-output or --success"
            )
        }
        (Some(IntegrationKind::Http), IntegrationKind::Lambda) => bail!(
            "this is a {} integration: its patterns match the backend's status code; give --status",
            integration.type_name.as_deref().unwrap_or("HTTP")
        ),
        _ => {}
    }
    let s = selection::select(&integration, &input);
    let rows = integration
        .responses
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let note = if Some(i) == s.selected {
                "selected"
            } else if s.matches.contains(&i) {
                "matches"
            } else if r.pattern.is_none() {
                ""
            } else {
                "no match"
            };
            (Selected::from(r), note)
        })
        .collect();
    let outcome = SelectionOutcome {
        integration: s.kind,
        matched_against: s.matched_against,
        selected: s
            .selected
            .map(|i| Selected::from(&integration.responses[i])),
        client_status: s.client_status,
        matches: s
            .matches
            .iter()
            .map(|&i| Selected::from(&integration.responses[i]))
            .collect(),
        rows,
    };
    session.emit(&Report::new("selection", target, outcome).with_findings(s.findings))
}

fn responses(args: &SelectionArgs) -> Result<(Integration, String)> {
    if let Some(file) = &args.integration {
        let doc = crate::document::load(file)?;
        let integration =
            model::from_cli_json(&doc.value).map_err(|e| anyhow::anyhow!("{}: {e}", doc.name))?;
        return Ok((integration, doc.name));
    }
    if let Some(file) = &args.export {
        let (method, path) = (
            args.method.as_deref().unwrap_or_default(),
            args.path.as_deref().unwrap_or_default(),
        );
        let doc = crate::document::load(file)?;
        let integration = model::from_export(&doc.value, method, path)
            .map_err(|e| anyhow::anyhow!("{}: {e}", doc.name))?;
        let target = format!("{} {} {path}", doc.name, method.to_ascii_uppercase());
        return Ok((integration, target));
    }
    let mut responses: Vec<ResponseRule> = args
        .response
        .iter()
        .enumerate()
        .map(|(i, (pattern, status))| ResponseRule {
            pattern: (!model::is_default_pattern(pattern)).then(|| pattern.clone()),
            status: status.clone(),
            origin: format!("--response #{}", i + 1),
        })
        .collect();
    if let Some(status) = &args.default {
        if responses.iter().any(|r| r.pattern.is_none()) {
            bail!("--default: a --response with pattern '-' is already the default");
        }
        responses.push(ResponseRule {
            pattern: None,
            status: status.clone(),
            origin: "--default".to_string(),
        });
    }
    Ok((
        Integration {
            responses,
            ..Integration::default()
        },
        "--response".to_string(),
    ))
}

fn input_of(args: &SelectionArgs) -> Result<Input> {
    if let Some(code) = args.status {
        return Ok(Input::Status(code));
    }
    if let Some(m) = &args.error_message {
        return Ok(Input::ErrorMessage(m.clone()));
    }
    if args.success {
        return Ok(Input::Success);
    }
    let Some(file) = &args.lambda_output else {
        bail!(
            "give what the patterns are matched against: --status CODE, --error-message TEXT, --lambda-output FILE or --success (or --table)"
        );
    };
    if args.function_error.is_none() {
        return Ok(Input::Success);
    }
    let name = input::display_name(file);
    let text = input::read_text(file, MAX_RESPONSE_BYTES as u64)?;
    let value: Value = serde_json::from_str(text.trim()).map_err(|e| {
        anyhow::anyhow!(
            "{name}:{}:{}: the function error payload is not JSON: {e}",
            e.line(),
            e.column()
        )
    })?;
    match value.get("errorMessage") {
        Some(Value::String(m)) => Ok(Input::ErrorMessage(m.clone())),
        _ => bail!("{name}: the function error payload has no errorMessage string"),
    }
}
