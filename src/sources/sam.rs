//! SAM's implicit APIs: `AWS::Serverless::Function` `Events` of type `Api` (the implicit
//! `ServerlessRestApi`, or an `AWS::Serverless::Api` without a `DefinitionBody`, named by
//! `RestApiId`) and `HttpApi` (the implicit `ServerlessHttpApi`, or an
//! `AWS::Serverless::HttpApi`). SAM generates their definitions from the events at deploy
//! time; this writes the same definition (Lambda proxy integrations, the events' `Auth` with
//! the API's `Auth.Authorizers`, `RequestParameters`, `RequestModel`) as the API's
//! `DefinitionBody`, each operation naming the event it came from. Facts: the SAM
//! specification's "Api", "HttpApi", "ApiAuth" and "ApiFunctionAuth" pages.
use super::intrinsics::Resolver;
use super::{ORIGIN, Read};
use serde_json::{Map, Value, json};

const IMPLICIT_REST: &str = "ServerlessRestApi";

/// An event's operation for an API's own definition: (API, path, method, operation, security
/// schemes, whether the operation's security replaces the definition's).
type Merge = (String, String, String, Map<String, Value>, Value, bool);
pub(crate) const IMPLICIT_HTTP: &str = "ServerlessHttpApi";

/// Writes the implicit and event-built APIs' definitions into the template; what was read.
pub fn read(template: &mut Value, overrides: &[(String, String)], into: &mut Read) {
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return;
    };
    let resolver = Resolver::new(template, overrides);
    // Each API as SAM translates it: its properties with the template's Globals merged in
    // (implicit APIs take the Globals alone), made once per API.
    let mut effective: std::collections::HashMap<String, Option<std::rc::Rc<Value>>> =
        Default::default();
    let mut api_of = |api_id: &str, http: bool| -> Option<std::rc::Rc<Value>> {
        effective
            .entry(api_id.to_string())
            .or_insert_with(|| {
                with_globals(template, resources.get(api_id), http).map(std::rc::Rc::new)
            })
            .clone()
    };
    // (API logical id, http) → (definition, resource type, methods)
    let mut built: Vec<(String, bool, Map<String, Value>, usize)> = Vec::new();
    let mut merges: Vec<Merge> = Vec::new();
    for (fid, f) in resources {
        // A state machine's Api events start executions (SAM "Api" event of
        // AWS::Serverless::StateMachine); a function's call it.
        let machine = match f.get("Type").and_then(Value::as_str) {
            Some("AWS::Serverless::Function") => false,
            Some("AWS::Serverless::StateMachine") => true,
            _ => continue,
        };
        let Some(events) = f.pointer("/Properties/Events").and_then(Value::as_object) else {
            continue;
        };
        for (eid, e) in events {
            let http = match e.get("Type").and_then(Value::as_str) {
                Some("Api") => false,
                Some("HttpApi") if !machine => true,
                _ => continue,
            };
            let props = e.get("Properties").cloned().unwrap_or(json!({}));
            let origin = format!(
                "{}.Properties.Events.{eid}",
                crate::locate::resource_path(fid)
            );
            // A REST event needs both; SAM refuses it without [SAM's test
            // error_function_invalid_api_event]. An HTTP event without either (or with both
            // empty) is the $default route; with one of the two SAM refuses it likewise
            // [samtranslator implicit_http_api_plugin.py, then implicit_api_plugin.py
            // `_validate_api_event`].
            let given = |k: &str| {
                props
                    .get(k)
                    .is_some_and(|v| !http || v.as_str().is_none_or(|s| !s.is_empty()))
            };
            let one_given = given("Path") || given("Method");
            if (!http || one_given)
                && let Some(missing) = ["Path", "Method"]
                    .into_iter()
                    .find(|k| props.get(*k).is_none())
            {
                into.faults.push(super::Fault {
                    code: super::SAM_TRANSFORM_ERROR,
                    error: true,
                    api: props
                        .get(if http { "ApiId" } else { "RestApiId" })
                        .and_then(|r| r.get("Ref").or(Some(r)))
                        .and_then(Value::as_str)
                        .unwrap_or(if http { IMPLICIT_HTTP } else { IMPLICIT_REST })
                        .to_string(),
                    location: origin.clone(),
                    message: format!(
                        "{fid} event {eid} has no {missing}: SAM refuses the template (\"Event with id [{eid}] is invalid. Property '{missing}' is required.\"), so the stack is never created or updated; give the event its Path and Method"
                    ),
                });
                continue;
            }
            // A Ref, or the API's logical id as a plain string: SAM takes both
            // (`Api.get_rest_api_id_string`).
            let api_id = match props.get("RestApiId").or_else(|| props.get("ApiId")) {
                Some(r) => match r
                    .get("Ref")
                    .and_then(Value::as_str)
                    .or_else(|| r.as_str())
                    .filter(|id| is_api(resources.get(*id), http))
                {
                    Some(id) => id.to_string(),
                    None => {
                        match api_reference_refused(r, resources, http, fid, eid, origin) {
                            Some(fault) => into.faults.push(fault),
                            None => into.not_readable.push(format!(
                                "{fid} event {eid}: its API is not a Ref to an {} of this template",
                                if http {
                                    "AWS::Serverless::HttpApi"
                                } else {
                                    "AWS::Serverless::Api"
                                }
                            )),
                        }
                        continue;
                    }
                },
                None if http => IMPLICIT_HTTP.to_string(),
                None => IMPLICIT_REST.to_string(),
            };
            // An API whose definition is a file of its own (DefinitionUri): SAM adds nothing
            // from the events to it (only the functions' permissions).
            if resources
                .get(&api_id)
                .and_then(|a| a.pointer("/Properties/DefinitionUri"))
                .is_some()
            {
                continue;
            }
            // An explicit API with its own inline definition: SAM adds the event's Lambda
            // integration (and security) to the operation the definition has; an HTTP API's
            // missing operation SAM creates [SAM "HttpApi" event]; a REST API's must exist
            // [SAM "Api" event].
            let api = api_of(&api_id, http);
            let api = api.as_deref();
            if let Some(body) = resources
                .get(&api_id)
                .and_then(|a| a.pointer("/Properties/DefinitionBody"))
            {
                if body.get("paths").is_none() {
                    continue;
                }
                let (path, key) = route_of(&props, &resolver);
                let exists = body
                    .pointer(&format!(
                        "/paths/{}/{key}",
                        path.replace('~', "~0").replace('/', "~1")
                    ))
                    .is_some();
                // A REST API's own definition is the user's: without MergeDefinitions SAM
                // adds an event's operation to it never, and its authorization only with
                // OverrideApiAuth [samtranslator: push.py Api.to_cloudformation; SAM's test
                // explicit_api_with_invalid_events_config].
                let mut override_auth = false;
                if !http && !merges_definitions(api, &resolver) {
                    if !exists {
                        into.faults.push(event_not_in_definition(
                            &api_id, fid, eid, &path, &key, body, origin,
                        ));
                        continue;
                    }
                    override_auth = props
                        .pointer("/Auth/OverrideApiAuth")
                        .and_then(|o| resolver.text(o))
                        .is_some_and(|o| o == "true");
                    if !override_auth {
                        continue;
                    }
                }
                if let Some(fault) =
                    event_auth_refused(&props, api, http, fid, eid, &origin, &resolver)
                {
                    into.faults.push(fault);
                }
                // The API's Auth.Authorizers as schemes, for the definition to hold too.
                let mut scratch = definition(http, api, &resolver);
                let mut op = operation(fid, &props, api, http, &origin, &resolver, &mut scratch);
                if machine {
                    start_execution(&mut op, fid, eid, &props, &resolver);
                }
                if override_auth {
                    // Only the event's authorization, and it replaces the definition's.
                    op.retain(|k, _| k == "security");
                    op.entry("security").or_insert_with(|| json!([]));
                }
                let schemes = scratch
                    .get("components")
                    .and_then(|c| c.get("securitySchemes"))
                    .cloned()
                    .unwrap_or(json!({}));
                merges.push((api_id, path, key, op, schemes, override_auth));
                continue;
            }
            let at = match built.iter().position(|(id, ..)| id == &api_id) {
                Some(i) => i,
                None => {
                    built.push((api_id.clone(), http, definition(http, api, &resolver), 0));
                    built.len() - 1
                }
            };
            let (_, _, def, methods) = &mut built[at];
            let (path, key) = route_of(&props, &resolver);
            if let Some(fault) = event_auth_refused(&props, api, http, fid, eid, &origin, &resolver)
            {
                into.faults.push(fault);
            }
            let mut op = operation(fid, &props, api, http, &origin, &resolver, def);
            if machine {
                start_execution(&mut op, fid, eid, &props, &resolver);
            }
            let paths = def
                .entry("paths")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(item) = paths
                .as_object_mut()
                .map(|p| p.entry(path.clone()).or_insert_with(|| json!({})))
                .and_then(Value::as_object_mut)
            {
                // Two events of one API on the same route: SAM refuses the second
                // [samtranslator: push.py, "defined multiple times"].
                let partial = props.get("Path").is_some() != props.get("Method").is_some();
                if let Some(first) = item
                    .get(&key)
                    .and_then(|o| o.get(ORIGIN))
                    .and_then(Value::as_str)
                    .filter(|_| !partial)
                {
                    // "$.Resources.Fn.Properties.Events.A" is "Fn event A".
                    let first = first
                        .strip_prefix("$.Resources.")
                        .and_then(|f| f.split_once(".Properties.Events."))
                        .map_or(first.to_string(), |(f, e)| format!("{f} event {e}"));
                    let (open, close) = if http { ('\'', '\'') } else { ('"', '"') };
                    into.faults.push(super::Fault {
                        code: super::SAM_TRANSFORM_ERROR,
                        error: true,
                        api: api_id.clone(),
                        location: origin.clone(),
                        message: format!(
                            "{fid} event {eid} names {} {path} of {api_id}, which {first} already names: SAM refuses the template (\"Event with id [{eid}] is invalid. API method {open}{key}{close} defined multiple times for path {open}{path}{close}.\"), so the stack is never created or updated; remove one of the two events, or give them different paths or methods",
                            method_label(&key)
                        ),
                    });
                    continue;
                }
                item.insert(key, Value::Object(op));
                *methods += 1;
            }
        }
    }
    // Explicit APIs' own DefinitionBody: SAM gives each operation the API's (and Globals')
    // default authorizer and API key requirement.
    let mut defaults: Vec<(String, BodyAuth)> = Vec::new();
    for (id, r) in resources {
        let Some(http) = sam_api_kind(r) else {
            continue;
        };
        if r.pointer("/Properties/DefinitionBody/paths").is_none()
            || r.pointer("/Properties/DefinitionUri").is_some()
        {
            continue;
        }
        if let Some(auth) = api_of(id, http)
            .as_deref()
            .and_then(|a| a.pointer("/Properties/Auth"))
            .and_then(|a| body_auth(a, http, &resolver))
        {
            defaults.push((id.clone(), auth));
        }
    }
    // SAM's `Cors` on each REST API it writes a definition for (its own or Globals.Api's),
    // with the API's `Auth` for the preflights it adds.
    let mut cors_of: Vec<(String, Value, Option<BodyAuth>)> = Vec::new();
    let rest_ids = built
        .iter()
        .filter(|(_, http, ..)| !http)
        .map(|(id, ..)| id.clone())
        .chain(
            resources
                .iter()
                .filter(|(_, r)| {
                    r.get("Type").and_then(Value::as_str) == Some("AWS::Serverless::Api")
                        && r.pointer("/Properties/DefinitionBody/paths").is_some()
                        && r.pointer("/Properties/DefinitionUri").is_none()
                })
                .map(|(id, _)| id.clone()),
        )
        .collect::<Vec<_>>();
    for id in rest_ids {
        let api = api_of(&id, false);
        let Some(cors) = api
            .as_deref()
            .and_then(|a| a.pointer("/Properties/Cors"))
            .map(|c| resolver.value(c))
        else {
            continue;
        };
        let auth = api
            .as_deref()
            .and_then(|a| a.pointer("/Properties/Auth"))
            .and_then(|a| body_auth(a, false, &resolver));
        cors_of.push((id, cors, auth));
    }
    // APIs whose DefinitionBody takes the events' operations with `MergeDefinitions` (its own
    // or Globals.Api's): what SAM generates wins where both say something.
    let merging: std::collections::HashSet<String> = merges
        .iter()
        .map(|m| m.0.clone())
        .filter(|id| merges_definitions(api_of(id, false).as_deref(), &resolver))
        .collect();
    // What SAM refuses to write into a definition it does not hold.
    for (id, r) in resources {
        let Some(http) = sam_api_kind(r) else {
            continue;
        };
        if r.pointer("/Properties/DefinitionUri").is_some() {
            let api = api_of(id, http);
            into.faults.extend(needs_inline_definition(
                id,
                http,
                api.as_deref(),
                r,
                &resolver,
            ));
        } else {
            into.faults.extend(api_settings_refused(
                id,
                http,
                api_of(id, http).as_deref(),
                Some(r),
                &resolver,
            ));
        }
    }
    // The implicit APIs take Globals' Cors and Auth.
    for (id, http) in [(IMPLICIT_REST, false), (IMPLICIT_HTTP, true)] {
        if !resources.contains_key(id) && built.iter().any(|(b, h, ..)| b == id && *h == http) {
            into.faults.extend(api_settings_refused(
                id,
                http,
                api_of(id, http).as_deref(),
                None,
                &resolver,
            ));
        }
    }
    // An AWS::Serverless::Api with neither a definition nor an event naming it: SAM writes it
    // with no methods, and API Gateway refuses to deploy a REST API without any
    // (BadRequestException "The REST API doesn't contain any methods" [AWS:
    // AWS::ApiGateway::Deployment]). Usually its events forgot `RestApiId`, and made the
    // implicit ServerlessRestApi instead.
    // An AWS::Serverless::HttpApi likewise, but API Gateway keeps an HTTP API without routes,
    // and answers every call 404 {"message":"Not Found"}: a warning, unless its events made
    // the implicit API instead. AWS::ApiGateway::Method (AWS::ApiGatewayV2::Route) resources
    // may give a SAM API its methods too.
    let method_resources = super::cloudformation::MethodResourceApis::of(resources);
    let route_resources = super::cloudformation::MethodResourceApis::of_routes(resources);
    let mut empty = Vec::new();
    for (id, r) in resources {
        let Some(http) = sam_api_kind(r) else {
            continue;
        };
        let given = if http {
            &route_resources
        } else {
            &method_resources
        };
        if r.get("Properties")
            .is_some_and(|p| p.get("DefinitionBody").is_some() || p.get("DefinitionUri").is_some())
            || built.iter().any(|(b, ..)| b == id)
            || given.may_give_methods_to(id)
        {
            continue;
        }
        let (implicit, event, key) = if http {
            (IMPLICIT_HTTP, "HttpApi", "ApiId")
        } else {
            (IMPLICIT_REST, "Api", "RestApiId")
        };
        let implicit_events = built
            .iter()
            .find(|(b, h, ..)| b == implicit && *h == http)
            .map_or(0, |b| b.3);
        let hint = if implicit_events > 0 {
            format!(
                "; the template's {implicit_events} {event} event(s) without {key} make the implicit {implicit} instead"
            )
        } else {
            String::new()
        };
        let outcome = if http {
            "SAM writes it with no routes, and API Gateway answers every call to it 404 {\"message\":\"Not Found\"}"
        } else {
            "SAM writes it with no methods, and API Gateway refuses to deploy it (BadRequestException \"The REST API doesn't contain any methods\"), so the stack fails"
        };
        let kind = if http {
            "AWS::Serverless::HttpApi"
        } else {
            "AWS::Serverless::Api"
        };
        into.faults.push(super::Fault {
            code: super::API_WITHOUT_METHODS,
            error: !http || implicit_events > 0,
            api: id.clone(),
            location: crate::locate::resource_path(id),
            message: format!(
                "{id} is an {kind} with no DefinitionBody and no function event naming it ({key}: !Ref {id}){hint}: {outcome}; give its events {key}: !Ref {id}, or remove it"
            ),
        });
        empty.push((id.clone(), http));
    }
    // Their definitions as SAM writes them: no paths.
    for (id, http) in empty {
        let def = definition(http, api_of(&id, http).as_deref(), &resolver);
        built.push((id, http, def, 0));
    }
    into.unresolved += resolver.unresolved.get();
    let Some(resources) = template.get_mut("Resources").and_then(Value::as_object_mut) else {
        return;
    };
    for (api_id, auth) in defaults {
        // The operations events fill are theirs: each event decided its own authorizer.
        let targeted: Vec<(&str, &str)> = merges
            .iter()
            .filter(|m| m.0 == api_id)
            .map(|m| (m.1.as_str(), m.2.as_str()))
            .collect();
        if let Some(body) = resources
            .get_mut(&api_id)
            .and_then(|a| a.pointer_mut("/Properties/DefinitionBody"))
            .and_then(Value::as_object_mut)
        {
            apply_body_auth(body, &auth, &targeted);
        }
    }
    for (api_id, path, key, op, schemes, replaces) in merges {
        let Some(body) = resources
            .get_mut(&api_id)
            .and_then(|a| a.pointer_mut("/Properties/DefinitionBody"))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        // Swagger 2 keeps schemes in securityDefinitions, OpenAPI 3 in components.
        let scheme_path: &[&str] = if body.contains_key("swagger") {
            &["securityDefinitions"]
        } else {
            &["components", "securitySchemes"]
        };
        for (name, scheme) in schemes.as_object().into_iter().flatten() {
            let mut at = vec![];
            at.extend_from_slice(scheme_path);
            at.push(name.as_str());
            if pointer_of(body, &at).is_none() {
                insert(body, &at, scheme.clone());
            }
        }
        let Some(paths) = body.get_mut("paths").and_then(Value::as_object_mut) else {
            continue;
        };
        let item = paths.entry(path).or_insert_with(|| json!({}));
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        let created = !item.contains_key(&key);
        let existing = item.entry(key).or_insert_with(|| json!({"responses": {}}));
        let Some(existing) = existing.as_object_mut() else {
            continue;
        };
        // What the definition says itself wins and the event fills what it leaves out; with
        // MergeDefinitions what SAM generates wins, key by key [samtranslator: push.py,
        // _get_merged_definitions]. Only an operation the event created names the event as
        // where it is written.
        let generated_wins = merging.contains(&api_id);
        for (k, v) in op {
            if k == ORIGIN && !created {
                continue;
            }
            match existing.get_mut(&k) {
                None => {
                    existing.insert(k, v);
                }
                Some(mine) if replaces => *mine = v,
                Some(mine) if generated_wins => merge_into(mine, v),
                Some(_) => {}
            }
        }
    }
    for (id, cors, auth) in cors_of {
        let body = match built.iter_mut().find(|(b, http, ..)| b == &id && !http) {
            Some((_, _, def, _)) => Some(def),
            None => resources
                .get_mut(&id)
                .and_then(|a| a.pointer_mut("/Properties/DefinitionBody"))
                .and_then(Value::as_object_mut),
        };
        if let Some(body) = body {
            add_cors(body, &cors, auth.as_ref());
        }
    }
    // Explicit APIs with their own inline definition, as SAM leaves them (those in a file of
    // their own were counted where the file was read).
    for r in resources.values() {
        let Some(http) = sam_api_kind(r) else {
            continue;
        };
        let Some(body) = r
            .pointer("/Properties/DefinitionBody")
            .filter(|b| b.get("paths").is_some())
        else {
            continue;
        };
        if r.pointer("/Properties/DefinitionUri").is_some() {
            continue;
        }
        if http {
            into.http_apis += 1;
        } else {
            into.apis += 1;
        }
        into.methods += super::included::operations(body);
    }
    for (id, http, def, methods) in built {
        if http {
            into.http_apis += 1;
        } else {
            into.apis += 1;
        }
        into.methods += methods;
        let kind = if http {
            "AWS::Serverless::HttpApi"
        } else {
            "AWS::Serverless::Api"
        };
        let entry = resources
            .entry(id)
            .or_insert_with(|| json!({"Type": kind, "Properties": {}}));
        if let Some(props) = entry
            .as_object_mut()
            .map(|e| e.entry("Properties").or_insert_with(|| json!({})))
            .and_then(Value::as_object_mut)
        {
            props.insert("DefinitionBody".into(), Value::Object(def));
        }
    }
}

