//! `apigw-doctor lint` end to end, on realistic exports (YAML and JSON) and get-resources.
mod support;
use serde_json::Value;
use support::*;

const EXPORT: &str = "examples/lint/orders-export.yaml";
const RESOURCES: &str = "examples/lint/get-resources.json";
const LAMBDA_PERMISSIONS: &str = "tests/iac/lambda-permissions.yaml";

#[test]
fn vpc_link_users_by_id_and_stage_variable() {
    let r = run(&[
        "-o",
        "json",
        "lint",
        EXPORT,
        "--vpc-link",
        "vl7x9k2",
        "--deployed",
    ]);
    assert_eq!(r.code, 1, "a link in use blocks deletion");
    let j = r.one_json();
    let users = j["result"]["vpc_link"]["users"].as_array().unwrap();
    let labels: Vec<(String, bool)> = users
        .iter()
        .map(|u| {
            (
                format!(
                    "[{}:{}]",
                    u["method"].as_str().unwrap(),
                    u["path"].as_str().unwrap()
                ),
                u["certain"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        labels,
        [
            ("[GET:/orders]".to_string(), true),
            ("[DELETE:/orders/{id}]".to_string(), false)
        ]
    );
    assert_eq!(j["result"]["vpc_link"]["deployed"], true);
    assert_eq!(
        codes_of(&j),
        ["lint.vpc-link-in-use", "lint.vpc-link-may-be-in-use"]
            .map(String::from)
            .into()
    );
    let first = &j["findings"][0];
    assert!(
        first["message"]
            .as_str()
            .unwrap()
            .contains("redeploy it to the same stage")
    );
    assert_eq!(first["evidence"]["line"], 18);
    assert_eq!(first["article"], "vpc-link-delete");

    let undeployed = run(&[
        "-o",
        "json",
        "lint",
        EXPORT,
        "--vpc-link",
        "vl7x9k2",
        "--undeployed",
    ])
    .one_json();
    assert!(
        undeployed["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no redeployment needed")
    );
    // A stage variable may name any link: a warning, and no all-clear either (exit 1: the
    // question was whether the link can be deleted).
    let maybe = run(&["lint", EXPORT, "--vpc-link", "vl0000", "--color", "never"]);
    assert_eq!(maybe.code, 1);
    assert!(
        maybe
            .stdout
            .contains("(0 by id, 1 that may: a stage variable or a reference"),
        "{}",
        maybe.stdout
    );
    let free = run(&[
        "lint",
        RESOURCES,
        "--vpc-link",
        "vl0000",
        "--color",
        "never",
    ]);
    assert_eq!(free.code, 0);
    assert!(
        free.stdout.contains("VPC link vl0000 is used by no method"),
        "{}",
        free.stdout
    );
}

#[test]
fn get_resources_json_works_too() {
    let j = run(&["-o", "json", "lint", RESOURCES, "--vpc-link", "vl7x9k2"]).one_json();
    assert_eq!(j["result"]["vpc_link"]["users"][0]["path"], "/pets");
    let j = run(&["-o", "json", "lint", RESOURCES]).one_json();
    assert_eq!(j["result"]["methods"], 1);
    assert!(
        codes_of(&j).contains("lint.response-without-method-response"),
        "{j}"
    );
    assert!(codes_of(&j).contains("selection.no-default"), "{j}");
}

#[test]
fn full_lint_of_an_export() {
    let r = run(&["-o", "json", "lint", EXPORT]);
    let j = r.one_json();
    assert_eq!(j["result"]["methods"], 5);
    assert_eq!(j["result"]["integrations"], 5);
    let links = j["result"]["vpc_links"].as_array().unwrap();
    assert_eq!(links.len(), 2);
    let got = codes_of(&j);
    for code in [
        "lint.response-without-method-response",
        "lint.override-status-undeclared",
        "lint.plain-http-integration",
        "lint.template-on-proxy",
        "selection.status-pattern-for-lambda",
    ] {
        assert!(got.contains(code), "{code} missing: {got:?}");
    }
    assert_eq!(r.code, 1);
}

#[test]
fn json_export_from_stdin() {
    let yaml_as_json = run(&[
        "-o",
        "json",
        "lint",
        "examples/selection/petstore-export.json",
    ])
    .one_json();
    assert_eq!(yaml_as_json["result"]["methods"], 3);
    let text = std::fs::read_to_string("examples/selection/petstore-export.json").unwrap();
    let r = run_with_stdin(&["-o", "json", "lint", "-"], text);
    assert_eq!(r.one_json()["target"], "<stdin>");
}

#[test]
fn sarif_output_has_the_required_fields() {
    let r = run(&["-o", "sarif", "lint", EXPORT]);
    let sarif: Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run0 = &sarif["runs"][0];
    assert_eq!(run0["tool"]["driver"]["name"], "apigw-doctor");
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run0["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for res in results {
        assert!(
            res["message"]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty())
        );
        assert!(["error", "warning", "note"].contains(&res["level"].as_str().unwrap()));
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], res["ruleId"]);
        let loc = &res["locations"][0];
        assert_eq!(loc["physicalLocation"]["artifactLocation"]["uri"], EXPORT);
        assert!(
            loc["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
                >= 1
        );
        assert!(
            loc["logicalLocations"][0]["fullyQualifiedName"]
                .as_str()
                .unwrap()
                .starts_with("$.paths")
        );
    }
    for rule in rules {
        assert!(rule["help"]["text"].as_str().is_some(), "{rule}");
    }
}

#[test]
fn wrong_documents_say_what_they_look_like() {
    assert_usage_error(
        &run(&["lint", "examples/policy/cross-account.json"]),
        "it looks like an IAM or resource policy (use `apigw-doctor policy`)",
    );
    assert_usage_error(
        &run(&["lint", "examples/lambda/rest-object-body.json"]),
        "it looks like a Lambda proxy response",
    );
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "paths:\n  /a:\n    get: [1, 2\n").unwrap();
    assert_usage_error(&run(&["lint", bad.to_str().unwrap()]), "invalid YAML");
    assert_usage_error(
        &run(&["lint", "/nonexistent.yaml"]),
        "/nonexistent.yaml: cannot open",
    );
    let r = run(&["lint", EXPORT, "--deployed"]);
    assert_eq!(r.code, 2, "--deployed needs --vpc-link");
    std::fs::write(&bad, "").unwrap();
    assert_usage_error(&run(&["lint", bad.to_str().unwrap()]), "the file is empty");
}

