//! Unit tests of the helpers; the behaviour cases live in tests/support/lambda_cases.rs.
use super::*;
use serde_json::json;

fn rest() -> Options {
    Options::new(Api::Rest)
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

#[test]
fn findings_of_one_code_are_capped_and_the_rest_counted() {
    let values: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
    let output = format!(
        r#"{{"statusCode":200,"multiValueHeaders":{{"a":[{}]}}}}"#,
        values.join(",")
    );
    let e = evaluate(output.as_bytes(), &rest());
    let of = |code| e.findings.iter().filter(|f| f.code == code).count();
    // 20 kept plus the one that counts the others, for each code.
    assert_eq!(of(MULTI_VALUE_HEADERS_INVALID), 21);
    assert_eq!(of(BEHAVIOR_UNCERTAIN), 21);
    let rest_of = e
        .findings
        .iter()
        .find(|f| f.code == MULTI_VALUE_HEADERS_INVALID && f.evidence.contains_key("left_out"))
        .unwrap();
    assert_eq!(rest_of.evidence["left_out"], json!(980));
    assert_eq!(rest_of.severity, crate::finding::Severity::Error);
}

#[test]
fn a_name_without_values_sends_no_header() {
    for api in [Api::Rest, Api::Http10] {
        let output =
            r#"{"statusCode": 200, "multiValueHeaders": {"x-none": [], "X-Two": ["a", "a", "b"]}}"#;
        let e = evaluate(output.as_bytes(), &Options::new(api));
        let headers: Vec<(&str, Vec<&str>)> = e
            .client
            .headers()
            .map(|(n, v)| (n, v.iter().collect()))
            .collect();
        assert!(headers.iter().all(|(n, _)| *n != "x-none"), "{headers:?}");
        assert!(headers.contains(&("X-Two", vec!["a", "b"])), "{headers:?}");
    }
}

#[test]
fn merging_many_values_keeps_first_seen_order_once_each() {
    let values: Vec<String> = (0..5000).map(|i| format!("\"v{}\"", i % 2500)).collect();
    let output = format!(
        r#"{{"multiValueHeaders":{{"X-A":[{}]}},"headers":{{"x-a":"v1"}}}}"#,
        values.join(",")
    );
    let e = evaluate(output.as_bytes(), &rest());
    let got = e.client.header("x-A").unwrap();
    assert_eq!(got.len(), 2500);
    assert_eq!(got.get_index(0), Some("v0"));
    assert_eq!(got.get_index(2499), Some("v2499"));
    let merged = e
        .findings
        .iter()
        .find(|f| f.code == HEADERS_MERGED)
        .unwrap();
    assert_eq!(merged.evidence["merged_count"], json!(2500));
    assert_eq!(merged.evidence["merged"].as_array().unwrap().len(), 20);
}

#[test]
fn string_bodies_are_decoded_like_serde_json() {
    for literal in [
        r#""plain""#,
        r#""a\"b\\c\/d\b\f\n\r\t""#,
        r#""\u00e9\u20ac \ud83d\ude00 end""#,
        r#""""#,
    ] {
        let expected: String = serde_json::from_str(literal).unwrap();
        assert_eq!(
            response::unescape(literal).as_deref(),
            Some(expected.as_bytes())
        );
        let output = format!(r#"{{"statusCode":200,"body":{literal}}}"#);
        let client = evaluate(output.as_bytes(), &rest()).client;
        assert_eq!(client.body().as_ref(), expected.as_bytes());
        assert_eq!(client.body_string(), expected);
        // Kept as its literal: measured without decoding, written as it came.
        assert_eq!(client.body_len(), expected.len());
        let json = serde_json::to_string(&client).unwrap();
        assert!(json.contains(&format!(r#""body":{literal}"#)), "{json}");
        // A 204's body is dropped, its decoded length said.
        let output = format!(r#"{{"statusCode":204,"body":{literal}}}"#);
        let e = evaluate(output.as_bytes(), &rest());
        let ignored = e.findings.iter().find(|f| f.code == BODY_IGNORED);
        assert_eq!(
            ignored.map(|f| f.message.clone()),
            (!expected.is_empty()).then(|| format!(
                "the body ({} bytes) never reaches the client: status 204 has no body",
                expected.len()
            ))
        );
        assert_eq!(e.client.body_len(), 0);
    }
    // A lone surrogate is invalid JSON, as serde_json (and API Gateway's parser) say.
    assert_eq!(response::unescape(r#""\ud800x""#), None);
    let e = evaluate(br#"{"statusCode":200,"body":"\ud800x"}"#, &rest());
    assert!(e.findings.iter().any(|f| f.code == INVALID_JSON), "{e:?}");
}

/// multiValueHeaders read as borrowed text (the usual shape) and as values (an escape in
/// one value makes the fast reading step aside): the same headers, merged the same way
/// with `headers`, and the same findings.
#[test]
fn multi_value_headers_read_either_way_agree() {
    let plain = br#"{"statusCode":200,"multiValueHeaders":{"Set-Cookie":["a=1","b=2","a=1"],"X-A":["x"],"x-a":["y"]},"headers":{"X-A":"z","Content-Type":"text/plain"},"body":"ok"}"#;
    let escaped = br#"{"statusCode":200,"multiValueHeaders":{"Set-Cookie":["a=1","b\u003d2","a=1"],"X-A":["x"],"x-a":["y"]},"headers":{"X-A":"z","Content-Type":"text/plain"},"body":"ok"}"#;
    let seen = |output: &[u8]| {
        let e = evaluate(output, &rest());
        let findings: Vec<(String, String)> = e
            .findings
            .iter()
            .map(|f| (f.code.to_string(), f.message.clone()))
            .collect();
        (e.valid, format!("{:?}", e.client), findings)
    };
    let (valid, client, findings) = seen(plain);
    assert!(valid);
    assert!(client.contains("\"b=2\""), "{client}");
    assert!(
        findings.iter().any(|(code, _)| code == HEADERS_MERGED),
        "{findings:?}"
    );
    assert_eq!(seen(escaped), (valid, client, findings));
}

/// The fast reading adds headers as it reads: when it steps aside partway (a name written
/// twice, an escape after many values, a value that is no string), the response is the one
/// the reading as values gives, with nothing left from the partial reading.
#[test]
fn multi_value_headers_read_partway_then_as_values_agree() {
    let seen = |output: &str| {
        let e = evaluate(output.as_bytes(), &rest());
        let findings: Vec<String> = e.findings.iter().map(|f| f.code.to_string()).collect();
        (e.valid, format!("{:?}", e.client), findings)
    };
    let many: Vec<String> = (0..3000).map(|i| format!("\"v{}\"", i % 2500)).collect();
    let many = many.join(",");
    for (plain, escaped) in [
        // A name twice: the last one's values, in the first one's place.
        (
            r#"{"statusCode":200,"multiValueHeaders":{"X-A":["1"],"X-B":["b"],"X-A":["2"]}}"#,
            r#"{"statusCode":200,"multiValueHeaders":{"X-A":["1"],"X-B":["b"],"X-\u0041":["2"]}}"#,
        ),
        (
            r#"{"statusCode":200,"multiValueHeaders":{"X-A":["1"],"x-a":["2"],"x-a":["3"]}}"#,
            r#"{"statusCode":200,"multiValueHeaders":{"X-A":["1"],"x-a":["2"],"x-\u0061":["3"]}}"#,
        ),
        // A long list (counted first), then an escape.
        (
            &format!(
                r#"{{"statusCode":200,"multiValueHeaders":{{"X-Many":[{many}],"X-Z":["z"]}}}}"#
            ),
            &format!(
                r#"{{"statusCode":200,"multiValueHeaders":{{"X-Many":[{many}],"X-Z":["\u007a"]}}}}"#
            ),
        ),
    ] {
        let (valid, client, findings) = seen(plain);
        assert!(valid, "{plain}");
        assert_eq!(seen(escaped), (valid, client, findings), "{plain}");
    }
    let twice = seen(r#"{"statusCode":200,"multiValueHeaders":{"X-A":["1"],"X-A":["2"]}}"#).1;
    assert!(
        twice.contains("\"2\"") && !twice.contains("\"1\""),
        "{twice}"
    );
    let many = seen(&format!(
        r#"{{"statusCode":200,"multiValueHeaders":{{"X-Many":[{many}]}}}}"#
    ))
    .1;
    assert_eq!(many.matches("\"v").count(), 2500, "each value once");
    // A value that is no string, after headers were added: reported as the reading as
    // values reports it.
    let number = seen(r#"{"statusCode":200,"multiValueHeaders":{"X-A":["1"],"X-B":[2]}}"#);
    assert!(!number.2.is_empty(), "{number:?}");
    assert_eq!(
        seen(r#"{"statusCode":200,"multiValueHeaders":{"X-\u0041":["1"],"X-B":[2]}}"#),
        number
    );
}

/// `multiValueHeaders` that serde_json's raw reading passes but its reading as values
/// refuses (nested past its depth limit, a number out of range): the output is reported as
/// not JSON, as any other field would be, never read as if the field were absent.
#[test]
fn multi_value_headers_serde_json_cannot_read_are_not_json() {
    let deep = format!(
        r#"{{"statusCode":200,"multiValueHeaders":{{"a":{}{}}}}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    for output in [
        deep.as_str(),
        r#"{"statusCode":200,"multiValueHeaders":{"a":[1e400]}}"#,
    ] {
        let e = evaluate(output.as_bytes(), &rest());
        assert!(!e.valid, "{output}");
        let codes: Vec<&str> = e.findings.iter().map(|f| f.code).collect();
        assert!(codes.contains(&INVALID_JSON), "{codes:?}");
    }
}

#[test]
fn client_parts_flatten_headers_and_read_the_body_as_text() {
    let output = br#"{"statusCode":200,"headers":{"a":"1"},"multiValueHeaders":{"b":["2","3"]},"body":"caf\u00e9"}"#;
    let mut client = evaluate(output, &rest()).client;
    let mut pairs = client.header_pairs();
    pairs.sort();
    let expect = |n: &str, v: &str| (n.to_string(), v.to_string());
    assert!(pairs.contains(&expect("a", "1")), "{pairs:?}");
    assert!(
        pairs.contains(&expect("b", "2")) && pairs.contains(&expect("b", "3")),
        "{pairs:?}"
    );
    assert_eq!(client.body_string(), "café");
    // Bytes that are not UTF-8 (a decoded binary body) are replaced, not refused.
    client.set_body(vec![0xff, b'a']);
    assert_eq!(client.body_string(), "\u{fffd}a");
}
