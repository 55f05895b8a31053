use std::collections::HashMap;

use rusqlite::{params, Connection};
use rusqlite_migration::Migrations;
use rust_decimal::Decimal;

use crate::store::tests::{customer, migrations_up_to, store, value};
use crate::store::{
    BalanceSeries, Completion, DayBalance, DetailLists, RunStatus, Store, StoreError, StoredDetail,
};

fn series(account_id: &str, days: &[(&str, &str)]) -> BalanceSeries {
    BalanceSeries {
        account_id: account_id.into(),
        title: Some("Chequing Account".into()),
        last4: Some("4567".into()),
        days: days
            .iter()
            .map(|(date, balance)| DayBalance {
                date: date.parse().unwrap(),
                balance: balance.parse().unwrap(),
            })
            .collect(),
    }
}

#[test]
fn balances_come_back_by_account_in_order_and_exact() {
    let (_dir, store) = store();
    let c = customer(&store);
    let run = store.start_run(c, "credit-risk").unwrap();
    // Account "b" is listed first: the order is Flinks', not the ids'.
    let balances = [
        series("b", &[("2026-01-01", "10.10"), ("2026-01-03", "-0.5")]),
        series("a", &[("2026-01-02", "38000")]),
    ];
    let done = Completion {
        request_id: "r",
        duration_ms: 1,
        accounts: 2,
        transactions: 3,
        values: &[value("balance_min", "-0.5", Some(-0.5))],
        details: &[],
    };
    store
        .complete_run_with_balances(run, &done, &balances)
        .unwrap();
    let stored = store.balances(run).unwrap();
    assert_eq!(stored, balances);
    assert_eq!(stored[1].days[0].balance, Decimal::from(38_000));
    assert_eq!(stored[0].label(), "Chequing Account …4567");
    assert!(store.balances(run + 1).unwrap().is_empty());
}

#[test]
fn balances_are_written_with_the_values_or_not_at_all() {
    let (_dir, store) = store();
    let c = customer(&store);
    let run = store.start_run(c, "credit-risk").unwrap();
    // A whole account number breaks the last4 check after the values went in.
    let mut leaky = series("a", &[("2026-01-01", "1")]);
    leaky.last4 = Some("1234567".into());
    let done = Completion {
        request_id: "r",
        duration_ms: 1,
        accounts: 1,
        transactions: 1,
        values: &[value("balance_min", "1", Some(1.0))],
        details: &[],
    };
    assert!(store
        .complete_run_with_balances(run, &done, &[leaky])
        .is_err());
    assert!(store.values(run).unwrap().is_empty());
    assert!(store.balances(run).unwrap().is_empty());
    assert_eq!(store.run(run).unwrap().status, RunStatus::Running);
}

/// A transaction as Flinks lists it behind `name`; its fields all follow from `id`.
fn txn(name: &str, id: &str) -> StoredDetail {
    StoredDetail {
        name: name.into(),
        account_id: Some("acct".into()),
        transaction_id: Some(id.into()),
        date: format!("2026-01-{:02}", id.len()),
        description: Some(format!("PAYMENT {id}")),
        debit: Some(format!("{}.5", id.len())),
        credit: None,
        balance: Some(format!("-{}", id.len())),
    }
}

fn rows_of(store: &Store, table: &str, run: i64) -> i64 {
    store
        .conn()
        .query_row(
            &format!("SELECT count(*) FROM {table} WHERE run_id = ?1"),
            params![run],
            |r| r.get(0),
        )
        .unwrap()
}

fn complete_with(store: &Store, run: i64, details: &[StoredDetail]) -> Result<(), StoreError> {
    store.complete_run(
        run,
        &Completion {
            request_id: "r",
            duration_ms: 1,
            accounts: 1,
            transactions: 3,
            values: &[],
            details,
        },
    )
}

/// What explain must show for `name`: the details given for it, in the order given.
fn given(details: &[StoredDetail], name: &str) -> Vec<StoredDetail> {
    details.iter().filter(|d| d.name == name).cloned().collect()
}

