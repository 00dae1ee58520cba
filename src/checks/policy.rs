//! API Gateway resource policies: validation, and evaluation of the resource-policy side of
//! a call like IAM does it (an explicit Deny wins, then an Allow, else an implicit deny).
//!
//! Sources: the seed article "Access an Amazon API Gateway API from another AWS account";
//! Developer Guide "Access policy language overview for API Gateway", "How API Gateway
//! resource policies affect authorization workflow"; IAM User Guide "Policy evaluation
//! logic" and "Condition operators" (a missing key makes negated operators true and
//! others false; `...IfExists` is true when the key is missing).
use crate::finding::Finding;
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::net::IpAddr;

pub const MALFORMED: &str = "policy.malformed";
pub const PLACEHOLDER_LEFT: &str = "policy.placeholder-left";
pub const HTTP_API_UNSUPPORTED: &str = "policy.http-api-unsupported";
pub const INVALID_PRINCIPAL: &str = "policy.invalid-principal";
pub const INVALID_ACTION: &str = "policy.invalid-action";
pub const INVALID_RESOURCE: &str = "policy.invalid-resource";
pub const CONDITION_NOT_EVALUATED: &str = "policy.condition-not-evaluated";
pub const IMPLICIT_DENY: &str = "policy.implicit-deny";
pub const EXPLICIT_DENY: &str = "policy.explicit-deny";
pub const ALLOWED: &str = "policy.allowed";

pub const CODES: &[&str] = &[
    MALFORMED,
    PLACEHOLDER_LEFT,
    HTTP_API_UNSUPPORTED,
    INVALID_PRINCIPAL,
    INVALID_ACTION,
    INVALID_RESOURCE,
    CONDITION_NOT_EVALUATED,
    IMPLICIT_DENY,
    EXPLICIT_DENY,
    ALLOWED,
];

/// What the call looks like: who, on what, from where.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub principal: Option<String>,
    pub resource: Option<String>,
    pub source_vpce: Option<String>,
    pub source_vpc: Option<String>,
    pub source_ip: Option<IpAddr>,
    pub principal_org_id: Option<String>,
    /// An identity-based policy (a Lambda authorizer's policyDocument): statements have no
    /// Principal and apply to the caller the authorizer names.
    pub identity_policy: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
    /// A statement that decides depends on a condition the tool was not told about.
    Uncertain,
}

#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    pub index: usize,
    pub sid: Option<String>,
    pub effect: String,
    /// Principal "*": applies to anonymous callers too.
    #[serde(skip)]
    pub public: bool,
}

#[derive(Debug, Clone)]
pub struct Evaluation {
    pub statements: Vec<Statement>,
    /// None when no principal and resource were given.
    pub decision: Option<Decision>,
    pub deciding: Option<Statement>,
    pub findings: Vec<Finding>,
}

/// The policy document inside what users paste: the policy itself (an object), the JSON
/// string that `aws apigateway get-rest-api --query policy` prints, or the whole
/// get-rest-api output, whose `policy` the AWS CLI prints escaped twice (`{\\"Version\\":...}`
/// with `\\/`).
pub fn unwrap_policy(v: &Value) -> Result<Value, String> {
    let inner = match v {
        Value::String(s) => s.as_str(),
        Value::Object(o) if o.contains_key("Statement") => return Ok(v.clone()),
        Value::Object(o) => match o.get("policy") {
            Some(Value::String(s)) => s.as_str(),
            Some(p @ Value::Object(_)) => return Ok(p.clone()),
            Some(Value::Null) | None if o.contains_key("id") && o.contains_key("name") => {
                return Err(
                    "this get-rest-api output has no policy: the API has no resource policy"
                        .to_string(),
                );
            }
            _ => {
                return Err(format!(
                    "not a resource policy (no Statement): it looks like {}",
                    crate::document::describe_for(v, "policy")
                ));
            }
        },
        other => {
            return Err(format!(
                "not a resource policy: it looks like {}",
                crate::document::describe_for(other, "policy")
            ));
        }
    };
    parse_policy_text(inner)
}

/// A policy given as text, once or twice escaped.
fn parse_policy_text(text: &str) -> Result<Value, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::String(again)) => parse_policy_text(&again),
        Ok(v) => Ok(v),
        Err(e) => {
            // The AWS CLI's get-rest-api prints the stored policy with its quotes escaped.
            if text.contains("\\\"")
                && let Ok(unescaped) = serde_json::from_str::<String>(&format!("\"{text}\""))
            {
                return serde_json::from_str(&unescaped)
                    .map_err(|e| format!("the embedded policy string is not JSON: {e}"));
            }
            Err(format!("the embedded policy string is not JSON: {e}"))
        }
    }
}

