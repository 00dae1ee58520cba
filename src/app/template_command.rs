//! `apigw-doctor template`: one mapping template rendered as API Gateway renders it.
use super::Session;
use crate::checks::template::{self, ClientError, Outcome, Overrides, Phase, Request, eval::Input};
use crate::cli::{TemplateArgs, TemplatePhase};
use crate::input;
use crate::report::{Outcome as ReportOutcome, Report, human::Palette};
use anyhow::{Result, bail};
use indexmap::IndexMap;
use serde::Serialize;
use std::io::{self, Write};

/// API Gateway's quota for a mapping template is far smaller; this only bounds the read.
const MAX_TEMPLATE_BYTES: u64 = 1024 * 1024;
/// API Gateway's payload quota.
pub const MAX_BODY_BYTES: u64 = 10 * 1024 * 1024;

#[derive(Serialize)]
struct TemplateOutcome {
    output: Option<String>,
    overrides: Overrides,
    error: Option<ClientError>,
}

impl ReportOutcome for TemplateOutcome {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        if let Some(e) = &self.error {
            writeln!(
                out,
                "{}the client gets {} {{\"message\": {:?}}}{:#} instead of a rendered body",
                p.error, e.client_status, e.message, p.error
            )?;
        }
        if let Some(body) = &self.output {
            writeln!(out, "{}rendered body:{:#}", p.dim, p.dim)?;
            writeln!(out, "{body}")?;
        }
        write_overrides(out, p, &self.overrides)
    }
}

pub fn write_overrides(out: &mut dyn Write, p: &Palette, o: &Overrides) -> io::Result<()> {
    if let Some(status) = &o.status {
        writeln!(out, "{}override:{:#} status {status}", p.strong, p.strong)?;
    }
    let groups = [
        ("response header", &o.header),
        ("request header", &o.request.header),
        ("request path", &o.request.path),
        ("request querystring", &o.request.querystring),
    ];
    for (what, map) in groups {
        for (k, v) in map {
            let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            writeln!(out, "{}override:{:#} {what} {k}: {v}", p.strong, p.strong)?;
        }
    }
    Ok(())
}

/// The template text and the report's target: a file, or a method's template in a
/// definition (`--export`).
fn template_text(args: &TemplateArgs) -> Result<(String, String)> {
    let Some(file) = &args.export else {
        let name = args.template.as_deref().unwrap_or("-");
        if name == "-" && args.body.as_deref() == Some("-") {
            bail!("TEMPLATE and --body cannot both be - (standard input): put one in a file");
        }
        return Ok((
            input::read_text(name, MAX_TEMPLATE_BYTES)?,
            input::display_name(name).to_string(),
        ));
    };
    let (method, resource) = (
        args.method.as_deref().unwrap_or_default(),
        args.resource.as_deref().unwrap_or_default(),
    );
    let doc = crate::document::load(file)?;
    let integration = crate::checks::selection::model::from_export(&doc.value, method, resource)
        .map_err(|e| anyhow::anyhow!("{}: {e}", doc.name))?;
    let wanted = args.content_type.to_ascii_lowercase();
    let (candidates, what): (Vec<&(String, String, String)>, String) = match args.phase {
        TemplatePhase::Request => (
            integration.request_templates.iter().collect(),
            "request templates".to_string(),
        ),
        TemplatePhase::Response => {
            // Every integration response with that status (a pattern and the default can
            // share one), or the default response.
            let rules: Vec<_> = integration
                .responses
                .iter()
                .filter(|r| match &args.status {
                    Some(status) => &r.status == status,
                    None => r.pattern.is_none(),
                })
                .collect();
            if rules.is_empty() {
                let statuses: Vec<&str> = integration
                    .responses
                    .iter()
                    .map(|r| r.status.as_str())
                    .collect();
                bail!(
                    "{}: {} {resource} has no integration response {}; it has {}",
                    doc.name,
                    method.to_ascii_uppercase(),
                    args.status
                        .as_deref()
                        .map_or("default".to_string(), |s| format!("for status {s}")),
                    if statuses.is_empty() {
                        "none".to_string()
                    } else {
                        statuses.join(", ")
                    }
                );
            }
            (
                rules.iter().flat_map(|r| &r.templates).collect(),
                format!(
                    "response templates of its {} response",
                    args.status.as_deref().unwrap_or("default")
                ),
            )
        }
    };
    match candidates
        .iter()
        .find(|(t, _, _)| t.to_ascii_lowercase() == wanted)
    {
        Some((_, text, location)) => {
            // A definition read from infrastructure as code: the resource in the user's file.
            let location = doc
                .read
                .as_ref()
                .and(crate::locate::origin_of(&doc.value, location))
                .unwrap_or_else(|| location.clone());
            Ok((
                text.clone(),
                format!(
                    "{} {} {resource} {location}",
                    doc.name,
                    method.to_ascii_uppercase()
                ),
            ))
        }
        None => bail!(
            "{}: {} {resource} has no {wanted} template among its {what} ({}): pick one with --content-type",
            doc.name,
            method.to_ascii_uppercase(),
            if candidates.is_empty() {
                "none".to_string()
            } else {
                candidates
                    .iter()
                    .map(|(t, _, _)| t.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ),
    }
}

pub fn run(session: &mut Session, args: &TemplateArgs) -> Result<()> {
    let (text, target) = template_text(args)?;
    let body = match &args.body {
        Some(path) => match String::from_utf8(input::read_bounded(path, MAX_BODY_BYTES)?) {
            Ok(text) => text
                .strip_prefix('\u{feff}')
                .map(str::to_string)
                .unwrap_or(text),
            // Binary data reaching a template: API Gateway answers 500 (recorded).
            Err(e) => {
                let finding = crate::finding::Finding::error(
                    template::RUNTIME_ERROR,
                    format!(
                        "the body is not UTF-8 text (invalid byte at offset {}): binary data reaching a mapping template makes API Gateway answer 500; set contentHandling CONVERT_TO_TEXT or add the type to binaryMediaTypes",
                        e.utf8_error().valid_up_to()
                    ),
                );
                let outcome = TemplateOutcome {
                    output: None,
                    overrides: Overrides::default(),
                    error: Some(ClientError {
                        client_status: 500,
                        message: "Internal server error".into(),
                    }),
                };
                return session
                    .emit(&Report::new("template", target, outcome).with_findings(vec![finding]));
            }
        },
        None => String::new(),
    };
    let context = match &args.context {
        Some(path) => {
            let doc = crate::document::load(path)?;
            if !doc.value.is_object() {
                bail!(
                    "{}: --context must be a JSON object of $context values, e.g. {{\"stage\": \"prod\"}}",
                    input::display_name(path)
                );
            }
            Some(doc.value)
        }
        None => None,
    };
    let pairs =
        |v: &[(String, String)]| -> IndexMap<String, String> { v.iter().cloned().collect() };
    let request = Request {
        phase: match args.phase {
            TemplatePhase::Request => Phase::Request,
            TemplatePhase::Response => Phase::Response,
        },
        input: Input {
            body,
            path: pairs(&args.path_params),
            querystring: pairs(&args.querystring),
            header: pairs(&args.header),
        },
        context: context.as_ref(),
        stage_variables: pairs(&args.stage_variables),
        content_type: Some(&args.content_type),
    };
    let Outcome {
        output,
        overrides,
        error,
        findings,
    } = template::evaluate(&text, request);
    let outcome = TemplateOutcome {
        output,
        overrides,
        error,
    };
    session.emit(&Report::new("template", target, outcome).with_findings(findings))
}
