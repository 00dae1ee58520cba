//! Source lines of JSON paths (`$.paths['/pets'].get`, `$.items[3].resourceMethods.GET`),
//! for findings in people's terms and SARIF regions. All the paths a run needs are looked up
//! together in one pass over the text, so the cost is linear in the document however many
//! findings it has.
//!
//! JSON is scanned exactly (keys with escapes such as `"4\\d{2}"` included). YAML is
//! searched key by key in document order: siblings are visited in the order the parsed
//! document holds them, each search starting where the previous sibling was found.
use serde_json::Value;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Seg {
    Key(String),
    Index(usize),
}

/// The requested paths as a tree: each node is a path prefix.
#[derive(Default)]
struct Trie {
    children: Vec<HashMap<Seg, usize>>,
    /// For each node, the requests (indexes into the caller's list) that end there.
    targets: Vec<Vec<usize>>,
}

impl Trie {
    fn build(paths: &[&str]) -> Trie {
        let mut t = Trie {
            children: vec![HashMap::new()],
            targets: vec![Vec::new()],
        };
        for (request, path) in paths.iter().enumerate() {
            let Some(segs) = segments(path) else { continue };
            let mut node = 0;
            for seg in segs {
                node = match t.children[node].get(&seg) {
                    Some(&n) => n,
                    None => {
                        t.children.push(HashMap::new());
                        t.targets.push(Vec::new());
                        let n = t.children.len() - 1;
                        t.children[node].insert(seg, n);
                        n
                    }
                };
            }
            t.targets[node].push(request);
        }
        t
    }

    fn child(&self, node: Option<usize>, seg: &Seg) -> Option<usize> {
        node.and_then(|n| self.children[n].get(seg).copied())
    }
}

/// `$.a['b.c'][2].d` -> [a, b.c, 2, d]; None when the path is not of that form.
fn segments(path: &str) -> Option<Vec<Seg>> {
    let mut segs = Vec::new();
    let mut rest = path.strip_prefix('$')?;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("['") {
            let end = r.find("']")?;
            segs.push(Seg::Key(r[..end].to_string()));
            rest = &r[end + 2..];
        } else if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            segs.push(Seg::Key(r[..end].to_string()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            segs.push(Seg::Index(r[..end].parse().ok()?));
            rest = &r[end + 1..];
        } else {
            return None;
        }
    }
    Some(segs)
}

/// The 1-based line of each path in `text` (None where it is not found). `value` is the
/// parsed document, which gives YAML its key order.
pub fn lines_of(text: &str, value: &Value, yaml: bool, paths: &[&str]) -> Vec<Option<usize>> {
    let trie = Trie::build(paths);
    let mut lines = vec![None; paths.len()];
    if yaml {
        let mut search = YamlSearch {
            text,
            trie: &trie,
            lines: &mut lines,
            newlines: LineCounter::default(),
        };
        search.visit(0, value, 0);
    } else {
        scan_json(text.as_bytes(), &trie, &mut lines);
    }
    lines
}

/// Counts lines up to increasing offsets without rescanning from the start.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    line: usize,
}

impl LineCounter {
    fn line_at(&mut self, text: &[u8], at: usize) -> usize {
        if at < self.offset {
            *self = LineCounter::default();
        }
        self.line += text[self.offset..at]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.offset = at;
        self.line + 1
    }
}

enum Frame {
    Object { node: Option<usize> },
    Array { node: Option<usize>, index: usize },
}

