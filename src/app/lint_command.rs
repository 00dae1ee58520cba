//! `apigw-doctor lint`.
use super::Session;
use crate::checks::lint::{self, LinkUse, VpcLinkUser};
use crate::checks::{gateway_responses, websocket};
use crate::cli::LintArgs;
use crate::document;
#[cfg(feature = "aws")]
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
    /// What decided `api` (empty: nothing either way, so REST).
    api_evidence: Vec<String>,
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
                    "{}VPC link {} is used by {} method(s){:#} ({certain} by id, {} that may: a stage variable or a reference this definition does not resolve); it cannot be deleted until none does",
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
            "{}{} API: {} method{}, {} with an integration{:#}",
            p.strong,
            if self.api == "http" { "HTTP" } else { "REST" },
            self.methods,
            if self.methods == 1 { "" } else { "s" },
            self.integrations,
            p.strong
        )?;
        if !self.api_evidence.is_empty() {
            writeln!(
                out,
                "  {}linted as {} API because of: {}{:#}",
                p.dim,
                if self.api == "http" {
                    "an HTTP"
                } else {
                    "a REST"
                },
                self.api_evidence.join(", "),
                p.dim
            )?;
        }
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
        if let Some(id) = &args.vpc_link {
            return live_vpc_link(session, args, id);
        }
        return live(session, args);
    }
    let doc = document::load_deferring_paths(args.file.as_deref().unwrap_or("-"))?;
    let websockets = crate::sources::websocket::read(&doc.value, crate::sources::parameters());
    let only_websockets =
        !websockets.is_empty() && doc.read.as_ref().is_none_or(|r| r.apis + r.http_apis == 0);
    if args.vpc_link.is_none() {
        for (n, api) in websockets.iter().enumerate() {
            // The document's own findings (its stages' logging, its repeated keys, the
            // template's faults such as a stage's settings for a route it lacks) go with its
            // first API when no REST or HTTP API report follows.
            let document_findings = if only_websockets && n == 0 {
                let mut f = lint::logging_findings(&doc.value);
                f.extend(doc.duplicate_findings());
                f.extend(doc.read.iter().flat_map(|r| r.fault_findings()));
                f
            } else {
                Vec::new()
            };
            // The file is the target (SARIF's artifact); the API is in the result (`id`).
            lint_websocket(session, &doc, api, doc.name.clone(), document_findings)?;
        }
    }
    if only_websockets {
        return Ok(());
    }
    lint_document(session, args, doc, None, Vec::new())
}

#[derive(Serialize)]
struct WebSocketOutcome<'a> {
    api: &'static str,
    #[serde(flatten)]
    definition: &'a websocket::WsApi,
}

impl Outcome for WebSocketOutcome<'_> {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        let d = self.definition;
        writeln!(
            out,
            "{}WebSocket API {}: {} routes, {} integrations{:#}  {}route selection {}{:#}",
            p.strong,
            d.name,
            d.routes.len(),
            d.integrations.len(),
            p.strong,
            p.dim,
            d.route_selection_expression.as_deref().unwrap_or("(none)"),
            p.dim
        )?;
        for r in &d.routes {
            let integration = r
                .integration
                .as_ref()
                .and_then(|id| d.integrations.iter().find(|i| &i.id == id));
            let two_way = if matches!(r.key.as_str(), "$connect" | "$disconnect") {
                "connection"
            } else if !r.route_responses_known {
                "responses not read"
            } else if r.route_responses.iter().any(|k| k == "$default") {
                "two-way"
            } else {
                "one-way"
            };
            writeln!(
                out,
                "  {}{:<14}{:#} → {}  {}({two_way}, auth {}){:#}",
                p.code,
                r.key,
                p.code,
                integration.map_or("(no integration)".to_string(), |i| format!(
                    "{} {}",
                    i.kind,
                    i.uri.as_deref().unwrap_or("")
                )),
                p.dim,
                r.authorization_type,
                p.dim
            )?;
        }
        writeln!(out)
    }
}

/// One WebSocket API's report: its routes, and what is wrong with them.
fn lint_websocket(
    session: &mut Session,
    doc: &document::Document,
    api: &websocket::WsApi,
    label: String,
    document_findings: Vec<crate::finding::Finding>,
) -> Result<()> {
    let mut findings = websocket::lint(api);
    findings.extend(document_findings);
    doc.place(&mut findings);
    let outcome = WebSocketOutcome {
        api: "websocket",
        definition: api,
    };
    session.emit(&Report::new("lint", label, outcome).with_findings(findings))
}

/// `--aws`: the API given by `--rest-api-id`, `--http-api-id` or `--websocket-api-id` as AWS
/// holds it now (get-resources --embed methods; routes, integrations and authorizers), or every
/// REST, HTTP and WebSocket API of the regions asked (see `live_scan`).
fn live(session: &mut Session, args: &LintArgs) -> Result<()> {
    #[cfg(feature = "aws")]
    {
        if args.rest_api_id.is_none()
            && args.websocket_api_id.is_none()
            && args.http_api_id.is_none()
        {
            return super::live_scan::run(session, args);
        }
        let aws = session.connect_aws()?;
        if let Some(id) = &args.http_api_id {
            let api = aws.http_api(id)?;
            return lint_live_http(session, args, &aws, api, &mut None);
        }
        if let Some(id) = &args.websocket_api_id {
            let api = aws.websocket_api(id)?;
            return emit_live_websocket(session, &aws, &api, &mut None);
        }
        if let Some(id) = &args.rest_api_id {
            let mut value = aws.resources(id)?;
            // What get-resources leaves out and the binary-body check needs.
            value["binaryMediaTypes"] = serde_json::json!(aws.rest_api_binary_media_types(id)?);
            let live = if args.vpc_link.is_none() {
                live_permission_findings(&aws, id, &value, &mut None)
            } else {
                Vec::new()
            };
            let doc = document::Document {
                name: format!("REST API {id} ({})", aws.region),
                text: serde_json::to_string_pretty(&value)?,
                value,
                yaml: false,
                read: None,
                paths_deferred: false,
                duplicates: Vec::new(),
                duplicates_in_all: 0,
            };
            lint_document(session, args, doc, Some(id), live)?;
        }
        Ok(())
    }
    #[cfg(not(feature = "aws"))]
    {
        let _ = args;
        session.connect_aws().map(|_| ())
    }
}