/// Every API's policy in `aws apigateway get-rest-apis` output (`items[].policy`), by API id;
/// None for other documents.
pub fn policies_of_apis(v: &Value) -> Option<Vec<(String, Result<Value, String>)>> {
    let items = v.get("items")?.as_array()?;
    if !items
        .iter()
        .all(|i| i.get("id").is_some() && i.get("name").is_some())
    {
        return None;
    }
    Some(
        items
            .iter()
            .filter(|i| i.get("policy").is_some_and(|p| !p.is_null()))
            .map(|i| {
                let id = i
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_string();
                (id, unwrap_policy(i))
            })
            .collect(),
    )
}

/// Where a statement holds a value that is not resolved yet: an intrinsic (`{"Ref": ...}`),
/// a CloudFormation variable (`${AWS::AccountId}`, `${Param}`; IAM's own `${aws:...}`
/// policy variables excepted) or a dynamic reference (`{{resolve:...}}`).
fn unresolved_in(v: &Value, path: &str) -> Option<(String, String)> {
    match v {
        Value::String(s) => {
            let variable = s.match_indices("${").any(|(i, _)| {
                let name = s[i + 2..].to_ascii_lowercase();
                !name.starts_with("aws:") || name.starts_with("aws::")
            });
            (variable || s.contains("{{resolve:")).then(|| (path.to_string(), s.clone()))
        }
        Value::Object(o)
            if o.len() == 1
                && o.keys()
                    .next()
                    .is_some_and(|k| k == "Ref" || k.starts_with("Fn::")) =>
        {
            Some((path.to_string(), v.to_string()))
        }
        Value::Object(o) => o
            .iter()
            .find_map(|(k, x)| unresolved_in(x, &format!("{path}.{k}"))),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, x)| unresolved_in(x, &format!("{path}[{i}]"))),
        _ => None,
    }
}

pub fn evaluate(policy: &Value, req: &Request) -> Evaluation {
    let refused_before = crate::checks::budget::refused();
    let mut findings = Vec::new();
    let mut statements = Vec::new();
    placeholders(policy, "$", &mut findings);
    let Some(obj) = policy.as_object() else {
        findings
            .push(Finding::error(MALFORMED, "the policy must be a JSON object").with("path", "$"));
        return Evaluation {
            statements,
            decision: None,
            deciding: None,
            findings,
        };
    };
    match obj.get("Version").and_then(Value::as_str) {
        Some("2012-10-17") => {}
        Some(v) => findings.push(
            Finding::warning(MALFORMED, format!("Version is {v:?}; use \"2012-10-17\" (older versions do not support policy variables)"))
                .with("path", "$.Version"),
        ),
        None => findings.push(Finding::warning(MALFORMED, "Version is missing; add \"Version\": \"2012-10-17\"").with("path", "$.Version")),
    }
    let list: Vec<&Value> = match obj.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(s @ Value::Object(_)) => vec![s],
        _ => {
            findings.push(
                Finding::error(
                    MALFORMED,
                    "Statement must be an object or an array of objects",
                )
                .with("path", "$.Statement"),
            );
            return Evaluation {
                statements,
                decision: None,
                deciding: None,
                findings,
            };
        }
    };
    let mut verdicts = Vec::new();
    for (index, s) in list.iter().enumerate() {
        let path = format!("$.Statement[{index}]");
        let Some(s) = s.as_object() else {
            findings.push(
                Finding::error(MALFORMED, "each statement must be an object").with("path", path),
            );
            continue;
        };
        let sid = s.get("Sid").and_then(Value::as_str).map(str::to_string);
        let effect = s
            .get("Effect")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if effect != "Allow" && effect != "Deny" {
            findings.push(
                Finding::error(
                    MALFORMED,
                    format!("Effect must be \"Allow\" or \"Deny\", found {effect:?}"),
                )
                .with("path", format!("{path}.Effect")),
            );
            continue;
        }
        let public = matches!(s.get("Principal"), Some(Value::String(p)) if p == "*")
            || s.get("Principal")
                .and_then(|p| p.get("AWS"))
                .is_some_and(|a| a == "*");
        let statement = Statement {
            index,
            sid,
            effect,
            public,
        };
        let unresolved = unresolved_in(&Value::Object(s.clone()), &path);
        if let Some((at, value)) = &unresolved {
            findings.push(
                Finding::warning(
                    CONDITION_NOT_EVALUATED,
                    format!("{at} holds {value}, which is resolved only when the stack deploys: this statement is not evaluated and the decision is uncertain; evaluate the deployed policy (aws apigateway get-rest-api --rest-api-id ID --query policy --output text)"),
                )
                .with("path", at.as_str()),
            );
        }
        let decidable = req.principal.is_some() && req.resource.is_some();
        match unresolved {
            // Not validated as a literal either: the deployed value is unknown.
            Some((at, _)) if decidable => verdicts.push((
                statement.clone(),
                Applies::Unknown(format!("{at} is not resolved")),
            )),
            Some(_) => {}
            None => {
                if validate(s, &path, req.identity_policy, &mut findings) && decidable {
                    verdicts.push((statement.clone(), applies(s, &path, req, &mut findings)));
                }
            }
        }
        statements.push(statement);
    }
    let (mut decision, deciding) = if req.principal.is_some() && req.resource.is_some() {
        decide(&verdicts, req, &mut findings)
    } else {
        (None, None)
    };
    let refused = crate::checks::budget::refused() - refused_before;
    if refused > 0 && decision.is_some() {
        // "Nothing allows it" is not known when some matches were never made.
        findings.retain(|f| f.code != IMPLICIT_DENY);
        findings.push(
            Finding::warning(
                CONDITION_NOT_EVALUATED,
                format!("{refused} wildcard matches were not evaluated: the command's evaluation budget was spent (patterns far longer than API Gateway's 8,192-character policy quota), so the decision is uncertain"),
            )
            .with("refused", refused),
        );
        decision = Some(Decision::Uncertain);
    }
    Evaluation {
        statements,
        decision,
        deciding,
        findings,
    }
}

