//! `apigw-doctor authorizer`.
use super::Session;
use crate::checks::authorizer::{self, Answer, Api, Call, JwtCheck, MethodArn, Token, Verdict};
use crate::checks::gateway_responses;
use crate::cli::{ApiKind, AuthorizerArgs};
use crate::finding::Finding;
use crate::report::{Outcome, Report, human::Palette};
use crate::{document, input};
use anyhow::{Context, Result, bail};
use serde::Serialize;
use serde_json::Value;
use std::io::{self, Write};

/// The longest token read (API Gateway's header quota is far below this).
const MAX_TOKEN_BYTES: u64 = 64 * 1024;

#[derive(Serialize)]
struct AuthorizerOutcome {
    kind: &'static str,
    api: Api,
    #[serde(skip_serializing_if = "Option::is_none")]
    method_arn: Option<String>,
    /// Where the method ARN's region, account and API id came from, when not given whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    method_arn_from: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    then: Vec<String>,
    /// The later requests the cached result denies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    then_denied: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ttl: Option<u64>,
    authorized: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    answer: Option<Answer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<Token>,
}

impl Outcome for AuthorizerOutcome {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        let api = match self.api {
            Api::Rest => "REST API",
            Api::Http => "HTTP API",
        };
        match &self.answer {
            None if self.authorized => writeln!(
                out,
                "{}authorized{:#}: the integration is called ({api}, {})",
                p.good, p.good, self.kind
            )?,
            None => writeln!(
                out,
                "{}uncertain{:#}: the decision depends on something not given ({api}, {})",
                p.warning, p.warning, self.kind
            )?,
            Some(a) => {
                writeln!(
                    out,
                    "{}client gets {} {}{:#}{} ({api}, {})",
                    p.error,
                    a.status,
                    a.body,
                    p.error,
                    if a.certain { "" } else { " (inferred)" },
                    self.kind
                )?;
                for (name, value) in &a.headers {
                    writeln!(out, "  {name}: {value}")?;
                }
                if let Some(g) = a.gateway_response {
                    writeln!(
                        out,
                        "  {}gateway response {g}: a customised one changes this status and body{:#}",
                        p.dim, p.dim
                    )?;
                }
            }
        }
        if let Some(arn) = &self.method_arn {
            write!(out, "  method ARN {arn}")?;
            if let Some(from) = &self.method_arn_from {
                write!(out, " {}({from}){:#}", p.dim, p.dim)?;
            }
            writeln!(out)?;
        }
        if let Some(ttl) = self.ttl {
            for next in &self.then {
                if self.then_denied.contains(next) {
                    writeln!(
                        out,
                        "  then {next}: {}403 from the cached policy{:#} (TTL {ttl} s)",
                        p.error, p.error
                    )?;
                } else if ttl == 0 {
                    writeln!(
                        out,
                        "  then {next}: not cached (TTL 0), the authorizer is called again"
                    )?;
                } else {
                    writeln!(
                        out,
                        "  then {next}: allowed by the cached policy (TTL {ttl} s)"
                    )?;
                }
            }
        }
        if let Some(t) = &self.token {
            for key in [
                "iss",
                "aud",
                "client_id",
                "token_use",
                "scope",
                "scp",
                "exp",
                "nbf",
                "iat",
            ] {
                if let Some(v) = t.claims.get(key) {
                    let when = v
                        .as_i64()
                        .filter(|_| matches!(key, "exp" | "nbf" | "iat"))
                        .and_then(authorizer::rfc3339)
                        .map(|d| format!(" ({d})"))
                        .unwrap_or_default();
                    writeln!(out, "  {}{key}:{:#} {v}{when}", p.dim, p.dim)?;
                }
            }
            writeln!(out, "  {}signature:{:#} {}", p.dim, p.dim, t.signature)?;
        }
        writeln!(out)
    }
}

pub fn run(session: &mut Session, args: &AuthorizerArgs) -> Result<()> {
    let api = match args.api {
        ApiKind::Rest => Api::Rest,
        ApiKind::Http => Api::Http,
    };
    if let Some(raw) = &args.jwt {
        return run_jwt(session, args, api, raw);
    }
    if args.file.is_none() && args.threw.is_none() && !args.identity_missing {
        bail!(
            "authorizer: give the authorizer's output (a FILE, or - for standard input), --threw MESSAGE, --identity-missing, or a --jwt TOKEN"
        );
    }
    let (target, output) = match &args.file {
        Some(path) => {
            let doc = document::load(path)?;
            (doc.name, Some(doc.value))
        }
        None => ("authorizer".to_string(), None),
    };
    let (arn, from) = method_arn(args, output.as_ref())?;
    let later = args
        .then
        .iter()
        .map(|t| later_arn(t, &arn))
        .collect::<Result<Vec<_>>>()?;
    let ttl = args.ttl.unwrap_or(match api {
        Api::Rest => 300,
        Api::Http => 0,
    });
    let call = Call {
        threw: args.threw.clone(),
        identity_missing: args.identity_missing,
    };
    let Verdict {
        authorized,
        mut answer,
        mut findings,
    } = authorizer::judge_lambda(api, output.as_ref(), &call, &arn, &later, ttl);
    customise(args, &mut answer, &mut findings)?;
    let then_denied = findings
        .iter()
        .filter(|f| f.code == authorizer::CACHED_POLICY_DENIES)
        .filter_map(|f| f.evidence.get("resource").and_then(Value::as_str))
        .map(str::to_string)
        .collect();
    let outcome = AuthorizerOutcome {
        kind: "Lambda authorizer",
        api,
        method_arn: Some(arn.0.clone()),
        method_arn_from: from,
        then: later.iter().map(|a| a.0.clone()).collect(),
        then_denied,
        ttl: Some(ttl),
        authorized,
        answer,
        token: None,
    };
    session.emit(&Report::new("authorizer", target, outcome).with_findings(findings))
}

