//! Adding a customer by signing in to the bank from the desk: a live Authorize against the
//! Flinks Capital sandbox over HTTP, its security question answered (wrong, then right), and
//! the saved login's loginId in the keyring only.

mod common;

use std::sync::Arc;
use std::time::Duration;

use desk_core::{Desk, LiveSignIn, MemoryStore, NewEnvironment, Package, SecretStore, SignInStep};
use flinks_sandbox::{capital, Sandbox, SandboxConfig};

async fn desk(dir: &std::path::Path, secrets: Arc<MemoryStore>) -> Desk {
    common::start_desk(&dir.join("desk.sqlite3"), secrets).await
}

fn sign_in(environment: &str, username: &str, password: &str) -> LiveSignIn {
    LiveSignIn {
        environment: environment.into(),
        label: String::new(),
        institution: "FlinksCapital".into(),
        username: username.into(),
        password: password.into(),
        language: None,
    }
}

fn no_run_progress() -> impl Fn(desk_core::RunEvent) + Send + Sync {
    |_| {}
}

/// Every keyring value that is not an environment's key: the loginIds.
fn login_ids(secrets: &MemoryStore) -> Vec<String> {
    secrets
        .names()
        .into_iter()
        .filter(|name| name.starts_with("login-id:"))
        .map(|name| secrets.get(&name).unwrap().unwrap().expose().to_owned())
        .collect()
}

#[tokio::test]
async fn a_customer_signed_in_with_a_security_question_is_added_with_its_login_id_in_the_keyring_only(
) {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let desk = desk(dir.path(), secrets.clone()).await;
    let before = desk.customers().len();

    let step = desk
        .sign_in_live(sign_in("builtin", "Greatday", capital::PASSWORD))
        .await
        .unwrap();
    let SignInStep::Questions {
        sign_in: id,
        questions,
    } = step
    else {
        panic!("Greatday is asked a security question: {step:?}");
    };
    assert_eq!(questions.len(), 1, "{questions:?}");
    let answer = capital::answer_to(&questions[0]).expect("one of Flinks Capital's questions");

    // A wrong answer is refused and the question stays open, as at Flinks.
    let wrong = desk
        .answer_sign_in(&id, vec!["Atlantis".into()])
        .await
        .unwrap_err();
    assert_eq!(wrong.view().code, "flinks.invalid_security_response");
    assert!(!wrong.to_string().contains("Atlantis"), "{wrong}");
    assert_eq!(desk.customers().len(), before, "nothing added yet");
    // No answer at all is the desk's own refusal, and the question still waits.
    let empty = desk
        .answer_sign_in(&id, vec!["  ".into()])
        .await
        .unwrap_err();
    assert_eq!(empty.view().code, "input.invalid", "{empty}");

    let SignInStep::Added { customer } = desk
        .answer_sign_in(&id, vec![answer.to_lowercase().into()])
        .await
        .unwrap()
    else {
        panic!("the right answer signs Greatday in");
    };
    assert!(
        customer.label.starts_with("Signed-in customer …"),
        "{customer:?}"
    );
    assert_eq!(customer.institution, "FlinksCapital");
    assert_eq!(desk.customers().len(), before + 1);

    let logins = login_ids(&secrets);
    assert_eq!(logins.len(), 1, "one loginId in the keyring");
    assert!(logins[0].ends_with(&customer.login_last4));
    // The database holds its last four only (and never the password).
    drop(desk);
    let db = std::fs::read(dir.path().join("desk.sqlite3")).unwrap();
    let db = String::from_utf8_lossy(&db);
    assert!(!db.contains(&logins[0]), "the loginId is not in SQLite");
    assert!(
        !db.contains(capital::PASSWORD),
        "the password is not in SQLite"
    );

    // The answered sign-in is gone: answering it again is refused.
    let desk = self::desk(dir.path(), secrets.clone()).await;
    let gone = desk
        .answer_sign_in(&id, vec![answer.into()])
        .await
        .unwrap_err();
    assert!(gone.to_string().contains("sign in again"), "{gone}");

    // The new customer runs like any other: its loginId reaches Flinks from the keyring.
    let result = desk
        .run(&customer.id, Package::Income, &no_run_progress())
        .await
        .unwrap();
    assert!(!result.rows.is_empty());
}

