//! `apigw-doctor trace` end to end: one request through the whole pipeline of definitions of
//! the shapes API Gateway exports (`get-export --parameters extensions='apigateway'`: Swagger 2
//! with securityDefinitions, validators, gateway responses; an HTTP API's OpenAPI 3 export with
//! a JWT authorizer and `$default`), a SAM template's inline definition, Lambda outputs of the
//! shapes the runtimes return, and JWTs signed in the test. Each pitfall has its test.
mod support;
use serde_json::{Value, json};
use support::jwt::*;
use support::*;

const SHOP: &str = "examples/trace/shop-swagger.json";
const HTTP_API: &str = "examples/trace/http-api-jwt.json";
const URL: &str = "https://q7m2k9x4ab.execute-api.us-east-1.amazonaws.com/prod";

fn ex(name: &str) -> String {
    format!("examples/trace/{name}")
}

/// `trace ARGS` with `-o json`: its exit code and its one report.
fn trace(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["-o", "json", "trace"];
    all.extend_from_slice(args);
    let r = run(&all);
    assert!(
        r.code == 0 || r.code == 1,
        "{args:?}: exit {} {}",
        r.code,
        r.stderr
    );
    (r.code, r.one_json())
}

fn stages(report: &Value) -> Vec<(String, String)> {
    report["result"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["stage"].as_str().unwrap().to_string(),
                s["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn last_stage(report: &Value) -> (String, String) {
    stages(report).pop().unwrap()
}

fn header<'a>(report: &'a Value, name: &str) -> Option<&'a str> {
    report["result"]["response"]["headers"]
        .as_array()?
        .iter()
        .find(|h| h[0].as_str().unwrap().eq_ignore_ascii_case(name))
        .and_then(|h| h[1].as_str())
}

fn status(report: &Value) -> u64 {
    report["result"]["response"]["status"].as_u64().unwrap()
}

fn body(report: &Value) -> &str {
    report["result"]["response"]["body"].as_str().unwrap()
}

