//! `apigw-doctor trace`.
use super::Session;
use crate::checks::lambda::{MAX_RESPONSE_BYTES, reason_phrase};
use crate::checks::pipeline::{
    self, AuthorizerAnswer, Backend, Given, Outcome as StageOutcome, Request, Trace,
};
use crate::cli::TraceArgs;
use crate::report::{Outcome, Report, human::Palette};
use crate::{document, input};
use anyhow::{Result, bail};
use serde::Serialize;
use serde_json::Value;
use std::io::{self, Write};

#[derive(Serialize)]
struct TraceOutcome {
    method: String,
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    stage: Option<String>,
    #[serde(flatten)]
    trace: Trace,
}

impl Outcome for TraceOutcome {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        let api = match self.trace.api {
            crate::checks::authorizer::Api::Rest => "REST API",
            crate::checks::authorizer::Api::Http => "HTTP API",
        };
        writeln!(
            out,
            "{}{} {}{:#} through the {api}{}",
            p.strong,
            self.method,
            crate::report::human::visible(&self.path),
            p.strong,
            self.stage
                .as_deref()
                .map(|s| format!(", stage {s}"))
                .unwrap_or_default()
        )?;
        let width = crate::report::human::column_width(
            self.trace.stages.iter().map(|s| s.stage.chars().count()),
        );
        for s in &self.trace.stages {
            let (mark, style) = match s.outcome {
                StageOutcome::Passed => ("✓", p.good),
                StageOutcome::Stopped => ("✗", p.error),
                StageOutcome::Skipped => ("-", p.dim),
                StageOutcome::Uncertain => ("?", p.warning),
            };
            let pad = width.saturating_sub(s.stage.chars().count());
            writeln!(
                out,
                "  {style}{mark}{style:#} {}{:pad$}  {}",
                s.stage,
                "",
                crate::report::human::visible(&s.decided_by)
            )?;
            for key in ["uri", "body"] {
                if let Some(v) = s.detail.get(key).and_then(Value::as_str) {
                    writeln!(
                        out,
                        "  {:w$}  {}{key}: {}{:#}",
                        "",
                        p.dim,
                        crate::report::human::visible_cut(
                            &v.split_whitespace().collect::<Vec<_>>().join(" "),
                            160
                        ),
                        p.dim,
                        w = width + 2
                    )?;
                }
            }
        }
        writeln!(out)?;
        let Some(r) = &self.trace.response else {
            return writeln!(
                out,
                "{}the client's response depends on what is not given (see the findings){:#}\n",
                p.warning, p.warning
            );
        };
        writeln!(
            out,
            "{}HTTP/1.1 {} {}{:#}{}",
            p.strong,
            r.status,
            reason_phrase(r.status),
            p.strong,
            if r.certain {
                String::new()
            } else {
                format!("  {}(not certain: see the findings){:#}", p.dim, p.dim)
            }
        )?;
        for (k, v) in &r.headers {
            writeln!(
                out,
                "{}: {}",
                crate::report::human::visible(k),
                crate::report::human::visible(v)
            )?;
        }
        writeln!(out)?;
        if !r.body.is_empty() {
            writeln!(out, "{}", crate::report::human::multiline(&r.body))?;
        }
        writeln!(out)
    }
}

