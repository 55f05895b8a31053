//! Contract tests: the client against the Flinks Capital sandbox over real HTTP on loopback, and
//! against hostile servers that answer what Flinks never should.

use std::time::Duration;

use flinks_client::{
    AccountsDetailOptions, AttributeValue, AuthorizeOutcome, Environment, FlinksClient, FlinksCode,
    FlinksError, LoginId, Package, PollPolicy, RequestId,
};
use flinks_sandbox::{Sandbox, SandboxConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

mod contract_support;
use contract_support::{client_for, login_of, open_session, sandbox, start_on, FAST};

/// Waits for a session's accounts with the fast test policy.
async fn ready(
    client: &FlinksClient,
    login: &LoginId,
    request_id: &RequestId,
) -> flinks_client::Result<flinks_client::AccountsDetail> {
    wait_with(client, login, request_id, FAST, &CancellationToken::new()).await
}

async fn wait_with(
    client: &FlinksClient,
    login: &LoginId,
    request_id: &RequestId,
    policy: PollPolicy,
    cancel: &CancellationToken,
) -> flinks_client::Result<flinks_client::AccountsDetail> {
    client
        .wait_accounts_detail(
            login,
            request_id,
            &AccountsDetailOptions::default(),
            policy,
            cancel,
            |_| {},
        )
        .await
}

#[tokio::test]
async fn the_whole_flow_gives_credit_risk_attributes() {
    let sandbox = sandbox(0).await;
    let client = client_for(&sandbox);
    let login = login_of(&sandbox, "borrower_nsf");
    let request_id = open_session(&client, &login).await;
    let detail = ready(&client, &login, &request_id).await.expect("detail");
    assert!(!detail.accounts.is_empty());
    let transactions: usize = detail.accounts.iter().map(|a| a.transactions.len()).sum();
    assert!(
        transactions > 50,
        "a year of transactions, got {transactions}"
    );
    for t in detail.accounts.iter().flat_map(|a| &a.transactions) {
        assert!(
            t.debit.is_some() != t.credit.is_some(),
            "exactly one of Debit and Credit: {t:?}"
        );
    }

    let attrs = client
        .attributes(Package::CreditRisk, &login, &request_id)
        .await
        .expect("attributes");
    assert!(
        attrs.values.len() >= 10,
        "got {} attributes",
        attrs.values.len()
    );
    let nsf = attrs.values["count_nsf_90_days"].as_decimal().unwrap();
    assert!(
        nsf > rust_decimal::Decimal::ZERO,
        "the borrower has NSF fees"
    );
    assert!(attrs.values["balance_min"]
        .as_decimal()
        .unwrap()
        .is_sign_negative());
    assert!(
        matches!(&attrs.values["micro_lender_name"], AttributeValue::Text(n) if n != "NONE_DETECTED")
    );
    assert!(
        !attrs.values.contains_key("id"),
        "Card.Id (the loginId) is not an attribute"
    );
}

#[tokio::test]
async fn details_add_up_to_their_sums() {
    let sandbox = sandbox(0).await;
    let client = client_for(&sandbox);
    let login = login_of(&sandbox, "salaried_biweekly");
    let request_id = open_session(&client, &login).await;
    ready(&client, &login, &request_id).await.unwrap();
    let attrs = client
        .attributes(Package::CreditRisk, &login, &request_id)
        .await
        .unwrap();
    let sums: Vec<_> = attrs
        .details
        .iter()
        .filter(|d| d.attribute.starts_with("sum_"))
        .collect();
    assert!(
        !sums.is_empty(),
        "sum attributes come with their transactions"
    );
    for d in sums {
        let total: rust_decimal::Decimal = d
            .transactions
            .iter()
            .map(|t| {
                t.transaction.credit.unwrap_or_default() - t.transaction.debit.unwrap_or_default()
            })
            .sum();
        let value = attrs.values[&d.attribute].as_decimal().unwrap();
        assert_eq!(total.abs(), value.abs(), "{}", d.attribute);
    }
}

#[tokio::test]
async fn pending_is_polled_and_reported_until_ready() {
    let sandbox = sandbox(1_000).await;
    let client = client_for(&sandbox);
    let login = login_of(&sandbox, "gig_worker");
    let request_id = open_session(&client, &login).await;
    let mut seen = Vec::new();
    let detail = client
        .wait_accounts_detail(
            &login,
            &request_id,
            &AccountsDetailOptions::default(),
            FAST,
            &CancellationToken::new(),
            |p| seen.push(p),
        )
        .await
        .expect("ready after the pending time");
    assert!(!detail.accounts.is_empty());
    assert!(!seen.is_empty(), "the pending answers were reported");
    for (i, p) in seen.iter().enumerate() {
        assert_eq!(p.attempt as usize, i + 1);
        assert_eq!(p.next_poll_in, FAST.interval);
    }
    assert!(seen.windows(2).all(|w| w[0].elapsed <= w[1].elapsed));
}

#[tokio::test]
async fn polling_gives_up_with_a_typed_timeout() {
    let sandbox = sandbox(60_000).await;
    let client = client_for(&sandbox);
    let login = login_of(&sandbox, "gig_worker");
    let request_id = open_session(&client, &login).await;
    let policy = PollPolicy {
        interval: Duration::from_millis(30),
        max_wait: Duration::from_millis(200),
    };
    let err = wait_with(
        &client,
        &login,
        &request_id,
        policy,
        &CancellationToken::new(),
    )
    .await
    .unwrap_err();
    match err {
        FlinksError::PollTimeout { attempts, elapsed } => {
            // Each poll waits an interval first, and none starts that could end past max_wait.
            let most = (policy.max_wait.as_millis() / policy.interval.as_millis()) as u32 + 1;
            assert!((2..=most).contains(&attempts), "{attempts} attempts");
            assert!(elapsed >= policy.interval, "{elapsed:?}");
        }
        other => panic!("expected PollTimeout, got {other:?}"),
    }
}

#[tokio::test]
async fn cancelling_stops_the_wait() {
    let sandbox = sandbox(60_000).await;
    let client = client_for(&sandbox);
    let login = login_of(&sandbox, "gig_worker");
    let request_id = open_session(&client, &login).await;
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        trigger.cancel();
    });
    let started = std::time::Instant::now();
    let err = wait_with(&client, &login, &request_id, PollPolicy::default(), &cancel)
        .await
        .unwrap_err();
    assert!(matches!(err, FlinksError::Cancelled), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "cancel cut the 10 s poll sleep short"
    );
}

