//! `apigw-doctor lint`.
use super::Session;
use crate::checks::lint::{self, LinkUse, VpcLinkUser};
use crate::cli::LintArgs;
use crate::document;
use crate::finding::Finding;
use crate::report::{Outcome, Report, human::Palette};
use anyhow::Result;
use serde::Serialize;
use serde_json::Value;
use std::io::{self, Write};

#[derive(Serialize)]
struct VpcLinkResult {
    id: String,
    /// From --deployed / --undeployed; null when not said.
    deployed: Option<bool>,
    users: Vec<VpcLinkUser>,
}

#[derive(Serialize)]
struct LintOutcome {
    /// "rest" or "http": which kind of API the definition was linted as.
    api: &'static str,
    methods: usize,
    integrations: usize,
    vpc_links: Vec<LinkUse>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vpc_link: Option<VpcLinkResult>,
}

impl Outcome for LintOutcome {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        if let Some(v) = &self.vpc_link {
            let certain = v.users.iter().filter(|u| u.certain).count();
            if v.users.is_empty() {
                writeln!(
                    out,
                    "{}VPC link {} is used by no method in this definition{:#}",
                    p.good, v.id, p.good
                )?;
            } else {
                writeln!(
                    out,
                    "{}VPC link {} is used by {} method(s){:#} ({certain} by id, {} that may: a stage variable or a reference this definition does not resolve)",
                    p.strong,
                    v.id,
                    v.users.len(),
                    p.strong,
                    v.users.len() - certain
                )?;
                let width =
                    crate::report::human::column_width(v.users.iter().map(|u| u.label().len()));
                for u in &v.users {
                    let label = u.label();
                    let note = if u.certain { "" } else { "  (may use it)" };
                    writeln!(
                        out,
                        "  {}{label:width$}{:#}  {}{note}",
                        p.code, p.code, u.connection_id
                    )?;
                }
            }
            return writeln!(out);
        }
        writeln!(
            out,
            "{}{} API: {} methods, {} with an integration{:#}",
            p.strong,
            if self.api == "http" { "HTTP" } else { "REST" },
            self.methods,
            self.integrations,
            p.strong
        )?;
        for link in &self.vpc_links {
            writeln!(
                out,
                "  VPC link {}{}{:#}{}: {}",
                p.code,
                link.id,
                p.code,
                if link.resolved {
                    ""
                } else {
                    " (unresolved in this definition)"
                },
                link.used_by.join(" ")
            )?;
        }
        writeln!(out)
    }
}

pub fn run(session: &mut Session, args: &LintArgs) -> Result<()> {
    if let Some(text) = &args.vpc_link_error {
        return link_error(session, args, text);
    }
    if args.aws {
        return live(session, args);
    }
    let doc = document::load(args.file.as_deref().unwrap_or("-"))?;
    lint_document(session, args, doc, None)
}

/// `--aws`: each REST API's definition as AWS holds it now (get-resources --embed methods),
/// one report per API.
fn live(session: &mut Session, args: &LintArgs) -> Result<()> {
    #[cfg(feature = "aws")]
    {
        let aws = session.connect_aws()?;
        let apis = match &args.rest_api_id {
            Some(id) => vec![(id.clone(), String::new())],
            None => aws.rest_apis()?,
        };
        if apis.is_empty() {
            anyhow::bail!(
                "no REST APIs in {} (pass --region, or check the account)",
                aws.region
            );
        }
        for (id, name) in apis {
            let value = aws.resources(&id)?;
            let label = if name.is_empty() {
                format!("REST API {id} ({})", aws.region)
            } else {
                format!("REST API {id} {name:?} ({})", aws.region)
            };
            let doc = document::Document {
                name: label,
                text: serde_json::to_string_pretty(&value)?,
                value,
                yaml: false,
            };
            lint_document(session, args, doc, Some(&id))?;
        }
        Ok(())
    }
    #[cfg(not(feature = "aws"))]
    {
        let _ = args;
        session.connect_aws().map(|_| ())
    }
}

