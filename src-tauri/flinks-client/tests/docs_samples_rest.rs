//! The client against the documented shapes of GetStatements, AnswerMFAQuestions and
//! SetScheduledRefresh (flinks-api.md §1, §2.7), from `tests/samples/` (see its README), served
//! byte for byte by a mock server that answers only the documented method, path, headers and body.

mod docs_support;
use docs_support::{banking, client_for, data_call, ok, parse, reply, FAST};
use flinks_client::{
    FlinksError, LoginId, NumberOfStatements, RequestId, Secret, SecurityResponse,
    StatementsOptions,
};
use tokio_util::sync::CancellationToken;
use wiremock::matchers::{body_json, body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The session of `get_accounts_detail.200.json`, which the samples here reuse.
const LOGIN_ID: &str = "5602459c-f6d0-4ca0-6750-08dccdcadcc0";
const REQUEST_ID: &str = "22178382-31ee-485c-a750-c20929b6a344";

macro_rules! sample {
    ($file:literal) => {
        include_bytes!(concat!("samples/", $file)).as_slice()
    };
}

async fn statements(server: &MockServer) -> flinks_client::Result<flinks_client::Statements> {
    client_for(server)
        .wait_statements(
            &LoginId::new(LOGIN_ID),
            &RequestId(REQUEST_ID.into()),
            &StatementsOptions::default(),
            FAST,
            &CancellationToken::new(),
            |_| {},
        )
        .await
}

#[tokio::test]
async fn get_statements_sends_the_documented_request_and_decodes_the_base64_pdf() {
    let server = MockServer::start().await;
    data_call(Mock::given(method("POST")))
        .and(path(banking("GetStatements")))
        .and(body_partial_json(serde_json::json!({
            "RequestId": REQUEST_ID,
            "NumberOfStatements": "MostRecent",
        })))
        .respond_with(reply(
            202,
            sample!("get_accounts_detail.202.operation_pending.json"),
        ))
        .expect(1)
        .mount(&server)
        .await;
    data_call(Mock::given(method("GET")))
        .and(path(banking(&format!("GetStatementsAsync/{REQUEST_ID}"))))
        .respond_with(reply(200, sample!("get_statements.200.json")))
        .expect(1)
        .mount(&server)
        .await;
    let statements = ok(&server, statements(&server).await).await;
    assert_eq!(statements.request_id, Some(RequestId(REQUEST_ID.into())));
    assert_eq!(statements.institution.as_deref(), Some("FlinksCapital"));
    let account = &statements.accounts[0];
    assert_eq!(account.account_number.as_deref(), Some("7641238"));
    let statement = &account.statements[0];
    assert_eq!(
        statement.unique_id.as_deref(),
        Some("5A1F0C3E9B7D42E6A8C1D0F3B2E4A697")
    );
    assert_eq!(statement.file_type.as_deref(), Some("PDF"));
    assert_eq!(statement.bytes, b"%PDF-1.4\n%%EOF\n");
}

#[tokio::test]
async fn statement_bytes_that_are_not_base64_are_a_decode_error() {
    // Flinks' own endpoint page elides the bytes as "...", which no client can read.
    let mut body = parse(sample!("get_statements.200.json"));
    body["StatementsByAccount"][0]["Statements"][0]["Base64Bytes"] = "...".into();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(banking("GetStatements")))
        .respond_with(reply(200, &serde_json::to_vec(&body).unwrap()))
        .mount(&server)
        .await;
    match statements(&server).await {
        Err(FlinksError::Decode {
            status: 200,
            reason,
            ..
        }) => {
            assert!(reason.contains("Base64Bytes"), "{reason}")
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn answer_mfa_questions_sends_the_documented_body_and_reads_answers_updated() {
    let server = MockServer::start().await;
    data_call(Mock::given(method("PATCH")))
        .and(path(banking("AnswerMFAQuestions")))
        .and(body_json(parse(sample!(
            "answer_mfa_questions.request.json"
        ))))
        .respond_with(reply(200, sample!("answer_mfa_questions.200.json")))
        .expect(1)
        .mount(&server)
        .await;
    let answers = [SecurityResponse {
        prompt: "What shape do people like most?".into(),
        answer: Secret::new("Triangle"),
    }];
    client_for(&server)
        .answer_mfa_questions(&LoginId::new(LOGIN_ID), &answers)
        .await
        .unwrap();
}

#[tokio::test]
async fn set_scheduled_refresh_sends_the_documented_body_and_reads_its_plain_text() {
    let text = String::from_utf8(sample!("set_scheduled_refresh.200.txt").to_vec())
        .unwrap()
        .replace("{loginId}", LOGIN_ID);
    let server = MockServer::start().await;
    data_call(Mock::given(method("PATCH")))
        .and(path(banking("SetScheduledRefresh")))
        .and(body_json(parse(sample!(
            "set_scheduled_refresh.request.json"
        ))))
        .respond_with(ResponseTemplate::new(200).set_body_raw(text, "text/plain"))
        .expect(1)
        .mount(&server)
        .await;
    let login = LoginId::new(LOGIN_ID);
    client_for(&server)
        .set_scheduled_refresh(&login, true)
        .await
        .unwrap();

    // A 200 that says nothing of the refresh (a proxy's page) is not taken for success.
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("<html>Welcome</html>", "text/html"))
        .mount(&server)
        .await;
    let e = client_for(&server)
        .set_scheduled_refresh(&login, true)
        .await
        .unwrap_err();
    assert!(
        matches!(e, FlinksError::Decode { status: 200, .. }),
        "{e:?}"
    );
}

#[test]
fn numbers_of_statements_are_the_documented_ones() {
    for (text, number) in [
        ("MostRecent", NumberOfStatements::MostRecent),
        ("months3", NumberOfStatements::Months3),
        ("Months12", NumberOfStatements::Months12),
    ] {
        assert_eq!(text.parse::<NumberOfStatements>(), Ok(number));
        assert!(number.as_str().eq_ignore_ascii_case(text));
    }
    assert!("Months6".parse::<NumberOfStatements>().is_err());
}
