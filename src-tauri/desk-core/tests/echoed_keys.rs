//! A private instance that names its own keys in every error: the desk's client knows the
//! environment's x-api-key and secret key (from the keyring) and masks both, with the
//! customer's loginId, in what a failed run shows, stores and logs.

mod common;

use std::sync::Arc;

use desk_core::{DeskError, ErrorView, LoginId, MemoryStore, NewEnvironment, Package, Secret};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const LOGIN_ID: &str = "0b9e3d4c-6f1a-4c2e-9d7b-5a8f1e2c3d4b";
const SECRET_KEY: &str = "5f0c2a9e-81d4-4b7a-a3c6-2e9f7d1b8c40";
const API_KEY: &str = "xk-41e7";

#[tokio::test]
async fn a_failed_run_shows_none_of_the_keys_the_instance_echoed() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "HttpStatusCode": 401,
            "FlinksCode": "UNAUTHORIZED",
            "Message": format!("secret key {SECRET_KEY} and x-api-key {API_KEY} may not read {LOGIN_ID}"),
        })))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let desk = common::start_desk(&dir.path().join("desk.sqlite3"), secrets).await;
    let env = desk
        .add_environment(NewEnvironment {
            name: "Echoing instance".into(),
            api_base_url: server.uri(),
            customer_id: "43387ca6-0391-4c82-857d-70d95f087ecb".into(),
            production: false,
            secret_key: Some(Secret::new(SECRET_KEY)),
            api_key: Some(Secret::new(API_KEY)),
            authorize_tokens: false,
            settings: Default::default(),
        })
        .unwrap();
    let customer = desk
        .add_customer(&env.key, "Echoed", LoginId::new(LOGIN_ID))
        .unwrap();
    let err: DeskError = desk
        .run(&customer.id, Package::CreditRisk, &|_| {})
        .await
        .unwrap_err();
    let history = desk.history(10).unwrap();
    let stored = history
        .iter()
        .find(|r| r.customer_key == customer.id)
        .and_then(|r| r.error_message.clone())
        .expect("the failed run is in the history");
    let view = ErrorView::from(err);
    let shown = format!("{view:?} {stored}").to_lowercase();
    assert!(
        shown.contains("may not read"),
        "the server's message: {shown}"
    );
    for secret in [LOGIN_ID, SECRET_KEY, API_KEY] {
        assert!(!shown.contains(secret), "{secret} shows: {shown}");
    }
}
