//! Mapping templates: a Velocity 1.7 engine with API Gateway's rules (`../shared/specs/
//! mapping-templates.md`), and the findings about what a template does to the client.
pub mod eval;
pub mod http_mapping;
pub mod jsonpath;
pub mod parse;
mod reading;
pub mod response;
pub mod value;

use crate::finding::Finding;
use eval::{Env, Input, NullRule, RenderError};
use indexmap::IndexMap;
use parse::{Expr, Node, Part, Pos};
use serde::Serialize;
use serde_json::{Value as Json, json};
use value::Value;

pub const SYNTAX_ERROR: &str = "template.syntax-error";
pub const BODY_NOT_JSON: &str = "template.body-not-json";
pub const RUNTIME_ERROR: &str = "template.runtime-error";
pub const RUNAWAY: &str = "template.runaway";
pub const OVERRIDE_TWICE: &str = "template.override-twice";
pub const ESCAPE_JAVASCRIPT_IN_JSON: &str = "template.escape-javascript-in-json";
pub const OUTPUT_NOT_JSON: &str = "template.output-not-json";
pub const CONTAINS_ON_MAP: &str = "template.contains-on-map";
pub const HYPHEN_IN_REFERENCE: &str = "template.hyphen-in-reference";
pub const UNDEFINED_REFERENCE: &str = "template.undefined-reference";
pub const FOREACH_LIMIT: &str = "template.foreach-limit";
pub const NO_TEMPLATE_415: &str = "template.no-template-415";
pub const NOT_EMULATED: &str = "template.not-emulated";
pub const PATH_NOT_FOUND: &str = "template.path-not-found";

pub const CODES: &[&str] = &[
    SYNTAX_ERROR,
    BODY_NOT_JSON,
    RUNTIME_ERROR,
    RUNAWAY,
    OVERRIDE_TWICE,
    ESCAPE_JAVASCRIPT_IN_JSON,
    OUTPUT_NOT_JSON,
    CONTAINS_ON_MAP,
    HYPHEN_IN_REFERENCE,
    UNDEFINED_REFERENCE,
    FOREACH_LIMIT,
    NO_TEMPLATE_415,
    NOT_EMULATED,
    PATH_NOT_FOUND,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Request,
    Response,
}

