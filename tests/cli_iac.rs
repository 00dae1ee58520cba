//! Infrastructure as code end to end: real `cdk synth` outputs (the AWS CDK's integration-test
//! snapshots, see tests/iac/README.md), a hand-written CloudFormation template in resource form
//! with short-form intrinsics, and Terraform's JSON for a plan and a state (hand-made in the
//! documented format: no terraform binary can be installed here). Each command that reads a
//! definition reads them, and findings point at the user's own resource and line.
mod support;
use serde_json::Value;
use support::*;

const CDK_NONPROXY: &str = "tests/iac/cdk-lambda-nonproxy.template.json";
const CDK_TOKEN: &str = "tests/iac/cdk-token-authorizer.template.json";
const PETS: &str = "tests/iac/pets-resources.yaml";
const PLAN: &str = "tests/iac/terraform/plan.json";
const STATE: &str = "tests/iac/terraform/state.json";

fn json_run(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["-o", "json"];
    all.extend_from_slice(args);
    let r = run(&all);
    assert!(r.code == 0 || r.code == 1, "{args:?}: {}", r.stderr);
    (r.code, r.one_json())
}

/// The line (1-based) of the first line after `after` that contains `needle`.
fn line_of(file: &str, after: &str, needle: &str) -> u64 {
    let text = std::fs::read_to_string(file).unwrap();
    let start = text.find(after).unwrap();
    let at = start + text[start..].find(needle).unwrap();
    text[..at].matches('\n').count() as u64 + 1
}

/// The CDK's Lambda non-proxy integration sample: every function error answers 200, and the
/// 200 has no method response; both point at the Method resource's integration response.
#[test]
fn cdk_synth_resource_form_is_linted_where_it_is_written() {
    let (code, j) = json_run(&["lint", CDK_NONPROXY]);
    assert_eq!(code, 1);
    assert_eq!(j["result"]["methods"], 2);
    let errors = findings_with(&j, "lint.errors-as-2xx");
    assert_eq!(errors.len(), 2, "{j}");
    let proxy = errors
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("[ANY:/{proxy+}]"))
        .unwrap();
    assert_eq!(
        proxy["evidence"]["location"],
        "$.Resources.lambdarestapiproxyANYC900233F.Properties.Integration.IntegrationResponses[0]"
    );
    assert_eq!(
        proxy["evidence"]["line"],
        line_of(
            CDK_NONPROXY,
            "\"lambdarestapiproxyANYC900233F\": {",
            "\"ResponseTemplates\""
        ) - 1
    );
    assert_eq!(
        findings_with(&j, "lint.response-without-method-response").len(),
        2
    );
    let read = findings_with(&j, "source.read");
    assert!(
        read[0]["message"]
            .as_str()
            .unwrap()
            .contains("CloudFormation template: 1 REST API, 2 methods, 6 unresolved references"),
        "{j}"
    );
    // --parameter decides the pseudo parameters; the function's ARN stays a placeholder.
    let (_, j) = json_run(&[
        "--parameter",
        "AWS::Region=eu-west-1",
        "--parameter",
        "AWS::Partition=aws",
        "lint",
        CDK_NONPROXY,
    ]);
    assert_eq!(
        findings_with(&j, "source.read")[0]["evidence"]["unresolved"],
        2
    );
}

