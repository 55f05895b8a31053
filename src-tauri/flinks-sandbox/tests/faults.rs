//! Fault injection over real HTTP: every fault kind at every stage, by the `X-Sandbox-Fault`
//! header and by rules, as a plain reqwest client sees it.

use std::time::{Duration, Instant};

use flinks_sandbox::{
    FaultKind, FaultRule, Sandbox, SandboxConfig, Stage, FAULT_HEADER, TOOLBOX_CUSTOMER_ID,
};
use reqwest::header::HeaderMap;
use serde_json::{json, Value};

const FAULT_DELAY: Duration = Duration::from_millis(300);
/// Shorter than FAULT_DELAY: a client that gives up on a `timeout` fault.
const IMPATIENT: Duration = Duration::from_millis(100);

async fn start(config: SandboxConfig) -> Sandbox {
    Sandbox::start_local(SandboxConfig {
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 3, 15).unwrap(),
        pending_for: Duration::ZERO,
        card_in_use_for: Duration::ZERO,
        fault_delay: FAULT_DELAY,
        ..config
    })
    .await
    .unwrap()
}

fn url(s: &Sandbox, path: &str) -> String {
    format!("{}/v3/{TOOLBOX_CUSTOMER_ID}/{path}", s.base_url())
}

/// A client that would not notice a `timeout` fault, yet does not hang a broken test.
fn patient() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

fn impatient() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(IMPATIENT)
        .build()
        .unwrap()
}

/// The requests of the faultable stages; the attributes stage has two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    Authorize,
    AccountsDetail,
    AccountsDetailAsync,
    PackageAttributes,
    CustomAttributes,
}

const CALLS: [Call; 5] = [
    Call::Authorize,
    Call::AccountsDetail,
    Call::AccountsDetailAsync,
    Call::PackageAttributes,
    Call::CustomAttributes,
];

impl Call {
    fn stage(self) -> Stage {
        match self {
            Call::Authorize => Stage::Authorize,
            Call::AccountsDetail => Stage::AccountsDetail,
            Call::AccountsDetailAsync => Stage::AccountsDetailAsync,
            Call::PackageAttributes | Call::CustomAttributes => Stage::Attributes,
        }
    }
}

/// One request, ready to send (again): the sessions it needs are open.
#[derive(Debug, Clone)]
struct Prepared {
    call: Call,
    login: String,
    post: bool,
    url: String,
    body: Option<Value>,
    request_id: Option<String>,
}