/// A definition's operation key as people write the method: `ANY` for API Gateway's any-method.
fn method_label(key: &str) -> String {
    if key == "x-amazon-apigateway-any-method" {
        "ANY".to_string()
    } else {
        key.to_ascii_uppercase()
    }
}

/// A SAM API resource's kind: Some(false) for an `AWS::Serverless::Api`, Some(true) for an
/// `AWS::Serverless::HttpApi`.
fn sam_api_kind(resource: &Value) -> Option<bool> {
    match resource.get("Type").and_then(Value::as_str) {
        Some("AWS::Serverless::Api") => Some(false),
        Some("AWS::Serverless::HttpApi") => Some(true),
        _ => None,
    }
}

/// Whether a REST API takes its events' operations into its own definition
/// (`MergeDefinitions`, its own or Globals.Api's).
fn merges_definitions(api: Option<&Value>, resolver: &Resolver<'_>) -> bool {
    api.and_then(|a| a.pointer("/Properties/MergeDefinitions"))
        .and_then(|m| resolver.text(m))
        .is_some_and(|m| m == "true")
}

/// An Api event whose route the REST API's own definition lacks: SAM adds only the function's
/// permission, so the API has no such method. A call to it is answered by another path of the
/// definition that matches it (a `{proxy+}`), else 403 "Missing Authentication Token".
#[allow(clippy::too_many_arguments)]
fn event_not_in_definition(
    api: &str,
    function: &str,
    event: &str,
    path: &str,
    key: &str,
    body: &Value,
    location: String,
) -> super::Fault {
    let method = method_label(key);
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let served = body
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(p, item)| {
            crate::checks::validation::route_score(p, &segments).is_some()
                && item.as_object().is_some_and(|i| {
                    i.contains_key(key) || i.contains_key("x-amazon-apigateway-any-method")
                })
        })
        .map(|(p, _)| p.clone())
        .next();
    let (error, outcome) = match &served {
        Some(p) => (
            false,
            format!("a call to it is answered by {p}'s own integration, not by {function}"),
        ),
        None => (
            true,
            "a call to it is answered 403 {\"message\":\"Missing Authentication Token\"}"
                .to_string(),
        ),
    };
    super::Fault {
        code: super::SAM_EVENT_NOT_IN_DEFINITION,
        error,
        api: api.to_string(),
        location,
        message: format!(
            "{function} event {event} names {method} {path} of {api}, which {api}'s DefinitionBody does not define: SAM adds an event's operation to an API's own definition only with MergeDefinitions: true, and otherwise writes only the function's permission, so the API has no {method} {path} and {outcome}; add the operation (with its x-amazon-apigateway-integration) to the DefinitionBody, or set MergeDefinitions: true on {api}"
        ),
    }
}

