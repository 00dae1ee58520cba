//! `lint.binary-body-as-text` end to end: REST methods that take binary request bodies (an S3
//! object upload, declared image/PDF/multipart types) while the API converts them as text, in
//! every document form `lint` reads; and `kb search` on what users paste about it.
mod support;
use serde_json::{Value, json};
use support::*;

const CODE: &str = "lint.binary-body-as-text";
const S3_PROXY: &str = "tests/iac/s3-proxy-export.json";
const S3_IMAGES: &str = "tests/iac/s3-binary-images-export.json";

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn lint_json(path: &str) -> Value {
    let r = run(&["-o", "json", "lint", path]);
    assert!(r.code == 0 || r.code == 1, "{}{}", r.stdout, r.stderr);
    r.one_json()
}

/// The AWS guide's S3 proxy sample sets no binary media types: its object upload is flagged,
/// its bucket creation (`s3:path/{bucket}`, an XML body) and downloads are not.
#[test]
fn the_s3_proxy_sample_upload_is_flagged_and_nothing_else() {
    let j = lint_json(S3_PROXY);
    let found = findings_with(&j, CODE);
    assert_eq!(found.len(), 1, "{j:#}");
    let f = found[0];
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["article"], "binary-media-types");
    assert_eq!(f["evidence"]["method"], "[PUT:/{folder}/{item}]");
    assert_eq!(
        f["evidence"]["uri"],
        "arn:aws:apigateway:us-west-2:s3:path/{bucket}/{object}"
    );
    assert_eq!(f["evidence"]["binary_media_types"], json!([]));
    assert!(f["evidence"]["line"].as_u64().is_some(), "{f:#}");
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("contentHandling CONVERT_TO_BINARY"),
        "{message}"
    );
    assert!(message.contains("corrupted"), "{message}");
    // A warning: exit 0 by default, 1 with --fail-on warning.
    assert_eq!(run(&["lint", S3_PROXY]).code, 0);
    let r = run(&["lint", "--fail-on", "warning", S3_PROXY]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("warning[lint.binary-body-as-text]"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("kb show binary-media-types"),
        "{}",
        r.stdout
    );
}

/// The guide's binary-images sample lists its types and converts the upload: nothing to say.
#[test]
fn the_binary_images_sample_is_clean() {
    let j = lint_json(S3_IMAGES);
    assert!(findings_with(&j, CODE).is_empty(), "{j:#}");
    // The same definition without its list and conversion is flagged, in OpenAPI 3 too.
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(S3_IMAGES).unwrap()).unwrap();
    let object = doc.as_object_mut().unwrap();
    object.remove("x-amazon-apigateway-binary-media-types");
    let put = &mut doc["paths"]["/s3"]["put"];
    put["x-amazon-apigateway-integration"]
        .as_object_mut()
        .unwrap()
        .remove("contentHandling");
    put["x-amazon-apigateway-integration"]["uri"] =
        json!("arn:aws:apigateway:us-west-2:s3:path/uploads/{key}");
    put["consumes"] = json!(["image/jpeg"]);
    put["parameters"].as_array_mut().unwrap().push(
        json!({"in": "body", "name": "Image", "schema": {"type": "string", "format": "binary"}}),
    );
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "images.json", &doc.to_string());
    let j = lint_json(&path);
    let found = findings_with(&j, CODE);
    assert_eq!(found.len(), 1, "{j:#}");
    assert_eq!(found[0]["evidence"]["request_types"], json!(["image/jpeg"]));
    assert_eq!(found[0]["evidence"]["method"], "[PUT:/s3]");
}

