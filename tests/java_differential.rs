//! Differential test: the selection-pattern emulation against the real java.util.regex.
//! Compiles tests/java/JavaRegexOracle.java with the JDK on this machine (Java 17 on the
//! project's machines; .ci/run installs one when missing) and compares full-match results
//! and pattern validity on every (pattern, input) pair.
use apigw_doctor::checks::selection::java_regex::{JavaRegex, Verdict};
use std::io::Write;
use std::process::{Command, Stdio};

const PATTERNS: &[&str] = &[
    // The seed article's and the spec's patterns.
    r"2\d{2}",
    r"4\d{2}",
    r"5\d\d",
    r".*5\d\d.*",
    r"-",
    r".*([01][0-9][0-9]|2[0-4][0-9]|25[0-5]).*",
    r".+",
    r".*",
    r"(\n|.)+",
    r"(?s).+",
    r"(?i).*not found.*",
    r"\d{3}",
    r"Malformed.*",
    r".*\[BadRequest\].*",
    r"Task timed out.*",
    r"[45]\d{2}",
    r"(4|5)\d{2}",
    r"4..",
    r"40[0-9]|41[0-8]",
    // ASCII shorthands, dot and anchors.
    r"\w+",
    r"\W+",
    r"\s+",
    r"\S+",
    r"\D+",
    r"[\w-z]+",
    r".",
    r"..",
    r"(?d).+",
    r"^abc$",
    r"abc$",
    r"abc$\n",
    r"abc$\r\n",
    r"abc\Z",
    r"abc\Z\n",
    r"\Aabc\z",
    r"(?m)^line1$\n^line2$",
    r"(?m)^line1$\r\n^line2$",
    r"line1\Rline2",
    r"\h+",
    r"\v",
    r"\Gabc",
    r"a\b.*",
    r".*\bnot\b.*",
    r"\B.*",
    // Case.
    r"(?i)abc",
    r"(?i)é",
    r"(?iu)é",
    r"(?i)[a-c]+",
    r"(?i)[^a]bc",
    r"(?-i)abc",
    r"(?i:a)Bc",
    r"((?i)a)bc",
    r"(?i)résumé",
    r"(?iu)RÉSUMÉ",
    // Classes.
    r"[a-z&&[^b]]+",
    r"[a-c[x-z]]+",
    r"[^a&&b]",
    r"[&&a]",
    r"[a&&]",
    r"[]a]",
    r"[a-]",
    r"[\d&&[^5]]{3}",
    r"[\Q]\E]",
    r"[^\s]+",
    r"[\p{Lower}]+",
    r"\p{Upper}+",
    r"\p{Punct}",
    r"\p{Alnum}+",
    r"\p{L}+",
    r"\p{IsL}+",
    r"\p{Lu}.*",
    r"\P{L}+",
    r"\pL+",
    r"\p{IsLatin}+",
    r"\p{IsGreek}",
    r"\p{InGreek}",
    r"\p{InBasicLatin}+",
    r"\p{javaLowerCase}+",
    r"\p{IsAlphabetic}+",
    r"\p{Greek}",
    r"\p{Nope}",
    r"(?U)\d+",
    r"(?U)\w+",
    r"\p{XDigit}+",
    // Escapes and quoting.
    r"\Qa.b\E",
    r"\Qa.b",
    r"a\.b",
    r"a\+b",
    r"\x61bc",
    r"\x{1F600}",
    r"\u00e9",
    r"\0141bc",
    r"\t",
    r"\cA",
    r"\e",
    r"\y",
    r"\08",
    r"\x4",
    r"\u00g1",
    // Groups, backreferences, lookaround, possessive and atomic.
    r"(a)\1",
    r"(a)\2",
    r"\1(a)",
    r"(?<n>a)\k<n>bc",
    r"(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)\11",
    r"(?=\d{3})\d+",
    r"(?!4)\d{3}",
    r".*(?<=found)",
    r".*(?<!found)",
    r"a++b",
    r"a*+a",
    r"(?>a|ab)c",
    r"\d{2}+\d",
    r"(a+)+",
    r"(?:ab)+",
    r"a{2}",
    r"a{2,}",
    r"a{1,2}bc",
    r"(?x) a b c ",
    r"(?x)[a b]c",
    r"(?x)abc # comment",
    // Reported as inexact: counted apart.
    r"a{1}{2}",
    r"\X+",
    r"\N{LATIN SMALL LETTER A}bc",
    r"(?i)\p{Lower}+",
    r"(?i)(a)\1",
    r"\p{InArmenian}",
    // Invalid in Java.
    r"a{",
    r"{",
    r"a**",
    r"a|*",
    r")",
    r"(",
    r"[a",
    r"[[a]",
    r"x{2,1}",
    r"(?<1n>a)",
    r"[a-\d]",
    r"[z-a]",
    r"(?Q)a",
    r"\k<none>",
    r"a{,3}",
    r"*a",
];