#[tokio::test]
async fn an_unknown_login_is_invalid_login_and_the_error_does_not_name_it() {
    let sandbox = sandbox(0).await;
    let client = client_for(&sandbox);
    let stranger = LoginId::new("0b7c1f0e-3f1a-4c55-9e0e-5d2b8f1d9a77");
    let err = client.authorize_cached(&stranger, None).await.unwrap_err();
    match &err {
        FlinksError::Api { status, code, .. } => {
            assert_eq!(*status, 401);
            assert_eq!(*code, FlinksCode::InvalidLogin);
        }
        other => panic!("expected INVALID_LOGIN, got {other:?}"),
    }
    let text = format!("{err} {err:?}");
    assert!(!text.contains("0b7c1f0e"), "{text}");
}

#[tokio::test]
async fn an_unknown_or_expired_session_is_session_nonexistent() {
    let config = SandboxConfig {
        pending_for: Duration::ZERO,
        session_ttl: Duration::from_millis(100),
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start_local(config).await.unwrap();
    let client = client_for(&sandbox);
    let login = login_of(&sandbox, "salaried_biweekly");

    let bogus = RequestId("1243c283-e0ca-4fda-a5e4-343068430190".into());
    let err = ready(&client, &login, &bogus).await.unwrap_err();
    assert_eq!(err.code(), Some(&FlinksCode::SessionNonexistent), "{err:?}");

    let request_id = open_session(&client, &login).await;
    tokio::time::sleep(Duration::from_millis(250)).await;
    let err = ready(&client, &login, &request_id).await.unwrap_err();
    assert_eq!(err.code(), Some(&FlinksCode::SessionNonexistent), "{err:?}");
}

#[tokio::test]
async fn attributes_before_the_data_is_ready_are_pending() {
    let sandbox = sandbox(60_000).await;
    let client = client_for(&sandbox);
    let login = login_of(&sandbox, "salaried_biweekly");
    let request_id = open_session(&client, &login).await;
    let err = client
        .attributes(Package::CreditRisk, &login, &request_id)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&FlinksCode::OperationPending), "{err:?}");
}

