//! Which integration response API Gateway selects, and what is wrong with the patterns.
use super::java_regex::{JavaRegex, SyntaxError, Verdict};
use super::model::{Integration, IntegrationKind, ResponseRule};
use super::*;
use crate::finding::Finding;
use serde_json::json;
use std::cell::OnceCell;
use std::collections::HashMap;
use std::rc::Rc;

/// What the patterns are tested against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// HTTP, AWS service and mock integrations: the backend's status code.
    Status(u16),
    /// Lambda: the function error's errorMessage.
    ErrorMessage(String),
    /// Lambda: a successful invocation (patterns see the empty string).
    Success,
}

impl Input {
    pub fn text(&self) -> String {
        match self {
            Input::Status(s) => s.to_string(),
            Input::ErrorMessage(m) => m.clone(),
            Input::Success => String::new(),
        }
    }

    pub fn kind(&self) -> IntegrationKind {
        match self {
            Input::Status(_) => IntegrationKind::Http,
            Input::ErrorMessage(_) | Input::Success => IntegrationKind::Lambda,
        }
    }
}

/// One compiled selection pattern and what it matches among the status codes, each
/// worked out once however many integrations use the pattern.
pub struct Pattern {
    regex: Result<JavaRegex, SyntaxError>,
    /// The verdict for each status code 100-599 (index `code - 100`).
    coverage: OnceCell<Box<[Verdict]>>,
    /// For Lambda: the first status code it matches when it matches no message carrying
    /// that code (a pattern written for a status code).
    bare_code: OnceCell<Option<u16>>,
}

impl Pattern {
    pub fn regex(&self) -> Option<&JavaRegex> {
        self.regex.as_ref().ok()
    }

    fn coverage(&self) -> &[Verdict] {
        self.coverage.get_or_init(|| {
            let Some(r) = self.regex() else {
                return vec![Verdict::NoMatch; STATUS_CODES].into_boxed_slice();
            };
            (100..=599u16).map(|c| r.matches(&c.to_string())).collect()
        })
    }

    fn covers(&self, code: u16) -> bool {
        self.coverage()[usize::from(code - 100)] == Verdict::Match
    }

    /// Some status code could not be decided (backtracking limit, evaluation budget).
    fn undecided(&self) -> bool {
        self.coverage().contains(&Verdict::Unknown)
    }

    fn matches_some_status(&self) -> bool {
        self.coverage().contains(&Verdict::Match)
    }

    fn bare_code(&self) -> Option<u16> {
        *self.bare_code.get_or_init(|| {
            let r = self.regex()?;
            let code = self.coverage().iter().position(|&c| c == Verdict::Match)? as u16 + 100;
            (r.matches(&format!("Error {code}")) == Verdict::NoMatch
                && r.matches(&format!("{code} Error")) == Verdict::NoMatch)
                .then_some(code)
        })
    }
}

const STATUS_CODES: usize = 500;

/// Compiled patterns by source text: an export repeats the same few patterns on thousands
/// of methods, and each is compiled and run over the status codes once.
#[derive(Default)]
pub struct Patterns {
    by_source: HashMap<String, Rc<Pattern>>,
}

impl Patterns {
    pub fn get(&mut self, source: &str) -> Rc<Pattern> {
        if let Some(p) = self.by_source.get(source) {
            return Rc::clone(p);
        }
        let p = Rc::new(Pattern {
            regex: JavaRegex::compile(source),
            coverage: OnceCell::new(),
            bare_code: OnceCell::new(),
        });
        self.by_source.insert(source.to_string(), Rc::clone(&p));
        p
    }
}

/// One response with its compiled pattern (None: default, or a pattern Java rejects).
pub struct Compiled<'a> {
    pub rule: &'a ResponseRule,
    pattern: Option<Rc<Pattern>>,
}

impl Compiled<'_> {
    pub fn regex(&self) -> Option<&JavaRegex> {
        self.pattern.as_deref().and_then(Pattern::regex)
    }
}

