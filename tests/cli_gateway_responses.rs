//! Customised gateway responses, end to end: `lint` on browser APIs whose own errors carry no
//! CORS headers, and `validate` / `authorizer --export` answering as the customised response
//! does (an export's `x-amazon-apigateway-gateway-responses`, a template's
//! `AWS::ApiGateway::GatewayResponse`).
mod support;
use serde_json::{Value, json};
use support::*;

/// A REST export as `get-export --parameters extensions=apigateway` writes one for a browser
/// API: a CORS preflight mock beside a Lambda proxy method, plus `responses`.
fn browser_api(gateway_responses: Option<Value>) -> Value {
    let mut api = json!({
        "swagger": "2.0",
        "info": {"title": "shop", "version": "2026-11-20T08:00:00Z"},
        "basePath": "/prod",
        "x-amazon-apigateway-request-validators": {"body": {"validateRequestBody": true, "validateRequestParameters": false}},
        "paths": {"/cart": {
            "post": {
                "consumes": ["application/json"],
                "parameters": [{"in": "body", "name": "Cart", "required": true, "schema": {"$ref": "#/definitions/Cart"}}],
                "responses": {"200": {"description": "200 response"}},
                "x-amazon-apigateway-request-validator": "body",
                "x-amazon-apigateway-integration": {"type": "aws_proxy", "httpMethod": "POST", "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:cart/invocations"}
            },
            "options": {
                "consumes": ["application/json"],
                "responses": {"200": {"description": "200 response", "headers": {"Access-Control-Allow-Origin": {"type": "string"}, "Access-Control-Allow-Methods": {"type": "string"}, "Access-Control-Allow-Headers": {"type": "string"}}}},
                "x-amazon-apigateway-integration": {
                    "type": "mock",
                    "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
                    "passthroughBehavior": "when_no_match",
                    "responses": {"default": {"statusCode": "200", "responseParameters": {
                        "method.response.header.Access-Control-Allow-Methods": "'OPTIONS,POST'",
                        "method.response.header.Access-Control-Allow-Headers": "'Content-Type,Authorization'",
                        "method.response.header.Access-Control-Allow-Origin": "'https://shop.example.com'"
                    }}}
                }
            }
        }},
        "definitions": {"Cart": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "minItems": 1}}}}
    });
    if let Some(g) = gateway_responses {
        api["x-amazon-apigateway-gateway-responses"] = g;
    }
    api
}

fn cors_responses() -> Value {
    json!({
        "DEFAULT_4XX": {"responseParameters": {"gatewayresponse.header.Access-Control-Allow-Origin": "'https://shop.example.com'"}, "responseTemplates": {"application/json": "{\"message\":$context.error.messageString}"}},
        "DEFAULT_5XX": {"responseParameters": {"gatewayresponse.header.Access-Control-Allow-Origin": "'https://shop.example.com'"}, "responseTemplates": {"application/json": "{\"message\":$context.error.messageString}"}}
    })
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn lint_flags_browser_apis_whose_own_errors_lack_cors_headers() {
    let dir = tempfile::tempdir().unwrap();
    let bare = write(&dir, "bare.json", &browser_api(None).to_string());
    let j = run(&["-o", "json", "lint", &bare]).one_json();
    assert!(
        codes_of(&j).contains("lint.gateway-responses-without-cors"),
        "{j:#}"
    );
    let f = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "lint.gateway-responses-without-cors")
        .unwrap();
    assert_eq!(f["evidence"]["missing"], "DEFAULT_4XX,DEFAULT_5XX");
    let fixed = write(
        &dir,
        "fixed.json",
        &browser_api(Some(cors_responses())).to_string(),
    );
    let j = run(&["-o", "json", "lint", &fixed]).one_json();
    assert!(!codes_of(&j).contains("lint.gateway-responses-without-cors"));
    // An API no browser calls (no preflight, no CORS headers) is not asked for them.
    let mut server = browser_api(None);
    server["paths"]["/cart"]
        .as_object_mut()
        .unwrap()
        .remove("options");
    let server = write(&dir, "server.json", &server.to_string());
    let j = run(&["-o", "json", "lint", &server]).one_json();
    assert!(!codes_of(&j).contains("lint.gateway-responses-without-cors"));
}

