//! `*` (any run) and `?` (one character) matching, as IAM policies and CloudFront path
//! patterns use it: greedy with one backtrack point, at most pattern × text steps.
pub fn matches(pattern: &str, text: &str) -> bool {
    // ASCII (ARNs, paths) is matched on its bytes, without copying; other text by characters.
    if pattern.is_ascii() && text.is_ascii() {
        return matches_units(pattern.as_bytes(), text.as_bytes(), b'*', b'?');
    }
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    matches_units(&p, &t, '*', '?')
}

/// [`matches`] over units (bytes or characters).
fn matches_units<T: PartialEq + Copy>(p: &[T], t: &[T], any: T, one: T) -> bool {
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == one || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == any {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == any {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    #[test]
    fn stars_and_question_marks() {
        assert!(super::matches("a*c", "abbc"));
        assert!(super::matches("a?c", "abc"));
        assert!(!super::matches("a?c", "abbc"));
        assert!(super::matches("*", ""));
        assert!(!super::matches("", "a"));
        // Beyond ASCII, one character each.
        assert!(super::matches("caf?", "café"));
        assert!(super::matches("*é", "résumé"));
        assert!(!super::matches("caf?", "cafés"));
    }
}