/// Findings on a key written with escapes (`"5\\d{2}"` in JSON) and inside arrays
/// (get-resources `items`) carry their own line.
#[test]
fn lines_of_escaped_keys_and_array_items() {
    let export = r#"{
  "openapi": "3.0.1",
  "paths": {
    "/a": {
      "get": {
        "x-amazon-apigateway-integration": {
          "type": "http",
          "uri": "https://backend.example.com/a",
          "responses": {
            "default": {"statusCode": "200"},
            "5\\d{2}": {"statusCode": "500"},
            "5\\d{2}|(a+)+": {"statusCode": "502"}
          }
        }
      }
    }
  }
}"#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.json");
    std::fs::write(&path, export).unwrap();
    let r = run(&["-o", "json", "lint", path.to_str().unwrap()]);
    let j = r.one_json();
    let risky = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "selection.backtracking-risk")
        .expect("the nested quantifier is flagged");
    assert_eq!(risky["evidence"]["line"], 12, "{risky}");

    let resources = r#"{"items": [
  {"id": "r1", "path": "/", "resourceMethods": {"GET": {"methodIntegration": {"type": "HTTP", "uri": "http://a.example.com/"}}}},
  {"id": "r2", "path": "/b",
   "resourceMethods": {
     "GET": {"methodIntegration": {"type": "HTTP", "uri": "http://b.example.com/"}}}}
]}"#;
    let path = dir.path().join("resources.json");
    std::fs::write(&path, resources).unwrap();
    let j = run(&["-o", "json", "lint", path.to_str().unwrap()]).one_json();
    let lines: Vec<i64> = findings_with(&j, "lint.plain-http-integration")
        .into_iter()
        .map(|f| f["evidence"]["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, [2, 5]);
}

/// CDK and SAM put an authorizer on every method unless told otherwise; on OPTIONS that breaks
/// every browser preflight. Both document shapes: an export's `security` (also inherited from
/// the root) and get-resources' authorizationType/apiKeyRequired.
#[test]
fn an_options_method_behind_an_authorizer_breaks_cors_preflights() {
    let export = r#"{"openapi":"3.0.1","security":[{"CognitoAuth":[]}],"paths":{
      "/orders":{
        "options":{"responses":{"200":{"description":"ok"}},
          "x-amazon-apigateway-integration":{"type":"mock","requestTemplates":{"application/json":"{\"statusCode\": 200}"},
            "responses":{"default":{"statusCode":"200"}}}},
        "get":{"x-amazon-apigateway-integration":{"type":"aws_proxy","httpMethod":"POST","uri":"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:111122223333:function:orders/invocations"}}},
      "/public":{
        "options":{"security":[],"responses":{"200":{"description":"ok"}},"x-amazon-apigateway-integration":{"type":"mock","requestTemplates":{"application/json":"{\"statusCode\": 200}"},
            "responses":{"default":{"statusCode":"200"}}}}}}}"#;
    let r = run_with_stdin(&["-o", "json", "lint", "-"], export);
    // A warning: exit 0 unless --fail-on warning.
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.one_json();
    let hits: Vec<&Value> = findings_with(&j, "lint.cors-preflight-needs-auth");
    assert_eq!(hits.len(), 1, "{j}");
    assert_eq!(hits[0]["evidence"]["method"], "[OPTIONS:/orders]");
    assert_eq!(hits[0]["evidence"]["requires"][0], "CognitoAuth");
    assert_eq!(hits[0]["article"], "cors");
    assert_eq!(
        hits[0]["evidence"]["location"],
        "$.paths['/orders'].options"
    );

    let resources = r#"{"items":[{"id":"a1b2c3","path":"/orders","resourceMethods":{
      "OPTIONS":{"httpMethod":"OPTIONS","authorizationType":"CUSTOM","authorizerId":"xyz789","apiKeyRequired":true,
        "methodIntegration":{"type":"MOCK","requestTemplates":{"application/json":"{\"statusCode\": 200}"},"integrationResponses":{"200":{"statusCode":"200"}}}}}}]}"#;
    let r = run_with_stdin(&["-o", "json", "lint", "-"], resources);
    let j = r.one_json();
    let f = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "lint.cors-preflight-needs-auth")
        .unwrap_or_else(|| panic!("{j}"));
    assert_eq!(
        f["evidence"]["requires"],
        serde_json::json!(["CUSTOM authorizer xyz789", "API key"])
    );
}

