//! Offline checks of an API definition: which methods use a VPC link (the "Cannot delete
//! VPC link referenced in format of [Method:Resource]" article), and a lint of every
//! method's integration responses, templates and endpoints.
//!
//! Input: an OpenAPI 3 / Swagger 2 export with API Gateway extensions, or the JSON of
//! `aws apigateway get-resources --embed methods`.
use super::selection::model::{
    Integration, IntegrationKind, cli_method, export_operation, is_unresolved,
};
use super::selection::{self, METHOD_RESPONSE_MISSING};
use crate::finding::Finding;
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::OnceLock;

pub const VPC_LINK_IN_USE: &str = "lint.vpc-link-in-use";
pub const VPC_LINK_MAY_BE_IN_USE: &str = "lint.vpc-link-may-be-in-use";
pub const VPC_LINK_UNRESOLVED_REFERENCE: &str = "lint.vpc-link-unresolved-reference";
pub const TEMPLATE_ON_PROXY: &str = "lint.template-on-proxy";
pub const OVERRIDE_STATUS_UNDECLARED: &str = "lint.override-status-undeclared";
pub const PLAIN_HTTP_INTEGRATION: &str = "lint.plain-http-integration";
pub const ERRORS_AS_2XX: &str = "lint.errors-as-2xx";
pub const ERROR_STATUS_FROM_TEMPLATE: &str = "lint.error-status-from-template";
pub const STAGE_VARIABLE_TYPO: &str = "lint.stage-variable-typo";
pub const NO_INTEGRATIONS: &str = "lint.no-integrations";
pub const METHOD_WITHOUT_INTEGRATION: &str = "lint.method-without-integration";
pub const HTTP_PAYLOAD_VERSION: &str = "lint.http-payload-version";
pub const HTTP_RESPONSE_MAPPING: &str = "lint.http-response-mapping-invalid";
pub const HTTP_API_POLICY: &str = "lint.http-api-policy";
pub const HTTP_SERVICE_PARAMETERS: &str = "lint.http-service-parameters";
pub const CORS_PREFLIGHT_NEEDS_AUTH: &str = "lint.cors-preflight-needs-auth";
pub const STAGE_VARIABLE_UNDEFINED: &str = "lint.stage-variable-undefined";
pub const LAMBDA_INTEGRATION_NOT_POST: &str = "lint.lambda-integration-not-post";
pub const LOGGING_WITHOUT_ACCOUNT_ROLE: &str = "lint.logging-without-account-role";
pub const HTTP_EXECUTION_LOGGING: &str = "lint.http-execution-logging";
pub const AWS_INTEGRATION_URI: &str = "lint.aws-integration-uri";
pub const INTEGRATION_CREDENTIALS: &str = "lint.integration-credentials";
pub const LAMBDA_PERMISSION_MISSING: &str = "lint.lambda-permission-missing";
pub const LAMBDA_PERMISSION_SOURCE_ARN: &str = "lint.lambda-permission-source-arn";
pub const AUTHORIZER_PERMISSION_MISSING: &str = "lint.authorizer-permission-missing";
pub const LAMBDA_FUNCTION_NOT_FOUND: &str = "lint.lambda-function-not-found";
pub const LAMBDA_POLICY_UNREADABLE: &str = "lint.lambda-policy-unreadable";

/// Codes only lint emits; it also emits the selection codes and METHOD_RESPONSE_MISSING.
pub const CODES: &[&str] = &[
    VPC_LINK_IN_USE,
    VPC_LINK_MAY_BE_IN_USE,
    VPC_LINK_UNRESOLVED_REFERENCE,
    TEMPLATE_ON_PROXY,
    OVERRIDE_STATUS_UNDECLARED,
    PLAIN_HTTP_INTEGRATION,
    ERRORS_AS_2XX,
    ERROR_STATUS_FROM_TEMPLATE,
    STAGE_VARIABLE_TYPO,
    NO_INTEGRATIONS,
    HTTP_PAYLOAD_VERSION,
    HTTP_RESPONSE_MAPPING,
    HTTP_API_POLICY,
    HTTP_SERVICE_PARAMETERS,
    CORS_PREFLIGHT_NEEDS_AUTH,
    METHOD_WITHOUT_INTEGRATION,
    STAGE_VARIABLE_UNDEFINED,
    LAMBDA_INTEGRATION_NOT_POST,
    AWS_INTEGRATION_URI,
    INTEGRATION_CREDENTIALS,
    LAMBDA_PERMISSION_MISSING,
    LAMBDA_PERMISSION_SOURCE_ARN,
    AUTHORIZER_PERMISSION_MISSING,
    LAMBDA_FUNCTION_NOT_FOUND,
    LAMBDA_POLICY_UNREADABLE,
    LOGGING_WITHOUT_ACCOUNT_ROLE,
    HTTP_EXECUTION_LOGGING,
];

/// How many operations a path item holds (a path item under `Fn::If`: its branch's).
pub(crate) fn operation_count(item: &Value) -> usize {
    condition_branch(item, String::new())
        .0
        .as_object()
        .map_or(0, |i| {
            i.keys().filter(|k| METHODS.contains(&k.as_str())).count()
        })
}

pub(crate) const METHODS: &[&str] = &[
    "get",
    "put",
    "post",
    "delete",
    "options",
    "head",
    "patch",
    "x-amazon-apigateway-any-method",
];

#[derive(Debug, Clone)]
pub struct Method {
    /// `GET`, `ANY`, ...
    pub method: String,
    pub path: String,
    /// The resource id, where the document has one (get-resources).
    pub resource_id: Option<String>,
    /// JSON path of the method object.
    pub location: String,
    pub integration: Option<Integration>,
    /// What a caller must present: authorizers, `AWS_IAM`, `API key` (empty: nothing).
    pub auth: Vec<String>,
}

impl Method {
    /// The `[Method:Resource]` form API Gateway's VPC link error uses.
    pub fn label(&self) -> String {
        if self.method.is_empty() {
            // A WebSocket route: its key, no verb.
            format!("[{}]", self.path)
        } else {
            format!("[{}:{}]", self.method, self.path)
        }
    }
}

/// Every method of an export, a get-resources listing, a SAM/CloudFormation template's
/// `DefinitionBody`, or a single `get-method` / `get-integration`; or why the document is
/// none of these.
pub fn methods(doc: &Value) -> Result<Vec<Method>, String> {
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        return export_methods(paths, doc.get("security"), "$");
    }
    if let Some(resources) = doc.get("Resources").and_then(Value::as_object) {
        let bodies = definition_bodies(doc);
        if bodies.is_empty() {
            if crate::sources::terraform::is_terraform(doc) {
                return Err("a Terraform plan or state with no REST API the tool can read (aws_api_gateway_rest_api with its resources, methods and integrations, or an OpenAPI body): lint the deployed API instead (apigw-doctor lint --aws --rest-api-id ID, or the output of aws apigateway get-export --parameters extensions='apigateway')".to_string());
            }
            return Err(resource_form_refusal(resources));
        }
        let mut out = Vec::new();
        for b in &bodies {
            if let Some(paths) = b.value.get("paths").and_then(Value::as_object) {
                out.extend(export_methods(paths, b.value.get("security"), &b.base)?);
            }
        }
        // Credentials that are a `Ref` of a role of the template are its name: a body keeps
        // the intrinsic as written (`{"Ref":"ROLE"}`), a method read from its resource has it
        // as the placeholder `${ROLE}` (`${ROLE.Arn}` is its ARN). Logical ids are unique
        // across a template's parameters and resources.
        for i in out.iter_mut().filter_map(|m| m.integration.as_mut()) {
            let Some(c) = i.credentials.as_deref() else {
                continue;
            };
            let referred = match serde_json::from_str::<Value>(c) {
                Ok(v) => v.get("Ref").and_then(Value::as_str).map(str::to_string),
                Err(_) => c
                    .strip_prefix("${")
                    .and_then(|r| r.strip_suffix('}'))
                    .map(str::to_string),
            };
            i.credentials_role_ref = referred.filter(|r| {
                resources
                    .get(r)
                    .and_then(|r| r.get("Type"))
                    .and_then(Value::as_str)
                    == Some("AWS::IAM::Role")
            });
        }
        return Ok(out);
    }
    if let Some(obj) = doc.as_object()
        && super::selection::model::is_integration_response(obj)
    {
        return Ok(vec![Method {
            method: "?".to_string(),
            path: "?".to_string(),
            resource_id: None,
            location: "$".to_string(),
            integration: Some(super::selection::model::from_integration_response(obj)?),
            auth: Vec::new(),
        }]);
    }
    if let Some(obj) = doc.as_object()
        && (obj.contains_key("methodIntegration")
            || obj.contains_key("integrationResponses")
            || (obj.contains_key("type") && obj.contains_key("uri")))
    {
        // One method (get-method) or one integration (get-integration).
        let integration = match cli_method(obj, "$")? {
            Some(i) => Some(i),
            None => Some(super::selection::model::from_cli_json(doc)?),
        };
        let method = obj
            .get("httpMethod")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string();
        return Ok(vec![Method {
            method,
            path: "?".to_string(),
            resource_id: None,
            location: "$".to_string(),
            integration,
            auth: cli_auth(obj),
        }]);
    }
    if let Some(items) = doc.get("items").and_then(Value::as_array)
        && items
            .iter()
            .all(|i| i.get("path").is_some() || i.get("id").is_some())
    {
        let mut out = Vec::new();
        for (n, item) in items.iter().enumerate() {
            let path = item
                .get("path")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string();
            let Some(methods) = item.get("resourceMethods").and_then(Value::as_object) else {
                continue;
            };
            for (verb, m) in methods {
                let location = format!("$.items[{n}].resourceMethods.{verb}");
                let Some(m) = m.as_object() else { continue };
                let integration = cli_method(m, &location)?;
                out.push(Method {
                    method: verb.to_ascii_uppercase(),
                    path: path.clone(),
                    resource_id: item.get("id").and_then(Value::as_str).map(str::to_string),
                    location,
                    integration,
                    auth: cli_auth(m),
                });
            }
        }
        return Ok(out);
    }
    Err(format!(
        "not an API export (paths), `aws apigateway get-resources --embed methods` output (items), a SAM/CloudFormation template with a DefinitionBody, or get-method / get-integration output: it looks like {}",
        crate::document::describe_for(doc, "lint")
    ))
}

/// An OpenAPI definition inside a CloudFormation/SAM template: a `DefinitionBody` (SAM) or
/// `Body` (AWS::ApiGateway::RestApi, AWS::ApiGatewayV2::Api), each branch of an `Fn::If`
/// around it read as a definition of its own.
pub struct DefinitionBody<'d> {
    /// JSON path of the definition.
    pub base: String,
    pub value: &'d Value,
    /// The resource's logical id and type.
    pub logical_id: String,
    pub resource_type: String,
    /// An HTTP API's definition (AWS::Serverless::HttpApi, AWS::ApiGatewayV2::Api).
    pub http: bool,
}

/// Every inline definition of a template, in document order.
pub fn definition_bodies(doc: &Value) -> Vec<DefinitionBody<'_>> {
    let mut out = Vec::new();
    let Some(resources) = doc.get("Resources").and_then(Value::as_object) else {
        return out;
    };
    for (id, r) in resources {
        let resource_type = r.get("Type").and_then(Value::as_str).unwrap_or_default();
        for key in ["DefinitionBody", "Body"] {
            let Some(v) = r.pointer(&format!("/Properties/{key}")) else {
                continue;
            };
            let mut found = Vec::new();
            bodies_in(
                v,
                format!("{}.Properties.{key}", crate::locate::resource_path(id)),
                &mut found,
                0,
            );
            for (base, value) in found {
                let http = matches!(
                    resource_type,
                    "AWS::Serverless::HttpApi" | "AWS::ApiGatewayV2::Api"
                ) || (!resource_type.starts_with("AWS::") && is_http_api(value));
                out.push(DefinitionBody {
                    base,
                    value,
                    logical_id: id.clone(),
                    resource_type: resource_type.to_string(),
                    http,
                });
            }
        }
    }
    out
}

/// A definition, or the definitions in the branches of `Fn::If` (nested a few levels).
fn bodies_in<'d>(v: &'d Value, base: String, out: &mut Vec<(String, &'d Value)>, depth: usize) {
    if v.get("paths").is_some() {
        out.push((base, v));
        return;
    }
    if depth < 8
        && let Some(branches) = v.get("Fn::If").and_then(Value::as_array)
    {
        for (n, branch) in branches.iter().enumerate().skip(1).take(2) {
            bodies_in(branch, format!("{base}['Fn::If'][{n}]"), out, depth + 1);
        }
    }
}

/// Why a template with no definition the tool could read cannot be linted, in its own terms:
/// what it does hold (resources that did not read as an API, implicit SAM APIs, definitions
/// in S3). What kept its resources from reading is the caller's to add.
fn resource_form_refusal(resources: &serde_json::Map<String, Value>) -> String {
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut implicit = 0;
    let mut elsewhere = Vec::new();
    let mut sam = Vec::new();
    for (id, r) in resources {
        let t = r.get("Type").and_then(Value::as_str).unwrap_or_default();
        match t {
            "AWS::Serverless::HttpApi" if r.pointer("/Properties/DefinitionBody").is_none()
                && r.pointer("/Properties/DefinitionUri").is_none() => sam.push(format!(
                "{id}, an AWS::Serverless::HttpApi with no DefinitionBody and no event naming it (SAM writes it with no routes: nothing to check)"
            )),
            "AWS::Serverless::WebSocketApi" => sam.push(format!(
                "{id}, an AWS::Serverless::WebSocketApi (a WebSocket API: `lint` checks its routes; the other commands read REST and HTTP APIs)"
            )),
            _ => {}
        }
        if t.starts_with("AWS::ApiGateway::") || t.starts_with("AWS::ApiGatewayV2::") {
            *counts.entry(t).or_default() += 1;
        }
        if crate::sources::sam::function_has_event(r, &["Api", "HttpApi"]) {
            implicit += 1;
        }
        for key in ["DefinitionUri", "BodyS3Location"] {
            if r.pointer(&format!("/Properties/{key}")).is_some() {
                elsewhere.push(format!("{id} ({key})"));
            }
        }
        if r.pointer("/Properties/DefinitionBody/Fn::Transform")
            .is_some()
        {
            elsewhere.push(format!("{id} (AWS::Include)"));
        }
    }
    let mut held = Vec::new();
    let resource_form: Vec<String> = counts
        .iter()
        .filter(|(t, _)| !t.ends_with("::RestApi") && !t.ends_with("::Api"))
        .map(|(t, n)| format!("{n} {t}"))
        .collect();
    if !resource_form.is_empty() {
        held.push(format!(
            "its API as resources ({}; the shape `cdk synth` writes)",
            resource_form.join(", ")
        ));
    }
    if implicit > 0 {
        held.push(format!(
            "{implicit} AWS::Serverless::Function(s) with Api/HttpApi events"
        ));
    }
    if !elsewhere.is_empty() {
        held.push(format!(
            "definitions outside the template: {}",
            elsewhere.join(", ")
        ));
    }
    held.extend(sam);
    let what = if held.is_empty() {
        "no API Gateway definition at all".to_string()
    } else {
        held.join("; ")
    };
    format!(
        "a CloudFormation/SAM template with no REST API the tool can read (an AWS::ApiGateway::RestApi with its Resources and Methods, or an inline OpenAPI DefinitionBody or Body): it holds {what}; lint the deployed API instead (apigw-doctor lint --aws --rest-api-id ID, or the output of aws apigateway get-export --parameters extensions='apigateway')"
    )
}

fn export_methods(
    paths: &serde_json::Map<String, Value>,
    global_security: Option<&Value>,
    base: &str,
) -> Result<Vec<Method>, String> {
    let mut out = Vec::new();
    for (path, item) in paths {
        let (item, item_at) = condition_branch(item, format!("{base}.paths['{path}']"));
        let Some(item) = item.as_object() else {
            continue;
        };
        for (key, op) in item {
            if !METHODS.contains(&key.as_str()) {
                continue;
            }
            let (op, location) = condition_branch(op, format!("{item_at}.{key}"));
            let Some(op) = op.as_object() else { continue };
            let integration = export_operation(op, &location)?;
            out.push(Method {
                method: method_name(key),
                path: path.clone(),
                resource_id: None,
                location,
                integration,
                auth: export_auth(op.get("security").or(global_security)),
            });
        }
    }
    Ok(out)
}

/// A path item or operation written under a condition (`Fn::If: [Cond, value, ...]`, as SAM
/// writes an event's operation when its function has a Condition): the branch that is there
/// when it exists (the first that is not `AWS::NoValue`), with its JSON path; anything else as
/// it is.
pub(crate) fn condition_branch(v: &Value, at: String) -> (&Value, String) {
    let mut v = v;
    let mut at = at;
    for _ in 0..8 {
        let Some([_, rest @ ..]) = v
            .as_object()
            .filter(|o| o.len() == 1)
            .and_then(|o| o.get("Fn::If"))
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        else {
            break;
        };
        let no_value = |b: &Value| b.get("Ref").and_then(Value::as_str) == Some("AWS::NoValue");
        let Some((n, branch)) = rest
            .iter()
            .enumerate()
            .take(2)
            .find(|(_, b)| b.is_object() && !no_value(b))
        else {
            break;
        };
        v = branch;
        at = format!("{at}['Fn::If'][{}]", n + 1);
    }
    (v, at)
}

/// The security requirement names of an OpenAPI operation (`[{"api_key": []}, {"MyAuth": []}]`);
/// an explicit `security: []` means none.
fn export_auth(security: Option<&Value>) -> Vec<String> {
    let Some(list) = security.and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(Value::as_object)
        .flat_map(|o| o.keys().cloned())
        .collect()
}

/// What get-method / get-resources say a caller needs.
fn cli_auth(m: &serde_json::Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(kind) = m.get("authorizationType").and_then(Value::as_str)
        && !kind.eq_ignore_ascii_case("NONE")
    {
        out.push(match m.get("authorizerId").and_then(Value::as_str) {
            Some(id) => format!("{kind} authorizer {id}"),
            None => kind.to_string(),
        });
    }
    if m.get("apiKeyRequired").and_then(Value::as_bool) == Some(true) {
        out.push("API key".to_string());
    }
    out
}

