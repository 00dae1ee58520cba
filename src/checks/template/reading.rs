//! Reading JSON text into template values: one pass, keys shared across objects, each
//! collection allocated once at its exact size.
//!
//! A reader of our own takes the text first: it reads the JSON grammar into values, with no
//! serde layers between the bytes and the values, and hands serde_json each token it does
//! not take itself (a string with escapes, a number it cannot convert exactly), so that
//! every value is the one serde_json reads. Whatever it does not accept (any error, above
//! all, and deep nesting) is read again, whole, by serde_json: it decides, and its error
//! names the line and column.
use super::value::{Entries, Key, Value};
use serde::de::DeserializeSeed;

/// Reads JSON text (RFC 8259, as serde_json reads it) into template values.
pub(super) fn parse(text: &str) -> Result<Value, serde_json::Error> {
    let mut fast = Fast {
        text,
        at: 0,
        nesting: 0,
        reading: Reading::default(),
    };
    if let Some(v) = fast.document() {
        return Ok(v);
    }
    drop(fast);
    parse_with_serde(text)
}

fn parse_with_serde(text: &str) -> Result<Value, serde_json::Error> {
    let mut d = serde_json::Deserializer::from_str(text);
    let v = Seed(&mut Reading::default()).deserialize(&mut d)?;
    d.end()?;
    Ok(v)
}

/// Arrays and objects nested deeper than this are left to serde_json (its limit is 128).
const FAST_NESTING: usize = 100;

/// The bytes that end a run of plain string text: the quote, the backslash, and the control
/// characters JSON does not allow in a string.
static STRING_STOP: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = true;
        b += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// Powers of ten a double holds exactly.
const EXACT_POWERS: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The fast reader: `None` for anything it does not take.
struct Fast<'de> {
    text: &'de str,
    at: usize,
    nesting: usize,
    reading: Reading<'de>,
}

