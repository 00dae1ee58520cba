//! API definitions and policies as users have them: JSON or YAML files, the AWS CLI's
//! output, exports. Loads them into one JSON value, says what a document looks like when
//! it is not what a command expects, and (with `locate`) the lines of JSON paths.
use crate::input;
use anyhow::{Result, bail};
use deferred::{Parts, Paths, Skeleton};
use serde_json::Value;

mod deferred;

/// Definitions are text; anything larger than this is not one.
pub const MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;

/// At most this many values (keys, scalars, arrays and objects) in a document. A parsed
/// value costs 100-450 bytes, so this bounds peak memory to about 0.6 GB however the bytes
/// are spent (64 MiB of `[],` would be 21 million values and 3.3 GB); a 50,000-method
/// export with five integration responses per method holds about 2.8 million.
pub const MAX_DOCUMENT_VALUES: usize = 4_000_000;

pub struct Document {
    pub name: String,
    pub text: String,
    pub value: Value,
    pub yaml: bool,
    /// What was read from a CloudFormation template's resource form or Terraform's JSON into
    /// inline definitions (see `sources`), when the document is one.
    pub read: Option<crate::sources::Read>,
    /// True when `value` holds every top-level member but `paths`, which is an empty object
    /// in its place: the path items are read from `text` a part at a time (`for_each_part_of`),
    /// so a large export never lives in memory as one tree (see `load_deferring_paths`).
    pub paths_deferred: bool,
    /// YAML keys written twice in one mapping (the last one is read, as CloudFormation does):
    /// the first listed, and how many in all.
    pub duplicates: Vec<DuplicateKey>,
    pub duplicates_in_all: usize,
}

/// A YAML key written again in the same mapping: the later value is the one read.
#[derive(Debug, Clone)]
pub struct DuplicateKey {
    pub key: String,
    /// 1-based lines of the key's first and its repeated occurrence.
    pub first_line: usize,
    pub line: usize,
}

/// How many repeated keys a document lists (the rest are counted).
const MAX_DUPLICATES: usize = 20;

/// The repeated keys a scan finds: the first [`MAX_DUPLICATES`] kept, every one counted.
#[derive(Default)]
struct Repeats {
    found: Vec<DuplicateKey>,
    count: usize,
}

impl Repeats {
    fn note(&mut self, key: &str, first_line: usize, line: usize) {
        self.count += 1;
        if self.found.len() < MAX_DUPLICATES {
            self.found.push(DuplicateKey {
                key: key.to_string(),
                first_line,
                line,
            });
        }
    }
}

/// Every key of `text` (YAML) written again in the same mapping, the first
/// [`MAX_DUPLICATES`] listed, and how many there are in all. Keys that are not plain scalars
/// (a mapping as a key, an alias) are not compared.
fn duplicate_keys(text: &str) -> (Vec<DuplicateKey>, usize) {
    use granit_parser::{Event, Parser};
    enum Frame {
        Map {
            keys: std::collections::HashMap<String, usize>,
            at_key: bool,
        },
        Seq,
    }
    // A node is done: a mapping's next node is a value after a key, and a key after a value.
    fn done(stack: &mut [Frame]) {
        if let Some(Frame::Map { at_key, .. }) = stack.last_mut() {
            *at_key = !*at_key;
        }
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut repeats = Repeats::default();
    for event in Parser::new_from_str(text) {
        let Ok((event, span)) = event else { break };
        match event {
            Event::Scalar(value, ..) => {
                if let Some(Frame::Map { keys, at_key: true }) = stack.last_mut() {
                    let line = span.start.line();
                    if let Some(&first_line) = keys.get(value.as_ref()) {
                        repeats.note(&value, first_line, line);
                    } else {
                        keys.insert(value.to_string(), line);
                    }
                }
                done(&mut stack);
            }
            Event::Alias(..) => done(&mut stack),
            Event::MappingStart(..) => stack.push(Frame::Map {
                keys: Default::default(),
                at_key: true,
            }),
            Event::SequenceStart(..) => stack.push(Frame::Seq),
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
                done(&mut stack);
            }
            _ => {}
        }
    }
    (repeats.found, repeats.count)
}