/// A 1,200-path export is read in parts (a few hundred path items at a time): every method
/// counted, the VPC links gathered across parts, and a finding in the last part placed on
/// its own line of the file.
#[test]
fn a_large_export_is_read_in_parts_with_exact_lines() {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = serde_json::Map::new();
    for n in 0..1200 {
        let mut integration = serde_json::json!({
            "type": "http", "httpMethod": "GET", "uri": format!("https://backend.example.com/r{n}"),
            "responses": {"default": {"statusCode": "200"}}
        });
        if n % 500 == 7 {
            integration["connectionType"] = "VPC_LINK".into();
            integration["connectionId"] = "vl7x9k2".into();
        }
        if n == 1150 {
            integration["responses"]["(a+)+x"] = serde_json::json!({"statusCode": "409"});
        }
        paths.insert(
            format!("/r{n}"),
            serde_json::json!({"get": {"responses": {"200": {"description": "ok"}, "409": {"description": "conflict"}},
                "x-amazon-apigateway-integration": integration}}),
        );
    }
    let doc = serde_json::json!({"openapi": "3.0.1", "info": {"title": "big", "version": "1"}, "paths": paths});
    let text = serde_json::to_string_pretty(&doc).unwrap();
    let file = dir.path().join("big.json");
    std::fs::write(&file, &text).unwrap();
    let r = run(&["-o", "json", "lint", file.to_str().unwrap()]);
    let j = r.one_json();
    assert_eq!(j["result"]["methods"], 1200, "{}", r.stdout);
    assert_eq!(j["result"]["integrations"], 1200);
    let links = j["result"]["vpc_links"].as_array().unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(
        links[0]["used_by"],
        serde_json::json!(["[GET:/r7]", "[GET:/r507]", "[GET:/r1007]"])
    );
    let finding = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "selection.backtracking-risk")
        .unwrap_or_else(|| panic!("no finding on /r1150: {}", r.stdout));
    let expected = text.lines().position(|l| l.contains("\"(a+)+x\"")).unwrap() + 1;
    assert_eq!(finding["evidence"]["method"], "[GET:/r1150]", "{finding}");
    assert_eq!(finding["evidence"]["line"], expected, "{finding}");
}