#[derive(Debug, Clone)]
pub struct Selection {
    pub kind: IntegrationKind,
    pub matched_against: String,
    /// Index into the integration's responses.
    pub selected: Option<usize>,
    /// Indexes of every response whose pattern matched.
    pub matches: Vec<usize>,
    /// None for proxy integrations without a status input.
    pub client_status: Option<u16>,
    pub findings: Vec<Finding>,
}

/// Compiles every pattern once; reports invalid, inexact and risky patterns.
pub fn compile<'a>(
    integration: &'a Integration,
    patterns: &mut Patterns,
    findings: &mut Vec<Finding>,
) -> Vec<Compiled<'a>> {
    let mut out = Vec::with_capacity(integration.responses.len());
    let mut seen: Vec<&str> = Vec::new();
    for rule in &integration.responses {
        let pattern = rule.pattern.as_deref().map(|p| patterns.get(p));
        if let (Some(p), Some(Err(e))) = (&rule.pattern, pattern.as_deref().map(|c| &c.regex)) {
            findings.push(
                Finding::error(
                    INVALID_PATTERN,
                    format!(
                        "{p:?} is not a valid Java regular expression: {e}; API Gateway rejects it"
                    ),
                )
                .with("pattern", p.as_str())
                .with("status", rule.status.as_str())
                .with("origin", rule.origin.as_str())
                .with("index", e.index),
            );
        }
        let regex = pattern.as_deref().and_then(Pattern::regex);
        if let (Some(p), Some(r)) = (&rule.pattern, &regex) {
            for why in &r.inexact {
                findings.push(
                    Finding::warning(INEXACT_EMULATION, format!("{p:?}: {why}; the result for this pattern may differ from API Gateway's"))
                        .with("pattern", p.as_str())
                        .with("origin", rule.origin.as_str()),
                );
            }
            if r.nested_quantifier {
                findings.push(
                    Finding::warning(BACKTRACKING_RISK, format!("{p:?} nests unbounded quantifiers: on some inputs Java backtracks for a very long time"))
                        .with("pattern", p.as_str())
                        .with("origin", rule.origin.as_str()),
                );
            }
            if seen.contains(&p.as_str()) {
                findings.push(
                    Finding::warning(
                        UNREACHABLE,
                        format!(
                            "{p:?} is used by two responses: one of them can never be selected"
                        ),
                    )
                    .with("pattern", p.as_str())
                    .with("status", rule.status.as_str())
                    .with("origin", rule.origin.as_str()),
                );
            }
            seen.push(p);
        }
        out.push(Compiled { rule, pattern });
    }
    let defaults = integration
        .responses
        .iter()
        .filter(|r| r.pattern.is_none())
        .count();
    if defaults == 0 && !integration.responses.is_empty() {
        findings.push(Finding::warning(
            NO_DEFAULT,
            "there is no default response: whatever no pattern matches ends in 500",
        ));
    }
    out
}

