//! `apigw-doctor policy` end to end.
mod support;
use serde_json::Value;
use support::*;

const ACCOUNT_POLICY: &str = "examples/policy/cross-account.json";
const PRIVATE: &str = "examples/policy/private-api.json";
const PETS: &str = "arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5/prod/GET/pets";

fn policy(args: &[&str]) -> (Value, i32) {
    let mut full = vec!["-o", "json", "policy"];
    full.extend(args);
    let r = run(&full);
    assert!(r.code < 2, "{}", r.stderr);
    (r.one_json(), r.code)
}

#[test]
fn seed_policy_placeholders_are_errors() {
    let (j, code) = policy(&["examples/policy/seed-cross-account.json"]);
    assert_eq!(code, 1);
    assert_eq!(codes_of(&j), ["policy.placeholder-left".to_string()].into());
    assert_eq!(j["findings"].as_array().unwrap().len(), 3);
    assert_eq!(j["result"]["decision"], Value::Null);
}

#[test]
fn allow_names_the_statement_and_what_else_is_needed() {
    let (j, code) = policy(&[
        ACCOUNT_POLICY,
        "--principal",
        "arn:aws:sts::999999999999:assumed-role/PartnerInvoker/s1",
        "--resource",
        PETS,
    ]);
    assert_eq!(code, 0);
    assert_eq!(j["result"]["decision"], "allow");
    assert_eq!(j["result"]["deciding_statement"]["sid"], "AllowPartnerRole");
    let needed = j["findings"][0]["evidence"]["also_needed"]
        .as_array()
        .unwrap();
    assert!(
        needed[0]
            .as_str()
            .unwrap()
            .contains("identity policy in account 999999999999")
    );
    assert!(needed[1].as_str().unwrap().contains("AWS_IAM"));
}

#[test]
fn explicit_deny_wins_and_implicit_deny_when_nothing_allows() {
    let admin = "arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5/prod/GET/admin/users";
    let (j, code) = policy(&[
        ACCOUNT_POLICY,
        "--principal",
        "888888888888",
        "--resource",
        admin,
    ]);
    assert_eq!(
        (j["result"]["decision"].as_str().unwrap(), code),
        ("explicit-deny", 1)
    );
    assert_eq!(j["result"]["deciding_statement"]["sid"], "DenyAdminPaths");
    let (j, code) = policy(&[
        ACCOUNT_POLICY,
        "--principal",
        "arn:aws:iam::777777777777:user/Bob",
        "--resource",
        PETS,
    ]);
    assert_eq!(
        (j["result"]["decision"].as_str().unwrap(), code),
        ("implicit-deny", 1)
    );
    assert!(codes_of(&j).contains("policy.implicit-deny"));
    let post = "arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5/prod/POST/pets";
    let (j, _) = policy(&[
        ACCOUNT_POLICY,
        "--principal",
        "888888888888",
        "--resource",
        post,
    ]);
    assert_eq!(
        j["result"]["decision"], "implicit-deny",
        "only GET is allowed"
    );
}

