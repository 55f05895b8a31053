//! The credit file's sheet of transactions: each transaction behind any value of a run once,
//! with the names of the values it is behind.

use std::collections::HashMap;

use rusqlite::params;

use super::{share_transactions, StoredDetail};
use crate::store::{Store, StoreError};

/// One transaction of a run and the values it is behind, by name in alphabetical order (a name
/// twice when its value lists the transaction twice).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionBehind {
    pub account_id: Option<String>,
    pub transaction_id: Option<String>,
    pub date: String,
    pub description: Option<String>,
    pub debit: Option<String>,
    pub credit: Option<String>,
    pub balance: Option<String>,
    pub values: Vec<String>,
}

/// The transactions (by stored id) that some value lists, each with the names of the values
/// that list it, by date and then in the order the run first listed them, as a statement reads.
fn behind(
    transactions: impl IntoIterator<Item = (i64, TransactionBehind)>,
    lists: impl IntoIterator<Item = (String, Vec<i64>)>,
) -> Vec<TransactionBehind> {
    let mut transactions: Vec<(i64, TransactionBehind)> = transactions.into_iter().collect();
    let place: HashMap<i64, usize> = (0..)
        .zip(&transactions)
        .map(|(at, (id, _))| (*id, at))
        .collect();
    for (name, ids) in lists {
        for id in ids {
            // A list naming a transaction the run does not have is skipped, as explain's join
            // skips it.
            if let Some(&at) = place.get(&id) {
                transactions[at].1.values.push(name.clone());
            }
        }
    }
    let mut behind: Vec<TransactionBehind> = transactions
        .into_iter()
        .map(|(_, t)| t)
        .filter(|t| !t.values.is_empty())
        .collect();
    behind.sort_by(|a, b| a.date.cmp(&b.date));
    behind
}

