//! Findings: what a check saw, as data. Checks build them; reports render them.
use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable identifier (`lambda.body-not-string`): scripts and `kb show` key on it.
    pub code: &'static str,
    pub severity: Severity,
    /// One line, in the user's terms.
    pub message: String,
    /// What was seen: paths, values, patterns, records.
    pub evidence: Map<String, Value>,
    /// The kind of API the finding is about (`http`), when an article explains its code for
    /// that kind in particular (HTTP API findings link the HTTP API article).
    #[serde(skip)]
    pub api: Option<&'static str>,
}

impl Finding {
    pub fn new(code: &'static str, severity: Severity, message: impl Into<String>) -> Self {
        Finding {
            code,
            severity,
            message: message.into(),
            evidence: Map::new(),
            api: None,
        }
    }

    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Error, message)
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Warning, message)
    }

    pub fn info(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Info, message)
    }

    /// Says which kind of API the finding is about (see `api`).
    pub fn for_api(mut self, api: &'static str) -> Self {
        self.api = Some(api);
        self
    }

    /// Adds one piece of evidence; `Value::Null` values are skipped so evidence stays terse.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        let value = value.into();
        if !value.is_null() {
            self.evidence.insert(key.to_string(), value);
        }
        self
    }
}

/// The highest severity among `findings`, if any.
pub fn worst(findings: &[Finding]) -> Option<Severity> {
    findings.iter().map(|f| f.severity).max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_skips_null_and_keeps_order_of_insertion() {
        let f = Finding::error("x.y", "m")
            .with("path", "$.body")
            .with("absent", Value::Null)
            .with("found", 3);
        assert_eq!(f.evidence.len(), 2);
        assert_eq!(f.evidence["path"], "$.body");
        assert_eq!(f.evidence["found"], 3);
    }

    #[test]
    fn worst_is_the_max_severity() {
        assert_eq!(worst(&[]), None);
        let fs = [Finding::info("a.b", ""), Finding::warning("a.c", "")];
        assert_eq!(worst(&fs), Some(Severity::Warning));
    }
}