pub fn select(integration: &Integration, input: &Input) -> Selection {
    let mut findings = Vec::new();
    let kind = integration.kind.unwrap_or(input.kind());
    let text = input.text();
    if kind == IntegrationKind::Proxy {
        findings.push(
            Finding::info(
                PROXY_INTEGRATION,
                format!(
                    "{} is a proxy integration: integration responses and selection patterns never run; the backend's status goes to the client",
                    integration.type_name.as_deref().unwrap_or("this")
                ),
            )
            .with("type", integration.type_name.clone()),
        );
        return Selection {
            kind,
            matched_against: text,
            selected: None,
            matches: Vec::new(),
            client_status: match input {
                Input::Status(s) => Some(*s),
                _ => None,
            },
            findings,
        };
    }
    let compiled = compile(integration, &mut Patterns::default(), &mut findings);
    let mut matches = Vec::new();
    for (i, c) in compiled.iter().enumerate() {
        let (Some(p), Some(r)) = (&c.rule.pattern, c.regex()) else {
            continue;
        };
        match r.matches(&text) {
            Verdict::Match => matches.push(i),
            Verdict::Unknown => findings.push(
                Finding::warning(
                    INEXACT_EMULATION,
                    format!(
                        "{p:?} could not be evaluated on this input (backtracking limit, or the command's evaluation budget): the selected response is uncertain"
                    ),
                )
                .with("pattern", p.as_str())
                .with("input", text.as_str()),
            ),
            Verdict::NoMatch => {
                // The most specific explanation only: a line terminator, else a partial
                // match, else a status-code pattern on a Lambda message.
                let dotall = has_line_terminator(&text)
                    && r.uses_dot
                    && r.matches_with_dotall(&text) == Verdict::Match;
                if dotall {
                    findings.push(
                        Finding::warning(
                            LINE_TERMINATOR,
                            format!("{p:?} would match, but '.' does not match the line terminator in the input"),
                        )
                        .with("pattern", p.as_str())
                        .with("input", text.as_str())
                        .with("suggestion", format!("(?s){p}")),
                    );
                } else if r.find(&text) == Verdict::Match {
                    let flag = if has_line_terminator(&text) {
                        "(?s)"
                    } else {
                        ""
                    };
                    findings.push(
                        Finding::warning(
                            WHOLE_MATCH_ONLY,
                            format!("{p:?} matches part of {text:?} but selection patterns must match the whole input"),
                        )
                        .with("pattern", p.as_str())
                        .with("input", text.as_str())
                        .with("suggestion", format!("{flag}.*{p}.*")),
                    );
                } else if kind == IntegrationKind::Lambda
                    && matches!(input, Input::ErrorMessage(_))
                    && c.pattern
                        .as_deref()
                        .is_some_and(Pattern::matches_some_status)
                {
                    findings.push(
                        Finding::warning(
                            STATUS_PATTERN_FOR_LAMBDA,
                            format!("{p:?} is written for a status code, but Lambda error patterns are matched against errorMessage {text:?}"),
                        )
                        .with("pattern", p.as_str())
                        .with("input", text.as_str()),
                    );
                }
            }
        }
    }
    if kind == IntegrationKind::Lambda {
        lambda_success(&compiled, &mut findings);
    }
    if kind == IntegrationKind::Http {
        http_reachability(&compiled, &mut findings);
    }
    if matches.len() > 1 {
        let listed: Vec<_> = matches
            .iter()
            .map(|&i| json!({"pattern": compiled[i].rule.pattern, "status": compiled[i].rule.status}))
            .collect();
        findings.push(
            Finding::warning(
                AMBIGUOUS,
                format!(
                    "{} patterns match {text:?}; AWS does not document which one wins: the first listed is shown, but the behavior is uncertain",
                    matches.len()
                ),
            )
            .with("input", text.as_str())
            .with("matches", json!(listed)),
        );
    }
    let default = compiled.iter().position(|c| c.rule.pattern.is_none());
    let selected = matches.first().copied().or(default);
    let client_status = match selected {
        Some(i) => compiled[i].rule.status.parse().ok(),
        None => {
            findings.push(
                Finding::error(
                    NO_MATCH,
                    format!("no pattern matches {text:?} and there is no default response: API Gateway answers 500 (No match for output mapping and no default output mapping configured)"),
                )
                .with("input", text.as_str()),
            );
            Some(500)
        }
    };
    if let Some(i) = selected {
        findings.extend(surprising_outcome(input, compiled[i].rule));
    }
    let mut client_status = client_status;
    if let (Some(methods), Some(i)) = (&integration.method_responses, selected) {
        let status = &compiled[i].rule.status;
        if !methods.contains(status) {
            findings.push(
                Finding::error(
                    METHOD_RESPONSE_MISSING,
                    format!("the selected integration response maps to {status}, but the method has no {status} method response: API Gateway answers 500 (\"Output mapping refers to an invalid method response\")"),
                )
                .with("status", status.as_str())
                .with("location", compiled[i].rule.origin.as_str())
                .with("method_responses", json!(methods)),
            );
            client_status = Some(500);
        }
    }
    Selection {
        kind,
        matched_against: text,
        selected,
        matches,
        client_status,
        findings,
    }
}

