//! `lint` on documents of the shapes users really have: a SAM template with intrinsics,
//! `get-export` output with proxy methods, exports and listings without integrations,
//! `get-method` output, and templates that set the status themselves.
mod support;
use serde_json::{Value, json};
use support::*;

fn lint_json(doc: &Value, extra: &[&str]) -> (Value, i32) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.json");
    std::fs::write(&path, serde_json::to_string_pretty(doc).unwrap()).unwrap();
    let r = run(&[&["-o", "json", "lint", path.to_str().unwrap()][..], extra].concat());
    assert!(r.code < 2, "{}", r.stderr);
    (r.one_json(), r.code)
}

#[test]
fn sam_template_with_intrinsics() {
    let r = run(&["-o", "json", "lint", "examples/lint/sam-template.yaml"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = r.one_json();
    assert_eq!(j["result"]["methods"], 3);
    // The Lambda custom integration (its uri a Fn::Sub) whose only mapping is a 200 default.
    let lambda = findings_with(&j, "lint.errors-as-2xx");
    assert_eq!(lambda.len(), 2, "{j}");
    assert!(
        lambda
            .iter()
            .any(|f| f["severity"] == "error" && f["evidence"]["method"] == "[GET:/orders]")
    );
    assert!(
        lambda
            .iter()
            .any(|f| f["severity"] == "warning" && f["evidence"]["method"] == "[GET:/inventory]")
    );
    assert_eq!(lambda[0]["evidence"]["line"], 30);
    // {stageVariables.x} without the $.
    let typo = findings_with(&j, "lint.stage-variable-typo");
    assert_eq!(typo.len(), 1);
    assert_eq!(typo[0]["evidence"]["method"], "[GET:/inventory]");
    // The VPC link given as {"Ref": ...}: listed as unresolved.
    let links = j["result"]["vpc_links"].as_array().unwrap();
    assert_eq!(links[0]["resolved"], false);
    assert_eq!(links[0]["id"], "{\"Ref\":\"OrdersVpcLink\"}");
    // ... and "may use it" for any link id: never "nothing here holds the link".
    let r = run(&[
        "-o",
        "json",
        "lint",
        "examples/lint/sam-template.yaml",
        "--vpc-link",
        "vl7x9k2",
    ]);
    let j = r.one_json();
    let users = j["result"]["vpc_link"]["users"].as_array().unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["certain"], false);
    // The one shape of a VPC link user: unknown fields null.
    for key in [
        "api_id",
        "method",
        "path",
        "resource_id",
        "stage",
        "certainty",
    ] {
        assert!(users[0].get(key).is_some(), "{key} missing: {}", users[0]);
    }
    assert_eq!(users[0]["certainty"], "may");
    assert_eq!(users[0]["path"], "/orders");
    assert_eq!(users[0]["stage"], Value::Null);
    assert_eq!(
        findings_with(&j, "lint.vpc-link-unresolved-reference").len(),
        1
    );
    assert_eq!(
        r.code, 1,
        "no all-clear while a reference may name the link"
    );
}

#[test]
fn unresolved_link_ids_of_every_kind_may_use_the_link() {
    for conn in [
        json!({"Ref": "VpcLink"}),
        json!({"Fn::GetAtt": ["VpcLink", "Id"]}),
        json!({"Fn::ImportValue": "shared-vpc-link"}),
        json!({"Fn::Sub": "${VpcLinkId}"}),
        json!("${stageVariables.vpcLinkId}"),
        json!("<vpc-link-id>"),
    ] {
        let doc = json!({"openapi": "3.0.1", "paths": {"/a": {"get": {
            "x-amazon-apigateway-integration": {"type": "http_proxy", "uri": "http://nlb.internal/a",
                "connectionType": "VPC_LINK", "connectionId": conn}}}}});
        let (j, code) = lint_json(&doc, &["--vpc-link", "abc123"]);
        // A warning, and no all-clear: "can I delete it?" is not answered yes.
        assert_eq!(code, 1, "{conn}");
        let stage_variable = conn.as_str().is_some_and(|c| c.contains("stageVariables"));
        let code = if stage_variable {
            "lint.vpc-link-may-be-in-use"
        } else {
            "lint.vpc-link-unresolved-reference"
        };
        let hits = findings_with(&j, code);
        assert_eq!(hits.len(), 1, "{conn}: {j}");
        assert_eq!(hits[0]["severity"], "warning");
        // The fix talks about what the finding is about.
        let fix = hits[0]["fix"].as_str().unwrap();
        assert_eq!(fix.contains("stage variable"), stage_variable, "{fix}");
    }
}

#[test]
fn get_export_proxy_methods_are_not_noise() {
    // What get-export writes on every proxy method: a bare default 200.
    let doc = json!({"openapi": "3.0.1", "paths": {"/{proxy+}": {"x-amazon-apigateway-any-method": {
        "parameters": [{"name": "proxy", "in": "path", "required": true, "schema": {"type": "string"}}],
        "x-amazon-apigateway-integration": {"httpMethod": "POST", "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:111122223333:function:api/invocations",
            "responses": {"default": {"statusCode": "200"}}, "passthroughBehavior": "when_no_match",
            "contentHandling": "CONVERT_TO_TEXT", "type": "aws_proxy"}}}}});
    let (j, code) = lint_json(&doc, &[]);
    assert_eq!(code, 0);
    assert!(j["findings"].as_array().unwrap().is_empty(), "{j}");
    // A real setting on a proxy method is still reported.
    let mut doc = doc;
    doc["paths"]["/{proxy+}"]["x-amazon-apigateway-any-method"]["x-amazon-apigateway-integration"]
        ["responses"]["4\\d{2}"] = json!({"statusCode": "400"});
    let (j, _) = lint_json(&doc, &[]);
    assert_eq!(findings_with(&j, "lint.template-on-proxy").len(), 1, "{j}");
}

#[test]
fn documents_without_integrations_say_what_to_fetch() {
    let export = json!({"openapi": "3.0.1", "info": {"title": "t", "version": "1"},
        "paths": {"/pets": {"get": {"responses": {"200": {"description": "OK"}}}}}});
    let (j, code) = lint_json(&export, &[]);
    assert_eq!(code, 1, "not a quiet all-clear");
    let f = &findings_with(&j, "lint.no-integrations")[0];
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("extensions='integrations'"),
        "{f}"
    );
    let resources = json!({"items": [{"id": "abc123", "path": "/", "resourceMethods": {"GET": {}}},
        {"id": "def456", "parentId": "abc123", "pathPart": "pets", "path": "/pets"}]});
    let (j, code) = lint_json(&resources, &["--vpc-link", "vl1"]);
    assert_eq!(code, 1);
    let f = &findings_with(&j, "lint.no-integrations")[0];
    assert!(
        f["message"].as_str().unwrap().contains("--embed methods"),
        "{f}"
    );
}

