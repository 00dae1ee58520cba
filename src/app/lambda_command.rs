//! `apigw-doctor lambda`: one output, or a stream of them with `--lines`.
use super::Session;
use crate::checks::lambda::{
    self, Api, ClientResponse, Confidence, Evaluation, MAX_RESPONSE_BYTES, Options,
};
use crate::checks::websocket;
use crate::cli::{LambdaApi, LambdaArgs, PayloadVersion};
use crate::finding::Severity;
use crate::input;
use crate::report::{Outcome, Report, human::Palette};
use anyhow::{Context, Result, bail};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, BufRead, Read, Write};

/// The human view shows at most this much of a body, like a terminal pager would want.
const HUMAN_BODY_LIMIT: usize = 4096;

#[derive(Serialize)]
struct LambdaOutcome<'a> {
    api: Api,
    valid: bool,
    confidence: Confidence,
    client: ClientResponse<'a>,
    /// Only for an output that looks like Lambda's error object with no word on whether
    /// the function threw it: what the client gets had it been returned.
    #[serde(skip_serializing_if = "Option::is_none")]
    alternative: Option<lambda::Alternative<'a>>,
    /// With --lines: which line this output is (the JSON target says `FILE:LINE`).
    #[serde(skip)]
    line: Option<u64>,
}

impl Outcome for LambdaOutcome<'_> {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        let (style, word, then) = if self.valid {
            (p.good, "accepted", "")
        } else {
            (
                p.error,
                "rejected",
                ": the client gets API Gateway's error response",
            )
        };
        let verdict = format_args!("{}{then}", style.paint(word));
        if let Some(n) = self.line {
            write!(out, "{}line {n}:{:#} ", p.strong, p.strong)?;
        }
        writeln!(
            out,
            "{}{} —{:#} {verdict} {}(confidence: {}){:#}",
            p.dim,
            self.api.label(),
            p.dim,
            p.dim,
            self.confidence.word(),
            p.dim
        )?;
        write_response(out, p, &self.client)?;
        if let Some(alt) = &self.alternative {
            let r = &alt.client;
            writeln!(
                out,
                "{}had the function returned this object instead of throwing it, the client would get {} {}{}{:#}",
                p.dim,
                r.status,
                lambda::reason_phrase(r.status),
                if alt.valid {
                    ""
                } else {
                    " (API Gateway's error response)"
                },
                p.dim
            )?;
            writeln!(out)?;
        }
        Ok(())
    }
}

/// A response as `curl -i` shows it; a binary body by its size and type, never raw.
fn write_response(out: &mut dyn Write, p: &Palette, r: &ClientResponse<'_>) -> io::Result<()> {
    {
        let reason = lambda::reason_phrase(r.status);
        writeln!(
            out,
            "{}HTTP/1.1 {} {reason}{:#}",
            p.strong, r.status, p.strong
        )?;
        for (name, values) in r.headers() {
            for v in values {
                writeln!(
                    out,
                    "{}{name}:{:#} {}",
                    p.code,
                    p.code,
                    crate::report::human::visible(v)
                )?;
            }
        }
        for c in &r.cookies {
            writeln!(
                out,
                "{}set-cookie:{:#} {}",
                p.code,
                p.code,
                crate::report::human::visible(c)
            )?;
        }
        writeln!(out)?;
        let len = r.body_len();
        if len > 0 {
            // A body kept as its JSON literal is decoded only as far as it is shown.
            match r.body_text_head(HUMAN_BODY_LIMIT + 4) {
                Ok(text) => {
                    let cut = text.floor_char_boundary(HUMAN_BODY_LIMIT);
                    writeln!(out, "{}", crate::report::human::multiline(&text[..cut]))?;
                    if cut < len {
                        writeln!(
                            out,
                            "{}… ({} more bytes; -o json has the whole body){:#}",
                            p.dim,
                            len - cut,
                            p.dim
                        )?;
                    }
                }
                Err(_) => writeln!(
                    out,
                    "{}[{} bytes of {}]{:#}",
                    p.dim,
                    len,
                    r.header("content-type")
                        .and_then(|v| v.first())
                        .map_or("binary data".to_string(), |t| {
                            crate::report::human::visible(t).into_owned()
                        }),
                    p.dim
                )?,
            }
            writeln!(out)?;
        }
        Ok(())
    }
}