fn lint_document(
    session: &mut Session,
    args: &LintArgs,
    doc: document::Document,
    api_id: Option<&str>,
) -> Result<()> {
    let methods = lint::methods(&doc.value).map_err(|e| anyhow::anyhow!("{}: {e}", doc.name))?;
    let deployed = match (args.deployed, args.undeployed) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    let (vpc_link, mut findings) = match &args.vpc_link {
        Some(id) => {
            let (mut users, findings) = lint::vpc_link_users(&methods, id, deployed);
            for u in &mut users {
                u.user.api_id = api_id.map(str::to_string);
            }
            (
                Some(VpcLinkResult {
                    id: id.clone(),
                    deployed,
                    users,
                }),
                findings,
            )
        }
        None => (None, lint::lint(&methods)),
    };
    let http = lint::is_http_api(&doc.value);
    if http && args.vpc_link.is_none() {
        findings.extend(lint::lint_http_api(&doc.value));
    }
    findings.extend(lint::missing_integrations(&doc.value, &methods));
    add_lines(&mut findings, &doc);
    let outcome = LintOutcome {
        api: if http { "http" } else { "rest" },
        methods: methods.len(),
        integrations: methods.iter().filter(|m| m.integration.is_some()).count(),
        vpc_links: lint::vpc_links(&methods),
        vpc_link,
    };
    let report = Report::new("lint", doc.name.clone(), outcome).with_findings(findings);
    session.emit(&report)?;
    // The process ends next: freeing a document of millions of values one by one would
    // take a third of the run.
    std::mem::forget((doc, methods, report));
    Ok(())
}

#[derive(Serialize)]
struct LinkErrorOutcome {
    vpc_link_error: lint::LinkError,
    /// Why paths are missing, when they are.
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

impl Outcome for LinkErrorOutcome {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        let e = &self.vpc_link_error;
        writeln!(
            out,
            "{}VPC link {} is held by {} reference(s){:#}  (format [{}])",
            p.strong,
            e.link_id.as_deref().unwrap_or("?"),
            e.users.len(),
            p.strong,
            e.format.join(":")
        )?;
        for u in &e.users {
            writeln!(
                out,
                "  {}{}{:#} {}  resource {}  stage {}  API {}",
                p.code,
                u.method.as_deref().unwrap_or("?"),
                p.code,
                u.path.as_deref().unwrap_or("(path unknown)"),
                u.resource_id.as_deref().unwrap_or("?"),
                u.stage.as_deref().unwrap_or("(not in this format)"),
                u.api_id.as_deref().unwrap_or("(not in this format)")
            )?;
        }
        if let Some(note) = &self.note {
            writeln!(out, "  {}{note}{:#}", p.dim, p.dim)?;
        }
        writeln!(out)
    }
}

/// `--vpc-link-error`: the error text's references, with paths from get-resources output.
fn link_error(session: &mut Session, args: &LintArgs, text: &str) -> Result<()> {
    let text = match text.strip_prefix('@') {
        Some(file) => crate::input::read_text(file, 1024 * 1024)?,
        None => text.to_string(),
    };
    let mut parsed =
        lint::parse_link_error(&text).map_err(|e| anyhow::anyhow!("--vpc-link-error: {e}"))?;
    let mut note = Some("give `aws apigateway get-resources --rest-api-id API_ID` output as EXPORT to see each resource's path".to_string());
    if let Some(file) = &args.file {
        let doc = document::load(file)?;
        match lint::resource_paths(&doc.value) {
            Some(paths) => {
                for u in &mut parsed.users {
                    u.path = u.resource_id.as_ref().and_then(|r| paths.get(r).cloned());
                }
                note = parsed.users.iter().any(|u| u.path.is_none()).then(|| {
                    format!(
                        "some resource ids are not in {}: is it the right API?",
                        doc.name
                    )
                });
            }
            None => {
                note = Some(format!(
                    "{} has no resource ids (an export does not carry them): give get-resources output to see paths",
                    doc.name
                ));
            }
        }
    }
    let findings = lint::link_error_findings(&parsed);
    let target = args
        .file
        .clone()
        .unwrap_or_else(|| "vpc-link-error".to_string());
    session.emit(
        &Report::new(
            "lint",
            target,
            LinkErrorOutcome {
                vpc_link_error: parsed,
                note,
            },
        )
        .with_findings(findings),
    )
}

/// The source line of each finding's location, for people and SARIF: every location is
/// looked up in one pass over the document.
fn add_lines(findings: &mut [Finding], doc: &document::Document) {
    let location = |f: &Finding| {
        ["location", "origin"]
            .iter()
            .find_map(|k| f.evidence.get(*k).and_then(Value::as_str))
            .unwrap_or_default()
            .to_string()
    };
    let paths: Vec<String> = findings.iter().map(location).collect();
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    let lines = crate::locate::lines_of(&doc.text, &doc.value, doc.yaml, &paths);
    for (f, line) in findings.iter_mut().zip(lines) {
        if let Some(line) = line {
            f.evidence.insert("line".to_string(), line.into());
        }
    }
}
