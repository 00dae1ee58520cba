//! `apigw-doctor validate` end to end, on definitions of the shapes API Gateway exports: Swagger
//! 2 with `x-amazon-apigateway-request-validators` (the Developer Guide's sample API with
//! validators `all` and `params-only`, and its documented test results), OpenAPI 3 with
//! `components/schemas`, and a SAM template's inline DefinitionBody.
mod support;
use serde_json::{Value, json};
use support::*;

const ORDERS: &str = "examples/validation/orders-swagger.json";

fn json_run(args: &[&str]) -> Value {
    let mut all = vec!["-o", "json", "validate"];
    all.extend_from_slice(args);
    run(&all).one_json()
}

/// The Developer Guide's sample ("Swagger Definitions of a Sample API with Basic Request
/// Validation"), reduced to what validation reads; its test page documents each answer.
fn guide_sample() -> Value {
    json!({
        "swagger": "2.0",
        "info": {"title": "ReqValidators Sample", "version": "1.0.0"},
        "basePath": "/v1",
        "x-amazon-apigateway-request-validators": {
            "all": {"validateRequestBody": true, "validateRequestParameters": true},
            "params-only": {"validateRequestBody": false, "validateRequestParameters": true}
        },
        "x-amazon-apigateway-request-validator": "params-only",
        "paths": {"/validation": {
            "post": {
                "x-amazon-apigateway-request-validator": "all",
                "parameters": [
                    {"in": "header", "name": "h1", "required": true},
                    {"in": "body", "name": "RequestBodyModel", "required": true, "schema": {"$ref": "#/definitions/RequestBodyModel"}}
                ],
                "responses": {"200": {}},
                "x-amazon-apigateway-integration": {"type": "http", "uri": "http://petstore-demo-endpoint.execute-api.com/petstore/pets", "httpMethod": "POST"}
            },
            "get": {
                "parameters": [{"name": "q1", "in": "query", "required": true}],
                "responses": {"200": {}},
                "x-amazon-apigateway-integration": {"type": "http", "uri": "http://petstore-demo-endpoint.execute-api.com/petstore/pets", "httpMethod": "GET"}
            }
        }},
        "definitions": {"RequestBodyModel": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "type": {"type": "string", "enum": ["dog", "cat", "fish"]},
                "name": {"type": "string"},
                "price": {"type": "number", "minimum": 25, "maximum": 500}
            },
            "required": ["type", "name", "price"]
        }}
    })
}

#[test]
fn the_developer_guides_documented_answers() {
    let dir = tempfile::tempdir().unwrap();
    let api = dir.path().join("sample.json");
    std::fs::write(&api, guide_sample().to_string()).unwrap();
    let api = api.to_str().unwrap();
    let body = |name: &str, v: Value| {
        let p = dir.path().join(name);
        std::fs::write(&p, v.to_string()).unwrap();
        p.to_str().unwrap().to_string()
    };
    // GET /validation?q1=cat passes; without q1, or with it blank: 400 [q1].
    assert_eq!(
        run(&[
            "validate",
            "--export",
            api,
            "--method",
            "GET",
            "--path",
            "/validation",
            "--querystring",
            "q1=cat"
        ])
        .code,
        0
    );
    for q in [None, Some("q1=")] {
        let mut args = vec!["--export", api, "--method", "GET", "--path", "/validation"];
        if let Some(q) = q {
            args.extend(["--querystring", q]);
        }
        let j = json_run(&args);
        assert_eq!(j["result"]["status"], 400);
        assert_eq!(
            j["result"]["body"],
            r#"{"message":"Missing required request parameters: [q1]"}"#
        );
        assert_eq!(j["result"]["validator"]["name"], "params-only");
    }
    let marco = body(
        "marco.json",
        json!({"name": "Marco", "type": "dog", "price": 260}),
    );
    // POST with h1 and a body that fits the model passes.
    assert_eq!(
        run(&[
            "validate",
            "--export",
            api,
            "--method",
            "POST",
            "--path",
            "/validation",
            "-H",
            "h1: v1",
            "--body",
            &marco
        ])
        .code,
        0
    );
    // Without h1 (or blank): the parameters' 400, whatever the body.
    let j = json_run(&[
        "--export",
        api,
        "--method",
        "POST",
        "--path",
        "/validation",
        "-H",
        "h1:  ",
        "--body",
        &marco,
    ]);
    assert_eq!(
        j["result"]["body"],
        r#"{"message":"Missing required request parameters: [h1]"}"#
    );
    // type bird, or price 501: Invalid request body.
    for (name, v, keyword, pointer) in [
        (
            "bird.json",
            json!({"name": "Molly", "type": "bird", "price": 269}),
            "enum",
            "/type",
        ),
        (
            "pricey.json",
            json!({"name": "Molly", "type": "cat", "price": 501}),
            "maximum",
            "/price",
        ),
    ] {
        let path = body(name, v);
        let j = json_run(&[
            "--export",
            api,
            "--method",
            "POST",
            "--path",
            "/validation",
            "-H",
            "h1: v1",
            "--body",
            &path,
        ]);
        assert_eq!(
            j["result"]["body"], r#"{"message":"Invalid request body"}"#,
            "{name}"
        );
        assert_eq!(j["result"]["gateway_response"], "BAD_REQUEST_BODY");
        let f = &j["findings"][0];
        assert_eq!(f["code"], "validation.invalid-body");
        assert_eq!(f["evidence"]["keyword"], keyword);
        assert_eq!(f["evidence"]["pointer"], pointer);
    }
}