#[tokio::test]
async fn the_same_bank_login_twice_is_one_customer_and_a_refused_sign_in_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let desk = desk(dir.path(), secrets.clone()).await;
    let before = desk.customers().len();

    let mut named = sign_in("builtin", "greatday_nomfa", capital::PASSWORD);
    named.label = "Jane Doe".into();
    let Ok(SignInStep::Added { customer }) = desk.sign_in_live(named.clone()).await else {
        panic!("greatday_nomfa signs in without a question");
    };
    assert_eq!(customer.label, "Jane Doe");
    let again = desk.sign_in_live(named).await.unwrap_err();
    assert!(
        again
            .to_string()
            .contains("already a customer here: Jane Doe"),
        "{again}"
    );

    let disabled = desk
        .sign_in_live(sign_in(
            "builtin",
            "test_disabled_account",
            capital::PASSWORD,
        ))
        .await
        .unwrap_err();
    assert_eq!(disabled.view().code, "flinks.disabled_login", "{disabled}");
    let wrong_password = desk
        .sign_in_live(sign_in("builtin", "greatday_nomfa", "not-the-password"))
        .await
        .unwrap_err();
    assert!(wrong_password
        .view()
        .code
        .to_string()
        .starts_with("flinks."));
    assert!(
        !wrong_password.to_string().contains("not-the-password"),
        "{wrong_password}"
    );
    let blank = desk
        .sign_in_live(sign_in("builtin", " ", "x"))
        .await
        .unwrap_err();
    assert_eq!(blank.view().code, "input.invalid");
    assert_eq!(
        desk.customers().len(),
        before + 1,
        "only Jane Doe was added"
    );
    assert_eq!(login_ids(&secrets).len(), 1);
}

#[tokio::test]
async fn a_cancelled_sign_in_cannot_be_answered() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path(), Arc::new(MemoryStore::default())).await;
    let Ok(SignInStep::Questions {
        sign_in: id,
        questions,
    }) = desk
        .sign_in_live(sign_in("builtin", "greatday", capital::PASSWORD))
        .await
    else {
        panic!("Greatday is asked a question");
    };
    assert!(desk.cancel_sign_in(&id));
    assert!(!desk.cancel_sign_in(&id), "cancelled once only");
    let answer = capital::answer_to(&questions[0]).unwrap();
    let err = desk
        .answer_sign_in(&id, vec![answer.into()])
        .await
        .unwrap_err();
    assert_eq!(err.view().code, "sign_in.expired");
}

#[tokio::test]
async fn an_instance_that_requires_authorize_tokens_gets_a_fresh_one_for_each_authorize_of_a_sign_in(
) {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let desk = desk(dir.path(), secrets.clone()).await;
    let instance = Sandbox::start_local(SandboxConfig {
        pending_for: Duration::ZERO,
        customer_ids: vec!["private-customer-id".into()],
        require_authorize_token: true,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let env = desk
        .add_environment(NewEnvironment {
            name: "Acme".into(),
            api_base_url: instance.base_url(),
            customer_id: "private-customer-id".into(),
            production: false,
            secret_key: Some(instance.config().secret_key.clone().into()),
            api_key: None,
            authorize_tokens: true,
            settings: Default::default(),
        })
        .unwrap();
    let Ok(SignInStep::Questions {
        sign_in: id,
        questions,
    }) = desk
        .sign_in_live(sign_in(&env.key, "Greatday", capital::PASSWORD))
        .await
    else {
        panic!("Greatday is asked a question");
    };
    let answer = capital::answer_to(&questions[0]).unwrap();
    let Ok(SignInStep::Added { customer }) = desk.answer_sign_in(&id, vec![answer.into()]).await
    else {
        panic!("the answer, with its own token, signs in");
    };
    assert_eq!(customer.environment, env.key);
    // Single-use tokens: one for the sign-in, one for the answer.
    assert_eq!(instance.issued_authorize_tokens().len(), 2);
    let keyring: Vec<String> = login_ids(&secrets);
    assert_eq!(keyring.len(), 1);
    assert!(secrets
        .get(&format!("login-id:{}:{}", env.key, customer.id))
        .unwrap()
        .is_some());
}
