//! Environments as the person looks after them: the request log and its totals per environment,
//! and editing an environment, against the built-in sandbox and second sandboxes standing in
//! for private Flinks instances, over real HTTP.

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use desk_core::LoginId;
use desk_core::{
    Desk, DeskError, EnvironmentEdit, EnvironmentSettings, EnvironmentView, MemoryStore,
    NewEnvironment, Package, SecretError, SecretStore,
};
use flinks_client::Secret;
use flinks_sandbox::{Sandbox, SandboxConfig};

async fn start(dir: &Path, secrets: Arc<dyn SecretStore>) -> Desk {
    common::start_desk(&dir.join("desk.sqlite3"), secrets).await
}

/// A second Flinks-compatible server, as a private instance would be.
async fn instance(customer_id: &str, secret_key: &str, api_key: Option<&str>) -> Sandbox {
    Sandbox::start_local(SandboxConfig {
        pending_for: Duration::ZERO,
        customer_ids: vec![customer_id.into()],
        secret_key: secret_key.into(),
        api_key: api_key.map(str::to_owned),
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn new_environment(name: &str, url: &str, customer_id: &str) -> NewEnvironment {
    NewEnvironment {
        name: name.into(),
        api_base_url: url.into(),
        customer_id: customer_id.into(),
        production: false,
        secret_key: None,
        api_key: None,
        authorize_tokens: false,
        settings: Default::default(),
    }
}

/// An edit that changes nothing of `env` and types no key.
fn unchanged(env: &EnvironmentView) -> EnvironmentEdit {
    EnvironmentEdit {
        name: env.name.clone(),
        api_base_url: env.api_base_url.clone(),
        customer_id: env.customer_id.clone(),
        production: env.production,
        authorize_tokens: env.authorize_tokens,
        secret_key: None,
        api_key: None,
        settings: EnvironmentSettings {
            iframe_url: env.iframe_url.clone(),
            poll_interval_secs: Some(env.poll_interval_secs),
            poll_max_wait_mins: Some(env.poll_max_wait_mins),
        },
    }
}

fn find(desk: &Desk, key: &str) -> EnvironmentView {
    desk.environments()
        .into_iter()
        .find(|e| e.key == key)
        .expect("the environment is listed")
}

/// What the UI can see of an environment, to compare before and after.
fn shown(env: &EnvironmentView) -> String {
    serde_json::to_string(env).unwrap()
}

fn secret_key_of(secrets: &dyn SecretStore, env: &str) -> Option<String> {
    let value = secrets.get(&format!("secret-key:{env}")).unwrap();
    value.map(|s| s.expose().to_owned())
}

fn api_key_of(secrets: &dyn SecretStore, env: &str) -> Option<String> {
    let value = secrets.get(&format!("x-api-key:{env}")).unwrap();
    value.map(|s| s.expose().to_owned())
}

fn code(e: &DeskError) -> String {
    e.view().code.to_string()
}

#[tokio::test]
async fn the_request_log_filters_and_counts_by_environment() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let desk = start(dir.path(), secrets.clone()).await;
    let server = instance("private-customer-id", "sk-private", None).await;

    desk.run("borrower_nsf", Package::CreditRisk, &|_| {})
        .await
        .unwrap();
    // Added first but sorted last: totals go by name, whatever the case, not by age.
    let zeta = desk
        .add_environment(NewEnvironment {
            production: true,
            ..new_environment(
                "Zeta Lending (production)",
                &server.base_url(),
                "private-customer-id",
            )
        })
        .unwrap();
    let acme = desk
        .add_environment(NewEnvironment {
            secret_key: Some("sk-private".into()),
            ..new_environment("acme (staging)", &server.base_url(), "private-customer-id")
        })
        .unwrap();
    let login = server.personas()[0].login_id.to_string();
    let customer = desk
        .add_customer(&zeta.key, "Zed", LoginId::new(&login))
        .unwrap();
    desk.confirm_production(&zeta.key).unwrap();
    desk.run(&customer.id, Package::Income, &|_| {})
        .await
        .unwrap();
    // Without a secret key the check is an Authorize that Flinks refuses: a failed call.
    desk.check_environment(&zeta.key).await.unwrap();
    desk.check_environment(&acme.key).await.unwrap();

    let of = |key: &str| desk.ledger(1000, Some(key)).unwrap();
    let (builtin_lines, zeta_lines, acme_lines) = (of("builtin"), of(&zeta.key), of(&acme.key));
    assert!(builtin_lines
        .iter()
        .all(|l| l.environment == "builtin" && l.environment_name == "Flinks Capital sandbox"));
    assert!(builtin_lines
        .iter()
        .any(|l| l.endpoint == "GetCreditRiskAttributes"));
    assert!(zeta_lines
        .iter()
        .all(|l| l.environment == zeta.key && l.environment_name == "Zeta Lending (production)"));
    assert!(zeta_lines
        .iter()
        .any(|l| l.endpoint == "GetIncomeAttributes"));
    assert!(zeta_lines
        .iter()
        .all(|l| l.endpoint != "GetCreditRiskAttributes"));
    let acme_endpoints: Vec<&str> = acme_lines.iter().map(|l| l.endpoint.as_str()).collect();
    assert_eq!(acme_endpoints, ["GenerateAuthorizeToken"]);
    assert_eq!(acme_lines[0].environment_name, "acme (staging)");
    assert_eq!(
        desk.ledger(1000, None).unwrap().len(),
        builtin_lines.len() + zeta_lines.len() + acme_lines.len()
    );
    // The built-in's calls are the oldest: a limit applied before the filter would lose them.
    let newest_builtin = desk.ledger(1, Some("builtin")).unwrap();
    assert_eq!(newest_builtin.len(), 1);
    assert_eq!(newest_builtin[0].endpoint, "GetCreditRiskAttributes");
    let unknown = desk.ledger(10, Some("no-such-environment")).unwrap_err();
    assert_eq!(code(&unknown), "environment.unknown", "{unknown}");

    let refused = zeta_lines
        .iter()
        .find(|l| l.flinks_code.as_deref() == Some("INVALID_LOGIN"))
        .expect("the check's refused Authorize is logged");
    assert!(refused.status.is_some_and(|s| s >= 400) && !refused.billable);
    let successes = zeta_lines
        .iter()
        .filter(|l| l.status.is_some_and(|s| (200..300).contains(&s)))
        .count() as i64;
    assert!(successes >= 3, "a run makes several calls: {zeta_lines:?}");
    // Of those, Flinks bills what the run was delivered: its accounts detail and its attributes.
    let delivered = 2;

    let totals = desk.ledger_totals().unwrap();
    let order: Vec<&str> = totals.iter().map(|t| t.environment.as_str()).collect();
    // The toolbox made no call, so it has no line.
    assert_eq!(order, ["builtin", acme.key.as_str(), zeta.key.as_str()]);
    let (builtin, acme_totals, zeta_totals) = (&totals[0], &totals[1], &totals[2]);
    assert_eq!(builtin.requests, builtin_lines.len() as i64);
    assert_eq!(
        (builtin.billable, builtin.failed),
        (0, 0),
        "a sandbox bills nothing"
    );
    assert!(!builtin.production);
    assert_eq!(
        (
            acme_totals.requests,
            acme_totals.billable,
            acme_totals.failed
        ),
        (1, 0, 0),
        "a staging instance's successes are not billed"
    );
    assert_eq!(zeta_totals.environment_name, "Zeta Lending (production)");
    assert!(zeta_totals.production);
    assert_eq!(zeta_totals.requests, zeta_lines.len() as i64);
    assert_eq!(zeta_totals.billable, delivered);
    assert_eq!(zeta_totals.failed, 1);
    assert_eq!(zeta_totals.billable_this_month, delivered);

    // A billable call from another month, as the ledger of a desk used for years holds.
    let db = rusqlite::Connection::open(dir.path().join("desk.sqlite3")).unwrap();
    let backdated = db
        .execute(
            "UPDATE requests SET at = '2020-01-15T10:00:00.000Z' WHERE id = (
                 SELECT r.id FROM requests r JOIN environments e ON e.id = r.environment_id
                 WHERE e.key = ?1 AND r.billable = 1 ORDER BY r.id LIMIT 1)",
            [&zeta.key],
        )
        .unwrap();
    assert_eq!(backdated, 1);
    let zeta_totals = desk
        .ledger_totals()
        .unwrap()
        .into_iter()
        .find(|t| t.environment == zeta.key)
        .unwrap();
    assert_eq!(zeta_totals.billable, delivered);
    assert_eq!(zeta_totals.billable_this_month, delivered - 1);
}

#[tokio::test]
async fn an_edited_environment_takes_effect_at_once_keeps_its_customers_and_persists() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let desk = start(dir.path(), secrets.clone()).await;
    let old = instance("old-customer-id", "sk-old-server", None).await;
    let new = instance("new-customer-id", "sk-new-server", Some("xk-new-server")).await;

    let env = desk
        .add_environment(NewEnvironment {
            secret_key: Some("sk-old-server".into()),
            api_key: Some("xk-old-server".into()),
            ..new_environment("Acme (old server)", &old.base_url(), "old-customer-id")
        })
        .unwrap();
    let position = |desk: &Desk| desk.environments().iter().position(|e| e.key == env.key);
    let listed_at = position(&desk);
    let count = desk.environments().len();
    desk.check_environment(&env.key).await.unwrap();
    old.stop().await;
    let gone = desk.check_environment(&env.key).await.unwrap_err();
    assert_eq!(code(&gone), "flinks.transport", "{gone}");

    // Keys given for the old server are not sent to a new one: an edit that moves the
    // environment (another host or port) and leaves them blank clears them.
    let moved = desk
        .update_environment(
            &env.key,
            EnvironmentEdit {
                name: "  Acme (new server) ".into(),
                api_base_url: new.base_url(),
                customer_id: "new-customer-id".into(),
                secret_key: Some("   ".into()),
                api_key: None,
                ..unchanged(&env)
            },
        )
        .unwrap();
    assert_eq!(
        (moved.key.as_str(), moved.kind.as_str(), moved.name.as_str()),
        (env.key.as_str(), "private", "Acme (new server)")
    );
    assert_eq!(moved.api_base_url, new.base_url());
    assert_eq!(moved.customer_id, "new-customer-id");
    assert!(!moved.has_secret_key && !moved.has_api_key);
    assert_eq!(shown(&find(&desk, &env.key)), shown(&moved));
    assert_eq!(
        (position(&desk), desk.environments().len()),
        (listed_at, count)
    );
    assert_eq!(secret_key_of(&*secrets, &env.key), None);
    assert_eq!(api_key_of(&*secrets, &env.key), None);
    // The new server is reached, and with no secret key left the check can only say so.
    let said = desk.check_environment(&env.key).await.unwrap();
    assert!(said.contains("no secret key to check"), "{said}");

    // Without its x-api-key the new server's data endpoints refuse the run.
    let login = new.personas()[0].login_id.to_string();
    let customer = desk
        .add_customer(&env.key, "Kevin", LoginId::new(&login))
        .unwrap();
    assert!(desk
        .run(&customer.id, Package::Income, &|_| {})
        .await
        .is_err());

    let edited = desk
        .update_environment(
            &env.key,
            EnvironmentEdit {
                production: true,
                authorize_tokens: true,
                secret_key: Some(" sk-new-server ".into()),
                api_key: Some("xk-new-server".into()),
                ..unchanged(&moved)
            },
        )
        .unwrap();
    assert!(edited.production && edited.authorize_tokens);
    assert_eq!(
        secret_key_of(&*secrets, &env.key).as_deref(),
        Some("sk-new-server")
    );
    assert_eq!(
        api_key_of(&*secrets, &env.key).as_deref(),
        Some("xk-new-server")
    );
    desk.confirm_production(&env.key).unwrap();
    let said = desk.check_environment(&env.key).await.unwrap();
    assert!(said.contains("secret key buys authorize tokens"), "{said}");
    assert!(desk.customers().iter().any(|c| c.id == customer.id));
    let run = desk
        .run(&customer.id, Package::Income, &|_| {})
        .await
        .unwrap();
    assert_eq!(run.environment, "Acme (new server)");
    assert!(!run.rows.is_empty());

    // The ledger counts by the production mark of the moment of the call.
    let lines = desk.ledger(1000, Some(&env.key)).unwrap();
    let line = |endpoint: &str| lines.iter().find(|l| l.endpoint == endpoint).unwrap();
    assert!(line("GetIncomeAttributes").billable);
    let first_authorized = lines
        .iter()
        .rev()
        .find(|l| l.endpoint == "Authorize" && l.status == Some(200))
        .unwrap();
    assert!(!first_authorized.billable);

    // What was edited is in the database, not only in the desk that edited it.
    let expected = shown(&find(&desk, &env.key));
    drop(desk);
    let desk = start(dir.path(), secrets.clone()).await;
    assert_eq!(shown(&find(&desk, &env.key)), expected);
    assert_eq!(position(&desk), listed_at);
    // A confirmation lasts one session: the restarted desk asks again.
    let again = desk.check_environment(&env.key).await.unwrap_err();
    assert_eq!(code(&again), "production.unconfirmed", "{again}");
    desk.confirm_production(&env.key).unwrap();
    desk.check_environment(&env.key).await.unwrap();
}

