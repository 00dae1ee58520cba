//! REST APIs written as CloudFormation resources (what `cdk synth` prints, and hand-written
//! templates): `AWS::ApiGateway::RestApi` with its `Resource`, `Method` (integration,
//! integration and method responses), `Authorizer`, `RequestValidator` and `Model`
//! resources, read into the OpenAPI 3 definition with API Gateway's extensions that an
//! export of the same API holds. The definition is put where an inline one would be (the
//! RestApi's `Properties.Body`), so every command that reads inline definitions reads these
//! too; each operation and integration names the resource it came from
//! (`x-apigw-doctor-origin`), so findings point at the user's own template.
use super::intrinsics::Resolver;
use super::{ORIGIN, Read};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// Marks a definition this module wrote (not the user's).
pub const SYNTHESIZED: &str = "x-apigw-doctor-synthesized";
/// The stages a template deploys the API to: name → {"variables": {...}, origin}.
pub const STAGES: &str = "x-apigw-doctor-stages";

struct Api {
    id: String,
    definition: Map<String, Value>,
    paths: Map<String, Value>,
    schemes: Map<String, Value>,
    schemas: Map<String, Value>,
    validators: Map<String, Value>,
    stages: Map<String, Value>,
    methods: usize,
}

/// Where a method, its integration and each integration response are written in the user's
/// file, when that is not inside the template's `$.Resources.ID` (Terraform: each is a
/// resource of its own).
#[derive(Debug, Clone)]
pub struct Origin {
    pub method: String,
    pub integration: String,
    pub responses: Vec<String>,
}

impl Origin {
    /// A resource written whole at `path` (a Terraform resource of its own).
    pub fn whole(path: &str) -> Self {
        Origin {
            method: path.to_string(),
            integration: path.to_string(),
            responses: Vec::new(),
        }
    }
}

pub type Origins = HashMap<String, Origin>;

/// Reads the resource-form REST APIs of a template into inline definitions; None when the
/// template has none.
pub fn read(template: &mut Value, overrides: &[(String, String)]) -> Option<Read> {
    read_as(
        template,
        overrides,
        "CloudFormation template",
        &Origins::new(),
    )
}

/// `read`, naming the source `kind` and placing methods by `origins`.
pub fn read_as(
    template: &mut Value,
    overrides: &[(String, String)],
    kind: &'static str,
    origins: &Origins,
) -> Option<Read> {
    let resources = template.get("Resources")?.as_object()?;
    let of_type = |t: &str| -> Vec<(&String, &Value)> {
        resources
            .iter()
            .filter(|(_, r)| r.get("Type").and_then(Value::as_str) == Some(t))
            .collect()
    };
    let rest_apis = of_type("AWS::ApiGateway::RestApi");
    let methods = of_type("AWS::ApiGateway::Method");
    if methods.is_empty() && rest_apis.is_empty() {
        return None;
    }
    let resolver = Resolver::new(template, overrides);
    let mut read = Read::new(kind);
    // A deployment of an API with no methods is refused (BadRequestException "The REST API
    // doesn't contain any methods" [AWS: AWS::ApiGateway::Deployment]).
    let deployed: std::collections::HashSet<String> = of_type("AWS::ApiGateway::Deployment")
        .iter()
        .filter_map(|(_, d)| {
            d.pointer("/Properties/RestApiId/Ref")
                .and_then(Value::as_str)
        })
        .map(str::to_string)
        .collect();
    let method_resources = MethodResourceApis::of(resources);
    let refuse_empty = |id: &str, read: &mut Read| {
        if deployed.contains(id) && !method_resources.may_give_methods_to(id) {
            read.faults.push(super::Fault {
                code: super::API_WITHOUT_METHODS,
                error: true,
                api: id.to_string(),
                location: crate::locate::resource_path(id),
                message: format!(
                    "{id} has no methods and the template deploys it: API Gateway refuses the deployment (BadRequestException \"The REST API doesn't contain any methods\"), so the stack fails; give it its methods (or its events, in SAM), or remove it"
                ),
            });
        }
    };
    let mut apis: HashMap<String, Api> = HashMap::new();
    for (id, r) in &rest_apis {
        let props = r.get("Properties");
        let has = |k: &str| props.and_then(|p| p.get(k)).is_some();
        if let Some(body) = props.and_then(|p| p.get("Body")) {
            if body
                .get("paths")
                .and_then(Value::as_object)
                .is_some_and(|p| {
                    p.values()
                        .all(|item| crate::checks::lint::operation_count(item) == 0)
                })
            {
                refuse_empty(id, &mut read);
            }
            if body.get("paths").is_none() && body.get("Fn::If").is_none() {
                read.not_readable.push(format!(
                    "{id}: its Body is not an OpenAPI definition the tool can read (AWS::Include, a value known only after apply, or text that is not JSON): give the API's export instead"
                ));
            }
            continue;
        }
        if has("BodyS3Location") {
            read.not_readable.push(format!(
                "{id}: its definition is in S3 (BodyS3Location), which the tool does not read: give the API's export (aws apigateway get-export) instead"
            ));
            continue;
        }
        let mut definition = Map::new();
        definition.insert("openapi".into(), json!("3.0.1"));
        let name = props
            .and_then(|p| p.get("Name"))
            .and_then(|n| resolver.text(n))
            .unwrap_or_else(|| id.to_string());
        definition.insert(
            "info".into(),
            json!({"title": name, "version": "cloudformation"}),
        );
        if let Some(p) = props {
            resolver.copy_values(
                p,
                &[
                    ("Policy", "x-amazon-apigateway-policy"),
                    ("BinaryMediaTypes", "x-amazon-apigateway-binary-media-types"),
                    ("ApiKeySourceType", "x-amazon-apigateway-api-key-source"),
                ],
                &mut definition,
            );
        }
        apis.insert(
            id.to_string(),
            Api {
                id: id.to_string(),
                definition,
                paths: Map::new(),
                schemes: Map::new(),
                schemas: Map::new(),
                validators: Map::new(),
                stages: Map::new(),
                methods: 0,
            },
        );
    }
    let paths = resource_paths(resources);
    for (id, m) in &methods {
        let Some(props) = m.get("Properties") else {
            continue;
        };
        let Some(api_id) = props.get("RestApiId").and_then(reference) else {
            read.not_readable.push(format!(
                "{id}: its RestApiId is not a Ref to a RestApi of this template (an imported or parameter API): its method is not read"
            ));
            continue;
        };
        let Some(api) = apis.get_mut(&api_id) else {
            continue;
        };
        let path = match props.get("ResourceId") {
            Some(r) if is_root(r, &api_id) => Some("/".to_string()),
            Some(r) => reference(r).and_then(|res| paths.get(&res).cloned().flatten()),
            None => None,
        };
        let Some(path) = path else {
            read.not_readable.push(format!(
                "{id}: the path of its ResourceId cannot be built from this template's AWS::ApiGateway::Resource chain"
            ));
            continue;
        };
        let verb = props
            .get("HttpMethod")
            .and_then(|v| resolver.text(v))
            .unwrap_or_default()
            .to_ascii_uppercase();
        let key = if verb == "ANY" {
            "x-amazon-apigateway-any-method".to_string()
        } else {
            verb.to_ascii_lowercase()
        };
        let placed = origins.get(id.as_str()).cloned().unwrap_or_else(|| Origin {
            method: crate::locate::resource_path(id),
            integration: format!(
                "{}.Properties.Integration",
                crate::locate::resource_path(id)
            ),
            responses: Vec::new(),
        });
        let op = operation(&placed, props, resources, &resolver, api);
        api.methods += 1;
        let item = api
            .paths
            .entry(path)
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(item) = item.as_object_mut() {
            item.insert(key, Value::Object(op));
        }
    }
    // Stages and their variables (`AWS::ApiGateway::Stage`), for checks of
    // `${stageVariables.NAME}` and for `trace --stage`.
    for (sid, st) in of_type("AWS::ApiGateway::Stage") {
        let Some(props) = st.get("Properties") else {
            continue;
        };
        let Some(api) = props
            .get("RestApiId")
            .and_then(reference)
            .and_then(|a| apis.get_mut(&a))
        else {
            continue;
        };
        let Some(name) = props.get("StageName").and_then(|n| resolver.text(n)) else {
            continue;
        };
        let variables = props
            .get("Variables")
            .map(|v| resolver.value(v))
            .unwrap_or(json!({}));
        api.stages.insert(
            name,
            json!({"variables": variables, ORIGIN: origins.get(sid.as_str()).map_or_else(|| crate::locate::resource_path(sid), |o| o.method.clone())}),
        );
    }
    read.unresolved = resolver.unresolved.get();
    let template_resources = template.get_mut("Resources")?.as_object_mut()?;
    let mut ids: Vec<&String> = apis.keys().collect();
    ids.sort();
    let ids: Vec<String> = ids.into_iter().cloned().collect();
    for id in ids {
        let Some(api) = apis.remove(&id) else {
            continue;
        };
        read.apis += 1;
        read.methods += api.methods;
        if api.methods == 0 {
            refuse_empty(&id, &mut read);
        }
        let mut definition = api.definition;
        definition.insert("paths".into(), Value::Object(api.paths));
        let mut components = Map::new();
        if !api.schemes.is_empty() {
            components.insert("securitySchemes".into(), Value::Object(api.schemes));
        }
        if !api.schemas.is_empty() {
            components.insert("schemas".into(), Value::Object(api.schemas));
        }
        if !components.is_empty() {
            definition.insert("components".into(), Value::Object(components));
        }
        if !api.stages.is_empty() {
            definition.insert(STAGES.into(), Value::Object(api.stages));
        }
        if !api.validators.is_empty() {
            definition.insert(
                "x-amazon-apigateway-request-validators".into(),
                Value::Object(api.validators),
            );
        }
        definition.insert(
            SYNTHESIZED.into(),
            json!({"from": crate::locate::resource_path(&api.id)}),
        );
        if let Some(props) = template_resources
            .get_mut(&id)
            .and_then(|r| r.as_object_mut())
            .map(|r| {
                r.entry("Properties")
                    .or_insert_with(|| Value::Object(Map::new()))
            })
            .and_then(Value::as_object_mut)
        {
            props.insert("Body".into(), Value::Object(definition));
        }
    }
    Some(read)
}