#[test]
fn get_method_output_is_a_one_method_lint() {
    let method = json!({"httpMethod": "GET", "authorizationType": "NONE", "apiKeyRequired": false,
        "methodResponses": {"200": {"statusCode": "200"}},
        "methodIntegration": {"type": "AWS", "httpMethod": "POST",
            "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:111122223333:function:f/invocations",
            "passthroughBehavior": "WHEN_NO_MATCH", "timeoutInMillis": 29000, "cacheNamespace": "abc123",
            "integrationResponses": {"200": {"statusCode": "200", "responseTemplates": {"application/json": null}}}}});
    let (j, code) = lint_json(&method, &[]);
    assert_eq!(code, 1);
    assert_eq!(j["result"]["methods"], 1);
    assert_eq!(
        findings_with(&j, "lint.errors-as-2xx")[0]["severity"],
        "error"
    );
}

#[test]
fn templates_that_set_the_status_are_relied_on() {
    // The seed's other design: a 200 default whose template sets the status.
    let doc = json!({"openapi": "3.0.1", "paths": {"/pets": {"get": {
        "responses": {"200": {"description": "OK"}},
        "x-amazon-apigateway-integration": {"type": "aws", "httpMethod": "POST",
            "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:111122223333:function:f/invocations",
            "responses": {"default": {"statusCode": "200", "responseTemplates": {"application/json":
                "#set($inputRoot = $input.path('$'))\n#if($inputRoot.toString().contains(\"customerror\"))\n#set($context.responseOverride.status = 400)\n#end\n$input.json('$')"}}}}}}}});
    let (j, code) = lint_json(&doc, &[]);
    assert_eq!(code, 0, "{j}");
    assert!(findings_with(&j, "lint.errors-as-2xx").is_empty());
    assert_eq!(
        findings_with(&j, "lint.error-status-from-template").len(),
        1
    );
    // An override to an undeclared status works on AWS: an info, not an error.
    let undeclared = findings_with(&j, "lint.override-status-undeclared");
    assert_eq!(undeclared.len(), 1);
    assert_eq!(undeclared[0]["severity"], "info");
    assert!(
        undeclared[0]["message"]
            .as_str()
            .unwrap()
            .contains("works without one")
    );
}