fn options(args: &LambdaArgs) -> Result<Options> {
    let api = match (args.api, args.payload_version) {
        (LambdaApi::Rest | LambdaApi::Websocket, Some(_)) => {
            bail!(
                "--payload-version applies only to --api http (REST and WebSocket APIs have one proxy format)"
            )
        }
        (LambdaApi::Rest | LambdaApi::Websocket, None) => Api::Rest,
        (LambdaApi::Http, Some(PayloadVersion::V1)) => Api::Http10,
        (LambdaApi::Http, Some(PayloadVersion::V2) | None) => Api::Http20,
    };
    if args.method.is_empty() || !args.method.bytes().all(|b| b.is_ascii_alphabetic()) {
        bail!("--method {:?}: not an HTTP method", args.method);
    }
    let (function_error, invocation_known) = match &args.invoke_meta {
        None => (args.function_error, false),
        Some(file) => {
            let printed = invoke_meta(file)?;
            if args.function_error.is_some() && args.function_error != printed {
                bail!(
                    "--function-error {} disagrees with {file}, where `aws lambda invoke` printed {}",
                    args.function_error.map_or("none", |k| k.name()),
                    printed.map_or("no FunctionError".to_string(), |k| format!(
                        "FunctionError {:?}",
                        k.name()
                    ))
                );
            }
            (printed, true)
        }
    };
    let binary_media_types = args
        .binary_media_types
        .iter()
        .flat_map(|l| l.split(','))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    if api != Api::Rest && (args.accept.is_some() || !args.binary_media_types.is_empty()) {
        bail!(
            "--accept and --binary-media-types apply to REST APIs only (HTTP APIs always decode base64 bodies)"
        );
    }
    Ok(Options {
        api,
        function_error,
        invocation_known,
        method: args.method.to_ascii_uppercase(),
        binary_media_types,
        accept: args.accept.clone(),
    })
}

/// The function-error state from what `aws lambda invoke` prints on standard output:
/// `{"StatusCode": 200, "FunctionError": "Unhandled", "ExecutedVersion": "$LATEST"}`.
fn invoke_meta(file: &str) -> Result<Option<lambda::FunctionError>> {
    let doc = crate::document::load(file)?;
    let Some(meta) = doc
        .value
        .as_object()
        .filter(|m| m.contains_key("StatusCode"))
    else {
        bail!(
            "{}: not the output `aws lambda invoke` prints (StatusCode, FunctionError, ExecutedVersion): it looks like {}",
            doc.name,
            crate::document::describe(&doc.value)
        );
    };
    match meta.get("FunctionError") {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(k)) if k.eq_ignore_ascii_case("Unhandled") => {
            Ok(Some(lambda::FunctionError::Unhandled))
        }
        Some(serde_json::Value::String(k)) if k.eq_ignore_ascii_case("Handled") => {
            Ok(Some(lambda::FunctionError::Handled))
        }
        Some(other) => bail!(
            "{}: FunctionError {other} is neither Unhandled nor Handled",
            doc.name
        ),
    }
}

pub fn run(session: &mut Session, args: &LambdaArgs) -> Result<()> {
    let opts = options(args)?;
    if args.api == LambdaApi::Websocket {
        return run_websocket(session, args, &opts);
    }
    if args.route != "$default" || args.two_way {
        bail!("--route and --two-way apply to --api websocket");
    }
    if args.lines {
        return run_lines(session, args, &opts);
    }
    let name = input::display_name(&args.file).to_string();
    let (bytes, total) = read_output(&args.file)?;
    let evaluation = match total {
        Some(size) => lambda::too_large(size, &opts),
        None => lambda::evaluate(&bytes, &opts),
    };
    emit(session, name, evaluation, None)
}

#[derive(Serialize)]
struct WebSocketOutcome {
    api: &'static str,
    route: String,
    two_way: Option<bool>,
    client: websocket::ClientSees,
}

