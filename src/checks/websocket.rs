//! WebSocket APIs: what a route's Lambda proxy answer does to the client (`lambda --api
//! websocket`), and a WebSocket API's routes and integrations linted (`lint`). Facts and
//! their sources: `specs/websocket.md`.
use crate::finding::Finding;
use serde::Serialize;
use serde_json::{Value, json};
use std::time::Duration;

pub const CONNECT_REJECTED: &str = "websocket.connect-rejected";
pub const CONNECT_FAILED: &str = "websocket.connect-failed";
pub const CONNECT_NO_STATUS: &str = "websocket.connect-no-status";
pub const ROUTE_FAILED: &str = "websocket.route-failed";
pub const ONE_WAY: &str = "websocket.one-way-route";
pub const BODY_NOT_STRING: &str = "websocket.body-not-string";
pub const DISCONNECT_IGNORED: &str = "websocket.disconnect-result-ignored";
pub const ROUTE_SELECTION: &str = "websocket.route-selection-expression";
pub const ROUTE_SELECTION_STATIC: &str = "websocket.route-selection-static";
pub const NO_DEFAULT_ROUTE: &str = "websocket.no-default-route";
pub const ROUTE_WITHOUT_INTEGRATION: &str = "websocket.route-without-integration";
pub const AUTH_NOT_ON_CONNECT: &str = "websocket.authorization-not-on-connect";
pub const RESERVED_ROUTE_KEY: &str = "websocket.reserved-route-key";
pub const ROUTE_RESPONSE_KEY: &str = "websocket.route-response-key";
pub const ROUTE_RESPONSE_INCOMPLETE: &str = "websocket.route-response-incomplete";
pub const NO_DEFAULT_INTEGRATION_RESPONSE: &str = "websocket.no-default-integration-response";
pub const NOT_READ: &str = "websocket.not-read";
pub const UPGRADE_REFUSED: &str = "websocket.upgrade-refused";
pub const NO_ROUTE: &str = "websocket.no-route";
pub const NO_ANSWER: &str = "websocket.no-answer";

pub const CODES: &[&str] = &[
    CONNECT_REJECTED,
    CONNECT_FAILED,
    CONNECT_NO_STATUS,
    ROUTE_FAILED,
    ONE_WAY,
    BODY_NOT_STRING,
    DISCONNECT_IGNORED,
    ROUTE_SELECTION,
    ROUTE_SELECTION_STATIC,
    NO_DEFAULT_ROUTE,
    ROUTE_WITHOUT_INTEGRATION,
    AUTH_NOT_ON_CONNECT,
    RESERVED_ROUTE_KEY,
    ROUTE_RESPONSE_KEY,
    ROUTE_RESPONSE_INCOMPLETE,
    NO_DEFAULT_INTEGRATION_RESPONSE,
    NOT_READ,
    UPGRADE_REFUSED,
    NO_ROUTE,
    NO_ANSWER,
];

/// The client of a WebSocket API, as a route's answer leaves it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "sees", rename_all = "kebab-case")]
pub enum ClientSees {
    /// `$connect` accepted: the upgrade is answered 101 with these headers.
    Connected {
        status: u16,
        headers: serde_json::Map<String, Value>,
    },
    /// `$connect` refused: the upgrade is answered with this status (wscat: "Unexpected
    /// server response: STATUS"); the body is not shown to WebSocket clients.
    Refused { status: u16, certain: bool },
    /// A message sent back over the connection.
    Message { data: String },
    /// Nothing: a one-way route, or `$disconnect`.
    Nothing { why: String },
}

