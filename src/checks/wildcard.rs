//! `*` (any run) and `?` (one character) matching, as IAM policies and CloudFront path
//! patterns use it: greedy with one backtrack point, at most pattern × text steps.
pub fn matches(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
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
    while pi < p.len() && p[pi] == '*' {
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
    }
}