impl Store {
    /// Every transaction behind a value of a run, once, with the values it is behind: the
    /// credit file's sheet of them. An All run names ~300,000 details over ~27,000 distinct
    /// transactions; listing each transaction once keeps the sheet a tenth of the size while
    /// every value's transactions are still found by its name.
    pub fn transactions_behind(&self, run_id: i64) -> Result<Vec<TransactionBehind>, StoreError> {
        let conn = self.conn();
        if Self::has_legacy_details(&conn, run_id)? {
            let mut stmt = conn.prepare_cached(
                "SELECT name, account_id, transaction_id, date, description, debit, credit,
                     balance
                 FROM attribute_details WHERE run_id = ?1 ORDER BY name, position",
            )?;
            let details: Vec<StoredDetail> = stmt
                .query_map(params![run_id], |r| {
                    Ok(StoredDetail {
                        name: r.get(0)?,
                        account_id: r.get(1)?,
                        transaction_id: r.get(2)?,
                        date: r.get(3)?,
                        description: r.get(4)?,
                        debit: r.get(5)?,
                        credit: r.get(6)?,
                        balance: r.get(7)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            let shared = share_transactions(&details);
            let transactions = shared.transactions.iter().map(|d| TransactionBehind {
                account_id: d.account_id.clone(),
                transaction_id: d.transaction_id.clone(),
                date: d.date.clone(),
                description: d.description.clone(),
                debit: d.debit.clone(),
                credit: d.credit.clone(),
                balance: d.balance.clone(),
                values: Vec::new(),
            });
            let lists = shared.lists.iter().map(|(name, list)| {
                let ids = list.iter().map(|&i| i as i64).collect();
                ((*name).to_owned(), ids)
            });
            return Ok(behind(
                transactions.enumerate().map(|(i, t)| (i as i64, t)),
                lists,
            ));
        }
        let mut stmt = conn.prepare_cached(
            "SELECT id, account_id, transaction_id, date, description, debit, credit, balance
             FROM run_transactions WHERE run_id = ?1 ORDER BY id",
        )?;
        let transactions: Vec<(i64, TransactionBehind)> = stmt
            .query_map(params![run_id], |r| {
                Ok((
                    r.get(0)?,
                    TransactionBehind {
                        account_id: r.get(1)?,
                        transaction_id: r.get(2)?,
                        date: r.get(3)?,
                        description: r.get(4)?,
                        debit: r.get(5)?,
                        credit: r.get(6)?,
                        balance: r.get(7)?,
                        values: Vec::new(),
                    },
                ))
            })?
            .collect::<Result<_, _>>()?;
        let mut stmt = conn.prepare_cached(
            "SELECT name, txns FROM attribute_detail_lists WHERE run_id = ?1 ORDER BY name",
        )?;
        let lists: Vec<(String, Vec<i64>)> = stmt
            .query_map(params![run_id], |r| {
                let list: String = r.get(1)?;
                // Written by this store as a JSON array of ids: anything else is a damaged row.
                let ids = serde_json::from_str(&list).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        1,
                        rusqlite::types::Type::Text,
                        e.into(),
                    )
                })?;
                Ok((r.get(0)?, ids))
            })?
            .collect::<Result<_, _>>()?;
        Ok(behind(transactions, lists))
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;
    use rusqlite_migration::Migrations;

    use super::*;
    use crate::store::tests::{customer, migrations_up_to, store};
    use crate::store::Completion;

    fn txn(name: &str, id: &str, date: &str) -> StoredDetail {
        StoredDetail {
            name: name.into(),
            account_id: Some("acct".into()),
            transaction_id: Some(id.into()),
            date: date.into(),
            description: Some(format!("PAYMENT {id}")),
            debit: Some("1.5".into()),
            credit: None,
            balance: Some("-2".into()),
        }
    }

    fn listed(behind: &[TransactionBehind]) -> Vec<(Option<&str>, &str, Vec<&str>)> {
        behind
            .iter()
            .map(|t| {
                let values = t.values.iter().map(String::as_str).collect();
                (t.transaction_id.as_deref(), t.date.as_str(), values)
            })
            .collect()
    }

    #[test]
    fn each_transaction_behind_a_value_is_listed_once_by_date_with_the_values_it_is_behind() {
        let (_dir, store) = store();
        let c = customer(&store);
        let run = store.start_run(c, "all").unwrap();
        let details = [
            txn("nsf", "t3", "2026-01-03"),
            txn("nsf", "t1", "2026-01-01"),
            txn("fees", "t2", "2026-01-02"),
            txn("fees", "t1", "2026-01-01"),
            // Listed twice by one value: named twice, so the value's count still adds up.
            txn("fees", "t1", "2026-01-01"),
        ];
        let done = Completion {
            request_id: "r",
            duration_ms: 1,
            accounts: 1,
            transactions: 3,
            values: &[],
            details: &details,
        };
        store.complete_run(run, &done).unwrap();
        let behind = store.transactions_behind(run).unwrap();
        assert_eq!(
            listed(&behind),
            [
                (Some("t1"), "2026-01-01", vec!["fees", "fees", "nsf"]),
                (Some("t2"), "2026-01-02", vec!["fees"]),
                (Some("t3"), "2026-01-03", vec!["nsf"]),
            ]
        );
        let t1 = &details[1];
        assert_eq!(
            (&behind[0].description, &behind[0].debit, &behind[0].balance),
            (&t1.description, &t1.debit, &t1.balance)
        );
        assert!(store.transactions_behind(run + 1).unwrap().is_empty());
    }

    #[test]
    fn a_run_stored_before_migration_6_lists_its_transactions_once_too() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.sqlite3");
        {
            let mut conn = Connection::open(&path).unwrap();
            Migrations::new(migrations_up_to(5))
                .to_latest(&mut conn)
                .unwrap();
            // As the code before migration 6 wrote a run: a row per value and transaction.
            conn.execute_batch(
                "INSERT INTO environments (id, key, name, kind, api_base_url, customer_id, created_at)
                     VALUES (1, 'builtin', 'Sandbox', 'builtin', 'http://127.0.0.1:1', 'cid', '2025-06-01');
                 INSERT INTO customers (id, environment_id, key, label, login_last4, created_at)
                     VALUES (1, 1, 'borrower_nsf', 'Kevin', 'e2fe', '2025-06-01');
                 INSERT INTO runs (id, customer_id, package, status, request_id, started_at, finished_at)
                     VALUES (7, 1, 'credit-risk', 'completed', 'r7', '2025-06-01', '2025-06-01');
                 INSERT INTO attribute_details (run_id, name, position, account_id, transaction_id,
                         date, description, debit, credit, balance)
                     VALUES (7, 'sum_fees', 0, NULL, NULL, '2025-05-30', NULL, '3.95', NULL, NULL),
                            (7, 'count_nsf_90_days', 1, 'a', 't2', '2025-05-09', 'NSF', '48', NULL, '-60.5'),
                            (7, 'sum_fees', 2, 'a', 't1', '2025-05-02', 'NSF', '48', NULL, '-12.5'),
                            (7, 'count_nsf_90_days', 3, 'a', 't1', '2025-05-02', 'NSF', '48', NULL, '-12.5');",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(
            listed(&store.transactions_behind(7).unwrap()),
            [
                (
                    Some("t1"),
                    "2025-05-02",
                    vec!["count_nsf_90_days", "sum_fees"]
                ),
                (Some("t2"), "2025-05-09", vec!["count_nsf_90_days"]),
                (None, "2025-05-30", vec!["sum_fees"]),
            ]
        );
    }
}
