//! The options of a GetAccountsDetail (or Summary, or Statements) call, which its session keeps:
//! the Async endpoint answers with them, and attributes are computed from the data they selected.

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::engine::Scope;
use crate::model::Account;

/// What a GetAccountsDetail call asked for. The session keeps it: the Async endpoint answers
/// with the same options, and attributes are computed from the data it returned.
#[derive(Debug, Clone)]
pub(super) struct DetailOptions {
    pub(super) with_transactions: bool,
    pub(super) with_identity: bool,
    pub(super) with_balance: bool,
    pub(super) days: i64,
    /// `AccountsFilter`: only these accounts.
    pub(super) accounts: Option<Vec<Uuid>>,
}

impl Default for DetailOptions {
    fn default() -> Self {
        Self::from_body(&Map::new())
    }
}

impl DetailOptions {
    pub(super) fn from_body(body: &Map<String, Value>) -> Self {
        let days = match body.get("daysoftransactions").and_then(Value::as_str) {
            Some(d) if d.eq_ignore_ascii_case("days90") => 90,
            _ => 365,
        };
        // Ids that are not GUIDs match no account; an empty filter is no filter.
        let accounts = body
            .get("accountsfilter")
            .and_then(Value::as_array)
            .map(|ids| {
                ids.iter()
                    .filter_map(|id| id.as_str().and_then(|s| Uuid::parse_str(s.trim()).ok()))
                    .collect::<Vec<_>>()
            })
            .filter(|ids| !ids.is_empty());
        Self {
            with_transactions: flag(body, "withtransactions", true),
            with_identity: flag(body, "withaccountidentity", true),
            with_balance: flag(body, "withbalance", true),
            days,
            accounts,
        }
    }

    /// The accounts and days of data attributes are computed from.
    pub(super) fn scope(&self) -> Scope {
        Scope {
            accounts: self.accounts.clone(),
            categories: None,
            days: Some(self.days),
        }
    }

    pub(super) fn includes(&self, account: &Account) -> bool {
        self.accounts
            .as_ref()
            .map_or(true, |ids| ids.contains(&account.id))
    }
}

/// What a GetStatements call asked for (flinks-api.md §1, §2.7): `NumberOfStatements` monthly
/// statements per account, of the `AccountsFilter` accounts or all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct StatementOptions {
    /// MostRecent is 1, Months3 3, Months12 12.
    pub(super) months: usize,
    pub(super) accounts: Option<Vec<Uuid>>,
}

impl Default for StatementOptions {
    fn default() -> Self {
        Self {
            months: 1,
            accounts: None,
        }
    }
}

impl StatementOptions {
    /// The options of a GetStatements body, or why Flinks would refuse it.
    pub(super) fn from_body(body: &Map<String, Value>) -> Result<Self, String> {
        let months = match body.get("numberofstatements") {
            None | Some(Value::Null) => 1,
            Some(Value::String(n)) if n.eq_ignore_ascii_case("mostrecent") => 1,
            Some(Value::String(n)) if n.eq_ignore_ascii_case("months3") => 3,
            Some(Value::String(n)) if n.eq_ignore_ascii_case("months12") => 12,
            Some(other) => {
                return Err(format!(
                    "NumberOfStatements must be MostRecent, Months3 or Months12, not {other}."
                ))
            }
        };
        let listed = body
            .get("accountsfilter")
            .and_then(Value::as_array)
            .filter(|ids| !ids.is_empty());
        // flinks-api.md §2.7: a year of statements is for one account at a time.
        if months == 12 && listed.map_or(0, Vec::len) != 1 {
            return Err("Months12 needs exactly one account in AccountsFilter.".to_owned());
        }
        // An id that is not a GUID matches no account, even when it is the only one.
        let accounts = listed.map(|ids| {
            ids.iter()
                .filter_map(|id| id.as_str().and_then(|s| Uuid::parse_str(s.trim()).ok()))
                .collect()
        });
        Ok(Self { months, accounts })
    }

    pub(super) fn includes(&self, account: &Account) -> bool {
        self.accounts
            .as_ref()
            .map_or(true, |ids| ids.contains(&account.id))
    }
}

fn flag(body: &Map<String, Value>, key: &str, default: bool) -> bool {
    body.get(key).and_then(Value::as_bool).unwrap_or(default)
}