/// The APIs a template's `AWS::ApiGateway::Method` resources (or an HTTP API's
/// `AWS::ApiGatewayV2::Route` resources) name (by `Ref` or `Fn::GetAtt`), read or not: an API
/// none names has no methods from them, unless one names its API in another way (then any may
/// have).
pub(crate) struct MethodResourceApis {
    named: std::collections::HashSet<String>,
    unattributed: bool,
}

impl MethodResourceApis {
    pub(crate) fn of(resources: &Map<String, Value>) -> Self {
        Self::of_type(
            resources,
            "AWS::ApiGateway::Method",
            "/Properties/RestApiId",
        )
    }

    /// The APIs the template's AWS::ApiGatewayV2::Route resources may give routes.
    pub(crate) fn of_routes(resources: &Map<String, Value>) -> Self {
        Self::of_type(resources, "AWS::ApiGatewayV2::Route", "/Properties/ApiId")
    }

    fn of_type(resources: &Map<String, Value>, kind: &str, api: &str) -> Self {
        let mut out = MethodResourceApis {
            named: Default::default(),
            unattributed: false,
        };
        for m in resources
            .values()
            .filter(|r| r.get("Type").and_then(Value::as_str) == Some(kind))
        {
            match m.pointer(api).and_then(referenced_resource) {
                Some(api) => {
                    out.named.insert(api.to_string());
                }
                None => out.unattributed = true,
            }
        }
        out
    }

    /// Whether the template's Method resources may give the API `id` methods.
    pub(crate) fn may_give_methods_to(&self, id: &str) -> bool {
        self.unattributed || self.named.contains(id)
    }
}

/// The resource a `Ref` or `Fn::GetAtt` (`[ID, ATTRIBUTE]` or `"ID.ATTRIBUTE"`) names.
fn referenced_resource(v: &Value) -> Option<&str> {
    v.get("Ref")
        .and_then(Value::as_str)
        .or_else(|| match v.get("Fn::GetAtt") {
            Some(Value::Array(a)) => a.first().and_then(Value::as_str),
            Some(Value::String(s)) => s.split('.').next(),
            _ => None,
        })
}

fn reference(v: &Value) -> Option<String> {
    v.get("Ref").and_then(Value::as_str).map(str::to_string)
}

/// `{"Fn::GetAtt": [API, "RootResourceId"]}` (or `"API.RootResourceId"`).
fn is_root(v: &Value, api: &str) -> bool {
    match v.get("Fn::GetAtt") {
        Some(Value::Array(a)) => {
            a.first().and_then(Value::as_str) == Some(api)
                && a.get(1).and_then(Value::as_str) == Some("RootResourceId")
        }
        Some(Value::String(s)) => s == &format!("{api}.RootResourceId"),
        _ => false,
    }
}

