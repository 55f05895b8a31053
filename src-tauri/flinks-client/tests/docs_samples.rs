//! The client against Flinks' own JSON: the samples of `shared/flinks-api.md`, copied verbatim into
//! `tests/samples/` (see its README for where each comes from), served byte for byte by a mock
//! server. The sandbox's contract tests prove the client against our reading of Flinks; these
//! prove it against the shapes Flinks documents, which we do not control.
//!
//! Each mock only answers a request that has the documented method, path, headers and body, so a
//! client that strays gets wiremock's empty 404 and the test fails on it.

use std::str::FromStr;

use chrono::NaiveDate;
use flinks_client::{
    AccountsDetail, AccountsDetailOptions, AttributeValue, Attributes, AuthorizeOutcome,
    FlinksClient, FlinksCode, LiveCredentials, LoginId, Package, PollProgress, RequestId, Secret,
    SecurityResponse,
};
use rust_decimal::Decimal;
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use wiremock::matchers::{body_json, body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, Request};

// The public toolbox's credentials, so paths and headers are the documented ones.
use flinks_client::toolbox::{API_KEY as X_API_KEY, CUSTOMER_ID, SECRET_KEY};

mod docs_support;
use docs_support::{
    assert_api_error, banking, client_for, data_call, ok, parse, reply, without_body,
    without_header, FAST,
};
/// The token of `generate_authorize_token.200.json`.
const AUTHORIZE_TOKEN: &str = "d65f1adb-8ebc-48dc-be8b-20c773ba1565";

/// The session of `get_accounts_detail.200.json`.
const DETAIL_LOGIN_ID: &str = "5602459c-f6d0-4ca0-6750-08dccdcadcc0";
const DETAIL_REQUEST_ID: &str = "22178382-31ee-485c-a750-c20929b6a344";

/// The session of `get_user_analysis_attributes.200.json`.
const ATTRS_LOGIN_ID: &str = "367046b0-7699-483d-94c2-08d9a3d5c70f";
const ATTRS_REQUEST_ID: &str = "b0ad6069-b40c-4c7e-aead-91c849d0b9f1";

/// Compiled in, so a missing sample fails the build rather than a CI run.
macro_rules! sample {
    ($file:literal) => {
        include_bytes!(concat!("samples/", $file)).as_slice()
    };
}

fn insight(login_id: &str, request_id: &str, endpoint: &str) -> String {
    format!("/v3/{CUSTOMER_ID}/insight/login/{login_id}/attributes/{request_id}/{endpoint}")
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The docs' key casing is not the client's (`username` vs `Username`); Flinks reads keys in any
/// case (flinks-api.md §2.2), so only the values and the key spelling are compared.
fn json_body_in_any_key_case(expected: &[u8]) -> impl Fn(&Request) -> bool + Send + Sync {
    fn fold(v: Value) -> Value {
        match v {
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| (k.to_ascii_lowercase(), fold(v)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.into_iter().map(fold).collect()),
            other => other,
        }
    }
    let expected = fold(parse(expected));
    move |r: &Request| {
        serde_json::from_slice::<Value>(&r.body).is_ok_and(|body| fold(body) == expected)
    }
}

async fn mount_generate_token(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path(banking("GenerateAuthorizeToken")))
        .and(header("flinks-auth-key", SECRET_KEY))
        .respond_with(reply(200, sample!("generate_authorize_token.200.json")))
        .expect(1)
        .mount(server)
        .await;
}

async fn authorize_token(server: &MockServer, client: &FlinksClient) -> Secret {
    ok(
        server,
        client
            .generate_authorize_token(&Secret::new(SECRET_KEY))
            .await,
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// GenerateAuthorizeToken (§2.1)

#[tokio::test]
async fn generate_authorize_token_sends_the_secret_key_and_reads_the_documented_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(banking("GenerateAuthorizeToken")))
        .and(header("flinks-auth-key", SECRET_KEY))
        .and(header("accept", "application/json"))
        .and(without_body)
        .respond_with(reply(200, sample!("generate_authorize_token.200.json")))
        .expect(1)
        .mount(&server)
        .await;
    let token = authorize_token(&server, &client_for(&server)).await;
    assert_eq!(token.expose(), AUTHORIZE_TOKEN);
}

