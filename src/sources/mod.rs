//! Where API definitions come from besides exports: CloudFormation/CDK templates in resource
//! form and Terraform's JSON (`terraform show -json`). Each is read into the definition an
//! export of the same API holds, put where the commands already look for inline definitions,
//! so every offline command reads them; what a source leaves undecided (a resource's `Ref`,
//! a pseudo parameter, Terraform's "known after apply") stays a `${...}` placeholder.
pub mod apigatewayv2;
pub mod cloudformation;
pub mod cloudfront;
pub mod included;
pub mod intrinsics;
pub mod sam;
pub mod terraform;
pub mod websocket;

use crate::finding::Finding;
use serde::Serialize;
use serde_json::Value;
use std::sync::OnceLock;

/// The resource (JSON path in the user's file) an operation or integration was read from.
pub const ORIGIN: &str = "x-apigw-doctor-origin";

pub const READ: &str = "source.read";
pub const UNRESOLVED: &str = "source.unresolved";
pub const NOT_READABLE: &str = "source.not-readable";
pub const API_WITHOUT_METHODS: &str = "lint.api-without-methods";
/// A SAM template the SAM transform refuses: the stack is never created or updated.
pub const SAM_TRANSFORM_ERROR: &str = "lint.sam-transform-error";
/// A SAM function event SAM leaves out of its API's own definition.
pub const SAM_EVENT_NOT_IN_DEFINITION: &str = "lint.sam-event-not-in-definition";
/// Authorization SAM ignores without a word, so what it was meant to protect is open: a REST
/// API's DefaultAuthorizer without Authorizers, a WebSocket API's AuthType not in capitals.
pub const SAM_AUTH_IGNORED: &str = "lint.sam-auth-ignored";
/// A SAM REST API's custom domain base path SAM deploys changed (its symbols dropped).
pub const SAM_BASE_PATH_NORMALIZED: &str = "lint.sam-base-path-normalized";

/// A YAML key written twice in one mapping (the last value is read).
pub const DUPLICATE_KEY: &str = "source.duplicate-key";
/// A V2 stage's RouteSettings keyed by a route its API lacks, or by a route resource the
/// stage does not wait for: API Gateway refuses the stage.
pub const ROUTE_SETTINGS_UNKNOWN_ROUTE: &str = "lint.route-settings-unknown-route";
/// A REST stage's MethodSettings whose method path API Gateway refuses or that applies to no
/// method.
pub const METHOD_SETTINGS_PATH: &str = "lint.method-settings-path";

pub const CODES: &[&str] = &[
    READ,
    DUPLICATE_KEY,
    UNRESOLVED,
    NOT_READABLE,
    API_WITHOUT_METHODS,
    SAM_TRANSFORM_ERROR,
    SAM_EVENT_NOT_IN_DEFINITION,
    SAM_AUTH_IGNORED,
    SAM_BASE_PATH_NORMALIZED,
    ROUTE_SETTINGS_UNKNOWN_ROUTE,
    METHOD_SETTINGS_PATH,
];

/// How many "not readable" findings, and template faults, a run lists.
const MAX_NOT_READABLE: usize = 20;
const MAX_FAULTS: usize = 50;

/// A fault of the template itself, found while reading it: where the stack fails, or what it
/// makes differs from what it says.
#[derive(Debug, Clone, Serialize)]
pub struct Fault {
    pub code: &'static str,
    /// An error (the stack fails, or a call certainly fails), else a warning.
    pub error: bool,
    /// The API's logical id.
    pub api: String,
    /// The JSON path in the template the fault is about.
    pub location: String,
    pub message: String,
}

/// Whether every API the `faults` of `template` are about is an HTTP API (SAM's implicit
/// one, an `AWS::Serverless::HttpApi` or an `AWS::ApiGatewayV2::Api`): what a lint that read
/// no definition, only faults, says it linted.
pub fn faults_are_http(template: &Value, faults: &[Fault]) -> bool {
    !faults.is_empty()
        && faults.iter().all(|f| {
            f.api == sam::IMPLICIT_HTTP
                || template
                    .pointer(&format!(
                        "/Resources/{}/Type",
                        f.api.replace('~', "~0").replace('/', "~1")
                    ))
                    .and_then(Value::as_str)
                    .is_some_and(|t| {
                        matches!(t, "AWS::Serverless::HttpApi" | "AWS::ApiGatewayV2::Api")
                    })
        })
}

/// What was read from a source.
#[derive(Debug, Clone, Serialize)]
pub struct Read {
    pub kind: &'static str,
    /// REST APIs read.
    pub apis: usize,
    pub http_apis: usize,
    pub methods: usize,
    /// References left as placeholders.
    pub unresolved: usize,
    /// What could not be read, and why.
    pub not_readable: Vec<String>,
    /// Definition files the template names, read beside it.
    pub included: Vec<String>,
    /// Faults of the template itself (an API without methods, what SAM refuses).
    pub faults: Vec<Fault>,
    /// Their texts, where findings inside them are placed.
    #[serde(skip)]
    pub files: Vec<included::File>,
}

impl Read {
    pub fn new(kind: &'static str) -> Self {
        Read {
            kind,
            apis: 0,
            http_apis: 0,
            methods: 0,
            unresolved: 0,
            not_readable: Vec::new(),
            included: Vec::new(),
            files: Vec::new(),
            faults: Vec::new(),
        }
    }