/// The full path of every `AWS::ApiGateway::Resource`, from its `ParentId` chain (None when
/// a link of it is not in the template, or the chain loops). Each resource is walked once.
fn resource_paths(resources: &Map<String, Value>) -> HashMap<String, Option<String>> {
    let mut out: HashMap<String, Option<String>> = HashMap::new();
    let is_resource = |id: &str| {
        resources
            .get(id)
            .and_then(|r| r.get("Type"))
            .and_then(Value::as_str)
            == Some("AWS::ApiGateway::Resource")
    };
    for id in resources.keys().filter(|id| is_resource(id)) {
        // Walk up to the root or to a resource already known, then fill in on the way down.
        let mut chain: Vec<(String, String)> = Vec::new();
        let mut at = id.clone();
        let base: Option<String> = loop {
            if let Some(known) = out.get(&at) {
                break known.clone();
            }
            if chain.iter().any(|(c, _)| c == &at) || !is_resource(&at) {
                break None;
            }
            let props = resources.get(&at).and_then(|r| r.get("Properties"));
            let Some(part) = props
                .and_then(|p| p.get("PathPart"))
                .and_then(Value::as_str)
            else {
                break None;
            };
            chain.push((at.clone(), part.to_string()));
            match props.and_then(|p| p.get("ParentId")) {
                Some(p) if p.get("Fn::GetAtt").is_some() => break Some(String::new()),
                Some(p) => match reference(p) {
                    Some(parent) => at = parent,
                    None => break None,
                },
                None => break None,
            }
        };
        let mut path = base;
        for (rid, part) in chain.into_iter().rev() {
            path = path.map(|p| format!("{p}/{part}"));
            out.insert(rid, path.clone());
        }
    }
    out
}

/// One `AWS::ApiGateway::Method` as an export operation.
fn operation(
    origin: &Origin,
    props: &Value,
    resources: &Map<String, Value>,
    resolver: &Resolver<'_>,
    api: &mut Api,
) -> Map<String, Value> {
    let mut op = Map::new();
    op.insert(ORIGIN.into(), json!(origin.method));
    // Method responses: the statuses integration responses may map to.
    let mut responses = Map::new();
    for r in props
        .get("MethodResponses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(status) = r.get("StatusCode").and_then(|s| resolver.text(s)) else {
            continue;
        };
        let mut headers = Map::new();
        for k in r
            .get("ResponseParameters")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|m| m.keys())
        {
            if let Some(h) = k.strip_prefix("method.response.header.") {
                headers.insert(h.to_string(), json!({"schema": {"type": "string"}}));
            }
        }
        let mut response = Map::new();
        response.insert("description".into(), json!(format!("{status} response")));
        if !headers.is_empty() {
            response.insert("headers".into(), Value::Object(headers));
        }
        responses.insert(status, Value::Object(response));
    }
    op.insert("responses".into(), Value::Object(responses));
    // Required parameters.
    let mut parameters = Vec::new();
    for (k, required) in props
        .get("RequestParameters")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let Some(rest) = k.strip_prefix("method.request.") else {
            continue;
        };
        let Some((place, name)) = rest.split_once('.') else {
            continue;
        };
        let place = match place {
            "querystring" => "query",
            "header" | "path" => place,
            _ => continue,
        };
        parameters.push(json!({"name": name, "in": place,
            "required": required.as_bool().unwrap_or(place == "path"),
            "schema": {"type": "string"}}));
    }
    if !parameters.is_empty() {
        op.insert("parameters".into(), Value::Array(parameters));
    }
    // Request models.
    if let Some(models) = props.get("RequestModels").and_then(Value::as_object) {
        let mut content = Map::new();
        for (media, m) in models {
            let name = model(m, resources, resolver, api);
            content.insert(
                media.clone(),
                json!({"schema": {"$ref": format!("#/components/schemas/{name}")}}),
            );
        }
        op.insert("requestBody".into(), json!({"content": content}));
    }
    if let Some(v) = props.get("RequestValidatorId").and_then(reference)
        && let Some(r) = resources.get(&v).and_then(|r| r.get("Properties"))
    {
        let name = r
            .get("Name")
            .and_then(|n| resolver.text(n))
            .unwrap_or_else(|| v.clone());
        let flag = |k: &str| {
            r.get(k)
                .and_then(|b| resolver.text(b))
                .is_some_and(|b| b == "true")
        };
        api.validators.insert(
            name.clone(),
            json!({"validateRequestBody": flag("ValidateRequestBody"),
                   "validateRequestParameters": flag("ValidateRequestParameters")}),
        );
        op.insert("x-amazon-apigateway-request-validator".into(), json!(name));
    }
    // Authorization.
    let mut security = Vec::new();
    let auth = props
        .get("AuthorizationType")
        .and_then(|a| resolver.text(a))
        .unwrap_or_else(|| "NONE".into())
        .to_ascii_uppercase();
    let scopes: Vec<Value> = props
        .get("AuthorizationScopes")
        .map(|s| resolver.value(s))
        .and_then(|s| s.as_array().cloned())
        .unwrap_or_default();
    match auth.as_str() {
        "AWS_IAM" => {
            api.schemes.insert(
                "sigv4".into(),
                json!({"type": "apiKey", "name": "Authorization", "in": "header",
                       "x-amazon-apigateway-authtype": "awsSigv4"}),
            );
            security.push(json!({"sigv4": []}));
        }
        "CUSTOM" | "COGNITO_USER_POOLS" => {
            let name = props
                .get("AuthorizerId")
                .and_then(reference)
                .map(|a| authorizer(&a, resources, resolver, api))
                .unwrap_or_else(|| {
                    api.schemes.insert(
                        "unresolved-authorizer".into(),
                        json!({"type": "apiKey", "name": "Authorization", "in": "header"}),
                    );
                    "unresolved-authorizer".into()
                });
            security.push(json!({ name: scopes }));
        }
        _ => {}
    }
    if props
        .get("ApiKeyRequired")
        .and_then(|b| resolver.text(b))
        .is_some_and(|b| b == "true")
    {
        api.schemes.insert(
            "api_key".into(),
            json!({"type": "apiKey", "name": "x-api-key", "in": "header"}),
        );
        security.push(json!({"api_key": []}));
    }
    if !security.is_empty() {
        op.insert("security".into(), Value::Array(security));
    }
    if let Some(i) = props.get("Integration") {
        op.insert(
            "x-amazon-apigateway-integration".into(),
            Value::Object(integration(origin, i, resolver)),
        );
    }
    op
}

