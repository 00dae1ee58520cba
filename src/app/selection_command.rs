//! `apigw-doctor selection`.
use super::Session;
use crate::checks::lambda::MAX_RESPONSE_BYTES;
use crate::checks::lambda::{self, Api};
use crate::checks::selection::{
    self, Input, Integration, IntegrationKind, ResponseRule, TableRow, model,
};
use crate::checks::template::{
    self, http_mapping,
    response::{Backend, ClientResponse},
};
use crate::cli::SelectionArgs;
use crate::finding::Finding;
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
    /// The whole response, when the backend's body is known (--lambda-output,
    /// --backend-body) or the selected response maps headers or has a template.
    #[serde(skip_serializing_if = "Option::is_none")]
    client_headers: Option<indexmap::IndexMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_body: Option<String>,
    /// The response template that rendered the body (its location).
    #[serde(skip_serializing_if = "Option::is_none")]
    template: Option<String>,
    /// For an output that looks like Lambda's error object with no word on whether the
    /// function threw it: what the client gets had the function returned it.
    #[serde(skip_serializing_if = "Option::is_none")]
    alternative: Option<SelectionAlternative>,
    #[serde(skip)]
    rows: Vec<(Selected, &'static str)>,
}

#[derive(Serialize)]
struct SelectionAlternative {
    assuming: &'static str,
    selected: Option<Selected>,
    client_status: Option<u16>,
}

impl Outcome for SelectionOutcome {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        let what = match self.integration {
            IntegrationKind::Lambda if self.matched_against.is_empty() => {
                "a successful invocation (empty string)".to_string()
            }
            IntegrationKind::Lambda => format!("errorMessage {:?}", self.matched_against),
            IntegrationKind::Proxy => {
                return render_proxy(self, out, p);
            }
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
        write_client_status(out, p, self.client_status)?;
        if let Some(t) = &self.template {
            writeln!(out, "{}rendered by {t}{:#}", p.dim, p.dim)?;
        }
        for (k, v) in self.client_headers.iter().flatten() {
            writeln!(out, "{k}: {v}")?;
        }
        if let Some(body) = &self.client_body {
            writeln!(out)?;
            writeln!(out, "{body}")?;
        }
        if let Some(alt) = &self.alternative {
            writeln!(out)?;
            let status = alt
                .client_status
                .map_or("the backend's status".to_string(), |s| s.to_string());
            writeln!(
                out,
                "{}had the function {} this object (not thrown it): client gets {status}{:#}",
                p.dim, alt.assuming, p.dim
            )?;
        }
        writeln!(out)
    }
}

/// A proxy integration: first that no pattern ever runs, then what the client gets.
fn render_proxy(o: &SelectionOutcome, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
    writeln!(
        out,
        "{}Proxy integration: selection patterns never run{:#} (the backend's answer goes to the client as it is)",
        p.strong, p.strong
    )?;
    for (r, _) in &o.rows {
        writeln!(
            out,
            "  {}{}{:#}  → {}  {}never runs{:#}",
            p.code,
            pattern_label(&r.pattern),
            p.code,
            r.status,
            p.dim,
            p.dim
        )?;
    }
    write_client_status(out, p, o.client_status)?;
    writeln!(out)
}

