//! Contract tests for the rest of the documented API (flinks-api.md §1, §2.7): GetStatements,
//! SetScheduledRefresh, GetMFAQuestions and AnswerMFAQuestions, the client against the sandbox
//! over real HTTP on loopback.

use flinks_client::{
    AuthorizeOutcome, FlinksClient, FlinksCode, FlinksError, LiveCredentials, LoginId,
    NumberOfStatements, Secret, SecurityResponse, StatementsOptions,
};
use flinks_sandbox::capital::{answer_to, QUESTIONS};
use tokio_util::sync::CancellationToken;

mod contract_support;
use contract_support::{client_for, login_of, open_session, sandbox, FAST};

fn api_code<T: std::fmt::Debug>(result: flinks_client::Result<T>) -> (u16, FlinksCode, String) {
    match result {
        Err(e @ FlinksError::Api { status, .. }) => {
            (status, e.code().unwrap().clone(), e.to_string())
        }
        other => panic!("expected a Flinks error, got {other:?}"),
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

// ----- GetStatements -----

#[tokio::test]
async fn statements_wait_out_the_202s_and_come_back_as_pdf_bytes() {
    let sandbox = sandbox(120).await;
    let client = client_for(&sandbox);
    let login = login_of(&sandbox, "high_income_saver");
    let request_id = open_session(&client, &login).await;
    let options = StatementsOptions {
        number: NumberOfStatements::Months3,
        ..StatementsOptions::default()
    };
    let mut polls = 0;
    let statements = client
        .wait_statements(
            &login,
            &request_id,
            &options,
            FAST,
            &CancellationToken::new(),
            |_| polls += 1,
        )
        .await
        .unwrap();
    assert!(polls >= 1, "the statements were pending first");
    assert_eq!(statements.request_id.as_ref(), Some(&request_id));
    assert_eq!(statements.login.as_ref().map(|l| &l.id), Some(&login));
    let persona = sandbox
        .personas()
        .iter()
        .find(|p| p.username == "high_income_saver")
        .unwrap();
    assert_eq!(statements.accounts.len(), persona.accounts.len());
    for (account, expected) in statements.accounts.iter().zip(&persona.accounts) {
        assert_eq!(
            account.account_number.as_deref(),
            Some(expected.account_number.as_str())
        );
        assert_eq!(account.statements.len(), 3);
        for (statement, month) in account
            .statements
            .iter()
            .zip(["2026-02", "2026-01", "2025-12"])
        {
            assert_eq!(statement.file_type.as_deref(), Some("PDF"));
            assert!(statement.bytes.starts_with(b"%PDF-"), "{statement:?}");
            assert!(contains(&statement.bytes, &format!("Period {month}-01")));
            assert!(contains(&statement.bytes, &expected.account_number));
        }
    }
    // A debug print names the size, not the customer's records.
    let shown = format!("{:?}", statements.accounts[0].statements[0]);
    assert!(
        shown.contains(" bytes") && !shown.contains("PDF-1"),
        "{shown}"
    );
}

#[tokio::test]
async fn a_year_of_statements_is_for_one_account() {
    let sandbox = sandbox(0).await;
    let client = client_for(&sandbox);
    let login = login_of(&sandbox, "high_income_saver");
    let request_id = open_session(&client, &login).await;
    let savings = &sandbox
        .personas()
        .iter()
        .find(|p| p.username == "high_income_saver")
        .unwrap()
        .accounts[1];
    let wait = |options: StatementsOptions| {
        let (client, login, request_id) = (&client, &login, &request_id);
        async move {
            client
                .wait_statements(
                    login,
                    request_id,
                    &options,
                    FAST,
                    &CancellationToken::new(),
                    |_| {},
                )
                .await
        }
    };
    let year = wait(StatementsOptions {
        number: NumberOfStatements::Months12,
        accounts_filter: vec![savings.id.to_string()],
    })
    .await
    .unwrap();
    assert_eq!(year.accounts.len(), 1);
    assert_eq!(year.accounts[0].statements.len(), 12);

    let every = wait(StatementsOptions {
        number: NumberOfStatements::Months12,
        accounts_filter: Vec::new(),
    })
    .await;
    let (status, code, text) = api_code(every);
    assert_eq!((status, code), (401, FlinksCode::InvalidRequest), "{text}");
    assert!(text.contains("AccountsFilter"), "{text}");
}

// ----- SetScheduledRefresh -----

#[tokio::test]
async fn a_scheduled_refresh_shows_in_the_login_of_the_next_session() {
    let sandbox = sandbox(0).await;
    let client = client_for(&sandbox);
    let login = login_of(&sandbox, "gig_worker");
    for activated in [true, false] {
        client
            .set_scheduled_refresh(&login, activated)
            .await
            .unwrap();
        let AuthorizeOutcome::Authorized(a) = client.authorize_cached(&login, None).await.unwrap()
        else {
            panic!("no question in cached mode");
        };
        assert_eq!(a.login.is_scheduled_refresh, Some(activated));
    }
    let unknown = LoginId::new("0b0e7c84-1111-4d34-8de6-f4113bc82414");
    let (status, code, text) = api_code(client.set_scheduled_refresh(&unknown, true).await);
    assert_eq!((status, code), (401, FlinksCode::InvalidLogin));
    assert!(!text.contains(unknown.expose()), "{text}");
}

// ----- GetMFAQuestions, AnswerMFAQuestions -----

/// Greatday signed in live, its security question answered: its new loginId.
async fn greatday(client: &FlinksClient) -> LoginId {
    let credentials = LiveCredentials {
        institution: "FlinksCapital".into(),
        username: Secret::new("Greatday"),
        password: Secret::new("Everyday"),
        language: None,
        save: true,
        tag: None,
    };
    let outcome = client.authorize_live(&credentials, None).await.unwrap();
    let AuthorizeOutcome::Challenge {
        request_id,
        challenges,
    } = outcome
    else {
        panic!("Greatday is asked a question");
    };
    let prompt = &challenges[0].prompt;
    let answer = vec![SecurityResponse {
        prompt: prompt.clone(),
        answer: Secret::new(answer_to(prompt).unwrap()),
    }];
    match client
        .answer_challenge(&request_id, &answer, None)
        .await
        .unwrap()
    {
        AuthorizeOutcome::Authorized(a) => a.login.id,
        AuthorizeOutcome::Challenge { .. } => panic!("the right answer opens the session"),
    }
}

#[tokio::test]
async fn greatdays_questions_are_listed_and_answered_ahead_of_a_refresh() {
    let sandbox = sandbox(0).await;
    let client = client_for(&sandbox);
    let login = greatday(&client).await;
    let prompts = client.mfa_questions(&login).await.unwrap();
    assert_eq!(prompts, QUESTIONS.iter().map(|q| q.en).collect::<Vec<_>>());
    let answers: Vec<SecurityResponse> = QUESTIONS
        .iter()
        .map(|q| SecurityResponse {
            prompt: q.en.to_owned(),
            answer: Secret::new(q.answer),
        })
        .collect();
    client.answer_mfa_questions(&login, &answers).await.unwrap();

    let wrong = [SecurityResponse {
        prompt: QUESTIONS[2].en.to_owned(),
        answer: Secret::new("Dodecahedron"),
    }];
    let (status, code, text) = api_code(client.answer_mfa_questions(&login, &wrong).await);
    assert_eq!((status, code), (401, FlinksCode::InvalidSecurityResponse));
    assert!(!text.contains("Dodecahedron"), "{text}");

    let salaried = login_of(&sandbox, "salaried_biweekly");
    assert!(client.mfa_questions(&salaried).await.unwrap().is_empty());
}
