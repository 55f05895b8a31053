//! The transactions behind a run's values, as explain and the results table read them: each
//! transaction is stored once per run (migration 0006), and runs stored before that, one row per
//! value and transaction in attribute_details, read as they did.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use desk_core::store::{Completion, EnvironmentKind, StoredDetail};
use desk_core::{MemoryStore, Package, Store};
use proptest::prelude::*;
use rusqlite::Connection;

fn rows_of(db: &Path, table: &str, run: i64) -> i64 {
    Connection::open(db)
        .unwrap()
        .query_row(
            &format!("SELECT count(*) FROM {table} WHERE run_id = ?1"),
            [run],
            |r| r.get(0),
        )
        .unwrap()
}

/// A database as Flinks Desk left it before migration 0006 (schema version 5), with a completed
/// run whose NSF fee t1 is behind two values, and a transaction without an id.
fn version_5_database(path: &Path) {
    let conn = Connection::open(path).unwrap();
    for sql in [
        include_str!("../migrations/0001_initial.sql"),
        include_str!("../migrations/0002_attribute_details.sql"),
        include_str!("../migrations/0003_authorize_tokens.sql"),
        include_str!("../migrations/0004_account_balances.sql"),
        include_str!("../migrations/0005_environment_settings.sql"),
    ] {
        conn.execute_batch(sql).unwrap();
    }
    conn.pragma_update(None, "user_version", 5).unwrap();
    conn.execute_batch(
        "INSERT INTO environments (id, key, name, kind, api_base_url, customer_id, created_at)
             VALUES (1, 'builtin', 'Flinks Capital sandbox', 'builtin', 'http://127.0.0.1:1', 'cid', '2025-06-01T10:00:00.000Z');
         INSERT INTO customers (id, environment_id, key, label, institution, login_last4, created_at)
             VALUES (1, 1, 'borrower_nsf', 'Kevin Daigle', 'FlinksCapital', 'e2fe', '2025-06-01T10:00:00.000Z');
         INSERT INTO runs (id, customer_id, package, status, request_id, started_at, finished_at, duration_ms, accounts, transactions)
             VALUES (7, 1, 'credit-risk', 'completed', 'r7', '2025-06-01T10:00:00.000Z', '2025-06-01T10:00:05.000Z', 5000, 1, 370);
         INSERT INTO attribute_values (run_id, position, name, raw, number)
             VALUES (7, 0, 'count_nsf_90_days', '2', 2), (7, 1, 'sum_fees', '51.95', 51.95),
                    (7, 2, 'balance_min', '-60.5', -60.5);
         INSERT INTO attribute_details (run_id, name, position, account_id, transaction_id, date,
                 description, debit, credit, balance)
             VALUES (7, 'count_nsf_90_days', 0, 'a', 't1', '2025-05-02', 'NSF FEE', '48', NULL, '-12.5'),
                    (7, 'sum_fees', 1, 'a', 't1', '2025-05-02', 'NSF FEE', '48', NULL, '-12.5'),
                    (7, 'count_nsf_90_days', 2, 'a', 't2', '2025-05-09', 'NSF FEE', '48', NULL, '-60.5'),
                    (7, 'sum_fees', 3, NULL, NULL, '2025-05-30', NULL, '3.95', NULL, NULL);",
    )
    .unwrap();
}

fn nsf_fee(name: &str, id: &str, date: &str, balance: &str) -> StoredDetail {
    StoredDetail {
        name: name.into(),
        account_id: Some("a".into()),
        transaction_id: Some(id.into()),
        date: date.into(),
        description: Some("NSF FEE".into()),
        debit: Some("48".into()),
        credit: None,
        balance: Some(balance.into()),
    }
}