/// `client gets 404`, or the backend's status when the selection does not decide it.
fn write_client_status(out: &mut dyn Write, p: &Palette, status: Option<u16>) -> io::Result<()> {
    match status {
        Some(s) => writeln!(out, "{}client gets {s}{:#}", p.strong, p.strong),
        None => writeln!(
            out,
            "{}client gets the backend's status{:#}",
            p.strong, p.strong
        ),
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
        Some(p) => crate::report::human::visible(p).into_owned(),
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

#[derive(Serialize)]
struct HttpMappingOutcome {
    integration: &'static str,
    integration_type: String,
    /// The status the integration answered (for Lambda, what the payload rules give).
    backend_status: u16,
    /// The ResponseParameters key that applied, if any.
    mapping: Option<String>,
    client_status: u16,
    client_headers: Vec<(String, String)>,
    client_body: String,
}

impl Outcome for HttpMappingOutcome {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        writeln!(
            out,
            "{}HTTP API {} integration{:#} — backend status {}",
            p.strong, self.integration_type, p.strong, self.backend_status
        )?;
        match &self.mapping {
            Some(k) => writeln!(out, "  response parameters for {k} applied")?,
            None => writeln!(
                out,
                "  {}no response parameters for {}: nothing is mapped{:#}",
                p.dim, self.backend_status, p.dim
            )?,
        }
        writeln!(
            out,
            "{}client gets {}{:#}",
            p.strong, self.client_status, p.strong
        )?;
        for (k, v) in &self.client_headers {
            writeln!(out, "{k}: {v}")?;
        }
        if !self.client_body.is_empty() {
            writeln!(out)?;
            writeln!(out, "{}", self.client_body)?;
        }
        writeln!(out)
    }
}

/// An HTTP API integration: the status the backend (or the Lambda payload rules) gives, then
/// the response parameter mapping for exactly that status.
fn http_api(
    session: &mut Session,
    args: &SelectionArgs,
    doc: crate::document::Document,
) -> Result<()> {
    let integration =
        http_mapping::parse(&doc.value).map_err(|e| anyhow::anyhow!("{}: {e}", doc.name))?;
    let mut findings = Vec::new();
    let (status, headers, body) = if let Some(file) = &args.lambda_output {
        let version = integration
            .payload_format_version
            .as_deref()
            .unwrap_or("2.0");
        let api = if version == "1.0" {
            Api::Http10
        } else {
            Api::Http20
        };
        let mut opts = lambda::Options::new(api);
        opts.function_error = args.function_error;
        let bytes = input::read_bounded(file, MAX_RESPONSE_BYTES as u64 + 1)?;
        let e = lambda::evaluate(&bytes, &opts);
        findings.extend(e.findings);
        (
            e.client.status,
            e.client.header_pairs(),
            e.client.body_string(),
        )
    } else if let Some(code) = args.status {
        let body = match &args.backend_body {
            Some(f) => input::read_text(f, super::template_command::MAX_BODY_BYTES)?,
            None => String::new(),
        };
        (code, args.backend_headers.clone(), body)
    } else {
        bail!(
            "an HTTP API integration: give the integration's answer with --status CODE (and --backend-header, --backend-body) or --lambda-output FILE"
        );
    };
    let context = match &args.context {
        Some(path) => Some(crate::document::load(path)?.value),
        None => None,
    };
    let stage_variables = args.stage_variables.iter().cloned().collect();
    let mapped = http_mapping::apply(
        &integration,
        &http_mapping::Answer {
            status,
            headers,
            body: &body,
        },
        &template::context(context.as_ref()),
        &stage_variables,
    );
    findings.extend(mapped.findings);
    let outcome = HttpMappingOutcome {
        integration: "http-api",
        integration_type: integration.integration_type,
        backend_status: status,
        mapping: mapped.mapping,
        client_status: mapped.client_status,
        client_headers: mapped.client_headers,
        client_body: body,
    };
    session.emit(&Report::new("selection", doc.name, outcome).with_findings(findings))
}

pub fn run(session: &mut Session, args: &SelectionArgs) -> Result<()> {
    if args.aws {
        let (value, name) = live_method(session, args)?;
        let integration =
            model::from_cli_json(&value).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        return rest(session, args, integration, name, None);
    }
    if (args.method.is_some() || args.path.is_some()) && args.export.is_none() {
        bail!(
            "--method and --path name a method of --export FILE or of a live API (--aws --rest-api-id ID)"
        );
    }
    let loaded = match &args.integration {
        Some(file) => Some(crate::document::load(file)?),
        None => None,
    };
    if let Some(doc) = loaded {
        if http_mapping::is_http_integration(&doc.value) {
            return http_api(session, args, doc);
        }
        let integration =
            model::from_cli_json(&doc.value).map_err(|e| anyhow::anyhow!("{}: {e}", doc.name))?;
        return rest(session, args, integration, doc.name, None);
    }
    let (integration, target, doc) = responses(args)?;
    rest(session, args, integration, target, doc.as_ref())
}

/// `doc`: the definition the integration was read from (--export), whose findings place.
fn rest(
    session: &mut Session,
    args: &SelectionArgs,
    integration: Integration,
    target: String,
    doc: Option<&crate::document::Document>,
) -> Result<()> {
    let placed = |findings: Vec<Finding>| match doc {
        Some(d) => d.findings(findings),
        None => findings,
    };
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
        return session
            .emit(&Report::new("selection", target, outcome).with_findings(placed(findings)));
    }
    let (input, assumed_thrown) = input_of(args)?;
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
    let mut s = selection::select(&integration, &input);
    let response = respond(args, &integration, &s)?;
    // The same rule as `lambda`: an error object with no word on the invocation was most
    // likely thrown; what returning it would give goes in `alternative`.
    let alternative = if assumed_thrown {
        let returned = selection::select(&integration, &Input::Success);
        let returned_response = respond(args, &integration, &returned)?;
        s.findings.push(
            Finding::error(
                selection::FUNCTION_ERROR_ASSUMED,
                format!(
                    "this is Lambda's error object, so the function most likely failed (as `lambda` judges it): its errorMessage {:?} is matched against the patterns (pass --function-error to be sure, or --success if it was returned)",
                    s.matched_against
                ),
            )
            .with("assumed", "thrown"),
        );
        Some(SelectionAlternative {
            assuming: "returned",
            selected: returned
                .selected
                .map(|i| Selected::from(&integration.responses[i])),
            client_status: returned_response
                .as_ref()
                .map_or(returned.client_status, |r| Some(r.client_status)),
        })
    } else {
        None
    };
    let rows = integration
        .responses
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let note = if s.kind == IntegrationKind::Proxy {
                "never runs"
            } else if Some(i) == s.selected {
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
        client_status: response
            .as_ref()
            .map_or(s.client_status, |r| Some(r.client_status)),
        client_headers: response.as_ref().map(|r| r.client_headers.clone()),
        client_body: response.as_ref().map(|r| r.client_body.clone()),
        template: response.as_ref().and_then(|r| r.template.clone()),
        matches: s
            .matches
            .iter()
            .map(|&i| Selected::from(&integration.responses[i]))
            .collect(),
        alternative,
        rows,
    };
    if let Some(r) = response {
        s.findings.extend(r.findings);
    }
    session.emit(&Report::new("selection", target, outcome).with_findings(placed(s.findings)))
}