pub fn run(session: &mut Session, args: &TraceArgs) -> Result<()> {
    let (path, mut stage, mut querystring, host) = split_target(args)?;
    if let Some(s) = &args.stage {
        if stage.as_deref().is_some_and(|from_url| from_url != s) {
            bail!(
                "--stage {s:?}: the URL names stage {:?}",
                stage.unwrap_or_default()
            );
        }
        stage = Some(s.clone());
    }
    querystring.extend(args.querystring.iter().cloned());
    let mut headers = args.headers.clone();
    if let Some(h) = host
        && !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host"))
    {
        headers.push(("Host".into(), h));
    }
    let (mut doc, served) = definition(session, args)?;
    if let Some(id) = &args.api_id {
        only_api(&mut doc, id)?;
    }
    let body = match &args.body {
        Some(f) => Some(input::read_text(
            f,
            super::template_command::MAX_BODY_BYTES,
        )?),
        None => None,
    };
    let authorizer = match (&args.authorizer_output, &args.authorizer_threw) {
        (Some(f), _) => Some(AuthorizerAnswer::Output(document::load(f)?.value)),
        (None, Some(m)) => Some(AuthorizerAnswer::Threw(m.clone())),
        (None, None) => None,
    };
    let backend = if let Some(f) = &args.lambda_output {
        Some(Backend::Lambda {
            output: input::read_bounded(f, MAX_RESPONSE_BYTES as u64 + 1)?,
            function_error: args.function_error,
        })
    } else if let Some(status) = args.status {
        Some(Backend::Http {
            status,
            headers: args.backend_headers.clone(),
            body: match &args.backend_body {
                Some(f) => input::read_text(f, super::template_command::MAX_BODY_BYTES)?,
                None => String::new(),
            },
        })
    } else {
        None
    };
    let now = match &args.now {
        Some(t) => super::authorizer_command::parse_time(t)
            .map_err(|e| anyhow::anyhow!("--now {t:?}: {e}"))?,
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64),
    };
    #[cfg_attr(not(feature = "aws"), allow(unused_mut))]
    let mut given = Given {
        authorizer,
        backend,
        jwks: match &args.jwks {
            Some(f) => Some(document::load(f)?.value),
            None => None,
        },
        now,
        // The stage's own variables (read live), those given on the command line first.
        stage_variables: args
            .stage_variables
            .iter()
            .cloned()
            .chain(
                served
                    .variables
                    .clone()
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|(k, _)| !args.stage_variables.iter().any(|(given, _)| given == k)),
            )
            .collect(),
        invoke_refused: None,
        authorizer_refused: None,
    };
    let accept = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("accept"))
        .map(|(_, v)| v.clone());
    let request = Request {
        method: args.method.to_ascii_uppercase(),
        path: path.clone(),
        stage: stage.clone(),
        headers,
        querystring,
        body,
        accept,
    };
    // A JSON export is read a part at a time, keeping what could serve the request.
    let serving = super::validate_command::serving_definition(&mut doc, &request.path)?;
    let definition = serving.as_ref().map_or(&doc.value, |(d, _)| d);
    let run = |given: &Given| {
        pipeline::trace_as(
            definition,
            &request,
            given,
            serving.as_ref().map(|(_, http)| *http),
        )
        .map_err(|e| anyhow::anyhow!("{}: {e}", doc.name))
    };
    #[cfg_attr(not(feature = "aws"), allow(unused_mut))]
    let mut trace = run(&given)?;
    #[cfg_attr(not(feature = "aws"), allow(unused_mut))]
    let mut live: Vec<crate::finding::Finding> = Vec::new();
    // The stage AWS serves: may API Gateway invoke the method's function, for this very call?
    // When its policy certainly refuses the call, the integration answers 500 without one.
    #[cfg(feature = "aws")]
    if args.export.is_none()
        && let (Some(resource), Some(id), Some(stage)) = (
            &trace.resource,
            args.rest_api_id.as_deref().or(args.http_api_id.as_deref()),
            stage.as_deref(),
        )
    {
        live = live_permission(
            session,
            definition,
            (id, args.http_api_id.is_some()),
            &served,
            stage,
            (&request.method, &request.path),
            resource,
        )?;
        let refused = |code: &str| {
            live.iter()
                .find(|f| f.code == code && f.evidence.get("certain") == Some(&Value::Bool(true)))
        };
        let text = |f: &crate::finding::Finding, key: &str| {
            f.evidence
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string()
        };
        if let Some(f) = refused(crate::checks::lint::LAMBDA_PERMISSION_MISSING) {
            given.invoke_refused = Some(format!(
                "API Gateway may not invoke the function {}: no statement of its resource-based policy allows this call ({}); it answers 500 without calling it",
                text(f, "function"),
                text(f, "source_arn"),
            ));
        }
        if let Some(f) = refused(crate::checks::lint::AUTHORIZER_PERMISSION_MISSING) {
            given.authorizer_refused = Some(format!(
                "API Gateway may not invoke its function {} (its resource-based policy allows no call from {}): 500",
                text(f, "function"),
                text(f, "source_arn"),
            ));
        }
        if given.invoke_refused.is_some() || given.authorizer_refused.is_some() {
            trace = run(&given)?;
        }
    }
    let mut findings = trace.findings.clone();
    findings.extend(live);
    // A template's or Terraform document's method: may API Gateway invoke its functions?
    if let Some(resource) = &trace.resource {
        findings.extend(crate::checks::lint::method_permission_findings(
            definition,
            &request.method,
            resource,
        ));
    }
    let findings = doc.findings(findings);
    let outcome = TraceOutcome {
        method: request.method,
        path,
        stage,
        trace,
    };
    session.emit(&Report::new("trace", doc.name, outcome).with_findings(findings))
}

