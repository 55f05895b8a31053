//! The desk against its built-in sandbox over real HTTP: what the app calls, without the app.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use desk_core::catalog::Unit;
use desk_core::flow::{Flow, RetryPolicy};
use desk_core::{BuiltinOptions, Desk, DeskError, Package, RunEvent};
use flinks_client::{Environment, FlinksClient, LoginId, PollPolicy};
use flinks_sandbox::{Sandbox, SandboxConfig};
use tokio_util::sync::CancellationToken;

fn recorder() -> (Arc<Mutex<Vec<RunEvent>>>, impl Fn(RunEvent) + Send + Sync) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    (events, move |e| sink.lock().unwrap().push(e))
}

async fn desk(pending_ms: u64) -> Desk {
    Desk::start_builtin(BuiltinOptions {
        port: None,
        pending_for: Duration::from_millis(pending_ms),
        poll_interval: Duration::from_millis(30),
    })
    .await
    .expect("the built-in sandbox starts")
}

#[tokio::test]
async fn a_run_reports_each_stage_and_returns_labelled_rows() {
    let desk = desk(120).await;
    let customers = desk.customers();
    assert!(customers.len() >= 3, "at least three customers");
    let (events, progress) = recorder();
    let result = desk
        .run("borrower_nsf", Package::CreditRisk, &progress)
        .await
        .expect("the run succeeds");
    assert!(result.rows.len() >= 10);
    let balance_min = result
        .rows
        .iter()
        .find(|r| r.name == "balance_min")
        .unwrap();
    assert_eq!(balance_min.unit, Unit::Currency);
    assert_eq!(balance_min.label, "Minimum balance (90 days)");
    assert!(balance_min.number.unwrap() < 0.0);
    assert!(result.transactions > 0 && result.accounts > 0);

    let kinds: Vec<&'static str> = events
        .lock()
        .unwrap()
        .iter()
        .map(|e| match e {
            RunEvent::Started { .. } => "started",
            RunEvent::Authorizing => "authorizing",
            RunEvent::RequestingAccounts { .. } => "requesting",
            RunEvent::Waiting { .. } => "waiting",
            RunEvent::FetchingAttributes { .. } => "fetching",
            RunEvent::Retrying { .. } => "retrying",
            RunEvent::Reauthorizing => "reauthorizing",
        })
        .collect();
    assert_eq!(&kinds[..3], ["started", "authorizing", "requesting"]);
    assert!(
        kinds.contains(&"waiting"),
        "the pending answer was reported: {kinds:?}"
    );
    assert_eq!(kinds.last(), Some(&"fetching"));
}

#[tokio::test]
async fn customers_show_only_the_last_four_of_the_login_id() {
    let desk = desk(0).await;
    let json = serde_json::to_string(&desk.customers()).unwrap();
    for c in desk.customers() {
        assert_eq!(c.login_last4.len(), 4);
    }
    // Every loginId is a GUID; none may appear whole in what the UI receives.
    let guid = regex_like_guid(&json);
    assert!(guid.is_none(), "a whole GUID reached the UI: {guid:?}");
}

fn regex_like_guid(text: &str) -> Option<String> {
    text.as_bytes().windows(36).find_map(|w| {
        let s = std::str::from_utf8(w).ok()?;
        let shape = s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
        shape.then(|| s.to_owned())
    })
}

#[tokio::test]
async fn unknown_customers_and_unbuilt_packages_are_clear_errors() {
    let desk = desk(0).await;
    let (_, progress) = recorder();
    let err = desk
        .run("nobody", Package::CreditRisk, &progress)
        .await
        .unwrap_err();
    assert_eq!(err.view().code, "customer.unknown");
    let err = desk
        .run("borrower_nsf", Package::Income, &progress)
        .await
        .unwrap_err();
    assert_eq!(err.view().code, "package.unavailable");
    assert!(!err.view().hint.is_empty());
}

#[tokio::test]
async fn a_run_can_be_cancelled_while_pending() {
    let desk = Arc::new(desk(60_000).await);
    let (events, progress) = recorder();
    let runner = {
        let desk = desk.clone();
        tokio::spawn(async move { desk.run("gig_worker", Package::CreditRisk, &progress).await })
    };
    // Wait until the run is polling, then cancel it by the id it announced.
    let run_id = loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let events = events.lock().unwrap();
        let waiting = events.iter().any(|e| matches!(e, RunEvent::Waiting { .. }));
        if let (true, Some(RunEvent::Started { run_id })) = (waiting, events.first()) {
            break *run_id;
        }
    };
    assert!(desk.cancel(run_id));
    let err = runner.await.unwrap().unwrap_err();
    assert_eq!(err.view().code, "cancelled");
    assert!(
        !desk.cancel(run_id),
        "a finished run cannot be cancelled again"
    );
}

#[tokio::test]
async fn an_expired_session_is_reopened_once_then_reported() {
    // Sessions die after 100 ms idle and we poll every 200 ms: every session expires mid-wait.
    let sandbox = Sandbox::start_local(SandboxConfig {
        pending_for: Duration::from_secs(10),
        session_ttl: Duration::from_millis(100),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let client =
        FlinksClient::new(Environment::new(&sandbox.base_url(), sandbox.customer_id()).unwrap())
            .unwrap();
    let login = LoginId::new(sandbox.personas()[0].login_id.to_string());
    let (events, progress) = recorder();
    let cancel = CancellationToken::new();
    let flow = Flow {
        client: &client,
        poll: PollPolicy {
            interval: Duration::from_millis(200),
            max_wait: Duration::from_secs(10),
        },
        retry: RetryPolicy::default(),
        cancel: &cancel,
        progress: &progress,
    };
    let err = flow.run(&login, Package::CreditRisk).await.unwrap_err();
    assert!(
        matches!(&err, DeskError::Flinks(e) if e.code().map(|c| c.as_str()) == Some("SESSION_NONEXISTENT")),
        "{err:?}"
    );
    let reauthorized = events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, RunEvent::Reauthorizing))
        .count();
    assert_eq!(reauthorized, 1);
    let authorizing = events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, RunEvent::Authorizing))
        .count();
    assert_eq!(authorizing, 2, "one new session, not more");
}