    /// "CloudFormation template: 2 REST APIs, 14 methods, 3 unresolved references".
    pub fn summary(&self) -> String {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut apis = Vec::new();
        if self.apis > 0 || self.http_apis == 0 {
            apis.push(plural(self.apis, "REST API", "REST APIs"));
        }
        if self.http_apis > 0 {
            apis.push(plural(self.http_apis, "HTTP API", "HTTP APIs"));
        }
        let included = if self.included.is_empty() {
            String::new()
        } else {
            format!("; definitions read from {}", self.included.join(", "))
        };
        format!(
            "{}: {}, {}, {}{included}",
            self.kind,
            apis.join(", "),
            plural(self.methods, "method", "methods"),
            plural(
                self.unresolved,
                "unresolved reference",
                "unresolved references"
            )
        )
    }

    /// The findings that tell what was read: always what was read; what stays unresolved
    /// (lowering the certainty of what depends on it); what could not be read.
    pub fn findings(&self) -> Vec<Finding> {
        // What is not listed (the first MAX_NOT_READABLE and MAX_FAULTS are) is counted.
        let hidden = self.not_readable.len().saturating_sub(MAX_NOT_READABLE)
            + self.faults.len().saturating_sub(MAX_FAULTS);
        let more = if hidden > 0 {
            format!("; {hidden} more findings about the template not listed")
        } else {
            String::new()
        };
        let mut read = Finding::info(READ, format!("read {}{more}", self.summary()))
            .with("apis", self.apis)
            .with("http_apis", self.http_apis)
            .with("methods", self.methods)
            .with("unresolved", self.unresolved);
        if hidden > 0 {
            read = read.with("not_listed", hidden);
        }
        let mut out = vec![read];
        if self.unresolved > 0 {
            out.push(
                Finding::warning(
                    UNRESOLVED,
                    format!("{} the template does not decide (a resource's Ref or GetAtt, a pseudo parameter, an import, a value known after apply): they stay ${{...}} placeholders, and what depends on them is uncertain; pass --parameter NAME=VALUE to decide parameters and pseudo parameters", if self.unresolved == 1 { "1 value is written as a reference".to_string() } else { format!("{} values are written as references", self.unresolved) }),
                )
                .with("unresolved", self.unresolved)
                .with("certain", false),
            );
        }
        for why in self.not_readable.iter().take(MAX_NOT_READABLE) {
            out.push(Finding::warning(NOT_READABLE, why.clone()));
        }
        out.extend(self.fault_findings());
        out
    }

    /// The template's faults as findings, the first [`MAX_FAULTS`] (`findings` counts the
    /// rest).
    pub fn fault_findings(&self) -> impl Iterator<Item = Finding> + '_ {
        self.faults.iter().take(MAX_FAULTS).map(|f| {
            let finding = if f.error {
                Finding::error(f.code, f.message.clone())
            } else {
                Finding::warning(f.code, f.message.clone())
            };
            let finding = if f.api.is_empty() {
                finding
            } else {
                finding.with("api", f.api.as_str())
            };
            finding.with("location", f.location.as_str())
        })
    }
}

static PARAMETERS: OnceLock<Vec<(String, String)>> = OnceLock::new();

/// `--parameter NAME=VALUE` for every document this run reads.
pub fn set_parameters(p: Vec<(String, String)>) {
    let _ = PARAMETERS.set(p);
}

pub fn parameters() -> &'static [(String, String)] {
    PARAMETERS.get().map_or(&[], Vec::as_slice)
}

/// Reads a CloudFormation template's resource-form APIs or a Terraform JSON document into
/// inline definitions (in place); what was read, when the document is one of those. A
/// template's definitions kept in files are read from `folder`, the template's own.
pub fn expand(value: &mut Value, folder: Option<&std::path::Path>) -> Option<Read> {
    if terraform::is_terraform(value) {
        return terraform::read(value);
    }
    if value.get("Resources").is_some_and(Value::is_object) {
        let included = included::inline(value, folder);
        let read = expand_template(value);
        if included.read.is_empty() && included.not_readable.is_empty() {
            return read;
        }
        let mut read = read.unwrap_or_else(|| Read::new("CloudFormation template"));
        read.apis += included.apis;
        read.http_apis += included.http_apis;
        read.methods += included.methods;
        read.included = included.read;
        read.files = included.files;
        read.not_readable.extend(included.not_readable);
        return Some(read);
    }
    None
}

fn expand_template(value: &mut Value) -> Option<Read> {
    let mut events = Read::new("SAM template");
    sam::read(value, parameters(), &mut events);
    let mut v2 = Read::new("CloudFormation template");
    apigatewayv2::read(value, parameters(), &mut v2, &Default::default());
    events.http_apis += v2.http_apis;
    events.methods += v2.methods;
    events.unresolved += v2.unresolved;
    events.not_readable.extend(v2.not_readable);
    events.faults.extend(v2.faults);
    events
        .faults
        .extend(apigatewayv2::route_settings(value, parameters()));
    // A template with SAM resources is a SAM template, whatever its APIs are written as.
    let sam = value
        .get("Resources")
        .and_then(Value::as_object)
        .is_some_and(|r| {
            r.values().any(|r| {
                r.get("Type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.starts_with("AWS::Serverless::"))
            })
        });
    if v2.http_apis > 0 && events.apis == 0 && !sam {
        events.kind = "CloudFormation template";
    }
    // REST stages' method settings, judged once the REST APIs are read (SAM's and resources').
    let read = cloudformation::read(value, parameters());
    events.faults.extend(cloudformation::method_settings(value));
    match read {
        Some(mut r) => {
            r.apis += events.apis;
            r.http_apis += events.http_apis;
            r.methods += events.methods;
            r.unresolved += events.unresolved;
            r.not_readable.extend(events.not_readable);
            r.faults.extend(events.faults);
            Some(r)
        }
        None if events.apis + events.http_apis > 0
            || !events.not_readable.is_empty()
            || !events.faults.is_empty() =>
        {
            Some(events)
        }
        None => None,
    }
}