/// SAM's refusals of an API whose definition is a file of its own (`DefinitionUri`): a
/// DefinitionBody or MergeDefinitions beside it, and properties SAM writes into a definition,
/// which it cannot into one it does not hold [samtranslator: api_generator.py,
/// http_api_generator.py; SAM's tests error_cors_on_external_swagger,
/// error_http_api_tags_def_uri, error_http_api_with_cors_def_uri].
fn needs_inline_definition(
    id: &str,
    http: bool,
    api: Option<&Value>,
    resource: &Value,
    resolver: &Resolver<'_>,
) -> Vec<super::Fault> {
    const REST: &[(&str, &str)] = &[
        (
            "Cors",
            "Cors works only with inline Swagger specified in 'DefinitionBody' property.",
        ),
        (
            "Auth",
            "Auth works only with inline Swagger specified in 'DefinitionBody' property.",
        ),
        (
            "GatewayResponses",
            "GatewayResponses works only with inline Swagger specified in 'DefinitionBody' property.",
        ),
        (
            "Models",
            "Models works only with inline Swagger specified in 'DefinitionBody' property.",
        ),
    ];
    const HTTP: &[(&str, &str)] = &[
        (
            "CorsConfiguration",
            "Cors works only with inline OpenApi specified in 'DefinitionBody' property.",
        ),
        (
            "Auth",
            "Auth works only with inline OpenApi specified in the 'DefinitionBody' property.",
        ),
        (
            "Tags",
            "Tags works only with inline OpenApi specified in the 'DefinitionBody' property.",
        ),
        (
            "Description",
            "Description works only with inline OpenApi specified in the 'DefinitionBody' property.",
        ),
        (
            "Name",
            "Name works only with inline OpenApi specified in the 'DefinitionBody' property.",
        ),
    ];
    let globals = if http { "HttpApi" } else { "Api" };
    let mut out = Vec::new();
    let refusal = |key: &str, said: &str, why: &str| {
        setting_refused(id, http, Some(resource), key, said, why)
    };
    // Both written by the user (a body read from the DefinitionUri file is marked as such).
    if resource
        .pointer("/Properties/DefinitionBody")
        .is_some_and(|b| b.get(super::included::FILE).is_none())
    {
        out.push(refusal(
            "DefinitionBody",
            "Specify either 'DefinitionUri' or 'DefinitionBody' property and not both.",
            "keep one of the two",
        ));
    }
    // A local path is uploaded by `sam deploy` (or `aws cloudformation package`), which
    // writes its s3:// URI in its place; any other URL stays, and SAM takes only s3://
    // [samtranslator: s3_utils/uri_parser.py; SAM's test error_api_invalid_definitionuri].
    if let Some(uri) = resource
        .pointer("/Properties/DefinitionUri")
        .and_then(Value::as_str)
        .filter(|u| u.contains("://") && !u.starts_with("s3://"))
    {
        out.push(refusal(
            "DefinitionUri",
            "'DefinitionUri' is not a valid S3 Uri of the form 's3://bucket/key' with optional versionId query parameter.",
            &format!("{uri} is not one: give the s3:// URI of the uploaded definition, or the path of a local file for sam deploy to upload"),
        ));
    }
    if !http && merges_definitions(api, resolver) {
        out.push(refusal(
            "DefinitionUri",
            "Cannot set 'MergeDefinitions' to True when using `DefinitionUri`.",
            "SAM merges its events only into a DefinitionBody: inline the definition (Fn::Transform AWS::Include keeps it in its file), or drop MergeDefinitions",
        ));
    }
    for (key, said) in if http { HTTP } else { REST } {
        // SAM skips an empty or false value.
        let set = api
            .and_then(|a| a.pointer(&format!("/Properties/{key}")))
            .map(|v| resolver.value(v))
            .is_some_and(|v| match v {
                Value::Null | Value::Bool(false) => false,
                Value::String(s) => !s.is_empty(),
                Value::Object(o) => !o.is_empty(),
                Value::Array(a) => !a.is_empty(),
                Value::Number(_) | Value::Bool(true) => true,
            });
        if !set {
            continue;
        }
        let (location, global) = setting_location(id, http, Some(resource), key);
        let whose = if global {
            format!(" (from Globals.{globals})")
        } else {
            String::new()
        };
        out.push(super::Fault {
            code: super::SAM_TRANSFORM_ERROR,
            error: true,
            api: id.to_string(),
            location,
            message: format!(
                "{id} has {key}{whose} and its definition in a file of its own (DefinitionUri): SAM refuses the template (\"Resource with id [{id}] is invalid. {said}\"), so the stack is never created or updated; write what {key} says into the definition file, or make the definition a DefinitionBody (Fn::Transform AWS::Include keeps it in its file)"
            ),
        });
    }
    out
}

/// Where API `id`'s setting `key` (a dotted path under its Properties) is written: on its
/// resource, else in Globals (an implicit API has no resource; an explicit one may take the
/// setting from Globals); and whether that is Globals.
fn setting_location(id: &str, http: bool, resource: Option<&Value>, key: &str) -> (String, bool) {
    setting_location_in(id, if http { "HttpApi" } else { "Api" }, resource, key)
}

/// [`setting_location`] for the resource type whose Globals section is `section` (`Api`,
/// `HttpApi`, `WebSocketApi`).
pub(crate) fn setting_location_in(
    id: &str,
    section: &str,
    resource: Option<&Value>,
    key: &str,
) -> (String, bool) {
    if resource.is_some_and(|r| {
        r.pointer(&format!("/Properties/{}", key.replace('.', "/")))
            .is_some()
    }) {
        (
            format!("{}.Properties.{key}", crate::locate::resource_path(id)),
            false,
        )
    } else {
        (format!("$.Globals.{section}.{key}"), true)
    }
}

/// SAM's refusal of API `id` (`resource`, none for an implicit API) for its setting `key`, in
/// SAM's words `said`.
fn setting_refused(
    id: &str,
    http: bool,
    resource: Option<&Value>,
    key: &str,
    said: &str,
    why: &str,
) -> super::Fault {
    let (location, _) = setting_location(id, http, resource, key);
    super::Fault {
        code: super::SAM_TRANSFORM_ERROR,
        error: true,
        api: id.to_string(),
        location,
        message: format!(
            "{id}: SAM refuses the template (\"Resource with id [{id}] is invalid. {said}\"), so the stack is never created or updated; {why}"
        ),
    }
}

/// What SAM refuses in an API's own settings: its CORS (`cors_refused`), and a
/// `DefaultAuthorizer` its `Authorizers` does not define (`AWS_IAM` is built in for a REST API;
/// an HTTP API's needs `EnableIamAuthorizer`) [samtranslator api_generator.py and
/// http_api_generator.py `_set_default_authorizer`; SAM's test error_api_invalid_auth].
fn api_settings_refused(
    id: &str,
    http: bool,
    api: Option<&Value>,
    resource: Option<&Value>,
    resolver: &Resolver<'_>,
) -> Vec<super::Fault> {
    let mut out = cors_refused(id, http, api, resource, resolver);
    out.extend(domain_refused(id, http, api, resource));
    let auth_value = api.and_then(|a| a.pointer("/Properties/Auth"));
    let auth = auth_value.and_then(Value::as_object);
    let Some(default) = auth
        .and_then(|a| a.get("DefaultAuthorizer"))
        .and_then(Value::as_str)
        .filter(|d| !d.is_empty())
    else {
        return out;
    };
    // What SAM refuses first in another way: Authorizers that are given but not a map, a
    // DefinitionBody that is not a definition (`api` is the API's settings without its body;
    // the body is the resource's own).
    let authorizers = auth.and_then(|a| a.get("Authorizers"));
    if authorizers.is_some_and(|a| !a.is_object() && !a.is_null())
        || resource
            .and_then(|r| r.pointer("/Properties/DefinitionBody"))
            .is_some_and(|b| !b.get("paths").is_some_and(Value::is_object))
    {
        return out;
    }
    let authorizers = authorizers
        .and_then(Value::as_object)
        .filter(|a| !a.is_empty());
    // A REST API without Authorizers: SAM applies no default authorizer at all, and says
    // nothing (its `_add_auth` sets one only when there are authorizers), so what the API's
    // author meant to protect is open. Decided as the reading decides it (`applied_default`).
    if !http && auth_value.is_some_and(rest_default_ignored) {
        if default != "AWS_IAM" && default != "NONE" {
            let (location, _) = setting_location(id, http, resource, "Auth.DefaultAuthorizer");
            out.push(super::Fault {
                code: super::SAM_AUTH_IGNORED,
                error: true,
                api: id.to_string(),
                location,
                message: format!(
                    "{id}: Auth.DefaultAuthorizer '{default}' does nothing: SAM applies a REST API's default authorizer only when Auth.Authorizers defines authorizers, and this API has none, so SAM deploys every method without its own Authorizer open to anyone, without a word; define '{default}' under Auth.Authorizers"
                ),
            });
        }
        return out;
    }
    let defined = authorizers.is_some_and(|all| all.contains_key(default));
    let iam = default == "AWS_IAM"
        && (!http
            || auth
                .and_then(|a| a.get("EnableIamAuthorizer"))
                .and_then(|e| resolver.text(e))
                .is_some_and(|e| e == "true"));
    if defined || iam {
        return out;
    }
    let iam_hint = if http && default == "AWS_IAM" {
        " (an HTTP API's AWS_IAM needs Auth.EnableIamAuthorizer: true)"
    } else {
        ""
    };
    out.push(setting_refused(
        id,
        http,
        resource,
        "Auth.DefaultAuthorizer",
        &format!(
            "Unable to set DefaultAuthorizer because '{default}' was not defined in 'Authorizers'."
        ),
        &format!("name one of Auth.Authorizers{iam_hint}"),
    ));
    out
}

