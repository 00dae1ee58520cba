//! Mutual TLS on a custom domain name: the truststore checked as API Gateway validates it
//! (PEM bundle, X.509 syntax, validity, key and signature algorithms, name chaining and
//! chain depth), a client certificate judged against it as API Gateway does when a client
//! connects, and what a live handshake and `get-domain-name` add. Facts and their sources:
//! `specs/mutual-tls.md`.
use super::certificate::{self, CertFacts};
use super::tls::ClientAuthSeen;
use crate::finding::Finding;
use base64::Engine;
use serde::Serialize;
use serde_json::json;
use x509_parser::prelude::*;

pub const TRUSTSTORE_UNUSABLE: &str = "mtls.truststore-unusable";
pub const TRUSTSTORE_EXPIRED: &str = "mtls.truststore-expired";
pub const TRUSTSTORE_NOT_YET_VALID: &str = "mtls.truststore-not-yet-valid";
pub const TRUSTSTORE_EXPIRING: &str = "mtls.truststore-expiring";
pub const TRUSTSTORE_WEAK_KEY: &str = "mtls.truststore-weak-key";
pub const TRUSTSTORE_WEAK_SIGNATURE: &str = "mtls.truststore-weak-signature";
pub const TRUSTSTORE_DUPLICATE: &str = "mtls.truststore-duplicate";
pub const TRUSTSTORE_BROKEN_CHAIN: &str = "mtls.truststore-broken-chain";
pub const TRUSTSTORE_CHAIN_TOO_LONG: &str = "mtls.truststore-chain-too-long";
pub const TRUSTSTORE_NOT_CA: &str = "mtls.truststore-not-ca";
pub const TRUSTSTORE_WARNINGS: &str = "mtls.truststore-warnings";
pub const CLIENT_NOT_TRUSTED: &str = "mtls.client-not-trusted";
pub const CLIENT_ACCEPTED: &str = "mtls.client-accepted";
pub const CLIENT_REJECTED: &str = "mtls.client-rejected";
pub const CLIENT_CERTIFICATE_REQUIRED: &str = "mtls.client-certificate-required";
pub const NOT_REQUIRED: &str = "mtls.not-required";
pub const DEFAULT_ENDPOINT_ENABLED: &str = "mtls.default-endpoint-enabled";
pub const NOT_REGIONAL: &str = "mtls.not-regional";
pub const TRUSTSTORE_NOT_READ: &str = "mtls.truststore-not-read";

pub const CODES: &[&str] = &[
    TRUSTSTORE_UNUSABLE,
    TRUSTSTORE_EXPIRED,
    TRUSTSTORE_NOT_YET_VALID,
    TRUSTSTORE_EXPIRING,
    TRUSTSTORE_WEAK_KEY,
    TRUSTSTORE_WEAK_SIGNATURE,
    TRUSTSTORE_DUPLICATE,
    TRUSTSTORE_BROKEN_CHAIN,
    TRUSTSTORE_CHAIN_TOO_LONG,
    TRUSTSTORE_NOT_CA,
    TRUSTSTORE_WARNINGS,
    CLIENT_NOT_TRUSTED,
    CLIENT_ACCEPTED,
    CLIENT_REJECTED,
    CLIENT_CERTIFICATE_REQUIRED,
    NOT_REQUIRED,
    DEFAULT_ENDPOINT_ENABLED,
    NOT_REGIONAL,
    TRUSTSTORE_NOT_READ,
];

/// "Certificates can have a maximum chain length of four": four CA levels, root included;
/// the client's own certificate is not counted (see the spec).
pub const MAX_CA_DEPTH: usize = 4;

/// A truststore larger than this is refused as input (API Gateway's own limit on the S3
/// object is far lower; this only bounds what is read).
pub const MAX_TRUSTSTORE_BYTES: u64 = 16 * 1024 * 1024;

/// One certificate of the truststore (or of a client's chain).
#[derive(Debug, Clone, Serialize)]
pub struct StoreCert {
    /// Position in the file, from 1.
    pub index: usize,
    /// The line of its `-----BEGIN CERTIFICATE-----`.
    pub line: usize,
    #[serde(flatten)]
    pub facts: CertFacts,
    pub signature_algorithm: String,
    pub ca: bool,
    /// CA levels from the root to this certificate (1: a root); `None`: the chain breaks.
    pub depth: Option<usize>,
    #[serde(skip)]
    der: Vec<u8>,
    #[serde(skip)]
    subject_der: Vec<u8>,
    #[serde(skip)]
    issuer_der: Vec<u8>,
}

