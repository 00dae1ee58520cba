//! Embeds every `rules/*.toml` article in the binary, so adding an article is adding a file,
//! and indexes them for `kb search` with the library's own tokenizer.
use std::{env, fs, path::Path};

#[allow(dead_code)]
mod terms {
    include!("src/kb/terms.rs");
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    println!("cargo:rerun-if-changed=rules/vocabulary/shared.txt");
    println!("cargo:rerun-if-changed=src/kb/terms.rs");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("rules/ directory")
        .map(|e| e.expect("rules/ entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut out = String::from("pub(crate) const EMBEDDED_RULES: &[(&str, &str)] = &[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().unwrap().to_string_lossy();
        out.push_str(&format!(
            "    (\"rules/{name}\", include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    out.push_str(&articles(&files));
    out.push_str(&index(&files));
    out.push_str(&memory(&dir.join("memory/examples.toml")));
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("embedded_rules.rs");
    fs::write(dest, out).expect("write embedded_rules.rs");
}

/// `EMBEDDED_ARTICLES`: every article as static data, so a run parses no TOML (the parse
/// was half of `kb search`'s start-up). `None` when any file does not read as an article:
/// then the articles are parsed at run time, which reports the error with its line.
fn articles(files: &[std::path::PathBuf]) -> String {
    let mut out = String::from("pub(crate) const EMBEDDED_ARTICLES: Option<&[StaticArticle]> = ");
    let mut body = String::from("Some(&[\n");
    for path in files {
        let text = fs::read_to_string(path).expect("read article");
        let name = path.file_name().unwrap().to_string_lossy();
        match static_article(&format!("rules/{name}"), &text) {
            Some(a) => body.push_str(&a),
            None => {
                out.push_str("None;\n");
                return out;
            }
        }
    }
    body.push_str("]);\n");
    out.push_str(&body);
    out
}

/// One article as a `StaticArticle` literal; `None` when the file is not one.
fn static_article(source: &str, text: &str) -> Option<String> {
    let table = text.parse::<toml::Table>().ok()?;
    let text_of = |key: &str| table.get(key).and_then(|v| v.as_str());
    let list = |key: &str| -> Option<Vec<&str>> {
        table
            .get(key)?
            .as_array()?
            .iter()
            .map(|v| v.as_str())
            .collect()
    };
    let references: Vec<(&str, &str)> = match table.get("references") {
        None => Vec::new(),
        Some(r) => r
            .as_array()?
            .iter()
            .map(|r| Some((r.get("title")?.as_str()?, r.get("url")?.as_str()?)))
            .collect::<Option<_>>()?,
    };
    let findings: Vec<(&str, &str, Option<&str>)> = match table.get("finding") {
        None => Vec::new(),
        Some(f) => f
            .as_array()?
            .iter()
            .map(|f| {
                Some((
                    f.get("code")?.as_str()?,
                    f.get("fix")?.as_str()?,
                    f.get("api").and_then(|a| a.as_str()),
                ))
            })
            .collect::<Option<_>>()?,
    };
    Some(format!(
        "    StaticArticle {{ source: {source:?}, id: {:?}, title: {:?}, question: {:?}, source_updated: {:?}, check: {:?}, summary: {:?}, symptoms: &{:?}, fix: &{:?}, apis: &{:?}, references: &{references:?}, findings: &{findings:?} }},\n",
        text_of("id")?,
        text_of("title")?,
        text_of("question")?,
        text_of("source_updated"),
        text_of("check")?,
        text_of("summary")?.trim(),
        list("symptoms")?,
        list("fix")?,
        if table.contains_key("apis") {
            list("apis")?
        } else {
            Vec::new()
        },
    ))
}

/// `EMBEDDED_INDEX`: per article file, its id, weighted terms and prepared symptoms.
/// An article that does not parse is left out here; loading it reports the error.
fn index(files: &[std::path::PathBuf]) -> String {
    let mut tokenizer = terms::Tokenizer::default();
    let mut doc_freq = std::collections::BTreeMap::new();
    // Error names other services define too (src/kb/vocabulary.rs reads the same list).
    let shared: std::collections::HashSet<String> = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/vocabulary/shared.txt"),
    )
    .expect("rules/vocabulary/shared.txt")
    .lines()
    .filter(|l| !l.starts_with('#') && !l.is_empty())
    .map(str::to_string)
    .collect();
    let mut out = String::from(
        "/// A symptom's padded normalized text, term count (0: a shared error name), signatures and\n\
         /// distinct terms (sorted), each with the number of articles it stands in.\n\
         pub(crate) type PrebuiltSymptom = (&'static str, usize, &'static [&'static str], &'static [(&'static str, usize)]);\n\
         /// A term and its weight in an article.\n\
         pub(crate) type PrebuiltTerm = (&'static str, f64);\n\
         /// Article id, its weighted terms, its symptoms prepared for exact matching.\n\
         pub(crate) type PrebuiltArticle = (&'static str, &'static [PrebuiltTerm], &'static [PrebuiltSymptom]);\n\
         pub(crate) const EMBEDDED_INDEX: &[PrebuiltArticle] = &[\n",
    );
    // Read every article first: a symptom's terms carry their document frequencies.
    let mut articles = Vec::new();
    for path in files {
        let text = fs::read_to_string(path).expect("read article");
        let Ok(table) = text.parse::<toml::Table>() else {
            continue;
        };
        let text_of = |key: &str| table.get(key).and_then(|v| v.as_str()).unwrap_or_default();
        let list = |key: &str| -> Vec<&str> {
            table
                .get(key)
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
                .unwrap_or_default()
        };
        let findings: Vec<(&str, &str)> = table
            .get("finding")
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|f| Some((f.get("code")?.as_str()?, f.get("fix")?.as_str()?)))
                    .collect()
            })
            .unwrap_or_default();
        let symptoms = list("symptoms");
        let (weighted, symptom_terms) = terms::article_terms(
            &mut tokenizer,
            text_of("title"),
            text_of("question"),
            symptoms.iter().copied(),
            text_of("summary"),
            list("fix").into_iter(),
            findings.into_iter(),
        );
        let mut weighted: Vec<_> = weighted.into_iter().collect();
        weighted.sort_by(|a, b| a.0.cmp(&b.0));
        for (term, _) in &weighted {
            *doc_freq.entry(term.to_string()).or_insert(0usize) += 1;
        }
        let symptoms: Vec<_> = symptoms
            .iter()
            .zip(symptom_terms)
            .map(|(symptom, (count, distinct))| {
                let (norm, count, signatures) = terms::prepared_symptom(symptom, count, |s| {
                    shared.contains(&s.to_ascii_lowercase())
                });
                (norm, count, signatures, distinct)
            })
            .collect();
        articles.push((text_of("id").to_string(), weighted, symptoms));
    }
    for (id, weighted, symptoms) in articles {
        out.push_str(&format!("    ({id:?}, &["));
        for (term, weight) in weighted {
            out.push_str(&format!("({:?}, {weight:?}), ", &*term));
        }
        out.push_str("], &[");
        for (norm, count, signatures, distinct) in symptoms {
            let distinct: Vec<(&str, usize)> =
                distinct.iter().map(|t| (&**t, doc_freq[&**t])).collect();
            out.push_str(&format!(
                "({norm:?}, {count}, &{signatures:?}, &{distinct:?}), "
            ));
        }
        out.push_str("]),\n");
    }
    out.push_str("];\n");
    // In how many articles each term stands, sorted by term (binary-searched at run time).
    out.push_str("pub(crate) const EMBEDDED_DOC_FREQ: &[(&str, usize)] = &[\n");
    for (term, n) in &doc_freq {
        out.push_str(&format!("    ({term:?}, {n}),\n"));
    }
    out.push_str("];\n");
    out
}

/// `MEMORY_*`: the labelled texts of `rules/memory/examples.toml` as TF-IDF vectors (the
/// tokenizer's terms, 1 + ln of a term's count, times its smoothed inverse document frequency,
/// unit length), kept as postings sorted by term: each term, its idf and the texts it stands in
/// with their weights. Each text's label (an article id or "none") and the FNV-1a hash of its
/// text, so that a text is never its own evidence.
fn memory(path: &Path) -> String {
    println!("cargo:rerun-if-changed={}", path.display());
    let table: toml::Table = fs::read_to_string(path)
        .expect("rules/memory/examples.toml")
        .parse()
        .expect("rules/memory/examples.toml parses");
    let examples: Vec<(&str, &str)> = table
        .get("example")
        .and_then(|v| v.as_array())
        .expect("[[example]] entries")
        .iter()
        .map(|e| {
            let field = |k: &str| e.get(k).and_then(|v| v.as_str()).expect("article and text");
            (field("article"), field("text"))
        })
        .collect();
    let mut tokenizer = terms::Tokenizer::default();
    let counted: Vec<std::collections::BTreeMap<String, usize>> = examples
        .iter()
        .map(|(_, text)| {
            let mut counts = std::collections::BTreeMap::new();
            for t in tokenizer.terms(text) {
                *counts.entry(t.to_string()).or_insert(0usize) += 1;
            }
            counts
        })
        .collect();
    let mut doc_freq: std::collections::BTreeMap<&str, usize> = Default::default();
    for counts in &counted {
        for t in counts.keys() {
            *doc_freq.entry(t).or_default() += 1;
        }
    }
    let n = examples.len() as f64;
    let idf = |df: usize| ((1.0 + n) / (1.0 + df as f64)).ln() + 1.0;
    let mut postings: std::collections::BTreeMap<&str, Vec<(usize, f64)>> = Default::default();
    for (e, counts) in counted.iter().enumerate() {
        let weights: Vec<(&str, f64)> = counts
            .iter()
            .map(|(t, c)| {
                (
                    t.as_str(),
                    (1.0 + (*c as f64).ln()) * idf(doc_freq[t.as_str()]),
                )
            })
            .collect();
        let norm = weights.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
        for (t, w) in weights {
            postings.entry(t).or_default().push((e, w / norm));
        }
    }
    let mut out = String::from("/// Each remembered text's label: an article id, or \"none\".\n");
    out.push_str("pub(crate) const MEMORY_LABELS: &[&str] = &[\n");
    for (article, _) in &examples {
        out.push_str(&format!("    {article:?},\n"));
    }
    out.push_str("];\n/// Each remembered text's FNV-1a hash.\n");
    out.push_str("pub(crate) const MEMORY_HASHES: &[u64] = &[\n");
    for (_, text) in &examples {
        out.push_str(&format!("    {},\n", terms::fnv1a(text)));
    }
    out.push_str(
        "];\n/// Each term, its idf, and the remembered texts it stands in with their weights.\n",
    );
    out.push_str("pub(crate) type Posting = (&'static str, f64, &'static [(u16, f64)]);\n");
    out.push_str("pub(crate) const MEMORY_POSTINGS: &[Posting] = &[\n");
    for (t, list) in &postings {
        out.push_str(&format!("    ({t:?}, {:?}, &[", idf(doc_freq[t])));
        for (e, w) in list {
            out.push_str(&format!("({e}, {w:?}), "));
        }
        out.push_str("]),\n");
    }
    out.push_str("];\n");
    out
}