#[test]
fn conditions_on_the_vpc_endpoint() {
    let (j, code) = policy(&[PRIVATE, "--principal", "777777777777", "--resource", PETS]);
    assert_eq!(
        (j["result"]["decision"].as_str().unwrap(), code),
        ("uncertain", 0)
    );
    assert!(codes_of(&j).contains("policy.condition-not-evaluated"));
    let (j, _) = policy(&[
        PRIVATE,
        "--principal",
        "777777777777",
        "--resource",
        PETS,
        "--source-vpce",
        "vpce-0a1b2c3d4e5f67890",
    ]);
    assert_eq!(j["result"]["decision"], "allow");
    assert_eq!(
        j["findings"][0]["evidence"]["also_needed"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "Principal * needs no IAM auth"
    );
    let (j, _) = policy(&[
        PRIVATE,
        "--principal",
        "777777777777",
        "--resource",
        PETS,
        "--source-vpce",
        "vpce-other",
    ]);
    assert_eq!(j["result"]["decision"], "explicit-deny");
}

#[test]
fn ip_conditions_and_org_ids() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ip.json");
    std::fs::write(
        &p,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:*","Resource":"arn:aws:execute-api:*:111122223333:*/*",
            "Condition":{"IpAddress":{"aws:SourceIp":["203.0.113.0/24"]},"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}]}"#,
    )
    .unwrap();
    let f = p.to_str().unwrap();
    let base = [
        "--principal",
        "777777777777",
        "--resource",
        PETS,
        "--principal-org-id",
        "o-abc123",
    ];
    let (j, _) = policy(&[&[f][..], &base, &["--source-ip", "203.0.113.9"]].concat());
    assert_eq!(j["result"]["decision"], "allow");
    let (j, _) = policy(&[&[f][..], &base, &["--source-ip", "198.51.100.1"]].concat());
    assert_eq!(j["result"]["decision"], "implicit-deny");
    assert_eq!(
        run(&[
            "policy",
            f,
            "--principal",
            "1",
            "--resource",
            PETS,
            "--source-ip",
            "not-an-ip"
        ])
        .code,
        2
    );
}

#[test]
fn get_rest_api_output_and_policy_string_are_accepted() {
    let policy_text = std::fs::read_to_string(ACCOUNT_POLICY).unwrap();
    let as_string = serde_json::to_string(&policy_text).unwrap();
    let stdin_args = [
        "-o",
        "json",
        "policy",
        "-",
        "--principal",
        "888888888888",
        "--resource",
        PETS,
    ];
    let r = run_with_stdin(&stdin_args, as_string.clone());
    assert_eq!(r.one_json()["result"]["decision"], "allow");
    let rest_api = format!(r#"{{"id": "a1b2c3d4e5", "name": "orders", "policy": {as_string}}}"#);
    let r = run_with_stdin(&stdin_args, rest_api);
    assert_eq!(r.one_json()["result"]["statements"], 2);
    let r = run_with_stdin(&["policy", "-"], r#"{"id": "a", "name": "n"}"#);
    assert_usage_error(&r, "the API has no resource policy");
}

#[test]
fn malformed_statements_and_wrong_values() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.json");
    std::fs::write(
        &p,
        r#"{"Statement":[{"Effect":"Permit","Principal":"*","Action":"execute-api:Invoke","Resource":"*"},
            {"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:f"},
            {"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]}"#,
    )
    .unwrap();
    let (j, code) = policy(&[p.to_str().unwrap()]);
    assert_eq!(code, 1);
    let got = codes_of(&j);
    for c in [
        "policy.malformed",
        "policy.invalid-principal",
        "policy.invalid-action",
        "policy.invalid-resource",
    ] {
        assert!(got.contains(c), "{c} missing from {got:?}");
    }
}

#[test]
fn http_apis_have_no_resource_policies() {
    let r = run(&["-o", "json", "policy", "--api", "http"]);
    assert_eq!(r.code, 1);
    let j = r.one_json();
    assert_eq!(
        codes_of(&j),
        ["policy.http-api-unsupported".to_string()].into()
    );
    assert!(
        j["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("sts:AssumeRole")
    );
}

#[test]
fn bad_input_says_what_it_looks_like() {
    assert_usage_error(
        &run(&["policy", "examples/lint/orders-export.yaml"]),
        "it looks like an OpenAPI/Swagger export",
    );
    assert_eq!(run(&["policy"]).code, 2, "POLICY is required for REST APIs");
    assert_eq!(
        run(&["policy", ACCOUNT_POLICY, "--principal", "888888888888"]).code,
        2,
        "--principal needs --resource"
    );
}

/// What `aws apigateway get-rest-api` prints: the stored policy escaped twice.
const GET_REST_API: &str = r#"{
    "id": "a1b2c3d4e5",
    "name": "orders",
    "createdDate": "2026-03-01T10:00:00+00:00",
    "apiKeySource": "HEADER",
    "endpointConfiguration": {"types": ["REGIONAL"]},
    "policy": "{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{\\\"AWS\\\":\\\"arn:aws:iam::999999999999:root\\\"},\\\"Action\\\":\\\"execute-api:Invoke\\\",\\\"Resource\\\":\\\"arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5\\/*\\\"}]}",
    "disableExecuteApiEndpoint": false
}"#;

#[test]
fn real_cli_outputs_and_policy_objects() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("get-rest-api.json");
    std::fs::write(&one, GET_REST_API).unwrap();
    let resource = "arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5/prod/GET/orders";
    let args = |file: &str| {
        vec![
            "-o".to_string(),
            "json".into(),
            "policy".into(),
            file.to_string(),
            "--principal".into(),
            "arn:aws:iam::999999999999:role/Caller".into(),
            "--resource".into(),
            resource.into(),
        ]
    };
    let a: Vec<String> = args(one.to_str().unwrap());
    let r = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(r.code < 2, "{}", r.stderr);
    assert_eq!(r.one_json()["result"]["decision"], "allow");
    // get-rest-apis: one report per API with a policy.
    let many = dir.path().join("get-rest-apis.json");
    let one_api: serde_json::Value = serde_json::from_str(GET_REST_API).unwrap();
    let mut other = one_api.clone();
    other["id"] = "zzzzzzzzzz".into();
    other.as_object_mut().unwrap().remove("policy");
    std::fs::write(
        &many,
        serde_json::json!({"items": [one_api.clone(), other]}).to_string(),
    )
    .unwrap();
    let a = args(many.to_str().unwrap());
    let r = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let reports = r.json();
    assert_eq!(reports.len(), 1, "{}", r.stdout);
    assert!(
        reports[0]["target"]
            .as_str()
            .unwrap()
            .ends_with("#a1b2c3d4e5")
    );
    // The policy given as an object.
    let obj = dir.path().join("object.json");
    let mut with_object = one_api.clone();
    with_object["policy"] = serde_json::from_str(
        &serde_json::from_str::<String>(&format!("\"{}\"", one_api["policy"].as_str().unwrap()))
            .unwrap(),
    )
    .unwrap();
    std::fs::write(&obj, with_object.to_string()).unwrap();
    let a = args(obj.to_str().unwrap());
    let r = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(r.one_json()["result"]["decision"], "allow", "{}", r.stderr);
}

#[test]
fn unresolved_values_make_the_decision_uncertain_and_placeholders_are_named() {
    let dir = tempfile::tempdir().unwrap();
    for resource in [
        serde_json::json!({"Fn::Sub": "arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*"}),
        serde_json::json!("arn:aws:execute-api:us-east-1:${AWS::AccountId}:abc/*"),
        serde_json::json!("{{resolve:ssm:/api/arn}}"),
    ] {
        let p = dir.path().join("p.json");
        std::fs::write(&p, serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": resource}]}).to_string()).unwrap();
        let r = run(&[
            "-o",
            "json",
            "policy",
            p.to_str().unwrap(),
            "--principal",
            "arn:aws:iam::1:root",
            "--resource",
            "arn:aws:execute-api:us-east-1:111122223333:abc/prod/GET/x",
        ]);
        let j = r.one_json();
        assert_eq!(j["result"]["decision"], "uncertain", "{resource}: {j}");
        assert!(
            codes_of(&j).contains("policy.condition-not-evaluated"),
            "{j}"
        );
    }
    // IAM's own policy variables are not CloudFormation's: ${aws:SourceVpce} stays evaluable.
    for (placeholder, resource) in [
        ("vpceID", "arn:aws:execute-api:us-east-1:111122223333:abc/*"),
        (
            "ACCOUNT_ID",
            "arn:aws:execute-api:us-east-1:ACCOUNT_ID:abc/*",
        ),
        ("REGION", "arn:aws:execute-api:REGION:111122223333:abc/*"),
        (
            "{vpce-id}",
            "arn:aws:execute-api:us-east-1:111122223333:abc/*",
        ),
    ] {
        let p = dir.path().join("p.json");
        let vpce = if placeholder.contains("vpce") {
            placeholder
        } else {
            "vpce-0a1b2c3d"
        };
        std::fs::write(&p, serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": resource,
             "Condition": {"StringNotEquals": {"aws:SourceVpce": vpce}}}]}).to_string()).unwrap();
        let j = run(&["-o", "json", "policy", p.to_str().unwrap()]).one_json();
        let f = j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "policy.placeholder-left");
        assert_eq!(
            f.map(|f| f["evidence"]["placeholder"].clone()),
            Some(placeholder.into()),
            "{placeholder}: {j}"
        );
    }
}
