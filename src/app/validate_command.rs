//! `apigw-doctor validate`.
use super::Session;
use crate::checks::gateway_responses;
use crate::checks::validation::{self, Incoming, Outcome as Validation, Validator};
use crate::cli::ValidateArgs;
use crate::report::{Outcome, Report, human::Palette};
use crate::{document, input};
use anyhow::{Result, bail};
use serde::Serialize;
use std::io::{self, Write};

/// The largest body read: API Gateway's payload limit.
const MAX_BODY_BYTES: u64 = 10 * 1024 * 1024;

#[derive(Serialize)]
struct ValidateOutcome {
    method: String,
    path: String,
    resource: String,
    validator: Option<Validator>,
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<String>,
    /// Whether the request reaches the integration (past validation).
    passes: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gateway_response: Option<&'static str>,
    /// Headers a customised gateway response adds.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    headers: Vec<(String, String)>,
}

impl Outcome for ValidateOutcome {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        match (self.status, &self.body) {
            (Some(status), body) => writeln!(
                out,
                "{}client gets {status} {}{:#} ({} {} -> {})",
                p.error,
                body.as_deref()
                    .unwrap_or("(its body depends on the call: see below)"),
                p.error,
                self.method,
                self.path,
                self.resource
            )?,
            _ => writeln!(
                out,
                "{}passes validation{:#}: the request goes on to the integration ({} {} -> {})",
                p.good, p.good, self.method, self.path, self.resource
            )?,
        }
        for (name, value) in &self.headers {
            writeln!(out, "  {name}: {value}")?;
        }
        if let Some(v) = &self.validator {
            writeln!(
                out,
                "  validator {:?}: parameters {}, body {}",
                v.name,
                if v.parameters {
                    "checked"
                } else {
                    "not checked"
                },
                if v.body { "checked" } else { "not checked" }
            )?;
        }
        if let Some(m) = &self.model {
            writeln!(out, "  model {m}")?;
        }
        if let Some(g) = self.gateway_response {
            writeln!(
                out,
                "  {}gateway response {g}: a customised one changes this status and body{:#}",
                p.dim, p.dim
            )?;
        }
        writeln!(out)
    }
}

/// What of a definition could serve a request to `path`, when it is a JSON export read a
/// part at a time: the definition with only the path items that could serve the request
/// (routing among them is routing among all), and whether it is an HTTP API, gathered from
/// every integration. None when the definition was read whole: it is its own answer.
pub(super) fn serving_definition(
    doc: &mut document::Document,
    path: &str,
) -> Result<Option<(serde_json::Value, bool)>> {
    if !doc.paths_deferred {
        return Ok(None);
    }
    let mut kind = crate::checks::lint::ApiKind::default();
    let mut serving = serde_json::Map::new();
    doc.for_each_part_of(document::PATH_ITEMS_PER_PART, |part| {
        kind.integrations(part);
        if let Some(paths) = part.get("paths").and_then(serde_json::Value::as_object) {
            for key in validation::serving(paths, path) {
                serving.insert(key.clone(), paths[key].clone());
            }
        }
    })?;
    let mut definition = doc.value.clone();
    definition["paths"] = serde_json::Value::Object(serving);
    Ok(Some((definition, kind.decide(&doc.value).0)))
}

pub fn run(session: &mut Session, args: &ValidateArgs) -> Result<()> {
    let mut doc = document::load_deferring_paths(&args.export)?;
    let serving = serving_definition(&mut doc, &args.path)?;
    let definition = serving.as_ref().map_or(&doc.value, |(d, _)| d);
    let mut headers = Vec::new();
    for h in &args.headers {
        let Some((name, value)) = h.split_once(':') else {
            bail!("--header {h:?}: write 'Name: value'");
        };
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let mut querystring = Vec::new();
    for q in &args.querystring {
        let Some((name, value)) = q.split_once('=') else {
            bail!("--querystring {q:?}: write name=value");
        };
        querystring.push((name.to_string(), value.to_string()));
    }
    let content_type = args.content_type.clone().or_else(|| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.clone())
    });
    let body = match &args.body {
        Some(path) => Some(input::read_text(path, MAX_BODY_BYTES)?),
        None => None,
    };
    let located = validation::locate(definition, &args.method, &args.path)
        .map_err(|e| anyhow::anyhow!("{}: {e}", doc.name))?;
    let http = match &serving {
        Some((_, http)) => *http,
        None => crate::checks::lint::api_kind(located.root).0,
    };
    if http {
        // HTTP APIs have no request validators or models.
        let outcome = ValidateOutcome {
            method: args.method.to_ascii_uppercase(),
            path: args.path.clone(),
            resource: located.template.clone(),
            validator: None,
            model: None,
            passes: true,
            status: None,
            body: None,
            gateway_response: None,
            headers: Vec::new(),
        };
        let finding = crate::finding::Finding::info(
            validation::NO_VALIDATOR,
            "this is an HTTP API: HTTP APIs have no request validation (no validators, no models), so nothing is checked before the integration; validate in the backend",
        );
        let findings = doc.findings(vec![finding]);
        return session.emit(&Report::new("validate", doc.name, outcome).with_findings(findings));
    }
    let request = Incoming {
        method: args.method.clone(),
        path: args.path.clone(),
        headers,
        querystring,
        content_type,
        body,
    };
    let Validation {
        resource,
        validator,
        model,
        mut status,
        mut body,
        gateway_response,
        mut findings,
    } = validation::validate(&located, &request);
    let mut headers = Vec::new();
    if let (Some(kind), Some(code)) = (gateway_response, status) {
        let message = body.as_deref().and_then(gateway_responses::message_of);
        let responses = gateway_responses::customised(&doc.value);
        if let Some(shaped) =
            gateway_responses::shape(&responses, kind, code, message.as_deref(), &request.headers)
        {
            findings.push(gateway_responses::finding(kind, &shaped));
            status = Some(shaped.status);
            body = shaped.body;
            headers = shaped.headers;
        }
    }
    let outcome = ValidateOutcome {
        method: args.method.to_ascii_uppercase(),
        path: args.path.clone(),
        resource,
        validator,
        model,
        passes: status.is_none(),
        status,
        body,
        gateway_response,
        headers,
    };
    let findings = doc.findings(findings);
    session.emit(&Report::new("validate", doc.name, outcome).with_findings(findings))
}
