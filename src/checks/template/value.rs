//! Template values as Velocity sees Java objects: strings, numbers, booleans, lists and maps,
//! printed the way their Java `toString()` prints them.
//!
//! Every walk over a value is bounded: a template can build collections that hold
//! themselves (`$l.add($l)`), nest a million levels deep, or print to gigabytes, and none of
//! that may overflow the stack or exhaust memory. Printing stops at [`MAX_VALUE`] bytes and
//! [`MAX_NESTING`] levels, and dropping a value is iterative past [`RECURSIVE_DROP`] levels.
use serde_json::Value as Json;
use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::Rc;

/// The largest string or printed collection a template may build: API Gateway's payload
/// quota (10 MB), past which nothing it builds could be sent anyway.
pub const MAX_VALUE: usize = 10 * 1024 * 1024;
/// Collections nested deeper than this are not printed or compared: Java's recursive
/// `toString()` would be near its stack's end, and no mapping template comes close.
pub const MAX_NESTING: usize = 1000;

/// Why a value could not be printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unprintable {
    /// Its text passed [`MAX_VALUE`] bytes.
    TooLarge,
    /// A collection holds itself below its own elements (`$a.add($b)`, `$b.add($a)`), or a
    /// JSON array holds itself: Java's printing recurses until `StackOverflowError`.
    Cycle,
    /// Nested deeper than [`MAX_NESTING`].
    TooDeep,
}

impl std::fmt::Display for Unprintable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unprintable::TooLarge => write!(f, "a value's text passed {MAX_VALUE} bytes"),
            Unprintable::Cycle => {
                f.write_str("a collection contains itself below its own elements")
            }
            Unprintable::TooDeep => {
                write!(f, "a value is nested more than {MAX_NESTING} levels deep")
            }
        }
    }
}

/// A collection's contents, shared as Java shares objects, dropped without deep recursion.
pub struct Shared<T: Holds + Default>(RefCell<T>);

impl<T: Holds + Default> std::ops::Deref for Shared<T> {
    type Target = RefCell<T>;
    fn deref(&self) -> &RefCell<T> {
        &self.0
    }
}

impl<T: Holds + Default + std::fmt::Debug> std::fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.try_borrow() {
            Ok(v) => write!(f, "{} items", v.count()),
            Err(_) => f.write_str("(borrowed)"),
        }
    }
}

/// What a collection holds, so that dropping it can move its elements out.
pub trait Holds {
    fn move_out(&mut self, into: &mut Vec<Value>);
    fn count(&self) -> usize;
}

impl Holds for Vec<Value> {
    fn move_out(&mut self, into: &mut Vec<Value>) {
        into.extend(self.drain(..).filter(Value::holds_any));
    }
    fn count(&self) -> usize {
        self.len()
    }
}

impl Holds for Entries {
    fn move_out(&mut self, into: &mut Vec<Value>) {
        self.index = None;
        into.extend(self.list.drain(..).map(|(_, v)| v).filter(Value::holds_any));
    }
    fn count(&self) -> usize {
        self.len()
    }
}

