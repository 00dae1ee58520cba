//! `trace`: one request through API Gateway's whole pipeline for a definition. Each stage is
//! the check that owns it (route match and validation: `validation`; authorizers:
//! `authorizer`; request and response mapping: `template`; the backend's answer: `lambda`,
//! `selection`, `template::response`, `http_mapping`; errors: `gateway_responses`). This
//! module only orders them and carries the request from one to the next; it owns no rule.
//! The order and what is inferred of it: specs/request-pipeline.md.
use super::authorizer::definition::{self, Guard, Source};
use super::authorizer::{self, Answer, Api, Call, JwtCheck, MethodArn};
use super::lambda::{self, FunctionError};
use super::selection::{self, Input as SelectionInput, IntegrationKind, model};
use super::template::{self, Phase, eval::Input as TemplateInput, http_mapping, response};
use super::validation::{self, Incoming, Located};
use super::{gateway_responses, lint};
use crate::finding::Finding;
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{Map, Value, json};

pub const NO_ROUTE: &str = "trace.no-route";
pub const IAM_UNSIGNED: &str = "trace.iam-unsigned";
pub const API_KEY_MISSING: &str = "trace.api-key-missing";
pub const INPUT_MISSING: &str = "trace.input-missing";
pub const NOT_EVALUATED: &str = "trace.not-evaluated";

/// INPUT_MISSING and NOT_EVALUATED are errors: a stage the tool could not decide is not an
/// all-clear, so the run does not exit 0.
pub const CODES: &[&str] = &[
    NO_ROUTE,
    IAM_UNSIGNED,
    API_KEY_MISSING,
    INPUT_MISSING,
    NOT_EVALUATED,
];

/// The client's request.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub method: String,
    /// The path within the stage (`/pets/7`), as routed to resources.
    pub path: String,
    pub stage: Option<String>,
    pub headers: Vec<(String, String)>,
    pub querystring: Vec<(String, String)>,
    pub body: Option<String>,
    pub accept: Option<String>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// An `Authorization` header that is not a SigV4 (or SigV4a) signature, such as a bearer
    /// token: where API Gateway reads the header as SigV4 it answers 403
    /// IncompleteSignatureException (specs/request-pipeline.md).
    fn not_sigv4(&self) -> Option<&str> {
        self.header("authorization")
            .filter(|v| !super::probe::is_sigv4(v))
    }

    fn query(&self, name: &str) -> Option<&str> {
        self.querystring
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn content_type(&self) -> Option<&str> {
        self.header("content-type")
    }
}

/// What the Lambda authorizer did.
#[derive(Debug, Clone)]
pub enum AuthorizerAnswer {
    Output(Value),
    Threw(String),
}

