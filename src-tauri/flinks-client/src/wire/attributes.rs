//! The attributes packages, their replies (the `Card` and the transactions behind each value)
//! and the attribute library.

use std::fmt;
use std::str::FromStr;

use indexmap::IndexMap;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::accounts::Transaction;
use super::lenient::{de_vec_or_one, number_to_decimal, string_only, VecOrOneOf};
use super::RequestId;

/// The attributes packages of flinks-api.md §4.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Package {
    Income,
    Lending,
    CreditRisk,
    UserAnalysis,
    BusinessAnalysis,
    All,
}

impl Package {
    pub const ALL: [Package; 6] = [
        Package::Income,
        Package::Lending,
        Package::CreditRisk,
        Package::UserAnalysis,
        Package::BusinessAnalysis,
        Package::All,
    ];

    /// The last path segment of the package's endpoint.
    pub fn endpoint(self) -> &'static str {
        match self {
            Package::Income => "GetIncomeAttributes",
            Package::Lending => "GetLendingAttributes",
            Package::CreditRisk => "GetCreditRiskAttributes",
            Package::UserAnalysis => "GetUserAnalysisAttributes",
            Package::BusinessAnalysis => "GetBusinessAnalysisAttributes",
            Package::All => "GetAllAttributes",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Package::Income => "income",
            Package::Lending => "lending",
            Package::CreditRisk => "credit-risk",
            Package::UserAnalysis => "user-analysis",
            Package::BusinessAnalysis => "business-analysis",
            Package::All => "all",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Package::Income => "Income",
            Package::Lending => "Lending",
            Package::CreditRisk => "Credit Risk",
            Package::UserAnalysis => "User Analysis",
            Package::BusinessAnalysis => "Business Analysis",
            Package::All => "All",
        }
    }
}

impl FromStr for Package {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted: String = s
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        Package::ALL
            .into_iter()
            .find(|p| p.slug().replace('-', "") == wanted)
            .ok_or_else(|| format!("unknown package {s:?}; one of income, lending, credit-risk, user-analysis, business-analysis, all"))
    }
}

/// One attribute's value as Flinks sends it: a number, an enum-like or free string, or nothing.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum AttributeValue {
    Number(Decimal),
    Text(String),
    Bool(bool),
    Null,
}

impl AttributeValue {
    fn from_json(v: Value) -> Self {
        match v {
            Value::Number(n) => {
                number_to_decimal(&n).map_or(AttributeValue::Null, AttributeValue::Number)
            }
            Value::String(s) => AttributeValue::Text(s),
            Value::Bool(b) => AttributeValue::Bool(b),
            Value::Null => AttributeValue::Null,
            // Nested values are not attributes we can show in a cell; keep them as text.
            other => AttributeValue::Text(other.to_string()),
        }
    }

    pub fn as_decimal(&self) -> Option<Decimal> {
        match self {
            AttributeValue::Number(d) => Some(*d),
            _ => None,
        }
    }
}