impl Outcome for WebSocketOutcome {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        writeln!(
            out,
            "{}WebSocket API, route {} —{:#}",
            p.dim, self.route, p.dim
        )?;
        match &self.client {
            websocket::ClientSees::Connected { status, headers } => {
                writeln!(
                    out,
                    "{}connected:{:#} the upgrade is answered {status} Switching Protocols",
                    p.good, p.good
                )?;
                for (k, v) in headers {
                    writeln!(
                        out,
                        "  {}{k}:{:#} {}",
                        p.code,
                        p.code,
                        crate::report::human::inline(v)
                    )?;
                }
            }
            websocket::ClientSees::Refused { status: 0, .. } => writeln!(
                out,
                "{}uncertain:{:#} no statusCode; whether the connection is accepted is not documented",
                p.error, p.error
            )?,
            websocket::ClientSees::Refused { status, certain } => writeln!(
                out,
                "{}refused:{:#} the upgrade is answered {status} {}; no connection{}",
                p.error,
                p.error,
                lambda::reason_phrase(*status),
                if *certain {
                    ""
                } else {
                    " (status as observed, not documented)"
                }
            )?,
            websocket::ClientSees::Message { data } => writeln!(
                out,
                "{}the client receives a message:{:#} {}",
                p.strong,
                p.strong,
                crate::report::human::multiline(data)
            )?,
            websocket::ClientSees::Nothing { why } => writeln!(
                out,
                "{}the client receives nothing:{:#} {why}",
                p.strong, p.strong
            )?,
        }
        writeln!(out)
    }
}

/// `--api websocket`: what one answer of a route's function does to the client.
fn run_websocket(session: &mut Session, args: &LambdaArgs, opts: &Options) -> Result<()> {
    if args.lines {
        bail!("--lines applies to REST and HTTP APIs; give one WebSocket output at a time");
    }
    let name = input::display_name(&args.file).to_string();
    let (bytes, total) = read_output(&args.file)?;
    if let Some(size) = total {
        bail!("{name}: {size} bytes, more than a Lambda function can return");
    }
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| anyhow::anyhow!("{name}: the output is not UTF-8 text"))?;
    let value: serde_json::Value = if text.trim().is_empty() || text.trim() == "null" {
        serde_json::Value::Null
    } else {
        serde_json::from_str(text)
            .map_err(|e| anyhow::anyhow!("{name}:{}:{}: not JSON: {e}", e.line(), e.column()))?
    };
    let threw = if opts.invocation_known || opts.function_error.is_some() {
        Some(opts.function_error.is_some())
    } else {
        None
    };
    let two_way = args.two_way.then_some(true);
    let (client, findings) = websocket::judge_lambda(&value, &args.route, two_way, threw);
    let outcome = WebSocketOutcome {
        api: "websocket",
        route: args.route.clone(),
        two_way,
        client,
    };
    session.emit(&Report::new("lambda", name, outcome).with_findings(findings))
}

/// Renders one evaluation; it is moved into the report so a large body is never copied.
fn emit(session: &mut Session, target: String, e: Evaluation<'_>, line: Option<u64>) -> Result<()> {
    // HTTP API findings link the HTTP API article where it explains the code.
    let findings = if matches!(e.api, Api::Http10 | Api::Http20) {
        e.findings.into_iter().map(|f| f.for_api("http")).collect()
    } else {
        e.findings
    };
    let outcome = LambdaOutcome {
        line,
        api: e.api,
        valid: e.valid,
        confidence: e.confidence,
        client: e.client,
        alternative: e.alternative,
    };
    session.emit(&Report::new("lambda", target, outcome).with_findings(findings))
}

/// Reads one output, keeping at most the Lambda limit in memory. Returns the bytes, or the
/// size (at least limit + 1) when the output is over the limit.
fn read_output(path: &str) -> Result<(Vec<u8>, Option<u64>)> {
    let name = input::display_name(path);
    let (mut reader, size) = input::open(path)?;
    let mut buf = Vec::with_capacity(size.unwrap_or(0).min(MAX_RESPONSE_BYTES as u64 + 1) as usize);
    crate::allocator::advise_huge_pages(&mut buf);
    (&mut reader)
        .take(MAX_RESPONSE_BYTES as u64 + 1)
        .read_to_end(&mut buf)
        .with_context(|| format!("{name}: cannot read"))?;
    if buf.len() <= MAX_RESPONSE_BYTES {
        return Ok((buf, None));
    }
    // Count the rest without keeping it: only the size matters now (up to a bound: an
    // endless input such as /dev/zero is "more than" that).
    let rest = io::copy(&mut reader.take(lambda::MAX_COUNTED_BYTES), &mut io::sink())
        .with_context(|| format!("{name}: cannot read"))?;
    Ok((Vec::new(), Some(buf.len() as u64 + rest)))
}