/// Every key of `text` (JSON, already parsed: well formed) written again in the same object,
/// as [`duplicate_keys`] finds them in YAML. One pass over the bytes; a key is compared as
/// written unless it holds an escape, which is decoded first (`"a\u0062"` repeats `"ab"`).
fn json_duplicate_keys(text: &str) -> (Vec<DuplicateKey>, usize) {
    use std::borrow::Cow;
    use std::collections::HashMap;
    enum Frame<'a> {
        Object {
            // Most objects hold a few keys: looked up in a list, a map past `FEW`.
            few: Vec<(Cow<'a, str>, usize)>,
            many: HashMap<Cow<'a, str>, usize>,
            at_key: bool,
        },
        Array,
    }
    const FEW: usize = 16;
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut repeats = Repeats::default();
    let mut line = 1;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => line += 1,
            b'{' => stack.push(Frame::Object {
                few: Vec::new(),
                many: HashMap::new(),
                at_key: true,
            }),
            b'[' => stack.push(Frame::Array),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => {
                if let Some(Frame::Object { at_key, .. }) = stack.last_mut() {
                    *at_key = true;
                }
            }
            b'"' => {
                let start = i;
                let mut escaped = false;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        escaped = true;
                        i += 1;
                    }
                    i += 1;
                }
                if let Some(Frame::Object { few, many, at_key }) = stack.last_mut()
                    && *at_key
                {
                    *at_key = false;
                    let written = &text[start + 1..i.min(text.len())];
                    let key: Cow<str> = if escaped {
                        serde_json::from_str::<String>(&text[start..(i + 1).min(text.len())])
                            .map_or(Cow::Borrowed(written), Cow::Owned)
                    } else {
                        Cow::Borrowed(written)
                    };
                    let first = if many.is_empty() {
                        few.iter().find(|(k, _)| *k == key).map(|(_, l)| *l)
                    } else {
                        many.get(&key).copied()
                    };
                    if let Some(first_line) = first {
                        repeats.note(&key, first_line, line);
                    } else if many.is_empty() && few.len() < FEW {
                        few.push((key, line));
                    } else {
                        many.extend(few.drain(..));
                        many.insert(key, line);
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    (repeats.found, repeats.count)
}

impl Document {
    /// The source line of each finding's location, for people and SARIF: every location is
    /// looked up in one pass over the document. A location inside a definition read from
    /// infrastructure as code becomes the resource it was read from (the user's own file).
    pub fn place(&self, findings: &mut [crate::finding::Finding]) {
        let mut paths = Vec::with_capacity(findings.len());
        // Findings inside a definition read from a file of its own: (finding, path in it),
        // for each file.
        let files = self.read.as_ref().map_or(&[][..], |r| r.files.as_slice());
        let mut in_files: Vec<Vec<(usize, String)>> = vec![Vec::new(); files.len()];
        for (n, f) in findings.iter_mut().enumerate() {
            let key = ["location", "origin"]
                .into_iter()
                .find(|k| f.evidence.get(*k).and_then(Value::as_str).is_some());
            // A `path` (where a fix adds something) inside a definition file names the file.
            if key.is_none()
                && let Some(path) = f.evidence.get("path").and_then(Value::as_str)
                && let Some((file, inner)) =
                    crate::locate::under_mark(&self.value, path, crate::sources::included::FILE)
                && let Some(shown) = files.get(file as usize)
            {
                f.evidence.insert("path".to_string(), inner.into());
                f.evidence
                    .insert("file".to_string(), shown.name.clone().into());
            }
            let Some(key) = key else {
                paths.push(String::new());
                continue;
            };
            let path = f.evidence[key].as_str().unwrap_or_default().to_string();
            if self.read.is_none() {
                paths.push(path);
                continue;
            }
            if let Some(origin) = crate::locate::origin_of(&self.value, &path) {
                f.evidence.insert(key.to_string(), origin.clone().into());
                paths.push(origin);
                continue;
            }
            match crate::locate::under_mark(&self.value, &path, crate::sources::included::FILE) {
                Some((file, inner)) if (file as usize) < files.len() => {
                    f.evidence.insert(key.to_string(), inner.clone().into());
                    f.evidence
                        .insert("file".to_string(), files[file as usize].name.clone().into());
                    in_files[file as usize].push((n, inner));
                    paths.push(String::new());
                }
                _ => paths.push(path),
            }
        }
        self.add_lines(findings, &paths);
        for (index, (file, wanted)) in files.iter().zip(in_files).enumerate() {
            if wanted.is_empty() {
                continue;
            }
            let Some(root) = self.file_root(index) else {
                continue;
            };
            let inner: Vec<&str> = wanted.iter().map(|(_, p)| p.as_str()).collect();
            let lines = crate::locate::lines_of(&file.text, root, file.yaml, &inner);
            for ((n, _), line) in wanted.iter().zip(lines) {
                if let Some(line) = line {
                    findings[*n]
                        .evidence
                        .insert("line".to_string(), line.into());
                }
            }
        }
    }

    /// Where the definition read from the `index`th definition file stands in the document.
    fn file_root(&self, index: usize) -> Option<&Value> {
        self.value
            .get("Resources")?
            .as_object()?
            .values()
            .filter_map(|r| r.get("Properties"))
            .flat_map(|p| ["DefinitionBody", "Body"].map(|k| p.get(k)))
            .flatten()
            .find(|b| {
                b.get(crate::sources::included::FILE)
                    .and_then(Value::as_u64)
                    == Some(index as u64)
            })
    }

    /// Each finding's `location` in the user's file, made from the JSON path its evidence
    /// holds under `key` ("" when it has none) by `place`, with its line.
    pub fn relocate(
        &self,
        findings: &mut [crate::finding::Finding],
        key: &str,
        place: impl Fn(&str) -> String,
    ) {
        let mut paths = Vec::with_capacity(findings.len());
        for f in findings.iter_mut() {
            let placed = place(
                f.evidence
                    .get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            );
            f.evidence
                .insert("location".to_string(), placed.clone().into());
            paths.push(placed);
        }
        self.add_lines(findings, &paths);
    }

    /// Each finding's `line`: the line of the JSON path beside it in `paths` (looked up
    /// together in one pass over the text; an empty or unknown path adds nothing).
    pub fn add_lines(&self, findings: &mut [crate::finding::Finding], paths: &[String]) {
        let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        let lines = crate::locate::lines_of(&self.text, &self.value, self.yaml, &paths);
        for (f, line) in findings.iter_mut().zip(lines) {
            if let Some(line) = line {
                f.evidence.insert("line".to_string(), line.into());
            }
        }
    }

    /// A command's findings about this document as reported: what was read from an
    /// infrastructure-as-code source first, then each finding placed (`place`).
    pub fn findings(&self, findings: Vec<crate::finding::Finding>) -> Vec<crate::finding::Finding> {
        let mut out = self.source_findings();
        out.extend(findings);
        self.place(&mut out);
        out
    }

    /// The findings that say what was read from an infrastructure-as-code source, and the
    /// keys the document writes twice.
    pub fn source_findings(&self) -> Vec<crate::finding::Finding> {
        let mut out = self
            .read
            .as_ref()
            .map(crate::sources::Read::findings)
            .unwrap_or_default();
        out.extend(self.duplicate_findings());
        out
    }

    /// The keys the document writes twice, the first [`MAX_DUPLICATES`] listed.
    pub fn duplicate_findings(&self) -> Vec<crate::finding::Finding> {
        let mut out = Vec::new();
        let more = self.duplicates_in_all.saturating_sub(self.duplicates.len());
        for (n, d) in self.duplicates.iter().enumerate() {
            // CloudFormation keeps the last value of a template's repeated key, in YAML and in
            // JSON [obs: go-to-k/cdk-real-drift#1074; aws-cloudformation/cfn-language-discussion
            // #96]; which one API Gateway's import keeps of a definition's is not recorded.
            let reading = if self.read.is_some() {
                format!(
                    "the value at line {} is the one read, as CloudFormation reads it (the last wins), and the one at line {} does nothing",
                    d.line, d.first_line
                )
            } else {
                format!(
                    "the value at line {} is the one read here (the last); which one API Gateway's import keeps is not documented, so either may be the one deployed",
                    d.line
                )
            };
            let mapping = if self.yaml { "mapping" } else { "object" };
            let mut f = crate::finding::Finding::warning(
                crate::sources::DUPLICATE_KEY,
                format!(
                    "{} is written twice in one {mapping} (lines {} and {}): {reading}",
                    d.key, d.first_line, d.line
                ),
            )
            .with("key", d.key.as_str())
            .with("first_line", d.first_line)
            .with("line", d.line);
            if more > 0 && n + 1 == self.duplicates.len() {
                f.message += &format!(" ({more} more repeated keys are not listed)");
                f = f.with("not_listed", more);
            }
            out.push(f);
        }
        out
    }
}

/// Reads a JSON or YAML document (JSON when it starts with `{` or `[`).
pub fn load(path: &str) -> Result<Document> {
    let name = input::display_name(path).to_string();
    let text = input::read_text(path, MAX_DOCUMENT_BYTES)?;
    load_text(name, text, folder_of(path))
}

/// The folder a file input is in, where the files a template names (a SAM `DefinitionUri`,
/// an `AWS::Include` location) are read from; none for standard input.
fn folder_of(path: &str) -> Option<std::path::PathBuf> {
    if path == "-" {
        return None;
    }
    let parent = std::path::Path::new(path).parent()?;
    Some(if parent.as_os_str().is_empty() {
        std::path::PathBuf::from(".")
    } else {
        parent.to_path_buf()
    })
}

/// A JSON or YAML file read as `load` reads one, without reading what it names: a definition
/// a template keeps in a file of its own.
pub fn parse_file(path: &str) -> Result<(Value, String, bool)> {
    let name = input::display_name(path).to_string();
    let text = input::read_text(path, MAX_DOCUMENT_BYTES)?;
    let (value, yaml, _) = parse_text(&name, &text)?;
    Ok((value, text, yaml))
}

fn load_text(name: String, text: String, folder: Option<std::path::PathBuf>) -> Result<Document> {
    let (value, yaml, repeated) = parse_text(&name, &text)?;
    let mut doc = whole(name, text, value, yaml, folder.as_deref());
    if repeated {
        (doc.duplicates, doc.duplicates_in_all) = duplicate_keys(&doc.text);
    } else if !yaml {
        (doc.duplicates, doc.duplicates_in_all) = json_duplicate_keys(&doc.text);
    }
    Ok(doc)
}

/// The value of a JSON or YAML text, whether it was YAML, and whether it repeats a key in a
/// mapping (YAML; the last value is read, as CloudFormation reads a template).
fn parse_text(name: &str, text: &str) -> Result<(Value, bool, bool)> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.is_empty() {
        bail!("{name}: the file is empty");
    }
    let json = trimmed.starts_with('{') || trimmed.starts_with('[');
    if json && count_values(trimmed.as_bytes(), MAX_DOCUMENT_VALUES) > MAX_DOCUMENT_VALUES {
        bail!(
            "{name}: the document holds more than {MAX_DOCUMENT_VALUES} JSON values; API definitions and policies hold far fewer"
        );
    }
    let mut repeated = false;
    let value = if json {
        serde_json::from_str(trimmed).map_err(|e| invalid_json(name, text, trimmed, &e))?
    } else {
        // serde-saphyr bounds anchors, depth and size (billion-laughs documents fail).
        // CloudFormation's short forms (`!Ref X`, `!Sub ...`, `!If [...]`) become the long
        // forms (`{"Ref": "X"}`), so an intrinsic is never mistaken for a plain value.
        let first = serde_saphyr::from_str_with_options::<Intrinsics>(text, yaml_options());
        // A key written twice: CloudFormation keeps the last value [obs: go-to-k/cdk-real-drift
        // #1074 (validate-template, get-template-summary); aws-cloudformation/cfn-lint#35], and
        // so does SAM CLI's YAML loader; read so, and said (`duplicates`).
        let first = match first {
            Err(e) if is_duplicate_key(&e) => {
                repeated = true;
                let mut options = yaml_options();
                options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::LastWins;
                serde_saphyr::from_str_with_options::<Intrinsics>(text, options)
            }
            other => other,
        };
        first.map(|v| v.0).map_err(|e| {
            let text = e.to_string();
            let first = text
                .lines()
                .next()
                .unwrap_or_default()
                .trim_start_matches("error: ");
            match parse_saphyr_position(first) {
                Some((line, col, message)) => {
                    anyhow::anyhow!("{name}:{line}:{col}: invalid YAML: {}", yaml_words(message))
                }
                None => anyhow::anyhow!("{name}: invalid YAML: {}", yaml_words(first)),
            }
        })?
    };
    Ok((value, !json, repeated))
}

