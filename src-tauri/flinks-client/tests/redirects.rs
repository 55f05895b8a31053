//! A Flinks client never follows a redirect: reqwest's default would re-send the
//! `flinks-auth-key` and `x-api-key` headers, and a 307/308's body with a customer's password,
//! to whatever host the `Location` names.

use flinks_client::toolbox::CUSTOMER_ID;
use flinks_client::{Environment, FlinksClient, FlinksError, LiveCredentials, Secret};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A Flinks that redirects everything to `elsewhere`, with the status given.
async fn redirecting(status: u16, elsewhere: &MockServer) -> MockServer {
    let server = MockServer::start().await;
    // `localhost` names the other server by another host than the client's 127.0.0.1.
    let target = elsewhere.uri().replace("127.0.0.1", "localhost");
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(status)
                .insert_header("Location", format!("{target}/steal?from=desk").as_str()),
        )
        .mount(&server)
        .await;
    server
}

fn client_for(server: &MockServer) -> FlinksClient {
    let mut env = Environment::new(&server.uri(), CUSTOMER_ID).unwrap();
    env.x_api_key = Some(Secret::new("xk-must-stay-home"));
    FlinksClient::new(env).unwrap()
}

#[tokio::test]
async fn a_redirected_sign_in_sends_nothing_to_the_other_host_and_says_where_it_pointed() {
    for status in [301, 302, 303, 307, 308] {
        let elsewhere = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200))
            .mount(&elsewhere)
            .await;
        let flinks = redirecting(status, &elsewhere).await;
        let credentials = LiveCredentials {
            institution: "FlinksCapital".into(),
            username: Secret::new("Greatday"),
            password: Secret::new("pw-must-stay-home"),
            language: None,
            save: true,
            tag: None,
        };
        let err = client_for(&flinks)
            .authorize_live(&credentials, Some(&Secret::new("token-must-stay-home")))
            .await
            .unwrap_err();
        match &err {
            FlinksError::Redirect { status: s, to } => {
                assert_eq!(*s, status);
                assert_eq!(to, "localhost");
            }
            other => panic!("{status}: expected a redirect error, got {other:?}"),
        }
        assert!(!err.is_transient(), "a redirect is not retried");
        assert!(
            !err.to_string().contains("steal"),
            "only the host is named: {err}"
        );
        let received = elsewhere.received_requests().await.unwrap();
        assert!(
            received.is_empty(),
            "{status}: the other host received {} request(s)",
            received.len()
        );
    }
}

#[tokio::test]
async fn a_redirected_token_purchase_keeps_the_secret_key_home() {
    let elsewhere = MockServer::start().await;
    let flinks = redirecting(307, &elsewhere).await;
    let err = client_for(&flinks)
        .generate_authorize_token(&Secret::new("sk-must-stay-home"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, FlinksError::Redirect { status: 307, .. }),
        "{err:?}"
    );
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
}
