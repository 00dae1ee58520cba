//! Template values as Velocity sees Java objects: strings, numbers, booleans, lists and maps,
//! printed the way their Java `toString()` prints them.
use indexmap::IndexMap;
use serde_json::Value as Json;
use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::Rc;

pub type List = Rc<RefCell<Vec<Value>>>;
pub type Map = Rc<RefCell<IndexMap<String, Value>>>;

#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Bool(bool),
    /// Java Integer and Long (arithmetic widens to long, as Velocity does).
    Int(i64),
    Double(f64),
    Str(Rc<str>),
    /// A java.util.List; `json` when it came from a JSON document (`$input.path`,
    /// `$util.parseJson`), whose arrays print as compact JSON, as API Gateway prints them.
    List(List, bool),
    /// A java.util.Map (insertion order), printed `{k=v, k2=v2}`.
    Map(Map),
    /// A built-in object (`$input`, `$util`, `$context` pieces, `$foreach`): its name.
    Object(Rc<str>),
}

impl Value {
    pub fn str(s: impl Into<Rc<str>>) -> Value {
        Value::Str(s.into())
    }

    pub fn list(items: Vec<Value>, json: bool) -> Value {
        Value::List(Rc::new(RefCell::new(items)), json)
    }

    pub fn map(entries: IndexMap<String, Value>) -> Value {
        Value::Map(Rc::new(RefCell::new(entries)))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Velocity's truth: null and false are false, everything else is true (1.7).
    pub fn truthy(&self) -> bool {
        !matches!(self, Value::Null | Value::Bool(false))
    }

    /// What Java's `String.valueOf` prints.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.render_into(&mut out);
        out
    }

    pub fn render_into(&self, out: &mut String) {
        match self {
            Value::Null => {}
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Double(d) => out.push_str(&java_double(*d)),
            Value::Str(s) => out.push_str(s),
            Value::List(items, json) => {
                if *json {
                    out.push_str(&self.to_json().to_string());
                    return;
                }
                out.push('[');
                for (n, v) in items.borrow().iter().enumerate() {
                    if n > 0 {
                        out.push_str(", ");
                    }
                    v.render_element(out);
                }
                out.push(']');
            }
            Value::Map(m) => {
                out.push('{');
                for (n, (k, v)) in m.borrow().iter().enumerate() {
                    if n > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(k);
                    out.push('=');
                    v.render_element(out);
                }
                out.push('}');
            }
            Value::Object(_) => {}
        }
    }

    /// An element inside a collection's `toString()`: Java prints `null` there.
    fn render_element(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            other => other.render_into(out),
        }
    }

    /// From parsed JSON: objects become Maps, arrays JSON lists, numbers Integer/Long when
    /// integral (as Jayway's JSON provider gives them), else Double.
    pub fn from_json(json: &Json) -> Value {
        match json {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Double(n.as_f64().unwrap_or(f64::NAN)),
            },
            Json::String(s) => Value::str(s.as_str()),
            Json::Array(a) => Value::list(a.iter().map(Value::from_json).collect(), true),
            Json::Object(o) => Value::map(
                o.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Parses JSON text straight into template values (one pass, no serde_json::Value).
    pub fn parse_json(text: &str) -> Result<Value, serde_json::Error> {
        serde_json::from_str(text)
    }

    pub fn to_json(&self) -> Json {
        match self {
            Value::Null | Value::Object(_) => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Double(d) => serde_json::Number::from_f64(*d).map_or(Json::Null, Json::Number),
            Value::Str(s) => Json::String(s.to_string()),
            Value::List(items, _) => {
                Json::Array(items.borrow().iter().map(Value::to_json).collect())
            }
            Value::Map(m) => Json::Object(
                m.borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    pub fn as_number(&self) -> Option<Number> {
        match self {
            Value::Int(i) => Some(Number::Int(*i)),
            Value::Double(d) => Some(Number::Double(*d)),
            _ => None,
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "Boolean",
            Value::Int(_) => "Integer",
            Value::Double(_) => "Double",
            Value::Str(_) => "String",
            Value::List(..) => "List",
            Value::Map(_) => "Map",
            Value::Object(_) => "Object",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Number {
    Int(i64),
    Double(f64),
}

impl Number {
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Double(d) => d,
        }
    }
}

/// Java's `Double.toString`: at least one fractional digit, scientific notation outside
/// [10^-3, 10^7), the shortest digits that read back as the same double.
pub fn java_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if d == 0.0 {
        return if d.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let abs = d.abs();
    if (1e-3..1e7).contains(&abs) {
        let s = format!("{d}");
        return if s.contains('.') { s } else { format!("{s}.0") };
    }
    // Scientific: Rust's `{:e}` gives the shortest digits as `1.5e20` / `1e-5`.
    let s = format!("{d:e}");
    let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
    let mantissa = if mantissa.contains('.') {
        mantissa.to_string()
    } else {
        format!("{mantissa}.0")
    };
    format!("{mantissa}E{exponent}")
}

impl<'de> serde::Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> serde::de::Visitor<'de> for JsonVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Int(i))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        Ok(i64::try_from(u).map_or(Value::Double(u as f64), Value::Int))
    }
    fn visit_f64<E>(self, d: f64) -> Result<Value, E> {
        Ok(Value::Double(d))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::str(s))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(v) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::list(items, true))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = IndexMap::with_capacity(map.size_hint().unwrap_or(0).min(4096));
        while let Some((k, v)) = map.next_entry::<String, Value>()? {
            entries.insert(k, v);
        }
        Ok(Value::map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_as_java_prints_them() {
        assert_eq!(java_double(1.0), "1.0");
        assert_eq!(java_double(2.5), "2.5");
        assert_eq!(java_double(1e20), "1.0E20");
        assert_eq!(java_double(1.5e-5), "1.5E-5");
        assert_eq!(java_double(1234567.0), "1234567.0");
        assert_eq!(java_double(12345678.0), "1.2345678E7");
        assert_eq!(java_double(0.001), "0.001");
        assert_eq!(java_double(-0.0), "-0.0");
    }

    #[test]
    fn parsing_straight_to_values_matches_the_serde_json_route() {
        let text = r#"{"a": [1, 2.5, "x", null, {"b": true}], "big": 18446744073709551615}"#;
        let direct = Value::parse_json(text).unwrap();
        let via = Value::from_json(&serde_json::from_str(text).unwrap());
        assert_eq!(direct.render(), via.render());
    }

    #[test]
    fn collections_print_as_java_and_json_arrays_as_json() {
        let json: Json =
            serde_json::from_str(r#"{"statusCode": 200, "body": "x", "a": [{"b": 1}], "n": null}"#)
                .unwrap();
        assert_eq!(
            Value::from_json(&json).render(),
            r#"{statusCode=200, body=x, a=[{"b":1}], n=null}"#
        );
        let plain = Value::list(vec![Value::Int(1), Value::str("a"), Value::Null], false);
        assert_eq!(plain.render(), "[1, a, null]");
    }
}