/// The method an OpenAPI operation key names (`x-amazon-apigateway-any-method` is ANY).
pub(crate) fn method_name(key: &str) -> String {
    if key == "x-amazon-apigateway-any-method" {
        "ANY".to_string()
    } else {
        key.to_ascii_uppercase()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct VpcLinkUser {
    /// The shape every VPC link user has (`LinkUser`): api_id, method, path, resource_id,
    /// stage, certainty; a definition knows no API id or stage, so those are null.
    #[serde(flatten)]
    pub user: LinkUser,
    /// As written in the definition.
    pub connection_id: String,
    /// False when the id is a stage variable or an unresolved reference.
    pub certain: bool,
    pub location: String,
}

impl VpcLinkUser {
    /// `[METHOD:/path]`, as API Gateway's VPC link error writes users.
    pub fn label(&self) -> String {
        format!(
            "[{}:{}]",
            self.user.method.as_deref().unwrap_or("?"),
            self.user.path.as_deref().unwrap_or("?")
        )
    }
}

/// Whether a VPC link id is the link, may be (a stage variable, an intrinsic such as
/// `{"Ref": ...}`, a placeholder: the definition cannot say), or is not.
fn link_use(connection_id: &str, id: &str) -> Option<bool> {
    if connection_id == id {
        Some(true)
    } else if is_unresolved(connection_id) {
        Some(false)
    } else {
        None
    }
}

/// Whether a connection id names link `id` on a stage with these variables: the id itself,
/// or `${stageVariables.NAME}` where NAME is `id`. `None` when a variable the stage does not
/// define (or an unresolvable reference) leaves it open.
pub fn link_on_stage(
    connection_id: &str,
    id: &str,
    variables: &[(String, String)],
) -> Option<bool> {
    if connection_id == id {
        return Some(true);
    }
    if let Some(name) = connection_id
        .strip_prefix("${stageVariables.")
        .and_then(|rest| rest.strip_suffix('}'))
    {
        return variables
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v == id);
    }
    if is_unresolved(connection_id) {
        None
    } else {
        Some(false)
    }
}

/// The VPC link a method's integration names, if it goes through one.
pub fn vpc_link_of(m: &Method) -> Option<&str> {
    let i = m.integration.as_ref()?;
    i.connection_id.as_deref().filter(|_| uses_vpc_link(i))
}

fn uses_vpc_link(i: &Integration) -> bool {
    i.connection_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("VPC_LINK"))
}

/// The methods using VPC link `id`, with a finding for each.
pub fn vpc_link_users(
    methods: &[Method],
    id: &str,
    deployed: Option<bool>,
) -> (Vec<VpcLinkUser>, Vec<Finding>) {
    let mut users = Vec::new();
    let mut findings = Vec::new();
    let redeploy = match deployed {
        Some(true) => "; the API is deployed: redeploy it to the same stage after switching",
        Some(false) => "; the API is not deployed: no redeployment needed",
        None => "; if the API is deployed, redeploy it to the same stage after switching",
    };
    for m in methods {
        let Some(i) = &m.integration else { continue };
        let Some(conn) = i.connection_id.as_deref().filter(|_| uses_vpc_link(i)) else {
            continue;
        };
        let Some(certain) = link_use(conn, id) else {
            continue;
        };
        let finding = if certain {
            Finding::error(
                VPC_LINK_IN_USE,
                format!(
                    "{} uses VPC link {id}: switch its integration to another type{redeploy}",
                    m.label()
                ),
            )
        } else if conn.contains("${stageVariables.") {
            Finding::warning(
                VPC_LINK_MAY_BE_IN_USE,
                format!(
                    "{} takes its VPC link from {conn}: it uses {id} on every stage where that variable is {id}",
                    m.label()
                ),
            )
        } else {
            Finding::warning(
                VPC_LINK_UNRESOLVED_REFERENCE,
                format!(
                    "{} takes its VPC link from {conn}, a reference this document does not resolve: it may be {id}; see what the reference names (a VpcLink resource, a parameter, an export) or check the deployed API (aws apigateway get-integration)",
                    m.label()
                ),
            )
        };
        findings.push(
            finding
                .with("method", m.label())
                .with("connection_id", conn)
                .with("location", i.location.as_str()),
        );
        users.push(VpcLinkUser {
            user: LinkUser {
                api_id: None,
                method: Some(m.method.clone()),
                path: Some(m.path.clone()),
                resource_id: m.resource_id.clone(),
                stage: None,
                certainty: if certain { "definite" } else { "may" },
            },
            connection_id: conn.to_string(),
            certain,
            location: i.location.clone(),
        });
    }
    (users, findings)
}

/// One user of a VPC link, in the one shape every source gives (the error text, a
/// definition, live mode): unknown fields are null.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkUser {
    pub api_id: Option<String>,
    pub method: Option<String>,
    pub path: Option<String>,
    pub resource_id: Option<String>,
    pub stage: Option<String>,
    /// "definite" (by id) or "may" (a variable or unresolved reference).
    pub certainty: &'static str,
}

/// What API Gateway's "Cannot delete vpc link" error says.
#[derive(Debug, Clone, Serialize)]
pub struct LinkError {
    pub link_id: Option<String>,
    /// The field order from `in format of [...]`.
    pub format: Vec<String>,
    pub users: Vec<LinkUser>,
}

/// Reads `BadRequestException: Cannot delete vpc link. Vpc link 'ID', is referenced in
/// [A:B:C, ...] in format of [RESTApiId:Method:Resource:Stage].` (any prefix, any of the
/// formats API Gateway writes: `[Method:Resource]`, `[Method:Resource:Stage]`, ...).
pub fn parse_link_error(text: &str) -> Result<LinkError, String> {
    let text = text.replace(['\n', '\r'], " ");
    let bracket = |after: &str| -> Option<String> {
        let start = text.find(after)? + after.len();
        let rest = &text[start..];
        let open = rest.find('[')?;
        let close = rest[open..].find(']')? + open;
        Some(rest[open + 1..close].to_string())
    };
    let format = bracket("in format of").ok_or(
        "no `in format of [...]` in the text: paste the whole error message API Gateway returned",
    )?;
    let refs = bracket("referenced in")
        .ok_or("no `is referenced in [...]` in the text: paste the whole error message")?;
    let format: Vec<String> = format.split(':').map(|f| f.trim().to_string()).collect();
    let link_id = text
        .find("link '")
        .map(|i| &text[i + 6..])
        .and_then(|r| r.split('\'').next())
        .map(str::to_string);
    let mut users = Vec::new();
    for r in refs.split(',').map(str::trim).filter(|r| !r.is_empty()) {
        let parts: Vec<&str> = r.split(':').map(str::trim).collect();
        if parts.len() != format.len() {
            return Err(format!(
                "the reference {r:?} has {} fields, but the format [{}] has {}",
                parts.len(),
                format.join(":"),
                format.len()
            ));
        }
        let mut user = LinkUser {
            api_id: None,
            method: None,
            path: None,
            resource_id: None,
            stage: None,
            certainty: "definite",
        };
        for (field, value) in format.iter().zip(parts) {
            let value = Some(value.to_string());
            match field.to_ascii_lowercase().as_str() {
                "restapiid" | "apiid" | "api" | "restapi" => user.api_id = value,
                "method" | "httpmethod" => user.method = value,
                "resource" | "resourceid" | "route" | "routeid" => user.resource_id = value,
                "stage" | "stagename" => user.stage = value,
                _ => {}
            }
        }
        users.push(user);
    }
    Ok(LinkError {
        link_id,
        format,
        users,
    })
}

/// Resource ids to paths, from `get-resources` output (`items[].id`, `items[].path`).
pub fn resource_paths(doc: &Value) -> Option<std::collections::HashMap<String, String>> {
    let items = doc.get("items")?.as_array()?;
    Some(
        items
            .iter()
            .filter_map(|i| {
                Some((
                    i.get("id")?.as_str()?.to_string(),
                    i.get("path")?.as_str()?.to_string(),
                ))
            })
            .collect(),
    )
}

/// One error finding per reference: where the link is held, and the fix that frees it.
pub fn link_error_findings(e: &LinkError) -> Vec<Finding> {
    let link = e.link_id.as_deref().unwrap_or("the link");
    e.users
        .iter()
        .map(|u| {
            let method = u.method.as_deref().unwrap_or("?");
            let place = match (&u.path, &u.resource_id) {
                (Some(p), Some(r)) => format!("{p} (resource {r})"),
                (None, Some(r)) => format!("resource {r}"),
                (Some(p), None) => p.clone(),
                (None, None) => "?".to_string(),
            };
            let api = u.api_id.as_deref().unwrap_or("API_ID");
            let rid = u.resource_id.as_deref().unwrap_or("RESOURCE_ID");
            let update = format!("aws apigateway update-integration --rest-api-id {api} --resource-id {rid} --http-method {method} --patch-operations op=replace,path=/connectionType,value=INTERNET op=replace,path=/uri,value=https://NEW-BACKEND");
            let msg = match &u.stage {
                Some(stage) => format!(
                    "[{method}:{place}] holds {link} in stage {stage}'s deployment{}: change the integration ({update}), then redeploy that stage (aws apigateway create-deployment --rest-api-id {api} --stage-name {stage}), or delete the stage",
                    u.api_id.as_deref().map(|a| format!(" of API {a}")).unwrap_or_default()
                ),
                None => format!(
                    "[{method}:{place}] uses {link}: change the integration ({update}); if the API is deployed, redeploy every stage afterwards"
                ),
            };
            Finding::error(VPC_LINK_IN_USE, msg)
                .with("method", method)
                .with("resource_id", u.resource_id.clone())
                .with("path", u.path.clone())
                .with("stage", u.stage.clone())
                .with("api_id", u.api_id.clone())
        })
        .collect()
}

/// A VPC link the definition uses, with the methods that use it.
#[derive(Debug, Clone, Serialize)]
pub struct LinkUse {
    pub id: String,
    pub used_by: Vec<String>,
    /// False when the id is an intrinsic, variable or placeholder, not a literal link id.
    pub resolved: bool,
}

/// Every VPC link the definition uses, with the methods that use it.
pub fn vpc_links(methods: &[Method]) -> Vec<LinkUse> {
    let mut links = LinkUses::default();
    links.add(methods);
    links.finish()
}

/// The VPC links of a definition gathered part by part, in the order first used.
#[derive(Default)]
pub struct LinkUses(indexmap::IndexMap<String, Vec<String>>);

impl LinkUses {
    pub fn add(&mut self, methods: &[Method]) {
        for m in methods {
            if let Some(conn) = vpc_link_of(m) {
                self.0.entry(conn.to_string()).or_default().push(m.label());
            }
        }
    }

    pub fn finish(self) -> Vec<LinkUse> {
        self.0
            .into_iter()
            .map(|(id, used_by)| LinkUse {
                resolved: !is_unresolved(&id),
                id,
                used_by,
            })
            .collect()
    }
}

/// A version written as a string (`"2.0"`) or as a YAML/JSON number (`2.0`, `2`), as text.
pub fn version_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(match n.as_f64() {
            Some(f) if f.fract() == 0.0 => format!("{f:.1}"),
            _ => n.to_string(),
        }),
        _ => None,
    }
}

/// Whether an export is an HTTP API's (API Gateway v2).
pub fn is_http_api(doc: &Value) -> bool {
    api_kind(doc).0
}

/// Whether an export is an HTTP API's, and the evidence that decided. What only HTTP APIs
/// have (`x-amazon-apigateway-importexport-version`, which get-export writes for them,
/// `x-amazon-apigateway-cors`, `integrationSubtype`) decides first; then what only REST
/// APIs have (integration `responses` mapping `method.response.header.*`, request or
/// response templates, non-proxy integration types, request validators, gateway
/// responses); a `payloadFormatVersion` alone (REST APIs ignore it) says HTTP.
pub fn api_kind(doc: &Value) -> (bool, Vec<String>) {
    let mut kind = ApiKind::default();
    kind.integrations(doc);
    kind.decide(doc)
}

/// The evidence of `api_kind` gathered over the parts of a definition (its integrations
/// part by part), decided with its top-level members.
#[derive(Default)]
pub struct ApiKind {
    subtype: bool,
    rest_only: Vec<String>,
    payload_format: bool,
}

impl ApiKind {
    /// The evidence in the integrations of `doc`'s paths.
    pub fn integrations(&mut self, doc: &Value) {
        for (_, i) in integrations(doc) {
            self.subtype |= i.get("integrationSubtype").is_some();
            self.payload_format |= i.get("payloadFormatVersion").is_some();
            let kind = i
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_ascii_lowercase();
            if matches!(kind.as_str(), "aws" | "http" | "mock") {
                self.note("non-proxy integrations (aws, http, mock)");
            }
            if i.get("requestTemplates").is_some() {
                self.note("request templates");
            }
            if i.get("responses")
                .and_then(Value::as_object)
                .is_some_and(|r| {
                    r.values().any(|r| {
                        r.get("responseTemplates").is_some()
                            || r.get("responseParameters")
                                .and_then(Value::as_object)
                                .is_some_and(|p| {
                                    p.keys().any(|k| k.starts_with("method.response.header."))
                                })
                    })
                })
            {
                self.note("integration responses mapping method.response.header.* or templates");
            }
        }
    }

    fn note(&mut self, what: &str) {
        if !self.rest_only.iter().any(|r| r == what) {
            self.rest_only.push(what.to_string());
        }
    }

    /// HTTP or REST, with the evidence that decided, given the definition's top-level
    /// members (`doc`; its paths are not read again).
    pub fn decide(&self, doc: &Value) -> (bool, Vec<String>) {
        let present = |keys: [&str; 2]| -> Vec<String> {
            keys.into_iter()
                .filter(|key| doc.get(key).is_some())
                .map(str::to_string)
                .collect()
        };
        let mut http_only = present([
            "x-amazon-apigateway-importexport-version",
            "x-amazon-apigateway-cors",
        ]);
        if self.subtype {
            http_only.push("integrationSubtype".to_string());
        }
        if !http_only.is_empty() {
            return (true, http_only);
        }
        let mut rest_only = present([
            "x-amazon-apigateway-request-validators",
            "x-amazon-apigateway-gateway-responses",
        ]);
        rest_only.extend(self.rest_only.iter().cloned());
        if !rest_only.is_empty() {
            return (false, rest_only);
        }
        if self.payload_format {
            return (true, vec!["payloadFormatVersion".to_string()]);
        }
        (false, Vec::new())
    }
}

/// Every `x-amazon-apigateway-integration` of an export, with its JSON path.
fn integrations(doc: &Value) -> impl Iterator<Item = (String, &Value)> {
    doc.get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.iter())
        .filter_map(|(path, item)| item.as_object().map(|o| (path, o)))
        .flat_map(|(path, item)| {
            item.iter().filter_map(move |(key, op)| {
                let i = op.get("x-amazon-apigateway-integration")?;
                Some((
                    format!("$.paths['{path}'].{key}.x-amazon-apigateway-integration"),
                    i,
                ))
            })
        })
}

/// Response headers an HTTP API's response parameter mapping cannot set or remove.
pub fn reserved_response_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("access-control-")
        || n.starts_with("apigw-")
        || n.starts_with("x-amz-")
        || n.starts_with("x-amzn-")
        || matches!(
            n.as_str(),
            "authorization"
                | "connection"
                | "content-encoding"
                | "content-length"
                | "content-location"
                | "forwarded"
                | "keep-alive"
                | "origin"
                | "proxy-authenticate"
                | "proxy-authorization"
                | "te"
                | "trailers"
                | "transfer-encoding"
                | "upgrade"
                | "x-forwarded-for"
                | "x-forwarded-host"
                | "x-forwarded-proto"
                | "via"
        )
}

/// The HTTP API checks: Lambda payload format versions, response parameter mappings
/// (status code keys, `overwrite:statuscode`, `append|overwrite|remove:header.NAME`,
/// reserved headers), and resource policies, which HTTP APIs do not have.
pub fn lint_http_api(doc: &Value) -> Vec<Finding> {
    let mut f: Vec<Finding> = http_api_policy(doc).into_iter().collect();
    f.extend(http_api_integrations(doc));
    f
}

/// A resource policy in an HTTP API's definition (top-level member).
pub fn http_api_policy(doc: &Value) -> Option<Finding> {
    doc.get("x-amazon-apigateway-policy").map(|_| {
        Finding::warning(HTTP_API_POLICY, "x-amazon-apigateway-policy in an HTTP API definition: HTTP APIs have no resource policies, so it has no effect (use IAM authorization, or a role the caller assumes)")
            .with("location", "$.x-amazon-apigateway-policy")
    })
}

/// The HTTP API checks of the integrations in `doc`'s paths.
/// The request parameters each HTTP API AWS service integration (`integrationSubtype`, version
/// 1.0) requires [AWS: "Integration subtype reference" of HTTP APIs].
const SUBTYPE_REQUIRED: &[(&str, &[&str])] = &[
    ("EventBridge-PutEvents", &["Detail", "DetailType", "Source"]),
    ("SQS-SendMessage", &["QueueUrl", "MessageBody"]),
    ("SQS-ReceiveMessage", &["QueueUrl"]),
    ("SQS-DeleteMessage", &["ReceiptHandle", "QueueUrl"]),
    ("SQS-PurgeQueue", &["QueueUrl"]),
    (
        "AppConfig-GetConfiguration",
        &["Application", "Environment", "Configuration", "ClientId"],
    ),
    ("Kinesis-PutRecord", &["StreamName", "Data", "PartitionKey"]),
    ("StepFunctions-StartExecution", &["StateMachineArn"]),
    ("StepFunctions-StartSyncExecution", &["StateMachineArn"]),
    ("StepFunctions-StopExecution", &["ExecutionArn"]),
];

