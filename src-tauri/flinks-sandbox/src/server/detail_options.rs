//! The options of a GetAccountsDetail (or Summary) call, which its session keeps: the Async
//! endpoint answers with them, and attributes are computed from the data they selected.

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

fn flag(body: &Map<String, Value>, key: &str, default: bool) -> bool {
    body.get(key).and_then(Value::as_bool).unwrap_or(default)
}