/// A `Domain.BasePath` as written: a string, or a list's items.
fn base_paths(domain: &Value) -> Vec<&Value> {
    match domain.get("BasePath") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(p @ Value::String(s)) if !s.is_empty() => vec![p],
        _ => Vec::new(),
    }
}

/// What SAM refuses in an HTTP or WebSocket API's `Domain`, and the setting it is about: a
/// domain without both DomainName and CertificateArn, an EndpointConfiguration other than
/// REGIONAL, a base path that is not a string (an intrinsic) or holds a character other than
/// a letter, a digit, `/`, `-` and `_` [samtranslator apiv2_generator.py
/// `_construct_api_domain` and `_construct_basepath_mappings`; SAM's tests
/// error_http_api_invalid_basepath_type and error_websocket_api_invalid_basepath_type].
pub(crate) fn v2_domain_refusal(domain: &Value) -> Option<(&'static str, &'static str)> {
    let given = |key: &str| domain.get(key).is_some_and(|v| !v.is_null());
    if !given("DomainName") || !given("CertificateArn") {
        return Some((
            "Domain",
            "Custom Domains only works if both DomainName and CertificateArn are provided.",
        ));
    }
    if domain
        .get("EndpointConfiguration")
        .and_then(Value::as_str)
        .is_some_and(|e| e != "REGIONAL")
    {
        return Some((
            "Domain.EndpointConfiguration",
            "EndpointConfiguration for Custom Domains must be one of ['REGIONAL'].",
        ));
    }
    base_paths(domain)
        .into_iter()
        .find_map(|p| match p.as_str() {
            None => Some(("Domain.BasePath", "Basepath must be a string.")),
            Some(p)
                if p.chars()
                    .any(|c| !(c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_'))) =>
            {
                Some(("Domain.BasePath", "Invalid Basepath name provided."))
            }
            Some(_) => None,
        })
}

/// An API's `Domain` as SAM deploys it, or refuses it, in SAM's order and words (the first
/// refusal of each API). A REST API's: a Domain that is not a map (an intrinsic), a missing
/// DomainName or CertificateArn, an EndpointConfiguration other than EDGE, REGIONAL or
/// PRIVATE, a base path that is not a string [samtranslator api_generator.py
/// `_construct_api_domain`; SAM's test error_api_with_custom_domains_invalid]; and, unless
/// `NormalizeBasePath` is false, SAM keeps only a base path's letters and digits (`dev-v1` is
/// mapped as `devv1`, `api/v1` as `apiv1`) [AWS SAM: Domain's NormalizeBasePath; obs:
/// aws/serverless-application-model#1456 and #2279], so calls under the written path match no
/// mapping of the domain. An HTTP API's: both DomainName and CertificateArn, REGIONAL alone,
/// and what `v2_domain_refusal` says.
fn domain_refused(
    id: &str,
    http: bool,
    api: Option<&Value>,
    resource: Option<&Value>,
) -> Vec<super::Fault> {
    let Some(domain) = api
        .and_then(|a| a.pointer("/Properties/Domain"))
        .filter(|d| !d.is_null())
    else {
        return Vec::new();
    };
    let given = |key: &str| domain.get(key).is_some_and(|v| !v.is_null());
    let refused = |key: &str, said: &str, why: &str| {
        vec![setting_refused(id, http, resource, key, said, why)]
    };
    if http {
        // A Domain that is not a map is refused by SAM's property check first, in other words.
        if !domain.is_object() {
            return Vec::new();
        }
        return v2_domain_refusal(domain)
            .map(|(key, said)| {
                refused(
                    key,
                    said,
                    "an HTTP API's custom domain takes DomainName and CertificateArn, REGIONAL, and base paths of letters, digits, /, - and _",
                )
            })
            .unwrap_or_default();
    }
    let endpoint = domain.get("EndpointConfiguration").and_then(Value::as_str);
    // A Domain written as a `Ref` is refused (SAM's test: a parameter's value, not a map);
    // another intrinsic (`Fn::If`) is what SAM may resolve otherwise: not judged.
    let one_key = domain.as_object().filter(|o| o.len() == 1);
    if one_key.is_some_and(|o| o.keys().all(|k| k.starts_with("Fn::"))) {
        return Vec::new();
    }
    if !domain.is_object() || one_key.is_some_and(|o| o.contains_key("Ref")) {
        return refused(
            "Domain",
            "Property 'Domain' should be a map.",
            "write the domain's settings (DomainName, CertificateArn, ...) in the template",
        );
    }
    for key in ["DomainName", "CertificateArn"] {
        if !given(key) {
            return refused(
                "Domain",
                &format!("Property 'Domain.{key}' is required."),
                &format!("give the domain its {key}"),
            );
        }
    }
    if endpoint.is_some_and(|e| !["EDGE", "REGIONAL", "PRIVATE"].contains(&e)) {
        return refused(
            "Domain.EndpointConfiguration",
            "EndpointConfiguration for Custom Domains must be one of ['EDGE', 'REGIONAL', 'PRIVATE'].",
            "write EDGE, REGIONAL or PRIVATE",
        );
    }
    let written = base_paths(domain);
    if let Some(n) = written.iter().position(|p| !p.is_string()) {
        return refused(
            "Domain.BasePath",
            &format!("Property 'Domain.BasePath[{n}]' should be a string."),
            "write each base path as a string",
        );
    }
    if domain
        .get("NormalizeBasePath")
        .is_some_and(|n| n == &Value::Bool(false) || n.as_str() == Some("false"))
    {
        return Vec::new();
    }
    let (location, _) = setting_location(id, http, resource, "Domain.BasePath");
    written
        .into_iter()
        .filter_map(Value::as_str)
        .filter_map(|path| {
            let mapped: String = path.chars().filter(|c| c.is_alphanumeric()).collect();
            (mapped != path.trim_matches('/')).then(|| super::Fault {
                code: super::SAM_BASE_PATH_NORMALIZED,
                error: true,
                api: id.to_string(),
                location: location.clone(),
                message: format!(
                    "{id}: Domain.BasePath '{path}' is mapped as '{mapped}': SAM keeps only a REST API's base path's letters and digits unless Domain.NormalizeBasePath is false, so calls under /{} match no mapping of the domain (403 {{\"message\":\"Forbidden\"}}) and the API answers under /{mapped}; set NormalizeBasePath: false to keep the path as written",
                    path.trim_matches('/')
                ),
            })
        })
        .collect()
}

/// An API's CORS settings SAM refuses: a key it does not know (a REST API's `Cors` takes
/// AllowMethods, AllowHeaders, AllowOrigin, MaxAge, AllowCredentials; an HTTP API's
/// `CorsConfiguration` AllowMethods, AllowHeaders, AllowOrigins, MaxAge, ExposeHeaders,
/// AllowCredentials), or AllowCredentials with the origin `'*'` (a REST API's default)
/// [samtranslator api_generator.py and http_api_generator.py `_add_cors`; SAM's tests
/// error_invalid_cors_dict, error_invalid_httpapi_cors_property,
/// error_cors_credentials_true_with_wildcard_origin].
fn cors_refused(
    id: &str,
    http: bool,
    api: Option<&Value>,
    resource: Option<&Value>,
    resolver: &Resolver<'_>,
) -> Vec<super::Fault> {
    let key = if http { "CorsConfiguration" } else { "Cors" };
    // An intrinsic (`Fn::Join`, `Fn::If`, `Ref`) is the origin as a whole, not a map of keys.
    let Some(cors) = api
        .and_then(|a| a.pointer(&format!("/Properties/{key}")))
        .and_then(Value::as_object)
        .filter(|c| {
            !(c.len() == 1
                && c.keys()
                    .next()
                    .is_some_and(|k| k == "Ref" || k.starts_with("Fn::")))
        })
    else {
        return Vec::new();
    };
    let known: &[&str] = if http {
        &[
            "AllowMethods",
            "AllowHeaders",
            "AllowOrigins",
            "MaxAge",
            "ExposeHeaders",
            "AllowCredentials",
        ]
    } else {
        &[
            "AllowMethods",
            "AllowHeaders",
            "AllowOrigin",
            "MaxAge",
            "AllowCredentials",
        ]
    };
    let fault = |said: String, why: &str| setting_refused(id, http, resource, key, &said, why);
    let mut out = Vec::new();
    for k in cors.keys().filter(|k| !known.contains(&k.as_str())) {
        let hint = match (http, k.as_str()) {
            (true, "AllowOrigin") => " (an HTTP API's is AllowOrigins, a list)".to_string(),
            (false, "AllowOrigins") => {
                " (a REST API's is AllowOrigin, one quoted value)".to_string()
            }
            _ => String::new(),
        };
        out.push(fault(
            format!("Invalid key '{k}' for 'Cors' property."),
            &format!("{key} takes {}{hint}", known.join(", ")),
        ));
    }
    let credentials = cors
        .get("AllowCredentials")
        .and_then(|c| resolver.text(c))
        .is_some_and(|c| c == "true");
    let wildcard = if http {
        cors.get("AllowOrigins")
            .map(|o| resolver.value(o))
            .is_some_and(|o| o == json!(["'*'"]))
    } else {
        cors.get("AllowOrigin")
            .and_then(|o| resolver.text(o))
            .is_none_or(|o| o == "'*'")
    };
    if credentials && wildcard {
        out.push(fault(
            format!(
                "Unable to add Cors configuration because 'AllowCredentials' can not be true when 'AllowOrigin' is \"'*'\" or not set{}",
                if http { "." } else { "" }
            ),
            "name the origin that sends credentials (browsers refuse credentials with the wildcard origin too)",
        ));
    }
    out
}

/// An event's `Auth` SAM refuses: an authorizer its API does not define, `NONE` where the API
/// has no default authorizer, an HTTP event's `Auth` without an authorizer where the API has no
/// default, `OverrideApiAuth` with nothing to override [samtranslator push.py
/// `add_auth_to_swagger`, `_add_auth_to_openapi_integration`, Api.to_cloudformation; SAM's
/// tests error_api_invalid_auth, error_state_machine_with_undefined_api_authorizer,
/// error_function_with_method_auth_and_no_api_auth].
fn event_auth_refused(
    props: &Value,
    api: Option<&Value>,
    http: bool,
    function: &str,
    event: &str,
    location: &str,
    resolver: &Resolver<'_>,
) -> Option<super::Fault> {
    let auth = props
        .get("Auth")
        .filter(|a| a.as_object().is_some_and(|o| !o.is_empty()))?;
    let text = |v: Option<&Value>| v.and_then(|v| resolver.text(v)).filter(|t| !t.is_empty());
    let api_auth = api.and_then(|a| a.pointer("/Properties/Auth"));
    // What SAM refuses first in another way: an API's Auth that is not a map, an authorizer
    // that is not a name.
    if api_auth.is_some_and(|a| !a.is_object())
        || auth.get("Authorizer").is_some_and(|a| !a.is_string())
    {
        return None;
    }
    let authorizers = api_auth
        .and_then(|a| a.get("Authorizers"))
        .and_then(Value::as_object)
        .filter(|a| !a.is_empty());
    let default = text(api_auth.and_then(|a| a.get("DefaultAuthorizer")));
    // SAM names an HTTP event's route as its definition key (`x-amazon-apigateway-any-method`,
    // `$default` when the event has none), a REST event's method as written, in lower case.
    let (path, method) = if http {
        route_of(props, resolver)
    } else {
        (
            text(props.get("Path")).unwrap_or_default(),
            text(props.get("Method"))
                .unwrap_or_default()
                .to_ascii_lowercase(),
        )
    };
    let api_id = props
        .get("RestApiId")
        .or_else(|| props.get("ApiId"))
        .and_then(|r| r.get("Ref").or(Some(r)))
        .and_then(Value::as_str)
        .unwrap_or(if http { IMPLICIT_HTTP } else { IMPLICIT_REST })
        .to_string();
    let on = format!("on API method [{method}] for path [{path}]");
    let mut authorizer = text(auth.get("Authorizer"));
    let said = if !http
        && text(auth.get("OverrideApiAuth")).is_some_and(|o| o == "true")
        && ["Authorizer", "ApiKeyRequired", "ResourcePolicy"]
            .iter()
            .all(|k| auth.get(k).is_none())
    {
        "Must define one of: Authorizer, ApiKeyRequired or ResourcePolicy when using the OverrideApiAuth property.".to_string()
    } else {
        if http && authorizer.is_none() {
            match &default {
                Some(d) => authorizer = Some(d.clone()),
                None => {
                    return Some(auth_fault(
                        function,
                        event,
                        &api_id,
                        location,
                        "'Auth' section requires either an explicit 'Authorizer' set or a 'DefaultAuthorizer' configured on the HttpApi.".to_string(),
                    ));
                }
            }
        }
        let a = authorizer?;
        let iam_builtin = if http {
            text(api_auth.and_then(|x| x.get("EnableIamAuthorizer"))).is_some_and(|e| e == "true")
        } else {
            true
        };
        if a == "NONE" {
            if default.is_some() {
                return None;
            }
            format!(
                "Unable to set Authorizer {on} because 'NONE' is only a valid value when a DefaultAuthorizer on the API is specified."
            )
        } else if a == "AWS_IAM" && iam_builtin {
            return None;
        } else if authorizers.is_none() {
            format!(
                "Unable to set Authorizer [{a}] {on} because the related API does not define any Authorizers."
            )
        } else if authorizers.is_some_and(|all| !all.contains_key(&a)) {
            format!(
                "Unable to set Authorizer [{a}] {on} because it wasn't defined in the API's Authorizers."
            )
        } else {
            return None;
        }
    };
    Some(auth_fault(function, event, &api_id, location, said))
}

fn auth_fault(
    function: &str,
    event: &str,
    api: &str,
    location: &str,
    said: String,
) -> super::Fault {
    super::Fault {
        code: super::SAM_TRANSFORM_ERROR,
        error: true,
        api: api.to_string(),
        location: location.to_string(),
        message: format!(
            "{function} event {event}: SAM refuses the template (\"Event with id [{event}] is invalid. {said}\"), so the stack is never created or updated; name an authorizer of the API's Auth.Authorizers (or AWS_IAM), or give the API the DefaultAuthorizer the event's NONE overrides"
        ),
    }
}

/// An event's `RestApiId`/`ApiId` SAM refuses: an intrinsic other than `Ref` (`Fn::Sub`,
/// `Fn::ImportValue`, `Fn::GetAtt`), a name no resource of the template has (a parameter, an
/// API of another stack), or, for an `Api` event, an `AWS::Serverless::HttpApi`
/// [samtranslator implicit_api_plugin `_add_api_to_swagger`; aws/serverless-application-model
/// #400 (Fn::Sub), #349 (an API of another stack); SAM's test error_api_event_ref_http_api].
/// None when SAM takes it (another resource of the template, such as an
/// AWS::ApiGateway::RestApi, which the event gives no method).
fn api_reference_refused(
    given: &Value,
    resources: &Map<String, Value>,
    http: bool,
    function: &str,
    event: &str,
    location: String,
) -> Option<super::Fault> {
    let named = given
        .get("Ref")
        .and_then(Value::as_str)
        .or_else(|| given.as_str());
    let (key, kind) = if http {
        ("ApiId", "AWS::Serverless::HttpApi")
    } else {
        ("RestApiId", "AWS::Serverless::Api")
    };
    if named.is_none() && given.is_object() {
        return Some(super::Fault {
            code: super::SAM_TRANSFORM_ERROR,
            error: true,
            api: String::new(),
            location,
            message: format!(
                "{function} event {event} names its API with an intrinsic function: SAM refuses the template (\"Event with id [{event}] is invalid. Property '{key}' should be a string.\"), so the stack is never created or updated; write {key}: !Ref API with the logical id of an {kind} of this template (aws/serverless-application-model#400)"
            ),
        });
    }
    let refused = match named {
        None => false,
        Some(id) => match resources.get(id) {
            None => true,
            Some(r) => {
                !http && r.get("Type").and_then(Value::as_str) == Some("AWS::Serverless::HttpApi")
            }
        },
    };
    if !refused {
        return None;
    }
    let shown = named.unwrap_or_default().to_string();
    Some(super::Fault {
        code: super::SAM_TRANSFORM_ERROR,
        error: true,
        api: shown.clone(),
        location,
        message: format!(
            "{function} event {event} names its API as {shown}: SAM refuses the template (\"Event with id [{event}] is invalid. {key} must be a valid reference to an '{kind}' resource in same template.\"), so the stack is never created or updated; write {key}: !Ref API with the logical id of an {kind} of this template (an API of another stack takes an AWS::Lambda::Permission and its own methods, not an event)"
        ),
    })
}

/// Whether `resource` is an API an event of this kind can name: an `AWS::Serverless::Api`
/// for an `Api` event, an `AWS::Serverless::HttpApi` for an `HttpApi` event (SAM also lets an
/// `HttpApi` event name an `AWS::Serverless::Api`, and adds the route to its definition).
fn is_api(resource: Option<&Value>, http: bool) -> bool {
    match resource.and_then(|r| r.get("Type")).and_then(Value::as_str) {
        Some("AWS::Serverless::Api") => true,
        Some("AWS::Serverless::HttpApi") => http,
        _ => false,
    }
}

/// SAM's `Cors` on a REST API: an allowed origin, or `AllowOrigin`, `AllowMethods`,
/// `AllowHeaders`, `MaxAge` and `AllowCredentials`, each a quoted header value (`"'*'"`). SAM
/// adds an OPTIONS method with a MOCK integration to every path of the definition that has
/// none, answering 200 with those headers (`AllowMethods` by default the path's methods and
/// OPTIONS), before it applies the API's `Auth`: the default authorizer and API key reach these
/// preflights too unless `AddDefaultAuthorizerToCorsPreflight` or
/// `AddApiKeyRequiredToCorsPreflight` is false [samtranslator: SwaggerEditor.add_cors, the
/// order of ApiGenerator's steps; SAM "CorsConfiguration"]. Its methods' own answers get no
/// CORS headers from it (a proxy integration's function sends them).
fn add_cors(body: &mut Map<String, Value>, cors: &Value, auth: Option<&BodyAuth>) {
    // `cors` with the template's intrinsics resolved.
    let field = |k: &str| match cors {
        Value::Object(o) if !o.keys().any(|k| k.starts_with("Fn::") || k == "Ref") => {
            o.get(k).cloned()
        }
        other if k == "AllowOrigin" => Some(other.clone()),
        _ => None,
    };
    // A map without AllowOrigin allows every origin (SAM's default, "'*'").
    let origin = field("AllowOrigin").unwrap_or_else(|| json!("'*'"));
    let headers = field("AllowHeaders");
    let allowed_methods = field("AllowMethods");
    let max_age = field("MaxAge");
    let credentials = field("AllowCredentials")
        .is_some_and(|c| c == json!(true) || c == json!("true"))
        .then(|| json!("'true'"));
    let Some(paths) = body.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let mut created = Vec::new();
    // A path item under a condition gets its preflight in each branch, as SAM adds it
    // (`get_conditional_contents`).
    let items = paths.iter_mut().flat_map(|(path, item)| {
        conditional_contents(item)
            .into_iter()
            .map(move |i| (path, i))
    });
    for (path, item) in items {
        if item.contains_key("options") {
            continue;
        }
        let methods = allowed_methods.clone().unwrap_or_else(|| {
            let mut names: Vec<String> = if item.contains_key("x-amazon-apigateway-any-method") {
                ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
                    .map(String::from)
                    .to_vec()
            } else {
                item.keys()
                    .filter(|k| crate::checks::lint::METHODS.contains(&k.as_str()))
                    .map(|k| k.to_ascii_uppercase())
                    .chain(std::iter::once("OPTIONS".to_string()))
                    .collect()
            };
            names.sort();
            names.dedup();
            json!(format!("'{}'", names.join(",")))
        });
        let mut parameters = Map::new();
        let mut response_headers = Map::new();
        for (name, value) in [
            ("Access-Control-Allow-Origin", Some(origin.clone())),
            ("Access-Control-Allow-Headers", headers.clone()),
            ("Access-Control-Allow-Methods", Some(methods)),
            ("Access-Control-Max-Age", max_age.clone()),
            ("Access-Control-Allow-Credentials", credentials.clone()),
        ] {
            if let Some(value) = value {
                parameters.insert(format!("method.response.header.{name}"), value);
                response_headers.insert(name.to_string(), json!({"schema": {"type": "string"}}));
            }
        }
        item.insert(
            "options".into(),
            json!({
                "summary": "CORS support",
                "responses": {"200": {"description": "Default response for CORS method", "headers": response_headers}},
                "x-amazon-apigateway-integration": {
                    "type": "mock",
                    "requestTemplates": {"application/json": "{\n  \"statusCode\" : 200\n}\n"},
                    "responses": {"default": {
                        "statusCode": "200",
                        "responseParameters": parameters,
                        "responseTemplates": {"application/json": "{}\n"}
                    }}
                }
            }),
        );
        created.push(path.clone());
    }
    // The API's Auth on the preflights just added (and on nothing else).
    if let Some(auth) = auth {
        let others: Vec<(String, String)> = paths
            .iter_mut()
            .flat_map(|(p, item)| {
                conditional_contents(item)
                    .into_iter()
                    .flat_map(|i| i.keys())
                    .filter(|k| k.as_str() != "options" || !created.contains(p))
                    .map(|k| (p.clone(), k.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        let skip: Vec<(&str, &str)> = others
            .iter()
            .map(|(p, k)| (p.as_str(), k.as_str()))
            .collect();
        apply_body_auth(body, auth, &skip);
    }
}

/// A state machine's `Api` event: an AWS integration to Step Functions' StartExecution with the
/// role SAM makes for the event (`{MACHINE}{EVENT}Role`), the request body as the execution's
/// input, and 200 and 400 mapped to themselves [samtranslator: eventsources/push.py Api for
/// state machines; its translator test `state_machine_with_api_single`].
fn start_execution(
    op: &mut Map<String, Value>,
    machine: &str,
    event: &str,
    props: &Value,
    resolver: &Resolver<'_>,
) {
    let unescape = props
        .get("UnescapeMappingTemplate")
        .and_then(|u| resolver.text(u))
        .is_some_and(|u| u == "true");
    let input = if unescape {
        r#"$util.escapeJavaScript($input.json('$')).replaceAll("\\'","'")"#
    } else {
        "$util.escapeJavaScript($input.json('$'))"
    };
    op.insert(
        "responses".into(),
        json!({"200": {"description": "OK"}, "400": {"description": "Bad Request"}}),
    );
    let origin = op
        .get("x-amazon-apigateway-integration")
        .and_then(|i| i.get(ORIGIN))
        .cloned();
    let mut integration = json!({
        "type": "aws",
        "httpMethod": "POST",
        "uri": "arn:aws:apigateway:${AWS::Region}:states:action/StartExecution",
        "credentials": format!("${{{machine}{event}Role.Arn}}"),
        "requestTemplates": {"application/json": format!(
            "{{\"input\": \"{input}\", \"stateMachineArn\": \"${{{machine}}}\"}}"
        )},
        "responses": {"200": {"statusCode": "200"}, "400": {"statusCode": "400"}}
    });
    if let Some(origin) = origin {
        integration[ORIGIN] = origin;
    }
    op.insert("x-amazon-apigateway-integration".into(), integration);
}

/// `generated` merged into `mine`: maps key by key, anything else replaced.
fn merge_into(mine: &mut Value, generated: Value) {
    match (mine, generated) {
        (Value::Object(m), Value::Object(g)) => {
            for (k, v) in g {
                match m.get_mut(&k) {
                    Some(existing) => merge_into(existing, v),
                    None => {
                        m.insert(k, v);
                    }
                }
            }
        }
        (mine, generated) => *mine = generated,
    }
}

/// A path item's contents: itself, or under `Fn::If: [Cond, A, B]` each branch that is not
/// `AWS::NoValue` (nested conditions too).
fn conditional_contents(item: &mut Value) -> Vec<&mut Map<String, Value>> {
    let conditional = item
        .as_object()
        .is_some_and(|o| o.len() == 1 && o.get("Fn::If").is_some_and(Value::is_array));
    if !conditional {
        return item.as_object_mut().into_iter().collect();
    }
    let Some(branches) = item.get_mut("Fn::If").and_then(Value::as_array_mut) else {
        return Vec::new();
    };
    branches
        .iter_mut()
        .skip(1)
        .take(2)
        .filter(|b| b.get("Ref").and_then(Value::as_str) != Some("AWS::NoValue"))
        .flat_map(conditional_contents)
        .collect()
}

/// An event's path (`$default` when it has none) and operation key
/// (`x-amazon-apigateway-any-method` for ANY).
fn route_of(props: &Value, resolver: &Resolver<'_>) -> (String, String) {
    let path = props
        .get("Path")
        .and_then(|p| resolver.text(p))
        .unwrap_or_else(|| "$default".into());
    let method = props
        .get("Method")
        .and_then(|m| resolver.text(m))
        .unwrap_or_else(|| "any".into())
        .to_ascii_lowercase();
    let key = if method == "any" {
        "x-amazon-apigateway-any-method".to_string()
    } else {
        method
    };
    (path, key)
}

/// The definition SAM starts from for an API (its Auth, BinaryMediaTypes, ...).
fn definition(http: bool, api: Option<&Value>, resolver: &Resolver<'_>) -> Map<String, Value> {
    let mut def = Map::new();
    def.insert("openapi".into(), json!("3.0.1"));
    def.insert(
        "info".into(),
        json!({"title": "SAM events", "version": "sam"}),
    );
    def.insert("paths".into(), json!({}));
    def.insert(
        super::cloudformation::SYNTHESIZED.into(),
        json!({"from": "Events"}),
    );
    if http {
        // Marks an HTTP API's definition for every check (lint::api_kind).
        def.insert(
            "x-amazon-apigateway-importexport-version".into(),
            json!("1.0"),
        );
    }
    let props = api.and_then(|a| a.get("Properties"));
    if let Some(types) = props.and_then(|p| p.get("BinaryMediaTypes")) {
        def.insert(
            "x-amazon-apigateway-binary-media-types".into(),
            resolver.value(types),
        );
    }
    let mut schemes = Map::new();
    for (name, a) in props
        .and_then(|p| p.pointer("/Auth/Authorizers"))
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(s) = scheme(a, http, resolver) {
            schemes.insert(name.clone(), s);
        }
    }
    if !schemes.is_empty() {
        def.insert("components".into(), json!({"securitySchemes": schemes}));
    }
    def
}

/// The API resource `api` (none: an implicit API) with the template's `Globals.Api` or
/// `Globals.HttpApi` merged in as SAM does: the resource's value wins over a primitive or a
/// value of another kind, maps merge key by key, lists are the Globals' then the resource's
/// [SAM: "Globals section of the AWS SAM template"; samtranslator's GlobalProperties]. SAM
/// makes the implicit APIs before it merges Globals, so they take them too [samtranslator:
/// the implicit API plugins run before the Globals plugin].
pub(crate) fn with_globals(template: &Value, api: Option<&Value>, http: bool) -> Option<Value> {
    with_globals_of(template, api, if http { "HttpApi" } else { "Api" })
}

/// [`with_globals`] for the resource type whose Globals section is `section` (`Api`,
/// `HttpApi`, `WebSocketApi`).
pub(crate) fn with_globals_of(
    template: &Value,
    api: Option<&Value>,
    section: &str,
) -> Option<Value> {
    let globals = template.pointer(&format!("/Globals/{section}"));
    // What the events' operations read of their API (never its DefinitionBody, which can be
    // large and is read where it stands): copied once per API, not once per event.
    let local: Map<String, Value> = api
        .and_then(|a| a.get("Properties"))
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != "DefinitionBody")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let properties = match globals.filter(|g| g.is_object()) {
        Some(globals) => merge_global(globals, &Value::Object(local)),
        None if api.is_none() => return None,
        None => Value::Object(local),
    };
    Some(json!({ "Properties": properties }))
}

fn merge_global(global: &Value, local: &Value) -> Value {
    // An intrinsic function ({"Ref": ...}, {"Fn::If": ...}) is one value, not a map.
    let intrinsic = |v: &Value| {
        v.as_object().is_some_and(|o| {
            o.len() == 1
                && o.keys()
                    .next()
                    .is_some_and(|k| k == "Ref" || k == "Condition" || k.starts_with("Fn::"))
        })
    };
    match (global, local) {
        (Value::Object(g), Value::Object(l)) if !intrinsic(global) && !intrinsic(local) => {
            let mut out = g.clone();
            for (k, v) in l {
                let merged = match g.get(k) {
                    Some(gv) => merge_global(gv, v),
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        (Value::Array(g), Value::Array(l)) => {
            Value::Array(g.iter().chain(l.iter()).cloned().collect())
        }
        _ => local.clone(),
    }
}

/// The `DefaultAuthorizer` SAM applies from an API's `Auth`: a REST API's only when its
/// `Authorizers` defines some (`AWS_IAM` aside), else none, without a word [samtranslator
/// api_generator.py `_add_auth` and `_get_authorizers`]; an HTTP API's always (SAM refuses
/// one it does not define).
fn applied_default(auth: &Value, http: bool, resolver: &Resolver<'_>) -> Option<String> {
    let default = auth
        .get("DefaultAuthorizer")
        .and_then(|d| resolver.text(d))?;
    (http || default == "AWS_IAM" || !rest_default_ignored(auth)).then_some(default)
}

/// A REST API's `Auth` without authorizers, whose `DefaultAuthorizer` (other than `AWS_IAM`)
/// SAM therefore ignores.
fn rest_default_ignored(auth: &Value) -> bool {
    auth.get("Authorizers")
        .is_none_or(|a| a.as_object().is_some_and(Map::is_empty) || a.is_null())
}

/// What an API's `Auth` gives the operations of its own DefinitionBody.
struct BodyAuth {
    /// The API's authorizers as security schemes.
    schemes: Map<String, Value>,
    /// The names of the API's authorizers (`Auth.Authorizers`' keys), schemes or not.
    names: Vec<String>,
    /// `DefaultAuthorizer` with its scopes (`AWS_IAM` included).
    default: Option<(String, Value)>,
    api_key: bool,
    /// `AddDefaultAuthorizerToCorsPreflight` (true unless false).
    preflight: bool,
    /// `AddApiKeyRequiredToCorsPreflight` (true unless false).
    preflight_key: bool,
}

fn body_auth(auth: &Value, http: bool, resolver: &Resolver<'_>) -> Option<BodyAuth> {
    let authorizers = auth.get("Authorizers").and_then(Value::as_object);
    let mut schemes = Map::new();
    for (name, a) in authorizers.into_iter().flatten() {
        if let Some(s) = scheme(a, http, resolver) {
            schemes.insert(name.clone(), s);
        }
    }
    let default = applied_default(auth, http, resolver)
        .filter(|d| d != "NONE")
        .map(|name| {
            let scopes = authorizers
                .and_then(|m| m.get(&name))
                .and_then(|a| a.get("AuthorizationScopes"))
                .map(|s| resolver.value(s))
                .unwrap_or(json!([]));
            (name, scopes)
        });
    let flag = |k: &str, default: bool| {
        auth.get(k)
            .and_then(|v| resolver.text(v))
            .map_or(default, |v| v == "true")
    };
    let api_key = !http && flag("ApiKeyRequired", false);
    (default.is_some() || api_key || !schemes.is_empty()).then(|| BodyAuth {
        schemes,
        names: authorizers
            .into_iter()
            .flatten()
            .map(|(n, _)| n.clone())
            .collect(),
        default,
        api_key,
        preflight: flag("AddDefaultAuthorizerToCorsPreflight", true),
        preflight_key: flag("AddApiKeyRequiredToCorsPreflight", true),
    })
}

/// SAM's `set_path_default_authorizer` and `set_path_default_apikey_required` on a body: each
/// operation (OPTIONS only with the preflight flags) without an authorizer of the API's own
/// gets the default one; a `NONE` entry is SAM's marker for none and is dropped; an API key
/// requirement is added where none is [samtranslator: SwaggerEditor, OpenApiEditor]. The
/// operations `skip` names (events') are left as they are.
fn apply_body_auth(body: &mut Map<String, Value>, auth: &BodyAuth, skip: &[(&str, &str)]) {
    let scheme_path: &[&str] = if body.contains_key("swagger") {
        &["securityDefinitions"]
    } else {
        &["components", "securitySchemes"]
    };
    let mut named: Vec<(String, Value)> = auth
        .schemes
        .iter()
        .map(|(n, s)| (n.clone(), s.clone()))
        .collect();
    if auth.default.as_ref().is_some_and(|(d, _)| d == "AWS_IAM") {
        named.push((
            "AWS_IAM".into(),
            json!({"type": "apiKey", "name": "Authorization", "in": "header",
                   "x-amazon-apigateway-authtype": "awsSigv4"}),
        ));
    }
    if auth.api_key {
        named.push((
            "api_key".into(),
            json!({"type": "apiKey", "name": "x-api-key", "in": "header"}),
        ));
    }
    for (name, scheme) in named {
        let mut at = scheme_path.to_vec();
        at.push(name.as_str());
        if pointer_of(body, &at).is_none() {
            insert(body, &at, scheme);
        }
    }
    // SAM's split: an entry naming one of the API's authorizers (or AWS_IAM) is an
    // authorizer's; any other (an API key, a scheme the body defines itself) is not.
    let authorizer_names: Vec<&str> = std::iter::once("AWS_IAM")
        .chain(auth.names.iter().map(String::as_str))
        .collect();
    let Some(paths) = body.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let items = paths.iter_mut().flat_map(|(path, item)| {
        conditional_contents(item)
            .into_iter()
            .map(move |i| (path, i))
    });
    for (path, item) in items {
        for (key, op) in item.iter_mut() {
            if !crate::checks::lint::METHODS.contains(&key.as_str())
                || skip.contains(&(path.as_str(), key.as_str()))
            {
                continue;
            }
            let Some(op) = op.as_object_mut() else {
                continue;
            };
            let options = key == "options";
            let existing: Vec<Value> = op
                .get("security")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let names_authorizer = |s: &Value| {
                s.as_object()
                    .is_some_and(|o| o.keys().any(|k| authorizer_names.contains(&k.as_str())))
            };
            let (mut security, mut authorizer): (Vec<Value>, Vec<Value>) =
                existing.into_iter().partition(|s| !names_authorizer(s));
            let mut none_removed = false;
            if let Some((default, scopes)) =
                auth.default.as_ref().filter(|_| !options || auth.preflight)
            {
                let none = security
                    .iter()
                    .position(|s| s.as_object().is_some_and(|o| o.contains_key("NONE")));
                match none {
                    Some(i) => {
                        security.remove(i);
                        none_removed = true;
                    }
                    None if authorizer.is_empty() => {
                        authorizer.push(json!({ default.as_str(): scopes }));
                    }
                    None => {}
                }
            }
            security.extend(authorizer);
            if auth.api_key
                && (!options || auth.preflight_key)
                && !security
                    .iter()
                    .any(|s| s.as_object().is_some_and(|o| o.contains_key("api_key")))
            {
                security.push(json!({"api_key": []}));
            }
            // SAM leaves `[{"NONE": []}]` when nothing else is required, which API Gateway
            // reads as no authorization: written here as the explicit `[]`, which every reader
            // of the definition reads so.
            if !security.is_empty() || none_removed {
                op.insert("security".into(), Value::Array(security));
            }
        }
    }
}

/// An authorizer of the API's `Auth.Authorizers` as a security scheme.
fn scheme(a: &Value, http: bool, resolver: &Resolver<'_>) -> Option<Value> {
    let identity = a.get("Identity");
    if http && a.get("JwtConfiguration").is_some() {
        let config = resolver.value(a.get("JwtConfiguration")?);
        let source = a
            .get("IdentitySource")
            .and_then(|s| resolver.text(s))
            .unwrap_or_else(|| "$request.header.Authorization".into());
        return Some(json!({"type": "oauth2",
            "x-amazon-apigateway-authorizer": {"type": "jwt", "identitySource": source,
                "jwtConfiguration": {"issuer": config.get("issuer"), "audience": config.get("audience")}}}));
    }
    if let Some(pool) = a.get("UserPoolArn") {
        let header = identity
            .and_then(|i| i.get("Header"))
            .and_then(|h| resolver.text(h))
            .unwrap_or_else(|| "Authorization".into());
        let pools = match resolver.value(pool) {
            Value::Array(a) => a,
            one => vec![one],
        };
        return Some(json!({"type": "apiKey", "name": header, "in": "header",
            "x-amazon-apigateway-authtype": "cognito_user_pools",
            "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools", "providerARNs": pools}}));
    }
    let function = a.get("FunctionArn")?;
    let payload = a
        .get("FunctionPayloadType")
        .and_then(|t| resolver.text(t))
        .unwrap_or_else(|| {
            if http {
                "REQUEST".into()
            } else {
                "TOKEN".into()
            }
        })
        .to_ascii_lowercase();
    let header = identity
        .and_then(|i| i.get("Header"))
        .and_then(|h| resolver.text(h))
        .unwrap_or_else(|| "Authorization".into());
    let mut authorizer = Map::new();
    authorizer.insert("type".into(), json!(payload));
    authorizer.insert(
        "authorizerUri".into(),
        json!(invoke_uri(function, resolver)),
    );
    // "Adds authorizer credentials to the OpenApi definition of the Lambda authorizer."
    if let Some(role) = a.get("FunctionInvokeRole") {
        authorizer.insert("authorizerCredentials".into(), resolver.value(role));
    }
    let ttl = identity.and_then(|i| i.get("ReauthorizeEvery"));
    if let Some(t) = ttl {
        authorizer.insert("authorizerResultTtlInSeconds".into(), resolver.value(t));
    }
    if let Some(v) = identity.and_then(|i| i.get("ValidationExpression")) {
        authorizer.insert("identityValidationExpression".into(), resolver.value(v));
    }
    if payload == "request" {
        let prefix = if http { "$request" } else { "method.request" };
        let mut sources = Vec::new();
        for (key, place) in [("Headers", "header"), ("QueryStrings", "querystring")] {
            for v in identity
                .and_then(|i| i.get(key))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(name) = resolver.text(v) {
                    sources.push(format!("{prefix}.{place}.{name}"));
                }
            }
        }
        if !sources.is_empty() {
            authorizer.insert("identitySource".into(), json!(sources.join(", ")));
        }
        if http && let Some(simple) = a.get("EnableSimpleResponses") {
            authorizer.insert("enableSimpleResponses".into(), resolver.value(simple));
        }
    }
    Some(json!({"type": "apiKey", "name": header, "in": "header",
        "x-amazon-apigateway-authtype": "custom", "x-amazon-apigateway-authorizer": authorizer}))
}

/// `arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations`.
fn invoke_uri(function_arn: &Value, resolver: &Resolver<'_>) -> String {
    let arn = resolver
        .text(function_arn)
        .unwrap_or_else(|| "${function}".into());
    let prefix = resolver
        .text(&json!({"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}"}))
        .unwrap_or_default();
    format!("{prefix}:lambda:path/2015-03-31/functions/{arn}/invocations")
}

/// One event as an operation: a Lambda proxy integration of the function.
fn operation(
    function: &str,
    props: &Value,
    api: Option<&Value>,
    http: bool,
    origin: &str,
    resolver: &Resolver<'_>,
    def: &mut Map<String, Value>,
) -> Map<String, Value> {
    let mut op = Map::new();
    op.insert(ORIGIN.into(), json!(origin));
    op.insert("responses".into(), json!({}));
    let arn = json!({"Fn::GetAtt": [function, "Arn"]});
    let mut integration = json!({"type": "aws_proxy", "httpMethod": "POST",
        "uri": invoke_uri(&arn, resolver), ORIGIN: origin});
    if http {
        let version = api
            .and_then(|a| a.pointer("/Properties/PayloadFormatVersion"))
            .or_else(|| props.get("PayloadFormatVersion"))
            .and_then(|v| resolver.text(v))
            .unwrap_or_else(|| "2.0".into());
        integration["payloadFormatVersion"] = json!(version);
    }
    op.insert("x-amazon-apigateway-integration".into(), integration);
    // Auth: the event's, else the API's defaults. An OPTIONS event gets an HTTP API's default
    // authorizer never, a REST API's unless AddDefaultAuthorizerToCorsPreflight is false
    // [samtranslator: OpenApiEditor and SwaggerEditor set_path_default_authorizer].
    let api_auth = api.and_then(|a| a.pointer("/Properties/Auth"));
    let auth = props.get("Auth");
    let options = props
        .get("Method")
        .and_then(|m| resolver.text(m))
        .is_some_and(|m| m.eq_ignore_ascii_case("options"));
    let default_applies = !options
        || (!http
            && api_auth
                .and_then(|a| a.get("AddDefaultAuthorizerToCorsPreflight"))
                .and_then(|f| resolver.text(f))
                .is_none_or(|f| f != "false"));
    let authorizer = match auth.and_then(|a| a.get("Authorizer")) {
        Some(a) => resolver.text(a),
        None => api_auth
            .filter(|_| default_applies)
            .and_then(|a| applied_default(a, http, resolver)),
    };
    // A REST API's AWS_IAM methods call their function with InvokeRole's credentials: the
    // event's, else the API's, CALLER_CREDENTIALS (the default) as arn:aws:iam::*:user/*, none
    // with NONE [samtranslator: SwaggerEditor.add_lambda_integration].
    let event_auth = auth.and_then(Value::as_object).filter(|a| !a.is_empty());
    let iam = event_auth
        .and_then(|a| a.get("Authorizer"))
        .and_then(|a| resolver.text(a))
        .is_some_and(|a| a == "AWS_IAM")
        || (event_auth.is_none()
            && api_auth
                .and_then(|a| a.get("DefaultAuthorizer"))
                .and_then(|a| resolver.text(a))
                .is_some_and(|a| a == "AWS_IAM"));
    if iam && !http {
        let role = |a: Option<&Map<String, Value>>| {
            let a = a?;
            let role = a.get("InvokeRole")?;
            Some(
                resolver
                    .text(role)
                    .filter(|r| !r.is_empty())
                    .unwrap_or_else(|| "NONE".into()),
            )
        };
        let credentials =
            match role(event_auth).or_else(|| role(api_auth.and_then(Value::as_object))) {
                Some(r) if r == "NONE" => None,
                Some(r) if r != "CALLER_CREDENTIALS" => Some(r),
                _ => Some("arn:aws:iam::*:user/*".to_string()),
            };
        if let Some(c) = credentials
            && let Some(i) = op
                .get_mut("x-amazon-apigateway-integration")
                .and_then(Value::as_object_mut)
        {
            i.insert("credentials".into(), json!(c));
        }
    }
    let mut security = Vec::new();
    match authorizer.as_deref() {
        None | Some("NONE") => {}
        Some("AWS_IAM") => {
            insert(
                def,
                &["components", "securitySchemes", "sigv4"],
                json!({"type": "apiKey", "name": "Authorization", "in": "header",
                       "x-amazon-apigateway-authtype": "awsSigv4"}),
            );
            security.push(json!({"sigv4": []}));
        }
        Some(name) => {
            let scopes = auth
                .and_then(|a| a.get("AuthorizationScopes"))
                .map(|s| resolver.value(s))
                .unwrap_or(json!([]));
            security.push(json!({ name: scopes }));
        }
    }
    let api_key = auth
        .and_then(|a| a.get("ApiKeyRequired"))
        .or_else(|| api_auth.and_then(|a| a.get("ApiKeyRequired")))
        .and_then(|b| resolver.text(b))
        .is_some_and(|b| b == "true");
    if api_key && !http {
        insert(
            def,
            &["components", "securitySchemes", "api_key"],
            json!({"type": "apiKey", "name": "x-api-key", "in": "header"}),
        );
        security.push(json!({"api_key": []}));
    }
    if !security.is_empty() {
        op.insert("security".into(), Value::Array(security));
    }
    // RequestParameters: ["method.request.header.X"] or [{"method.request.header.X": {Required}}].
    let mut parameters = Vec::new();
    for p in props
        .get("RequestParameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (name, required) = match p {
            Value::String(s) => (s.clone(), false),
            Value::Object(o) => match o.iter().next() {
                Some((k, v)) => (
                    k.clone(),
                    v.get("Required").and_then(Value::as_bool).unwrap_or(false),
                ),
                None => continue,
            },
            _ => continue,
        };
        let Some((place, param)) = name
            .strip_prefix("method.request.")
            .and_then(|r| r.split_once('.'))
        else {
            continue;
        };
        let place = if place == "querystring" {
            "query"
        } else {
            place
        };
        parameters.push(json!({"name": param, "in": place, "required": required,
                               "schema": {"type": "string"}}));
    }
    if !parameters.is_empty() {
        op.insert("parameters".into(), Value::Array(parameters));
    }
    if let Some(model) = props.get("RequestModel") {
        let name = model
            .get("Model")
            .and_then(|m| resolver.text(m))
            .unwrap_or_default();
        if let Some(schema) = api
            .and_then(|a| a.pointer("/Properties/Models"))
            .and_then(|m| m.get(&name))
        {
            insert(
                def,
                &["components", "schemas", name.as_str()],
                resolver.value(schema),
            );
            op.insert(
                "requestBody".into(),
                json!({"content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}")}}}}),
            );
        }
        let flag = |k: &str| model.get(k).and_then(|b| resolver.text(b));
        let body = flag("ValidateBody").map_or(model.get("Required").is_some(), |b| b == "true");
        let params = flag("ValidateParameters").is_some_and(|b| b == "true");
        if body || params {
            let validator = format!(
                "{}{}",
                if body { "body" } else { "" },
                if params { "-params" } else { "" }
            );
            insert(
                def,
                &["x-amazon-apigateway-request-validators", validator.as_str()],
                json!({"validateRequestBody": body, "validateRequestParameters": params}),
            );
            op.insert(
                "x-amazon-apigateway-request-validator".into(),
                json!(validator),
            );
        }
    }
    op
}