/// An `AWS::ApiGateway::Model` as a schema of the definition; its name.
fn model(
    m: &Value,
    resources: &Map<String, Value>,
    resolver: &Resolver<'_>,
    api: &mut Api,
) -> String {
    let (name, schema) = match reference(m) {
        Some(id) => {
            let props = resources.get(&id).and_then(|r| r.get("Properties"));
            let name = props
                .and_then(|p| p.get("Name"))
                .and_then(|n| resolver.text(n))
                .unwrap_or(id);
            let schema = props
                .and_then(|p| p.get("Schema"))
                .map(|s| match s {
                    // A schema written as a JSON string.
                    Value::String(text) => serde_json::from_str(text).unwrap_or(json!({})),
                    other => resolver.value(other),
                })
                .unwrap_or(json!({}));
            (name, schema)
        }
        // A built-in model ("Empty", "Error") named directly.
        None => (
            resolver.text(m).unwrap_or_else(|| "Empty".into()),
            json!({"type": "object"}),
        ),
    };
    api.schemas.entry(name.clone()).or_insert(schema);
    name
}

/// An `AWS::ApiGateway::Authorizer` as a security scheme; its name.
fn authorizer(
    id: &str,
    resources: &Map<String, Value>,
    resolver: &Resolver<'_>,
    api: &mut Api,
) -> String {
    let props = resources.get(id).and_then(|r| r.get("Properties"));
    let get = |k: &str| props.and_then(|p| p.get(k));
    let name = get("Name")
        .and_then(|n| resolver.text(n))
        .unwrap_or_else(|| id.to_string());
    let kind = get("Type")
        .and_then(|t| resolver.text(t))
        .unwrap_or_default()
        .to_ascii_lowercase();
    let identity = get("IdentitySource")
        .and_then(|s| resolver.text(s))
        .unwrap_or_default();
    let header = identity
        .split(',')
        .next()
        .and_then(|s| s.trim().strip_prefix("method.request.header."))
        .unwrap_or("Authorization")
        .to_string();
    let mut a = Map::new();
    a.insert("type".into(), json!(kind));
    if !identity.is_empty() {
        a.insert("identitySource".into(), json!(identity));
    }
    for (cfn, ext) in [
        ("AuthorizerUri", "authorizerUri"),
        ("AuthorizerCredentials", "authorizerCredentials"),
        (
            "IdentityValidationExpression",
            "identityValidationExpression",
        ),
        (
            "AuthorizerResultTtlInSeconds",
            "authorizerResultTtlInSeconds",
        ),
        ("ProviderARNs", "providerARNs"),
    ] {
        if let Some(v) = get(cfn) {
            a.insert(ext.into(), resolver.value(v));
        }
    }
    let authtype = if kind == "cognito_user_pools" {
        "cognito_user_pools"
    } else {
        "custom"
    };
    api.schemes.insert(
        name.clone(),
        json!({"type": "apiKey", "name": header, "in": "header",
               "x-amazon-apigateway-authtype": authtype,
               "x-amazon-apigateway-authorizer": a}),
    );
    name
}

/// A method's `Integration` as `x-amazon-apigateway-integration`.
fn integration(origin: &Origin, i: &Value, resolver: &Resolver<'_>) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert(ORIGIN.into(), json!(origin.integration));
    let text = |k: &str| i.get(k).and_then(|v| resolver.text(v));
    if let Some(t) = text("Type") {
        out.insert("type".into(), json!(t.to_ascii_lowercase()));
    }
    resolver.copy_texts(
        i,
        &[
            ("IntegrationHttpMethod", "httpMethod"),
            ("Uri", "uri"),
            ("ConnectionType", "connectionType"),
            ("ConnectionId", "connectionId"),
            ("Credentials", "credentials"),
            ("PassthroughBehavior", "passthroughBehavior"),
            ("ContentHandling", "contentHandling"),
            ("TimeoutInMillis", "timeoutInMillis"),
        ],
        &mut out,
    );
    resolver.copy_values(
        i,
        &[
            ("RequestParameters", "requestParameters"),
            ("RequestTemplates", "requestTemplates"),
            ("CacheKeyParameters", "cacheKeyParameters"),
        ],
        &mut out,
    );
    let mut responses = Map::new();
    for (n, r) in i
        .get("IntegrationResponses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let pattern = r
            .get("SelectionPattern")
            .and_then(|p| resolver.text(p))
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "default".into());
        let mut response = Map::new();
        let written_at = origin
            .responses
            .get(n)
            .cloned()
            .unwrap_or_else(|| format!("{}.IntegrationResponses[{n}]", origin.integration));
        response.insert(ORIGIN.into(), json!(written_at));
        if let Some(s) = r.get("StatusCode").and_then(|s| resolver.text(s)) {
            response.insert("statusCode".into(), json!(s));
        }
        resolver.copy_values(
            r,
            &[
                ("ResponseParameters", "responseParameters"),
                ("ResponseTemplates", "responseTemplates"),
                ("ContentHandling", "contentHandling"),
            ],
            &mut response,
        );
        responses.entry(pattern).or_insert(Value::Object(response));
    }
    if !responses.is_empty() {
        out.insert("responses".into(), Value::Object(responses));
    }
    out
}