/// A path written twice in one export: as when the file is read whole, the last one is
/// the path item (JSON parsers keep the last of a repeated key).
#[test]
fn a_path_written_twice_is_the_last_one() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("twice.json");
    std::fs::write(
        &file,
        r#"{"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": {
  "/a": {"get": {"x-amazon-apigateway-integration": {"type": "http", "uri": "http://old.example.com/a", "httpMethod": "GET"}}},
  "/b": {"get": {"x-amazon-apigateway-integration": {"type": "http_proxy", "uri": "https://b.example.com", "httpMethod": "GET"}}},
  "/a": {"post": {"x-amazon-apigateway-integration": {"type": "http_proxy", "uri": "https://new.example.com/a", "httpMethod": "POST"}}}
}}"#,
    )
    .unwrap();
    let r = run(&["-o", "json", "lint", file.to_str().unwrap()]);
    let j = r.one_json();
    assert_eq!(j["result"]["methods"], 2, "{}", r.stdout);
    assert!(
        !r.stdout.contains("old.example.com"),
        "the first /a is gone: {}",
        r.stdout
    );
}

/// Each allocator (chosen per command, or forced with APIGW_DOCTOR_ALLOCATOR) gives the same
/// answer; blocks allocated before the choice are freed by their own allocator (a wrong
/// free would abort the process).
#[test]
fn every_allocator_gives_the_same_report() {
    let mut reports = Vec::new();
    for allocator in ["", "system", "mimalloc"] {
        for args in [
            &["-o", "json", "lint", EXPORT][..],
            &[
                "-o",
                "json",
                "kb",
                "search",
                "Malformed Lambda proxy response",
            ][..],
        ] {
            let out = doctor()
                .env("APIGW_DOCTOR_ALLOCATOR", allocator)
                .args(args)
                .output()
                .unwrap();
            assert!(out.status.code().is_some_and(|c| c < 2), "{out:?}");
            reports.push((args.to_vec(), String::from_utf8(out.stdout).unwrap()));
        }
    }
    for r in &reports[2..] {
        let first = reports.iter().find(|f| f.0 == r.0).unwrap();
        assert_eq!(first.1, r.1, "{:?}", r.0);
    }
}

/// A REST API's AWS_PROXY integration whose URI is the Lambda function's own ARN is refused by
/// API Gateway ("AWS ARN for integration must contain path or action"); an HTTP API takes that
/// ARN, so the same URI there is no finding. Both in one SAM template, and an HTTP API's
/// Terraform state.
#[test]
fn a_function_arn_as_a_rest_integration_uri_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let template = "AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  RestApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        openapi: 3.0.1
        info: {title: rest, version: '1'}
        paths:
          /orders:
            post:
              responses: {'200': {description: ok}}
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: arn:aws:lambda:eu-west-1:123456789012:function:create-order
          /report:
            get:
              responses: {'200': {description: ok}}
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Report.Arn}/invocations
  HttpApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        openapi: 3.0.1
        info: {title: http, version: '1'}
        paths:
          /pets:
            get:
              responses: {'200': {description: ok}}
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                payloadFormatVersion: '2.0'
                uri: arn:aws:lambda:eu-west-1:123456789012:function:list-pets