/// The value at `path` in the definition, if any.
fn pointer_of<'d>(def: &'d Map<String, Value>, path: &[&str]) -> Option<&'d Value> {
    let (first, rest) = path.split_first()?;
    let mut at = def.get(*first)?;
    for key in rest {
        at = at.get(*key)?;
    }
    Some(at)
}

/// Sets `value` at `path` in the definition, making the objects on the way.
fn insert(def: &mut Map<String, Value>, path: &[&str], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut at = def;
    for key in parents {
        let next = at.entry(key.to_string()).or_insert_with(|| json!({}));
        if !next.is_object() {
            *next = json!({});
        }
        let Some(obj) = next.as_object_mut() else {
            return;
        };
        at = obj;
    }
    at.insert(last.to_string(), value);
}

/// Whether a resource is an `AWS::Serverless::Function` with an event of one of `types`
/// (`Api`, `HttpApi`).
/// The APIs SAM makes from a template: its `AWS::Serverless::Api` and `HttpApi` resources and
/// the implicit `ServerlessRestApi` and `ServerlessHttpApi` of events that name no API, each
/// as (logical id, HTTP API, resource: none for an implicit one).
pub fn sam_apis(resources: &Map<String, Value>) -> Vec<(String, bool, Option<&Value>)> {
    let mut out: Vec<(String, bool, Option<&Value>)> = Vec::new();
    for (id, r) in resources {
        match r.get("Type").and_then(Value::as_str) {
            Some("AWS::Serverless::Api") => out.push((id.clone(), false, Some(r))),
            Some("AWS::Serverless::HttpApi") => out.push((id.clone(), true, Some(r))),
            _ => {}
        }
    }
    for (implicit, kind, key) in [
        (IMPLICIT_REST, "Api", "RestApiId"),
        (IMPLICIT_HTTP, "HttpApi", "ApiId"),
    ] {
        let used = resources.values().any(|r| {
            matches!(
                r.get("Type").and_then(Value::as_str),
                Some("AWS::Serverless::Function" | "AWS::Serverless::StateMachine")
            ) && r
                .pointer("/Properties/Events")
                .and_then(Value::as_object)
                .is_some_and(|events| {
                    events.values().any(|e| {
                        e.get("Type").and_then(Value::as_str) == Some(kind)
                            && e.pointer(&format!("/Properties/{key}")).is_none()
                    })
                })
        });
        if used && !resources.contains_key(implicit) {
            out.push((implicit.to_string(), kind == "HttpApi", None));
        }
    }
    out
}