/// SARIF annotates the template itself, at the resource's line.
#[test]
fn sarif_points_at_the_template() {
    let r = run(&["-o", "sarif", "lint", CDK_NONPROXY]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let log: Value = serde_json::from_str(&r.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let errors: Vec<&Value> = results
        .iter()
        .filter(|r| r["ruleId"] == "lint.errors-as-2xx")
        .collect();
    assert_eq!(errors.len(), 2);
    for e in errors {
        let physical = &e["locations"][0]["physicalLocation"];
        assert!(
            physical["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .ends_with("cdk-lambda-nonproxy.template.json"),
            "{physical}"
        );
        assert!(physical["region"]["startLine"].as_u64().unwrap() > 200);
    }
}

/// The CDK's token authorizer sample: its CORS preflight mock (`{ statusCode: 200 }`, not
/// JSON, works on AWS) is not flagged, the missing CORS on gateway responses is; trace runs
/// the authorizer from the Authorizer resource and the preflight to its 204.
#[test]
fn cdk_token_authorizer_and_cors_preflight() {
    let (_, j) = json_run(&["lint", CDK_TOKEN]);
    assert!(
        findings_with(&j, "template.output-not-json").is_empty(),
        "{j}"
    );
    assert_eq!(
        findings_with(&j, "lint.gateway-responses-without-cors").len(),
        1
    );
    let (code, j) = json_run(&["trace", "--export", CDK_TOKEN, "GET", "/"]);
    assert_eq!(code, 1);
    assert_eq!(j["result"]["response"]["status"], 401);
    assert!(!findings_with(&j, "authorizer.identity-source-missing").is_empty());
    let (_, j) = json_run(&[
        "trace",
        "--export",
        CDK_TOKEN,
        "GET",
        "/",
        "-H",
        "Authorization: allow",
        "--authorizer-output",
        "examples/trace/authorizer-allow-all.json",
    ]);
    assert_eq!(j["result"]["response"]["status"], 200, "{j}");
    assert_eq!(
        j["result"]["stages"][0]["decided_by"],
        "ANY / ($.Resources.MyRestApiANY05143F93)"
    );
    let (_, j) = json_run(&["trace", "--export", CDK_TOKEN, "OPTIONS", "/"]);
    let response = &j["result"]["response"];
    assert_eq!(response["status"], 204);
    assert!(
        response["headers"]
            .to_string()
            .contains("Access-Control-Allow-Origin")
    );
}

/// A hand-written template: parameters and conditions decide `Fn::Sub` and `Fn::If`, a model
/// and a validator refuse a body, request parameters map the path into the URI, a definition
/// in S3 is named as not readable.
#[test]
fn hand_written_template_with_intrinsics() {
    let (_, j) = json_run(&["lint", PETS]);
    let unreadable = findings_with(&j, "source.not-readable");
    assert_eq!(unreadable.len(), 1);
    assert!(
        unreadable[0]["message"]
            .as_str()
            .unwrap()
            .contains("BodyS3Location")
    );
    assert_eq!(
        findings_with(&j, "source.read")[0]["evidence"]["unresolved"],
        0
    );
    // The template's stages: dev lacks the variable the POST integration needs.
    let undefined = findings_with(&j, "lint.stage-variable-undefined");
    assert_eq!(undefined.len(), 1, "{j}");
    assert_eq!(undefined[0]["evidence"]["stage"], "dev");
    assert_eq!(
        undefined[0]["evidence"]["location"],
        "$.Resources.PostPet.Properties.Integration"
    );
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("rex.json");
    std::fs::write(&good, r#"{"name": "rex"}"#).unwrap();
    // trace --stage prod takes that stage's variables.
    let (_, j) = json_run(&[
        "trace",
        "--export",
        PETS,
        "POST",
        "https://abc123.execute-api.us-east-1.amazonaws.com/prod/pets",
        "--body",
        good.to_str().unwrap(),
        "--status",
        "201",
    ]);
    assert_eq!(
        stage(&j, "integration-request")["detail"]["uri"],
        "https://pets.internal.example.com/pets"
    );
    let body = dir.path().join("pet.json");
    std::fs::write(&body, r#"{"age": -1}"#).unwrap();
    let (code, j) = json_run(&[
        "validate",
        "--export",
        PETS,
        "--method",
        "POST",
        "--path",
        "/pets",
        "--body",
        body.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert_eq!(j["result"]["status"], 400);
    assert_eq!(j["result"]["model"], "NewPet");
    // The API's own DEFAULT_4XX (a GatewayResponse resource) adds its CORS header.
    assert!(
        j["result"]["headers"]
            .to_string()
            .contains("Access-Control-Allow-Origin")
    );
    let uri = |params: &[&str]| {
        let mut args: Vec<&str> = params.to_vec();
        args.extend([
            "trace",
            "--export",
            PETS,
            "GET",
            "/pets/7",
            "-H",
            "x-tenant: a",
            "--status",
            "200",
        ]);
        let (_, j) = json_run(&args);
        stage(&j, "integration-request")["detail"]["uri"].clone()
    };
    assert_eq!(uri(&[]), "https://pets.internal.example.com/pets/7");
    assert_eq!(
        uri(&[
            "--parameter",
            "Stage=dev",
            "--parameter",
            "LegacyHost=old.example.com"
        ]),
        "https://old.example.com/pets/7"
    );
    // The RestApi's Policy is the API's resource policy, for `policy` and for `trace`.
    let (code, j) = json_run(&[
        "policy",
        PETS,
        "--principal",
        "*",
        "--resource",
        "arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/pets",
        "--source-ip",
        "198.51.100.7",
    ]);
    assert_eq!(code, 1);
    assert_eq!(j["target"], format!("{PETS}#PetsApi"));
    assert_eq!(j["result"]["decision"], "explicit-deny");
    // The deciding statement, where the template writes it.
    let deny = findings_with(&j, "policy.explicit-deny");
    assert_eq!(
        deny[0]["evidence"]["location"],
        "$.Resources.PetsApi.Properties.Policy.Statement[1]"
    );
    assert_eq!(
        deny[0]["evidence"]["line"],
        line_of(PETS, "Statement:", "- Effect: Deny")
    );
    // Without LegacyHost the dev branch is a placeholder, and says so.
    assert_eq!(
        uri(&["--parameter", "Stage=dev"]),
        "https://${LegacyHost}/pets/7"
    );
}

/// A plan: links come from the configuration's references (ids are known after apply), the
/// Lambda URIs from `invoke_arn`'s documented shape; the missing 400 method response points at
/// the aws_api_gateway_integration_response resource.
#[test]
fn terraform_plan() {
    let (code, j) = json_run(&["lint", PLAN]);
    assert_eq!(code, 1);
    let missing = findings_with(&j, "lint.response-without-method-response");
    assert_eq!(missing.len(), 1, "{j}");
    assert_eq!(
        missing[0]["evidence"]["location"],
        "$.planned_values.root_module.resources[7]"
    );
    assert_eq!(
        missing[0]["evidence"]["line"],
        line_of(
            PLAN,
            "\"address\": \"aws_api_gateway_integration_response.create_400\"",
            "\"address\""
        ) - 1
    );
    let read = findings_with(&j, "source.read")[0]["message"]
        .as_str()
        .unwrap();
    assert!(
        read.contains("Terraform JSON: 1 REST API, 2 methods"),
        "{read}"
    );
    assert!(!findings_with(&j, "source.unresolved").is_empty());
    // The Lambda integration is recognised (its pattern matches errorMessage, not a status).
    assert!(
        findings_with(&j, "selection.no-status-match").is_empty(),
        "{j}"
    );
    let (_, j) = json_run(&[
        "trace",
        "--export",
        PLAN,
        "POST",
        "/orders",
        "-H",
        "x-api-key: k",
        "--lambda-output",
        "examples/trace/create-order-error.json",
        "--function-error",
        "Unhandled",
    ]);
    assert_eq!(
        j["result"]["stages"][6]["detail"]["selected"]["pattern"],
        ".*InvalidOrder.*"
    );
    assert_eq!(j["result"]["response"]["status"], 500);
}

/// A state: every id is known, so every link and URI is.
#[test]
fn terraform_state() {
    let (_, j) = json_run(&["lint", STATE]);
    assert_eq!(
        findings_with(&j, "source.read")[0]["evidence"]["unresolved"],
        0
    );
    let (code, j) = json_run(&[
        "trace",
        "--export",
        STATE,
        "GET",
        "/orders/o-1",
        "--lambda-output",
        "examples/trace/list-orders-output.json",
    ]);
    assert_eq!(code, 0, "{j}");
    assert_eq!(j["result"]["response"]["status"], 200);
    assert_eq!(
        j["result"]["stages"][4]["detail"]["uri"],
        "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:get-order/invocations"
    );
    let (_, j) = json_run(&[
        "selection",
        "--export",
        STATE,
        "--method",
        "POST",
        "--path",
        "/orders",
        "--error-message",
        "InvalidOrder: no stock",
    ]);
    assert_eq!(j["result"]["client_status"], 500, "{j}");
}

/// SAM's implicit APIs: the Api events' REST APIs (implicit and explicit, with the explicit
/// one's token authorizer and request model), the HttpApi event's HTTP API with its JWT
/// authorizer; each route names its function's event.
#[test]
fn sam_implicit_apis_from_function_events() {
    const SAM: &str = "tests/iac/sam-events.yaml";
    let (_, j) = json_run(&["lint", SAM]);
    let read = findings_with(&j, "source.read")[0]["message"]
        .as_str()
        .unwrap();
    assert!(
        read.contains("SAM template: 2 REST APIs, 1 HTTP API, 3 methods"),
        "{read}"
    );
    let (code, j) = json_run(&[
        "trace",
        "--export",
        SAM,
        "GET",
        "/hello",
        "--lambda-output",
        "examples/trace/list-orders-output.json",
    ]);
    assert_eq!(code, 0, "{j}");
    assert_eq!(j["result"]["api"], "rest");
    assert_eq!(
        j["result"]["stages"][0]["decided_by"],
        "GET /hello ($.Resources.HelloWorldFunction.Properties.Events.HelloWorld)"
    );
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("order.json");
    std::fs::write(&body, r#"{"qty": 1}"#).unwrap();
    let (_, j) = json_run(&[
        "trace",
        "--export",
        SAM,
        "POST",
        "/orders",
        "-H",
        "Authorization: t",
        "--authorizer-output",
        "examples/trace/authorizer-allow-all.json",
        "--body",
        body.to_str().unwrap(),
    ]);
    assert_eq!(j["result"]["response"]["status"], 400, "{j}");
    assert_eq!(
        stages_of(&j),
        ["route", "authorizer", "api-key", "validation"]
    );
    let (_, j) = json_run(&["trace", "--export", SAM, "GET", "/orders"]);
    assert_eq!(j["result"]["api"], "http");
    assert_eq!(j["result"]["response"]["status"], 401);
    // --api picks one API of the template: the REST API has no GET /orders.
    let (_, j) = json_run(&[
        "trace",
        "--export",
        SAM,
        "GET",
        "/orders",
        "--api",
        "OrdersApi",
    ]);
    assert_eq!(j["result"]["api"], "rest");
    assert_eq!(j["result"]["response"]["status"], 403);
    let r = run(&["trace", "--export", SAM, "GET", "/orders", "--api", "Nope"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("OrdersApi, OrdersHttpApi, ServerlessRestApi"),
        "{}",
        r.stderr
    );
}

/// The CDK's HTTP API Lambda proxy sample (`AWS::ApiGatewayV2::*`): its `$default` route
/// serves every path with payload format 2.0.
#[test]
fn cdk_http_api_resource_form() {
    const HTTP: &str = "tests/iac/cdk-http-lambda-proxy.template.json";
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    std::fs::write(&out, r#"{"statusCode": 200, "body": "success"}"#).unwrap();
    let (code, j) = json_run(&[
        "trace",
        "--export",
        HTTP,
        "GET",
        "/anything/at/all",
        "--lambda-output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{j}");
    assert_eq!(j["result"]["api"], "http");
    assert_eq!(j["result"]["resource"], "$default");
    assert_eq!(j["result"]["response"]["body"], "success");
    let (_, j) = json_run(&["lint", HTTP]);
    assert!(
        findings_with(&j, "source.read")[0]["message"]
            .as_str()
            .unwrap()
            .contains("1 HTTP API, 1 method")
    );
}

fn stage<'a>(j: &'a Value, name: &str) -> &'a Value {
    j["result"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == name)
        .unwrap_or_else(|| panic!("no stage {name}: {j}"))
}

fn stages_of(j: &Value) -> Vec<String> {
    j["result"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap().to_string())
        .collect()
}

/// Terraform's `aws_apigatewayv2_*` resources: routes find their integrations through
/// `target = "integrations/ID"`, the JWT authorizer and the 500 → 503 response mapping apply.
#[test]
fn terraform_http_api() {
    const HTTP_STATE: &str = "tests/iac/terraform/http-state.json";
    let (_, j) = json_run(&[
        "trace",
        "--export",
        HTTP_STATE,
        "GET",
        "/legacy/x",
        "--status",
        "500",
    ]);
    assert_eq!(j["result"]["resource"], "$default");
    assert_eq!(j["result"]["response"]["status"], 503, "{j}");
    assert_eq!(
        stage(&j, "route")["decided_by"],
        "ANY $default ($.values.root_module.resources[5])"
    );
    // The prod stage's variables fill the legacy URI; the $default stage lacks them.
    let (_, j) = json_run(&[
        "trace",
        "--export",
        HTTP_STATE,
        "GET",
        "https://h7tq2m9x1c.execute-api.us-east-1.amazonaws.com/prod/legacy/x",
        "--status",
        "200",
    ]);
    assert_eq!(
        stage(&j, "integration-request")["detail"]["uri"],
        "https://legacy.example.com/{proxy}"
    );
    let (_, j) = json_run(&["lint", HTTP_STATE]);
    let undefined = findings_with(&j, "lint.stage-variable-undefined");
    assert_eq!(undefined.len(), 1, "{j}");
    assert_eq!(undefined[0]["evidence"]["stage"], "$default");
    let (code, j) = json_run(&["trace", "--export", HTTP_STATE, "GET", "/pets"]);
    assert_eq!(code, 1);
    assert_eq!(j["result"]["response"]["status"], 401);
    let read = findings_with(&j, "source.read")[0]["message"]
        .as_str()
        .unwrap();
    assert!(
        read.contains("Terraform JSON: 1 HTTP API, 2 methods"),
        "{read}"
    );
}

/// `cloudfront` on a template: the distribution read into the API's shape (lists as
/// `{Quantity, Items}`, `OriginSSLProtocols`), the custom domain's base path mapping from the
/// same template (`Ref ApiDomain` is the domain name), and the four mistakes it holds.
#[test]
fn cloudfront_distribution_in_a_template() {
    const SHOP: &str = "tests/iac/shop-cloudfront.yaml";
    let (code, j) = json_run(&[
        "cloudfront",
        SHOP,
        "--url",
        "https://shop.example.com/v1/orders",
    ]);
    assert_eq!(code, 1);
    assert_eq!(j["target"], format!("{SHOP}#ShopDistribution"));
    for code in [
        "cloudfront.origin-not-https-only",
        "cloudfront.host-header-forwarded",
        "cloudfront.unmapped-path",
        "cloudfront.methods-not-allowed",
    ] {
        assert_eq!(findings_with(&j, code).len(), 1, "{code}: {j}");
    }
    // Each finding points at the distribution in the template, with its line.
    for f in j["findings"].as_array().unwrap() {
        assert_eq!(
            f["evidence"]["location"], "$.Resources.ShopDistribution.Properties.DistributionConfig",
            "{f}"
        );
        assert!(f["evidence"]["line"].as_u64().unwrap() > 40, "{f}");
    }
    let origin = &j["result"]["origins"][0];
    assert_eq!(origin["domain_name"], "api.shop.example.com");
    assert_eq!(origin["mappings"][0]["base_path"], "v1");
    assert_eq!(origin["mappings"][0]["api_id"], "${ShopApi}");
    let r = run(&["cloudfront", SHOP, "--distribution", "Other"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
}

/// Terraform's `aws_cloudfront_distribution` (blocks as lists of one, snake case) with the
/// state's `aws_api_gateway_base_path_mapping`: the SPA error pages that hide the API's errors
/// and the origin path that no base path covers.
#[test]
fn terraform_cloudfront_distribution() {
    const CDN: &str = "tests/iac/terraform/cdn-state.json";
    let (code, j) = json_run(&[
        "cloudfront",
        CDN,
        "--url",
        "https://shop.example.com/v1/orders",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        j["target"],
        format!("{CDN}#aws_cloudfront_distribution.shop")
    );
    assert_eq!(
        findings_with(&j, "cloudfront.error-pages-hide-api-errors").len(),
        1
    );
    assert_eq!(findings_with(&j, "cloudfront.unmapped-path").len(), 1);
    // Managed policies that drop Host: not flagged.
    assert!(findings_with(&j, "cloudfront.host-header-forwarded").is_empty());
    let origin = &j["result"]["origins"][0];
    assert_eq!(origin["protocol_policy"], "https-only");
    assert_eq!(origin["mappings"][0]["api_id"], "k8w2q4x7zd");
}

/// `lint --vpc-link` on a template: a literal connection id is a definite holder at its
/// resource's line, a `Ref` to the template's VpcLink a "may" (its id is decided at deploy).
#[test]
fn vpc_link_holders_in_a_template() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("vl.yaml");
    std::fs::write(
        &template,
        r#"Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: vl}
  Link:
    Type: AWS::ApiGateway::VpcLink
    Properties: {Name: nlb, TargetArns: [arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/nlb/abc]}
  Orders:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: orders}
  GetOrders:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Orders
      HttpMethod: GET
      AuthorizationType: NONE
      Integration: {Type: HTTP_PROXY, IntegrationHttpMethod: GET, Uri: http://nlb.internal/orders, ConnectionType: VPC_LINK, ConnectionId: !Ref Link}
  PostOrders:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Orders
      HttpMethod: POST
      AuthorizationType: NONE
      Integration: {Type: HTTP_PROXY, IntegrationHttpMethod: POST, Uri: http://nlb.internal/orders, ConnectionType: VPC_LINK, ConnectionId: vl-abc123}
"#,
    )
    .unwrap();
    let (code, j) = json_run(&[
        "lint",
        template.to_str().unwrap(),
        "--vpc-link",
        "vl-abc123",
    ]);
    assert_eq!(code, 1);
    let used = findings_with(&j, "lint.vpc-link-in-use");
    assert_eq!(used.len(), 1);
    assert_eq!(
        used[0]["evidence"]["location"],
        "$.Resources.PostOrders.Properties.Integration"
    );
    assert_eq!(used[0]["evidence"]["line"], 26);
    assert_eq!(
        findings_with(&j, "lint.vpc-link-unresolved-reference").len(),
        1
    );
}

/// SAM CLI's own integration-test template for Lambda authorizers (verbatim): the method's
/// authorizer is `!Ref AuthOverride` (default Token: a header), and `--parameter` picks the
/// REQUEST authorizer, whose header and query string must both be present.
#[test]
fn sam_cli_lambda_authorizers_template() {
    const A: &str = "tests/iac/sam-cli-lambda-authorizers.yaml";
    let (_, j) = json_run(&["trace", "--export", A, "GET", "/requestauthorizer"]);
    assert_eq!(j["result"]["response"]["status"], 401);
    assert!(
        stage(&j, "authorizer")["decided_by"]
            .as_str()
            .unwrap()
            .contains("\"Token\" (TOKEN), header header")
    );
    let request = |target: &str| {
        json_run(&[
            "--parameter",
            "AuthOverride=Request",
            "trace",
            "--export",
            A,
            "GET",
            target,
            "-H",
            "header: h",
            "--authorizer-output",
            "examples/trace/authorizer-allow-all.json",
            "--lambda-output",
            "examples/trace/list-orders-output.json",
        ])
        .1
    };
    let j = request("/requestauthorizer");
    assert_eq!(j["result"]["response"]["status"], 401);
    assert!(
        stage(&j, "authorizer")["decided_by"]
            .as_str()
            .unwrap()
            .contains("query string parameter query")
    );
    let j = request("/requestauthorizer?query=q");
    assert_eq!(j["result"]["response"]["status"], 200, "{j}");
}

/// An explicit API with an inline DefinitionBody and function events. A REST API's own
/// definition is the user's: SAM adds an event's operation to it only with MergeDefinitions,
/// else only the function's permission (samtranslator push.py; SAM's translator test
/// explicit_api_with_invalid_events_config keeps such an event's path out of the definition).
/// An HTTP API's event fills in its operation's missing integration, and creates the route.
#[test]
fn sam_events_and_inline_definitions() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.yaml");
    let text = r#"Transform: AWS::Serverless-2016-10-31
Resources:
  PetsApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        swagger: "2.0"
        info: {title: pets, version: "1"}
        paths:
          /pets:
            get:
              responses: {"200": {description: ok}}
  PetsHttp:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        openapi: "3.0.1"
        info: {title: pets-http, version: "1"}
        paths: {}
  ListPets:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Runtime: nodejs20.x
      Events:
        List:
          Type: Api
          Properties: {RestApiId: !Ref PetsApi, Path: /pets, Method: get}
        Missing:
          Type: Api
          Properties: {RestApiId: !Ref PetsApi, Path: /cats, Method: get}
        Http:
          Type: HttpApi
          Properties: {ApiId: !Ref PetsHttp, Path: /pets, Method: get}
"#;
    std::fs::write(&template, text).unwrap();
    let t = template.to_str().unwrap();
    let (code, j) = json_run(&["lint", t]);
    assert_eq!(code, 1, "{j}");
    // GET /pets keeps the definition's operation as written: without an integration.
    let without = findings_with(&j, "lint.method-without-integration");
    assert_eq!(without.len(), 1, "{j}");
    assert_eq!(without[0]["evidence"]["method"], "[GET:/pets]", "{j}");
    // GET /cats is not in the definition: SAM writes only the permission.
    let outside = findings_with(&j, "lint.sam-event-not-in-definition");
    assert_eq!(outside.len(), 1, "{j}");
    assert_eq!(outside[0]["severity"], "error");
    let message = outside[0]["message"].as_str().unwrap();
    assert!(
        message.contains("GET /cats") && message.contains("Missing Authentication Token"),
        "{message}"
    );
    assert_eq!(
        outside[0]["evidence"]["location"],
        "$.Resources.ListPets.Properties.Events.Missing"
    );
    assert!(
        findings_with(&j, "source.read")[0]["message"]
            .as_str()
            .unwrap()
            .contains("1 REST API, 1 HTTP API, 2 methods"),
        "{j}"
    );
    let (code, j) = json_run(&["trace", "--export", t, "GET", "/pets"]);
    assert_ne!(code, 0, "{j}");
    assert_eq!(
        stage(&j, "integration-request")["decided_by"],
        "no integration in the definition",
        "{j}"
    );

    // With MergeDefinitions SAM adds both events' operations, and GET /pets reaches the
    // function.
    std::fs::write(
        &template,
        text.replace(
            "      StageName: prod\n",
            "      StageName: prod\n      MergeDefinitions: true\n",
        ),
    )
    .unwrap();
    let (code, j) = json_run(&["lint", t]);
    assert!(
        findings_with(&j, "lint.sam-event-not-in-definition").is_empty()
            && findings_with(&j, "lint.method-without-integration").is_empty(),
        "{j}"
    );
    assert_eq!(code, 0, "{j}");
    let (code, j) = json_run(&[
        "trace",
        "--export",
        t,
        "GET",
        "/pets",
        "--lambda-output",
        "examples/trace/list-orders-output.json",
    ]);
    assert_eq!(code, 0, "{j}");
    assert_eq!(j["result"]["api"], "rest");
    // The operation is the user's own: its location stays in their DefinitionBody.
    assert_eq!(
        stage(&j, "route")["decided_by"],
        "GET /pets ($.Resources.PetsApi.Properties.DefinitionBody.paths['/pets'].get)"
    );
}

/// A Lambda integration must call the function with POST, whatever method clients call:
/// Lambda's Invoke API takes nothing else, and API Gateway answers every request 500 (AWS
/// knowledge-center article "api-gateway-lambda-template-invoke-error"). Hand-written
/// definitions copy the client's method; here the same real-shaped documents with that one
/// change: Terraform's state, a `cdk synth` template and a Swagger export.
#[test]
fn a_lambda_integration_that_is_not_called_with_post() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            STATE,
            "\"integration_http_method\": \"POST\"",
            "\"integration_http_method\": \"GET\"",
            "GET",
            "state.json",
        ),
        (
            CDK_NONPROXY,
            "\"IntegrationHttpMethod\": \"POST\"",
            "\"IntegrationHttpMethod\": \"ANY\"",
            "ANY",
            "cdk.template.json",
        ),
        (
            "examples/trace/shop-swagger.json",
            "\"type\": \"aws_proxy\",\n          \"httpMethod\": \"POST\"",
            "\"type\": \"aws_proxy\",\n          \"httpMethod\": \"GET\"",
            "GET",
            "shop-swagger.json",
        ),
    ];
    for (original, from, to, method, name) in cases {
        let (_, j) = json_run(&["lint", original]);
        assert!(
            findings_with(&j, "lint.lambda-integration-not-post").is_empty(),
            "{original}: {j}"
        );
        let text = std::fs::read_to_string(original).unwrap();
        assert!(text.contains(from), "{original}");
        let path = dir.path().join(name);
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        let (code, j) = json_run(&["lint", path.to_str().unwrap()]);
        assert_eq!(code, 1, "{name}");
        let found = findings_with(&j, "lint.lambda-integration-not-post");
        assert_eq!(found.len(), 1, "{name}: {j}");
        let f = found[0];
        assert_eq!(f["severity"], "error");
        assert_eq!(f["evidence"]["integration_http_method"], method);
        assert!(
            f["evidence"]["uri"]
                .as_str()
                .is_some_and(|u| u.contains(":lambda:path/")),
            "{f}"
        );
        assert!(f["evidence"]["line"].as_u64().is_some(), "{f}");
        assert_eq!(f["article"], "configuration-error");
        assert!(
            f["message"]
                .as_str()
                .unwrap()
                .contains("Unable to determine service/operation name to be authorized"),
            "{f}"
        );
    }
    // The execution log line it causes is the same article's symptom.
    let j = run(&[
        "-o",
        "json",
        "kb",
        "search",
        "Endpoint response body before transformations: <AccessDeniedException> <Message>Unable to determine service/operation name to be authorized</Message> </AccessDeniedException>",
    ])
    .one_json();
    assert_eq!(j["result"]["hits"][0]["id"], "configuration-error", "{j}");
    assert_eq!(j["result"]["hits"][0]["weak"], false, "{j}");
}

/// A stage that turns execution logging on fails to deploy unless the account's API Gateway
/// settings name a CloudWatch Logs role. The CDK's RestApi integration-test output (an excerpt:
/// see tests/iac/README.md) creates that role with AWS::ApiGateway::Account: nothing to say.
/// Without the account resource (what CDK v2 writes by default, `cloudWatchRole: false`) the
/// stage's resource is named, and the same for a Terraform state with method settings.
#[test]
fn logging_without_the_account_role() {
    const CDK_LOGGING: &str = "tests/iac/cdk-restapi-logging.template.json";
    const CODE: &str = "lint.logging-without-account-role";
    let (_, j) = json_run(&["lint", CDK_LOGGING]);
    assert!(findings_with(&j, CODE).is_empty(), "{j}");

    let dir = tempfile::tempdir().unwrap();
    let mut t: Value =
        serde_json::from_str(&std::fs::read_to_string(CDK_LOGGING).unwrap()).unwrap();
    let resources = t["Resources"].as_object_mut().unwrap();
    resources.remove("myapiAccountEC421A0A");
    resources.remove("myapiCloudWatchRole095452E5");
    resources["myapiDeploymentStagebeta96434BEB"]
        .as_object_mut()
        .unwrap()
        .remove("DependsOn");
    let cdk = dir.path().join("cdk-v2.template.json");
    std::fs::write(&cdk, serde_json::to_string_pretty(&t).unwrap()).unwrap();
    let (_, j) = json_run(&["lint", cdk.to_str().unwrap()]);
    let found = findings_with(&j, CODE);
    assert_eq!(found.len(), 1, "{j}");
    assert_eq!(found[0]["severity"], "warning");
    assert_eq!(
        found[0]["evidence"]["resource"],
        "myapiDeploymentStagebeta96434BEB"
    );
    assert_eq!(
        found[0]["evidence"]["setting"],
        "MethodSettings LoggingLevel: INFO"
    );
    assert_eq!(
        found[0]["evidence"]["line"],
        line_of(
            cdk.to_str().unwrap(),
            "\"myapiDeploymentStagebeta96434BEB\": {",
            "myapiDeploymentStagebeta96434BEB"
        )
    );
    assert_eq!(found[0]["article"], "execution-logging");

    // SAM: Globals.Api turns logging on for the template's REST APIs (here the `sam init`
    // shape, its globals grown by one setting).
    let sam = std::fs::read_to_string("tests/iac/sam-events.yaml").unwrap();
    let globals = "Globals:\n  Function:\n    Timeout: 3\n";
    assert!(sam.contains(globals));
    let sam = sam.replace(
        globals,
        "Globals:\n  Api:\n    MethodSettings:\n      - ResourcePath: '/*'\n        HttpMethod: '*'\n        LoggingLevel: ERROR\n  Function:\n    Timeout: 3\n",
    );
    let sam_path = dir.path().join("template.yaml");
    std::fs::write(&sam_path, sam).unwrap();
    let (_, j) = json_run(&["lint", sam_path.to_str().unwrap()]);
    let found = findings_with(&j, CODE);
    assert_eq!(found.len(), 1, "{j}");
    assert_eq!(found[0]["evidence"]["location"], "$.Globals.Api");
    assert_eq!(found[0]["evidence"]["line"], 12);

    // Terraform: `aws_api_gateway_method_settings` in the state, as the provider records it.
    let mut state: Value = serde_json::from_str(&std::fs::read_to_string(STATE).unwrap()).unwrap();
    let settings = serde_json::json!({
        "address": "aws_api_gateway_method_settings.all",
        "mode": "managed",
        "type": "aws_api_gateway_method_settings",
        "name": "all",
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "schema_version": 0,
        "values": {
            "id": "k8w2q4x7zd-prod-*/*",
            "method_path": "*/*",
            "rest_api_id": "k8w2q4x7zd",
            "stage_name": "prod",
            "settings": [{
                "cache_data_encrypted": false,
                "cache_ttl_in_seconds": 300,
                "caching_enabled": false,
                "data_trace_enabled": false,
                "logging_level": "INFO",
                "metrics_enabled": true,
                "require_authorization_for_cache_control": true,
                "throttling_burst_limit": -1,
                "throttling_rate_limit": -1,
                "unauthorized_cache_control_header_strategy": "SUCCEED_WITH_RESPONSE_HEADER"
            }]
        }
    });
    let list = state["values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap();
    let at = list.len();
    list.push(settings);
    let tf = dir.path().join("state.json");
    std::fs::write(&tf, serde_json::to_string_pretty(&state).unwrap()).unwrap();
    let (_, j) = json_run(&["lint", tf.to_str().unwrap()]);
    let found = findings_with(&j, CODE);
    assert_eq!(found.len(), 1, "{j}");
    assert_eq!(
        found[0]["evidence"]["resource"],
        "aws_api_gateway_method_settings.all"
    );
    assert_eq!(
        found[0]["evidence"]["location"],
        format!("$.values.root_module.resources[{at}]")
    );
    assert_eq!(
        found[0]["evidence"]["setting"],
        "settings.logging_level = INFO"
    );
    // With the account's role in the same configuration: nothing to say.
    state["values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "address": "aws_api_gateway_account.this",
            "mode": "managed",
            "type": "aws_api_gateway_account",
            "name": "this",
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "schema_version": 0,
            "values": {
                "cloudwatch_role_arn": "arn:aws:iam::123456789012:role/apigw-cloudwatch",
                "id": "api-gateway-account",
                "throttle_settings": [{"burst_limit": 5000, "rate_limit": 10000}]
            }
        }));
    std::fs::write(&tf, serde_json::to_string_pretty(&state).unwrap()).unwrap();
    let (_, j) = json_run(&["lint", tf.to_str().unwrap()]);
    assert!(findings_with(&j, CODE).is_empty(), "{j}");
}

/// A WebSocket stage's access logs need the account's CloudWatch Logs role too (the SST issue
/// sst/ion#373 fails on it); an HTTP API's do not. The aws-samples chat app's stage with
/// AccessLogSettings, and a Terraform state whose WebSocket stage logs access.
#[test]
fn websocket_access_logs_without_the_account_role() {
    const CODE: &str = "lint.logging-without-account-role";
    let chat = std::fs::read_to_string("tests/iac/simple-websockets-chat-app.yaml").unwrap();
    let stage = "      ApiId: !Ref SimpleChatWebSocket\n  ConnectionsTable:";
    assert!(chat.contains(stage));
    let logged = chat.replace(
        stage,
        "      ApiId: !Ref SimpleChatWebSocket\n      AccessLogSettings:\n        DestinationArn: !GetAtt AccessLogs.Arn\n        Format: '$context.requestId $context.eventType $context.routeKey $context.status'\n  ConnectionsTable:",
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chat.yaml");
    std::fs::write(&path, &logged).unwrap();
    let (_, j) = json_run(&["lint", path.to_str().unwrap()]);
    let found = findings_with(&j, CODE);
    assert_eq!(found.len(), 1, "{j}");
    assert_eq!(found[0]["evidence"]["resource"], "Stage");
    assert_eq!(found[0]["evidence"]["setting"], "AccessLogSettings");
    // The same stage on an HTTP API: HTTP APIs write access logs without the account's role.
    let http = logged.replace("ProtocolType: WEBSOCKET", "ProtocolType: HTTP");
    std::fs::write(&path, &http).unwrap();
    let (_, j) = json_run(&["lint", path.to_str().unwrap()]);
    assert!(findings_with(&j, CODE).is_empty(), "{j}");

    // Terraform state: the HTTP API's stage logs access (nothing to say), then a WebSocket API
    // whose stage does.
    let mut state: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/iac/terraform/http-state.json").unwrap(),
    )
    .unwrap();
    let access = serde_json::json!([{
        "destination_arn": "arn:aws:logs:eu-west-1:123456789012:log-group:access",
        "format": "$context.requestId $context.status"
    }]);
    let resources = state["values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap();
    for r in resources.iter_mut() {
        if r["type"] == "aws_apigatewayv2_stage" {
            r["values"]["access_log_settings"] = access.clone();
        }
    }
    let tf = dir.path().join("state.json");
    std::fs::write(&tf, serde_json::to_string_pretty(&state).unwrap()).unwrap();
    let (_, j) = json_run(&["lint", tf.to_str().unwrap()]);
    assert!(findings_with(&j, CODE).is_empty(), "{j}");
    let resources = state["values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap();
    resources.push(serde_json::json!({
        "address": "aws_apigatewayv2_api.chat", "mode": "managed", "type": "aws_apigatewayv2_api",
        "name": "chat", "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
        "values": {"id": "w3bs0ck3t1", "name": "chat", "protocol_type": "WEBSOCKET",
            "route_selection_expression": "$request.body.action",
            "api_endpoint": "wss://w3bs0ck3t1.execute-api.eu-west-1.amazonaws.com"}
    }));
    resources.push(serde_json::json!({
        "address": "aws_apigatewayv2_stage.chat", "mode": "managed", "type": "aws_apigatewayv2_stage",
        "name": "chat", "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
        "values": {"id": "prod", "api_id": "w3bs0ck3t1", "name": "prod", "auto_deploy": false,
            "access_log_settings": access, "default_route_settings": [], "route_settings": []}
    }));
    std::fs::write(&tf, serde_json::to_string_pretty(&state).unwrap()).unwrap();
    // Two reports: the HTTP API's (which carries the document's findings) and the WebSocket's.
    let reports = run(&["-o", "json", "lint", tf.to_str().unwrap()]).json();
    assert_eq!(reports.len(), 2, "{reports:?}");
    let found: Vec<&Value> = reports
        .iter()
        .flat_map(|j| findings_with(j, CODE))
        .collect();
    assert_eq!(found.len(), 1, "{reports:?}");
    assert_eq!(
        found[0]["evidence"]["resource"],
        "aws_apigatewayv2_stage.chat"
    );
    assert_eq!(found[0]["evidence"]["setting"], "access_log_settings");
}

/// A template the tool cannot read an API from is refused in one line that says what it holds
/// and what kept it from reading, never that reading resources is unsupported: only Lambda
/// functions; a method of an imported API (`Fn::ImportValue`); a definition in S3.
#[test]
fn a_template_without_a_readable_api_says_why() {
    let dir = tempfile::tempdir().unwrap();
    for (name, template, says) in [
        (
            "functions.yaml",
            "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: {Runtime: python3.12, Handler: app.handler, Code: {ZipFile: 'def handler(e, c): pass'}, Role: !GetAtt Role.Arn}\n",
            "no API Gateway definition at all",
        ),
        (
            "imported.yaml",
            "Resources:\n  Get:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      RestApiId: !ImportValue shared-api-id\n      ResourceId: !ImportValue shared-root-id\n      HttpMethod: GET\n      AuthorizationType: NONE\n      Integration: {Type: MOCK}\n",
            "Get: its RestApiId is not a Ref to a RestApi of this template",
        ),
        (
            "s3.yaml",
            "Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      Name: orders\n      BodyS3Location: {Bucket: defs, Key: orders.yaml}\n",
            "Api: its definition is in S3 (BodyS3Location)",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, template).unwrap();
        let r = run(&["lint", path.to_str().unwrap()]);
        assert_eq!(r.code, 2, "{name}: {}", r.stdout);
        assert_eq!(r.stderr.trim_end().lines().count(), 1, "{}", r.stderr);
        assert!(
            r.stderr.contains(says) && r.stderr.contains("lint --aws --rest-api-id"),
            "{name}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("not built"), "{}", r.stderr);
    }
    // A Terraform state with a custom domain and no REST API is named as what it is.
    let r = run(&["lint", "tests/iac/terraform/cdn-state.json"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("a Terraform plan or state with no REST API")
            && !r.stderr.contains("CloudFormation"),
        "{}",
        r.stderr
    );
}

/// A resource as a Terraform plan's `planned_values` or a state's `values` lists it.
fn tf_resource(kind: &str, name: &str, values: Value) -> Value {
    serde_json::json!({"address": format!("{kind}.{name}"), "mode": "managed", "type": kind,
        "name": name, "provider_name": "registry.terraform.io/hashicorp/aws",
        "schema_version": 0, "values": values, "sensitive_values": {}})
}

/// Terraform: `aws_lambda_permission` for API Gateway, by a name known in the state, or by the
/// configuration's reference when a plan knows the value only after apply. The hand-made
/// configuration (`main.tf`) has none: both functions are named until a permission covers one.
#[test]
fn terraform_lambda_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let unpermitted = |doc: &Value| -> Vec<String> {
        let path = dir.path().join("doc.json");
        std::fs::write(&path, doc.to_string()).unwrap();
        let (_, report) = json_run(&["lint", path.to_str().unwrap()]);
        findings_with(&report, "lint.lambda-permission-missing")
            .iter()
            .map(|f| f["evidence"]["function"].as_str().unwrap().to_string())
            .collect()
    };
    let mut state: Value = serde_json::from_str(&std::fs::read_to_string(STATE).unwrap()).unwrap();
    assert_eq!(
        unpermitted(&state),
        ["aws_lambda_function.create", "aws_lambda_function.get"]
    );
    state["values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap()
        .push(tf_resource(
            "aws_lambda_permission",
            "create",
            serde_json::json!({"action": "lambda:InvokeFunction", "function_name": "create-order",
                "principal": "apigateway.amazonaws.com", "statement_id": "AllowAPIGatewayInvoke",
                "source_arn": "arn:aws:execute-api:eu-west-1:123456789012:k8w2q4x7zd/*/*"}),
        ));
    assert_eq!(unpermitted(&state), ["aws_lambda_function.get"]);
    // A source ARN that writes the path parameter literally matches no call to that path.
    let mut literal = state.clone();
    literal["values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap()
        .last_mut()
        .unwrap()["values"]["source_arn"] = serde_json::json!(
        "arn:aws:execute-api:eu-west-1:123456789012:k8w2q4x7zd/*/GET/orders/{id}"
    );
    let path = dir.path().join("literal.json");
    std::fs::write(&path, literal.to_string()).unwrap();
    let (_, report) = json_run(&["lint", path.to_str().unwrap()]);
    let faulty = findings_with(&report, "lint.lambda-permission-source-arn");
    assert_eq!(faulty.len(), 1, "{report}");
    assert_eq!(
        faulty[0]["evidence"]["permission"],
        "aws_lambda_permission.create"
    );
    assert!(
        faulty[0]["evidence"]["line"].as_u64().is_some(),
        "{}",
        faulty[0]
    );
    // A plan: the permission's function_name refers to the function's ARN, known after apply.
    let mut plan: Value = serde_json::from_str(&std::fs::read_to_string(PLAN).unwrap()).unwrap();
    assert_eq!(
        unpermitted(&plan),
        ["aws_lambda_function.create", "aws_lambda_function.get"]
    );
    plan["planned_values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap()
        .push(tf_resource(
            "aws_lambda_permission",
            "get",
            serde_json::json!({"action": "lambda:InvokeFunction",
                "principal": "apigateway.amazonaws.com", "statement_id": "AllowAPIGatewayInvoke"}),
        ));
    plan["resource_changes"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
        "address": "aws_lambda_permission.get", "mode": "managed",
        "type": "aws_lambda_permission", "name": "get",
        "change": {"actions": ["create"], "before": null,
            "after": {"action": "lambda:InvokeFunction", "principal": "apigateway.amazonaws.com"},
            "after_unknown": {"function_name": true, "source_arn": true, "id": true}}}));
    plan["configuration"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "address": "aws_lambda_permission.get", "mode": "managed",
            "type": "aws_lambda_permission", "name": "get",
            "expressions": {
                "action": {"constant_value": "lambda:InvokeFunction"},
                "function_name": {"references": ["aws_lambda_function.get.arn", "aws_lambda_function.get"]},
                "principal": {"constant_value": "apigateway.amazonaws.com"}}}));
    assert_eq!(unpermitted(&plan), ["aws_lambda_function.create"]);
}

/// `cdk synth`'s AWS integration to Step Functions (`StepFunctionsRestApi`): its credentials are
/// the role CDK made (`Fn::GetAtt`), so nothing is refused; the same method without them is the
/// deployment failure users record ("Role ARN must be specified for AWS integrations").
#[test]
fn cdk_step_functions_integration_needs_its_role() {
    const CDK_SFN: &str = "tests/iac/cdk-stepfunctions-api.template.json";
    let (_, report) = json_run(&["lint", CDK_SFN]);
    let codes = codes_of(&report);
    assert!(
        !codes.contains("lint.integration-credentials")
            && !codes.contains("lint.aws-integration-uri"),
        "{report}"
    );
    let mut template: Value =
        serde_json::from_str(&std::fs::read_to_string(CDK_SFN).unwrap()).unwrap();
    template["Resources"]["StepFunctionsRestApiANY7699CA92"]["Properties"]["Integration"]
        .as_object_mut()
        .unwrap()
        .remove("Credentials");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-role.json");
    std::fs::write(&path, template.to_string()).unwrap();
    let (code, report) = json_run(&["lint", path.to_str().unwrap()]);
    assert_eq!(code, 1);
    let refused = findings_with(&report, "lint.integration-credentials");
    assert_eq!(refused.len(), 1, "{report}");
    let message = refused[0]["message"].as_str().unwrap();
    assert!(
        message.contains("calling the states service")
            && message.contains("Role ARN must be specified for AWS integrations"),
        "{message}"
    );
}

/// Terraform's HTTP API: an `aws_apigatewayv2_integration` whose `integration_uri` is the
/// function's own ARN (the state's value), with the function in the state and no
/// `aws_lambda_permission`: the HTTP API's finding, gone once a permission names the function.
#[test]
fn terraform_http_api_lambda_permission() {
    const HTTP_STATE: &str = "tests/iac/terraform/http-state.json";
    let dir = tempfile::tempdir().unwrap();
    let mut state: Value =
        serde_json::from_str(&std::fs::read_to_string(HTTP_STATE).unwrap()).unwrap();
    let resources = state["values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap();
    resources.push(tf_resource(
        "aws_lambda_function",
        "list",
        serde_json::json!({"function_name": "list-pets", "handler": "app.handler",
            "runtime": "python3.12", "arn": "arn:aws:lambda:us-east-1:123456789012:function:list-pets",
            "invoke_arn": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:list-pets/invocations"}),
    ));
    let lint = |doc: &Value| {
        let path = dir.path().join("state.json");
        std::fs::write(&path, doc.to_string()).unwrap();
        json_run(&["lint", path.to_str().unwrap()]).1
    };
    let j = lint(&state);
    let found = findings_with(&j, "lint.lambda-permission-missing");
    assert_eq!(found.len(), 1, "{j}");
    assert_eq!(found[0]["evidence"]["function"], "aws_lambda_function.list");
    assert_eq!(found[0]["evidence"]["api"], "http");
    assert!(
        found[0]["evidence"]["line"].as_u64().is_some(),
        "{}",
        found[0]
    );
    state["values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap()
        .push(tf_resource(
            "aws_lambda_permission",
            "list",
            serde_json::json!({"action": "lambda:InvokeFunction", "function_name": "list-pets",
                "principal": "apigateway.amazonaws.com", "statement_id": "AllowHttpApi",
                "source_arn": "arn:aws:execute-api:us-east-1:123456789012:h7tq2m9x1c/*/*"}),
        ));
    let j = lint(&state);
    assert!(
        findings_with(&j, "lint.lambda-permission-missing").is_empty(),
        "{j}"
    );
}

/// A Terraform plan of an HTTP API whose integration's `integration_uri` is
/// `aws_lambda_function.list.arn`, known only after apply: the configuration's reference names
/// the function, so its missing permission is found before apply.
#[test]
fn terraform_plan_http_api_integration_by_function_arn() {
    let change = |kind: &str, name: &str, after: Value, unknown: Value| {
        serde_json::json!({"address": format!("{kind}.{name}"), "mode": "managed", "type": kind,
            "name": name, "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {"actions": ["create"], "before": null, "after": after,
                "after_unknown": unknown}})
    };
    let config = |kind: &str, name: &str, expressions: Value| {
        serde_json::json!({"address": format!("{kind}.{name}"), "mode": "managed", "type": kind,
            "name": name, "provider_config_key": "aws", "expressions": expressions,
            "schema_version": 0})
    };
    let refs = |r: &str| {
        let owner = r.rsplit_once('.').map_or(r, |(o, _)| o);
        serde_json::json!({"references": [r, owner]})
    };
    let api = serde_json::json!({"name": "pets", "protocol_type": "HTTP"});
    let function = serde_json::json!({"function_name": "list-pets", "runtime": "python3.12", "handler": "app.handler"});
    let integration =
        serde_json::json!({"integration_type": "AWS_PROXY", "payload_format_version": "2.0"});
    let route = serde_json::json!({"route_key": "GET /pets", "authorization_type": "NONE"});
    let mut plan = serde_json::json!({
        "format_version": "1.2", "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"resources": [
            tf_resource("aws_apigatewayv2_api", "pets", api.clone()),
            tf_resource("aws_lambda_function", "list", function.clone()),
            tf_resource("aws_apigatewayv2_integration", "list", integration.clone()),
            tf_resource("aws_apigatewayv2_route", "list", route.clone()),
        ]}},
        "resource_changes": [
            change("aws_apigatewayv2_api", "pets", api, serde_json::json!({"id": true})),
            change("aws_lambda_function", "list", function, serde_json::json!({"arn": true, "invoke_arn": true})),
            change("aws_apigatewayv2_integration", "list", integration,
                serde_json::json!({"api_id": true, "integration_uri": true, "id": true})),
            change("aws_apigatewayv2_route", "list", route,
                serde_json::json!({"api_id": true, "target": true, "id": true})),
        ],
        "configuration": {"root_module": {"resources": [
            config("aws_apigatewayv2_api", "pets", serde_json::json!({
                "name": {"constant_value": "pets"}, "protocol_type": {"constant_value": "HTTP"}})),
            config("aws_lambda_function", "list", serde_json::json!({
                "function_name": {"constant_value": "list-pets"}})),
            config("aws_apigatewayv2_integration", "list", serde_json::json!({
                "api_id": refs("aws_apigatewayv2_api.pets.id"),
                "integration_type": {"constant_value": "AWS_PROXY"},
                "integration_uri": refs("aws_lambda_function.list.arn")})),
            config("aws_apigatewayv2_route", "list", serde_json::json!({
                "api_id": refs("aws_apigatewayv2_api.pets.id"),
                "route_key": {"constant_value": "GET /pets"},
                "target": {"references": ["aws_apigatewayv2_integration.list.id", "aws_apigatewayv2_integration.list"]}})),
        ]}}
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    std::fs::write(&path, plan.to_string()).unwrap();
    let (_, j) = json_run(&["lint", path.to_str().unwrap()]);
    let found = findings_with(&j, "lint.lambda-permission-missing");
    assert_eq!(found.len(), 1, "{j}");
    assert_eq!(found[0]["evidence"]["function"], "aws_lambda_function.list");
    assert_eq!(found[0]["evidence"]["api"], "http");
    // The permission, its function known after apply: the configuration's reference.
    let permission = serde_json::json!({"action": "lambda:InvokeFunction", "principal": "apigateway.amazonaws.com"});
    plan["planned_values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap()
        .push(tf_resource(
            "aws_lambda_permission",
            "list",
            permission.clone(),
        ));
    plan["resource_changes"]
        .as_array_mut()
        .unwrap()
        .push(change(
            "aws_lambda_permission",
            "list",
            permission,
            serde_json::json!({"function_name": true}),
        ));
    plan["configuration"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap()
        .push(config(
            "aws_lambda_permission",
            "list",
            serde_json::json!({"function_name": refs("aws_lambda_function.list.arn"),
                "principal": {"constant_value": "apigateway.amazonaws.com"}}),
        ));
    std::fs::write(&path, plan.to_string()).unwrap();
    let (_, j) = json_run(&["lint", path.to_str().unwrap()]);
    assert!(
        findings_with(&j, "lint.lambda-permission-missing").is_empty(),
        "{j}"
    );
}

/// SAM's Globals: `Globals.Api.Auth` (a Cognito default authorizer and API keys) applies to
/// the implicit API of a function's event and to an explicit API's own DefinitionBody, as SAM
/// translates it (its translator test input `globals_for_api.yaml`, whose expected output gives
/// both APIs' `GET /` the security `MyCognitoAuth` and `api_key`). Before, the tool read
/// neither and traced `GET /` as needing nothing.
#[test]
fn sam_globals_auth_applies_to_implicit_and_inline_apis() {
    const G: &str = "tests/iac/sam-globals-for-api.yaml";
    for api in ["ServerlessRestApi", "ExplicitApi"] {
        let (_, j) = json_run(&["trace", "--export", G, "--api", api, "GET", "/"]);
        assert_eq!(j["result"]["response"]["status"], 401, "{api}: {j}");
        assert!(
            stage(&j, "authorizer")["decided_by"]
                .as_str()
                .unwrap()
                .contains("MyCognitoAuth"),
            "{api}: {j}"
        );
    }
}

/// A Lambda authorizer written once in `Globals.Api.Auth` as the default of every API: SAM
/// writes its permission unless `DisableFunctionDefaultPermissions` (so `lint` says nothing),
/// and the implicit API's method is guarded by it (`trace` calls it).
#[test]
fn sam_globals_lambda_authorizer() {
    let template = |disable: &str| {
        format!(
            r#"Transform: AWS::Serverless-2016-10-31
Globals:
  Api:
    Auth:
      DefaultAuthorizer: TokenAuth
      Authorizers:
        TokenAuth:
          FunctionArn: !GetAtt AuthFunction.Arn{disable}
Resources:
  AuthFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: auth.handler
      Runtime: python3.12
      CodeUri: auth/
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: orders/
      Events:
        ListOrders:
          Type: Api
          Properties:
            Path: /orders
            Method: get
"#
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, template("")).unwrap();
    let file = path.to_str().unwrap();
    let (_, j) = json_run(&["trace", "--export", file, "GET", "/orders"]);
    assert_eq!(j["result"]["response"]["status"], 401, "{j}");
    assert!(
        stage(&j, "authorizer")["decided_by"]
            .as_str()
            .unwrap()
            .contains("TokenAuth"),
        "{j}"
    );
    let (_, j) = json_run(&["lint", file]);
    assert!(
        !codes_of(&j).contains("lint.authorizer-permission-missing"),
        "{j}"
    );
    std::fs::write(
        &path,
        template("\n          DisableFunctionDefaultPermissions: true"),
    )
    .unwrap();
    let (_, j) = json_run(&["lint", file]);
    assert!(
        codes_of(&j).contains("lint.authorizer-permission-missing"),
        "{j}"
    );
}

/// A SAM API whose definition is a file of its own, as real projects keep it: aws-samples'
/// `s12d/server` (`DefinitionBody: Fn::Transform: AWS::Include` with `Location: ./api.yaml`,
/// tests/iac/README.md). The definition is read from the template's folder, and findings in it
/// name that file and their line there, in JSON and in SARIF.
#[test]
fn sam_include_is_read_beside_the_template() {
    const TEMPLATE: &str = "tests/iac/sam-include/template.yaml";
    const API: &str = "tests/iac/sam-include/api.yaml";
    let (_, j) = json_run(&["lint", TEMPLATE]);
    assert_eq!(j["result"]["methods"], 7, "{j}");
    let read = &findings_with(&j, "source.read")[0];
    assert!(
        read["message"]
            .as_str()
            .unwrap()
            .ends_with("definitions read from ./api.yaml"),
        "{read}"
    );
    let no_default = findings_with(&j, "selection.no-default");
    assert_eq!(no_default.len(), 5, "{j}");
    let get = no_default
        .iter()
        .find(|f| f["evidence"]["method"] == "[GET:/{linkId}]")
        .unwrap();
    assert_eq!(get["evidence"]["file"], API);
    assert_eq!(
        get["evidence"]["location"],
        "$.paths['/{linkId}'].get.x-amazon-apigateway-integration"
    );
    assert_eq!(
        get["evidence"]["line"],
        line_of(API, "  /{linkId}:", "x-amazon-apigateway-integration:")
    );
    // The gateway responses a fix adds belong in that file too.
    let cors = &findings_with(&j, "lint.gateway-responses-without-cors")[0];
    assert_eq!(cors["evidence"]["file"], API);
    assert_eq!(
        cors["evidence"]["path"],
        "$.x-amazon-apigateway-gateway-responses"
    );
    // SARIF places them in api.yaml; what is the template's stays in the template.
    let r = run(&["lint", "-o", "sarif", TEMPLATE]);
    let sarif: Value = serde_json::from_str(&r.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let uri = |code: &str| {
        results
            .iter()
            .find(|x| x["ruleId"] == code)
            .map(|x| x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].clone())
            .unwrap()
    };
    assert_eq!(uri("selection.no-default"), API);
    assert_eq!(uri("lint.logging-without-account-role"), TEMPLATE);
}

/// An AWS::Serverless::Api with `DefinitionUri` naming a local file: SAM adds nothing from the
/// events to it, so a method the file leaves without an integration has none; an event that
/// names its API as plain text gets a permission SAM writes with that text for the API id.
/// The same template on standard input cannot read the file and says so.
#[test]
fn sam_definition_uri_local_file() {
    const TEMPLATE: &str = "tests/iac/sam-definition-uri/template.yaml";
    const API: &str = "tests/iac/sam-definition-uri/api/openapi.yaml";
    let (code, j) = json_run(&["lint", TEMPLATE]);
    assert_eq!(code, 1, "{j}");
    let missing = findings_with(&j, "lint.method-without-integration");
    assert_eq!(missing.len(), 1, "{j}");
    assert_eq!(missing[0]["evidence"]["method"], "[POST:/orders]");
    assert_eq!(missing[0]["evidence"]["file"], API);
    assert_eq!(
        missing[0]["evidence"]["line"],
        line_of(API, "paths:", "post:")
    );
    let plain = findings_with(&j, "lint.lambda-permission-source-arn");
    assert_eq!(
        plain.len(),
        1,
        "only the event with RestApiId: OrdersApi: {j}"
    );
    assert_eq!(plain[0]["evidence"]["function"], "ListOrdersFunction");
    assert!(
        plain[0]["message"]
            .as_str()
            .unwrap()
            .contains("write RestApiId: !Ref OrdersApi"),
        "{}",
        plain[0]
    );
    assert_eq!(
        plain[0]["evidence"]["line"],
        line_of(TEMPLATE, "ListOrdersFunction:", "ListOrders:")
    );
    // Standard input: no folder to read the file from.
    let text = std::fs::read_to_string(TEMPLATE).unwrap();
    let r = run_with_stdin(&["lint", "-"], text.clone());
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("its definition is in the file ./api/openapi.yaml")
            && r.stderr.contains("standard input"),
        "{}",
        r.stderr
    );
    // A template whose file is missing says it could not be read.
    let dir = tempfile::tempdir().unwrap();
    let moved = dir.path().join("template.yaml");
    std::fs::write(&moved, &text).unwrap();
    let r = run(&["lint", "-o", "json", moved.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("OrdersApi: its definition file (DefinitionUri) cannot be read")
            && r.stderr.contains("api/openapi.yaml: cannot open"),
        "{}",
        r.stderr
    );
}

/// SAM's own translator tests (tests/iac/sam-translator, README): each input template beside
/// the CloudFormation SAM writes from it. Linting either must find the same problems: the
/// preflights SAM's `Cors` adds and its default authorizer guards, a plain-text RestApiId's
/// permission, an HTTP API authorizer without a permission, a mutual TLS domain with the
/// default endpoint open, AWS_IAM's invoke role, MergeDefinitions, conditional paths, an HTTP
/// API stage with execution logging; and none where there is none (MergeDefinitions' POST, an
/// HTTP API whose default endpoint is off).
#[test]
fn sam_templates_and_their_translations_find_the_same_problems() {
    let codes = |file: &str| {
        let (_, j) = json_run(&["lint", file]);
        let mut c: Vec<String> = j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] != "info")
            .map(|f| f["code"].as_str().unwrap().to_string())
            .filter(|c| !c.starts_with("source."))
            .collect();
        c.sort();
        c.dedup();
        c
    };
    for (name, expected) in [
        (
            "api_with_cors_and_auth_preflight_auth",
            &[
                "lint.cors-preflight-needs-auth",
                "lint.gateway-responses-without-cors",
            ][..],
        ),
        ("api_request_model", &["lint.lambda-permission-source-arn"]),
        (
            "http_api_lambda_auth",
            &["lint.authorizer-permission-missing"],
        ),
        (
            "api_with_basic_custom_domain",
            &["mtls.default-endpoint-enabled", "mtls.not-regional"],
        ),
        (
            "api_with_default_aws_iam_auth",
            &["lint.integration-credentials"],
        ),
        ("api_merge_definitions_with_full_properties", &[]),
        (
            "api_rest_paths_with_if_condition_swagger",
            &[
                "lint.aws-integration-uri",
                "lint.cors-preflight-needs-auth",
                "lint.gateway-responses-without-cors",
            ],
        ),
        ("api_with_basic_custom_domain_http", &[]),
        ("http_api_explicit_stage", &["lint.http-execution-logging"]),
        // A state machine's Api event: StartExecution, 200 and 400 mapped, nothing else.
        ("state_machine_with_api_single", &["selection.no-default"]),
    ] {
        let input = format!("tests/iac/sam-translator/{name}.yaml");
        let output = format!("tests/iac/sam-translator/{name}.output.json");
        assert_eq!(codes(&input), expected, "{input}");
        assert_eq!(codes(&output), expected, "{output}");
    }
}

/// Templates the SAM transform refuses, from SAM's own translator tests, each with the error
/// SAM's expected output gives: lint finds each as `lint.sam-transform-error` quoting SAM's
/// words (before, each was linted as if SAM took it, or refused as unreadable). Over SAM's 142
/// `error_*` tests, every refusal the tool reports is one SAM reports, or one SAM's first error
/// on that resource hid (checked by a sweep, not here); over its API tests SAM accepts, none.
#[test]
fn sam_refusals_are_found_in_sams_words() {
    // Each SAM error is found after its marker, up to the next resource's.
    let resource = |id: &str| format!("Resource with id [{id}] is invalid. ");
    let event = |id: &str| format!("Event with id [{id}] is invalid. ");
    for (name, markers) in [
        (
            "error_api_duplicate_methods_same_path",
            vec![resource("Function2")],
        ),
        (
            "error_http_api_event_multiple_same_path",
            vec![resource("HttpApiFunction2")],
        ),
        // An HttpApi event with a Path and no Method.
        (
            "error_implicit_http_api_method",
            vec![resource("HttpApiFunction")],
        ),
        (
            "error_api_invalid_definitionuri",
            vec![resource("Api"), resource("ApiWithBodyAndDefinitionUri")],
        ),
        (
            "error_api_merge_definitions_with_definitionuri",
            vec![resource("MyApi")],
        ),
        ("error_http_api_def_body_uri", vec![resource("MyApi")]),
        (
            "error_cors_on_external_swagger",
            vec![resource("ExplicitApi")],
        ),
        ("error_http_api_tags_def_uri", vec![resource("Api")]),
        ("error_http_api_with_cors_def_uri", vec![resource("MyApi")]),
        ("error_api_event_ref_http_api", vec![resource("MyFunction")]),
        (
            "error_api_swagger_integration_with_sub_intrinsic_api_id",
            vec![resource("HtmlFunction")],
        ),
        (
            "error_state_machine_with_undefined_api_authorizer",
            vec![event("WithLambdaTokenAuth")],
        ),
        (
            "error_function_with_method_auth_and_no_api_auth",
            vec![resource("HelloWorldFunction")],
        ),
        (
            "error_api_override_api_auth_without_authorizer",
            vec![resource("MyFn")],
        ),
        (
            "error_invalid_httpapi_cors_property",
            vec![resource("HttpApi")],
        ),
        (
            "error_cors_credentials_true_without_explicit_origin",
            vec![resource("ExplicitApi")],
        ),
        (
            "error_invalid_cors_dict",
            vec![resource("ServerlessRestApi")],
        ),
        (
            "error_function_invalid_api_event",
            vec![
                resource("FunctionApiNoMethod"),
                resource("FunctionApiNoPath"),
            ],
        ),
        (
            "error_http_api_invalid_auth",
            vec![
                resource("Function"),
                resource("Function2"),
                resource("Function3"),
            ],
        ),
        (
            "error_http_api_invalid_basepath_type",
            vec![resource("HttpApi")],
        ),
        (
            "error_api_with_custom_domains_invalid",
            vec![
                resource("MyApi"),
                resource("MyApiInvalidDomainType"),
                resource("MyApiMissingCertificateArn"),
                resource("MyApiWithIncorrectBasePathItemType"),
                resource("ServerlessRestApi"),
            ],
        ),
        (
            "error_api_invalid_auth",
            vec![
                resource("AuthWithMissingDefaultAuthorizerApi"),
                resource("AuthWithDefinitionUriApi"),
                resource("MissingAuthorizerFn"),
                resource("NoAuthorizersFn"),
                resource("NoDefaultAuthorizerWithNoneFn"),
            ],
        ),
    ] {
        let input = format!("tests/iac/sam-translator/{name}.yaml");
        let output: Value = serde_json::from_str(
            &std::fs::read_to_string(format!("tests/iac/sam-translator/{name}.output.json"))
                .unwrap(),
        )
        .unwrap();
        let said = output["errorMessage"].as_str().unwrap();
        let (code, j) = json_run(&["lint", &input]);
        assert_eq!(code, 1, "{input}: {j}");
        // What was linted is the kind of API the faults are about, read or not.
        let http = name.contains("http");
        assert_eq!(
            j["result"]["api"],
            if http { "http" } else { "rest" },
            "{input}: {j}"
        );
        let found: Vec<String> = findings_with(&j, "lint.sam-transform-error")
            .iter()
            .map(|f| f["message"].as_str().unwrap().to_string())
            .collect();
        for marker in &markers {
            let what = said
                .split(marker.as_str())
                .nth(1)
                .unwrap_or_else(|| panic!("{name}: SAM says nothing after {marker:?}"));
            let what = what.split(" Resource with id [").next().unwrap().trim();
            assert!(
                found.iter().any(|m| m.contains(what)),
                "{input}: no finding says {what:?}: {found:#?}"
            );
        }
    }
    // An explicit API's setting taken from Globals is placed there, where the user wrote it.
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.yaml");
    std::fs::write(
        &template,
        "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Api:\n    Cors:\n      AllowCredentials: true\nResources:\n  MyApi:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n      DefinitionBody:\n        swagger: '2.0'\n        info: {title: t}\n        paths:\n          /x:\n            get:\n              x-amazon-apigateway-integration: {type: mock}\n",
    )
    .unwrap();
    let (_, j) = json_run(&["lint", template.to_str().unwrap()]);
    let refused = findings_with(&j, "lint.sam-transform-error");
    assert_eq!(refused.len(), 1, "{j}");
    assert_eq!(
        refused[0]["evidence"]["location"], "$.Globals.Api.Cors",
        "{j}"
    );
    assert_eq!(refused[0]["evidence"]["line"], 4, "{j}");
    // SAM takes an Api event whose path its API's own definition lacks, writes only the
    // permission, and leaves the definition as it is (SAM's comment in the test input): the
    // template and its translation both answer a call to it 403.
    let name = "tests/iac/sam-translator/explicit_api_with_invalid_events_config";
    let (_, j) = json_run(&["lint", &format!("{name}.yaml")]);
    let outside = findings_with(&j, "lint.sam-event-not-in-definition");
    assert_eq!(outside.len(), 1, "{j}");
    assert!(
        outside[0]["message"]
            .as_str()
            .unwrap()
            .contains("POST /add"),
        "{j}"
    );
    for file in [format!("{name}.yaml"), format!("{name}.output.json")] {
        let (_, j) = json_run(&["trace", "--export", &file, "POST", "/add"]);
        assert_eq!(j["result"]["response"]["status"], 403, "{file}: {j}");
        assert!(
            j["result"]["response"]["body"]
                .as_str()
                .unwrap()
                .contains("Missing Authentication Token"),
            "{file}: {j}"
        );
    }
}

/// An event's `Authorizer: NONE` with `OverrideApiAuth` over its API's default authorizer: SAM
/// writes `security: [{"NONE": []}]`, a scheme no definition defines, which means no
/// authorization. The template and SAM's translation trace alike (before, the translation's
/// authorizer stage was "NONE: not understood").
#[test]
fn sam_none_authorizer_reads_alike_in_template_and_translation() {
    let name = "tests/iac/sam-translator/api_with_swagger_authorizer_none_override_api_auth";
    for file in [format!("{name}.yaml"), format!("{name}.output.json")] {
        for (path, outcome) in [
            ("/lambda-request", "skipped"),
            ("/cognito", "skipped"),
            ("/lambda-token", "stopped"),
        ] {
            let (_, j) = json_run(&["trace", "--export", &file, "GET", path]);
            assert_eq!(
                stage(&j, "authorizer")["outcome"],
                outcome,
                "{file} {path}: {j}"
            );
        }
    }
}

/// The SAM mistake of aws/serverless-application-model#2129: an explicit AWS::Serverless::Api
/// that no event names (they forgot RestApiId and made the implicit ServerlessRestApi), which
/// SAM writes with no methods and API Gateway refuses to deploy. Before, lint read the implicit
/// API, found nothing and exited 0.
#[test]
fn a_sam_api_no_event_names_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.yaml");
    std::fs::write(
        &template,
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  MyApi:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: Prod\n      Auth:\n        ApiKeyRequired: true\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: index.handler\n      Runtime: nodejs20.x\n      InlineCode: x\n      Events:\n        Get:\n          Type: Api\n          Properties:\n            Path: /\n            Method: get\n",
    )
    .unwrap();
    let (code, j) = json_run(&["lint", template.to_str().unwrap()]);
    assert_eq!(code, 1, "{j}");
    let empty = findings_with(&j, "lint.api-without-methods");
    assert_eq!(empty.len(), 1, "{j}");
    let message = empty[0]["message"].as_str().unwrap();
    assert!(
        message.contains("The REST API doesn't contain any methods")
            && message.contains("1 Api event(s) without RestApiId"),
        "{message}"
    );
    assert_eq!(empty[0]["evidence"]["line"], 3);
    // Given a method by an AWS::ApiGateway::Method resource, it is not judged.
    let text = std::fs::read_to_string(&template).unwrap();
    let with_method = dir.path().join("with-method.yaml");
    std::fs::write(
        &with_method,
        format!("{text}  Get:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      RestApiId: !Ref MyApi\n      ResourceId: !GetAtt MyApi.RootResourceId\n      HttpMethod: GET\n      AuthorizationType: NONE\n      Integration:\n        Type: MOCK\n"),
    )
    .unwrap();
    let (_, j) = json_run(&["lint", with_method.to_str().unwrap()]);
    assert!(
        findings_with(&j, "lint.api-without-methods").is_empty(),
        "{j}"
    );
    // Named by its event, it has a method and no finding.
    let fixed = std::fs::read_to_string(&template)
        .unwrap()
        .replace("Path: /\n", "Path: /\n            RestApiId: !Ref MyApi\n");
    std::fs::write(&template, fixed).unwrap();
    let (_, j) = json_run(&["lint", template.to_str().unwrap()]);
    assert!(
        findings_with(&j, "lint.api-without-methods").is_empty(),
        "{j}"
    );
}

/// The same mistake with an AWS::Serverless::HttpApi: API Gateway keeps an HTTP API without
/// routes and answers every call 404 (an error when the events made the implicit API, a
/// warning when nothing names it); an AWS::ApiGatewayV2::Route naming it gives it routes.
/// Before, the template was refused ("nothing to check", exit 2).
#[test]
fn a_sam_http_api_no_event_names_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.yaml");
    let text = "Transform: AWS::Serverless-2016-10-31\nResources:\n  MyHttp:\n    Type: AWS::Serverless::HttpApi\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: index.handler\n      Runtime: nodejs20.x\n      InlineCode: x\n      Events:\n        Get:\n          Type: HttpApi\n          Properties:\n            Path: /orders\n            Method: get\n";
    std::fs::write(&template, text).unwrap();
    let t = template.to_str().unwrap();
    let (code, j) = json_run(&["lint", t]);
    assert_eq!(code, 1, "{j}");
    let empty = findings_with(&j, "lint.api-without-methods");
    assert_eq!(empty.len(), 1, "{j}");
    assert_eq!(empty[0]["severity"], "error");
    let message = empty[0]["message"].as_str().unwrap();
    assert!(
        message.contains("404") && message.contains("1 HttpApi event(s) without ApiId"),
        "{message}"
    );
    // Nothing names it at all: said, as a warning.
    std::fs::write(&template, &text[..text.find("  Fn:").unwrap()]).unwrap();
    let (code, j) = json_run(&["lint", t]);
    assert_eq!(code, 0, "{j}");
    let empty = findings_with(&j, "lint.api-without-methods");
    assert_eq!(empty.len(), 1, "{j}");
    assert_eq!(empty[0]["severity"], "warning");
    // A route resource names it: its route is read (here without a Target), and the API is
    // not judged to have none.
    std::fs::write(
        &template,
        format!("{}  Route:\n    Type: AWS::ApiGatewayV2::Route\n    Properties:\n      ApiId: !Ref MyHttp\n      RouteKey: GET /orders\n", &text[..text.find("  Fn:").unwrap()]),
    )
    .unwrap();
    let (_, j) = json_run(&["lint", t]);
    assert_eq!(j["result"]["methods"], 1, "{j}");
    assert!(
        findings_with(&j, "lint.api-without-methods").is_empty(),
        "{j}"
    );
    let bare = findings_with(&j, "lint.method-without-integration");
    assert_eq!(bare.len(), 1, "{j}");
    assert_eq!(bare[0]["evidence"]["location"], "$.Resources.Route", "{j}");
}

/// An AWS::ApiGatewayV2::Api made by quick create (`Target`: a function's ARN) has a $default
/// route to that function; one with no route, no route resource and no Target answers every
/// call 404, said as a warning. Before, the quick-create API was read with no route (trace
/// answered 404) and the empty one passed in silence.
#[test]
fn http_api_quick_create_and_one_without_routes() {
    let t = "tests/iac/http-quick-create.yaml";
    let (code, j) = json_run(&["lint", t]);
    assert_eq!(code, 0, "{j}");
    let empty = findings_with(&j, "lint.api-without-methods");
    assert_eq!(empty.len(), 1, "{j}");
    assert_eq!(empty[0]["evidence"]["api"], "EmptyApi");
    assert_eq!(empty[0]["severity"], "warning");
    assert!(
        findings_with(&j, "lint.lambda-permission-missing").is_empty(),
        "{j}"
    );
    let (code, j) = json_run(&[
        "trace",
        "--export",
        t,
        "GET",
        "/anything",
        "--lambda-output",
        "examples/trace/list-orders-output.json",
    ]);
    assert_eq!(code, 0, "{j}");
    assert_eq!(
        stage(&j, "route")["decided_by"],
        "ANY $default ($.Resources.QuickApi)"
    );
    assert_eq!(j["result"]["response"]["status"], 200, "{j}");
    // Without the permission, the quick-create route's function cannot be called.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(t).unwrap();
    let at = text.find("  Permission:").unwrap();
    let end = text.find("  EmptyApi:").unwrap();
    let without = dir.path().join("template.yaml");
    std::fs::write(&without, format!("{}{}", &text[..at], &text[end..])).unwrap();
    let (_, j) = json_run(&["lint", without.to_str().unwrap()]);
    assert_eq!(
        findings_with(&j, "lint.lambda-permission-missing").len(),
        1,
        "{j}"
    );
}

/// Every lint report of a run (a template with several WebSocket APIs has one per API).
fn reports(args: &[&str]) -> Vec<Value> {
    let mut all = vec!["-o", "json"];
    all.extend_from_slice(args);
    let r = run(&all);
    assert!(r.code == 0 || r.code == 1, "{args:?}: {}", r.stderr);
    r.json()
}

/// What lint says of a template's WebSocket APIs: each route's API, key, authorization,
/// integration type and route responses, and the finding codes.
fn websocket_view(file: &str) -> (Vec<String>, Vec<String>) {
    let mut routes = Vec::new();
    let mut codes = Vec::new();
    for j in reports(&["lint", file]) {
        let r = &j["result"];
        for route in r["routes"].as_array().into_iter().flatten() {
            let kind = r["integrations"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["id"] == route["integration"])
                .map(|i| i["type"].as_str().or(i["kind"].as_str()).unwrap_or("?"));
            routes.push(format!(
                "{} {} auth={} → {} responses={} rrse={}",
                r["id"],
                route["key"],
                route["authorization_type"],
                kind.unwrap_or("(none)"),
                route["route_responses"],
                route["route_response_selection_expression"]
            ));
        }
        for f in j["findings"].as_array().unwrap() {
            codes.push(f["code"].as_str().unwrap().to_string());
        }
    }
    routes.sort();
    codes.sort();
    (routes, codes)
}

/// SAM's AWS::Serverless::WebSocketApi is read as SAM translates it (a route, an AWS_PROXY
/// integration and a permission per key of Routes, Auth on $connect alone, Globals merged):
/// lint says the same of the SAM template as of SAM's own translation, route by route and
/// finding by finding (SAM's translator tests; over all 23 of its accepted websocket_api tests
/// the two agree, checked by a sweep). Before, the template was refused ("does not read yet").
#[test]
fn sam_websocket_apis_read_as_sam_translates_them() {
    for (name, routes, codes) in [
        (
            "websocket_api_simple",
            1,
            &["websocket.no-default-route"][..],
        ),
        ("websocket_api_simple_app", 4, &[]),
        (
            "websocket_api_with_lambda_auth",
            1,
            &["websocket.no-default-route"],
        ),
        (
            "websocket_api_with_iam_auth",
            1,
            &["websocket.no-default-route"],
        ),
        (
            "websocket_api_route_config",
            1,
            &["websocket.no-default-route", "websocket.route-response-key"],
        ),
        (
            "websocket_api_stage_globals",
            2,
            &[
                "lint.logging-without-account-role",
                "websocket.no-default-route",
                "websocket.no-default-route",
            ],
        ),
    ] {
        let input = format!("tests/iac/sam-translator/{name}.yaml");
        let output = format!("tests/iac/sam-translator/{name}.output.json");
        let (template, translation) = (websocket_view(&input), websocket_view(&output));
        assert_eq!(template, translation, "{name}");
        assert_eq!(template.0.len(), routes, "{name}: {template:?}");
        assert_eq!(template.1, codes, "{name}");
    }
    let (routes, _) =
        websocket_view("tests/iac/sam-translator/websocket_api_with_lambda_auth.yaml");
    assert!(
        routes[0].contains("\"$connect\" auth=\"CUSTOM\" → AWS_PROXY"),
        "{routes:?}"
    );
    let (routes, _) = websocket_view("tests/iac/sam-translator/websocket_api_with_iam_auth.yaml");
    assert!(routes[0].contains("auth=\"AWS_IAM\""), "{routes:?}");
    // Findings point into the SAM resource: the route under Routes, with its line.
    let file = "tests/iac/sam-translator/websocket_api_route_config.yaml";
    let (_, j) = json_run(&["lint", file]);
    let key = findings_with(&j, "websocket.route-response-key");
    assert_eq!(
        key[0]["evidence"]["location"],
        "$.Resources.MyApi.Properties.Routes['$connect']"
    );
    assert_eq!(
        key[0]["evidence"]["line"],
        line_of(file, "Routes:", "$connect")
    );
    // SAM checks AuthType in capitals but applies it only as written: a lower-case `custom`
    // deploys $connect open, with no authorizer (samtranslator websocket_api_generator.py).
    let dir = tempfile::tempdir().unwrap();
    let lower = dir.path().join("template.yaml");
    std::fs::write(
        &lower,
        std::fs::read_to_string("tests/iac/sam-translator/websocket_api_with_lambda_auth.yaml")
            .unwrap()
            .replace("AuthType: CUSTOM", "AuthType: custom"),
    )
    .unwrap();
    let (routes, codes) = websocket_view(lower.to_str().unwrap());
    assert!(routes[0].contains("auth=\"NONE\""), "{routes:?}");
    assert!(
        codes.contains(&"lint.sam-auth-ignored".to_string()),
        "{codes:?}"
    );
    let (_, j) = json_run(&["lint", lower.to_str().unwrap()]);
    let ignored = findings_with(&j, "lint.sam-auth-ignored");
    assert_eq!(
        ignored[0]["evidence"]["location"],
        "$.Resources.MyApi.Properties.Auth.AuthType"
    );
    assert_eq!(
        ignored[0]["evidence"]["line"],
        line_of(lower.to_str().unwrap(), "Auth:", "AuthType")
    );
    // Commands that follow requests name the WebSocket API in their refusal.
    let r = run(&[
        "trace",
        "--export",
        "tests/iac/sam-translator/websocket_api_simple.yaml",
        "GET",
        "/",
    ]);
    assert_usage_error(
        &r,
        "its WebSocket API MyApi: `apigw-doctor lint` checks its routes",
    );
}

/// What the SAM transform refuses in an AWS::Serverless::WebSocketApi, in SAM's words, from
/// SAM's error tests (each `.output.json` is the error SAM reports).
#[test]
fn sam_websocket_refusals_are_found_in_sams_words() {
    for (name, location) in [
        (
            "error_websocket_api_invalid_route_name",
            "$.Resources.WSApi.Properties.Routes['$nonsense']",
        ),
        (
            "error_websocket_api_auth_no_connect",
            "$.Resources.WSApi.Properties.Auth",
        ),
        (
            "error_websocket_api_authtype_no_authid",
            "$.Resources.WSApi.Properties.Auth",
        ),
        (
            "error_websocket_api_invalid_authtype",
            "$.Resources.WSApi.Properties.Auth",
        ),
        (
            "error_websocket_api_route_no_function",
            "$.Resources.WSApi.Properties.Routes['$connect']",
        ),
        (
            "error_websocket_api_non_connect_request_parameters",
            "$.Resources.WSApi.Properties.Routes['$default'].RequestParameters",
        ),
        (
            "error_websocket_api_invalid_stage_name",
            "$.Resources.WSApi.Properties.StageName",
        ),
        (
            "error_websocket_api_no_route_selection_expression",
            "$.Resources.WSApi",
        ),
        (
            "error_websocket_api_empty_routes",
            "$.Resources.WSApi.Properties.Routes",
        ),
        (
            "error_websocket_api_invalid_basepath_type",
            "$.Resources.WSApi.Properties.Domain.BasePath",
        ),
    ] {
        let input = format!("tests/iac/sam-translator/{name}.yaml");
        let output: Value = serde_json::from_str(
            &std::fs::read_to_string(format!("tests/iac/sam-translator/{name}.output.json"))
                .unwrap(),
        )
        .unwrap();
        let said = output["errors"][0]["errorMessage"].as_str().unwrap();
        let (code, j) = json_run(&["lint", &input]);
        assert_eq!(code, 1, "{input}: {j}");
        let refused = findings_with(&j, "lint.sam-transform-error");
        assert_eq!(refused.len(), 1, "{input}: {j}");
        assert!(
            refused[0]["message"].as_str().unwrap().contains(said),
            "{input}: {said:?} not in {j}"
        );
        assert_eq!(refused[0]["evidence"]["location"], location, "{input}");
        assert!(refused[0]["evidence"]["line"].is_u64(), "{input}: {j}");
        // Said once: not again as a missing selection expression, integration or route.
        if name.contains("routes") {
            assert!(
                findings_with(&j, "websocket.no-default-route").is_empty(),
                "{input}: {j}"
            );
        }
        for code in [
            "websocket.route-selection-expression",
            "websocket.route-without-integration",
        ] {
            assert!(findings_with(&j, code).is_empty(), "{input}: {j}");
        }
    }
}

/// A CloudFormation RestApi the template deploys with no methods fails to deploy; one whose
/// method the tool cannot read (named by `Fn::GetAtt`, its resource imported) has one, so it is
/// not said to have none.
#[test]
fn a_deployed_rest_api_without_methods_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.yaml");
    std::fs::write(
        &template,
        "Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      Name: orders\n  Deployment:\n    Type: AWS::ApiGateway::Deployment\n    Properties:\n      RestApiId: !Ref Api\n  Other:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      Name: other\n  OtherDeployment:\n    Type: AWS::ApiGateway::Deployment\n    Properties:\n      RestApiId: !Ref Other\n  OtherGet:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      RestApiId: !GetAtt Other.RestApiId\n      ResourceId: !ImportValue shared-resource\n      HttpMethod: GET\n      AuthorizationType: NONE\n      Integration:\n        Type: MOCK\n",
    )
    .unwrap();
    let (code, j) = json_run(&["lint", template.to_str().unwrap()]);
    assert_eq!(code, 1, "{j}");
    let empty = findings_with(&j, "lint.api-without-methods");
    assert_eq!(empty.len(), 1, "{j}");
    assert_eq!(empty[0]["evidence"]["api"], "Api");
    assert_eq!(empty[0]["evidence"]["line"], 2);
}

/// A REST AWS::Serverless::Api whose Auth names a DefaultAuthorizer but defines no Authorizers:
/// SAM applies no default authorizer at all and says nothing (samtranslator api_generator.py
/// `_get_authorizers` returns None without authorizers, and `_add_auth` then sets none), so the
/// methods its author meant to protect are open. Before, the tool put the authorizer on them
/// (trace: "not understood") and lint said nothing.
#[test]
fn a_sam_default_authorizer_without_authorizers_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.yaml");
    let text = "Transform: AWS::Serverless-2016-10-31\nResources:\n  MyApi:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n      Auth:\n        DefaultAuthorizer: MyCognitoAuth\n  Inline:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n      Auth:\n        DefaultAuthorizer: MyLambdaAuth\n      DefinitionBody:\n        swagger: '2.0'\n        paths:\n          /items:\n            get:\n              x-amazon-apigateway-integration:\n                type: mock\n                requestTemplates:\n                  application/json: '{\"statusCode\": 200}'\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: index.handler\n      Runtime: nodejs20.x\n      InlineCode: x\n      Events:\n        Get:\n          Type: Api\n          Properties:\n            RestApiId: !Ref MyApi\n            Path: /orders\n            Method: get\n";
    std::fs::write(&template, text).unwrap();
    let file = template.to_str().unwrap();
    let (code, j) = json_run(&["lint", file]);
    assert_eq!(code, 1, "{j}");
    let ignored = findings_with(&j, "lint.sam-auth-ignored");
    assert_eq!(ignored.len(), 2, "{j}");
    for (f, (name, line)) in ignored
        .iter()
        .zip([("MyCognitoAuth", 8), ("MyLambdaAuth", 14)])
    {
        assert_eq!(f["severity"], "error", "{f}");
        assert!(
            f["message"]
                .as_str()
                .unwrap()
                .contains(&format!("'{name}'")),
            "{f}"
        );
        assert_eq!(f["evidence"]["line"], line, "{f}");
    }
    // Both APIs' methods are open, as SAM deploys them.
    for (api, path) in [("MyApi", "/orders"), ("Inline", "/items")] {
        let (_, j) = json_run(&["trace", "--export", file, "--api", api, "GET", path]);
        assert_eq!(stage(&j, "authorizer")["outcome"], "skipped", "{api}: {j}");
    }
    // With the authorizers defined, SAM applies them, and nothing is said.
    let fixed = text
        .replace(
            "DefaultAuthorizer: MyCognitoAuth\n",
            "DefaultAuthorizer: MyCognitoAuth\n        Authorizers:\n          MyCognitoAuth:\n            UserPoolArn: arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc\n",
        )
        .replace(
            "DefaultAuthorizer: MyLambdaAuth\n",
            "DefaultAuthorizer: MyLambdaAuth\n        Authorizers:\n          MyLambdaAuth:\n            FunctionArn: arn:aws:lambda:us-east-1:123456789012:function:auth\n",
        );
    std::fs::write(&template, &fixed).unwrap();
    let (_, j) = json_run(&["lint", file]);
    assert!(findings_with(&j, "lint.sam-auth-ignored").is_empty(), "{j}");
    for (api, path) in [("MyApi", "/orders"), ("Inline", "/items")] {
        let (_, j) = json_run(&["trace", "--export", file, "--api", api, "GET", path]);
        assert_ne!(stage(&j, "authorizer")["outcome"], "skipped", "{api}: {j}");
    }
    // AWS_IAM needs no definition; the implicit API's default comes from Globals.
    std::fs::write(&template, text.replace("MyCognitoAuth", "AWS_IAM")).unwrap();
    let (_, j) = json_run(&["lint", file]);
    assert_eq!(findings_with(&j, "lint.sam-auth-ignored").len(), 1, "{j}");
    let implicit = "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Api:\n    Auth:\n      DefaultAuthorizer: Jwt\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: index.handler\n      Runtime: nodejs20.x\n      InlineCode: x\n      Events:\n        Get:\n          Type: Api\n          Properties:\n            Path: /\n            Method: get\n";
    std::fs::write(&template, implicit).unwrap();
    let (_, j) = json_run(&["lint", file]);
    let ignored = findings_with(&j, "lint.sam-auth-ignored");
    assert_eq!(ignored.len(), 1, "{j}");
    assert_eq!(ignored[0]["evidence"]["line"], 5, "{j}");
    assert_eq!(
        ignored[0]["evidence"]["location"],
        "$.Globals.Api.Auth.DefaultAuthorizer"
    );
    // `Authorizers: null` is no authorizers to SAM too (its `if not authorizers_config`): the
    // finding and the reading agree (before, the method was read open and lint said nothing).
    std::fs::write(
        &template,
        text.replace(
            "DefaultAuthorizer: MyCognitoAuth\n",
            "DefaultAuthorizer: MyCognitoAuth\n        Authorizers: null\n",
        ),
    )
    .unwrap();
    let (_, j) = json_run(&["lint", file]);
    assert_eq!(findings_with(&j, "lint.sam-auth-ignored").len(), 2, "{j}");
    let (_, j) = json_run(&[
        "trace", "--export", file, "--api", "MyApi", "GET", "/orders",
    ]);
    assert_eq!(stage(&j, "authorizer")["outcome"], "skipped", "{j}");
    // SAM's own test: NoAuthorizersApi (DefaultAuthorizer Foo, no Authorizers) is not among the
    // errors SAM lists, which this finding alone names; AuthWithInvalidDefinitionBodyApi, whose
    // body SAM refuses first, is not.
    let name = "tests/iac/sam-translator/error_api_invalid_auth";
    let said = std::fs::read_to_string(format!("{name}.output.json")).unwrap();
    assert!(
        !said.contains("NoAuthorizersApi") && said.contains("AuthWithInvalidDefinitionBodyApi")
    );
    let (_, j) = json_run(&["lint", &format!("{name}.yaml")]);
    let ignored = findings_with(&j, "lint.sam-auth-ignored");
    assert_eq!(ignored.len(), 1, "{j}");
    assert_eq!(ignored[0]["evidence"]["api"], "NoAuthorizersApi", "{j}");
}

/// A YAML template that writes a key twice in one mapping: CloudFormation deploys it, keeping
/// the last value (go-to-k/cdk-real-drift#1074: validate-template and get-template-summary;
/// aws-cloudformation/cfn-lint#35), so the tool reads it so and says which key, where (before:
/// exit 2, "invalid YAML: duplicate mapping key", on five templates of aws-samples/
/// serverless-patterns such as sam-webapp-cognito). Here the later `Auth` drops the default
/// authorizer, so the method is open, and lint says both.
#[test]
fn a_key_written_twice_reads_as_cloudformation_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.yaml");
    let text = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n      Auth:\n        DefaultAuthorizer: AWS_IAM\n      Auth:\n        ApiKeyRequired: false\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: index.handler\n      Runtime: nodejs20.x\n      InlineCode: x\n      Events:\n        Get:\n          Type: Api\n          Properties:\n            RestApiId: !Ref Api\n            Path: /orders\n            Method: get\n";
    std::fs::write(&template, text).unwrap();
    let file = template.to_str().unwrap();
    let (_, j) = json_run(&["lint", file]);
    let twice = findings_with(&j, "source.duplicate-key");
    assert_eq!(twice.len(), 1, "{j}");
    assert_eq!(twice[0]["severity"], "warning");
    assert_eq!(twice[0]["evidence"]["key"], "Auth");
    assert_eq!(twice[0]["evidence"]["first_line"], 7);
    assert_eq!(twice[0]["evidence"]["line"], 9);
    // The later Auth is the one read: no authorizer on the method.
    let (_, j) = json_run(&["trace", "--export", file, "GET", "/orders"]);
    assert_eq!(stage(&j, "authorizer")["outcome"], "skipped", "{j}");
    // Keys repeated at every level are found, the first twenty listed and the rest counted;
    // a key repeated in two different mappings is not a repeat.
    let mut many = text.to_string();
    for i in 0..500 {
        many += &format!(
            "  Extra{i}:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: a\n      TopicName: b\n"
        );
    }
    std::fs::write(&template, many).unwrap();
    let (_, j) = json_run(&["lint", file]);
    let twice = findings_with(&j, "source.duplicate-key");
    assert_eq!(twice.len(), 20, "{j}");
    assert_eq!(twice[19]["evidence"]["not_listed"], 481, "{j}");
}

/// The same in JSON: CloudFormation keeps a JSON template's last value too (go-to-k/
/// cdk-real-drift#1074 checked YAML and JSON; aws-cloudformation/cfn-language-discussion#96),
/// and serde_json reads the last, so before a JSON template's repeat was read without a word.
/// Here the later `AuthorizationType` opens the method. In a definition (not a template), which
/// value API Gateway's import keeps is not documented: the finding says so.
#[test]
fn a_json_key_written_twice_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.json");
    let text = r#"{
  "Resources": {
    "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "orders"}},
    "Orders": {"Type": "AWS::ApiGateway::Resource",
      "Properties": {"RestApiId": {"Ref": "Api"}, "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "PathPart": "orders"}},
    "Get": {
      "Type": "AWS::ApiGateway::Method",
      "Properties": {
        "RestApiId": {"Ref": "Api"},
        "ResourceId": {"Ref": "Orders"},
        "HttpMethod": "GET",
        "AuthorizationType": "AWS_IAM",
        "Integration": {"Type": "MOCK", "RequestTemplates": {"application/json": "{\"statusCode\": 200}"}},
        "AuthorizationType": "NONE"
      }
    }
  }
}
"#;
    std::fs::write(&template, text).unwrap();
    let file = template.to_str().unwrap();
    let (_, j) = json_run(&["lint", file]);
    let twice = findings_with(&j, "source.duplicate-key");
    assert_eq!(twice.len(), 1, "{j}");
    assert_eq!(twice[0]["evidence"]["key"], "AuthorizationType");
    assert_eq!(twice[0]["evidence"]["first_line"], 12);
    assert_eq!(twice[0]["evidence"]["line"], 14);
    let message = twice[0]["message"].as_str().unwrap();
    assert!(
        message.contains("one object") && message.contains("CloudFormation"),
        "{message}"
    );
    let (_, j) = json_run(&["trace", "--export", file, "GET", "/orders"]);
    assert_eq!(stage(&j, "authorizer")["outcome"], "skipped", "{j}");
    // An export (its paths read a part at a time) that repeats an operation's key.
    let export = dir.path().join("export.json");
    std::fs::write(
        &export,
        r#"{"swagger": "2.0", "info": {"title": "t", "version": "1"},
"paths": {"/orders": {"get": {"responses": {"200": {"description": "ok"}},
  "x-amazon-apigateway-integration": {"type": "mock", "requestTemplates": {"application/json": "{\"statusCode\": 200}"}, "responses": {"default": {"statusCode": "200"}}},
  "security": [{"sigv4": []}], "security": []}}}}
"#,
    )
    .unwrap();
    let (_, j) = json_run(&["lint", export.to_str().unwrap()]);
    let twice = findings_with(&j, "source.duplicate-key");
    assert_eq!(twice.len(), 1, "{j}");
    assert_eq!(twice[0]["evidence"]["key"], "security");
    assert_eq!(twice[0]["evidence"]["line"], 4);
    let message = twice[0]["message"].as_str().unwrap();
    assert!(
        message.contains("import keeps is not documented"),
        "{message}"
    );
}

/// A SAM HttpApi with no definition and no event naming it, whose route is an
/// AWS::ApiGatewayV2::Route resource beside it (aws-samples/serverless-patterns,
/// custom-http-headers-to-sqs-message-attributes-using-http-api-gateway, verbatim): its routes
/// are those resources. Before, the template was refused (exit 2, "SAM writes it with no
/// routes: nothing to check").
#[test]
fn a_sam_http_api_routed_by_route_resources_is_read() {
    let file = "tests/iac/sam-http-api-with-route-resources.yaml";
    let (_, j) = json_run(&["lint", file]);
    assert_eq!(j["result"]["api"], "http", "{j}");
    assert_eq!(j["result"]["methods"], 1, "{j}");
    assert!(
        findings_with(&j, "lint.api-without-methods").is_empty(),
        "{j}"
    );
    assert!(
        findings_with(&j, "source.read")[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("read SAM template: 1 HTTP API, 1 method"),
        "{j}"
    );
    let (_, j) = json_run(&["trace", "--export", file, "POST", "/sqs"]);
    let route = stage(&j, "route");
    assert_eq!(route["outcome"], "passed", "{j}");
    assert_eq!(
        route["decided_by"], "ANY /sqs ($.Resources.SqsRoute)",
        "{route}"
    );
    // Its integration is SQS-SendMessage (an AWS service integration): the answer wanted is
    // what SQS answered, not a function's output (before: "--lambda-output").
    let missing = findings_with(&j, "trace.input-missing");
    let wanted = missing[0]["evidence"]["missing"].as_str().unwrap();
    assert!(
        wanted.starts_with("--status CODE") && wanted.contains("SQS-SendMessage"),
        "{wanted}"
    );
    let dir = tempfile::tempdir().unwrap();
    let answer = dir.path().join("sqs.xml");
    std::fs::write(&answer, "<SendMessageResponse/>").unwrap();
    let (_, j) = json_run(&[
        "trace",
        "--export",
        file,
        "POST",
        "/sqs",
        "--status",
        "200",
        "--backend-body",
        answer.to_str().unwrap(),
    ]);
    assert_eq!(j["result"]["response"]["status"], 200, "{j}");
    assert_eq!(
        stage(&j, "integration-request")["detail"]["subtype"],
        "SQS-SendMessage",
        "{j}"
    );
    let lambda = dir.path().join("out.json");
    std::fs::write(&lambda, r#"{"statusCode": 200}"#).unwrap();
    let (_, j) = json_run(&[
        "trace",
        "--export",
        file,
        "POST",
        "/sqs",
        "--lambda-output",
        lambda.to_str().unwrap(),
    ]);
    let missing = findings_with(&j, "trace.input-missing");
    assert!(
        missing[0]["message"]
            .as_str()
            .unwrap()
            .contains("--lambda-output does not apply"),
        "{j}"
    );
    // The SQS-SendMessage integration without its MessageBody: SendMessage cannot be called.
    let no_body = dir.path().join("no-body.yaml");
    let text = std::fs::read_to_string(file).unwrap();
    std::fs::write(
        &no_body,
        text.replace("        MessageBody: $request.body.MessageBody\n", ""),
    )
    .unwrap();
    let (code, j) = json_run(&["lint", no_body.to_str().unwrap()]);
    assert_eq!(code, 1, "{j}");
    let missing = findings_with(&j, "lint.http-service-parameters");
    assert_eq!(missing.len(), 1, "{j}");
    assert_eq!(missing[0]["evidence"]["missing"], "MessageBody");
    assert_eq!(
        missing[0]["evidence"]["location"],
        "$.Resources.SqsIntegration"
    );
    assert_eq!(
        missing[0]["evidence"]["line"],
        line_of(file, "SqsIntegration:", "SqsIntegration")
    );
    // Without its Route resource the API has no routes: a warning, as before.
    let bare = dir.path().join("template.yaml");
    let text = std::fs::read_to_string(file).unwrap();
    let cut = text.find("  # Route\n").unwrap();
    let end = text.find("\nOutputs:").unwrap();
    std::fs::write(&bare, format!("{}{}", &text[..cut], &text[end..])).unwrap();
    let (_, j) = json_run(&["lint", bare.to_str().unwrap()]);
    assert_eq!(
        findings_with(&j, "lint.api-without-methods").len(),
        1,
        "{j}"
    );
}

/// A V2 stage's RouteSettings keyed by a route its API lacks: API Gateway refuses the stage
/// (NotFoundException "Unable to find Route by key GET /some-route within the provided
/// RouteSettings", terraform-aws-modules/terraform-aws-apigateway-v2#80), so the stack fails;
/// before, lint said nothing. A key naming a Route resource the stage does not depend on is a
/// warning (CloudFormation may create the stage first; SAM makes its WebSocket stage depend on
/// the routes for that reason); one written in another case is a warning (whether API Gateway
/// matches it is not documented).
#[test]
fn stage_route_settings_for_routes_the_api_lacks() {
    let file = "tests/iac/http-stage-route-settings.yaml";
    let (code, j) = json_run(&["lint", file]);
    assert_eq!(code, 1);
    let found = findings_with(&j, "lint.route-settings-unknown-route");
    let by_key = |key: &str| {
        found
            .iter()
            .find(|f| {
                f["message"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("route {key},"))
            })
            .unwrap_or_else(|| panic!("{key}: {j}"))
    };
    assert_eq!(found.len(), 3, "{j}");
    let missing = by_key("POST /orders");
    assert_eq!(missing["severity"], "error");
    assert_eq!(
        missing["evidence"]["line"],
        line_of(file, "RouteSettings", "POST /orders")
    );
    assert!(
        missing["message"]
            .as_str()
            .unwrap()
            .contains("Unable to find Route by key POST /orders")
    );
    assert_eq!(by_key("get /Items")["severity"], "warning");
    let order = by_key("GET /items");
    assert_eq!(order["severity"], "warning");
    assert!(
        order["message"]
            .as_str()
            .unwrap()
            .contains("DependsOn: GetItems"),
        "{order}"
    );
    // Depending on the route, directly or through a deployment that depends on it, is enough.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(file).unwrap();
    let waits = text.replace(
        "  Stage:\n    Type: AWS::ApiGatewayV2::Stage\n",
        "  Deployment:\n    Type: AWS::ApiGatewayV2::Deployment\n    DependsOn: [GetItems]\n    Properties:\n      ApiId: !Ref Api\n  Stage:\n    Type: AWS::ApiGatewayV2::Stage\n",
    );
    let waits = waits.replace(
        "      AutoDeploy: true\n",
        "      DeploymentId: !Ref Deployment\n",
    );
    assert_ne!(waits, text);
    let waiting = dir.path().join("waits.yaml");
    std::fs::write(&waiting, &waits).unwrap();
    let (_, j) = json_run(&["lint", waiting.to_str().unwrap()]);
    let found = findings_with(&j, "lint.route-settings-unknown-route");
    assert_eq!(found.len(), 2, "{j}");
    assert!(
        found
            .iter()
            .all(|f| !f["message"].as_str().unwrap().contains("DependsOn"))
    );

    // A definition the tool does not read (an include from S3): its routes are unknown, so its
    // stage's settings are not judged (before this guard: a false "does not have").
    let included = dir.path().join("included.yaml");
    std::fs::write(
        &included,
        "Resources:\n  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties:\n      Body:\n        Fn::Transform:\n          Name: AWS::Include\n          Parameters:\n            Location: s3://bucket/openapi.yaml\n  Stage:\n    Type: AWS::ApiGatewayV2::Stage\n    Properties:\n      ApiId: !Ref Api\n      StageName: prod\n      RouteSettings:\n        GET /items:\n          ThrottlingBurstLimit: 10\n",
    )
    .unwrap();
    let r = run(&["lint", included.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(!r.stdout.contains("route-settings") && !r.stderr.contains("RouteSettings"));

    // A WebSocket API's stage, in a template with no REST or HTTP API: said in its report.
    let ws = dir.path().join("ws.yaml");
    std::fs::write(
        &ws,
        "Resources:\n  Ws:\n    Type: AWS::ApiGatewayV2::Api\n    Properties:\n      Name: chat\n      ProtocolType: WEBSOCKET\n      RouteSelectionExpression: $request.body.action\n  Connect:\n    Type: AWS::ApiGatewayV2::Route\n    Properties:\n      ApiId: !Ref Ws\n      RouteKey: $connect\n  Stage:\n    Type: AWS::ApiGatewayV2::Stage\n    DependsOn: Connect\n    Properties:\n      ApiId: !Ref Ws\n      StageName: prod\n      RouteSettings:\n        $connect:\n          ThrottlingBurstLimit: 5\n        sendmessage:\n          ThrottlingBurstLimit: 5\n",
    )
    .unwrap();
    let (_, j) = json_run(&["lint", ws.to_str().unwrap()]);
    let found = findings_with(&j, "lint.route-settings-unknown-route");
    assert_eq!(found.len(), 1, "{j}");
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("route sendmessage,")
    );

    // SAM: an HttpApi's RouteSettings against its events' routes, a WebSocketApi's against its
    // Routes (SAM makes the stage depend on them: no order warning).
    let sam = dir.path().join("sam.yaml");
    std::fs::write(
        &sam,
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Http:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      RouteSettings:\n        GET /items:\n          ThrottlingBurstLimit: 10\n        GET /orders:\n          ThrottlingBurstLimit: 10\n  Ws:\n    Type: AWS::Serverless::WebSocketApi\n    Properties:\n      RouteSelectionExpression: $request.body.action\n      Routes:\n        $connect:\n          FunctionArn: !GetAtt Fn.Arn\n      RouteSettings:\n        $connect:\n          ThrottlingBurstLimit: 1\n        $disconnect:\n          ThrottlingBurstLimit: 1\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: index.handler\n      Runtime: nodejs20.x\n      InlineCode: x\n      Events:\n        Get:\n          Type: HttpApi\n          Properties:\n            ApiId: !Ref Http\n            Path: /items\n            Method: get\n",
    )
    .unwrap();
    let r = run(&["-o", "json", "lint", sam.to_str().unwrap()]);
    let said: Vec<String> = r
        .json()
        .iter()
        .flat_map(|v| {
            findings_with(v, "lint.route-settings-unknown-route")
                .into_iter()
                .map(|f| f["message"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(said.len(), 2, "{said:?}");
    assert!(
        said.iter()
            .any(|m| m.contains("route GET /orders, which Http"))
    );
    assert!(
        said.iter()
            .any(|m| m.contains("route $disconnect, which Ws"))
    );

    // Globals' RouteSettings are the API's too, and said where they are written.
    let globals = dir.path().join("globals.yaml");
    std::fs::write(
        &globals,
        "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  HttpApi:\n    RouteSettings:\n      GET /orders:\n        ThrottlingBurstLimit: 5\nResources:\n  Http:\n    Type: AWS::Serverless::HttpApi\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: index.handler\n      Runtime: nodejs20.x\n      InlineCode: x\n      Events:\n        Get:\n          Type: HttpApi\n          Properties: {ApiId: !Ref Http, Path: /items, Method: get}\n",
    )
    .unwrap();
    let (_, j) = json_run(&["lint", globals.to_str().unwrap()]);
    let found = findings_with(&j, "lint.route-settings-unknown-route");
    assert_eq!(found.len(), 1, "{j}");
    assert_eq!(
        found[0]["evidence"]["location"],
        "$.Globals.HttpApi.RouteSettings['GET /orders']"
    );
    assert_eq!(found[0]["evidence"]["line"], 5);

    // Terraform: a stage's route_settings blocks (the shape of terraform-aws-modules/
    // terraform-aws-apigateway-v2#80, whose apply failed so), against the API's routes; what
    // the stage waits for is not read there, so a route it has gets nothing.
    let mut state: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/iac/terraform/http-state.json").unwrap(),
    )
    .unwrap();
    let resources = state["values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap();
    let at = resources
        .iter()
        .position(|r| r["address"] == "aws_apigatewayv2_stage.prod")
        .unwrap();
    let block = |key: &str| {
        serde_json::json!({"route_key": key, "throttling_burst_limit": 10, "throttling_rate_limit": 5,
            "data_trace_enabled": false, "detailed_metrics_enabled": false, "logging_level": ""})
    };
    resources[at]["values"]["route_settings"] =
        serde_json::json!([block("GET /pets"), block("GET /some-route")]);
    let tf = dir.path().join("state.json");
    std::fs::write(&tf, serde_json::to_string_pretty(&state).unwrap()).unwrap();
    let (code, j) = json_run(&["lint", tf.to_str().unwrap()]);
    assert_eq!(code, 1, "{j}");
    let found = findings_with(&j, "lint.route-settings-unknown-route");
    assert_eq!(found.len(), 1, "{j}");
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.contains("route_settings names the route GET /some-route")
            && message.contains("terraform apply fails"),
        "{message}"
    );
    assert_eq!(
        found[0]["evidence"]["location"],
        format!("$.values.root_module.resources[{at}].values.route_settings")
    );
}

/// A SAM REST API's custom domain base path: unless `NormalizeBasePath` is false, SAM keeps
/// only its letters and digits (aws/serverless-application-model#1456 and #2279: `dev-v1`
/// deployed as `devv1`), so calls under the written path match no mapping; before, lint said
/// nothing. SAM's own test `api_with_custom_base_path`: the findings name the base paths SAM's
/// translation holds, and the APIs with NormalizeBasePath false get none.
#[test]
fn a_sam_rest_base_path_with_symbols_is_said_as_sam_maps_it() {
    let name = "tests/iac/sam-translator/api_with_custom_base_path";
    let output: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{name}.output.json")).unwrap())
            .unwrap();
    let (code, j) = json_run(&["lint", &format!("{name}.yaml")]);
    assert_eq!(code, 1, "{j}");
    let found = findings_with(&j, "lint.sam-base-path-normalized");
    assert_eq!(found.len(), 2, "{j}");
    for f in &found {
        let api = f["evidence"]["api"].as_str().unwrap();
        // The mapping SAM writes for that API.
        let mapped: Vec<&str> = output["Resources"]
            .as_object()
            .unwrap()
            .values()
            .filter(|r| r["Type"] == "AWS::ApiGateway::BasePathMapping")
            .filter(|r| r["Properties"]["RestApiId"]["Ref"] == api)
            .filter_map(|r| r["Properties"]["BasePath"].as_str())
            .collect();
        assert_eq!(mapped.len(), 1, "{api}");
        let message = f["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("is mapped as '{}'", mapped[0])),
            "{message}"
        );
    }
    let globals = found
        .iter()
        .find(|f| f["evidence"]["api"] == "MyApi2")
        .unwrap();
    assert_eq!(
        globals["evidence"]["location"],
        "$.Globals.Api.Domain.BasePath"
    );
    assert_eq!(globals["evidence"]["line"], 4);

    // An HTTP API's domain: SAM takes REGIONAL alone, and base paths of letters, digits, /, -
    // and _ (kept as written, so no normalization is said).
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.yaml");
    let http = |domain: &str| {
        format!(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Http:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      Domain:\n        DomainName: api.example.com\n        CertificateArn: arn:aws:acm:us-east-1:123456789012:certificate/abc\n{domain}  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: index.handler\n      Runtime: nodejs20.x\n      InlineCode: x\n      Events:\n        Get:\n          Type: HttpApi\n          Properties: {{ApiId: !Ref Http, Path: /items, Method: get}}\n"
        )
    };
    for (domain, said) in [
        (
            "        EndpointConfiguration: EDGE\n",
            Some("must be one of ['REGIONAL']"),
        ),
        (
            "        BasePath: [v1.2]\n",
            Some("Invalid Basepath name provided."),
        ),
        ("        BasePath: [dev-v1, api/v2]\n", None),
    ] {
        std::fs::write(&template, http(domain)).unwrap();
        let (_, j) = json_run(&["lint", template.to_str().unwrap()]);
        let refused = findings_with(&j, "lint.sam-transform-error");
        match said {
            Some(said) => {
                assert_eq!(refused.len(), 1, "{domain}: {j}");
                assert!(
                    refused[0]["message"].as_str().unwrap().contains(said),
                    "{j}"
                );
            }
            None => assert!(refused.is_empty(), "{domain}: {j}"),
        }
        assert!(findings_with(&j, "lint.sam-base-path-normalized").is_empty());
    }
    // A WebSocket API's domain is built by the same code as an HTTP API's: both names needed.
    std::fs::write(
        &template,
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Ws:\n    Type: AWS::Serverless::WebSocketApi\n    Properties:\n      RouteSelectionExpression: $request.body.action\n      Domain:\n        DomainName: ws.example.com\n      Routes:\n        $default:\n          FunctionArn: arn:aws:lambda:us-east-1:123456789012:function:f\n",
    )
    .unwrap();
    let (_, j) = json_run(&["lint", template.to_str().unwrap()]);
    let refused = findings_with(&j, "lint.sam-transform-error");
    assert_eq!(refused.len(), 1, "{j}");
    assert!(
        refused[0]["message"].as_str().unwrap().contains(
            "Custom Domains only works if both DomainName and CertificateArn are provided."
        ),
        "{j}"
    );
    assert_eq!(
        refused[0]["evidence"]["location"],
        "$.Resources.Ws.Properties.Domain"
    );
}

/// A REST stage's MethodSettings: `ResourcePath` begins with `/` and writes a path's slashes as
/// `~1` (AWS::ApiGateway::Stage MethodSetting). `*` is refused (aws-cloudformation/
/// cfn-lint#2148); a nested path written with its slashes is taken and applies to no method
/// (hashicorp/terraform-provider-aws#9738); `/*` with one method was recorded applying to no
/// method (aws/serverless-application-model#579, #1518); a path or method the API lacks applies
/// to none. Before, lint said nothing of any of them.
#[test]
fn rest_method_settings_paths_are_read_as_api_gateway_reads_them() {
    let file = "tests/iac/rest-stage-method-settings.yaml";
    let (code, j) = json_run(&["lint", file]);
    assert_eq!(code, 1, "{j}");
    let found = findings_with(&j, "lint.method-settings-path");
    let of = |n: usize| {
        found
            .iter()
            .find(|f| {
                f["evidence"]["location"]
                    == format!("$.Resources.Stage.Properties.MethodSettings[{n}].ResourcePath")
            })
            .map(|f| {
                (
                    f["severity"].as_str().unwrap(),
                    f["message"].as_str().unwrap(),
                )
            })
    };
    // [0] and [6] are written as AWS documents them, for a method the API has, and for all.
    assert_eq!(of(0), None, "{j}");
    assert_eq!(of(6), None, "{j}");
    let (severity, message) = of(1).unwrap();
    assert_eq!(severity, "warning");
    assert!(message.contains("write it /~1orders~1{id}"), "{message}");
    let (severity, message) = of(2).unwrap();
    assert_eq!(severity, "error");
    assert!(message.contains("Invalid method setting path") && message.contains("write it /*"));
    assert_eq!(of(3).unwrap().0, "warning");
    assert!(of(4).unwrap().1.contains("no method at /orders"));
    assert!(
        of(5)
            .unwrap()
            .1
            .contains("/orders/{id} has no DELETE method")
    );
    assert_eq!(found.len(), 5, "{j}");
    let unencoded = found
        .iter()
        .find(|f| {
            f["message"]
                .as_str()
                .unwrap()
                .contains("ResourcePath /orders/{id}")
        })
        .unwrap();
    assert_eq!(
        unencoded["evidence"]["line"],
        line_of(file, "MethodSettings", "ResourcePath: /orders/{id}")
    );

    // SAM: an Api's MethodSettings from Globals, against the methods its events give it.
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.yaml");
    std::fs::write(
        &template,
        "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Api:\n    MethodSettings:\n      - ResourcePath: /~1items\n        HttpMethod: GET\n        CachingEnabled: true\n      - ResourcePath: /items/{id}\n        HttpMethod: GET\n        CachingEnabled: true\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: index.handler\n      Runtime: nodejs20.x\n      InlineCode: x\n      Events:\n        Get:\n          Type: Api\n          Properties: {Path: /items, Method: get}\n        One:\n          Type: Api\n          Properties: {Path: '/items/{id}', Method: get}\n",
    )
    .unwrap();
    let (_, j) = json_run(&["lint", template.to_str().unwrap()]);
    let found = findings_with(&j, "lint.method-settings-path");
    assert_eq!(found.len(), 1, "{j}");
    assert_eq!(
        found[0]["evidence"]["location"],
        "$.Globals.Api.MethodSettings[1].ResourcePath"
    );
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("/~1items~1{id}")
    );
}

/// Terraform's aws_api_gateway_method_settings: the provider documents method_path as
/// `trimprefix(path, "/")/METHOD`; one that keeps the first slash is taken and applies to no
/// method (hashicorp/terraform-provider-aws#9738), and a method the API lacks gets nothing.
#[test]
fn terraform_method_settings_paths_are_judged() {
    let mut state: Value = serde_json::from_str(&std::fs::read_to_string(STATE).unwrap()).unwrap();
    let resources = state["values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap();
    let first = resources.len();
    for (name, path) in [
        ("right", "orders/{orderId}/GET"),
        ("slash", "/orders/{orderId}/GET"),
        ("missing", "orders/DELETE"),
        ("all", "*/*"),
    ] {
        resources.push(serde_json::json!({
            "address": format!("aws_api_gateway_method_settings.{name}"),
            "mode": "managed", "type": "aws_api_gateway_method_settings", "name": name,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "values": {"id": format!("k8w2q4x7zd-prod-{path}"), "method_path": path,
                "rest_api_id": "k8w2q4x7zd", "stage_name": "prod",
                "settings": [{"metrics_enabled": true, "logging_level": "", "data_trace_enabled": false,
                    "throttling_burst_limit": -1, "throttling_rate_limit": -1, "caching_enabled": false}]}
        }));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.json");
    std::fs::write(&file, serde_json::to_string_pretty(&state).unwrap()).unwrap();
    let (code, j) = json_run(&["lint", file.to_str().unwrap()]);
    assert_eq!(code, 1, "{j}");
    let found = findings_with(&j, "lint.method-settings-path");
    assert_eq!(found.len(), 2, "{j}");
    let slash = found
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("slash"))
        .unwrap();
    assert_eq!(slash["severity"], "warning");
    assert!(
        slash["message"]
            .as_str()
            .unwrap()
            .contains("aws_api_gateway_method_settings.slash")
    );
    assert_eq!(
        slash["evidence"]["location"],
        format!(
            "$.values.root_module.resources[{}].values.method_path",
            first + 1
        )
    );
    let missing = found
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("DELETE"))
        .unwrap();
    assert!(
        missing["message"]
            .as_str()
            .unwrap()
            .contains("/orders has no DELETE method"),
        "{missing}"
    );
}
