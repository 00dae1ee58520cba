//! SARIF 2.1.0: findings as code-scanning results. Each finding code is a rule whose help
//! is the article's fix; a finding's `location`/`origin`/`path` evidence becomes a logical
//! location, and its `line` evidence (when the check knows it) a region in the input file.
use super::{Outcome, Report};
use crate::finding::Finding;
use crate::finding::Severity;
use crate::kb::KnowledgeBase;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{self, Write};

/// One SARIF log for the whole run, however many reports it has (`domain --file`,
/// `lambda --lines`): results are written as each report arrives, and the rules, known only
/// at the end, close the run (JSON objects are unordered). Memory holds the rules and the
/// last report's result, never the results.
#[derive(Default)]
pub struct Log {
    rules: Vec<Value>,
    rule_index: HashMap<&'static str, usize>,
    started: bool,
    results: usize,
    reports: usize,
    command: Option<&'static str>,
    last_result: Option<Value>,
}

impl Log {
    pub fn add<R: Outcome, W: Write + ?Sized>(
        &mut self,
        out: &mut W,
        report: &Report<R>,
        kb: &KnowledgeBase,
    ) -> io::Result<()> {
        if !self.started {
            out.write_all(br#"{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"results":["#)?;
            self.started = true;
        }
        self.reports += 1;
        self.command = Some(report.command);
        self.last_result = serde_json::to_value(&report.result).ok();
        for f in &report.findings {
            let index = self.rule(f.code, kb);
            if self.results > 0 {
                out.write_all(b",")?;
            }
            self.results += 1;
            serde_json::to_writer(&mut *out, &result(f, index, &report.target))?;
        }
        Ok(())
    }

    fn rule(&mut self, code: &'static str, kb: &KnowledgeBase) -> usize {
        if let Some(&i) = self.rule_index.get(code) {
            return i;
        }
        let mut rule = json!({"id": code, "name": code});
        if let Some((article, e)) = kb.explain(code) {
            rule["shortDescription"] = json!({"text": article.title});
            rule["help"] = json!({"text": e.fix});
            if let Some(r) = article.references.first() {
                rule["helpUri"] = json!(r.url);
            }
        }
        self.rules.push(rule);
        self.rule_index.insert(code, self.rules.len() - 1);
        self.rules.len() - 1
    }

    /// Closes the run: the tool and its rules, and the command's result when there was one
    /// report (the number of reports otherwise). `failure` is the error that stopped the
    /// command after its first reports: the log stays valid and records it as a tool
    /// execution notification of an unsuccessful invocation.
    pub fn finish<W: Write + ?Sized>(
        &mut self,
        out: &mut W,
        failure: Option<&str>,
    ) -> io::Result<()> {
        if !self.started {
            out.write_all(br#"{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"results":["#)?;
        }
        let mut properties = json!({"command": self.command, "reports": self.reports});
        if self.reports == 1 {
            properties["result"] = self.last_result.take().unwrap_or(Value::Null);
        }
        let tail = json!({"driver": {
            "name": "apigw-doctor",
            "version": env!("CARGO_PKG_VERSION"),
            "rules": self.rules,
        }});
        let invocation = match failure {
            None => json!({"executionSuccessful": true}),
            Some(error) => json!({
                "executionSuccessful": false,
                "toolExecutionNotifications": [{"level": "error", "message": {"text": error}}],
            }),
        };
        write!(
            out,
            r#"],"tool":{tail},"invocations":[{invocation}],"properties":{properties}}}]}}"#
        )?;
        writeln!(out)
    }
}

fn result(f: &Finding, index: usize, target: &str) -> Value {
    let level = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    };
    // A finding inside a definition file the input names is placed in that file.
    let uri = f
        .evidence
        .get("file")
        .and_then(Value::as_str)
        .unwrap_or(target);
    let mut physical = json!({"artifactLocation": {"uri": uri}});
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
}

/// The one-report log as a value (for callers that inspect it).
pub fn to_value<R: Outcome>(report: &Report<R>, kb: &KnowledgeBase) -> Value {
    let mut log = Log::default();
    let mut bytes = Vec::new();
    let written = log
        .add(&mut bytes, report, kb)
        .and_then(|()| log.finish(&mut bytes, None));
    match written {
        Ok(()) => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        Err(_) => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A command that fails after its first reports still closes a valid log, and the log
    /// records the error as an unsuccessful invocation.
    #[test]
    fn a_failure_closes_the_log_and_is_recorded() {
        for started in [false, true] {
            let mut log = Log {
                started,
                ..Log::default()
            };
            let mut out = Vec::new();
            if started {
                out.extend_from_slice(br#"{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"results":["#);
            }
            log.finish(&mut out, Some("GetResources: access denied"))
                .unwrap();
            let value: Value = serde_json::from_slice(&out).unwrap();
            let invocation = &value["runs"][0]["invocations"][0];
            assert_eq!(invocation["executionSuccessful"], false);
            assert_eq!(
                invocation["toolExecutionNotifications"][0]["message"]["text"],
                "GetResources: access denied"
            );
        }
    }
}