#[derive(Default, Serialize)]
struct Summary {
    outputs: u64,
    valid: u64,
    rejected: u64,
    by_status: BTreeMap<u16, u64>,
    by_code: BTreeMap<&'static str, u64>,
}

#[derive(Serialize)]
struct SummaryOutcome {
    summary: Summary,
}

impl Outcome for SummaryOutcome {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        let s = &self.summary;
        writeln!(
            out,
            "{}summary:{:#} {} outputs, {} accepted, {} rejected",
            p.strong, p.strong, s.outputs, s.valid, s.rejected
        )?;
        let statuses: Vec<String> = s
            .by_status
            .iter()
            .map(|(k, v)| format!("{k} ×{v}"))
            .collect();
        writeln!(out, "  client status: {}", statuses.join(", "))?;
        if !s.by_code.is_empty() {
            writeln!(out, "  findings:")?;
            let width = crate::report::human::column_width(s.by_code.keys().map(|k| k.len()));
            for (code, n) in &s.by_code {
                writeln!(out, "    {}{code:width$}{:#} ×{n}", p.code, p.code)?;
            }
        }
        Ok(())
    }
}

/// `--lines`: one output per line, streamed; a line longer than Lambda's limit is reported
/// as too large without being held in memory.
fn run_lines(session: &mut Session, args: &LambdaArgs, opts: &Options) -> Result<()> {
    let name = input::display_name(&args.file).to_string();
    let (reader, _) = input::open(&args.file)?;
    let mut reader = io::BufReader::with_capacity(256 * 1024, reader);
    let mut summary = Summary::default();
    let mut line = Vec::new();
    let mut number = 0u64;
    loop {
        line.clear();
        let read = (&mut reader)
            .take(MAX_RESPONSE_BYTES as u64 + 1)
            .read_until(b'\n', &mut line)
            .with_context(|| format!("{name}: cannot read line {}", number + 1))?;
        if read == 0 {
            break;
        }
        number += 1;
        let evaluation = if line.len() > MAX_RESPONSE_BYTES && line.last() != Some(&b'\n') {
            let rest = skip_line(&mut reader)
                .with_context(|| format!("{name}: cannot read line {number}"))?;
            if rest >= lambda::MAX_COUNTED_BYTES {
                bail!(
                    "{name}: line {number} is longer than {} bytes with no end in sight: stopped reading",
                    lambda::MAX_COUNTED_BYTES
                );
            }
            lambda::too_large(line.len() as u64 + rest, opts)
        } else {
            if line.trim_ascii().is_empty() {
                continue;
            }
            lambda::evaluate(&line, opts)
        };
        summary.outputs += 1;
        if evaluation.valid {
            summary.valid += 1;
        } else {
            summary.rejected += 1;
        }
        *summary
            .by_status
            .entry(evaluation.client.status)
            .or_default() += 1;
        for f in evaluation
            .findings
            .iter()
            .filter(|f| f.severity > Severity::Info || !evaluation.valid)
        {
            *summary.by_code.entry(f.code).or_default() += 1;
        }
        emit(
            session,
            format!("{name}:{number}"),
            evaluation,
            Some(number),
        )?;
    }
    session.emit(&Report::new("lambda", name, SummaryOutcome { summary }))
}

/// Discards the rest of an over-long line; returns how many bytes it had (newline excluded),
/// stopping at `MAX_COUNTED_BYTES`.
fn skip_line(reader: &mut impl BufRead) -> io::Result<u64> {
    let mut skipped = 0u64;
    while skipped < lambda::MAX_COUNTED_BYTES {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(skipped);
        }
        if let Some(i) = buf.iter().position(|&b| b == b'\n') {
            reader.consume(i + 1);
            return Ok(skipped + i as u64);
        }
        let n = buf.len();
        skipped += n as u64;
        reader.consume(n);
    }
    Ok(skipped)
}