/// What the client gets from one Lambda proxy answer on route `route`. `two_way`: the route
/// has a `$default` route response (`None`: not said). `threw`: the function failed (Lambda's
/// error object), `None` when not said and the output does not look like one.
pub fn judge_lambda(
    output: &Value,
    route: &str,
    two_way: Option<bool>,
    threw: Option<bool>,
) -> (ClientSees, Vec<Finding>) {
    let error_shaped = output
        .as_object()
        .is_some_and(|o| o.contains_key("errorMessage") && !o.contains_key("statusCode"));
    let (threw, guessed) = match threw {
        Some(t) => (t, false),
        None => (error_shaped, error_shaped),
    };
    let mut findings = Vec::new();
    let guess_note = if guessed {
        " (the output is Lambda's error object; pass --function-error if that is not so)"
    } else {
        ""
    };
    match route {
        "$disconnect" => {
            findings.push(Finding::info(
                DISCONNECT_IGNORED,
                "$disconnect runs after the connection is closed, best effort: its result reaches no client, and a failure here cannot keep the connection open",
            ));
            let why = "the connection is already closed when $disconnect runs".to_string();
            (ClientSees::Nothing { why }, findings)
        }
        "$connect" => {
            if threw {
                findings.push(
                    Finding::error(
                        CONNECT_FAILED,
                        format!("the $connect function failed{guess_note}: the connection is refused, the upgrade answered with an error status (observed: 502, wscat prints \"Unexpected server response: 502\")"),
                    )
                    .with("error_message", output.get("errorMessage").cloned().unwrap_or(Value::Null))
                    .with("uncertain", true),
                );
                return (
                    ClientSees::Refused {
                        status: 502,
                        certain: false,
                    },
                    findings,
                );
            }
            let status = output
                .get("statusCode")
                .and_then(|s| s.as_u64().or_else(|| s.as_str()?.parse().ok()));
            match status {
                Some(s) if (200..300).contains(&s) => {
                    let mut headers = serde_json::Map::new();
                    if let Some(h) = output.get("headers").and_then(Value::as_object) {
                        for (k, v) in h {
                            headers.insert(k.clone(), v.clone());
                        }
                    }
                    if output.get("body").is_some_and(|b| !b.is_null()) {
                        findings.push(Finding::info(
                            ONE_WAY,
                            "$connect's body is not sent to the client: a WebSocket handshake carries no message; send one after connecting (a route response or @connections)",
                        ));
                    }
                    (
                        ClientSees::Connected {
                            status: 101,
                            headers,
                        },
                        findings,
                    )
                }
                Some(s) => {
                    let s = u16::try_from(s).unwrap_or(500);
                    findings.push(
                        Finding::error(
                            CONNECT_REJECTED,
                            format!("$connect answered statusCode {s}: API Gateway refuses the connection; the client sees the upgrade answered {s} (wscat: \"error: Unexpected server response: {s}\"), and the body is not shown to it"),
                        )
                        .with("status", s),
                    );
                    (
                        ClientSees::Refused {
                            status: s,
                            certain: true,
                        },
                        findings,
                    )
                }
                None => {
                    findings.push(
                        Finding::error(
                            CONNECT_NO_STATUS,
                            "$connect's answer has no numeric statusCode: whether API Gateway accepts the connection is not documented; return {\"statusCode\": 200} to accept and a 4xx to refuse",
                        )
                        .with("uncertain", true),
                    );
                    (
                        ClientSees::Refused {
                            status: 0,
                            certain: false,
                        },
                        findings,
                    )
                }
            }
        }
        _ => {
            if threw {
                let message = json!({"message": "Internal server error", "connectionId": "CONNECTION_ID", "requestId": "REQUEST_ID"}).to_string();
                findings.push(
                    Finding::error(
                        ROUTE_FAILED,
                        format!("the {route} function failed{guess_note}: API Gateway sends the client {message} over the connection, which stays open"),
                    )
                    .with("error_message", output.get("errorMessage").cloned().unwrap_or(Value::Null)),
                );
                return (ClientSees::Message { data: message }, findings);
            }
            let body = output.get("body");
            if two_way != Some(true) {
                let said = if two_way == Some(false) {
                    "the route has no route response"
                } else {
                    "unless the route has a $default route response (pass --two-way if it has)"
                };
                findings.push(Finding::info(
                    ONE_WAY,
                    format!("{route} is one-way {said}: the function's answer is not sent to the client; send messages with PostToConnection, or add a $default route response"),
                ));
                return (
                    ClientSees::Nothing {
                        why: format!("{route} is a one-way route"),
                    },
                    findings,
                );
            }
            let data = match body {
                Some(Value::String(s)) => s.clone(),
                None | Some(Value::Null) => String::new(),
                Some(other) => {
                    findings.push(
                        Finding::error(
                            BODY_NOT_STRING,
                            format!("body is a JSON {}, not a string: JSON.stringify it; what the client receives then is not documented", crate::checks::json_kind(other)),
                        )
                        .with("uncertain", true),
                    );
                    other.to_string()
                }
            };
            (ClientSees::Message { data }, findings)
        }
    }
}