#[test]
fn refusals_never_suggest_the_command_just_run() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("rest-api.json");
    std::fs::write(
        &p,
        r#"{"id": "abc123", "name": "orders", "createdDate": "2026-01-01T00:00:00+00:00"}"#,
    )
    .unwrap();
    for cmd in ["lint", "policy"] {
        let r = run(&[cmd, p.to_str().unwrap()]);
        assert_eq!(r.code, 2);
        assert!(
            !r.stderr.contains(&format!("apigw-doctor {cmd}`")),
            "{cmd}: {}",
            r.stderr
        );
    }
    let r = run(&["lint", "examples/policy/seed-cross-account.json"]);
    assert!(
        r.stderr.contains("use `apigw-doctor policy`"),
        "{}",
        r.stderr
    );
}

/// The error text users paste, in the formats API Gateway writes, mapped to paths with
/// get-resources output.
#[test]
fn vpc_link_error_text_in_every_format() {
    let full = "An error occurred (BadRequestException) when calling the DeleteVpcLink operation: Cannot delete vpc link. Vpc link 'vl7x9k2', is referenced in [a1b2c3d4e5:GET:a9b8c7:prod, a1b2c3d4e5:GET:a9b8c7:dev] in format of [RESTApiId:Method:Resource:Stage].";
    let r = run(&[
        "-o",
        "json",
        "lint",
        "examples/lint/get-resources.json",
        "--vpc-link-error",
        full,
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = r.one_json();
    let users = j["result"]["vpc_link_error"]["users"].as_array().unwrap();
    assert_eq!(users.len(), 2);
    assert_eq!(
        users[0],
        json!({"api_id": "a1b2c3d4e5", "method": "GET", "path": "/pets", "resource_id": "a9b8c7", "stage": "prod", "certainty": "definite"})
    );
    assert_eq!(j["result"]["vpc_link_error"]["link_id"], "vl7x9k2");
    let messages: Vec<&str> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(messages[1].contains("redeploy that stage (aws apigateway create-deployment --rest-api-id a1b2c3d4e5 --stage-name dev)"), "{messages:?}");
    // Three fields, from a file, no EXPORT: no paths, and the note says how to get them.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("error.txt");
    std::fs::write(&file, "Cannot delete vpc link. Vpc link 'x1', is referenced in [ANY:kx106x:dev] in format of [Method:Resource:Stage].\n").unwrap();
    let at = format!("@{}", file.display());
    let j = run(&["-o", "json", "lint", "--vpc-link-error", &at]).one_json();
    let u = &j["result"]["vpc_link_error"]["users"][0];
    assert_eq!(u["method"], "ANY");
    assert_eq!(u["resource_id"], "kx106x");
    assert_eq!(u["stage"], "dev");
    assert_eq!(u["path"], Value::Null);
    assert!(
        j["result"]["note"]
            .as_str()
            .unwrap()
            .contains("get-resources")
    );
    // The seed's [Method:Resource].
    let j = run(&[
        "-o",
        "json",
        "lint",
        "--vpc-link-error",
        "Vpc link 'v', is referenced in [GET:abc, DELETE:def] in format of [Method:Resource].",
    ])
    .one_json();
    assert_eq!(
        j["result"]["vpc_link_error"]["users"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Not the error text: a usage error naming what is missing.
    let r = run(&["lint", "--vpc-link-error", "Cannot delete vpc link"]);
    assert_usage_error(&r, "in format of");
}

/// One SARIF log for runs with many reports, and a region on every result from a file.
#[test]
fn sarif_is_one_log_with_a_region_on_every_result() {
    let r = run(&[
        "-o",
        "sarif",
        "lambda",
        "--lines",
        "examples/lambda/outputs.jsonl",
    ]);
    assert_eq!(r.stdout.lines().count(), 1, "one log");
    let log: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(log["runs"].as_array().unwrap().len(), 1);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() > 1);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for res in results {
        let i = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], res["ruleId"]);
    }
    // lint: every result carries a line, selection.no-default and backslash keys included.
    let doc = json!({"openapi": "3.0.1", "paths": {"/a": {"get": {
        "responses": {"200": {"description": "OK"}, "400": {"description": "bad"}},
        "x-amazon-apigateway-integration": {"type": "http", "uri": "https://b.example.com/a",
            "responses": {"4\\d{2}": {"statusCode": "400"}, "4\\d{2}|40\\d": {"statusCode": "400"}}}}}}});
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.json");
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let r = run(&["-o", "sarif", "lint", path.to_str().unwrap()]);
    let log: Value = serde_json::from_str(&r.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "selection.no-default"),
        "{log}"
    );
    for res in results {
        let line = &res["locations"][0]["physicalLocation"]["region"]["startLine"];
        assert!(line.as_u64().is_some_and(|l| l > 1), "{res}");
    }
    assert_eq!(log["runs"][0]["properties"]["reports"], 1);
    assert!(log["runs"][0]["properties"]["result"]["methods"].is_number());
}

