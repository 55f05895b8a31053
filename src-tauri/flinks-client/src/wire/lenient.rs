//! The readers behind the lenient wire types: keys in any case, amounts as numbers or strings,
//! dates in the formats Flinks mixes, lists that arrive as one item or null.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Lower-cases every object key, recursively, so that serde can match keys in any case.
pub(crate) fn fold_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), fold_keys(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(fold_keys).collect()),
        other => other,
    }
}

pub(super) fn number_to_decimal(n: &serde_json::Number) -> Option<Decimal> {
    let text = n.to_string();
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .ok()
}

pub(super) fn de_decimal_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => number_to_decimal(&n)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("number out of range: {n}"))),
        // Some integrations send amounts as strings; accept them when they are numbers.
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Decimal::from_str(s.trim())
            .map(Some)
            .map_err(|_| serde::de::Error::custom("amount is not a number")),
        Some(_) => Err(serde::de::Error::custom("amount is not a number")),
    }
}

/// Flinks writes dates as `2025-01-31`, `2022/02/02` or with a time part; we keep the day.
pub(super) fn de_date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let raw = String::deserialize(d)?;
    parse_date(&raw).ok_or_else(|| serde::de::Error::custom(format!("not a date: {raw:?}")))
}

fn parse_date(raw: &str) -> Option<NaiveDate> {
    let day = raw.trim().get(..10)?;
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(day, "%Y/%m/%d"))
        .ok()
}

/// A list that Flinks sometimes sends as one object, or as null. Read as it streams (not through
/// a `Value`), so that 50,000 transactions are not first held as a tree.
pub(super) fn de_vec_or_one<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    d.deserialize_option(VecOrOne(std::marker::PhantomData))
}

struct VecOrOne<T>(std::marker::PhantomData<T>);

/// A value other than a list or null is one `T`, read from that value as it came.
macro_rules! vec_or_one_scalar {
    ($($method:ident($ty:ty) => $de:ty;)*) => {$(
        fn $method<E: serde::de::Error>(self, v: $ty) -> Result<Vec<T>, E> {
            T::deserialize(<$de>::new(v)).map(|t| vec![t])
        }
    )*};
}

impl<'de, T: serde::de::DeserializeOwned> serde::de::Visitor<'de> for VecOrOne<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list, one item or null")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Vec<T>, E> {
        Ok(Vec::new())
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Vec<T>, E> {
        Ok(Vec::new())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(items)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Vec<T>, A::Error> {
        T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(|t| vec![t])
    }

    vec_or_one_scalar! {
        visit_bool(bool) => serde::de::value::BoolDeserializer<E>;
        visit_i64(i64) => serde::de::value::I64Deserializer<E>;
        visit_u64(u64) => serde::de::value::U64Deserializer<E>;
        visit_f64(f64) => serde::de::value::F64Deserializer<E>;
        visit_str(&str) => serde::de::value::StrDeserializer<E>;
        visit_string(String) => serde::de::value::StringDeserializer<E>;
    }
}

/// [`de_vec_or_one`] as a type, for hand-written visitors.
pub(super) struct VecOrOneOf<T>(pub(super) Vec<T>);

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for VecOrOneOf<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de_vec_or_one(d).map(VecOrOneOf)
    }
}

/// What the tree path's `Value::as_str` keeps of a value.
pub(super) fn string_only(value: Option<Value>) -> Option<String> {
    match value {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}