/// The truststore as read: its certificates and what is wrong with it.
#[derive(Debug, Default, Serialize)]
pub struct Truststore {
    pub source: String,
    pub certificates: Vec<StoreCert>,
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

/// A PEM block: its label, the line it starts on, its decoded bytes (or why not).
struct Block {
    label: String,
    line: usize,
    der: Result<Vec<u8>, String>,
}

fn pem_blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            if let Some((label, at, _)) = open.take() {
                blocks.push(Block {
                    label,
                    line: at,
                    der: Err("no END line before the next BEGIN".into()),
                });
            }
            open = Some((label.to_string(), i + 1, String::new()));
        } else if let Some(label) = line
            .strip_prefix("-----END ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            if let Some((begun, at, body)) = open.take() {
                let der = if begun != label {
                    Err(format!("BEGIN {begun} ends with END {label}"))
                } else {
                    base64::engine::general_purpose::STANDARD
                        .decode(body.as_bytes())
                        .map_err(|e| format!("not base64: {e}"))
                };
                blocks.push(Block {
                    label: begun,
                    line: at,
                    der,
                });
            }
        } else if let Some((_, _, body)) = &mut open {
            // Headers such as `Proc-Type:` (encrypted PEM) are not base64.
            if !line.contains(':') {
                body.push_str(line);
            }
        }
    }
    if let Some((label, at, _)) = open {
        blocks.push(Block {
            label,
            line: at,
            der: Err("no END line".into()),
        });
    }
    blocks
}

/// Reads a truststore (a PEM bundle, as uploaded to S3): every certificate and every
/// problem API Gateway reports as a truststore warning or rejects clients for.
pub fn read_truststore(source: &str, bytes: &[u8], now: i64) -> Truststore {
    let mut store = Truststore {
        source: source.to_string(),
        ..Truststore::default()
    };
    let unusable = |msg: String, line: Option<usize>| {
        Finding::error(TRUSTSTORE_UNUSABLE, msg)
            .with("file", source)
            .with("line", line.map(|l| json!(l)).unwrap_or_default())
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        let what = if bytes.first() == Some(&0x30) {
            "binary DER, not PEM: API Gateway reads a PEM bundle (convert with openssl x509 -inform der -in FILE -out FILE.pem)"
        } else {
            "not text: API Gateway reads a PEM bundle of -----BEGIN CERTIFICATE----- blocks"
        };
        store
            .findings
            .push(unusable(format!("the truststore {source} is {what}"), None));
        return store;
    };
    let blocks = pem_blocks(text);
    for block in blocks {
        if block.label != "CERTIFICATE" {
            let why = if block.label.contains("PRIVATE KEY") {
                format!(
                    "a {} is in the truststore {source}: a truststore holds CA certificates only; remove it and treat the key as exposed (the S3 object is readable by whoever reads the bucket)",
                    block.label
                )
            } else {
                format!(
                    "a {} block is in the truststore {source}: API Gateway reads CERTIFICATE blocks only",
                    block.label
                )
            };
            store.findings.push(unusable(why, Some(block.line)));
            continue;
        }
        let index = store.certificates.len() + 1;
        let parsed = block.der.and_then(|der| parse(index, block.line, der));
        match parsed {
            Ok(cert) => store.certificates.push(cert),
            Err(e) => store.findings.push(unusable(
                format!(
                    "certificate block at line {} of {source} is not a valid X.509 certificate: {e}",
                    block.line
                ),
                Some(block.line),
            )),
        }
    }
    if store.certificates.is_empty() && store.findings.is_empty() {
        store.findings.push(unusable(
            format!("the truststore {source} has no -----BEGIN CERTIFICATE----- block"),
            None,
        ));
    }
    chain_depths(&mut store.certificates);
    let findings = check_store(&store, now);
    store.findings.extend(findings);
    store
}

/// Reads one certificate from DER.
fn parse(index: usize, line: usize, der: Vec<u8>) -> Result<StoreCert, String> {
    let facts = certificate::facts(&der)?;
    let (_, cert) = X509Certificate::from_der(&der).map_err(|e| e.to_string())?;
    let ca = cert
        .basic_constraints()
        .ok()
        .flatten()
        .is_some_and(|bc| bc.value.ca);
    Ok(StoreCert {
        index,
        line,
        signature_algorithm: signature_name(&cert.signature_algorithm.algorithm.to_id_string()),
        ca,
        depth: None,
        subject_der: cert.subject().as_raw().to_vec(),
        issuer_der: cert.issuer().as_raw().to_vec(),
        facts,
        der,
    })
}

/// A signature algorithm's name from its OID.
fn signature_name(oid: &str) -> String {
    match oid {
        "1.2.840.113549.1.1.2" => "md2WithRSAEncryption",
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "RSASSA-PSS",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.14" => "sha224WithRSAEncryption",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.2.840.10045.4.3.1" => "ecdsa-with-SHA224",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.2.840.10040.4.3" => "dsa-with-SHA1",
        "1.3.101.112" => "Ed25519",
        "1.3.101.113" => "Ed448",
        other => return other.to_string(),
    }
    .to_string()
}

