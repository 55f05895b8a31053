//! Reading part of a stored input snapshot: the JSON object a decision was made on, decoded for
//! only the keys a policy reads. The parser still walks the rest (it must, to find the keys),
//! but builds nothing for it, which is most of the cost of hundreds of attributes.

use std::collections::BTreeSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value};

/// The object in `json` with only the keys in `keys`; an error when `json` is not an object.
pub fn decode_keys(json: &str, keys: &BTreeSet<String>) -> serde_json::Result<Value> {
    let mut de = serde_json::Deserializer::from_str(json);
    let value = Only(keys).deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

struct Only<'k>(&'k BTreeSet<String>);

impl<'de> DeserializeSeed<'de> for Only<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Only<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an input snapshot (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key_seed(Wanted(self.0))? {
            match key {
                Some(key) => {
                    out.insert(key, map.next_value::<Value>()?);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(out))
    }
}

/// A key, owned only when it is one of the keys asked for: the text is looked at in place
/// (serde's `Cow<str>` would allocate every key of hundreds).
struct Wanted<'k>(&'k BTreeSet<String>);

impl<'de> DeserializeSeed<'de> for Wanted<'_> {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Wanted<'_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Self::Value, E> {
        // Most keys are not wanted, and a length differs far more often than not: comparing
        // lengths first leaves a text comparison for the few of the same length (the tree's
        // lookup compared texts at every step).
        let wanted = self
            .0
            .iter()
            .any(|k| k.len() == key.len() && k.as_str() == key);
        Ok(wanted.then(|| key.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keys(k: &[&str]) -> BTreeSet<String> {
        k.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn only_the_keys_asked_for_come_back_whole() {
        let json = r#"{"a": 1, "b": {"c": [1, 2]}, "d\u00e9": "x", "e": null, "dé": 2.5}"#;
        assert_eq!(
            decode_keys(json, &keys(&["b", "dé", "zz"])).unwrap(),
            json!({"b": {"c": [1, 2]}, "dé": 2.5})
        );
    }

    #[test]
    fn what_is_not_an_object_or_not_json_is_an_error() {
        assert!(decode_keys("[1, 2]", &keys(&["a"])).is_err());
        assert!(decode_keys(r#"{"a": 1"#, &keys(&["a"])).is_err());
        assert!(decode_keys(r#"{"a": 1} x"#, &keys(&["a"])).is_err());
    }
}