#[tokio::test]
async fn the_built_in_sandbox_cannot_be_edited_and_the_toolbox_can() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let desk = start(dir.path(), secrets.clone()).await;
    let builtin = find(&desk, "builtin");
    let err = desk
        .update_environment(
            "builtin",
            EnvironmentEdit {
                name: "My sandbox".into(),
                ..unchanged(&builtin)
            },
        )
        .unwrap_err();
    assert_eq!(code(&err), "input.invalid");
    assert!(err.to_string().contains("built-in sandbox"), "{err}");
    assert_eq!(shown(&find(&desk, "builtin")), shown(&builtin));
    let err = desk
        .update_environment("no-such-environment", unchanged(&builtin))
        .unwrap_err();
    assert_eq!(code(&err), "environment.unknown");

    let toolbox = find(&desk, "toolbox");
    let toolbox_secret = secret_key_of(&*secrets, "toolbox");
    assert!(toolbox_secret.is_some());
    let renamed = desk
        .update_environment(
            "toolbox",
            EnvironmentEdit {
                name: "Flinks toolbox (team)".into(),
                secret_key: Some(String::new().into()),
                ..unchanged(&toolbox)
            },
        )
        .unwrap();
    assert_eq!(renamed.kind, desk_core::store::EnvironmentKind::Toolbox);
    assert!(renamed.has_secret_key && renamed.has_api_key);
    assert_eq!(secret_key_of(&*secrets, "toolbox"), toolbox_secret);

    // The desk sets the toolbox up only at its first start: a later start keeps the edit.
    drop(desk);
    let desk = start(dir.path(), secrets.clone()).await;
    assert_eq!(find(&desk, "toolbox").name, "Flinks toolbox (team)");
}

