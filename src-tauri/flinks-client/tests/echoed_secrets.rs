//! A server that echoes every credential back in its error bodies: the loginId, the instance's
//! x-api-key and secret key (which it knows, whether or not a call sent them), an authorize
//! token, a sign-in's username and password, and the answers to security questions. No error
//! any call ends in may show one, in its Display or its Debug, however short it is.

use std::time::Duration;

use flinks_client::{
    AccountsDetailOptions, Environment, FlinksClient, FlinksError, LiveCredentials, LoginId,
    Package, PollPolicy, RequestId, Secret, SecurityResponse,
};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const LOGIN_ID: &str = "5e115eac-1209-4f19-641c-08d6d484e2fe";
const X_API_KEY: &str = "Xk-3e9d1c";
const SECRET_KEY: &str = "sK-77b0f2";
const TOKEN: &str = "tK-5a11";
const USERNAME: &str = "Greatday-42";
// Three characters each: shorter than four was never masked.
const PASSWORD: &str = "pw1";
const ANSWER: &str = "Ab9";
const REQUEST_ID: &str = "1243c283-e0ca-4fda-a5e4-343068430190";

const CREDENTIALS: [&str; 7] = [
    LOGIN_ID, X_API_KEY, SECRET_KEY, TOKEN, USERNAME, PASSWORD, ANSWER,
];

/// How the echo comes back: in a Flinks error body, or in a page that is not JSON (so it ends
/// up in a decode error's excerpt).
#[derive(Clone, Copy, Debug)]
enum Shape {
    FlinksError,
    NotJson,
}

struct Echo {
    shape: Shape,
    /// GetAccountsDetail and GetAccountsSummary answer 202 so the Async poll is what fails.
    pending_first: bool,
}

fn strings_in(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings_in(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings_in(v, out)),
        _ => {}
    }
}

impl Respond for Echo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let path = request.url.path();
        if self.pending_first
            && (path.ends_with("/GetAccountsDetail") || path.ends_with("/GetAccountsSummary"))
        {
            return ResponseTemplate::new(202).set_body_json(json!({
                "FlinksCode": "OPERATION_PENDING",
                "HttpStatusCode": 202,
                "RequestId": REQUEST_ID,
            }));
        }
        // The instance's own keys first: a decode error keeps only the start of the body.
        let mut echoed = vec![X_API_KEY.to_owned(), SECRET_KEY.to_owned()];
        for header in ["x-api-key", "flinks-auth-key"] {
            if let Some(value) = request.headers.get(header) {
                echoed.push(value.to_str().unwrap().to_owned());
            }
        }
        // loginIds (and RequestIds) in the path.
        echoed.extend(
            path.split('/')
                .filter(|segment| segment.len() >= 32)
                .map(str::to_owned),
        );
        if let Ok(body) = serde_json::from_slice::<Value>(&request.body) {
            strings_in(&body, &mut echoed);
        }
        let text = echoed.join(" ");
        match self.shape {
            Shape::FlinksError => ResponseTemplate::new(400).set_body_json(json!({
                "HttpStatusCode": 400,
                "FlinksCode": format!("NO_{text}"),
                "Message": format!("refused: {text}"),
            })),
            Shape::NotJson => ResponseTemplate::new(400).set_body_string(format!("<p>{text}</p>")),
        }
    }
}

async fn echoing(shape: Shape, pending_first: bool) -> (MockServer, FlinksClient) {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(Echo {
            shape,
            pending_first,
        })
        .mount(&server)
        .await;
    let mut env = Environment::new(&server.uri(), "43387ca6-0391-4c82-857d-70d95f087ecb").unwrap();
    env.x_api_key = Some(Secret::new(X_API_KEY));
    env.secret_key = Some(Secret::new(SECRET_KEY));
    (server, FlinksClient::new(env).unwrap())
}

fn assert_clean(call: &str, shape: Shape, result: Result<impl std::fmt::Debug, FlinksError>) {
    let e = result.expect_err(call);
    match (shape, &e) {
        (Shape::FlinksError, FlinksError::Api { .. })
        | (Shape::NotJson, FlinksError::Decode { .. }) => {}
        _ => panic!("{call} ({shape:?}): the echo did not come back as expected: {e}"),
    }
    let shown = format!("{e} {e:?}").to_lowercase();
    for credential in CREDENTIALS {
        assert!(
            !shown.contains(&credential.to_lowercase()),
            "{call} ({shape:?}) shows {credential:?}: {shown}"
        );
    }
    assert!(
        shown.contains('…'),
        "{call} ({shape:?}): nothing was masked: {shown}"
    );
}

#[tokio::test]
async fn no_error_shows_a_credential_the_server_echoed() {
    let login_id = LoginId::new(LOGIN_ID);
    let request_id = RequestId(REQUEST_ID.to_owned());
    let token = Secret::new(TOKEN);
    let credentials = LiveCredentials {
        institution: "FlinksCapital".into(),
        username: Secret::new(USERNAME),
        password: Secret::new(PASSWORD),
        language: Some("en".into()),
        save: true,
        tag: None,
    };
    let answers = [SecurityResponse {
        prompt: "What city were you born in?".into(),
        answer: Secret::new(ANSWER),
    }];
    let poll = PollPolicy {
        interval: Duration::from_millis(10),
        max_wait: Duration::from_secs(10),
    };
    let cancel = CancellationToken::new();
    for shape in [Shape::FlinksError, Shape::NotJson] {
        let (_server, client) = echoing(shape, false).await;
        let (_polling_server, polled) = echoing(shape, true).await;
        assert_clean(
            "GenerateAuthorizeToken",
            shape,
            client
                .generate_authorize_token(&Secret::new(SECRET_KEY))
                .await,
        );
        assert_clean(
            "Authorize (cached, with a token)",
            shape,
            client.authorize_cached(&login_id, Some(&token)).await,
        );
        assert_clean(
            "Authorize (live)",
            shape,
            client.authorize_live(&credentials, Some(&token)).await,
        );
        assert_clean(
            "Authorize (answers)",
            shape,
            client
                .answer_challenge(&request_id, &answers, Some(&token))
                .await,
        );
        for (call, client) in [
            ("GetAccountsDetail", &client),
            ("GetAccountsDetailAsync", &polled),
        ] {
            assert_clean(
                call,
                shape,
                client
                    .wait_accounts_detail(
                        &login_id,
                        &request_id,
                        &AccountsDetailOptions::default(),
                        poll,
                        &cancel,
                        |_| {},
                    )
                    .await,
            );
        }
        for (call, client) in [
            ("GetAccountsSummary", &client),
            ("GetAccountsSummaryAsync", &polled),
        ] {
            assert_clean(
                call,
                shape,
                client
                    .wait_accounts_summary(&login_id, &request_id, poll, &cancel, |_| {})
                    .await,
            );
        }
        assert_clean(
            "GetCreditRiskAttributes",
            shape,
            client
                .attributes(Package::CreditRisk, &login_id, &request_id)
                .await,
        );
        assert_clean(
            "Attributes",
            shape,
            client
                .custom_attributes(&login_id, &request_id, &["A1".to_owned()])
                .await,
        );
        assert_clean("AttributeLibrary", shape, client.attribute_library().await);
        assert_clean("DeleteCard", shape, client.delete_card(&login_id).await);
    }
}