impl<'de> Fast<'de> {
    fn document(&mut self) -> Option<Value> {
        let v = self.value()?;
        self.skip_space();
        (self.at == self.text.len()).then_some(v)
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// Moves past `byte` after any space, or refuses.
    fn expect(&mut self, byte: u8) -> Option<()> {
        self.skip_space();
        (self.peek()? == byte).then(|| self.at += 1)
    }

    fn value(&mut self) -> Option<Value> {
        self.skip_space();
        match self.peek()? {
            b'{' => self.object(),
            b'[' => self.array(),
            b'"' => Some(match self.string()? {
                Ok(plain) => Value::text(plain),
                Err(decoded) => Value::text(&decoded),
            }),
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'n' => self.literal("null", Value::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> Option<Value> {
        self.text[self.at..].starts_with(word).then(|| {
            self.at += word.len();
            v
        })
    }

    /// A string at the quote: its text when it has no escapes, else what serde_json
    /// decodes.
    fn string(&mut self) -> Option<Result<&'de str, String>> {
        let bytes = self.text.as_bytes();
        let open = self.at;
        let mut at = open + 1;
        let mut escaped = false;
        loop {
            while !STRING_STOP[usize::from(*bytes.get(at)?)] {
                at += 1;
            }
            match bytes[at] {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    at += 2;
                }
                _ => return None,
            }
        }
        self.at = at + 1;
        if escaped {
            serde_json::from_str::<String>(&self.text[open..=at])
                .ok()
                .map(Err)
        } else {
            Some(Ok(&self.text[open + 1..at]))
        }
    }

    /// A number: integers of up to 18 digits and decimals a double holds exactly are
    /// converted here, as serde_json converts them; any other number is serde_json's.
    fn number(&mut self) -> Option<Value> {
        let bytes = self.text.as_bytes();
        let start = self.at;
        let negative = bytes[start] == b'-';
        let mut at = start + usize::from(negative);
        let digits = |at: &mut usize| {
            let from = *at;
            while bytes.get(*at).is_some_and(u8::is_ascii_digit) {
                *at += 1;
            }
            *at - from
        };
        let whole = at;
        let whole_digits = digits(&mut at);
        if whole_digits == 0 || (bytes[whole] == b'0' && whole_digits > 1) {
            return None;
        }
        let mut fraction_digits = 0;
        if bytes.get(at) == Some(&b'.') {
            at += 1;
            fraction_digits = digits(&mut at);
            if fraction_digits == 0 {
                return None;
            }
        }
        let exponent = matches!(bytes.get(at), Some(b'e' | b'E'));
        if exponent {
            at += 1;
            if let Some(b'+' | b'-') = bytes.get(at) {
                at += 1;
            }
            if digits(&mut at) == 0 {
                return None;
            }
        }
        self.at = at;
        let significand = |digits: &[u8]| {
            digits
                .iter()
                .filter(|b| b.is_ascii_digit())
                .fold(0u64, |n, b| n * 10 + u64::from(b - b'0'))
        };
        let text = &bytes[whole..at];
        if !exponent && whole_digits + fraction_digits <= 15 {
            let n = significand(text);
            if fraction_digits == 0 && !(negative && n == 0) {
                let n = n as i64;
                return Some(Value::Int(if negative { -n } else { n }));
            }
            if fraction_digits > 0 {
                // Both exact, so the quotient is the correctly rounded double: serde_json's
                // own fast path.
                let d = n as f64 / EXACT_POWERS[fraction_digits];
                return Some(Value::Double(if negative { -d } else { d }));
            }
        }
        let mut d = serde_json::Deserializer::from_str(&self.text[start..at]);
        Seed(&mut self.reading).deserialize(&mut d).ok()
    }

    fn array(&mut self) -> Option<Value> {
        self.at += 1;
        self.enter()?;
        let start = self.reading.items.len();
        if !self.closed(b']') {
            loop {
                let v = self.value()?;
                self.reading.items.push(v);
                if !self.more(b']')? {
                    break;
                }
            }
        }
        self.nesting -= 1;
        Some(self.reading.list_since(start))
    }

    fn object(&mut self) -> Option<Value> {
        self.at += 1;
        self.enter()?;
        let start = self.reading.entries.len();
        let depth = self.reading.depth;
        self.reading.depth += 1;
        if !self.closed(b'}') {
            loop {
                self.skip_space();
                if self.peek()? != b'"' {
                    return None;
                }
                let slot = Reading::slot(depth, self.reading.entries.len() - start);
                let k = match self.string()? {
                    Ok(plain) => self.reading.key(plain, slot),
                    Err(decoded) => Key::from(decoded),
                };
                self.expect(b':')?;
                let v = self.value()?;
                self.reading.entries.push((k, v));
                if !self.more(b'}')? {
                    break;
                }
            }
        }
        self.reading.depth = depth;
        self.nesting -= 1;
        Some(self.reading.map_since(start))
    }

    /// Whether the collection just opened closes at once (`[]`, `{}`): moves past `close`.
    fn closed(&mut self, close: u8) -> bool {
        self.skip_space();
        let closed = self.peek() == Some(close);
        self.at += usize::from(closed);
        closed
    }

    /// After an item: whether another follows (a comma), or the collection ends at `close`;
    /// anything else is refused.
    fn more(&mut self, close: u8) -> Option<bool> {
        self.skip_space();
        let next = self.peek()?;
        self.at += 1;
        match next {
            b',' => Some(true),
            _ if next == close => Some(false),
            _ => None,
        }
    }

    fn enter(&mut self) -> Option<()> {
        self.nesting += 1;
        (self.nesting <= FAST_NESTING).then_some(())
    }
}

impl<'de> serde::Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        serde::de::DeserializeSeed::deserialize(Seed(&mut Reading::default()), d)
    }
}

/// Keys longer than this are not shared (object keys are names; a long one is data).
const MAX_SHARED_KEY: usize = 64;
/// At most this many distinct keys are shared per document, so that a body of a million
/// distinct keys costs no more than it would unshared.
const MAX_SHARED_KEYS: usize = 4096;