/// What the integration answered.
#[derive(Debug, Clone)]
pub enum Backend {
    Lambda {
        output: Vec<u8>,
        function_error: Option<FunctionError>,
    },
    Http {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
}

/// What the user tells about the parts of the call API Gateway does not decide.
#[derive(Debug, Clone, Default)]
pub struct Given {
    pub authorizer: Option<AuthorizerAnswer>,
    pub backend: Option<Backend>,
    pub jwks: Option<Value>,
    /// Seconds since the epoch, for token times.
    pub now: i64,
    pub stage_variables: IndexMap<String, String>,
    /// Why API Gateway may not invoke the method's Lambda function (its resource-based policy,
    /// read live, refuses this call): the integration answers 500 without a call.
    pub invoke_refused: Option<String>,
    /// Why API Gateway may not invoke the method's Lambda authorizer: it answers 500 (REST:
    /// AuthorizerConfigurationException) once the identity sources are there.
    pub authorizer_refused: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The stage let the request through.
    Passed,
    /// The stage answered the client itself.
    Stopped,
    /// The stage does not apply to this method.
    Skipped,
    /// The tool could not decide the stage: what is missing is in the findings; the trace
    /// goes on as if it passed.
    Uncertain,
}

#[derive(Debug, Clone, Serialize)]
pub struct Stage {
    pub stage: &'static str,
    pub outcome: Outcome,
    /// What decided it, in one line.
    pub decided_by: String,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub detail: Map<String, Value>,
}

/// What the client gets.
#[derive(Debug, Clone, Serialize)]
pub struct ClientResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The stage that produced it.
    pub from: &'static str,
    /// False when a fact on the way is inferred or a stage was uncertain.
    pub certain: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Trace {
    pub api: Api,
    /// The route or resource that matched (`/pets/{petId}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    pub stages: Vec<Stage>,
    /// None when the backend's answer was not given.
    pub response: Option<ClientResponse>,
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

/// What a REST API answers to an `Authorization` header it reads as SigV4 but is not: recorded
/// by users, the header echoed at the end; which gateway response type shapes it is not
/// documented.
fn incomplete_signature(req: &Request) -> Answer {
    let body = json!({
        "message": format!(
            "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={}",
            req.header("authorization").unwrap_or_default()
        )
    });
    Answer::new(403, &body.to_string(), None)
        .header("x-amzn-ErrorType", "IncompleteSignatureException")
}

/// Runs the request through the definition. Err only when `doc` holds no definition.
pub fn trace(doc: &Value, req: &Request, given: &Given) -> Result<Trace, String> {
    trace_as(doc, req, given, None)
}

/// [`trace`], told whether the API is an HTTP API when `doc` holds only some of its paths
/// (the kind is decided by every integration, see `lint::api_kind`).
pub fn trace_as(
    doc: &Value,
    req: &Request,
    given: &Given,
    http: Option<bool>,
) -> Result<Trace, String> {
    let located = validation::route(doc, &req.method, &req.path)?;
    let root = located
        .as_ref()
        .map_or_else(|| first_definition(doc), |l| l.root);
    let http = http.unwrap_or_else(|| lint::api_kind(root).0);
    let api = if http || is_template_http_api(doc, root) {
        Api::Http
    } else {
        Api::Rest
    };
    let mut run = Run {
        api,
        gateway: gateway_responses::customised(doc),
        stages: Vec::new(),
        findings: Vec::new(),
        response: None,
        certain: true,
        request_headers: req.headers.clone(),
    };
    let Some(at) = located else {
        run.no_route(doc, req);
        return Ok(run.finish(None));
    };
    // The template's own stage (`trace --stage NAME`): its variables, under the user's.
    let with_stage;
    let given = match req.stage.as_deref().and_then(|stage| {
        at.root
            .get(crate::sources::cloudformation::STAGES)?
            .get(stage)?
            .get("variables")?
            .as_object()
    }) {
        Some(vars) => {
            let mut g = given.clone();
            for (k, v) in vars {
                let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                g.stage_variables.entry(k.clone()).or_insert(v);
            }
            with_stage = g;
            &with_stage
        }
        None => given,
    };
    let params = validation::path_parameters(&at.template, &req.path);
    run.pass(
        "route",
        format!(
            "{} {} ({})",
            if at.op_key == "x-amazon-apigateway-any-method" {
                "ANY".to_string()
            } else {
                at.op_key.to_ascii_uppercase()
            },
            at.template,
            at.op
                .get(crate::sources::ORIGIN)
                .and_then(Value::as_str)
                .map_or_else(|| format!("{}.{}", at.base, at.op_key), str::to_string)
        ),
        Map::from_iter([(
            "path_parameters".to_string(),
            json!(params.iter().cloned().collect::<IndexMap<_, _>>()),
        )]),
    );
    let resource = Some(at.template.clone());
    let mut ctx = Context::new(req, &at.template);
    // Each stage runs only when the one before let the request through.
    let _completed = run.authorize(&at, req, given, &mut ctx)
        && run.validate(&at, req)
        && run.integrate(&at, req, given, &params, &ctx);
    Ok(run.finish(resource))
}

/// What templates read of `$context`, filled as the trace goes.
struct Context {
    value: Value,
}

impl Context {
    fn new(req: &Request, template: &str) -> Self {
        let stage = req.stage.clone().unwrap_or_else(|| "prod".into());
        Context {
            value: json!({
                "httpMethod": req.method.to_ascii_uppercase(),
                "resourcePath": template,
                "path": format!("/{stage}{}", req.path),
                "stage": stage,
            }),
        }
    }
}

struct Run {
    api: Api,
    gateway: Map<String, Value>,
    stages: Vec<Stage>,
    findings: Vec<Finding>,
    response: Option<ClientResponse>,
    certain: bool,
    request_headers: Vec<(String, String)>,
}

impl Run {
    fn push(&mut self, stage: &'static str, outcome: Outcome, decided_by: String) {
        self.push_with(stage, outcome, decided_by, Map::new());
    }

    fn push_with(
        &mut self,
        stage: &'static str,
        outcome: Outcome,
        decided_by: String,
        detail: Map<String, Value>,
    ) {
        if outcome == Outcome::Uncertain {
            self.certain = false;
        }
        self.stages.push(Stage {
            stage,
            outcome,
            decided_by,
            detail,
        });
    }

    /// A stage the tool cannot decide: the finding names what is missing (an error, so the
    /// run does not exit 0), and the trace goes on as if the stage passed.
    fn undecided(&mut self, stage: &'static str, finding: Finding, decided_by: String) {
        self.findings.push(finding.with("stage", stage));
        self.push(stage, Outcome::Uncertain, decided_by);
    }

    fn unreadable(&mut self, why: &str) {
        self.undecided(
            "integration-request",
            Finding::error(
                NOT_EVALUATED,
                format!("the integration cannot be read: {why}"),
            ),
            "the integration cannot be read".into(),
        );
    }

    /// The integration's answer (`wanted` names the flag that gives it) is not given.
    fn answer_missing(&mut self, integration: &str, wanted: &str) {
        self.undecided(
            "integration",
            Finding::error(
                INPUT_MISSING,
                format!("the integration's answer decides the rest of the response, and it is not given: pass {wanted}"),
            )
            .with("missing", wanted),
            format!("{integration}: its answer is not given"),
        );
    }

    fn pass(&mut self, stage: &'static str, decided_by: String, detail: Map<String, Value>) {
        self.push_with(stage, Outcome::Passed, decided_by, detail);
    }

    /// The stage answers the client with an error of its own, which the definition's
    /// gateway responses reshape (REST).
    fn stop(&mut self, stage: &'static str, decided_by: String, mut answer: Answer) {
        if self.api == Api::Rest {
            let kind = answer.gateway_response.unwrap_or(if answer.status >= 500 {
                "DEFAULT_5XX"
            } else {
                "DEFAULT_4XX"
            });
            let message = gateway_responses::message_of(&answer.body);
            if let Some(shaped) = gateway_responses::shape(
                &self.gateway,
                kind,
                answer.status,
                message.as_deref(),
                &self.request_headers,
            ) {
                self.findings
                    .push(gateway_responses::finding(kind, &shaped));
                answer.status = shaped.status;
                answer.body = shaped.body.clone().unwrap_or_else(|| {
                    "(a body from a template that uses values of the real call)".into()
                });
                answer.headers.extend(shaped.headers.iter().cloned());
                answer.certain &= shaped.certain;
            }
        }
        let mut detail = Map::new();
        if let Some(g) = answer.gateway_response {
            detail.insert("gateway_response".into(), json!(g));
        }
        self.push_with(stage, Outcome::Stopped, decided_by, detail);
        let mut headers = vec![("Content-Type".to_string(), "application/json".to_string())];
        headers.extend(answer.headers);
        self.response = Some(ClientResponse {
            status: answer.status,
            headers,
            body: answer.body,
            from: stage,
            certain: answer.certain,
        });
    }

    fn finish(mut self, resource: Option<String>) -> Trace {
        // Stages share checks (selection and the response both judge method responses):
        // one finding says a thing once.
        let mut seen = std::collections::HashSet::new();
        self.findings
            .retain(|f| seen.insert((f.code, f.message.clone())));
        let certain = self.certain;
        if let Some(r) = self.response.as_mut() {
            r.certain &= certain;
        }
        Trace {
            api: self.api,
            resource,
            stages: self.stages,
            response: self.response,
            findings: self.findings,
        }
    }

    fn no_route(&mut self, doc: &Value, req: &Request) {
        let method = req.method.to_ascii_uppercase();
        let others: Vec<String> = validation::resources(doc, &req.path)
            .unwrap_or_default()
            .into_iter()
            .filter(|(_, _, template, _)| *template != "$default")
            .flat_map(|(_, _, template, item)| {
                item.keys()
                    .filter(|k| {
                        matches!(
                            k.as_str(),
                            "get" | "post" | "put" | "patch" | "delete" | "head" | "options"
                        )
                    })
                    .map(move |k| format!("{} {template}", k.to_ascii_uppercase()))
            })
            .take(20)
            .collect();
        let why = if others.is_empty() {
            format!("no resource matches {}", req.path)
        } else {
            format!(
                "the path has no {method} method (it has {})",
                others.join(", ")
            )
        };
        let (answer, message) = match self.api {
            Api::Rest if req.not_sigv4().is_some() => (
                incomplete_signature(req),
                format!(
                    "{method} {}: {why}: a REST API answers a request no deployed method serves with 403 Missing Authentication Token, or, as here, with an Authorization header that is not SigV4, 403 IncompleteSignatureException",
                    req.path
                ),
            ),
            Api::Rest => (
                Answer::new(
                    403,
                    r#"{"message":"Missing Authentication Token"}"#,
                    Some("MISSING_AUTHENTICATION_TOKEN"),
                )
                .header("x-amzn-ErrorType", "MissingAuthenticationTokenException"),
                format!(
                    "{method} {}: {why}: a REST API answers 403 Missing Authentication Token for a request no deployed method serves",
                    req.path
                ),
            ),
            Api::Http => (
                Answer::new(404, r#"{"message":"Not Found"}"#, None),
                format!(
                    "{method} {}: {why}, and there is no $default route: an HTTP API answers 404 Not Found",
                    req.path
                ),
            ),
        };
        self.findings.push(
            Finding::error(NO_ROUTE, message)
                .with("method", method.as_str())
                .with("path", req.path.as_str())
                .with("other_methods", json!(others)),
        );
        self.stop("route", why, answer);
    }

    /// Resource policy, authorizer and API key. False when a stage answered the client.
    fn authorize(
        &mut self,
        at: &Located<'_>,
        req: &Request,
        given: &Given,
        ctx: &mut Context,
    ) -> bool {
        if at.root.get("x-amazon-apigateway-policy").is_some() {
            self.undecided("resource-policy", Finding::error(
                NOT_EVALUATED,
                "the API has a resource policy (x-amazon-apigateway-policy): trace does not know the caller's source IP, VPC endpoint or account; evaluate it with `apigw-doctor policy` (an explicit deny there answers 403 before any authorizer runs)",
            ), "x-amazon-apigateway-policy: not evaluated (see apigw-doctor policy)".into());
        }
        let guards = definition::guards(at.root, at.op);
        let mut usage_key: Option<String> = None;
        if guards.guards.is_empty() {
            self.push(
                "authorizer",
                Outcome::Skipped,
                "the method has no authorization (no security requirement)".into(),
            );
        }
        for guard in &guards.guards {
            if !self.guard(guard, req, given, ctx, &mut usage_key) {
                return false;
            }
        }
        self.api_key(at, req, guards.api_key, usage_key)
    }

    fn guard(
        &mut self,
        guard: &Guard,
        req: &Request,
        given: &Given,
        ctx: &mut Context,
        usage_key: &mut Option<String>,
    ) -> bool {
        match guard {
            Guard::Iam { name } => {
                let presigned = req.query("X-Amz-Signature").is_some();
                if let (Some(value), false, Api::Rest) = (req.not_sigv4(), presigned, self.api) {
                    self.findings.push(Finding::error(
                        IAM_UNSIGNED,
                        format!("the method uses AWS_IAM authorization ({name}) and the request's Authorization header (scheme {}) is not a SigV4 signature: API Gateway reads it as one and answers 403 IncompleteSignatureException; sign the request with SigV4, or give the method an authorizer that takes the token", super::probe::authorization_scheme(value)),
                    ));
                    self.stop(
                        "authorizer",
                        format!("AWS_IAM ({name}): an Authorization header that is not SigV4"),
                        incomplete_signature(req),
                    );
                    return false;
                }
                let signed = req.header("authorization").is_some() || presigned;
                if !signed {
                    self.findings.push(Finding::error(
                        IAM_UNSIGNED,
                        format!("the method uses AWS_IAM authorization ({name}) and the request is not signed: sign it with SigV4 (an Authorization header, or X-Amz-Signature in the query string)"),
                    ));
                    let answer = match self.api {
                        Api::Rest => Answer::new(
                            403,
                            r#"{"message":"Missing Authentication Token"}"#,
                            Some("MISSING_AUTHENTICATION_TOKEN"),
                        )
                        .header("x-amzn-ErrorType", "MissingAuthenticationTokenException"),
                        Api::Http => {
                            Answer::new(403, r#"{"message":"Forbidden"}"#, None).inferred()
                        }
                    };
                    self.stop(
                        "authorizer",
                        format!("AWS_IAM ({name}): no signature"),
                        answer,
                    );
                    return false;
                }
                self.undecided("authorizer", Finding::error(
                        NOT_EVALUATED,
                        format!("AWS_IAM ({name}): the request is signed, but trace does not check SigV4 signatures or the caller's IAM policies; a bad signature answers 403 (INVALID_SIGNATURE), a caller without execute-api:Invoke 403 (ACCESS_DENIED)"),
                    ), format!("AWS_IAM ({name}): signature and IAM policy not checked"));
                true
            }
            Guard::Lambda {
                name,
                token,
                identity,
                ttl,
                validation_expression,
                ..
            } => self.lambda_authorizer(
                LambdaGuard {
                    name,
                    token: *token,
                    identity,
                    ttl: *ttl,
                    validation_expression: validation_expression.as_deref(),
                },
                req,
                given,
                ctx,
                usage_key,
            ),
            Guard::Cognito {
                name,
                header,
                issuers,
                scopes,
            } => {
                let what = format!("Cognito user pool authorizer {name:?} (header {header})");
                let Some(token) = req.header(header).filter(|t| !t.trim().is_empty()) else {
                    return self.identity_missing(&what, Api::Rest);
                };
                let issuer = token_issuer(token)
                    .filter(|i| issuers.contains(i))
                    .or_else(|| issuers.first().cloned());
                let check = JwtCheck {
                    api: Api::Rest,
                    issuer,
                    audiences: Vec::new(),
                    scopes: scopes.clone(),
                    jwks: given.jwks.clone(),
                    now: given.now,
                };
                self.jwt(&what, token, &check, ctx)
            }
            Guard::Jwt {
                name,
                identity,
                issuer,
                audiences,
                scopes,
            } => {
                let what = format!("JWT authorizer {name:?}");
                let token = identity.iter().find_map(|s| value_of(s, req));
                let Some(token) = token.filter(|t| !t.trim().is_empty()) else {
                    return self.identity_missing(&what, Api::Http);
                };
                let check = JwtCheck {
                    api: Api::Http,
                    issuer: issuer.clone(),
                    audiences: audiences.clone(),
                    scopes: scopes.clone(),
                    jwks: given.jwks.clone(),
                    now: given.now,
                };
                self.jwt(&what, token, &check, ctx)
            }
            Guard::Unknown { name, why } => {
                self.undecided(
                    "authorizer",
                    Finding::error(
                        NOT_EVALUATED,
                        format!(
                            "security scheme {name:?}: {why}; trace cannot tell what it decides"
                        ),
                    ),
                    format!("{name}: not understood"),
                );
                true
            }
        }
    }

    fn identity_missing(&mut self, what: &str, api: Api) -> bool {
        let verdict = authorizer::judge_lambda(
            api,
            None,
            &Call {
                threw: None,
                identity_missing: true,
            },
            &MethodArn(String::new()),
            &[],
            0,
        );
        self.findings.extend(verdict.findings);
        let answer = verdict
            .answer
            .unwrap_or_else(|| Answer::unauthorized(self.api));
        self.stop(
            "authorizer",
            format!("{what}: the identity source is missing, no call is made"),
            answer,
        );
        false
    }

    fn jwt(&mut self, what: &str, token: &str, check: &JwtCheck, ctx: &mut Context) -> bool {
        let (verdict, decoded) = authorizer::judge_jwt(token, check);
        self.findings.extend(verdict.findings);
        if let Some(answer) = verdict.answer.filter(|_| !verdict.authorized) {
            self.stop(
                "authorizer",
                format!("{what}: the token is refused"),
                answer,
            );
            return false;
        }
        if let Some(t) = decoded {
            ctx.value["authorizer"] = json!({"claims": t.claims});
        }
        self.pass(
            "authorizer",
            format!("{what}: the token is accepted"),
            Map::new(),
        );
        true
    }

    fn lambda_authorizer(
        &mut self,
        g: LambdaGuard<'_>,
        req: &Request,
        given: &Given,
        ctx: &mut Context,
        usage_key: &mut Option<String>,
    ) -> bool {
        let kind = if g.token { "TOKEN" } else { "REQUEST" };
        let what = format!("Lambda authorizer {:?} ({kind})", g.name);
        let mut values = Vec::new();
        for s in g.identity {
            match value_of(s, req) {
                Some(v) if !v.trim().is_empty() => values.push(v),
                Some(_) | None if matches!(s, Source::Other(_)) => {}
                _ => {
                    let missing = match s {
                        Source::Header(h) => format!("header {h}"),
                        Source::Querystring(q) => format!("query string parameter {q}"),
                        Source::Other(o) => o.clone(),
                    };
                    return self.identity_missing(&format!("{what}, {missing}"), self.api);
                }
            }
        }
        if let (Some(expr), Some(token)) = (g.validation_expression, values.first()) {
            match regex::Regex::new(expr) {
                Ok(re) if !re.is_match(token) => {
                    return self.identity_missing(
                        &format!("{what}: the token does not match identityValidationExpression {expr:?}"),
                        self.api,
                    );
                }
                Ok(_) => {}
                Err(_) => self.findings.push(
                    Finding::error(
                        NOT_EVALUATED,
                        format!("identityValidationExpression {expr:?} is not a regular expression the tool reads: whether the token passes it is not checked"),
                    )
                    .with("stage", "authorizer"),
                ),
            }
        }
        if let Some(why) = &given.authorizer_refused {
            self.stop(
                "authorizer",
                format!("{what}: {why}"),
                Answer::configuration_error(self.api),
            );
            return false;
        }
        let answer = match &given.authorizer {
            Some(a) => a,
            None => {
                self.undecided("authorizer", Finding::error(
                        INPUT_MISSING,
                        format!("{what} decides this request, and its answer is not given: pass --authorizer-output FILE (what the function returned) or --authorizer-threw MESSAGE; the trace goes on as if it allowed the call"),
                    )
                    .with("missing", "--authorizer-output"), format!("{what}: its answer is not given"));
                return true;
            }
        };
        let (output, call) = match answer {
            AuthorizerAnswer::Output(v) => (Some(v), Call::default()),
            AuthorizerAnswer::Threw(m) => (
                None,
                Call {
                    threw: Some(m.clone()),
                    identity_missing: false,
                },
            ),
        };
        let stage = req.stage.as_deref();
        let arn = match authorizer::policy_arn(output)
            .as_ref()
            .and_then(MethodArn::parts)
        {
            Some([region, account, api_id, policy_stage, ..]) => MethodArn::build(
                region,
                account,
                api_id,
                stage.unwrap_or(policy_stage),
                &req.method,
                &req.path,
            ),
            None => MethodArn::build(
                "us-east-1",
                "123456789012",
                "apiid",
                stage.unwrap_or("prod"),
                &req.method,
                &req.path,
            ),
        };
        let ttl = g.ttl.unwrap_or(match self.api {
            Api::Rest => 300,
            Api::Http => 0,
        });
        let verdict = authorizer::judge_lambda(self.api, output, &call, &arn, &[], ttl);
        self.findings.extend(verdict.findings);
        let mut detail = Map::new();
        detail.insert("method_arn".into(), json!(arn.0));
        detail.insert("ttl".into(), json!(ttl));
        if !verdict.authorized {
            let answer = verdict
                .answer
                .unwrap_or_else(|| Answer::unauthorized(self.api));
            self.stop("authorizer", format!("{what}: refused {}", arn.0), answer);
            if let Some(s) = self.stages.last_mut() {
                s.detail.extend(detail);
            }
            return false;
        }
        if let Some(out) = output {
            let mut authorizer_ctx = out.get("context").cloned().unwrap_or_else(|| json!({}));
            if let (Some(obj), Some(p)) = (authorizer_ctx.as_object_mut(), out.get("principalId")) {
                obj.insert("principalId".into(), p.clone());
            }
            ctx.value["authorizer"] = authorizer_ctx;
            *usage_key = out
                .get("usageIdentifierKey")
                .and_then(Value::as_str)
                .map(str::to_string);
        }
        self.push_with(
            "authorizer",
            Outcome::Passed,
            format!("{what}: allows {}", arn.0),
            detail,
        );
        true
    }

    /// The API key requirement (REST). The order against the authorizer is inferred.
    fn api_key(
        &mut self,
        at: &Located<'_>,
        req: &Request,
        required: bool,
        from_authorizer: Option<String>,
    ) -> bool {
        if !required || self.api == Api::Http {
            self.push(
                "api-key",
                Outcome::Skipped,
                if self.api == Api::Http {
                    "HTTP APIs have no API keys".into()
                } else {
                    "the method does not require an API key".into()
                },
            );
            return true;
        }
        let source = at
            .root
            .get("x-amazon-apigateway-api-key-source")
            .and_then(Value::as_str)
            .unwrap_or("HEADER")
            .to_ascii_uppercase();
        let (key, from) = if source == "AUTHORIZER" {
            (from_authorizer, "the authorizer's usageIdentifierKey")
        } else {
            (
                req.header("x-api-key").map(str::to_string),
                "the x-api-key header",
            )
        };
        match key.filter(|k| !k.is_empty()) {
            None => {
                self.findings.push(
                    Finding::error(
                        API_KEY_MISSING,
                        format!("the method requires an API key (API key source {source}) and {from} is missing: API Gateway answers 403 Forbidden"),
                    )
                    .with("api_key_source", source.as_str()),
                );
                self.stop(
                    "api-key",
                    format!("required, {from} missing"),
                    Answer::new(403, r#"{"message":"Forbidden"}"#, Some("INVALID_API_KEY"))
                        .header("x-amzn-ErrorType", "ForbiddenException"),
                );
                false
            }
            Some(k) => {
                self.undecided("api-key", Finding::error(
                        NOT_EVALUATED,
                        format!("an API key is given ({from}), but whether it is an enabled key of a usage plan for this stage is not in the definition: an unknown or disabled key answers 403 Forbidden, a plan's limits 429"),
                    ), format!("required, {from} given ({} characters); its usage plan is not in the definition", k.chars().count()));
                true
            }
        }
    }

    /// Request validation (REST).
    fn validate(&mut self, at: &Located<'_>, req: &Request) -> bool {
        if self.api == Api::Http {
            self.push(
                "validation",
                Outcome::Skipped,
                "HTTP APIs do not validate requests".into(),
            );
            return true;
        }
        let incoming = Incoming {
            method: req.method.clone(),
            path: req.path.clone(),
            headers: req.headers.clone(),
            querystring: req.querystring.clone(),
            content_type: req.content_type().map(str::to_string),
            body: req.body.clone(),
        };
        let outcome = validation::validate(at, &incoming);
        let validator = outcome
            .validator
            .as_ref()
            .map(|v| format!("validator {:?}", v.name));
        self.findings.extend(
            outcome
                .findings
                .iter()
                .filter(|f| f.code != validation::NO_VALIDATOR)
                .cloned(),
        );
        match (outcome.status, &outcome.body) {
            (Some(status), body) => {
                let answer = Answer::new(
                    status,
                    body.as_deref()
                        .unwrap_or(r#"{"message":"Invalid request body"}"#),
                    outcome.gateway_response,
                )
                .header("x-amzn-ErrorType", "BadRequestException");
                self.stop(
                    "validation",
                    format!(
                        "{} refuses the request",
                        validator.unwrap_or_else(|| "the validator".into())
                    ),
                    answer,
                );
                false
            }
            (None, _) => {
                match validator {
                    Some(v) => self.pass(
                        "validation",
                        format!(
                            "{v}: passes{}",
                            outcome
                                .model
                                .as_deref()
                                .map(|m| format!(" (model {m})"))
                                .unwrap_or_default()
                        ),
                        Map::new(),
                    ),
                    None => self.push(
                        "validation",
                        Outcome::Skipped,
                        "the method has no request validator".into(),
                    ),
                }
                true
            }
        }
    }

    /// The integration request, the backend's answer, and the response half.
    fn integrate(
        &mut self,
        at: &Located<'_>,
        req: &Request,
        given: &Given,
        params: &[(String, String)],
        ctx: &Context,
    ) -> bool {
        let Some(raw) = at
            .op
            .get("x-amazon-apigateway-integration")
            .and_then(Value::as_object)
        else {
            self.undecided("integration-request", Finding::error(
                    NOT_EVALUATED,
                    format!("{}.{} has no x-amazon-apigateway-integration: export with extensions (aws apigateway get-export --parameters extensions='apigateway'); a method without an integration cannot be deployed", at.base, at.op_key),
                ), "no integration in the definition".into());
            return false;
        };
        if self.api == Api::Http {
            return self.http_api(raw, req, given, ctx);
        }
        let base = format!("{}.{}", at.base, at.op_key);
        let integration = match model::export_operation(at.op, &base) {
            Ok(Some(i)) => i,
            Ok(None) => return false,
            Err(e) => {
                self.unreadable(&e);
                return false;
            }
        };
        let kind = integration.kind;
        let type_name = integration.type_name.clone().unwrap_or_default();
        let query: IndexMap<String, String> = req.querystring.iter().cloned().collect();
        let headers: IndexMap<String, String> = req.headers.iter().cloned().collect();
        let path: IndexMap<String, String> = params.iter().cloned().collect();
        let mut sent = Map::new();
        sent.insert("type".into(), json!(type_name));
        if let Some(m) = raw.get("httpMethod") {
            sent.insert("http_method".into(), m.clone());
        }
        let mut mock_status = None;
        if kind == Some(IntegrationKind::Proxy) {
            if let Some(uri) = &integration.uri {
                let mut values = path.clone();
                for (k, v) in &given.stage_variables {
                    values.insert(format!("stageVariables.{k}"), v.clone());
                }
                sent.insert("uri".into(), json!(substitute_uri(uri, raw, &values, req)));
            }
            self.pass(
                "integration-request",
                format!("{type_name}: the request goes to the backend as it is (proxy)"),
                sent,
            );
        } else {
            let mut mapped = request_parameters(raw, req, &path, &given.stage_variables);
            let sent_with = |sent: &mut Map<String, Value>, mapped: &IndexMap<String, String>| {
                if let Some(uri) = &integration.uri {
                    let mut mapped_path: IndexMap<String, String> = mapped
                        .iter()
                        .filter_map(|(k, v)| {
                            Some((k.strip_prefix("path.")?.to_string(), v.clone()))
                        })
                        .collect();
                    for (k, v) in &given.stage_variables {
                        mapped_path.insert(format!("stageVariables.{k}"), v.clone());
                    }
                    sent.insert("uri".into(), json!(substitute_path(uri, &mapped_path)));
                }
                if !mapped.is_empty() {
                    sent.insert("parameters".into(), json!(mapped));
                }
            };
            sent_with(&mut sent, &mapped);
            match response::request_mapping(&integration, req.content_type()) {
                response::RequestMapping::UnsupportedMediaType => {
                    self.findings.push(
                        Finding::error(
                            template::NO_TEMPLATE_415,
                            format!("no request template for Content-Type {:?} and passthroughBehavior {}: API Gateway answers 415 Unsupported Media Type", req.content_type().unwrap_or("application/json"), integration.passthrough.as_deref().unwrap_or("WHEN_NO_MATCH")),
                        ),
                    );
                    self.stop(
                        "integration-request",
                        "no request template for the Content-Type, passthrough refused".into(),
                        Answer::new(
                            415,
                            r#"{"message": "Unsupported Media Type"}"#,
                            Some("UNSUPPORTED_MEDIA_TYPE"),
                        ),
                    );
                    return false;
                }
                response::RequestMapping::PassThrough => {
                    sent.insert("body".into(), json!(req.body.clone().unwrap_or_default()));
                    self.pass(
                        "integration-request",
                        format!(
                            "{type_name}: no request template applies, the body passes through"
                        ),
                        sent,
                    );
                }
                response::RequestMapping::Template((content_type, text, location)) => {
                    let outcome = template::evaluate(
                        text,
                        template::Request {
                            phase: Phase::Request,
                            input: TemplateInput {
                                body: req.body.clone().unwrap_or_default(),
                                path: path.clone(),
                                querystring: query.clone(),
                                header: headers.clone(),
                            },
                            context: Some(&ctx.value),
                            stage_variables: given.stage_variables.clone(),
                            content_type: Some(content_type),
                        },
                    );
                    self.findings.extend(
                        outcome
                            .findings
                            .into_iter()
                            .map(|f| f.with("template", location.as_str())),
                    );
                    if let Some(e) = outcome.error {
                        self.stop(
                            "integration-request",
                            format!("the request template {location} fails"),
                            Answer::new(
                                e.client_status,
                                &json!({"message": e.message}).to_string(),
                                None,
                            ),
                        );
                        return false;
                    }
                    let body = outcome.output.unwrap_or_default();
                    if kind == Some(IntegrationKind::Http) && type_name.eq_ignore_ascii_case("mock")
                    {
                        mock_status = mock_status_of(&body);
                    }
                    sent.insert("body".into(), json!(body));
                    // $context.requestOverride replaces the mapped parameters [AWS].
                    let o = &outcome.overrides.request;
                    if !(o.header.is_empty() && o.path.is_empty() && o.querystring.is_empty()) {
                        sent.insert("request_overrides".into(), json!(o));
                        for (kind, values) in [
                            ("header", &o.header),
                            ("path", &o.path),
                            ("querystring", &o.querystring),
                        ] {
                            for (k, v) in values {
                                let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                                mapped.insert(format!("{kind}.{k}"), v);
                            }
                        }
                        sent_with(&mut sent, &mapped);
                    }
                    let shown = match raw.get(crate::sources::ORIGIN).and_then(Value::as_str) {
                        Some(at) => format!("{content_type} ({at})"),
                        None => location.clone(),
                    };
                    self.pass(
                        "integration-request",
                        format!("{type_name}: request template {shown}"),
                        sent,
                    );
                }
            }
        }
        // A definition read from infrastructure as code names the resource in the user's file.
        let written_at = raw.get(crate::sources::ORIGIN).and_then(Value::as_str);
        self.backend(&integration, req, given, ctx, mock_status, written_at)
    }

    /// The backend's answer through the REST response half.
    fn backend(
        &mut self,
        integration: &selection::Integration,
        req: &Request,
        given: &Given,
        ctx: &Context,
        mock_status: Option<u16>,
        written_at: Option<&str>,
    ) -> bool {
        let kind = integration.kind.unwrap_or(IntegrationKind::Http);
        let is_mock = integration
            .type_name
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("mock"));
        if !is_mock && self.invoke_refused(given) {
            return false;
        }
        let backend = match (&given.backend, mock_status) {
            (_, Some(status)) => Backend::Http {
                status,
                headers: Vec::new(),
                body: String::new(),
            },
            (Some(b), None) => b.clone(),
            (None, None) => {
                let wanted = if is_mock {
                    "the mock's statusCode (its request template renders none)"
                } else if integration
                    .uri
                    .as_deref()
                    .is_some_and(|u| u.contains(":lambda:path/"))
                {
                    "--lambda-output FILE (what the function returned)"
                } else {
                    "--status CODE (with --backend-body, --backend-header)"
                };
                let what = integration
                    .type_name
                    .as_deref()
                    .unwrap_or("the integration");
                self.answer_missing(what, wanted);
                return false;
            }
        };
        if kind == IntegrationKind::Proxy {
            return self.proxy_answer(integration, req, &backend);
        }
        let (input, body, headers, assumed) = match &backend {
            Backend::Http {
                status,
                headers,
                body,
            } => (
                SelectionInput::Status(*status),
                body.clone(),
                headers.clone(),
                false,
            ),
            Backend::Lambda {
                output,
                function_error,
            } => {
                let text = String::from_utf8_lossy(output).into_owned();
                match selection::lambda_input(&text, *function_error) {
                    Ok((input, assumed)) => (input, text, Vec::new(), assumed),
                    Err(e) => {
                        self.undecided(
                            "integration",
                            Finding::error(INPUT_MISSING, format!("--lambda-output: {e}")),
                            "the function's error payload cannot be read".into(),
                        );
                        return false;
                    }
                }
            }
        };
        if (kind == IntegrationKind::Lambda) != matches!(backend, Backend::Lambda { .. })
            && !is_mock
        {
            self.undecided("integration", Finding::error(
                    INPUT_MISSING,
                    match kind {
                        IntegrationKind::Lambda => "this is a Lambda integration: give what the function returned with --lambda-output, not --status",
                        _ => "this integration is not a Lambda function: give the backend's --status (with --backend-body), not --lambda-output",
                    },
                ), "the answer given does not fit the integration".into());
            return false;
        }
        self.pass(
            "integration",
            match &input {
                SelectionInput::Status(s) => format!("the backend answers {s}"),
                SelectionInput::ErrorMessage(m) if assumed => {
                    format!("the function most likely failed (an error object): errorMessage {m:?}")
                }
                SelectionInput::ErrorMessage(m) => {
                    format!("the function failed: errorMessage {m:?}")
                }
                SelectionInput::Success => "the function succeeded".into(),
            },
            Map::new(),
        );
        let s = selection::select(integration, &input);
        self.findings.extend(s.findings.iter().cloned());
        if assumed {
            self.findings.push(
                Finding::error(
                    selection::FUNCTION_ERROR_ASSUMED,
                    format!("this is Lambda's error object, so the function most likely failed: its errorMessage {:?} is matched against the patterns (pass --function-error to be sure)", s.matched_against),
                )
                .with("assumed", "thrown"),
            );
        }
        let Some(rule) = s.selected.map(|i| &integration.responses[i]) else {
            self.stop(
                "integration-response",
                format!(
                    "no pattern matches {:?} and there is no default response",
                    s.matched_against
                ),
                Answer::new(500, r#"{"message": "Internal server error"}"#, None),
            );
            return false;
        };
        let r = response::respond(
            integration,
            rule,
            &response::Backend {
                body: &body,
                headers: &headers,
            },
            req.accept.as_deref().unwrap_or("application/json"),
            Some(&ctx.value),
            &given.stage_variables,
        );
        self.findings.extend(r.findings.iter().cloned());
        let mut detail = Map::new();
        detail.insert(
            "selected".into(),
            json!({"pattern": rule.pattern, "status": rule.status, "origin": rule.origin}),
        );
        if let Some(t) = &r.template {
            detail.insert("template".into(), json!(t));
        }
        self.pass(
            "integration-response",
            format!(
                "{} selects {} ({})",
                match &rule.pattern {
                    Some(p) => format!("pattern {p:?}"),
                    None => "the default response".into(),
                },
                rule.status,
                written_at.unwrap_or(&rule.origin)
            ),
            detail,
        );
        let mut client_headers: Vec<(String, String)> = r.client_headers.into_iter().collect();
        if !client_headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        {
            // The content type of the response template that rendered the body [inferred].
            let content_type = response::choose_template(
                rule,
                req.accept.as_deref().unwrap_or("application/json"),
            )
            .map_or("application/json", |t| t.0.as_str());
            client_headers.insert(0, ("Content-Type".into(), content_type.into()));
        }
        self.response = Some(ClientResponse {
            status: r.client_status,
            headers: client_headers,
            body: r.client_body,
            from: "integration-response",
            certain: !assumed,
        });
        true
    }

    /// The integration stops at the function's policy: API Gateway answers 500 without calling
    /// it (a REST API's "Internal server error" through DEFAULT_5XX, an HTTP API's "Internal
    /// Server Error") [AWS: Knowledge Center "api-gateway-internal-server-error",
    /// "api-gateway-http-lambda-integrations"].
    fn invoke_refused(&mut self, given: &Given) -> bool {
        let Some(why) = &given.invoke_refused else {
            return false;
        };
        let body = if self.api == Api::Rest {
            r#"{"message": "Internal server error"}"#
        } else {
            r#"{"message":"Internal Server Error"}"#
        };
        self.stop("integration", why.clone(), Answer::new(500, body, None));
        true
    }

    /// AWS_PROXY and HTTP_PROXY (REST).
    fn proxy_answer(
        &mut self,
        integration: &selection::Integration,
        req: &Request,
        backend: &Backend,
    ) -> bool {
        match backend {
            Backend::Http {
                status,
                headers,
                body,
            } => {
                if integration
                    .uri
                    .as_deref()
                    .is_some_and(|u| u.contains(":lambda:path/"))
                {
                    self.undecided("integration", Finding::error(INPUT_MISSING, "this is a Lambda proxy integration: give what the function returned with --lambda-output, not --status"), "the answer given does not fit the integration".into());
                    return false;
                }
                self.pass(
                    "integration",
                    format!("the backend answers {status}; a proxy passes it on as it is"),
                    Map::new(),
                );
                self.response = Some(ClientResponse {
                    status: *status,
                    headers: headers.clone(),
                    body: body.clone(),
                    from: "integration",
                    certain: true,
                });
                true
            }
            Backend::Lambda {
                output,
                function_error,
            } => match self.lambda_proxy(lambda::Api::Rest, output, *function_error, req) {
                Some(r) => {
                    self.response = Some(r);
                    true
                }
                None => false,
            },
        }
    }

    fn lambda_proxy(
        &mut self,
        api: lambda::Api,
        output: &[u8],
        function_error: Option<FunctionError>,
        req: &Request,
    ) -> Option<ClientResponse> {
        let mut opts = lambda::Options::new(api);
        opts.function_error = function_error;
        opts.invocation_known = function_error.is_some();
        opts.method = req.method.to_ascii_uppercase();
        opts.accept = req.accept.clone();
        let e = lambda::evaluate(output, &opts);
        self.findings.extend(e.findings.iter().cloned());
        let headers = e.client.header_pairs();
        let body = e.client.body_string();
        let certain = !matches!(e.confidence, lambda::Confidence::Uncertain);
        if !e.valid {
            let answer = Answer {
                status: e.client.status,
                body,
                headers: headers
                    .into_iter()
                    .filter(|(k, _)| !k.eq_ignore_ascii_case("content-type"))
                    .collect(),
                gateway_response: None,
                certain,
            };
            self.stop(
                "integration",
                format!(
                    "the function's output is not a valid proxy response ({})",
                    api.label()
                ),
                answer,
            );
            return None;
        }
        self.pass(
            "integration",
            format!(
                "the function's output is a valid proxy response ({})",
                api.label()
            ),
            Map::new(),
        );
        Some(ClientResponse {
            status: e.client.status,
            headers,
            body,
            from: "integration",
            certain,
        })
    }

    /// HTTP APIs: the integration, its answer, and response parameter mapping.
    fn http_api(
        &mut self,
        raw: &Map<String, Value>,
        req: &Request,
        given: &Given,
        ctx: &Context,
    ) -> bool {
        let type_name = raw
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let mut spelled = raw.clone();
        spelled.insert(
            "integrationType".into(),
            json!(type_name.to_ascii_uppercase()),
        );
        let integration = match http_mapping::parse(&Value::Object(spelled)) {
            Ok(i) => i,
            Err(e) => {
                self.unreadable(&e);
                return false;
            }
        };
        let mut sent = Map::new();
        sent.insert("type".into(), json!(type_name));
        if let Some(uri) = raw.get("uri").and_then(Value::as_str) {
            let vars: IndexMap<String, String> = given
                .stage_variables
                .iter()
                .map(|(k, v)| (format!("stageVariables.{k}"), v.clone()))
                .collect();
            sent.insert("uri".into(), json!(substitute_path(uri, &vars)));
        }
        if let Some(v) = &integration.payload_format_version {
            sent.insert("payload_format_version".into(), json!(v));
        }
        // An AWS service integration (`integrationSubtype`: SQS-SendMessage, ...): API Gateway
        // calls the service's action with the integration's request parameters, and the
        // client gets the service's answer [AWS: "Integration subtype reference" of HTTP APIs].
        let subtype = raw
            .get("integrationSubtype")
            .and_then(Value::as_str)
            .map(str::to_string);
        match &subtype {
            Some(subtype) => {
                sent.insert("subtype".into(), json!(subtype));
                if let Some(p) = raw.get("requestParameters") {
                    sent.insert("request_parameters".into(), p.clone());
                }
                self.pass(
                    "integration-request",
                    format!(
                        "{type_name} {subtype}: API Gateway calls the AWS service's action with the integration's request parameters"
                    ),
                    sent,
                );
            }
            None => self.pass(
                "integration-request",
                format!(
                    "{type_name}: the request goes to the backend (HTTP APIs map no request templates)"
                ),
                sent,
            ),
        }
        if self.invoke_refused(given) {
            return false;
        }
        let version = integration
            .payload_format_version
            .as_deref()
            .unwrap_or("2.0");
        let (status, headers, body) = match &given.backend {
            None => {
                let wanted = match &subtype {
                    Some(subtype) => format!(
                        "--status CODE (with --backend-body, --backend-header): what {subtype} answered"
                    ),
                    None if type_name.eq_ignore_ascii_case("aws_proxy") => {
                        "--lambda-output FILE (what the function returned)".to_string()
                    }
                    None => "--status CODE (with --backend-body, --backend-header)".to_string(),
                };
                self.answer_missing(&type_name, &wanted);
                return false;
            }
            Some(Backend::Lambda { .. }) if subtype.is_some() => {
                let subtype = subtype.as_deref().unwrap_or_default();
                self.answer_missing(
                    &type_name,
                    &format!(
                        "--status CODE (with --backend-body, --backend-header): what {subtype} answered; --lambda-output does not apply, the integration calls {subtype}, not a function"
                    ),
                );
                return false;
            }
            Some(Backend::Lambda {
                output,
                function_error,
            }) => {
                let api = if version == "1.0" {
                    lambda::Api::Http10
                } else {
                    lambda::Api::Http20
                };
                let Some(r) = self.lambda_proxy(api, output, *function_error, req) else {
                    return false;
                };
                (r.status, r.headers, r.body)
            }
            Some(Backend::Http {
                status,
                headers,
                body,
            }) => {
                self.pass(
                    "integration",
                    format!("the backend answers {status}"),
                    Map::new(),
                );
                (*status, headers.clone(), body.clone())
            }
        };
        let mapped = http_mapping::apply(
            &integration,
            &http_mapping::Answer {
                status,
                headers,
                body: &body,
            },
            &template::context(Some(&ctx.value)),
            &given.stage_variables,
        );
        self.findings.extend(mapped.findings.iter().cloned());
        match &mapped.mapping {
            Some(k) => self.pass(
                "response-mapping",
                format!("responseParameters for {k} applied"),
                Map::new(),
            ),
            None => self.push(
                "response-mapping",
                Outcome::Skipped,
                format!("no responseParameters for {status}"),
            ),
        }
        self.response = Some(ClientResponse {
            status: mapped.client_status,
            headers: mapped.client_headers,
            body,
            from: "integration",
            certain: true,
        });
        true
    }
}

struct LambdaGuard<'g> {
    name: &'g str,
    token: bool,
    identity: &'g [Source],
    ttl: Option<u64>,
    validation_expression: Option<&'g str>,
}

fn value_of<'r>(s: &Source, req: &'r Request) -> Option<&'r str> {
    match s {
        Source::Header(h) => req.header(h),
        Source::Querystring(q) => req.query(q),
        Source::Other(_) => None,
    }
}

/// The `iss` claim of a token, undecoded otherwise (to pick among a Cognito authorizer's
/// user pools).
fn token_issuer(token: &str) -> Option<String> {
    use base64::Engine;
    let raw = token.trim();
    let raw = raw.strip_prefix("Bearer ").unwrap_or(raw);
    let payload = raw.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("iss")?.as_str().map(str::to_string)
}

/// The status a mock integration's rendered request template names: `{"statusCode": 404}`,
/// or the CDK's CORS preflight `{ statusCode: 200 }`, which is not JSON but works on AWS
/// [obs], so the key is found without a JSON parser.
fn mock_status_of(body: &str) -> Option<u16> {
    let at = body.find("statusCode")?;
    let rest = body[at + "statusCode".len()..].trim_start_matches(['"', '\'', ' ', '\t']);
    let rest = rest
        .strip_prefix(':')?
        .trim_start_matches(['"', '\'', ' ', '\t']);
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|s| (100..600).contains(s))
}

/// A non-proxy integration's `requestParameters`: `integration.request.{header,querystring,
/// path}.NAME` from `method.request.*`, `'static'`, `context.*` or `stageVariables.*`. A source
/// the request does not have maps nothing.
fn request_parameters(
    raw: &Map<String, Value>,
    req: &Request,
    path: &IndexMap<String, String>,
    stage_variables: &IndexMap<String, String>,
) -> IndexMap<String, String> {
    let mut out = IndexMap::new();
    let Some(map) = raw.get("requestParameters").and_then(Value::as_object) else {
        return out;
    };
    for (target, source) in map {
        let (Some(target), Some(source)) =
            (target.strip_prefix("integration.request."), source.as_str())
        else {
            continue;
        };
        let value = if let Some(s) = source.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
            Some(s.to_string())
        } else if let Some(h) = source.strip_prefix("method.request.header.") {
            req.header(h).map(str::to_string)
        } else if let Some(q) = source.strip_prefix("method.request.querystring.") {
            req.query(q).map(str::to_string)
        } else if let Some(p) = source.strip_prefix("method.request.path.") {
            path.get(p).cloned()
        } else if let Some(v) = source.strip_prefix("stageVariables.") {
            stage_variables.get(v).cloned()
        } else {
            None
        };
        if let Some(v) = value {
            out.insert(target.to_string(), v);
        }
    }
    out
}

/// A proxy integration's URI with `{name}` taken from the mapped path parameters
/// (`requestParameters`), or the request's own path parameters.
fn substitute_uri(
    uri: &str,
    raw: &Map<String, Value>,
    path: &IndexMap<String, String>,
    req: &Request,
) -> String {
    let mapped = request_parameters(raw, req, path, &IndexMap::new());
    let mut values: IndexMap<String, String> = path.clone();
    for (k, v) in mapped {
        if let Some(name) = k.strip_prefix("path.") {
            values.insert(name.to_string(), v);
        }
    }
    substitute_path(uri, &values)
}

fn substitute_path(uri: &str, values: &IndexMap<String, String>) -> String {
    let mut out = uri.to_string();
    for (name, v) in values {
        if let Some(var) = name.strip_prefix("stageVariables.") {
            out = out.replace(&format!("${{stageVariables.{var}}}"), v);
        }
    }
    for (name, v) in values {
        out = out
            .replace(&format!("{{{name}+}}"), v)
            .replace(&format!("{{{name}}}"), v);
    }
    out
}

/// The definition a document holds (itself, or a template's first inline definition).
fn first_definition(doc: &Value) -> &Value {
    if doc.get("paths").is_none()
        && doc.get("Resources").is_some()
        && let Some(b) = lint::definition_bodies(doc).into_iter().next()
    {
        return b.value;
    }
    doc
}

/// A template's definition that belongs to an HTTP API resource (`AWS::Serverless::HttpApi`,
/// `AWS::ApiGatewayV2::Api`).
fn is_template_http_api(doc: &Value, root: &Value) -> bool {
    doc.get("Resources").is_some()
        && lint::definition_bodies(doc)
            .iter()
            .any(|b| std::ptr::eq(b.value, root) && b.http)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn export() -> Value {
        json!({
            "swagger": "2.0",
            "paths": {
                "/pets/{petId}": {
                    "get": {
                        "responses": {"200": {"description": "ok"}},
                        "x-amazon-apigateway-integration": {
                            "type": "aws_proxy", "httpMethod": "POST",
                            "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pets/invocations"
                        }
                    }
                }
            }
        })
    }

    fn get(path: &str) -> Request {
        Request {
            method: "GET".into(),
            path: path.into(),
            ..Request::default()
        }
    }

    #[test]
    fn a_missing_route_is_missing_authentication_token() {
        let t = trace(&export(), &get("/pets"), &Given::default()).unwrap();
        let r = t.response.unwrap();
        assert_eq!(r.status, 403);
        assert_eq!(r.body, r#"{"message":"Missing Authentication Token"}"#);
        assert_eq!(t.findings[0].code, NO_ROUTE);
    }

    #[test]
    fn a_proxy_lambda_answer_reaches_the_client() {
        let given = Given {
            backend: Some(Backend::Lambda {
                output: br#"{"statusCode": 201, "body": "made"}"#.to_vec(),
                function_error: None,
            }),
            ..Given::default()
        };
        let t = trace(&export(), &get("/pets/7"), &given).unwrap();
        let r = t.response.unwrap();
        assert_eq!((r.status, r.body.as_str()), (201, "made"));
        assert_eq!(t.resource.as_deref(), Some("/pets/{petId}"));
    }

    #[test]
    fn without_the_backend_answer_the_trace_says_what_is_missing() {
        let t = trace(&export(), &get("/pets/7"), &Given::default()).unwrap();
        assert!(t.response.is_none());
        assert!(t.findings.iter().any(|f| f.code == INPUT_MISSING));
        assert_eq!(t.stages.last().unwrap().outcome, Outcome::Uncertain);
    }

    /// What `trace --aws` learns from the functions' policies: a refused integration call
    /// answers 500 without the function's answer; a refused Lambda authorizer answers 500
    /// AuthorizerConfigurationException once its identity source is there.
    #[test]
    fn refused_invocations_answer_500() {
        let given = Given {
            backend: Some(Backend::Lambda {
                output: br#"{"statusCode": 201, "body": "made"}"#.to_vec(),
                function_error: None,
            }),
            invoke_refused: Some("its policy allows no call".into()),
            ..Given::default()
        };
        let t = trace(&export(), &get("/pets/7"), &given).unwrap();
        let r = t.response.unwrap();
        assert_eq!(
            (r.status, r.body.as_str()),
            (500, r#"{"message": "Internal server error"}"#)
        );
        let last = t.stages.last().unwrap();
        assert_eq!(
            (last.stage, last.outcome),
            ("integration", Outcome::Stopped)
        );
        let mut guarded = export();
        guarded["securityDefinitions"] = json!({"auth": {"type": "apiKey", "name": "Authorization", "in": "header",
            "x-amazon-apigateway-authtype": "custom",
            "x-amazon-apigateway-authorizer": {"type": "token",
                "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations"}}});
        guarded["paths"]["/pets/{petId}"]["get"]["security"] = json!([{"auth": []}]);
        let given = Given {
            authorizer_refused: Some("its policy allows no call".into()),
            ..Given::default()
        };
        let mut req = get("/pets/7");
        req.headers.push(("Authorization".into(), "t".into()));
        let t = trace(&guarded, &req, &given).unwrap();
        let r = t.response.unwrap();
        assert_eq!(r.status, 500);
        assert!(
            r.headers
                .iter()
                .any(|(k, v)| k == "x-amzn-ErrorType" && v == "AuthorizerConfigurationException"),
            "{:?}",
            r.headers
        );
        // Without the identity source API Gateway answers 401 before any call.
        let t = trace(&guarded, &get("/pets/7"), &given).unwrap();
        assert_eq!(t.response.unwrap().status, 401);
    }

    #[test]
    fn uri_and_mock_helpers() {
        let values = IndexMap::from([("id".to_string(), "7".to_string())]);
        assert_eq!(
            substitute_path("https://b/{id}/x", &values),
            "https://b/7/x"
        );
        assert_eq!(mock_status_of(r#"{"statusCode": 404}"#), Some(404));
        assert_eq!(mock_status_of("{ statusCode: 200 }"), Some(200));
        assert_eq!(mock_status_of(r#"{"statusCode": "204"}"#), Some(204));
        assert_eq!(mock_status_of("{}"), None);
    }
}
