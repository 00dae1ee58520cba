//! Whether a Lambda function's resource-based policy (what `aws lambda get-policy` prints) lets
//! API Gateway invoke it for one call: a statement for the service principal
//! apigateway.amazonaws.com (or `*`) allowing lambda:InvokeFunction whose conditions hold for
//! the call's source ARN, `arn:PARTITION:execute-api:REGION:ACCOUNT:API_ID/STAGE/VERB/PATH`
//! [AWS: "Control access to an API with IAM permissions", execute-api ARN format; Lambda's
//! AddPermission writes `AWS:SourceArn` as an `ArnLike` condition and `AWS:SourceAccount` as
//! `StringEquals`]. The path is the one the client sent: a SourceArn that writes a path
//! parameter as `{userId}` matched no call until SAM wrote `*` in its place [obs:
//! aws/serverless-application-model#110, fixed by #992 in SAM v1.14.0], and `ANY` is no verb
//! of a call [obs: aws/serverless-application-model#296]. `ArnLike`, `ArnEquals` and
//! `StringLike` take `*` and `?` wildcards, `StringEquals` none [IAM: condition operators]. A
//! Deny that holds wins. Conditions on other keys and negated operators leave the answer
//! uncertain.
use super::{string_list, wildcard};
use serde_json::Value;

/// The answer for one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    NotAllowed,
    /// What the tool could not decide.
    Uncertain(String),
}

/// One call as API Gateway makes it: its source ARN and the API's account, when known.
#[derive(Debug, Clone)]
pub struct Call {
    pub source_arn: String,
    pub account: Option<String>,
}

/// The source ARN of a call to `verb` `path` (a resource path: `/pets/{id}`) on stage `stage`,
/// as a client sends it: each `{param}` given a value (`{param+}` two segments). An HTTP API's
/// `$default` route is `API_ID/STAGE/$default`, with no verb: SAM's `API_ID/*/*/$default` let
/// no call through until it wrote `API_ID/*/$default` [obs: aws/serverless-application-model
/// #1860, fixed by #2574]. A WebSocket route (an empty `verb`, `path` its key) is
/// `API_ID/STAGE/ROUTE_KEY` [AWS: "Control access to WebSocket APIs with IAM authorization"
/// gives this form for routes; the console writes `API_ID/*/ROUTE_KEY` permissions, obs:
/// aws/aws-cdk#22940; for Lambda's source ARN inferred].
pub fn source_arn(
    partition: &str,
    region: &str,
    account: &str,
    api_id: &str,
    stage: &str,
    verb: &str,
    path: &str,
) -> String {
    // An HTTP API's `$default` route, and a WebSocket route (no verb: `path` is its key).
    if path == "$default" || verb.is_empty() {
        return format!("arn:{partition}:execute-api:{region}:{account}:{api_id}/{stage}/{path}");
    }
    let path = path.strip_prefix('/').unwrap_or(path);
    let sent: Vec<&str> = path
        .split('/')
        .map(|segment| {
            if !(segment.starts_with('{') && segment.ends_with('}')) {
                segment
            } else if segment.ends_with("+}") {
                "a/b"
            } else {
                "value"
            }
        })
        .collect();
    format!(
        "arn:{partition}:execute-api:{region}:{account}:{api_id}/{stage}/{verb}/{}",
        sent.join("/")
    )
}

/// The policy's statements that name API Gateway, for evidence: each one's Sid and the source
/// ARNs its conditions name (at most `max`).
pub fn gateway_statements(policy: &Value, max: usize) -> Vec<Value> {
    statements(policy)
        .into_iter()
        .filter(|s| names_gateway(s))
        .take(max)
        .map(|s| {
            let mut arns = Vec::new();
            if let Some(conditions) = s.get("Condition").and_then(Value::as_object) {
                for keys in conditions.values().filter_map(Value::as_object) {
                    for (key, values) in keys {
                        if key.eq_ignore_ascii_case("AWS:SourceArn") {
                            arns.extend(string_list(values));
                        }
                    }
                }
            }
            serde_json::json!({"sid": s.get("Sid"), "effect": s.get("Effect"), "source_arns": arns})
        })
        .collect()
}

/// The policy with only its statements that can decide a call of API Gateway's (its principal
/// and action): judging many calls against it, each call skips the others.
pub fn for_gateway(policy: &Value) -> Value {
    let kept: Vec<Value> = statements(policy)
        .into_iter()
        .filter(|s| names_gateway(s) && allows_invoke(s))
        .cloned()
        .collect();
    serde_json::json!({ "Statement": kept })
}