/// `trace --aws`: the traced call (`verb` `path` on the method of `resource`, on `stage`)
/// checked against the resource-based policy of the function the method's Lambda integration
/// invokes, as `lint --aws` checks every call (its source ARN carries the path sent), and of
/// its Lambda authorizer's function.
#[cfg(feature = "aws")]
fn live_permission(
    session: &Session,
    definition: &Value,
    (api_id, http): (&str, bool),
    served: &Served,
    stage: &str,
    (verb, path): (&str, &str),
    resource: &str,
) -> Result<Vec<crate::finding::Finding>> {
    use crate::checks::lint;
    let Ok(methods) = lint::methods(definition) else {
        return Ok(Vec::new());
    };
    let Some(mut m) = methods
        .into_iter()
        .filter(|m| m.path == resource)
        .min_by_key(|m| m.method != verb)
        .filter(|m| m.method == verb || m.method == "ANY")
    else {
        return Ok(Vec::new());
    };
    // This call only: its verb (also through an ANY method) and the path sent.
    m.method = verb.to_string();
    m.path = path.to_string();
    let methods = std::slice::from_ref(&m);
    // A Lambda authorizer (a TOKEN or REQUEST scheme of the definition) guards it?
    let lambda_guarded = m.auth.iter().any(|name| {
        ["/components/securitySchemes/", "/securityDefinitions/"]
            .iter()
            .filter_map(|at| {
                definition.pointer(&format!(
                    "{at}{}/x-amazon-apigateway-authorizer/type",
                    name.replace('~', "~0").replace('/', "~1")
                ))
            })
            .filter_map(Value::as_str)
            .any(|t| t.eq_ignore_ascii_case("token") || t.eq_ignore_ascii_case("request"))
    });
    let invokes = !lint::live_functions(methods).is_empty();
    if !invokes && !lambda_guarded {
        return Ok(Vec::new());
    }
    let aws = session.connect_aws()?;
    let mut out = Vec::new();
    if lambda_guarded {
        out.extend(super::lint_command::live_authorizer_findings_for(
            &aws,
            (api_id, http),
            &m,
            served.authorizers.clone(),
        ));
    }
    if !invokes {
        return Ok(out);
    }
    // A function named through stage variables: this stage's, as read with the definition
    // (an HTTP API's) or else now (a REST API's get-stages, only then).
    let through_variables = lint::live_functions(methods)
        .keys()
        .any(|f| f.contains("${stageVariables."));
    let with = |variables: Vec<(String, String)>| crate::aws::Stage {
        name: stage.to_string(),
        variables,
    };
    let (stage, read) = match &served.variables {
        Some(known) => (with(known.clone()), true),
        None if through_variables => match aws.stages(api_id) {
            Ok(all) => (
                all.into_iter()
                    .find(|s| s.name == stage)
                    .unwrap_or_else(|| with(Vec::new())),
                true,
            ),
            Err(_) => (with(Vec::new()), false),
        },
        None => (with(Vec::new()), true),
    };
    out.extend(super::lint_command::live_permission_findings_for(
        &aws,
        (api_id, http),
        vec![stage],
        read,
        methods,
        &mut None,
    ));
    Ok(out)
}

/// What `--aws` read with the definition and the live checks use again rather than read
/// twice: an HTTP API's stage variables and authorizers (a REST API's are read when needed).
#[derive(Default)]
struct Served {
    variables: Option<Vec<(String, String)>>,
    #[cfg_attr(not(feature = "aws"), allow(dead_code))]
    authorizers: Option<Vec<crate::checks::lint::LiveAuthorizer>>,
}