/// An AWS service integration whose request parameters lack one its subtype requires: the
/// service's action cannot be called as written. Parameters written with an intrinsic as a
/// whole are not judged.
fn service_parameters_missing(i: &Value) -> Option<Finding> {
    let subtype = i.get("integrationSubtype").and_then(Value::as_str)?;
    let (_, required) = SUBTYPE_REQUIRED
        .iter()
        .find(|(s, _)| s.eq_ignore_ascii_case(subtype))?;
    let given = i.get("requestParameters");
    if given.is_some_and(|p| !p.is_object()) {
        return None;
    }
    let given = given.and_then(Value::as_object);
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|r| given.is_none_or(|g| !g.contains_key(*r)))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let action = subtype.split_once('-').map_or(subtype, |(_, a)| a);
    Some(
        Finding::error(
            HTTP_SERVICE_PARAMETERS,
            format!(
                "a {subtype} integration without {} in its request parameters: {action} requires {}, so API Gateway cannot call it as written",
                missing.join(", "),
                required.join(", ")
            ),
        )
        .with("subtype", subtype)
        .with("missing", missing.join(",")),
    )
}

pub fn http_api_integrations(doc: &Value) -> Vec<Finding> {
    let mut f = Vec::new();
    for (location, i) in integrations(doc) {
        let kind = i
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_lowercase();
        // A URI written with an intrinsic (`Fn::Sub`) still names Lambda in its text.
        let uri = i.get("uri").map(Value::to_string).unwrap_or_default();
        if kind == "aws_proxy" && uri.contains("lambda") {
            match i.get("payloadFormatVersion").and_then(version_text).as_deref() {
                Some("1.0" | "2.0") => {}
                Some(other) => f.push(
                    Finding::error(HTTP_PAYLOAD_VERSION, format!("payloadFormatVersion {other:?}: HTTP APIs know 1.0 and 2.0"))
                        .with("location", location.as_str()),
                ),
                None => f.push(
                    Finding::info(HTTP_PAYLOAD_VERSION, "a Lambda integration without payloadFormatVersion: say 1.0 or 2.0, so the function's response is read in the format it is written in (check one with apigw-doctor lambda --api http --payload-version)")
                        .with("location", location.as_str()),
                ),
            }
        }
        if let Some(finding) = service_parameters_missing(i) {
            f.push(finding.with("location", location.as_str()));
        }
        let Some(mappings) = i.get("responseParameters").and_then(Value::as_object) else {
            continue;
        };
        for (status, actions) in mappings {
            let at = format!("{location}.responseParameters['{status}']");
            let valid_status = status.len() == 3
                && status
                    .parse::<u16>()
                    .is_ok_and(|s| (200..=599).contains(&s));
            if !valid_status {
                f.push(
                    Finding::error(HTTP_RESPONSE_MAPPING, format!("response mapping key {status:?}: mappings are keyed by the backend's status code, 200 to 599"))
                        .with("location", at.as_str()),
                );
                continue;
            }
            let Some(actions) = actions.as_object() else {
                continue;
            };
            for (action, value) in actions {
                let (verb, target) = action.split_once(':').unwrap_or((action.as_str(), ""));
                let problem = match (verb, target) {
                    ("overwrite", "statuscode") => value
                        .as_str()
                        .filter(|v| {
                            !v.parse::<u16>().is_ok_and(|s| (100..=599).contains(&s))
                                && !v.contains('$')
                        })
                        .map(|v| format!("overwrite:statuscode {v:?} is not a status code")),
                    ("append" | "overwrite" | "remove", t) if t.starts_with("header.") => {
                        let name = &t["header.".len()..];
                        reserved_response_header(name).then(|| format!("{action}: {name} is a reserved header that response mapping cannot change"))
                    }
                    _ => Some(format!(
                        "{action:?} is not a response mapping (overwrite:statuscode, or append|overwrite|remove:header.NAME)"
                    )),
                };
                if let Some(problem) = problem {
                    f.push(
                        Finding::error(HTTP_RESPONSE_MAPPING, problem)
                            .with("location", at.as_str())
                            .with("mapping", action.as_str()),
                    );
                }
            }
        }
    }
    f
}

/// A document with no integration to check says so, with the command that gets one: an
/// export without API Gateway extensions, `get-resources` without `--embed methods`.
pub fn missing_integrations(doc: &Value, methods: usize, integrations: usize) -> Option<Finding> {
    // No methods, no integrations to miss (an API without methods is its own finding).
    if integrations > 0 || methods == 0 {
        return None;
    }
    let (what, how) = if doc.get("paths").is_some() || doc.get("Resources").is_some() {
        (
            "this export has no x-amazon-apigateway-integration: it was exported without API Gateway extensions",
            "aws apigateway get-export --rest-api-id ID --stage-name STAGE --export-type oas30 --parameters extensions='integrations' export.json (HTTP APIs: aws apigatewayv2 export-api --api-id ID --output-type JSON --specification OAS30 --include-extensions export.json)",
        )
    } else {
        (
            "this get-resources output has no methodIntegration: it was fetched without --embed methods",
            "aws apigateway get-resources --rest-api-id ID --embed methods > resources.json",
        )
    };
    Some(
        Finding::error(
            NO_INTEGRATIONS,
            format!(
                "{what}, so nothing was checked ({methods} methods, 0 integrations); get it with: {how}"
            ),
        )
        .with("methods", methods)
        .with("command", how),
    )
}

/// Methods of a live API (read with `--embed methods`, or an HTTP API's routes, so a missing
/// integration is real) that have no integration, each as (label, location). A REST API
/// refuses to deploy until each has one ("No integration defined for method"); an HTTP API
/// saves a route without one, and what a call to it answers is not documented.
pub fn methods_without_integration(methods: &[(String, String)], http: bool) -> Vec<Finding> {
    methods
        .iter()
        .map(|(label, location)| {
            let message = if http {
                format!("{label} has no integration: an HTTP API keeps such a route, but a call to it reaches no backend (what API Gateway answers is not documented): attach one, or delete the route")
            } else {
                format!("{label} has no integration: API Gateway refuses to deploy the API until it has one (\"No integration defined for method\")")
            };
            Finding::warning(METHOD_WITHOUT_INTEGRATION, message)
                .with("method", label.as_str())
                .with("location", location.as_str())
        })
        .collect()
}

/// The lint of every method.
pub fn lint(methods: &[Method]) -> Vec<Finding> {
    lint_with(methods, &mut selection::Patterns::default())
}

/// The lint of every method, with the status patterns compiled so far (one set for every
/// part of a definition).
pub fn lint_with(methods: &[Method], patterns: &mut selection::Patterns) -> Vec<Finding> {
    let mut findings = Vec::new();
    for m in methods {
        if m.method == "OPTIONS" && !m.auth.is_empty() {
            findings.push(
                Finding::warning(
                    CORS_PREFLIGHT_NEEDS_AUTH,
                    format!("{}: the OPTIONS method requires {}, but browsers send CORS preflights without credentials or API keys, so every preflight fails (401/403) and the browser reports a CORS error", m.label(), m.auth.join(" and ")),
                )
                .with("method", m.label())
                .with("requires", json!(m.auth))
                .with("location", m.location.as_str()),
            );
        }
        let Some(i) = &m.integration else { continue };
        let label = m.label();
        // Every finding points somewhere in the file (SARIF regions): the integration when
        // the check named nothing more precise (selection.no-default, ...).
        let mut push = |f: Finding| {
            let located = f.evidence.contains_key("location") || f.evidence.contains_key("origin");
            let f = f.with("method", label.as_str());
            findings.push(if located {
                f
            } else {
                f.with("location", i.location.as_str())
            });
        };
        if i.kind == Some(IntegrationKind::Proxy) {
            // get-export writes a bare `default: statusCode 200` on every proxy method:
            // that is no setting of the user's, and it is ignored either way.
            let bare_default = i.responses.len() == 1
                && i.responses[0].pattern.is_none()
                && i.responses[0].status == "200"
                && i.responses[0].parameters.is_empty()
                && i.responses[0].templates.is_empty();
            let headers: Vec<&str> = i
                .responses
                .iter()
                .flat_map(|r| &r.parameters)
                .filter_map(|(k, _)| k.strip_prefix("method.response.header."))
                .collect();
            if !headers.is_empty() {
                let cors = headers
                    .iter()
                    .any(|h| h.to_ascii_lowercase().starts_with("access-control-"));
                push(
                    Finding::warning(
                        TEMPLATE_ON_PROXY,
                        format!(
                            "{label} is a {} proxy integration: API Gateway ignores its integration responses, so the headers they map ({}) never reach the client; the backend must return them itself{}",
                            i.type_name.as_deref().unwrap_or(""),
                            headers.join(", "),
                            if cors { " (for CORS: in every response of the function, errors included)" } else { "" }
                        ),
                    )
                    .with("headers", json!(headers))
                    .with("location", i.location.as_str()),
                );
            } else if (!i.responses.is_empty() && !bare_default) || !i.response_templates.is_empty()
            {
                push(
                    Finding::warning(
                        TEMPLATE_ON_PROXY,
                        format!("{label} is a {} proxy integration: its integration responses and templates are ignored", i.type_name.as_deref().unwrap_or("")),
                    )
                    .with("location", i.location.as_str()),
                );
            }
        } else {
            for f in templates(i, &label) {
                push(f);
            }
            for f in selection::analyze(i, patterns) {
                push(f);
            }
            if let Some(methods) = &i.method_responses {
                for r in &i.responses {
                    if !methods.contains(&r.status) {
                        push(
                            Finding::error(METHOD_RESPONSE_MISSING, format!("{label}: an integration response maps to {}, which has no method response{}: whenever it is selected, API Gateway answers 500 (\"Output mapping refers to an invalid method response\"); declare a {} method response", r.status, if methods.is_empty() { " (the method declares no method responses at all: an OpenAPI operation without `responses`, a CloudFormation Method without MethodResponses)" } else { "" }, r.status))
                                .with("status", r.status.as_str())
                                .with("location", r.origin.as_str())
                                .with("method_responses", json!(methods)),
                        );
                    }
                }
                for (location, template) in &i.response_templates {
                    for status in override_statuses(template) {
                        if !methods.contains(&status) {
                            push(
                                Finding::info(
                                    OVERRIDE_STATUS_UNDECLARED,
                                    format!("{label}: a template sets $context.responseOverride.status to {status}, which has no method response; the override works without one (recorded on AWS), but declare it to document the API"),
                                )
                                .with("status", status)
                                .with("location", location.as_str()),
                            );
                        }
                    }
                }
            }
            for f in errors_as_2xx(i, &label) {
                push(f);
            }
        }
        if let Some(uri) = i.uri.as_deref()
            && let Some(typo) = stage_variable_typo(uri)
        {
            push(
                Finding::error(STAGE_VARIABLE_TYPO, format!("{label}: the integration URI has {typo:?}, which API Gateway leaves as literal text in the backend host or path: write ${{stageVariables.NAME}}"))
                    .with("uri", uri)
                    .with("location", i.location.as_str()),
            );
        }
        if let Some((why, answer)) = aws_integration_uri_refused(i) {
            push(
                Finding::error(AWS_INTEGRATION_URI, format!("{label}: {why}; API Gateway refuses it when the integration is saved or imported (BadRequestException {answer}), so the deployment or stack update fails"))
                    .with("uri", i.uri.clone())
                    .with("location", i.location.as_str()),
            );
        }
        if let Some(why) = credentials_refused(i) {
            push(
                Finding::error(INTEGRATION_CREDENTIALS, format!("{label}: {why}"))
                    .with("credentials", i.credentials.clone())
                    .with("uri", i.uri.clone())
                    .with("location", i.location.as_str()),
            );
        }
        if let Some(method) = lambda_called_without_post(i) {
            push(
                Finding::error(LAMBDA_INTEGRATION_NOT_POST, format!("{label} calls its Lambda function with integration method {method}, but Lambda is invoked with POST only: every request fails with 500 {{\"message\": \"Internal server error\"}}, and the execution log shows \"Lambda invocation failed with status: 403\" and AccessDeniedException \"Unable to determine service/operation name to be authorized\"; set the integration's httpMethod to POST (the method clients call does not change)"))
                    .with("integration_http_method", method)
                    .with("uri", i.uri.clone())
                    .with("location", i.location.as_str()),
            );
        }
        let http = i
            .type_name
            .as_deref()
            .is_some_and(|t| t.to_ascii_uppercase().starts_with("HTTP"));
        if http
            && !uses_vpc_link(i)
            && i.uri
                .as_deref()
                .is_some_and(|u| u.to_ascii_lowercase().starts_with("http://"))
        {
            push(
                Finding::warning(PLAIN_HTTP_INTEGRATION, format!("{label} calls its backend over plain http: requests and responses cross the internet unencrypted"))
                    .with("uri", i.uri.clone())
                    .with("location", i.location.as_str()),
            );
        }
    }
    findings
}

/// A stage of a template (or Terraform configuration) that turns logging on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggingStage {
    /// The resource: a logical id or a Terraform address.
    pub resource: String,
    /// What turns logging on, as written (`LoggingLevel: INFO`, `access_log_settings`).
    pub setting: String,
    /// JSON path of the resource.
    pub location: String,
}

/// The stages a logging finding names; the rest are counted.
const LOGGING_STAGES_NAMED: usize = 20;

/// Stages that turn execution or access logging on in a document that sets no CloudWatch Logs
/// role for the account (`AWS::ApiGateway::Account`, Terraform's `aws_api_gateway_account`).
/// API Gateway refuses logging until the account's settings in the Region name a role
/// (documented: "Set up CloudWatch logging for REST APIs"); whether this account already has
/// one is not in the document, so the finding says what to check. The role is the account's,
/// one fix for every stage: one finding, at the first stage, naming the others.
pub fn logging_without_account_role(stages: &[LoggingStage], has_account: bool) -> Option<Finding> {
    let first = stages.first().filter(|_| !has_account)?;
    let others = match stages.len() - 1 {
        0 => String::new(),
        1 => " (and 1 more stage)".to_string(),
        n => format!(" (and {n} more stages)"),
    };
    let named: Vec<&str> = stages
        .iter()
        .take(LOGGING_STAGES_NAMED)
        .map(|s| s.resource.as_str())
        .collect();
    Some(
        Finding::warning(
            LOGGING_WITHOUT_ACCOUNT_ROLE,
            format!("{}{others} turns logging on ({}), and this document sets no CloudWatch Logs role for the account: unless the account's API Gateway settings in this Region already name one (aws apigateway get-account shows cloudwatchRoleArn), the deployment fails with \"CloudWatch Logs role ARN must be set in account settings to enable logging\"", first.resource, first.setting),
        )
        .with("resource", first.resource.as_str())
        .with("setting", first.setting.as_str())
        .with("stages", json!(named))
        .with("count", stages.len())
        .with("check", "aws apigateway get-account --query cloudwatchRoleArn")
        .with("location", first.location.as_str()),
    )
}

/// A template's or Terraform document's stages that turn logging on without the account's
/// CloudWatch Logs role, and HTTP API stages given execution logging, which API Gateway
/// refuses.
pub fn logging_findings(doc: &Value) -> Vec<Finding> {
    let (stages, account) = if crate::sources::terraform::is_terraform(doc) {
        crate::sources::terraform::logging_stages(doc)
    } else {
        crate::sources::cloudformation::logging_stages(doc)
    };
    let mut out: Vec<Finding> = logging_without_account_role(&stages, account)
        .into_iter()
        .collect();
    if !crate::sources::terraform::is_terraform(doc) {
        for s in crate::sources::cloudformation::http_execution_logging(doc) {
            out.push(
                Finding::error(
                    HTTP_EXECUTION_LOGGING,
                    format!("{} gives an HTTP API's routes execution logging ({}), which HTTP APIs do not have: API Gateway refuses the stage with BadRequestException \"Execution logs are not supported on protocolType HTTP\", so the deployment fails; remove LoggingLevel (an HTTP API logs access only, with AccessLogSettings)", s.resource, s.setting),
                )
                .with("resource", s.resource.as_str())
                .with("setting", s.setting.as_str())
                .with("location", s.location.as_str()),
            );
        }
    }
    out
}

/// The function a Lambda integration's URI invokes, as the document can name it.
#[derive(Debug, PartialEq, Eq)]
enum FunctionRef<'a> {
    /// A reference to a function of the document: a template's logical id
    /// (`.../functions/${FN.Arn}/invocations`, `...:function:${FN}/invocations`) or a Terraform
    /// address (`${aws_lambda_function.x.arn (known after apply)}`).
    Reference(&'a str),
    /// A function written out: its name, from its ARN.
    Name(&'a str),
}

/// The function a Lambda integration's or authorizer's URI invokes; None for one called
/// through an alias, a version or a stage variable, or a URI that is not a Lambda invocation.
/// An HTTP API's integration URI may be the function's ARN itself [AWS: "Create AWS Lambda
/// proxy integrations for HTTP APIs"]; a body's `{"Fn::Sub": ...}` is read as its text.
fn integrated_function(uri: &str, http: bool) -> Option<FunctionRef<'_>> {
    let uri = sub_text(uri).unwrap_or(uri);
    match uri.split_once("/functions/") {
        Some((_, rest)) => function_in(rest.strip_suffix("/invocations")?),
        None if http => function_in(uri),
        None => None,
    }
}

/// The text of an `{"Fn::Sub": TEXT}` or `{"Fn::Sub": [TEXT, {...}]}` written in a definition
/// (kept as its JSON text), or None.
fn sub_text(uri: &str) -> Option<&str> {
    let inner = uri
        .trim()
        .strip_prefix("{\"Fn::Sub\":")?
        .strip_suffix('}')?
        .trim();
    let inner = inner
        .strip_prefix('[')
        .map_or(inner, |list| list.trim_start());
    let text = inner.strip_prefix('"')?;
    let end = text.find('"')?;
    // A text with escapes (`\"`) is not a function's ARN: left unjudged.
    (!text[..end].contains('\\')).then(|| &text[..end])
}

