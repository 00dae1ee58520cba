//! `lint --aws` at account scale: every REST, HTTP and WebSocket API of one region, a list of
//! regions or all of them, read a few at once at API Gateway's documented pace. One API that
//! cannot be read is a report for that API and the scan goes on; the scan's own report at
//! the end says what was read, what was not (`live.incomplete`), the calls made and the
//! throttles met. The exit status is 2 only when nothing could be read.
use super::Session;
use super::lint_command::{emit_live_websocket, lint_document, lint_live_http};
use crate::aws::{Aws, Failure, failure_of};
use crate::checks::{live, websocket};
use crate::cli::LintArgs;
use crate::finding::Finding;
use crate::report::human::Palette;
use crate::report::{Outcome, Report};
use anyhow::{Result, bail};
use serde::Serialize;
use std::io::{self, IsTerminal, Write};
use std::time::Instant;

/// More APIs than this in a region: a progress bar on a terminal.
const PROGRESS_FROM: usize = 4;
/// The most API ids a finding lists by name (the rest are counted).
const NAMED: usize = 20;

/// One region of the scan.
#[derive(Debug, Default, Serialize)]
struct RegionScan {
    region: String,
    rest_apis: usize,
    http_apis: usize,
    websocket_apis: usize,
    read: usize,
    /// Deleted between the listing and their reading.
    gone: Vec<String>,
    /// Not read: "REST API id (reason)".
    not_read: Vec<String>,
    /// Why the region was not listed at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    /// Not enabled for the account (AWS refused the credentials in a region the SDK's
    /// data lists): skipped, not missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<String>,
}

impl RegionScan {
    /// The APIs listed.
    fn apis(&self) -> usize {
        self.rest_apis + self.http_apis + self.websocket_apis
    }
}

#[derive(Debug, Serialize)]
struct ScanOutcome {
    regions: Vec<RegionScan>,
    /// Where the region list came from (`--all-regions`).
    #[serde(skip_serializing_if = "Option::is_none")]
    region_source: Option<String>,
    apis_listed: usize,
    apis_read: usize,
    /// Attempts sent to AWS (retries included).
    calls: u64,
    /// Attempts AWS answered with throttling.
    throttled: u64,
    /// Time spent waiting for our own pace, summed over the concurrent reads.
    paced_seconds: f64,
    seconds: f64,
    concurrency: usize,
    /// API Gateway calls a second (0: not paced).
    rate: f64,
}

impl Outcome for ScanOutcome {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        let names: Vec<&str> = self.regions.iter().map(|r| r.region.as_str()).collect();
        writeln!(
            out,
            "{}{} of {} APIs read in {} region(s){:#}  ({})",
            p.strong,
            self.apis_read,
            self.apis_listed,
            self.regions.len(),
            p.strong,
            abbreviate(&names, 8)
        )?;
        for r in &self.regions {
            if let Some(s) = &r.skipped {
                writeln!(out, "  {}: skipped ({s})", r.region)?;
            } else if let Some(e) = &r.error {
                writeln!(out, "  {}: not listed: {e}", r.region)?;
            } else if r.apis() > 0 || self.regions.len() == 1 {
                writeln!(
                    out,
                    "  {}: {} REST, {} HTTP and {} WebSocket APIs, {} read{}{}",
                    r.region,
                    r.rest_apis,
                    r.http_apis,
                    r.websocket_apis,
                    r.read,
                    if r.not_read.is_empty() {
                        String::new()
                    } else {
                        format!(", {} not read", r.not_read.len())
                    },
                    if r.gone.is_empty() {
                        String::new()
                    } else {
                        format!(", {} deleted meanwhile", r.gone.len())
                    }
                )?;
            }
        }
        let empty = self
            .regions
            .iter()
            .filter(|r| r.error.is_none() && r.skipped.is_none() && r.apis() == 0)
            .count();
        if empty > 0 && self.regions.len() > 1 {
            writeln!(out, "  {empty} region(s) without APIs")?;
        }
        writeln!(
            out,
            "{}{} calls to AWS, {} throttled, {:.1} s waiting for the pace ({}), {} at once, {:.1} s in all{:#}",
            p.dim,
            self.calls,
            self.throttled,
            self.paced_seconds,
            if self.rate > 0.0 {
                format!("{} requests/s", self.rate)
            } else {
                "not paced".to_string()
            },
            self.concurrency,
            self.seconds,
            p.dim
        )?;
        if let Some(s) = &self.region_source {
            writeln!(out, "{}regions:{:#} {s}", p.dim, p.dim)?;
        }
        writeln!(out)
    }
}