/// Structure and value formats of one statement; false when it cannot be evaluated.
fn validate(
    s: &Map<String, Value>,
    path: &str,
    identity_policy: bool,
    findings: &mut Vec<Finding>,
) -> bool {
    let mut ok = true;
    let principal = s.get("Principal").or_else(|| s.get("NotPrincipal"));
    match principal {
        None if identity_policy => {}
        None => {
            findings.push(
                Finding::error(MALFORMED, "a resource policy statement needs a Principal")
                    .with("path", format!("{path}.Principal")),
            );
            ok = false;
        }
        // IAM's grammar allows one bare string, "*"; anything else goes under a key.
        Some(Value::String(p)) if p != "*" => {
            let key = if s.contains_key("Principal") {
                "Principal"
            } else {
                "NotPrincipal"
            };
            findings.push(
                Finding::error(INVALID_PRINCIPAL, format!("\"{key}\": {p:?} is not valid IAM: a bare string may only be \"*\"; write {{\"AWS\": {p:?}}} (IAM refuses the policy as it stands)"))
                    .with("path", format!("{path}.{key}"))
                    .with("found", p.as_str()),
            );
            ok = false;
        }
        Some(p) => {
            for (p_path, value) in principal_values(p, &format!("{path}.Principal")) {
                // A placeholder is reported once, as such.
                if !valid_principal(&value) && !PLACEHOLDER.is_match(&value) {
                    findings.push(
                        Finding::error(INVALID_PRINCIPAL, format!("{value:?} is not a principal: use an account id, arn:aws:iam::ACCOUNT:root, a role or user ARN, or \"*\""))
                            .with("path", p_path)
                            .with("found", value),
                    );
                }
            }
        }
    }
    match strings(s.get("Action").or_else(|| s.get("NotAction"))) {
        None => {
            findings.push(
                Finding::error(
                    MALFORMED,
                    "a statement needs Action (a string or a list of strings)",
                )
                .with("path", format!("{path}.Action")),
            );
            ok = false;
        }
        Some(actions) => {
            for a in actions {
                let lower = a.to_ascii_lowercase();
                if lower != "*" && !lower.starts_with("execute-api:") {
                    findings.push(
                        Finding::warning(INVALID_ACTION, format!("{a:?} is not an execute-api action: it has no effect in an API Gateway resource policy"))
                            .with("path", format!("{path}.Action"))
                            .with("found", a),
                    );
                }
            }
        }
    }
    match strings(s.get("Resource").or_else(|| s.get("NotResource"))) {
        None => {
            findings.push(
                Finding::error(
                    MALFORMED,
                    "a statement needs Resource (a string or a list of strings)",
                )
                .with("path", format!("{path}.Resource")),
            );
            ok = false;
        }
        Some(resources) => {
            for r in resources {
                if let Err(why) = check_resource(&r)
                    && !PLACEHOLDER.is_match(&r)
                {
                    findings.push(
                        Finding::error(INVALID_RESOURCE, format!("{r:?}: {why}"))
                            .with("path", format!("{path}.Resource"))
                            .with("found", r),
                    );
                }
            }
        }
    }
    if let Some(c) = s.get("Condition")
        && !c.is_object()
    {
        findings.push(
            Finding::error(MALFORMED, "Condition must be an object of operators")
                .with("path", format!("{path}.Condition")),
        );
        ok = false;
    }
    ok
}

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    match v? {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(a) => a.iter().map(|x| x.as_str().map(str::to_string)).collect(),
        _ => None,
    }
}