#[tokio::test]
async fn an_unknown_customer_id_is_refused() {
    let sandbox = sandbox(0).await;
    let client =
        FlinksClient::new(Environment::new(&sandbox.base_url(), "not-our-customer").unwrap())
            .unwrap();
    let login = login_of(&sandbox, "salaried_biweekly");
    let err = client.authorize_cached(&login, None).await.unwrap_err();
    assert!(
        matches!(err, FlinksError::Api { status: 401, .. }),
        "{err:?}"
    );
}

/// A server that answers every request with `reply`, or never answers when it is `None`.
async fn hostile(reply: Option<&'static str>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let _ = socket.read(&mut buf).await;
                match reply {
                    Some(reply) => {
                        let _ = socket.write_all(reply.as_bytes()).await;
                        let _ = socket.shutdown().await;
                    }
                    None => tokio::time::sleep(Duration::from_secs(30)).await,
                }
            });
        }
    });
    format!("http://{addr}")
}

const SECRET_LOGIN: &str = "5e115eac-1209-4f19-641c-08d6d484e2fe";

async fn authorize_against(base: &str, timeout: Duration) -> FlinksError {
    let client =
        FlinksClient::with_timeout(Environment::new(base, "cid").unwrap(), timeout).unwrap();
    let err = client
        .authorize_cached(&LoginId::new(SECRET_LOGIN), None)
        .await
        .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(!text.contains("5e115eac"), "the loginId leaked: {text}");
    err
}

