//! The JSON twin of every report: one object per target, one line each (JSON Lines).
//! Reports are serialised straight to the writer: no intermediate `Value` tree, so `-o json`
//! costs about what the human view costs, and a 6 MB body is never copied.
use super::{Outcome, Report};
use crate::finding::Finding;
use crate::kb::KnowledgeBase;
use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use std::io::{self, Write};

/// Writes `report` as one JSON line.
pub fn write<R: Outcome, W: Write + ?Sized>(
    out: &mut W,
    report: &Report<R>,
    kb: &KnowledgeBase,
) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &JsonReport { report, kb })?;
    writeln!(out)
}

struct JsonReport<'a, R> {
    report: &'a Report<R>,
    kb: &'a KnowledgeBase,
}

impl<R: Outcome> Serialize for JsonReport<'_, R> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(4))?;
        map.serialize_entry("command", self.report.command)?;
        map.serialize_entry("target", &self.report.target)?;
        map.serialize_entry(
            "findings",
            &Findings {
                findings: &self.report.findings,
                kb: self.kb,
            },
        )?;
        map.serialize_entry("result", &self.report.result)?;
        map.end()
    }
}

struct Findings<'a> {
    findings: &'a [Finding],
    kb: &'a KnowledgeBase,
}

impl Serialize for Findings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.findings.len()))?;
        for f in self.findings {
            seq.serialize_element(&Explained { f, kb: self.kb })?;
        }
        seq.end()
    }
}

struct Explained<'a> {
    f: &'a Finding,
    kb: &'a KnowledgeBase,
}

impl Serialize for Explained<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = self.f;
        let explained = self.kb.explain_for(f.code, f.api);
        let mut map = s.serialize_map(Some(6))?;
        map.serialize_entry("code", f.code)?;
        map.serialize_entry("severity", &f.severity)?;
        map.serialize_entry("message", &f.message)?;
        map.serialize_entry("article", &explained.map(|(a, _)| a.id.as_str()))?;
        map.serialize_entry("fix", &explained.map(|(_, e)| e.fix.as_str()))?;
        map.serialize_entry("evidence", &f.evidence)?;
        map.end()
    }
}
