//! Ranking quality of `kb search`: each phrasing must put its article first.
//! The phrasings are written the way users paste or ask, not copied from the articles.
use apigw_doctor::kb::{KnowledgeBase, search::Index};

const CASES: &[(&str, &str)] = &[
    // The required phrasings.
    (
        "Cannot delete VPC link referenced in format of [Method:Resource]",
        "vpc-link-delete",
    ),
    (
        "curl: (60) SSL: no alternative certificate subject name matches target hostname 'api.example.com'",
        "custom-domain-wrong-certificate",
    ),
    (
        "HTTP/2 403 {\"message\":\"Missing Authentication Token\"} when calling through CloudFront",
        "cloudfront-custom-domain",
    ),
    ("Malformed Lambda proxy response", "rest-api-status-codes"),
    ("wrong status code 200 from Lambda", "rest-api-status-codes"),
    (
        "access API from another AWS account",
        "cross-account-access",
    ),
    // Error strings as clients and the AWS CLI print them (Node.js's TLS error, Chrome's
    // certificate error, the DeleteVpcLink error in its four-field format).
    (
        "Error: Hostname/IP does not match certificate's altnames: Host: api.shop.com. is not in the cert's altnames: DNS:*.execute-api.eu-west-1.amazonaws.com",
        "custom-domain-wrong-certificate",
    ),
    (
        "NET::ERR_CERT_COMMON_NAME_INVALID",
        "custom-domain-wrong-certificate",
    ),
    (
        "An error occurred (BadRequestException) when calling the DeleteVpcLink operation: Cannot delete vpc link. Vpc link 'k3x9q1', is referenced in [ab12cd34ef:GET:xy7z8w:prod] in format of [RESTApiId:Method:Resource:Stage].",
        "vpc-link-delete",
    ),
    (
        "payloadFormatVersion 2.0 multiValueHeaders not returned",
        "http-api-status-codes",
    ),
    // Log lines with noise around the message.
    (
        "Mon Nov 23 10:01:02 UTC 2026 : Execution failed due to configuration error: Malformed Lambda proxy response (requestId 4f1c-aa)",
        "rest-api-status-codes",
    ),
    (
        "An error occurred (BadRequestException) when calling the DeleteVpcLink operation: Cannot delete vpc link referenced in format of [GET:/pets]",
        "vpc-link-delete",
    ),
    (
        "x-amzn-ErrorType: MissingAuthenticationTokenException x-amz-cf-pop: FRA56-P1",
        "cloudfront-custom-domain",
    ),
    (
        "{\"Message\":\"User: arn:aws:iam::999999999999:user/bob is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:111111111111:abc/prod/GET/\"}",
        "cross-account-access",
    ),
    (
        "ssl certificate subject is *.execute-api.eu-west-1.amazonaws.com instead of my domain",
        "custom-domain-wrong-certificate",
    ),
    (
        "NET::ERR_CERT_COMMON_NAME_INVALID on api.mycompany.io",
        "custom-domain-wrong-certificate",
    ),
    // Questions.
    (
        "how do I remove a vpc link that is still used by a method",
        "vpc-link-delete",
    ),
    (
        "vpc link delete fails even after changing integration",
        "vpc-link-delete",
    ),
    (
        "my lambda raises an exception but API gateway REST returns 200 OK",
        "rest-api-status-codes",
    ),
    (
        "lambda error regex not matching in integration response",
        "rest-api-status-codes",
    ),
    (
        "502 Bad Gateway internal server error from lambda proxy integration",
        "rest-api-status-codes",
    ),
    (
        "body must be a string in proxy response",
        "rest-api-status-codes",
    ),
    (
        "HTTP API payload format version 2.0 returns 200 when my function returns an error object",
        "http-api-status-codes",
    ),
    (
        "difference between payload version 1.0 and 2.0 for lambda responses",
        "http-api-status-codes",
    ),
    (
        "how to overwrite statusCode with parameter mapping in an http api",
        "http-api-status-codes",
    ),
    (
        "set-cookie headers from lambda in HTTP API",
        "http-api-status-codes",
    ),
    (
        "put several APIs behind a single cloudfront distribution with base path mappings",
        "cloudfront-custom-domain",
    ),
    (
        "CloudFront origin path causes 403 forbidden from api gateway",
        "cloudfront-custom-domain",
    ),
    (
        "The request could not be satisfied. CloudFront wasn't able to connect to the origin.",
        "cloudfront-custom-domain",
    ),
    (
        "custom domain dns cname points to stage url",
        "custom-domain-wrong-certificate",
    ),
    (
        "openssl s_client shows the wrong certificate for my custom domain name",
        "custom-domain-wrong-certificate",
    ),
    (
        "invoke a private rest api from a different account through a vpc endpoint",
        "cross-account-access",
    ),
    (
        "resource policy to allow another account's IAM role to call my API",
        "cross-account-access",
    ),
    (
        "cross account IAM auth for an HTTP API using assume role",
        "cross-account-access",
    ),
    (
        "No match for output mapping and no default output mapping configured",
        "rest-api-status-codes",
    ),
    (
        "map 4xx backend status codes to 400 with an HTTP status regex",
        "rest-api-status-codes",
    ),
    (
        "can I use a custom domain name with a private API",
        "cross-account-access",
    ),
];

#[test]
fn every_phrasing_finds_its_article_first() {
    let kb = KnowledgeBase::embedded().unwrap();
    let index = Index::new(&kb);
    let mut misses = Vec::new();
    for (query, expected) in CASES {
        let hits = index.search(query);
        let top = hits.first().map(|h| h.id.as_str());
        if top != Some(*expected) {
            misses.push(format!("{query:?}: expected {expected}, got {top:?}"));
        }
    }
    let rate = (CASES.len() - misses.len()) as f64 / CASES.len() as f64;
    println!(
        "top-1: {}/{} = {:.1}%",
        CASES.len() - misses.len(),
        CASES.len(),
        rate * 100.0
    );
    assert!(misses.is_empty(), "misses:\n{}", misses.join("\n"));
}

#[test]
fn unrelated_text_finds_nothing() {
    let kb = KnowledgeBase::embedded().unwrap();
    assert!(Index::new(&kb).search("zzz qqq xylophone").is_empty());
    assert!(Index::new(&kb).search("").is_empty());
}