/// Whether serde-saphyr refused a document for a key written twice in one mapping.
fn is_duplicate_key(e: &serde_saphyr::Error) -> bool {
    matches!(e, serde_saphyr::Error::DuplicateMappingKey { .. })
        || e.to_string().contains("duplicate mapping key")
}

/// `FILE:LINE:COLUMN: invalid JSON: ...` for an error reading `trimmed`, the end of `text`.
fn invalid_json(name: &str, text: &str, trimmed: &str, e: &serde_json::Error) -> anyhow::Error {
    let message = e.to_string();
    let message = message.split(" at line ").next().unwrap_or_default();
    let lead = text.len() - trimmed.len();
    let line = e.line() + text[..lead].matches('\n').count();
    anyhow::anyhow!("{name}:{line}:{}: invalid JSON: {message}", e.column())
}

/// A document read whole, with what an infrastructure-as-code source holds read into inline
/// definitions.
fn whole(
    name: String,
    text: String,
    mut value: Value,
    yaml: bool,
    folder: Option<&std::path::Path>,
) -> Document {
    let read = crate::sources::expand(&mut value, folder);
    Document {
        name,
        text,
        value,
        yaml,
        read,
        paths_deferred: false,
        duplicates: Vec::new(),
        duplicates_in_all: 0,
    }
}