/// A deployed REST API's Lambda integrations checked against their functions' resource-based
/// policies (lambda:GetPolicy), for every stage of the API. `account` is the credentials'
/// account, read (sts:GetCallerIdentity) the first time an API needs it; nothing more is read
/// for an API with no such integration.
#[cfg(feature = "aws")]
pub(super) fn live_permission_findings(
    aws: &crate::aws::Aws,
    api_id: &str,
    value: &Value,
    account: &mut Option<Option<String>>,
) -> Vec<Finding> {
    let Ok(methods) = lint::methods(value) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // One reader for both passes: a function that is an authorizer's and an integration's is
    // read once.
    let mut read = policy_reader(aws);
    // The Lambda authorizers its methods use (get-authorizers, only when one does).
    if !lint::live_authorizer_ids(&methods).is_empty() {
        match aws.authorizers(api_id) {
            Ok(authorizers) => {
                let api = live_api(aws, api_id, Vec::new(), false, account, false);
                out.extend(lint::live_authorizer_permission_findings(
                    &methods,
                    &authorizers,
                    &api,
                    &mut read,
                ));
            }
            Err(e) => out.push(unchecked("authorizers", &e, "its Lambda authorizers")),
        }
    }
    if lint::live_functions(&methods).is_empty() {
        return out;
    }
    let stages = match aws.stages(api_id) {
        Ok(s) => s,
        Err(e) => {
            out.push(unchecked("stages", &e, "its Lambda functions"));
            return out;
        }
    };
    let api = live_api(aws, api_id, stages, true, account, false);
    out.extend(lint::live_lambda_permission_findings(
        &methods, &api, &mut read,
    ));
    out
}

/// `lint.lambda-policy-unreadable` for a part of the API (its authorizers, its stages) that
/// could not be read, so that whether API Gateway may invoke `whom` was not checked.
#[cfg(feature = "aws")]
fn unchecked(part: &str, e: &anyhow::Error, whom: &str) -> Finding {
    Finding::warning(
        lint::LAMBDA_POLICY_UNREADABLE,
        format!("the API's {part} could not be read ({e:#}): whether API Gateway may invoke {whom} was not checked"),
    )
    .with("certain", false)
}

/// A live HTTP API's Lambda integrations and Lambda authorizers checked against their
/// functions' resource-based policies (lambda:GetPolicy), for every stage: [`lint::
/// live_lambda_permission_findings`] and [`lint::live_authorizer_permission_findings`] with an
/// HTTP API's messages and its `$default` route.
#[cfg(feature = "aws")]
pub(super) fn live_http_permission_findings(
    aws: &crate::aws::Aws,
    api: &crate::aws::HttpApi,
    account: &mut Option<Option<String>>,
) -> Vec<Finding> {
    let Ok(mut methods) = lint::methods(&api.definition) else {
        return Vec::new();
    };
    by_authorizer_id(&mut methods, &api.authorizers);
    let mut out = Vec::new();
    let mut read = policy_reader(aws);
    if !lint::live_authorizer_ids(&methods).is_empty() {
        let live = live_api(aws, &api.id, Vec::new(), false, account, true);
        out.extend(lint::live_authorizer_permission_findings(
            &methods,
            &api.authorizers,
            &live,
            &mut read,
        ));
    }
    if !lint::live_functions(&methods).is_empty() {
        let live = live_api(aws, &api.id, api.stages.clone(), true, account, true);
        out.extend(lint::live_lambda_permission_findings(
            &methods, &live, &mut read,
        ));
    }
    out
}

/// A definition (an export, an HTTP API's) names a method's authorizer by its name; the live
/// authorizer check, by its id (`CUSTOM authorizer ID`, as get-resources gives it).
#[cfg(feature = "aws")]
fn by_authorizer_id(methods: &mut [lint::Method], authorizers: &[lint::LiveAuthorizer]) {
    for m in methods {
        for auth in &mut m.auth {
            if let Some(a) = authorizers.iter().find(|a| a.name == *auth) {
                *auth = format!("CUSTOM authorizer {}", a.id);
            }
        }
    }
}

/// `trace --aws`: may API Gateway invoke the traced method's Lambda authorizer? The API's
/// authorizers are those `known` (an HTTP API's, read with its definition) or else read (a
/// REST API's get-authorizers), the method's named by the definition matched to them by name.
#[cfg(feature = "aws")]
pub(super) fn live_authorizer_findings_for(
    aws: &crate::aws::Aws,
    (api_id, http): (&str, bool),
    method: &lint::Method,
    known: Option<Vec<lint::LiveAuthorizer>>,
) -> Vec<Finding> {
    let authorizers = match known {
        Some(a) => Ok(a),
        None => aws.authorizers(api_id),
    };
    let authorizers = match authorizers {
        Ok(a) => a,
        Err(e) => {
            return vec![unchecked(
                "authorizers",
                &e,
                "the method's Lambda authorizer",
            )];
        }
    };
    let mut methods = vec![method.clone()];
    by_authorizer_id(&mut methods, &authorizers);
    let api = live_api(aws, api_id, Vec::new(), false, &mut None, http);
    lint::live_authorizer_permission_findings(&methods, &authorizers, &api, policy_reader(aws))
}