/// `--aws`: the method (get-method shape) of the live API.
fn live_method(session: &Session, args: &SelectionArgs) -> Result<(Value, String)> {
    let (id, method, path) = (
        args.rest_api_id.as_deref().unwrap_or_default(),
        args.method.as_deref().unwrap_or_default(),
        args.path.as_deref().unwrap_or_default(),
    );
    #[cfg(feature = "aws")]
    {
        let aws = session.connect_aws()?;
        let value = aws.method(id, method, path)?;
        let name = format!(
            "REST API {id} ({}) {} {path}",
            aws.region,
            method.to_ascii_uppercase()
        );
        Ok((value, name))
    }
    #[cfg(not(feature = "aws"))]
    {
        let _ = (id, method, path);
        session.connect_aws().map(|never| match never {})
    }
}

/// The rest of the non-proxy pipeline after selection: parameters, template, overrides.
fn respond(
    args: &SelectionArgs,
    integration: &Integration,
    s: &selection::Selection,
) -> Result<Option<ClientResponse>> {
    let Some(rule) = s.selected.map(|i| &integration.responses[i]) else {
        return Ok(None);
    };
    if integration.kind == Some(IntegrationKind::Proxy) {
        return Ok(None);
    }
    let body = match (&args.lambda_output, &args.backend_body) {
        (Some(file), _) => Some(input::read_text(file, MAX_RESPONSE_BYTES as u64)?),
        (None, Some(file)) => Some(input::read_text(
            file,
            super::template_command::MAX_BODY_BYTES,
        )?),
        (None, None) => None,
    };
    if body.is_none() && rule.templates.is_empty() && rule.parameters.is_empty() {
        return Ok(None);
    }
    let context = match &args.context {
        Some(path) => Some(crate::document::load(path)?.value),
        None => None,
    };
    let stage_variables = args.stage_variables.iter().cloned().collect();
    let body = body.unwrap_or_default();
    Ok(Some(template::response::respond(
        integration,
        rule,
        &Backend {
            body: &body,
            headers: &args.backend_headers,
        },
        &args.accept,
        context.as_ref(),
        &stage_variables,
    )))
}