async fn post_json(s: &Sandbox, path: &str, body: Value) -> (u16, Value) {
    let r = patient()
        .post(url(s, path))
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn authorize(s: &Sandbox, login: &str) -> String {
    let (status, body) = post_json(
        s,
        "BankingServices/Authorize",
        json!({"LoginId": login, "MostRecentCached": true}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["RequestId"].as_str().unwrap().to_owned()
}

/// GetAccountsDetail's body: without transactions, the answers stay small and the tests fast.
fn detail_body(request_id: &str) -> Value {
    json!({"RequestId": request_id, "WithTransactions": false})
}

/// A session whose data GetAccountsDetail has served, so attributes can be computed.
async fn served_session(s: &Sandbox, login: &str) -> String {
    let request_id = authorize(s, login).await;
    let (status, body) = post_json(
        s,
        "BankingServices/GetAccountsDetail",
        detail_body(&request_id),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    request_id
}

/// `call` for customer `persona`, on fresh sessions.
async fn prepare(s: &Sandbox, call: Call, persona: usize) -> Prepared {
    let login = s.personas()[persona].login_id.to_string();
    let (post, path, body, request_id) = match call {
        Call::Authorize => (
            true,
            "BankingServices/Authorize".to_owned(),
            Some(json!({"LoginId": login, "MostRecentCached": true})),
            None,
        ),
        Call::AccountsDetail => {
            let id = authorize(s, &login).await;
            (
                true,
                "BankingServices/GetAccountsDetail".to_owned(),
                Some(detail_body(&id)),
                Some(id),
            )
        }
        Call::AccountsDetailAsync => {
            let id = authorize(s, &login).await;
            let path = format!("BankingServices/GetAccountsDetailAsync/{id}");
            (false, path, None, Some(id))
        }
        Call::PackageAttributes => {
            let id = served_session(s, &login).await;
            let path = format!("insight/login/{login}/attributes/{id}/GetIncomeAttributes");
            (false, path, None, Some(id))
        }
        Call::CustomAttributes => {
            let id = served_session(s, &login).await;
            let path = format!("insight/login/{login}/attributes/{id}");
            let body = json!({"Attributes": {"Card": ["balance_min", "account_age"]}});
            (true, path, Some(body), Some(id))
        }
    };
    Prepared {
        call,
        login,
        post,
        url: url(s, &path),
        body,
        request_id,
    }
}

/// What came back: a whole answer, or the error reqwest reports at `send` or at the body.
#[derive(Debug)]
enum Outcome {
    Answer {
        status: u16,
        headers: HeaderMap,
        body: Vec<u8>,
    },
    Failed {
        error: reqwest::Error,
        at_send: bool,
    },
}

impl Outcome {
    fn answer(&self) -> (u16, &HeaderMap, &[u8]) {
        match self {
            Outcome::Answer {
                status,
                headers,
                body,
            } => (*status, headers, body),
            Outcome::Failed { error, .. } => panic!("no answer: {error:?}"),
        }
    }

    fn json(&self) -> (u16, Value) {
        let (status, _, body) = self.answer();
        let value = serde_json::from_slice(body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(body)));
        (status, value)
    }

    fn code(&self) -> (u16, Option<String>) {
        let (status, body) = self.json();
        (status, body["FlinksCode"].as_str().map(str::to_owned))
    }

    fn json_error(&self) -> serde_json::Error {
        let (_, _, body) = self.answer();
        serde_json::from_slice::<Value>(body).expect_err("not JSON")
    }
}

async fn send(client: &reqwest::Client, p: &Prepared, fault: Option<&str>) -> Outcome {
    let mut request = if p.post {
        client.post(&p.url)
    } else {
        client.get(&p.url)
    };
    if let Some(body) = &p.body {
        request = request.json(body);
    }
    if let Some(fault) = fault {
        request = request.header(FAULT_HEADER, fault);
    }
    let response = match request.send().await {
        Ok(r) => r,
        Err(error) => {
            return Outcome::Failed {
                error,
                at_send: true,
            }
        }
    };
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    match response.bytes().await {
        Ok(body) => Outcome::Answer {
            status,
            headers,
            body: body.to_vec(),
        },
        Err(error) => Outcome::Failed {
            error,
            at_send: false,
        },
    }
}

fn success(p: &Prepared, outcome: &Outcome) {
    let (status, body) = outcome.json();
    assert_eq!(status, 200, "{:?}: {body}", p.call);
    assert_eq!(body["HttpStatusCode"], 200);
    match p.call {
        Call::Authorize => assert_eq!(body["Login"]["Id"], p.login.as_str()),
        Call::AccountsDetail | Call::AccountsDetailAsync => {
            assert!(!body["Accounts"].as_array().unwrap().is_empty())
        }
        Call::PackageAttributes | Call::CustomAttributes => {
            assert_eq!(body["Card"]["Id"], p.login.as_str())
        }
    }
}

/// The session of `p` is gone: a normal call with its RequestId is SESSION_NONEXISTENT.
async fn assert_forgotten(p: &Prepared) {
    let again = send(&patient(), p, None).await;
    assert_eq!(
        again.code(),
        (400, Some("SESSION_NONEXISTENT".into())),
        "{:?}",
        p.call
    );
}

/// Asserts `outcome` is what `kind` makes of `p`; `s` is asked again, without the fault, for
/// what the normal answer would have been.
async fn assert_fault(s: &Sandbox, kind: FaultKind, p: &Prepared, outcome: &Outcome) {
    let call = p.call;
    match kind {
        FaultKind::ServerError => {
            let (status, body) = outcome.json();
            assert_eq!(status, 500, "{call:?}");
            assert_eq!(body["HttpStatusCode"], 500);
            assert_eq!(body["FlinksCode"], "AGGREGATION_ERROR");
            assert!(body["Message"].as_str().is_some_and(|m| !m.is_empty()));
            if let Some(id) = &p.request_id {
                assert_eq!(body["RequestId"], id.as_str());
            }
        }
        FaultKind::BadGatewayHtml => {
            let (status, headers, body) = outcome.answer();
            assert_eq!(status, 502, "{call:?}");
            assert_eq!(headers["content-type"], "text/html");
            let page = String::from_utf8_lossy(body);
            assert!(page.contains("<h1>502 Bad Gateway</h1>"), "{page}");
            assert!(outcome.json_error().is_syntax());
        }
        FaultKind::Timeout => match outcome {
            Outcome::Failed { error, .. } => assert!(error.is_timeout(), "{call:?}: {error:?}"),
            Outcome::Answer { status, .. } => panic!("{call:?}: answered {status} in time"),
        },
        FaultKind::Reset => match outcome {
            Outcome::Failed { error, at_send } => {
                // No status line reached the client: reqwest fails the send itself, with
                // hyper's "connection closed before message completed" as the cause.
                assert!(*at_send, "{call:?}: {error:?}");
                assert!(error.is_request(), "{error:?}");
                assert!(!error.is_timeout() && !error.is_connect(), "{error:?}");
                assert!(error.status().is_none());
                assert!(
                    is_incomplete_message(error),
                    "{call:?}: not a closed connection: {error:?}"
                );
            }
            Outcome::Answer { status, .. } => panic!("{call:?}: answered {status}"),
        },
        FaultKind::Truncated => {
            let (status, headers, body) = outcome.answer();
            assert_eq!(status, 200, "{call:?}");
            let length: usize = headers["content-length"].to_str().unwrap().parse().unwrap();
            assert_eq!(length, body.len());
            assert!(outcome.json_error().is_eof(), "{call:?}");
            // Asked again with the rules set aside, and their counts put back.
            let rules = s.faults();
            s.set_faults(Vec::new());
            let whole = match send(&patient(), p, None).await {
                Outcome::Answer { body, .. } => body,
                other => panic!("{other:?}"),
            };
            s.set_faults(rules);
            assert_eq!(body.len(), whole.len() / 2, "{call:?}: half the answer");
            if call != Call::Authorize {
                // Authorize opens a new session each time; other answers repeat.
                assert!(whole.starts_with(body), "{call:?}: the start of the answer");
            }
        }
        FaultKind::Malformed => {
            let (status, _, body) = outcome.answer();
            assert_eq!(status, 200, "{call:?}");
            assert!(
                outcome.json_error().is_syntax(),
                "{call:?}: {}",
                String::from_utf8_lossy(body)
            );
        }
        FaultKind::TooManyRequests => {
            let (_, headers, _) = outcome.answer();
            assert_eq!(headers["retry-after"], "1", "{call:?}");
            let (status, body) = outcome.json();
            assert_eq!(status, 429);
            assert_eq!(body["HttpStatusCode"], 429);
            assert_eq!(body["FlinksCode"], "TOO_MANY_REQUESTS");
        }
        FaultKind::ExpiredSession => {
            assert_eq!(
                outcome.code(),
                (400, Some("SESSION_NONEXISTENT".into())),
                "{call:?}"
            );
            if p.request_id.is_some() {
                assert_forgotten(p).await;
            }
        }
        FaultKind::EndlessPending => {
            let (status, body) = outcome.json();
            assert_eq!(status, 202, "{call:?}");
            assert_eq!(body["HttpStatusCode"], 202);
            assert_eq!(body["FlinksCode"], "OPERATION_PENDING");
            assert_eq!(body["Message"], "Your operation is still processing");
            let id = body["RequestId"].as_str().unwrap();
            match &p.request_id {
                Some(expected) => assert_eq!(id, expected),
                None => assert!(uuid::Uuid::parse_str(id).is_ok()),
            }
        }
    }
}

/// hyper's IncompleteMessage, at the root of the error: the server closed the connection
/// before a whole response (here: before any byte of one).
fn is_incomplete_message(error: &reqwest::Error) -> bool {
    let mut root: &dyn std::error::Error = error;
    while let Some(source) = root.source() {
        root = source;
    }
    root.to_string() == "connection closed before message completed"
}
/// Every stage, with `kind`: by header (and the next request without it answers normally), by
/// a rule for the customer with `times: 1` (then normal answers, so a retry succeeds), and by a
/// rule for every customer with no count (every time).
async fn every_stage(kind: FaultKind) {
    let s = start(SandboxConfig::default()).await;
    // A timeout fault is seen as such by a client that gives up before it ends.
    let client = if kind == FaultKind::Timeout {
        impatient()
    } else {
        patient()
    };
    for call in CALLS {
        // By header.
        let p = prepare(&s, call, 0).await;
        let outcome = send(&client, &p, Some(kind.slug())).await;
        assert_fault(&s, kind, &p, &outcome).await;
        let p = prepare(&s, call, 0).await;
        success(&p, &send(&patient(), &p, None).await);

        // A rule for this customer, once.
        let p = prepare(&s, call, 1).await;
        s.set_faults(vec![FaultRule {
            login_id: Some(p.login.clone()),
            stage: call.stage(),
            kind,
            times: Some(1),
        }]);
        let outcome = send(&client, &p, None).await;
        assert_fault(&s, kind, &p, &outcome).await;
        assert_eq!(s.faults()[0].times, Some(0), "{call:?}: the rule is spent");
        if kind == FaultKind::ExpiredSession && p.request_id.is_some() {
            // The retry needs a new session: the old one is gone for good.
            assert_forgotten(&p).await;
            let p = prepare(&s, call, 1).await;
            success(&p, &send(&client, &p, None).await);
        } else {
            success(&p, &send(&client, &p, None).await);
        }

        // A rule for every customer, always.
        s.set_faults(vec![FaultRule {
            login_id: None,
            stage: call.stage(),
            kind,
            times: None,
        }]);
        for persona in [2, 3] {
            let p = prepare(&s, call, persona).await;
            let outcome = send(&client, &p, None).await;
            assert_fault(&s, kind, &p, &outcome).await;
        }
        s.set_faults(Vec::new());
    }
}

#[tokio::test]
async fn server_error_at_every_stage() {
    every_stage(FaultKind::ServerError).await;
}

#[tokio::test]
async fn bad_gateway_html_at_every_stage() {
    every_stage(FaultKind::BadGatewayHtml).await;
}

#[tokio::test]
async fn timeout_at_every_stage() {
    every_stage(FaultKind::Timeout).await;
}

#[tokio::test]
async fn reset_at_every_stage() {
    every_stage(FaultKind::Reset).await;
}

#[tokio::test]
async fn truncated_at_every_stage() {
    every_stage(FaultKind::Truncated).await;
}

#[tokio::test]
async fn malformed_at_every_stage() {
    every_stage(FaultKind::Malformed).await;
}

#[tokio::test]
async fn too_many_requests_at_every_stage() {
    every_stage(FaultKind::TooManyRequests).await;
}

#[tokio::test]
async fn expired_session_at_every_stage() {
    every_stage(FaultKind::ExpiredSession).await;
}

#[tokio::test]
async fn endless_pending_at_every_stage() {
    every_stage(FaultKind::EndlessPending).await;
}

#[tokio::test]
async fn a_timeout_answers_normally_once_the_delay_is_over() {
    let s = start(SandboxConfig::default()).await;
    let mut waits = Vec::new();
    for call in CALLS {
        let p = prepare(&s, call, 0).await;
        // All at once: the test takes one delay, not five.
        waits.push(tokio::spawn(async move {
            let started = Instant::now();
            let outcome = send(&patient(), &p, Some("timeout")).await;
            (p, outcome, started.elapsed())
        }));
    }
    for wait in waits {
        let (p, outcome, took) = wait.await.unwrap();
        assert!(took >= FAULT_DELAY, "{:?} took {took:?}", p.call);
        success(&p, &outcome);
    }
}

#[tokio::test]
async fn endless_pending_keeps_the_session_alive() {
    let ttl = Duration::from_millis(400);
    let s = start(SandboxConfig {
        session_ttl: ttl,
        faults: vec![FaultRule {
            login_id: None,
            stage: Stage::AccountsDetailAsync,
            kind: FaultKind::EndlessPending,
            times: None,
        }],
        ..SandboxConfig::default()
    })
    .await;
    let p = prepare(&s, Call::AccountsDetailAsync, 0).await;
    let started = Instant::now();
    let mut polls = 0;
    // Polled for well past the session's idle lifetime.
    while started.elapsed() < ttl * 2 {
        let outcome = send(&patient(), &p, None).await;
        assert_fault(&s, FaultKind::EndlessPending, &p, &outcome).await;
        polls += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(polls >= 5);
    s.set_faults(Vec::new());
    success(&p, &send(&patient(), &p, None).await);

    // Left alone, the same session would have expired.
    tokio::time::sleep(ttl + Duration::from_millis(100)).await;
    assert_forgotten(&p).await;
}

#[tokio::test]
async fn rules_for_one_customer_leave_the_others_alone() {
    let s = start(SandboxConfig::default()).await;
    for call in CALLS {
        let faulted = prepare(&s, call, 4).await;
        let other = prepare(&s, call, 5).await;
        s.set_faults(vec![FaultRule {
            // Another case: loginIds are GUIDs, compared as such.
            login_id: Some(faulted.login.to_uppercase()),
            stage: call.stage(),
            kind: FaultKind::ServerError,
            times: None,
        }]);
        for _ in 0..2 {
            success(&other, &send(&patient(), &other, None).await);
            let outcome = send(&patient(), &faulted, None).await;
            assert_eq!(outcome.json().0, 500, "{call:?}");
        }
        // Another stage of the faulted customer is untouched (every call but Authorize needs
        // an Authorize first).
        let elsewhere = match call.stage() {
            Stage::Authorize => None,
            Stage::AccountsDetail => Some(Call::AccountsDetailAsync),
            Stage::AccountsDetailAsync | Stage::Attributes => Some(Call::AccountsDetail),
        };
        if let Some(elsewhere) = elsewhere {
            let p = prepare(&s, elsewhere, 4).await;
            success(&p, &send(&patient(), &p, None).await);
        }
        s.set_faults(Vec::new());
    }
}

#[tokio::test]
async fn live_sign_ins_are_faulted_by_the_login_they_open() {
    let seed = flinks_sandbox::personas::DEFAULT_SEED;
    let nomfa = flinks_sandbox::personas::live_login_id(seed, "greatday_nomfa");
    let greatday = flinks_sandbox::personas::live_login_id(seed, "Greatday");
    let s = start(SandboxConfig {
        faults: vec![
            "*:accounts-detail:500".parse().unwrap(),
            FaultRule {
                login_id: Some(nomfa.to_string()),
                stage: Stage::Authorize,
                kind: FaultKind::TooManyRequests,
                times: Some(1),
            },
        ],
        ..SandboxConfig::default()
    })
    .await;
    let live = |username: &str| {
        json!({"Institution": "FlinksCapital", "Username": username, "Password": "Everyday",
               "MostRecentCached": false, "Save": true})
    };
    let (status, _) = post_json(&s, "BankingServices/Authorize", live("GREATDAY_NOMFA")).await;
    assert_eq!(status, 429);
    let (status, body) = post_json(&s, "BankingServices/Authorize", live("greatday_nomfa")).await;
    assert_eq!((status, &body["Login"]["Id"]), (200, &json!(nomfa)));

    // Greatday's security question, then its answer expires under a rule for Greatday.
    let (status, body) = post_json(&s, "BankingServices/Authorize", live("Greatday")).await;
    assert_eq!(status, 203, "{body}");
    let request_id = body["RequestId"].as_str().unwrap().to_owned();
    let prompt = body["SecurityChallenges"][0]["Prompt"].as_str().unwrap();
    let answer = flinks_sandbox::capital::answer_to(prompt).unwrap();
    let answer = json!({"RequestId": request_id, "SecurityResponses": {prompt: [answer]}});
    s.set_faults(vec![FaultRule {
        login_id: Some(greatday.to_string()),
        stage: Stage::Authorize,
        kind: FaultKind::ExpiredSession,
        times: Some(1),
    }]);
    for _ in 0..2 {
        let (status, body) = post_json(&s, "BankingServices/Authorize", answer.clone()).await;
        assert_eq!(
            (status, body["FlinksCode"].as_str()),
            (400, Some("SESSION_NONEXISTENT"))
        );
    }
    assert_eq!(s.faults()[0].times, Some(0));
}

#[tokio::test]
async fn the_fault_header_is_checked_and_other_routes_ignore_it() {
    let s = start(SandboxConfig::default()).await;
    let p = prepare(&s, Call::AccountsDetail, 0).await;
    let outcome = send(&patient(), &p, Some("503")).await;
    let (status, body) = outcome.json();
    assert_eq!(
        (status, body["FlinksCode"].as_str()),
        (400, Some("INVALID_REQUEST"))
    );
    assert!(
        body["Message"].as_str().unwrap().contains("502-html"),
        "{body}"
    );
    success(&p, &send(&patient(), &p, None).await);

    let request_id = p.request_id.clone().unwrap();
    let login = p.login.clone();
    let summary = patient()
        .post(url(&s, "BankingServices/GetAccountsSummary"))
        .header(FAULT_HEADER, "500")
        .json(&json!({"RequestId": request_id}))
        .send()
        .await
        .unwrap();
    assert_eq!(summary.status().as_u16(), 200);
    let token = patient()
        .post(url(&s, "BankingServices/GenerateAuthorizeToken"))
        .header("flinks-auth-key", "c4569c54-e167-4d34-8de6-f4113bc82414")
        .header(FAULT_HEADER, "reset")
        .send()
        .await
        .unwrap();
    assert_eq!(token.status().as_u16(), 200);
    let deleted = patient()
        .delete(url(&s, &format!("BankingServices/DeleteCard/{login}")))
        .header(FAULT_HEADER, "expired-session")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 200);
}

#[tokio::test]
async fn rules_are_replaced_and_listed_over_http() {
    let s = start(SandboxConfig {
        faults: vec!["*:attributes:502-html:3".parse().unwrap()],
        ..SandboxConfig::default()
    })
    .await;
    let faults = format!("{}/sandbox/faults", s.base_url());
    let listed: Value = patient()
        .get(&faults)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed,
        json!([{"loginId": null, "stage": "attributes", "kind": "502-html", "times": 3}])
    );

    let login = s.personas()[0].login_id.to_string();
    let rules = json!([
        {"loginId": login, "stage": "accounts-detail", "kind": "429", "times": 2},
        {"stage": "accounts-detail-async", "kind": "truncated"},
    ]);
    let put = patient().put(&faults).json(&rules).send().await.unwrap();
    assert_eq!(put.status().as_u16(), 200);
    let answered: Value = put.json().await.unwrap();
    assert_eq!(answered[0]["times"], 2);
    assert_eq!(
        answered[1],
        json!({"loginId": null, "stage": "accounts-detail-async", "kind": "truncated", "times": null})
    );

    let p = prepare(&s, Call::AccountsDetail, 0).await;
    assert_eq!(send(&patient(), &p, None).await.json().0, 429);
    let listed: Value = patient()
        .get(&faults)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["times"], 1, "{listed}");
    assert_eq!(s.faults()[0].times, Some(1));
    // The attributes rule of the start is gone (another customer: the 429 has a time left).
    let p = prepare(&s, Call::PackageAttributes, 1).await;
    success(&p, &send(&patient(), &p, None).await);

    for bad in [
        json!({"stage": "authorize", "kind": "500"}),
        json!([{"login": login, "stage": "authorize", "kind": "500"}]),
        json!([{"stage": "authorize", "kind": "503"}]),
        json!([{"stage": "summary", "kind": "500"}]),
    ] {
        let put = patient().put(&faults).json(&bad).send().await.unwrap();
        assert_eq!(put.status().as_u16(), 400, "{bad}");
        let body: Value = put.json().await.unwrap();
        assert_eq!(body["FlinksCode"], "INVALID_REQUEST");
    }
    assert_eq!(s.faults().len(), 2, "refused rules change nothing");

    let put = patient()
        .put(&faults)
        .json(&json!([]))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 200);
    assert!(s.faults().is_empty());
}
