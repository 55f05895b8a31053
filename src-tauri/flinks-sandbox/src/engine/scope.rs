//! Which accounts and days an attribute request covers.

use uuid::Uuid;

use crate::model::Account;

/// Which accounts and transactions attributes are computed from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// Only these accounts (GetAccountsDetail's `AccountsFilter`, the custom request's
    /// `AccountFilter`).
    pub accounts: Option<Vec<Uuid>>,
    /// Only accounts of these Flinks categories, in any case (`Filters.AccountCategory`).
    /// Without it, the Operations accounts.
    pub categories: Option<Vec<String>>,
    /// Only the transactions of the last N days (`DaysOfTransactions`, `limitDays`).
    pub days: Option<i64>,
}

impl Scope {
    pub(super) fn includes(&self, a: &Account) -> bool {
        let listed = self
            .accounts
            .as_ref()
            .map_or(true, |ids| ids.contains(&a.id));
        let category = match &self.categories {
            Some(categories) => categories
                .iter()
                .any(|c| c.trim().eq_ignore_ascii_case(&a.category)),
            None => is_operations(a),
        };
        listed && category
    }

    /// What both scopes allow: the accounts both list, the shorter day limit. `other`'s
    /// categories replace this one's (sessions never carry categories).
    pub fn narrowed(&self, other: &Scope) -> Scope {
        let accounts = match (&self.accounts, &other.accounts) {
            (Some(a), Some(b)) => Some(a.iter().filter(|id| b.contains(id)).copied().collect()),
            (a, b) => a.clone().or_else(|| b.clone()),
        };
        let days = match (self.days, other.days) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Scope {
            accounts,
            categories: other.categories.clone().or_else(|| self.categories.clone()),
            days,
        }
    }
}

fn is_operations(a: &Account) -> bool {
    let is = |field: &str, value: &str| field.eq_ignore_ascii_case(value);
    !is(&a.account_type, "CreditCard")
        && (is(&a.category, "Operations")
            || is(&a.account_type, "Chequing")
            || is(&a.account_type, "Savings"))
}