/// At most this many path items of a deferred export are in memory at once.
pub const PATH_ITEMS_PER_PART: usize = 256;

/// Reads a document as `load` does; a JSON export (a top-level object with `paths`, not a
/// template) keeps its path items in the text, read a part at a time by `for_each_part_of`.
/// Anything else, or an export whose `paths` repeat a key (where the last one wins, as when
/// the whole tree is read), is read whole.
pub fn load_deferring_paths(path: &str) -> Result<Document> {
    let name = input::display_name(path).to_string();
    let text = input::read_text(path, MAX_DOCUMENT_BYTES)?;
    let folder = folder_of(path);
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if !trimmed.starts_with('{')
        || count_values(trimmed.as_bytes(), MAX_DOCUMENT_VALUES) > MAX_DOCUMENT_VALUES
    {
        return load_text(name, text, folder);
    }
    let skeleton = match serde_json::from_str::<Skeleton>(trimmed) {
        Ok(Skeleton {
            members,
            paths: Paths::Unique,
        }) => Value::Object(members),
        // Nothing was skipped: this is the whole document (get-resources output, a template).
        Ok(Skeleton {
            members,
            paths: Paths::Absent,
        }) => {
            let mut doc = whole(name, text, Value::Object(members), false, folder.as_deref());
            (doc.duplicates, doc.duplicates_in_all) = json_duplicate_keys(&doc.text);
            return Ok(doc);
        }
        // Invalid JSON or repeated keys: the whole reading says what it is.
        Err(_)
        | Ok(Skeleton {
            paths: Paths::Repeated,
            ..
        }) => return load_text(name, text, folder),
    };
    if skeleton.get("Resources").is_some() || crate::sources::terraform::is_terraform(&skeleton) {
        return load_text(name, text, folder);
    }
    let (duplicates, duplicates_in_all) = json_duplicate_keys(&text);
    Ok(Document {
        name,
        text,
        value: skeleton,
        yaml: false,
        read: None,
        paths_deferred: true,
        duplicates,
        duplicates_in_all,
    })
}

