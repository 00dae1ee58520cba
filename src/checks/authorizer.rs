//! Authorizers: what API Gateway answers before the integration runs. A Lambda authorizer's
//! output (REST and HTTP APIs: an IAM policy; HTTP APIs also the simple `isAuthorized` form),
//! judged with `policy`'s engine against the method ARN, including the cached-policy pitfall;
//! and JWTs as an HTTP API JWT authorizer or a REST Cognito user pool authorizer checks them.
//! Every fact and its mark (documented, recorded, inferred, open): specs/authorizers.md.
use super::json_kind as kind;
use super::policy::{self, Decision, Request};
use crate::finding::{Finding, Severity};
use serde::Serialize;
use serde_json::{Map, Value};

pub const ALLOWED: &str = "authorizer.allowed";
pub const EXPLICIT_DENY: &str = "authorizer.explicit-deny";
pub const IMPLICIT_DENY: &str = "authorizer.implicit-deny";
pub const CACHED_POLICY_DENIES: &str = "authorizer.cached-policy-denies";
pub const MISSING_PRINCIPAL_ID: &str = "authorizer.missing-principal-id";
pub const CONTEXT_NOT_SCALAR: &str = "authorizer.context-not-scalar";
pub const MALFORMED_OUTPUT: &str = "authorizer.malformed-output";
pub const UNAUTHORIZED: &str = "authorizer.unauthorized";
pub const FUNCTION_ERROR: &str = "authorizer.function-error";
pub const IDENTITY_SOURCE_MISSING: &str = "authorizer.identity-source-missing";
pub const SIMPLE_DENIED: &str = "authorizer.simple-response-denied";
pub const JWT_MALFORMED: &str = "authorizer.jwt-malformed";
pub const JWT_ALGORITHM: &str = "authorizer.jwt-algorithm";
pub const JWT_SIGNATURE: &str = "authorizer.jwt-signature";
pub const JWT_UNVERIFIED: &str = "authorizer.jwt-signature-not-checked";
pub const JWT_ISSUER: &str = "authorizer.jwt-issuer";
pub const JWT_AUDIENCE: &str = "authorizer.jwt-audience";
pub const JWT_EXPIRED: &str = "authorizer.jwt-expired";
pub const JWT_NOT_YET_VALID: &str = "authorizer.jwt-not-yet-valid";
pub const JWT_ISSUED_LATER: &str = "authorizer.jwt-issued-in-the-future";
pub const JWT_SCOPE: &str = "authorizer.jwt-scope";
pub const JWT_TOKEN_USE: &str = "authorizer.jwt-token-use";
pub const JWT_CLOCK_EDGE: &str = "authorizer.jwt-clock-edge";

pub const CODES: &[&str] = &[
    ALLOWED,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    CACHED_POLICY_DENIES,
    MISSING_PRINCIPAL_ID,
    CONTEXT_NOT_SCALAR,
    MALFORMED_OUTPUT,
    UNAUTHORIZED,
    FUNCTION_ERROR,
    IDENTITY_SOURCE_MISSING,
    SIMPLE_DENIED,
    JWT_MALFORMED,
    JWT_ALGORITHM,
    JWT_SIGNATURE,
    JWT_UNVERIFIED,
    JWT_ISSUER,
    JWT_AUDIENCE,
    JWT_EXPIRED,
    JWT_NOT_YET_VALID,
    JWT_ISSUED_LATER,
    JWT_SCOPE,
    JWT_TOKEN_USE,
    JWT_CLOCK_EDGE,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Api {
    Rest,
    Http,
}

/// What the client gets instead of the integration's answer.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(String, String)>,
    /// The gateway response type that shapes it (REST), which a customised gateway response
    /// changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway_response: Option<&'static str>,
    /// Whether the status and body are recorded or documented (true), or inferred (false).
    pub certain: bool,
}

