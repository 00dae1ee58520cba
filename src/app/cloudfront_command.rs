//! `apigw-doctor cloudfront`.
use super::Session;
use crate::checks::cloudfront::{self, Mappings, Origin, OriginKind, Trace};
use crate::cli::CloudfrontArgs;
use crate::document;
use crate::report::{Outcome, Report, human::Palette};
use anyhow::{Result, anyhow, bail};
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Summary {
    id: Option<String>,
    domain_name: Option<String>,
    /// Deployed, InProgress, or null when the document does not say (get-distribution-config).
    status: Option<String>,
    enabled: Option<bool>,
    aliases: Vec<String>,
}

#[derive(Serialize)]
struct CloudfrontOutcome {
    /// One line: what was found, first.
    verdict: String,
    distribution: Summary,
    origins: Vec<Origin>,
    trace: Option<Trace>,
    /// The checks that did not run because they need the custom domain's API mappings.
    needs_mappings: Vec<String>,
}

impl Outcome for CloudfrontOutcome {
    fn render_human(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        let d = &self.distribution;
        writeln!(out, "{}{}{:#}", p.strong, self.verdict, p.strong)?;
        writeln!(
            out,
            "{}distribution {}{:#}  {}status: {}{:#}",
            p.strong,
            d.id.as_deref()
                .or(d.domain_name.as_deref())
                .unwrap_or("(id not in this document)"),
            p.strong,
            p.dim,
            d.status
                .as_deref()
                .unwrap_or("unknown (get-distribution shows it)"),
            p.dim
        )?;
        if !d.aliases.is_empty() {
            writeln!(out, "  aliases: {}", d.aliases.join(", "))?;
        }
        for o in &self.origins {
            let kind = match o.kind {
                OriginKind::DefaultEndpoint => "API Gateway default endpoint",
                OriginKind::CustomDomain => "API Gateway custom domain",
                OriginKind::Other => "other",
            };
            writeln!(
                out,
                "  origin {}{}{:#}  {}  path {:?}  {}  ({kind})",
                p.code,
                o.id,
                p.code,
                o.domain_name,
                o.origin_path,
                o.protocol_policy
                    .as_deref()
                    .unwrap_or("no custom origin config")
            )?;
            for m in &o.mappings {
                let base = if m.base_path.is_empty() {
                    "(none)"
                } else {
                    &m.base_path
                };
                writeln!(
                    out,
                    "    /{base} -> API {} stage {}",
                    m.api_id,
                    m.stage.as_deref().unwrap_or("(from the path)")
                )?;
            }
        }
        if let Some(t) = &self.trace {
            writeln!(out)?;
            writeln!(out, "{}trace{:#}", p.strong, p.strong)?;
            writeln!(out, "  1. cache behavior  {}", t.behavior)?;
            writeln!(
                out,
                "  2. origin          {} (origin path {:?})",
                t.origin, t.origin_path
            )?;
            writeln!(out, "  3. forwarded path  {}", t.forwarded_path)?;
            if let Some(m) = &t.mapping {
                let base = if m.base_path.is_empty() {
                    "(none)"
                } else {
                    &m.base_path
                };
                writeln!(out, "  4. API mapping     {base}")?;
            }
            writeln!(
                out,
                "  5. API {}  stage {}  resource {}",
                t.api_id.as_deref().unwrap_or("?"),
                t.stage.as_deref().unwrap_or("?"),
                t.resource_path.as_deref().unwrap_or("?")
            )?;
            match t.expected_status {
                Some(s) => writeln!(out, "  {}client gets {s}{:#}", p.error, p.error)?,
                None => writeln!(
                    out,
                    "  {}the answer depends on the API's own resources and methods{:#}",
                    p.dim, p.dim
                )?,
            }
        }
        for n in &self.needs_mappings {
            writeln!(out, "  {}not checked: {n}{:#}", p.dim, p.dim)?;
        }
        writeln!(out)
    }
}

/// The first line a person reads: how many problems, of which severity.
fn verdict(findings: &[crate::finding::Finding]) -> String {
    use crate::finding::Severity;
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    match (errors, warnings) {
        (0, 0) => "no problem found in the distribution's configuration".to_string(),
        (0, w) => format!("{w} warning(s) about the distribution's configuration"),
        (e, 0) => format!("{e} problem(s) that break requests through the distribution"),
        (e, w) => format!(
            "{e} problem(s) that break requests through the distribution, and {w} warning(s)"
        ),
    }
}

