//! `apigw-doctor policy`.
use super::Session;
use crate::checks::policy::{self, Decision, Request, Statement};
use crate::cli::{ApiKind, PolicyArgs};
use crate::document;
use crate::finding::Finding;
use crate::report::{Outcome, Report, human::Palette};
use anyhow::Result;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct PolicyOutcome {
    api: &'static str,
    statements: usize,
    decision: Option<Decision>,
    deciding_statement: Option<Statement>,
    principal: Option<String>,
    resource: Option<String>,
}

impl Outcome for PolicyOutcome {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        if self.api == "http" {
            return writeln!(
                out,
                "{}HTTP API: resource policies are not available{:#}\n",
                p.strong, p.strong
            );
        }
        writeln!(
            out,
            "{}resource policy: {} statement(s){:#}",
            p.strong, self.statements, p.strong
        )?;
        if let (Some(d), Some(who), Some(what)) = (self.decision, &self.principal, &self.resource) {
            let (style, word) = match d {
                Decision::Allow => (p.good, "ALLOW"),
                Decision::ExplicitDeny => (p.error, "DENY (explicit)"),
                Decision::ImplicitDeny => (p.error, "DENY (no statement allows it)"),
                Decision::Uncertain => (p.warning, "UNCERTAIN (depends on a condition not given)"),
            };
            writeln!(out, "  {who}\n  → {what}")?;
            write!(out, "  {style}{word}{style:#}")?;
            if let Some(s) = &self.deciding_statement {
                write!(out, " by statement {}", s.index)?;
                if let Some(sid) = &s.sid {
                    write!(out, " ({sid})")?;
                }
            }
            writeln!(out)?;
        }
        writeln!(out)
    }
}

/// `--aws --rest-api-id ID`: the policy AWS holds for the API (get-rest-api), as a document.
fn live_policy(session: &Session, args: &PolicyArgs) -> Result<document::Document> {
    let id = args.rest_api_id.as_deref().unwrap_or_default();
    #[cfg(feature = "aws")]
    {
        let aws = session.connect_aws()?;
        let Some(text) = aws.rest_api_policy(id)? else {
            anyhow::bail!(
                "REST API {id} ({}) has no resource policy: every caller the method's authorization admits may invoke it",
                aws.region
            );
        };
        Ok(document::Document {
            name: format!("REST API {id} ({}) resource policy", aws.region),
            value: serde_json::Value::String(text.clone()),
            text,
            yaml: false,
            read: None,
            paths_deferred: false,
            duplicates: Vec::new(),
            duplicates_in_all: 0,
        })
    }
    #[cfg(not(feature = "aws"))]
    {
        let _ = id;
        session.connect_aws().map(|never| match never {})
    }
}