/// "a, b, c and 5 more".
fn abbreviate(items: &[&str], n: usize) -> String {
    if items.len() <= n {
        items.join(", ")
    } else {
        format!("{} and {} more", items[..n].join(", "), items.len() - n)
    }
}

/// The report of an API that could not be read.
#[derive(Serialize)]
struct NotRead<'a> {
    api: &'static str,
    id: &'a str,
    region: &'a str,
    error: String,
}

impl Outcome for NotRead<'_> {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        writeln!(
            out,
            "{}{} API {} in {} was not read{:#}",
            p.strong,
            kind_name(self.api),
            self.id,
            self.region,
            p.strong
        )?;
        writeln!(out)
    }
}

/// "REST", "HTTP" or "WebSocket" for the scan's kinds of API.
fn kind_name(kind: &str) -> &'static str {
    match kind {
        "rest" => "REST",
        "http" => "HTTP",
        _ => "WebSocket",
    }
}

/// What one API's reading gave.
enum Read {
    Rest(serde_json::Value),
    Http(Box<crate::aws::HttpApi>),
    WebSocket(Box<websocket::WsApi>),
}

/// `lint --aws` without an API id: the scan.
pub fn run(session: &mut Session, args: &LintArgs) -> Result<()> {
    let started = Instant::now();
    let base = session.aws_options(None);
    let deadline = started + base.deadline();
    let (regions, region_source, from_sdk) = if args.all_regions {
        if session
            .aws
            .region
            .as_deref()
            .is_some_and(|r| r.contains(','))
        {
            bail!("--all-regions: --region names the one region asked for the list, not a list");
        }
        let first = Aws::connect_until(&session.aws_options(session.aws.region.clone()), deadline)?;
        let list = first.all_regions()?;
        (
            list.regions.into_iter().map(Some).collect(),
            Some(list.source),
            list.from_sdk,
        )
    } else {
        match session.aws.region.as_deref() {
            Some(r) if r.contains(',') => (
                crate::aws::regions::parse_list(r)?
                    .into_iter()
                    .map(Some)
                    .collect(),
                None,
                false,
            ),
            other => (vec![other.map(str::to_string)], None, false),
        }
    };
    let mut scans = Vec::new();
    let (mut calls, mut throttled, mut paced) = (0, 0, std::time::Duration::ZERO);
    let mut first_error: Option<anyhow::Error> = None;
    for region in regions {
        let name = region.clone().unwrap_or_default();
        let aws = match Aws::connect_until(&session.aws_options(region), deadline) {
            Ok(a) => a,
            Err(e) => {
                scans.push(RegionScan {
                    region: name,
                    error: Some(format!("{e:#}")),
                    ..RegionScan::default()
                });
                first_error.get_or_insert(e);
                continue;
            }
        };
        let scan = scan_region(session, args, &aws, from_sdk, &mut first_error)?;
        calls += aws.stats.calls();
        throttled += aws.stats.throttled();
        paced += aws.stats.paced();
        scans.push(scan);
    }
    let apis_read: usize = scans.iter().map(|s| s.read).sum();
    let apis_listed: usize = scans.iter().map(RegionScan::apis).sum();
    let listed_any = scans
        .iter()
        .any(|s| s.error.is_none() && s.skipped.is_none());
    if !listed_any {
        // Not one region could be listed: the tool could not do its job. (Every region
        // refusing the credentials is most likely the credentials, not the regions.)
        return Err(first_error.unwrap_or_else(|| {
            anyhow::anyhow!(
                "every region refused the credentials: {}",
                scans
                    .iter()
                    .find_map(|s| s.skipped.clone())
                    .unwrap_or_default()
            )
        }));
    }
    if apis_read == 0 {
        // The region came from the profile or the environment: most likely not the one
        // meant. Regions asked for by name that hold nothing are an answer (below).
        let implicit = session.aws.region.is_none() && !args.all_regions;
        if implicit && apis_listed == 0 {
            let names: Vec<&str> = scans.iter().map(|s| s.region.as_str()).collect();
            bail!(
                "no REST, HTTP or WebSocket APIs in {} (pass --region, or check the account)",
                abbreviate(&names, 8)
            );
        }
    }
    let mut findings = scan_findings(&scans);
    if apis_listed == 0 {
        let names: Vec<&str> = scans
            .iter()
            .filter(|s| s.error.is_none() && s.skipped.is_none())
            .map(|s| s.region.as_str())
            .collect();
        findings.push(Finding::info(
            live::NO_APIS,
            format!(
                "no REST, HTTP or WebSocket APIs in {} for these credentials: nothing to check there",
                abbreviate(&names, NAMED)
            ),
        ));
    }
    let target = if scans.len() == 1 {
        format!("live scan of {}", scans[0].region)
    } else {
        format!("live scan of {} regions", scans.len())
    };
    let outcome = ScanOutcome {
        regions: scans,
        region_source,
        apis_listed,
        apis_read,
        calls,
        throttled,
        paced_seconds: (paced.as_secs_f64() * 10.0).round() / 10.0,
        seconds: (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
        concurrency: base.concurrency,
        rate: base.rate,
    };
    session.emit(&Report::new("lint", target, outcome).with_findings(findings))
}

/// `live.incomplete` naming what is missing, `live.region-skipped` for regions the
/// account has not enabled.
fn scan_findings(scans: &[RegionScan]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let not_read: Vec<String> = scans
        .iter()
        .flat_map(|s| {
            s.not_read
                .iter()
                .map(move |a| format!("{} in {}", a, s.region))
        })
        .collect();
    let unlisted: Vec<&RegionScan> = scans.iter().filter(|s| s.error.is_some()).collect();
    if !not_read.is_empty() || !unlisted.is_empty() {
        let mut parts = Vec::new();
        if !not_read.is_empty() {
            let names: Vec<&str> = not_read.iter().map(String::as_str).collect();
            parts.push(format!(
                "{} API(s) not read: {}",
                not_read.len(),
                abbreviate(&names, NAMED)
            ));
        }
        if !unlisted.is_empty() {
            let names: Vec<&str> = unlisted.iter().map(|s| s.region.as_str()).collect();
            parts.push(format!(
                "{} region(s) not listed: {}",
                unlisted.len(),
                abbreviate(&names, NAMED)
            ));
        }
        let mut f = Finding::error(
            live::INCOMPLETE,
            format!(
                "the scan is incomplete: {}: those were not checked, so no finding about them is no all-clear",
                parts.join("; ")
            ),
        )
        .with("not_read", not_read.clone());
        if !unlisted.is_empty() {
            f = f.with(
                "regions_not_listed",
                unlisted
                    .iter()
                    .map(|s| serde_json::json!({"region": s.region, "error": s.error}))
                    .collect::<Vec<_>>(),
            );
        }
        findings.push(f);
    }
    let skipped: Vec<&str> = scans
        .iter()
        .filter(|s| s.skipped.is_some())
        .map(|s| s.region.as_str())
        .collect();
    if !skipped.is_empty() {
        // Not enabled for the account, most likely; but a session token from the global STS
        // endpoint is refused alike in opt-in regions that are enabled: not an all-clear.
        findings.push(
            Finding::warning(
                live::REGION_SKIPPED,
                format!(
                    "{} region(s) refused the credentials and were not scanned: {}; regions not enabled for the account answer so, and so do enabled opt-in regions to session tokens from the global STS endpoint",
                    skipped.len(),
                    abbreviate(&skipped, NAMED)
                ),
            )
            .with("certain", false)
            .with("regions", skipped),
        );
    }
    findings
}

/// Lists and reads one region's APIs, emitting one report per API in a stable order
/// (WebSocket APIs, HTTP APIs, then REST APIs, each in the listing's order).
fn scan_region(
    session: &mut Session,
    args: &LintArgs,
    aws: &Aws,
    from_sdk: bool,
    first_error: &mut Option<anyhow::Error>,
) -> Result<RegionScan> {
    let mut scan = RegionScan {
        region: aws.region.clone(),
        ..RegionScan::default()
    };
    let listed = aws.block_on(async {
        let rest = aws.persist(|| aws.rest_apis_async()).await?;
        let v2 = aws.persist(|| aws.v2_apis_listed_async()).await?;
        anyhow::Ok((rest, v2))
    });
    let (rest, v2) = match listed {
        Ok(l) => l,
        Err(e) => {
            if from_sdk && failure_of(&e) == Some(Failure::Credentials) {
                scan.skipped = Some(format!("{e:#}"));
            } else {
                scan.error = Some(format!("{e:#}"));
                first_error.get_or_insert(e);
            }
            return Ok(scan);
        }
    };
    let (ws, http): (Vec<_>, Vec<_>) = v2.into_iter().partition(|(_, _, p)| p == "WEBSOCKET");
    scan.rest_apis = rest.len();
    scan.http_apis = http.len();
    scan.websocket_apis = ws.len();
    // What get-resources leaves out and the binary-body check needs, from the listing.
    let mut binary_media_types: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    let items: Vec<(&'static str, String, String)> = ws
        .into_iter()
        .map(|(id, name, _)| ("websocket", id, name))
        .chain(http.into_iter().map(|(id, name, _)| ("http", id, name)))
        .chain(rest.into_iter().map(|(id, name, types)| {
            binary_media_types.insert(id.clone(), types);
            ("rest", id, name)
        }))
        .collect();
    // The credentials' account, read once, when an API first needs it: its calls' source ARNs
    // carry it.
    let mut account: Option<Option<String>> = None;
    let bar = progress(items.len(), &aws.region);
    let results = aws.read_all(
        items.clone(),
        |(kind, id, _)| async move {
            match kind {
                "rest" => aws.resources_async(&id).await.map(Read::Rest),
                "http" => aws
                    .http_api_async(&id)
                    .await
                    .map(|a| Read::Http(Box::new(a))),
                _ => aws
                    .websocket_api_async(&id)
                    .await
                    .map(|a| Read::WebSocket(Box::new(a))),
            }
        },
        |_| {
            bar.inc(1);
            bar.set_message(format!(
                "{} calls, {} throttled",
                aws.stats.calls(),
                aws.stats.throttled()
            ));
        },
    );
    bar.finish_and_clear();
    for ((kind, id, name), result) in items.into_iter().zip(results) {
        let what = kind_name(kind);
        let label = if name.is_empty() {
            format!("{what} API {id} ({})", aws.region)
        } else {
            format!("{what} API {id} {name:?} ({})", aws.region)
        };
        match result {
            Ok(Read::WebSocket(api)) => {
                scan.read += 1;
                emit_live_websocket(session, aws, &api, &mut account)?;
            }
            Ok(Read::Http(api)) => {
                scan.read += 1;
                lint_live_http(session, args, aws, *api, &mut account)?;
            }
            Ok(Read::Rest(mut value)) => {
                scan.read += 1;
                value["binaryMediaTypes"] =
                    serde_json::json!(binary_media_types.remove(&id).unwrap_or_default());
                let live = if args.vpc_link.is_none() {
                    super::lint_command::live_permission_findings(aws, &id, &value, &mut account)
                } else {
                    Vec::new()
                };
                let doc = crate::document::Document {
                    name: label,
                    text: serde_json::to_string_pretty(&value)?,
                    value,
                    yaml: false,
                    read: None,
                    paths_deferred: false,
                    duplicates: Vec::new(),
                    duplicates_in_all: 0,
                };
                lint_document(session, args, doc, Some(&id), live)?;
            }
            Err(e) => {
                let message = format!("{e:#}");
                let finding = match failure_of(&e) {
                    // Deleted since the listing: nothing is missing from the audit.
                    Some(Failure::NotFound) => {
                        scan.gone.push(format!("{what} API {id}"));
                        Finding::info(
                            live::API_GONE,
                            format!("{what} API {id} was deleted while the scan ran ({message})"),
                        )
                    }
                    kind => {
                        scan.not_read.push(format!("{what} API {id}"));
                        // Past the deadline every later API fails alike: one line in the
                        // scan's report, not a report each.
                        if kind == Some(Failure::Deadline) {
                            continue;
                        }
                        Finding::error(
                            live::API_NOT_READ,
                            format!("{what} API {id} could not be read: {message}"),
                        )
                    }
                };
                let outcome = NotRead {
                    api: kind,
                    id: &id,
                    region: &aws.region,
                    error: message,
                };
                session.emit(
                    &Report::new("lint", label, outcome)
                        .with_findings(vec![finding.with("api_id", id.clone())]),
                )?;
            }
        }
    }
    Ok(scan)
}

/// A progress bar on standard error when it is a terminal and the region has more than a
/// few APIs; hidden otherwise (pipes and CI logs get nothing).
fn progress(total: usize, region: &str) -> indicatif::ProgressBar {
    if total < PROGRESS_FROM || !io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{{pos}}/{{len}} APIs read in {region}  {{msg}}  {{elapsed}}"
        ))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}
