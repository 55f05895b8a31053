//! Case-insensitive reading of JSON straight into typed structs.
//!
//! Flinks writes the same key in several cases (`TransactionId`, `transactionid`), and the types
//! of `wire.rs` name their fields in lower case. Folding a whole `Value` tree and deserializing
//! from it costs a tree, a second tree and a walk: five times a plain parse and eleven times the
//! payload in memory for a big customer. [`FoldKeys`] instead wraps `serde_json`'s deserializer
//! and lower-cases each object key (ASCII only, as `wire::fold_keys` does) as the typed
//! `Deserialize` asks for it; values pass through untouched.
//!
//! The tree path stays the reference: [`from_slice`] only answers for the bodies the tree path
//! would accept with the same result, and a caller falls back to the tree for everything else
//! (see `client::Reply`). Two things make that hold:
//! - values the target type ignores are still read in full, so invalid UTF-8, a lone surrogate,
//!   a number out of `f64` range or nesting past serde_json's limit refuse a body here as they
//!   refuse it there (serde_json's own skipping checks none of them);
//! - a key that comes twice in one object after folding is an error here (serde's derive refuses
//!   a field it has already seen), where the tree keeps the last one: the tree path then decides.
//!
//! Not supported, since no reply type needs them: keys read as numbers (`HashMap<u32, _>`), and
//! the variant name of an enum written as `{"Variant": …}`, which is passed on as it came.

use std::fmt;

use serde::de::value::{BorrowedStrDeserializer, StrDeserializer, StringDeserializer};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// Reads a `T` from a JSON object whose keys may come in any case. Anything but an object at the
/// root is refused: serde's derive would also read a struct from an array, by position, and the
/// fields of the types read here do not come in one order.
pub(crate) fn from_slice<'de, T: de::Deserialize<'de>>(bytes: &'de [u8]) -> serde_json::Result<T> {
    let first = bytes
        .iter()
        .find(|b| !matches!(b, b' ' | b'\n' | b'\t' | b'\r'));
    if first != Some(&b'{') {
        return Err(de::Error::custom("the reply is not a JSON object"));
    }
    let mut json = serde_json::Deserializer::from_slice(bytes);
    let value = T::deserialize(FoldKeys(&mut json))?;
    json.end()?;
    Ok(value)
}

/// A deserializer whose object keys reach the visitor in lower case, at every depth.
pub(crate) struct FoldKeys<D>(pub(crate) D);

/// Keys are folded on the stack up to this length; Flinks' are under 30 bytes.
const KEY_BUF: usize = 64;

macro_rules! forward_plain {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            self.0.$method(Wrap(visitor))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for FoldKeys<D> {
    type Error = D::Error;

    forward_plain! {
        deserialize_any deserialize_bool
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_char deserialize_str deserialize_string
        deserialize_bytes deserialize_byte_buf deserialize_option deserialize_unit
        deserialize_seq deserialize_map deserialize_identifier
    }

    /// Read, not skipped: see the module's comment.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(Wrap(visitor))
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, Wrap(visitor))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, Wrap(visitor))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, Wrap(visitor))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(name, len, Wrap(visitor))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_struct(name, fields, Wrap(visitor))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, Wrap(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// A visitor whose nested deserializers, sequences and maps fold their keys too.
struct Wrap<V>(V);

macro_rules! visit_plain {
    ($($method:ident($ty:ty))*) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
            self.0.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.0.expecting(f)
    }

    visit_plain! {
        visit_bool(bool) visit_i8(i8) visit_i16(i16) visit_i32(i32) visit_i64(i64)
        visit_i128(i128) visit_u8(u8) visit_u16(u16) visit_u32(u32) visit_u64(u64)
        visit_u128(u128) visit_f32(f32) visit_f64(f64) visit_char(char) visit_str(&str)
        visit_borrowed_str(&'de str) visit_string(String) visit_bytes(&[u8])
        visit_borrowed_bytes(&'de [u8]) visit_byte_buf(Vec<u8>)
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.0.visit_some(FoldKeys(d))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.0.visit_newtype_struct(FoldKeys(d))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(Seq(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(Map(map))
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.0.visit_enum(Enum(data))
    }
}

/// A seed that reads its value through [`FoldKeys`].
struct Seed<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(FoldKeys(d))
    }
}

struct Seq<A>(A);

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Seq<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

struct Map<A>(A);

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Map<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(KeySeed(seed))
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        self.0.next_value_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

/// Reads a key as a string and hands the seed its lower-case form.
struct KeySeed<K>(K);

impl<'de, K: DeserializeSeed<'de>> DeserializeSeed<'de> for KeySeed<K> {
    type Value = K::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<K::Value, D::Error> {
        d.deserialize_str(KeyVisitor(self.0))
    }
}

struct KeyVisitor<K>(K);

impl<'de, K: DeserializeSeed<'de>> Visitor<'de> for KeyVisitor<K> {
    type Value = K::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<K::Value, E> {
        if key.bytes().any(|b| b.is_ascii_uppercase()) {
            self.visit_str(key)
        } else {
            // Already folded: the seed may borrow it from the body.
            self.0.deserialize(BorrowedStrDeserializer::new(key))
        }
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<K::Value, E> {
        // Most keys fit on the stack: a derived struct only compares the folded key, so no
        // allocation is made per key of the 50,000 transactions of a big customer.
        if key.len() <= KEY_BUF {
            let mut buf = [0u8; KEY_BUF];
            let folded = &mut buf[..key.len()];
            folded.copy_from_slice(key.as_bytes());
            folded.make_ascii_lowercase();
            // ASCII lower-casing keeps UTF-8 valid, so this cannot fail.
            let folded = std::str::from_utf8(folded).map_err(E::custom)?;
            self.0.deserialize(StrDeserializer::new(folded))
        } else {
            self.visit_string(key.to_owned())
        }
    }

    fn visit_string<E: de::Error>(self, mut key: String) -> Result<K::Value, E> {
        key.make_ascii_lowercase();
        self.0.deserialize(StringDeserializer::new(key))
    }
}

/// An enum's content folds its keys; its variant name is left as it came (see the module).
struct Enum<A>(A);

impl<'de, A: de::EnumAccess<'de>> de::EnumAccess<'de> for Enum<A> {
    type Error = A::Error;
    type Variant = Enum<A::Variant>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), A::Error> {
        let (value, variant) = self.0.variant_seed(seed)?;
        Ok((value, Enum(variant)))
    }
}