impl Document {
    /// Calls `part` with the document as one value: the whole of it, or, when its paths are
    /// deferred, every top-level member with `paths` holding the next `items` path items
    /// (`PATH_ITEMS_PER_PART` as a rule), in document order, until every path item has been
    /// seen once.
    pub fn for_each_part_of(&mut self, items: usize, mut part: impl FnMut(&Value)) -> Result<()> {
        self.parts_until(items, |v| {
            part(v);
            std::ops::ControlFlow::Continue(())
        })
    }

    /// [`Document::for_each_part_of`], until `part` answers `Break`: the parts after that
    /// one are not read.
    pub fn parts_until(
        &mut self,
        items: usize,
        mut part: impl FnMut(&Value) -> std::ops::ControlFlow<()>,
    ) -> Result<()> {
        if !self.paths_deferred {
            let _ = part(&self.value);
            return Ok(());
        }
        let trimmed = self.text.trim_start_matches('\u{feff}').trim_start();
        let mut parts = Parts {
            items: items.max(1),
            doc: &mut self.value,
            part: &mut part,
            handed: false,
            stopped: false,
        };
        // The text read as JSON once already (`load_deferring_paths`), path items skipped;
        // read as values now, they can still fail (nested past the parser's depth limit):
        // an error, never a partial all-clear.
        let mut de = serde_json::Deserializer::from_str(trimmed);
        match serde::de::DeserializeSeed::deserialize(&mut parts, &mut de) {
            Err(_) if parts.stopped => Ok(()),
            read => read.map_err(|e| invalid_json(&self.name, &self.text, trimmed, &e)),
        }
    }
}

