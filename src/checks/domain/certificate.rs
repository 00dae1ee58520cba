//! Facts about a certificate (x509-parser), and RFC 6125 host name matching.
use serde::Serialize;
use x509_parser::prelude::*;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CertFacts {
    pub subject: String,
    pub issuer: String,
    /// DNS and IP subject alternative names.
    pub sans: Vec<String>,
    pub not_before: String,
    pub not_after: String,
    #[serde(skip)]
    pub not_after_unix: i64,
    #[serde(skip)]
    pub not_before_unix: i64,
    pub serial: String,
    pub key: String,
    pub self_signed: bool,
}

pub fn facts(der: &[u8]) -> Result<CertFacts, String> {
    let (_, cert) =
        X509Certificate::from_der(der).map_err(|e| format!("unparsable certificate: {e}"))?;
    let mut sans = Vec::new();
    if let Ok(Some(ext)) = cert.subject_alternative_name() {
        for name in &ext.value.general_names {
            match name {
                GeneralName::DNSName(d) => sans.push(d.to_string()),
                GeneralName::IPAddress(ip) => sans.push(ip_text(ip)),
                _ => {}
            }
        }
    }
    let key = match cert.public_key().parsed() {
        Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => format!("RSA {}", rsa.key_size()),
        Ok(x509_parser::public_key::PublicKey::EC(ec)) => format!("EC {}", ec.key_size()),
        Ok(other) => format!("{other:?}")
            .split('(')
            .next()
            .unwrap_or("other")
            .to_string(),
        Err(_) => cert.public_key().algorithm.algorithm.to_id_string(),
    };
    let validity = cert.validity();
    Ok(CertFacts {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        sans,
        not_before: rfc3339(validity.not_before.timestamp()),
        not_after: rfc3339(validity.not_after.timestamp()),
        not_after_unix: validity.not_after.timestamp(),
        not_before_unix: validity.not_before.timestamp(),
        serial: cert.raw_serial_as_string(),
        key,
        self_signed: cert.subject() == cert.issuer(),
    })
}

fn ip_text(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => std::net::Ipv4Addr::from(<[u8; 4]>::try_from(bytes).unwrap_or_default()).to_string(),
        16 => std::net::Ipv6Addr::from(<[u8; 16]>::try_from(bytes).unwrap_or_default()).to_string(),
        _ => format!("{bytes:02x?}"),
    }
}

/// The names a certificate is for: SANs, or the subject CN when it has no SAN.
pub fn names(f: &CertFacts) -> Vec<String> {
    if !f.sans.is_empty() {
        return f.sans.clone();
    }
    f.subject
        .split(", ")
        .filter_map(|part| part.strip_prefix("CN="))
        .map(str::to_string)
        .collect()
}

/// RFC 6125 matching: case-insensitive; a `*` is allowed only as the whole leftmost label
/// and stands for exactly one label.
pub fn name_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(rest) => match host.split_once('.') {
            Some((first, host_rest)) => {
                !first.is_empty() && host_rest == rest && rest.contains('.')
            }
            None => false,
        },
        None => pattern == host,
    }
}

pub fn matches_host(f: &CertFacts, host: &str) -> bool {
    names(f).iter().any(|n| name_matches(n, host))
}

/// RFC 3339 (UTC) from a Unix timestamp, without a date library.
pub fn rfc3339(ts: i64) -> String {
    let days = ts.div_euclid(86_400);
    let secs = ts.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_cover_exactly_one_label() {
        assert!(name_matches("*.example.com", "a.example.com"));
        assert!(!name_matches("*.example.com", "a.b.example.com"));
        assert!(!name_matches("*.example.com", "example.com"));
        assert!(!name_matches("*.com", "example.com"));
        assert!(name_matches("WWW.Example.com.", "www.example.com"));
        assert!(!name_matches("www.example.com", "api.example.com"));
    }

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_000_000), "2026-11-18T11:06:40Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
