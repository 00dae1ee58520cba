//! Any text as a selection pattern, then as an input: the first line is the pattern.
#![no_main]
use apigw_doctor::checks::selection::java_regex::JavaRegex;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    let (pattern, input) = data.split_once('\n').unwrap_or((data, ""));
    if let Ok(r) = JavaRegex::compile(pattern) {
        let _ = r.matches(input);
        let _ = r.find(input);
    }
});