/// The report of an HTTP API read from AWS: its definition linted as an export of it would
/// be, with its functions' policies checked.
#[cfg(feature = "aws")]
pub(super) fn lint_live_http(
    session: &mut Session,
    args: &LintArgs,
    aws: &crate::aws::Aws,
    api: crate::aws::HttpApi,
    account: &mut Option<Option<String>>,
) -> Result<()> {
    let live = live_http_permission_findings(aws, &api, account);
    let name = if api.name.is_empty() {
        format!("HTTP API {} ({})", api.id, aws.region)
    } else {
        format!("HTTP API {} {:?} ({})", api.id, api.name, aws.region)
    };
    let doc = document::Document {
        name,
        text: serde_json::to_string_pretty(&api.definition)?,
        value: api.definition,
        yaml: false,
        read: None,
        paths_deferred: false,
        duplicates: Vec::new(),
        duplicates_in_all: 0,
    };
    lint_document(session, args, doc, Some(&api.id), live)
}

/// The parts of a deployed API's calls' source ARNs; the credentials' account read the first
/// time (sts:GetCallerIdentity).
#[cfg(feature = "aws")]
fn live_api(
    aws: &crate::aws::Aws,
    api_id: &str,
    stages: Vec<crate::aws::Stage>,
    variables_read: bool,
    account: &mut Option<Option<String>>,
    http: bool,
) -> lint::LiveApi {
    lint::LiveApi {
        http,
        websocket: false,
        stage_variables: variables_read.then(|| {
            stages
                .iter()
                .map(|s| (s.name.clone(), s.variables.clone()))
                .collect()
        }),
        partition: crate::aws::regions::partition(&aws.region).to_string(),
        region: aws.region.clone(),
        account: account.get_or_insert_with(|| aws.account_id().ok()).clone(),
        api_id: api_id.to_string(),
        stages: stages.into_iter().map(|s| s.name).collect(),
    }
}

/// Reads functions' policies (lambda:GetPolicy), each once; after a call Lambda did not answer
/// in time, the other policies are not asked for: one slow endpoint costs one timeout, not one
/// a function.
#[cfg(feature = "aws")]
fn policy_reader(aws: &crate::aws::Aws) -> impl FnMut(&str) -> lint::PolicyRead + '_ {
    let mut silent = false;
    let mut read: std::collections::HashMap<String, lint::PolicyRead> = Default::default();
    move |function| {
        if let Some(known) = read.get(function) {
            return known.clone();
        }
        if silent {
            return lint::PolicyRead::Unreadable(
                "not asked: Lambda did not answer an earlier GetPolicy in time".into(),
            );
        }
        let answer = match aws.lambda_policy(function) {
            Ok(answer) => answer,
            Err(e) => {
                let e = format!("{e:#}");
                silent = e.contains("did not answer within");
                lint::PolicyRead::Unreadable(e)
            }
        };
        read.insert(function.to_string(), answer.clone());
        answer
    }
}

/// [`live_permission_findings`] for these methods on these stages (methods some of which
/// invoke a function: the caller has seen [`lint::live_functions`] is not empty);
/// `variables_read` when the stages carry their variables (functions named through them are
/// then resolved per stage, and said not checked otherwise).
#[cfg(feature = "aws")]
pub(super) fn live_permission_findings_for(
    aws: &crate::aws::Aws,
    (api_id, http): (&str, bool),
    stages: Vec<crate::aws::Stage>,
    variables_read: bool,
    methods: &[lint::Method],
    account: &mut Option<Option<String>>,
) -> Vec<Finding> {
    let api = live_api(aws, api_id, stages, variables_read, account, http);
    lint::live_lambda_permission_findings(methods, &api, policy_reader(aws))
}

/// A live WebSocket API's Lambda integrations (without credentials) checked against their
/// functions' resource-based policies for every stage (get-stages): each route's call is
/// `API_ID/STAGE/ROUTE_KEY` (see [`crate::checks::lambda_permission::source_arn`]).
#[cfg(feature = "aws")]
fn live_websocket_permission_findings(
    aws: &crate::aws::Aws,
    api: &websocket::WsApi,
    account: &mut Option<Option<String>>,
) -> Vec<Finding> {
    // Each route as a method without a verb (its key as the path).
    let methods: Vec<lint::Method> = api
        .routes
        .iter()
        .filter_map(|r| {
            let i = api
                .integrations
                .iter()
                .find(|i| r.integration.as_deref() == Some(i.id.as_str()))?;
            Some(lint::Method {
                method: String::new(),
                path: r.key.clone(),
                resource_id: None,
                location: r.origin.clone(),
                integration: Some(crate::checks::selection::model::Integration {
                    type_name: Some(i.kind.clone()),
                    uri: i.uri.clone(),
                    credentials: i.credentials.clone(),
                    ..Default::default()
                }),
                auth: r
                    .authorizer_id
                    .iter()
                    .map(|a| format!("CUSTOM authorizer {a}"))
                    .collect(),
            })
        })
        .collect();
    let mut out = Vec::new();
    let mut read = policy_reader(aws);
    // $connect's Lambda authorizer (its source ARN API_ID/authorizers/ID, inferred here).
    if !lint::live_authorizer_ids(&methods).is_empty() {
        let mut live = live_api(aws, &api.id, Vec::new(), false, account, false);
        live.websocket = true;
        out.extend(lint::live_authorizer_permission_findings(
            &methods,
            &api.authorizers,
            &live,
            &mut read,
        ));
    }
    if lint::live_functions(&methods).is_empty() {
        return out;
    }
    let stages = match aws.v2_stages(&api.id, &format!("WebSocket API {}", api.id)) {
        Ok(s) => s,
        Err(e) => {
            out.push(unchecked("stages", &e, "its Lambda functions"));
            return out;
        }
    };
    let mut live = live_api(aws, &api.id, stages, true, account, false);
    live.websocket = true;
    out.extend(lint::live_lambda_permission_findings(
        &methods, &live, &mut read,
    ));
    out
}

