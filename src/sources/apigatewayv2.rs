//! HTTP APIs written as CloudFormation resources (what the CDK's `aws-apigatewayv2`
//! constructs synthesize): `AWS::ApiGatewayV2::Api` (ProtocolType HTTP) with its `Route`,
//! `Integration` and `Authorizer` resources, read into the OpenAPI 3 definition an HTTP API's
//! export holds and put as the Api's `Body`, each route naming its resource. WebSocket APIs
//! are named as not read. Facts: the CloudFormation reference pages of those resource types.
use super::intrinsics::Resolver;
use super::{ORIGIN, Read};
use serde_json::{Map, Value, json};

/// Reads the template's resource-form HTTP APIs into `into`; `placed` names where a route
/// or integration is written when that is not `$.Resources.ID` (Terraform).
pub fn read(
    template: &mut Value,
    overrides: &[(String, String)],
    into: &mut Read,
    placed: &std::collections::HashMap<String, String>,
) {
    let at = |id: &str| {
        placed
            .get(id)
            .cloned()
            .unwrap_or_else(|| crate::locate::resource_path(id))
    };
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return;
    };
    let resolver = Resolver::new(template, overrides);
    let of_type = |t: &'static str| {
        resources
            .iter()
            .filter(move |(_, r)| r.get("Type").and_then(Value::as_str) == Some(t))
    };
    // (API logical id, definition, routes, whether it is a SAM HttpApi)
    let mut built: Vec<(String, Map<String, Value>, usize, bool)> = Vec::new();
    let route_resources = super::cloudformation::MethodResourceApis::of_routes(resources);
    // An HTTP API without routes: API Gateway keeps it, and answers every call 404.
    let no_routes = |id: &str, into: &mut Read| {
        into.faults.push(super::Fault {
            code: super::API_WITHOUT_METHODS,
            error: false,
            api: id.to_string(),
            location: crate::locate::resource_path(id),
            message: format!(
                "{id} is an HTTP API with no routes (no route in its definition, no AWS::ApiGatewayV2::Route naming it, no quick-create Target): API Gateway answers every call to it 404 {{\"message\":\"Not Found\"}}; give it its routes, or remove it"
            ),
        });
    };
    // A SAM HttpApi with no definition and no event naming it, whose routes are
    // AWS::ApiGatewayV2::Route resources of the template (SAM writes the API with an empty
    // body; the routes are added beside it), is read from those routes as a resource-form API.
    let sam_routed = of_type("AWS::Serverless::HttpApi").filter(|(id, r)| {
        r.get("Properties")
            .is_none_or(|p| p.get("DefinitionBody").is_none() && p.get("DefinitionUri").is_none())
            && route_resources.may_give_methods_to(id)
    });
    for (id, api) in of_type("AWS::ApiGatewayV2::Api").chain(sam_routed) {
        let sam = api.get("Type").and_then(Value::as_str) == Some("AWS::Serverless::HttpApi");
        let props = api.get("Properties");
        if let Some(body) = props.and_then(|p| p.get("Body")).filter(|_| !sam) {
            if body
                .get("paths")
                .and_then(Value::as_object)
                .is_some_and(Map::is_empty)
                && !route_resources.may_give_methods_to(id)
            {
                no_routes(id, into);
            }
            continue;
        }
        if props.and_then(|p| p.get("BodyS3Location")).is_some() {
            continue;
        }
        let protocol = props
            .and_then(|p| p.get("ProtocolType"))
            .and_then(|p| resolver.text(p))
            .unwrap_or_default();
        if protocol.eq_ignore_ascii_case("WEBSOCKET") {
            into.not_readable.push(format!(
                "{id}: a WebSocket API: `lint` checks its routes; the other commands read REST and HTTP APIs"
            ));
            continue;
        }
        let mut def = Map::new();
        def.insert("openapi".into(), json!("3.0.1"));
        let name = props
            .and_then(|p| p.get("Name"))
            .and_then(|n| resolver.text(n))
            .unwrap_or_else(|| id.clone());
        def.insert(
            "info".into(),
            json!({"title": name, "version": "cloudformation"}),
        );
        def.insert(
            "x-amazon-apigateway-importexport-version".into(),
            json!("1.0"),
        );
        def.insert(
            super::cloudformation::SYNTHESIZED.into(),
            json!({"from": crate::locate::resource_path(id)}),
        );
        let mut paths = Map::new();
        let mut schemes = Map::new();
        let mut routes = 0;
        for (rid, route) in of_type("AWS::ApiGatewayV2::Route") {
            let Some(rp) = route.get("Properties") else {
                continue;
            };
            if rp
                .get("ApiId")
                .and_then(|a| a.get("Ref"))
                .and_then(Value::as_str)
                != Some(id)
            {
                continue;
            }
            let Some(key) = rp.get("RouteKey").and_then(|k| resolver.text(k)) else {
                continue;
            };
            let (verb, path) = match key.split_once(' ') {
                Some((v, p)) => (v.to_ascii_lowercase(), p.to_string()),
                None => ("any".to_string(), key.clone()),
            };
            let op_key = if verb == "any" {
                "x-amazon-apigateway-any-method".to_string()
            } else {
                verb
            };
            let origin = at(rid);
            let mut op = Map::new();
            op.insert(ORIGIN.into(), json!(origin));
            op.insert("responses".into(), json!({}));
            if let Some((iid, integration)) = target(rp.get("Target"), resources) {
                op.insert(
                    "x-amazon-apigateway-integration".into(),
                    Value::Object(integration_of(&at(&iid), integration, &resolver)),
                );
            }
            let auth = rp
                .get("AuthorizationType")
                .and_then(|a| resolver.text(a))
                .unwrap_or_else(|| "NONE".into())
                .to_ascii_uppercase();
            let scopes = rp
                .get("AuthorizationScopes")
                .map(|s| resolver.value(s))
                .unwrap_or(json!([]));
            match auth.as_str() {
                "AWS_IAM" => {
                    schemes.insert(
                        "sigv4".into(),
                        json!({"type": "apiKey", "name": "Authorization", "in": "header",
                               "x-amazon-apigateway-authtype": "awsSigv4"}),
                    );
                    op.insert("security".into(), json!([{"sigv4": []}]));
                }
                "JWT" | "CUSTOM" => {
                    if let Some(aid) = rp
                        .get("AuthorizerId")
                        .and_then(|a| a.get("Ref"))
                        .and_then(Value::as_str)
                        && let Some(a) = resources.get(aid).and_then(|a| a.get("Properties"))
                    {
                        let name = a
                            .get("Name")
                            .and_then(|n| resolver.text(n))
                            .unwrap_or_else(|| aid.to_string());
                        schemes.insert(name.clone(), authorizer(a, &resolver));
                        op.insert("security".into(), json!([{ name: scopes }]));
                    }
                }
                _ => {}
            }
            let item = paths.entry(path).or_insert_with(|| json!({}));
            if let Some(item) = item.as_object_mut() {
                item.insert(op_key, Value::Object(op));
                routes += 1;
            }
        }
        // Quick create: `Target` makes an integration (a function's ARN: AWS_PROXY; a URL:
        // HTTP_PROXY) and a route to it, `RouteKey` or $default [AWS:
        // AWS::ApiGatewayV2::Api Target, RouteKey].
        if let Some(t) = props.and_then(|p| p.get("Target")) {
            let url = resolver
                .text(t)
                .is_some_and(|t| t.starts_with("http://") || t.starts_with("https://"));
            let mut ip = json!({
                "IntegrationType": if url { "HTTP_PROXY" } else { "AWS_PROXY" },
                "IntegrationUri": t,
                "PayloadFormatVersion": if url { "1.0" } else { "2.0" },
            });
            if url {
                ip["IntegrationMethod"] = json!("ANY");
            }
            if let Some(c) = props.and_then(|p| p.get("CredentialsArn")) {
                ip["CredentialsArn"] = c.clone();
            }
            let key = props
                .and_then(|p| p.get("RouteKey"))
                .and_then(|k| resolver.text(k))
                .unwrap_or_else(|| "$default".into());
            let (verb, path) = match key.split_once(' ') {
                Some((v, p)) if !v.eq_ignore_ascii_case("any") => {
                    (v.to_ascii_lowercase(), p.to_string())
                }
                Some((_, p)) => ("x-amazon-apigateway-any-method".to_string(), p.to_string()),
                None => ("x-amazon-apigateway-any-method".to_string(), key.clone()),
            };
            let origin = at(id);
            let integration = integration_of(&origin, &json!({ "Properties": ip }), &resolver);
            if let Some(item) = paths
                .entry(path)
                .or_insert_with(|| json!({}))
                .as_object_mut()
            {
                item.insert(
                    verb,
                    json!({ORIGIN: origin, "responses": {},
                           "x-amazon-apigateway-integration": integration}),
                );
                routes += 1;
            }
        }
        if routes == 0 && !route_resources.may_give_methods_to(id) {
            no_routes(id, into);
        }
        def.insert("paths".into(), Value::Object(paths));
        // Stages and their variables (`AWS::ApiGatewayV2::Stage` `StageVariables`).
        let mut stages = Map::new();
        for (sid, st) in of_type("AWS::ApiGatewayV2::Stage") {
            let Some(sp) = st.get("Properties") else {
                continue;
            };
            if sp
                .get("ApiId")
                .and_then(|a| a.get("Ref"))
                .and_then(Value::as_str)
                != Some(id)
            {
                continue;
            }
            let Some(name) = sp.get("StageName").and_then(|n| resolver.text(n)) else {
                continue;
            };
            let variables = sp
                .get("StageVariables")
                .map(|v| resolver.value(v))
                .unwrap_or(json!({}));
            stages.insert(name, json!({"variables": variables, ORIGIN: at(sid)}));
        }
        if !stages.is_empty() {
            def.insert(super::cloudformation::STAGES.into(), Value::Object(stages));
        }
        if !schemes.is_empty() {
            def.insert("components".into(), json!({"securitySchemes": schemes}));
        }
        built.push((id.clone(), def, routes, sam));
    }
    into.unresolved += resolver.unresolved.get();
    let Some(resources) = template.get_mut("Resources").and_then(Value::as_object_mut) else {
        return;
    };
    for (id, def, routes, sam) in built {
        into.http_apis += 1;
        into.methods += routes;
        if let Some(props) = resources
            .get_mut(&id)
            .and_then(Value::as_object_mut)
            .map(|r| r.entry("Properties").or_insert_with(|| json!({})))
            .and_then(Value::as_object_mut)
        {
            let key = if sam { "DefinitionBody" } else { "Body" };
            props.insert(key.into(), Value::Object(def));
        }
    }
}