#[tokio::test]
async fn an_edit_is_checked_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let desk = start(dir.path(), secrets.clone()).await;
    let keyless = desk
        .add_environment(new_environment(
            "Acme",
            "https://acme-api.private.fin.ag",
            "acme",
        ))
        .unwrap();
    let before = shown(&keyless);

    for (edit, why) in [
        (
            EnvironmentEdit {
                name: "Acme (tokens)".into(),
                authorize_tokens: true,
                ..unchanged(&keyless)
            },
            "tokens with no secret key anywhere",
        ),
        (
            EnvironmentEdit {
                authorize_tokens: true,
                secret_key: Some("  ".into()),
                ..unchanged(&keyless)
            },
            "a blank secret key is no secret key",
        ),
        (
            EnvironmentEdit {
                name: " ".into(),
                secret_key: Some("sk-should-not-be-kept".into()),
                ..unchanged(&keyless)
            },
            "no name",
        ),
        (
            EnvironmentEdit {
                customer_id: String::new(),
                secret_key: Some("sk-should-not-be-kept".into()),
                ..unchanged(&keyless)
            },
            "no customerId",
        ),
        (
            EnvironmentEdit {
                api_base_url: "ftp://acme".into(),
                api_key: Some("xk-should-not-be-kept".into()),
                ..unchanged(&keyless)
            },
            "not an http(s) URL",
        ),
    ] {
        let err = desk.update_environment(&keyless.key, edit).unwrap_err();
        assert!(
            ["input.invalid", "flinks.transport"].contains(&code(&err).as_str()),
            "{why}: {err}"
        );
        assert_eq!(shown(&find(&desk, &keyless.key)), before, "{why}");
        assert_eq!(secret_key_of(&*secrets, &keyless.key), None, "{why}");
        assert_eq!(api_key_of(&*secrets, &keyless.key), None, "{why}");
    }

    // The secret key already in the keyring is enough for tokens.
    let keyed = desk
        .add_environment(NewEnvironment {
            secret_key: Some("sk-in-the-keyring".into()),
            ..new_environment("Beta", "https://beta-api.private.fin.ag", "beta")
        })
        .unwrap();
    let edited = desk
        .update_environment(
            &keyed.key,
            EnvironmentEdit {
                authorize_tokens: true,
                ..unchanged(&keyed)
            },
        )
        .unwrap();
    assert!(edited.authorize_tokens && edited.has_secret_key);
    assert_eq!(
        secret_key_of(&*secrets, &keyed.key).as_deref(),
        Some("sk-in-the-keyring")
    );
}