/// The report of a WebSocket API read from AWS, with its functions' policies checked.
#[cfg(feature = "aws")]
pub(super) fn emit_live_websocket(
    session: &mut Session,
    aws: &crate::aws::Aws,
    api: &websocket::WsApi,
    account: &mut Option<Option<String>>,
) -> Result<()> {
    let label = format!("WebSocket API {} {:?} ({})", api.id, api.name, aws.region);
    let mut findings = websocket::lint(api);
    findings.extend(live_websocket_permission_findings(aws, api, account));
    let outcome = WebSocketOutcome {
        api: "websocket",
        definition: api,
    };
    session.emit(&Report::new("lint", label, outcome).with_findings(findings))
}

/// One holder of a VPC link in the account: a REST method (per stage, or the current
/// definition) or an HTTP API route.
#[cfg(feature = "aws")]
#[derive(Serialize)]
struct LiveLinkUser {
    /// `API_ID:METHOD:/path:STAGE`, as API Gateway's DeleteVpcLink error lists holders.
    label: String,
    api: &'static str,
    #[serde(flatten)]
    user: lint::LinkUser,
    connection_id: String,
    /// The integration id (HTTP APIs).
    #[serde(skip_serializing_if = "Option::is_none")]
    integration_id: Option<String>,
}

#[cfg(feature = "aws")]
#[derive(Serialize)]
struct LiveLinkOutcome {
    id: String,
    region: String,
    rest_apis: usize,
    http_apis: usize,
    users: Vec<LiveLinkUser>,
    /// The commands that free the link, in order.
    fix: Vec<String>,
    /// What could not be read exactly (a stage's deployed definition, ...).
    notes: Vec<String>,
    /// APIs that could not be read at all (with why).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unread: Vec<String>,
}

#[cfg(feature = "aws")]
impl Outcome for LiveLinkOutcome {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        if self.users.is_empty() && !self.unread.is_empty() {
            writeln!(
                out,
                "{}VPC link {}: no holder among the APIs read in {}, but {} of {} APIs could not be read{:#}",
                p.strong,
                self.id,
                self.region,
                self.unread.len(),
                self.rest_apis + self.http_apis,
                p.strong
            )?;
        } else if self.users.is_empty() {
            writeln!(
                out,
                "{}VPC link {} is held by nothing in {} ({} REST APIs and {} HTTP APIs read){:#}",
                p.good, self.id, self.region, self.rest_apis, self.http_apis, p.good
            )?;
        } else {
            writeln!(
                out,
                "{}VPC link {} is held by {} integration(s) in {}{:#}",
                p.strong,
                self.id,
                self.users.len(),
                self.region,
                p.strong
            )?;
            for u in &self.users {
                let note = if u.user.certainty == "definite" {
                    ""
                } else {
                    "  (may: unresolved)"
                };
                writeln!(out, "  {}{}{:#}{note}", p.code, u.label, p.code)?;
            }
            writeln!(out)?;
            writeln!(out, "{}fix, in order:{:#}", p.strong, p.strong)?;
            for f in &self.fix {
                writeln!(out, "  {f}")?;
            }
        }
        for n in &self.notes {
            writeln!(out, "{}note:{:#} {n}", p.dim, p.dim)?;
        }
        for u in &self.unread {
            writeln!(out, "{}not read:{:#} {u}", p.dim, p.dim)?;
        }
        writeln!(out)
    }
}