fn responses(
    args: &SelectionArgs,
) -> Result<(Integration, String, Option<crate::document::Document>)> {
    if let Some(file) = &args.export {
        let (method, path) = (
            args.method.as_deref().unwrap_or_default(),
            args.path.as_deref().unwrap_or_default(),
        );
        // A JSON export's path items are read a part at a time, up to the one asked for;
        // the operations passed on the way name what the export has when it is not there.
        let mut doc = crate::document::load_deferring_paths(file)?;
        let integration = if doc.paths_deferred {
            let mut found = None;
            let mut operations = model::Operations::default();
            doc.parts_until(crate::document::PATH_ITEMS_PER_PART, |part| {
                let Some(paths) = part["paths"].as_object() else {
                    return std::ops::ControlFlow::Continue(());
                };
                if !paths.contains_key(path) {
                    operations.add(paths);
                    return std::ops::ControlFlow::Continue(());
                }
                found = Some(model::from_export(part, method, path));
                std::ops::ControlFlow::Break(())
            })?;
            found.unwrap_or_else(|| Err(operations.missing_path(path)))
        } else {
            model::from_export(&doc.value, method, path)
        }
        .map_err(|e| anyhow::anyhow!("{}: {e}", doc.name))?;
        let target = format!("{} {} {path}", doc.name, method.to_ascii_uppercase());
        return Ok((integration, target, Some(doc)));
    }
    let mut responses: Vec<ResponseRule> = args
        .response
        .iter()
        .enumerate()
        .map(|(i, (pattern, status))| ResponseRule {
            pattern: (!model::is_default_pattern(pattern)).then(|| pattern.clone()),
            status: status.clone(),
            origin: format!("--response #{}", i + 1),
            templates: Vec::new(),
            parameters: Vec::new(),
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
            templates: Vec::new(),
            parameters: Vec::new(),
        });
    }
    Ok((
        Integration {
            responses,
            ..Integration::default()
        },
        "--response".to_string(),
        None,
    ))
}

/// What the patterns are matched against, and whether a function error was assumed (an
/// output shaped like Lambda's error object, given without --function-error).
fn input_of(args: &SelectionArgs) -> Result<(Input, bool)> {
    if let Some(code) = args.status {
        return Ok((Input::Status(code), false));
    }
    if let Some(m) = &args.error_message {
        return Ok((Input::ErrorMessage(m.clone()), false));
    }
    if args.success {
        return Ok((Input::Success, false));
    }
    let Some(file) = &args.lambda_output else {
        bail!(
            "give what the patterns are matched against: --status CODE, --error-message TEXT, --lambda-output FILE or --success (or --table)"
        );
    };
    let name = input::display_name(file);
    let text = input::read_text(file, MAX_RESPONSE_BYTES as u64)?;
    selection::lambda_input(&text, args.function_error).map_err(|e| {
        if e.starts_with(|c: char| c.is_ascii_digit()) {
            anyhow::anyhow!("{name}:{e}")
        } else {
            anyhow::anyhow!("{name}: {e}")
        }
    })
}