thread_local! {
    /// How many collections are being dropped, one inside another, on this thread.
    static DROPPING: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Collections nested up to this deep are dropped as Rust drops anything (recursively, the
/// fastest way); deeper ones with a work list.
const RECURSIVE_DROP: usize = 64;

impl<T: Holds + Default> Drop for Shared<T> {
    /// A list nested a million deep would overflow the stack if each level dropped the next:
    /// past [`RECURSIVE_DROP`] levels, elements whose last owner is this collection are moved
    /// to a work list instead.
    fn drop(&mut self) {
        let depth = DROPPING.get();
        if depth < RECURSIVE_DROP {
            DROPPING.set(depth + 1);
            drop(std::mem::take(self.0.get_mut()));
            DROPPING.set(depth);
            return;
        }
        let mut pending = Vec::new();
        self.0.get_mut().move_out(&mut pending);
        while let Some(v) = pending.pop() {
            match v {
                Value::List(l, _) => {
                    if let Some(mut inner) = Rc::into_inner(l) {
                        inner.0.get_mut().move_out(&mut pending);
                    }
                }
                Value::Map(m) => {
                    if let Some(mut inner) = Rc::into_inner(m) {
                        inner.0.get_mut().move_out(&mut pending);
                    }
                }
                _ => {}
            }
        }
    }
}

pub type List = Rc<Shared<Vec<Value>>>;

/// Strings of at most this many bytes are kept inside the value (a [`Value`] is 24 bytes
/// either way): the ids, codes, statuses and names that fill JSON bodies cost no allocation.
const SHORT: usize = 22;

/// A Java string: immutable, shared when copied.
#[derive(Clone)]
pub enum Text {
    /// Up to [`SHORT`] bytes of UTF-8, in place.
    Short { len: u8, bytes: [u8; SHORT] },
    /// A longer string, in one allocation.
    Fixed(Rc<str>),
    /// A string that is grown in place while nothing shares it (`#set($s = "$s...")`), or
    /// the body `$input.body` shares.
    Growing(Rc<String>),
}

impl Text {
    pub fn new(s: &str) -> Text {
        match Text::short(s) {
            Some(t) => t,
            None => Text::Fixed(Rc::from(s)),
        }
    }

    fn short(s: &str) -> Option<Text> {
        let mut bytes = [0; SHORT];
        bytes.get_mut(..s.len())?.copy_from_slice(s.as_bytes());
        Some(Text::Short {
            len: s.len() as u8,
            bytes,
        })
    }

    /// Appends `tail`: in place when this string is not shared and can grow there, else as
    /// a new string of its own (the shared one is left as it was, as Java's strings are).
    /// Returns the bytes written (what the budget charges).
    pub fn push_str(&mut self, tail: &str) -> usize {
        if let Text::Growing(own) = self
            && let Some(own) = Rc::get_mut(own)
        {
            own.push_str(tail);
            return tail.len();
        }
        let mut grown = String::with_capacity(self.len() + tail.len());
        grown.push_str(self);
        grown.push_str(tail);
        let written = grown.len();
        *self = Text::Growing(Rc::new(grown));
        written
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            // Built from a `&str` of `len` bytes (`Text::short`): always valid UTF-8.
            Text::Short { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            Text::Fixed(s) => s,
            Text::Growing(s) => s,
        }
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        match Text::short(&s) {
            Some(t) => t,
            None => Text::Growing(Rc::new(s)),
        }
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        **self == **other
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

/// A map's key: shared, so that the keys a large JSON body repeats in every object are one
/// allocation each (see [`Value::parse_json`]).
pub type Key = Rc<str>;

/// Maps with at most this many entries are searched in order; larger ones keep an index.
const SMALL: usize = 8;

/// A map's entries in insertion order, as `java.util.LinkedHashMap` and API Gateway's JSON
/// objects keep them. Most maps are small (a JSON object's few keys), and a list searched in
/// order beats any hash table there; past [`SMALL`] entries an index by key, hashed with
/// foldhash, is kept beside the list (SipHash's DoS resistance buys nothing for one
/// command's own input).
#[derive(Clone, Default)]
pub struct Entries {
    list: Vec<(Key, Value)>,
    index: Option<Box<Index>>,
}

type Index = std::collections::HashMap<Key, usize, foldhash::fast::RandomState>;

impl std::fmt::Debug for Entries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Entries {
    /// Entries read in order, a later key replacing an earlier one's value in its place.
    pub(super) fn from_list(list: Vec<(Key, Value)>) -> Entries {
        let mut entries = Entries { list, index: None };
        let unique = if entries.list.len() <= SMALL {
            let l = &entries.list;
            (1..l.len()).all(|i| l[..i].iter().all(|(k, _)| k != &l[i].0))
        } else {
            entries.reindex();
            entries
                .index
                .as_ref()
                .is_some_and(|i| i.len() == entries.list.len())
        };
        if !unique {
            let list = std::mem::take(&mut entries.list);
            entries.index = None;
            for (k, v) in list {
                entries.insert(k, v);
            }
        }
        entries
    }

    fn reindex(&mut self) {
        self.index = (self.list.len() > SMALL).then(|| {
            let mut index = Index::with_capacity_and_hasher(self.list.len(), Default::default());
            for (n, (k, _)) in self.list.iter().enumerate() {
                index.entry(k.clone()).or_insert(n);
            }
            Box::new(index)
        });
    }

    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.list.iter().position(|(k, _)| &**k == key),
        }
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.position(key).map(|n| &self.list[n].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// Sets `key`; an existing key keeps its place (LinkedHashMap's `put`). The old value.
    pub fn insert(&mut self, key: impl Into<Key>, value: Value) -> Option<Value> {
        let key = key.into();
        if let Some(n) = self.position(&key) {
            return Some(std::mem::replace(&mut self.list[n].1, value));
        }
        let n = self.list.len();
        if let Some(index) = &mut self.index {
            index.insert(key.clone(), n);
        }
        self.list.push((key, value));
        if self.index.is_none() && self.list.len() > SMALL {
            self.reindex();
        }
        None
    }

    /// Removes `key`, the others keeping their order. Its value.
    pub fn shift_remove(&mut self, key: &str) -> Option<Value> {
        let n = self.position(key)?;
        let (_, v) = self.list.remove(n);
        if self.index.is_some() {
            self.reindex();
        }
        Some(v)
    }

    pub fn clear(&mut self) {
        self.list.clear();
        self.index = None;
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Key, &Value)> {
        self.list.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.list.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.list.iter().map(|(_, v)| v)
    }
}

impl<K: Into<Key>> FromIterator<(K, Value)> for Entries {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(iter: I) -> Entries {
        Entries::from_list(iter.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

pub type Map = Rc<Shared<Entries>>;

#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Bool(bool),
    /// Java Integer and Long (arithmetic widens to long, as Velocity does).
    Int(i64),
    Double(f64),
    /// Shared, and grown in place when not shared: `#set($s = "$s...")` appends to the
    /// one copy instead of copying the whole string every time.
    Str(Text),
    /// A java.util.List; `json` when it came from a JSON document (`$input.path`,
    /// `$util.parseJson`), whose arrays print as compact JSON, as API Gateway prints them.
    List(List, bool),
    /// A java.util.Map (insertion order), printed `{k=v, k2=v2}`.
    Map(Map),
    /// A built-in object (`$input`, `$util`, `$context` pieces, `$foreach`): its name.
    Object(Rc<str>),
}

/// The collections being printed, outermost first, for cycle and depth checks.
type Parents = Vec<*const ()>;

impl Value {
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(Text::from(s.into()))
    }

    /// A string value from borrowed text (a short one costs no allocation).
    pub fn text(s: &str) -> Value {
        Value::Str(Text::new(s))
    }

    pub fn list(items: Vec<Value>, json: bool) -> Value {
        Value::List(Rc::new(Shared(RefCell::new(items))), json)
    }

    pub fn map(entries: Entries) -> Value {
        Value::Map(Rc::new(Shared(RefCell::new(entries))))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Velocity's truth: null and false are false, everything else is true (1.7).
    pub fn truthy(&self) -> bool {
        !matches!(self, Value::Null | Value::Bool(false))
    }

    /// Whether dropping this may drop a collection (what an iterative drop must set aside).
    fn holds_any(&self) -> bool {
        matches!(self, Value::List(..) | Value::Map(_))
    }

    /// The collection's identity (Java's `==` on objects), for cycle checks.
    fn identity(&self) -> Option<*const ()> {
        match self {
            Value::List(l, _) => Some(Rc::as_ptr(l) as *const ()),
            Value::Map(m) => Some(Rc::as_ptr(m) as *const ()),
            _ => None,
        }
    }

    /// The text's length when this is a string (what a string method scans).
    pub fn text_len(&self) -> usize {
        match self {
            Value::Str(s) => s.len(),
            _ => 0,
        }
    }

    /// What Java's `String.valueOf` prints.
    pub fn render(&self) -> Result<String, Unprintable> {
        let mut out = String::new();
        self.render_into(&mut out)?;
        Ok(out)
    }

    /// Appends what Java's `String.valueOf` prints; stops once `out` passes [`MAX_VALUE`].
    pub fn render_into(&self, out: &mut String) -> Result<(), Unprintable> {
        self.print(out, &mut Vec::new(), false)
    }

    fn print(
        &self,
        out: &mut String,
        parents: &mut Parents,
        element: bool,
    ) -> Result<(), Unprintable> {
        match self {
            // An element inside a collection's `toString()`: Java prints `null` there.
            Value::Null if element => out.push_str("null"),
            Value::Null | Value::Object(_) => {}
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Double(d) => out.push_str(&java_double(*d)),
            Value::Str(s) => out.push_str(s),
            Value::List(_, true) => self.json(out, parents)?,
            Value::List(items, false) => {
                let me = enter(parents, self)?;
                out.push('[');
                for (n, v) in items.borrow().iter().enumerate() {
                    if n > 0 {
                        out.push_str(", ");
                    }
                    // AbstractCollection.toString prints a direct self-reference so.
                    if v.identity() == Some(me) {
                        out.push_str("(this Collection)");
                    } else {
                        v.print(out, parents, true)?;
                    }
                    fits(out)?;
                }
                out.push(']');
                parents.pop();
            }
            Value::Map(m) => {
                let me = enter(parents, self)?;
                out.push('{');
                for (n, (k, v)) in m.borrow().iter().enumerate() {
                    if n > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(k);
                    out.push('=');
                    if v.identity() == Some(me) {
                        out.push_str("(this Map)");
                    } else {
                        v.print(out, parents, true)?;
                    }
                    fits(out)?;
                }
                out.push('}');
                parents.pop();
            }
        }
        fits(out)
    }

    /// Compact JSON text, as API Gateway prints JSON arrays and `$input.json` results.
    pub fn json_text(&self) -> Result<String, Unprintable> {
        let mut out = String::new();
        self.json(&mut out, &mut Vec::new())?;
        Ok(out)
    }

    fn json(&self, out: &mut String, parents: &mut Parents) -> Result<(), Unprintable> {
        match self {
            Value::Null | Value::Object(_) => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Double(d) => match serde_json::Number::from_f64(*d) {
                Some(n) => {
                    let _ = write!(out, "{n}");
                }
                None => out.push_str("null"),
            },
            Value::Str(s) => json_string(s, out),
            Value::List(items, _) => {
                enter(parents, self)?;
                out.push('[');
                for (n, v) in items.borrow().iter().enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    v.json(out, parents)?;
                    fits(out)?;
                }
                out.push(']');
                parents.pop();
            }
            Value::Map(m) => {
                enter(parents, self)?;
                out.push('{');
                for (n, (k, v)) in m.borrow().iter().enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    json_string(k, out);
                    out.push(':');
                    v.json(out, parents)?;
                    fits(out)?;
                }
                out.push('}');
                parents.pop();
            }
        }
        fits(out)
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
            Json::String(s) => Value::text(s),
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
        super::reading::parse(text)
    }

    /// As a serde_json value (for reports): its JSON text read back, or that text as a string
    /// when it cannot be read back (nested past serde_json's depth limit).
    pub fn to_json(&self) -> Result<Json, Unprintable> {
        let text = self.json_text()?;
        Ok(serde_json::from_str(&text).unwrap_or(Json::String(text)))
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

/// Enters a collection for printing: refused when it is already being printed further out
/// (a cycle) or the nesting is too deep.
fn enter(parents: &mut Parents, v: &Value) -> Result<*const (), Unprintable> {
    let me = v.identity().unwrap_or(std::ptr::null());
    if parents.contains(&me) {
        return Err(Unprintable::Cycle);
    }
    if parents.len() >= MAX_NESTING {
        return Err(Unprintable::TooDeep);
    }
    parents.push(me);
    Ok(me)
}

fn fits(out: &str) -> Result<(), Unprintable> {
    if out.len() > MAX_VALUE {
        Err(Unprintable::TooLarge)
    } else {
        Ok(())
    }
}

/// A JSON string literal, escaped as serde_json escapes it.
fn json_string(s: &str, out: &mut String) {
    out.push('"');
    let mut clean = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[clean..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(escape);
        }
        clean = i + 1;
    }
    out.push_str(&s[clean..]);
    out.push('"');
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

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(e: &Entries) -> Vec<String> {
        e.keys().map(|k| k.to_string()).collect()
    }

    #[test]
    fn entries_keep_insertion_order_below_and_above_the_indexed_size() {
        for n in [3, SMALL, SMALL + 1, 40] {
            let mut e = Entries::default();
            for i in (0..n).rev() {
                assert!(e.insert(format!("k{i}"), Value::Int(i as i64)).is_none());
            }
            let expected: Vec<String> = (0..n).rev().map(|i| format!("k{i}")).collect();
            assert_eq!(keys(&e), expected, "{n} entries");
            assert_eq!(e.index.is_some(), n > SMALL, "{n} entries");
            // Replacing keeps the place (LinkedHashMap's put), and returns the old value.
            let old = e.insert("k1", Value::str("one"));
            assert!(matches!(old, Some(Value::Int(1))));
            assert_eq!(keys(&e), expected);
            assert_eq!(e.get("k1").unwrap().render().unwrap(), "one");
            assert!(e.contains_key("k0") && !e.contains_key("k-1") && e.get("nope").is_none());
            // Removing shifts the rest, and lookups still find them.
            assert!(matches!(e.shift_remove("k2"), Some(Value::Int(2))));
            assert_eq!(e.shift_remove("k2").map(|_| ()), None);
            let rest: Vec<String> = expected.iter().filter(|k| *k != "k2").cloned().collect();
            assert_eq!(keys(&e), rest);
            for (i, k) in rest.iter().enumerate() {
                assert_eq!(e.get(k).map(|_| ()), Some(()), "{k} after removal");
                assert_eq!(e.keys().nth(i).map(|k| k.to_string()).as_ref(), Some(k));
            }
            assert_eq!(e.len(), n - 1);
            e.clear();
            assert!(e.is_empty() && e.get("k0").is_none());
        }
    }

    proptest::proptest! {
        /// Any sequence of puts and removes leaves the same entries, in the same order, as
        /// an insertion-ordered map (indexmap's `insert` and `shift_remove`).
        #[test]
        fn entries_behave_as_an_insertion_ordered_map(
            ops in proptest::collection::vec((0u8..24, proptest::bool::ANY), 0..120)
        ) {
            let mut ours = Entries::default();
            let mut model: indexmap::IndexMap<String, i64> = indexmap::IndexMap::new();
            for (n, (key, put)) in ops.into_iter().enumerate() {
                let key = format!("k{key}");
                if put {
                    let old = ours.insert(key.as_str(), Value::Int(n as i64));
                    let expected = model.insert(key.clone(), n as i64);
                    proptest::prop_assert_eq!(
                        old.and_then(|v| v.as_number()).map(|x| x.as_f64() as i64),
                        expected
                    );
                } else {
                    let old = ours.shift_remove(&key).and_then(|v| v.as_number());
                    let expected = model.shift_remove(&key);
                    proptest::prop_assert_eq!(old.map(|x| x.as_f64() as i64), expected);
                }
                proptest::prop_assert_eq!(keys(&ours), model.keys().cloned().collect::<Vec<_>>());
                for k in model.keys() {
                    proptest::prop_assert!(ours.contains_key(k));
                }
                proptest::prop_assert_eq!(ours.index.is_some(), ours.len() > SMALL);
            }
        }
    }

    #[test]
    fn a_repeated_json_key_keeps_its_first_place_and_its_last_value() {
        // As serde_json's preserve_order map (and Jayway's LinkedHashMap) read it.
        for text in [
            r#"{"a": 1, "b": 2, "a": 3}"#.to_string(),
            format!(
                "{{{}, \"k3\": \"again\"}}",
                (0..20)
                    .map(|i| format!("\"k{i}\": {i}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ] {
            let ours = Value::parse_json(&text).unwrap();
            let theirs: Json = serde_json::from_str(&text).unwrap();
            assert_eq!(
                ours.json_text().unwrap(),
                serde_json::to_string(&theirs).unwrap()
            );
        }
    }

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
            Value::from_json(&json).render().unwrap(),
            r#"{statusCode=200, body=x, a=[{"b":1}], n=null}"#
        );
        let plain = Value::list(vec![Value::Int(1), Value::str("a"), Value::Null], false);
        assert_eq!(plain.render().unwrap(), "[1, a, null]");
    }

    #[test]
    fn collections_that_hold_themselves_print_as_java_or_refuse() {
        let l = Value::list(vec![Value::Int(1)], false);
        if let Value::List(items, _) = &l {
            items.borrow_mut().push(l.clone());
        }
        assert_eq!(l.render().unwrap(), "[1, (this Collection)]");
        let m = Value::map(Entries::default());
        if let Value::Map(e) = &m {
            e.borrow_mut().insert("me", m.clone());
        }
        assert_eq!(m.render().unwrap(), "{me=(this Map)}");
        // Two levels: Java recurses until StackOverflowError.
        let outer = Value::list(vec![], false);
        let inner = Value::list(vec![outer.clone()], false);
        if let Value::List(items, _) = &outer {
            items.borrow_mut().push(inner.clone());
        }
        assert_eq!(outer.render(), Err(Unprintable::Cycle));
        assert_eq!(l.json_text(), Err(Unprintable::Cycle));
        // Break the cycles so the test does not leak.
        for v in [&l, &outer] {
            if let Value::List(items, _) = v {
                items.borrow_mut().clear();
            }
        }
        if let Value::Map(e) = &m {
            e.borrow_mut().clear();
        }
    }

    #[test]
    fn deep_and_large_values_are_bounded_and_drop_without_recursion() {
        let mut v = Value::Null;
        for _ in 0..1_000_000 {
            v = Value::list(vec![v], false);
        }
        assert_eq!(v.render(), Err(Unprintable::TooDeep));
        drop(v);
        let big = Value::str("x".repeat(MAX_VALUE / 4));
        let wide = Value::list(vec![big; 5], false);
        assert_eq!(wide.render(), Err(Unprintable::TooLarge));
        assert_eq!(wide.json_text(), Err(Unprintable::TooLarge));
    }

    #[test]
    fn json_text_escapes_as_serde_json() {
        let s = "a\"b\\c\n\u{1}\u{7f}é/";
        assert_eq!(
            Value::str(s).json_text().unwrap(),
            serde_json::to_string(s).unwrap()
        );
        let d = Value::Double(1.5e300);
        assert_eq!(
            d.json_text().unwrap(),
            serde_json::to_string(&1.5e300).unwrap()
        );
    }
}