/// `lint --aws --vpc-link ID`: every REST API's current definition and every stage's
/// deployment (stage variables resolved per stage), and every HTTP API's integrations.
fn live_vpc_link(session: &mut Session, args: &LintArgs, id: &str) -> Result<()> {
    #[cfg(feature = "aws")]
    {
        let aws = session.connect_aws()?;
        let mut users: Vec<LiveLinkUser> = Vec::new();
        let mut notes = Vec::new();
        let mut fix = Vec::new();
        let mut findings = Vec::new();
        let rest = match &args.rest_api_id {
            Some(api) => vec![(api.clone(), String::new(), Vec::new())],
            None => aws.block_on(aws.persist(|| aws.rest_apis_async()))?,
        };
        let add = |users: &mut Vec<LiveLinkUser>,
                   findings: &mut Vec<Finding>,
                   api: &'static str,
                   user: lint::LinkUser,
                   conn: &str,
                   integration_id: Option<String>| {
            let label = format!(
                "{}:{}:{}:{}",
                user.api_id.as_deref().unwrap_or("?"),
                user.method.as_deref().unwrap_or("?"),
                user.path.as_deref().unwrap_or("?"),
                user.stage.as_deref().unwrap_or("(current definition)")
            );
            let finding = if user.certainty == "definite" {
                Finding::error(lint::VPC_LINK_IN_USE, format!("{label} uses VPC link {id}"))
            } else {
                Finding::warning(
                    lint::VPC_LINK_MAY_BE_IN_USE,
                    format!(
                        "{label} takes its VPC link from {conn}, which this stage does not resolve: it may be {id}"
                    ),
                )
            };
            findings.push(
                finding
                    .with("holder", label.as_str())
                    .with("connection_id", conn),
            );
            users.push(LiveLinkUser {
                label,
                api,
                user,
                connection_id: conn.to_string(),
                integration_id,
            });
        };
        // An API that cannot be read is named, and the others are still read: the answer
        // is then incomplete, never "held by nothing".
        let mut unread: Vec<(String, anyhow::Error)> = Vec::new();
        for (api, ..) in &rest {
            let mut read = || -> Result<()> {
                let current = aws.resources(api)?;
                let ids: std::collections::HashMap<String, String> = lint::resource_paths(&current)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(rid, path)| (path, rid))
                    .collect();
                let methods =
                    lint::methods(&current).map_err(|e| anyhow::anyhow!("REST API {api}: {e}"))?;
                let user = |m: &lint::Method, stage: Option<&str>, definite: bool| lint::LinkUser {
                    api_id: Some(api.clone()),
                    method: Some(m.method.clone()),
                    path: Some(m.path.clone()),
                    resource_id: m.resource_id.clone().or_else(|| ids.get(&m.path).cloned()),
                    stage: stage.map(str::to_string),
                    certainty: if definite { "definite" } else { "may" },
                };
                let mut switch = std::collections::BTreeSet::new();
                for m in &methods {
                    if let Some(conn) = lint::vpc_link_of(m)
                        && conn == id
                    {
                        add(
                            &mut users,
                            &mut findings,
                            "rest",
                            user(m, None, true),
                            conn,
                            None,
                        );
                        switch
                            .insert((m.resource_id.clone().unwrap_or_default(), m.method.clone()));
                    }
                }
                let mut redeploy = Vec::new();
                for stage in aws.stages(api)? {
                    let deployed = aws.deployed_definition(api, &stage.name)?;
                    let stage_methods = match &deployed {
                        Some(doc) => lint::methods(doc).map_err(|e| {
                            anyhow::anyhow!("REST API {api} stage {}: {e}", stage.name)
                        })?,
                        None => {
                            notes.push(format!("REST API {api} stage {}: the deployed definition is not available (get-export returned no integrations); the current definition stands in for it", stage.name));
                            methods.clone()
                        }
                    };
                    let mut held = false;
                    for m in &stage_methods {
                        let Some(conn) = lint::vpc_link_of(m) else {
                            continue;
                        };
                        match lint::link_on_stage(conn, id, &stage.variables) {
                            Some(false) => {}
                            found => {
                                held = true;
                                add(
                                    &mut users,
                                    &mut findings,
                                    "rest",
                                    user(m, Some(&stage.name), found.is_some()),
                                    conn,
                                    None,
                                );
                                let rid = m
                                    .resource_id
                                    .clone()
                                    .or_else(|| ids.get(&m.path).cloned())
                                    .unwrap_or_default();
                                switch.insert((rid, m.method.clone()));
                            }
                        }
                    }
                    if held {
                        redeploy.push(stage.name.clone());
                    }
                }
                for (rid, method) in switch {
                    fix.push(format!(
                        "aws apigateway put-integration --rest-api-id {api} --resource-id {rid} --http-method {method} --type MOCK --request-templates '{{\"application/json\":\"{{\\\"statusCode\\\": 503}}\"}}'   # or an HTTP/AWS integration to the new backend"
                    ));
                }
                for stage in redeploy {
                    fix.push(format!(
                        "aws apigateway create-deployment --rest-api-id {api} --stage-name {stage}"
                    ));
                }
                Ok(())
            };
            if let Err(e) = read() {
                unread.push((format!("REST API {api}"), e));
            }
        }
        let http = if args.rest_api_id.is_some() {
            Vec::new()
        } else {
            aws.block_on(aws.persist(|| aws.http_apis_async()))?
        };
        for (api, _) in &http {
            let mut read = || -> Result<()> {
                let (integrations, stages) = aws.http_integrations(api)?;
                for i in integrations {
                    if i.connection_type.as_deref() != Some("VPC_LINK") {
                        continue;
                    }
                    let Some(conn) = i.connection_id.as_deref() else {
                        continue;
                    };
                    let stage_results: Vec<(Option<String>, Option<bool>)> =
                        if conn.contains("${stageVariables.") {
                            stages
                                .iter()
                                .map(|s| {
                                    (
                                        Some(s.name.clone()),
                                        lint::link_on_stage(conn, id, &s.variables),
                                    )
                                })
                                .collect()
                        } else {
                            vec![(None, Some(conn == id))]
                        };
                    let mut holds = false;
                    for (stage, found) in stage_results {
                        if found == Some(false) {
                            continue;
                        }
                        holds = true;
                        let routes = if i.routes.is_empty() {
                            vec!["(no route)".to_string()]
                        } else {
                            i.routes.clone()
                        };
                        for route in routes {
                            let (method, path) =
                                route.split_once(' ').unwrap_or((route.as_str(), ""));
                            let u = lint::LinkUser {
                                api_id: Some(api.clone()),
                                method: Some(method.to_string()),
                                path: Some(path.to_string()),
                                resource_id: None,
                                stage: stage.clone(),
                                certainty: if found.is_some() { "definite" } else { "may" },
                            };
                            add(
                                &mut users,
                                &mut findings,
                                "http",
                                u,
                                conn,
                                Some(i.id.clone()),
                            );
                        }
                    }
                    if holds {
                        fix.push(format!(
                            "aws apigatewayv2 update-integration --api-id {api} --integration-id {} --connection-type INTERNET --integration-uri https://NEW-BACKEND",
                            i.id
                        ));
                    }
                }
                Ok(())
            };
            if let Err(e) = read() {
                unread.push((format!("HTTP API {api}"), e));
            }
        }
        if !unread.is_empty() && unread.len() == rest.len() + http.len() {
            // Nothing could be read: the tool could not answer.
            return Err(unread.swap_remove(0).1);
        }
        if !users.is_empty() {
            fix.push(format!("aws apigateway delete-vpc-link --vpc-link-id {id}"));
            // "Can I delete it?": a holder that may use it is no all-clear either.
            session.printer.fail();
        }
        let unread: Vec<String> = unread
            .into_iter()
            .map(|(api, e)| format!("{api} ({e:#})"))
            .collect();
        if !unread.is_empty() {
            findings.push(
                Finding::error(
                    crate::checks::live::INCOMPLETE,
                    format!(
                        "{} of {} APIs could not be read: they may hold VPC link {id} too, so no holder found is no all-clear",
                        unread.len(),
                        rest.len() + http.len()
                    ),
                )
                .with("not_read", unread.clone()),
            );
        }
        let outcome = LiveLinkOutcome {
            id: id.to_string(),
            region: aws.region.clone(),
            rest_apis: rest.len(),
            http_apis: http.len(),
            users,
            fix,
            notes,
            unread,
        };
        let target = format!("VPC link {id} ({})", aws.region);
        session.emit(&Report::new("lint", target, outcome).with_findings(findings))
    }
    #[cfg(not(feature = "aws"))]
    {
        let _ = (args, id);
        session.connect_aws().map(|_| ())
    }
}

