//! The sandbox's own view of bank data. Amounts are integer cents so that sums are exact; they
//! become JSON numbers with two decimals only at the wire.

use chrono::NaiveDate;
use uuid::Uuid;

/// Money in cents (CAD).
pub type Cents = i64;

/// A synthetic Flinks Capital customer: one login with its accounts.
#[derive(Debug, Clone, PartialEq)]
pub struct Persona {
    /// Flinks Capital username; stable, lower-case, used to pick a persona in docs and tests.
    pub username: String,
    /// Display name of the account holder.
    pub holder_name: String,
    /// One line an underwriter recognizes ("salaried, paid biweekly by one employer").
    pub story: String,
    /// Stable loginId, derived from the seed and the username.
    pub login_id: Uuid,
    pub accounts: Vec<Account>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub id: Uuid,
    pub title: String,
    /// Flinks `Type`: Chequing, Savings, CreditCard, ...
    pub account_type: String,
    /// Flinks `Category`: Operations, Credits, Products, Other.
    pub category: String,
    pub currency: String,
    pub transit_number: String,
    pub institution_number: String,
    pub account_number: String,
    pub overdraft_limit: Cents,
    /// The day the account was opened (account_age_days counts from here).
    pub opened: NaiveDate,
    /// Oldest first. `balance` is the running balance after the transaction.
    pub transactions: Vec<Transaction>,
}

impl Account {
    /// Balance after the last transaction (the opening balance when there is none).
    pub fn current_balance(&self, opening: Cents) -> Cents {
        self.transactions.last().map_or(opening, |t| t.balance)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Transaction {
    pub id: Uuid,
    pub date: NaiveDate,
    pub description: String,
    /// Exactly one of debit and credit is set, and it is positive.
    pub debit: Option<Cents>,
    pub credit: Option<Cents>,
    pub balance: Cents,
}

impl Transaction {
    /// Credit minus debit: positive for money in.
    pub fn signed_amount(&self) -> Cents {
        self.credit.unwrap_or(0) - self.debit.unwrap_or(0)
    }
}

/// A computed attribute value, typed so that the wire format and the unit follow from it.
#[derive(Debug, Clone, PartialEq)]
pub enum AttrValue {
    /// CAD amount in cents.
    Money(Cents),
    /// A count of transactions or days.
    Count(i64),
    /// A plain number (ratios, trends).
    Number(f64),
    /// Enum-like or free text: `CONSISTENT`, `NONE_DETECTED`, an employer's name.
    Text(String),
}

impl AttrValue {
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            AttrValue::Money(c) => money_json(*c),
            AttrValue::Count(n) => serde_json::Value::from(*n),
            AttrValue::Number(x) => serde_json::Number::from_f64((*x * 100.0).round() / 100.0)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            AttrValue::Text(s) => serde_json::Value::from(s.as_str()),
        }
    }
}

/// Cents as a JSON number with at most two decimals (5105.6, 1000, -10330.88), as Flinks writes money.
pub fn money_json(cents: Cents) -> serde_json::Value {
    if cents % 100 == 0 {
        serde_json::Value::from(cents / 100)
    } else {
        // Integer cents / 100 as f64 prints the shortest round-trip form, which is the 2-decimal one.
        serde_json::Number::from_f64(cents as f64 / 100.0)
            .map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

/// One computed attribute with the transactions behind it (for `AttributesDetail`).
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub value: AttrValue,
    /// (account id, transaction id) of the transactions a sum or count was computed from.
    pub detail: Vec<(Uuid, Uuid)>,
}
