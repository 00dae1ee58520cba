//! What a DNS name is in API Gateway's terms: a regional domain name, a CloudFront
//! distribution, an API's default endpoint (the stage URL host), or something else.
use serde::Serialize;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    /// `d-xxxxxxxxxx.execute-api.REGION.amazonaws.com`: a Regional custom domain's target.
    RegionalDomain,
    /// `dxxxxxxxxxxxxx.cloudfront.net`: edge-optimized custom domains, or the user's own distribution.
    Cloudfront,
    /// `APIID.execute-api.REGION.amazonaws.com` and its private / VPC endpoint forms.
    DefaultEndpoint,
    Other,
    /// DNS did not resolve the name.
    Unresolved,
}

// Partitions: amazonaws.com and amazonaws.com.cn; FIPS endpoints use execute-api-fips.
// Lenient on purpose: any label length and any region label, so the seed's own examples
// (`d-example.execute-api.<region>.amazonaws.com`) classify as what they stand for.
const SUFFIX: &str = r"\.execute-api(?:-fips)?\.[^.]+\.amazonaws\.com(?:\.cn)?\.?$";

static REGIONAL: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(&format!(r"^d-[a-z0-9-]+{SUFFIX}")).expect("regex"));
static DEFAULT: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(&format!(r"^[a-z0-9]+(?:-vpce-[a-z0-9]+)?{SUFFIX}")).expect("regex")
});
static VPCE: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^(?:[a-z0-9]{10}\.)?vpce-[a-z0-9]+-[a-z0-9]+(?:-[a-z0-9-]+)?\.execute-api\.[a-z]{2}(?:-[a-z]+)+-\d+\.vpce\.amazonaws\.com(?:\.cn)?\.?$")
        .expect("regex")
});
static CLOUDFRONT: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"^[a-z0-9-]+\.cloudfront\.net\.?$").expect("regex"));

pub fn classify(name: &str) -> TargetKind {
    let name = name.to_ascii_lowercase();
    if REGIONAL.is_match(&name) {
        TargetKind::RegionalDomain
    } else if DEFAULT.is_match(&name) || VPCE.is_match(&name) {
        TargetKind::DefaultEndpoint
    } else if CLOUDFRONT.is_match(&name) {
        TargetKind::Cloudfront
    } else {
        TargetKind::Other
    }
}

/// The region in an execute-api name, if any.
pub fn region(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let rest = lower.split(".execute-api").nth(1)?;
    let rest = rest.strip_prefix("-fips").unwrap_or(rest);
    rest.strip_prefix('.')?
        .split('.')
        .next()
        .map(str::to_string)
}

/// Whether a certificate name is API Gateway's own wildcard (`*.execute-api.REGION.amazonaws.com`).
pub fn is_execute_api_wildcard(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("*.execute-api.") && lower.contains(".amazonaws.com")
}

pub fn is_cloudfront_wildcard(name: &str) -> bool {
    name.eq_ignore_ascii_case("*.cloudfront.net")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_own_example_names_classify() {
        assert_eq!(
            classify("d-example.execute-api.<region>.amazonaws.com"),
            TargetKind::RegionalDomain
        );
        assert_eq!(
            classify("distribution-id.cloudfront.net"),
            TargetKind::Cloudfront
        );
        assert_eq!(
            classify("a222222bcdefg5.cloudfront.net"),
            TargetKind::Cloudfront
        );
        assert_eq!(
            classify("abc.execute-api.eu-west-3.amazonaws.com"),
            TargetKind::DefaultEndpoint
        );
        assert_eq!(classify("api.example.com"), TargetKind::Other);
    }

    #[test]
    fn classifies_api_gateway_names() {
        assert_eq!(
            classify("d-abc123defg.execute-api.us-east-1.amazonaws.com"),
            TargetKind::RegionalDomain
        );
        assert_eq!(
            classify("abc123defg.execute-api.us-east-1.amazonaws.com."),
            TargetKind::DefaultEndpoint
        );
        assert_eq!(
            classify("abc123defg.execute-api-fips.us-gov-west-1.amazonaws.com"),
            TargetKind::DefaultEndpoint
        );
        assert_eq!(
            classify("abc123defg.execute-api.cn-north-1.amazonaws.com.cn"),
            TargetKind::DefaultEndpoint
        );
        assert_eq!(
            classify("abc123defg-vpce-0123456789abcdef0.execute-api.eu-west-1.amazonaws.com"),
            TargetKind::DefaultEndpoint
        );
        assert_eq!(
            classify("vpce-0123456789abcdef0-abcd1234.execute-api.us-east-1.vpce.amazonaws.com"),
            TargetKind::DefaultEndpoint
        );
        assert_eq!(
            classify("d111111abcdef8.cloudfront.net"),
            TargetKind::Cloudfront
        );
        assert_eq!(
            classify("my-alb-123.us-east-1.elb.amazonaws.com"),
            TargetKind::Other
        );
        // Any label length: the API id is not validated, the shape is what counts.
        assert_eq!(
            classify("abc.execute-api.us-east-1.amazonaws.com"),
            TargetKind::DefaultEndpoint
        );
    }

    #[test]
    fn regions_and_wildcards() {
        assert_eq!(
            region("abc123defg.execute-api.eu-west-2.amazonaws.com").as_deref(),
            Some("eu-west-2")
        );
        assert_eq!(region("x.example.com"), None);
        assert!(is_execute_api_wildcard(
            "*.execute-api.us-east-1.amazonaws.com"
        ));
        assert!(!is_execute_api_wildcard("*.example.com"));
    }
}