pub fn function_has_event(r: &Value, types: &[&str]) -> bool {
    r.get("Type").and_then(Value::as_str) == Some("AWS::Serverless::Function")
        && r.pointer("/Properties/Events")
            .and_then(Value::as_object)
            .is_some_and(|events| {
                events.values().any(|e| {
                    e.get("Type")
                        .and_then(Value::as_str)
                        .is_some_and(|t| types.contains(&t))
                })
            })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SAM's default authorizer on an explicit API's own DefinitionBody: an operation without
    /// an authorizer of the API's gets it; one with its own keeps it; `NONE` means none; a
    /// scheme the body defines itself is not one of the API's authorizers, so the default is
    /// added beside it; OPTIONS keeps what it has when AddDefaultAuthorizerToCorsPreflight is
    /// false [samtranslator: SwaggerEditor.set_path_default_authorizer].
    #[test]
    fn default_authorizer_reaches_the_body_as_sam_writes_it() {
        let mut template = json!({"Resources": {"Api": {"Type": "AWS::Serverless::Api", "Properties": {
            "StageName": "prod",
            "Auth": {"DefaultAuthorizer": "Main", "AddDefaultAuthorizerToCorsPreflight": false,
                "Authorizers": {"Main": {"UserPoolArn": "arn:main"}, "Other": {"UserPoolArn": "arn:other"}}},
            "DefinitionBody": {"swagger": "2.0", "paths": {
                "/plain": {"get": {}, "options": {}},
                "/own": {"get": {"security": [{"Other": []}]}},
                "/open": {"get": {"security": [{"NONE": []}]}},
                "/body": {"get": {"security": [{"BodyKey": []}]}}}}}}}});
        let mut into = Read::new("SAM template");
        read(&mut template, &[], &mut into);
        let paths = &template["Resources"]["Api"]["Properties"]["DefinitionBody"]["paths"];
        assert_eq!(paths["/plain"]["get"]["security"], json!([{"Main": []}]));
        assert!(paths["/plain"]["options"].get("security").is_none());
        assert_eq!(paths["/own"]["get"]["security"], json!([{"Other": []}]));
        assert_eq!(paths["/open"]["get"]["security"], json!([]));
        assert_eq!(
            paths["/body"]["get"]["security"],
            json!([{"BodyKey": []}, {"Main": []}])
        );
        let schemes =
            &template["Resources"]["Api"]["Properties"]["DefinitionBody"]["securityDefinitions"];
        assert!(
            schemes.get("Main").is_some() && schemes.get("Other").is_some(),
            "{schemes}"
        );
    }

    /// SAM's merge of Globals into a resource: maps key by key, lists the Globals' first, the
    /// resource's value otherwise (an intrinsic function is one value).
    #[test]
    fn globals_merge_as_sam_merges_them() {
        let template = json!({"Globals": {"Api": {
            "Auth": {"DefaultAuthorizer": "A", "Authorizers": {"A": {"UserPoolArn": "arn:a"}}},
            "BinaryMediaTypes": ["image/png"],
            "Name": {"Ref": "Name"}}}});
        let api = json!({"Type": "AWS::Serverless::Api", "Properties": {
            "Auth": {"Authorizers": {"B": {"UserPoolArn": "arn:b"}}},
            "BinaryMediaTypes": ["image/gif"],
            "Name": "orders"}});
        let merged = with_globals(&template, Some(&api), false).unwrap();
        let p = &merged["Properties"];
        assert_eq!(p["Auth"]["DefaultAuthorizer"], "A");
        assert_eq!(
            p["Auth"]["Authorizers"],
            json!({"A": {"UserPoolArn": "arn:a"}, "B": {"UserPoolArn": "arn:b"}})
        );
        assert_eq!(p["BinaryMediaTypes"], json!(["image/png", "image/gif"]));
        assert_eq!(p["Name"], "orders");
        // An implicit API takes the Globals alone; an HTTP API not the Api's.
        let implicit = with_globals(&template, None, false).unwrap();
        assert_eq!(implicit["Properties"]["Auth"]["DefaultAuthorizer"], "A");
        assert!(with_globals(&template, None, true).is_none());
    }
}