/// Why a signature algorithm is below "SHA-256 or stronger" (None: it is not).
fn weak_signature(name: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase();
    if n.contains("md2") || n.contains("md5") {
        Some("an MD hash")
    } else if n.contains("sha1") || n.contains("sha-1") {
        Some("SHA-1")
    } else if n.contains("sha224") || n.contains("sha-224") {
        Some("SHA-224")
    } else {
        None
    }
}

/// Why a key is below "RSA-2048 or stronger, ECDSA-256 or stronger" (None: it is not);
/// `Some(Err)`: a key type the documentation does not list.
fn weak_key(key: &str) -> Option<Result<String, String>> {
    let bits = |prefix: &str| {
        key.strip_prefix(prefix)
            .and_then(|b| b.trim().parse::<usize>().ok())
    };
    if let Some(b) = bits("RSA ") {
        return (b < 2048).then(|| Ok(format!("an RSA key of {b} bits (2048 or more needed)")));
    }
    if let Some(b) = bits("EC ") {
        return (b < 256).then(|| Ok(format!("an EC key of {b} bits (ECDSA-256 or more needed)")));
    }
    Some(Err(format!(
        "a {key} key, which is not among the documented RSA-2048+ and ECDSA-256+ keys"
    )))
}

/// Each certificate's CA depth: 1 for a self-signed root, its issuer's depth + 1 when the
/// issuer is in the store and signed it; `None` when the chain breaks.
fn chain_depths(certs: &mut [StoreCert]) {
    let n = certs.len();
    let mut depth: Vec<Option<usize>> = vec![None; n];
    // Bounded: each pass settles at least one more certificate or none at all.
    for _ in 0..n {
        let mut changed = false;
        for i in 0..n {
            if depth[i].is_some() {
                continue;
            }
            if is_self_signed(&certs[i]) {
                depth[i] = Some(1);
                changed = true;
                continue;
            }
            let issuer = (0..n)
                .filter(|&j| j != i && depth[j].is_some() && signed_by(&certs[i], &certs[j]))
                .filter_map(|j| depth[j])
                .min();
            if let Some(d) = issuer {
                depth[i] = Some(d + 1);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for (c, d) in certs.iter_mut().zip(depth) {
        c.depth = d;
    }
}

fn is_self_signed(c: &StoreCert) -> bool {
    c.subject_der == c.issuer_der && verifies(&c.der, &c.der)
}

/// `child` names `parent` as its issuer and `parent`'s key verifies its signature.
fn signed_by(child: &StoreCert, parent: &StoreCert) -> bool {
    child.issuer_der == parent.subject_der && verifies(&child.der, &parent.der)
}

fn verifies(child: &[u8], parent: &[u8]) -> bool {
    let (Ok((_, c)), Ok((_, p))) = (
        X509Certificate::from_der(child),
        X509Certificate::from_der(parent),
    ) else {
        return false;
    };
    c.verify_signature(Some(p.public_key())).is_ok()
}

fn located(f: Finding, store: &Truststore, c: &StoreCert) -> Finding {
    f.with("file", store.source.as_str())
        .with("line", c.line)
        .with("certificate", c.index)
        .with("subject", c.facts.subject.as_str())
}

fn check_store(store: &Truststore, now: i64) -> Vec<Finding> {
    let mut out = Vec::new();
    let certs = &store.certificates;
    for c in certs {
        let at = format!(
            "certificate {} ({}, line {})",
            c.index, c.facts.subject, c.line
        );
        if c.facts.not_after_unix < now {
            out.push(located(
                Finding::error(
                    TRUSTSTORE_EXPIRED,
                    format!(
                        "{at} expired on {}: clients whose certificates chain to it get 403 Forbidden, and API Gateway does not warn when a truststore certificate expires after upload",
                        c.facts.not_after
                    ),
                )
                .with("not_after", c.facts.not_after.as_str()),
                store,
                c,
            ));
        } else if c.facts.not_before_unix > now {
            out.push(located(
                Finding::error(
                    TRUSTSTORE_NOT_YET_VALID,
                    format!("{at} is not valid before {}", c.facts.not_before),
                )
                .with("not_before", c.facts.not_before.as_str()),
                store,
                c,
            ));
        } else if c.facts.not_after_unix < now + super::EXPIRING_DAYS * 86_400 {
            out.push(located(
                Finding::warning(
                    TRUSTSTORE_EXPIRING,
                    format!(
                        "{at} expires on {} (within {} days): upload a renewed truststore and update the domain name's truststore version before then",
                        c.facts.not_after,
                        super::EXPIRING_DAYS
                    ),
                )
                .with("not_after", c.facts.not_after.as_str()),
                store,
                c,
            ));
        }
        match weak_key(&c.facts.key) {
            Some(Ok(why)) => out.push(located(
                Finding::error(
                    TRUSTSTORE_WEAK_KEY,
                    format!("{at} has {why}: API Gateway reports it as a truststore warning and clients chaining to it are refused"),
                )
                .with("key", c.facts.key.as_str()),
                store,
                c,
            )),
            Some(Err(why)) => out.push(located(
                Finding::warning(
                    TRUSTSTORE_WEAK_KEY,
                    format!("{at} has {why}: whether API Gateway accepts it is not documented (uncertain)"),
                )
                .with("key", c.facts.key.as_str())
                .with("uncertain", true),
                store,
                c,
            )),
            None => {}
        }
        if let Some(hash) = weak_signature(&c.signature_algorithm) {
            out.push(located(
                Finding::error(
                    TRUSTSTORE_WEAK_SIGNATURE,
                    format!(
                        "{at} is signed with {} ({hash}; SHA-256 or stronger is required): expect a truststore warning, and clients chaining to it are refused",
                        c.signature_algorithm
                    ),
                )
                .with("signature_algorithm", c.signature_algorithm.as_str()),
                store,
                c,
            ));
        }
        if let Some(first) = certs.iter().find(|o| o.index < c.index && o.der == c.der) {
            out.push(located(
                Finding::warning(
                    TRUSTSTORE_DUPLICATE,
                    format!(
                        "{at} repeats certificate {} (line {}): remove the copy",
                        first.index, first.line
                    ),
                )
                .with("duplicate_of_line", first.line),
                store,
                c,
            ));
            continue;
        }
        match c.depth {
            None => {
                let named = certs
                    .iter()
                    .any(|o| o.index != c.index && o.subject_der == c.issuer_der);
                let why = if named {
                    format!(
                        "its issuer {} is in the truststore but did not sign it (a different key or a re-issued CA certificate)",
                        c.facts.issuer
                    )
                } else {
                    format!("its issuer {} is not in the truststore", c.facts.issuer)
                };
                out.push(located(
                    Finding::error(
                        TRUSTSTORE_BROKEN_CHAIN,
                        format!(
                            "{at} does not chain to a root in the truststore: {why}; API Gateway needs every CA up to the root in the file"
                        ),
                    )
                    .with("issuer", c.facts.issuer.as_str()),
                    store,
                    c,
                ));
            }
            Some(d) if d > MAX_CA_DEPTH && c.ca => out.push(located(
                Finding::error(
                    TRUSTSTORE_CHAIN_TOO_LONG,
                    format!(
                        "{at} is CA level {d} below its root (the root is level 1): API Gateway allows {MAX_CA_DEPTH} CA levels, so clients whose certificates it issues get 403 Forbidden"
                    ),
                )
                .with("depth", d)
                .with("max_depth", MAX_CA_DEPTH),
                store,
                c,
            )),
            Some(_) => {}
        }
        if !c.ca {
            out.push(located(
                Finding::warning(
                    TRUSTSTORE_NOT_CA,
                    format!(
                        "{at} is not a CA certificate (no basicConstraints CA:TRUE): API Gateway looks up the issuer of a client's certificate in the truststore, so a client presenting this certificate itself is refused (\"self signed certificate\"); put the CA that issues client certificates in the truststore"
                    ),
                ),
                store,
                c,
            ));
        }
    }
    out
}

/// A client certificate chain (PEM) as certificates.
pub fn read_chain(source: &str, bytes: &[u8]) -> Result<Vec<StoreCert>, String> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| format!("{source}: not a PEM file (binary content)"))?;
    let mut out = Vec::new();
    for block in pem_blocks(text) {
        if block.label != "CERTIFICATE" {
            continue;
        }
        let index = out.len() + 1;
        let der = block
            .der
            .map_err(|e| format!("{source}:{}: {e}", block.line))?;
        out.push(
            parse(index, block.line, der).map_err(|e| format!("{source}:{}: {e}", block.line))?,
        );
    }
    if out.is_empty() {
        return Err(format!(
            "{source}: no -----BEGIN CERTIFICATE----- block in the file"
        ));
    }
    Ok(out)
}

/// The DER of each certificate, for presenting the chain in a handshake.
pub fn ders(chain: &[StoreCert]) -> Vec<rustls::pki_types::CertificateDer<'static>> {
    chain
        .iter()
        .map(|c| rustls::pki_types::CertificateDer::from(c.der.clone()))
        .collect()
}