impl Answer {
    pub fn new(status: u16, body: &str, gateway_response: Option<&'static str>) -> Self {
        Answer {
            status,
            body: body.to_string(),
            headers: Vec::new(),
            gateway_response,
            certain: true,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn inferred(mut self) -> Self {
        self.certain = false;
        self
    }

    pub fn unauthorized(api: Api) -> Self {
        let a = Answer::new(
            401,
            r#"{"message":"Unauthorized"}"#,
            rest(api, "UNAUTHORIZED"),
        );
        match api {
            Api::Rest => a.header("x-amzn-ErrorType", "UnauthorizedException"),
            Api::Http => a,
        }
    }

    fn denied(api: Api, explicit: bool) -> Self {
        match api {
            Api::Rest if explicit => Answer::new(
                403,
                r#"{"Message":"User is not authorized to access this resource with an explicit deny"}"#,
                Some("ACCESS_DENIED"),
            )
            .header("x-amzn-ErrorType", "AccessDeniedException"),
            Api::Rest => Answer::new(
                403,
                r#"{"Message":"User is not authorized to access this resource"}"#,
                Some("ACCESS_DENIED"),
            )
            .header("x-amzn-ErrorType", "AccessDeniedException"),
            Api::Http => Answer::new(403, r#"{"message":"Forbidden"}"#, None),
        }
    }

    pub(crate) fn configuration_error(api: Api) -> Self {
        match api {
            Api::Rest => Answer::new(
                500,
                r#"{"message":null}"#,
                Some("AUTHORIZER_CONFIGURATION_ERROR"),
            )
            .header("x-amzn-ErrorType", "AuthorizerConfigurationException"),
            Api::Http => {
                Answer::new(500, r#"{"message":"Internal Server Error"}"#, None).inferred()
            }
        }
    }
}

fn rest(api: Api, response: &'static str) -> Option<&'static str> {
    (api == Api::Rest).then_some(response)
}

/// The verdict for one request.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// The authorizer lets the request through to the integration.
    pub authorized: bool,
    /// What the client gets when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<Answer>,
    pub findings: Vec<Finding>,
}

impl Verdict {
    fn refuse(answer: Answer, finding: Finding) -> Self {
        let finding = with_answer(finding, &answer);
        Verdict {
            authorized: false,
            answer: Some(answer),
            findings: vec![finding],
        }
    }
}

fn with_answer(f: Finding, a: &Answer) -> Finding {
    let f = f.with("status", a.status).with("body", a.body.as_str());
    if a.certain {
        f
    } else {
        f.with("certain", false)
    }
}

/// A request the authorizer is asked about.
#[derive(Debug, Clone)]
pub struct MethodArn(pub String);

impl MethodArn {
    /// `arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/VERB/PATH`, the path without its leading
    /// slash (the root resource is `.../GET/`).
    pub fn build(
        region: &str,
        account: &str,
        api_id: &str,
        stage: &str,
        method: &str,
        path: &str,
    ) -> Self {
        MethodArn(format!(
            "arn:aws:execute-api:{region}:{account}:{api_id}/{stage}/{}/{}",
            method.to_ascii_uppercase(),
            path.trim_start_matches('/')
        ))
    }

    /// The ARN's parts: region, account, API id, stage, method, path.
    pub fn parts(&self) -> Option<[&str; 6]> {
        let rest = self.0.strip_prefix("arn:")?;
        let mut colon = rest.splitn(5, ':');
        let (_partition, service, region, account, tail) = (
            colon.next()?,
            colon.next()?,
            colon.next()?,
            colon.next()?,
            colon.next()?,
        );
        if service != "execute-api" {
            return None;
        }
        let mut slash = tail.splitn(4, '/');
        let (api, stage, method) = (slash.next()?, slash.next()?, slash.next()?);
        let path = slash.next().unwrap_or("");
        Some([region, account, api, stage, method, path])
    }
}

/// The first Resource of a Lambda authorizer's policy (it names the region, account and API
/// id of the call the authorizer answered), when it is one.
pub fn policy_arn(output: Option<&Value>) -> Option<MethodArn> {
    output?
        .pointer("/policyDocument/Statement")
        .and_then(|s| match s {
            Value::Array(a) => a.first(),
            other => Some(other),
        })
        .and_then(|s| s.get("Resource"))
        .and_then(|r| match r {
            Value::Array(a) => a.first().and_then(Value::as_str),
            other => other.as_str(),
        })
        .map(|r| MethodArn(r.to_string()))
}

/// How the authorizer behaved besides its output.
#[derive(Debug, Clone, Default)]
pub struct Call {
    /// The function threw (or called back with) this error instead of returning.
    pub threw: Option<String>,
    /// The identity source was missing or empty: API Gateway answers without calling.
    pub identity_missing: bool,
}

/// A Lambda authorizer's output for `arn`, and for each later request the cached result
/// serves while the TTL lasts.
pub fn judge_lambda(
    api: Api,
    output: Option<&Value>,
    call: &Call,
    arn: &MethodArn,
    later: &[MethodArn],
    ttl: u64,
) -> Verdict {
    if call.identity_missing {
        return Verdict::refuse(
            Answer::unauthorized(api),
            Finding::error(
                IDENTITY_SOURCE_MISSING,
                "the identity source is missing or empty: API Gateway answers 401 without calling the authorizer (REQUEST authorizers: every identity source must be present; TOKEN authorizers: the token header, and it must match the token validation expression)",
            ),
        );
    }
    if let Some(message) = &call.threw {
        return if message == "Unauthorized" {
            Verdict::refuse(
                Answer::unauthorized(api),
                Finding::error(
                    UNAUTHORIZED,
                    "the function failed with the error \"Unauthorized\": API Gateway answers 401; that exact message is the only way a Lambda authorizer asks for 401",
                ),
            )
        } else {
            Verdict::refuse(
                Answer::configuration_error(api),
                Finding::error(
                    FUNCTION_ERROR,
                    format!("the function failed with {message:?}: any failure but exactly \"Unauthorized\" is an authorizer error (500); to refuse, fail with \"Unauthorized\" (401) or return a Deny policy (403)"),
                )
                .with("error", message.as_str()),
            )
        };
    }
    let Some(output) = output else {
        return Verdict::refuse(
            Answer::configuration_error(api),
            Finding::error(
                MALFORMED_OUTPUT,
                "the function returned nothing: API Gateway needs a principalId and a policyDocument",
            ),
        );
    };
    let Some(obj) = output.as_object() else {
        return Verdict::refuse(
            Answer::configuration_error(api),
            Finding::error(
                MALFORMED_OUTPUT,
                format!(
                    "the output is a JSON {}, not an object with principalId and policyDocument",
                    kind(output)
                ),
            ),
        );
    };
    if obj.contains_key("isAuthorized") {
        return judge_simple(api, obj);
    }
    let mut findings = Vec::new();
    let mut broken: Option<Finding> = None;
    match obj.get("principalId") {
        Some(Value::String(s)) if !s.is_empty() => {}
        // Documented as a string; whether a number is coerced is not.
        Some(Value::Number(_)) => findings.push(
            Finding::warning(
                MISSING_PRINCIPAL_ID,
                "principalId is a number: it is documented as a string, and whether API Gateway accepts a number is not; return it as a string",
            )
            .with("path", "$.principalId")
            .with("certain", false),
        ),
        Some(other) if !other.is_null() => {
            broken = Some(
                Finding::error(
                    MISSING_PRINCIPAL_ID,
                    format!("principalId is a JSON {}: it must be a string", kind(other)),
                )
                .with("path", "$.principalId"),
            );
        }
        _ => {
            broken = Some(
                Finding::error(
                    MISSING_PRINCIPAL_ID,
                    "the output has no principalId: API Gateway needs one and answers 500 (AuthorizerConfigurationException) without it",
                )
                .with("path", "$.principalId"),
            );
        }
    }
    if let Some(Value::Object(context)) = obj.get("context") {
        for (key, value) in context {
            if value.is_null() {
                findings.push(
                    Finding::warning(
                        CONTEXT_NOT_SCALAR,
                        format!("context.{key} is null: context values are documented as strings, numbers or booleans, and how null is treated is not documented"),
                    )
                    .with("path", format!("$.context.{key}"))
                    .with("certain", false),
                );
            } else if matches!(value, Value::Object(_) | Value::Array(_)) && broken.is_none() {
                broken = Some(
                    Finding::error(
                        CONTEXT_NOT_SCALAR,
                        format!("context.{key} is a JSON {}: context values must be strings, numbers or booleans (serialise objects to a JSON string)", kind(value)),
                    )
                    .with("path", format!("$.context.{key}")),
                );
            }
        }
    } else if let Some(other) = obj.get("context") {
        broken.get_or_insert(
            Finding::error(CONTEXT_NOT_SCALAR, format!("context is a JSON {}: it must be an object of string, number or boolean values", kind(other)))
                .with("path", "$.context"),
        );
    }
    let document = match obj.get("policyDocument") {
        Some(Value::Object(_)) => obj.get("policyDocument").cloned(),
        // A policy serialised to a string is not read as one.
        Some(Value::String(_)) => {
            broken.get_or_insert(
                Finding::error(MALFORMED_OUTPUT, "policyDocument is a string: return the policy as a JSON object, not serialised")
                    .with("path", "$.policyDocument"),
            );
            None
        }
        _ => {
            broken.get_or_insert(
                Finding::error(MALFORMED_OUTPUT, "the output has no policyDocument object")
                    .with("path", "$.policyDocument"),
            );
            None
        }
    };
    if let Some(f) = broken {
        let answer = Answer::configuration_error(api);
        findings.insert(0, with_answer(f, &answer));
        return Verdict {
            authorized: false,
            answer: Some(answer),
            findings,
        };
    }
    let document = document.expect("checked above");
    let decide = |resource: &str, findings: &mut Vec<Finding>| -> Option<Decision> {
        let request = Request {
            principal: Some("*".to_string()),
            resource: Some(resource.to_string()),
            identity_policy: true,
            ..Request::default()
        };
        let e = policy::evaluate(&document, &request);
        let mut malformed = false;
        for f in e.findings {
            match f.code {
                policy::ALLOWED | policy::IMPLICIT_DENY | policy::EXPLICIT_DENY => {}
                _ if f.severity == Severity::Error => {
                    malformed = true;
                    findings.push(Finding {
                        code: MALFORMED_OUTPUT,
                        ..f
                    });
                }
                _ => findings.push(f),
            }
        }
        if malformed { None } else { e.decision }
    };
    let decision = decide(&arn.0, &mut findings);
    let Some(decision) = decision else {
        let answer = Answer::configuration_error(api);
        for f in findings.iter_mut().filter(|f| f.code == MALFORMED_OUTPUT) {
            *f = with_answer(f.clone(), &answer);
        }
        return Verdict {
            authorized: false,
            answer: Some(answer),
            findings,
        };
    };
    let principal = obj
        .get("principalId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let verdict = match decision {
        Decision::Allow => {
            let context: Vec<&str> = obj
                .get("context")
                .and_then(Value::as_object)
                .map(|c| c.keys().map(String::as_str).collect())
                .unwrap_or_default();
            findings.insert(
                0,
                Finding::info(
                    ALLOWED,
                    format!("the policy allows {}: the integration is called for principal {principal:?}", arn.0),
                )
                .with("resource", arn.0.as_str())
                .with("context_keys", context.join(",")),
            );
            Verdict {
                authorized: true,
                answer: None,
                findings,
            }
        }
        Decision::ExplicitDeny | Decision::ImplicitDeny => {
            let explicit = decision == Decision::ExplicitDeny;
            let answer = Answer::denied(api, explicit);
            let f = if explicit {
                Finding::error(
                    EXPLICIT_DENY,
                    format!("a Deny statement of the returned policy covers {}", arn.0),
                )
            } else {
                Finding::error(
                    IMPLICIT_DENY,
                    format!(
                        "no Allow statement of the returned policy covers {}: its Resource must match this method ARN (wildcards * and ?)",
                        arn.0
                    ),
                )
            };
            findings.insert(0, with_answer(f.with("resource", arn.0.as_str()), &answer));
            Verdict {
                authorized: false,
                answer: Some(answer),
                findings,
            }
        }
        Decision::Uncertain => {
            findings.insert(
                0,
                Finding::warning(ALLOWED, "whether the policy allows this method depends on a condition the tool was not told about").with("certain", false),
            );
            Verdict {
                authorized: false,
                answer: None,
                findings,
            }
        }
    };
    cache_pitfall(api, verdict, arn, later, ttl, &mut |r, f| decide(r, f))
}

/// A result is cached per identity source for the TTL and applied to every method that uses
/// the authorizer: a policy that allows only the first method ARN denies the others.
fn cache_pitfall(
    api: Api,
    mut verdict: Verdict,
    arn: &MethodArn,
    later: &[MethodArn],
    ttl: u64,
    decide: &mut dyn FnMut(&str, &mut Vec<Finding>) -> Option<Decision>,
) -> Verdict {
    if !verdict.authorized {
        return verdict;
    }
    let mut scratch = Vec::new();
    if later.is_empty() {
        // Another method of the same stage: does the cached policy cover it?
        let Some([region, account, api_id, stage, ..]) = arn.parts() else {
            return verdict;
        };
        let probe = MethodArn::build(
            region,
            account,
            api_id,
            stage,
            "PATCH",
            "__another-method__",
        );
        if ttl > 0 && decide(&probe.0, &mut scratch) != Some(Decision::Allow) {
            verdict.findings.push(
                Finding::warning(
                    CACHED_POLICY_DENIES,
                    format!("the policy allows only some methods of stage {stage}, and results are cached for {ttl} s per identity source: a call with the same token to another method using this authorizer gets 403 from the cached policy until the TTL ends; return a policy for arn:aws:execute-api:{region}:{account}:{api_id}/{stage}/*/* (then decide per method in the backend), or set the TTL to 0"),
                )
                .with("ttl", ttl)
                .with("status", 403)
                .with("body", Answer::denied(api, false).body),
            );
        }
        return verdict;
    }
    for next in later {
        let decision = decide(&next.0, &mut scratch);
        if ttl == 0 {
            continue;
        }
        if decision != Some(Decision::Allow) {
            let answer = Answer::denied(api, decision == Some(Decision::ExplicitDeny));
            verdict.findings.push(with_answer(
                Finding::error(
                    CACHED_POLICY_DENIES,
                    format!("{} is served from the cache (TTL {ttl} s, same identity source): the authorizer is not called again, and the policy it returned for {} does not allow it", next.0, arn.0),
                )
                .with("resource", next.0.as_str())
                .with("ttl", ttl),
                &answer,
            ));
        }
    }
    verdict
}

/// HTTP APIs, payload format 2.0 with simple responses: `{"isAuthorized": bool, "context": {}}`.
fn judge_simple(api: Api, obj: &Map<String, Value>) -> Verdict {
    if api == Api::Rest {
        return Verdict::refuse(
            Answer::configuration_error(api),
            Finding::error(
                MALFORMED_OUTPUT,
                "isAuthorized is the simple response of HTTP API Lambda authorizers (payload format 2.0 with simple responses enabled); a REST API authorizer must return principalId and policyDocument",
            ),
        );
    }
    match obj.get("isAuthorized") {
        Some(Value::Bool(true)) => Verdict {
            authorized: true,
            answer: None,
            findings: vec![Finding::info(
                ALLOWED,
                "isAuthorized is true: the integration is called",
            )],
        },
        Some(Value::Bool(false)) => Verdict::refuse(
            Answer::denied(api, false),
            Finding::error(
                SIMPLE_DENIED,
                "isAuthorized is false: API Gateway answers 403 Forbidden",
            ),
        ),
        other => Verdict::refuse(
            Answer::configuration_error(api),
            Finding::error(
                MALFORMED_OUTPUT,
                format!(
                    "isAuthorized is {}, not a boolean",
                    other.map_or("missing".to_string(), |v| format!("a JSON {}", kind(v)))
                ),
            )
            .with("path", "$.isAuthorized"),
        ),
    }
}

pub use jwt::{JwtCheck, Token, judge_jwt, rfc3339};

pub mod definition;
mod jwt;