/// The resources of a template that turn API Gateway's logging on (execution logs at ERROR or
/// INFO, data tracing, or REST access logs), and whether it sets the account's CloudWatch Logs
/// role (`AWS::ApiGateway::Account`). Values written as intrinsics are not judged.
pub fn logging_stages(template: &Value) -> (Vec<crate::checks::lint::LoggingStage>, bool) {
    use crate::checks::lint::LoggingStage;
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return (Vec::new(), false);
    };
    let mut stages = Vec::new();
    let mut account = false;
    for (id, r) in resources {
        let props = r.get("Properties");
        let setting = match r.get("Type").and_then(Value::as_str).unwrap_or_default() {
            "AWS::ApiGateway::Account" => {
                account = true;
                None
            }
            "AWS::ApiGateway::Stage" | "AWS::Serverless::Api" => rest_logging(props),
            "AWS::ApiGateway::Deployment" => {
                rest_logging(props.and_then(|p| p.get("StageDescription")))
            }
            // LoggingLevel is a WebSocket API's setting (HTTP APIs log access only, with no
            // account role); access logs need the role on a WebSocket API, whose ApiId names
            // an AWS::ApiGatewayV2::Api with ProtocolType WEBSOCKET.
            // An HTTP API's stage has no execution logs (`http_execution_logging`).
            "AWS::ApiGatewayV2::Stage"
                if api_protocol(resources, props.and_then(|p| p.get("ApiId"))) == Some("HTTP") =>
            {
                None
            }
            "AWS::ApiGatewayV2::Stage" => {
                props.and_then(|p| websocket_logging(p, websocket_api(resources, p.get("ApiId"))))
            }
            // SAM writes its stage with these settings [samtranslator websocket_api_generator.py
            // `_construct_stage`].
            "AWS::Serverless::WebSocketApi" => props.and_then(|p| websocket_logging(p, true)),
            _ => None,
        };
        if let Some(setting) = setting {
            stages.push(LoggingStage {
                resource: id.clone(),
                setting,
                location: crate::locate::resource_path(id),
            });
        }
    }
    // SAM's Globals.WebSocketApi applies to every AWS::Serverless::WebSocketApi.
    let sam_websocket = resources
        .values()
        .any(|r| r.get("Type").and_then(Value::as_str) == Some("AWS::Serverless::WebSocketApi"));
    if sam_websocket
        && let Some(setting) = template
            .pointer("/Globals/WebSocketApi")
            .and_then(|g| websocket_logging(g, true))
    {
        stages.push(LoggingStage {
            resource: "Globals.WebSocketApi".to_string(),
            setting,
            location: "$.Globals.WebSocketApi".to_string(),
        });
    }
    // SAM's Globals.Api applies to every REST API the template makes: its AWS::Serverless::Api
    // resources and the implicit one of its functions' Api events.
    let sam_rest_api = resources.values().any(|r| {
        match r.get("Type").and_then(Value::as_str).unwrap_or_default() {
            "AWS::Serverless::Api" => true,
            "AWS::Serverless::Function" => super::sam::function_has_event(r, &["Api"]),
            _ => false,
        }
    });
    if sam_rest_api && let Some(setting) = rest_logging(template.pointer("/Globals/Api")) {
        stages.push(LoggingStage {
            resource: "Globals.Api".to_string(),
            setting,
            location: "$.Globals.Api".to_string(),
        });
    }
    (stages, account)
}

/// What turns a WebSocket (or V2) stage's logging on: a `LoggingLevel` in its
/// `DefaultRouteSettings` or `RouteSettings`, or, on a stage `websocket` says is a WebSocket
/// API's, `AccessLogSettings`.
fn websocket_logging(p: &Value, websocket: bool) -> Option<String> {
    use crate::checks::lint::logging_level_on;
    let default = p.get("DefaultRouteSettings").into_iter();
    let routes = p
        .get("RouteSettings")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.values());
    default
        .chain(routes)
        .find_map(|s| logging_level_on(s.get("LoggingLevel")).map(|l| format!("LoggingLevel: {l}")))
        .or_else(|| {
            (p.pointer("/AccessLogSettings/DestinationArn").is_some() && websocket)
                .then(|| "AccessLogSettings".to_string())
        })
}

/// What a template says about API Gateway's right to invoke its Lambda functions.
#[derive(Debug, Default)]
pub struct LambdaPermissions {
    /// Logical ids of the template's functions (`AWS::Lambda::Function`,
    /// `AWS::Serverless::Function`).
    pub functions: std::collections::BTreeSet<String>,
    /// Functions API Gateway may invoke: an `AWS::Lambda::Permission` for
    /// apigateway.amazonaws.com names them, or (SAM) they have an `Api` or `HttpApi` event, for
    /// which SAM writes that permission.
    pub permitted: std::collections::BTreeSet<String>,
    /// A permission for API Gateway whose function is not one of the template's by a reference
    /// (an alias, a version, a name or ARN written out): which functions it covers is unknown.
    pub unattributed: bool,
    /// The functions' names and ARNs as written out (`FunctionName`, a state's values): the
    /// function they name.
    pub names: std::collections::BTreeMap<String, String>,
    /// Permissions whose `SourceArn` matches no call: it names an API of this template by its
    /// logical id, written out, where the API's id belongs, or writes a path parameter as
    /// `{name}`.
    pub faulty_source_arns: Vec<FaultySourceArn>,
}

/// A permission whose `SourceArn` matches no call.
#[derive(Debug)]
pub struct FaultySourceArn {
    pub permission: String,
    pub arn: String,
    pub fault: SourceArnFault,
    /// JSON path of the permission.
    pub location: String,
    /// The function it is for, when one of the document's.
    pub function: Option<String>,
}