/// An `{"Fn::Sub": [TEXT, {VAR: VALUE}]}` (kept as its JSON text) with each `${VAR}` of TEXT
/// written as the reference its value is (`{"Fn::GetAtt": [F, "Arn"]}` as `${F.Arn}`, `{"Ref":
/// X}` as `${X}`, text as itself), as `{"Fn::Sub": TEXT}`: SAM writes a Lambda authorizer's URI
/// so (`${__FunctionArn__}`). Anything else as it is.
fn sub_variables(uri: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    if !uri.trim_start().starts_with("{\"Fn::Sub\":[") {
        return Cow::Borrowed(uri);
    }
    let Ok(v) = serde_json::from_str::<Value>(uri) else {
        return Cow::Borrowed(uri);
    };
    let Some([Value::String(text), Value::Object(vars)]) = v
        .get("Fn::Sub")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    else {
        return Cow::Borrowed(uri);
    };
    let mut text = text.clone();
    for (name, value) in vars {
        let written = match value {
            Value::String(s) => Some(s.clone()),
            _ => value
                .get("Ref")
                .and_then(Value::as_str)
                .map(|r| format!("${{{r}}}"))
                .or_else(|| match value.get("Fn::GetAtt") {
                    Some(Value::Array(a)) => match a.as_slice() {
                        [Value::String(r), Value::String(att)] => Some(format!("${{{r}.{att}}}")),
                        _ => None,
                    },
                    Some(Value::String(a)) => Some(format!("${{{a}}}")),
                    _ => None,
                }),
        };
        if let Some(written) = written {
            text = text.replace(&format!("${{{name}}}"), &written);
        }
    }
    Cow::Owned(json!({ "Fn::Sub": text }).to_string())
}

/// The function a Lambda function's ARN (or a reference standing for it) names.
fn function_in(arn: &str) -> Option<FunctionRef<'_>> {
    let address = |r: &'_ str| {
        r.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
            .then_some(())
    };
    if let Some(r) = arn.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
        let r = r.strip_suffix(" (known after apply)").unwrap_or(r);
        let id = r.strip_suffix(".Arn").or_else(|| r.strip_suffix(".arn"))?;
        address(id)?;
        return Some(FunctionRef::Reference(id));
    }
    let (_, rest) = arn.rsplit_once(":function:")?;
    if let Some(id) = rest.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
        // A template's `Ref` of a function: a logical id (a stage variable is not one).
        return id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric())
            .then_some(FunctionRef::Reference(id));
    }
    (!rest.contains(':') && !is_unresolved(rest)).then_some(FunctionRef::Name(rest))
}

impl crate::sources::cloudformation::LambdaPermissions {
    /// The document's function a Lambda integration's or authorizer's URI invokes.
    fn invoked(&self, uri: &str, http: bool) -> Option<&String> {
        let uri = sub_variables(uri);
        match integrated_function(&uri, http)? {
            FunctionRef::Reference(id) => self.functions.get(id),
            FunctionRef::Name(name) => self.names.get(name),
        }
    }
}