const INPUTS: &[&str] = &[
    "",
    "200",
    "404",
    "500",
    "302",
    "2xx",
    "Error 404: not found",
    "sample 500",
    "Resource NOT FOUND",
    "not found",
    "line1\nline2",
    "line1\r\nline2",
    "abc",
    "ABC",
    "aBc",
    "Abc",
    "é",
    "É",
    "٣٠٤",
    "a\u{85}b",
    "a\u{2028}b",
    "x y",
    "  \t",
    "a_b",
    "résumé",
    "RÉSUMÉ",
    "[BadRequest] bad input",
    "Task timed out after 3.00 seconds",
    "abc\n",
    "abc\r\n",
    "abc\r",
    "\r",
    "\n",
    "a.b",
    "a+b",
    "😀",
    "foo123bar",
    "aa",
    "aab",
    "aaab",
    "ab",
    "abcabc",
    "-",
    "]",
    "b",
    "c",
    "y",
    "5",
    "123",
    "125",
    "abbbc",
    "αβγ",
    "Ωmega",
    "Δ",
    "\u{1}",
    "\u{1b}",
    "\t",
    "abcd",
    "A",
    "a",
];

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

fn java_results(pairs: &[(&str, &str)]) -> Vec<char> {
    let dir = tempfile::tempdir().unwrap();
    let src = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/java/JavaRegexOracle.java"
    );
    let javac = Command::new("javac")
        .arg("-d")
        .arg(dir.path())
        .arg(src)
        .status();
    match javac {
        Ok(s) if s.success() => {}
        other => panic!(
            "this test needs a JDK (javac and java on PATH; apt-get install default-jdk-headless): {other:?}"
        ),
    }
    let mut child = Command::new("java")
        .arg("-Xss16m")
        .arg("-cp")
        .arg(dir.path())
        .arg("JavaRegexOracle")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("java");
    let mut input = String::new();
    for (p, i) in pairs {
        input.push_str(&format!("{} {}\n", hex(p), hex(i)));
    }
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap());
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.chars().next().unwrap())
        .collect()
}

#[test]
fn emulation_agrees_with_java_util_regex() {
    let pairs: Vec<(&str, &str)> = PATTERNS
        .iter()
        .flat_map(|p| INPUTS.iter().map(move |i| (*p, *i)))
        .collect();
    let java = java_results(&pairs);
    assert_eq!(java.len(), pairs.len());
    let count = |c: char| java.iter().filter(|&&j| j == c).count();
    println!(
        "java: {} match, {} no match, {} invalid",
        count('M'),
        count('N'),
        count('E')
    );
    // The oracle really ran: every answer kind occurs, and invalid patterns are whole rows.
    assert!(
        count('M') > 500 && count('N') > 1000 && count('E') > 0,
        "oracle answers look wrong"
    );

    let compiled: Vec<_> = PATTERNS
        .iter()
        .map(|p| (*p, JavaRegex::compile(p)))
        .collect();
    let mut exact = 0;
    let mut agree = 0;
    let mut inexact = 0;
    let mut inexact_agree = 0;
    let mut disagreements = Vec::new();
    for ((pattern, input), j) in pairs.iter().zip(&java) {
        let regex = &compiled.iter().find(|(p, _)| p == pattern).unwrap().1;
        let ours = match regex {
            Err(_) => 'E',
            Ok(r) => match r.matches(input) {
                Verdict::Match => 'M',
                Verdict::NoMatch => 'N',
                Verdict::Unknown => '?',
            },
        };
        let is_exact = regex.as_ref().map_or(true, |r| r.is_exact());
        if is_exact {
            exact += 1;
            if ours == *j {
                agree += 1;
            } else {
                disagreements.push(format!("{pattern:?} on {input:?}: java {j}, ours {ours}"));
            }
        } else {
            inexact += 1;
            if ours == *j {
                inexact_agree += 1;
            }
        }
    }
    println!(
        "pairs: {}, exact: {exact}, agreeing: {agree} ({:.2}%), inexact (reported as such): {inexact}, of which agreeing anyway: {inexact_agree}",
        pairs.len(),
        agree as f64 * 100.0 / exact as f64
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