/// `live`: findings about the API made from what else AWS says (its functions' policies).
pub(super) fn lint_document(
    session: &mut Session,
    args: &LintArgs,
    mut doc: document::Document,
    api_id: Option<&str>,
    live: Vec<crate::finding::Finding>,
) -> Result<()> {
    let how = How {
        vpc_link: args.vpc_link.as_deref(),
        deployed: match (args.deployed, args.undeployed) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
        api_id,
    };
    let (outcome, mut findings) = lint_outcome(&mut doc, &how, document::PATH_ITEMS_PER_PART)?;
    if !live.is_empty() {
        findings.extend(doc.findings(live));
    }
    // `--vpc-link` asks "can I delete it?": anything short of "nothing holds it" fails.
    if outcome
        .vpc_link
        .as_ref()
        .is_some_and(|v| !v.users.is_empty())
    {
        session.printer.fail();
    }
    let report = Report::new("lint", doc.name.clone(), outcome).with_findings(findings);
    session.emit(&report)?;
    // The process ends next: freeing what a large definition left would take a while.
    std::mem::forget((doc, report));
    Ok(())
}

/// How `lint_outcome` lints: for `--vpc-link ID` (with `--deployed`/`--undeployed`), or
/// every check; `api_id` when the definition was read live.
struct How<'a> {
    vpc_link: Option<&'a str>,
    deployed: Option<bool>,
    api_id: Option<&'a str>,
}

