//! Flinks' JSON, read leniently. Real Flinks replies mix key cases (`transactionid` and
//! `TransactionId`), so the types below name their fields in lower case and are read with their
//! keys folded to lower case: straight from the bytes for the large replies (`fold.rs`), from a
//! folded tree ([`fold_keys`]) for the others. Unknown fields are ignored; the fields we need are
//! strict.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use indexmap::IndexMap;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::secret::LoginId;

/// A Flinks session id. Not a secret (the Flinks Dashboard lists them), but it only lives for a session.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(transparent)]
pub struct RequestId(pub String);

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

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

fn number_to_decimal(n: &serde_json::Number) -> Option<Decimal> {
    let text = n.to_string();
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .ok()
}

fn de_decimal_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
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
fn de_date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let raw = String::deserialize(d)?;
    parse_date(&raw).ok_or_else(|| serde::de::Error::custom(format!("not a date: {raw:?}")))
}

pub(crate) fn parse_date(raw: &str) -> Option<NaiveDate> {
    let day = raw.trim().get(..10)?;
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(day, "%Y/%m/%d"))
        .ok()
}

/// A list that Flinks sometimes sends as one object, or as null. Read as it streams (not through
/// a `Value`), so that 50,000 transactions are not first held as a tree.
fn de_vec_or_one<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
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

/// The `Login` object of Authorize and data replies.
#[derive(Debug, Clone, Deserialize)]
pub struct Login {
    #[serde(rename = "id")]
    pub id: LoginId,
    #[serde(rename = "username", default)]
    pub username: Option<String>,
    #[serde(rename = "type", default)]
    pub login_type: Option<String>,
    #[serde(rename = "lastrefresh", default)]
    pub last_refresh: Option<String>,
}