#[test]
fn a_transaction_behind_several_values_is_stored_once_and_explained_under_each() {
    let (_dir, store) = store();
    let c = customer(&store);
    let run = store.start_run(c, "all").unwrap();
    // "nsf" comes back after "fees": its list goes on where it stopped.
    let details = [
        txn("nsf", "t1"),
        txn("nsf", "t22"),
        txn("fees", "t22"),
        txn("fees", "t333"),
        txn("fees", "t1"),
        txn("nsf", "t333"),
    ];
    complete_with(&store, run, &details).unwrap();
    assert_eq!(rows_of(&store, "run_transactions", run), 3);
    assert_eq!(rows_of(&store, "attribute_detail_lists", run), 2);
    assert_eq!(rows_of(&store, "attribute_details", run), 0);
    for name in ["nsf", "fees"] {
        assert_eq!(store.details(run, name).unwrap(), given(&details, name));
    }
    let ids = |name| -> Vec<String> {
        store
            .details(run, name)
            .unwrap()
            .into_iter()
            .map(|d| d.transaction_id.unwrap())
            .collect()
    };
    assert_eq!(ids("nsf"), ["t1", "t22", "t333"]);
    assert_eq!(ids("fees"), ["t22", "t333", "t1"]);
    assert!(store.details(run, "none_behind").unwrap().is_empty());
    assert_eq!(
        store.detail_counts(run).unwrap(),
        HashMap::from([("nsf".to_owned(), 3), ("fees".to_owned(), 3)])
    );
}

#[test]
fn details_gathered_already_are_stored_as_the_same_details_given_flat() {
    let (_dir, store) = store();
    let c = customer(&store);
    let flat_details = [
        txn("nsf", "t1"),
        txn("nsf", "t22"),
        txn("fees", "t22"),
        txn("fees", "t1"),
    ];
    let flat = store.start_run(c, "all").unwrap();
    complete_with(&store, flat, &flat_details).unwrap();
    let gathered = DetailLists {
        transactions: vec![txn("nsf", "t1"), txn("nsf", "t22")],
        lists: vec![("nsf".into(), vec![0, 1]), ("fees".into(), vec![1, 0])],
    };
    let run = store.start_run(c, "all").unwrap();
    let done = Completion {
        request_id: "r",
        duration_ms: 1,
        accounts: 1,
        transactions: 2,
        values: &[],
        details: &[],
    };
    store
        .complete_run_gathered(run, &done, &gathered, &[])
        .unwrap();
    assert_eq!(rows_of(&store, "run_transactions", run), 2);
    for name in ["nsf", "fees"] {
        assert_eq!(
            store.details(run, name).unwrap(),
            given(&flat_details, name)
        );
        assert_eq!(
            store.details(run, name).unwrap(),
            store.details(flat, name).unwrap()
        );
    }
    assert_eq!(
        store.detail_counts(run).unwrap(),
        store.detail_counts(flat).unwrap()
    );
    // All or nothing, as for details given flat: a run is completed once.
    assert!(store
        .complete_run_gathered(run, &done, &gathered, &[])
        .is_err());
    assert_eq!(rows_of(&store, "run_transactions", run), 2);
}

#[test]
fn details_that_differ_in_anything_are_kept_apart() {
    let (_dir, store) = store();
    let c = customer(&store);
    let run = store.start_run(c, "all").unwrap();
    // The same id with another balance, or in another account, is not the same transaction
    // to explain; without an id, only equal fields are the same transaction.
    let mut rebalanced = txn("b", "t1");
    rebalanced.balance = Some("99".into());
    let mut elsewhere = txn("b", "t1");
    elsewhere.account_id = Some("other".into());
    let no_id = |name: &str, description: &str| StoredDetail {
        transaction_id: None,
        account_id: None,
        description: Some(description.into()),
        ..txn(name, "x")
    };
    let details = [
        txn("a", "t1"),
        no_id("a", "CASH"),
        rebalanced,
        elsewhere,
        txn("b", "t1"),
        no_id("b", "CASH"),
        no_id("b", "CHEQUE"),
    ];
    complete_with(&store, run, &details).unwrap();
    // t1, CASH, t1 rebalanced, t1 elsewhere, CHEQUE.
    assert_eq!(rows_of(&store, "run_transactions", run), 5);
    for name in ["a", "b"] {
        assert_eq!(store.details(run, name).unwrap(), given(&details, name));
    }
}

#[test]
fn details_are_written_with_the_completion_or_not_at_all() {
    let (_dir, store) = store();
    let c = customer(&store);
    let run = store.start_run(c, "all").unwrap();
    store
        .end_run(run, RunStatus::Cancelled, 1, "run.cancelled", "stopped")
        .unwrap();
    // The details go in before the run is found not running any more.
    assert!(matches!(
        complete_with(&store, run, &[txn("nsf", "t1")]),
        Err(StoreError::NoSuchRun(_))
    ));
    assert_eq!(rows_of(&store, "run_transactions", run), 0);
    assert_eq!(rows_of(&store, "attribute_detail_lists", run), 0);
    assert!(store.detail_counts(run).unwrap().is_empty());
}

