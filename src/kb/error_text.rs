//! The error message a paste carries, apart from the prose around it. Whether there is one is a
//! feature of `kb search`'s confidence: the same coverage means less when an error's exact
//! words ("CloudWatch Logs role ARN must be set in account settings") are there to be
//! explained than when a question in prose is.

/// Words that start an error message: a line's text from the first of them on is error text.
/// Matched case-insensitively at the start of a word; `Exception` and `Error` also capitalized
/// inside one (`BadRequestException`, `Runtime.ImportModuleError`), where the error text starts
/// with that word.
const MARKERS: &[&str] = &[
    "error",
    "exception",
    "failed",
    "failure",
    "denied",
    "not authorized",
    "unauthorized",
    "forbidden",
    "invalid",
    "cannot",
    "can't",
    "unable",
    "timed out",
    "too many",
    "too large",
    "not allowed",
    "must be",
    "missing",
    "malformed",
    "refused",
];

/// At most this much error text is kept (the first lines of a long log say what failed).
const MAX_ERROR_BYTES: usize = 4096;

/// The error text of `query`: from the first marker of each line that has one, to the end of
/// that line, lines joined by newlines. Empty when no line carries one (a question in prose).
pub(crate) fn error_text(query: &str) -> String {
    let mut out = String::new();
    for line in query.lines() {
        if out.len() >= MAX_ERROR_BYTES {
            break;
        }
        if let Some(at) = marker_start(line) {
            let rest = &line[at..];
            let room = MAX_ERROR_BYTES - out.len();
            out.push_str(&rest[..rest.floor_char_boundary(room)]);
            out.push('\n');
        }
    }
    out
}

/// Where the error text of `line` starts: the start of the word holding its first marker.
fn marker_start(line: &str) -> Option<usize> {
    // ASCII lower-casing keeps every byte where it was: positions in `lower` are in `line`.
    let lower = line.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut best: Option<usize> = None;
    for marker in MARKERS {
        let names_errors = matches!(*marker, "error" | "exception");
        let mut from = 0;
        while let Some(found) = lower[from..].find(marker) {
            let at = from + found;
            let inside = at > 0 && in_word(bytes[at - 1]);
            let capitalized_inside = names_errors && line.as_bytes()[at].is_ascii_uppercase();
            if !inside || capitalized_inside {
                // Found once per marker: the walk back to the word's start stays linear.
                let word_start = bytes[..at]
                    .iter()
                    .rposition(|b| !in_word(*b))
                    .map_or(0, |p| p + 1);
                best = Some(best.map_or(word_start, |b: usize| b.min(word_start)));
                break;
            }
            from = at + marker.len();
        }
    }
    best
}

/// A byte of a word as markers see words: `Runtime.ImportModuleError` and `error_code` are one.
fn in_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_each_line_from_its_first_marker() {
        let paste = "WebsocketAPI sst:aws:ApiGatewayWebSocket → WebsocketAPIStage\n\
                     StatusCode: 400, RequestID: 28, BadRequestException: CloudWatch Logs role ARN must be set";
        assert_eq!(
            error_text(paste),
            "BadRequestException: CloudWatch Logs role ARN must be set\n"
        );
        assert_eq!(
            error_text(r#"{"errorType": "Runtime.ImportModuleError", "errorMessage": "x"}"#),
            "errorType\": \"Runtime.ImportModuleError\", \"errorMessage\": \"x\"}\n"
        );
        assert_eq!(
            error_text("When I add a 14th endpoint it gives me this error: Too Many Requests"),
            "error: Too Many Requests\n"
        );
    }

    #[test]
    fn prose_without_a_marker_has_no_error_text() {
        assert_eq!(error_text("how do I map status codes in an HTTP API?"), "");
        // A marker must start a word unless it names an error or exception.
        assert_eq!(error_text("the terrorist unmissing file"), "");
        assert_eq!(error_text("a dismissing remark"), "");
    }

    #[test]
    fn a_line_of_markers_inside_words_is_read_in_linear_time() {
        // 600 KB of `aerror`: every `error` is inside a word and is looked at once (a walk
        // back to the word's start for each took 0.3 s on 66 KB, and minutes on this).
        let line = "aerror".repeat(100_000);
        let started = std::time::Instant::now();
        assert_eq!(error_text(&line), "");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert_eq!(error_text("aerror aerror Error: x"), "Error: x\n");
    }

    #[test]
    fn is_bounded_and_keeps_utf8_whole() {
        let long = format!("error: {}\n", "é".repeat(10_000));
        let text = error_text(&long.repeat(3));
        assert!(text.len() <= MAX_ERROR_BYTES + 1, "{}", text.len());
        assert!(text.starts_with("error: é"));
    }
}