/// A 200 from `/Authorize`.
#[derive(Debug, Clone, Deserialize)]
pub struct Authorized {
    #[serde(rename = "requestid")]
    pub request_id: RequestId,
    #[serde(rename = "login")]
    pub login: Login,
    #[serde(rename = "institution", default)]
    pub institution: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SecurityChallenge {
    #[serde(rename = "type", default)]
    pub challenge_type: Option<String>,
    #[serde(rename = "prompt")]
    pub prompt: String,
}

#[derive(Debug, Clone)]
pub enum AuthorizeOutcome {
    Authorized(Authorized),
    /// A 203: the bank asks a question before it lets the session open.
    Challenge {
        request_id: RequestId,
        challenges: Vec<SecurityChallenge>,
    },
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Balance {
    #[serde(rename = "available", default, deserialize_with = "de_decimal_opt")]
    pub available: Option<Decimal>,
    #[serde(rename = "current", default, deserialize_with = "de_decimal_opt")]
    pub current: Option<Decimal>,
    #[serde(rename = "limit", default, deserialize_with = "de_decimal_opt")]
    pub limit: Option<Decimal>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Transaction {
    /// `Id` in account data, `TransactionId` (or `transactionid`) in `AttributesDetail`.
    #[serde(rename = "id", alias = "transactionid", default)]
    pub id: Option<String>,
    #[serde(rename = "date", deserialize_with = "de_date")]
    pub date: NaiveDate,
    #[serde(rename = "description", default)]
    pub description: Option<String>,
    #[serde(rename = "debit", default, deserialize_with = "de_decimal_opt")]
    pub debit: Option<Decimal>,
    #[serde(rename = "credit", default, deserialize_with = "de_decimal_opt")]
    pub credit: Option<Decimal>,
    #[serde(rename = "balance", default, deserialize_with = "de_decimal_opt")]
    pub balance: Option<Decimal>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Account {
    #[serde(rename = "id")]
    pub id: String,
    #[serde(rename = "title", default)]
    pub title: Option<String>,
    #[serde(rename = "type", default)]
    pub account_type: Option<String>,
    #[serde(rename = "category", default)]
    pub category: Option<String>,
    #[serde(rename = "currency", default)]
    pub currency: Option<String>,
    #[serde(rename = "accountnumber", default)]
    pub account_number: Option<String>,
    #[serde(rename = "transitnumber", default)]
    pub transit_number: Option<String>,
    #[serde(rename = "institutionnumber", default)]
    pub institution_number: Option<String>,
    #[serde(rename = "balance", default)]
    pub balance: Option<Balance>,
    #[serde(rename = "transactions", default, deserialize_with = "de_vec_or_one")]
    pub transactions: Vec<Transaction>,
}

/// A 200 from `/GetAccountsDetail` or `/GetAccountsDetailAsync`.
#[derive(Debug, Clone, Deserialize)]
pub struct AccountsDetail {
    #[serde(rename = "requestid", default)]
    pub request_id: Option<RequestId>,
    #[serde(rename = "accounts", default, deserialize_with = "de_vec_or_one")]
    pub accounts: Vec<Account>,
    #[serde(rename = "login", default)]
    pub login: Option<Login>,
    #[serde(rename = "institution", default)]
    pub institution: Option<String>,
}

/// A 200 of the data endpoints as [`crate::fold::from_slice`] reads it: [`AccountsDetail`]'s
/// fields, which these must mirror, and the `FlinksCode` the request ledger records (the tree
/// path reads it from the tree). A duplicate of a field refuses the body, as for AccountsDetail.
#[derive(Deserialize)]
pub(crate) struct DetailBody {
    #[serde(rename = "requestid", default)]
    request_id: Option<RequestId>,
    #[serde(rename = "accounts", default, deserialize_with = "de_vec_or_one")]
    accounts: Vec<Account>,
    #[serde(rename = "login", default)]
    login: Option<Login>,
    #[serde(rename = "institution", default)]
    institution: Option<String>,
    #[serde(rename = "flinkscode", default)]
    flinks_code: Option<Value>,
}

impl DetailBody {
    pub(crate) fn into_parts(self) -> (AccountsDetail, Option<String>) {
        let detail = AccountsDetail {
            request_id: self.request_id,
            accounts: self.accounts,
            login: self.login,
            institution: self.institution,
        };
        (detail, string_only(self.flinks_code))
    }
}

/// What the tree path's `Value::as_str` keeps of a value.
fn string_only(value: Option<Value>) -> Option<String> {
    match value {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

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

/// [`de_vec_or_one`] as a type, for hand-written visitors.
struct VecOrOneOf<T>(Vec<T>);

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for VecOrOneOf<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de_vec_or_one(d).map(VecOrOneOf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read<T: serde::de::DeserializeOwned>(v: Value) -> T {
        serde_json::from_value(fold_keys(v)).unwrap()
    }

    #[test]
    fn accounts_detail_reads_the_documented_example_in_any_key_case() {
        let detail: AccountsDetail = read(json!({
            "HttpStatusCode": 200,
            "Accounts": [{
                "Transactions": [
                    {"Date": "2025-01-31", "Code": null, "Description": "PAYROLL", "Debit": null,
                     "Credit": 1500.25, "Balance": 5105.6, "Id": "94584aed"},
                    {"date": "2025/01/30", "description": "Card", "DEBIT": 150, "credit": null,
                     "Balance": "3605.10", "ID": "c2fb949a"}
                ],
                "Balance": {"Available": 5405.5, "Current": 5105.5, "Limit": null},
                "Category": "Operations", "Type": "Chequing", "Currency": "CAD",
                "Id": "27a9ffa0", "SomethingNew": {"x": 1}
            }],
            "Login": {"Username": "chat_gpt", "Id": "5602459c-f6d0-4ca0-6750-08dccdcadcc0"},
            "RequestId": "22178382"
        }));
        let account = &detail.accounts[0];
        assert_eq!(account.transactions.len(), 2);
        assert_eq!(
            account.transactions[0].credit,
            Some(Decimal::new(150025, 2))
        );
        assert_eq!(
            account.transactions[0].balance,
            Some(Decimal::new(51056, 1))
        );
        assert_eq!(
            account.transactions[1].date,
            NaiveDate::from_ymd_opt(2025, 1, 30).unwrap()
        );
        assert_eq!(account.transactions[1].debit, Some(Decimal::new(150, 0)));
        assert_eq!(
            account.transactions[1].balance,
            Some(Decimal::new(360510, 2))
        );
        assert_eq!(account.balance.as_ref().unwrap().limit, None);
        assert_eq!(detail.login.unwrap().id.last4(), "dcc0");
    }

    #[test]
    fn a_bad_amount_is_an_error_not_a_zero() {
        let bad = fold_keys(json!({"Date": "2025-01-31", "Debit": "12,50"}));
        assert!(serde_json::from_value::<Transaction>(bad).is_err());
        let bad_date = fold_keys(json!({"Date": "31/01/2025"}));
        assert!(serde_json::from_value::<Transaction>(bad_date).is_err());
    }

    #[test]
    fn attributes_keep_order_types_and_details_and_drop_the_card_id() {
        let attrs = Attributes::from_folded(fold_keys(json!({
            "HttpStatusCode": 200,
            "Card": {
                "Id": "0e3180b8-6339-42d0-24d1-08d9f315cb5b",
                "account_age_days": 364,
                "employer_name": "United Airlines",
                "balance_min": -10330.88,
                "AttributesDetail": {"Attribute": "sum_x", "Transactions": [
                    {"transactionid": "7ccb", "AccountId": "0e31", "Date": "2022/02/02",
                     "Description": "United Airlines", "Debit": null, "Credit": 500, "Balance": 65756.6}
                ]}
            },
            "RequestId": "1e01c5cc"
        })))
        .unwrap();
        let names: Vec<_> = attrs.values.keys().cloned().collect();
        assert_eq!(names, ["account_age_days", "employer_name", "balance_min"]);
        assert_eq!(
            attrs.values["balance_min"],
            AttributeValue::Number(Decimal::new(-1033088, 2))
        );
        assert_eq!(
            attrs.values["employer_name"],
            AttributeValue::Text("United Airlines".into())
        );
        assert_eq!(attrs.details.len(), 1);
        let behind = &attrs.details[0].transactions[0];
        assert_eq!(behind.transaction.id.as_deref(), Some("7ccb"));
        assert_eq!(behind.account_id.as_deref(), Some("0e31"));
        assert_eq!(behind.transaction.credit, Some(Decimal::new(500, 0)));
        assert_eq!(
            behind.transaction.date,
            NaiveDate::from_ymd_opt(2022, 2, 2).unwrap()
        );
    }

    #[test]
    fn attributes_without_a_card_are_refused() {
        assert!(Attributes::from_folded(json!({"requestid": "x"})).is_err());
        assert!(Attributes::from_folded(json!([1, 2])).is_err());
    }

    #[test]
    fn packages_parse_from_slugs_and_titles() {
        for p in Package::ALL {
            assert_eq!(p.slug().parse::<Package>().unwrap(), p);
            assert_eq!(p.title().parse::<Package>().unwrap(), p);
        }
        assert!("credit".parse::<Package>().is_err());
    }
}