#[test]
fn every_violation_is_named_with_its_keyword_and_pointer() {
    let r = run(&[
        "validate",
        "--export",
        ORDERS,
        "--method",
        "POST",
        "--path",
        "/orders",
        "-H",
        "X-Tenant: acme",
        "--body",
        "examples/validation/order-bad.json",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.starts_with(
            r#"client gets 400 {"message":"Invalid request body"} (POST /orders -> /orders)"#
        ),
        "{}",
        r.stdout
    );
    let j = json_run(&[
        "--export",
        ORDERS,
        "--method",
        "POST",
        "--path",
        "/orders",
        "-H",
        "x-tenant: acme",
        "--body",
        "examples/validation/order-bad.json",
    ]);
    let found: Vec<(String, String)> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["evidence"]["keyword"].as_str().unwrap().to_string(),
                f["evidence"]["pointer"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // The enum of a model reached through $ref (#/definitions/Address) is checked too.
    for want in [
        ("pattern", "/sku"),
        ("minimum", "/quantity"),
        ("enum", "/shipping/country"),
    ] {
        assert!(
            found.contains(&(want.0.to_string(), want.1.to_string())),
            "{found:?}"
        );
    }
    assert_eq!(j["result"]["model"], "NewOrder");
    let ok = run(&[
        "validate",
        "--export",
        ORDERS,
        "--method",
        "POST",
        "--path",
        "/orders",
        "-H",
        "x-tenant: acme",
        "--body",
        "examples/validation/order-good.json",
    ]);
    assert_eq!(ok.code, 0, "{}", ok.stdout);
    assert!(ok.stdout.starts_with("passes validation"));
}

#[test]
fn requests_are_routed_to_their_resource() {
    let j = json_run(&[
        "--export",
        ORDERS,
        "--method",
        "GET",
        "--path",
        "/orders/o-123",
    ]);
    assert_eq!(j["result"]["resource"], "/orders/{orderId}");
    assert_eq!(j["result"]["passes"], true);
    let r = run(&[
        "validate", "--export", ORDERS, "--method", "DELETE", "--path", "/orders",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("Missing Authentication Token"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.trim().lines().count(), 1);
}

/// `get-export --export-type oas30`: requestBody.content and components/schemas.
#[test]
fn openapi_3_exports_and_content_types() {
    let dir = tempfile::tempdir().unwrap();
    let api = json!({
        "openapi": "3.0.1",
        "info": {"title": "pets", "version": "2026-11-02T10:00:00Z"},
        "servers": [{"url": "https://a1b2c3.execute-api.us-east-1.amazonaws.com/{basePath}", "variables": {"basePath": {"default": "prod"}}}],
        "paths": {"/pets": {"post": {
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}, "required": true},
            "responses": {"200": {"description": "200 response"}},
            "x-amazon-apigateway-request-validator": "Validate body",
            "x-amazon-apigateway-integration": {"type": "mock", "requestTemplates": {"application/json": "{\"statusCode\": 200}"}, "passthroughBehavior": "when_no_templates", "responses": {"default": {"statusCode": "200"}}}
        }}},
        "components": {"schemas": {"Pet": {"title": "Pet", "type": "object", "required": ["name"], "properties": {"name": {"type": "string", "minLength": 1}}}}},
        "x-amazon-apigateway-request-validators": {"Validate body": {"validateRequestParameters": false, "validateRequestBody": true}}
    });
    let path = dir.path().join("oas30.json");
    std::fs::write(&path, api.to_string()).unwrap();
    let api = path.to_str().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let empty_name = write("empty.json", r#"{"name": ""}"#);
    let j = json_run(&[
        "--export",
        api,
        "--method",
        "POST",
        "--path",
        "/pets",
        "--body",
        &empty_name,
    ]);
    assert_eq!(j["findings"][0]["evidence"]["keyword"], "minLength");
    assert_eq!(j["result"]["model"], "Pet");
    // Not JSON at all.
    let text = write("text.txt", "name=rex");
    let j = json_run(&[
        "--export", api, "--method", "POST", "--path", "/pets", "--body", &text,
    ]);
    assert!(codes_of(&j).contains("validation.body-not-json"));
    assert_eq!(j["result"]["status"], 400);
    // A content type without a model: not validated, and the tool says it is not sure.
    let r = run(&[
        "-o",
        "json",
        "validate",
        "--export",
        api,
        "--method",
        "POST",
        "--path",
        "/pets",
        "--body",
        &text,
        "--content-type",
        "text/plain",
    ]);
    assert_eq!(r.code, 0);
    let j = r.one_json();
    assert_eq!(
        j["findings"][0]["code"],
        "validation.no-model-for-content-type"
    );
    assert_eq!(j["findings"][0]["evidence"]["certain"], false);
}

/// A SAM template whose DefinitionBody holds the validators; a method naming a validator
/// nobody defined; a method without any.
#[test]
fn sam_templates_and_validator_mistakes() {
    let dir = tempfile::tempdir().unwrap();
    let template = r#"AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        swagger: '2.0'
        info: {title: !Sub '${AWS::StackName}-api'}
        x-amazon-apigateway-request-validators:
          params: {validateRequestBody: false, validateRequestParameters: true}
        paths:
          /search:
            get:
              x-amazon-apigateway-request-validator: params
              parameters:
                - {name: q, in: query, required: true, type: string}
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Search.Arn}/invocations
          /typo:
            get:
              x-amazon-apigateway-request-validator: param
              x-amazon-apigateway-integration: {type: mock}
          /open:
            get:
              x-amazon-apigateway-integration: {type: mock}
"#;
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, template).unwrap();
    let t = path.to_str().unwrap();
    let j = json_run(&["--export", t, "--method", "GET", "--path", "/search"]);
    assert_eq!(
        j["result"]["body"],
        r#"{"message":"Missing required request parameters: [q]"}"#
    );
    let j = json_run(&["--export", t, "--method", "GET", "--path", "/typo"]);
    assert!(codes_of(&j).contains("validation.model-not-found"));
    let r = run(&[
        "-o", "json", "validate", "--export", t, "--method", "GET", "--path", "/open",
    ]);
    assert_eq!(r.code, 0);
    // What was read from the template, then the finding.
    let j = r.one_json();
    assert_eq!(j["findings"][0]["code"], "source.read");
    assert_eq!(j["findings"][1]["code"], "validation.no-validator", "{j}");
}

#[test]
fn bad_flags_are_one_line_errors() {
    for args in [
        vec![
            "validate", "--export", ORDERS, "--method", "GET", "--path", "/orders", "-H",
            "x-tenant",
        ],
        vec![
            "validate",
            "--export",
            ORDERS,
            "--method",
            "GET",
            "--path",
            "/orders",
            "--querystring",
            "status",
        ],
        vec![
            "validate",
            "--export",
            "no-such-file.json",
            "--method",
            "GET",
            "--path",
            "/orders",
        ],
    ] {
        let r = run(&args);
        assert_eq!(r.code, 2, "{args:?}");
        assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    }
}

/// HTTP APIs validate nothing: the answer says so instead of judging a body.
#[test]
fn http_apis_have_no_request_validation() {
    let dir = tempfile::tempdir().unwrap();
    let api = json!({
        "openapi": "3.0.1",
        "info": {"title": "http", "version": "1"},
        "paths": {"/pets": {"post": {
            "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["name"]}}}},
            "x-amazon-apigateway-integration": {"type": "aws_proxy", "httpMethod": "POST", "uri": "arn:aws:lambda:us-east-1:123456789012:function:pets", "payloadFormatVersion": "2.0"}
        }}},
        "x-amazon-apigateway-importexport-version": "1.0"
    });
    let path = dir.path().join("http.json");
    std::fs::write(&path, api.to_string()).unwrap();
    let body = dir.path().join("body.json");
    std::fs::write(&body, "{}").unwrap();
    let r = run(&[
        "-o",
        "json",
        "validate",
        "--export",
        path.to_str().unwrap(),
        "--method",
        "POST",
        "--path",
        "/pets",
        "--body",
        body.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0);
    let j = r.one_json();
    assert_eq!(j["result"]["passes"], true);
    assert!(
        j["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("HTTP APIs have no request validation")
    );
}

/// The guide's sample among 700 other paths (a JSON export is read a part at a time): the
/// request is routed among all of them (a literal path before a template), its model found,
/// and an HTTP API is told by an integration in any part.
#[test]
fn a_large_export_is_routed_and_judged_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut api = guide_sample();
    let paths = api["paths"].as_object_mut().unwrap();
    let validation = paths.remove("/validation").unwrap();
    for n in 0..700 {
        paths.insert(
            format!("/r{n}"),
            json!({"get": {"responses": {"200": {}}, "x-amazon-apigateway-integration": {"type": "mock"}}}),
        );
        if n == 400 {
            paths.insert(
                "/{any}".to_string(),
                json!({"get": {"responses": {"200": {}}}}),
            );
        }
        if n == 650 {
            paths.insert("/validation".to_string(), validation.clone());
        }
    }
    let file = dir.path().join("big.json");
    std::fs::write(&file, api.to_string()).unwrap();
    let file = file.to_str().unwrap();
    let body = dir.path().join("body.json");
    std::fs::write(&body, json!({"name": "Marco", "type": "dog"}).to_string()).unwrap();
    let j = json_run(&[
        "--export",
        file,
        "--method",
        "POST",
        "--path",
        "/validation",
        "-H",
        "h1: x",
        "--body",
        body.to_str().unwrap(),
    ]);
    assert_eq!(j["result"]["resource"], "/validation", "{j}");
    assert_eq!(j["result"]["status"], 400, "{j}");
    assert_eq!(j["result"]["validator"]["name"], "all");
    let j = json_run(&["--export", file, "--method", "GET", "--path", "/other"]);
    assert_eq!(j["result"]["resource"], "/{any}", "{j}");
    // One integration with an HTTP API's integrationSubtype, 600 paths away: an HTTP API.
    api["paths"]["/r3"]["get"]["x-amazon-apigateway-integration"] = json!({"type": "aws_proxy", "integrationSubtype": "SQS-SendMessage", "payloadFormatVersion": "1.0"});
    std::fs::write(file, api.to_string()).unwrap();
    let j = json_run(&["--export", file, "--method", "GET", "--path", "/validation"]);
    assert!(
        codes_of(&j).contains("validation.no-validator"),
        "an HTTP API has no request validation: {j}"
    );
}