/// Would API Gateway accept this client certificate with this truststore, at `now`? The
/// checks of the mutual TLS troubleshooting article, in the order API Gateway reports them
/// (each with the execution-log reason a REST API writes).
pub fn judge_client(chain: &[StoreCert], store: &Truststore, now: i64) -> Finding {
    let leaf = &chain[0];
    let reject = |reason: &str, log: &str| {
        Finding::error(
            CLIENT_NOT_TRUSTED,
            format!(
                "API Gateway would refuse the client certificate {} with 403 Forbidden: {reason}",
                leaf.facts.subject
            ),
        )
        .with("subject", leaf.facts.subject.as_str())
        .with("issuer", leaf.facts.issuer.as_str())
        .with("execution_log", format!("Access denied. Reason: {log}"))
    };
    if is_self_signed(leaf) && !store.certificates.iter().any(|c| c.der == leaf.der) {
        return reject(
            "it is self-signed and not in the truststore",
            "self signed certificate",
        );
    }
    if is_self_signed(leaf) {
        return reject(
            "it is self-signed; API Gateway looks up the issuer of a client certificate, and a self-signed client certificate is refused even when the truststore holds it (issue client certificates from a CA in the truststore)",
            "self signed certificate",
        );
    }
    if let Some(hash) = weak_signature(&leaf.signature_algorithm) {
        return reject(
            &format!(
                "it is signed with {} ({hash}); SHA-256 or stronger is required",
                leaf.signature_algorithm
            ),
            "Client cert using an insecure Signature Algorithm",
        )
        .with("signature_algorithm", leaf.signature_algorithm.as_str());
    }
    let issuers: Vec<&StoreCert> = store
        .certificates
        .iter()
        .filter(|c| signed_by(leaf, c))
        .collect();
    let Some(issuer) = issuers.iter().min_by_key(|c| c.depth.unwrap_or(usize::MAX)) else {
        let sent = chain[1..].iter().any(|c| signed_by(leaf, c));
        let extra = if sent {
            "; the client sent its issuer in its own chain, but API Gateway looks the issuer up in the truststore only: add that intermediate CA to the truststore"
        } else {
            ""
        };
        return reject(
            &format!(
                "its issuer {} is not in the truststore{extra}",
                leaf.facts.issuer
            ),
            "Could not find issuer for certificate",
        );
    };
    if leaf.facts.not_after_unix < now {
        return reject(
            &format!("it expired on {}", leaf.facts.not_after),
            "certificate has expired",
        );
    }
    if leaf.facts.not_before_unix > now {
        return reject(
            &format!("it is not valid before {}", leaf.facts.not_before),
            "certificate is not yet valid",
        );
    }
    if let Some(Ok(why)) = weak_key(&leaf.facts.key) {
        return reject(
            &format!("it has {why}"),
            "Client cert using an insecure key",
        );
    }
    match issuer.depth {
        None => reject(
            &format!(
                "its issuer {} is in the truststore but does not chain to a root there",
                issuer.facts.subject
            ),
            "Could not find issuer for certificate",
        ),
        Some(d) if d > MAX_CA_DEPTH => reject(
            &format!(
                "its issuer {} is CA level {d}; API Gateway allows {MAX_CA_DEPTH}",
                issuer.facts.subject
            ),
            "certificate chain too long",
        ),
        Some(_) if issuer.facts.not_after_unix < now => reject(
            &format!(
                "its issuer {} in the truststore expired on {}",
                issuer.facts.subject, issuer.facts.not_after
            ),
            "certificate has expired",
        ),
        Some(d) => Finding::info(
                CLIENT_ACCEPTED,
                format!(
                    "the truststore accepts the client certificate {}: issued by {} (CA level {d} of at most {MAX_CA_DEPTH}), valid until {}, {}",
                    leaf.facts.subject, issuer.facts.subject, leaf.facts.not_after, leaf.signature_algorithm
                ),
            )
            .with("subject", leaf.facts.subject.as_str())
            .with("issuer", issuer.facts.subject.as_str()),
    }
}

