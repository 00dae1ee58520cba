//! The JSONPath subset API Gateway templates use (`$input.path`, `$input.json`), in Jayway's
//! syntax: `$`, `.name`, `['name']`, `[n]` (negative from the end), `[*]`, `.*`, `..name`.
//! A definite path gives one value; a wildcard or deep scan gives a list.
use super::value::{MAX_NESTING, Value};
use crate::checks::budget::charge;

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Name(String),
    Index(i64),
    Wildcard,
    Deep(String),
}

/// A selection stopped before it finished: the command's evaluation budget is spent (deep
/// scans over a large or self-containing document), or it selected more than
/// [`MAX_SELECTED`] values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exhausted;

impl std::fmt::Display for Exhausted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "a JSONPath selection visited more values than the evaluation budget allows or selected more than {MAX_SELECTED}"
        )
    }
}

/// The most values one wildcard or deep scan may select.
pub const MAX_SELECTED: usize = 1_000_000;
/// Steps charged per value a selection visits.
const STEPS_PER_VISIT: u64 = 100;

/// The value at `path` in `root`; `Ok(None)` when the path is missing (or not understood).
pub fn select(root: &Value, path: &str) -> Result<Option<Value>, Exhausted> {
    let Some(steps) = steps(path.trim()) else {
        return Ok(None);
    };
    let definite = !steps
        .iter()
        .any(|s| matches!(s, Step::Wildcard | Step::Deep(_)));
    let mut current = vec![root.clone()];
    for step in &steps {
        let mut next = Vec::new();
        for v in &current {
            apply(v, step, &mut next)?;
        }
        current = next;
    }
    if definite {
        Ok(current.into_iter().next().filter(|v| !v.is_null()))
    } else {
        Ok(Some(Value::list(current, true)))
    }
}

fn visit(out: &[Value]) -> Result<(), Exhausted> {
    if out.len() > MAX_SELECTED || !charge(STEPS_PER_VISIT) {
        return Err(Exhausted);
    }
    Ok(())
}

fn apply(v: &Value, step: &Step, out: &mut Vec<Value>) -> Result<(), Exhausted> {
    visit(out)?;
    match (step, v) {
        (Step::Name(n), Value::Map(m)) => {
            if let Some(x) = m.borrow().get(n) {
                out.push(x.clone());
            }
        }
        (Step::Index(i), Value::List(items, _)) => {
            let items = items.borrow();
            let at = if *i < 0 {
                items.len().checked_sub(i.unsigned_abs() as usize)
            } else {
                Some(*i as usize)
            };
            if let Some(x) = at.and_then(|a| items.get(a)) {
                out.push(x.clone());
            }
        }
        (Step::Wildcard, Value::Map(m)) => {
            let m = m.borrow();
            if !charge(STEPS_PER_VISIT.saturating_mul(m.len() as u64)) {
                return Err(Exhausted);
            }
            out.extend(m.values().cloned())
        }
        (Step::Wildcard, Value::List(items, _)) => {
            let items = items.borrow();
            if !charge(STEPS_PER_VISIT.saturating_mul(items.len() as u64)) {
                return Err(Exhausted);
            }
            out.extend(items.iter().cloned())
        }
        (Step::Deep(n), _) => deep(v, n, out, 0)?,
        _ => {}
    }
    Ok(())
}