";
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, template).unwrap();
    let path = path.to_str().unwrap();
    let r = run(&["-o", "json", "lint", path]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = r.one_json();
    let refused: Vec<&Value> = findings_with(&j, "lint.aws-integration-uri");
    assert_eq!(refused.len(), 1, "{j}");
    let f = refused[0];
    assert_eq!(
        f["evidence"]["uri"],
        "arn:aws:lambda:eu-west-1:123456789012:function:create-order"
    );
    assert!(
        f["message"].as_str().unwrap().contains(
            "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:create-order/invocations"
        ),
        "{f}"
    );
    assert_eq!(f["article"], "http-integration-endpoint");
    assert!(f["evidence"]["line"].as_u64().is_some(), "{f}");
    let state = run(&["-o", "json", "lint", "tests/iac/terraform/http-state.json"]);
    assert!(
        !state.stdout.contains("lint.aws-integration-uri"),
        "{}",
        state.stdout
    );
    // CloudFormation's own resources: a REST method's Integration.Uri is judged, an HTTP API's
    // AWS::ApiGatewayV2::Integration is not.
    let rest = "Resources:
  Api: {Type: AWS::ApiGateway::RestApi, Properties: {Name: pets}}
  Pets:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: pets}
  Get:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Pets
      HttpMethod: GET
      AuthorizationType: NONE
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: arn:aws:lambda:eu-west-1:123456789012:function:list-pets
"
    .to_string();
    let http = "Resources:
  Api: {Type: AWS::ApiGatewayV2::Api, Properties: {Name: pets, ProtocolType: HTTP}}
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationUri: arn:aws:lambda:eu-west-1:123456789012:function:list-pets
      PayloadFormatVersion: '2.0'
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: GET /pets, Target: integrations/Integration}
";
    // AWS_PROXY with another service than Lambda: REST APIs call its actions with type AWS.
    let proxy = rest.replace(
        "Uri: arn:aws:lambda:eu-west-1:123456789012:function:list-pets",
        "Uri: !Sub arn:aws:apigateway:${AWS::Region}:sqs:path/${AWS::AccountId}/pets\n        Credentials: !GetAtt Role.Arn",
    );
    for (kind, template, fires) in [
        ("rest", rest.as_str(), true),
        ("http", http, false),
        ("proxy", proxy.as_str(), true),
    ] {
        let path = dir.path().join(format!("{kind}.yaml"));
        std::fs::write(&path, template).unwrap();
        let r = run(&["-o", "json", "lint", path.to_str().unwrap()]);
        let j = r.one_json();
        let hits = findings_with(&j, "lint.aws-integration-uri");
        assert_eq!(hits.len(), usize::from(fires), "{kind}: {j}");
        if kind == "proxy" {
            let message = hits[0]["message"].as_str().unwrap();
            assert!(
                message.contains("takes type AWS (non-proxy)")
                    && message.contains("as emulators of API Gateway record it"),
                "{message}"
            );
        }
    }
}

/// An integration's credentials must be a role's ARN, and an AWS integration with a service
/// other than Lambda needs one: as a CloudFormation template (a `Ref` of a role is its name),
/// an export; an HTTP API's CredentialsArn is not judged by the REST rule.
#[test]
fn integration_credentials_that_api_gateway_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let template = "Resources:
  Api: {Type: AWS::ApiGateway::RestApi, Properties: {Name: orders}}
  ApiRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: apigateway.amazonaws.com}, Action: sts:AssumeRole}]
  Orders:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: orders}
  Report:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Orders
      HttpMethod: GET
      AuthorizationType: NONE
      Integration:
        Type: AWS
        IntegrationHttpMethod: POST
        Credentials: !Ref ApiRole
        Uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
  Start:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Orders
      HttpMethod: POST
      AuthorizationType: NONE
      Integration:
        Type: AWS
        IntegrationHttpMethod: POST
        Uri: !Sub arn:aws:apigateway:${AWS::Region}:states:action/StartExecution
  Queue:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Orders
      HttpMethod: PUT
      AuthorizationType: NONE
      Integration:
        Type: AWS
        IntegrationHttpMethod: POST
        Credentials: !GetAtt ApiRole.Arn
        Uri: !Sub arn:aws:apigateway:${AWS::Region}:sqs:path/${AWS::AccountId}/orders
  HttpApi: {Type: AWS::ApiGatewayV2::Api, Properties: {Name: events, ProtocolType: HTTP}}
  Send:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref HttpApi
      IntegrationType: AWS_PROXY
      IntegrationSubtype: SQS-SendMessage
      CredentialsArn: events-role
      PayloadFormatVersion: '1.0'
      RequestParameters: {QueueUrl: !Ref AWS::NoValue, MessageBody: $request.body}