/// POST /orders with a token, an API key and the authorizer's allow-all answer, then `extra`.
fn order(extra: &[&str]) -> (i32, Value) {
    let mut args = vec![
        "--export",
        SHOP,
        "POST",
        "/orders",
        "-H",
        "Authorization: Bearer abc",
        "-H",
        "x-api-key: k",
        "--authorizer-output",
        "examples/trace/authorizer-allow-all.json",
    ];
    args.extend_from_slice(extra);
    trace(&args)
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

/// The happy path: authorizer, API key, validation, request template, a Lambda non-proxy
/// integration and its response template, in that order.
#[test]
fn a_good_order_goes_through_every_stage() {
    let (code, r) = trace(&[
        "--export",
        SHOP,
        "POST",
        &format!("{URL}/orders"),
        "-H",
        "Authorization: Bearer eyJhbGciOi.abc",
        "-H",
        "x-api-key: 6Jf2kLp0aQ",
        "--authorizer-output",
        &ex("authorizer-allow-all.json"),
        "--body",
        &ex("order.json"),
        "--lambda-output",
        &ex("create-order-output.json"),
    ]);
    assert_eq!(
        stages(&r),
        [
            ("route", "passed"),
            ("authorizer", "passed"),
            ("api-key", "uncertain"),
            ("validation", "passed"),
            ("integration-request", "passed"),
            ("integration", "passed"),
            ("integration-response", "passed"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(r["result"]["stage"], "prod");
    assert_eq!(status(&r), 201);
    assert_eq!(
        serde_json::from_str::<Value>(body(&r)).unwrap(),
        json!({"orderId": "o-5521", "status": "created"})
    );
    assert_eq!(header(&r, "content-type"), Some("application/json"));
    // The request template saw the authorizer's context and the body.
    let sent = &r["result"]["stages"][4]["detail"]["body"];
    let sent: Value = serde_json::from_str(sent.as_str().unwrap()).unwrap();
    assert_eq!(sent["tenant"], "acme");
    assert_eq!(sent["order"]["sku"], "ABC-1234");
    // The key's usage plan is not in the definition: said, and not an all-clear.
    assert_eq!(code, 1);
    assert!(codes_of(&r).contains("trace.not-evaluated"));
    assert_eq!(r["result"]["response"]["certain"], false);
}

/// The classic pitfall: the authorizer's policy names only the method it was first called
/// for; a POST gets 403, reshaped by the definition's DEFAULT_4XX (with its CORS header).
#[test]
fn a_policy_for_another_method_is_403_with_the_customised_gateway_response() {
    let (code, r) = trace(&[
        "--export",
        SHOP,
        "POST",
        &format!("{URL}/orders"),
        "-H",
        "Authorization: Bearer eyJhbGciOi.abc",
        "--authorizer-output",
        &ex("authorizer-allow-get.json"),
    ]);
    assert_eq!(code, 1);
    assert_eq!(last_stage(&r), ("authorizer".into(), "stopped".into()));
    assert_eq!(status(&r), 403);
    assert_eq!(
        body(&r),
        r#"{"message":"User is not authorized to access this resource"}"#
    );
    assert_eq!(
        header(&r, "access-control-allow-origin"),
        Some("https://shop.example.com")
    );
    assert_eq!(
        header(&r, "x-amzn-ErrorType"),
        Some("AccessDeniedException")
    );
    let codes = codes_of(&r);
    assert!(codes.contains("authorizer.implicit-deny"), "{codes:?}");
    assert!(codes.contains("gateway-response.customised"), "{codes:?}");
    assert_eq!(
        r["result"]["stages"][1]["detail"]["method_arn"],
        "arn:aws:execute-api:us-east-1:123456789012:q7m2k9x4ab/prod/POST/orders"
    );
}

/// A token that fails identityValidationExpression, or no token at all: 401, and the
/// authorizer is never called (its output is not needed).
#[test]
fn a_token_the_validation_expression_refuses_is_401_without_a_call() {
    for headers in [&["-H", "Authorization: eyJhbGciOi.abc"][..], &[][..]] {
        let mut args = vec!["--export", SHOP, "GET", "/orders/o-1"];
        args.extend_from_slice(headers);
        let (code, r) = trace(&args);
        assert_eq!(code, 1);
        assert_eq!(status(&r), 401, "{headers:?}");
        assert_eq!(body(&r), r#"{"message":"Unauthorized"}"#);
        assert!(codes_of(&r).contains("authorizer.identity-source-missing"));
        assert_eq!(last_stage(&r), ("authorizer".into(), "stopped".into()));
    }
}

/// What the authorizer threw decides 401 or 500; with nothing said of it, the trace goes on
/// but says what is missing and does not exit 0.
#[test]
fn the_authorizers_answer_decides_or_is_named_as_missing() {
    let base = [
        "--export",
        SHOP,
        "GET",
        "/orders/o-1",
        "-H",
        "Authorization: Bearer abc",
    ];
    let with = |extra: &[&str]| {
        let mut a = base.to_vec();
        a.extend_from_slice(extra);
        trace(&a)
    };
    let (_, r) = with(&["--authorizer-threw", "Unauthorized"]);
    assert_eq!(status(&r), 401);
    let (_, r) = with(&["--authorizer-threw", "Cannot read properties of undefined"]);
    assert_eq!(status(&r), 500);
    assert!(codes_of(&r).contains("authorizer.function-error"));
    let (code, r) = with(&["--lambda-output", &ex("get-order-output.json")]);
    assert_eq!(code, 1);
    let missing = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "trace.input-missing")
        .expect("the missing authorizer answer is a finding");
    assert_eq!(missing["evidence"]["missing"], "--authorizer-output");
    assert_eq!(r["result"]["stages"][1]["outcome"], "uncertain");
    assert_eq!(r["result"]["response"]["certain"], false);
}

/// apiKeyRequired with no x-api-key: 403 Forbidden after the authorizer allowed the call;
/// with the API key source AUTHORIZER, the authorizer's usageIdentifierKey is the key.
#[test]
fn a_missing_api_key_is_403_forbidden() {
    let (code, r) = trace(&[
        "--export",
        SHOP,
        "POST",
        "/orders",
        "-H",
        "Authorization: Bearer abc",
        "--authorizer-output",
        &ex("authorizer-allow-all.json"),
        "--body",
        &ex("order.json"),
    ]);
    assert_eq!(code, 1);
    assert_eq!(last_stage(&r), ("api-key".into(), "stopped".into()));
    assert_eq!((status(&r), body(&r)), (403, r#"{"message":"Forbidden"}"#));
    assert!(codes_of(&r).contains("trace.api-key-missing"));

    let dir = tempfile::tempdir().unwrap();
    let mut api: Value = serde_json::from_str(&std::fs::read_to_string(SHOP).unwrap()).unwrap();
    api["x-amazon-apigateway-api-key-source"] = json!("AUTHORIZER");
    let api = write(dir.path(), "api.json", &api.to_string());
    let mut output: Value =
        serde_json::from_str(&std::fs::read_to_string(ex("authorizer-allow-all.json")).unwrap())
            .unwrap();
    let without = write(dir.path(), "without.json", &output.to_string());
    output["usageIdentifierKey"] = json!("6Jf2kLp0aQ");
    let with = write(dir.path(), "with.json", &output.to_string());
    let args = |auth: &str| {
        trace(&[
            "--export",
            &api,
            "POST",
            "/orders",
            "-H",
            "Authorization: Bearer abc",
            "-H",
            "x-api-key: ignored-with-source-authorizer",
            "--authorizer-output",
            auth,
            "--body",
            &ex("order.json"),
        ])
    };
    let (_, r) = args(&without);
    assert_eq!(status(&r), 403);
    assert!(r["findings"].to_string().contains("usageIdentifierKey"));
    let (_, r) = args(&with);
    assert_eq!(r["result"]["stages"][2]["outcome"], "uncertain");
}

/// A body the model refuses: 400 Invalid request body before the integration, with the
/// failing keyword; the DEFAULT_4XX customisation keeps the message and adds CORS.
#[test]
fn an_invalid_body_stops_at_validation() {
    let (code, r) = order(&[
        "--body",
        &ex("order-bad.json"),
        "--lambda-output",
        &ex("create-order-output.json"),
    ]);
    assert_eq!(code, 1);
    assert_eq!(last_stage(&r), ("validation".into(), "stopped".into()));
    assert_eq!(
        (status(&r), body(&r)),
        (400, r#"{"message":"Invalid request body"}"#)
    );
    assert_eq!(
        header(&r, "access-control-allow-origin"),
        Some("https://shop.example.com")
    );
    assert!(codes_of(&r).contains("validation.invalid-body"));
}

/// A Lambda non-proxy integration: the error the function threw is matched against the
/// selection patterns and rendered by the 400 response's template.
#[test]
fn a_thrown_error_selects_its_integration_response() {
    for function_error in [None, Some("Unhandled")] {
        let mut args = vec![
            "--body",
            "examples/trace/order.json",
            "--lambda-output",
            "examples/trace/create-order-error.json",
        ];
        if let Some(kind) = function_error {
            args.extend(["--function-error", kind]);
        }
        let (_, r) = order(&args);
        assert_eq!(status(&r), 400, "{function_error:?}");
        assert_eq!(
            serde_json::from_str::<Value>(body(&r)).unwrap()["error"],
            "InvalidOrder: sku ABC-1234 is out of stock"
        );
        assert_eq!(
            r["result"]["stages"][6]["detail"]["selected"]["pattern"],
            ".*InvalidOrder.*"
        );
        // Without --function-error the error object is assumed thrown, and said so.
        assert_eq!(
            codes_of(&r).contains("selection.function-error-assumed"),
            function_error.is_none()
        );
    }
}

/// A Lambda proxy output with an object body: 502, reshaped by DEFAULT_5XX.
#[test]
fn a_malformed_proxy_output_is_502() {
    let (code, r) = trace(&[
        "--export",
        SHOP,
        "GET",
        &format!("{URL}/orders/o-1"),
        "-H",
        "Authorization: Bearer abc",
        "--authorizer-output",
        &ex("authorizer-allow-get.json"),
        "--lambda-output",
        &ex("get-order-output.json"),
    ]);
    assert_eq!(code, 1);
    assert_eq!(last_stage(&r), ("integration".into(), "stopped".into()));
    assert_eq!(
        (status(&r), body(&r)),
        (502, r#"{"message":"Internal server error"}"#)
    );
    assert_eq!(
        header(&r, "access-control-allow-origin"),
        Some("https://shop.example.com")
    );
    let codes = codes_of(&r);
    assert!(codes.contains("lambda.body-not-string"), "{codes:?}");
    // The GET-only policy would deny the next POST with the same token: the cache pitfall.
    assert!(
        codes.contains("authorizer.cached-policy-denies"),
        "{codes:?}"
    );
}

/// A mock integration answers the statusCode its request template names; the response
/// template reads $context.stage from the URL.
#[test]
fn a_mock_answers_from_its_request_template() {
    let (code, r) = trace(&[
        "--export",
        SHOP,
        "GET",
        "https://q7m2k9x4ab.execute-api.us-east-1.amazonaws.com/beta/health",
    ]);
    assert_eq!(code, 0, "{r}");
    assert_eq!(status(&r), 200);
    assert_eq!(
        serde_json::from_str::<Value>(body(&r)).unwrap(),
        json!({"status": "ok", "stage": "beta"})
    );
    assert_eq!(r["result"]["response"]["certain"], true);
}

/// `trace ARGS` with a bearer token, which a REST API reads as an incomplete SigV4 signature
/// where it wants one: 403 IncompleteSignatureException.
fn refused_as_incomplete_signature(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["-H", "Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln"]);
    let (code, r) = trace(&all);
    assert_eq!((code, status(&r)), (1, 403), "{r}");
    assert_eq!(
        header(&r, "x-amzn-ErrorType"),
        Some("IncompleteSignatureException")
    );
    r
}

/// No method for the path: 403 Missing Authentication Token (REST), naming the methods the
/// path has; HTTP APIs answer 404 unless a $default route serves it.
#[test]
fn no_route_is_missing_authentication_token_or_404() {
    let (code, r) = trace(&["--export", SHOP, "DELETE", "/orders/o-1"]);
    assert_eq!(code, 1);
    assert_eq!(
        (status(&r), body(&r)),
        (403, r#"{"message":"Missing Authentication Token"}"#)
    );
    let f = &r["findings"][0];
    assert_eq!(f["code"], "trace.no-route");
    assert_eq!(
        f["evidence"]["other_methods"],
        json!(["GET /orders/{orderId}"])
    );
    // /{proxy+}-less root: nothing serves "/".
    let (_, r) = trace(&["--export", SHOP, "GET", "/"]);
    assert_eq!(status(&r), 403);
    // A bearer token on a path no method serves: API Gateway reads it as SigV4 (recorded by
    // users, specs/request-pipeline.md).
    let r = refused_as_incomplete_signature(&["--export", SHOP, "DELETE", "/orders/o-1"]);
    assert!(
        body(&r)
            .starts_with(r#"{"message":"Authorization header requires 'Credential' parameter."#),
        "{}",
        body(&r)
    );
    let f = &r["findings"][0];
    assert_eq!(f["code"], "trace.no-route");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("IncompleteSignatureException"),
        "{f}"
    );

    let dir = tempfile::tempdir().unwrap();
    let mut api: Value = serde_json::from_str(&std::fs::read_to_string(HTTP_API).unwrap()).unwrap();
    api["paths"].as_object_mut().unwrap().remove("$default");
    let no_default = write(dir.path(), "api.json", &api.to_string());
    let (_, r) = trace(&["--export", &no_default, "GET", "/legacy/x"]);
    assert_eq!((status(&r), body(&r)), (404, r#"{"message":"Not Found"}"#));
    assert_eq!(r["result"]["api"], "http");
    // With $default: the legacy backend's 500 is remapped to 503 by responseParameters.
    let (_, r) = trace(&["--export", HTTP_API, "GET", "/legacy/x", "--status", "500"]);
    assert_eq!(r["result"]["resource"], "$default");
    assert_eq!(status(&r), 503);
}

/// An HTTP API's JWT authorizer: the token from the Authorization header, checked with the
/// issuer's keys; the route's scope decides 403; a good token reaches the 2.0 proxy.
#[test]
fn jwt_authorizer_on_an_http_api() {
    let issuer = Issuer::new();
    let dir = tempfile::tempdir().unwrap();
    let mut api: Value = serde_json::from_str(&std::fs::read_to_string(HTTP_API).unwrap()).unwrap();
    let config = &mut api["components"]["securitySchemes"]["cognito-jwt"]["x-amazon-apigateway-authorizer"]
        ["jwtConfiguration"];
    config["issuer"] = json!(ISS);
    config["audience"] = json!(["4pq8client"]);
    let api = write(dir.path(), "api.json", &api.to_string());
    let claims = |scope: &str| {
        json!({"sub": "aaaa-bbbb", "iss": ISS, "client_id": "4pq8client", "token_use": "access",
               "scope": scope, "iat": NOW - 600, "exp": NOW + 3000})
    };
    let header = json!({"kid": "key-1", "alg": "RS256"});
    let now = NOW.to_string();
    let run_with = |token: &str| {
        let auth = format!("Authorization: Bearer {token}");
        trace(&[
            "--export",
            &api,
            "GET",
            "/orders",
            "-H",
            &auth,
            "--jwks",
            &issuer.jwks,
            "--now",
            &now,
            "--lambda-output",
            "examples/trace/list-orders-output.json",
        ])
    };
    let (code, r) = run_with(&issuer.sign(&header, &claims("orders/read openid")));
    assert_eq!(code, 0, "{r}");
    assert_eq!(status(&r), 200);
    assert_eq!(body(&r), r#"[{"orderId":"o-5521"}]"#);
    let (code, r) = run_with(&issuer.sign(&header, &claims("orders/write")));
    assert_eq!(code, 1);
    assert_eq!((status(&r), body(&r)), (403, r#"{"message":"Forbidden"}"#));
    assert!(codes_of(&r).contains("authorizer.jwt-scope"));
    // A token signed by another key: 401.
    let other = Issuer::new();
    let (_, r) = run_with(&other.sign(&header, &claims("orders/read")));
    assert_eq!(status(&r), 401);
    assert!(codes_of(&r).contains("authorizer.jwt-signature"));
    // No Authorization header: 401 without a check.
    let (_, r) = trace(&["--export", &api, "GET", "/orders"]);
    assert_eq!(status(&r), 401);
}

/// AWS_IAM on a REST method: an unsigned request is refused like a missing route; a signed
/// one is not judged (the signature is not checked) and says so.
#[test]
fn iam_authorization_wants_a_signature() {
    let dir = tempfile::tempdir().unwrap();
    let api = json!({
        "swagger": "2.0", "info": {"title": "iam", "version": "1"},
        "paths": {"/reports": {"get": {
            "security": [{"sigv4": []}],
            "responses": {"200": {"description": "ok"}},
            "x-amazon-apigateway-integration": {"type": "http_proxy", "httpMethod": "GET",
                "uri": "https://reports.internal.example.com/reports"}
        }}},
        "securityDefinitions": {"sigv4": {"type": "apiKey", "name": "Authorization", "in": "header",
            "x-amazon-apigateway-authtype": "awsSigv4"}}
    });
    let api = write(dir.path(), "api.json", &api.to_string());
    let (code, r) = trace(&["--export", &api, "GET", "/reports"]);
    assert_eq!(code, 1);
    assert_eq!(status(&r), 403);
    assert!(codes_of(&r).contains("trace.iam-unsigned"));
    let (code, r) = trace(&[
        "--export",
        &api,
        "GET",
        "/reports",
        "-H",
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261205/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
        "--status",
        "200",
    ]);
    assert_eq!(code, 1, "a signature not checked is not an all-clear");
    assert_eq!(status(&r), 200);
    assert_eq!(r["result"]["stages"][1]["outcome"], "uncertain");
    // A bearer token is not a signature: 403 IncompleteSignatureException, the scheme named.
    let r =
        refused_as_incomplete_signature(&["--export", &api, "GET", "/reports", "--status", "200"]);
    let f = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "trace.iam-unsigned")
        .expect("trace.iam-unsigned");
    let message = f["message"].as_str().unwrap();
    assert!(message.contains("scheme Bearer"), "{message}");
    assert!(!message.contains("eyJ"), "{message}");
}

/// passthroughBehavior NEVER and no template for the request's Content-Type: 415; request
/// parameters map the path parameter into the HTTP integration's URI.
#[test]
fn request_mapping_415_and_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let api = json!({
        "swagger": "2.0", "info": {"title": "legacy", "version": "1"},
        "paths": {"/items/{itemId}": {"put": {
            "parameters": [{"name": "itemId", "in": "path", "required": true, "type": "string"}],
            "responses": {"200": {"description": "ok"}},
            "x-amazon-apigateway-integration": {
                "type": "http", "httpMethod": "PUT",
                "uri": "https://backend.example.com/v1/things/{id}",
                "requestParameters": {
                    "integration.request.path.id": "method.request.path.itemId",
                    "integration.request.header.X-Source": "'api-gateway'"
                },
                "requestTemplates": {"application/json": "#set($context.requestOverride.header.X-Tenant = \"acme\")#if($input.params('v') == '2')#set($context.requestOverride.path.id = \"v2-$input.params('itemId')\")#end{\"payload\": $input.json('$')}"},
                "passthroughBehavior": "never",
                "responses": {"default": {"statusCode": "200"}, "4\\d{2}": {"statusCode": "400"}}
            }
        }}}
    });
    let api = write(dir.path(), "api.json", &api.to_string());
    let body = write(dir.path(), "item.xml", "<item/>");
    let (code, r) = trace(&[
        "--export",
        &api,
        "PUT",
        "/items/42",
        "-H",
        "Content-Type: application/xml",
        "--body",
        &body,
    ]);
    assert_eq!(code, 1);
    assert_eq!(status(&r), 415);
    assert!(codes_of(&r).contains("template.no-template-415"));
    let json_body = write(dir.path(), "item.json", r#"{"name": "lamp"}"#);
    let (_, r) = trace(&[
        "--export",
        &api,
        "PUT",
        "/items/42",
        "--body",
        &json_body,
        "--status",
        "404",
    ]);
    let sent = &r["result"]["stages"][4]["detail"];
    assert_eq!(sent["uri"], "https://backend.example.com/v1/things/42");
    assert_eq!(sent["parameters"]["header.X-Source"], "api-gateway");
    assert_eq!(sent["parameters"]["header.X-Tenant"], "acme");
    // The selected 400 has no method response: API Gateway answers 500.
    assert_eq!(status(&r), 500);
    assert!(codes_of(&r).contains("lint.response-without-method-response"));
    // $context.requestOverride.path replaces the mapped path parameter in the URI.
    let (_, r) = trace(&[
        "--export",
        &api,
        "PUT",
        "/items/42?v=2",
        "--body",
        &json_body,
    ]);
    assert_eq!(
        r["result"]["stages"][4]["detail"]["uri"],
        "https://backend.example.com/v1/things/v2-42"
    );
}

/// A SAM template's inline DefinitionBody is a definition too; a custom domain's URL goes
/// through its base path.
#[test]
fn sam_templates_and_custom_domain_urls() {
    let dir = tempfile::tempdir().unwrap();
    let definition: Value = serde_json::from_str(&std::fs::read_to_string(SHOP).unwrap()).unwrap();
    let template = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {"ShopApi": {"Type": "AWS::Serverless::Api", "Properties": {
            "StageName": "prod", "DefinitionBody": definition}}}
    });
    let sam = write(dir.path(), "template.json", &template.to_string());
    let (code, r) = trace(&[
        "--export",
        &sam,
        "GET",
        "https://api.shop.example.com/v2/health",
        "--base-path",
        "v2",
    ]);
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["result"]["path"], "/health");
    assert_eq!(status(&r), 200);
}

#[test]
fn human_output_shows_each_stage_and_the_response_like_curl() {
    let r = run(&[
        "--color",
        "never",
        "trace",
        "--export",
        SHOP,
        "POST",
        "/orders",
        "-H",
        "Authorization: Bearer abc",
        "--authorizer-output",
        &ex("authorizer-allow-get.json"),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("✓ route"), "{}", r.stdout);
    assert!(r.stdout.contains("✗ authorizer"), "{}", r.stdout);
    assert!(r.stdout.contains("HTTP/1.1 403 Forbidden"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("Access-Control-Allow-Origin: https://shop.example.com"),
        "{}",
        r.stdout
    );
}

#[test]
fn bad_input_is_a_one_line_error() {
    for args in [
        vec!["trace", "--export", "no-such.json", "GET", "/x"],
        vec!["trace", "--export", SHOP, "GET", "orders"],
        vec![
            "trace",
            "--export",
            SHOP,
            "GET",
            &format!("{URL}/orders/o-1"),
            "--stage",
            "dev",
        ],
        vec![
            "trace",
            "--export",
            SHOP,
            "GET",
            "https://api.shop.example.com/v1/health",
            "--base-path",
            "v2",
        ],
        vec!["trace", "--export", "Cargo.toml", "GET", "/x"],
    ] {
        let r = run(&args);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert_eq!(r.stderr.trim().lines().count(), 1, "{args:?}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"));
    }
    assert_usage_error(&run(&["trace", "GET", "/x"]), "--export");
}

/// A REST method behind a Cognito user pool authorizer: the issuer comes from the pool's
/// ARN, the method's scope wants an access token that grants it; an HTTP API's Lambda
/// authorizer with simple responses: `{"isAuthorized": false}` is 403.
#[test]
fn cognito_and_simple_lambda_authorizers() {
    let issuer = Issuer::new();
    let dir = tempfile::tempdir().unwrap();
    let pool = ISS.rsplit('/').next().unwrap();
    let rest = json!({
        "swagger": "2.0", "info": {"title": "cognito", "version": "1"},
        "paths": {"/orders": {"get": {
            "security": [{"pool": ["orders/read"]}],
            "responses": {"200": {"description": "ok"}},
            "x-amazon-apigateway-integration": {"type": "http_proxy", "httpMethod": "GET",
                "uri": "https://orders.internal.example.com/orders"}
        }}},
        "securityDefinitions": {"pool": {"type": "apiKey", "name": "Authorization", "in": "header",
            "x-amazon-apigateway-authtype": "cognito_user_pools",
            "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools",
                "providerARNs": [format!("arn:aws:cognito-idp:us-east-1:123456789012:userpool/{pool}")]}}}
    });
    let rest = write(dir.path(), "rest.json", &rest.to_string());
    let header = json!({"kid": "key-1", "alg": "RS256"});
    let claims = |iss: &str, scope: &str| {
        json!({"sub": "s", "iss": iss, "client_id": "4pq8client", "token_use": "access",
               "scope": scope, "iat": NOW - 60, "exp": NOW + 3000})
    };
    let now = NOW.to_string();
    let call = |token: String| {
        let auth = format!("Authorization: {token}");
        trace(&[
            "--export",
            &rest,
            "GET",
            "/orders",
            "-H",
            &auth,
            "--jwks",
            &issuer.jwks,
            "--now",
            &now,
            "--status",
            "200",
        ])
    };
    let (code, r) = call(issuer.sign(&header, &claims(ISS, "orders/read")));
    assert_eq!((code, status(&r)), (0, 200), "{r}");
    let (_, r) = call(issuer.sign(
        &header,
        &claims(
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other",
            "orders/read",
        ),
    ));
    assert_eq!(status(&r), 401);
    assert!(codes_of(&r).contains("authorizer.jwt-issuer"));

    let http = json!({
        "openapi": "3.0.1", "info": {"title": "simple", "version": "1"},
        "paths": {"/pets": {"get": {
            "security": [{"lambda-auth": []}],
            "responses": {"default": {"description": "d"}},
            "x-amazon-apigateway-integration": {"type": "aws_proxy", "httpMethod": "POST",
                "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pets/invocations",
                "payloadFormatVersion": "2.0"}
        }}},
        "components": {"securitySchemes": {"lambda-auth": {"type": "apiKey", "name": "X-Token", "in": "header",
            "x-amazon-apigateway-authorizer": {"type": "request", "identitySource": "$request.header.X-Token",
                "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations",
                "authorizerPayloadFormatVersion": "2.0", "enableSimpleResponses": true}}}}
    });
    let http = write(dir.path(), "http.json", &http.to_string());
    let no = write(dir.path(), "no.json", r#"{"isAuthorized": false}"#);
    let (_, r) = trace(&[
        "--export",
        &http,
        "GET",
        "/pets",
        "-H",
        "X-Token: t",
        "--authorizer-output",
        &no,
    ]);
    assert_eq!((status(&r), body(&r)), (403, r#"{"message":"Forbidden"}"#));
    assert!(codes_of(&r).contains("authorizer.simple-response-denied"));
    // No X-Token: 401 without a call.
    let (_, r) = trace(&["--export", &http, "GET", "/pets"]);
    assert_eq!(status(&r), 401);
}

/// A large JSON export is read a part at a time, keeping only the paths that could serve
/// the request: every trace gives the report the same definition read whole gives (its
/// YAML form is read whole), including the kind of API an integration 600 paths away
/// decides and the other methods a missing route names.
#[test]
fn a_large_export_read_in_parts_traces_as_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut api: Value = serde_json::from_str(&std::fs::read_to_string(SHOP).unwrap()).unwrap();
    let own = std::mem::take(api["paths"].as_object_mut().unwrap());
    let paths = api["paths"].as_object_mut().unwrap();
    for n in 0..700 {
        paths.insert(
            format!("/r{n}"),
            json!({"get": {"responses": {"200": {"description": "ok"}}, "x-amazon-apigateway-integration": {"type": "mock", "requestTemplates": {"application/json": "{\"statusCode\": 200}"}, "responses": {"default": {"statusCode": "200"}}}}}),
        );
        if n == 600 {
            paths.extend(own.clone());
        }
    }
    let same_everywhere = |api: &Value, runs: &[&[&str]]| {
        let json = write(dir.path(), "big.json", &api.to_string());
        let yaml = write(
            dir.path(),
            "big.yaml",
            &serde_saphyr::to_string(api).unwrap(),
        );
        let mut first = None;
        for args in runs {
            let with = |file: &str| {
                let mut all = vec!["--export", file];
                all.extend_from_slice(args);
                let (code, mut r) = trace(&all);
                r["target"] = Value::Null;
                (code, r)
            };
            let (parts, whole) = (with(&json), with(&yaml));
            assert_eq!(parts, whole, "{args:?}");
            first.get_or_insert(parts.1);
        }
        // The first request's report, read in parts.
        first.unwrap()
    };
    let order: &[&str] = &[
        "POST",
        "/orders",
        "-H",
        "Authorization: Bearer eyJhbGciOi.abc",
        "-H",
        "x-api-key: 6Jf2kLp0aQ",
        "--authorizer-output",
        "examples/trace/authorizer-allow-all.json",
        "--body",
        "examples/trace/order.json",
        "--lambda-output",
        "examples/trace/create-order-output.json",
    ];
    let r = same_everywhere(
        &api,
        &[
            order,
            &["DELETE", "/orders/o-1"],
            &["GET", "/r699"],
            &["GET", "/nowhere"],
        ],
    );
    assert_eq!(status(&r), 201, "{r}");
    assert_eq!(r["result"]["api"], "rest");
    // One integration with an HTTP API's integrationSubtype, far from the route: an HTTP API.
    api["paths"]["/r3"]["get"]["x-amazon-apigateway-integration"] = json!({"type": "aws_proxy", "integrationSubtype": "SQS-SendMessage", "payloadFormatVersion": "1.0"});
    let r = same_everywhere(&api, &[&["DELETE", "/orders/o-1"], order]);
    assert_eq!(r["result"]["api"], "http", "{r}");
    assert_eq!(status(&r), 404, "{r}");
}

/// A call traced through a template's REST method says whether API Gateway may invoke its
/// Lambda function: no permission for it in the template (a warning: one may be made
/// elsewhere), a permission whose SourceArn names the API by its logical id (an error), or a
/// role on the integration (nothing to say). A Terraform state's methods the same way.
#[test]
fn a_traced_call_says_whether_api_gateway_may_invoke_the_function() {
    let path = "tests/iac/lambda-permissions.yaml";
    let permission_codes = |verb: &str| -> Vec<String> {
        let (_, report) = trace(&["--export", path, verb, "/orders"]);
        codes_of(&report)
            .into_iter()
            .filter(|c| c.starts_with("lint.lambda-permission"))
            .collect()
    };
    assert_eq!(permission_codes("GET"), ["lint.lambda-permission-missing"]);
    assert_eq!(
        permission_codes("POST"),
        ["lint.lambda-permission-source-arn"]
    );
    assert!(permission_codes("PUT").is_empty());
    // Terraform's state (its main.tf has no aws_lambda_permission): the traced method's
    // function only.
    let (_, report) = trace(&[
        "--export",
        "tests/iac/terraform/state.json",
        "POST",
        "/orders",
    ]);
    let missing = findings_with(&report, "lint.lambda-permission-missing");
    assert_eq!(missing.len(), 1, "{report}");
    assert_eq!(
        missing[0]["evidence"]["function"],
        "aws_lambda_function.create"
    );
}

/// An HTTP API's traced route says whether API Gateway may invoke its Lambda authorizer's
/// function: SAM CLI's HttpApi template with its authorizer's permission taken out (SAM writes
/// none for an HttpApi's authorizer by default), and as written (nothing to say).
#[test]
fn a_traced_http_route_says_whether_api_gateway_may_invoke_its_authorizer() {
    const SAM_HTTP: &str = "tests/iac/sam-cli-http-authorizers.yaml";
    let text = std::fs::read_to_string(SAM_HTTP).unwrap();
    let block = "  AuthorizerPermission:\n    Type: AWS::Lambda::Permission\n    Properties:\n      FunctionName: !Ref AuthorizerFunction\n      Action: lambda:InvokeFunction\n      Principal: apigateway.amazonaws.com\n";
    assert!(text.contains(block));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, text.replace(block, "")).unwrap();
    let call = |file: &str| {
        trace(&[
            "--export",
            file,
            "GET",
            "/requestauthorizer?query=q",
            "-H",
            "header: h",
        ])
        .1
    };
    let report = call(path.to_str().unwrap());
    assert_eq!(report["result"]["api"], "http", "{report}");
    let found = findings_with(&report, "lint.authorizer-permission-missing");
    assert_eq!(found.len(), 1, "{report}");
    assert_eq!(found[0]["evidence"]["function"], "AuthorizerFunction");
    assert_eq!(
        found[0]["evidence"]["methods"][0],
        "[GET:/requestauthorizer]"
    );
    let report = call(SAM_HTTP);
    assert!(
        !codes_of(&report).iter().any(|c| c.contains("permission")),
        "{report}"
    );
}