pub fn run(session: &mut Session, args: &PolicyArgs) -> Result<()> {
    if args.api == Some(ApiKind::Http) {
        let finding = Finding::error(
            policy::HTTP_API_UNSUPPORTED,
            "HTTP APIs do not support resource policies: for cross-account access, let the caller assume a role in the API's account (sts:AssumeRole) that may invoke the API",
        );
        let outcome = PolicyOutcome {
            api: "http",
            statements: 0,
            decision: None,
            deciding_statement: None,
            principal: args.principal.clone(),
            resource: args.resource.clone(),
        };
        let target = args.file.clone().unwrap_or_else(|| "HTTP API".to_string());
        return session.emit(&Report::new("policy", target, outcome).with_findings(vec![finding]));
    }
    let doc = if args.aws {
        live_policy(session, args)?
    } else {
        document::load(args.file.as_deref().unwrap_or("-"))?
    };
    // get-rest-apis: one report per API that has a policy.
    let policies = match policy::policies_of_apis(&doc.value) {
        Some(list) if list.is_empty() => {
            anyhow::bail!("{}: none of these APIs has a resource policy", doc.name)
        }
        Some(list) => list
            .into_iter()
            .map(|(id, p)| (format!("{}#{id}", doc.name), p, None))
            .collect(),
        None => match policies_of_definitions(&doc.value) {
            // A template (its RestApi Policy, as resources or inline), Terraform's JSON, or an
            // export: one report per API that has a policy.
            Some(list) if list.is_empty() => anyhow::bail!(
                "{}: it looks like {}, and no API in it has a resource policy (x-amazon-apigateway-policy, a RestApi's Policy, aws_api_gateway_rest_api_policy)",
                doc.name,
                document::describe_for(&doc.value, "policy")
            ),
            Some(list) => list
                .into_iter()
                .map(|(api, p, at)| (format!("{}#{api}", doc.name), Ok(p), Some(at)))
                .collect(),
            None => vec![(doc.name.clone(), policy::unwrap_policy(&doc.value), None)],
        },
    };
    let request = Request {
        principal: args.principal.clone(),
        resource: args.resource.clone(),
        source_vpce: args.source_vpce.clone(),
        source_vpc: args.source_vpc.clone(),
        source_ip: args.source_ip,
        principal_org_id: args.principal_org_id.clone(),
        identity_policy: false,
    };
    for (target, value, written_at) in policies {
        let value = value.map_err(|e| anyhow::anyhow!("{target}: {e}"))?;
        let mut e = policy::evaluate(&value, &request);
        if let Some(at) = written_at {
            place_in_definition(&mut e.findings, &doc, &at);
        }
        let outcome = PolicyOutcome {
            api: "rest",
            statements: e.statements.len(),
            decision: e.decision,
            deciding_statement: e.deciding,
            principal: args.principal.clone(),
            resource: args.resource.clone(),
        };
        session.emit(&Report::new("policy", target, outcome).with_findings(e.findings))?;
    }
    Ok(())
}

/// The resource policies of the APIs a definition holds: an export's
/// `x-amazon-apigateway-policy`, or each definition of a template or Terraform JSON (read
/// into inline definitions by `sources`); None when the document holds no definition.
/// Each with where it is written in the user's file: the export's or inline definition's
/// `x-amazon-apigateway-policy`, a template RestApi's `Properties.Policy`, or the Terraform
/// resource that holds it.
fn policies_of_definitions(
    doc: &serde_json::Value,
) -> Option<Vec<(String, serde_json::Value, String)>> {
    use crate::sources::{ORIGIN, cloudformation::SYNTHESIZED};
    let key = "x-amazon-apigateway-policy";
    if doc.get("paths").is_some() {
        return Some(
            doc.get(key)
                .map(|p| vec![("export".to_string(), p.clone(), format!("$.{key}"))])
                .unwrap_or_default(),
        );
    }
    let bodies = crate::checks::lint::definition_bodies(doc);
    if bodies.is_empty() {
        return None;
    }
    Some(
        bodies
            .iter()
            .filter(|b| !b.http)
            .filter_map(|b| {
                let policy = b.value.get(key)?.clone();
                let at = if b.value.get(SYNTHESIZED).is_some() {
                    // Read from resources: the RestApi's own Policy, or the Terraform resource.
                    doc.get("Resources")
                        .and_then(|r| r.get(&b.logical_id))
                        .and_then(|r| r.get(ORIGIN))
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_string)
                        .unwrap_or_else(|| {
                            format!(
                                "{}.Properties.Policy",
                                crate::locate::resource_path(&b.logical_id)
                            )
                        })
                } else {
                    format!("{}.{key}", b.base)
                };
                Some((b.logical_id.clone(), policy, at))
            })
            .collect(),
    )
}

/// A policy finding's `path` (`$.Statement[1]`, in the policy) placed in the user's file, with
/// its line: under the policy where the file writes it as JSON, else at its resource.
fn place_in_definition(findings: &mut [Finding], doc: &document::Document, at: &str) {
    let under_policy = at.ends_with("Policy") || at.ends_with("-policy");
    doc.relocate(findings, "path", |path| {
        let inner = path
            .strip_prefix('$')
            .filter(|_| under_policy)
            .unwrap_or_default();
        format!("{at}{inner}")
    });
}