/// The definition: a file, or what the stage serves (--aws), with what was read with it.
fn definition(session: &Session, args: &TraceArgs) -> Result<(document::Document, Served)> {
    if let Some(f) = &args.export {
        return Ok((document::load_deferring_paths(f)?, Served::default()));
    }
    let stage = args.stage.as_deref().unwrap_or_default();
    let (id, http) = match (&args.rest_api_id, &args.http_api_id) {
        (Some(id), _) => (id.as_str(), false),
        (None, Some(id)) => (id.as_str(), true),
        (None, None) => bail!("--aws: give the API with --rest-api-id ID or --http-api-id ID"),
    };
    #[cfg(feature = "aws")]
    {
        let aws = session.connect_aws()?;
        let document = |name: String, value: Value| -> Result<document::Document> {
            Ok(document::Document {
                name,
                text: serde_json::to_string_pretty(&value)?,
                value,
                yaml: false,
                read: None,
                paths_deferred: false,
                duplicates: Vec::new(),
                duplicates_in_all: 0,
            })
        };
        if http {
            // An HTTP API is read as it is configured now: a stage without automatic
            // deployment serves its last deployment, which may be older.
            let api = aws.http_api(id)?;
            let Some(s) = api.stages.iter().find(|s| s.name == stage) else {
                let names: Vec<&str> = api.stages.iter().map(|s| s.name.as_str()).collect();
                bail!(
                    "HTTP API {id} has no stage {stage:?} (its stages: {})",
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                );
            };
            let served = Served {
                variables: Some(s.variables.clone()),
                authorizers: Some(api.authorizers),
            };
            let name = format!(
                "stage {stage} of HTTP API {id} ({}), as configured now",
                aws.region
            );
            return Ok((document(name, api.definition)?, served));
        }
        match aws.deployed_definition(id, stage)? {
            Some(value) => Ok((
                document(
                    format!("stage {stage} of REST API {id} ({})", aws.region),
                    value,
                )?,
                Served::default(),
            )),
            None => bail!(
                "stage {stage} of REST API {id}: its export holds no integrations, so the pipeline cannot be followed (is the stage deployed?)"
            ),
        }
    }
    #[cfg(not(feature = "aws"))]
    {
        let _ = (id, stage, http);
        session.connect_aws().map(|never| match never {})
    }
}

/// The path within the stage, the stage a default-endpoint URL names, the query string of
/// the URL, and its host.
type Target = (
    String,
    Option<String>,
    Vec<(String, String)>,
    Option<String>,
);

fn split_target(args: &TraceArgs) -> Result<Target> {
    let t = args.target.as_str();
    if !(t.starts_with("https://") || t.starts_with("http://")) {
        let (path, query) = t.split_once('?').unwrap_or((t, ""));
        if !path.starts_with('/') {
            bail!("{t:?}: give a path that starts with / (/pets/7) or a whole https:// URL");
        }
        return Ok((path.to_string(), None, query_pairs(query), None));
    }
    let url = url::Url::parse(t).map_err(|e| anyhow::anyhow!("{t:?}: not a URL: {e}"))?;
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let query: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut segments: Vec<&str> = url.path().trim_start_matches('/').split('/').collect();
    let default_endpoint = host.contains(".execute-api.") && host.ends_with(".amazonaws.com");
    let stage = if default_endpoint {
        if args.base_path.is_some() {
            bail!(
                "--base-path is for custom domain names; {host} is the default endpoint, whose first path segment is the stage"
            );
        }
        let s = segments.first().copied().filter(|s| !s.is_empty());
        let Some(s) = s else {
            bail!(
                "{t:?}: the default endpoint's URL starts with the stage (https://{host}/STAGE/...)"
            );
        };
        segments.remove(0);
        Some(s.to_string())
    } else {
        if let Some(base) = &args.base_path {
            let want: Vec<&str> = base
                .trim_matches('/')
                .split('/')
                .filter(|s| !s.is_empty())
                .collect();
            if !segments.starts_with(&want) {
                bail!(
                    "{t:?}: the path does not start with the base path /{}: API Gateway answers 403 Forbidden for a custom domain path no base path mapping serves",
                    want.join("/")
                );
            }
            segments.drain(..want.len());
        }
        None
    };
    let path = format!("/{}", segments.join("/"));
    Ok((path, stage, query, Some(host)))
}

fn query_pairs(q: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(q.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Keeps one API of a template (or Terraform JSON read as one): every other resource that
/// holds a definition is left out of the trace.
fn only_api(doc: &mut document::Document, id: &str) -> Result<()> {
    let apis: Vec<String> = crate::checks::lint::definition_bodies(&doc.value)
        .iter()
        .map(|b| b.logical_id.clone())
        .collect();
    if !apis.iter().any(|a| a == id) {
        bail!(
            "{}: --api {id:?}: the definitions here belong to {}",
            doc.name,
            if apis.is_empty() {
                "no API (--api is for templates and Terraform JSON)".to_string()
            } else {
                apis.join(", ")
            }
        );
    }
    if let Some(resources) = doc
        .value
        .get_mut("Resources")
        .and_then(Value::as_object_mut)
    {
        resources.retain(|k, _| k == id || !apis.contains(k));
    }
    Ok(())
}
