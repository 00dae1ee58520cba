//! SARIF 2.1.0: findings as code-scanning results. Each finding code is a rule whose help
//! is the article's fix; a finding's `location`/`origin`/`path` evidence becomes a logical
//! location, and its `line` evidence (when the check knows it) a region in the input file.
use super::{Outcome, Report};
use crate::finding::Severity;
use crate::kb::KnowledgeBase;
use serde_json::{Value, json};

pub fn to_value<R: Outcome>(report: &Report<R>, kb: &KnowledgeBase) -> Value {
    let mut rules: Vec<Value> = Vec::new();
    let mut rule_ids: Vec<&str> = Vec::new();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let index = match rule_ids.iter().position(|id| *id == f.code) {
                Some(i) => i,
                None => {
                    rule_ids.push(f.code);
                    let explained = kb.explain(f.code);
                    let mut rule = json!({"id": f.code, "name": f.code});
                    if let Some((article, e)) = explained {
                        rule["shortDescription"] = json!({"text": article.title});
                        rule["help"] = json!({"text": e.fix});
                        if let Some(r) = article.references.first() {
                            rule["helpUri"] = json!(r.url);
                        }
                    }
                    rules.push(rule);
                    rule_ids.len() - 1
                }
            };
            let level = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "note",
            };
            let mut physical = json!({"artifactLocation": {"uri": report.target}});
            if let Some(line) = f
                .evidence
                .get("line")
                .and_then(Value::as_u64)
                .filter(|&l| l >= 1)
            {
                physical["region"] = json!({"startLine": line});
            }
            let mut location = json!({"physicalLocation": physical});
            if let Some(logical) = ["location", "origin", "path"]
                .iter()
                .find_map(|k| f.evidence.get(*k).and_then(Value::as_str))
            {
                location["logicalLocations"] = json!([{"fullyQualifiedName": logical}]);
            }
            json!({
                "ruleId": f.code,
                "ruleIndex": index,
                "level": level,
                "message": {"text": f.message},
                "locations": [location],
                "properties": {"evidence": f.evidence},
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "apigw-doctor",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
            "properties": {"command": report.command, "result": report.result},
        }],
    })
}
