//! The replies of the data endpoints (`GetAccountsDetail`, `GetAccountsSummary` and their
//! Async polls): accounts, balances, transactions.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;

use super::lenient::{de_date, de_decimal_opt, de_vec_or_one, string_only};
use super::{Login, RequestId};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Balance {
    #[serde(rename = "available", default, deserialize_with = "de_decimal_opt")]
    pub available: Option<Decimal>,
    #[serde(rename = "current", default, deserialize_with = "de_decimal_opt")]
    pub current: Option<Decimal>,
    #[serde(rename = "limit", default, deserialize_with = "de_decimal_opt")]
    pub limit: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
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