#[test]
fn an_edit_reads_the_form_and_never_prints_its_keys() {
    let edit: EnvironmentEdit = serde_json::from_str(
        r#"{"name": "Acme", "apiBaseUrl": "https://acme-api.private.fin.ag", "customerId": "c",
            "production": true, "authorizeTokens": false, "secretKey": "sk-typed-now"}"#,
    )
    .unwrap();
    assert_eq!(edit.api_base_url, "https://acme-api.private.fin.ag");
    assert_eq!(
        edit.secret_key.as_ref().map(desk_core::Secret::expose),
        Some("sk-typed-now")
    );
    assert_eq!(edit.api_key, None);
    assert!(edit.production);
    let printed = format!("{edit:?}");
    assert!(
        printed.contains("Acme") && !printed.contains("sk-typed-now"),
        "{printed}"
    );
    // A new environment's keys and a sign-in's credentials arrive typed as secrets as well.
    let new: desk_core::NewEnvironment = serde_json::from_str(
        r#"{"name": "Acme", "apiBaseUrl": "https://acme-api.private.fin.ag", "customerId": "c",
            "secretKey": "sk-new-typed", "apiKey": "xk-new-typed"}"#,
    )
    .unwrap();
    let sign_in: desk_core::LiveSignIn = serde_json::from_str(
        r#"{"environment": "builtin", "institution": "FlinksCapital",
            "username": "user-typed", "password": "pw-typed"}"#,
    )
    .unwrap();
    let printed = format!("{new:?} {sign_in:?}");
    for secret in ["sk-new-typed", "xk-new-typed", "user-typed", "pw-typed"] {
        assert!(!printed.contains(secret), "{secret} in {printed}");
    }
    assert!(printed.contains("Acme") && printed.contains("FlinksCapital"));
    // Leaving the production mark out would quietly unmark a production instance.
    assert!(serde_json::from_str::<EnvironmentEdit>(
        r#"{"name": "Acme", "apiBaseUrl": "https://a", "customerId": "c", "authorizeTokens": false}"#
    )
    .is_err());
}

