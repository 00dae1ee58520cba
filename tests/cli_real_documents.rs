//! Real documents, round 3: what users really have, where a problem is in plain sight
//! (settings API Gateway ignores, missing method responses, "may use" VPC link holders,
//! error-shaped Lambda outputs) and where the tool used to warn about nothing. Each test
//! names the public document whose shape it reproduces.
mod support;
use serde_json::json;
use support::*;

fn write_doc(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
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

/// The template engine on what DynamoDB integrations and empty requests really give: an
/// empty body reads as `{}`, a path whose key differs in case is named with its near miss,
/// and `requestOverride`'s keys come in AWS's order.
#[test]
fn templates_on_empty_bodies_and_near_miss_paths() {
    let dir = tempfile::tempdir().unwrap();
    let t = write_doc(
        dir.path(),
        "t.vtl",
        "$input.body|$input.json('$')|$context.requestOverride.keySet()",
    );
    let empty = write_doc(dir.path(), "empty.json", "");
    let j = run(&["-o", "json", "template", &t, "--body", &empty]).one_json();
    assert_eq!(
        j["result"]["output"], "{}|{}|[path, header, querystring]",
        "{j}"
    );
    // The shape of a DynamoDB Query response (Count, Items, ScannedCount) read as "items".
    let t = write_doc(dir.path(), "q.vtl", "{\"orders\": $input.json('$.items')}");
    let body = write_doc(
        dir.path(),
        "query.json",
        r#"{"Count": 1, "Items": [{"pk": {"S": "order#1"}}], "ScannedCount": 1}"#,
    );
    let r = run(&["-o", "json", "template", &t, "--body", &body]);
    let j = r.one_json();
    let miss = findings_with(&j, "template.path-not-found");
    assert_eq!(miss.len(), 1, "{j}");
    assert_eq!(miss[0]["evidence"]["nearest"], "Items");
    assert!(
        miss[0]["message"]
            .as_str()
            .unwrap()
            .contains("differs only in case")
    );
    assert_eq!(r.code, 0, "an info finding");
}

/// Response templates as they are written in real exports: a commented-out override does not
/// count, and an override set in exclusive branches (one of them answered 400 on AWS) is
/// not "set twice".
#[test]
fn comments_and_exclusive_branches_count_as_they_run() {
    let integration = |template: &str| {
        json!({"type": "AWS", "httpMethod": "POST",
            "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:orders/invocations",
            "integrationResponses": {"200": {"statusCode": "200",
                "responseTemplates": {"application/json": template}}}})
    };
    let dir = tempfile::tempdir().unwrap();
    let commented = write_doc(
        dir.path(),
        "commented.json",
        &integration("#set($inputRoot = $input.path('$'))\n## #set($context.responseOverride.status = 500)\n$input.json('$')").to_string(),
    );
    let j = run(&["-o", "json", "lint", &commented]).one_json();
    assert_eq!(findings_with(&j, "lint.errors-as-2xx").len(), 1, "{j}");
    let branches = "#set($inputRoot = $input.path('$'))\n#if($inputRoot.toString().contains(\"error\"))\n#set($context.responseOverride.status = 400)\n#elseif($inputRoot.toString().contains(\"missing\"))\n#set($context.responseOverride.status = 404)\n#else\n#set($context.responseOverride.status = 200)\n#end\n$input.json('$')";
    let t = write_doc(dir.path(), "branches.vtl", branches);
    let body = write_doc(dir.path(), "b.json", r#"{"error": "bad input"}"#);
    let j = run(&["-o", "json", "template", &t, "--body", &body]).one_json();
    assert!(
        findings_with(&j, "template.override-twice").is_empty(),
        "{j}"
    );
    assert_eq!(j["result"]["overrides"]["status"], 400);
    // Two sets that can both run are still flagged.
    let both = write_doc(
        dir.path(),
        "both.vtl",
        "#set($context.responseOverride.status = 400)\n#if($x)\n#set($context.responseOverride.status = 500)\n#end",
    );
    let j = run(&["-o", "json", "template", &both]).one_json();
    assert_eq!(findings_with(&j, "template.override-twice").len(), 1, "{j}");
}

/// An HTTP API definition in YAML (as `aws apigatewayv2 export-api --output-type YAML`
/// writes it, with payloadFormatVersion a number once a person edits it), a Smithy REST
/// definition that writes payloadFormatVersion "1.0", and a preflight mock whose
/// passthrough setting would refuse bodies.
#[test]
fn api_kind_payload_versions_and_preflight_mocks() {
    let dir = tempfile::tempdir().unwrap();
    let http = write_doc(
        dir.path(),
        "http.yaml",
        r#"openapi: "3.0.1"
info:
  title: "orders-http"
  version: "2026-01-05 10:00:00UTC"
paths:
  /orders:
    get:
      x-amazon-apigateway-integration:
        payloadFormatVersion: 2.0
        type: "aws_proxy"
        httpMethod: "POST"
        uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:orders/invocations"
        connectionType: "INTERNET"
x-amazon-apigateway-importexport-version: "1.0"
"#,
    );
    let j = run(&["-o", "json", "lint", &http]).one_json();
    assert_eq!(j["result"]["api"], "http");
    assert!(
        findings_with(&j, "lint.http-payload-version").is_empty(),
        "{j}"
    );
    // Smithy's REST conversion with payloadFormatVersion and integration responses.
    let rest = json!({"openapi": "3.0.2", "info": {"title": "MyService", "version": "2006-03-01"},
        "paths": {"/payload": {"get": {"operationId": "GetPayload",
            "responses": {"200": {"description": "GetPayload 200 response"}},
            "x-amazon-apigateway-integration": {"type": "aws_proxy", "payloadFormatVersion": "1.0",
                "uri": "arn:aws:apigateway:us-west-2:lambda:path/2015-03-31/functions/arn:aws:lambda:us-west-2:123456789012:function:GetPayload/invocations",
                "httpMethod": "POST",
                "responses": {"default": {"statusCode": "200", "responseParameters": {
                    "method.response.header.Access-Control-Allow-Origin": "'https://www.example.com'"}}}}},
            "options": {"operationId": "CorsPayload", "security": [],
                "responses": {"200": {"description": "Canned response for CORS-preflight requests"}},
                "x-amazon-apigateway-integration": {"type": "mock", "passthroughBehavior": "never",
                    "requestTemplates": {"application/json": "{\"statusCode\":200}"},
                    "responses": {"default": {"statusCode": "200"}}}}}}});
    let path = write_doc(dir.path(), "rest.json", &rest.to_string());
    let j = run(&["-o", "json", "lint", &path]).one_json();
    assert_eq!(j["result"]["api"], "rest", "{j}");
    let evidence = j["result"]["api_evidence"].to_string();
    assert!(evidence.contains("method.response.header"), "{evidence}");
    assert!(
        findings_with(&j, "template.no-template-415").is_empty(),
        "{j}"
    );
    let r = run(&["lint", &path]);
    assert!(
        r.stdout.contains("linted as a REST API because of"),
        "{}",
        r.stdout
    );
}

/// `aws apigateway get-integration-response` output is an integration response, not a
/// Lambda proxy response.
#[test]
fn get_integration_response_output_is_linted() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_doc(
        dir.path(),
        "gir.json",
        r#"{
    "statusCode": "400",
    "selectionPattern": ".*[BadRequest].*",
    "responseParameters": {"method.response.header.Access-Control-Allow-Origin": "'*'"},
    "responseTemplates": {"application/json": "{\"message\": $input.json('$.errorMessage')}"}
}"#,
    );
    let r = run(&["-o", "json", "lint", &path]);
    assert!(r.code < 2, "{}", r.stderr);
    let j = r.one_json();
    assert_eq!(j["result"]["methods"], 1, "{j}");
    // One response alone, an error pattern with no default beside it: lint says what it can.
    assert_eq!(findings_with(&j, "selection.no-default").len(), 1, "{j}");
    // Other commands name it for what it is.
    let r = run(&["policy", &path]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("get-integration-response"),
        "{}",
        r.stderr
    );
}