/// `..name`, in Jayway's order (a key's value, then what is inside it). A template can make
/// a document hold itself, so the scan stops at [`MAX_NESTING`] levels and is charged per
/// value visited.
fn deep(v: &Value, name: &str, out: &mut Vec<Value>, depth: usize) -> Result<(), Exhausted> {
    if depth > MAX_NESTING {
        return Ok(());
    }
    visit(out)?;
    match v {
        Value::Map(m) => {
            for (k, x) in m.borrow().iter() {
                if &**k == name {
                    out.push(x.clone());
                }
                deep(x, name, out, depth + 1)?;
            }
        }
        Value::List(items, _) => {
            for x in items.borrow().iter() {
                deep(x, name, out, depth + 1)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Where a definite path leaves the document: the part that exists, the key or index that
/// does not, and the existing key nearest to it (same letters in another case, or one or
/// two edits away).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Miss {
    pub found: String,
    pub missing: String,
    pub nearest: Option<String>,
}

/// Why a definite path selects nothing, or None (it selects something, is not definite, or
/// is not understood).
pub fn miss(root: &Value, path: &str) -> Option<Miss> {
    let steps = steps(path.trim())?;
    let mut current = root.clone();
    let mut found = "$".to_string();
    for step in &steps {
        let next = match (step, &current) {
            (Step::Name(n), Value::Map(m)) => match m.borrow().get(n) {
                Some(v) => Some(v.clone()),
                None => {
                    let keys: Vec<String> = m.borrow().keys().map(|k| k.to_string()).collect();
                    return Some(Miss {
                        found,
                        missing: n.clone(),
                        nearest: nearest(n, &keys),
                    });
                }
            },
            (Step::Name(n), _) => {
                return Some(Miss {
                    found,
                    missing: n.clone(),
                    nearest: None,
                });
            }
            (Step::Index(i), Value::List(items, _)) => {
                let items = items.borrow();
                let at = if *i < 0 {
                    items.len().checked_sub(i.unsigned_abs() as usize)
                } else {
                    Some(*i as usize)
                };
                at.and_then(|a| items.get(a)).cloned()
            }
            _ => return None,
        };
        match next {
            Some(v) if !v.is_null() => current = v,
            _ => {
                return Some(Miss {
                    found,
                    missing: match step {
                        Step::Name(n) => n.clone(),
                        Step::Index(i) => format!("[{i}]"),
                        _ => String::new(),
                    },
                    nearest: None,
                });
            }
        }
        match step {
            Step::Name(n) => {
                found.push('.');
                found.push_str(n);
            }
            Step::Index(i) => found.push_str(&format!("[{i}]")),
            _ => {}
        }
    }
    None
}

/// The key most like `wanted`: the same letters in another case, else one at most two
/// edits away.
fn nearest(wanted: &str, keys: &[String]) -> Option<String> {
    if let Some(k) = keys.iter().find(|k| k.eq_ignore_ascii_case(wanted)) {
        return Some(k.clone());
    }
    keys.iter()
        .filter(|k| k.len().abs_diff(wanted.len()) <= 2 && k.len() < 256)
        .map(|k| (edits(&k.to_lowercase(), &wanted.to_lowercase()), k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.clone())
}

/// Levenshtein distance.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

fn steps(path: &str) -> Option<Vec<Step>> {
    let rest = path.strip_prefix('$')?;
    let chars: Vec<char> = rest.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    let name_end = |from: usize| {
        let mut j = from;
        while j < chars.len() && chars[j] != '.' && chars[j] != '[' {
            j += 1;
        }
        j
    };
    while i < chars.len() {
        match chars[i] {
            '.' if chars.get(i + 1) == Some(&'.') => {
                let end = name_end(i + 2);
                let name: String = chars[i + 2..end].iter().collect();
                if name.is_empty() {
                    return None;
                }
                out.push(Step::Deep(name));
                i = end;
            }
            '.' => {
                let end = name_end(i + 1);
                let name: String = chars[i + 1..end].iter().collect();
                match name.as_str() {
                    "" => return None,
                    "*" => out.push(Step::Wildcard),
                    _ => out.push(Step::Name(name)),
                }
                i = end;
            }
            '[' => {
                let close = (i + 1..chars.len()).find(|&j| chars[j] == ']')?;
                let inner: String = chars[i + 1..close].iter().collect();
                let inner = inner.trim();
                if inner == "*" {
                    out.push(Step::Wildcard);
                } else if let Some(q) = inner
                    .strip_prefix('\'')
                    .and_then(|x| x.strip_suffix('\''))
                    .or_else(|| inner.strip_prefix('"').and_then(|x| x.strip_suffix('"')))
                {
                    out.push(Step::Name(q.to_string()));
                } else {
                    out.push(Step::Index(inner.parse().ok()?));
                }
                i = close + 1;
            }
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        Value::from_json(
            &serde_json::from_str(r#"{"a": {"b": [1, 2, {"c": "x"}]}, "n": null, "k-1": 5}"#)
                .unwrap(),
        )
    }

    fn text(d: &Value, path: &str) -> String {
        select(d, path).unwrap().unwrap().render().unwrap()
    }

    #[test]
    fn a_document_that_holds_itself_ends_the_deep_scan() {
        let d = doc();
        if let Value::Map(m) = &d {
            m.borrow_mut().insert("self", d.clone());
        }
        // Each level holds "c" once more: the scan stops at the nesting bound, not the stack.
        let found = select(&d, "$..c").unwrap().unwrap();
        let Value::List(items, _) = found else {
            panic!("a list")
        };
        assert!(items.borrow().len() > 100);
        if let Value::Map(m) = &d {
            m.borrow_mut().shift_remove("self");
        }
    }

    #[test]
    fn a_missing_path_says_where_and_what_is_near() {
        let d = Value::from_json(
            &serde_json::from_str(r#"{"items": [{"Name": "x"}], "count": 1}"#).unwrap(),
        );
        assert_eq!(
            miss(&d, "$.Items"),
            Some(Miss {
                found: "$".into(),
                missing: "Items".into(),
                nearest: Some("items".into())
            })
        );
        let m = miss(&d, "$.items[0].nme").unwrap();
        assert_eq!(
            (m.found.as_str(), m.nearest.as_deref()),
            ("$.items[0]", Some("Name"))
        );
        assert_eq!(miss(&d, "$.items[3]").unwrap().missing, "[3]");
        assert_eq!(miss(&d, "$.count"), None);
        assert_eq!(miss(&d, "$.zzzzzz").unwrap().nearest, None);
    }

    #[test]
    fn definite_and_indefinite_paths() {
        let d = doc();
        assert_eq!(text(&d, "$.a.b[0]"), "1");
        assert_eq!(text(&d, "$.a.b[-1].c"), "x");
        assert_eq!(text(&d, "$['k-1']"), "5");
        assert_eq!(text(&d, "$.a.b"), r#"[1,2,{"c":"x"}]"#);
        assert_eq!(text(&d, "$..c"), r#"["x"]"#);
        assert!(select(&d, "$.missing").unwrap().is_none());
        assert!(select(&d, "$.n").unwrap().is_none());
        assert_eq!(text(&d, "$"), r#"{a={b=[1,2,{"c":"x"}]}, n=null, k-1=5}"#);
    }
}