/// Whether the policy lets API Gateway make `call`.
pub fn verdict(policy: &Value, call: &Call) -> Verdict {
    let mut doubts: Vec<String> = Vec::new();
    let mut allowed = false;
    for s in statements(policy) {
        if !names_gateway(s) || !allows_invoke(s) {
            continue;
        }
        let effect = s.get("Effect").and_then(Value::as_str).unwrap_or_default();
        let holds = conditions_hold(s, &call.source_arn, call.account.as_deref());
        match (effect, holds) {
            ("Deny", Holds::Yes) => return Verdict::NotAllowed,
            ("Allow", Holds::Yes) => allowed = true,
            (_, Holds::Unknown(why)) => doubts.push(why),
            _ => {}
        }
    }
    if allowed && doubts.is_empty() {
        Verdict::Allowed
    } else if let Some(why) = doubts.into_iter().next() {
        Verdict::Uncertain(why)
    } else {
        Verdict::NotAllowed
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Holds {
    Yes,
    No,
    Unknown(String),
}

/// How many statements a policy holds.
pub fn statement_count(policy: &Value) -> usize {
    match policy.get("Statement") {
        Some(Value::Array(list)) => list.len(),
        Some(Value::Object(_)) => 1,
        _ => 0,
    }
}

fn statements(policy: &Value) -> Vec<&Value> {
    match policy.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    }
}

/// The statement's principal is API Gateway's service principal, or anyone.
fn names_gateway(s: &Value) -> bool {
    match s.get("Principal") {
        Some(Value::String(p)) => p == "*",
        Some(Value::Object(p)) => {
            p.get("Service").map(string_list).is_some_and(|services| {
                services
                    .iter()
                    .any(|v| v == "apigateway.amazonaws.com" || v == "*")
            }) || p
                .get("AWS")
                .map(string_list)
                .is_some_and(|a| a.iter().any(|v| v == "*"))
        }
        _ => false,
    }
}

/// The statement's action covers lambda:InvokeFunction (IAM matches actions without case).
fn allows_invoke(s: &Value) -> bool {
    s.get("Action").map(string_list).is_some_and(|actions| {
        actions
            .iter()
            .any(|a| wildcard::matches(&a.to_ascii_lowercase(), "lambda:invokefunction"))
    })
}

/// Whether every condition of the statement holds for a call with this source ARN.
fn conditions_hold(s: &Value, source_arn: &str, account: Option<&str>) -> Holds {
    let Some(conditions) = s.get("Condition") else {
        return Holds::Yes;
    };
    let Some(conditions) = conditions.as_object() else {
        return Holds::Unknown("a Condition that is not an object".into());
    };
    for (operator, keys) in conditions {
        let Some(keys) = keys.as_object() else {
            return Holds::Unknown(format!("the condition {operator} is not an object"));
        };
        let op = operator.strip_suffix("IfExists").unwrap_or(operator);
        for (key, values) in keys {
            let values = string_list(values);
            let actual = if key.eq_ignore_ascii_case("AWS:SourceArn") {
                source_arn.to_string()
            } else if key.eq_ignore_ascii_case("AWS:SourceAccount") {
                match account {
                    Some(a) => a.to_string(),
                    None => {
                        return Holds::Unknown(
                            "AWS:SourceAccount, and the API's account is not known".into(),
                        );
                    }
                }
            } else {
                return Holds::Unknown(format!(
                    "the condition {operator} on {key}, which the tool does not evaluate"
                ));
            };
            let one = |v: &String| match op {
                "ArnLike" | "ArnEquals" | "StringLike" => Some(wildcard::matches(v, &actual)),
                "StringEquals" => Some(*v == actual),
                _ => None,
            };
            let mut any = false;
            for v in &values {
                match one(v) {
                    Some(true) => any = true,
                    Some(false) => {}
                    None => {
                        return Holds::Unknown(format!(
                            "the condition operator {operator}, which the tool does not evaluate"
                        ));
                    }
                }
            }
            if !any {
                return Holds::No;
            }
        }
    }
    Holds::Yes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What `aws lambda add-permission --principal apigateway.amazonaws.com --source-arn ...`
    /// writes (the shape `aws lambda get-policy` prints, its Policy parsed).
    fn policy(source_arns: &[&str]) -> Value {
        let statements: Vec<Value> = source_arns
            .iter()
            .enumerate()
            .map(|(n, arn)| {
                json!({"Sid": format!("apigw-{n}"), "Effect": "Allow",
                "Principal": {"Service": "apigateway.amazonaws.com"},
                "Action": "lambda:InvokeFunction",
                "Resource": "arn:aws:lambda:us-east-1:111122223333:function:list-pets",
                "Condition": {"ArnLike": {"AWS:SourceArn": arn}}})
            })
            .collect();
        json!({"Version": "2012-10-17", "Id": "default", "Statement": statements})
    }

    fn call(verb: &str, path: &str) -> Call {
        Call {
            source_arn: source_arn(
                "aws",
                "us-east-1",
                "111122223333",
                "a1b2c3",
                "prod",
                verb,
                path,
            ),
            account: Some("111122223333".into()),
        }
    }

    #[test]
    fn source_arns_carry_the_path_as_sent() {
        assert_eq!(
            source_arn(
                "aws",
                "us-east-1",
                "1",
                "api",
                "prod",
                "GET",
                "/pets/{id}/{proxy+}"
            ),
            "arn:aws:execute-api:us-east-1:1:api/prod/GET/pets/value/a/b"
        );
        assert_eq!(
            source_arn("aws", "us-east-1", "1", "api", "prod", "GET", "/"),
            "arn:aws:execute-api:us-east-1:1:api/prod/GET/"
        );
    }

    /// An HTTP API's `$default` route: no verb; SAM's fixed permission (`API/*/$default`)
    /// lets it through, its former one (`API/*/*/$default`) does not [obs: SAM#1860].
    #[test]
    fn the_default_route_has_no_verb() {
        let arn = source_arn(
            "aws",
            "us-east-1",
            "1",
            "api",
            "$default",
            "ANY",
            "$default",
        );
        assert_eq!(arn, "arn:aws:execute-api:us-east-1:1:api/$default/$default");
        let call = Call {
            source_arn: arn,
            account: None,
        };
        let fixed = policy(&["arn:aws:execute-api:us-east-1:1:api/*/$default"]);
        assert_eq!(verdict(&fixed, &call), Verdict::Allowed);
        let former = policy(&["arn:aws:execute-api:us-east-1:1:api/*/*/$default"]);
        assert_eq!(verdict(&former, &call), Verdict::NotAllowed);
    }

    #[test]
    fn a_permission_for_the_api_allows_its_calls() {
        let p = policy(&["arn:aws:execute-api:us-east-1:111122223333:a1b2c3/*/*/*"]);
        assert_eq!(verdict(&p, &call("GET", "/pets")), Verdict::Allowed);
        assert_eq!(verdict(&p, &call("POST", "/pets/{id}")), Verdict::Allowed);
        // No condition at all: any API (of any account) may invoke it.
        let open = json!({"Statement": {"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "lambda:*"}});
        assert_eq!(verdict(&open, &call("GET", "/pets")), Verdict::Allowed);
    }

    #[test]
    fn a_permission_for_another_api_stage_or_method_does_not() {
        // The API recreated (another id), another stage, another method: no call matches.
        for arn in [
            "arn:aws:execute-api:us-east-1:111122223333:zz9yy8/*/GET/pets",
            "arn:aws:execute-api:us-east-1:111122223333:a1b2c3/dev/GET/pets",
            "arn:aws:execute-api:us-east-1:111122223333:a1b2c3/*/POST/pets",
        ] {
            assert_eq!(
                verdict(&policy(&[arn]), &call("GET", "/pets")),
                Verdict::NotAllowed,
                "{arn}"
            );
        }
        // No statement for API Gateway at all (another service's permission).
        let s3 = json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "lambda:InvokeFunction"}]});
        assert_eq!(verdict(&s3, &call("GET", "/pets")), Verdict::NotAllowed);
        assert_eq!(
            verdict(&json!({}), &call("GET", "/pets")),
            Verdict::NotAllowed
        );
        // A Deny that holds wins over an Allow.
        let mut denied = policy(&["arn:aws:execute-api:us-east-1:111122223333:a1b2c3/*/*/*"]);
        denied["Statement"]
            .as_array_mut()
            .unwrap()
            .push(json!({"Effect": "Deny",
            "Principal": "*", "Action": "lambda:InvokeFunction"}));
        assert_eq!(verdict(&denied, &call("GET", "/pets")), Verdict::NotAllowed);
    }

    #[test]
    fn a_literal_path_parameter_or_any_matches_no_call() {
        // A path parameter written literally matches no call (SAM before v1.14.0); `ANY` is
        // no call's verb. `*` in their place does.
        for arn in [
            "arn:aws:execute-api:us-east-1:111122223333:a1b2c3/*/GET/pets/{id}",
            "arn:aws:execute-api:us-east-1:111122223333:a1b2c3/*/ANY/pets/*",
        ] {
            assert_eq!(
                verdict(&policy(&[arn]), &call("GET", "/pets/{id}")),
                Verdict::NotAllowed,
                "{arn}"
            );
        }
        let star = policy(&["arn:aws:execute-api:us-east-1:111122223333:a1b2c3/*/GET/pets/*"]);
        assert_eq!(verdict(&star, &call("GET", "/pets/{id}")), Verdict::Allowed);
    }

    #[test]
    fn what_the_tool_cannot_decide_is_uncertain() {
        // A condition key the tool does not evaluate.
        let org = json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"},
            "Action": "lambda:InvokeFunction", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}]});
        assert!(matches!(
            verdict(&org, &call("GET", "/pets")),
            Verdict::Uncertain(_)
        ));
        // The account condition when the API's account is not known.
        let account = json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"},
            "Action": "lambda:InvokeFunction", "Condition": {"StringEquals": {"AWS:SourceAccount": "111122223333"}}}]});
        assert_eq!(verdict(&account, &call("GET", "/pets")), Verdict::Allowed);
        let mut unknown = call("GET", "/pets");
        unknown.account = None;
        assert!(matches!(verdict(&account, &unknown), Verdict::Uncertain(_)));
    }

    #[test]
    fn evidence_names_the_gateway_statements() {
        let p = policy(&["arn:aws:execute-api:us-east-1:111122223333:zz9yy8/*/GET/pets"]);
        let s = gateway_statements(&p, 20);
        assert_eq!(s.len(), 1);
        assert_eq!(
            s[0]["source_arns"][0],
            "arn:aws:execute-api:us-east-1:111122223333:zz9yy8/*/GET/pets"
        );
    }
}