/// A keyring that refuses one write: the one after the next `allow` writes.
#[derive(Default)]
struct Flaky {
    inner: MemoryStore,
    writes_before_refusal: Mutex<Option<u32>>,
}

impl Flaky {
    fn refuse_after(&self, allow: u32) {
        *self.writes_before_refusal.lock().unwrap() = Some(allow);
    }
}

impl SecretStore for Flaky {
    fn set(&self, name: &str, value: &Secret) -> Result<(), SecretError> {
        {
            let mut left = self.writes_before_refusal.lock().unwrap();
            match *left {
                Some(0) => {
                    *left = None;
                    return Err(SecretError::Failed("test: the keyring refused".into()));
                }
                Some(n) => *left = Some(n - 1),
                None => {}
            }
        }
        self.inner.set(name, value)
    }

    fn get(&self, name: &str) -> Result<Option<Secret>, SecretError> {
        self.inner.get(name)
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        self.inner.delete(name)
    }
}

#[tokio::test]
async fn a_keyring_that_refuses_leaves_the_environment_and_its_old_keys_as_they_were() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(Flaky::default());
    let desk = start(dir.path(), secrets.clone()).await;
    let keyed = desk
        .add_environment(NewEnvironment {
            secret_key: Some("sk-old-value".into()),
            api_key: Some("xk-old-value".into()),
            ..new_environment("Acme", "https://acme-api.private.fin.ag", "acme")
        })
        .unwrap();
    let keyless = desk
        .add_environment(new_environment(
            "Beta",
            "https://beta-api.private.fin.ag",
            "beta",
        ))
        .unwrap();
    let edit = || EnvironmentEdit {
        name: "Renamed".into(),
        api_base_url: "https://other-api.private.fin.ag".into(),
        customer_id: "other".into(),
        production: true,
        authorize_tokens: true,
        secret_key: Some("sk-new-value".into()),
        api_key: Some("xk-new-value".into()),
        settings: Default::default(),
    };

    // Whichever key is written first gets in; the second is refused, so the first must be undone.
    for env in [&keyed, &keyless] {
        secrets.refuse_after(1);
        let err = desk.update_environment(&env.key, edit()).unwrap_err();
        assert_eq!(code(&err), "keyring.error", "{err}");
        let message = format!("{err} {:?}", err.view());
        assert!(!message.contains("sk-new-value") && !message.contains("xk-new-value"));
        assert_eq!(shown(&find(&desk, &env.key)), shown(env));
    }
    assert_eq!(
        secret_key_of(&secrets.inner, &keyed.key).as_deref(),
        Some("sk-old-value")
    );
    assert_eq!(
        api_key_of(&secrets.inner, &keyed.key).as_deref(),
        Some("xk-old-value")
    );
    assert_eq!(secret_key_of(&secrets.inner, &keyless.key), None);
    assert_eq!(api_key_of(&secrets.inner, &keyless.key), None);

    // Nor did the database change: a new desk reads the rows as they were.
    drop(desk);
    let desk = start(dir.path(), secrets.clone()).await;
    assert_eq!(shown(&find(&desk, &keyed.key)), shown(&keyed));
    assert_eq!(shown(&find(&desk, &keyless.key)), shown(&keyless));
    // And once the keyring is back, the same edit goes through.
    let edited = desk.update_environment(&keyed.key, edit()).unwrap();
    assert_eq!(edited.name, "Renamed");
    assert_eq!(
        secret_key_of(&secrets.inner, &keyed.key).as_deref(),
        Some("sk-new-value")
    );
}