";
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, template).unwrap();
    let r = run(&["-o", "json", "lint", path.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = r.one_json();
    let refused: Vec<&Value> = findings_with(&j, "lint.integration-credentials");
    assert_eq!(refused.len(), 2, "{j}");
    let says = |what: &str| {
        refused
            .iter()
            .find(|f| f["message"].as_str().unwrap().contains(what))
            .unwrap_or_else(|| panic!("no finding says {what:?}: {j}"))
    };
    let by_ref = says("!GetAtt ApiRole.Arn");
    assert!(
        by_ref["evidence"]["location"]
            .as_str()
            .unwrap()
            .contains("Report"),
        "{by_ref}"
    );
    assert_eq!(by_ref["article"], "http-integration-endpoint");
    assert_eq!(by_ref["severity"], "error");
    let no_role = says("Role ARN must be specified for AWS integrations");
    assert!(no_role["evidence"]["line"].as_u64().is_some(), "{no_role}");
    assert!(
        no_role["message"].as_str().unwrap().contains("states"),
        "{no_role}"
    );
    // An export as `get-export` writes it, with a role's name (aws/aws-sdk-js#868's value).
    let export = r#"{"swagger": "2.0", "info": {"title": "invites", "version": "1"},
 "paths": {"/invite": {"post": {"responses": {"200": {"description": "ok"}},
  "x-amazon-apigateway-integration": {"type": "aws", "httpMethod": "POST",
   "credentials": "smallwins-api-lambda",
   "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:455488262213:function:begin-account-api-invite/invocations",
   "responses": {"default": {"statusCode": "200"}}}}}}}"#;
    let path = dir.path().join("export.json");
    std::fs::write(&path, export).unwrap();
    let r = run(&["lint", path.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains("lint.integration-credentials")
            && r.stdout.contains("\"smallwins-api-lambda\" is not an ARN"),
        "{}",
        r.stdout
    );
    // A SAM DefinitionBody's `credentials: !Ref ROLE`: the role's name as well.
    let sam = "Transform: AWS::Serverless-2016-10-31
Resources:
  QueueRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: apigateway.amazonaws.com}, Action: sts:AssumeRole}]
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        openapi: 3.0.1
        info: {title: queue, version: '1'}
        paths:
          /messages:
            post:
              responses: {'200': {description: ok}}
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                credentials: !Ref QueueRole
                uri: !Sub arn:aws:apigateway:${AWS::Region}:sqs:path/${AWS::AccountId}/messages
                responses:
                  default: {statusCode: '200'}
