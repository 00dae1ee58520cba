//! `apigw-doctor cloudfront` end to end, on distribution configs of the shapes
//! `aws cloudfront get-distribution` and `get-distribution-config` print.
mod support;
use serde_json::{Value, json};
use support::*;

const GOOD: &str = "examples/cloudfront/get-distribution.json";
const MISTAKES: &str = "examples/cloudfront/get-distribution-config-mistakes.json";
const MAPPINGS: &str = "examples/cloudfront/base-path-mappings.json";
const MAPPINGS_V2: &str = "examples/cloudfront/api-mappings-v2.json";

fn cloudfront(args: &[&str]) -> (Value, i32) {
    let r = run(&[&["-o", "json", "cloudfront"][..], args].concat());
    assert!(r.code < 2, "{}", r.stderr);
    (r.one_json(), r.code)
}

fn finding<'a>(j: &'a Value, code: &str) -> &'a Value {
    j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {j}"))
}

/// The seed article's setup: one distribution, the custom domain as origin, two APIs by
/// base path; both traced to their API.
#[test]
fn the_articles_two_api_setup_traces_to_both_apis() {
    for (path, api) in [
        ("/example1/home", "a1b2c3d4e5"),
        ("/example2/home", "f6g7h8i9j0"),
    ] {
        let url = format!("https://a222222bcdefg5.cloudfront.net{path}");
        let (j, code) = cloudfront(&[GOOD, "--mappings", MAPPINGS, "--url", &url]);
        assert_eq!(code, 0, "{j}");
        let t = &j["result"]["trace"];
        assert_eq!(t["behavior"], "default");
        assert_eq!(t["origin"], "apigw-custom-domain");
        assert_eq!(t["origin_path"], "");
        assert_eq!(t["forwarded_path"], path);
        assert_eq!(t["mapping"]["base_path"], path.split('/').nth(1).unwrap());
        assert_eq!(t["api_id"], api);
        assert_eq!(t["stage"], "prod");
        assert_eq!(t["resource_path"], "/home");
        assert_eq!(t["expected_status"], Value::Null);
        let d = &j["result"]["distribution"];
        assert_eq!(d["status"], "Deployed");
        assert_eq!(d["id"], "E1A2B3C4D5E6F7");
        assert_eq!(j["result"]["origins"][0]["kind"], "custom-domain");
        // Nothing wrong in the configuration beyond the Authorization reminder.
        assert_eq!(
            codes_of(&j),
            ["cloudfront.authorization-not-forwarded".to_string()].into()
        );
    }
    // A path no base path covers: 403 Forbidden.
    let (j, code) = cloudfront(&[
        GOOD,
        "--mappings",
        MAPPINGS,
        "--url",
        "https://api.example.com/example3/home",
    ]);
    assert_eq!(code, 1);
    assert_eq!(j["result"]["trace"]["expected_status"], 403);
    assert!(
        finding(&j, "cloudfront.unmapped-path")["message"]
            .as_str()
            .unwrap()
            .contains("{\"message\":\"Forbidden\"}")
    );
    // The viewer repeats the base path: 403 Missing Authentication Token.
    let (j, _) = cloudfront(&[
        GOOD,
        "--mappings",
        MAPPINGS,
        "--url",
        "https://api.example.com/example1/example1/home",
    ]);
    assert_eq!(j["result"]["trace"]["expected_status"], 403);
    finding(&j, "cloudfront.origin-path-repeats-base-path");
}

