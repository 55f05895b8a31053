//! Adding a customer through Flinks Connect on the built-in sandbox: the desk's Connect URL
//! opens the sandbox's Connect page, the sign-in it performs yields a loginId, and the redirect
//! becomes a customer whose loginId is in the keyring only.

mod common;

use std::sync::Arc;

use desk_core::{Desk, MemoryStore, Package};
use flinks_client::{
    AuthorizeOutcome, Environment, FlinksClient, LiveCredentials, Secret, TOOLBOX_CUSTOMER_ID,
};

async fn desk(dir: &std::path::Path, secrets: Arc<MemoryStore>) -> Desk {
    common::start_desk(&dir.join("desk.sqlite3"), secrets).await
}

/// What the Connect page does when the customer signs in: a live Authorize with one of the
/// authorize tokens the page was opened with.
async fn sign_in_like_the_page(desk: &Desk, username: &str) -> String {
    let url = desk.connect_url("builtin").await.unwrap();
    assert_eq!(
        url.query_pairs()
            .find(|(k, _)| k == "redirectUrl")
            .map(|(_, v)| v.into_owned())
            .as_deref(),
        Some(desk_core::CONNECT_REDIRECT)
    );
    let html = reqwest::get(url).await.unwrap().text().await.unwrap();
    assert!(html.contains("Flinks Capital"), "the Connect page opened");
    // The built-in sandbox does not require tokens (a setting): then the page carries none.
    let token = html
        .find("\"tokens\":[\"")
        .map(|at| Secret::new(&html[at + 11..at + 47]));
    let base = desk.environments()[0].api_base_url.clone();
    let client = FlinksClient::new(Environment::new(&base, TOOLBOX_CUSTOMER_ID).unwrap()).unwrap();
    let credentials = LiveCredentials {
        institution: "FlinksCapital".into(),
        username: Secret::new(username),
        password: Secret::new(flinks_sandbox::capital::PASSWORD),
        language: None,
        save: true,
        tag: None,
    };
    let AuthorizeOutcome::Authorized(a) = client
        .authorize_live(&credentials, token.as_ref())
        .await
        .unwrap()
    else {
        panic!("{username} has no security question");
    };
    format!(
        "{}?loginId={}&institution=FlinksCapital",
        desk_core::CONNECT_REDIRECT,
        a.login.id.expose()
    )
}

#[tokio::test]
async fn a_customer_connected_through_connect_runs_and_its_login_id_stays_in_the_keyring() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let desk = desk(dir.path(), secrets.clone()).await;
    let redirect = sign_in_like_the_page(&desk, "greatday_nomfa").await;
    let login_id = redirect
        .split("loginId=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();

    let customer = desk
        .add_customer_from_connect("builtin", "", &redirect)
        .unwrap();
    assert_eq!(customer.institution, "FlinksCapital");
    assert_eq!(customer.login_last4, &login_id[login_id.len() - 4..]);
    assert!(customer.label.starts_with("Connected customer"));
    let run = desk
        .run(&customer.id, Package::Income, &|_| {})
        .await
        .unwrap();
    assert!(!run.rows.is_empty());

    let again = desk
        .add_customer_from_connect("builtin", "Twice", &redirect)
        .unwrap_err();
    assert_eq!(again.view().code, "customer.duplicate", "{again}");
    assert!(!again.to_string().contains(&login_id));

    // The loginId is in the keyring, not in the database.
    let mut db = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        db.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    assert!(!String::from_utf8_lossy(&db).contains(&login_id));
    assert!(secrets
        .names()
        .iter()
        .any(|n| n.starts_with("login-id:builtin:")));

    // Connected customers are kept across restarts, unlike nothing else of the sample cast.
    drop(desk);
    let desk = self::desk(dir.path(), secrets.clone()).await;
    assert!(desk.customers().iter().any(|c| c.id == customer.id));
    desk.remove_customer(&customer.id).await.unwrap();
    assert!(!secrets
        .names()
        .iter()
        .any(|n| n.starts_with("login-id:builtin:")));
}

#[tokio::test]
async fn a_connect_that_ends_in_an_error_adds_nothing_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path(), Arc::new(MemoryStore::default())).await;
    let before = desk.customers().len();
    let err = desk
        .add_customer_from_connect(
            "builtin",
            "",
            &format!(
                "{}?error=ACCESS_DENIED&error_description=You+must+provide+a+valid+authorize+token",
                desk_core::CONNECT_REDIRECT
            ),
        )
        .unwrap_err();
    assert_eq!(err.view().code, "connect.access_denied");
    assert!(!err.view().hint.is_empty());
    assert_eq!(desk.customers().len(), before);
}