#[tokio::test]
async fn an_html_gateway_page_is_a_decode_error_with_a_clean_excerpt() {
    let base = hostile(Some(
        "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n<html><body>502 Bad Gateway for card 5e115eac-1209-4f19-641c-08d6d484e2fe</body></html>",
    ))
    .await;
    match authorize_against(&base, Duration::from_secs(5)).await {
        FlinksError::Decode {
            status, excerpt, ..
        } => {
            assert_eq!(status, 502);
            assert!(excerpt.contains("Bad Gateway"), "{excerpt}");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn truncated_json_is_a_decode_error() {
    let base = hostile(Some(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{\"HttpStatusCode\":200,\"RequestId\":\"12",
    ))
    .await;
    assert!(matches!(
        authorize_against(&base, Duration::from_secs(5)).await,
        FlinksError::Decode { status: 200, .. }
    ));
}

#[tokio::test]
async fn an_error_message_that_echoes_the_login_id_is_scrubbed() {
    let base = hostile(Some(
        "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{\"HttpStatusCode\":401,\"FlinksCode\":\"INVALID_LOGIN\",\"Message\":\"LoginId 5E115EAC-1209-4F19-641C-08D6D484E2FE not found\"}",
    ))
    .await;
    match authorize_against(&base, Duration::from_secs(5)).await {
        FlinksError::Api { code, message, .. } => {
            assert_eq!(code, FlinksCode::InvalidLogin);
            assert!(message.contains("…e2fe"), "{message}");
        }
        other => panic!("expected Api, got {other:?}"),
    }
}

#[tokio::test]
async fn a_silent_server_is_a_timeout() {
    let base = hostile(None).await;
    let err = authorize_against(&base, Duration::from_millis(300)).await;
    assert!(matches!(err, FlinksError::Timeout(_)), "{err:?}");
    assert!(err.is_transient());
}

#[tokio::test]
async fn a_closed_port_is_a_transport_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let err = authorize_against(&format!("http://127.0.0.1:{port}"), Duration::from_secs(5)).await;
    assert!(matches!(err, FlinksError::Transport(_)), "{err:?}");
}

#[tokio::test]
async fn the_library_describes_every_attribute_a_package_returns() {
    let sandbox = sandbox(0).await;
    let client = client_for(&sandbox);
    let library = client.attribute_library().await.expect("library");
    assert!(library.len() >= 300, "{} entries", library.len());
    let login = login_of(&sandbox, "borrower_nsf");
    let request_id = open_session(&client, &login).await;
    ready(&client, &login, &request_id).await.unwrap();
    for package in Package::ALL {
        let attrs = client
            .attributes(package, &login, &request_id)
            .await
            .unwrap();
        assert!(!attrs.values.is_empty(), "{package:?} is empty");
        for name in attrs.values.keys() {
            let entry = library.iter().find(|e| &e.name == name);
            let entry =
                entry.unwrap_or_else(|| panic!("{name} ({package:?}) is not in the library"));
            assert!(entry.unit.is_some() && entry.definition.is_some(), "{name}");
        }
    }
}

// ----- Authorize tokens, live Authorize, DeleteCard, x-api-key, GetAccountsSummary -----

use flinks_client::toolbox;
use flinks_client::{LiveCredentials, Secret, SecurityResponse};

/// `config` with no waits: data at once, cards deletable right after Authorize.
async fn sandbox_with(config: SandboxConfig) -> Sandbox {
    start_on(SandboxConfig {
        pending_for: Duration::ZERO,
        card_in_use_for: Duration::ZERO,
        ..config
    })
    .await
}

async fn sandbox_requiring_tokens() -> Sandbox {
    sandbox_with(SandboxConfig {
        require_authorize_token: true,
        ..SandboxConfig::default()
    })
    .await
}

fn api_code<T: std::fmt::Debug>(result: flinks_client::Result<T>) -> (u16, FlinksCode) {
    match result {
        Err(FlinksError::Api { status, code, .. }) => (status, code),
        other => panic!("expected a Flinks error, got {other:?}"),
    }
}

#[tokio::test]
async fn authorize_tokens_open_one_session_each() {
    let sandbox = sandbox_requiring_tokens().await;
    let client = client_for(&sandbox);
    let login = login_of(&sandbox, "salaried_biweekly");
    let token = client
        .generate_authorize_token(&Secret::new(toolbox::SECRET_KEY))
        .await
        .expect("a token");
    assert_eq!(format!("{token:?}"), "Secret(…)");
    let outcome = client.authorize_cached(&login, Some(&token)).await;
    assert!(matches!(outcome, Ok(AuthorizeOutcome::Authorized(_))));

    let reused = client.authorize_cached(&login, Some(&token)).await;
    let err = reused.unwrap_err();
    assert!(!err.to_string().contains(token.expose()), "{err}");
    assert_eq!(err.code(), Some(&FlinksCode::AccessDenied));
    assert_eq!(
        api_code(client.authorize_cached(&login, None).await),
        (401, FlinksCode::AccessDenied)
    );

    let wrong = "0b0e7c84-1111-4d34-8de6-f4113bc82414";
    let err = client
        .generate_authorize_token(&Secret::new(wrong))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&FlinksCode::Unauthorized));
    assert!(!err.to_string().contains(wrong), "{err}");
    assert!(err.hint().contains("keys"), "{}", err.hint());
}

#[tokio::test]
async fn an_expired_authorize_token_is_refused() {
    let sandbox = sandbox_with(SandboxConfig {
        require_authorize_token: true,
        authorize_token_ttl: Duration::from_millis(10),
        ..SandboxConfig::default()
    })
    .await;
    let client = client_for(&sandbox);
    let token = client
        .generate_authorize_token(&Secret::new(toolbox::SECRET_KEY))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(40)).await;
    let login = login_of(&sandbox, "salaried_biweekly");
    assert_eq!(
        api_code(client.authorize_cached(&login, Some(&token)).await),
        (401, FlinksCode::AccessDenied)
    );
}

fn capital(username: &str, password: &str) -> LiveCredentials {
    LiveCredentials {
        institution: "FlinksCapital".into(),
        username: Secret::new(username),
        password: Secret::new(password),
        language: None,
        save: true,
        tag: Some("contract".into()),
    }
}

