//! Any bytes as a Lambda function's output, for every API kind.
#![no_main]
use apigw_doctor::checks::lambda::{self, Api, Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for api in [Api::Rest, Api::Http10, Api::Http20] {
        let opts = Options::new(api);
        let _ = lambda::evaluate(data, &opts);
    }
});