#[tokio::test]
async fn an_instance_name_poll_policy_and_connect_url_are_kept_and_used() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let desk = start(dir.path(), secrets.clone()).await;

    // An instance name stands for its documented address.
    let named = desk
        .add_environment(new_environment("Acme by name", "Acme-Lending", "c"))
        .unwrap();
    assert_eq!(
        named.api_base_url,
        "https://acme-lending-api.private.fin.ag"
    );
    assert_eq!(
        (named.poll_interval_secs, named.poll_max_wait_mins),
        (10, 30)
    );
    assert_eq!(named.iframe_url, None);

    // A private instance that keeps the data pending for a while, polled every second.
    let server = Sandbox::start_local(SandboxConfig {
        pending_for: Duration::from_millis(2_500),
        customer_ids: vec!["polled".into()],
        secret_key: "sk-polled".into(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let env = desk
        .add_environment(NewEnvironment {
            secret_key: Some("sk-polled".into()),
            settings: EnvironmentSettings {
                iframe_url: Some(" https://connect.example.test/v2/ ".into()),
                poll_interval_secs: Some(1),
                poll_max_wait_mins: Some(2),
            },
            ..new_environment("Polled", &server.base_url(), "polled")
        })
        .unwrap();
    assert_eq!((env.poll_interval_secs, env.poll_max_wait_mins), (1, 2));
    let connect = desk.connect_url(&env.key).await.unwrap();
    assert!(
        connect
            .as_str()
            .starts_with("https://connect.example.test/v2/"),
        "{connect}"
    );
    let login = server.personas()[0].login_id.to_string();
    let customer = desk
        .add_customer(&env.key, "Polled customer", LoginId::new(&login))
        .unwrap();
    desk.run(&customer.id, Package::Income, &|_| {})
        .await
        .unwrap();
    // At the default 10 s the 2.5 s wait is one poll; every second it is at least two.
    let polls = desk
        .ledger(100, Some(&env.key))
        .unwrap()
        .iter()
        .filter(|e| e.endpoint == "GetAccountsDetailAsync")
        .count();
    assert!(polls >= 2, "{polls} polls");

    // An edit changes them; a restart keeps them.
    let edited = desk
        .update_environment(
            &env.key,
            EnvironmentEdit {
                settings: EnvironmentSettings {
                    iframe_url: None,
                    poll_interval_secs: Some(5),
                    poll_max_wait_mins: None,
                },
                ..unchanged(&env)
            },
        )
        .unwrap();
    assert_eq!(edited.iframe_url, None);
    assert_eq!(
        (edited.poll_interval_secs, edited.poll_max_wait_mins),
        (5, 30)
    );
    drop(desk);
    let desk = start(dir.path(), secrets).await;
    let again = find(&desk, &env.key);
    assert_eq!(
        (again.poll_interval_secs, again.poll_max_wait_mins),
        (5, 30)
    );
    assert_eq!(
        find(&desk, &named.key).api_base_url,
        "https://acme-lending-api.private.fin.ag"
    );
}

#[tokio::test]
async fn settings_out_of_bounds_are_refused_and_nothing_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let desk = start(dir.path(), Arc::new(MemoryStore::default())).await;
    let before = desk.environments().len();
    let with = |settings: EnvironmentSettings| NewEnvironment {
        settings,
        ..new_environment("Bad", "https://acme-api.private.fin.ag", "c")
    };
    for (settings, why) in [
        (
            EnvironmentSettings {
                iframe_url: Some("ftp://acme/v2/".into()),
                ..Default::default()
            },
            "iframe",
        ),
        (
            EnvironmentSettings {
                poll_interval_secs: Some(601),
                ..Default::default()
            },
            "10 minutes",
        ),
        (
            EnvironmentSettings {
                poll_interval_secs: Some(120),
                poll_max_wait_mins: Some(1),
                ..Default::default()
            },
            "one poll interval",
        ),
        (
            EnvironmentSettings {
                poll_max_wait_mins: Some(24 * 60 + 1),
                ..Default::default()
            },
            "24 hours",
        ),
    ] {
        let refused = desk.add_environment(with(settings)).unwrap_err();
        assert_eq!(code(&refused), "input.invalid");
        assert!(refused.to_string().contains(why), "{refused}");
    }
    assert_eq!(desk.environments().len(), before, "nothing was added");
}

#[tokio::test]
async fn keys_never_go_to_an_address_in_clear_text_or_with_credentials_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let desk = start(dir.path(), secrets.clone()).await;
    let before = desk.environments().len();
    for (url, iframe) in [
        ("http://acme-api.private.fin.ag", None),
        ("https://admin:hunter2@acme-api.private.fin.ag", None),
        (
            "https://acme-api.private.fin.ag",
            Some("http://acme-iframe.private.fin.ag/v2/"),
        ),
    ] {
        let refused = desk
            .add_environment(NewEnvironment {
                secret_key: Some("sk-not-sent".into()),
                api_key: Some("xk-not-sent".into()),
                settings: EnvironmentSettings {
                    iframe_url: iframe.map(Into::into),
                    ..Default::default()
                },
                ..new_environment("Clear", url, "c")
            })
            .unwrap_err();
        assert_eq!(code(&refused), "input.invalid", "{url}: {refused}");
        assert!(!refused.to_string().contains("hunter2"), "{refused}");
    }
    assert_eq!(desk.environments().len(), before, "nothing was saved");
    assert!(
        secrets
            .names()
            .iter()
            .all(|e| !e.starts_with("secret-key:") || e == "secret-key:toolbox"),
        "no key reached the keyring: {:?}",
        secrets.names()
    );
    // An edit cannot move an instance's keys to a clear-text address either.
    let env = desk
        .add_environment(new_environment(
            "Acme",
            "https://acme-api.private.fin.ag",
            "c",
        ))
        .unwrap();
    let moved = desk
        .update_environment(
            &env.key,
            EnvironmentEdit {
                api_base_url: "http://acme-api.private.fin.ag".into(),
                ..unchanged(&env)
            },
        )
        .unwrap_err();
    assert!(moved.to_string().contains("https://"), "{moved}");
    assert_eq!(
        find(&desk, &env.key).api_base_url,
        "https://acme-api.private.fin.ag"
    );

    // Keys stay with the same server (another path, the host in capitals) and leave with a new
    // port, unless typed again.
    let keyed = desk
        .add_environment(NewEnvironment {
            secret_key: Some("sk-acme".into()),
            api_key: Some("xk-acme".into()),
            ..new_environment("Keyed", "https://keyed-api.private.fin.ag", "c")
        })
        .unwrap();
    let renamed = desk
        .update_environment(
            &keyed.key,
            EnvironmentEdit {
                name: "Keyed (renamed)".into(),
                api_base_url: "https://KEYED-api.private.fin.ag/".into(),
                ..unchanged(&keyed)
            },
        )
        .unwrap();
    assert!(renamed.has_secret_key && renamed.has_api_key);
    let retyped = desk
        .update_environment(
            &keyed.key,
            EnvironmentEdit {
                api_base_url: "https://keyed-api.private.fin.ag:8443".into(),
                api_key: Some("xk-for-8443".into()),
                ..unchanged(&renamed)
            },
        )
        .unwrap();
    assert!(
        !retyped.has_secret_key,
        "the secret key was not typed again"
    );
    assert_eq!(
        api_key_of(&*secrets, &keyed.key).as_deref(),
        Some("xk-for-8443")
    );
}
