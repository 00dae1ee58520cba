//! Any JSON as a resource policy, evaluated for a fixed caller and resource.
#![no_main]
use apigw_doctor::checks::policy::{self, Request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let req = Request {
        principal: Some("arn:aws:iam::111122223333:role/Deploy".into()),
        resource: Some("arn:aws:execute-api:us-east-1:111122223333:abc123/prod/GET/pets".into()),
        source_ip: "192.0.2.1".parse().ok(),
        ..Request::default()
    };
    if let Ok(p) = policy::unwrap_policy(&doc) {
        let _ = policy::evaluate(&p, &req);
    }
});