/// What the live handshake says about mutual TLS on this name.
pub fn handshake_findings(
    host: &str,
    seen: &ClientAuthSeen,
    presented: bool,
    expecting_mtls: bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let answer = seen.answer.clone().unwrap_or_default();
    if !seen.requested {
        if presented || expecting_mtls {
            out.push(
                Finding::error(
                    NOT_REQUIRED,
                    format!(
                        "{host} did not ask for a client certificate: mutual TLS is not in force on the name reached (the custom domain has no truststore, or the name reaches another endpoint, such as an API's default execute-api endpoint, which never asks)"
                    ),
                )
                .with("answer", answer),
            );
        }
        return out;
    }
    let issuers = json!(seen.acceptable_issuers);
    if !presented {
        out.push(
            Finding::info(
                CLIENT_CERTIFICATE_REQUIRED,
                format!(
                    "{host} asks for a client certificate (mutual TLS){}; without one it answered: {answer}. Pass --client-cert and --client-key to test a client's certificate",
                    if seen.acceptable_issuers.is_empty() {
                        String::new()
                    } else {
                        format!(", issued by one of: {}", seen.acceptable_issuers.join("; "))
                    }
                ),
            )
            .with("acceptable_issuers", issuers)
            .with("answer", answer),
        );
        return out;
    }
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok());
    if seen.refused {
        out.push(
            Finding::error(
                CLIENT_REJECTED,
                format!("{host} refused the client certificate: {answer}"),
            )
            .with("answer", answer)
            .with("acceptable_issuers", issuers),
        );
    } else if status == Some(403) {
        out.push(
            Finding::warning(
                CLIENT_REJECTED,
                format!(
                    "{host} answered GET / with the client certificate presented: {answer}. API Gateway answers a client certificate it does not accept with 403 Forbidden; an ordinary 403 (no API mapping for /, an authorizer, a resource policy) looks the same: compare with the offline verdict (--truststore) and probe a real path"
                ),
            )
            .with("answer", answer)
            .with("uncertain", true),
        );
    }
    out
}

