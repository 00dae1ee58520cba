//! An export's path items read a part at a time: the first reading keeps every top-level
//! member but `paths` (whose keys are only checked for repeats); each later reading hands
//! the path items over in parts of a few hundred, each dropped before the next is read.
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::fmt;
use std::ops::ControlFlow;

/// The top-level members of a JSON object, `paths` an empty object in its place.
pub(super) struct Skeleton {
    pub members: Map<String, Value>,
    pub paths: Paths,
}

#[derive(Debug, PartialEq, Eq)]
pub(super) enum Paths {
    /// No `paths` member.
    Absent,
    /// One `paths` object whose keys are all different.
    Unique,
    /// `paths` twice, or a path key twice: a tree read whole keeps the last of each, which a
    /// reading in parts cannot know in time.
    Repeated,
}

impl<'de> serde::Deserialize<'de> for Skeleton {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(SkeletonVisitor)
    }
}

struct SkeletonVisitor;

impl<'de> Visitor<'de> for SkeletonVisitor {
    type Value = Skeleton;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skeleton, A::Error> {
        let mut members = Map::new();
        let mut paths = Paths::Absent;
        while let Some(key) = map.next_key::<String>()? {
            if key == "paths" {
                let PathKeys(unique) = map.next_value()?;
                paths = match paths {
                    Paths::Absent if unique => Paths::Unique,
                    _ => Paths::Repeated,
                };
                members.insert(key, Value::Object(Map::new()));
            } else {
                let value: Value = map.next_value()?;
                members.insert(key, value);
            }
        }
        Ok(Skeleton { members, paths })
    }
}

/// Whether the keys of an object are all different (its values are skipped).
struct PathKeys(bool);

impl<'de> serde::Deserialize<'de> for PathKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(PathKeysVisitor)
    }
}

struct PathKeysVisitor;

impl<'de> Visitor<'de> for PathKeysVisitor {
    type Value = PathKeys;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of path items")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PathKeys, A::Error> {
        let mut seen = HashSet::new();
        let mut unique = true;
        while let Some(key) = map.next_key::<String>()? {
            map.next_value::<IgnoredAny>()?;
            unique &= seen.insert(key);
        }
        Ok(PathKeys(unique))
    }
}

/// The second reading: every top-level member is skipped but `paths`, whose items go into
/// `doc["paths"]` a part at a time, `part` called on each.
pub(super) struct Parts<'a, F> {
    pub items: usize,
    pub doc: &'a mut Value,
    pub part: &'a mut F,
    /// Whether a part was handed over yet (an export without path items is one empty part).
    pub handed: bool,
    /// `part` asked to stop: the reading ends there (with an error only the caller reads as
    /// a stop, see `STOPPED`).
    pub stopped: bool,
}

/// The error the reading ends with when `part` asked to stop.
const STOPPED: &str = "apigw-doctor: reading stopped by the caller";

impl<F: FnMut(&Value) -> ControlFlow<()>> Parts<'_, F> {
    /// Hands a part over; Err (`STOPPED`) when `part` asks to stop.
    fn hand_over<E: serde::de::Error>(&mut self, items: Map<String, Value>) -> Result<(), E> {
        self.doc["paths"] = Value::Object(items);
        let flow = (self.part)(self.doc);
        self.handed = true;
        self.doc["paths"] = Value::Object(Map::new());
        if flow.is_break() {
            self.stopped = true;
            return Err(E::custom(STOPPED));
        }
        Ok(())
    }
}

impl<'de, F: FnMut(&Value) -> ControlFlow<()>> DeserializeSeed<'de> for &mut Parts<'_, F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, F: FnMut(&Value) -> ControlFlow<()>> Visitor<'de> for &mut Parts<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == "paths" {
                map.next_value_seed(PathItems(&mut *self))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct PathItems<'p, 'a, F>(&'p mut Parts<'a, F>);

impl<'de, F: FnMut(&Value) -> ControlFlow<()>> DeserializeSeed<'de> for PathItems<'_, '_, F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, F: FnMut(&Value) -> ControlFlow<()>> Visitor<'de> for PathItems<'_, '_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of path items")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let parts = self.0;
        let mut items = Map::new();
        while let Some((key, value)) = map.next_entry::<String, Value>()? {
            items.insert(key, value);
            if items.len() == parts.items {
                parts.hand_over(std::mem::take(&mut items))?;
            }
        }
        if !items.is_empty() || !parts.handed {
            parts.hand_over(items)?;
        }
        Ok(())
    }
}