/// Every principal string with its path (`"*"`, `{"AWS": [...]}`).
fn principal_values(p: &Value, path: &str) -> Vec<(String, String)> {
    match p {
        Value::String(s) => vec![(path.to_string(), s.clone())],
        Value::Object(o) => o
            .iter()
            .flat_map(|(kind, v)| match v {
                Value::String(s) if kind == "AWS" => vec![(format!("{path}.AWS"), s.clone())],
                Value::Array(a) if kind == "AWS" => a
                    .iter()
                    .enumerate()
                    .map(|(i, x)| {
                        (
                            format!("{path}.AWS[{i}]"),
                            x.as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect(),
                _ => Vec::new(),
            })
            .collect(),
        _ => vec![(path.to_string(), String::new())],
    }
}

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn valid_principal(p: &str) -> bool {
    if p == "*" || is_account(p) {
        return true;
    }
    let parts: Vec<&str> = p.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && (parts[2] == "iam" || parts[2] == "sts")
        && is_account(parts[4])
        && (parts[5] == "root"
            || ["user/", "role/", "assumed-role/", "federated-user/"]
                .iter()
                .any(|k| parts[5].starts_with(k)))
}

/// `arn:PARTITION:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH`, or API Gateway's
/// shorthand `execute-api:/STAGE/METHOD/PATH`.
fn check_resource(r: &str) -> Result<(), String> {
    if r == "*" || r.starts_with("execute-api:/") {
        return Ok(());
    }
    let parts: Vec<&str> = r.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" || parts[2] != "execute-api" {
        return Err(
            "not an execute-api ARN (arn:aws:execute-api:REGION:ACCOUNT:API-ID/STAGE/METHOD/PATH)"
                .to_string(),
        );
    }
    if !(is_account(parts[4]) || parts[4].contains(['*', '?'])) {
        return Err(format!(
            "the account {:?} is not a 12-digit account id",
            parts[4]
        ));
    }
    if parts[5].split('/').count() < 2 && !parts[5].ends_with('*') {
        return Err("the resource needs API-ID/STAGE/METHOD/PATH (use * for any)".to_string());
    }
    Ok(())
}

static PLACEHOLDER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"(?:^|[^$])(\{[A-Za-z][A-Za-z0-9_-]*\})|<[A-Za-z][A-Za-z0-9_ -]*>|\baccount-id(-\d+)?\b|\bapi-id\b|\b(?:vpceID|vpce-id|ACCOUNT_ID|ACCOUNT-ID|AWS_ACCOUNT_ID|REGION|API_ID|VPCE_ID|VPC_ID)\b")
        .expect("valid regex")
});

