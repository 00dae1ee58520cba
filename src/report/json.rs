//! The JSON twin of every report: one object per target, one line each (JSON Lines).
use super::{Outcome, Report};
use crate::kb::KnowledgeBase;
use serde_json::{Value, json};

pub fn to_value<R: Outcome>(report: &Report<R>, kb: &KnowledgeBase) -> Value {
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let explained = kb.explain(f.code);
            json!({
                "code": f.code,
                "severity": f.severity,
                "message": f.message,
                "article": explained.map(|(a, _)| a.id.as_str()),
                "fix": explained.map(|(_, e)| e.fix.as_str()),
                "evidence": f.evidence,
            })
        })
        .collect();
    json!({
        "command": report.command,
        "target": report.target,
        "findings": findings,
        "result": report.result,
    })
}
