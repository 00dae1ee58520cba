//! Helpers shared by the end-to-end tests: run the real binary.
#![allow(dead_code)]
use assert_cmd::Command;
use serde_json::Value;

pub mod aws_proxy;
pub mod jwt;
pub mod lambda_cases;
pub mod moto;
pub mod net;

pub fn doctor() -> Command {
    let mut cmd = Command::cargo_bin("apigw-doctor").unwrap();
    cmd.env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR");
    cmd
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Each stdout line parsed as one JSON report.
    pub fn json(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }

    pub fn one_json(&self) -> Value {
        let mut all = self.json();
        assert_eq!(all.len(), 1, "{}", self.stdout);
        all.remove(0)
    }

    pub fn codes(&self) -> Vec<String> {
        self.one_json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    }
}

/// A report's findings of one code.
pub fn findings_with<'a>(report: &'a Value, code: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}

/// The distinct finding codes of one JSON report.
pub fn codes_of(report: &Value) -> std::collections::BTreeSet<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

pub fn run(args: &[&str]) -> Run {
    run_with_stdin(args, "")
}

pub fn run_with_stdin(args: &[&str], stdin: impl Into<Vec<u8>>) -> Run {
    let out = doctor().args(args).write_stdin(stdin).output().unwrap();
    Run {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Asserts the usage-error contract: exit 2, one line on stderr naming `needle`, no panic.
pub fn assert_usage_error(run: &Run, needle: &str) {
    assert_eq!(
        run.code, 2,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(
        run.stderr.contains(needle),
        "stderr lacks {needle:?}: {}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}