fn run_jwt(session: &mut Session, args: &AuthorizerArgs, api: Api, raw: &str) -> Result<()> {
    let token = match raw.strip_prefix('@') {
        Some(path) => input::read_text(path, MAX_TOKEN_BYTES)?,
        None => raw.to_string(),
    };
    let jwks = match &args.jwks {
        Some(path) => Some(document::load(path)?.value),
        None => None,
    };
    let now = match &args.now {
        Some(t) => parse_time(t).with_context(|| format!("--now {t:?}"))?,
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64),
    };
    let check = JwtCheck {
        api,
        issuer: args.issuer.clone(),
        audiences: args.audience.clone(),
        scopes: args.scopes.clone(),
        jwks,
        now,
    };
    let (mut verdict, decoded) = authorizer::judge_jwt(&token, &check);
    customise(args, &mut verdict.answer, &mut verdict.findings)?;
    let kind = match api {
        Api::Http => "JWT authorizer",
        Api::Rest => "Cognito user pool authorizer",
    };
    let outcome = AuthorizerOutcome {
        kind,
        api,
        method_arn: None,
        method_arn_from: None,
        then: Vec::new(),
        then_denied: Vec::new(),
        ttl: None,
        authorized: verdict.authorized,
        answer: verdict.answer,
        token: decoded,
    };
    session.emit(&Report::new("authorizer", "JWT", outcome).with_findings(verdict.findings))
}

/// `--export`: the API's customised gateway responses reshape the answer (REST).
fn customise(
    args: &AuthorizerArgs,
    answer: &mut Option<Answer>,
    findings: &mut Vec<Finding>,
) -> Result<()> {
    let (Some(path), Some(a)) = (&args.export, answer.as_mut()) else {
        return Ok(());
    };
    let Some(kind) = a.gateway_response else {
        return Ok(());
    };
    let doc = document::load(path)?;
    let responses = gateway_responses::customised(&doc.value);
    let message = gateway_responses::message_of(&a.body);
    if let Some(shaped) =
        gateway_responses::shape(&responses, kind, a.status, message.as_deref(), &[])
    {
        findings.push(gateway_responses::finding(kind, &shaped));
        a.status = shaped.status;
        if let Some(body) = &shaped.body {
            a.body = body.clone();
        } else {
            a.body = "(a body from a template that uses values of the real call)".into();
        }
        a.headers.extend(shaped.headers.iter().cloned());
        a.certain &= shaped.certain;
    }
    Ok(())
}

/// `--now`: RFC 3339 or seconds since the epoch.
pub(super) fn parse_time(t: &str) -> Result<i64> {
    if let Ok(secs) = t.parse::<i64>() {
        return Ok(secs);
    }
    let d = time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
        .map_err(|e| {
            anyhow::anyhow!("not RFC 3339 (2026-12-05T10:00:00Z) nor epoch seconds: {e}")
        })?;
    Ok(d.unix_timestamp())
}

/// The method ARN: given whole, or built from --method/--path/--stage and the policy's first
/// Resource (its region, account and API id; its stage unless --stage).
fn method_arn(
    args: &AuthorizerArgs,
    output: Option<&Value>,
) -> Result<(MethodArn, Option<String>)> {
    if let Some(arn) = &args.method_arn {
        let arn = MethodArn(arn.clone());
        if arn.parts().is_none() {
            bail!(
                "--method-arn {:?}: not arn:aws:execute-api:REGION:ACCOUNT:API_ID/STAGE/METHOD/PATH",
                arn.0
            );
        }
        return Ok((arn, None));
    }
    let first = authorizer::policy_arn(output);
    let base = first.as_ref().and_then(MethodArn::parts);
    let (Some(method), Some(path)) = (&args.method, &args.path) else {
        // No request given: the policy's first Resource is the call (what the authorizer
        // answered for), or a generic one.
        return Ok(match first {
            Some(arn) if arn.parts().is_some() => (
                arn,
                Some("the policy's first Resource, as no --method-arn was given".into()),
            ),
            _ => (
                MethodArn::build("us-east-1", "123456789012", "apiid", "stage", "GET", "/"),
                Some("a placeholder: give --method-arn or --method and --path".into()),
            ),
        });
    };
    let Some([region, account, api_id, stage, ..]) = base else {
        bail!(
            "--method/--path need a full method ARN to borrow the region, account and API id from, and the policy's first Resource is not one: give --method-arn"
        );
    };
    let stage = args.stage.as_deref().unwrap_or(stage);
    Ok((
        MethodArn::build(region, account, api_id, stage, method, path),
        Some("region, account and API id from the policy's first Resource".into()),
    ))
}

/// `--then 'POST /orders'` (same API and stage as the first request) or a method ARN.
fn later_arn(t: &str, first: &MethodArn) -> Result<MethodArn> {
    if t.starts_with("arn:") {
        let arn = MethodArn(t.to_string());
        if arn.parts().is_none() {
            bail!("--then {t:?}: not a method ARN");
        }
        return Ok(arn);
    }
    let mut words = t.split_whitespace();
    let (Some(method), Some(path), None) = (words.next(), words.next(), words.next()) else {
        bail!("--then {t:?}: write 'METHOD /PATH' (e.g. 'POST /orders') or a method ARN");
    };
    let Some([region, account, api_id, stage, ..]) = first.parts() else {
        bail!("--then needs the first request's method ARN");
    };
    Ok(MethodArn::build(
        region, account, api_id, stage, method, path,
    ))
}