pub fn run(session: &mut Session, args: &CloudfrontArgs) -> Result<()> {
    let doc = document::load(&args.config)?;
    // A template: its distribution in the API's shape, and its own custom domains' mappings.
    let from_template = match crate::sources::cloudfront::read(
        &doc.value,
        crate::sources::parameters(),
        args.distribution.as_deref(),
    ) {
        Some(r) => Some(r.map_err(|e| anyhow!("{}: {e}", doc.name))?),
        None if args.distribution.is_some() => bail!(
            "{}: --distribution: no AWS::CloudFront::Distribution of that logical id in the template",
            doc.name
        ),
        None => None,
    };
    let (target, config_value, mut mappings, written_at) = match from_template {
        Some((id, config, mappings, written_at)) => {
            // Only the mappings of domains the distribution uses as origins.
            let origins: Vec<String> = config
                .pointer("/DistributionConfig/Origins/Items")
                .and_then(serde_json::Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|o| o.get("DomainName")?.as_str().map(str::to_ascii_lowercase))
                .collect();
            let mappings = mappings
                .into_iter()
                .filter(|m| m.domain.as_ref().is_some_and(|d| origins.contains(d)))
                .collect();
            (
                format!("{}#{id}", doc.name),
                config,
                mappings,
                Some(written_at),
            )
        }
        None => (doc.name.clone(), doc.value.clone(), Vec::new(), None),
    };
    let dist = cloudfront::distribution(&config_value).map_err(|e| anyhow!("{}: {e}", doc.name))?;
    for spec in &args.mappings {
        let (domain, file) = match spec.split_once('=') {
            Some((d, f)) if !d.is_empty() && !d.contains('/') => (Some(d.to_string()), f),
            _ => (None, spec.as_str()),
        };
        let m = document::load(file)?;
        let items = cloudfront::parse_mappings(&m.value).map_err(|e| anyhow!("{}: {e}", m.name))?;
        mappings.push(Mappings { domain, items });
    }
    let origins = cloudfront::origins(dist.config, &mappings).map_err(anyhow::Error::msg)?;
    let mut findings = cloudfront::check(&dist, &origins);
    let trace = match &args.url {
        None => None,
        Some(u) => {
            let with_scheme = if u.contains("://") {
                u.clone()
            } else {
                format!("https://{u}")
            };
            let url = url::Url::parse(&with_scheme)
                .map_err(|e| anyhow!("--url {u:?}: not a URL: {e}"))?;
            let Some(host) = url.host_str() else {
                bail!("--url {u:?}: the URL has no host");
            };
            let (trace, more) = cloudfront::trace(&dist, &origins, host, url.path());
            findings.extend(more);
            trace
        }
    };
    let aliases = dist
        .config
        .get("Aliases")
        .and_then(|a| a.get("Items"))
        .and_then(serde_json::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let needs_mappings: Vec<String> = origins
        .iter()
        .filter(|o| cloudfront::may_be_api(o))
        .map(|o| format!("origin {} as API Gateway (its protocol and TLS settings, origin path against base paths, the Authorization header, and --url traces to an API and stage) needs --mappings {}=FILE", o.id, o.domain_name))
        .collect();
    let outcome = CloudfrontOutcome {
        verdict: verdict(&findings),
        needs_mappings,
        distribution: Summary {
            id: dist.id.map(str::to_string),
            domain_name: dist.domain_name.map(str::to_string),
            status: dist.status.map(str::to_string),
            enabled: dist
                .config
                .get("Enabled")
                .and_then(serde_json::Value::as_bool),
            aliases,
        },
        origins,
        trace,
    };
    if let Some(at) = written_at {
        place_in_template(&mut findings, &doc, &at);
    }
    session.emit(&Report::new("cloudfront", target, outcome).with_findings(findings))
}

/// A finding's location in the distribution's configuration, as the user's template writes it:
/// under the resource's `DistributionConfig` (CloudFormation writes plain lists where the API
/// writes `Items`), or the Terraform resource itself; with its line.
fn place_in_template(findings: &mut [crate::finding::Finding], doc: &document::Document, at: &str) {
    // A finding about an origin or a behavior: at least the distribution's resource.
    doc.relocate(findings, "location", |loc| {
        match loc.strip_prefix("$.DistributionConfig") {
            Some(rest) if at.ends_with(".DistributionConfig") => {
                format!("{at}{}", rest.replace(".Items[", "["))
            }
            _ => at.to_string(),
        }
    });
}