impl<'de, A: de::VariantAccess<'de>> de::VariantAccess<'de> for Enum<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, A::Error> {
        self.0.newtype_variant_seed(Seed(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, Wrap(visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0.struct_variant(fields, Wrap(visitor))
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Outer {
        #[serde(rename = "name")]
        name: String,
        #[serde(rename = "inner", default)]
        inner: Option<Inner>,
        #[serde(rename = "items", default)]
        items: Vec<Inner>,
        #[serde(rename = "tag", default)]
        tag: Option<Tag>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Inner {
        #[serde(rename = "id")]
        id: u32,
        #[serde(flatten)]
        rest: Flat,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Flat {
        #[serde(rename = "note", default)]
        note: Option<String>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    enum Tag {
        Pair {
            #[serde(rename = "left")]
            left: u8,
        },
    }

    #[test]
    fn keys_fold_at_every_depth_and_values_do_not() {
        let read: Outer = from_slice(
            br#"{"NAME":"Ab","Inner":{"ID":1,"Note":"Cd"},"iTeMs":[{"iD":2},{"Id":3,"NOTE":null}],
                "Tag":{"Pair":{"LEFT":4}}}"#,
        )
        .unwrap();
        assert_eq!(
            read,
            Outer {
                name: "Ab".into(),
                inner: Some(Inner {
                    id: 1,
                    rest: Flat {
                        note: Some("Cd".into())
                    }
                }),
                items: vec![
                    Inner {
                        id: 2,
                        rest: Flat { note: None }
                    },
                    Inner {
                        id: 3,
                        rest: Flat { note: None }
                    }
                ],
                tag: Some(Tag::Pair { left: 4 }),
            }
        );
    }

    #[test]
    fn escaped_and_long_keys_fold_too() {
        #[derive(Deserialize)]
        struct Keys {
            #[serde(rename = "id")]
            id: u8,
            #[serde(
                rename = "a_key_longer_than_the_stack_buffer_of_sixty_four_bytes_for_folding_keys"
            )]
            long: u8,
        }
        let long = "A_KEY_LONGER_THAN_THE_STACK_BUFFER_OF_SIXTY_FOUR_BYTES_FOR_FOLDING_KEYS";
        assert!(long.len() > KEY_BUF);
        let body = format!(r#"{{"\u0049D":1,"{long}":2}}"#);
        let read: Keys = from_slice(body.as_bytes()).unwrap();
        assert_eq!((read.id, read.long), (1, 2));
    }

    #[test]
    fn a_field_twice_in_other_cases_is_refused() {
        assert!(from_slice::<Inner>(br#"{"id":1,"ID":2}"#).is_err());
    }

    /// serde_json skips an ignored value without checking it; the tree path parses it, so a
    /// body with a broken ignored value must be refused here as well.
    #[test]
    fn ignored_values_are_checked_as_a_parse_would() {
        #[derive(Deserialize)]
        struct Few {
            #[allow(dead_code)]
            #[serde(rename = "a")]
            a: u8,
        }
        for body in [
            &br#"{"a":1,"b":"\ud800"}"#[..],
            br#"{"a":1,"b":1e400}"#,
            b"{\"a\":1,\"b\":\"\xff\"}",
        ] {
            assert!(serde_json::from_slice::<Few>(body).is_ok());
            assert!(from_slice::<Few>(body).is_err());
        }
    }

    #[test]
    fn only_an_object_is_read() {
        assert!(from_slice::<Flat>(b" \n{}").is_ok());
        assert!(from_slice::<Flat>(b"[null]").is_err());
        assert!(from_slice::<Flat>(b"").is_err());
        assert!(from_slice::<Flat>(b"{} {}").is_err());
    }
}