/// A SAM API whose Lambda proxy route takes multipart/form-data: flagged until the API, its
/// Globals or its definition lists the type (`~1` as written for patch paths counts too).
#[test]
fn sam_definitions_read_the_resource_and_globals_lists() {
    let template = |properties: &str, globals: &str| {
        format!(
            "Transform: AWS::Serverless-2016-10-31\n{globals}Resources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n{properties}      DefinitionBody:\n        openapi: 3.0.1\n        info: {{title: files, version: '1'}}\n        paths:\n          /files:\n            post:\n              requestBody:\n                content:\n                  multipart/form-data:\n                    schema: {{type: object}}\n                  application/json:\n                    schema: {{type: object}}\n              x-amazon-apigateway-integration:\n                type: aws_proxy\n                httpMethod: POST\n                uri: !Sub arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{Upload.Arn}}/invocations\n  Upload:\n    Type: AWS::Serverless::Function\n    Properties: {{Handler: app.handler, Runtime: python3.12, CodeUri: .}}\n"
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let bare = write(dir.path(), "bare.yaml", &template("", ""));
    let j = lint_json(&bare);
    let found = findings_with(&j, CODE);
    assert_eq!(found.len(), 1, "{j:#}");
    assert_eq!(
        found[0]["evidence"]["request_types"],
        json!(["multipart/form-data"])
    );
    assert!(
        found[0]["evidence"]["location"]
            .as_str()
            .unwrap()
            .contains("DefinitionBody"),
        "{:#}",
        found[0]
    );
    for (name, properties, globals) in [
        (
            "own.yaml",
            "      BinaryMediaTypes: ['multipart~1form-data']\n",
            "",
        ),
        (
            "globals.yaml",
            "",
            "Globals:\n  Api:\n    BinaryMediaTypes: ['*~1*']\n",
        ),
    ] {
        let path = write(dir.path(), name, &template(properties, globals));
        let j = lint_json(&path);
        assert!(findings_with(&j, CODE).is_empty(), "{name}: {j:#}");
    }
    // A list left to an intrinsic function is not guessed at.
    let path = write(
        dir.path(),
        "param.yaml",
        &template("      BinaryMediaTypes: !Ref Types\n", ""),
    );
    assert!(findings_with(&lint_json(&path), CODE).is_empty());
}

/// CloudFormation's resource form (what `cdk synth` writes): an AWS::ApiGateway::Method
/// forwarding PUT to S3.
#[test]
fn cloudformation_resource_form_s3_upload() {
    let template = |properties: &str| {
        format!(
            "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      Name: uploads\n{properties}  Object:\n    Type: AWS::ApiGateway::Resource\n    Properties:\n      RestApiId: !Ref Api\n      ParentId: !GetAtt Api.RootResourceId\n      PathPart: '{{key}}'\n  PutObject:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      RestApiId: !Ref Api\n      ResourceId: !Ref Object\n      HttpMethod: PUT\n      AuthorizationType: AWS_IAM\n      Integration:\n        Type: AWS\n        IntegrationHttpMethod: PUT\n        Credentials: arn:aws:iam::123456789012:role/uploads\n        Uri: !Sub arn:aws:apigateway:${{AWS::Region}}:s3:path/${{Bucket}}/{{key}}\n        RequestParameters:\n          integration.request.path.key: method.request.path.key\n        IntegrationResponses:\n          - StatusCode: '200'\n      MethodResponses:\n        - StatusCode: '200'\n"
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let bare = write(dir.path(), "bare.yaml", &template(""));
    let j = lint_json(&bare);
    let found = findings_with(&j, CODE);
    assert_eq!(found.len(), 1, "{j:#}");
    assert_eq!(found[0]["evidence"]["method"], "[PUT:/{key}]");
    let listed = write(
        dir.path(),
        "listed.yaml",
        &template("      BinaryMediaTypes: [image/png, application/pdf]\n"),
    );
    assert!(findings_with(&lint_json(&listed), CODE).is_empty());
}

/// Terraform state: the same upload, with `binary_media_types` on the rest API clearing it.
#[test]
fn terraform_state_s3_upload() {
    let mut state: Value =
        serde_json::from_str(&std::fs::read_to_string("tests/iac/terraform/state.json").unwrap())
            .unwrap();
    let resources = state["values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap();
    let integration = resources
        .iter_mut()
        .find(|r| r["address"] == "aws_api_gateway_integration.create")
        .unwrap();
    integration["values"]["uri"] =
        json!("arn:aws:apigateway:eu-west-1:s3:path/order-uploads/{key}");
    integration["values"]["integration_http_method"] = json!("PUT");
    integration["values"]["request_templates"] = json!(null);
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "state.json", &state.to_string());
    let j = lint_json(&path);
    assert_eq!(findings_with(&j, CODE).len(), 1, "{j:#}");
    let api = state["values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["type"] == "aws_api_gateway_rest_api")
        .unwrap();
    api["values"]["binary_media_types"] = json!(["*/*"]);
    let path = write(dir.path(), "listed.json", &state.to_string());
    assert!(findings_with(&lint_json(&path), CODE).is_empty());
}

/// get-resources output does not carry the API's list: the finding says so and names the
/// command that shows it.
#[test]
fn get_resources_names_what_it_cannot_see() {
    let listing = json!({"items": [
        {"id": "r00t", "path": "/"},
        {"id": "f1le", "parentId": "r00t", "pathPart": "{key}", "path": "/{key}",
         "resourceMethods": {"PUT": {
            "httpMethod": "PUT", "authorizationType": "AWS_IAM", "apiKeyRequired": false,
            "requestParameters": {"method.request.path.key": true},
            "methodIntegration": {
                "type": "AWS", "httpMethod": "PUT",
                "uri": "arn:aws:apigateway:us-east-1:s3:path/uploads/{key}",
                "credentials": "arn:aws:iam::123456789012:role/uploads",
                "requestParameters": {"integration.request.path.key": "method.request.path.key"},
                "passthroughBehavior": "WHEN_NO_MATCH", "timeoutInMillis": 29000,
                "cacheNamespace": "f1le", "cacheKeyParameters": [],
                "integrationResponses": {"200": {"statusCode": "200"}}},
            "methodResponses": {"200": {"statusCode": "200"}}}}}
    ]});
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "resources.json", &listing.to_string());
    let j = lint_json(&path);
    let found = findings_with(&j, CODE);
    assert_eq!(found.len(), 1, "{j:#}");
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.contains("does not carry"), "{message}");
    assert!(message.contains("get-rest-api"), "{message}");
    assert!(found[0]["evidence"].get("binary_media_types").is_none());
}

/// HTTP APIs have no binary media types: their multipart routes are not flagged.
#[test]
fn http_apis_are_not_flagged() {
    let export = json!({
        "openapi": "3.0.1",
        "info": {"title": "files", "version": "1"},
        "x-amazon-apigateway-importexport-version": "1.0",
        "paths": {"/files": {"post": {
            "requestBody": {"content": {"multipart/form-data": {}}},
            "x-amazon-apigateway-integration": {
                "type": "aws_proxy", "httpMethod": "POST", "payloadFormatVersion": "2.0",
                "uri": "arn:aws:lambda:us-east-1:123456789012:function:upload"}}}}
    });
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "http.json", &export.to_string());
    let j = lint_json(&path);
    assert_eq!(j["result"]["api"], "http", "{j:#}");
    assert!(findings_with(&j, CODE).is_empty(), "{j:#}");
}

/// The fix is the API's list, so several uploads of one API are one finding that names them
/// and counts them.
#[test]
fn one_finding_per_api() {
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(S3_PROXY).unwrap()).unwrap();
    let put = doc["paths"]["/{folder}/{item}"]["put"].clone();
    for n in 0..3 {
        doc["paths"][format!("/archive{n}/{{item}}")] = json!({"put": put.clone()});
    }
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "four.json", &doc.to_string());
    let j = lint_json(&path);
    let found = findings_with(&j, CODE);
    assert_eq!(found.len(), 1, "{j:#}");
    assert_eq!(found[0]["evidence"]["count"], 4);
    assert_eq!(found[0]["evidence"]["methods"].as_array().unwrap().len(), 4);
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.contains("and so do 3 more methods"), "{message}");
}

/// What users paste about binary bodies finds the article.
#[test]
fn kb_search_answers_binary_pastes() {
    for text in [
        "Image uploaded to S3 through API Gateway gets corrupted, all files except txt",
        "API Gateway returns base64 encoded string instead of image, isBase64Encoded true",
        "multipart/form-data file upload corrupted Lambda proxy",
    ] {
        let r = run(&["-o", "json", "kb", "search", text]);
        assert_eq!(r.code, 0, "{text}: {}", r.stdout);
        let j = r.one_json();
        assert_eq!(j["result"]["confident"], true, "{text}: {j:#}");
        assert_eq!(
            j["result"]["hits"][0]["id"], "binary-media-types",
            "{text}: {j:#}"
        );
    }
}