/// Unfilled template placeholders: `{account-id}`, `<Api-id>`, `${AWS::AccountId}`, ...
fn placeholders(v: &Value, path: &str, findings: &mut Vec<Finding>) {
    match v {
        Value::String(s) => {
            if let Some(c) = PLACEHOLDER.captures(s)
                && let Some(m) = c.get(1).or_else(|| c.get(0))
            {
                findings.push(
                    Finding::error(
                        PLACEHOLDER_LEFT,
                        format!("{:?} still holds the placeholder {}", s, m.as_str()),
                    )
                    .with("path", path)
                    .with("placeholder", m.as_str()),
                );
            }
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| placeholders(x, &format!("{path}[{i}]"), findings)),
        Value::Object(o) => o
            .iter()
            .for_each(|(k, x)| placeholders(x, &format!("{path}.{k}"), findings)),
        _ => {}
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Applies {
    Yes,
    No,
    /// Depends on context the tool was not given.
    Unknown(String),
}

fn all(parts: Vec<Applies>) -> Applies {
    if parts.contains(&Applies::No) {
        return Applies::No;
    }
    parts
        .into_iter()
        .find(|p| matches!(p, Applies::Unknown(_)))
        .unwrap_or(Applies::Yes)
}

fn applies(
    s: &Map<String, Value>,
    path: &str,
    req: &Request,
    findings: &mut Vec<Finding>,
) -> Applies {
    let principal = req.principal.as_deref().unwrap_or_default();
    let resource = req.resource.as_deref().unwrap_or_default();
    let principal_match = |p: &Value| {
        principal_values(p, "")
            .iter()
            .any(|(_, v)| principal_matches(v, principal))
    };
    let who = match (s.get("Principal"), s.get("NotPrincipal")) {
        (Some(p), _) => principal_match(p),
        (None, Some(np)) => !principal_match(np),
        _ => req.identity_policy,
    };
    let action_match = |list: Vec<String>| {
        list.iter()
            .any(|a| glob(&a.to_ascii_lowercase(), "execute-api:invoke"))
    };
    let what = match (strings(s.get("Action")), strings(s.get("NotAction"))) {
        (Some(a), _) => action_match(a),
        (None, Some(na)) => !action_match(na),
        _ => false,
    };
    let resource_match = |list: Vec<String>| list.iter().any(|r| resource_matches(r, resource));
    let on = match (strings(s.get("Resource")), strings(s.get("NotResource"))) {
        (Some(r), _) => resource_match(r),
        (None, Some(nr)) => !resource_match(nr),
        _ => false,
    };
    let basics = if who && what && on {
        Applies::Yes
    } else {
        Applies::No
    };
    let condition = match s.get("Condition").and_then(Value::as_object) {
        Some(c) if basics == Applies::Yes => {
            conditions(c, &format!("{path}.Condition"), req, findings)
        }
        _ => Applies::Yes,
    };
    all(vec![basics, condition])
}

/// Whether a policy principal covers the caller: `*`, the caller's account (as an id or
/// `:root`), its exact ARN, or the role its assumed-role session comes from.
fn principal_matches(policy: &str, caller: &str) -> bool {
    if policy == "*" || policy == caller {
        return true;
    }
    let caller_account = account_of(caller);
    if let Some(acct) = caller_account {
        if policy == acct || policy == format!("arn:aws:iam::{acct}:root") {
            return true;
        }
        // arn:aws:sts::ACCT:assumed-role/ROLE/SESSION is a session of arn:aws:iam::ACCT:role/ROLE.
        if let Some(rest) = caller.split(":assumed-role/").nth(1) {
            let role = rest.split('/').next().unwrap_or_default();
            if policy.ends_with(&format!(":{acct}:role/{role}"))
                || policy.ends_with(&format!(":role/{role}")) && policy.contains(acct)
            {
                return true;
            }
        }
    }
    false
}

pub fn account_of(arn_or_account: &str) -> Option<&str> {
    if is_account(arn_or_account) {
        return Some(arn_or_account);
    }
    arn_or_account.split(':').nth(4).filter(|a| is_account(a))
}

/// ARN matching with `*` and `?`; the `execute-api:/STAGE/METHOD/PATH` shorthand matches
/// the part after the API id.
fn resource_matches(pattern: &str, resource: &str) -> bool {
    if let Some(tail) = pattern.strip_prefix("execute-api:") {
        let after_api = resource
            .splitn(6, ':')
            .nth(5)
            .and_then(|r| r.find('/').map(|i| &r[i..]));
        return after_api.is_some_and(|a| glob(tail, a));
    }
    glob(pattern, resource)
}

/// IAM wildcards: `*` any run of characters (including '/'), `?` one character.
/// IAM wildcard matching (`*`, `?`), charged to the command's evaluation budget: a
/// refused match counts as no match, and `evaluate` then calls the decision uncertain.
fn glob(pattern: &str, text: &str) -> bool {
    let steps = (pattern.len() as u64 + 1).saturating_mul(text.len() as u64 + 1);
    if !crate::checks::budget::charge(steps) {
        return false;
    }
    super::wildcard::matches(pattern, text)
}

fn conditions(
    c: &Map<String, Value>,
    path: &str,
    req: &Request,
    findings: &mut Vec<Finding>,
) -> Applies {
    let mut parts = Vec::new();
    for (operator, block) in c {
        let Some(block) = block.as_object() else {
            findings.push(
                Finding::error(
                    MALFORMED,
                    format!("condition operator {operator} must hold an object"),
                )
                .with("path", format!("{path}.{operator}")),
            );
            return Applies::No;
        };
        for (key, values) in block {
            let values = strings(Some(values)).unwrap_or_default();
            let where_ = format!("{path}.{operator}['{key}']");
            parts.push(condition(operator, key, &values, &where_, req, findings));
        }
    }
    all(parts)
}

fn condition(
    operator: &str,
    key: &str,
    values: &[String],
    path: &str,
    req: &Request,
    findings: &mut Vec<Finding>,
) -> Applies {
    let (base, if_exists) = match operator.strip_suffix("IfExists") {
        Some(b) => (b, true),
        None => (operator, false),
    };
    let unsupported = |findings: &mut Vec<Finding>, why: String| {
        findings.push(Finding::warning(CONDITION_NOT_EVALUATED, why).with("path", path));
        Applies::Unknown(format!("{operator} on {key}"))
    };
    if base.starts_with("ForAnyValue:") || base.starts_with("ForAllValues:") {
        return unsupported(
            findings,
            format!("set operator {operator} is not evaluated"),
        );
    }
    let (value, flag): (Option<String>, &str) = match key.to_ascii_lowercase().as_str() {
        "aws:sourcevpce" => (req.source_vpce.clone(), "--source-vpce"),
        "aws:sourcevpc" => (req.source_vpc.clone(), "--source-vpc"),
        "aws:sourceip" => (req.source_ip.map(|ip| ip.to_string()), "--source-ip"),
        "aws:principalorgid" => (req.principal_org_id.clone(), "--principal-org-id"),
        "aws:principalarn" => (req.principal.clone(), "--principal"),
        "aws:principalaccount" => (
            req.principal
                .as_deref()
                .and_then(account_of)
                .map(str::to_string),
            "--principal",
        ),
        _ => {
            return unsupported(
                findings,
                format!("condition key {key} is not evaluated by this tool"),
            );
        }
    };
    let negated = base.contains("Not");
    let Some(value) = value else {
        if if_exists {
            return Applies::Yes;
        }
        return unsupported(
            findings,
            format!("{operator} on {key} depends on the caller: pass {flag} to evaluate it"),
        );
    };
    let hit = match base {
        "StringEquals" | "StringNotEquals" | "ArnEquals" | "ArnNotEquals" => {
            values.iter().any(|v| v == &value)
        }
        "StringEqualsIgnoreCase" | "StringNotEqualsIgnoreCase" => {
            values.iter().any(|v| v.eq_ignore_ascii_case(&value))
        }
        "StringLike" | "StringNotLike" | "ArnLike" | "ArnNotLike" => {
            values.iter().any(|v| glob(v, &value))
        }
        "IpAddress" | "NotIpAddress" => {
            let Ok(ip) = value.parse::<IpAddr>() else {
                return Applies::No;
            };
            values.iter().any(|cidr| in_cidr(ip, cidr))
        }
        _ => {
            return unsupported(
                findings,
                format!("condition operator {operator} is not evaluated by this tool"),
            );
        }
    };
    if hit != negated {
        Applies::Yes
    } else {
        Applies::No
    }
}

fn in_cidr(ip: IpAddr, cidr: &str) -> bool {
    let (net, bits) = cidr.split_once('/').unwrap_or((cidr, ""));
    let Ok(net) = net.parse::<IpAddr>() else {
        return false;
    };
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let bits: u32 = bits.parse().unwrap_or(32).min(32);
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let bits: u32 = bits.parse().unwrap_or(128).min(128);
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

fn decide(
    verdicts: &[(Statement, Applies)],
    req: &Request,
    findings: &mut Vec<Finding>,
) -> (Option<Decision>, Option<Statement>) {
    let label = |s: &Statement| match &s.sid {
        Some(sid) => format!("statement {} ({sid})", s.index),
        None => format!("statement {}", s.index),
    };
    let principal = req.principal.as_deref().unwrap_or_default();
    let resource = req.resource.as_deref().unwrap_or_default();
    let with_statement = |f: Finding, s: &Statement| {
        f.with("statement", s.index)
            .with("sid", s.sid.clone())
            .with("path", format!("$.Statement[{}]", s.index))
    };
    let effect = |e: &str, want: Applies| {
        verdicts
            .iter()
            .find(|(s, a)| s.effect == e && *a == want)
            .map(|(s, _)| s.clone())
    };
    let unknown = |e: &str| {
        verdicts
            .iter()
            .find(|(s, a)| s.effect == e && matches!(a, Applies::Unknown(_)))
            .map(|(s, _)| s.clone())
    };
    if let Some(s) = effect("Deny", Applies::Yes) {
        findings.push(with_statement(
            Finding::error(
                EXPLICIT_DENY,
                format!(
                    "{} denies {principal} on {resource}: an explicit Deny wins over every Allow",
                    label(&s)
                ),
            ),
            &s,
        ));
        return (Some(Decision::ExplicitDeny), Some(s));
    }
    if let Some(s) = unknown("Deny") {
        return (Some(Decision::Uncertain), Some(s));
    }
    if let Some(s) = effect("Allow", Applies::Yes) {
        let mut needs = Vec::new();
        let caller_account = account_of(principal);
        let api_account = account_of(resource);
        if caller_account.is_some() && api_account.is_some() && caller_account != api_account {
            needs.push(format!(
                "the caller's identity policy in account {} must also allow execute-api:Invoke on this resource",
                caller_account.unwrap_or_default()
            ));
        }
        if !s.public {
            needs.push("the method must use AWS_IAM authorization for API Gateway to know the caller (without it, only Principal \"*\" statements apply)".to_string());
        }
        findings.push(
            with_statement(
                Finding::info(
                    ALLOWED,
                    format!("{} allows {principal} on {resource}", label(&s)),
                ),
                &s,
            )
            .with("also_needed", json!(needs)),
        );
        return (Some(Decision::Allow), Some(s));
    }
    if let Some(s) = unknown("Allow") {
        return (Some(Decision::Uncertain), Some(s));
    }
    findings.push(
        Finding::error(IMPLICIT_DENY, format!("no statement allows {principal} on {resource}: the resource policy denies it implicitly"))
            .with("principal", principal)
            .with("resource", resource),
    );
    (Some(Decision::ImplicitDeny), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_handles_stars_and_question_marks() {
        assert!(glob(
            "arn:aws:execute-api:us-east-1:111122223333:abc/*/GET/*",
            "arn:aws:execute-api:us-east-1:111122223333:abc/prod/GET/pets/1"
        ));
        assert!(!glob(
            "arn:aws:execute-api:*:*:abc/prod/POST/*",
            "arn:aws:execute-api:us-east-1:1:abc/prod/GET/x"
        ));
        assert!(glob("execute-api:inv?ke", "execute-api:invoke"));
        assert!(glob("*", ""));
    }

    #[test]
    fn principals_cover_accounts_roles_and_sessions() {
        let caller = "arn:aws:sts::999999999999:assumed-role/Deploy/session1";
        assert!(principal_matches("999999999999", caller));
        assert!(principal_matches("arn:aws:iam::999999999999:root", caller));
        assert!(principal_matches(
            "arn:aws:iam::999999999999:role/Deploy",
            caller
        ));
        assert!(!principal_matches(
            "arn:aws:iam::999999999999:role/Other",
            caller
        ));
        assert!(!principal_matches("111111111111", caller));
    }

    #[test]
    fn cidrs_match_v4_and_v6() {
        assert!(in_cidr("10.1.2.3".parse().unwrap(), "10.0.0.0/8"));
        assert!(!in_cidr("11.1.2.3".parse().unwrap(), "10.0.0.0/8"));
        assert!(in_cidr("2001:db8::1".parse().unwrap(), "2001:db8::/32"));
        assert!(in_cidr("192.0.2.7".parse().unwrap(), "192.0.2.7"));
    }

    #[test]
    fn shorthand_resources_match_after_the_api_id() {
        assert!(resource_matches(
            "execute-api:/prod/GET/*",
            "arn:aws:execute-api:us-east-1:111122223333:abc/prod/GET/pets"
        ));
        assert!(!resource_matches(
            "execute-api:/prod/POST/*",
            "arn:aws:execute-api:us-east-1:111122223333:abc/prod/GET/pets"
        ));
    }
}