/// Mutual TLS as a template writes it (CloudFormation, CDK, SAM, or Terraform read into
/// that shape): each custom domain name with a truststore, and the APIs mapped to it whose
/// default endpoint is not disabled (`DisableExecuteApiEndpoint`), or a domain name that is
/// not Regional. Locations are the resources (`$.Resources.ID`).
/// Whether an API resource's properties turn its default execute-api endpoint off: the
/// `DisableExecuteApiEndpoint` property, or its definition's
/// `x-amazon-apigateway-endpoint-configuration` `disableExecuteApiEndpoint` (at the top of a
/// Swagger 2 definition, in `servers` of an OpenAPI 3 one) [AWS: "x-amazon-apigateway-endpoint-configuration
/// object"].
fn execute_api_disabled(props: &serde_json::Value) -> bool {
    use serde_json::Value;
    let on = |d: &Value| d == &Value::Bool(true) || d.as_str() == Some("true");
    if props.get("DisableExecuteApiEndpoint").is_some_and(on) {
        return true;
    }
    let key = "x-amazon-apigateway-endpoint-configuration";
    ["Body", "DefinitionBody"]
        .iter()
        .filter_map(|k| props.get(*k))
        .any(|body| {
            std::iter::once(body)
                .chain(
                    body.get("servers")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten(),
                )
                .filter_map(|at| at.get(key))
                .any(|c| c.get("disableExecuteApiEndpoint").is_some_and(on))
        })
}

pub fn template_findings(template: &serde_json::Value) -> Vec<Finding> {
    use serde_json::Value;
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return Vec::new();
    };
    let props = |id: &str| resources.get(id).and_then(|r| r.get("Properties"));
    let refers = |v: Option<&Value>, id: &str, name: &str| match v {
        Some(Value::String(s)) => s == name,
        Some(v) => v.get("Ref").and_then(Value::as_str) == Some(id),
        None => false,
    };
    let mut out = Vec::new();
    for (id, r) in resources {
        let kind = r.get("Type").and_then(Value::as_str).unwrap_or_default();
        if !matches!(
            kind,
            "AWS::ApiGateway::DomainName" | "AWS::ApiGatewayV2::DomainName"
        ) {
            continue;
        }
        let Some(p) = r.get("Properties") else {
            continue;
        };
        let uri = p
            .pointer("/MutualTlsAuthentication/TruststoreUri")
            .and_then(Value::as_str)
            .filter(|u| !u.is_empty());
        let Some(uri) = uri else { continue };
        let name = p
            .get("DomainName")
            .and_then(Value::as_str)
            .unwrap_or(id)
            .to_string();
        let endpoint = p
            .pointer("/EndpointConfiguration/Types/0")
            .or_else(|| p.pointer("/DomainNameConfigurations/0/EndpointType"))
            .and_then(Value::as_str);
        // The APIs mapped to this name: BasePathMapping (RestApiId) or ApiMapping (ApiId).
        let mut apis: Vec<&str> = resources
            .iter()
            .filter(|(_, m)| {
                matches!(
                    m.get("Type").and_then(Value::as_str),
                    Some("AWS::ApiGateway::BasePathMapping" | "AWS::ApiGatewayV2::ApiMapping")
                )
            })
            .filter_map(|(_, m)| m.get("Properties"))
            .filter(|m| refers(m.get("DomainName"), id, &name))
            .filter_map(|m| {
                m.get("RestApiId")
                    .or_else(|| m.get("ApiId"))
                    .and_then(|a| a.get("Ref"))
                    .and_then(Value::as_str)
            })
            .filter(|a| resources.contains_key(*a))
            .collect();
        apis.sort_unstable();
        apis.dedup();
        let open: Vec<String> = apis
            .into_iter()
            .filter(|api| !props(api).is_some_and(execute_api_disabled))
            .map(str::to_string)
            .collect();
        // The same findings as for a configuration read from AWS, placed at the resources.
        let configured = Configured {
            truststore_uri: Some(uri.to_string()),
            endpoint_type: endpoint.map(str::to_string),
            ..Configured::default()
        };
        for f in configured_findings(&name, &configured, &open) {
            let at = match f.evidence.get("api_id").and_then(Value::as_str) {
                Some(api) => crate::locate::resource_path(api),
                None => crate::locate::resource_path(id),
            };
            out.push(f.with("location", at));
        }
    }
    // SAM's `Domain` of an AWS::Serverless::Api or HttpApi (its own, or Globals'): SAM writes
    // the domain name (REGIONAL unless EndpointConfiguration says otherwise) and maps the API
    // to it [samtranslator: ApiGenerator and HttpApiGenerator _construct_api_domain].
    for (id, http, r) in crate::sources::sam::sam_apis(resources) {
        let Some(api) = crate::sources::sam::with_globals(template, r, http) else {
            continue;
        };
        let Some(domain) = api.pointer("/Properties/Domain") else {
            continue;
        };
        // A reference (`!Ref TruststoreParameter`) is a truststore too.
        let Some(uri) = domain
            .pointer("/MutualTlsAuthentication/TruststoreUri")
            .and_then(|u| match u {
                Value::String(s) => Some(s.clone()),
                Value::Object(_) => Some(u.to_string()),
                _ => None,
            })
            .filter(|u| !u.is_empty())
        else {
            continue;
        };
        let name = domain
            .get("DomainName")
            .and_then(Value::as_str)
            .unwrap_or(&id)
            .to_string();
        let endpoint = domain
            .get("EndpointConfiguration")
            .and_then(Value::as_str)
            .unwrap_or("REGIONAL");
        let disabled = api.get("Properties").is_some_and(execute_api_disabled)
            || r.and_then(|r| r.get("Properties"))
                .is_some_and(execute_api_disabled);
        let open = if disabled { vec![] } else { vec![id.clone()] };
        let configured = Configured {
            truststore_uri: Some(uri.to_string()),
            endpoint_type: Some(endpoint.to_string()),
            ..Configured::default()
        };
        let at = format!("{}.Properties.Domain", crate::locate::resource_path(&id));
        for f in configured_findings(&name, &configured, &open) {
            let at = match f.evidence.get("api_id").and_then(Value::as_str) {
                Some(api) => crate::locate::resource_path(api),
                None => at.clone(),
            };
            out.push(f.with("location", at));
        }
    }
    out
}