/// Why a `SourceArn` matches no call.
#[derive(Debug)]
pub enum SourceArnFault {
    /// It names this API (its logical id) where the API's generated id belongs.
    LogicalId(String),
    /// It writes this path parameter (`{userId}`) where a call's source ARN carries the value
    /// the client sent [obs: aws/serverless-application-model#110].
    LiteralParameter(String),
    /// SAM wrote it from an event's `RestApiId`/`ApiId` (`key`) given as the API's logical id
    /// in plain text, which it puts into the SourceArn as it stands.
    PlainApiId { api: String, key: &'static str },
}

/// The API id an execute-api source ARN names ("" when none): it stands after the last colon
/// before the first slash (the Region and account may be placeholders with colons of their
/// own: `${AWS::Region}`).
pub fn source_arn_api_id(arn: &str) -> &str {
    arn.split_once(":execute-api:")
        .and_then(|(_, rest)| rest.split('/').next())
        .and_then(|head| head.rsplit_once(':'))
        .map_or("", |(_, api)| api)
}

/// The first path parameter a source ARN writes literally (`{userId}`, not a `${...}`
/// placeholder), in its part after the API id.
pub fn literal_parameter(arn: &str) -> Option<&str> {
    arn.split_once(":execute-api:")?
        .1
        .split('/')
        .skip(1)
        .find(|segment| segment.starts_with('{') && segment.ends_with('}'))
}

impl LambdaPermissions {
    /// The function a name or ARN written out names (an ARN by its function name, without a
    /// qualifier: an alias or version is not the function).
    pub fn function_named(&self, name_or_arn: &str) -> Option<String> {
        let name = name_or_arn
            .rsplit_once(":function:")
            .map_or(name_or_arn, |(_, n)| n);
        self.names
            .get(name_or_arn)
            .or_else(|| self.names.get(name))
            .cloned()
    }
}

/// The `LambdaPermissions` of a template. `Ref` of a function is its name and
/// `Fn::GetAtt FUNCTION.Arn` its ARN [AWS: the resources' return values]; either names it.
pub fn lambda_permissions(template: &Value) -> LambdaPermissions {
    let mut out = LambdaPermissions::default();
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return out;
    };
    let kind = |r: &Value| {
        r.get("Type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let mut rest_apis = std::collections::BTreeSet::new();
    for (id, r) in resources {
        match kind(r).as_str() {
            "AWS::Lambda::Function" | "AWS::Serverless::Function" => {
                out.functions.insert(id.clone());
                if let Some(name) = r
                    .pointer("/Properties/FunctionName")
                    .and_then(Value::as_str)
                {
                    out.names.insert(name.to_string(), id.clone());
                }
                if super::sam::function_has_event(r, &["Api", "HttpApi"]) {
                    out.permitted.insert(id.clone());
                }
            }
            "AWS::ApiGateway::RestApi"
            | "AWS::Serverless::Api"
            | "AWS::ApiGatewayV2::Api"
            | "AWS::Serverless::HttpApi" => {
                rest_apis.insert(id.clone());
            }
            _ => {}
        }
    }
    // A function named by reference (`Ref`, `Fn::GetAtt FN.Arn`) or written out.
    let function_of = |f: &Value, out: &LambdaPermissions| {
        let target = f
            .get("Ref")
            .and_then(Value::as_str)
            .or_else(|| f.pointer("/Fn::GetAtt/0").and_then(Value::as_str))
            .or_else(|| {
                f.get("Fn::GetAtt")
                    .and_then(Value::as_str)
                    .and_then(|a| a.strip_suffix(".Arn"))
            });
        match target {
            Some(t) => Some(t.to_string()),
            None => f.as_str().and_then(|n| out.function_named(n)),
        }
        .filter(|f| out.functions.contains(f))
    };
    // SAM writes the permission for a Lambda authorizer of an AWS::Serverless::Api unless
    // DisableFunctionDefaultPermissions is true, and for one of an AWS::Serverless::HttpApi
    // only when EnableFunctionDefaultPermissions is true [AWS: SAM's LambdaTokenAuthorizer,
    // LambdaRequestAuthorizer, LambdaAuthorizer].
    // Globals.Api's and Globals.HttpApi's authorizers are every such API's, the implicit ones'
    // too (sam::with_globals).
    let globals = [("/Globals/Api", false), ("/Globals/HttpApi", true)]
        .into_iter()
        .filter_map(|(at, http)| Some((template.pointer(at)?, http)));
    let apis = resources
        .values()
        .filter_map(|r| match kind(r).as_str() {
            "AWS::Serverless::Api" => Some((r.get("Properties")?, false)),
            "AWS::Serverless::HttpApi" => Some((r.get("Properties")?, true)),
            _ => None,
        })
        .chain(globals);
    for (props, http) in apis {
        for a in props
            .pointer("/Auth/Authorizers")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|m| m.values())
        {
            let flag = |k: &str| a.get(k).and_then(Value::as_bool) == Some(true);
            let written = if http {
                flag("EnableFunctionDefaultPermissions")
            } else {
                !flag("DisableFunctionDefaultPermissions")
            };
            if let Some(f) = a
                .get("FunctionArn")
                .filter(|_| written)
                .and_then(|f| function_of(f, &out))
            {
                out.permitted.insert(f);
            }
        }
    }
    let resolver = Resolver::new(template, super::parameters());
    for (id, r) in resources {
        if kind(r) != "AWS::Lambda::Permission" {
            continue;
        }
        let Some(props) = r.get("Properties") else {
            continue;
        };
        let principal = props
            .get("Principal")
            .and_then(|p| resolver.text(p))
            .unwrap_or_default();
        if !principal.starts_with("apigateway.") {
            continue;
        }
        let function = props.get("FunctionName").and_then(|f| function_of(f, &out));
        match &function {
            Some(f) => {
                out.permitted.insert(f.clone());
            }
            None => out.unattributed = true,
        }
        // arn:PARTITION:execute-api:REGION:ACCOUNT:API_ID/STAGE/METHOD/PATH
        let Some(arn) = props.get("SourceArn").and_then(|a| resolver.text(a)) else {
            continue;
        };
        let api = source_arn_api_id(&arn);
        let fault = if rest_apis.contains(api) {
            Some(SourceArnFault::LogicalId(api.to_string()))
        } else {
            literal_parameter(&arn).map(|p| SourceArnFault::LiteralParameter(p.to_string()))
        };
        if let Some(fault) = fault {
            out.faulty_source_arns.push(FaultySourceArn {
                permission: id.clone(),
                location: crate::locate::resource_path(id),
                arn,
                fault,
                function,
            });
        }
    }
    // A SAM event that names its API by its logical id as plain text (`RestApiId: MyApi`, not
    // `!Ref MyApi`): SAM reads the API from it, but writes the text into the permission's
    // SourceArn as it stands (`Fn::Sub` with `__ApiId__: MyApi`) [samtranslator: push.py,
    // Api._get_permission and HttpApi._get_permission].
    for (fid, r) in resources {
        if kind(r) != "AWS::Serverless::Function" {
            continue;
        }
        for (eid, e) in r
            .pointer("/Properties/Events")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let (key, http) = match e.get("Type").and_then(Value::as_str) {
                Some("Api") => ("RestApiId", false),
                Some("HttpApi") => ("ApiId", true),
                _ => continue,
            };
            let Some(api) = e
                .pointer(&format!("/Properties/{key}"))
                .and_then(Value::as_str)
                .filter(|api| {
                    resources.get(*api).is_some_and(|a| {
                        matches!(
                            kind(a).as_str(),
                            "AWS::Serverless::Api" | "AWS::Serverless::HttpApi"
                        )
                    })
                })
            else {
                continue;
            };
            let text = |k: &str| {
                e.pointer(&format!("/Properties/{k}"))
                    .and_then(|v| resolver.text(v))
            };
            let method = text("Method").map_or("*".to_string(), |m| {
                if m.eq_ignore_ascii_case("any") {
                    "*".to_string()
                } else {
                    m.to_ascii_uppercase()
                }
            });
            let path = text("Path").unwrap_or_default();
            let resource = if http && path.is_empty() {
                format!("{api}/*")
            } else {
                format!("{api}/*/{method}{path}")
            };
            out.faulty_source_arns.push(FaultySourceArn {
                permission: format!("the permission SAM writes for {fid}'s event {eid}"),
                arn: format!(
                    "arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:{resource}"
                ),
                fault: SourceArnFault::PlainApiId {
                    api: api.to_string(),
                    key,
                },
                location: format!("{}.Properties.Events.{eid}", crate::locate::resource_path(fid)),
                function: Some(fid.clone()),
            });
        }
    }
    out
}