/// The names an object's `Fn::Sub` string writes as `${NAME}` (its text, or the first item of
/// its list form).
fn sub_names(o: &Map<String, Value>) -> impl Iterator<Item = &str> {
    let mut rest = o
        .get("Fn::Sub")
        .and_then(|s| s.as_str().or_else(|| s.get(0)?.as_str()))
        .unwrap_or_default();
    std::iter::from_fn(move || {
        let start = rest.find("${")?;
        let after = &rest[start + 2..];
        let end = after.find('}')?;
        rest = &after[end + 1..];
        Some(&after[..end])
    })
}

/// The integration a route's `Target` (`integrations/ID`, written with `Fn::Join` or
/// `Fn::Sub`) names, read before its `Ref` becomes a placeholder.
pub(super) fn target<'t>(
    t: Option<&Value>,
    resources: &'t Map<String, Value>,
) -> Option<(String, &'t Value)> {
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if let Some(r) = o.get("Ref").and_then(Value::as_str) {
                    out.push(r.to_string());
                }
                out.extend(sub_names(o).map(String::from));
                o.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            Value::String(s) => {
                if let Some(id) = s.strip_prefix("integrations/") {
                    out.push(id.to_string());
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    refs(t?, &mut found);
    found.into_iter().find_map(|id| {
        let r = resources.get(&id)?;
        (r.get("Type").and_then(Value::as_str) == Some("AWS::ApiGatewayV2::Integration"))
            .then_some((id, r))
    })
}

fn integration_of(origin: &str, r: &Value, resolver: &Resolver<'_>) -> Map<String, Value> {
    let p = r.get("Properties").cloned().unwrap_or(json!({}));
    let text = |k: &str| p.get(k).and_then(|v| resolver.text(v));
    let mut out = Map::new();
    out.insert(ORIGIN.into(), json!(origin));
    if let Some(t) = text("IntegrationType") {
        out.insert("type".into(), json!(t.to_ascii_lowercase()));
    }
    resolver.copy_texts(
        &p,
        &[
            ("IntegrationUri", "uri"),
            ("IntegrationMethod", "httpMethod"),
            ("PayloadFormatVersion", "payloadFormatVersion"),
            ("ConnectionType", "connectionType"),
            ("ConnectionId", "connectionId"),
            ("CredentialsArn", "credentials"),
            ("IntegrationSubtype", "integrationSubtype"),
            ("TimeoutInMillis", "timeoutInMillis"),
        ],
        &mut out,
    );
    if let Some(rp) = p.get("RequestParameters") {
        out.insert("requestParameters".into(), resolver.value(rp));
    }
    // {"500": {"ResponseParameters": [{"Destination": "overwrite:statuscode", "Source": "503"}]}}
    // → the export's {"500": {"overwrite:statuscode": "503"}}.
    if let Some(map) = p.get("ResponseParameters").and_then(Value::as_object) {
        let mut by_status = Map::new();
        for (status, m) in map {
            let mut ops = Map::new();
            for rp in m
                .get("ResponseParameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let (Some(d), Some(s)) = (
                    rp.get("Destination").and_then(|d| resolver.text(d)),
                    rp.get("Source").and_then(|s| resolver.text(s)),
                ) {
                    ops.insert(d, json!(s));
                }
            }
            by_status.insert(status.clone(), Value::Object(ops));
        }
        out.insert("responseParameters".into(), Value::Object(by_status));
    }
    out
}

fn authorizer(a: &Value, resolver: &Resolver<'_>) -> Value {
    let kind = a
        .get("AuthorizerType")
        .and_then(|t| resolver.text(t))
        .unwrap_or_default()
        .to_ascii_lowercase();
    let sources: Vec<String> = a
        .get("IdentitySource")
        .map(|s| resolver.value(s))
        .and_then(|s| s.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect();
    let mut auth = Map::new();
    auth.insert("type".into(), json!(kind));
    if !sources.is_empty() {
        auth.insert("identitySource".into(), json!(sources.join(", ")));
    }
    if let Some(c) = a.get("JwtConfiguration") {
        let c = resolver.value(c);
        auth.insert(
            "jwtConfiguration".into(),
            json!({"issuer": c.get("Issuer"), "audience": c.get("Audience")}),
        );
    }
    resolver.copy_values(
        a,
        &[
            ("AuthorizerUri", "authorizerUri"),
            ("AuthorizerCredentialsArn", "authorizerCredentials"),
            ("EnableSimpleResponses", "enableSimpleResponses"),
            (
                "AuthorizerPayloadFormatVersion",
                "authorizerPayloadFormatVersion",
            ),
            (
                "AuthorizerResultTtlInSeconds",
                "authorizerResultTtlInSeconds",
            ),
        ],
        &mut auth,
    );
    let header = sources
        .first()
        .and_then(|s| s.strip_prefix("$request.header."))
        .unwrap_or("Authorization")
        .to_string();
    json!({"type": "apiKey", "name": header, "in": "header", "x-amazon-apigateway-authorizer": auth})
}

/// An HTTP API as the AWS CLI prints its parts (`aws apigatewayv2 get-api`, `get-routes`,
/// `get-integrations`, `get-authorizer` and `get-stages`: PascalCase members, the names the
/// CloudFormation resources use), read into the OpenAPI 3 definition its export holds, as
/// [`read`] reads the same parts written as CloudFormation resources. The API's CORS
/// configuration becomes `x-amazon-apigateway-cors` and a disabled default endpoint
/// `x-amazon-apigateway-endpoint-configuration`, as in an export [AWS: "Working with OpenAPI
/// definitions for HTTP APIs"].
pub fn from_parts(
    api: &Value,
    routes: &[Value],
    integrations: &[Value],
    authorizers: &[Value],
    stages: &[Value],
) -> Value {
    const API: &str = "api";
    let mut resources = Map::new();
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    resources.insert(
        API.into(),
        json!({"Type": "AWS::ApiGatewayV2::Api", "Properties": {
            "Name": api.get("Name").cloned().unwrap_or(json!("HTTP API")),
            "ProtocolType": "HTTP"}}),
    );
    let resource = |kind: &str, members: &Value, skip: &[&str]| {
        let mut props: Map<String, Value> = members
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| !skip.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        props.insert("ApiId".into(), json!({ "Ref": API }));
        json!({ "Type": kind, "Properties": props })
    };
    for i in integrations {
        let Some(id) = text(i, "IntegrationId") else {
            continue;
        };
        let mut r = resource(
            "AWS::ApiGatewayV2::Integration",
            i,
            &["IntegrationId", "ResponseParameters"],
        );
        // {"500": {"overwrite:statuscode": "503"}} → CloudFormation's
        // {"500": {"ResponseParameters": [{"Destination": ..., "Source": ...}]}}.
        if let Some(map) = i.get("ResponseParameters").and_then(Value::as_object) {
            let by_status: Map<String, Value> = map
                .iter()
                .map(|(status, ops)| {
                    let list: Vec<Value> = ops
                        .as_object()
                        .into_iter()
                        .flatten()
                        .map(|(d, s)| json!({"Destination": d, "Source": s}))
                        .collect();
                    (status.clone(), json!({ "ResponseParameters": list }))
                })
                .collect();
            r["Properties"]["ResponseParameters"] = Value::Object(by_status);
        }
        // A route's target `integrations/ID` finds the integration by its logical id.
        resources.insert(id, r);
    }
    for a in authorizers {
        if let Some(id) = text(a, "AuthorizerId") {
            resources.insert(
                format!("authorizer-{id}"),
                resource("AWS::ApiGatewayV2::Authorizer", a, &["AuthorizerId"]),
            );
        }
    }
    for (n, route) in routes.iter().enumerate() {
        let mut r = resource(
            "AWS::ApiGatewayV2::Route",
            route,
            &["RouteId", "AuthorizerId"],
        );
        if let Some(a) = text(route, "AuthorizerId") {
            r["Properties"]["AuthorizerId"] = json!({ "Ref": format!("authorizer-{a}") });
        }
        let id = text(route, "RouteId").unwrap_or_else(|| n.to_string());
        resources.insert(format!("route-{id}"), r);
    }
    for (n, s) in stages.iter().enumerate() {
        resources.insert(
            format!("stage-{n}"),
            resource("AWS::ApiGatewayV2::Stage", s, &[]),
        );
    }
    let mut template = json!({ "Resources": resources });
    let mut into = Read::new("HTTP API");
    read(&mut template, &[], &mut into, &Default::default());
    let mut body = template["Resources"][API]["Properties"]["Body"].take();
    strip_marks(&mut body);
    if let Some(def) = body.as_object_mut() {
        if let Some(title) = api.get("Name") {
            let version = api.get("Version").cloned().unwrap_or(json!("live"));
            def.insert("info".into(), json!({"title": title, "version": version}));
        }
        // {"AllowOrigins": [...]} → the export's {"allowOrigins": [...]}.
        if let Some(cors) = api.get("CorsConfiguration").and_then(Value::as_object) {
            let camel: Map<String, Value> = cors
                .iter()
                .map(|(k, v)| {
                    let mut chars = k.chars();
                    let key = chars
                        .next()
                        .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
                        .unwrap_or_default();
                    (key, v.clone())
                })
                .collect();
            def.insert("x-amazon-apigateway-cors".into(), Value::Object(camel));
        }
        if api
            .get("DisableExecuteApiEndpoint")
            .and_then(Value::as_bool)
            == Some(true)
        {
            def.insert(
                "x-amazon-apigateway-endpoint-configuration".into(),
                json!({"disableExecuteApiEndpoint": true}),
            );
        }
    }
    body
}

/// Removes the marks [`read`] leaves for templates (where each part was written, that the
/// definition was synthesized): a definition read from AWS has no file to point into.
fn strip_marks(v: &mut Value) {
    match v {
        Value::Object(o) => {
            o.remove(ORIGIN);
            o.remove(super::cloudformation::SYNTHESIZED);
            o.values_mut().for_each(strip_marks);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_marks),
        _ => {}
    }
}

/// A V2 stage's `RouteSettings` keyed by a route its API does not have: API Gateway refuses
/// the stage with NotFoundException "Unable to find Route by key KEY within the provided
/// RouteSettings" [obs: terraform-aws-modules/terraform-aws-apigateway-v2#80], so the stack
/// fails. A key naming an `AWS::ApiGatewayV2::Route` resource the stage does not depend on
/// (DependsOn, or a reference, directly or through what it references) may meet the same
/// refusal: CloudFormation may create the stage before the route, which is why SAM makes its
/// WebSocket stage depend on the routes "when RouteSettings references specific route keys"
/// [samtranslator websocket_api_generator.py]. Read on the template after SAM's APIs and the
/// resource-form HTTP APIs were (their definitions hold their routes); an API whose routes
/// cannot all be known (a definition in S3, a route key written with an unresolved intrinsic)
/// is not judged.
pub fn route_settings(template: &Value, overrides: &[(String, String)]) -> Vec<super::Fault> {
    use std::collections::{HashMap, HashSet};
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return Vec::new();
    };
    let resolver = Resolver::new(template, overrides);
    let type_of = |id: &str| {
        resources
            .get(id)
            .and_then(|r| r.get("Type"))
            .and_then(Value::as_str)
    };
    // The route keys of the API `api`, and which of them are Route resources (key -> id).
    let routes_of = |api: &str| -> Option<(HashSet<String>, HashMap<String, String>)> {
        let props = resources.get(api)?.get("Properties");
        let prop = |k: &str| props.and_then(|p| p.get(k));
        let mut keys = HashSet::new();
        let mut separate = HashMap::new();
        match type_of(api)? {
            "AWS::Serverless::WebSocketApi" => {
                return Some((
                    prop("Routes")?.as_object()?.keys().cloned().collect(),
                    separate,
                ));
            }
            "AWS::ApiGatewayV2::Api" | "AWS::Serverless::HttpApi" => {
                if prop("BodyS3Location").is_some() || prop("DefinitionUri").is_some() {
                    return None;
                }
                let body = prop("Body").or_else(|| prop("DefinitionBody"));
                // A definition this run did not read (an include left as it is, an intrinsic):
                // its routes are unknown.
                let paths = match body {
                    Some(b) => Some(b.get("paths")?.as_object()?),
                    None => None,
                };
                for (path, item) in paths.into_iter().flatten() {
                    // A path item under Fn::If (what SAM writes for a function with a
                    // Condition) has the methods of either branch.
                    let items = match item.get("Fn::If").and_then(Value::as_array) {
                        Some(branches) => branches.iter().skip(1).collect(),
                        None => vec![item],
                    };
                    let verbs = items
                        .into_iter()
                        .filter_map(Value::as_object)
                        .flat_map(|i| i.keys());
                    for verb in verbs {
                        let verb = match verb.as_str() {
                            "x-amazon-apigateway-any-method" => "ANY".to_string(),
                            v if crate::checks::lint::METHODS.contains(&v) => {
                                v.to_ascii_uppercase()
                            }
                            _ => continue,
                        };
                        keys.insert(if matches!(path.as_str(), "$default" | "/$default") {
                            "$default".to_string()
                        } else {
                            format!("{verb} {path}")
                        });
                    }
                }
                if let Some(k) = prop("Target").and(prop("RouteKey").or(Some(&json!("$default")))) {
                    keys.insert(resolver.text(k)?);
                }
            }
            _ => return None,
        }
        for (rid, r) in resources {
            let rp = r.get("Properties");
            if r.get("Type").and_then(Value::as_str) == Some("AWS::ApiGatewayV2::Route")
                && rp
                    .and_then(|p| p.pointer("/ApiId/Ref"))
                    .and_then(Value::as_str)
                    == Some(api)
            {
                let key = resolver.text(rp?.get("RouteKey")?)?;
                keys.insert(key.clone());
                separate.insert(key, rid.clone());
            }
        }
        Some((keys, separate))
    };
    let mut known = HashMap::new();
    let mut out = Vec::new();
    for (sid, r) in resources {
        let props = r.get("Properties");
        // The API, its settings (a SAM API's with its Globals section merged), and where a
        // setting key is written (`None`: the stage's own RouteSettings).
        let (api, sam, settings, written_at) = match r.get("Type").and_then(Value::as_str) {
            Some("AWS::ApiGatewayV2::Stage") => {
                let Some(api) = props.and_then(|p| p.pointer("/ApiId/Ref")) else {
                    continue;
                };
                let settings = props.and_then(|p| p.get("RouteSettings")).cloned();
                (api.as_str().unwrap_or_default(), false, settings, None)
            }
            Some(t @ ("AWS::Serverless::HttpApi" | "AWS::Serverless::WebSocketApi")) => {
                let section = t.trim_start_matches("AWS::Serverless::");
                let settings = super::sam::with_globals_of(template, Some(r), section)
                    .and_then(|m| m.pointer("/Properties/RouteSettings").cloned());
                let (at, _) =
                    super::sam::setting_location_in(sid, section, Some(r), "RouteSettings");
                (sid.as_str(), true, settings, Some(at))
            }
            _ => continue,
        };
        let Some(Value::Object(settings)) = settings else {
            continue;
        };
        let Some((keys, separate)) = known
            .entry(api.to_string())
            .or_insert_with(|| routes_of(api))
            .as_ref()
        else {
            continue;
        };
        let mut needs: Option<std::collections::HashSet<String>> = None;
        // A stage read from Terraform (its document path is its origin): its route_settings
        // blocks are where it is written; what it waits for is not read, and apply fails
        // rather than a stack.
        let terraform = r.get(super::ORIGIN).and_then(Value::as_str);
        let (fails, named) = if terraform.is_some() {
            ("terraform apply fails", "route_settings")
        } else {
            ("the stack fails to create or update", "RouteSettings")
        };
        for key in settings.keys() {
            let location = match (terraform, &written_at) {
                (Some(path), _) => format!("{path}.values.route_settings"),
                (None, Some(at)) => format!("{at}['{}']", key.replace('\'', "\\'")),
                (None, None) => format!(
                    "{}.Properties.RouteSettings['{}']",
                    crate::locate::resource_path(sid),
                    key.replace('\'', "\\'")
                ),
            };
            let refusal = format!(
                "NotFoundException \"Unable to find Route by key {key} within the provided RouteSettings\""
            );
            let said = if !keys.contains(key) {
                let mut written: Vec<&String> = keys.iter().collect();
                written.sort();
                // Written otherwise: whether API Gateway matches a settings key to a route
                // regardless of case is not documented.
                Some(match written.iter().find(|k| k.eq_ignore_ascii_case(key)) {
                    Some(k) => (
                        false,
                        format!(
                            "{sid}'s {named} names the route {key}, and {api}'s route is written {k}: whether API Gateway matches the two regardless of case is not documented; if it does not, it refuses the stage ({refusal}); write the key as the route is"
                        ),
                    ),
                    None => (
                        true,
                        format!(
                            "{sid}'s {named} names the route {key}, which {api} does not have: API Gateway refuses the stage ({refusal}), so {fails}"
                        ),
                    ),
                })
            } else if let Some(rid) = separate.get(key).filter(|_| !sam && terraform.is_none())
                && !needs
                    .get_or_insert_with(|| dependencies(resources, sid))
                    .contains(rid)
            {
                Some((
                    false,
                    format!(
                        "{sid}'s RouteSettings names the route {key}, the resource {rid}, which the stage does not depend on: CloudFormation may create the stage first, and API Gateway then refuses it ({refusal}); add DependsOn: {rid} to {sid}, as SAM does"
                    ),
                ))
            } else {
                None
            };
            if let Some((error, message)) = said {
                out.push(super::Fault {
                    code: super::ROUTE_SETTINGS_UNKNOWN_ROUTE,
                    error,
                    api: api.to_string(),
                    location,
                    message,
                });
            }
        }
    }
    out
}

/// Every resource `id` depends on, directly or through another: its DependsOn, and what its
/// properties name with `Ref`, `Fn::GetAtt` or `Fn::Sub`.
fn dependencies(resources: &Map<String, Value>, id: &str) -> std::collections::HashSet<String> {
    fn named(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if let Some(r) = o.get("Ref").and_then(Value::as_str) {
                    out.push(r.to_string());
                }
                match o.get("Fn::GetAtt") {
                    Some(Value::Array(a)) => {
                        out.extend(a.first().and_then(Value::as_str).map(String::from))
                    }
                    Some(Value::String(s)) => {
                        out.push(s.split('.').next().unwrap_or_default().to_string());
                    }
                    _ => {}
                }
                out.extend(
                    sub_names(o).map(|n| n.split('.').next().unwrap_or_default().to_string()),
                );
                o.values().for_each(|v| named(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| named(v, out)),
            _ => {}
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut next = vec![id.to_string()];
    while let Some(at) = next.pop() {
        let Some(r) = resources.get(&at) else {
            continue;
        };
        let mut direct = Vec::new();
        match r.get("DependsOn") {
            Some(Value::String(s)) => direct.push(s.clone()),
            Some(Value::Array(a)) => {
                direct.extend(a.iter().filter_map(Value::as_str).map(String::from))
            }
            _ => {}
        }
        if let Some(p) = r.get("Properties") {
            named(p, &mut direct);
        }
        for d in direct {
            if resources.contains_key(&d) && seen.insert(d.clone()) {
                next.push(d);
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parts as `aws apigatewayv2 get-api` / `get-routes` / `get-integrations` /
    /// `get-authorizer` / `get-stages` print them (members as in the AWS CLI reference's
    /// examples), read into an export's definition.
    #[test]
    fn parts_read_as_an_export() {
        let api = json!({"ApiId": "a1b2c3d4", "Name": "orders", "ProtocolType": "HTTP",
            "ApiEndpoint": "https://a1b2c3d4.execute-api.us-east-2.amazonaws.com",
            "CorsConfiguration": {"AllowOrigins": ["https://shop.example.com"], "MaxAge": 300},
            "DisableExecuteApiEndpoint": true, "RouteSelectionExpression": "${request.method} ${request.path}"});
        let routes = [
            json!({"ApiKeyRequired": false, "AuthorizationType": "JWT", "AuthorizerId": "auth01",
                   "AuthorizationScopes": ["orders/read"], "RouteId": "r1", "RouteKey": "GET /orders/{id}",
                   "Target": "integrations/int01"}),
            json!({"ApiKeyRequired": false, "AuthorizationType": "NONE", "RouteId": "r2",
                   "RouteKey": "$default", "Target": "integrations/int02"}),
        ];
        let integrations = [
            json!({"ConnectionType": "INTERNET", "IntegrationId": "int01", "IntegrationMethod": "POST",
                   "IntegrationType": "AWS_PROXY", "PayloadFormatVersion": "2.0", "TimeoutInMillis": 30000,
                   "IntegrationUri": "arn:aws:lambda:us-east-2:123456789012:function:get-order"}),
            json!({"ConnectionType": "INTERNET", "IntegrationId": "int02", "IntegrationMethod": "ANY",
                   "IntegrationType": "HTTP_PROXY", "PayloadFormatVersion": "1.0",
                   "IntegrationUri": "https://legacy.example.com",
                   "ResponseParameters": {"500": {"overwrite:statuscode": "503"}}}),
        ];
        let authorizers = [
            json!({"AuthorizerId": "auth01", "AuthorizerType": "JWT", "Name": "cognito",
            "IdentitySource": ["$request.header.Authorization"],
            "JwtConfiguration": {"Audience": ["client1"], "Issuer": "https://cognito-idp.us-east-2.amazonaws.com/us-east-2_abc"}}),
        ];
        let stages = [
            json!({"StageName": "$default", "AutoDeploy": true, "StageVariables": {"env": "prod"}}),
        ];
        let def = from_parts(&api, &routes, &integrations, &authorizers, &stages);
        assert_eq!(def["x-amazon-apigateway-importexport-version"], "1.0");
        assert_eq!(def["info"]["title"], "orders");
        let get = &def["paths"]["/orders/{id}"]["get"];
        assert_eq!(get["security"], json!([{"cognito": ["orders/read"]}]));
        assert_eq!(
            get["x-amazon-apigateway-integration"]["uri"],
            "arn:aws:lambda:us-east-2:123456789012:function:get-order"
        );
        assert_eq!(get["x-amazon-apigateway-integration"]["type"], "aws_proxy");
        let scheme =
            &def["components"]["securitySchemes"]["cognito"]["x-amazon-apigateway-authorizer"];
        assert_eq!(scheme["type"], "jwt");
        assert_eq!(scheme["jwtConfiguration"]["audience"], json!(["client1"]));
        let default = &def["paths"]["$default"]["x-amazon-apigateway-any-method"];
        assert_eq!(
            default["x-amazon-apigateway-integration"]["responseParameters"],
            json!({"500": {"overwrite:statuscode": "503"}})
        );
        assert_eq!(
            def["x-amazon-apigateway-cors"],
            json!({"allowOrigins": ["https://shop.example.com"], "maxAge": 300})
        );
        assert_eq!(
            def["x-amazon-apigateway-endpoint-configuration"]["disableExecuteApiEndpoint"],
            true
        );
        assert_eq!(
            def[super::super::cloudformation::STAGES]["$default"]["variables"],
            json!({"env": "prod"})
        );
        // No mark of a template: the definition has no file behind it.
        let text = def.to_string();
        assert!(
            !text.contains(ORIGIN) && !text.contains("synthesized"),
            "{text}"
        );
        // The routes read as methods, as an export's would.
        let methods = crate::checks::lint::methods(&def).unwrap();
        let mut labels: Vec<String> = methods.iter().map(|m| m.label()).collect();
        labels.sort();
        assert_eq!(labels, ["[ANY:$default]", "[GET:/orders/{id}]"]);
    }
}
