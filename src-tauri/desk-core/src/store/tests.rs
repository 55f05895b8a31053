//! The fixtures every table family's tests share, and the tests of opening and migrating.

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

use super::{migrations, EnvironmentKind, RunStatus, Store, StoreError, StoredValue};

pub(super) fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("desk.sqlite3")).unwrap();
    (dir, store)
}

pub(super) fn customer(store: &Store) -> i64 {
    let env = store
        .upsert_environment(
            "builtin",
            "Sandbox",
            EnvironmentKind::Builtin,
            "http://127.0.0.1:1",
            "cid",
            false,
        )
        .unwrap();
    store
        .upsert_customer(env, "borrower_nsf", "Kevin", "FlinksCapital", "e2fe")
        .unwrap()
}

pub(super) fn value(name: &str, raw: &str, number: Option<f64>) -> StoredValue {
    StoredValue {
        scope: "login".into(),
        name: name.into(),
        raw: raw.into(),
        number,
    }
}

#[test]
fn migrations_are_valid() {
    assert!(migrations().validate().is_ok());
}

#[test]
fn a_version_3_database_gains_the_balances_and_keeps_its_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.sqlite3");
    {
        let mut conn = Connection::open(&path).unwrap();
        Migrations::new(vec![
            M::up(include_str!("../../migrations/0001_initial.sql")),
            M::up(include_str!("../../migrations/0002_attribute_details.sql")),
            M::up(include_str!("../../migrations/0003_authorize_tokens.sql")),
        ])
        .to_latest(&mut conn)
        .unwrap();
        conn.execute_batch(
            "INSERT INTO environments (id, key, name, kind, api_base_url, customer_id, created_at)
                 VALUES (1, 'builtin', 'Sandbox', 'builtin', 'http://127.0.0.1:1', 'cid', '2025-06-01');
             INSERT INTO customers (id, environment_id, key, label, login_last4, created_at)
                 VALUES (1, 1, 'borrower_nsf', 'Kevin', 'e2fe', '2025-06-01');
             INSERT INTO runs (id, customer_id, package, status, request_id, started_at, finished_at)
                 VALUES (7, 1, 'credit-risk', 'completed', 'r7', '2025-06-01', '2025-06-01');
             INSERT INTO attribute_values (run_id, position, name, raw, number)
                 VALUES (7, 0, 'balance_min', '-153.74', -153.74);",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let version: i64 = store
        .conn()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, migration_files(), "every migration ran");
    let table: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'account_balances'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(table, 1);
    assert_eq!(store.run(7).unwrap().status, RunStatus::Completed);
    assert_eq!(
        store.values(7).unwrap(),
        [value("balance_min", "-153.74", Some(-153.74))]
    );
    assert!(store.balances(7).unwrap().is_empty(), "an old run has none");
}

/// The first `n` migrations, as a database of that version was built.
pub(super) fn migrations_up_to(n: usize) -> Vec<M<'static>> {
    [
        include_str!("../../migrations/0001_initial.sql"),
        include_str!("../../migrations/0002_attribute_details.sql"),
        include_str!("../../migrations/0003_authorize_tokens.sql"),
        include_str!("../../migrations/0004_account_balances.sql"),
        include_str!("../../migrations/0005_environment_settings.sql"),
    ][..n]
        .iter()
        .map(|sql| M::up(sql))
        .collect()
}

#[test]
fn runs_left_running_are_interrupted_at_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.sqlite3");
    let (done, left) = {
        let store = Store::open(&path).unwrap();
        let c = customer(&store);
        let done = store.start_run(c, "credit-risk").unwrap();
        store
            .end_run(done, RunStatus::Failed, 5, "flinks.timeout", "slow")
            .unwrap();
        (done, store.start_run(c, "credit-risk").unwrap())
    };
    let store = Store::open(&path).unwrap();
    assert_eq!(store.run(left).unwrap().status, RunStatus::Interrupted);
    let failed = store.run(done).unwrap();
    assert_eq!(
        failed.status,
        RunStatus::Failed,
        "finished runs are left as they were"
    );
    assert_eq!(failed.error_code.as_deref(), Some("flinks.timeout"));
}

#[test]
fn a_foreign_file_is_reported_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.sqlite3");
    let junk = b"this is not a database, but it is somebody's file".repeat(100);
    std::fs::write(&path, &junk).unwrap();
    match Store::open(&path) {
        Err(StoreError::Corrupt { .. }) => {}
        Err(other) => panic!("expected Corrupt, got {other}"),
        Ok(_) => panic!("a foreign file opened as a database"),
    }
    assert_eq!(std::fs::read(&path).unwrap(), junk);
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.sqlite3");
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    assert!(matches!(Store::open(&path), Err(StoreError::TooNew { .. })));
}

/// How many migrations the desk has: one SQL file each.
fn migration_files() -> i64 {
    std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql"))
        })
        .count() as i64
}
