//! The keyring and the database agree: an environment the database refuses leaves no key in the
//! keyring.

mod common;

use std::sync::Arc;

use desk_core::{DeskError, MemoryStore, NewEnvironment, Secret};

fn acme(url: &str) -> NewEnvironment {
    NewEnvironment {
        name: "Acme".into(),
        api_base_url: url.into(),
        customer_id: "acme-customer".into(),
        production: false,
        secret_key: Some(Secret::new("sk-acme")),
        api_key: Some(Secret::new("xk-acme")),
        authorize_tokens: true,
        settings: Default::default(),
    }
}

#[tokio::test]
async fn an_environment_the_database_refuses_leaves_nothing_in_the_keyring() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.sqlite3");
    let secrets = Arc::new(MemoryStore::default());
    let desk = common::start_desk(&db, secrets.clone()).await;
    let keys_before = {
        let mut names = secrets.names();
        names.sort();
        names
    };
    let listed_before = desk.environments().len();
    let refuse = |when: &str| {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(&format!(
            "DROP TRIGGER IF EXISTS refuse;
             CREATE TRIGGER refuse BEFORE {when} ON environments
             BEGIN SELECT RAISE(ABORT, 'the disk is full'); END;"
        ))
        .unwrap();
    };
    // Refused at the insert, and after it (the row is written, its settings are not).
    for when in ["INSERT", "UPDATE"] {
        refuse(when);
        let err = desk
            .add_environment(acme("https://acme-api.private.fin.ag"))
            .unwrap_err();
        assert!(matches!(err, DeskError::Store(_)), "{when}: {err}");
        let mut names = secrets.names();
        names.sort();
        assert_eq!(names, keys_before, "{when}: the keyring is as it was");
        assert_eq!(desk.environments().len(), listed_before, "{when}");
    }
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("DROP TRIGGER refuse;")
        .unwrap();
    drop(desk);
    let desk = common::start_desk(&db, secrets.clone()).await;
    assert_eq!(
        desk.environments().len(),
        listed_before,
        "no half-saved environment after a restart"
    );
    // And with the database willing, the same environment is added with its keys.
    let added = desk
        .add_environment(acme("https://acme-api.private.fin.ag"))
        .unwrap();
    assert!(added.has_secret_key && added.has_api_key);
}