/// Whether a stage's `ApiId` (`!Ref API` or `!GetAtt API.ApiId`) names a WebSocket API of the
/// template.
fn websocket_api(resources: &serde_json::Map<String, Value>, api_id: Option<&Value>) -> bool {
    api_protocol(resources, api_id) == Some("WEBSOCKET")
}

/// The protocol of the API of the template a stage's `ApiId` (`!Ref API` or `!GetAtt
/// API.ApiId`) names: HTTP or WEBSOCKET (an `AWS::Serverless::HttpApi` is HTTP); none when it
/// names no API of the template.
fn api_protocol(
    resources: &serde_json::Map<String, Value>,
    api_id: Option<&Value>,
) -> Option<&'static str> {
    let api = resources.get(referenced_resource(api_id?)?)?;
    match api.get("Type").and_then(Value::as_str)? {
        "AWS::Serverless::HttpApi" => Some("HTTP"),
        "AWS::Serverless::WebSocketApi" => Some("WEBSOCKET"),
        "AWS::ApiGatewayV2::Api" => {
            let protocol = api
                .pointer("/Properties/ProtocolType")
                .and_then(Value::as_str);
            match protocol {
                Some(p) if p.eq_ignore_ascii_case("WEBSOCKET") => Some("WEBSOCKET"),
                Some(p) if p.eq_ignore_ascii_case("HTTP") => Some("HTTP"),
                // A Body (an OpenAPI definition) makes an HTTP API.
                None if api.pointer("/Properties/Body").is_some() => Some("HTTP"),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Where a template gives an HTTP API's stage a `LoggingLevel` other than OFF: its
/// `AWS::ApiGatewayV2::Stage` route settings, an `AWS::Serverless::HttpApi`'s
/// `DefaultRouteSettings` or `RouteSettings`, or a SAM `HttpApi` event's `RouteSettings`.
/// HTTP APIs have no execution logs, and API Gateway refuses such a stage with
/// BadRequestException "Execution logs are not supported on protocolType HTTP" [obs:
/// hashicorp/terraform-provider-aws#12893 and #14010; AWS: RouteSettings' LoggingLevel is
/// "supported only for WebSocket APIs"].
pub fn http_execution_logging(template: &Value) -> Vec<crate::checks::lint::LoggingStage> {
    use crate::checks::lint::{LoggingStage, logging_level_on};
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return Vec::new();
    };
    let level_in = |settings: Option<&Value>| -> Option<String> {
        let settings = settings?;
        std::iter::once(settings)
            .chain(settings.as_object().into_iter().flat_map(|m| m.values()))
            .find_map(|s| logging_level_on(s.get("LoggingLevel")))
    };
    let mut out = Vec::new();
    for (id, r) in resources {
        let props = r.get("Properties");
        let level = match r.get("Type").and_then(Value::as_str).unwrap_or_default() {
            "AWS::ApiGatewayV2::Stage"
                if api_protocol(resources, props.and_then(|p| p.get("ApiId"))) == Some("HTTP") =>
            {
                props.and_then(|p| {
                    logging_level_on(p.pointer("/DefaultRouteSettings/LoggingLevel"))
                        .or_else(|| level_in(p.get("RouteSettings")))
                })
            }
            "AWS::Serverless::HttpApi" => props.and_then(|p| {
                logging_level_on(p.pointer("/DefaultRouteSettings/LoggingLevel"))
                    .or_else(|| level_in(p.get("RouteSettings")))
            }),
            "AWS::Serverless::Function" => {
                let event = props
                    .and_then(|p| p.get("Events"))
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                    .filter(|(_, e)| e.get("Type").and_then(Value::as_str) == Some("HttpApi"))
                    .find_map(|(eid, e)| {
                        logging_level_on(e.pointer("/Properties/RouteSettings/LoggingLevel"))
                            .map(|l| (eid, l))
                    });
                if let Some((eid, level)) = event {
                    out.push(LoggingStage {
                        resource: format!("{id} (event {eid})"),
                        setting: format!("LoggingLevel: {level}"),
                        location: format!(
                            "{}.Properties.Events.{eid}.Properties.RouteSettings",
                            crate::locate::resource_path(id)
                        ),
                    });
                }
                None
            }
            _ => None,
        };
        if let Some(level) = level {
            out.push(LoggingStage {
                resource: id.clone(),
                setting: format!("LoggingLevel: {level}"),
                location: crate::locate::resource_path(id),
            });
        }
    }
    out
}

/// What turns a REST stage's logging on: `LoggingLevel` (a deployment's StageDescription),
/// `MethodSettings` with a logging level or data tracing, or `AccessLogSetting`.
fn rest_logging(props: Option<&Value>) -> Option<String> {
    use crate::checks::lint::logging_level_on;
    let props = props?;
    if let Some(level) = logging_level_on(props.get("LoggingLevel")) {
        return Some(format!("LoggingLevel: {level}"));
    }
    for m in props
        .get("MethodSettings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(level) = logging_level_on(m.get("LoggingLevel")) {
            return Some(format!("MethodSettings LoggingLevel: {level}"));
        }
        if m.get("DataTraceEnabled") == Some(&Value::Bool(true)) {
            return Some("MethodSettings DataTraceEnabled: true".to_string());
        }
    }
    props
        .get("AccessLogSetting")
        .is_some_and(Value::is_object)
        .then(|| "AccessLogSetting".to_string())
}

/// A REST stage's `MethodSettings` whose method path API Gateway does not take, or that
/// applies to no method: an `AWS::ApiGateway::Stage`'s, a deployment's `StageDescription`'s, an
/// `AWS::Serverless::Api`'s (with Globals). `ResourcePath` begins with `/`, and a path's other
/// slashes are written `~1` (`/~1orders~1{id}`); `/` alone is the root, `/*` every resource
/// [AWS: AWS::ApiGateway::Stage MethodSetting]. A setting's path becomes the stage's
/// `{ResourcePath}/{HttpMethod}/...`: one not beginning with `/` is refused, BadRequestException
/// "Invalid method setting path" [obs: for `*`, aws-cloudformation/cfn-lint#2148; the same
/// refusal for a stray slash: hashicorp/terraform-provider-aws#15855]; a nested path written
/// with its slashes is taken and applies to no method [obs: hashicorp/terraform-provider-aws
/// #9738]. `/*` with one HTTP method
/// was deployed and applied to no method [obs: aws/serverless-application-model#579 and
/// #1518]. A path or method the API's read definition does not have: whether API Gateway
/// refuses it is not recorded.
pub fn method_settings(template: &Value) -> Vec<super::Fault> {
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return Vec::new();
    };
    // The methods of API `api` (path -> its operations), when its definition was read.
    let methods_of = |api: &str| -> Option<&Map<String, Value>> {
        let props = resources.get(api)?.get("Properties")?;
        props
            .get("Body")
            .or_else(|| props.get("DefinitionBody"))?
            .get("paths")?
            .as_object()
    };
    let mut out = Vec::new();
    for (id, r) in resources {
        let props = r.get("Properties");
        let (api, settings, at) = match r.get("Type").and_then(Value::as_str) {
            Some("AWS::ApiGateway::Stage") => (
                props
                    .and_then(|p| p.get("RestApiId"))
                    .and_then(referenced_resource),
                props.and_then(|p| p.get("MethodSettings")).cloned(),
                format!(
                    "{}.Properties.MethodSettings",
                    crate::locate::resource_path(id)
                ),
            ),
            Some("AWS::ApiGateway::Deployment") => (
                props
                    .and_then(|p| p.get("RestApiId"))
                    .and_then(referenced_resource),
                props
                    .and_then(|p| p.pointer("/StageDescription/MethodSettings"))
                    .cloned(),
                format!(
                    "{}.Properties.StageDescription.MethodSettings",
                    crate::locate::resource_path(id)
                ),
            ),
            Some("AWS::Serverless::Api") => {
                let merged = super::sam::with_globals(template, Some(r), false);
                let settings = merged
                    .as_ref()
                    .and_then(|m| m.pointer("/Properties/MethodSettings"))
                    .cloned();
                let (at, _) = super::sam::setting_location_in(id, "Api", Some(r), "MethodSettings");
                (Some(id.as_str()), settings, at)
            }
            _ => continue,
        };
        let Some(Value::Array(settings)) = settings else {
            continue;
        };
        let methods = api.and_then(methods_of);
        for (n, s) in settings.iter().enumerate() {
            let (Some(path), Some(verb)) = (
                s.get("ResourcePath").and_then(Value::as_str),
                s.get("HttpMethod").and_then(Value::as_str),
            ) else {
                continue;
            };
            let said = method_setting_fault(path, verb, methods);
            if let Some((error, why)) = said {
                out.push(super::Fault {
                    code: super::METHOD_SETTINGS_PATH,
                    error,
                    api: api.unwrap_or_default().to_string(),
                    location: format!("{at}[{n}].ResourcePath"),
                    message: format!(
                        "{id}'s MethodSettings[{n}] (ResourcePath {path}, HttpMethod {verb}): {why}"
                    ),
                });
            }
        }
    }
    out
}