/// The lint of a definition, its path items read `items_per_part` at a time when the
/// document defers them.
fn lint_outcome(
    doc: &mut document::Document,
    how: &How,
    items_per_part: usize,
) -> Result<(LintOutcome, Vec<crate::finding::Finding>)> {
    let How {
        vpc_link,
        deployed,
        api_id,
    } = *how;
    // The methods are read and checked part by part (a large export's path items a few
    // hundred at a time, anything else whole); what spans parts is gathered here.
    let mut parts = Gathered::default();
    let mut failed = None;
    doc.for_each_part_of(items_per_part, |part| {
        if failed.is_none()
            && let Err(e) = parts.add(part, vpc_link, deployed, api_id)
        {
            failed = Some(e);
        }
    })?;
    if let Some(e) = failed {
        // A template that fails whatever its definition says (SAM refuses it): its faults are
        // the diagnosis, with what could not be checked beside them.
        if vpc_link.is_none() && doc.read.as_ref().is_some_and(|r| !r.faults.is_empty()) {
            let unchecked = crate::finding::Finding::warning(
                crate::sources::NOT_READABLE,
                format!("the methods were not checked: {e}"),
            );
            let http = doc
                .read
                .as_ref()
                .is_some_and(|r| crate::sources::faults_are_http(&doc.value, &r.faults));
            let outcome = LintOutcome {
                api: if http { "http" } else { "rest" },
                api_evidence: Vec::new(),
                methods: 0,
                integrations: 0,
                vpc_links: Vec::new(),
                vpc_link: None,
            };
            return Ok((outcome, doc.findings(vec![unchecked])));
        }
        // What kept a template's resources from reading as an API says why there is none.
        let why = doc
            .read
            .as_ref()
            .map(|r| r.not_readable.iter().take(3).cloned().collect::<Vec<_>>())
            .filter(|w| !w.is_empty())
            .map(|w| format!(" (not read: {})", w.join("; ")))
            .unwrap_or_default();
        anyhow::bail!("{}: {e}{why}", doc.name);
    }
    let mut findings = std::mem::take(&mut parts.common);
    findings.extend(std::mem::take(&mut parts.binary).finish());
    // An HTTP API's integration checks: the parts read again (rarely a large export).
    let mut http_checks = Vec::new();
    if vpc_link.is_none()
        && lint::definition_bodies(&doc.value).is_empty()
        && parts.kind.decide(&doc.value).0
    {
        doc.for_each_part_of(items_per_part, |part| {
            http_checks.extend(lint::http_api_integrations(part))
        })?;
    }
    let bodies = lint::definition_bodies(&doc.value);
    let (http, api_evidence) = if bodies.is_empty() {
        parts.kind.decide(&doc.value)
    } else {
        // A template: each definition is its resource's kind of API.
        let http: Vec<&lint::DefinitionBody> = bodies.iter().filter(|b| b.http).collect();
        let kinds: std::collections::BTreeSet<String> = bodies
            .iter()
            .map(|b| format!("{} {}", b.resource_type, b.logical_id))
            .collect();
        (
            http.len() == bodies.len(),
            kinds.into_iter().collect::<Vec<_>>(),
        )
    };
    // HTTP APIs take a Lambda function's own ARN as an integration URI, and their own
    // credentials rules: the REST rules are not theirs.
    findings.retain(|f| {
        !(f.code == lint::AWS_INTEGRATION_URI || f.code == lint::INTEGRATION_CREDENTIALS)
            || !(if bodies.is_empty() {
                http
            } else {
                let at = f.evidence.get("location").and_then(Value::as_str);
                bodies
                    .iter()
                    .any(|b| b.http && at.is_some_and(|l| l.starts_with(b.base.as_str())))
            })
    });
    if vpc_link.is_none() {
        if bodies.is_empty() {
            if http {
                findings.extend(lint::http_api_policy(&doc.value));
                findings.append(&mut http_checks);
            }
        } else {
            for b in bodies.iter().filter(|b| b.http) {
                findings.extend(lint::lint_http_api(b.value).into_iter().map(|f| {
                    let rebased = f.evidence.get("location").and_then(|l| {
                        l.as_str()
                            .and_then(|l| l.strip_prefix('$'))
                            .map(|rest| format!("{}{rest}", b.base))
                    });
                    match rebased {
                        Some(l) => f.with("location", l),
                        None => f,
                    }
                }));
            }
        }
    }
    if vpc_link.is_none() {
        // Browser APIs whose own errors (401, 403, 400, 429) carry no CORS headers.
        let responses = gateway_responses::customised(&doc.value);
        if bodies.is_empty() {
            if !http && doc.value.get("paths").is_some_and(Value::is_object) {
                findings.extend(gateway_responses::cors_on_errors(
                    &doc.value,
                    parts.browser,
                    "$",
                    &responses,
                ));
            }
        } else {
            for b in bodies.iter().filter(|b| !b.http) {
                if let Some(paths) = b.value.get("paths").and_then(Value::as_object) {
                    findings.extend(gateway_responses::lint_cors(
                        b.value, paths, &b.base, &responses,
                    ));
                }
            }
        }
    }
    if api_id.is_some() || parts.integrations > 0 || doc.read.is_some() {
        // Read live with --embed methods, a template (what it deploys is what it says), or a
        // document whose other methods have their integrations (a definition as written, or
        // an export with API Gateway's extensions, which a deployed API gives every method): a
        // method without one really has none.
        findings.extend(lint::methods_without_integration(
            &parts.without_integration,
            http,
        ));
    } else {
        findings.extend(lint::missing_integrations(
            &doc.value,
            parts.methods,
            parts.integrations,
        ));
    }
    findings.append(&mut parts.stage_variables);
    // A template's custom domain names with mutual TLS and the APIs mapped to them.
    findings.extend(crate::checks::domain::mtls::template_findings(&doc.value));
    if vpc_link.is_none() {
        // Stages that turn logging on where the account may have no CloudWatch Logs role.
        findings.extend(lint::logging_findings(&doc.value));
        // A template's Lambda functions API Gateway may not invoke (templates are read whole:
        // their methods are read again here, with the template's permissions beside them).
        if doc.value.get("Resources").is_some()
            && let Ok(methods) = lint::methods(&doc.value)
        {
            findings.extend(lint::permission_findings(&doc.value, &methods));
        }
    }
    let findings = doc.findings(findings);
    let vpc_link = vpc_link.map(|id| VpcLinkResult {
        id: id.to_string(),
        deployed,
        users: std::mem::take(&mut parts.users),
    });
    let outcome = LintOutcome {
        api: if http { "http" } else { "rest" },
        api_evidence,
        methods: parts.methods,
        integrations: parts.integrations,
        vpc_links: parts.links.finish(),
        vpc_link,
    };
    Ok((outcome, findings))
}

/// What `lint_document` gathers over the parts of a definition.
#[derive(Default)]
struct Gathered {
    methods: usize,
    integrations: usize,
    links: lint::LinkUses,
    patterns: crate::checks::selection::Patterns,
    kind: lint::ApiKind,
    /// The method checks' findings, or `--vpc-link`'s.
    common: Vec<crate::finding::Finding>,
    users: Vec<VpcLinkUser>,
    /// Whether a path item answers browsers (CORS preflights or CORS headers).
    browser: bool,
    /// Methods without an integration (label, location).
    without_integration: Vec<(String, String)>,
    stage_variables: Vec<crate::finding::Finding>,
    binary: crate::checks::binary::BinaryBodies,
}