#[test]
fn validate_answers_as_the_customised_gateway_response() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(&dir, "empty.json", r#"{"items": []}"#);
    let api = write(
        &dir,
        "api.json",
        &browser_api(Some(cors_responses())).to_string(),
    );
    let j = run(&[
        "-o", "json", "validate", "--export", &api, "--method", "POST", "--path", "/cart",
        "--body", &empty,
    ])
    .one_json();
    assert_eq!(j["result"]["status"], 400);
    assert_eq!(j["result"]["body"], r#"{"message":"Invalid request body"}"#);
    assert_eq!(
        j["result"]["headers"][0],
        json!(["Access-Control-Allow-Origin", "https://shop.example.com"])
    );
    assert!(codes_of(&j).contains("gateway-response.customised"));
    // BAD_REQUEST_BODY showing the validation error: the body depends on API Gateway's own
    // wording of the violation, so the tool says it does not know it.
    let mut detailed = cors_responses();
    detailed["BAD_REQUEST_BODY"] = json!({"statusCode": "422", "responseTemplates": {"application/json": "{\"message\": \"$context.error.validationErrorString\"}"}});
    let api = write(
        &dir,
        "detailed.json",
        &browser_api(Some(detailed)).to_string(),
    );
    let r = run(&[
        "-o", "json", "validate", "--export", &api, "--method", "POST", "--path", "/cart",
        "--body", &empty,
    ]);
    let j = r.one_json();
    assert_eq!(j["result"]["status"], 422);
    assert!(j["result"].get("body").is_none());
    let f = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "gateway-response.customised")
        .unwrap();
    assert_eq!(f["evidence"]["certain"], false);
    assert_eq!(f["evidence"]["gateway_response"], "BAD_REQUEST_BODY");
}

/// A CloudFormation template's GatewayResponse resources shape the authorizer's answers.
#[test]
fn authorizer_answers_take_the_templates_gateway_responses() {
    let dir = tempfile::tempdir().unwrap();
    let template = r#"AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: shop}
  Unauthorized:
    Type: AWS::ApiGateway::GatewayResponse
    Properties:
      RestApiId: !Ref Api
      ResponseType: UNAUTHORIZED
      StatusCode: '401'
      ResponseParameters:
        gatewayresponse.header.Access-Control-Allow-Origin: "'*'"
        gatewayresponse.header.WWW-Authenticate: "'Bearer realm=\"shop\"'"
      ResponseTemplates:
        application/json: '{"error": "$context.error.responseType", "message": $context.error.messageString}'
  Denied:
    Type: AWS::ApiGateway::GatewayResponse
    Properties:
      RestApiId: !Ref Api
      ResponseType: ACCESS_DENIED
      StatusCode: '404'
"#;
    let t = write(&dir, "template.yaml", template);
    let j = run(&[
        "-o",
        "json",
        "authorizer",
        "--threw",
        "Unauthorized",
        "--export",
        &t,
    ])
    .one_json();
    let a = &j["result"]["answer"];
    assert_eq!(a["status"], 401);
    assert_eq!(
        a["body"],
        r#"{"error": "UNAUTHORIZED", "message": "Unauthorized"}"#
    );
    let headers = a["headers"].as_array().unwrap();
    assert!(
        headers.contains(&json!(["Access-Control-Allow-Origin", "*"])),
        "{headers:?}"
    );
    assert!(
        headers.contains(&json!(["WWW-Authenticate", "Bearer realm=\"shop\""])),
        "{headers:?}"
    );
    // Deny answered as 404 by a customised ACCESS_DENIED (hiding the resource).
    let out = write(
        &dir,
        "deny.json",
        r#"{"principalId": "u", "policyDocument": {"Version": "2012-10-17", "Statement": [{"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": "*"}]}}"#,
    );
    let j = run(&[
        "-o",
        "json",
        "authorizer",
        &out,
        "--method-arn",
        "arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/cart",
        "--export",
        &t,
    ])
    .one_json();
    assert_eq!(j["result"]["answer"]["status"], 404);
    // Without --export, the built-in answer.
    let j = run(&["-o", "json", "authorizer", "--threw", "Unauthorized"]).one_json();
    assert_eq!(
        j["result"]["answer"]["body"],
        r#"{"message":"Unauthorized"}"#
    );
}