#[tokio::test]
async fn generate_authorize_token_sends_the_documented_content_type() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(banking("GenerateAuthorizeToken")))
        .and(header("flinks-auth-key", SECRET_KEY))
        .and(header("content-type", "application/json"))
        .respond_with(reply(200, sample!("generate_authorize_token.200.json")))
        .expect(1)
        .mount(&server)
        .await;
    let token = authorize_token(&server, &client_for(&server)).await;
    assert_eq!(token.expose(), AUTHORIZE_TOKEN);
}

#[tokio::test]
async fn generate_authorize_token_refusals_are_typed_and_keep_the_key_out() {
    // The docs disagree on the code (§2.1 says ACCESS_DENIED, §3.2/§7 UNAUTHORIZED): both must read.
    for (sample, code) in [
        (
            sample!("generate_authorize_token.401.unauthorized.json"),
            FlinksCode::Unauthorized,
        ),
        (
            sample!("generate_authorize_token.401.access_denied.json"),
            FlinksCode::AccessDenied,
        ),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(banking("GenerateAuthorizeToken")))
            .and(header("flinks-auth-key", SECRET_KEY))
            .respond_with(reply(401, sample))
            .expect(1)
            .mount(&server)
            .await;
        let e = client_for(&server)
            .generate_authorize_token(&Secret::new(SECRET_KEY))
            .await
            .unwrap_err();
        assert_api_error(
            &e,
            401,
            code,
            "You must provide a valid auth key",
            &[SECRET_KEY, X_API_KEY],
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Authorize (§2.2)

#[tokio::test]
async fn authorize_cached_sends_the_documented_body_with_the_token_and_reads_the_200() {
    let server = MockServer::start().await;
    mount_generate_token(&server).await;
    Mock::given(method("POST"))
        .and(path(banking("Authorize")))
        .and(header("flinks-auth-key", AUTHORIZE_TOKEN))
        .and(header("content-type", "application/json"))
        .and(without_header("x-api-key"))
        .and(body_json(parse(sample!("authorize.request.cached.json"))))
        .respond_with(reply(200, sample!("authorize.200.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_for(&server);
    let token = authorize_token(&server, &client).await;
    let login = LoginId::new("5e115eac-1209-4f19-641c-08d6d484e2fe");
    let outcome = ok(&server, client.authorize_cached(&login, Some(&token)).await).await;

    let AuthorizeOutcome::Authorized(a) = outcome else {
        panic!("a 200 is not a challenge: {outcome:?}");
    };
    // The docs' placeholders, kept as they are: the client must not insist on GUIDs.
    assert_eq!(a.request_id.0, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx");
    assert_eq!(a.login.id.expose(), "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx");
    assert_eq!(a.login.username.as_deref(), Some("Greatday"));
    assert_eq!(a.login.login_type.as_deref(), Some("Personal"));
    assert_eq!(
        a.login.last_refresh.as_deref(),
        Some("2026-01-21T20:47:47.145999")
    );
    assert_eq!(a.institution.as_deref(), Some("FlinksCapital"));
}

#[tokio::test]
async fn authorize_live_sends_the_documented_credentials_and_reads_the_203() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(banking("Authorize")))
        .and(header("flinks-auth-key", AUTHORIZE_TOKEN))
        .and(header("content-type", "application/json"))
        .and(json_body_in_any_key_case(sample!(
            "authorize.request.live.json"
        )))
        .respond_with(reply(203, sample!("authorize.203.security_challenge.json")))
        .expect(1)
        .mount(&server)
        .await;
    let credentials = LiveCredentials {
        institution: "FlinksCapital".into(),
        username: Secret::new("Greatday"),
        password: Secret::new("Everyday"),
        language: None,
        save: true,
        tag: None,
    };
    let outcome = ok(
        &server,
        client_for(&server)
            .authorize_live(&credentials, Some(&Secret::new(AUTHORIZE_TOKEN)))
            .await,
    )
    .await;

    let AuthorizeOutcome::Challenge {
        request_id,
        challenges,
    } = outcome
    else {
        panic!("a 203 is a challenge: {outcome:?}");
    };
    assert_eq!(request_id.0, "9022abc2-8a2e-4b06-a06e-c3e5449c4d10");
    assert_eq!(challenges.len(), 1);
    assert_eq!(
        challenges[0].challenge_type.as_deref(),
        Some("QuestionAndAnswer")
    );
    assert_eq!(challenges[0].prompt, "What shape do people like most?");
}

#[tokio::test]
async fn answer_challenge_sends_the_documented_security_responses_and_reads_the_200() {
    let server = MockServer::start().await;
    // Exact match: prompts are keys here, and their case is the bank's, not a JSON convention.
    Mock::given(method("POST"))
        .and(path(banking("Authorize")))
        .and(header("flinks-auth-key", AUTHORIZE_TOKEN))
        .and(header("content-type", "application/json"))
        .and(body_json(parse(sample!(
            "authorize.request.security_responses.json"
        ))))
        .respond_with(reply(200, sample!("authorize.200.json")))
        .expect(1)
        .mount(&server)
        .await;
    let answer = |prompt: &str, answer: &str| SecurityResponse {
        prompt: prompt.into(),
        answer: Secret::new(answer),
    };
    // The sample's RequestId, not the 203's: the two samples come from different sources.
    let request_id = RequestId("a10fbd41-d942-4a1f-b202-16f63b5a9a81".into());
    let outcome = ok(
        &server,
        client_for(&server)
            .answer_challenge(
                &request_id,
                &[
                    answer("What shape do people like most?", "Triangle"),
                    answer("What is the best country on earth?", "Canada"),
                    answer("What city were you born in?", "Montreal"),
                ],
                Some(&Secret::new(AUTHORIZE_TOKEN)),
            )
            .await,
    )
    .await;
    let AuthorizeOutcome::Authorized(a) = outcome else {
        panic!("a 200 is not a challenge: {outcome:?}");
    };
    assert_eq!(a.request_id.0, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx");
    assert_eq!(a.login.username.as_deref(), Some("Greatday"));
}

#[tokio::test]
async fn authorize_refusals_are_typed_and_keep_login_token_and_password_out() {
    let login_id = "5e115eac-1209-4f19-641c-08d6d484e2fe";
    let secrets = [login_id, AUTHORIZE_TOKEN, "Greatday", "Everyday"];
    let cached = [
        (
            sample!("authorize.401.invalid_login.login_id.json"),
            FlinksCode::InvalidLogin,
            "The LoginId provided is either invalid or does not belong to the CustomerId",
        ),
        (
            sample!("authorize.401.access_denied.json"),
            FlinksCode::AccessDenied,
            "Authentication was unsuccessful",
        ),
    ];
    for (sample, code, message) in cached {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(banking("Authorize")))
            .and(body_json(parse(sample!("authorize.request.cached.json"))))
            .respond_with(reply(401, sample))
            .expect(1)
            .mount(&server)
            .await;
        let e = client_for(&server)
            .authorize_cached(&LoginId::new(login_id), Some(&Secret::new(AUTHORIZE_TOKEN)))
            .await
            .unwrap_err();
        assert_api_error(&e, 401, code, message, &secrets);
    }

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(banking("Authorize")))
        .and(json_body_in_any_key_case(sample!(
            "authorize.request.live.json"
        )))
        .respond_with(reply(
            401,
            sample!("authorize.401.invalid_login.credentials.json"),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let credentials = LiveCredentials {
        institution: "FlinksCapital".into(),
        username: Secret::new("Greatday"),
        password: Secret::new("Everyday"),
        language: None,
        save: true,
        tag: None,
    };
    let e = client_for(&server)
        .authorize_live(&credentials, Some(&Secret::new(AUTHORIZE_TOKEN)))
        .await
        .unwrap_err();
    assert_api_error(
        &e,
        401,
        FlinksCode::InvalidLogin,
        "The card number (username) or password provided is invalid",
        &secrets,
    );
}

// ---------------------------------------------------------------------------------------------
// GetAccountsDetail, GetAccountsDetailAsync, GetAccountsSummary (§2.3, §2.4, §2.7)

/// The body flinks-api.md §2.3 lists, with the values of the default options.
fn detail_request() -> Value {
    serde_json::json!({
        "RequestId": DETAIL_REQUEST_ID,
        "WithAccountIdentity": true,
        "WithTransactions": true,
        "WithKYC": false,
        "DaysOfTransactions": "Days365",
    })
}

async fn wait_detail(
    server: &MockServer,
    progress: &mut Vec<PollProgress>,
) -> flinks_client::Result<AccountsDetail> {
    client_for(server)
        .wait_accounts_detail(
            &LoginId::new(DETAIL_LOGIN_ID),
            &RequestId(DETAIL_REQUEST_ID.into()),
            &AccountsDetailOptions::default(),
            FAST,
            &CancellationToken::new(),
            |p| progress.push(p),
        )
        .await
}

/// Field by field against `get_accounts_detail.200.json`; `transactions` is how many it should
/// hold (1, or 2 with §2.4's second transaction).
fn assert_documented_detail(detail: &AccountsDetail, transactions: usize) {
    assert_eq!(
        detail.request_id.as_ref().map(|r| r.0.as_str()),
        Some(DETAIL_REQUEST_ID)
    );
    assert_eq!(detail.institution.as_deref(), Some("FlinksCapital"));
    let login = detail.login.as_ref().expect("the sample has a Login");
    assert_eq!(login.id.expose(), DETAIL_LOGIN_ID);
    assert_eq!(login.username.as_deref(), Some("chat_gpt"));
    assert_eq!(login.login_type.as_deref(), Some("Personal"));
    assert_eq!(
        login.last_refresh.as_deref(),
        Some("2025-01-31T17:40:54.569261")
    );

    assert_eq!(detail.accounts.len(), 1);
    let account = &detail.accounts[0];
    assert_eq!(account.id, "27a9ffa0-c6b9-4cc6-9eaa-aa9efa07a889");
    assert_eq!(account.title.as_deref(), Some("Chequing Account"));
    assert_eq!(account.account_type.as_deref(), Some("Chequing"));
    assert_eq!(account.category.as_deref(), Some("Operations"));
    assert_eq!(account.currency.as_deref(), Some("CAD"));
    assert_eq!(account.account_number.as_deref(), Some("7641238"));
    assert_eq!(account.transit_number.as_deref(), Some("12347"));
    assert_eq!(account.institution_number.as_deref(), Some("777"));
    let balance = account.balance.as_ref().expect("the sample has a Balance");
    assert_eq!(balance.available, Some(dec("5405.5")));
    assert_eq!(balance.current, Some(dec("5105.5")));
    assert_eq!(balance.limit, Some(dec("5105.5")));

    assert_eq!(account.transactions.len(), transactions);
    let first = &account.transactions[0];
    assert_eq!(
        first.id.as_deref(),
        Some("94584aed-7c98-42a4-9836-9f8557db63f5")
    );
    assert_eq!(first.date, day(2025, 1, 31));
    assert_eq!(
        first.description.as_deref(),
        Some("PAYROLL - Stripe Paycheck")
    );
    // The docs set both Debit and Credit on one transaction; both are kept, neither invented.
    assert_eq!(first.debit, Some(dec("1000.4")));
    assert_eq!(first.credit, Some(dec("1500.25")));
    assert_eq!(first.balance, Some(dec("5105.6")));
}

#[tokio::test]
async fn get_accounts_detail_sends_the_documented_request_and_reads_the_200() {
    let server = MockServer::start().await;
    data_call(Mock::given(method("POST")))
        .and(path(banking("GetAccountsDetail")))
        .and(header("content-type", "application/json"))
        .and(body_partial_json(detail_request()))
        .respond_with(reply(200, sample!("get_accounts_detail.200.json")))
        .expect(1)
        .mount(&server)
        .await;
    let mut progress = Vec::new();
    let detail = ok(&server, wait_detail(&server, &mut progress).await).await;
    assert_documented_detail(&detail, 1);
    assert!(progress.is_empty(), "a 200 is not waited on: {progress:?}");
}

/// §2.4's Async 200: "the same payload as a 200 from /GetAccountsDetail", with its second transaction.
fn async_detail_body() -> Vec<u8> {
    let mut body = parse(sample!("get_accounts_detail.200.json"));
    let second = parse(sample!(
        "get_accounts_detail_async.200.second_transaction.json"
    ));
    body["Accounts"][0]["Transactions"]
        .as_array_mut()
        .unwrap()
        .push(second);
    serde_json::to_vec(&body).unwrap()
}

#[tokio::test]
async fn get_accounts_detail_polls_the_async_endpoint_through_the_documented_202s() {
    for pending in [
        sample!("get_accounts_detail.202.operation_pending.json"),
        sample!("get_accounts_detail.202.operation_dispatched.json"),
    ] {
        let server = MockServer::start().await;
        data_call(Mock::given(method("POST")))
            .and(path(banking("GetAccountsDetail")))
            .and(body_partial_json(detail_request()))
            .respond_with(reply(202, pending))
            .expect(1)
            .mount(&server)
            .await;
        // The session's RequestId, not the 202's (the docs' 202 sample names another session):
        // the poll belongs to the session the client opened.
        data_call(Mock::given(method("GET")))
            .and(path(banking(&format!(
                "GetAccountsDetailAsync/{DETAIL_REQUEST_ID}"
            ))))
            .and(without_body)
            .respond_with(reply(200, &async_detail_body()))
            .expect(1)
            .mount(&server)
            .await;
        let mut progress = Vec::new();
        let detail = ok(&server, wait_detail(&server, &mut progress).await).await;

        assert_documented_detail(&detail, 2);
        let second = &detail.accounts[0].transactions[1];
        assert_eq!(
            second.id.as_deref(),
            Some("c2fb949a-86aa-470f-9a76-deb10d7c2b57")
        );
        assert_eq!(second.date, day(2025, 1, 30));
        assert_eq!(second.description.as_deref(), Some("Credit Card Payment"));
        assert_eq!(second.debit, Some(dec("150")));
        assert_eq!(second.credit, Some(dec("100")));
        assert_eq!(second.balance, Some(dec("3605")));
        assert_eq!(progress.len(), 1, "one 202, one wait: {progress:?}");
        assert_eq!(progress[0].attempt, 1);
    }
}

#[tokio::test]
async fn an_expired_session_is_a_typed_error_on_the_call_and_on_the_poll() {
    let secrets = [DETAIL_LOGIN_ID, X_API_KEY];
    let expired = sample!("get_accounts_detail.400.session_nonexistent.json");
    let message = "Inputs session id or card if were not found.";

    let server = MockServer::start().await;
    data_call(Mock::given(method("POST")))
        .and(path(banking("GetAccountsDetail")))
        .respond_with(reply(400, expired))
        .expect(1)
        .mount(&server)
        .await;
    let e = wait_detail(&server, &mut Vec::new()).await.unwrap_err();
    assert_api_error(&e, 400, FlinksCode::SessionNonexistent, message, &secrets);

    let server = MockServer::start().await;
    data_call(Mock::given(method("POST")))
        .and(path(banking("GetAccountsDetail")))
        .respond_with(reply(
            202,
            sample!("get_accounts_detail.202.operation_pending.json"),
        ))
        .expect(1)
        .mount(&server)
        .await;
    data_call(Mock::given(method("GET")))
        .and(path(banking(&format!(
            "GetAccountsDetailAsync/{DETAIL_REQUEST_ID}"
        ))))
        .respond_with(reply(400, expired))
        .expect(1)
        .mount(&server)
        .await;
    let e = wait_detail(&server, &mut Vec::new()).await.unwrap_err();
    assert_api_error(&e, 400, FlinksCode::SessionNonexistent, message, &secrets);
}

#[tokio::test]
async fn get_accounts_summary_sends_the_documented_request_and_polls_its_async_endpoint() {
    let server = MockServer::start().await;
    data_call(Mock::given(method("POST")))
        .and(path(banking("GetAccountsSummary")))
        .and(header("content-type", "application/json"))
        .and(body_partial_json(serde_json::json!({
            "RequestId": DETAIL_REQUEST_ID,
            "WithBalance": true,
            "WithAccountIdentity": true,
        })))
        .respond_with(reply(
            202,
            sample!("get_accounts_detail.202.operation_pending.json"),
        ))
        .expect(1)
        .mount(&server)
        .await;
    // The docs print no GetAccountsSummary 200; its documented keys (§2.7) are a subset of the
    // GetAccountsDetail sample's, the nearest shape Flinks shows.
    data_call(Mock::given(method("GET")))
        .and(path(banking(&format!(
            "GetAccountsSummaryAsync/{DETAIL_REQUEST_ID}"
        ))))
        .and(without_body)
        .respond_with(reply(200, sample!("get_accounts_detail.200.json")))
        .expect(1)
        .mount(&server)
        .await;
    let summary = ok(
        &server,
        client_for(&server)
            .wait_accounts_summary(
                &LoginId::new(DETAIL_LOGIN_ID),
                &RequestId(DETAIL_REQUEST_ID.into()),
                FAST,
                &CancellationToken::new(),
                |_| {},
            )
            .await,
    )
    .await;
    assert_documented_detail(&summary, 1);
}

// ---------------------------------------------------------------------------------------------
// DeleteCard (§2.5)

#[tokio::test]
async fn delete_card_uses_the_documented_method_and_path() {
    let login_id = "8b35f6c8-e7b6-41d3-98f8-08d68b7f8d31";
    // The doc's body names the deleted loginId through a `{loginId}` placeholder.
    let body = String::from_utf8(sample!("delete_card.200.json").to_vec())
        .unwrap()
        .replace("{loginId}", login_id);
    let server = MockServer::start().await;
    data_call(Mock::given(method("DELETE")))
        .and(path(banking(&format!("DeleteCard/{login_id}"))))
        .and(without_body)
        .respond_with(reply(200, body.as_bytes()))
        .expect(1)
        .mount(&server)
        .await;
    ok(
        &server,
        client_for(&server)
            .delete_card(&LoginId::new(login_id))
            .await,
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Attributes (§4)

async fn attributes_of(
    server: &MockServer,
    package: Package,
    login_id: &str,
    request_id: &str,
) -> flinks_client::Result<Attributes> {
    client_for(server)
        .attributes(
            package,
            &LoginId::new(login_id),
            &RequestId(request_id.into()),
        )
        .await
}

fn number(text: &str) -> AttributeValue {
    AttributeValue::Number(dec(text))
}

fn text(value: &str) -> AttributeValue {
    AttributeValue::Text(value.into())
}

#[tokio::test]
async fn user_analysis_attributes_read_the_documented_example_value_by_value() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(insight(
            ATTRS_LOGIN_ID,
            ATTRS_REQUEST_ID,
            "GetUserAnalysisAttributes",
        )))
        .and(without_body)
        .respond_with(reply(200, sample!("get_user_analysis_attributes.200.json")))
        .expect(1)
        .mount(&server)
        .await;
    let attrs = ok(
        &server,
        attributes_of(
            &server,
            Package::UserAnalysis,
            ATTRS_LOGIN_ID,
            ATTRS_REQUEST_ID,
        )
        .await,
    )
    .await;

    assert_eq!(
        attrs.request_id.as_ref().map(|r| r.0.as_str()),
        Some(ATTRS_REQUEST_ID)
    );
    // In the docs' order; Card.Id (the loginId) and AttributesDetail are not attributes.
    let expected = [
        ("auto_loan_deposits_frequency_biz", text("NONE_DETECTED")),
        ("auto_loan_deposits_trend_biz", number("0")),
        ("auto_loan_payments_frequency_biz", text("Monthly")),
        ("auto_loan_payments_trend_biz", number("0.94")),
        ("average_monthly_auto_loan_payments_biz", number("532.54")),
        ("sum_auto_loan_payments_365_days_biz", number("6000")),
        ("average_monthly_operating_income_biz", number("6443.79")),
        ("sum_operating_income_365_days_biz", number("72600")),
        ("average_monthly_payroll_deposits_biz", number("5485.21")),
        ("sum_payroll_deposits_365_days_biz", number("61800")),
    ];
    let got: Vec<(&str, &AttributeValue)> =
        attrs.values.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let want: Vec<(&str, &AttributeValue)> = expected.iter().map(|(k, v)| (*k, v)).collect();
    assert_eq!(got, want);

    // The docs write AttributesDetail and its Transactions as single objects, not arrays.
    assert_eq!(attrs.details.len(), 1);
    let detail = &attrs.details[0];
    assert_eq!(
        detail.attribute,
        "count_auto_loan_payments_10_months_ago_biz"
    );
    assert_eq!(detail.transactions.len(), 1);
    let t = &detail.transactions[0];
    assert_eq!(
        t.transaction.id.as_deref(),
        Some("8c0eb24f-f395-48d3-9bf2-d170a6793e57")
    );
    assert_eq!(
        t.account_id.as_deref(),
        Some("249516f6-d40d-4d86-b064-dbb4e0a59688")
    );
    assert_eq!(t.transaction.date, day(2021, 1, 8));
    assert_eq!(
        t.transaction.description.as_deref(),
        Some("FORD CREDIT CA APY")
    );
    assert_eq!(t.transaction.debit, Some(dec("500")));
    assert_eq!(t.transaction.credit, None);
    assert_eq!(t.transaction.balance, Some(dec("11550")));
}

#[tokio::test]
async fn every_package_is_asked_on_its_documented_path() {
    let server = MockServer::start().await;
    // Spelled out from flinks-api.md §4.1 rather than taken from Package::endpoint, which is under test.
    let documented = [
        (Package::Income, "GetIncomeAttributes"),
        (Package::Lending, "GetLendingAttributes"),
        (Package::CreditRisk, "GetCreditRiskAttributes"),
        (Package::UserAnalysis, "GetUserAnalysisAttributes"),
        (Package::BusinessAnalysis, "GetBusinessAnalysisAttributes"),
        (Package::All, "GetAllAttributes"),
    ];
    for (_, endpoint) in documented {
        Mock::given(method("GET"))
            .and(path(insight(ATTRS_LOGIN_ID, ATTRS_REQUEST_ID, endpoint)))
            .respond_with(reply(200, sample!("get_user_analysis_attributes.200.json")))
            .expect(1)
            .mount(&server)
            .await;
    }
    for (package, _) in documented {
        let attrs = ok(
            &server,
            attributes_of(&server, package, ATTRS_LOGIN_ID, ATTRS_REQUEST_ID).await,
        )
        .await;
        assert_eq!(attrs.values.len(), 10, "{package:?}");
    }
}

#[tokio::test]
async fn the_captured_attributes_reply_reads_every_attribute() {
    let login_id = "0e3180b8-6339-42d0-24d1-08d9f315cb5b";
    let request_id = "1e01c5cc-7fd5-479e-91d2-08f14c824639";
    let server = MockServer::start().await;
    // §4.2 infers the capture is a User Analysis reply.
    Mock::given(method("GET"))
        .and(path(insight(
            login_id,
            request_id,
            "GetUserAnalysisAttributes",
        )))
        .respond_with(reply(200, sample!("attributes.200.captured_fixture.json")))
        .expect(1)
        .mount(&server)
        .await;
    let attrs = ok(
        &server,
        attributes_of(&server, Package::UserAnalysis, login_id, request_id).await,
    )
    .await;

    assert_eq!(
        attrs.request_id.as_ref().map(|r| r.0.as_str()),
        Some(request_id)
    );
    // "..." stands for series the doc elided (see samples/README.md): not Flinks' data.
    let names: Vec<&str> = attrs
        .values
        .keys()
        .map(String::as_str)
        .filter(|n| *n != "...")
        .collect();
    assert_eq!(
        names,
        [
            "account_age_days",
            "employer_name",
            "average_monthly_employer_income_complex",
            "employer_income_trend_simple",
            "average_monthly_non_employer_income_complex",
            "average_monthly_government_income_complex",
            "total_deposits_trend_simple",
            "sum_employer_income_current_month",
            "sum_employer_income_previous_month",
            "sum_employer_income_2_months_ago",
            "count_employer_income_current_month",
            "sum_government_income_90_days",
            "sum_employment_insurance_income_90_days",
            "sum_social_assistance_income_90_days",
            "sum_wsib_income_90_days",
            "sum_pension_income_90_days",
            "sum_child_support_income_government_90_days",
            "sum_other_income_90_days",
            "sum_total_credits_current_month",
            "sum_total_credits_previous_month",
            "sum_total_credits_2_months_ago",
            "balance_min",
            "count_days_negative_balance_90_days",
            "average_monthly_free_cash_flow",
            "balance_trend_simple",
            "average_monthly_loan_payments_complex",
            "average_monthly_auto_loan_payments_complex",
            "average_monthly_mortgage_payments_complex",
            "average_monthly_micro_loan_payments_complex",
            "average_monthly_student_loan_payments_complex",
            "average_monthly_other_loan_payments_complex",
            "average_monthly_utility_payments_complex",
            "average_monthly_telecom_payments_complex",
            "count_nsf_90_days",
            "count_stop_payment_90_days",
            "micro_lender_name",
            "average_monthly_debit",
            "count_active_days",
            "overall_activity_trend_simple",
            "debit_activity_trend_simple",
            "credit_activity_trend_simple",
            "has_employer_income",
            "average_monthly_recurring_payments_complex",
            "sum_loan_payments",
            "sum_employer_income",
        ]
    );
    for (name, value) in [
        ("account_age_days", number("364")),
        ("employer_name", text("United Airlines")),
        ("average_monthly_employer_income_complex", number("500")),
        ("employer_income_trend_simple", text("CONSISTENT")),
        ("average_monthly_non_employer_income_complex", number("0")),
        ("sum_employer_income_current_month", number("500")),
        ("count_employer_income_current_month", number("1")),
        ("sum_total_credits_current_month", number("500")),
        ("sum_total_credits_previous_month", number("504.22")),
        ("sum_total_credits_2_months_ago", number("508.44")),
        ("balance_min", number("-10330.88")),
        ("count_days_negative_balance_90_days", number("2")),
        ("average_monthly_free_cash_flow", number("-10569.99")),
        ("balance_trend_simple", text("DECREASING")),
        ("count_nsf_90_days", number("0")),
        ("micro_lender_name", text("NONE_DETECTED")),
        ("average_monthly_debit", number("11068.67")),
        ("count_active_days", number("122")),
        ("has_employer_income", text("YES")),
        ("sum_employer_income", number("6000")),
    ] {
        assert_eq!(attrs.values.get(name), Some(&value), "{name}");
    }

    assert_eq!(attrs.details.len(), 1);
    let detail = &attrs.details[0];
    assert_eq!(detail.attribute, "sum_total_credits_current_month");
    assert_eq!(detail.transactions.len(), 1);
    let t = &detail.transactions[0];
    // Lower-case `transactionid` in this capture, `TransactionId` in the docs: both are the id.
    assert_eq!(
        t.transaction.id.as_deref(),
        Some("7ccbca58-d624-40f5-ad80-21cf111c34cb")
    );
    assert_eq!(t.account_id.as_deref(), Some(login_id));
    assert_eq!(t.transaction.date, day(2022, 2, 2));
    assert_eq!(
        t.transaction.description.as_deref(),
        Some("United Airlines")
    );
    assert_eq!(t.transaction.debit, None);
    assert_eq!(t.transaction.credit, Some(dec("500")));
    assert_eq!(t.transaction.balance, Some(dec("65756.6")));
}

#[tokio::test]
async fn attributes_pending_or_expired_are_typed_errors_without_the_login() {
    // The attributes URL carries the loginId, so a careless error text would too.
    let secrets = [ATTRS_LOGIN_ID, X_API_KEY];
    for (status, sample, code, message) in [
        // §4.1: asked before GetAccountsDetail is done, "you may receive a 202 OPERATION_PENDING".
        (
            202,
            sample!("get_accounts_detail.202.operation_pending.json"),
            FlinksCode::OperationPending,
            "Your operation is still processing",
        ),
        (
            400,
            sample!("get_accounts_detail.400.session_nonexistent.json"),
            FlinksCode::SessionNonexistent,
            "Inputs session id or card if were not found.",
        ),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(insight(
                ATTRS_LOGIN_ID,
                ATTRS_REQUEST_ID,
                "GetCreditRiskAttributes",
            )))
            .respond_with(reply(status, sample))
            .expect(1)
            .mount(&server)
            .await;
        let e = attributes_of(
            &server,
            Package::CreditRisk,
            ATTRS_LOGIN_ID,
            ATTRS_REQUEST_ID,
        )
        .await
        .unwrap_err();
        assert_api_error(&e, status, code, message, &secrets);
    }
}
