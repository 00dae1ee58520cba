//! The JSONPath subset API Gateway templates use (`$input.path`, `$input.json`), in Jayway's
//! syntax: `$`, `.name`, `['name']`, `[n]` (negative from the end), `[*]`, `.*`, `..name`.
//! A definite path gives one value; a wildcard or deep scan gives a list.
use super::value::Value;

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Name(String),
    Index(i64),
    Wildcard,
    Deep(String),
}

/// The value at `path` in `root`; `None` when the path is missing (or not understood).
pub fn select(root: &Value, path: &str) -> Option<Value> {
    let steps = steps(path.trim())?;
    let definite = !steps
        .iter()
        .any(|s| matches!(s, Step::Wildcard | Step::Deep(_)));
    let mut current = vec![root.clone()];
    for step in &steps {
        let mut next = Vec::new();
        for v in &current {
            apply(v, step, &mut next);
        }
        current = next;
    }
    if definite {
        current.into_iter().next().filter(|v| !v.is_null())
    } else {
        Some(Value::list(current, true))
    }
}

fn apply(v: &Value, step: &Step, out: &mut Vec<Value>) {
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
        (Step::Wildcard, Value::Map(m)) => out.extend(m.borrow().values().cloned()),
        (Step::Wildcard, Value::List(items, _)) => out.extend(items.borrow().iter().cloned()),
        (Step::Deep(n), _) => deep(v, n, out),
        _ => {}
    }
}

fn deep(v: &Value, name: &str, out: &mut Vec<Value>) {
    match v {
        Value::Map(m) => {
            for (k, x) in m.borrow().iter() {
                if k == name {
                    out.push(x.clone());
                }
                deep(x, name, out);
            }
        }
        Value::List(items, _) => {
            for x in items.borrow().iter() {
                deep(x, name, out);
            }
        }
        _ => {}
    }
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

    #[test]
    fn definite_and_indefinite_paths() {
        let d = doc();
        assert_eq!(select(&d, "$.a.b[0]").unwrap().render(), "1");
        assert_eq!(select(&d, "$.a.b[-1].c").unwrap().render(), "x");
        assert_eq!(select(&d, "$['k-1']").unwrap().render(), "5");
        assert_eq!(select(&d, "$.a.b").unwrap().render(), r#"[1,2,{"c":"x"}]"#);
        assert_eq!(select(&d, "$..c").unwrap().render(), r#"["x"]"#);
        assert!(select(&d, "$.missing").is_none());
        assert!(select(&d, "$.n").is_none());
        assert_eq!(
            select(&d, "$").unwrap().render(),
            r#"{a={b=[1,2,{"c":"x"}]}, n=null, k-1=5}"#
        );
    }
}
