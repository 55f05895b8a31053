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
    // The two shapes Flinks writes, digit by digit first: chrono reading its format string
    // for each of an All reply's half million dates was a tenth of reading the reply.
    exact_day(day).or_else(|| {
        NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(day, "%Y/%m/%d"))
            .ok()
    })
}

/// `YYYY-MM-DD` or `YYYY/MM/DD` exactly; anything else is left to chrono.
fn exact_day(day: &str) -> Option<NaiveDate> {
    let b = day.as_bytes();
    let sep = *b.get(4)?;
    if !(sep == b'-' || sep == b'/') || b.get(7) != Some(&sep) || b.len() != 10 {
        return None;
    }
    let number = |digits: &[u8]| -> Option<u32> {
        digits.iter().try_fold(0, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(number(&b[..4])?).ok()?;
    NaiveDate::from_ymd_opt(year, number(&b[5..7])?, number(&b[8..])?)
}

/// A list that Flinks sometimes sends as one object, or as null. Read as it streams (not through
/// a `Value`), so that 50,000 transactions are not first held as a tree.
pub(super) fn de_vec_or_one<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    de_vec_or_one_with(d, |item: T| item)
}

/// [`de_vec_or_one`], each item handed to `each` as soon as it is read, so that what the list
/// keeps of an item can be smaller than what was read.
pub(super) fn de_vec_or_one_with<'de, D, T, U>(
    d: D,
    each: impl FnMut(T) -> U,
) -> Result<Vec<U>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    d.deserialize_option(VecOrOne {
        each,
        item: std::marker::PhantomData,
    })
}

struct VecOrOne<T, F> {
    each: F,
    item: std::marker::PhantomData<fn() -> T>,
}

/// A value other than a list or null is one `T`, read from that value as it came.
macro_rules! vec_or_one_scalar {
    ($($method:ident($ty:ty) => $de:ty;)*) => {$(
        fn $method<E: serde::de::Error>(mut self, v: $ty) -> Result<Vec<U>, E> {
            T::deserialize(<$de>::new(v)).map(|t| vec![(self.each)(t)])
        }
    )*};
}

impl<'de, T, U, F> serde::de::Visitor<'de> for VecOrOne<T, F>
where
    T: serde::de::DeserializeOwned,
    F: FnMut(T) -> U,
{
    type Value = Vec<U>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list, one item or null")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Vec<U>, E> {
        Ok(Vec::new())
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Vec<U>, E> {
        Ok(Vec::new())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Vec<U>, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(mut self, mut seq: A) -> Result<Vec<U>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push((self.each)(item));
        }
        Ok(items)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(mut self, map: A) -> Result<Vec<U>, A::Error> {
        T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            .map(|t| vec![(self.each)(t)])
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

/// What the tree path's `Value::as_str` keeps of a value.
pub(super) fn string_only(value: Option<Value>) -> Option<String> {
    match value {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_by_hand_are_those_chrono_reads() {
        let chrono = |raw: &str| {
            let day = raw.trim().get(..10)?;
            NaiveDate::parse_from_str(day, "%Y-%m-%d")
                .or_else(|_| NaiveDate::parse_from_str(day, "%Y/%m/%d"))
                .ok()
        };
        for raw in [
            "2024-07-01",
            "2024/07/01",
            " 2022/02/02T06:00:00 ",
            "2024-02-29",
            "2023-02-29",
            "2024-13-01",
            "2024-07/01",
            "2024-7-1",
            "2024-7-01xx",
            "+2024-07-0",
            "0000-01-01",
            "2024-0a-01",
            "2024",
            "",
        ] {
            assert_eq!(parse_date(raw), chrono(raw), "{raw:?}");
        }
        assert!(exact_day("2024/07/01").is_some());
        assert!(exact_day("2024-7-1xxx").is_none(), "left to chrono");
    }
}
