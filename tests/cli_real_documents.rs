//! Real documents, round 3: what users really have, where a problem is in plain sight
//! (settings API Gateway ignores, missing method responses, "may use" VPC link holders,
//! error-shaped Lambda outputs) and where the tool used to warn about nothing. Each test
//! names the public document whose shape it reproduces.
mod support;
use serde_json::{Value, json};
use support::*;

fn write_doc(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn findings_with<'a>(j: &'a Value, code: &str) -> Vec<&'a Value> {
    j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}

/// The shape of Smithy's CORS conversion (smithy-lang/smithy,
/// smithy-aws-apigateway-openapi/src/test/resources/.../cors-model.openapi.json): every
/// aws_proxy operation carries a `default` integration response mapping CORS headers, which
/// API Gateway ignores for proxy integrations; the OPTIONS mocks are fine.
#[test]
fn cors_headers_mapped_on_proxy_integrations_are_flagged() {
    let proxy = |function: &str| {
        json!({
            "type": "aws_proxy",
            "uri": format!("arn:aws:apigateway:us-west-2:lambda:path/2015-03-31/functions/arn:aws:lambda:us-west-2:123456789012:function:{function}/invocations"),
            "httpMethod": "POST",
            "credentials": "arn:aws:iam::123456789012:role/MyServiceLambdaRole",
            "responses": {"default": {"statusCode": "200", "responseParameters": {
                "method.response.header.Access-Control-Expose-Headers": "'X-Service-Output-Metadata'",
                "method.response.header.Access-Control-Allow-Origin": "'https://www.example.com'"}}}
        })
    };
    let preflight = json!({
        "description": "Handles CORS-preflight requests",
        "operationId": "CorsPayload",
        "responses": {"200": {"description": "Canned response for CORS-preflight requests",
            "headers": {"Access-Control-Allow-Origin": {"schema": {"type": "string"}}}}},
        "security": [],
        "x-amazon-apigateway-integration": {
            "passThroughBehavior": "when_no_match",
            "requestTemplates": {"application/json": "{\"statusCode\":200}"},
            "responses": {"default": {"statusCode": "200", "responseParameters": {
                "method.response.header.Access-Control-Allow-Origin": "'https://www.example.com'",
                "method.response.header.Access-Control-Allow-Methods": "'GET'"}}},
            "type": "mock"
        }
    });
    let doc = json!({
        "openapi": "3.0.2",
        "info": {"title": "MyService", "version": "2006-03-01"},
        "paths": {"/payload": {
            "get": {"operationId": "ListPayloads",
                "responses": {"200": {"description": "ListPayloads 200 response"}},
                "x-amazon-apigateway-integration": proxy("MyServiceListPayloads")},
            "options": preflight,
        }, "/payload/{id}": {
            "delete": {"operationId": "DeletePayload",
                "responses": {"204": {"description": "DeletePayload response"}},
                "x-amazon-apigateway-integration": proxy("MyServiceDeletePayload")}
        }}
    });
    let dir = tempfile::tempdir().unwrap();
    let path = write_doc(dir.path(), "smithy.json", &doc.to_string());
    let r = run(&["-o", "json", "lint", &path]);
    let j = r.one_json();
    let ignored = findings_with(&j, "lint.template-on-proxy");
    assert_eq!(ignored.len(), 2, "{j}");
    assert!(ignored.iter().all(|f| {
        f["message"]
            .as_str()
            .unwrap()
            .contains("Access-Control-Allow-Origin")
    }));
    // Nothing about the preflight mocks: no 415, no missing method response.
    for code in [
        "template.no-template-415",
        "lint.response-without-method-response",
    ] {
        assert!(findings_with(&j, code).is_empty(), "{code}: {j}");
    }
    assert_eq!(r.code, 0, "warnings only: {j}");
}

