//! The keyring and the database agree: an environment the database refuses leaves no key in the
//! keyring. And a keyring that cannot be read is said to be locked (or unavailable), not taken
//! for keys "not set": no call goes out without the x-api-key it could not read.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use desk_core::{
    DeskError, KeyringState, LoginId, MemoryStore, NewEnvironment, Package, Secret, SecretError,
    SecretStore,
};
use flinks_sandbox::{Sandbox, SandboxConfig};

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

/// A keyring whose reads of some entries fail, as a locked or missing keyring's do.
#[derive(Default)]
struct Refusing {
    inner: MemoryStore,
    /// Reads of the entries whose names start with this fail with this error.
    refuse: Mutex<Option<(&'static str, SecretError)>>,
}

impl SecretStore for Refusing {
    fn set(&self, name: &str, value: &Secret) -> Result<(), SecretError> {
        self.inner.set(name, value)
    }

    fn get(&self, name: &str) -> Result<Option<Secret>, SecretError> {
        match &*self.refuse.lock().unwrap() {
            Some((prefix, e)) if name.starts_with(prefix) => Err(e.clone()),
            _ => self.inner.get(name),
        }
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        self.inner.delete(name)
    }
}

#[tokio::test]
async fn a_keyring_unreadable_at_start_is_said_so_and_no_call_goes_without_the_x_api_key() {
    let instance = Sandbox::start_local(SandboxConfig {
        pending_for: Duration::ZERO,
        customer_ids: vec!["keyed-customer".into()],
        api_key: Some("xk-keyed".into()),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    for (refusal, state, code) in [
        (
            SecretError::Locked("test: locked".into()),
            KeyringState::Locked,
            "keyring.locked",
        ),
        (
            SecretError::Unavailable("test: no Secret Service".into()),
            KeyringState::Unavailable,
            "keyring.unavailable",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("desk.sqlite3");
        let secrets = Arc::new(Refusing::default());
        let desk = common::start_desk(&db, secrets.clone()).await;
        let env = desk
            .add_environment(NewEnvironment {
                name: "Keyed".into(),
                api_base_url: instance.base_url(),
                customer_id: "keyed-customer".into(),
                production: false,
                secret_key: None,
                api_key: Some(Secret::new("xk-keyed")),
                authorize_tokens: false,
                settings: Default::default(),
            })
            .unwrap();
        assert_eq!((env.keyring, env.has_api_key), (KeyringState::Ok, true));
        let customer = desk
            .add_customer(
                &env.key,
                "Keyed customer",
                LoginId::new(instance.personas()[0].login_id.to_string()),
            )
            .unwrap();
        drop(desk);

        // The next start finds the keyring refusing the environment's keys (its loginIds
        // still read: the x-api-key is what must not go missing).
        *secrets.refuse.lock().unwrap() = Some(("x-api-key:", refusal.clone()));
        let desk = common::start_desk(&db, secrets.clone()).await;
        let shown = desk
            .environments()
            .into_iter()
            .find(|e| e.key == env.key)
            .unwrap();
        assert_eq!(shown.keyring, state, "{refusal}");
        assert!(!shown.has_api_key);
        let json = serde_json::to_value(&shown).unwrap();
        assert_eq!(json["keyring"], code.trim_start_matches("keyring."));
        let err = desk
            .run(&customer.id, Package::Income, &|_| {})
            .await
            .unwrap_err();
        assert_eq!(err.view().code.as_str(), code, "{err}");
        assert!(
            desk.ledger(100, Some(&env.key)).unwrap().is_empty(),
            "{refusal}: no call went out"
        );

        // Unlocked: the keys are read again, and the run goes with its x-api-key.
        *secrets.refuse.lock().unwrap() = None;
        let run = desk
            .run(&customer.id, Package::Income, &|_| {})
            .await
            .unwrap();
        assert!(!run.rows.is_empty());
        let shown = desk
            .environments()
            .into_iter()
            .find(|e| e.key == env.key)
            .unwrap();
        assert_eq!((shown.keyring, shown.has_api_key), (KeyringState::Ok, true));
    }
}
