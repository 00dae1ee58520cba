//! `--all-regions`: the regions a scan visits. First the account's own answer
//! (ec2:DescribeRegions: the regions enabled for the account), and only when that call is not
//! permitted, the SDK's endpoint data for the partition (every region the SDK knows, opt-in
//! regions the account has not enabled included). The list says which it is.
use super::Aws;
use anyhow::{Result, anyhow, bail};

/// The regions of each partition in the AWS SDK for Rust's endpoint data (the partition
/// JSON built into aws-sdk-apigateway 1.125's `endpoint_lib.rs`), pseudo-regions such as
/// `aws-global` left out. `sdk_regions_match_the_sdk_partition_data` checks it against the
/// SDK in the build when its source is at hand.
pub const SDK_PARTITIONS: &[(&str, &[&str])] = &[
    (
        "aws",
        &[
            "af-south-1",
            "ap-east-1",
            "ap-east-2",
            "ap-northeast-1",
            "ap-northeast-2",
            "ap-northeast-3",
            "ap-south-1",
            "ap-south-2",
            "ap-southeast-1",
            "ap-southeast-2",
            "ap-southeast-3",
            "ap-southeast-4",
            "ap-southeast-5",
            "ap-southeast-6",
            "ap-southeast-7",
            "ca-central-1",
            "ca-west-1",
            "eu-central-1",
            "eu-central-2",
            "eu-north-1",
            "eu-south-1",
            "eu-south-2",
            "eu-west-1",
            "eu-west-2",
            "eu-west-3",
            "il-central-1",
            "me-central-1",
            "me-south-1",
            "mx-central-1",
            "sa-east-1",
            "us-east-1",
            "us-east-2",
            "us-west-1",
            "us-west-2",
        ],
    ),
    ("aws-cn", &["cn-north-1", "cn-northwest-1"]),
    ("aws-eusc", &["eusc-de-east-1"]),
    ("aws-iso", &["us-iso-east-1", "us-iso-west-1"]),
    ("aws-iso-b", &["us-isob-east-1", "us-isob-west-1"]),
    ("aws-iso-e", &["eu-isoe-west-1"]),
    ("aws-iso-f", &["us-isof-east-1", "us-isof-south-1"]),
    ("aws-us-gov", &["us-gov-east-1", "us-gov-west-1"]),
];

/// The partition a region belongs to, by the SDK's region patterns.
pub fn partition(region: &str) -> &'static str {
    for (prefix, partition) in [
        ("cn-", "aws-cn"),
        ("eusc-", "aws-eusc"),
        ("us-gov-", "aws-us-gov"),
        ("us-isob-", "aws-iso-b"),
        ("us-isof-", "aws-iso-f"),
        ("us-iso-", "aws-iso"),
        ("eu-isoe-", "aws-iso-e"),
    ] {
        if region.starts_with(prefix) {
            return partition;
        }
    }
    "aws"
}

/// The regions a scan visits, and where the list came from.
#[derive(Debug, Clone)]
pub struct RegionList {
    pub regions: Vec<String>,
    /// Said in the scan's notes: "enabled for the account (ec2:DescribeRegions)" or why
    /// the SDK's data was used.
    pub source: String,
    /// From the SDK's data: regions may be listed that the account has not enabled.
    pub from_sdk: bool,
}

/// `--region a,b,c`: the regions named, in order, each once; a malformed name is an error
/// naming the flag.
pub fn parse_list(value: &str) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for name in value.split(',').map(str::trim) {
        if name.is_empty() {
            bail!("--region {value:?}: an empty region name (write --region us-east-1,eu-west-1)");
        }
        if !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            bail!(
                "--region {value:?}: {name:?} is not a region name (lower-case letters, digits and -, like eu-west-1)"
            );
        }
        if !out.iter().any(|r| r == name) {
            out.push(name.to_string());
        }
    }
    Ok(out)
}

/// The regions named in the answer of DescribeRegions (EC2's XML).
fn region_names(xml: &str) -> Vec<String> {
    let mut names: Vec<String> = xml
        .split("<regionName>")
        .skip(1)
        .filter_map(|rest| rest.split("</regionName>").next())
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    names.sort();
    names.dedup();
    names
}

impl Aws {
    /// `--all-regions`: the account's enabled regions when ec2:DescribeRegions is permitted,
    /// else the SDK's regions of this region's partition.
    pub fn all_regions(&self) -> Result<RegionList> {
        match self.describe_regions() {
            Ok(regions) if !regions.is_empty() => Ok(RegionList {
                source: format!(
                    "{} regions enabled for the account (ec2:DescribeRegions in {})",
                    regions.len(),
                    self.region
                ),
                regions,
                from_sdk: false,
            }),
            answer => {
                let why = match answer {
                    Ok(_) => "ec2:DescribeRegions listed no region".to_string(),
                    Err(e) => format!("{e:#}"),
                };
                let partition = partition(&self.region);
                let regions: Vec<String> = SDK_PARTITIONS
                    .iter()
                    .find(|(p, _)| *p == partition)
                    .map(|(_, r)| r.iter().map(|s| s.to_string()).collect())
                    .unwrap_or_default();
                Ok(RegionList {
                    source: format!(
                        "the {} regions of partition {partition} in the AWS SDK's endpoint data, since ec2:DescribeRegions could not be used ({why}); opt-in regions the account has not enabled answer as skipped",
                        regions.len()
                    ),
                    regions,
                    from_sdk: true,
                })
            }
        }
    }