/// A transaction behind an attribute (`AttributesDetail`): the account's transaction, named
/// by its account.
#[derive(Debug, Clone, Deserialize)]
pub struct DetailTransaction {
    #[serde(rename = "accountid", default)]
    pub account_id: Option<String>,
    #[serde(flatten)]
    pub transaction: Transaction,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AttributeDetail {
    #[serde(rename = "attribute")]
    pub attribute: String,
    #[serde(rename = "transactions", default, deserialize_with = "de_vec_or_one")]
    pub transactions: Vec<DetailTransaction>,
}

/// One entry of the attribute library (`GET /attributes/library`): what an attribute means.
#[derive(Debug, Clone, Deserialize)]
pub struct LibraryEntry {
    #[serde(rename = "name")]
    pub name: String,
    #[serde(rename = "packages", default, deserialize_with = "de_vec_or_one")]
    pub packages: Vec<String>,
    #[serde(rename = "unit", default)]
    pub unit: Option<String>,
    #[serde(rename = "category", default)]
    pub category: Option<String>,
    #[serde(rename = "definition", default)]
    pub definition: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Library {
    #[serde(rename = "attributes", default, deserialize_with = "de_vec_or_one")]
    pub attributes: Vec<LibraryEntry>,
}

/// A 200 from an attributes endpoint: the `Card` object's values, in the order Flinks sent them.
#[derive(Debug, Clone)]
pub struct Attributes {
    pub request_id: Option<RequestId>,
    pub values: IndexMap<String, AttributeValue>,
    pub details: Vec<AttributeDetail>,
}

impl Attributes {
    pub(crate) fn from_folded(body: Value) -> Result<Self, String> {
        let Value::Object(mut root) = body else {
            return Err("the reply is not a JSON object".into());
        };
        let request_id = root
            .remove("requestid")
            .and_then(|v| v.as_str().map(|s| RequestId(s.to_owned())));
        let card = match root.remove("card") {
            Some(Value::Object(card)) => card,
            Some(_) => return Err("`Card` is not an object".into()),
            None => return Err("the reply has no `Card`".into()),
        };
        let mut values = IndexMap::with_capacity(card.len());
        let mut details = Vec::new();
        for (name, value) in card {
            match name.as_str() {
                // Card.Id is the loginId: a secret, and not an attribute.
                "id" => {}
                "attributesdetail" => {
                    details = de_vec_or_one(value).map_err(|e: serde_json::Error| {
                        format!("`AttributesDetail` is malformed: {e}")
                    })?;
                }
                _ => {
                    values.insert(name, AttributeValue::from_json(value));
                }
            }
        }
        Ok(Attributes {
            request_id,
            values,
            details,
        })
    }
}

/// An attributes 200 as [`crate::fold::from_slice`] reads it, with its `FlinksCode`. It gives
/// what [`Attributes::from_folded`] gives on the folded tree, or refuses the body where the two
/// could differ (a key twice in an object, an attribute whose value is a list or an object), so
/// that the tree path decides those.
pub(crate) struct AttributesBody {
    pub attributes: Attributes,
    pub flinks_code: Option<String>,
}

impl<'de> Deserialize<'de> for AttributesBody {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(AttributesBodyVisitor)
    }
}

struct AttributesBodyVisitor;

/// A root key of an attributes reply that matters here; keys arrive folded.
enum RootKey {
    RequestId,
    Card,
    FlinksCode,
    Other,
}

impl<'de> Deserialize<'de> for RootKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl serde::de::Visitor<'_> for KeyVisitor {
            type Value = RootKey;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<RootKey, E> {
                Ok(match key {
                    "requestid" => RootKey::RequestId,
                    "card" => RootKey::Card,
                    "flinkscode" => RootKey::FlinksCode,
                    _ => RootKey::Other,
                })
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

fn duplicate<E: serde::de::Error>(key: &str) -> E {
    E::custom(format_args!("`{key}` comes twice"))
}

impl<'de> serde::de::Visitor<'de> for AttributesBodyVisitor {
    type Value = AttributesBody;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an attributes reply")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut request_id = None;
        let mut card = None;
        let mut flinks_code = None;
        while let Some(key) = map.next_key::<RootKey>()? {
            match key {
                RootKey::RequestId if request_id.is_none() => {
                    request_id = Some(map.next_value::<Value>()?);
                }
                RootKey::Card if card.is_none() => card = Some(map.next_value::<Card>()?),
                RootKey::FlinksCode if flinks_code.is_none() => {
                    flinks_code = Some(map.next_value::<Value>()?);
                }
                RootKey::RequestId => return Err(duplicate("requestid")),
                RootKey::Card => return Err(duplicate("card")),
                RootKey::FlinksCode => return Err(duplicate("flinkscode")),
                RootKey::Other => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        let Some(Card { values, details }) = card else {
            return Err(serde::de::Error::custom("the reply has no `Card`"));
        };
        Ok(AttributesBody {
            attributes: Attributes {
                request_id: string_only(request_id).map(RequestId),
                values,
                details,
            },
            flinks_code: string_only(flinks_code),
        })
    }
}

struct Card {
    values: IndexMap<String, AttributeValue>,
    details: Vec<AttributeDetail>,
}

impl<'de> Deserialize<'de> for Card {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct CardVisitor;
        impl<'de> serde::de::Visitor<'de> for CardVisitor {
            type Value = Card;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("the `Card` object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Card, A::Error> {
                let mut values = IndexMap::with_capacity(map.size_hint().unwrap_or(0));
                let mut details = None;
                while let Some(name) = map.next_key::<String>()? {
                    match name.as_str() {
                        // Card.Id is the loginId: a secret, and not an attribute.
                        "id" => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                        "attributesdetail" if details.is_none() => {
                            details = Some(map.next_value::<VecOrOneOf<AttributeDetail>>()?.0);
                        }
                        "attributesdetail" => return Err(duplicate("attributesdetail")),
                        _ => {
                            let value = match map.next_value::<Value>()? {
                                Value::Array(_) | Value::Object(_) => {
                                    return Err(serde::de::Error::custom(
                                        "a nested attribute value is left to the tree path",
                                    ))
                                }
                                scalar => AttributeValue::from_json(scalar),
                            };
                            if values.contains_key(&name) {
                                return Err(duplicate(&name));
                            }
                            values.insert(name, value);
                        }
                    }
                }
                Ok(Card {
                    values,
                    details: details.unwrap_or_default(),
                })
            }
        }
        d.deserialize_map(CardVisitor)
    }
}