/// What the client gets instead of the rendered body.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ClientError {
    pub client_status: u16,
    pub message: String,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Overrides {
    pub status: Option<Json>,
    pub header: IndexMap<String, Json>,
    pub request: RequestOverrides,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct RequestOverrides {
    pub header: IndexMap<String, Json>,
    pub path: IndexMap<String, Json>,
    pub querystring: IndexMap<String, Json>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub output: Option<String>,
    pub overrides: Overrides,
    pub error: Option<ClientError>,
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

/// The inputs of one rendering.
pub struct Request<'a> {
    pub phase: Phase,
    pub input: Input,
    /// A JSON object of `$context` values over the defaults (may hold overrides set earlier).
    pub context: Option<&'a Json>,
    pub stage_variables: IndexMap<String, String>,
    /// The content type the template is for (its key in the integration), for the JSON check.
    pub content_type: Option<&'a str>,
}

/// `$context` as API Gateway fills it, with sample values, overlaid with `user`.
pub fn context(user: Option<&Json>) -> Value {
    let mut base = json!({
        "accountId": "123456789012",
        "apiId": "a1b2c3d4e5",
        "domainName": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
        "domainPrefix": "a1b2c3d4e5",
        "extendedRequestId": "Ab1CdEfGhIjKlMn=",
        "httpMethod": "POST",
        "path": "/prod/",
        "protocol": "HTTP/1.1",
        "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        "requestTime": "25/Nov/2026:12:00:00 +0000",
        "requestTimeEpoch": 1795694400000_i64,
        "resourceId": "r3s0urc3",
        "resourcePath": "/",
        "stage": "prod",
        "identity": {
            "sourceIp": "203.0.113.10",
            "userAgent": "curl/8.5.0",
            "accountId": "",
            "caller": "",
            "user": "",
            "userArn": "",
            "apiKey": "",
        },
        "authorizer": {},
        // keySet() order recorded on AWS: path, header, querystring.
        "requestOverride": {"path": {}, "header": {}, "querystring": {}},
        "responseOverride": {"header": {}},
    });
    if let Some(user) = user {
        merge(&mut base, user);
    }
    Value::from_json(&base)
}

fn merge(base: &mut Json, over: &Json) {
    match (base, over) {
        (Json::Object(b), Json::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    Some(slot) if slot.is_object() && v.is_object() => merge(slot, v),
                    _ => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

fn at(f: Finding, pos: Pos) -> Finding {
    f.with("line", pos.line).with("column", pos.column)
}

/// Parses and renders a template as API Gateway would, with its findings.
pub fn evaluate(text: &str, request: Request<'_>) -> Outcome {
    let mut findings = Vec::new();
    let nodes = match parse::parse(text) {
        Ok(n) => n,
        Err(e) if e.unsupported => {
            findings.push(at(
                Finding::warning(NOT_EMULATED, format!("{}: the template was not rendered, and what API Gateway makes of it is not known here", e.message))
                    .with("certain", false),
                e.pos,
            ));
            return Outcome {
                output: None,
                overrides: Overrides::default(),
                error: None,
                findings,
            };
        }
        Err(e) => {
            findings.push(at(
                Finding::error(
                    SYNTAX_ERROR,
                    format!(
                        "the template does not parse ({}): API Gateway answers 500 {{\"message\": \"Internal server error\"}}",
                        e
                    ),
                ),
                e.pos,
            ));
            return Outcome {
                output: None,
                overrides: Overrides::default(),
                error: Some(internal_error()),
                findings,
            };
        }
    };
    findings.extend(static_findings(&nodes));
    let env = Env {
        null_rule: NullRule::Aws,
        input: request.input,
        context: context(request.context),
        stage_variables: Value::map(
            request
                .stage_variables
                .into_iter()
                .map(|(k, v)| (k, Value::str(v)))
                .collect(),
        ),
        max_iterations: eval::MAX_ITERATIONS,
    };
    let rendered = eval::render(&nodes, &env);
    let overrides = overrides(&env.context);
    let rendered = match rendered {
        Ok(r) => r,
        Err(e) => {
            let (status, message, finding) = match e {
                RenderError::BodyNotJson(why) => (
                    400,
                    format!("Could not parse request body into json: {why}"),
                    Finding::error(
                        BODY_NOT_JSON,
                        format!(
                            "the template reads the body with $input.json or $input.path, but the body is not JSON ({why}): API Gateway answers 400"
                        ),
                    ),
                ),
                RenderError::Runtime { pos, message } => (
                    500,
                    "Internal server error".to_string(),
                    at(
                        Finding::error(
                            RUNTIME_ERROR,
                            format!("{message}: API Gateway answers 500"),
                        ),
                        pos,
                    ),
                ),
                RenderError::Runaway(why) => (
                    500,
                    "Internal server error".to_string(),
                    Finding::error(RUNAWAY, format!("rendering stopped: {why}"))
                        .with("certain", false),
                ),
            };
            findings.push(finding);
            return Outcome {
                output: None,
                overrides,
                error: Some(ClientError {
                    client_status: status,
                    message,
                }),
                findings,
            };
        }
    };
    let notes = rendered.notes;
    let mut seen: IndexMap<&str, Pos> = IndexMap::new();
    let twice: Vec<&str> = {
        let mut keys = std::collections::HashSet::new();
        notes
            .overrides
            .iter()
            .filter(|(k, _)| !keys.insert(k.as_str()))
            .map(|(k, _)| k.as_str())
            .collect()
    };
    // Set twice in this rendering: the static "can be set twice" warning says less.
    findings.retain(|f| {
        f.code != OVERRIDE_TWICE
            || !f.evidence["override"]
                .as_str()
                .is_some_and(|k| twice.contains(&k))
    });
    for (key, pos) in &notes.overrides {
        if let Some(first) = seen.get(key.as_str()) {
            findings.push(at(
                Finding::error(
                    OVERRIDE_TWICE,
                    format!("$context.{key} is set twice (first at line {}, again at line {}): AWS documents that an override may be applied only once and that a second one gives a 5XX error", first.line, pos.line),
                ),
                *pos,
            ).with("override", key.as_str()).with("certain", false));
        } else {
            seen.insert(key, *pos);
        }
    }
    for pos in &notes.contains_on_map {
        findings.push(at(
            Finding::warning(CONTAINS_ON_MAP, "contains() on a Map tests the map's text ({key=value, ...}): a key with that name matches too; test a value instead ($map.get('key') == 'x' or $map.containsKey('key'))"),
            *pos,
        ));
    }
    let mut reported = std::collections::HashSet::new();
    for (pos, literal) in &notes.undefined {
        if reported.insert(literal.clone()) {
            findings.push(at(
                Finding::info(UNDEFINED_REFERENCE, format!("{literal} is undefined or null and renders as nothing (write $!{{...}} when that is intended)")).with("reference", literal.as_str()),
                *pos,
            ));
        }
    }
    for pos in &notes.foreach_limit {
        findings.push(at(
            Finding::warning(FOREACH_LIMIT, format!("#foreach stopped after {} iterations, API Gateway's quota for one loop; what API Gateway does with the rest is not documented", eval::MAX_ITERATIONS)),
            *pos,
        ).with("certain", false));
    }
    for (pos, call, miss) in &notes.missing_paths {
        let near = match &miss.nearest {
            Some(k) if k.eq_ignore_ascii_case(&miss.missing) => format!(
                "; it has \"{k}\", which differs only in case (JSONPath keys are case-sensitive)"
            ),
            Some(k) => format!("; the nearest key there is \"{k}\""),
            None => String::new(),
        };
        findings.push(at(
            Finding::info(
                PATH_NOT_FOUND,
                format!(
                    "{call} selects nothing in this body: {} has no {:?}{near}, so it renders {}",
                    miss.found,
                    miss.missing,
                    if call.starts_with("$input.json") {
                        "\"\""
                    } else {
                        "nothing"
                    }
                ),
            )
            .with("found", miss.found.as_str())
            .with("missing", miss.missing.as_str())
            .with("nearest", miss.nearest.clone()),
            *pos,
        ));
    }
    for (pos, why) in &notes.undecided {
        findings.push(
            at(
                Finding::warning(
                    NOT_EMULATED,
                    format!("{why}: the emulation rendered it as nothing, and what API Gateway renders here is not known"),
                ),
                *pos,
            )
            .with("certain", false),
        );
    }
    let output = rendered.output;
    let json_type = request
        .content_type
        .is_none_or(|t| t.to_ascii_lowercase().contains("json"));
    if json_type
        && !output.trim().is_empty()
        && let Err(e) = serde_json::from_str::<Json>(&output)
    {
        {
            let javascript = text.contains("escapeJavaScript") && output.contains("\\'");
            if javascript {
                findings.push(Finding::warning(
                    ESCAPE_JAVASCRIPT_IN_JSON,
                    "$util.escapeJavaScript writes ' as \\', which is not a valid JSON escape: the output is not JSON; use $util.escapeJavaScript(...).replaceAll(\"\\\\'\", \"'\")",
                ).with("json_error", e.to_string()));
            } else {
                findings.push(
                    Finding::warning(
                        OUTPUT_NOT_JSON,
                        format!(
                            "the template is for {} but its output is not JSON ({e})",
                            request.content_type.unwrap_or("application/json")
                        ),
                    )
                    .with("json_error", e.to_string()),
                );
            }
        }
    }
    Outcome {
        output: Some(output),
        overrides,
        error: None,
        findings,
    }
}

/// Response parameter mappings copy values (a whole backend body, a header) into headers:
/// past [`value::MAX_VALUE`] bytes in all, a document with thousands of mappings is a
/// runaway, and the remaining mappings are not applied.
pub fn mappings_past_bound(location: &str) -> Finding {
    Finding::error(
        RUNAWAY,
        format!(
            "the mapped header values passed {} bytes together (API Gateway's payload quota): the mappings from {location} on were not applied",
            value::MAX_VALUE
        ),
    )
    .with("location", location)
    .with("certain", false)
}

fn internal_error() -> ClientError {
    ClientError {
        client_status: 500,
        message: "Internal server error".into(),
    }
}

/// The value at a dotted path of Maps (`identity.sourceIp` in `$context`).
pub fn lookup<'p>(root: &Value, path: impl IntoIterator<Item = &'p str>) -> Option<Value> {
    let mut v = root.clone();
    for p in path {
        let next = match &v {
            Value::Map(m) => m.borrow().get(p).cloned(),
            _ => None,
        };
        v = next?;
    }
    Some(v)
}

/// The overrides the template left in `$context`.
pub fn overrides(context: &Value) -> Overrides {
    let get = |path: &[&str]| lookup(context, path.iter().copied());
    let entries = |path: &[&str]| -> IndexMap<String, Json> {
        match get(path) {
            Some(Value::Map(m)) => m
                .borrow()
                .iter()
                .map(|(k, v)| (k.to_string(), override_value(v)))
                .collect(),
            _ => IndexMap::new(),
        }
    };
    Overrides {
        status: get(&["responseOverride", "status"]).map(|v| override_value(&v)),
        header: entries(&["responseOverride", "header"]),
        request: RequestOverrides {
            header: entries(&["requestOverride", "header"]),
            path: entries(&["requestOverride", "path"]),
            querystring: entries(&["requestOverride", "querystring"]),
        },
    }
}

fn override_value(v: &Value) -> Json {
    match v {
        Value::Int(i) => json!(i),
        // Overrides are a template's own values: one that cannot be printed (it holds
        // itself, or passed the size bound) is reported as such rather than printed.
        Value::List(..) => v
            .to_json()
            .unwrap_or_else(|u| Json::String(format!("(not printed: {u})"))),
        other => Json::String(
            other
                .render()
                .unwrap_or_else(|u| format!("(not printed: {u})")),
        ),
    }
}

/// Findings a template's text shows without rendering it.
pub fn static_findings(nodes: &[Node]) -> Vec<Finding> {
    let mut out = Vec::new();
    walk(nodes, &mut |node| {
        if let Node::Ref {
            reference, literal, ..
        } = node
        {
            hyphen(
                &reference.root,
                &reference.parts,
                literal,
                reference.pos,
                &mut out,
            )
        }
    });
    let mut found = Vec::new();
    override_sets(nodes, &mut Vec::new(), &mut 0, &mut found);
    let mut sets: IndexMap<String, Vec<(Pos, Branches)>> = IndexMap::new();
    for (key, pos, branches) in found {
        sets.entry(key).or_default().push((pos, branches));
    }
    for (key, placed) in sets {
        // Sets in different branches of one #if/#elseif/#else never both run.
        let both_can_run: Vec<Pos> = placed
            .iter()
            .enumerate()
            .filter(|(i, (_, a))| {
                placed
                    .iter()
                    .enumerate()
                    .any(|(j, (_, b))| j != *i && !exclusive(a, b))
            })
            .map(|(_, (p, _))| *p)
            .collect();
        let positions = both_can_run;
        if positions.len() > 1 && !key.contains("[...]") {
            out.push(
                at(
                    Finding::warning(
                        OVERRIDE_TWICE,
                        format!("$context.{key} can be set {} times (lines {}): AWS documents that an override may be applied only once; make sure one path sets it", positions.len(), positions.iter().map(|p| p.line.to_string()).collect::<Vec<_>>().join(", ")),
                    ),
                    positions[1],
                )
                .with("override", key)
                .with("certain", false),
            );
        }
    }
    out
}

/// Where a node sits among `#if` branches: (which #if, which of its branches).
type Branches = Vec<(usize, usize)>;

/// Whether two places are in different branches of the same `#if`.
fn exclusive(a: &Branches, b: &Branches) -> bool {
    a.iter()
        .any(|(id, branch)| b.iter().any(|(id2, b2)| id == id2 && branch != b2))
}

/// Every `#set` of `$context.responseOverride.*` / `requestOverride.*`: its key, where,
/// and its branches.
fn override_sets(
    nodes: &[Node],
    branches: &mut Branches,
    next_if: &mut usize,
    out: &mut Vec<(String, Pos, Branches)>,
) {
    for n in nodes {
        match n {
            Node::Set { target, pos, .. } if target.root == "context" => {
                let path: Vec<String> = target
                    .parts
                    .iter()
                    .map(|p| match p {
                        Part::Property(n) => n.clone(),
                        _ => "[...]".to_string(),
                    })
                    .collect();
                if path
                    .first()
                    .is_some_and(|p| p == "responseOverride" || p == "requestOverride")
                {
                    out.push((path.join("."), *pos, branches.clone()));
                }
            }
            Node::If {
                branches: arms,
                otherwise,
            } => {
                let id = *next_if;
                *next_if += 1;
                for (i, (_, body)) in arms.iter().enumerate() {
                    branches.push((id, i));
                    override_sets(body, branches, next_if, out);
                    branches.pop();
                }
                if let Some(body) = otherwise {
                    branches.push((id, arms.len()));
                    override_sets(body, branches, next_if, out);
                    branches.pop();
                }
            }
            Node::Foreach { body, .. } => override_sets(body, branches, next_if, out),
            _ => {}
        }
    }
}

/// A hyphen Velocity 1.x reads as part of a name. A trap when the name is a variable's
/// (`$stage-name`) or ends in the hyphen (`$e.key->x` reads "key-"): a warning. A property
/// whose hyphen joins two words (`$elem.partition-key`) most likely names a key that has one
/// (JSON keys often do), and reads it: said as a note, with the other reading's fix.
fn hyphen(root: &str, parts: &[Part], literal: &str, pos: Pos, out: &mut Vec<Finding>) {
    let names = std::iter::once((root, true)).chain(parts.iter().filter_map(|p| match p {
        Part::Property(n) | Part::Method(n, _) => Some((n.as_str(), false)),
        Part::Index(_) => None,
    }));
    let Some((name, is_root)) = names.into_iter().find(|(n, _)| n.contains('-')) else {
        return;
    };
    if literal.starts_with("${") || literal.starts_with("$!{") {
        return;
    }
    let joins_words = !is_root
        && name
            .split('-')
            .all(|w| w.chars().next().is_some_and(|c| c.is_ascii_alphanumeric()));
    let (head, _) = name.split_once('-').unwrap_or((name, ""));
    let finding = if joins_words {
        Finding::info(
            HYPHEN_IN_REFERENCE,
            format!(
                "{literal}: Velocity 1.x keeps the hyphen in the name, so this reads the key {name:?} (what a key with a hyphen needs); if you meant .{head} followed by the text after the hyphen, write the reference in braces"
            ),
        )
    } else {
        Finding::warning(
            HYPHEN_IN_REFERENCE,
            format!(
                "{literal}: Velocity 1.x reads the hyphen as part of the name ({name:?}), so this is not what it looks like; write the reference as ${{...}} before the hyphen, or use .get('{name}') for a key with a hyphen"
            ),
        )
    };
    out.push(at(finding.with("reference", literal), pos));
}

fn walk(nodes: &[Node], f: &mut dyn FnMut(&Node)) {
    for n in nodes {
        f(n);
        match n {
            Node::If {
                branches,
                otherwise,
            } => {
                for (cond, body) in branches {
                    walk_expr(cond, f);
                    walk(body, f);
                }
                if let Some(body) = otherwise {
                    walk(body, f);
                }
            }
            Node::Foreach { iterable, body, .. } => {
                walk_expr(iterable, f);
                walk(body, f);
            }
            Node::Set { value, .. } => walk_expr(value, f),
            _ => {}
        }
    }
}

fn walk_expr(e: &Expr, f: &mut dyn FnMut(&Node)) {
    if let Expr::Interpolated(nodes) = e {
        walk(nodes, f);
    }
}