/// A YAML value read with CloudFormation's short-form tags turned into the long forms:
/// `!Ref X` is `{"Ref": "X"}`, `!GetAtt A.B` is `{"Fn::GetAtt": ["A", "B"]}`, `!Condition C`
/// is `{"Condition": "C"}`, and every other `!Name` of the intrinsic functions is
/// `{"Fn::Name": ...}`. Other tags are dropped, as before.
struct Intrinsics(Value);

/// The CloudFormation intrinsic functions that have a `!Name` short form.
const INTRINSICS: &[&str] = &[
    "Base64",
    "Cidr",
    "FindInMap",
    "GetAZs",
    "ImportValue",
    "Join",
    "Select",
    "Split",
    "Sub",
    "Transform",
    "And",
    "Equals",
    "If",
    "Not",
    "Or",
    "Length",
    "ToJsonString",
];

impl<'de> serde::Deserialize<'de> for Intrinsics {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let serde_saphyr::Tagged(Untagged(value), tag) = serde::Deserialize::deserialize(d)?;
        let Some(name) = tag.as_deref().map(|t| t.trim_start_matches('!')) else {
            return Ok(Intrinsics(value));
        };
        let long = match name {
            "Ref" | "Condition" => name.to_string(),
            "GetAtt" => {
                let value = match value {
                    Value::String(s) => match s.split_once('.') {
                        Some((resource, attribute)) => {
                            Value::Array(vec![resource.into(), attribute.into()])
                        }
                        None => Value::String(s),
                    },
                    other => other,
                };
                return Ok(Intrinsics(serde_json::json!({ "Fn::GetAtt": value })));
            }
            n if INTRINSICS.contains(&n) => format!("Fn::{n}"),
            _ => return Ok(Intrinsics(value)),
        };
        let mut object = serde_json::Map::new();
        object.insert(long, value);
        Ok(Intrinsics(Value::Object(object)))
    }
}

/// One YAML node whose children are read as [`Intrinsics`].
struct Untagged(Value);

impl<'de> serde::Deserialize<'de> for Untagged {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UntaggedVisitor)
    }
}

struct UntaggedVisitor;