fn answer(prompt: &str, answer: &str) -> Vec<SecurityResponse> {
    vec![SecurityResponse {
        prompt: prompt.to_owned(),
        answer: Secret::new(answer),
    }]
}

#[tokio::test]
async fn greatday_signs_in_through_a_security_question() {
    let sandbox = sandbox(0).await;
    let client = client_for(&sandbox);
    let credentials = capital("greatday", "EVERYDAY");
    let printed = format!("{credentials:?}");
    assert!(!printed.to_lowercase().contains("everyday"), "{printed}");

    let (request_id, prompt) = match client.authorize_live(&credentials, None).await.unwrap() {
        AuthorizeOutcome::Challenge {
            request_id,
            challenges,
        } => (request_id, challenges[0].prompt.clone()),
        other => panic!("expected a security question, got {other:?}"),
    };
    let again = client.answer_challenge(&request_id, &[], None).await;
    assert!(matches!(again, Ok(AuthorizeOutcome::Challenge { .. })));
    let wrong = client
        .answer_challenge(&request_id, &answer(&prompt, "Atlantis"), None)
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), Some(&FlinksCode::InvalidSecurityResponse));
    assert!(!wrong.to_string().contains("Atlantis"), "{wrong}");
    assert!(wrong.hint().contains("security question"));
    let stranger = client
        .answer_challenge(&request_id, &answer("What is your name?", "x"), None)
        .await;
    assert_eq!(api_code(stranger), (401, FlinksCode::UnknownChallengeKey));

    let right = flinks_sandbox::capital::answer_to(&prompt)
        .unwrap()
        .to_lowercase();
    let authorized = match client
        .answer_challenge(&request_id, &answer(&prompt, &right), None)
        .await
        .unwrap()
    {
        AuthorizeOutcome::Authorized(a) => a,
        other => panic!("expected a session, got {other:?}"),
    };
    assert_eq!(authorized.request_id, request_id);
    let login = authorized.login.id;
    let detail = ready(&client, &login, &request_id).await.unwrap();
    assert!(!detail.accounts.is_empty());
    // The loginId is stable and opens cached sessions from now on.
    let nomfa = client
        .authorize_live(&capital("Greatday_NoMFA", "Everyday"), None)
        .await
        .unwrap();
    assert!(matches!(nomfa, AuthorizeOutcome::Authorized(_)));
    let session = open_session(&client, &login).await;
    assert!(!ready(&client, &login, &session)
        .await
        .unwrap()
        .accounts
        .is_empty());
}

#[tokio::test]
async fn french_sign_ins_get_french_questions() {
    let sandbox = sandbox(0).await;
    let client = client_for(&sandbox);
    let mut credentials = capital("Greatday", "Everyday");
    credentials.language = Some("fr".into());
    match client.authorize_live(&credentials, None).await.unwrap() {
        AuthorizeOutcome::Challenge { challenges, .. } => {
            let prompt = &challenges[0].prompt;
            assert!(
                ["Où", "Quel"].iter().any(|w| prompt.contains(w)),
                "{prompt}"
            );
        }
        other => panic!("expected a security question, got {other:?}"),
    }
}

#[tokio::test]
async fn test_users_fail_with_their_documented_codes() {
    let sandbox = sandbox(0).await;
    let client = client_for(&sandbox);
    let cases = [
        (
            "test_disabled_account",
            "Everyday",
            FlinksCode::DisabledLogin,
        ),
        (
            "test_service_unavailable",
            "Everyday",
            FlinksCode::RetryLater,
        ),
        ("Greatday", "Wrong-Password-1", FlinksCode::InvalidLogin),
    ];
    for (username, password, code) in cases {
        let err = client
            .authorize_live(&capital(username, password), None)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some(&code), "{username}");
        assert!(!err.to_string().contains(password), "{err}");
        assert!(!format!("{err:?}").contains(password), "{err:?}");
    }
    let retry = client
        .authorize_live(&capital("test_service_unavailable", "Everyday"), None)
        .await
        .unwrap_err();
    assert!(retry.is_transient());
}

