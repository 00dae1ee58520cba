//! DNS with hickory-resolver: the CNAME chain (walked one CNAME query at a time, so loops
//! and over-long chains are caught here), then A and AAAA at its end.
use hickory_resolver::TokioResolver;
use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{RData, RecordType};
use serde::Serialize;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// Resolvers give up on chains longer than about this; so does the check.
pub const MAX_CHAIN: usize = 8;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hop {
    pub name: String,
    #[serde(rename = "type")]
    pub record_type: String,
    pub target: String,
    pub ttl: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    NxDomain {
        name: String,
    },
    ServFail {
        name: String,
        rcode: String,
    },
    Timeout {
        name: String,
        detail: String,
    },
    /// An answer came, but not one the resolver could use (malformed, truncated beyond use,
    /// a protocol error).
    BadReply {
        name: String,
        detail: String,
    },
    Loop {
        name: String,
    },
    TooLong,
    NoAddress {
        name: String,
    },
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Resolution {
    pub chain: Vec<Hop>,
    pub addresses: Vec<IpAddr>,
    /// NOERROR, NXDOMAIN, SERVFAIL, REFUSED, TIMEOUT, ...
    pub rcode: String,
    #[serde(skip)]
    pub problem: Option<Problem>,
}

impl Resolution {
    /// The last name of the chain (the host itself when there is no CNAME).
    pub fn final_name<'a>(&'a self, host: &'a str) -> &'a str {
        self.chain.last().map_or(host, |h| h.target.as_str())
    }
}

/// A resolver for one name server (`--nameserver`) or the system configuration.
pub fn resolver(
    nameserver: Option<SocketAddr>,
    timeout: Duration,
) -> Result<TokioResolver, String> {
    let mut opts = ResolverOpts::default();
    opts.timeout = timeout;
    opts.attempts = 2;
    opts.preserve_intermediates = true;
    opts.ndots = 0;
    // Bulk audits ask each name once: a small cache keeps memory flat over 10,000 names.
    opts.cache_size = 1024;
    // What DNS says, not the hosts file: the hosts file is compared separately.
    opts.use_hosts_file = hickory_resolver::config::ResolveHosts::Never;
    let builder = match nameserver {
        Some(addr) => {
            let mut ns = NameServerConfig::udp_and_tcp(addr.ip());
            for c in &mut ns.connections {
                c.port = addr.port();
            }
            TokioResolver::builder_with_config(
                ResolverConfig::from_parts(None, vec![], vec![ns]),
                TokioRuntimeProvider::default(),
            )
        }
        None => TokioResolver::builder_tokio()
            .map_err(|e| format!("cannot read the system DNS configuration: {e}"))?,
    };
    builder
        .with_options(opts)
        .build()
        .map_err(|e| format!("cannot build a DNS resolver: {e}"))
}

enum Step {
    Records(Vec<(String, RData, u32)>),
    NoRecords,
    Failed(Problem, String),
}

async fn query(resolver: &TokioResolver, name: &str, rtype: RecordType) -> Step {
    let fqdn = if name.ends_with('.') {
        name.to_string()
    } else {
        format!("{name}.")
    };
    match resolver.lookup(fqdn.as_str(), rtype).await {
        Ok(lookup) => Step::Records(
            lookup
                .answers()
                .iter()
                .map(|r| (r.name.to_string(), r.data.clone(), r.ttl))
                .collect(),
        ),
        Err(e) => classify_error(name, e),
    }
}

fn classify_error(name: &str, e: NetError) -> Step {
    let name = name.to_string();
    match e {
        NetError::Dns(DnsError::NoRecordsFound(nr))
            if nr.response_code == ResponseCode::NXDomain =>
        {
            Step::Failed(Problem::NxDomain { name }, "NXDOMAIN".into())
        }
        NetError::Dns(DnsError::NoRecordsFound(_)) => Step::NoRecords,
        NetError::Dns(DnsError::ResponseCode(code)) => {
            let rcode = rcode_name(code);
            Step::Failed(
                Problem::ServFail {
                    name,
                    rcode: rcode.clone(),
                },
                rcode,
            )
        }
        NetError::Timeout => Step::Failed(
            Problem::Timeout {
                name,
                detail: "no answer in time".into(),
            },
            "TIMEOUT".into(),
        ),
        other => Step::Failed(
            Problem::BadReply {
                name,
                detail: other.to_string(),
            },
            "ERROR".into(),
        ),
    }
}

/// The addresses a hosts file (`/etc/hosts` format) gives each name, lower-cased.
pub fn parse_hosts(text: &str) -> std::collections::HashMap<String, Vec<IpAddr>> {
    let mut map: std::collections::HashMap<String, Vec<IpAddr>> = Default::default();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default();
        let mut fields = line.split_whitespace();
        let Some(ip) = fields.next().and_then(|a| a.parse::<IpAddr>().ok()) else {
            continue;
        };
        for name in fields {
            let list = map
                .entry(name.trim_end_matches('.').to_ascii_lowercase())
                .or_default();
            if !list.contains(&ip) {
                list.push(ip);
            }
        }
    }
    map
}