";
    let path = dir.path().join("sam.yaml");
    std::fs::write(&path, sam).unwrap();
    let r = run(&["lint", path.to_str().unwrap()]);
    assert!(
        r.stdout.contains("lint.integration-credentials")
            && r.stdout.contains("write !GetAtt QueueRole.Arn"),
        "{}",
        r.stdout
    );
    // Terraform's state, where `credentials = aws_iam_role.api.name` is the role's name: the
    // finding points at the integration resource's line in the state file.
    let state = std::fs::read_to_string("tests/iac/terraform/state.json").unwrap();
    assert_eq!(state.matches("\"credentials\": null").count(), 2);
    let state = state.replacen(
        "\"credentials\": null",
        "\"credentials\": \"orders-apigw\"",
        1,
    );
    let path = dir.path().join("state.json");
    std::fs::write(&path, &state).unwrap();
    let r = run(&["-o", "json", "lint", path.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = r.one_json();
    let f = *findings_with(&j, "lint.integration-credentials")
        .first()
        .unwrap_or_else(|| panic!("{j}"));
    assert_eq!(f["evidence"]["credentials"], "orders-apigw");
    let line = f["evidence"]["line"].as_u64().unwrap() as usize;
    let next = state.lines().nth(line).unwrap();
    assert!(
        next.contains("\"address\": \"aws_api_gateway_integration.create\""),
        "line {line} opens another resource: {next}"
    );
}

/// A template's Lambda functions API Gateway may not invoke: a method whose function has no
/// AWS::Lambda::Permission for apigateway.amazonaws.com (a warning: one may be made outside
/// the template), a permission whose SourceArn names the API by its logical id (an error), a
/// role on the integration (no permission needed), and a permission whose function is written
/// out (then nothing is judged). SAM's Api and HttpApi events write their own permissions.
#[test]
fn lambda_functions_api_gateway_may_not_invoke() {
    let dir = tempfile::tempdir().unwrap();
    let template = std::fs::read_to_string(LAMBDA_PERMISSIONS).unwrap();
    let r = run(&["-o", "json", "lint", LAMBDA_PERMISSIONS]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = r.one_json();
    let missing = findings_with(&j, "lint.lambda-permission-missing");
    assert_eq!(missing.len(), 1, "{j}");
    assert_eq!(missing[0]["evidence"]["function"], "ListFn");
    assert_eq!(missing[0]["evidence"]["methods"][0], "[GET:/orders]");
    assert_eq!(missing[0]["evidence"]["certain"], false);
    assert_eq!(missing[0]["severity"], "warning");
    assert_eq!(missing[0]["article"], "configuration-error");
    let source = findings_with(&j, "lint.lambda-permission-source-arn");
    assert_eq!(source.len(), 1, "{j}");
    assert!(
        source[0]["message"].as_str().unwrap().contains("${Api}"),
        "{}",
        source[0]
    );
    assert!(
        source[0]["evidence"]["line"].as_u64().is_some(),
        "{}",
        source[0]
    );
    // A permission whose function is written out may cover ListFn: nothing is judged.
    let written_out = template.replace(
        "FunctionName: !GetAtt CreateFn.Arn",
        "FunctionName: arn:aws:lambda:eu-west-1:123456789012:function:orders-list",
    );
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, written_out).unwrap();
    let r = run(&["-o", "json", "lint", path.to_str().unwrap()]);
    assert!(
        !r.stdout.contains("lint.lambda-permission-missing"),
        "{}",
        r.stdout
    );
    // A SourceArn that writes a path parameter literally (SAM did before v1.14.0) matches no
    // call to that path: a call's source ARN carries the path as sent.
    let literal = template.replace(
        "${AWS::AccountId}:Api/*/POST/orders",
        "${AWS::AccountId}:${Api}/*/POST/orders/{orderId}",
    );
    assert_ne!(literal, template);
    std::fs::write(&path, literal).unwrap();
    let j = run(&["-o", "json", "lint", path.to_str().unwrap()]).one_json();
    let source = findings_with(&j, "lint.lambda-permission-source-arn");
    assert_eq!(source.len(), 1, "{j}");
    let message = source[0]["message"].as_str().unwrap();
    assert!(
        message.contains("{orderId}") && message.contains("write * in its place"),
        "{message}"
    );
    // SAM writes the permissions of Api and HttpApi events itself.
    let sam = run(&["-o", "json", "lint", "tests/iac/sam-events.yaml"]);
    assert!(
        !sam.stdout.contains("lint.lambda-permission"),
        "{}",
        sam.stdout
    );
}

/// Lambda authorizers and HTTP APIs' integrations, on SAM CLI's own integration-test templates
/// (verbatim in tests/iac, each with its permissions written out: nothing to find) and on the
/// same templates with a permission taken out. SAM writes the permission of an
/// AWS::Serverless::Api's authorizer itself unless DisableFunctionDefaultPermissions, and of an
/// AWS::Serverless::HttpApi's only with EnableFunctionDefaultPermissions.
#[test]
fn lambda_authorizers_and_http_integrations_api_gateway_may_not_invoke() {
    const V2: &str = "tests/iac/sam-cli-apigw-v2-authorizers.yaml";
    const SAM_HTTP: &str = "tests/iac/sam-cli-http-authorizers.yaml";
    const SAM_REST: &str = "tests/iac/sam-cli-lambda-authorizers.yaml";
    let dir = tempfile::tempdir().unwrap();
    // The permissions as SAM CLI's templates write them.
    let permission = |id: &str| {
        let function = match id {
            "AuthorizerPermission" => "AuthorizerFunction",
            "HelloWorldFunctionPermission" => "HelloWorldFunction",
            other => panic!("{other}"),
        };
        format!(
            "  {id}:\n    Type: AWS::Lambda::Permission\n    Properties:\n      FunctionName: !Ref {function}\n      Action: lambda:InvokeFunction\n      Principal: apigateway.amazonaws.com"
        )
    };
    let lint = |text: &str| -> Value {
        let path = dir.path().join("template.yaml");
        std::fs::write(&path, text).unwrap();
        let r = run(&["-o", "json", "lint", path.to_str().unwrap()]);
        assert!(r.code <= 1, "{}", r.stderr);
        r.one_json()
    };
    let without = |path: &str, permissions: &[&str]| {
        let mut text = std::fs::read_to_string(path).unwrap();
        for p in permissions {
            let block = permission(p);
            assert!(text.contains(&block), "{p} in {path}");
            text = text.replace(&block, "");
        }
        text
    };
    let permission_codes = |j: &Value| -> Vec<String> {
        codes_of(j)
            .into_iter()
            .filter(|c| c.contains("permission"))
            .collect()
    };
    for path in [V2, SAM_HTTP, SAM_REST] {
        let r = run(&["-o", "json", "lint", path]);
        assert!(
            permission_codes(&r.one_json()).is_empty(),
            "{path}: {}",
            r.stdout
        );
    }
    // Resource-form HTTP API: three authorizers of one function, one finding.
    let j = lint(&without(V2, &["AuthorizerPermission"]));
    let found = findings_with(&j, "lint.authorizer-permission-missing");
    assert_eq!(found.len(), 1, "{j}");
    let f = &found[0];
    assert_eq!(f["evidence"]["function"], "AuthorizerFunction");
    assert_eq!(f["evidence"]["api"], "http");
    assert_eq!(f["evidence"]["count"], 3);
    assert_eq!(
        f["evidence"]["authorizers"],
        serde_json::json!([
            "RequestAuthorizerV1",
            "RequestAuthorizerV2",
            "RequestAuthorizerV2Simple"
        ])
    );
    assert_eq!(f["evidence"]["certain"], false);
    assert_eq!(f["article"], "configuration-error");
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("doesn't have permissions to call the authorizer"),
        "{message}"
    );
    assert!(f["evidence"]["line"].as_u64().is_some(), "{f}");
    assert!(
        findings_with(&j, "lint.lambda-permission-missing").is_empty(),
        "{j}"
    );
    // The integration's function without its permission: the HTTP API's own answer.
    let j = lint(&without(V2, &["HelloWorldFunctionPermission"]));
    let found = findings_with(&j, "lint.lambda-permission-missing");
    assert_eq!(found.len(), 1, "{j}");
    assert_eq!(found[0]["evidence"]["function"], "HelloWorldFunction");
    assert_eq!(found[0]["evidence"]["api"], "http");
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.contains("Internal Server Error")
            && message.contains("doesn't have permissions to call the integration")
            && !message.contains("Invalid permissions on Lambda function"),
        "{message}"
    );
    // An integration credentials role stands for the permission.
    let with_role = without(V2, &["HelloWorldFunctionPermission"]).replace(
        "      IntegrationMethod: POST\n",
        "      IntegrationMethod: POST\n      CredentialsArn: !GetAtt InvokeRole.Arn\n",
    );
    assert!(permission_codes(&lint(&with_role)).is_empty());
    // SAM's HttpApi: its Lambda authorizer's permission is not written by default.
    let sam_http = without(SAM_HTTP, &["AuthorizerPermission"]);
    let j = lint(&sam_http);
    let found = findings_with(&j, "lint.authorizer-permission-missing");
    assert_eq!(found.len(), 1, "{j}");
    assert_eq!(
        found[0]["evidence"]["authorizers"][0],
        "RequestAuthorizerV2"
    );
    assert_eq!(
        found[0]["evidence"]["methods"][0],
        "[GET:/requestauthorizer]"
    );
    for (property, what) in [
        (
            "EnableFunctionDefaultPermissions: true",
            "SAM writes the permission",
        ),
        (
            "FunctionInvokeRole: !GetAtt AuthRole.Arn",
            "authorizer credentials",
        ),
    ] {
        let fixed = sam_http.replace(
            "          RequestAuthorizerV2:\n",
            &format!("          RequestAuthorizerV2:\n            {property}\n"),
        );
        assert!(permission_codes(&lint(&fixed)).is_empty(), "{what}");
    }
    // SAM's Api writes its authorizer's permission unless told not to.
    let sam_rest = without(SAM_REST, &["AuthorizerPermission"]);
    assert!(permission_codes(&lint(&sam_rest)).is_empty());
    let disabled = sam_rest.replace(
        "            FunctionArn: !GetAtt AuthorizerFunction.Arn\n",
        "            FunctionArn: !GetAtt AuthorizerFunction.Arn\n            DisableFunctionDefaultPermissions: true\n",
    );
    assert_ne!(disabled, sam_rest);
    let j = lint(&disabled);
    let found = findings_with(&j, "lint.authorizer-permission-missing");
    assert_eq!(found.len(), 1, "{j}");
    assert_eq!(found[0]["evidence"]["api"], "rest");
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.contains("AuthorizerConfigurationException")
            && message.contains("Invalid permissions on Lambda function"),
        "{message}"
    );
}