#[tokio::test]
async fn a_deleted_card_is_an_invalid_login_in_that_sandbox_only() {
    let sandbox = sandbox_with(SandboxConfig::default()).await;
    let other = sandbox_with(SandboxConfig::default()).await;
    let client = client_for(&sandbox);
    let login = login_of(&sandbox, "gig_worker");
    open_session(&client, &login).await;
    client.delete_card(&login).await.expect("deleted");
    let err = client.authorize_cached(&login, None).await.unwrap_err();
    assert_eq!(err.code(), Some(&FlinksCode::InvalidLogin));
    assert!(!err.to_string().contains(login.expose()), "{err}");
    let again = client.delete_card(&login).await.unwrap_err();
    assert_eq!(again.code(), Some(&FlinksCode::InvalidLogin));
    assert!(!again.to_string().contains(login.expose()), "{again}");
    open_session(&client_for(&other), &login_of(&other, "gig_worker")).await;
}

#[tokio::test]
async fn deleting_right_after_authorize_is_card_in_use() {
    let sandbox = sandbox(0).await; // the default keeps a card in use for a moment
    let client = client_for(&sandbox);
    let login = login_of(&sandbox, "gig_worker");
    open_session(&client, &login).await;
    let err = client.delete_card(&login).await.unwrap_err();
    assert_eq!(err.code(), Some(&FlinksCode::CardInUse));
    assert!(err.hint().contains("Wait"));
}

#[tokio::test]
async fn the_api_key_of_the_environment_goes_to_data_endpoints() {
    let sandbox = sandbox_with(SandboxConfig {
        api_key: Some(toolbox::API_KEY.into()),
        ..SandboxConfig::default()
    })
    .await;
    let login = login_of(&sandbox, "salaried_biweekly");
    let without = client_for(&sandbox);
    let request_id = open_session(&without, &login).await;
    let err = ready(&without, &login, &request_id).await.unwrap_err();
    assert_eq!(err.code(), Some(&FlinksCode::Unauthorized));
    assert_eq!(
        api_code(without.attribute_library().await),
        (401, FlinksCode::Unauthorized)
    );

    let mut env = Environment::new(&sandbox.base_url(), sandbox.customer_id()).unwrap();
    env.x_api_key = Some(Secret::new(toolbox::API_KEY));
    let with = FlinksClient::new(env).unwrap();
    assert!(!ready(&with, &login, &request_id)
        .await
        .unwrap()
        .accounts
        .is_empty());
    let attributes = with
        .attributes(Package::CreditRisk, &login, &request_id)
        .await;
    assert!(attributes.is_ok(), "{attributes:?}");
}

#[tokio::test]
async fn accounts_summary_waits_and_has_no_transactions() {
    let sandbox = sandbox(120).await;
    let client = client_for(&sandbox);
    let login = login_of(&sandbox, "salaried_biweekly");
    let request_id = open_session(&client, &login).await;
    let mut polls = 0;
    let summary = client
        .wait_accounts_summary(&login, &request_id, FAST, &CancellationToken::new(), |_| {
            polls += 1
        })
        .await
        .unwrap();
    assert!(polls >= 1, "the summary was pending first");
    assert!(!summary.accounts.is_empty());
    assert!(summary
        .accounts
        .iter()
        .all(|a| a.transactions.is_empty()
            && a.balance.as_ref().is_some_and(|b| b.current.is_some())));
}

// ----- Flinks Connect -----

use flinks_client::{connect_url, parse_connect_redirect, ConnectOptions};