/// A refused upgrade (`probe wss://…`): what its status says about $connect.
pub fn upgrade_refused(status: u16, body: &str) -> Finding {
    let why = match status {
        401 => "an authorizer on $connect refused the caller (a missing or invalid identity source: a token, header or query string the authorizer reads)".to_string(),
        403 if body.contains("Forbidden") => "API Gateway refused the upgrade: a $connect authorizer or IAM authorization denied it, or the URL names no stage of this API (wss://API_ID.execute-api.REGION.amazonaws.com/STAGE)".to_string(),
        403 => "the upgrade was refused with 403: a $connect authorizer or IAM authorization denied it, or $connect's function answered 403".to_string(),
        429 => "throttled: the account's or stage's connection rate was exceeded".to_string(),
        502 => "$connect's integration failed (its function threw, timed out, or could not be invoked): the connection is refused".to_string(),
        500 => "API Gateway could not run $connect (an integration or authorizer configuration error)".to_string(),
        s if (400..500).contains(&s) => format!("$connect answered {s}: its function refused the connection (a Lambda proxy answer's statusCode)"),
        s => format!("the upgrade was answered {s}, not 101 Switching Protocols"),
    };
    Finding::error(
        UPGRADE_REFUSED,
        format!("the WebSocket upgrade was refused with {status}: {why}"),
    )
    .with("status", status)
    .with("body", body)
}

/// The first message back after `probe -d`: API Gateway's own error messages recognised.
pub fn answer_findings(text: &str) -> Vec<Finding> {
    let parsed: Option<Value> = serde_json::from_str(text).ok();
    let message = parsed
        .as_ref()
        .filter(|v| v.get("connectionId").is_some() || v.get("requestId").is_some())
        .and_then(|v| v.get("message"))
        .and_then(Value::as_str);
    match message {
        Some("Forbidden") => vec![
            Finding::error(
                NO_ROUTE,
                r#"API Gateway answered the message with {"message": "Forbidden"}: no route matched its route key and the API has no $default route (or the message is not the JSON the route selection expression reads)"#,
            )
            .with("answer", text),
        ],
        Some("Internal server error") => vec![
            Finding::error(
                ROUTE_FAILED,
                r#"API Gateway answered the message with {"message": "Internal server error"}: the route's integration failed (its function threw, timed out, or returned what API Gateway could not use)"#,
            )
            .with("answer", text),
        ],
        _ => Vec::new(),
    }
}

/// `probe -d` got no message back in time.
pub fn no_answer(waited: Duration) -> Finding {
    Finding::warning(
        NO_ANSWER,
        format!("no message came back within {waited:?}: the route is one-way (no $default route response), sends its answer later through @connections, or is slow"),
    )
    .with("uncertain", true)
}