impl Gathered {
    fn add(
        &mut self,
        part: &Value,
        vpc_link: Option<&str>,
        deployed: Option<bool>,
        api_id: Option<&str>,
    ) -> std::result::Result<(), String> {
        let methods = lint::methods(part)?;
        self.methods += methods.len();
        self.integrations += methods.iter().filter(|m| m.integration.is_some()).count();
        self.links.add(&methods);
        match vpc_link {
            Some(id) => {
                let (mut users, findings) = lint::vpc_link_users(&methods, id, deployed);
                for u in &mut users {
                    u.user.api_id = api_id.map(str::to_string);
                }
                self.users.append(&mut users);
                self.common.extend(findings);
            }
            None => {
                self.common
                    .extend(lint::lint_with(&methods, &mut self.patterns));
                // Binary uploads the API converts as text (REST definitions only), one
                // finding per API once every part is read.
                self.binary.add(part);
            }
        }
        self.kind.integrations(part);
        self.browser |= part
            .get("paths")
            .and_then(Value::as_object)
            .is_some_and(gateway_responses::answers_browsers);
        self.without_integration.extend(
            methods
                .iter()
                .filter(|m| m.integration.is_none())
                .map(|m| (m.label(), m.location.clone())),
        );
        // Templates only (their stages); a template is one part.
        self.stage_variables
            .extend(lint::stage_variables_undefined(part, &methods));
        Ok(())
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The outcome and findings of a lint, as the JSON report holds them.
    fn linted(doc: &mut document::Document, how: &How, items: usize) -> Value {
        let (outcome, findings) = lint_outcome(doc, how, items).unwrap();
        json!({"outcome": serde_json::to_value(&outcome).unwrap(), "findings": serde_json::to_value(&findings).unwrap()})
    }

    /// A file's lint read whole, and read in parts of 1, 2 and 256 path items, for every
    /// check and for each VPC link it uses: the same outcome and the same findings (lines
    /// included) in the same order.
    fn same_in_parts(path: &str) -> bool {
        let Ok(mut deferred) = document::load_deferring_paths(path) else {
            return false;
        };
        if !deferred.paths_deferred {
            return false;
        }
        let mut whole = document::load(path).unwrap();
        let all = How {
            vpc_link: None,
            deployed: None,
            api_id: None,
        };
        let expected = linted(&mut whole, &all, 1);
        let mut links: Vec<String> = expected["outcome"]["vpc_links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap().to_string())
            .collect();
        links.push("nosuchlink".to_string());
        for items in [1, 2, 256] {
            assert_eq!(
                linted(&mut deferred, &all, items),
                expected,
                "{path}, parts of {items}"
            );
            for id in &links {
                let how = How {
                    vpc_link: Some(id),
                    deployed: Some(true),
                    api_id: None,
                };
                assert_eq!(
                    linted(&mut deferred, &how, items),
                    linted(&mut whole, &how, 1),
                    "{path} --vpc-link {id}, parts of {items}"
                );
            }
        }
        true
    }

    fn documents(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                documents(&path, out);
            } else if path
                .extension()
                .is_some_and(|e| e == "json" || e == "yaml" || e == "yml")
            {
                out.push(path);
            }
        }
    }

    /// Every export bundled with the tool or its tests (YAML ones written as JSON), each on
    /// its own and all their path items in one export of many parts, lints the same read in
    /// parts as read whole.
    #[test]
    fn every_bundled_export_lints_the_same_read_in_parts() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        documents(&root.join("examples"), &mut files);
        documents(&root.join("tests"), &mut files);
        files.sort();
        let mut compared = 0;
        let mut merged = serde_json::Map::new();
        for (n, file) in files.iter().enumerate() {
            let Ok(doc) = document::load(&file.to_string_lossy()) else {
                continue;
            };
            let Some(paths) = doc.value.get("paths").and_then(Value::as_object) else {
                continue;
            };
            for (path, item) in paths {
                merged.insert(format!("/f{n}{path}"), item.clone());
            }
            let json = dir.path().join(format!("{n}.json"));
            std::fs::write(&json, serde_json::to_string_pretty(&doc.value).unwrap()).unwrap();
            compared += usize::from(same_in_parts(&json.to_string_lossy()));
        }
        assert!(
            compared >= 6,
            "only {compared} exports of {} files",
            files.len()
        );
        let all = dir.path().join("merged.json");
        let doc =
            json!({"swagger": "2.0", "info": {"title": "all", "version": "1"}, "paths": merged});
        std::fs::write(&all, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
        assert!(same_in_parts(&all.to_string_lossy()));
    }

    /// Evidence that only the last path item holds still decides for the whole definition:
    /// the kind of API, CORS, and an HTTP API's integration checks.
    #[test]
    fn evidence_in_the_last_part_counts_for_the_whole() {
        let dir = tempfile::tempdir().unwrap();
        let proxy = |n: usize| {
            json!({"get": {"x-amazon-apigateway-integration": {
                "type": "aws_proxy", "httpMethod": "POST",
                "uri": format!("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:f{n}/invocations")}}})
        };
        let mut http_paths = serde_json::Map::new();
        let mut rest_paths = serde_json::Map::new();
        for n in 0..5 {
            http_paths.insert(format!("/h{n}"), proxy(n));
            rest_paths.insert(format!("/r{n}"), proxy(n));
        }
        http_paths.insert(
            "/last".to_string(),
            json!({"post": {"x-amazon-apigateway-integration": {
                "type": "aws_proxy", "integrationSubtype": "SQS-SendMessage",
                "payloadFormatVersion": "1.0",
                "responseParameters": {"200": {"overwrite:header.x-amz-id": "1"}}}}}),
        );
        rest_paths.insert(
            "/last".to_string(),
            json!({"options": {"x-amazon-apigateway-integration": {"type": "mock"}}}),
        );
        for (name, paths, http) in [
            ("http.json", http_paths, true),
            ("rest.json", rest_paths, false),
        ] {
            let path = dir.path().join(name);
            let doc = json!({"openapi": "3.0.1", "info": {"title": name, "version": "1"}, "paths": paths});
            std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
            let path = path.to_string_lossy().into_owned();
            assert!(same_in_parts(&path));
            let mut doc = document::load_deferring_paths(&path).unwrap();
            let all = How {
                vpc_link: None,
                deployed: None,
                api_id: None,
            };
            let result = linted(&mut doc, &all, 1);
            assert_eq!(result["outcome"]["api"], if http { "http" } else { "rest" });
            let codes: Vec<&str> = result["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["code"].as_str().unwrap())
                .collect();
            if http {
                assert!(codes.contains(&lint::HTTP_RESPONSE_MAPPING), "{codes:?}");
                assert_eq!(
                    codes
                        .iter()
                        .filter(|c| **c == lint::HTTP_PAYLOAD_VERSION)
                        .count(),
                    5,
                    "{codes:?}"
                );
            } else {
                assert!(
                    codes.contains(&gateway_responses::NO_CORS_ON_ERRORS),
                    "{codes:?}"
                );
            }
        }
    }
}