/// A template's Lambda integrations API Gateway has no right to invoke: a function of the
/// template with no `AWS::Lambda::Permission` for apigateway.amazonaws.com and no SAM `Api` or
/// `HttpApi` event (for which SAM writes one), called without integration credentials. Each
/// call answers 500: a REST API's execution log says "Execution failed due to configuration
/// error: Invalid permissions on Lambda function", an HTTP API's `integrationErrorMessage`
/// "The IAM role configured on the integration or API Gateway doesn't have permissions to call
/// the integration" [AWS: "Lambda integrations"; Knowledge Center: HTTP API Lambda permission
/// errors; obs]. The permission may be made outside the template (another stack,
/// `aws lambda add-permission`): a warning that says so, one per function and kind of API. Not
/// judged when a permission's function is not a reference to one of the template's. And a
/// permission whose SourceArn names one of the template's APIs by its logical id written out,
/// where the API's generated id belongs, or writes a path parameter as `{name}`, where a call's
/// source ARN carries the value sent, matches no call: an error.
pub fn lambda_permission_findings(
    methods: &[Method],
    bodies: &[DefinitionBody<'_>],
    permissions: &crate::sources::cloudformation::LambdaPermissions,
) -> Vec<Finding> {
    let mut out = Vec::new();
    use crate::sources::cloudformation::SourceArnFault;
    for p in &permissions.faulty_source_arns {
        let (permission, arn) = (&p.permission, &p.arn);
        let message = match &p.fault {
            SourceArnFault::LogicalId(api) => format!(
                "{permission}'s SourceArn names the API {api} by its logical id ({arn}); a call's source ARN carries the API's generated id, so the permission matches no call and API Gateway answers 500 (\"Invalid permissions on Lambda function\"): write ${{{api}}} (!Sub) or !Ref {api} in its place"
            ),
            SourceArnFault::PlainApiId { api, key } => format!(
                "{permission} names the API as the text {api} ({arn}): the event gives {key}: {api} in plain text, and SAM writes that text into the permission's SourceArn as it stands, where a call's source ARN carries the API's generated id; the permission matches no call and API Gateway answers 500 (\"Invalid permissions on Lambda function\"): write {key}: !Ref {api}"
            ),
            SourceArnFault::LiteralParameter(segment) => format!(
                "{permission}'s SourceArn writes the path parameter {segment} as it stands in the resource path ({arn}); a call's source ARN carries the path as the client sent it, so the permission matches no call to that path and API Gateway answers 500 (\"Invalid permissions on Lambda function\"): write * in its place"
            ),
        };
        out.push(
            Finding::error(LAMBDA_PERMISSION_SOURCE_ARN, message)
                .with("permission", permission.as_str())
                .with("source_arn", arn.as_str())
                .with("function", p.function.clone())
                .with("location", p.location.as_str()),
        );
    }
    if permissions.unattributed {
        return out;
    }
    let http_bases = http_bases(bodies);
    let mut unpermitted: std::collections::BTreeMap<(bool, &str), Vec<&Method>> =
        Default::default();
    for m in methods {
        let Some(i) = uncredentialed_aws_integration(m) else {
            continue;
        };
        let http = http_bases.contains(body_base(m));
        let function = i.uri.as_deref().and_then(|u| permissions.invoked(u, http));
        if let Some(function) = function
            && !permissions.permitted.contains(function)
        {
            unpermitted
                .entry((http, function.as_str()))
                .or_default()
                .push(m);
        }
    }
    for ((http, function), methods) in unpermitted {
        let (who, labels) = methods_named(&methods);
        let answer = format!(
            "every call {}",
            if http {
                HTTP_INTEGRATION_REFUSED
            } else {
                REST_INTEGRATION_REFUSED
            }
        );
        out.push(with_permission_evidence(
            Finding::warning(
                LAMBDA_PERMISSION_MISSING,
                format!("{who} invoke{} the Lambda function {function}, and this document gives API Gateway no permission to: no permission for apigateway.amazonaws.com in it (AWS::Lambda::Permission, aws_lambda_permission) names the function, and the integration has no credentials. Unless a permission is made outside it (another stack or configuration, aws lambda add-permission), {answer}", if methods.len() == 1 { "s" } else { "" }),
            )
            .with("function", function),
            http,
            labels,
            &methods,
        ));
    }
    out
}

/// A method's AWS or AWS_PROXY integration without credentials: API Gateway invokes a Lambda
/// function through it with the function's resource-based policy, not a role.
fn uncredentialed_aws_integration(m: &Method) -> Option<&Integration> {
    let i = m.integration.as_ref()?;
    let kind = i
        .type_name
        .as_deref()
        .unwrap_or_default()
        .to_ascii_uppercase();
    ((kind == "AWS" || kind == "AWS_PROXY") && !i.has_credentials()).then_some(i)
}

/// The JSON path of the definition a template's method belongs to (its location before
/// `.paths[`).
fn body_base(m: &Method) -> &str {
    m.location
        .split_once(".paths[")
        .map_or(m.location.as_str(), |(base, _)| base)
}

/// The JSON paths of a template's HTTP APIs' definitions.
fn http_bases<'b>(bodies: &'b [DefinitionBody<'_>]) -> std::collections::HashSet<&'b str> {
    bodies
        .iter()
        .filter(|b| b.http)
        .map(|b| b.base.as_str())
        .collect()
}

/// A permission finding's common evidence: the kind of API, the methods it names and counts,
/// that it is not certain, how to check, and where the first method is.
fn with_permission_evidence(
    finding: Finding,
    http: bool,
    labels: Vec<String>,
    methods: &[&Method],
) -> Finding {
    let function = finding
        .evidence
        .get("function")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    finding
        .with("api", if http { "http" } else { "rest" })
        .with("methods", json!(labels))
        .with("count", methods.len())
        .with("certain", false)
        .with(
            "check",
            format!("aws lambda get-policy --function-name NAME (the deployed name of {function})"),
        )
        .with(
            "location",
            methods.first().map_or("$", |m| m.location.as_str()),
        )
}

/// "[GET:/a]" for one method, "3 methods ([GET:/a], ...)" for more (20 named at most), and
/// the labels named.
fn methods_named(methods: &[&Method]) -> (String, Vec<String>) {
    let labels: Vec<String> = methods.iter().take(20).map(|m| m.label()).collect();
    let who = if methods.len() == 1 {
        labels[0].clone()
    } else {
        format!("{} methods ({})", methods.len(), labels.join(", "))
    };
    (who, labels)
}

/// What a call to a method answers when API Gateway may not invoke its Lambda authorizer: a
/// REST API's [Knowledge Center; obs: serverless#1784, chalice#670] and an HTTP API's
/// [Knowledge Center "api-gateway-http-lambda-integrations"].
/// What a call answers when API Gateway may not invoke the function of its Lambda integration:
/// a REST API's execution log [Knowledge Center "api-gateway-internal-server-error"], an HTTP
/// API's `integrationErrorMessage` [Knowledge Center "api-gateway-http-lambda-integrations"].
const WEBSOCKET_INTEGRATION_REFUSED: &str = "fails (a $connect refuses the connection); the execution log's message for it is documented for REST APIs: \"Execution failed due to configuration error: Invalid permissions on Lambda function\"";
const REST_INTEGRATION_REFUSED: &str = "answers 500 and the execution log says \"Execution failed due to configuration error: Invalid permissions on Lambda function\"";
const HTTP_INTEGRATION_REFUSED: &str = "answers 500 {\"message\":\"Internal Server Error\"} and $context.integrationErrorMessage (in the stage's access log format) says \"The IAM role configured on the integration or API Gateway doesn't have permissions to call the integration. Check the permissions and try again.\"";
const WEBSOCKET_AUTHORIZER_REFUSED: &str = "is refused: the connection fails, and the execution log's messages for it are documented for REST APIs: \"Execution failed due to configuration error: Invalid permissions on Lambda function\", then \"Authorizer error\"";
const REST_AUTHORIZER_REFUSED: &str = "answers 500 (AuthorizerConfigurationException) and the execution log says \"Execution failed due to configuration error: Invalid permissions on Lambda function\", then \"Authorizer error\"";
const HTTP_AUTHORIZER_REFUSED: &str = "answers 500 {\"message\":\"Internal Server Error\"} and $context.authorizerError (in the stage's access log format) says \"The IAM role configured on the authorizer or API Gateway doesn't have permissions to call the authorizer. Check the permissions and try again.\"";

/// A template's Lambda authorizers API Gateway has no right to invoke: the authorizer's
/// function is one of the template's, no permission for apigateway.amazonaws.com names it, and
/// the authorizer has no credentials. Every call to a method it guards answers 500: a REST
/// API's execution log says "Execution failed due to configuration error: Invalid permissions
/// on Lambda function" and "Authorizer error" (AuthorizerConfigurationException), an HTTP API's
/// `authorizerError` "The IAM role configured on the authorizer or API Gateway doesn't have
/// permissions to call the authorizer" [Knowledge Center; obs: serverless#1784, chalice#670].
/// SAM writes the permission for an `AWS::Serverless::Api`'s Lambda authorizer unless
/// `DisableFunctionDefaultPermissions`, and for an `AWS::Serverless::HttpApi`'s only with
/// `EnableFunctionDefaultPermissions` [AWS: SAM's LambdaTokenAuthorizer, LambdaAuthorizer].
/// One warning per function and kind of API, naming the authorizers and the methods they guard
/// (authorizers no method uses are never invoked).
pub fn authorizer_permission_findings(
    methods: &[Method],
    bodies: &[DefinitionBody<'_>],
    permissions: &crate::sources::cloudformation::LambdaPermissions,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if permissions.unattributed {
        return out;
    }
    // The methods each definition's schemes guard.
    let mut guarding: std::collections::HashMap<(&str, &str), Vec<&Method>> = Default::default();
    for m in methods {
        for name in &m.auth {
            guarding
                .entry((body_base(m), name.as_str()))
                .or_default()
                .push(m);
        }
    }
    type Guarded<'m> = (std::collections::BTreeSet<&'m str>, Vec<&'m Method>);
    let mut unpermitted: std::collections::BTreeMap<(bool, &str), Guarded<'_>> = Default::default();
    for b in bodies {
        let Some(schemes) = b
            .value
            .get("securityDefinitions")
            .or_else(|| b.value.pointer("/components/securitySchemes"))
            .and_then(Value::as_object)
        else {
            continue;
        };
        for (name, scheme) in schemes {
            let Some(a) = scheme.get("x-amazon-apigateway-authorizer") else {
                continue;
            };
            let kind = a.get("type").and_then(Value::as_str).unwrap_or_default();
            let lambda = ["token", "request"]
                .iter()
                .any(|k| kind.eq_ignore_ascii_case(k));
            let credentials = a
                .get("authorizerCredentials")
                .is_some_and(|c| c.as_str().is_none_or(|c| !c.trim().is_empty()));
            let uri = a.get("authorizerUri").and_then(|u| match u {
                Value::String(s) => Some(s.clone()),
                Value::Object(_) => Some(u.to_string()),
                _ => None,
            });
            let Some(function) = uri
                .as_deref()
                .filter(|_| lambda && !credentials)
                .and_then(|u| permissions.invoked(u, false))
                .filter(|f| !permissions.permitted.contains(*f))
            else {
                continue;
            };
            let Some(guarded) = guarding.get(&(b.base.as_str(), name.as_str())) else {
                continue;
            };
            let entry = unpermitted.entry((b.http, function.as_str())).or_default();
            entry.0.insert(name.as_str());
            entry.1.extend(guarded);
        }
    }
    for ((http, function), (authorizers, guarded)) in unpermitted {
        let (who, labels) = methods_named(&guarded);
        let count = authorizers.len();
        let names: Vec<&str> = authorizers.into_iter().take(20).collect();
        let named = if count == names.len() {
            names.join(", ")
        } else {
            format!("{} and {} more", names.join(", "), count - names.len())
        };
        let answer = if http {
            HTTP_AUTHORIZER_REFUSED
        } else {
            REST_AUTHORIZER_REFUSED
        };
        let calls = if guarded.len() == 1 {
            "every call to it"
        } else {
            "every call to them"
        };
        out.push(with_permission_evidence(
            Finding::warning(
                AUTHORIZER_PERMISSION_MISSING,
                format!("the Lambda authorizer{} {} of {who} invoke{} the function {function}, and this document gives API Gateway no permission to: no permission for apigateway.amazonaws.com in it names the function, and {}. Unless a permission is made outside it (another stack or configuration, aws lambda add-permission), {calls} {answer}", if count == 1 { "" } else { "s" }, named, if count == 1 { "s" } else { "" }, if count == 1 { "the authorizer has no credentials" } else { "no authorizer has credentials" }),
            )
            .with("function", function)
            .with("authorizers", json!(names))
            .with("authorizer_count", count),
            http,
            labels,
            &guarded,
        ));
    }
    out
}

/// What a deployed API's Lambda function's resource-based policy was read as (lambda:GetPolicy).
#[derive(Debug, Clone)]
pub enum PolicyRead {
    Policy(Value),
    /// The function exists and has no resource-based policy.
    NoPolicy,
    /// The function does not exist (Lambda's message).
    NoFunction(String),
    /// The policy could not be read (the one-line error).
    Unreadable(String),
}

/// Where a deployed API's calls come from: their source ARNs' parts.
#[derive(Debug, Clone)]
pub struct LiveApi {
    pub partition: String,
    pub region: String,
    /// The API's account (the credentials'); None when it could not be read.
    pub account: Option<String>,
    pub api_id: String,
    pub stages: Vec<String>,
    /// Each stage's variables, when they were read (None: not read).
    pub stage_variables: Option<std::collections::HashMap<String, Vec<(String, String)>>>,
    /// An HTTP API (its calls fail with other messages; `$default` routes).
    pub http: bool,
    /// A WebSocket API: its methods are routes (an empty verb, the route key as the path),
    /// whose calls' source ARN is `API_ID/STAGE/ROUTE_KEY`.
    pub websocket: bool,
}

/// At most this many functions' policies are read for one API.
pub const MAX_LIVE_FUNCTIONS: usize = 100;

/// At most this many calls (method x stage x verb) of one API are checked against policies.
pub const MAX_LIVE_CALLS: usize = 50_000;

/// A policy with more statements is not judged: a function's policy is at most 20 KB, about
/// 80 statements [AWS: Lambda quotas].
pub const MAX_POLICY_STATEMENTS: usize = 200;

/// A policy read, with one too large to be a function's said unreadable.
fn bounded(read: PolicyRead) -> PolicyRead {
    match read {
        PolicyRead::Policy(p)
            if crate::checks::lambda_permission::statement_count(&p) > MAX_POLICY_STATEMENTS =>
        {
            PolicyRead::Unreadable(format!(
                "it holds {} statements, more than a function's policy can (20 KB); not judged",
                crate::checks::lambda_permission::statement_count(&p)
            ))
        }
        other => other,
    }
}

/// The verbs an ANY method answers.
const VERBS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// The function ARN a Lambda integration's URI invokes (alias or version included), when it
/// is written out, or as written with `${stageVariables.NAME}` in it (resolved per stage by
/// [`live_lambda_permission_findings`]). HTTP APIs also take the function's own ARN.
fn live_function(uri: &str) -> Option<&str> {
    let inner = match uri.split_once("/functions/") {
        Some((_, rest)) => rest.strip_suffix("/invocations")?,
        None => uri,
    };
    let through_stage = inner.contains("${stageVariables.");
    (through_stage || function_arn(inner)).then_some(inner)
}

/// A function's ARN written out (alias or version included).
fn function_arn(text: &str) -> bool {
    text.starts_with("arn:") && text.contains(":function:") && !text.contains("${")
}

/// `text` with each `${stageVariables.NAME}` replaced by the stage's value; the first NAME the
/// stage does not define when one is missing.
fn with_stage_variables<'t>(
    text: &'t str,
    variables: &[(String, String)],
) -> Result<String, &'t str> {
    let mut out = text.to_string();
    for name in stage_variable_names(text) {
        let value = variables
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
            .ok_or(name)?;
        out = out.replace(&format!("${{stageVariables.{name}}}"), value);
    }
    Ok(out)
}

/// The functions a deployed API's Lambda integrations without credentials invoke, each with
/// its methods (none: nothing to read from Lambda).
pub fn live_functions(methods: &[Method]) -> std::collections::BTreeMap<&str, Vec<&Method>> {
    let mut by_function: std::collections::BTreeMap<&str, Vec<&Method>> = Default::default();
    for m in methods {
        let Some(i) = uncredentialed_aws_integration(m) else {
            continue;
        };
        if let Some(f) = i.uri.as_deref().and_then(live_function) {
            by_function.entry(f).or_default().push(m);
        }
    }
    by_function
}

/// A deployed REST API's Lambda integrations (without credentials) checked against their
/// functions' resource-based policies, read with `read` (lambda:GetPolicy): for every stage
/// and verb, is the call's source ARN allowed? A call no statement allows answers 500 with
/// "Invalid permissions on Lambda function" (an error, certain); one the tool cannot decide is a
/// warning; a function that does not exist is an error; a policy that could not be read says
/// so. One finding per function.
pub fn live_lambda_permission_findings(
    methods: &[Method],
    api: &LiveApi,
    mut read: impl FnMut(&str) -> PolicyRead,
) -> Vec<Finding> {
    use crate::checks::lambda_permission::{
        Call, Verdict, gateway_statements, source_arn, verdict,
    };
    let mut out = Vec::new();
    if api.stages.is_empty() {
        // Nothing calls an API that has no stage; said, so its silence is no all-clear.
        let functions = live_functions(methods);
        if !functions.is_empty() {
            out.push(
                Finding::info(
                    LAMBDA_POLICY_UNREADABLE,
                    format!("the API has no stage, so no call reaches its {} Lambda function(s) yet: their resource-based policies were not checked (lint it again once it is deployed)", functions.len()),
                )
                .with("count", functions.len())
                .with("certain", false),
            );
        }
        return out;
    }
    // Each function with the calls that reach it: a method on every stage, or, for a function
    // named through stage variables, on the stage whose variables name it.
    let mut by_function: std::collections::BTreeMap<String, Vec<(&Method, Option<&str>)>> =
        Default::default();
    for (written, methods) in live_functions(methods) {
        if function_arn(written) {
            let calls = methods.iter().map(|m| (*m, None));
            by_function
                .entry(written.to_string())
                .or_default()
                .extend(calls);
            continue;
        }
        let (who, labels) = methods_named(&methods);
        let not_checked = |why: String| {
            Finding::warning(
                LAMBDA_POLICY_UNREADABLE,
                format!("{who} invoke{} the Lambda function {written}, named through stage variables: {why}", if methods.len() == 1 { "s" } else { "" }),
            )
            .with("function", written)
            .with("methods", json!(labels))
            .with("certain", false)
            .with("location", methods[0].location.as_str())
        };
        let Some(variables) = &api.stage_variables else {
            out.push(not_checked(
                "the stages' variables were not read, so its policy was not checked".into(),
            ));
            continue;
        };
        for stage in &api.stages {
            let defined = variables.get(stage).map(Vec::as_slice).unwrap_or_default();
            match with_stage_variables(written, defined) {
                Ok(f) if function_arn(&f) => by_function
                    .entry(f)
                    .or_default()
                    .extend(methods.iter().map(|m| (*m, Some(stage.as_str())))),
                Ok(f) => out.push(
                    not_checked(format!(
                        "on stage {stage} it is {f}, not a function's ARN; not checked"
                    ))
                    .with("stage", stage.as_str()),
                ),
                Err(name) => {
                    let mut f = not_checked(format!("stage {stage} does not define {name}, so its calls there name no function and fail (the exact error is not documented)"))
                        .with("stage", stage.as_str())
                        .with("variable", name);
                    f.code = STAGE_VARIABLE_UNDEFINED;
                    out.push(f);
                }
            }
        }
    }
    let total = by_function.len();
    let (mut budget, mut unchecked) = (MAX_LIVE_CALLS, 0usize);
    for (function, calls_of) in by_function.into_iter().take(MAX_LIVE_FUNCTIONS) {
        let function = function.as_str();
        let mut methods: Vec<&Method> = Vec::new();
        for (m, _) in &calls_of {
            if !methods.iter().any(|x| std::ptr::eq(*x, *m)) {
                methods.push(m);
            }
        }
        let (who, labels) = methods_named(&methods);
        let s = if methods.len() == 1 { "s" } else { "" };
        let check = format!("aws lambda get-policy --function-name {function}");
        // The function, its methods, how to check, where: every finding's evidence.
        let about = |f: Finding| {
            f.with("function", function)
                .with("methods", json!(labels))
                .with("count", methods.len())
                .with("check", check.as_str())
                .with("location", methods[0].location.as_str())
        };
        let policy = match bounded(read(function)) {
            PolicyRead::Policy(p) => p,
            PolicyRead::NoPolicy => json!({}),
            PolicyRead::NoFunction(message) => {
                out.push(about(Finding::error(
                    LAMBDA_FUNCTION_NOT_FOUND,
                    format!("{who} invoke{s} the Lambda function {function}, which does not exist (lambda:GetPolicy: {message:?}): every call answers 500"),
                )));
                continue;
            }
            PolicyRead::Unreadable(e) => {
                out.push(about(Finding::warning(
                    LAMBDA_POLICY_UNREADABLE,
                    format!("{who} invoke{s} the Lambda function {function}, whose resource-based policy could not be read ({e}): whether API Gateway may invoke it was not checked"),
                ))
                .with("certain", false));
                continue;
            }
        };
        // The function's account stands for the API's when the credentials' is not known.
        let account = api
            .account
            .clone()
            .or_else(|| function.split(':').nth(4).map(str::to_string))
            .unwrap_or_default();
        let mut refused: Vec<String> = Vec::new();
        let mut first_refused: Option<String> = None;
        let mut denied_methods: Vec<&Method> = Vec::new();
        let mut doubt: Option<String> = None;
        let (mut calls, mut refused_count) = (0usize, 0usize);
        let deciding = crate::checks::lambda_permission::for_gateway(&policy);
        for (m, only) in &calls_of {
            let m = *m;
            // An HTTP API's `$default` route is one call whatever the verb; a WebSocket route
            // has none.
            let verbs: Vec<&str> = if api.websocket {
                vec![""]
            } else if m.path == "$default" {
                vec!["ANY"]
            } else if m.method == "ANY" {
                VERBS.to_vec()
            } else {
                vec![m.method.as_str()]
            };
            let mut this_denied = false;
            let stages: Vec<&str> = match only {
                Some(stage) => vec![*stage],
                None => api.stages.iter().map(String::as_str).collect(),
            };
            for stage in stages {
                for verb in &verbs {
                    if budget == 0 {
                        unchecked += 1;
                        continue;
                    }
                    budget -= 1;
                    calls += 1;
                    let call = Call {
                        source_arn: source_arn(
                            &api.partition,
                            &api.region,
                            &account,
                            &api.api_id,
                            stage,
                            verb,
                            &m.path,
                        ),
                        account: api.account.clone(),
                    };
                    match verdict(&deciding, &call) {
                        Verdict::Allowed => {}
                        Verdict::NotAllowed => {
                            this_denied = true;
                            refused_count += 1;
                            if refused.len() < 20 {
                                refused.push(if m.path == "$default" || api.websocket {
                                    format!("{stage} {}", m.path)
                                } else {
                                    format!("{stage} {verb} {}", m.path)
                                });
                            }
                            first_refused.get_or_insert_with(|| call.source_arn.clone());
                        }
                        Verdict::Uncertain(why) => {
                            doubt.get_or_insert(why);
                        }
                    }
                }
            }
            if this_denied && !denied_methods.iter().any(|x| std::ptr::eq(*x, m)) {
                denied_methods.push(m);
            }
        }
        let statements = gateway_statements(&policy, 20);
        if !denied_methods.is_empty() {
            let (who, labels) = methods_named(&denied_methods);
            let s = if denied_methods.len() == 1 { "s" } else { "" };
            let why = if statements.is_empty() {
                "no statement of it names apigateway.amazonaws.com".to_string()
            } else {
                let arns: Vec<String> = statements
                    .iter()
                    .flat_map(|st| st["source_arns"].as_array().cloned().unwrap_or_default())
                    .filter_map(|a| a.as_str().map(str::to_string))
                    .take(3)
                    .collect();
                if arns.is_empty() {
                    "its statements for API Gateway do not cover these calls".to_string()
                } else if denied_methods.iter().any(|m| m.path == "$default")
                    && arns.iter().any(|a| a.ends_with("/$default"))
                {
                    // SAM wrote API/*/*/$default until its fix [obs: SAM#1860].
                    format!(
                        "its statements for API Gateway name other calls ({}); a call to the $default route carries API_ID/STAGE/$default, with no verb: write API_ID/*/$default",
                        arns.join(", ")
                    )
                } else if arns.iter().any(|a| a.contains('{')) {
                    format!(
                        "its statements for API Gateway name other calls ({}); a source ARN that writes a path parameter as {{name}} matches no call, whose source ARN carries the path as the client sent it: write * in its place",
                        arns.join(", ")
                    )
                } else {
                    format!(
                        "its statements for API Gateway name other calls ({})",
                        arns.join(", ")
                    )
                }
            };
            let answer = if api.websocket {
                WEBSOCKET_INTEGRATION_REFUSED
            } else if api.http {
                HTTP_INTEGRATION_REFUSED
            } else {
                REST_INTEGRATION_REFUSED
            };
            let message = format!(
                "{who} invoke{s} the Lambda function {function}, and its resource-based policy does not let API Gateway invoke it for {} of their calls (such as {}): {why}. Each such call {answer}",
                if refused_count == calls {
                    "any"
                } else {
                    "some"
                },
                first_refused.as_deref().unwrap_or_default()
            );
            // A WebSocket call's source ARN is inferred: a policy naming API Gateway in other
            // forms may still allow it; one naming it nowhere cannot.
            let certain = !api.websocket || statements.is_empty();
            let finding = if certain {
                Finding::error(LAMBDA_PERMISSION_MISSING, message)
            } else {
                Finding::warning(
                    LAMBDA_PERMISSION_MISSING,
                    format!(
                        "{message} (the route's source ARN API_ID/STAGE/ROUTE_KEY is inferred for WebSocket APIs: if API Gateway uses another form, these statements may allow it)"
                    ),
                )
            };
            out.push(
                finding
                    .with("function", function)
                    .with("methods", json!(labels))
                    .with("count", denied_methods.len())
                    .with("certain", certain)
                    .with("calls", calls)
                    .with("calls_refused", refused_count)
                    .with("refused", json!(refused))
                    .with("source_arn", first_refused)
                    .with("statements", json!(statements))
                    .with("check", check)
                    .with("location", denied_methods[0].location.as_str()),
            );
        } else if let Some(why) = doubt {
            out.push(
                Finding::warning(
                    LAMBDA_PERMISSION_MISSING,
                    format!("{who} invoke{s} the Lambda function {function}, and whether its resource-based policy lets API Gateway invoke it is uncertain: {why}"),
                )
                .with("function", function)
                .with("methods", json!(labels))
                .with("count", methods.len())
                .with("certain", false)
                .with("statements", json!(statements))
                .with("check", check)
                .with("location", methods[0].location.as_str()),
            );
        }
    }
    if unchecked > 0 {
        out.push(
            Finding::warning(
                LAMBDA_POLICY_UNREADABLE,
                format!("{unchecked} calls (method, stage and verb) were not checked against their functions' policies: at most {MAX_LIVE_CALLS} an API are"),
            )
            .with("count", unchecked)
            .with("certain", false),
        );
    }
    if total > MAX_LIVE_FUNCTIONS {
        out.push(
            Finding::warning(
                LAMBDA_POLICY_UNREADABLE,
                format!("the API's methods invoke {total} Lambda functions; the policies of the first {MAX_LIVE_FUNCTIONS} were read, the other {} were not checked", total - MAX_LIVE_FUNCTIONS),
            )
            .with("count", total - MAX_LIVE_FUNCTIONS)
            .with("certain", false),
        );
    }
    out
}

/// A deployed REST API's authorizer (`get-authorizers`).
#[derive(Debug, Clone)]
pub struct LiveAuthorizer {
    pub id: String,
    pub name: String,
    /// TOKEN, REQUEST or COGNITO_USER_POOLS.
    pub kind: String,
    pub uri: Option<String>,
    pub credentials: Option<String>,
}

/// The ids of the authorizers a deployed API's methods use (get-resources' `authorizerId`).
pub fn live_authorizer_ids(methods: &[Method]) -> std::collections::BTreeSet<&str> {
    methods
        .iter()
        .flat_map(|m| m.auth.iter())
        .filter_map(|a| a.strip_prefix("CUSTOM authorizer "))
        .collect()
}

/// A deployed API's Lambda authorizers (without credentials, used by a method) checked
/// against their functions' resource-based policies, read with `read`: API Gateway invokes an
/// authorizer with the source ARN `arn:PARTITION:execute-api:REGION:ACCOUNT:API_ID/authorizers/
/// AUTHORIZER_ID` [AWS: "Control access to HTTP APIs with Lambda authorizers" gives this form;
/// for REST APIs inferred]. A refusal is certain (an error) for an HTTP API, and for a REST API
/// when no statement for API Gateway names this API at all; when a REST API's statements name
/// the API only in forms that do not match this one, it is a warning (`certain: false`). One
/// finding per authorizer.
pub fn live_authorizer_permission_findings(
    methods: &[Method],
    authorizers: &[LiveAuthorizer],
    api: &LiveApi,
    mut read: impl FnMut(&str) -> PolicyRead,
) -> Vec<Finding> {
    use crate::checks::lambda_permission::{Call, Verdict, gateway_statements, verdict};
    let mut out = Vec::new();
    let account = api
        .account
        .clone()
        .or_else(|| {
            authorizers
                .iter()
                .find_map(|a| a.uri.as_deref().and_then(live_function))
                .and_then(|f| f.split(':').nth(4).map(str::to_string))
        })
        .unwrap_or_default();
    let refused = if api.websocket {
        WEBSOCKET_AUTHORIZER_REFUSED
    } else if api.http {
        HTTP_AUTHORIZER_REFUSED
    } else {
        REST_AUTHORIZER_REFUSED
    };
    let mut policies: std::collections::HashMap<String, PolicyRead> = Default::default();
    for a in authorizers.iter().take(MAX_LIVE_FUNCTIONS) {
        let lambda = a.kind.eq_ignore_ascii_case("TOKEN") || a.kind.eq_ignore_ascii_case("REQUEST");
        let has_credentials = a
            .credentials
            .as_deref()
            .is_some_and(|c| !c.trim().is_empty());
        let Some(function) = a
            .uri
            .as_deref()
            .and_then(live_function)
            .filter(|f| lambda && !has_credentials && function_arn(f))
        else {
            continue;
        };
        let guarded: Vec<&Method> = methods
            .iter()
            .filter(|m| {
                m.auth
                    .iter()
                    .any(|x| x.strip_prefix("CUSTOM authorizer ") == Some(a.id.as_str()))
            })
            .collect();
        if guarded.is_empty() {
            continue;
        }
        let (who, labels) = methods_named(&guarded);
        let calls = if guarded.len() == 1 {
            "every call to it"
        } else {
            "every call to them"
        };
        let policy = policies
            .entry(function.to_string())
            .or_insert_with(|| bounded(read(function)))
            .clone();
        let about = |f: Finding| {
            f.with("authorizer", a.name.as_str())
                .with("authorizer_id", a.id.as_str())
                .with("function", function)
                .with("methods", json!(labels))
                .with("count", guarded.len())
                .with(
                    "check",
                    format!("aws lambda get-policy --function-name {function}"),
                )
                .with("location", guarded[0].location.as_str())
        };
        let policy = match policy {
            PolicyRead::Policy(p) => p,
            PolicyRead::NoPolicy => json!({}),
            PolicyRead::NoFunction(message) => {
                out.push(about(Finding::error(
                    LAMBDA_FUNCTION_NOT_FOUND,
                    format!("the Lambda authorizer {} of {who} invokes the function {function}, which does not exist (lambda:GetPolicy: {message:?}): {calls} {refused}", a.name),
                )));
                continue;
            }
            PolicyRead::Unreadable(e) => {
                out.push(about(Finding::warning(
                    LAMBDA_POLICY_UNREADABLE,
                    format!("the Lambda authorizer {} of {who} invokes the function {function}, whose resource-based policy could not be read ({e}): whether API Gateway may invoke it was not checked", a.name),
                ))
                .with("certain", false));
                continue;
            }
        };
        let source_arn = format!(
            "arn:{}:execute-api:{}:{account}:{}/authorizers/{}",
            api.partition, api.region, api.api_id, a.id
        );
        let call = Call {
            source_arn: source_arn.clone(),
            account: api.account.clone(),
        };
        let statements = gateway_statements(&policy, 20);
        match verdict(&policy, &call) {
            Verdict::Allowed => {}
            Verdict::NotAllowed => {
                // Does any statement for API Gateway name this API (or any API)?
                let names_api = statements.iter().any(|st| {
                    let arns = st["source_arns"].as_array().cloned().unwrap_or_default();
                    arns.is_empty()
                        || arns.iter().filter_map(Value::as_str).any(|arn| {
                            let id = crate::sources::cloudformation::source_arn_api_id(arn);
                            crate::checks::wildcard::matches(id, &api.api_id)
                        })
                });
                // The form is documented for HTTP APIs: there the refusal is certain.
                let finding = if names_api && !api.http {
                    Finding::warning(
                        AUTHORIZER_PERMISSION_MISSING,
                        format!("the Lambda authorizer {} of {who} invokes the function {function}, whose resource-based policy names this API but not its authorizer's source ARN ({source_arn}: the form AWS documents for HTTP API authorizers, inferred for REST and WebSocket APIs): if API Gateway uses that form, {calls} {refused}", a.name),
                    )
                    .with("certain", false)
                } else {
                    Finding::error(
                        AUTHORIZER_PERMISSION_MISSING,
                        format!("the Lambda authorizer {} of {who} invokes the function {function}, and its resource-based policy does not let API Gateway invoke it for this API ({}): {calls} {refused}", a.name, if statements.is_empty() { "no statement of it names apigateway.amazonaws.com" } else { "its statements for API Gateway name other APIs" }),
                    )
                    .with("certain", true)
                };
                out.push(
                    about(finding)
                        .with("source_arn", source_arn)
                        .with("statements", json!(statements)),
                );
            }
            Verdict::Uncertain(why) => {
                out.push(
                    about(Finding::warning(
                        AUTHORIZER_PERMISSION_MISSING,
                        format!("the Lambda authorizer {} of {who} invokes the function {function}, and whether its resource-based policy lets API Gateway invoke it is uncertain: {why}", a.name),
                    ))
                    .with("certain", false)
                    .with("statements", json!(statements)),
                );
            }
        }
    }
    out
}

/// A template's or Terraform document's `LambdaPermissions`.
pub fn lambda_permissions(doc: &Value) -> crate::sources::cloudformation::LambdaPermissions {
    if crate::sources::terraform::is_terraform(doc) {
        crate::sources::terraform::lambda_permissions(doc)
    } else {
        crate::sources::cloudformation::lambda_permissions(doc)
    }
}

/// Whether API Gateway may invoke the functions of a template's or Terraform document's Lambda
/// integrations and authorizers (`lint`'s): the findings of both checks, over `methods` (every
/// method of the document, or one).
pub fn permission_findings(doc: &Value, methods: &[Method]) -> Vec<Finding> {
    if doc.get("Resources").is_none() {
        return Vec::new();
    }
    let bodies = definition_bodies(doc);
    permission_findings_with(methods, &bodies, &lambda_permissions(doc))
}

fn permission_findings_with(
    methods: &[Method],
    bodies: &[DefinitionBody<'_>],
    permissions: &crate::sources::cloudformation::LambdaPermissions,
) -> Vec<Finding> {
    let mut out = lambda_permission_findings(methods, bodies, permissions);
    out.extend(authorizer_permission_findings(methods, bodies, permissions));
    out
}

/// The permission findings of one method (`trace`'s): whether API Gateway may invoke the
/// function its Lambda integration calls and its Lambda authorizer's, and a permission for
/// the integration's function whose SourceArn names the API by its logical id.
pub fn method_permission_findings(doc: &Value, method: &str, path: &str) -> Vec<Finding> {
    if doc.get("Resources").is_none() {
        return Vec::new();
    }
    let Ok(methods) = methods(doc) else {
        return Vec::new();
    };
    let Some(m) = methods
        .into_iter()
        .filter(|m| m.path == path)
        .min_by_key(|m| m.method != method)
        .filter(|m| m.method == method || m.method == "ANY")
    else {
        return Vec::new();
    };
    let bodies = definition_bodies(doc);
    let permissions = lambda_permissions(doc);
    let function = m
        .integration
        .as_ref()
        .and_then(|i| i.uri.as_deref())
        .and_then(|u| permissions.invoked(u, http_bases(&bodies).contains(body_base(&m))))
        .cloned();
    permission_findings_with(std::slice::from_ref(&m), &bodies, &permissions)
        .into_iter()
        .filter(|f| {
            f.code != LAMBDA_PERMISSION_SOURCE_ARN
                || function.is_some()
                    && f.evidence.get("function").and_then(Value::as_str) == function.as_deref()
        })
        .collect()
}

/// The logging level a stage setting turns on (`ERROR`, `INFO`), or None for `OFF`, an
/// unresolved value or none.
pub fn logging_level_on(level: Option<&Value>) -> Option<String> {
    let level = level?.as_str()?;
    ["ERROR", "INFO"]
        .iter()
        .any(|l| level.eq_ignore_ascii_case(l))
        .then(|| level.to_ascii_uppercase())
}

/// The integration method of a Lambda integration (proxy or not) that is not POST. API
/// Gateway calls Lambda's Invoke API, which takes POST only; the console always writes POST,
/// hand-written definitions (OpenAPI, CloudFormation's `IntegrationHttpMethod`, Terraform's
/// `integration_http_method`) sometimes copy the client's method instead (documented: AWS
/// knowledge-center article "api-gateway-lambda-template-invoke-error").
fn lambda_called_without_post(i: &Integration) -> Option<&str> {
    let kind = i.type_name.as_deref()?.to_ascii_uppercase();
    let lambda = (kind == "AWS" || kind == "AWS_PROXY")
        && i.uri
            .as_deref()
            .is_some_and(|u| u.contains(":lambda:path/"));
    let method = i.http_method.as_deref()?;
    (lambda && !is_unresolved(method) && !method.eq_ignore_ascii_case("POST")).then_some(method)
}

/// Why an AWS or AWS_PROXY integration's URI is not the API Gateway integration ARN the
/// service wants: `arn:PARTITION:apigateway:REGION:SERVICE:path|action/...`, for Lambda
/// `arn:PARTITION:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations`
/// (documented: PutIntegration's `uri`), in the partition of its Region. A URI not written out
/// yet (an intrinsic, a stage variable) is not judged.
fn aws_integration_uri_refused(i: &Integration) -> Option<(String, &'static str)> {
    const ARN_REFUSED: &str = "\"AWS ARN for integration must contain path or action\" or \"Invalid ARN specified in the request\"";
    const PROXY_REFUSED: &str = "\"Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.\", as emulators of API Gateway record it";
    let kind = i.type_name.as_deref()?.to_ascii_uppercase();
    let uri = i.uri.as_deref()?.trim();
    if !(kind == "AWS" || kind == "AWS_PROXY") || uri.is_empty() {
        return None;
    }
    // For REST APIs AWS_PROXY is the Lambda proxy integration; another service's action is an
    // AWS (non-proxy) integration [AWS: "Choose an API Gateway API integration type"]. Firehose,
    // which emulators accept too, is left alone. Judged also while the Region is a placeholder.
    if let Some(service) = integration_service(uri)
        && kind == "AWS_PROXY"
        && !matches!(service, "lambda" | "firehose")
    {
        return Some((
            format!(
                "an AWS_PROXY integration is the Lambda proxy integration: an action of {service} takes type AWS (non-proxy), with a mapping template for the request it expects"
            ),
            PROXY_REFUSED,
        ));
    }
    if is_unresolved(uri) {
        return None;
    }
    let refused = |why: String| Some((why, ARN_REFUSED));
    let parts: Vec<&str> = uri.splitn(6, ':').collect();
    if parts.len() < 6 || parts[0] != "arn" {
        return refused(format!(
            "the {kind} integration's URI {uri:?} is not an ARN: an AWS service integration takes arn:aws:apigateway:REGION:SERVICE:path/... or action/..., a Lambda function arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations"
        ));
    }
    let (partition, service, region, subservice, rest) =
        (parts[1], parts[2], parts[3], parts[4], parts[5]);
    if service == "lambda" && rest.starts_with("function:") {
        return refused(format!(
            "the URI is the Lambda function's own ARN, not the invocation ARN API Gateway calls: write arn:{partition}:apigateway:{region}:lambda:path/2015-03-31/functions/{uri}/invocations"
        ));
    }
    if service != "apigateway" {
        return refused(format!(
            "the URI is the ARN of a {service} resource, not an API Gateway integration ARN (arn:{partition}:apigateway:REGION:SERVICE:path/... or action/...)"
        ));
    }
    if !(rest.starts_with("path/") || rest.starts_with("action/")) {
        return refused(format!(
            "the URI's part after the service ({subservice}) must start with path/ or action/, not {:?}",
            rest.chars().take(40).collect::<String>()
        ));
    }
    if subservice == "lambda" && rest.contains("/functions/") && !rest.ends_with("/invocations") {
        return refused(
            "the Lambda invocation URI must end with /invocations (…/2015-03-31/functions/FUNCTION_ARN/invocations)"
                .to_string(),
        );
    }
    let wanted = if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    };
    let known = ["aws", "aws-cn", "aws-us-gov"];
    if known.contains(&partition) && partition != wanted {
        return refused(format!(
            "the URI's partition is {partition} but its Region {region} is in the {wanted} partition: write arn:{wanted}:..."
        ));
    }
    None
}

/// The AWS service an integration ARN calls (`sqs` in arn:aws:apigateway:REGION:sqs:path/...),
/// also when the partition or Region is still a placeholder; None when the service is not
/// written out.
fn integration_service(uri: &str) -> Option<&str> {
    static ARN: OnceLock<regex::Regex> = OnceLock::new();
    let arn = ARN.get_or_init(|| {
        regex::Regex::new(
            r"^arn:(?:\$\{[^}]*\}|[^:]*):apigateway:(?:\$\{[^}]*\}|[^:]*):([A-Za-z0-9.-]+):(?:path|action)/",
        )
        .expect("a valid pattern")
    });
    Some(arn.captures(uri.trim())?.get(1)?.as_str())
}

/// Why API Gateway cannot use an integration's credentials: a value that is not an IAM role's
/// ARN (a role's name, a CloudFormation `Ref` of a role), or none where a role is required (an
/// AWS integration with a service other than Lambda, which only Lambda's resource-based
/// permissions let API Gateway call without one). The API reference allows a role's ARN or
/// arn:aws:iam::*:user/* (the caller's own credentials); the messages API Gateway answers are
/// recorded by users (`specs/infrastructure-as-code.md`).
fn credentials_refused(i: &Integration) -> Option<String> {
    const ROLE_ARN: &str = "give the integration the ARN of a role API Gateway can assume (arn:aws:iam::ACCOUNT:role/NAME, trusting apigateway.amazonaws.com; CloudFormation: !GetAtt ROLE.Arn, Terraform: aws_iam_role.NAME.arn), or arn:aws:iam::*:user/* to call with the caller's own credentials";
    let kind = i
        .type_name
        .as_deref()
        .unwrap_or_default()
        .to_ascii_uppercase();
    if let Some(role) = &i.credentials_role_ref {
        return Some(format!(
            "its Credentials is a Ref of the role {role}, which is the role's name, not its ARN: API Gateway refuses a credentials value that is not an ARN (BadRequestException \"Invalid ARN specified in the request\"), so the stack fails to deploy; write !GetAtt {role}.Arn"
        ));
    }
    match i.credentials() {
        Some(c) if is_unresolved(c) => None,
        Some(c) if !c.starts_with("arn:") => Some(format!(
            "the integration's credentials {c:?} is not an ARN (a role's name?): API Gateway refuses it when the integration is saved or imported (BadRequestException \"Invalid ARN specified in the request\"), so the deployment fails; {ROLE_ARN}"
        )),
        Some(c) => {
            let parts: Vec<&str> = c.splitn(6, ':').collect();
            let iam = parts.len() == 6 && parts[2] == "iam";
            let resource = parts.get(5).copied().unwrap_or_default();
            let fine =
                iam && (resource.starts_with("role/") || (parts[4] == "*" && resource == "user/*"));
            (!fine).then(|| format!(
                "the integration's credentials {c:?} is not an IAM role's ARN: API Gateway calls the backend as the role it names (or, with arn:aws:iam::*:user/*, as the caller), so no call can succeed (whether API Gateway refuses it when saved or each call fails is not recorded); {ROLE_ARN}"
            ))
        }
        None => {
            let service = integration_service(i.uri.as_deref()?)?;
            (kind == "AWS" && service != "lambda").then(|| format!(
                "an AWS integration calling the {service} service has no credentials: API Gateway calls an AWS service other than Lambda only as a role it assumes, and refuses the integration without one (BadRequestException \"Role ARN must be specified for AWS integrations\"), so the deployment fails; give it the ARN of a role that trusts apigateway.amazonaws.com and may call {service} (CloudFormation: Integration.Credentials !GetAtt ROLE.Arn; Terraform: credentials = aws_iam_role.NAME.arn)"
            ))
        }
    }
}

/// Every mapping template of a non-proxy integration parses, and what its text shows; and
/// the request Content-Types API Gateway refuses with 415 under the passthrough behaviour.
fn templates(i: &Integration, label: &str) -> Vec<Finding> {
    use crate::checks::template;
    let mut out = Vec::new();
    let all = i
        .request_templates
        .iter()
        .map(|(_, t, location)| (location, t))
        .chain(
            i.response_templates
                .iter()
                .map(|(location, t)| (location, t)),
        );
    for (location, text) in all {
        match template::parse::parse(text) {
            Ok(nodes) => out.extend(
                template::static_findings(&nodes)
                    .into_iter()
                    .map(|f| f.with("location", location.as_str())),
            ),
            Err(e) if e.unsupported => out.push(
                Finding::warning(template::NOT_EMULATED, format!("{label}: {}; the template was not checked", e.message))
                    .with("certain", false)
                    .with("location", location.as_str()),
            ),
            Err(e) => out.push(
                Finding::error(
                    template::SYNTAX_ERROR,
                    format!("{label}: the mapping template does not parse ({e}): every request using it gets 500"),
                )
                .with("template_line", e.pos.line)
                .with("template_column", e.pos.column)
                .with("location", location.as_str()),
            ),
        }
    }
    let behaviour = i
        .passthrough
        .as_deref()
        .unwrap_or("WHEN_NO_MATCH")
        .to_ascii_uppercase();
    let types: Vec<&str> = i
        .request_templates
        .iter()
        .map(|(t, _, _)| t.as_str())
        .collect();
    // A CORS preflight carries no body: its mock's passthrough setting turns nothing away.
    let preflight_mock = label.starts_with("[OPTIONS:")
        && i.type_name
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("MOCK"));
    let refuses = !preflight_mock
        && match behaviour.as_str() {
            "NEVER" => true,
            "WHEN_NO_TEMPLATES" => !types.is_empty(),
            _ => false,
        };
    // A template of plain text (no reference, no directive) for a JSON content type must be
    // JSON itself: in a YAML single-quoted string, `\"` stays a backslash and a quote. A
    // mock's request template is sent nowhere: the mock reads its statusCode, and the CDK's
    // CORS preflight `{ statusCode: 200 }` (not JSON) works on AWS.
    let is_mock = i
        .type_name
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("MOCK"));
    let static_texts = i
        .request_templates
        .iter()
        .filter(|_| !is_mock)
        .chain(i.responses.iter().flat_map(|r| &r.templates));
    for (content_type, text, location) in static_texts {
        if content_type.to_ascii_lowercase().contains("json")
            && !text.trim().is_empty()
            && !text.contains('$')
            && !text.contains('#')
            && let Err(e) = serde_json::from_str::<Value>(text)
        {
            out.push(
                Finding::warning(
                    template::OUTPUT_NOT_JSON,
                    format!("{label}: the {content_type} template is plain text but not JSON ({e}): it is sent as it is{}", if text.contains("\\\"") { "; a \\\" inside a YAML single-quoted string stays a backslash and a quote (use double quotes in YAML, or no backslashes)" } else { "" }),
                )
                .with("json_error", e.to_string())
                .with("location", location.as_str()),
            );
        }
    }
    if refuses {
        let accepted = if types.is_empty() {
            "no Content-Type at all (there are no request templates)".to_string()
        } else {
            format!("only {}", types.join(", "))
        };
        out.push(
            Finding::warning(
                template::NO_TEMPLATE_415,
                format!("{label}: passthroughBehavior {behaviour} accepts {accepted}: a request with any other Content-Type gets 415 Unsupported Media Type"),
            )
            .with("passthrough_behavior", behaviour.as_str())
            .with("request_templates", json!(types))
            .with("location", i.location.as_str()),
        );
    }
    out
}