/// SAM and CloudFormation as users write them: an HttpApi with a DefinitionBody (linted as
/// an HTTP API), a DefinitionBody under Fn::If (both branches), a mock response template in
/// a YAML single-quoted string with `\"` (not JSON), selection taking a method from the
/// template; and the CDK resource form refused with a message that says what it holds.
#[test]
fn sam_and_cloudformation_templates() {
    let dir = tempfile::tempdir().unwrap();
    let sam = write_doc(
        dir.path(),
        "template.yaml",
        r#"AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Parameters:
  Stage:
    Type: String
    Default: dev
Resources:
  HttpApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        openapi: '3.0.1'
        info: {title: orders-http, version: '1.0'}
        paths:
          /orders:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Orders.Arn}/invocations
                payloadFormatVersion: '3.0'
  RestApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: !Ref Stage
      DefinitionBody:
        Fn::If:
          - IsProd
          - openapi: '3.0.1'
            info: {title: prod, version: '1.0'}
            paths:
              /health:
                get:
                  responses:
                    '200': {description: ok}
                  x-amazon-apigateway-integration:
                    type: mock
                    requestTemplates:
                      application/json: '{"statusCode": 200}'
                    responses:
                      default:
                        statusCode: '200'
                        responseTemplates:
                          application/json: '{\"status\": \"ok\"}'
          - openapi: '3.0.1'
            info: {title: dev, version: '1.0'}
            paths:
              /debug:
                get:
                  responses:
                    '200': {description: ok}
                  x-amazon-apigateway-integration:
                    type: http
                    httpMethod: GET
                    uri: http://debug.example.com/
                    responses:
                      default: {statusCode: '200'}
"#,
    );
    let r = run(&["-o", "json", "lint", &sam]);
    assert!(r.code < 2, "{}", r.stderr);
    let j = r.one_json();
    assert_eq!(j["result"]["methods"], 3, "{j}");
    // The HttpApi's body is linted as an HTTP API: its payload version is checked.
    let version = findings_with(&j, "lint.http-payload-version");
    assert_eq!(version.len(), 1, "{j}");
    assert!(
        version[0]["evidence"]["location"]
            .as_str()
            .unwrap()
            .starts_with("$.Resources.HttpApi.Properties.DefinitionBody.paths")
    );
    // Both Fn::If branches: the mock's single-quoted template, the dev branch's plain http.
    let not_json = findings_with(&j, "template.output-not-json");
    assert_eq!(not_json.len(), 1, "{j}");
    assert!(
        not_json[0]["message"]
            .as_str()
            .unwrap()
            .contains("single-quoted")
    );
    assert_eq!(
        findings_with(&j, "lint.plain-http-integration").len(),
        1,
        "{j}"
    );
    // selection takes a method from the template.
    let r = run(&[
        "-o",
        "json",
        "selection",
        "--export",
        &sam,
        "--method",
        "GET",
        "--path",
        "/health",
        "--status",
        "200",
    ]);
    let j = r.one_json();
    assert_eq!(j["result"]["client_status"], 200, "{j}");
    assert_eq!(j["result"]["client_body"], "{\\\"status\\\": \\\"ok\\\"}");
    // template takes the method's response template from the template too.
    let r = run(&[
        "-o",
        "json",
        "template",
        "--export",
        &sam,
        "--method",
        "GET",
        "--resource",
        "/health",
    ]);
    let j = r.one_json();
    assert_eq!(j["result"]["output"], "{\\\"status\\\": \\\"ok\\\"}", "{j}");
    assert_eq!(
        findings_with(&j, "template.output-not-json").len(),
        1,
        "{j}"
    );
    assert!(j["target"].as_str().unwrap().contains("GET /health"));
    let r = run(&[
        "template",
        "--export",
        &sam,
        "--method",
        "GET",
        "--resource",
        "/health",
        "--phase",
        "request",
        "--content-type",
        "text/plain",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("application/json"), "{}", r.stderr);
    // CDK synth's resource form: read into a definition (tests/cli_iac.rs has more).
    let cdk = json!({"Resources": {
        "OrdersApi1A2B3C4D": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "orders"}},
        "OrdersApiorders5E6F7A8B": {"Type": "AWS::ApiGateway::Resource", "Properties": {
            "ParentId": {"Fn::GetAtt": ["OrdersApi1A2B3C4D", "RootResourceId"]}, "PathPart": "orders",
            "RestApiId": {"Ref": "OrdersApi1A2B3C4D"}}},
        "OrdersApiordersGET9C0D1E2F": {"Type": "AWS::ApiGateway::Method", "Properties": {
            "HttpMethod": "GET", "ResourceId": {"Ref": "OrdersApiorders5E6F7A8B"},
            "RestApiId": {"Ref": "OrdersApi1A2B3C4D"}, "AuthorizationType": "NONE",
            "Integration": {"Type": "AWS", "IntegrationHttpMethod": "POST",
                "IntegrationResponses": [{"StatusCode": "200"}]}}}}});
    let path = write_doc(dir.path(), "cdk.template.json", &cdk.to_string());
    let r = run(&["-o", "json", "lint", &path]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = r.one_json();
    assert_eq!(j["result"]["methods"], 1, "{j}");
    let missing = findings_with(&j, "lint.response-without-method-response");
    assert_eq!(
        missing[0]["evidence"]["location"],
        "$.Resources.OrdersApiordersGET9C0D1E2F.Properties.Integration.IntegrationResponses[0]"
    );
    assert_eq!(findings_with(&j, "source.read").len(), 1);
}