/// One pass over a JSON text that serde_json has already accepted.
fn scan_json(text: &[u8], trie: &Trie, lines: &mut [Option<usize>]) {
    let mut stack: Vec<Frame> = Vec::new();
    let mut line = 1;
    let mut i = 0;
    // The trie node of the value about to start.
    let mut pending = Some(0);
    let mut record = |node: Option<usize>, line: usize| {
        if let Some(n) = node {
            for &t in &trie.targets[n] {
                lines[t] = Some(line);
            }
        }
    };
    while i < text.len() {
        match text[i] {
            b'\n' => line += 1,
            b'{' => {
                stack.push(Frame::Object { node: pending });
                pending = None;
            }
            b'[' => {
                let node = pending;
                let first = trie.child(node, &Seg::Index(0));
                stack.push(Frame::Array { node, index: 0 });
                pending = first;
                // The element's line is where its value starts.
                let start = skip_ws(text, i + 1, &mut line);
                if start < text.len() && text[start] != b']' {
                    record(first, line);
                }
                i = start;
                continue;
            }
            b'}' | b']' => {
                stack.pop();
                pending = None;
            }
            b',' => {
                if let Some(Frame::Array { node, index }) = stack.last_mut() {
                    *index += 1;
                    let child = trie.child(*node, &Seg::Index(*index));
                    let start = skip_ws(text, i + 1, &mut line);
                    record(child, line);
                    pending = child;
                    i = start;
                    continue;
                }
            }
            b'"' => {
                let end = string_end(text, i);
                let mut probe = line;
                let after = skip_ws(text, end, &mut probe);
                let is_key = matches!(stack.last(), Some(Frame::Object { .. }))
                    && text.get(after) == Some(&b':');
                if is_key && let Some(Frame::Object { node }) = stack.last() {
                    let raw = &text[i..end];
                    let key = if raw.contains(&b'\\') {
                        serde_json::from_slice::<String>(raw).unwrap_or_default()
                    } else {
                        String::from_utf8_lossy(&raw[1..raw.len() - 1]).into_owned()
                    };
                    let child = trie.child(*node, &Seg::Key(key));
                    record(child, line);
                    pending = child;
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
}

fn skip_ws(text: &[u8], mut i: usize, line: &mut usize) -> usize {
    while i < text.len() && text[i].is_ascii_whitespace() {
        if text[i] == b'\n' {
            *line += 1;
        }
        i += 1;
    }
    i
}

/// The index just past the closing quote of the string starting at `start`.
fn string_end(text: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < text.len() {
        match text[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    text.len()
}

struct YamlSearch<'a> {
    text: &'a str,
    trie: &'a Trie,
    lines: &'a mut [Option<usize>],
    newlines: LineCounter,
}

impl YamlSearch<'_> {
    /// Finds the children of `node` (whose key was found at `from`) in document order.
    fn visit(&mut self, node: usize, value: &Value, from: usize) {
        if self.trie.children[node].is_empty() {
            return;
        }
        let mut cursor = from;
        let children: Vec<(Seg, &Value)> = match value {
            Value::Object(map) => map
                .iter()
                .map(|(k, v)| (Seg::Key(k.clone()), v))
                .filter(|(s, _)| self.trie.children[node].contains_key(s))
                .collect(),
            // Every element up to the last one asked for, so that each is found after the
            // one before it (they share their first key).
            Value::Array(items) => {
                let last = items
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| self.trie.children[node].contains_key(&Seg::Index(*i)))
                    .map(|(i, _)| i)
                    .max();
                items
                    .iter()
                    .enumerate()
                    .take(last.map_or(0, |l| l + 1))
                    .map(|(i, v)| (Seg::Index(i), v))
                    .collect()
            }
            _ => return,
        };
        for (seg, child_value) in children {
            let child = self.trie.children[node].get(&seg).copied();
            // An array element is found by its first key (a sequence of mappings).
            let key = match &seg {
                Seg::Key(k) => Some(k.as_str()),
                Seg::Index(_) => child_value
                    .as_object()
                    .and_then(|m| m.keys().next())
                    .map(String::as_str),
            };
            let Some(at) = key.and_then(|k| find_yaml_key(self.text, cursor, k)) else {
                continue;
            };
            cursor = at + 1;
            let Some(child) = child else { continue };
            let line = self.newlines.line_at(self.text.as_bytes(), at);
            for &t in &self.trie.targets[child] {
                self.lines[t] = Some(line);
            }
            // An element's keys begin where its first key was found: that key is its own
            // (`- ResourcePath: /a` asked as `[1].ResourcePath`), not the next element's.
            let inside = if matches!(seg, Seg::Index(_)) {
                at
            } else {
                at + 1
            };
            self.visit(child, child_value, inside);
        }
    }
}

/// The first place at or after `from` where `key` is written as a YAML mapping key (plain,
/// single- or double-quoted), or as a JSON key in flow style.
fn find_yaml_key(text: &str, from: usize, key: &str) -> Option<usize> {
    let json = serde_json::to_string(key).unwrap_or_default();
    let needles = [
        format!("{json}:"),
        format!("'{}':", key.replace('\'', "''")),
        format!("{key}:"),
    ];
    let hay = text.get(from..)?;
    needles
        .iter()
        .filter_map(|n| {
            // A plain key must start a token, not end another one (`x-get:` is not `get:`).
            hay.match_indices(n.as_str())
                .find(|(i, _)| {
                    *i == 0 || {
                        let b = hay.as_bytes()[i - 1];
                        b.is_ascii_whitespace() || matches!(b, b'{' | b',' | b'?')
                    }
                })
                .map(|(i, _)| i)
        })
        .min()
        .map(|i| from + i)
}

/// For a JSON path into a definition read from infrastructure as code (`sources`), the
/// resource in the user's file it came from: the `x-apigw-doctor-origin` of the deepest
/// object along the path that has one. None for paths into the user's own definitions.
pub fn origin_of(value: &Value, path: &str) -> Option<String> {
    let mut at = value;
    let mut origin = None;
    for seg in segments(path)? {
        if let Some(o) = at.get(crate::sources::ORIGIN).and_then(Value::as_str) {
            origin = Some(o.to_string());
        }
        at = match &seg {
            Seg::Key(k) => at.get(k.as_str()),
            Seg::Index(i) => at.get(*i),
        }?;
    }
    at.get(crate::sources::ORIGIN)
        .and_then(Value::as_str)
        .map(str::to_string)
        .or(origin)
}

/// When `path` leads through a node marked with `mark` (the root of a definition read from a
/// file of its own), the mark's number (the deepest one) and the rest of the path from that
/// node, as a path of its own (`$.paths['/a'].get`).
pub fn under_mark(value: &Value, path: &str, mark: &str) -> Option<(u64, String)> {
    let segs = segments(path)?;
    let mut at = value;
    let mut found = None;
    // A path may end in what is not there yet (where a fix would add it).
    for (i, seg) in segs.iter().enumerate() {
        if let Some(n) = at.get(mark).and_then(Value::as_u64) {
            found = Some((n, i));
        }
        let next = match seg {
            Seg::Key(k) => at.get(k.as_str()),
            Seg::Index(i) => at.get(*i),
        };
        match next {
            Some(v) => at = v,
            None => break,
        }
        if i + 1 == segs.len()
            && let Some(n) = at.get(mark).and_then(Value::as_u64)
        {
            found = Some((n, segs.len()));
        }
    }
    let (n, from) = found?;
    let mut rest = String::from("$");
    for seg in &segs[from..] {
        match seg {
            Seg::Index(i) => rest.push_str(&format!("[{i}]")),
            Seg::Key(k)
                if !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
            {
                rest.push('.');
                rest.push_str(k);
            }
            Seg::Key(k) => rest.push_str(&format!("['{k}']")),
        }
    }
    Some((n, rest))
}

/// The JSON path of a template's resource: `$.Resources.Id`, or `$.Resources['a.b']` for an
/// id that is not a plain name (Terraform addresses hold dots and brackets).
pub fn resource_path(id: &str) -> String {
    if id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        format!("$.Resources.{id}")
    } else {
        format!("$.Resources['{id}']")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_under_a_marked_node_is_given_from_that_node() {
        let v = serde_json::json!({"Resources": {"Api": {"Properties": {"Body": {
            "x-mark": 3, "paths": {"/a.b": {"get": {}}}}}}}});
        assert_eq!(
            under_mark(
                &v,
                "$.Resources.Api.Properties.Body.paths['/a.b'].get",
                "x-mark"
            ),
            Some((3, "$.paths['/a.b'].get".to_string()))
        );
        // A path that ends in what is not there yet.
        assert_eq!(
            under_mark(
                &v,
                "$.Resources.Api.Properties.Body.x-amazon-apigateway-gateway-responses",
                "x-mark"
            ),
            Some((3, "$.x-amazon-apigateway-gateway-responses".to_string()))
        );
        assert_eq!(under_mark(&v, "$.Resources.Api", "x-mark"), None);
        assert_eq!(
            under_mark(&v, "$.Resources.Api.Properties.Body", "x-mark"),
            Some((3, "$".to_string()))
        );
    }

    fn lines(text: &str, yaml: bool, paths: &[&str]) -> Vec<Option<usize>> {
        let value: Value = if yaml {
            serde_saphyr::from_str(text).unwrap()
        } else {
            serde_json::from_str(text).unwrap()
        };
        lines_of(text, &value, yaml, paths)
    }

    #[test]
    fn paths_split_into_segments() {
        assert_eq!(
            segments("$.paths['/pets/{id}'].get.x").unwrap(),
            [
                Seg::Key("paths".into()),
                Seg::Key("/pets/{id}".into()),
                Seg::Key("get".into()),
                Seg::Key("x".into())
            ]
        );
        assert_eq!(
            segments("$.items[3].resourceMethods.GET").unwrap()[1],
            Seg::Index(3)
        );
        assert_eq!(segments("not a path"), None);
    }

    #[test]
    fn json_lines_are_exact_with_arrays_and_escaped_keys() {
        let json = "{\n  \"items\": [\n    {\"id\": \"a\", \"resourceMethods\": {\"GET\": {}}},\n    {\"id\": \"b\",\n     \"resourceMethods\": {\n       \"GET\": {\"responses\": {\"4\\\\d{2}\": {}}}}}\n  ]\n}";
        assert_eq!(
            lines(
                json,
                false,
                &[
                    "$.items[1].resourceMethods.GET",
                    "$.items[0].resourceMethods.GET",
                    "$.items[1].resourceMethods.GET.responses['4\\d{2}']",
                    "$.items[1]",
                    "$.items[2]",
                ]
            ),
            [Some(6), Some(3), Some(6), Some(4), None]
        );
    }

    #[test]
    fn strings_that_look_like_keys_are_not_keys() {
        let json = r#"{"a": ["get", {"b": "x:"}], "get": {"c": 1}}"#;
        assert_eq!(
            lines(json, false, &["$.get.c", "$.a[1].b"]),
            [Some(1), Some(1)]
        );
        let json = "{\"a\": \"\\\"get\\\":\",\n\"get\": 1}";
        assert_eq!(lines(json, false, &["$.get"]), [Some(2)]);
    }

    #[test]
    fn yaml_lines_follow_document_order() {
        let yaml = "paths:\n  /a:\n    get: {}\n  /pets:\n    x-get: 1\n    get:\n      responses:\n        '4\\d{2}':\n          statusCode: '400'\n";
        assert_eq!(
            lines(
                yaml,
                true,
                &[
                    "$.paths['/pets'].get",
                    "$.paths['/pets'].get.responses['4\\d{2}']",
                    "$.paths['/a'].get",
                    "$.paths['/nope']"
                ]
            ),
            [Some(6), Some(8), Some(3), None]
        );
    }

    #[test]
    fn yaml_sequence_elements_that_share_a_first_key_are_told_apart() {
        let text =
            "Statement:\n  - Effect: Allow\n    Action: a\n  - Effect: Deny\n    Action: b\n";
        let value: Value = serde_json::json!({"Statement": [
            {"Effect": "Allow", "Action": "a"}, {"Effect": "Deny", "Action": "b"}]});
        assert_eq!(
            lines_of(text, &value, true, &["$.Statement[1]", "$.Statement[0]"]),
            [Some(4), Some(2)]
        );
    }

    #[test]
    fn a_sequence_element_s_first_key_is_its_own() {
        // Asked for the first key of an element, the line is that element's (it was the next
        // element's: the element's keys were searched after its first one).
        let yaml = "Stage:\n  MethodSettings:\n    - ResourcePath: /a\n      HttpMethod: GET\n    - ResourcePath: /b\n      HttpMethod: GET\n    - ResourcePath: \"*\"\n      HttpMethod: \"*\"\n";
        assert_eq!(
            lines(
                yaml,
                true,
                &[
                    "$.Stage.MethodSettings[1].ResourcePath",
                    "$.Stage.MethodSettings[2].ResourcePath",
                    "$.Stage.MethodSettings[1].HttpMethod"
                ]
            ),
            [Some(5), Some(7), Some(6)]
        );
    }

    #[test]
    fn yaml_sequences_are_found_by_their_first_key() {
        let yaml = "items:\n  - id: a\n    path: /\n  - id: b\n    path: /x\n";
        assert_eq!(
            lines(yaml, true, &["$.items[1].path", "$.items[0]"]),
            [Some(5), Some(2)]
        );
    }
}
