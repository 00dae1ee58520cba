//! Any text as an API definition (JSON or YAML), through the loader, the lint and the
//! line locator.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("apigw-doctor-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let file = dir.join("doc");
    if std::fs::write(&file, data).is_err() {
        return;
    }
    let Ok(doc) = apigw_doctor::document::load(file.to_str().unwrap()) else {
        return;
    };
    if let Ok(methods) = apigw_doctor::checks::lint::methods(&doc.value) {
        let findings = apigw_doctor::checks::lint::lint(&methods);
        let paths: Vec<String> = findings
            .iter()
            .filter_map(|f| f.evidence.get("location").and_then(|v| v.as_str()).map(String::from))
            .collect();
        let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
        let _ = apigw_doctor::locate::lines_of(&doc.text, &doc.value, doc.yaml, &refs);
    }
});