/// An outcome nobody wants without knowing it: a success that leaves 2xx, or an error (a
/// function error, a backend 4xx/5xx) that lands in 2xx; the finding names the response.
fn surprising_outcome(input: &Input, rule: &ResponseRule) -> Option<Finding> {
    let status = rule.status.as_str();
    let chosen = match &rule.pattern {
        None => "the default response".to_string(),
        Some(p) => format!("the response for pattern {p:?}"),
    };
    let success_2xx = status.starts_with('2');
    let finding = match input {
        Input::ErrorMessage(m) if success_2xx => Finding::warning(
            ERROR_AS_200,
            if rule.pattern.is_none() {
                format!("no pattern maps this function error, so it goes to the default response: the client gets {status} with the error object as the body")
            } else {
                format!("this function error selects {chosen}, whose status is {status}: the client sees a success")
            },
        )
        .with("error_message", m.as_str()),
        Input::Status(code) if *code >= 400 && success_2xx => Finding::warning(
            ERROR_AS_200,
            format!("the backend's {code} selects {chosen}, whose status is {status}: the client sees a success"),
        )
        .with("backend_status", *code),
        Input::Success if !success_2xx => Finding::warning(
            SURPRISING_STATUS,
            format!("a successful invocation selects {chosen} and the client gets {status}: success patterns see the empty string, so a pattern that matches it (or a non-2xx default) catches every success"),
        ),
        Input::Status(code) if (200..300).contains(code) && !success_2xx => Finding::warning(
            SURPRISING_STATUS,
            format!("the backend's {code} selects {chosen} and the client gets {status}"),
        )
        .with("backend_status", *code),
        _ => return None,
    };
    Some(
        finding
            .with("status", status)
            .with("pattern", rule.pattern.clone())
            .with("origin", rule.origin.as_str()),
    )
}