/// What reading one JSON text shares across its objects and arrays.
#[derive(Default)]
struct Reading<'de> {
    /// The keys read so far, by their text in the input: an object's key, repeated in
    /// thousands of objects, is one allocation.
    keys: std::collections::HashMap<&'de str, Key, foldhash::fast::RandomState>,
    /// The entries and items of the objects and arrays being read, innermost last: each
    /// collection is then allocated once, at its exact size, when it is complete.
    entries: Vec<(Key, Value)>,
    items: Vec<Value>,
    /// How many objects are open.
    depth: usize,
    /// The key last read at each position of the objects at each of the first few depths:
    /// the objects of an array mostly repeat one another's keys in the same order, and the
    /// key found here costs no hashing.
    recent: [Option<Key>; RECENT_DEPTHS * RECENT_POSITIONS],
}

const RECENT_DEPTHS: usize = 4;
const RECENT_POSITIONS: usize = 8;

impl<'de> Reading<'de> {
    /// The slot in [`Reading::recent`] of the key at `position` in an object inside `depth`
    /// others.
    fn slot(depth: usize, position: usize) -> Option<usize> {
        (depth < RECENT_DEPTHS && position < RECENT_POSITIONS)
            .then_some(depth * RECENT_POSITIONS + position)
    }

    /// The array whose items were read since `items` held `start`: allocated once, at its
    /// size.
    fn list_since(&mut self, start: usize) -> Value {
        Value::list(self.items.drain(start..).collect(), true)
    }

    /// The object whose entries were read since `entries` held `start`.
    fn map_since(&mut self, start: usize) -> Value {
        Value::map(Entries::from_list(self.entries.drain(start..).collect()))
    }

    /// An object key that has no escapes, shared with the same key elsewhere.
    fn key(&mut self, s: &'de str, slot: Option<usize>) -> Key {
        if s.len() > MAX_SHARED_KEY {
            return Key::from(s);
        }
        if let Some(Some(k)) = slot.map(|i| &self.recent[i])
            && **k == *s
        {
            return k.clone();
        }
        let k = match self.keys.get(s) {
            Some(k) => k.clone(),
            None => {
                let k = Key::from(s);
                if self.keys.len() < MAX_SHARED_KEYS {
                    self.keys.insert(s, k.clone());
                }
                k
            }
        };
        if let Some(i) = slot {
            self.recent[i] = Some(k.clone());
        }
        k
    }
}

/// Reads one JSON value.
struct Seed<'r, 'de>(&'r mut Reading<'de>);

/// Reads one object key: the reading, and the key's slot in [`Reading::recent`].
struct KeySeed<'r, 'de>(&'r mut Reading<'de>, Option<usize>);