/// A non-proxy integration whose only response is a 2xx default: every failure reaches the
/// client as success (the seed's "Why is AWS Lambda returning 200 OK?"), unless a response
/// template sets `$context.responseOverride.status`.
fn errors_as_2xx(i: &Integration, label: &str) -> Vec<Finding> {
    let is_mock = i
        .type_name
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("MOCK"));
    if is_mock || i.responses.iter().any(|r| r.pattern.is_some()) {
        return Vec::new();
    }
    let Some(default) = i.responses.iter().find(|r| r.pattern.is_none()) else {
        return Vec::new();
    };
    if !default.status.starts_with('2') {
        return Vec::new();
    }
    let status = default.status.as_str();
    if i.response_templates
        .iter()
        .any(|(_, t)| !override_statuses(t).is_empty())
    {
        return vec![
            Finding::info(ERROR_STATUS_FROM_TEMPLATE, format!("{label}: the only integration response is the {status} default; error statuses come from the template's $context.responseOverride.status"))
                .with("location", default.origin.as_str()),
        ];
    }
    match i.kind {
        Some(IntegrationKind::Lambda) => vec![
            Finding::error(ERRORS_AS_2XX, format!("{label}: a Lambda custom integration whose only integration response is the {status} default answers every function error with {status}: add an error pattern (e.g. .*Error.*) mapped to a 4xx/5xx method response"))
                .with("status", status)
                .with("location", default.origin.as_str()),
        ],
        Some(IntegrationKind::Http) => vec![
            Finding::warning(ERRORS_AS_2XX, format!("{label}: the only integration response is the {status} default: the backend's 4xx and 5xx reach the client as {status}; add patterns such as 4\\d{{2}} and 5\\d{{2}} mapped to method responses"))
                .with("status", status)
                .with("location", default.origin.as_str()),
        ],
        _ => Vec::new(),
    }
}

/// `{stageVariables.x}` without `$`, or `$stageVariables.x` without braces.
fn stage_variable_typo(uri: &str) -> Option<String> {
    static TYPO: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?:^|[^$])(\{stageVariables\.[A-Za-z0-9_]*\}?)|(\$stageVariables\.[A-Za-z0-9_]+)",
        )
        .expect("valid regex")
    });
    TYPO.captures(uri)
        .and_then(|c| c.get(1).or_else(|| c.get(2)))
        .map(|m| m.as_str().to_string())
}

/// The literal status codes a mapping template assigns to `$context.responseOverride.status`.
/// Velocity comments (`## ...` to the end of the line, `#* ... *#`) count neither way.
fn override_statuses(template: &str) -> Vec<String> {
    static OVERRIDE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\$context\.responseOverride\.status\s*=\s*['\x22]?(\d{3})")
            .expect("valid regex")
    });
    OVERRIDE
        .captures_iter(&without_comments(template))
        .map(|c| c[1].to_string())
        .collect()
}

