//! Unit tests of the helpers; the behaviour cases live in tests/support/lambda_cases.rs.
use super::*;
use serde_json::json;

fn rest() -> Options {
    Options {
        api: Api::Rest,
        function_error: None,
        method: "GET".into(),
    }
}

#[test]
fn json_paths_use_brackets_for_odd_names() {
    use verdict::member;
    assert_eq!(member("$.headers", "X-Count"), "$.headers.X-Count");
    assert_eq!(member("$.headers", "x.y"), "$.headers['x.y']");
    assert_eq!(member("$", "it's"), "$['it\\'s']");
    assert_eq!(member("$", "1a"), "$['1a']");
}

#[test]
fn every_finding_names_its_confidence() {
    let e = evaluate(br#"{"statusCode":"x","body":{},"extra":1}"#, &rest());
    assert!(e.findings.len() >= 3);
    for f in e.findings.iter().filter(|f| f.code != BEHAVIOR_UNCERTAIN) {
        assert!(f.evidence.contains_key("confidence"), "{f:?}");
    }
}

#[test]
fn uncertain_decisions_add_one_uncertainty_warning_each() {
    let e = evaluate(br#"{"statusCode":200,"headers":{"A":1,"B":2}}"#, &rest());
    let uncertain: Vec<_> = e
        .findings
        .iter()
        .filter(|f| f.code == BEHAVIOR_UNCERTAIN)
        .collect();
    assert_eq!(uncertain.len(), 2);
    assert_eq!(uncertain[0].evidence["path"], json!("$.headers.A"));
    assert_eq!(uncertain[0].evidence["about"], json!(HEADER_VALUE_INVALID));
}

#[test]
fn too_large_is_a_function_error_for_every_api() {
    for (api, status) in [(Api::Rest, 502), (Api::Http10, 500), (Api::Http20, 500)] {
        let e = too_large(7_000_000, &Options { api, ..rest() });
        assert_eq!(e.client.status, status);
        assert!(!e.valid);
        assert_eq!(e.findings[0].evidence["size"], json!(7_000_000));
    }
}

#[test]
fn every_code_is_explained_by_an_article() {
    let kb = crate::kb::KnowledgeBase::embedded().unwrap();
    for code in CODES {
        assert!(kb.explain(code).is_some(), "{code} has no article");
    }
}