#[tokio::test]
async fn an_upgraded_database_explains_its_old_runs_as_before_and_its_new_runs_alike() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.sqlite3");
    version_5_database(&db);
    let desk = common::start_desk(&db, Arc::new(MemoryStore::default())).await;

    let nsf = desk.explain(7, "count_nsf_90_days").unwrap();
    assert_eq!(
        nsf.transactions,
        [
            nsf_fee("count_nsf_90_days", "t1", "2025-05-02", "-12.5"),
            nsf_fee("count_nsf_90_days", "t2", "2025-05-09", "-60.5"),
        ]
    );
    assert_eq!((nsf.net.as_str(), nsf.gross.as_str()), ("-96", "96"));
    let fees = desk.explain(7, "sum_fees").unwrap();
    assert_eq!(
        fees.transactions,
        [
            nsf_fee("sum_fees", "t1", "2025-05-02", "-12.5"),
            StoredDetail {
                name: "sum_fees".into(),
                account_id: None,
                transaction_id: None,
                date: "2025-05-30".into(),
                description: None,
                debit: Some("3.95".into()),
                credit: None,
                balance: None,
            },
        ]
    );
    assert_eq!(fees.gross, "51.95");
    assert!(desk
        .explain(7, "balance_min")
        .unwrap()
        .transactions
        .is_empty());
    let counts: HashMap<String, u32> = desk
        .open_run(7)
        .unwrap()
        .rows
        .into_iter()
        .map(|r| (r.name, r.transactions))
        .collect();
    assert_eq!(
        counts,
        HashMap::from([
            ("count_nsf_90_days".to_owned(), 2),
            ("sum_fees".to_owned(), 2),
            ("balance_min".to_owned(), 0),
        ])
    );
    assert_eq!(rows_of(&db, "run_transactions", 7), 0);

    // A run made now by the whole flow: every count the results table shows is what explain
    // lists, and no transaction is stored twice.
    let new = desk
        .run("borrower_nsf", Package::All, &|_| {})
        .await
        .unwrap();
    let mut behind = 0;
    for row in &new.rows {
        let explained = desk.explain(new.run_id, &row.name).unwrap();
        assert_eq!(
            explained.transactions.len(),
            row.transactions as usize,
            "{}",
            row.name
        );
        assert!(explained.transactions.iter().all(|t| t.name == row.name));
        behind += row.transactions as usize;
    }
    assert!(behind > 0, "an All run has transactions behind its values");
    assert_eq!(rows_of(&db, "attribute_details", new.run_id), 0);
    let stored = rows_of(&db, "run_transactions", new.run_id) as usize;
    let distinct: i64 = Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM (SELECT DISTINCT account_id, transaction_id FROM run_transactions
                                   WHERE run_id = ?1)",
            [new.run_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored as i64, distinct);
    assert!(
        stored < behind,
        "{stored} stored for {behind} behind values: some transaction is behind two values"
    );
}

/// Details from a few values, transactions and variants of one transaction id, so that repeats,
/// an id with other fields, and transactions without an id all come up.
fn details() -> impl Strategy<Value = Vec<StoredDetail>> {
    prop::collection::vec((0..4u8, 0..6u8, 0..2u8), 0..40).prop_map(|picks| {
        picks
            .into_iter()
            .map(|(value, transaction, variant)| StoredDetail {
                name: format!("v{value}"),
                account_id: (transaction != 5).then(|| "a".to_owned()),
                transaction_id: (transaction != 5).then(|| format!("t{transaction}")),
                date: format!("2026-01-0{}", transaction + 1),
                description: Some(format!("TXN {transaction}")),
                debit: (variant == 0).then(|| format!("{transaction}.25")),
                credit: (variant == 1).then(|| format!("{transaction}.25")),
                balance: Some(format!("-{transaction}")),
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn each_value_reads_back_its_details_in_order_from_distinct_transactions(
        details in details()
    ) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("desk.sqlite3");
        let store = Store::open(&db).unwrap();
        let env = store
            .upsert_environment("builtin", "Sandbox", EnvironmentKind::Builtin, "http://127.0.0.1:1", "cid", false)
            .unwrap();
        let customer = store.upsert_customer(env, "k", "Kevin", "FlinksCapital", "e2fe").unwrap();
        let run = store.start_run(customer, "all").unwrap();
        store
            .complete_run(
                run,
                &Completion {
                    request_id: "r",
                    duration_ms: 1,
                    accounts: 1,
                    transactions: 6,
                    values: &[],
                    details: &details,
                },
            )
            .unwrap();
        let mut counts: HashMap<String, u32> = HashMap::new();
        for d in &details {
            *counts.entry(d.name.clone()).or_default() += 1;
        }
        for name in counts.keys() {
            let given: Vec<StoredDetail> =
                details.iter().filter(|d| &d.name == name).cloned().collect();
            prop_assert_eq!(store.details(run, name).unwrap(), given);
        }
        prop_assert_eq!(store.detail_counts(run).unwrap(), counts);
        let distinct: HashSet<_> = details
            .iter()
            .map(|d| (&d.account_id, &d.transaction_id, &d.date, &d.description, &d.debit, &d.credit, &d.balance))
            .collect();
        prop_assert_eq!(rows_of(&db, "run_transactions", run) as usize, distinct.len());
    }
}
