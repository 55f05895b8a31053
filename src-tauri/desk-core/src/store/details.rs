//! The transactions behind a run's values, and its accounts' end-of-day balances.
//!
//! Since migration 0006 a run keeps each of its transactions once (`run_transactions`), however
//! many values it is behind, and for each value an ordered list of places among them
//! (`attribute_detail_lists`). Runs stored before are read from `attribute_details`, as they
//! were written.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use rusqlite::{params, Connection};
use rust_decimal::Decimal;

use super::{Store, StoreError};

mod behind;
pub use behind::TransactionBehind;

/// One transaction behind a value. Amounts are kept as the exact decimal text Flinks sent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredDetail {
    pub name: String,
    pub account_id: Option<String>,
    pub transaction_id: Option<String>,
    pub date: String,
    pub description: Option<String>,
    pub debit: Option<String>,
    pub credit: Option<String>,
    pub balance: Option<String>,
}

/// A detail's transaction without the value it is behind: equal for two details exactly when
/// they show the same transaction.
type TransactionFields<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

impl StoredDetail {
    fn transaction(&self) -> TransactionFields<'_> {
        (
            self.account_id.as_deref(),
            self.transaction_id.as_deref(),
            &self.date,
            self.description.as_deref(),
            self.debit.as_deref(),
            self.credit.as_deref(),
            self.balance.as_deref(),
        )
    }
}

/// The transactions behind a run's values gathered as the store keeps them: each distinct
/// transaction once, and for each value the places of its transactions among them, in the order
/// Flinks listed them. `Desk::run` hands an attributes reply over so: a busy account's All reply
/// names each of its transactions behind a dozen values, and one row per mention would be most
/// of the run's memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DetailLists {
    /// Each transaction once; its `name` is the first value it is behind.
    pub transactions: Vec<StoredDetail>,
    /// Each value's transactions, by place in `transactions`; one list per value.
    pub lists: Vec<(String, Vec<usize>)>,
}

/// A run's details as they are written: each distinct transaction once, and for each value the
/// places of its transactions among them, in the order Flinks listed them.
pub(super) struct SharedDetails<'a> {
    pub(super) transactions: Vec<&'a StoredDetail>,
    pub(super) lists: Vec<(&'a str, Cow<'a, [usize]>)>,
}

impl<'a> From<&'a DetailLists> for SharedDetails<'a> {
    fn from(gathered: &'a DetailLists) -> Self {
        SharedDetails {
            transactions: gathered.transactions.iter().collect(),
            lists: gathered
                .lists
                .iter()
                .map(|(name, places)| (name.as_str(), Cow::Borrowed(places.as_slice())))
                .collect(),
        }
    }
}

pub(super) fn share_transactions<'a>(details: &'a [StoredDetail]) -> SharedDetails<'a> {
    let mut shared = SharedDetails {
        transactions: Vec::new(),
        lists: Vec::new(),
    };
    // Flinks' transaction id (with its account's) finds a repeat by a short key. The other fields
    // are still compared, so two details that differ in anything are never merged and explain
    // shows exactly what Flinks sent; those, and details without an id, go by all their fields.
    let mut by_id: HashMap<(Option<&str>, &str), usize> = HashMap::new();
    let mut by_fields: HashMap<TransactionFields<'_>, usize> = HashMap::new();
    let mut lists_by_name: HashMap<&str, usize> = HashMap::new();
    // A value's details come one after another: the last list is the one wanted almost always.
    let mut last: Option<(&str, usize)> = None;
    for d in details {
        let add = |shared: &mut SharedDetails<'a>| {
            shared.transactions.push(d);
            shared.transactions.len() - 1
        };
        let fields = d.transaction();
        let index = match d.transaction_id.as_deref() {
            Some(id) => {
                let found = *by_id
                    .entry((d.account_id.as_deref(), id))
                    .or_insert_with(|| add(&mut shared));
                if shared.transactions[found].transaction() == fields {
                    found
                } else {
                    *by_fields.entry(fields).or_insert_with(|| add(&mut shared))
                }
            }
            None => *by_fields.entry(fields).or_insert_with(|| add(&mut shared)),
        };
        let list = match last {
            Some((name, list)) if name == d.name => list,
            _ => *lists_by_name.entry(&d.name).or_insert_with(|| {
                shared.lists.push((&d.name, Cow::Owned(Vec::new())));
                shared.lists.len() - 1
            }),
        };
        last = Some((&d.name, list));
        shared.lists[list].1.to_mut().push(index);
    }
    shared
}

fn json_list(indexes: &[usize]) -> String {
    let mut text = String::with_capacity(indexes.len() * 6 + 2);
    text.push('[');
    for (i, index) in indexes.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        let _ = write!(text, "{index}");
    }
    text.push(']');
    text
}

/// One account's end-of-day balances in a run: what the balance chart draws.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BalanceSeries {
    pub account_id: String,
    pub title: Option<String>,
    /// At most the last four characters of the account number.
    pub last4: Option<String>,
    /// Oldest first, one a day.
    pub days: Vec<DayBalance>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DayBalance {
    pub date: NaiveDate,
    /// The balance after the day's last transaction, exact.
    pub balance: Decimal,
}

impl BalanceSeries {
    /// What a legend calls the account: its title and the last four of its number.
    pub fn label(&self) -> String {
        let title = self
            .title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .unwrap_or("Account");
        match self.last4.as_deref() {
            Some(last4) => format!("{title} …{last4}"),
            None => title.to_owned(),
        }
    }
}