/// A CORS preflight mock written without `responses` (the shape of
/// xsalazar/terraform-aws-docker-deploy, terraform/templates/api-gateway.yaml.tpl, with the
/// operation's `responses` left out as users do): the method has no method responses, so
/// the mock's 200 integration response fails with 500 on AWS. lint and selection agree.
#[test]
fn an_operation_without_responses_answers_500_everywhere() {
    let yaml = r#"openapi: "3.0.1"
info:
  title: "docker-deploy"
  version: "2020-07-16T23:05:50Z"
paths:
  /{proxy+}:
    options:
      x-amazon-apigateway-integration:
        responses:
          default:
            statusCode: "200"
            responseParameters:
              method.response.header.Access-Control-Allow-Methods: "'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT'"
              method.response.header.Access-Control-Allow-Origin: "'https://example.com'"
        requestTemplates:
          application/json: "{\"statusCode\": 200}"
        passthroughBehavior: "when_no_match"
        type: "mock"
    x-amazon-apigateway-any-method:
      parameters:
      - name: "proxy"
        in: "path"
        required: true
        schema:
          type: "string"
      x-amazon-apigateway-integration:
        uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:app/invocations"
        passthroughBehavior: "when_no_match"
        httpMethod: "POST"
        type: "aws_proxy"
"#;
    let dir = tempfile::tempdir().unwrap();
    let path = write_doc(dir.path(), "api.yaml", yaml);
    let r = run(&["-o", "json", "lint", &path]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let j = r.one_json();
    let missing = findings_with(&j, "lint.response-without-method-response");
    assert_eq!(missing.len(), 1, "{j}");
    assert!(missing[0]["message"].as_str().unwrap().contains("500"));
    // The proxy method without responses is fine: proxies need no method responses.
    assert!(
        findings_with(&j, "lint.template-on-proxy").is_empty(),
        "{j}"
    );
    let r = run(&[
        "-o",
        "json",
        "selection",
        "--export",
        &path,
        "--method",
        "OPTIONS",
        "--path",
        "/{proxy+}",
        "--status",
        "200",
    ]);
    let j = r.one_json();
    assert_eq!(j["result"]["client_status"], 500, "{j}");
    assert_eq!(r.code, 1);
}

/// `aws apigateway get-method` output (the CLI's shape) whose integration response maps to
/// 404 while the method declares only 200: the client gets 500, in the result as in the
/// finding.
#[test]
fn get_method_without_the_selected_method_response_answers_500() {
    let method = json!({
        "httpMethod": "GET", "authorizationType": "NONE", "apiKeyRequired": false,
        "methodResponses": {"200": {"statusCode": "200"}},
        "methodIntegration": {
            "type": "HTTP", "httpMethod": "GET", "uri": "https://backend.example.com/items",
            "connectionType": "INTERNET", "passthroughBehavior": "WHEN_NO_MATCH",
            "timeoutInMillis": 29000, "cacheNamespace": "abc123", "cacheKeyParameters": [],
            "integrationResponses": {
                "200": {"statusCode": "200", "responseTemplates": {}},
                "404": {"statusCode": "404", "selectionPattern": "404", "responseTemplates": {}}
            }
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let path = write_doc(dir.path(), "get-method.json", &method.to_string());
    let body = write_doc(dir.path(), "body.json", r#"{"message": "not found"}"#);
    for args in [
        vec![
            "-o",
            "json",
            "selection",
            "--integration",
            &path,
            "--status",
            "404",
        ],
        vec![
            "-o",
            "json",
            "selection",
            "--integration",
            &path,
            "--status",
            "404",
            "--backend-body",
            &body,
        ],
    ] {
        let r = run(&args);
        let j = r.one_json();
        assert_eq!(j["result"]["client_status"], 500, "{args:?}: {j}");
        assert_eq!(r.code, 1);
        assert!(!findings_with(&j, "lint.response-without-method-response").is_empty());
    }
    let r = run(&["selection", "--integration", &path, "--status", "404"]);
    assert!(r.stdout.contains("client gets 500"), "{}", r.stdout);
}

/// What a Node.js 20 runtime writes when the handler throws (errorType, errorMessage,
/// trace), given to `selection --lambda-output` without --function-error: the same rule as
/// `lambda` (most likely thrown, errorMessage matched), with the returned case alongside.
#[test]
fn an_error_object_without_function_error_is_judged_as_lambda_judges_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = write_doc(
        dir.path(),
        "out.json",
        &json!({"errorType": "Error", "errorMessage": "Internal failure: order 42",
            "trace": ["Error: Internal failure: order 42", "    at Runtime.handler (file:///var/task/index.mjs:3:9)",
                "    at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1173:29)"]})
        .to_string(),
    );
    let r = run(&[
        "-o",
        "json",
        "selection",
        "--integration",
        "examples/selection/get-integration-lambda.json",
        "--lambda-output",
        &out,
    ]);
    let j = r.one_json();
    assert_eq!(
        j["result"]["matched_against"], "Internal failure: order 42",
        "{j}"
    );
    assert_eq!(j["result"]["client_status"], 500, "{j}");
    assert_eq!(j["result"]["alternative"]["assuming"], "returned");
    assert_eq!(j["result"]["alternative"]["client_status"], 200);
    assert_eq!(
        findings_with(&j, "selection.function-error-assumed").len(),
        1
    );
    assert_eq!(r.code, 1, "{j}");
    // `lambda` on the same file: thrown, with the same alternative wording.
    let l = run(&["-o", "json", "lambda", &out]).one_json();
    assert_eq!(l["result"]["alternative"]["assuming"], "returned");
    // Human output says both.
    let h = run(&[
        "selection",
        "--integration",
        "examples/selection/get-integration-lambda.json",
        "--lambda-output",
        &out,
    ]);
    assert!(h.stdout.contains("client gets 500"), "{}", h.stdout);
    assert!(
        h.stdout.contains("had the function returned this object"),
        "{}",
        h.stdout
    );
    // An ordinary output is a success, as before.
    let ok = write_doc(dir.path(), "ok.json", r#"{"orderId": 42}"#);
    let j = run(&[
        "-o",
        "json",
        "selection",
        "--integration",
        "examples/selection/get-integration-lambda.json",
        "--lambda-output",
        &ok,
    ])
    .one_json();
    assert_eq!(j["result"]["client_status"], 200);
    assert!(j["result"].get("alternative").is_none());
}