/// The response code as dig names it (hickory's Display says "Query Refused").
fn rcode_name(code: ResponseCode) -> String {
    match u16::from(code) {
        0 => "NOERROR".into(),
        1 => "FORMERR".into(),
        2 => "SERVFAIL".into(),
        3 => "NXDOMAIN".into(),
        4 => "NOTIMP".into(),
        5 => "REFUSED".into(),
        n => format!("RCODE{n}"),
    }
}

/// Resolves `host` as `dig` does: A and AAAA in parallel, the CNAME chain read from their
/// answers. Only when the answers carry no address (a failure, a chain to a name without
/// one) is the chain walked one CNAME query at a time, to say where it breaks.
pub async fn resolve(resolver: &TokioResolver, host: &str) -> Resolution {
    let mut res = Resolution {
        rcode: "NOERROR".into(),
        ..Resolution::default()
    };
    // An IP address is not a name: nothing to look up (`[::1]` as in URLs too).
    if let Ok(ip) = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    {
        res.rcode = "NONE".into();
        res.addresses.push(ip);
        return res;
    }
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    let (a, aaaa) = tokio::join!(
        query(resolver, &name, RecordType::A),
        query(resolver, &name, RecordType::AAAA)
    );
    let answers: Vec<(String, RData, u32)> = [a, aaaa]
        .into_iter()
        .filter_map(|s| match s {
            Step::Records(r) => Some(r),
            _ => None,
        })
        .flatten()
        .collect();
    if answers
        .iter()
        .any(|(_, d, _)| matches!(d, RData::A(_) | RData::AAAA(_)))
    {
        return from_answers(res, &name, &answers);
    }
    walk(resolver, res, name).await
}

/// The chain and addresses in A/AAAA answers (which carry the CNAMEs, as dig shows them).
fn from_answers(mut res: Resolution, host: &str, answers: &[(String, RData, u32)]) -> Resolution {
    let mut name = host.to_string();
    let mut seen = vec![name.clone()];
    while let Some((target, ttl)) = cname_of(answers, &name) {
        if !follow(&mut res, &mut seen, &mut name, target, ttl) {
            return res;
        }
    }
    push_addresses(&mut res, answers);
    res
}

/// The target of `name`'s CNAME among `records`.
fn cname_of(records: &[(String, RData, u32)], name: &str) -> Option<(String, u32)> {
    records.iter().find_map(|(owner, data, ttl)| match data {
        RData::CNAME(t) if owner.trim_end_matches('.').eq_ignore_ascii_case(name) => Some((
            t.0.to_string().trim_end_matches('.').to_ascii_lowercase(),
            *ttl,
        )),
        _ => None,
    })
}

/// One CNAME hop: recorded, then checked for a loop and for length. False when the chain
/// stops here (the problem is set).
fn follow(
    res: &mut Resolution,
    seen: &mut Vec<String>,
    name: &mut String,
    target: String,
    ttl: u32,
) -> bool {
    res.chain.push(Hop {
        name: name.clone(),
        record_type: "CNAME".into(),
        target: target.clone(),
        ttl,
    });
    if seen.contains(&target) {
        res.problem = Some(Problem::Loop { name: target });
        return false;
    }
    if res.chain.len() > MAX_CHAIN {
        res.problem = Some(Problem::TooLong);
        return false;
    }
    seen.push(target.clone());
    *name = target;
    true
}

/// The A and AAAA records among `records`, each address once.
fn push_addresses(res: &mut Resolution, records: &[(String, RData, u32)]) {
    for (owner, data, ttl) in records {
        let (kind, ip) = match data {
            RData::A(a) => ("A", IpAddr::V4(a.0)),
            RData::AAAA(a) => ("AAAA", IpAddr::V6(a.0)),
            _ => continue,
        };
        if !res.addresses.contains(&ip) {
            res.addresses.push(ip);
            res.chain.push(Hop {
                name: owner.trim_end_matches('.').to_string(),
                record_type: kind.into(),
                target: ip.to_string(),
                ttl: *ttl,
            });
        }
    }
}

/// The chain one CNAME query at a time, then A and AAAA at its end: for the cases the
/// answers cannot explain (where the chain breaks, loops or ends without an address).
async fn walk(resolver: &TokioResolver, mut res: Resolution, host: String) -> Resolution {
    let mut name = host;
    let mut seen = vec![name.clone()];
    loop {
        match query(resolver, &name, RecordType::CNAME).await {
            Step::Records(records) => {
                let Some((target, ttl)) = cname_of(&records, &name) else {
                    break;
                };
                if !follow(&mut res, &mut seen, &mut name, target, ttl) {
                    return res;
                }
            }
            Step::NoRecords => break,
            // Some resolvers (dnsmasq) refuse CNAME-type queries for names they only hold
            // addresses of: that says nothing about the name.
            Step::Failed(_, rcode) if rcode == "REFUSED" => break,
            Step::Failed(p, rcode) => {
                res.rcode = rcode;
                res.problem = Some(p);
                return res;
            }
        }
    }
    for rtype in [RecordType::A, RecordType::AAAA] {
        match query(resolver, &name, rtype).await {
            Step::Records(records) => push_addresses(&mut res, &records),
            Step::NoRecords => {}
            Step::Failed(p, rcode) => {
                res.rcode = rcode;
                res.problem = Some(p);
                return res;
            }
        }
    }
    if res.addresses.is_empty() {
        res.problem = Some(Problem::NoAddress { name });
    }
    res
}