/// What is wrong with a method setting's `path` and `verb` (an error when API Gateway refuses
/// it), against the API's `methods` when they were read.
pub(super) fn method_setting_fault(
    path: &str,
    verb: &str,
    methods: Option<&Map<String, Value>>,
) -> Option<(bool, String)> {
    let refused = |why: &str| {
        let segments = path.trim_matches('/');
        let written = if segments == "*" {
            "/*".to_string()
        } else {
            format!("/~1{}", segments.replace('/', "~1"))
        };
        Some((
            true,
            format!(
                "{why}, so the stage's method setting path {path}/{verb}/... is not one API Gateway takes: it refuses the stage (BadRequestException \"Invalid method setting path\") and the deployment fails; write it {written}"
            ),
        ))
    };
    if path.contains('$') || verb.contains('$') {
        return None;
    }
    if !path.starts_with('/') {
        return refused(
            "ResourcePath does not begin with / (recorded for *: aws-cloudformation/cfn-lint#2148)",
        );
    }
    if verb.is_empty() {
        return refused("HttpMethod is empty");
    }
    // A nested path written with its slashes: API Gateway takes it and keeps the settings under
    // a key that is not the method's, so they apply to no method, without an error [obs:
    // hashicorp/terraform-provider-aws#9738, "/tenant/{tenant-name}/enrollment_codes/GET"].
    let inner = path[1..].trim_start_matches("~1");
    if inner.contains('/') {
        return Some((
            false,
            format!(
                "ResourcePath writes the path's slashes as /, not ~1: API Gateway keeps such a setting under a key that is not the method's and applies it to no method, without an error (hashicorp/terraform-provider-aws#9738); write it /~1{}",
                path.trim_matches('/').replace('/', "~1")
            ),
        ));
    }
    if path == "/*" {
        return (verb != "*").then(|| {
            (
                false,
                "ResourcePath /* with one HTTP method: AWS documents /* with HttpMethod * as the setting for every method, and settings so written were deployed and applied to no method (aws/serverless-application-model#579, two such settings, and #1518); that one alone applies is not documented: write one setting per resource path, or HttpMethod *".to_string(),
            )
        });
    }
    let methods = methods?;
    // `/~1orders~1{id}` is the resource `/orders/{id}`; `/` the root.
    let decoded = if path == "/" {
        "/".to_string()
    } else {
        format!("/{}", path[1..].replace("~1", "/").trim_start_matches('/'))
    };
    if decoded.contains('*') {
        return None;
    }
    let Some(item) = methods.get(&decoded) else {
        return Some((
            false,
            format!(
                "the API has no method at {decoded}: the setting applies to no method (whether API Gateway refuses it is not recorded)"
            ),
        ));
    };
    let has = verb == "*"
        || item.as_object().is_some_and(|i| {
            i.keys().any(|k| {
                k.eq_ignore_ascii_case(verb)
                    || (k == "x-amazon-apigateway-any-method" && verb.eq_ignore_ascii_case("ANY"))
            })
        });
    (!has).then(|| {
        (
            false,
            format!("{decoded} has no {verb} method: the setting applies to no method (whether API Gateway refuses it is not recorded)"),
        )
    })
}