#[tokio::test]
async fn connect_opens_on_a_token_and_sends_back_a_login_or_an_error() {
    let sandbox = sandbox_requiring_tokens().await;
    let client = client_for(&sandbox);
    let token = client
        .generate_authorize_token(&Secret::new(toolbox::SECRET_KEY))
        .await
        .unwrap();
    let options = ConnectOptions {
        tag: Some("onboarding".into()),
        ..ConnectOptions::default()
    };
    let url = connect_url(
        &sandbox.base_url(),
        &token,
        "https://app.test/done",
        &options,
    )
    .unwrap();
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = browser.get(url.clone()).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("https://app.test/done") && html.contains("onboarding"));

    // What the page does when the customer signs in, with one of the tokens it carries.
    let config_at = html
        .find("\"tokens\":[\"")
        .expect("the page carries tokens")
        + 11;
    let page_token = Secret::new(&html[config_at..config_at + 36]);
    let AuthorizeOutcome::Authorized(signed_in) = client
        .authorize_live(&capital("greatday_nomfa", "Everyday"), Some(&page_token))
        .await
        .unwrap()
    else {
        panic!("greatday_nomfa has no security question");
    };
    let redirect = format!(
        "https://app.test/done?loginId={}&institution=FlinksCapital",
        signed_in.login.id.expose()
    );
    let outcome = parse_connect_redirect(&redirect).unwrap();
    assert_eq!(outcome.login_id, signed_in.login.id);
    assert_eq!(outcome.institution, "FlinksCapital");

    // The token is used up: Connect sends the browser back with the error.
    let again = browser.get(url).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 303);
    let location = again.headers()["location"].to_str().unwrap();
    let err = parse_connect_redirect(location).unwrap_err();
    assert_eq!(err.code(), FlinksCode::AccessDenied);
    assert_eq!(err.description, "You must provide a valid authorize token");
}

#[tokio::test]
async fn slow_test_users_end_in_data_after_their_202s() {
    let sandbox = sandbox_with(SandboxConfig {
        slow_polls: 3,
        ..SandboxConfig::default()
    })
    .await;
    let client = client_for(&sandbox);
    for username in ["test_pending", "Test_Dispatched"] {
        let AuthorizeOutcome::Authorized(signed_in) = client
            .authorize_live(&capital(username, "EVERYDAY"), None)
            .await
            .unwrap()
        else {
            panic!("{username} has no security question");
        };
        let mut polls = Vec::new();
        let detail = client
            .wait_accounts_detail(
                &signed_in.login.id,
                &signed_in.request_id,
                &AccountsDetailOptions::default(),
                FAST,
                &CancellationToken::new(),
                |p| polls.push(p.attempt),
            )
            .await
            .unwrap();
        assert!(!detail.accounts.is_empty(), "{username}");
        assert_eq!(polls, [1, 2, 3], "{username}: one report per 202");
    }
}

// ----- The OAuth sign-in of a custom integration (not in Flinks' docs: flinks-api.md §2.6) -----

use flinks_client::parse_oauth_redirect;

/// What a browser does on the OAuth page: posts its form (the hidden fields plus `fields`) and
/// returns where the sandbox sends it.
async fn oauth_submit(page: &url::Url, fields: &[(&str, &str)]) -> String {
    let query: Vec<(String, String)> = page.query_pairs().into_owned().collect();
    let mut form: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    form.extend_from_slice(fields);
    let mut action = page.clone();
    action.set_query(None);
    let reply = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(action)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 303);
    reply.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_oauth_page_gives_a_login_that_opens_cached_sessions() {
    let sandbox = sandbox_with(SandboxConfig::default()).await;
    let client = client_for(&sandbox);
    let state = "csrf-7f3a";
    let page = client.oauth_authorize_url("FlinksCapital", "https://app.test/cb", state);
    let html = reqwest::get(page.clone())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"name="password""#), "{html}");

    let location = oauth_submit(
        &page,
        &[("username", "greatday_nomfa"), ("password", "Everyday")],
    )
    .await;
    let outcome = parse_oauth_redirect(&location, state).unwrap();
    assert_eq!(outcome.state, state);
    assert!(parse_oauth_redirect(&location, "another-sign-in").is_err());
    let session = open_session(&client, &outcome.login_id).await;
    let detail = ready(&client, &outcome.login_id, &session).await.unwrap();
    assert!(!detail.accounts.is_empty());

    let cancelled = oauth_submit(&page, &[("action", "cancel")]).await;
    let err = parse_oauth_redirect(&cancelled, state).unwrap_err();
    assert_eq!(err.error, "access_denied");
    assert!(err.description.contains("cancelled"), "{err}");
}