/// Mutual TLS as a custom domain name is configured (`get-domain-name`, either API).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Configured {
    pub truststore_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truststore_version: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub truststore_warnings: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_policy: Option<String>,
}

/// Reads the mutual TLS part of `aws apigateway get-domain-name` (camelCase) or `aws
/// apigatewayv2 get-domain-name` (PascalCase, per domain name configuration); `None` when
/// the name has no truststore.
pub fn from_domain_json(v: &serde_json::Value) -> Option<Configured> {
    let pick = |o: &serde_json::Value, names: &[&str]| -> Option<serde_json::Value> {
        names.iter().find_map(|n| o.get(*n)).cloned()
    };
    let text = |o: Option<serde_json::Value>| o.and_then(|v| v.as_str().map(str::to_string));
    let m = pick(v, &["mutualTlsAuthentication", "MutualTlsAuthentication"])?;
    let uri = text(pick(&m, &["truststoreUri", "TruststoreUri"])).filter(|u| !u.is_empty())?;
    let v2 = v
        .get("DomainNameConfigurations")
        .and_then(|c| c.get(0))
        .cloned()
        .unwrap_or_default();
    let endpoint_type = text(pick(&v2, &["EndpointType"])).or_else(|| {
        v.pointer("/endpointConfiguration/types/0")
            .and_then(|t| t.as_str())
            .map(str::to_string)
    });
    Some(Configured {
        truststore_uri: Some(uri),
        truststore_version: text(pick(&m, &["truststoreVersion", "TruststoreVersion"])),
        truststore_warnings: pick(&m, &["truststoreWarnings", "TruststoreWarnings"])
            .and_then(|w| serde_json::from_value(w).ok())
            .unwrap_or_default(),
        endpoint_type,
        security_policy: text(pick(v, &["securityPolicy"]))
            .or_else(|| text(pick(&v2, &["SecurityPolicy"]))),
    })
}