    /// ec2:DescribeRegions (enabled regions only: the call's default), one signed GET.
    fn describe_regions(&self) -> Result<Vec<String>> {
        let endpoint = std::env::var("AWS_ENDPOINT_URL_EC2")
            .ok()
            .or_else(|| self.config.endpoint_url().map(str::to_string))
            .unwrap_or_else(|| {
                let suffix = if partition(&self.region) == "aws-cn" {
                    "amazonaws.com.cn"
                } else {
                    "amazonaws.com"
                };
                format!("https://ec2.{}.{suffix}/", self.region)
            });
        let mut url = url::Url::parse(&endpoint)
            .map_err(|e| anyhow!("the EC2 endpoint {endpoint:?} is not a URL: {e}"))?;
        url.query_pairs_mut()
            .append_pair("Action", "DescribeRegions")
            .append_pair("Version", "2016-11-15");
        let answer = self.runtime.block_on(async {
            tokio::time::timeout(
                self.timeout * 2,
                self.signed_get("DescribeRegions", "ec2", &url, &self.region, 1 << 20),
            )
            .await
        });
        let (status, _, body) = match answer {
            Err(_) => bail!(
                "DescribeRegions: EC2 did not answer within {:?}",
                self.timeout * 2
            ),
            Ok(r) => r?,
        };
        let text = String::from_utf8_lossy(&body);
        if status != 200 {
            let code = text
                .split("<Code>")
                .nth(1)
                .and_then(|c| c.split("</Code>").next())
                .unwrap_or("error");
            bail!("DescribeRegions answered {status} {code}");
        }
        Ok(region_names(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_lists_are_checked_and_deduplicated() {
        assert_eq!(
            parse_list("us-east-1, eu-west-1,us-east-1").unwrap(),
            ["us-east-1", "eu-west-1"]
        );
        assert!(parse_list("us-east-1,,eu-west-1").is_err());
        assert!(parse_list("US_EAST_1").is_err());
    }

    #[test]
    fn partitions_follow_the_region_names() {
        assert_eq!(partition("eu-west-1"), "aws");
        assert_eq!(partition("cn-north-1"), "aws-cn");
        assert_eq!(partition("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition("us-isob-east-1"), "aws-iso-b");
    }

    #[test]
    fn describe_regions_answers_are_read() {
        // The shape EC2 answers (Version 2016-11-15), trimmed.
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
    <regionInfo>
        <item><regionName>eu-north-1</regionName><regionEndpoint>ec2.eu-north-1.amazonaws.com</regionEndpoint><optInStatus>opt-in-not-required</optInStatus></item>
        <item><regionName>ap-south-1</regionName><regionEndpoint>ec2.ap-south-1.amazonaws.com</regionEndpoint><optInStatus>opt-in-not-required</optInStatus></item>
    </regionInfo>
</DescribeRegionsResponse>"#;
        assert_eq!(region_names(xml), ["ap-south-1", "eu-north-1"]);
    }

    /// The list above is the SDK's: read the partition JSON of the aws-sdk-apigateway this
    /// build uses from cargo's registry (it is there after any build) and compare.
    #[test]
    fn sdk_regions_match_the_sdk_partition_data() {
        let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock"))
            .expect("Cargo.lock");
        let version = lock
            .split("name = \"aws-sdk-apigateway\"\nversion = \"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("aws-sdk-apigateway in Cargo.lock");
        let home = std::env::var("CARGO_HOME")
            .unwrap_or_else(|_| format!("{}/.cargo", std::env::var("HOME").unwrap_or_default()));
        let mut source = None;
        for registry in std::fs::read_dir(format!("{home}/registry/src")).expect("cargo registry") {
            let path = registry
                .unwrap()
                .path()
                .join(format!("aws-sdk-apigateway-{version}/src/endpoint_lib.rs"));
            if let Ok(text) = std::fs::read_to_string(&path) {
                source = Some(text);
            }
        }
        let source = source.expect("the SDK's endpoint_lib.rs in cargo's registry");
        let json_start = source
            .find("b\"{\\\"partitions\\\"")
            .expect("partition JSON")
            + 2;
        let json_end = source[json_start..].find("\").expect").unwrap() + json_start;
        let json = source[json_start..json_end]
            .replace("\\\\", "\u{0}")
            .replace("\\\"", "\"")
            .replace('\u{0}', "\\");
        let value: serde_json::Value = serde_json::from_str(&json).expect("partition JSON parses");
        for partition in value["partitions"].as_array().unwrap() {
            let id = partition["id"].as_str().unwrap();
            let mut sdk: Vec<&str> = partition["regions"]
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .filter(|r| !r.ends_with("-global"))
                .collect();
            sdk.sort();
            let ours = SDK_PARTITIONS
                .iter()
                .find(|(p, _)| *p == id)
                .map(|(_, r)| r.to_vec())
                .unwrap_or_default();
            assert_eq!(ours, sdk, "partition {id}");
        }
    }
}