impl<'de> serde::de::Visitor<'de> for UntaggedVisitor {
    type Value = Untagged;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_unit<E>(self) -> Result<Untagged, E> {
        Ok(Untagged(Value::Null))
    }
    fn visit_none<E>(self) -> Result<Untagged, E> {
        Ok(Untagged(Value::Null))
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Untagged, D::Error> {
        serde::Deserialize::deserialize(d).map(|Intrinsics(v)| Untagged(v))
    }
    fn visit_bool<E>(self, b: bool) -> Result<Untagged, E> {
        Ok(Untagged(Value::Bool(b)))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Untagged, E> {
        Ok(Untagged(Value::from(i)))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Untagged, E> {
        Ok(Untagged(Value::from(u)))
    }
    fn visit_f64<E>(self, f: f64) -> Result<Untagged, E> {
        Ok(Untagged(
            serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        ))
    }
    fn visit_str<E>(self, s: &str) -> Result<Untagged, E> {
        Ok(Untagged(Value::String(s.to_string())))
    }
    fn visit_string<E>(self, s: String) -> Result<Untagged, E> {
        Ok(Untagged(Value::String(s)))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Untagged, A::Error> {
        let mut items = Vec::new();
        while let Some(Intrinsics(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Untagged(Value::Array(items)))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Untagged, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<Intrinsics>()? {
            let key = match key.0 {
                Value::String(s) => s,
                other => other.to_string(),
            };
            let Intrinsics(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Untagged(Value::Object(object)))
    }
}

/// serde-saphyr's budgets (aliases, anchors, depth: billion-laughs documents fail), with
/// room for the nodes of exports as large as JSON ones may be.
fn yaml_options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = MAX_DOCUMENT_VALUES;
    budget.max_events = 2 * MAX_DOCUMENT_VALUES;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

/// How many JSON values (counting keys) `text` holds, counted up to `limit + 1` without
/// parsing: every `[`, `{`, `,` and `:` outside strings starts one.
pub fn count_values(text: &[u8], limit: usize) -> usize {
    let mut count = 1;
    let mut i = 0;
    while i < text.len() && count <= limit {
        match text[i] {
            b'"' => {
                i += 1;
                while i < text.len() {
                    match text[i] {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
            }
            b'[' | b'{' | b',' | b':' => count += 1,
            _ => {}
        }
        i += 1;
    }
    count
}

/// serde-saphyr's messages in the user's terms: no option names or Rust debug output.
fn yaml_words(message: &str) -> String {
    if let Some(breach) = message.strip_prefix("budget breached: ") {
        let kind = breach.split([' ', '{']).next().unwrap_or_default();
        return match kind {
            "Depth" => "nested more than 64 levels deep".to_string(),
            "Nodes" | "Events" => {
                format!("more than {MAX_DOCUMENT_VALUES} values: API definitions hold far fewer")
            }
            "Aliases" | "Anchors" | "AliasAnchorRatio" => {
                "too many aliases (a document that expands without bound)".to_string()
            }
            _ => format!("the document is larger than this tool reads ({kind})"),
        };
    }
    if message.contains("recursive references") {
        return "an alias refers to its own anchor (a recursive document)".to_string();
    }
    let message = message.split(", set ").next().unwrap_or(message);
    message.to_string()
}

/// `line 2 column 2: message` -> (2, 2, message).
fn parse_saphyr_position(s: &str) -> Option<(usize, usize, &str)> {
    let rest = s.strip_prefix("line ")?;
    let (line, rest) = rest.split_once(" column ")?;
    let (col, message) = rest.split_once(": ")?;
    Some((line.parse().ok()?, col.parse().ok()?, message))
}

/// `describe`, for the refusal of command `command`: a suggestion to run that very command
/// is left out (it was just run).
pub fn describe_for(v: &Value, command: &str) -> &'static str {
    let text = describe(v);
    match text.find(" (use `apigw-doctor ") {
        Some(i) if text[i..].starts_with(&format!(" (use `apigw-doctor {command}")) => &text[..i],
        _ => text,
    }
}

/// What a document looks like, for "this is not what I expected" errors.
pub fn describe(v: &Value) -> &'static str {
    let has = |k: &str| v.get(k).is_some();
    match v {
        Value::Object(_) if has("openapi") || has("swagger") => {
            "an OpenAPI/Swagger export (use `apigw-doctor lint` or `selection --export`)"
        }
        Value::Object(_) if has("Statement") => {
            "an IAM or resource policy (use `apigw-doctor policy`)"
        }
        Value::Object(_) if has("policy") && has("id") && has("name") => {
            "the output of `aws apigateway get-rest-api` (use `apigw-doctor policy` for its policy)"
        }
        Value::Object(_)
            if has("items")
                && v["items"]
                    .as_array()
                    .is_some_and(|i| i.iter().any(|r| r.get("path").is_some())) =>
        {
            "the output of `aws apigateway get-resources` (use `apigw-doctor lint`)"
        }
        Value::Object(_) if has("methodIntegration") => {
            "the output of `aws apigateway get-method` (use `apigw-doctor selection --integration`)"
        }
        Value::Object(_) if has("integrationResponses") || has("type") && has("uri") => {
            "the output of `aws apigateway get-integration` (use `apigw-doctor selection --integration`)"
        }
        Value::Object(o) if crate::checks::selection::model::is_integration_response(o) => {
            "the output of `aws apigateway get-integration-response` (use `apigw-doctor lint` or `selection --integration`)"
        }
        Value::Object(_) if has("statusCode") || has("body") => {
            "a Lambda proxy response (use `apigw-doctor lambda`)"
        }
        Value::Object(_) if has("errorMessage") => {
            "a Lambda function error (use `apigw-doctor lambda --function-error Unhandled`)"
        }
        Value::Object(_) if has("AWSTemplateFormatVersion") || has("Resources") => {
            "a CloudFormation or SAM template (export the deployed API with `aws apigateway get-export`)"
        }
        Value::Object(_) => "a JSON object of another kind",
        Value::Array(_) => "a JSON array",
        Value::String(_) => "a string",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a boolean",
        Value::Null => "null",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_repeats_are_found_per_object_with_their_lines() {
        let text = "{\n \"a\": 1,\n \"b\": {\"a\": [{\"a\": 1}, {\"a\": 2}]},\n \"s\": \"a\\\"b, {\\\"a\\\": 1\",\n \"a\\u0062\": 2,\n \"b\": 3,\n \"a\": 4\n}";
        serde_json::from_str::<Value>(text).unwrap();
        let (found, count) = json_duplicate_keys(text);
        let seen: Vec<_> = found
            .iter()
            .map(|d| (d.key.as_str(), d.first_line, d.line))
            .collect();
        // "ab" is written with an escape and repeats nothing; "b" and "a" repeat at the top;
        // the inner "a"s are in different objects; the string's quote and brace are text.
        assert_eq!(seen, [("b", 3, 6), ("a", 2, 7)]);
        assert_eq!(count, 2);
        let text = "{\"ab\": 1, \"a\\u0062\": 2}";
        assert_eq!(json_duplicate_keys(text).0[0].key, "ab");
        let many: String = format!(
            "{{{}}}",
            (0..30).map(|_| "\"k\": 1").collect::<Vec<_>>().join(",")
        );
        let (found, count) = json_duplicate_keys(&many);
        assert_eq!((found.len(), count), (MAX_DUPLICATES, 29));
    }

    #[test]
    fn reading_in_parts_stops_where_asked_and_only_there() {
        use std::ops::ControlFlow;
        let dir = tempfile::tempdir().unwrap();
        // Five path items, the fourth nested past the JSON reader's depth limit (the first
        // reading skips it; reading it as a value fails).
        let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        let text = format!(
            r#"{{"openapi": "3.0.1", "paths": {{"/a": {{}}, "/b": {{}}, "/c": {{}}, "/d": {{"x": {deep}}}, "/e": {{}}}}, "info": {{}}}}"#
        );
        let file = dir.path().join("api.json");
        std::fs::write(&file, text).unwrap();
        let file = file.to_str().unwrap();
        let read = |stop_at: &str| {
            let mut doc = load_deferring_paths(file).unwrap();
            assert!(doc.paths_deferred);
            let mut seen = Vec::new();
            let r = doc.parts_until(2, |part| {
                let keys: Vec<String> =
                    part["paths"].as_object().unwrap().keys().cloned().collect();
                let stop = keys.iter().any(|k| k == stop_at);
                seen.extend(keys);
                if stop {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            });
            (r.map_err(|e| e.to_string()), seen)
        };
        // Stopped in the first part: the rest, the bad item included, is never read.
        assert_eq!(
            read("/b"),
            (Ok(()), vec!["/a".to_string(), "/b".to_string()])
        );
        // Read on to the bad item: its error, with its place, never a stop.
        let (r, seen) = read("/e");
        assert!(
            r.as_ref().is_err_and(|e| e.contains("api.json:1:")),
            "{r:?}"
        );
        assert_eq!(seen, ["/a", "/b"]);
    }

    #[test]
    fn values_are_counted_outside_strings() {
        assert_eq!(count_values(br#"{"a":[1,2],"b":"x,[{:\","}"#, 100), 7);
        assert_eq!(count_values(b"[[],[],[]]", 2), 3);
    }

    #[test]
    fn yaml_errors_are_in_the_users_terms() {
        assert_eq!(
            yaml_words("budget breached: Depth { depth: 65 }"),
            "nested more than 64 levels deep"
        );
        assert_eq!(
            yaml_words("duplicate mapping key: a, set DuplicateKeyPolicy in Options if acceptable"),
            "duplicate mapping key: a"
        );
        assert!(yaml_words("recursive references require weak recursion types").contains("alias"));
    }

    #[test]
    fn yaml_error_positions_are_parsed() {
        assert_eq!(
            parse_saphyr_position("line 2 column 2: bad"),
            Some((2, 2, "bad"))
        );
    }

    #[test]
    fn describes_common_documents() {
        assert!(
            describe(&serde_json::json!({"Version": "2012-10-17", "Statement": []}))
                .contains("policy")
        );
        assert!(describe(&serde_json::json!({"openapi": "3.0.1"})).contains("OpenAPI"));
        assert!(
            describe(&serde_json::json!({"statusCode": 200})).contains("Lambda proxy response")
        );
    }
}