/// Findings from the configuration: API Gateway's own truststore warnings, an endpoint type
/// that cannot do mutual TLS, and APIs still reachable around it (`open_default`: the ids of
/// mapped APIs whose default execute-api endpoint is enabled).
pub fn configured_findings(host: &str, c: &Configured, open_default: &[String]) -> Vec<Finding> {
    let mut out = Vec::new();
    let uri = c.truststore_uri.as_deref().unwrap_or_default();
    if !c.truststore_warnings.is_empty() {
        out.push(
            Finding::error(
                TRUSTSTORE_WARNINGS,
                format!(
                    "API Gateway reported {} truststore warning(s) for {host} ({uri}): {}. Mutual TLS is on, but clients whose certificates chain to those certificates are refused: fix the bundle, upload it, and update the domain name to the new truststore version",
                    c.truststore_warnings.len(),
                    c.truststore_warnings.join("; ")
                ),
            )
            .with("truststore_uri", uri)
            .with("truststore_warnings", json!(c.truststore_warnings)),
        );
    }
    if let Some(t) = c.endpoint_type.as_deref().filter(|t| *t != "REGIONAL") {
        out.push(
            Finding::error(
                NOT_REGIONAL,
                format!("{host} is a {t} custom domain name with a truststore: mutual TLS needs a Regional custom domain name"),
            )
            .with("endpoint_type", t),
        );
    }
    for api in open_default {
        out.push(
            Finding::warning(
                DEFAULT_ENDPOINT_ENABLED,
                format!(
                    "API {api} is mapped to {host}, which requires mutual TLS, but its default execute-api endpoint is enabled: clients can call it there without a client certificate; disable the default endpoint (disableExecuteApiEndpoint) and redeploy"
                ),
            )
            .with("api_id", api.as_str()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_blocks_keep_their_lines_and_report_broken_ones() {
        let text = "subject=CN=x\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n\n-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nAAAA\n-----END RSA PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nAAAA\n";
        let blocks = pem_blocks(text);
        let seen: Vec<(&str, usize, bool)> = blocks
            .iter()
            .map(|b| (b.label.as_str(), b.line, b.der.is_ok()))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("CERTIFICATE", 2, true),
                ("CERTIFICATE", 6, false),
                ("RSA PRIVATE KEY", 9, true),
                ("CERTIFICATE", 13, false),
            ]
        );
    }

    #[test]
    fn an_empty_or_binary_truststore_is_one_finding() {
        let empty = read_truststore("t.pem", b"# nothing here\n", 0);
        assert_eq!(empty.findings.len(), 1);
        assert_eq!(empty.findings[0].code, TRUSTSTORE_UNUSABLE);
        let der = read_truststore("t.der", &[0x30, 0x82, 0xff, 0x00, 0x80], 0);
        assert!(der.findings[0].message.contains("DER, not PEM"));
    }

    #[test]
    fn weak_algorithms_and_keys_by_name() {
        assert_eq!(weak_signature("sha1WithRSAEncryption"), Some("SHA-1"));
        assert_eq!(weak_signature("ecdsa-with-SHA1"), Some("SHA-1"));
        assert_eq!(weak_signature("md5WithRSAEncryption"), Some("an MD hash"));
        assert_eq!(weak_signature("sha256WithRSAEncryption"), None);
        assert_eq!(weak_signature("ecdsa-with-SHA384"), None);
        assert!(matches!(weak_key("RSA 1024"), Some(Ok(_))));
        assert_eq!(weak_key("RSA 2048"), None);
        assert_eq!(weak_key("EC 256"), None);
        assert!(matches!(weak_key("EC 224"), Some(Ok(_))));
        assert!(matches!(weak_key("Ed25519"), Some(Err(_))));
    }

    #[test]
    fn domain_json_of_either_api_gives_the_mutual_tls_configuration() {
        let v1: serde_json::Value = serde_json::json!({
            "domainName": "a.example.com",
            "endpointConfiguration": {"types": ["EDGE"]},
            "securityPolicy": "TLS_1_2",
            "mutualTlsAuthentication": {"truststoreUri": "s3://b/t.pem", "truststoreWarnings": ["w"]}
        });
        let c = from_domain_json(&v1).unwrap();
        assert_eq!(c.endpoint_type.as_deref(), Some("EDGE"));
        let codes: Vec<&str> = configured_findings("a.example.com", &c, &["abc".into()])
            .iter()
            .map(|f| f.code)
            .collect();
        assert_eq!(
            codes,
            vec![TRUSTSTORE_WARNINGS, NOT_REGIONAL, DEFAULT_ENDPOINT_ENABLED]
        );
        let v2 = serde_json::json!({
            "DomainName": "b.example.com",
            "DomainNameConfigurations": [{"EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2"}],
            "MutualTlsAuthentication": {"TruststoreUri": "s3://b/t.pem", "TruststoreVersion": "7"}
        });
        let c = from_domain_json(&v2).unwrap();
        assert_eq!(c.truststore_version.as_deref(), Some("7"));
        assert_eq!(c.security_policy.as_deref(), Some("TLS_1_2"));
        assert!(configured_findings("b.example.com", &c, &[]).is_empty());
        // Mutual TLS turned off: an empty URI.
        let off = serde_json::json!({"mutualTlsAuthentication": {"truststoreUri": ""}});
        assert_eq!(from_domain_json(&off), None);
    }
}