#[test]
fn deleting_a_customer_deletes_the_transactions_of_its_runs() {
    let (_dir, store) = store();
    let c = customer(&store);
    let run = store.start_run(c, "all").unwrap();
    complete_with(&store, run, &[txn("nsf", "t1"), txn("fees", "t1")]).unwrap();
    assert_eq!(rows_of(&store, "run_transactions", run), 1);
    store.delete_customer(c).unwrap();
    assert_eq!(rows_of(&store, "run_transactions", run), 0);
    assert_eq!(rows_of(&store, "attribute_detail_lists", run), 0);
}

#[test]
fn a_run_stored_before_migration_6_explains_as_it_did() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.sqlite3");
    // As the code before migration 6 wrote a run: every detail a row of attribute_details,
    // its position counted over the whole run; t1 is behind both values.
    let old_query = "SELECT name, account_id, transaction_id, date, description, debit, credit,
             balance
         FROM attribute_details WHERE run_id = ?1 AND name = ?2 ORDER BY position";
    let read_old = |conn: &Connection, name: &str| -> Vec<StoredDetail> {
        conn.prepare(old_query)
            .unwrap()
            .query_map(params![7, name], |r| {
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
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let before = {
        let mut conn = Connection::open(&path).unwrap();
        Migrations::new(migrations_up_to(5))
            .to_latest(&mut conn)
            .unwrap();
        conn.execute_batch(
            "INSERT INTO environments (id, key, name, kind, api_base_url, customer_id, created_at)
                 VALUES (1, 'builtin', 'Sandbox', 'builtin', 'http://127.0.0.1:1', 'cid', '2025-06-01');
             INSERT INTO customers (id, environment_id, key, label, login_last4, created_at)
                 VALUES (1, 1, 'borrower_nsf', 'Kevin', 'e2fe', '2025-06-01');
             INSERT INTO runs (id, customer_id, package, status, request_id, started_at, finished_at)
                 VALUES (7, 1, 'credit-risk', 'completed', 'r7', '2025-06-01', '2025-06-01');
             INSERT INTO attribute_details (run_id, name, position, account_id, transaction_id,
                     date, description, debit, credit, balance)
                 VALUES (7, 'count_nsf_90_days', 0, 'a', 't1', '2025-05-02', 'NSF FEE', '48', NULL, '-12.5'),
                        (7, 'sum_fees', 1, 'a', 't1', '2025-05-02', 'NSF FEE', '48', NULL, '-12.5'),
                        (7, 'count_nsf_90_days', 2, 'a', 't2', '2025-05-09', 'NSF FEE', '48', NULL, '-60.5'),
                        (7, 'sum_fees', 3, NULL, NULL, '2025-05-30', NULL, '3.95', NULL, NULL);",
        )
        .unwrap();
        ["count_nsf_90_days", "sum_fees"].map(|name| read_old(&conn, name))
    };
    assert_eq!((before[0].len(), before[1].len()), (2, 2));

    let store = Store::open(&path).unwrap();
    assert_eq!(
        rows_of(&store, "run_transactions", 7),
        0,
        "old rows stay put"
    );
    assert_eq!(store.details(7, "count_nsf_90_days").unwrap(), before[0]);
    assert_eq!(store.details(7, "sum_fees").unwrap(), before[1]);
    assert_eq!(
        store.detail_counts(7).unwrap(),
        HashMap::from([
            ("count_nsf_90_days".to_owned(), 2),
            ("sum_fees".to_owned(), 2)
        ])
    );

    // A new run beside it is written the new way, and each reads from its own tables.
    let run = store.start_run(1, "credit-risk").unwrap();
    complete_with(&store, run, &[txn("count_nsf_90_days", "n1")]).unwrap();
    assert_eq!(rows_of(&store, "attribute_details", run), 0);
    assert_eq!(
        store.details(run, "count_nsf_90_days").unwrap(),
        [txn("count_nsf_90_days", "n1")]
    );
    assert_eq!(store.details(7, "count_nsf_90_days").unwrap(), before[0]);
    assert_eq!(store.detail_counts(run).unwrap()["count_nsf_90_days"], 1);
}