/// A WebSocket API as its definition holds it (CloudFormation/SAM/Terraform, or read live).
#[derive(Debug, Clone, Default, Serialize)]
pub struct WsApi {
    pub id: String,
    pub name: String,
    pub route_selection_expression: Option<String>,
    pub routes: Vec<WsRoute>,
    pub integrations: Vec<WsIntegration>,
    /// Where the API is written (`$.Resources.Chat`), or its API id when read live.
    pub origin: String,
    /// What could not be read (live mode), and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<String>,
    /// The authorizers its routes use (live mode: for the permission check).
    #[serde(skip)]
    pub authorizers: Vec<super::lint::LiveAuthorizer>,
    /// What the SAM transform refuses in an `AWS::Serverless::WebSocketApi`: where, and SAM's
    /// words.
    #[serde(skip)]
    pub refused: Vec<(String, String)>,
    /// How many more refusals there are than `refused` lists.
    #[serde(skip)]
    pub refused_not_listed: usize,
    /// SAM refuses the API's `Routes` (missing, not a map, empty): what routes it lacks is said
    /// by that refusal.
    #[serde(skip)]
    pub routes_refused: bool,
    /// An authorization SAM takes but does not apply: where, and what it means.
    #[serde(skip)]
    pub auth_ignored: Option<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WsRoute {
    pub key: String,
    /// The integration's id (logical id in a template).
    pub integration: Option<String>,
    pub authorization_type: String,
    /// The authorizer's id (live mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorizer_id: Option<String>,
    pub route_response_selection_expression: Option<String>,
    pub route_responses: Vec<String>,
    /// False when the route responses could not be read: two-way-ness is unknown.
    #[serde(skip_serializing_if = "Clone::clone")]
    pub route_responses_known: bool,
    pub origin: String,
}

impl Default for WsRoute {
    fn default() -> Self {
        WsRoute {
            key: String::new(),
            integration: None,
            authorization_type: "NONE".into(),
            authorizer_id: None,
            route_response_selection_expression: None,
            route_responses: Vec::new(),
            route_responses_known: true,
            origin: String::new(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct WsIntegration {
    pub id: String,
    /// AWS_PROXY, AWS, HTTP_PROXY, HTTP or MOCK.
    pub kind: String,
    pub uri: Option<String>,
    /// The role API Gateway assumes to call the backend (`CredentialsArn`), as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credentials: Option<String>,
    pub integration_responses: Vec<String>,
    pub origin: String,
}

/// The variables of a selection expression (`$request.body.action`, `${request.body.a.b}`).
fn variables(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = expr.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'$' {
            i += 1;
            continue;
        }
        if expr[i + 1..].starts_with('{') {
            let Some(end) = expr[i + 2..].find('}') else {
                out.push(expr[i + 2..].to_string());
                break;
            };
            out.push(expr[i + 2..i + 2 + end].to_string());
            i += end + 3;
        } else {
            let rest = &expr[i + 1..];
            let len = rest
                .find(|c: char| {
                    !(c.is_ascii_alphanumeric()
                        || matches!(c, '.' | '_' | '-' | '[' | ']' | '*' | '\''))
                })
                .unwrap_or(rest.len());
            out.push(rest[..len].to_string());
            i += 1 + len.max(1);
        }
    }
    out
}

/// Lints one WebSocket API: route selection, routes, route and integration responses.
pub fn lint(api: &WsApi) -> Vec<Finding> {
    let mut out = Vec::new();
    let at = |f: Finding, origin: &str| f.with("location", origin);
    for (n, (location, said)) in api.refused.iter().enumerate() {
        let mut f = Finding::error(
            crate::sources::SAM_TRANSFORM_ERROR,
            format!(
                "{id}: SAM refuses the template (\"Resource with id [{id}] is invalid. {said}\"), so the stack is never created or updated",
                id = api.id
            ),
        )
        .with("api", api.id.as_str());
        if n + 1 == api.refused.len() && api.refused_not_listed > 0 {
            f.message += &format!(
                " ({} more refusals of {} are not listed)",
                api.refused_not_listed, api.id
            );
            f = f.with("not_listed", api.refused_not_listed);
        }
        out.push(at(f, location));
    }
    if let Some((location, message)) = &api.auth_ignored {
        out.push(at(
            Finding::error(crate::sources::SAM_AUTH_IGNORED, message.clone())
                .with("api", api.id.as_str())
                .with("inferred", true),
            location,
        ));
    }
    for what in &api.unread {
        out.push(at(
            Finding::error(
                NOT_READ,
                format!("could not read {what}: the checks that need it were not made"),
            )
            .with("uncertain", true),
            &api.origin,
        ));
    }
    // What SAM refuses is said once, in SAM's words.
    let refused_at = |origin: &str| api.refused.iter().any(|(l, _)| l == origin);
    match api.route_selection_expression.as_deref() {
        None if refused_at(&api.origin) => {}
        None | Some("") => out.push(at(
            Finding::error(
                ROUTE_SELECTION,
                format!("{} has no RouteSelectionExpression: a WebSocket API needs one ($request.body.action, for example)", api.name),
            ),
            &api.origin,
        )),
        Some(expr) => {
            let vars = variables(expr);
            let wrong: Vec<&String> = vars
                .iter()
                .filter(|v| !v.starts_with("request.body"))
                .collect();
            if !wrong.is_empty() {
                out.push(at(
                    Finding::error(
                        ROUTE_SELECTION,
                        format!(
                            "RouteSelectionExpression {expr:?} uses ${}: a WebSocket route is selected from the message body only ($request.body.PATH)",
                            wrong[0]
                        ),
                    )
                    .with("expression", expr),
                    &api.origin,
                ));
            } else if vars.is_empty() && expr != "\\$default" && expr != "$default" {
                let hint = if expr.starts_with("request.body") {
                    format!(" (a missing $: ${expr})")
                } else {
                    String::new()
                };
                out.push(at(
                    Finding::warning(
                        ROUTE_SELECTION_STATIC,
                        format!(
                            "RouteSelectionExpression {expr:?} has no variable: every message selects the route {expr:?}{}{hint}",
                            if api.routes.iter().any(|r| r.key == expr) {
                                ""
                            } else {
                                ", which does not exist, so every message goes to $default"
                            }
                        ),
                    )
                    .with("expression", expr),
                    &api.origin,
                ));
            }
        }
    }
    let customs: Vec<&WsRoute> = api
        .routes
        .iter()
        .filter(|r| !matches!(r.key.as_str(), "$connect" | "$disconnect"))
        .collect();
    if !api.routes_refused && !api.routes.iter().any(|r| r.key == "$default") {
        let sev = if customs.is_empty() {
            Finding::error
        } else {
            Finding::warning
        };
        let keys: Vec<&str> = customs.iter().map(|r| r.key.as_str()).collect();
        out.push(at(
            sev(
                NO_DEFAULT_ROUTE,
                if keys.is_empty() {
                    format!("{} has no route for messages (no $default and no custom route): every message a client sends gets an error back", api.name)
                } else {
                    format!(
                        "{} has no $default route: a message whose route key is not one of {} (or that is not JSON) gets an error back ({{\"message\": \"Forbidden\", \"connectionId\": ..., \"requestId\": ...}})",
                        api.name,
                        keys.join(", ")
                    )
                },
            ),
            &api.origin,
        ));
    }
    for r in &api.routes {
        let key = r.key.as_str();
        if key.starts_with('$') && !matches!(key, "$connect" | "$disconnect" | "$default") {
            out.push(at(
                Finding::error(
                    RESERVED_ROUTE_KEY,
                    format!("route key {key:?} starts with $, which is reserved for $connect, $disconnect and $default"),
                ),
                &r.origin,
            ));
        }
        match &r.integration {
            None if refused_at(&r.origin) => {}
            None => out.push(at(
                Finding::error(
                    ROUTE_WITHOUT_INTEGRATION,
                    format!("route {key} has no integration (Target): API Gateway has nothing to call for it{}", if key == "$connect" { "; remove the route (connections are then accepted without one) or give it an integration" } else { "" }),
                )
                .with("uncertain", true),
                &r.origin,
            )),
            Some(id) if !api.integrations.iter().any(|i| &i.id == id) => out.push(at(
                Finding::error(
                    ROUTE_WITHOUT_INTEGRATION,
                    format!("route {key} targets integration {id}, which this API does not have"),
                ),
                &r.origin,
            )),
            Some(_) => {}
        }
        let auth = r.authorization_type.to_ascii_uppercase();
        if key != "$connect" && !auth.is_empty() && auth != "NONE" {
            out.push(at(
                Finding::error(
                    AUTH_NOT_ON_CONNECT,
                    format!("route {key} has AuthorizationType {auth}: WebSocket APIs authorize on $connect only; move it to $connect"),
                ),
                &r.origin,
            ));
        }
        let rrse = r.route_response_selection_expression.as_deref();
        if let Some(e) = rrse.filter(|e| *e != "$default") {
            out.push(at(
                Finding::error(
                    ROUTE_RESPONSE_KEY,
                    format!("route {key} has RouteResponseSelectionExpression {e:?}: only $default is supported"),
                ),
                &r.origin,
            ));
        }
        for k in r.route_responses.iter().filter(|k| *k != "$default") {
            out.push(at(
                Finding::error(
                    ROUTE_RESPONSE_KEY,
                    format!("route {key} has a route response {k:?}: only $default is supported"),
                ),
                &r.origin,
            ));
        }
        let has_response = r.route_responses.iter().any(|k| k == "$default");
        if r.route_responses_known && key != "$connect" && key != "$disconnect" {
            match (rrse.is_some(), has_response) {
                (true, false) => out.push(at(
                    Finding::warning(
                        ROUTE_RESPONSE_INCOMPLETE,
                        format!("route {key} has a RouteResponseSelectionExpression but no $default route response: the integration's answer is not sent to the client"),
                    ),
                    &r.origin,
                )),
                (false, true) => out.push(at(
                    Finding::warning(
                        ROUTE_RESPONSE_INCOMPLETE,
                        format!("route {key} has a $default route response but no RouteResponseSelectionExpression: set it to $default to make the route two-way"),
                    ),
                    &r.origin,
                )),
                _ => {}
            }
        }
        let two_way = r.route_responses_known && rrse.is_some() && has_response;
        if let Some(i) = r
            .integration
            .as_ref()
            .and_then(|id| api.integrations.iter().find(|i| &i.id == id))
        {
            let non_proxy = matches!(
                i.kind.to_ascii_uppercase().as_str(),
                "AWS" | "HTTP" | "MOCK"
            );
            if non_proxy
                && (two_way || key == "$connect")
                && !i.integration_responses.iter().any(|k| k == "$default")
                && let Some(f) = without_default_response(key, i)
            {
                out.push(at(f.with("integration", i.id.as_str()), &i.origin));
            }
        }
    }
    out
}

/// A non-proxy integration without a `$default` integration response: the answers its keys
/// (`/regex/`, matched against the answer's status) do not select fail with "No match for
/// output mapping and no default output mapping configured". An error when no key selects a
/// 200; a warning, for AWS and HTTP integrations, when one does (other answers still fail); a
/// MOCK that a key's 200 serves is left alone [AWS: "Set up a WebSocket API integration
/// response": at least one integration response, `$default` ideally the catch-all, other keys
/// regular expressions; obs: repost.aws "websocket api error execution failed due to
/// configuration error no match for output mapping"].
fn without_default_response(key: &str, i: &WsIntegration) -> Option<Finding> {
    let selects_200 = i.integration_responses.iter().any(|k| {
        k.strip_prefix('/')
            .and_then(|k| k.strip_suffix('/'))
            .and_then(|re| regex::Regex::new(&format!("^(?:{re})$")).ok())
            .is_some_and(|re| re.is_match("200"))
    });
    let keys = if i.integration_responses.is_empty() {
        "no integration response".to_string()
    } else {
        format!(
            "integration responses {} but no $default",
            i.integration_responses.join(", ")
        )
    };
    if !selects_200 {
        return Some(Finding::error(
            NO_DEFAULT_INTEGRATION_RESPONSE,
            format!(
                "route {key}'s {} integration has {keys}: none selects a successful (200) answer, which then fails (\"No match for output mapping and no default output mapping configured\"); a non-proxy integration needs $default as the catch-all",
                i.kind
            ),
        ));
    }
    (!i.kind.eq_ignore_ascii_case("MOCK")).then(|| {
        Finding::warning(
            NO_DEFAULT_INTEGRATION_RESPONSE,
            format!(
                "route {key}'s {} integration has {keys}: an answer whose status none of them matches fails (\"No match for output mapping and no default output mapping configured\"); add $default as the catch-all",
                i.kind
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integration_responses_without_default() {
        let integration = |kind: &str, keys: &[&str]| WsIntegration {
            id: "I".into(),
            kind: kind.into(),
            uri: None,
            credentials: None,
            integration_responses: keys.iter().map(|k| k.to_string()).collect(),
            origin: "$.Resources.I".into(),
        };
        let judged = |kind: &str, keys: &[&str]| {
            without_default_response("$connect", &integration(kind, keys))
                .map(|f| f.severity.as_str())
        };
        assert_eq!(judged("MOCK", &[]), Some("error"));
        assert_eq!(judged("MOCK", &["/200/"]), None);
        assert_eq!(judged("MOCK", &["/2\\d\\d/"]), None);
        assert_eq!(judged("AWS", &["/200/"]), Some("warning"));
        assert_eq!(judged("AWS", &["/4\\d\\d/"]), Some("error"));
        // A key is matched whole: /20/ does not select 200.
        assert_eq!(judged("HTTP", &["/20/"]), Some("error"));
    }

    #[test]
    fn selection_expression_variables() {
        assert_eq!(
            variables("$request.body.action"),
            vec!["request.body.action"]
        );
        assert_eq!(
            variables("${request.body.service}/${request.body.action}"),
            vec!["request.body.service", "request.body.action"]
        );
        assert_eq!(variables("action"), Vec::<String>::new());
        assert_eq!(variables("$request.header.x"), vec!["request.header.x"]);
    }

    #[test]
    fn connect_status_decides_the_handshake() {
        let (sees, f) = judge_lambda(&json!({"statusCode": 400}), "$connect", None, None);
        assert_eq!(
            sees,
            ClientSees::Refused {
                status: 400,
                certain: true
            }
        );
        assert_eq!(f[0].code, CONNECT_REJECTED);
        let (sees, _) = judge_lambda(
            &json!({"statusCode": 200, "headers": {"Sec-WebSocket-Protocol": "myprotocol"}}),
            "$connect",
            None,
            None,
        );
        assert!(matches!(sees, ClientSees::Connected { status: 101, .. }));
        let (sees, f) = judge_lambda(
            &json!({"errorMessage": "boom", "errorType": "Error"}),
            "$connect",
            None,
            None,
        );
        assert!(matches!(
            sees,
            ClientSees::Refused {
                status: 502,
                certain: false
            }
        ));
        assert!(f[0].message.contains("--function-error"));
    }

    #[test]
    fn undocumented_answers_are_said_to_be_uncertain() {
        let (_, f) = judge_lambda(&json!({"body": "hi"}), "$connect", None, Some(false));
        assert_eq!(f[0].code, CONNECT_NO_STATUS);
        assert_eq!(f[0].evidence["uncertain"], true);
        let (sees, f) = judge_lambda(
            &json!({"statusCode": 200, "body": {"a": 1}}),
            "talk",
            Some(true),
            Some(false),
        );
        assert_eq!(f[0].code, BODY_NOT_STRING);
        assert_eq!(
            sees,
            ClientSees::Message {
                data: r#"{"a":1}"#.into()
            }
        );
        let (sees, f) = judge_lambda(&json!({"statusCode": 500}), "$disconnect", None, None);
        assert_eq!(f[0].code, DISCONNECT_IGNORED);
        assert!(matches!(sees, ClientSees::Nothing { .. }));
    }

    fn api(expr: &str, routes: Vec<WsRoute>) -> WsApi {
        WsApi {
            id: "a".into(),
            name: "chat".into(),
            route_selection_expression: Some(expr.into()),
            routes,
            integrations: vec![WsIntegration {
                id: "i".into(),
                kind: "AWS_PROXY".into(),
                ..WsIntegration::default()
            }],
            ..WsApi::default()
        }
    }

    #[test]
    fn lint_selection_expressions_and_route_response_keys() {
        let default = WsRoute {
            key: "$default".into(),
            integration: Some("i".into()),
            ..WsRoute::default()
        };
        let codes = |a: &WsApi| lint(a).iter().map(|f| f.code).collect::<Vec<_>>();
        assert_eq!(
            codes(&api("$request.header.x-route", vec![default.clone()])),
            vec![ROUTE_SELECTION]
        );
        assert!(codes(&api("$request.body.action", vec![default.clone()])).is_empty());
        let odd = WsRoute {
            key: "talk".into(),
            integration: Some("i".into()),
            route_response_selection_expression: Some("$request.body.x".into()),
            route_responses: vec!["ok".into()],
            ..WsRoute::default()
        };
        let c = codes(&api("$request.body.action", vec![default, odd]));
        assert_eq!(
            c.iter().filter(|c| **c == ROUTE_RESPONSE_KEY).count(),
            2,
            "{c:?}"
        );
    }

    #[test]
    fn other_routes_answer_only_when_two_way() {
        let out = json!({"statusCode": 500, "body": "hello"});
        let (sees, _) = judge_lambda(&out, "sendmessage", None, Some(false));
        assert!(matches!(sees, ClientSees::Nothing { .. }));
        let (sees, f) = judge_lambda(&out, "sendmessage", Some(true), Some(false));
        assert_eq!(
            sees,
            ClientSees::Message {
                data: "hello".into()
            }
        );
        assert!(f.is_empty());
        let (sees, _) = judge_lambda(
            &json!({"errorMessage": "x"}),
            "$default",
            Some(false),
            Some(true),
        );
        assert!(
            matches!(sees, ClientSees::Message { data } if data.contains("Internal server error"))
        );
    }
}