pub(super) fn write_balances(
    conn: &Connection,
    run_id: i64,
    balances: &[BalanceSeries],
) -> Result<(), StoreError> {
    let mut balance = conn.prepare_cached(
        "INSERT INTO account_balances (run_id, position, account_id, title, last4, date, balance)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (position, series) in balances.iter().enumerate() {
        for day in &series.days {
            balance.execute(params![
                run_id,
                position as i64,
                series.account_id,
                series.title,
                series.last4,
                day.date.to_string(),
                day.balance.normalize().to_string()
            ])?;
        }
    }
    Ok(())
}

pub(super) fn write_details(
    conn: &Connection,
    run_id: i64,
    shared: &SharedDetails<'_>,
) -> Result<(), StoreError> {
    let mut transaction = conn.prepare_cached(
        "INSERT INTO run_transactions (run_id, id, account_id, transaction_id, date,
             description, debit, credit, balance)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (id, d) in shared.transactions.iter().enumerate() {
        transaction.execute(params![
            run_id,
            id as i64,
            d.account_id,
            d.transaction_id,
            d.date,
            d.description,
            d.debit,
            d.credit,
            d.balance
        ])?;
    }
    let mut list = conn.prepare_cached(
        "INSERT INTO attribute_detail_lists (run_id, name, txns) VALUES (?1, ?2, ?3)",
    )?;
    for (name, indexes) in &shared.lists {
        list.execute(params![run_id, name, json_list(indexes)])?;
    }
    Ok(())
}

impl Store {
    /// Whether the run was stored before migration 0006, with its details in attribute_details.
    pub(super) fn has_legacy_details(conn: &Connection, run_id: i64) -> Result<bool, StoreError> {
        Ok(conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM attribute_details WHERE run_id = ?1)")?
            .query_row(params![run_id], |r| r.get(0))?)
    }

    /// The transactions behind one value of a run, in the order Flinks listed them.
    pub fn details(&self, run_id: i64, name: &str) -> Result<Vec<StoredDetail>, StoreError> {
        let conn = self.conn();
        let sql = if Self::has_legacy_details(&conn, run_id)? {
            "SELECT account_id, transaction_id, date, description, debit, credit, balance
             FROM attribute_details WHERE run_id = ?1 AND name = ?2 ORDER BY position"
        } else {
            "SELECT t.account_id, t.transaction_id, t.date, t.description, t.debit, t.credit,
                 t.balance
             FROM attribute_detail_lists l, json_each(l.txns) j
             JOIN run_transactions t ON t.run_id = l.run_id AND t.id = j.value
             WHERE l.run_id = ?1 AND l.name = ?2
             ORDER BY j.key"
        };
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params![run_id, name], |r| {
            Ok(StoredDetail {
                name: name.to_owned(),
                account_id: r.get(0)?,
                transaction_id: r.get(1)?,
                date: r.get(2)?,
                description: r.get(3)?,
                debit: r.get(4)?,
                credit: r.get(5)?,
                balance: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The accounts a run's transactions came from, each with the last day it covers
    /// (`YYYY-MM-DD`), by account id.
    pub fn transaction_span(
        &self,
        run_id: i64,
    ) -> Result<Vec<(Option<String>, String)>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT account_id, max(date) FROM (
                 SELECT account_id, date FROM run_transactions WHERE run_id = ?1
                 UNION ALL
                 SELECT account_id, date FROM attribute_details WHERE run_id = ?1)
             GROUP BY account_id ORDER BY account_id",
        )?;
        let rows = stmt.query_map(params![run_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A run's end-of-day balances by account, in the order Flinks listed the accounts; none
    /// for a run stored before they were kept.
    pub fn balances(&self, run_id: i64) -> Result<Vec<BalanceSeries>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT account_id, title, last4, date, balance FROM account_balances
             WHERE run_id = ?1 ORDER BY position, date",
        )?;
        let rows = stmt.query_map(params![run_id], |r| {
            let text = |i: usize| -> rusqlite::Result<String> { r.get(i) };
            let bad = |i: usize, e: Box<dyn std::error::Error + Send + Sync>| {
                rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e)
            };
            let date = NaiveDate::parse_from_str(&text(3)?, "%Y-%m-%d")
                .map_err(|e| bad(3, Box::new(e)))?;
            let balance = text(4)?
                .parse::<Decimal>()
                .map_err(|e| bad(4, Box::new(e)))?;
            Ok((
                text(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                DayBalance { date, balance },
            ))
        })?;
        let mut series: Vec<BalanceSeries> = Vec::new();
        for row in rows {
            let (account_id, title, last4, day) = row?;
            match series.last_mut() {
                Some(s) if s.account_id == account_id => s.days.push(day),
                _ => series.push(BalanceSeries {
                    account_id,
                    title,
                    last4,
                    days: vec![day],
                }),
            }
        }
        Ok(series)
    }

    /// How many transactions stand behind each value of a run that has any.
    pub fn detail_counts(&self, run_id: i64) -> Result<HashMap<String, u32>, StoreError> {
        let conn = self.conn();
        let sql = if Self::has_legacy_details(&conn, run_id)? {
            "SELECT name, count(*) FROM attribute_details WHERE run_id = ?1 GROUP BY name"
        } else {
            "SELECT name, json_array_length(txns) FROM attribute_detail_lists WHERE run_id = ?1"
        };
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params![run_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests;