/// An HTTP API export (apigatewayv2 export-api) is linted as an HTTP API.
#[test]
fn http_api_definitions_are_linted_as_http_apis() {
    let r = run(&["-o", "json", "lint", "examples/lint/http-api-export.json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = r.one_json();
    assert_eq!(j["result"]["api"], "http");
    assert_eq!(j["result"]["methods"], 3);
    let payload = findings_with(&j, "lint.http-payload-version");
    assert_eq!(payload.len(), 1, "only POST /orders lacks it: {j}");
    assert!(
        payload[0]["evidence"]["location"]
            .as_str()
            .unwrap()
            .contains("'/orders'].post")
    );
    let mapping = findings_with(&j, "lint.http-response-mapping-invalid");
    let mapped: Vec<&str> = mapping
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(mapping.len(), 2, "{mapped:?}");
    assert!(
        mapped
            .iter()
            .any(|m| m.contains("Content-Length is a reserved header"))
    );
    assert!(mapped.iter().any(|m| m.contains("\"5xx\"")));
    assert_eq!(findings_with(&j, "lint.http-api-policy").len(), 1);
    // The same shapes in a REST export stay REST.
    let r = run(&["-o", "json", "lint", "examples/lint/orders-export.yaml"]);
    assert_eq!(r.one_json()["result"]["api"], "rest");
}

#[test]
fn get_integration_output_is_a_one_integration_lint() {
    // `aws apigateway get-integration` prints the Integration itself.
    let r = run(&[
        "-o",
        "json",
        "lint",
        "examples/selection/get-integration-lambda.json",
    ]);
    assert!(r.code < 2, "{}", r.stderr);
    let j = r.one_json();
    assert_eq!(j["result"]["methods"], 1);
    assert_eq!(j["result"]["integrations"], 1);
    assert!(!codes_of(&j).contains("lint.no-integrations"), "{j}");
}