/// Every configuration mistake the article names, one finding each.
#[test]
fn each_configuration_mistake_has_its_finding() {
    let (j, code) = cloudfront(&[
        MISTAKES,
        "--mappings",
        &format!("apigw.customdomain.com={MAPPINGS}"),
        "--url",
        "https://api.example.com/example1/orders",
    ]);
    assert_eq!(code, 1);
    for code in [
        "cloudfront.distribution-disabled",
        "cloudfront.origin-not-https-only",
        "cloudfront.origin-tls-protocols",
        "cloudfront.origin-path-repeats-base-path",
        "cloudfront.host-header-forwarded",
        "cloudfront.origin-request-policy-unknown",
        "cloudfront.authorization-not-forwarded",
    ] {
        finding(&j, code);
    }
    let all = j["findings"].as_array().unwrap();
    let by = |code: &str, needle: &str| {
        all.iter()
            .any(|f| f["code"] == code && f["message"].as_str().unwrap().contains(needle))
    };
    // http-only is an error, match-viewer a warning; no TLSv1.2 an error, SSLv3 a warning.
    assert!(by("cloudfront.origin-not-https-only", "http-only"));
    assert!(by("cloudfront.origin-not-https-only", "match-viewer"));
    assert!(by("cloudfront.origin-tls-protocols", "lacks TLSv1.2"));
    assert!(by("cloudfront.origin-tls-protocols", "SSLv3"));
    // Host: legacy ForwardedValues and the managed AllViewer policy.
    assert!(by("cloudfront.host-header-forwarded", "ForwardedValues"));
    assert!(by("cloudfront.host-header-forwarded", "AllViewer forwards"));
    assert!(by(
        "cloudfront.origin-request-policy-unknown",
        "get-origin-request-policy --id 0a1b2c3d"
    ));
    // The doubled base path, traced: origin path /example1 + viewer /example1/orders.
    let t = &j["result"]["trace"];
    assert_eq!(t["behavior"], "/example1/*");
    assert_eq!(t["forwarded_path"], "/example1/example1/orders");
    assert_eq!(t["expected_status"], 403);
    // get-distribution-config carries no status: unknown, not "deployed".
    assert_eq!(j["result"]["distribution"]["status"], Value::Null);
    // The default endpoint origin: the first segment is the stage.
    let (j, _) = cloudfront(&[MISTAKES, "--url", "https://api.example.com/prod/pets"]);
    let t = &j["result"]["trace"];
    assert_eq!(t["origin"], "legacy-api");
    assert_eq!(t["api_id"], "k7x2p9q1z3");
    assert_eq!(t["stage"], "prod");
    assert_eq!(t["forwarded_path"], "/prod/prod/pets");
    assert_eq!(t["expected_status"], 403);
    // Without mappings, the custom-domain origin is said to be unchecked, not passed.
    assert!(
        finding(&j, "cloudfront.origin-not-checked")["message"]
            .as_str()
            .unwrap()
            .contains("--mappings apigw.customdomain.com=FILE")
    );
}

#[test]
fn status_alias_and_http_api_mappings() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(GOOD).unwrap()).unwrap();
    doc["Distribution"]["Status"] = json!("InProgress");
    let path = dir.path().join("in-progress.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    let (j, code) = cloudfront(&[
        path.to_str().unwrap(),
        "--mappings",
        MAPPINGS_V2,
        "--url",
        "https://www.example.org/v1/orders/42",
    ]);
    assert_eq!(code, 1);
    finding(&j, "cloudfront.distribution-in-progress");
    finding(&j, "cloudfront.alias-missing");
    // Multi-level base path, HTTP API mapping with its stage.
    let t = &j["result"]["trace"];
    assert_eq!(t["mapping"]["base_path"], "v1/orders");
    assert_eq!(t["api_id"], "x9y8z7w6v5");
    assert_eq!(t["stage"], "$default");
    assert_eq!(t["resource_path"], "/42");
    // The empty base path takes what nothing longer covers.
    let (j, _) = cloudfront(&[
        GOOD,
        "--mappings",
        MAPPINGS_V2,
        "--url",
        "https://api.example.com/v1/users",
    ]);
    let t = &j["result"]["trace"];
    assert_eq!(t["mapping"]["base_path"], "");
    assert_eq!(t["api_id"], "u4t3s2r1q0");
    assert_eq!(t["resource_path"], "/v1/users");
}

#[test]
fn human_view_shows_the_trace_step_by_step() {
    let r = run(&[
        "--color",
        "never",
        "cloudfront",
        GOOD,
        "--mappings",
        MAPPINGS,
        "--url",
        "a222222bcdefg5.cloudfront.net/example2/home",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for needle in [
        "1. cache behavior  default",
        "3. forwarded path  /example2/home",
        "4. API mapping     example2",
        "5. API f6g7h8i9j0  stage prod  resource /home",
    ] {
        assert!(r.stdout.contains(needle), "{needle}: {}", r.stdout);
    }
}

#[test]
fn wrong_documents_and_usage() {
    let r = run(&["cloudfront", "examples/lambda/rest-object-body.json"]);
    assert_usage_error(
        &r,
        "not the output of `aws cloudfront get-distribution-config`",
    );
    assert!(r.stderr.contains("Lambda proxy response"), "{}", r.stderr);
    let r = run(&["cloudfront", GOOD, "--mappings", GOOD]);
    assert_usage_error(
        &r,
        "not the output of `aws apigateway get-base-path-mappings`",
    );
    let r = run(&[
        "cloudfront",
        MISTAKES,
        "--mappings",
        "nope.example.com=examples/cloudfront/base-path-mappings.json",
    ]);
    assert_usage_error(&r, "no origin with that domain name");
    let r = run(&["cloudfront", GOOD, "--url", "https://"]);
    assert_usage_error(&r, "--url");
}
