//! Property-based tests of every parser the tool runs on untrusted text: whatever the input,
//! no panic, and the invariants each parser promises hold. (Coverage-guided fuzzing of the
//! same entry points: `fuzz/`, with a nightly toolchain; not part of CI.)
use apigw_doctor::checks::domain::target;
use apigw_doctor::checks::lambda::{self, Api, Options};
use apigw_doctor::checks::policy::{self, Decision, Request};
use apigw_doctor::checks::selection::java_regex::{JavaRegex, Verdict};
use apigw_doctor::finding::Finding;
use apigw_doctor::report::human::Sanitize;
use apigw_doctor::report::{Outcome, Report, human::Palette, sarif};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::io::Write;

/// JSON values of bounded size and depth, with keys and strings from a small alphabet so
/// that shapes repeat (as real documents' do).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|n| json!(n)),
        "[a-z\\\\\"{}\\[\\]:,\\u{1b}\\u{e9}]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-zA-Z0-9_\\-\\\\'.]{0,6}", inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn rest() -> Options {
    Options::new(Api::Rest)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any bytes as a Lambda output: a verdict, and a rejected output gets the gateway error.
    #[test]
    fn lambda_outputs_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        for api in [Api::Rest, Api::Http10, Api::Http20] {
            let e = lambda::evaluate(&bytes, &Options { api, ..rest() });
            prop_assert!(e.valid || e.client.status >= 500);
        }
    }

    /// Any JSON document as a Lambda output: decided the same way as its serialisation.
    #[test]
    fn lambda_json_outputs_keep_their_body(v in json_value()) {
        let text = v.to_string();
        let e = lambda::evaluate(text.as_bytes(), &rest());
        if let Some(Value::String(body)) = v.get("body")
            && e.valid
            && v.get("isBase64Encoded").is_none()
        {
            prop_assert_eq!(e.client.body().into_owned(), body.as_bytes().to_vec());
            // -o json writes the body as the literal it arrived in: the same text.
            let written = serde_json::to_value(&e.client).unwrap();
            prop_assert_eq!(&written["body"], &Value::String(body.clone()));
        }
    }

    /// Pretty-printed JSON: every member path is found on the line where its key is.
    #[test]
    fn locate_finds_every_key_on_its_line(v in json_value()) {
        let text = serde_json::to_string_pretty(&v).unwrap();
        let mut paths = Vec::new();
        collect_paths(&v, "$".to_string(), &mut paths);
        let refs: Vec<&str> = paths.iter().map(|(p, _)| p.as_str()).collect();
        let lines = apigw_doctor::locate::lines_of(&text, &v, false, &refs);
        for ((path, key), line) in paths.iter().zip(lines) {
            let line = line.ok_or_else(|| TestCaseError::fail(format!("{path} not found in {text}")))?;
            let on_line = text.lines().nth(line - 1).unwrap_or_default();
            prop_assert!(on_line.contains(&serde_json::to_string(key).unwrap()), "{} -> {}: {}", path, line, on_line);
        }
    }

    /// The same document in YAML never panics the locator, and finds lines inside it.
    #[test]
    fn locate_yaml_never_panics(v in json_value()) {
        let yaml = serde_saphyr::to_string(&v).unwrap_or_default();
        let mut paths = Vec::new();
        collect_paths(&v, "$".to_string(), &mut paths);
        let refs: Vec<&str> = paths.iter().map(|(p, _)| p.as_str()).collect();
        let count = yaml.lines().count();
        for line in apigw_doctor::locate::lines_of(&yaml, &v, true, &refs).into_iter().flatten() {
            prop_assert!(line >= 1 && line <= count.max(1));
        }
    }

    /// Counting values never reads past the text and never undercounts containers.
    #[test]
    fn values_are_counted(v in json_value()) {
        let text = v.to_string();
        let containers = text.matches(['[', '{']).count();
        let n = apigw_doctor::document::count_values(text.as_bytes(), usize::MAX - 1);
        prop_assert!(n >= 1);
        if !text.contains('"') {
            prop_assert!(n > containers);
        }
    }

    /// Any pattern: compiled or a Java syntax error, never a panic; a literal pattern of
    /// letters matches itself.
    #[test]
    fn java_patterns_never_panic(p in "[a-c()\\[\\]{}*+?|\\\\^$.&\\-dDwWsSbBQE0-9,:=!<>#xiu ]{0,24}", input in "[a-c0-9\\n]{0,12}") {
        if let Ok(r) = JavaRegex::compile(&p) {
            let _ = r.matches(&input);
            let _ = r.find(&input);
        }
    }

    #[test]
    fn literal_java_patterns_match_themselves(p in "[a-z0-9]{0,16}") {
        let r = JavaRegex::compile(&p).unwrap();
        prop_assert_eq!(r.matches(&p), Verdict::Match);
    }

    /// Policy wildcards: a pattern made from the resource by replacing characters with `?`
    /// or runs with `*` always allows it; any pattern evaluates without a panic.
    #[test]
    fn policy_wildcards_cover_what_they_should(
        tail in "[a-z/]{1,20}",
        edits in prop::collection::vec((0usize..20, prop_oneof![Just('?'), Just('*')]), 0..4),
        other in "[a-z/*?]{0,20}",
    ) {
        let resource = format!("arn:aws:execute-api:us-east-1:111122223333:abc/prod/GET/{tail}");
        let mut chars: Vec<char> = resource.chars().collect();
        let start = resource.len() - tail.len();
        for (at, c) in edits {
            let at = start + at % tail.len();
            chars[at] = c;
        }
        let pattern: String = chars.into_iter().collect();
        let req = Request {
            principal: Some("arn:aws:iam::111122223333:root".into()),
            resource: Some(resource.clone()),
            ..Request::default()
        };
        for (p, must_allow) in [(pattern, true), (format!("arn:aws:execute-api:*:*:abc/{other}"), false)] {
            let doc = json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": p}]});
            let e = policy::evaluate(&doc, &req);
            if must_allow {
                prop_assert_eq!(e.decision, Some(Decision::Allow), "{}", p);
            }
        }
    }

    /// DNS names: any text classifies without a panic.
    #[test]
    fn host_names_classify(name in "[a-z0-9.\\-]{0,40}(\\.execute-api\\.[a-z0-9\\-]{0,12}\\.amazonaws\\.com|\\.cloudfront\\.net)?") {
        let _ = target::classify(&name);
        let _ = target::region(&name);
    }

    /// Terminal output: whatever the text, the only escape sequences left are SGR ones.
    #[test]
    fn sanitised_output_holds_no_control_sequences(pieces in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..16), 0..8)) {
        let mut s = Sanitize::new(Vec::new());
        for p in &pieces {
            s.write_all(p).unwrap();
        }
        s.flush().unwrap();
        let out = String::from_utf8_lossy(s.get_ref()).into_owned();
        let mut rest = out.as_str();
        while let Some(i) = rest.find('\u{1b}') {
            let seq = &rest[i + 1..];
            let params = seq.strip_prefix('[').unwrap_or_default();
            let end = params.find(|c: char| !(c.is_ascii_digit() || c == ';'));
            prop_assert!(seq.starts_with('[') && end.is_some_and(|e| params[e..].starts_with('m')), "{:?}", out);
            rest = &rest[i + 1..];
        }
        prop_assert!(!out.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\u{1b}'), "{:?}", out);
    }

    /// SARIF: any findings give one valid log whose results point at their rules.
    #[test]
    fn sarif_logs_are_consistent(
        findings in prop::collection::vec(("[a-z]{1,6}", "[ -~\\u{1b}]{0,20}", json_value()), 0..8)
    ) {
        let kb = apigw_doctor::kb::KnowledgeBase::embedded().unwrap();
        let codes = ["lambda.body-not-string", "selection.no-match", "lint.vpc-link-in-use", "policy.malformed"];
        let findings: Vec<Finding> = findings
            .into_iter()
            .enumerate()
            .map(|(i, (k, m, v))| Finding::warning(codes[i % codes.len()], m).with(&k, v))
            .collect();
        let report = Report::new("lint", "x.json", Nothing).with_findings(findings.clone());
        let log = sarif::to_value(&report, &kb);
        let text = log.to_string();
        let back: Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&back["version"], "2.1.0");
        let rules = back["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
        let results = back["runs"][0]["results"].as_array().unwrap();
        prop_assert_eq!(results.len(), findings.len());
        for r in results {
            let i = r["ruleIndex"].as_u64().unwrap() as usize;
            prop_assert_eq!(&rules[i]["id"], &r["ruleId"]);
            prop_assert!(r["message"]["text"].is_string());
        }
    }
}

#[derive(serde::Serialize)]
struct Nothing;

impl Outcome for Nothing {
    fn render_human(&self, _: &mut dyn Write, _: &Palette) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every object member's path (in the tool's `$.a['b c'][2]` notation) and its key.
fn collect_paths(v: &Value, path: String, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                // The notation cannot spell keys with `']` or a dot after `.`; skip those.
                if k.contains("']") {
                    continue;
                }
                let p = if !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    format!("{path}.{k}")
                } else {
                    format!("{path}['{k}']")
                };
                out.push((p.clone(), k.clone()));
                collect_paths(child, p, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect_paths(child, format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}
