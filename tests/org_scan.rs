//! scripts/org-scan.sh end to end: an AWS Organization in moto with two member accounts, a
//! REST API in each (made with credentials of a role assumed in that account, so moto keeps
//! them apart), the real aws CLI assuming the role per account, and the merged results.
#![cfg(feature = "aws")]
mod support;
use serde_json::Value;
use support::moto::{Moto, with_dummy_aws_process};

fn aws_cli() -> std::path::PathBuf {
    std::env::var_os("APIGW_DOCTOR_AWSCLI")
        .map(Into::into)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/awscli-venv/bin/aws")
        })
}

#[test]
fn every_account_is_scanned_under_its_role_and_merged() {
    let cli = aws_cli();
    assert!(
        cli.exists(),
        "no aws CLI at {}: run scripts/test.sh (it makes target/awscli-venv)",
        cli.display()
    );
    let moto = Moto::start();
    let accounts = moto.setup(
        r#"
org = boto3.client('organizations', **kw)
org.create_organization(FeatureSet='ALL')
sts = boto3.client('sts', **kw)
ids = []
for name in ['payments', 'catalog']:
    account = org.create_account(AccountName=name, Email=name + '@example.com')['CreateAccountStatus']['AccountId']
    c = sts.assume_role(RoleArn='arn:aws:iam::%s:role/OrganizationAccountAccessRole' % account, RoleSessionName='setup')['Credentials']
    a = boto3.client('apigateway', endpoint_url=kw['endpoint_url'], region_name='us-east-1',
        aws_access_key_id=c['AccessKeyId'], aws_secret_access_key=c['SecretAccessKey'], aws_session_token=c['SessionToken'])
    api = a.create_rest_api(name=name + '-api')['id']
    root = a.get_resources(restApiId=api)['items'][0]['id']
    a.put_method(restApiId=api, resourceId=root, httpMethod='GET', authorizationType='NONE')
    ids.append(account)
print(json.dumps(ids))
"#,
    );
    let accounts: Vec<&str> = accounts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::write(dir.path().join("config"), "").unwrap();
    std::fs::write(dir.path().join("credentials"), "").unwrap();
    let path = format!(
        "{}:{}",
        cli.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |format: &str| {
        let mut bash = std::process::Command::new("bash");
        with_dummy_aws_process(&mut bash, &moto.endpoint, dir.path());
        let status = bash
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/org-scan.sh"))
            .args(["-f", format, "-d"])
            .arg(&out)
            .args(["--", "--region", "us-east-1"])
            .env("PATH", &path)
            .env("APIGW_DOCTOR", env!("CARGO_BIN_EXE_apigw-doctor"))
            // The aws CLI (v1) reads its region from AWS_DEFAULT_REGION.
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .output()
            .unwrap();
        (
            status.status.code(),
            String::from_utf8_lossy(&status.stderr).into_owned(),
        )
    };
    let (code, stderr) = run("json");
    // The organization lists three accounts: the management account (where no such role
    // exists in AWS; moto lets it be assumed) and the two members. Warnings only: 0.
    assert_eq!(code, Some(0), "{stderr}");
    let merged = std::fs::read_to_string(out.join("all.jsonl")).unwrap();
    let reports: Vec<Value> = merged
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for account in &accounts {
        let mine: Vec<&Value> = reports
            .iter()
            .filter(|r| r["account"] == *account)
            .collect();
        // The account's API (only its own: moto keeps accounts apart) and the scan report.
        assert_eq!(mine.len(), 2, "{account}: {merged}");
        assert_eq!(mine[1]["result"]["apis_read"], 1);
    }
    let (code, stderr) = run("sarif");
    assert_eq!(code, Some(0), "{stderr}");
    let log: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("all.sarif")).unwrap()).unwrap();
    assert_eq!(log["runs"].as_array().unwrap().len(), 1);
    let results = log["runs"][0]["results"].as_array().unwrap();
    for account in &accounts {
        assert!(
            results
                .iter()
                .any(|r| r["properties"]["account"] == *account
                    && r["ruleId"] == "lint.method-without-integration"),
            "{account}: {log}"
        );
    }
}
