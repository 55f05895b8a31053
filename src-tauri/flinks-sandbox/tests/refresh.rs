//! SetScheduledRefresh, GetMFAQuestions and AnswerMFAQuestions over plain HTTP, against
//! flinks-api.md §1 and §2.7 (and, for GetMFAQuestions' reply, Flinks' endpoint page).

mod support;

use flinks_sandbox::capital::QUESTIONS;
use flinks_sandbox::SandboxConfig;
use serde_json::{json, Value};
use support::{code, get, greatday, login_of, patch, pending_for, post, start};

const UNKNOWN_LOGIN: &str = "0b0e7c84-1111-4d34-8de6-f4113bc82414";

#[tokio::test]
async fn scheduled_refresh_is_switched_and_shows_in_the_login() {
    let s = pending_for(0).await;
    let login = login_of(&s, "salaried_biweekly");
    let reply = patch(
        &s,
        "SetScheduledRefresh",
        json!({"LoginId": login, "IsActivated": true}),
    )
    .await;
    // Plain text naming the login (flinks-api.md §2.7).
    assert_eq!(
        reply,
        (
            200,
            Value::String(format!(
                "{login} has now been activated for automatic refresh"
            ))
        )
    );
    let (_, authorized) = post(
        &s,
        "Authorize",
        json!({"LoginId": login, "MostRecentCached": true}),
    )
    .await;
    assert_eq!(authorized["Login"]["IsScheduledRefresh"], true);
    let request_id = authorized["RequestId"].as_str().unwrap();
    let (_, detail) = post(&s, "GetAccountsDetail", json!({"RequestId": request_id})).await;
    assert_eq!(detail["Login"]["IsScheduledRefresh"], true);

    // The 2019 C# SDK sends the flag as a string.
    let off = json!({"loginId": login, "isActivated": "false"});
    let reply = patch(&s, "SetScheduledRefresh", off).await;
    assert_eq!(
        reply,
        (
            200,
            Value::String(format!(
                "{login} has now been deactivated for automatic refresh"
            ))
        )
    );
    let (_, authorized) = post(
        &s,
        "Authorize",
        json!({"LoginId": login, "MostRecentCached": true}),
    )
    .await;
    assert_eq!(authorized["Login"]["IsScheduledRefresh"], false);

    let unknown = json!({"LoginId": UNKNOWN_LOGIN, "IsActivated": true});
    let reply = patch(&s, "SetScheduledRefresh", unknown).await;
    assert_eq!(code(&reply), (401, Some("INVALID_LOGIN")));
    for bad in [
        json!({"LoginId": login}),
        json!({"IsActivated": true}),
        json!({"LoginId": login, "IsActivated": "yes"}),
    ] {
        let reply = patch(&s, "SetScheduledRefresh", bad.clone()).await;
        assert_eq!(code(&reply), (401, Some("INVALID_REQUEST")), "{bad}");
        assert_eq!(reply.1["HttpStatusCode"], 401);
    }
}

#[tokio::test]
async fn a_scheduled_refresh_outlives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = || SandboxConfig {
        saved_logins: Some(dir.path().join("logins.json")),
        ..SandboxConfig::default()
    };
    let s = start(config()).await;
    let login = login_of(&s, "gig_worker");
    let on = json!({"LoginId": login, "IsActivated": true});
    assert_eq!(patch(&s, "SetScheduledRefresh", on).await.0, 200);
    s.stop().await;
    let saved = std::fs::read_to_string(dir.path().join("logins.json")).unwrap();
    assert!(
        saved.contains("gig_worker") && !saved.contains(&login),
        "{saved}"
    );
    let s = start(config()).await;
    let (_, authorized) = post(
        &s,
        "Authorize",
        json!({"LoginId": login, "MostRecentCached": true}),
    )
    .await;
    assert_eq!(authorized["Login"]["IsScheduledRefresh"], true);
}

#[tokio::test]
async fn mfa_questions_are_greatdays_three_and_none_for_logins_without_one() {
    let s = pending_for(0).await;
    let greatday = greatday(&s).await;
    let (status, body) = get(&s, &format!("GetMFAQuestions/{greatday}")).await;
    assert_eq!(status, 200, "{body}");
    let questions: Vec<Value> = QUESTIONS
        .iter()
        .map(|q| json!({ "Question": q.en }))
        .collect();
    assert_eq!(
        body,
        json!({ "Message": "SUCCESS", "Questions": questions })
    );

    let persona = login_of(&s, "salaried_biweekly");
    let (status, body) = get(&s, &format!("GetMFAQuestions/{persona}")).await;
    assert_eq!((status, &body["Questions"]), (200, &json!([])));

    let reply = get(&s, &format!("GetMFAQuestions/{UNKNOWN_LOGIN}")).await;
    assert_eq!(code(&reply), (401, Some("INVALID_LOGIN")));
}

#[tokio::test]
async fn mfa_answers_are_checked_as_the_bank_would() {
    let s = pending_for(0).await;
    let login = greatday(&s).await;
    let answers = |pairs: &[(&str, &str)]| {
        let questions: Vec<Value> = pairs
            .iter()
            .map(|(q, a)| json!({"Question": q, "Answer": a}))
            .collect();
        json!({"LoginId": login, "Questions": questions})
    };
    let all: Vec<(&str, &str)> = QUESTIONS.iter().map(|q| (q.en, q.answer)).collect();
    let reply = patch(&s, "AnswerMFAQuestions", answers(&all)).await;
    assert_eq!(reply, (200, json!({"Message": "Answers updated"})));
    // Keys and answers in any case, and a question in French, as Greatday may be asked it.
    let french = json!({"loginid": login, "questions": [{"question": QUESTIONS[0].fr, "answer": "MONTREAL"}]});
    assert_eq!(patch(&s, "AnswerMFAQuestions", french).await.0, 200);

    let wrong = answers(&[(QUESTIONS[2].en, "Circle")]);
    let reply = patch(&s, "AnswerMFAQuestions", wrong).await;
    assert_eq!(
        code(&reply),
        (401, Some("INVALID_SECURITY_RESPONSE")),
        "{}",
        reply.1
    );
    let other = answers(&[("What is your pet's name?", "Rex")]);
    let reply = patch(&s, "AnswerMFAQuestions", other).await;
    assert_eq!(
        code(&reply),
        (401, Some("UNKNOWN_CHALLENGE_KEY")),
        "{}",
        reply.1
    );

    for bad in [
        json!({"LoginId": login}),
        json!({"LoginId": login, "Questions": []}),
        json!({"LoginId": login, "Questions": [{"Question": QUESTIONS[0].en}]}),
        json!({"Questions": [{"Question": QUESTIONS[0].en, "Answer": "Montreal"}]}),
    ] {
        let reply = patch(&s, "AnswerMFAQuestions", bad.clone()).await;
        assert_eq!(code(&reply), (401, Some("INVALID_REQUEST")), "{bad}");
    }
    let mut unknown = answers(&all);
    unknown["LoginId"] = json!(UNKNOWN_LOGIN);
    let reply = patch(&s, "AnswerMFAQuestions", unknown).await;
    assert_eq!(code(&reply), (401, Some("INVALID_LOGIN")));
}