/// The template with its Velocity comments removed (an unclosed `#*` comments out the rest).
fn without_comments(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(at) = rest.find('#') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("##") {
            rest = after.find('\n').map_or("", |n| &after[n..]);
        } else if let Some(after) = tail.strip_prefix("#*") {
            rest = after.find("*#").map_or("", |n| &after[n + 2..]);
        } else {
            out.push('#');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// Integrations that use `${stageVariables.NAME}` a stage of the template does not define
/// (the stages a template or Terraform JSON deploys its API to; an export knows no stages).
pub fn stage_variables_undefined(doc: &Value, methods: &[Method]) -> Vec<Finding> {
    let mut out = Vec::new();
    for b in definition_bodies(doc) {
        let Some(stages) = b
            .value
            .get(crate::sources::cloudformation::STAGES)
            .and_then(Value::as_object)
        else {
            continue;
        };
        for m in methods.iter().filter(|m| m.location.starts_with(&b.base)) {
            let Some(i) = &m.integration else { continue };
            let used: Vec<&str> = [i.uri.as_deref(), i.connection_id.as_deref()]
                .into_iter()
                .flatten()
                .flat_map(stage_variable_names)
                .collect();
            for name in used {
                for (stage, s) in stages {
                    if s.get("variables").and_then(|v| v.get(name)).is_none() {
                        out.push(
                            Finding::warning(
                                STAGE_VARIABLE_UNDEFINED,
                                format!("{}: the integration uses ${{stageVariables.{name}}}, which stage {stage} does not define: on that stage the reference has no value and the call to the integration fails (the exact error is not documented)", m.label()),
                            )
                            .with("stage", stage.as_str())
                            .with("variable", name)
                            .with("location", i.location.as_str())
                            .with("certain", false),
                        );
                    }
                }
            }
        }
    }
    out
}

/// The NAMEs of every `${stageVariables.NAME}` in a text.
fn stage_variable_names(text: &str) -> Vec<&str> {
    text.match_indices("${stageVariables.")
        .filter_map(|(at, m)| {
            let rest = &text[at + m.len()..];
            rest.find('}').map(|end| &rest[..end])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_integrations_need_their_subtypes_required_parameters() {
        let judged =
            |i: Value| service_parameters_missing(&i).map(|f| f.evidence["missing"].clone());
        assert_eq!(
            judged(
                json!({"type": "aws_proxy", "integrationSubtype": "Kinesis-PutRecord",
                          "requestParameters": {"StreamName": "s", "Data": "$request.body"}})
            ),
            Some(json!("PartitionKey"))
        );
        assert_eq!(
            judged(
                json!({"type": "aws_proxy", "integrationSubtype": "StepFunctions-StartExecution"})
            ),
            Some(json!("StateMachineArn"))
        );
        assert_eq!(
            judged(
                json!({"type": "aws_proxy", "integrationSubtype": "SQS-SendMessage",
                          "requestParameters": {"QueueUrl": "q", "MessageBody": "$request.body"}})
            ),
            None
        );
        // Written whole with an intrinsic, or a subtype the reference does not list: not judged.
        assert_eq!(
            judged(json!({"integrationSubtype": "SQS-SendMessage",
                          "requestParameters": "${Params}"})),
            None
        );
        assert_eq!(judged(json!({"integrationSubtype": "Some-Future"})), None);
    }

    #[test]
    fn stages_that_turn_logging_on_need_the_account_role() {
        let template = json!({"Resources": {
            // A deployment's stage description (CDK v1, hand-written templates).
            "Deployment": {"Type": "AWS::ApiGateway::Deployment", "Properties": {
                "RestApiId": {"Ref": "Api"}, "StageDescription": {"LoggingLevel": "ERROR"}}},
            // SAM: access logs only.
            "SamApi": {"Type": "AWS::Serverless::Api", "Properties": {
                "StageName": "prod",
                "AccessLogSetting": {"DestinationArn": {"Fn::GetAtt": ["Logs", "Arn"]}, "Format": "$context.requestId"}}},
            // A WebSocket stage's route logging.
            "WsStage": {"Type": "AWS::ApiGatewayV2::Stage", "Properties": {
                "ApiId": {"Ref": "Ws"}, "StageName": "prod",
                "DefaultRouteSettings": {"LoggingLevel": "INFO", "DataTraceEnabled": false}}},
            // Logging off, or decided by a parameter: nothing to judge.
            "Off": {"Type": "AWS::ApiGateway::Stage", "Properties": {
                "MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*", "LoggingLevel": "OFF"}]}},
            "ByParameter": {"Type": "AWS::ApiGateway::Stage", "Properties": {
                "MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*", "LoggingLevel": {"Ref": "Level"}}]}}
        }});
        let (stages, account) = crate::sources::cloudformation::logging_stages(&template);
        assert!(!account);
        let found: Vec<(&str, &str)> = stages
            .iter()
            .map(|s| (s.resource.as_str(), s.setting.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("Deployment", "LoggingLevel: ERROR"),
                ("SamApi", "AccessLogSetting"),
                ("WsStage", "LoggingLevel: INFO"),
            ]
        );
        // One account role serves every stage: one finding, naming them all.
        let f = logging_without_account_role(&stages, false).unwrap();
        assert_eq!(f.evidence["count"], 3);
        assert_eq!(
            f.evidence["stages"],
            json!(["Deployment", "SamApi", "WsStage"])
        );
        assert!(
            f.message
                .starts_with("Deployment (and 2 more stages) turns logging on")
        );
        assert!(logging_without_account_role(&stages, true).is_none());
        let mut with_account = template.clone();
        with_account["Resources"]["Account"] = json!({"Type": "AWS::ApiGateway::Account",
            "Properties": {"CloudWatchRoleArn": {"Fn::GetAtt": ["Role", "Arn"]}}});
        assert!(logging_findings(&with_account).is_empty());
        assert!(!logging_findings(&template).is_empty());
        // SAM's Globals.Api: the template's REST APIs (here the implicit one of an Api event).
        let sam = json!({
            "Transform": "AWS::Serverless-2016-10-31",
            "Globals": {"Api": {"MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*", "LoggingLevel": "INFO"}]}},
            "Resources": {"Fn": {"Type": "AWS::Serverless::Function", "Properties": {
                "Events": {"Get": {"Type": "Api", "Properties": {"Path": "/", "Method": "get"}}}}}}});
        let (stages, _) = crate::sources::cloudformation::logging_stages(&sam);
        assert_eq!(stages.len(), 1);
        assert_eq!(stages[0].location, "$.Globals.Api");
        assert_eq!(stages[0].setting, "MethodSettings LoggingLevel: INFO");
        // Without a REST API the globals make no stage.
        let mut no_api = sam.clone();
        no_api["Resources"]["Fn"]["Properties"]["Events"]["Get"]["Type"] = json!("HttpApi");
        assert!(
            crate::sources::cloudformation::logging_stages(&no_api)
                .0
                .is_empty()
        );
        // Many stages: the finding names the first few and counts the rest.
        let many: Vec<LoggingStage> = (0..1000)
            .map(|n| LoggingStage {
                resource: format!("S{n}"),
                setting: "LoggingLevel: INFO".into(),
                location: format!("$.Resources.S{n}"),
            })
            .collect();
        let f = logging_without_account_role(&many, false).unwrap();
        assert_eq!(f.evidence["count"], 1000);
        assert_eq!(
            f.evidence["stages"].as_array().unwrap().len(),
            LOGGING_STAGES_NAMED
        );
    }

    #[test]
    fn a_lambda_integration_is_called_with_post_only() {
        let lambda = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:f/invocations";
        let integration = |kind: &str, uri: &str, method: Option<&str>| Integration {
            type_name: Some(kind.to_string()),
            uri: Some(uri.to_string()),
            http_method: method.map(str::to_string),
            ..Integration::default()
        };
        for kind in ["AWS_PROXY", "aws_proxy", "AWS"] {
            let i = integration(kind, lambda, Some("GET"));
            assert_eq!(lambda_called_without_post(&i), Some("GET"), "{kind}");
        }
        assert_eq!(
            lambda_called_without_post(&integration("aws_proxy", lambda, Some("ANY"))),
            Some("ANY")
        );
        for fine in [
            integration("AWS_PROXY", lambda, Some("POST")),
            integration("aws", lambda, Some("post")),
            // Not written: nothing to judge.
            integration("AWS_PROXY", lambda, None),
            // A stage variable or an unresolved intrinsic: unknown until deployed.
            integration("AWS_PROXY", lambda, Some("${stageVariables.method}")),
            // Other backends take any method.
            integration("HTTP_PROXY", "https://example.com/{proxy}", Some("GET")),
            integration(
                "AWS",
                "arn:aws:apigateway:eu-west-1:s3:path/bucket/key",
                Some("GET"),
            ),
        ] {
            assert_eq!(lambda_called_without_post(&fine), None, "{fine:?}");
        }
    }

    #[test]
    fn aws_integration_uris_are_the_integration_arns_api_gateway_wants() {
        let with = |kind: &str, uri: &str| Integration {
            type_name: Some(kind.to_string()),
            uri: Some(uri.to_string()),
            ..Integration::default()
        };
        let function = "arn:aws:lambda:eu-west-1:123456789012:function:orders";
        let invocation = format!(
            "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/{function}/invocations"
        );
        for fine in [
            with("AWS_PROXY", &invocation),
            with(
                "aws",
                "arn:aws:apigateway:us-east-1:sqs:path/123456789012/orders.fifo",
            ),
            with(
                "AWS",
                "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem",
            ),
            with(
                "AWS",
                "arn:aws-cn:apigateway:cn-north-1:s3:path/bucket/{key}",
            ),
            // Not written out yet, or not an AWS integration: not judged.
            with(
                "AWS_PROXY",
                "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations",
            ),
            with("AWS_PROXY", "${stageVariables.fn}"),
            with(
                "AWS_PROXY",
                "arn:aws:apigateway:us-east-1:firehose:action/PutRecord",
            ),
            with("HTTP_PROXY", "https://example.com/{proxy}"),
        ] {
            assert_eq!(aws_integration_uri_refused(&fine), None, "{fine:?}");
        }
        for (bad, says) in [
            (with("AWS_PROXY", function), "function's own ARN"),
            (
                with("AWS", "arn:aws:iam::123456789012:role/api"),
                "iam resource",
            ),
            (
                with("AWS_PROXY", "https://lambda.eu-west-1.amazonaws.com/f"),
                "not an ARN",
            ),
            (
                with("AWS", "arn:aws:apigateway:us-east-1:dynamodb:PutItem"),
                "path/ or action/",
            ),
            (
                with("AWS_PROXY", &invocation.replace("/invocations", "")),
                "/invocations",
            ),
            (
                with(
                    "AWS_PROXY",
                    "arn:aws:apigateway:us-east-1:sqs:path/123456789012/orders",
                ),
                "takes type AWS (non-proxy)",
            ),
            (
                with(
                    "AWS_PROXY",
                    "arn:${AWS::Partition}:apigateway:${AWS::Region}:states:action/StartExecution",
                ),
                "an action of states takes type AWS",
            ),
            (
                with(
                    "AWS_PROXY",
                    &invocation.replace("eu-west-1:lambda", "cn-north-1:lambda"),
                ),
                "aws-cn",
            ),
        ] {
            let (why, answer) = aws_integration_uri_refused(&bad).expect("refused");
            assert!(why.contains(says), "{why}");
            // Each with the answer API Gateway gives it: an AWS_PROXY URI that is not an ARN
            // is refused as any other.
            let proxy_of_a_service = why.contains("takes type AWS (non-proxy)");
            assert_eq!(answer.contains("'AWS_PROXY'"), proxy_of_a_service, "{why}");
        }
    }

    #[test]
    fn integration_credentials_are_a_role_arn_where_one_is_needed() {
        let with = |kind: &str, uri: &str, credentials: Option<&str>| Integration {
            type_name: Some(kind.to_string()),
            uri: Some(uri.to_string()),
            credentials: credentials.map(str::to_string),
            ..Integration::default()
        };
        let lambda = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:455488262213:function:invite/invocations";
        let sqs = "arn:aws:apigateway:us-east-1:sqs:path/123456789012/orders";
        for fine in [
            with("AWS", sqs, Some("arn:aws:iam::123456789012:role/apigw-sqs")),
            with(
                "AWS",
                sqs,
                Some("arn:aws-cn:iam::123456789012:role/apigw-sqs"),
            ),
            with("AWS", sqs, Some("arn:aws:iam::*:user/*")),
            with("AWS", sqs, Some("${ApiRole.Arn}")),
            // Lambda takes resource-based permissions: no role needed, and an empty value
            // (Terraform's state when none is set) is none.
            with("AWS_PROXY", lambda, None),
            with("aws", lambda, Some("")),
            with(
                "AWS",
                "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations",
                None,
            ),
            with("HTTP_PROXY", "https://example.com/{proxy}", None),
            with("AWS", "${stageVariables.backend}", None),
        ] {
            assert_eq!(credentials_refused(&fine), None, "{fine:?}");
        }
        for (bad, says) in [
            // aws/aws-sdk-js#868: a role's name, "Invalid ARN specified in the request".
            (
                with("AWS", lambda, Some("smallwins-api-lambda")),
                "\"smallwins-api-lambda\" is not an ARN",
            ),
            // aws/aws-sdk-java#860: "NONE" on an HTTP integration, the same answer.
            (
                with("HTTP", "http://localhost:8080/", Some("NONE")),
                "Invalid ARN specified in the request",
            ),
            (
                with("AWS", sqs, Some("arn:aws:iam::123456789012:policy/apigw")),
                "not an IAM role's ARN",
            ),
            (
                with("AWS", sqs, Some("arn:aws:iam::123456789012:user/deploy")),
                "not an IAM role's ARN",
            ),
            // hashicorp/terraform-provider-aws#7916 (ec2 action), aws/aws-cdk#1465 (Step
            // Functions): "Role ARN must be specified for AWS integrations".
            (
                with(
                    "AWS",
                    "arn:aws:apigateway:eu-west-1:ec2:action/DescribeSpotPriceHistory",
                    Some(""),
                ),
                "AWS integration calling the ec2 service has no credentials",
            ),
            (
                with(
                    "AWS",
                    "arn:aws:apigateway:${AWS::Region}:states:action/StartExecution",
                    None,
                ),
                "Role ARN must be specified for AWS integrations",
            ),
        ] {
            let why = credentials_refused(&bad).expect("refused");
            assert!(why.contains(says), "{why}");
        }
        let by_ref = Integration {
            credentials: Some("${ApiRole}".into()),
            credentials_role_ref: Some("ApiRole".into()),
            ..with("AWS", sqs, None)
        };
        let why = credentials_refused(&by_ref).expect("a Ref of a role is its name");
        assert!(why.contains("!GetAtt ApiRole.Arn"), "{why}");
        assert_eq!(integration_service(sqs), Some("sqs"));
        assert_eq!(
            integration_service("arn:aws:apigateway:us-east-1:${Svc}:action/X"),
            None
        );
    }

    /// A deployed API's methods against their functions' policies, read by a stand-in for
    /// lambda:GetPolicy: a permission for one stage only (the other stage's calls refused), an
    /// ANY method whose permission names GET only, a path parameter written literally (refused),
    /// a condition the tool does not evaluate (uncertain), a policy that could not be read; and
    /// the bound on functions read.
    #[test]
    fn live_methods_against_their_functions_policies() {
        let integration = |function: &str| {
            let uri = format!(
                "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:111122223333:function:{function}/invocations"
            );
            Integration {
                type_name: Some("AWS_PROXY".into()),
                uri: Some(uri),
                ..Integration::default()
            }
        };
        let method = |verb: &str, path: &str, function: &str| Method {
            method: verb.into(),
            path: path.into(),
            resource_id: None,
            location: format!("$.items['{path}'].{verb}"),
            integration: Some(integration(function)),
            auth: Vec::new(),
        };
        let api = test_api(&["dev", "prod"]);
        let permission = |arn: &str| {
            json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"},
                "Action": "lambda:InvokeFunction", "Condition": {"ArnLike": {"AWS:SourceArn": arn}}}]})
        };
        let methods = vec![
            method("GET", "/pets", "list"),
            method("ANY", "/orders", "orders"),
            method("GET", "/pets/{id}", "one"),
            method("GET", "/audit", "audit"),
            method("GET", "/org", "org"),
        ];
        let findings = live_lambda_permission_findings(&methods, &api, |f| {
            match f.rsplit(':').next().unwrap() {
                "list" => PolicyRead::Policy(permission(
                    "arn:aws:execute-api:us-east-1:111122223333:a1b2c3/prod/GET/pets",
                )),
                "orders" => PolicyRead::Policy(permission(
                    "arn:aws:execute-api:us-east-1:111122223333:a1b2c3/*/GET/orders",
                )),
                "one" => PolicyRead::Policy(permission(
                    "arn:aws:execute-api:us-east-1:111122223333:a1b2c3/*/GET/pets/{id}",
                )),
                "org" => PolicyRead::Policy(json!({"Statement": [{"Effect": "Allow",
                    "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "lambda:InvokeFunction",
                    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}]})),
                _ => PolicyRead::Unreadable(
                    "GetPolicy: Lambda answered 403 AccessDeniedException".into(),
                ),
            }
        });
        let by = |name: &str| {
            findings
                .iter()
                .find(|f| {
                    f.evidence["function"]
                        .as_str()
                        .is_some_and(|x| x.ends_with(&format!(":{name}")))
                })
                .unwrap_or_else(|| panic!("{name}: {findings:?}"))
        };
        let list = by("list");
        assert_eq!(list.code, LAMBDA_PERMISSION_MISSING);
        assert_eq!(list.evidence["refused"], json!(["dev GET /pets"]));
        assert!(
            list.message.contains("for some of their calls"),
            "{}",
            list.message
        );
        let orders = by("orders");
        assert_eq!(orders.evidence["calls"], 14);
        assert_eq!(orders.evidence["calls_refused"], 12);
        // A path parameter written literally: refused, and the fix says why.
        let one = by("one");
        assert_eq!(one.evidence["certain"], true);
        assert!(
            one.message.contains("write * in its place"),
            "{}",
            one.message
        );
        let org = by("org");
        assert_eq!(org.evidence["certain"], false);
        assert!(
            org.message.contains("aws:PrincipalOrgID"),
            "{}",
            org.message
        );
        let audit = by("audit");
        assert_eq!(audit.code, LAMBDA_POLICY_UNREADABLE);
        assert_eq!(findings.len(), 5);
        // Not deployed: no call to check, and said so (nothing is read).
        let undeployed = LiveApi {
            stages: Vec::new(),
            ..api.clone()
        };
        let said = live_lambda_permission_findings(&methods, &undeployed, |_| unreachable!());
        assert_eq!(said.len(), 1, "{said:?}");
        assert_eq!(said[0].severity, crate::finding::Severity::Info);
        assert!(said[0].message.contains("no stage"), "{}", said[0].message);
        // At most MAX_LIVE_FUNCTIONS policies are read; the rest are said not checked.
        let many: Vec<Method> = (0..MAX_LIVE_FUNCTIONS + 5)
            .map(|n| method("GET", &format!("/f{n}"), &format!("f{n}")))
            .collect();
        let mut reads = 0;
        let findings = live_lambda_permission_findings(&many, &api, |_| {
            reads += 1;
            PolicyRead::NoPolicy
        });
        assert_eq!(reads, MAX_LIVE_FUNCTIONS);
        let last = findings.last().unwrap();
        assert_eq!(last.code, LAMBDA_POLICY_UNREADABLE);
        assert_eq!(last.evidence["count"], 5);
    }

    /// API a1b2c3 of account 111122223333 in us-east-1, with these stages.
    fn test_api(stages: &[&str]) -> LiveApi {
        LiveApi {
            partition: "aws".into(),
            region: "us-east-1".into(),
            account: Some("111122223333".into()),
            api_id: "a1b2c3".into(),
            stages: stages.iter().map(|s| s.to_string()).collect(),
            stage_variables: Some(Default::default()),
            http: false,
            websocket: false,
        }
    }

    /// A function named through a stage variable is resolved per stage: each stage's calls
    /// are judged against the policy of the function its variables name; a stage without the
    /// variable, and stages whose variables were not read, are said not checked.
    #[test]
    fn live_functions_named_by_stage_variables() {
        let m = Method {
            method: "GET".into(),
            path: "/orders".into(),
            resource_id: None,
            location: "$.items['/orders'].GET".into(),
            integration: Some(Integration {
                type_name: Some("AWS_PROXY".into()),
                uri: Some("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:111122223333:function:${stageVariables.fn}/invocations".into()),
                ..Integration::default()
            }),
            auth: Vec::new(),
        };
        let mut api = test_api(&["dev", "prod", "test"]);
        api.stage_variables = Some(
            [("dev", "orders-dev"), ("prod", "orders-prod")]
                .into_iter()
                .map(|(s, f)| (s.to_string(), vec![("fn".to_string(), f.to_string())]))
                .collect(),
        );
        // orders-dev allows every call of this API; orders-prod has no policy.
        let open = json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"},
            "Action": "lambda:InvokeFunction",
            "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:us-east-1:111122223333:a1b2c3/*"}}}]});
        let mut read = Vec::new();
        let findings = live_lambda_permission_findings(std::slice::from_ref(&m), &api, |f| {
            read.push(f.to_string());
            if f.ends_with(":orders-dev") {
                PolicyRead::Policy(open.clone())
            } else {
                PolicyRead::NoPolicy
            }
        });
        assert_eq!(read.len(), 2, "{read:?}");
        let missing: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.code == LAMBDA_PERMISSION_MISSING)
            .collect();
        assert_eq!(missing.len(), 1, "{findings:?}");
        assert!(
            missing[0].evidence["function"]
                .as_str()
                .unwrap()
                .ends_with(":orders-prod")
        );
        assert_eq!(missing[0].evidence["refused"], json!(["prod GET /orders"]));
        assert_eq!(missing[0].evidence["calls"], 1);
        let test = findings
            .iter()
            .find(|f| f.code == STAGE_VARIABLE_UNDEFINED)
            .unwrap();
        assert_eq!(test.evidence["stage"], "test");
        assert_eq!(test.evidence["variable"], "fn");
        // The stages' variables not read: said, not guessed.
        api.stage_variables = None;
        let findings =
            live_lambda_permission_findings(std::slice::from_ref(&m), &api, |_| unreachable!());
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(
            findings[0].message.contains("were not read"),
            "{}",
            findings[0].message
        );
    }

    /// The live check's bounds: calls past MAX_LIVE_CALLS are counted, not checked; a policy
    /// with more statements than a function's can hold is not judged.
    #[test]
    fn live_checks_are_bounded() {
        let uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:111122223333:function:f/invocations";
        let per_method = VERBS.len();
        let n = MAX_LIVE_CALLS / per_method + 10;
        let methods: Vec<Method> = (0..n)
            .map(|i| Method {
                method: "ANY".into(),
                path: format!("/p{i}"),
                resource_id: None,
                location: format!("$.items[{i}]"),
                integration: Some(Integration {
                    type_name: Some("AWS_PROXY".into()),
                    uri: Some(uri.into()),
                    ..Integration::default()
                }),
                auth: Vec::new(),
            })
            .collect();
        let api = test_api(&["prod"]);
        let open = json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "lambda:InvokeFunction"}]});
        let findings =
            live_lambda_permission_findings(&methods, &api, |_| PolicyRead::Policy(open.clone()));
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].code, LAMBDA_POLICY_UNREADABLE);
        assert_eq!(
            findings[0].evidence["count"],
            n * per_method - MAX_LIVE_CALLS
        );
        let statement = open["Statement"][0].clone();
        let huge = json!({"Statement": vec![statement; MAX_POLICY_STATEMENTS + 1]});
        let findings = live_lambda_permission_findings(&methods[..1], &api, |_| {
            PolicyRead::Policy(huge.clone())
        });
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(
            findings[0].message.contains("201 statements"),
            "{}",
            findings[0].message
        );
    }

    /// Live authorizers: one whose function does not exist, one whose policy cannot be read
    /// (both functions read once though two authorizers share one), one with credentials and
    /// a Cognito one (not judged), one no method uses (not read).
    #[test]
    fn live_authorizers_against_their_functions_policies() {
        let function = |f: &str| {
            Some(format!(
                "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:111122223333:function:{f}/invocations"
            ))
        };
        let authorizer =
            |id: &str, kind: &str, f: &str, credentials: Option<&str>| LiveAuthorizer {
                id: id.into(),
                name: format!("auth-{id}"),
                kind: kind.into(),
                uri: function(f),
                credentials: credentials.map(str::to_string),
            };
        let authorizers = vec![
            authorizer("a1", "TOKEN", "ghost", None),
            authorizer("a2", "REQUEST", "locked", None),
            authorizer("a3", "TOKEN", "locked", None),
            authorizer(
                "a4",
                "TOKEN",
                "roled",
                Some("arn:aws:iam::111122223333:role/invoke"),
            ),
            authorizer("a5", "COGNITO_USER_POOLS", "ghost", None),
            authorizer("a6", "TOKEN", "unused", None),
        ];
        let method = |path: &str, id: &str| Method {
            method: "GET".into(),
            path: path.into(),
            resource_id: None,
            location: format!("$.items['{path}'].GET"),
            integration: None,
            auth: vec![format!("CUSTOM authorizer {id}")],
        };
        let methods: Vec<Method> = ["a1", "a2", "a3", "a4", "a5"]
            .iter()
            .map(|id| method(&format!("/{id}"), id))
            .collect();
        let api = test_api(&[]);
        let mut reads = Vec::new();
        let findings = live_authorizer_permission_findings(&methods, &authorizers, &api, |f| {
            reads.push(f.to_string());
            if f.ends_with(":ghost") {
                PolicyRead::NoFunction(format!("Function not found: {f}"))
            } else {
                PolicyRead::Unreadable(
                    "GetPolicy: Lambda answered 403 AccessDeniedException".into(),
                )
            }
        });
        assert_eq!(reads.len(), 2, "{reads:?}");
        let codes: Vec<(&str, &str)> = findings
            .iter()
            .map(|f| (f.code, f.evidence["authorizer"].as_str().unwrap()))
            .collect();
        assert_eq!(
            codes,
            [
                (LAMBDA_FUNCTION_NOT_FOUND, "auth-a1"),
                (LAMBDA_POLICY_UNREADABLE, "auth-a2"),
                (LAMBDA_POLICY_UNREADABLE, "auth-a3"),
            ]
        );
        assert_eq!(
            live_authorizer_ids(&methods)
                .into_iter()
                .collect::<Vec<_>>(),
            ["a1", "a2", "a3", "a4", "a5"]
        );
    }

    #[test]
    fn sub_with_variables_names_the_referenced_function() {
        // What SAM writes for a Lambda authorizer's URI.
        let sam = json!({"Fn::Sub": [
            "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}/invocations",
            {"__FunctionArn__": {"Fn::GetAtt": ["MyAuthFn", "Arn"]}}
        ]})
        .to_string();
        assert_eq!(
            integrated_function(&sub_variables(&sam), false),
            Some(FunctionRef::Reference("MyAuthFn"))
        );
        let short = json!({"Fn::Sub": ["arn:aws:apigateway:r:lambda:path/2015-03-31/functions/${F}/invocations",
            {"F": {"Fn::GetAtt": "Other.Arn"}}]})
        .to_string();
        assert_eq!(
            integrated_function(&sub_variables(&short), false),
            Some(FunctionRef::Reference("Other"))
        );
        // A variable whose value is not a reference stays as it is; other forms are untouched.
        let plain = "arn:aws:apigateway:r:lambda:path/2015-03-31/functions/arn:aws:lambda:r:1:function:f/invocations";
        assert_eq!(sub_variables(plain), plain);
        let unknown = json!({"Fn::Sub": ["${X}", {"X": {"Fn::ImportValue": "e"}}]}).to_string();
        assert_eq!(
            sub_variables(&unknown),
            json!({"Fn::Sub": "${X}"}).to_string()
        );
    }

    #[test]
    fn an_operation_under_a_condition_is_its_branch_that_exists() {
        let op = json!({"Fn::If": ["C", {"Ref": "AWS::NoValue"}, {"responses": {}}]});
        let (branch, at) = condition_branch(&op, "$.paths['/a'].get".into());
        assert_eq!(branch, &json!({"responses": {}}));
        assert_eq!(at, "$.paths['/a'].get['Fn::If'][2]");
        let nested = json!({"Fn::If": ["C", {"Fn::If": ["D", {"x": 1}, {"x": 2}]}, {"x": 3}]});
        let (branch, at) = condition_branch(&nested, "$".into());
        assert_eq!(branch, &json!({"x": 1}));
        assert_eq!(at, "$['Fn::If'][1]['Fn::If'][1]");
        // Not a condition: as it is.
        let plain = json!({"Fn::If": "not a list", "get": {}});
        assert_eq!(condition_branch(&plain, "$".into()).0, &plain);
    }

    #[test]
    fn the_function_a_lambda_integration_invokes_by_reference() {
        let uri = |f: &str| {
            format!(
                "arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/{f}/invocations"
            )
        };
        let rest = |u: &str| integrated_function(&uri(u), false).map(|f| format!("{f:?}"));
        // !Sub ...${Fn.Arn}..., CDK's Fn::Join with Fn::GetAtt, the function's name (Ref), and
        // a Terraform plan's invoke_arn known after apply.
        assert_eq!(
            rest("${ListFn.Arn}").as_deref(),
            Some("Reference(\"ListFn\")")
        );
        assert_eq!(
            rest(
                "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${ListFn}"
            )
            .as_deref(),
            Some("Reference(\"ListFn\")")
        );
        assert_eq!(
            rest("${module.api.aws_lambda_function.list.arn (known after apply)}").as_deref(),
            Some("Reference(\"module.api.aws_lambda_function.list\")")
        );
        // Written out (a state's value): by its name.
        assert_eq!(
            rest("arn:aws:lambda:eu-west-1:123456789012:function:list").as_deref(),
            Some("Name(\"list\")")
        );
        // Through an alias, a version or a stage variable: not judged.
        for other in [
            "${ListFn.Arn}:live",
            "${ListAlias}",
            "arn:aws:lambda:eu-west-1:123456789012:function:list:live",
            "arn:aws:lambda:eu-west-1:123456789012:function:list:${stageVariables.alias}",
            "arn:aws:lambda:eu-west-1:123456789012:function:${stageVariables.fn}",
        ] {
            assert_eq!(rest(other), None, "{other}");
        }
        assert_eq!(
            integrated_function("https://example.com/functions/x", true),
            None
        );
        // A body's Fn::Sub, kept as its JSON text, as a string or with a variable map.
        let sub = serde_json::json!({"Fn::Sub": uri("${AuthFn.Arn}")}).to_string();
        assert_eq!(
            integrated_function(&sub, false),
            Some(FunctionRef::Reference("AuthFn"))
        );
        let listed =
            |f: &str| serde_json::json!({"Fn::Sub": [uri(f), {"Stage": "v1"}]}).to_string();
        assert_eq!(
            integrated_function(&listed("${AuthFn.Arn}"), false),
            Some(FunctionRef::Reference("AuthFn"))
        );
        // A variable of the map (its value unread) is no function's reference.
        assert_eq!(integrated_function(&listed("${Fn}"), false), None);
        // An HTTP API's integration URI may be the function's ARN itself; a REST API's not.
        for (arn, f) in [
            ("${ListFn.Arn}", FunctionRef::Reference("ListFn")),
            (
                "${aws_lambda_function.list.arn (known after apply)}",
                FunctionRef::Reference("aws_lambda_function.list"),
            ),
            (
                "arn:aws:lambda:eu-west-1:123456789012:function:list",
                FunctionRef::Name("list"),
            ),
        ] {
            assert_eq!(integrated_function(arn, true), Some(f), "{arn}");
            assert_eq!(integrated_function(arn, false), None, "{arn}");
        }
        assert_eq!(
            integrated_function(
                "arn:aws:lambda:eu-west-1:123456789012:function:list:live",
                true
            ),
            None
        );
    }

    #[test]
    fn override_statuses_are_found_in_templates() {
        let t = "#set($inputRoot = $input.path('$'))\n#if($inputRoot.toString().contains(\"customerror\"))\n#set($context.responseOverride.status = 400)\n#end";
        assert_eq!(override_statuses(t), ["400"]);
        assert!(override_statuses("$input.json('$')").is_empty());
        // Commented out: no override.
        for commented in [
            "## #set($context.responseOverride.status = 500)\n$input.json('$')",
            "#* #set($context.responseOverride.status = 500) *#",
            "#*\n#set($context.responseOverride.status = 500)\n",
        ] {
            assert!(override_statuses(commented).is_empty(), "{commented}");
        }
        assert_eq!(
            override_statuses("#* x *##set($context.responseOverride.status = 404)"),
            ["404"]
        );
    }

    #[test]
    fn link_errors_in_every_format() {
        let e = parse_link_error("An error occurred (BadRequestException) when calling the DeleteVpcLink operation: Cannot delete vpc link. Vpc link 'abc123', is referenced in [a1b2c3d4e5:GET:r2d2xx:prod, a1b2c3d4e5:POST:c3po00:dev] in format of [RESTApiId:Method:Resource:Stage].").unwrap();
        assert_eq!(e.link_id.as_deref(), Some("abc123"));
        assert_eq!(e.users.len(), 2);
        assert_eq!(e.users[1].stage.as_deref(), Some("dev"));
        assert_eq!(e.users[0].api_id.as_deref(), Some("a1b2c3d4e5"));
        let e = parse_link_error("Cannot delete vpc link. Vpc link 'x', is referenced in [ANY:kx106x:dev] in format of [Method:Resource:Stage].").unwrap();
        assert_eq!(e.users[0].method.as_deref(), Some("ANY"));
        assert_eq!(e.users[0].resource_id.as_deref(), Some("kx106x"));
        let e = parse_link_error(
            "Vpc link 'v', is referenced in [GET:abc, DELETE:def] in format of [Method:Resource].",
        )
        .unwrap();
        assert_eq!(e.users.len(), 2);
        assert_eq!(e.users[1].stage, None);
        assert!(parse_link_error("Cannot delete vpc link").is_err());
        assert!(
            parse_link_error("referenced in [GET:a:b] in format of [Method:Resource]").is_err()
        );
    }

    #[test]
    fn stage_variable_typos_are_found() {
        assert_eq!(
            stage_variable_typo("https://{stageVariables.host}/x").as_deref(),
            Some("{stageVariables.host}")
        );
        assert_eq!(
            stage_variable_typo("https://$stageVariables.host/x").as_deref(),
            Some("$stageVariables.host")
        );
        assert_eq!(
            stage_variable_typo("https://${stageVariables.host}/x"),
            None
        );
    }

    #[test]
    fn links_resolve_per_stage() {
        let vars = vec![("link".to_string(), "abc".to_string())];
        assert_eq!(link_on_stage("abc", "abc", &[]), Some(true));
        assert_eq!(
            link_on_stage("${stageVariables.link}", "abc", &vars),
            Some(true)
        );
        assert_eq!(
            link_on_stage("${stageVariables.link}", "xyz", &vars),
            Some(false)
        );
        assert_eq!(link_on_stage("${stageVariables.other}", "abc", &vars), None);
        assert_eq!(link_on_stage("zzz", "abc", &vars), Some(false));
    }

    #[test]
    fn stage_variable_links_may_be_in_use() {
        assert_eq!(link_use("abc123", "abc123"), Some(true));
        assert_eq!(
            link_use("${stageVariables.vpcLinkId}", "abc123"),
            Some(false)
        );
        assert_eq!(link_use("zzz999", "abc123"), None);
        assert_eq!(link_use(r#"{"Ref":"VpcLink"}"#, "abc123"), Some(false));
        assert_eq!(
            link_use(r#"{"Fn::ImportValue":"shared-link"}"#, "abc123"),
            Some(false)
        );
        assert_eq!(link_use("<vpc-link-id>", "abc123"), Some(false));
    }
}
