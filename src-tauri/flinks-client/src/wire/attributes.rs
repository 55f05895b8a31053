//! The attributes packages, their replies (the `Card` and the transactions behind each value)
//! and the attribute library.

use std::collections::HashSet;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;
use std::sync::Arc;

use chrono::NaiveDate;

use indexmap::IndexMap;
use rust_decimal::Decimal;
use serde::de::DeserializeSeed;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::accounts::Transaction;
use super::lenient::{
    de_date, de_decimal_opt, de_vec_or_one, de_vec_or_one_with, number_to_decimal, string_only,
};
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
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "DetailRow")]
pub struct DetailTransaction {
    pub account_id: Option<String>,
    pub transaction: Transaction,
}

/// By the ids and the day alone, a subset of what equality compares: hashing every field of
/// half a million mentions was most of the time spent sharing them.
impl Hash for DetailTransaction {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.account_id.hash(state);
        self.transaction.id.hash(state);
        self.transaction.date.hash(state);
    }
}

/// [`DetailTransaction`] as the reply writes it, one flat object: [`Transaction`]'s fields, which
/// these must mirror, and the account's id. Read flat rather than through `#[serde(flatten)]`,
/// which buffers every object whole before reading it: that was a third of reading an All reply.
#[derive(Deserialize)]
#[serde(rename = "DetailTransaction")]
struct DetailRow {
    #[serde(rename = "accountid", default)]
    account_id: Option<String>,
    #[serde(rename = "id", alias = "transactionid", default)]
    id: Option<String>,
    #[serde(rename = "date", deserialize_with = "de_date")]
    date: NaiveDate,
    #[serde(rename = "description", default)]
    description: Option<String>,
    #[serde(rename = "debit", default, deserialize_with = "de_decimal_opt")]
    debit: Option<Decimal>,
    #[serde(rename = "credit", default, deserialize_with = "de_decimal_opt")]
    credit: Option<Decimal>,
    #[serde(rename = "balance", default, deserialize_with = "de_decimal_opt")]
    balance: Option<Decimal>,
}

impl From<DetailRow> for DetailTransaction {
    fn from(row: DetailRow) -> Self {
        DetailTransaction {
            account_id: row.account_id,
            transaction: Transaction {
                id: row.id,
                date: row.date,
                description: row.description,
                debit: row.debit,
                credit: row.credit,
                balance: row.balance,
            },
        }
    }
}

/// The transactions behind one attribute. A transaction behind several attributes is one
/// shared value: an All reply names each transaction of a busy account behind a dozen values
/// (the sandbox's big customer: 50,000 transactions, 579,000 mentions), and a copy per
/// mention was most of what reading the reply kept in memory.
#[derive(Debug, Clone)]
pub struct AttributeDetail {
    pub attribute: String,
    pub transactions: Vec<Arc<DetailTransaction>>,
}

/// An [`AttributeDetail`] as read, before its transactions are shared.
#[derive(Deserialize)]
#[serde(rename = "AttributeDetail")]
struct ListedDetail {
    #[serde(rename = "attribute")]
    attribute: String,
    #[serde(rename = "transactions", default, deserialize_with = "de_vec_or_one")]
    transactions: Vec<DetailTransaction>,
}

/// The transactions of one reply's `AttributesDetail` read so far, each once. Two mentions
/// share a value only when every field is equal, so nothing a reply says is merged away.
#[derive(Default)]
struct Sharing(HashSet<Arc<DetailTransaction>>);

impl Sharing {
    fn share(&mut self, listed: ListedDetail) -> AttributeDetail {
        // A list of its own, not `into_iter().map().collect()`: that would reuse the read
        // list's buffer, keeping a whole transaction's room for each pointer (measured: 110 MB
        // held for the big customer's All reply).
        let mut transactions = Vec::with_capacity(listed.transactions.len());
        for t in listed.transactions {
            transactions.push(match self.0.get(&t) {
                Some(kept) => kept.clone(),
                None => {
                    let t = Arc::new(t);
                    self.0.insert(t.clone());
                    t
                }
            });
        }
        AttributeDetail {
            attribute: listed.attribute,
            transactions,
        }
    }
}

/// Reads `AttributesDetail` (a list, one object or null), sharing each attribute's
/// transactions as soon as that attribute is read, so no more than one attribute's copies
/// are ever held.
struct DetailsSeed<'s>(&'s mut Sharing);

impl<'de> DeserializeSeed<'de> for DetailsSeed<'_> {
    type Value = Vec<AttributeDetail>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        de_vec_or_one_with(d, |listed: ListedDetail| self.0.share(listed))
    }
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
                    details = DetailsSeed(&mut Sharing::default())
                        .deserialize(value)
                        .map_err(|e| format!("`AttributesDetail` is malformed: {e}"))?;
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
                let mut sharing = Sharing::default();
                while let Some(name) = map.next_key::<String>()? {
                    match name.as_str() {
                        // Card.Id is the loginId: a secret, and not an attribute.
                        "id" => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                        "attributesdetail" if details.is_none() => {
                            details = Some(map.next_value_seed(DetailsSeed(&mut sharing))?);
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