/// Lambda integrations: patterns that also capture successful invocations ("").
fn lambda_success(compiled: &[Compiled<'_>], findings: &mut Vec<Finding>) {
    for c in compiled {
        if let (Some(p), Some(r)) = (&c.rule.pattern, c.regex())
            && r.matches("") == Verdict::Match
        {
            findings.push(
                Finding::warning(
                    MATCHES_SUCCESS,
                    format!("{p:?} matches the empty string, so successful invocations also select status {}", c.rule.status),
                )
                .with("pattern", p.as_str())
                .with("status", c.rule.status.as_str())
                .with("origin", c.rule.origin.as_str()),
            );
        }
    }
}

/// The checks that need no input: invalid, inexact and risky patterns, duplicates, no
/// default, unreachable HTTP responses, Lambda patterns that capture successes or are
/// written for status codes. Proxy integrations: none (their responses never run).
pub fn analyze(integration: &Integration, patterns: &mut Patterns) -> Vec<Finding> {
    let mut findings = Vec::new();
    if integration.kind == Some(IntegrationKind::Proxy) {
        return findings;
    }
    let compiled = compile(integration, patterns, &mut findings);
    match integration.kind {
        Some(IntegrationKind::Http) => http_reachability(&compiled, &mut findings),
        Some(IntegrationKind::Lambda) => {
            lambda_success(&compiled, &mut findings);
            for c in &compiled {
                let (Some(p), Some(pattern)) = (&c.rule.pattern, &c.pattern) else {
                    continue;
                };
                // Written for a bare code: matches "404" but no message that carries it.
                if pattern.bare_code().is_some() {
                    findings.push(
                        Finding::warning(
                            STATUS_PATTERN_FOR_LAMBDA,
                            format!("{p:?} is written for a status code, but Lambda error patterns are matched against the whole errorMessage"),
                        )
                        .with("pattern", p.as_str())
                        .with("origin", c.rule.origin.as_str()),
                    );
                }
            }
        }
        _ => {}
    }
    findings
}

/// HTTP integrations: patterns that no status code 100-599 can select.
fn http_reachability(compiled: &[Compiled<'_>], findings: &mut Vec<Finding>) {
    let mut covered = vec![false; STATUS_CODES];
    for c in compiled {
        let (Some(p), Some(pattern)) = (&c.rule.pattern, &c.pattern) else {
            continue;
        };
        if pattern.regex().is_none() {
            continue;
        }
        let mut any = false;
        for (i, &verdict) in pattern.coverage().iter().enumerate() {
            if verdict == Verdict::Match {
                any = true;
                covered[i] = true;
            }
        }
        if pattern.undecided() {
            findings.push(
                Finding::warning(
                    INEXACT_EMULATION,
                    format!("{p:?} could not be decided for every status code (backtracking limit or the command's evaluation budget): which codes it selects is uncertain"),
                )
                .with("pattern", p.as_str())
                .with("origin", c.rule.origin.as_str()),
            );
            continue;
        }
        if !any {
            findings.push(
                Finding::warning(
                    NO_STATUS_MATCH,
                    format!("{p:?} matches no status code from 100 to 599: HTTP integrations match patterns against the three-digit status code"),
                )
                .with("pattern", p.as_str())
                .with("status", c.rule.status.as_str())
                .with("origin", c.rule.origin.as_str()),
            );
        }
    }
    if covered.iter().all(|&c| c)
        && let Some(d) = compiled.iter().find(|c| c.rule.pattern.is_none())
    {
        findings.push(
            Finding::warning(UNREACHABLE, format!("the patterns cover every status code, so the default response ({}) is never selected", d.rule.status))
                .with("status", d.rule.status.as_str())
                .with("origin", d.rule.origin.as_str()),
        );
    }
}

fn has_line_terminator(s: &str) -> bool {
    s.contains(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}'])
}

/// One row of `--table`: codes `from..=to` select the same response.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TableRow {
    pub from: u16,
    pub to: u16,
    /// The selected response's status; None when nothing matches and there is no default.
    pub status: Option<String>,
    pub pattern: Option<String>,
    pub client_status: u16,
}

/// Every status code 100-599 and the response it selects, compressed into ranges.
pub fn table(integration: &Integration) -> (Vec<TableRow>, Vec<Finding>) {
    let mut findings = Vec::new();
    let compiled = compile(integration, &mut Patterns::default(), &mut findings);
    http_reachability(&compiled, &mut findings);
    let default = compiled.iter().position(|c| c.rule.pattern.is_none());
    let mut rows: Vec<TableRow> = Vec::new();
    let mut ambiguous = 0;
    for code in 100..=599u16 {
        let hits: Vec<usize> = compiled
            .iter()
            .enumerate()
            .filter(|(_, c)| c.pattern.as_deref().is_some_and(|p| p.covers(code)))
            .map(|(i, _)| i)
            .collect();
        if hits.len() > 1 {
            ambiguous += 1;
        }
        let selected = hits.first().copied().or(default);
        let status = selected.map(|i| compiled[i].rule.status.clone());
        let pattern = selected.and_then(|i| compiled[i].rule.pattern.clone());
        let client_status = status
            .as_deref()
            .and_then(|s| s.parse().ok())
            .unwrap_or(500);
        match rows.last_mut() {
            Some(last)
                if last.to + 1 == code && last.status == status && last.pattern == pattern =>
            {
                last.to = code
            }
            _ => rows.push(TableRow {
                from: code,
                to: code,
                status,
                pattern,
                client_status,
            }),
        }
    }
    if ambiguous > 0 {
        findings.push(
            Finding::warning(AMBIGUOUS, format!("{ambiguous} status codes match more than one pattern; AWS does not document which wins (the first listed is shown)"))
                .with("codes", ambiguous),
        );
    }
    if default.is_none() && rows.iter().any(|r| r.status.is_none()) {
        findings.push(Finding::error(NO_MATCH, "some status codes match no pattern and there is no default response: API Gateway answers 500 for them"));
    }
    (rows, findings)
}