/// `aws cloudfront get-distribution-config` for the common "single-page app and API in one
/// distribution" setup: the SPA's CustomErrorResponses (403/404 -> /index.html with 200),
/// an API behavior without AllowedMethods, and Host forwarded to an API custom domain the
/// user gave no mappings for. Every check the configuration decides runs without
/// --mappings, the ones that need them are named, and the verdict comes first.
#[test]
fn cloudfront_spa_and_api_in_one_distribution() {
    let origin = |id: &str, domain: &str| {
        json!({"Id": id, "DomainName": domain, "OriginPath": "",
            "CustomHeaders": {"Quantity": 0},
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only",
                "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]},
                "OriginReadTimeout": 30, "OriginKeepaliveTimeout": 5},
            "ConnectionAttempts": 3, "ConnectionTimeout": 10, "OriginShield": {"Enabled": false},
            "OriginAccessControlId": ""})
    };
    let config = json!({"ETag": "E2QWRUHEXAMPLE", "DistributionConfig": {
        "CallerReference": "spa-and-api-2025", "Aliases": {"Quantity": 1, "Items": ["app.example.com"]},
        "DefaultRootObject": "index.html",
        "Origins": {"Quantity": 2, "Items": [
            {"Id": "spa-bucket", "DomainName": "app-example-spa.s3.us-east-1.amazonaws.com", "OriginPath": "",
             "CustomHeaders": {"Quantity": 0}, "S3OriginConfig": {"OriginAccessIdentity": ""},
             "ConnectionAttempts": 3, "ConnectionTimeout": 10, "OriginShield": {"Enabled": false},
             "OriginAccessControlId": "E3OACEXAMPLE"},
            origin("api", "api-origin.example.com")]},
        "DefaultCacheBehavior": {"TargetOriginId": "spa-bucket", "ViewerProtocolPolicy": "redirect-to-https",
            "AllowedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"],
                "CachedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"]}},
            "Compress": true, "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
        "CacheBehaviors": {"Quantity": 1, "Items": [
            {"PathPattern": "/api/*", "TargetOriginId": "api", "ViewerProtocolPolicy": "https-only",
             "Compress": true,
             "ForwardedValues": {"QueryString": true, "Cookies": {"Forward": "none"},
                "Headers": {"Quantity": 2, "Items": ["Authorization", "Host"]},
                "QueryStringCacheKeys": {"Quantity": 0}},
             "MinTTL": 0, "DefaultTTL": 0, "MaxTTL": 0}]},
        "CustomErrorResponses": {"Quantity": 2, "Items": [
            {"ErrorCode": 403, "ResponsePagePath": "/index.html", "ResponseCode": "200", "ErrorCachingMinTTL": 10},
            {"ErrorCode": 404, "ResponsePagePath": "/index.html", "ResponseCode": "200", "ErrorCachingMinTTL": 10}]},
        "Comment": "app and api", "PriceClass": "PriceClass_100", "Enabled": true,
        "ViewerCertificate": {"ACMCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abcd", "SSLSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"},
        "HttpVersion": "http2", "IsIPV6Enabled": true}});
    let dir = tempfile::tempdir().unwrap();
    let path = write_doc(dir.path(), "config.json", &config.to_string());
    let r = run(&["-o", "json", "cloudfront", &path]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let j = r.one_json();
    let pages = findings_with(&j, "cloudfront.error-pages-hide-api-errors");
    assert_eq!(pages.len(), 1, "{j}");
    assert!(
        pages[0]["message"]
            .as_str()
            .unwrap()
            .contains("200 with the error page")
    );
    let methods = findings_with(&j, "cloudfront.methods-not-allowed");
    assert_eq!(methods.len(), 1, "{j}");
    assert_eq!(methods[0]["evidence"]["behavior"], "/api/*");
    let host = findings_with(&j, "cloudfront.host-header-forwarded");
    assert_eq!(host.len(), 1, "{j}");
    assert_eq!(host[0]["evidence"]["certain"], false);
    assert_eq!(host[0]["severity"], "error");
    assert_eq!(j["result"]["needs_mappings"].as_array().unwrap().len(), 1);
    // The SPA's own behavior (an S3 origin) is left alone.
    assert!(
        methods
            .iter()
            .all(|f| f["evidence"]["behavior"] != "default")
    );
    let h = run(&["cloudfront", &path]);
    let first = h.stdout.lines().next().unwrap();
    assert!(first.contains("problem(s)"), "{first}");
    assert!(h.stdout.contains("not checked: origin api"), "{}", h.stdout);
}