impl<'de> serde::de::DeserializeSeed<'de> for Seed<'_, 'de> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for KeySeed<'_, 'de> {
    type Value = Key;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for KeySeed<'_, 'de> {
    type Value = Key;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object key")
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key, E> {
        Ok(self.0.key(s, self.1))
    }
    fn visit_str<E>(self, s: &str) -> Result<Key, E> {
        Ok(Key::from(s))
    }
}

impl<'de> serde::de::Visitor<'de> for Seed<'_, 'de> {
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
        Ok(Value::text(s))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let start = self.0.items.len();
        while let Some(v) = seq.next_element_seed(Seed(&mut *self.0))? {
            self.0.items.push(v);
        }
        Ok(self.0.list_since(start))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let start = self.0.entries.len();
        let depth = self.0.depth;
        self.0.depth += 1;
        loop {
            let slot = Reading::slot(depth, self.0.entries.len() - start);
            let Some(k) = map.next_key_seed(KeySeed(&mut *self.0, slot))? else {
                break;
            };
            let v = map.next_value_seed(Seed(&mut *self.0))?;
            self.0.entries.push((k, v));
        }
        self.0.depth = depth;
        Ok(self.0.map_since(start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::rc::Rc;

    /// The fast reader's value (or error) and serde_json's, as text that tells every
    /// difference apart: Integer from Double, key order, string contents.
    fn both(text: &str) -> (Result<String, String>, Result<String, String>) {
        let show = |r: Result<Value, serde_json::Error>| {
            r.map(|v| v.json_text().unwrap()).map_err(|e| e.to_string())
        };
        (show(parse(text)), show(parse_with_serde(text)))
    }

    fn fast_takes(text: &str) -> bool {
        Fast {
            text,
            at: 0,
            nesting: 0,
            reading: Reading::default(),
        }
        .document()
        .is_some()
    }

    #[test]
    fn keys_are_shared_across_objects_up_to_a_bound() {
        for parse in [parse, parse_with_serde] {
            let text = r#"[{"id": 1, "k": 2}, {"id": 3, "k": 4}, {"i\u0064": 5}]"#;
            let Value::List(items, _) = parse(text).unwrap() else {
                panic!("a list")
            };
            let items = items.borrow();
            let key = |n: usize| match &items[n] {
                Value::Map(m) => m.borrow().keys().next().unwrap().clone(),
                _ => panic!("a map"),
            };
            assert!(Rc::ptr_eq(&key(0), &key(1)), "the same key, one allocation");
            // An escaped key is read as any other, unshared.
            assert_eq!(&*key(2), "id");
            assert!(!Rc::ptr_eq(&key(0), &key(2)));
            // More distinct keys than are shared: all read, the first ones shared.
            let many: String = (0..MAX_SHARED_KEYS + 10)
                .map(|i| format!("{{\"key{i}\": 1}}"))
                .collect::<Vec<_>>()
                .join(",");
            let v = parse(&format!("[{many},{many}]")).unwrap();
            let Value::List(items, _) = v else {
                panic!("a list")
            };
            let items = items.borrow();
            assert_eq!(items.len(), 2 * (MAX_SHARED_KEYS + 10));
            let first = |m: &Value| match m {
                Value::Map(m) => m.borrow().keys().next().unwrap().clone(),
                _ => panic!("a map"),
            };
            assert!(Rc::ptr_eq(
                &first(&items[0]),
                &first(&items[MAX_SHARED_KEYS + 10])
            ));
            let last = MAX_SHARED_KEYS + 9;
            assert_eq!(&*first(&items[last]), format!("key{last}"));
            assert!(!Rc::ptr_eq(
                &first(&items[last]),
                &first(&items[2 * last + 1])
            ));
        }
    }

    #[test]
    fn numbers_read_as_serde_json_reads_them() {
        for n in [
            "0",
            "-0",
            "7",
            "-7",
            "0.0",
            "-0.0",
            "1.5",
            "-12.25",
            "0.1",
            "0.30000000000000004",
            "4.35",
            "99.99",
            "123456789012345",
            "1234567890123456",
            "999999999999999999",
            "-999999999999999999",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "18446744073709551615",
            "18446744073709551616",
            "123456789012345678901234567890",
            "1e5",
            "1E+5",
            "-1e-5",
            "2.5e3",
            "1.7976931348623157e308",
            "1e400",
            "-1e400",
            "5e-324",
            "1e-400",
            "0.000000000000001",
            "12345678.123456789",
            "3.141592653589793238462643383",
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "1e+",
            "+1",
            "--1",
            "0x10",
            "1.5.5",
            "00",
        ] {
            let (fast, serde) = both(n);
            assert_eq!(fast, serde, "{n}");
            let (fast, serde) = both(&format!("[{n}, {{\"k\": {n}}}]"));
            assert_eq!(fast, serde, "{n} inside");
        }
        assert!(fast_takes("[0, -7, 1.5, 99.99, 123456789012345]"));
    }

    #[test]
    fn strings_and_keys_read_as_serde_json_reads_them() {
        for s in [
            r#""""#,
            r#""plain""#,
            r#""a\"b\\c\/d\b\f\n\r\t""#,
            r#""\u00e9\u20ac\ud83d\ude00""#,
            r#""\ud83d""#,
            r#""\ude00x""#,
            r#""\x""#,
            r#""\u12""#,
            "\"tab\there\"",
            "\"nul\u{0}\"",
            "\"é€😀 unicode\"",
            r#""unterminated"#,
            r#""ends in a backslash\"#,
            r#""exactly twenty-two b""#,
            r#""twenty-three bytes long""#,
        ] {
            let (fast, serde) = both(s);
            assert_eq!(fast, serde, "{s}");
            let (fast, serde) = both(&format!("{{{s}: {s}, \"k\": [{s}]}}"));
            assert_eq!(fast, serde, "{s} as key");
        }
    }

    #[test]
    fn malformed_text_gets_serde_json_s_error_and_place() {
        for text in [
            "",
            " ",
            "{",
            "[",
            "[1,]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{a:1}",
            "[1 2]",
            "tru",
            "truex",
            "nul",
            "{} {}",
            "[1]x",
            "\u{feff}{}",
            "{\"a\":1}}",
            "[\"a\":1]",
            "{\"a\":}",
            "[,1]",
            "\n\n  [1,\n  @]",
        ] {
            let (fast, serde) = both(text);
            assert!(serde.is_err(), "{text:?} is bad JSON");
            assert_eq!(fast, serde, "{text:?}");
        }
    }

    #[test]
    fn nesting_past_the_fast_limit_is_serde_json_s_to_decide() {
        for depth in [FAST_NESTING, FAST_NESTING + 1, 127, 128, 129, 100_000] {
            let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            let (fast, serde) = both(&text);
            assert_eq!(fast, serde, "{depth} deep");
            assert_eq!(fast_takes(&text), depth <= FAST_NESTING, "{depth} deep");
        }
    }

    fn json() -> impl Strategy<Value = String> {
        let number = prop_oneof![
            any::<i64>().prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            any::<f64>()
                .prop_filter("finite", |d| d.is_finite())
                .prop_map(|d| d.to_string()),
            (any::<i32>(), 0u32..20).prop_map(|(n, k)| format!(
                "{}.{:0>width$}",
                n / 1000,
                n.unsigned_abs() % 100000,
                width = k as usize
            )),
            (any::<i32>(), -30i32..30).prop_map(|(n, e)| format!("{n}e{e}")),
        ];
        let string = prop_oneof![
            "[a-z]{0,30}".prop_map(|s| format!("\"{s}\"")),
            any::<String>().prop_map(|s| serde_json::to_string(&s).unwrap()),
            r#"[a-z\\"/bnrtu0-9]{0,12}"#.prop_map(|s| format!("\"{s}\"")),
        ];
        let leaf = prop_oneof![
            Just("null".to_string()),
            Just("true".to_string()),
            Just("false".to_string()),
            number,
            string.clone(),
        ];
        let key = prop_oneof!["[a-c]{1,2}".prop_map(|k| format!("\"{k}\"")), string];
        leaf.prop_recursive(6, 64, 8, move |inner| {
            let space = prop_oneof![Just(""), Just(" "), Just("\n\t"), Just("\r\n  ")];
            prop_oneof![
                (prop::collection::vec(inner.clone(), 0..8), space.clone())
                    .prop_map(|(items, s)| format!("[{s}{}{s}]", items.join(&format!("{s},{s}")))),
                (prop::collection::vec((key.clone(), inner), 0..8), space).prop_map(
                    |(entries, s)| {
                        let entries: Vec<String> = entries
                            .iter()
                            .map(|(k, v)| format!("{k}{s}:{s}{v}"))
                            .collect();
                        format!("{{{s}{}{s}}}", entries.join(","))
                    }
                ),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn any_text_reads_as_serde_json_reads_it(text in json(), cut in any::<prop::sample::Index>()) {
            let (fast, serde) = both(&text);
            prop_assert_eq!(fast, serde);
            // And any prefix of it: an error, in the same place.
            let mut at = cut.index(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let (fast, serde) = both(&text[..at]);
            prop_assert_eq!(fast, serde);
        }
    }
}
