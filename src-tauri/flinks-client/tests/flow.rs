//! The shared flow (flinks_client::Flow) against the sandbox over real HTTP: retries, the one
//! re-authorize, tokens bought per Authorize.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use flinks_client::{
    Environment, FlinksClient, Flow, FlowError, FlowEvent, LoginId, Package, PollPolicy,
    RetryPolicy, Secret,
};
use flinks_sandbox::{Sandbox, SandboxConfig};
use tokio_util::sync::CancellationToken;

type Events = Arc<Mutex<Vec<FlowEvent>>>;

fn recorder() -> (Events, impl Fn(FlowEvent) + Send + Sync) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    (events, move |e| sink.lock().unwrap().push(e))
}

fn client_of(sandbox: &Sandbox) -> FlinksClient {
    FlinksClient::new(Environment::new(&sandbox.base_url(), sandbox.customer_id()).unwrap())
        .unwrap()
}

fn count(events: &Events, pred: impl Fn(&FlowEvent) -> bool) -> usize {
    events.lock().unwrap().iter().filter(|e| pred(e)).count()
}

const FAST_POLL: PollPolicy = PollPolicy {
    interval: Duration::from_millis(50),
    max_wait: Duration::from_secs(10),
};

const FAST_RETRY: RetryPolicy = RetryPolicy {
    attempts: 3,
    first_delay: Duration::from_millis(20),
};

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
    let client = client_of(&sandbox);
    let login = LoginId::new(sandbox.personas()[0].login_id.to_string());
    let (events, progress) = recorder();
    let cancel = CancellationToken::new();
    let flow = Flow {
        client: &client,
        poll: PollPolicy {
            interval: Duration::from_millis(200),
            max_wait: Duration::from_secs(10),
        },
        retry: FAST_RETRY,
        authorize_key: None,
        cancel: &cancel,
        progress: &progress,
    };
    let err = flow.run(&login, Package::CreditRisk).await.unwrap_err();
    assert!(
        matches!(&err, FlowError::Flinks(e) if e.code().map(|c| c.as_str()) == Some("SESSION_NONEXISTENT")),
        "{err:?}"
    );
    assert_eq!(count(&events, |e| matches!(e, FlowEvent::Reauthorizing)), 1);
    assert_eq!(
        count(&events, |e| matches!(e, FlowEvent::Authorizing)),
        2,
        "one new session, not more"
    );
}

#[tokio::test]
async fn an_instance_that_wants_tokens_gets_a_fresh_one_per_authorize() {
    let sandbox = Sandbox::start_local(SandboxConfig {
        pending_for: Duration::ZERO,
        require_authorize_token: true,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let client = client_of(&sandbox);
    let login = LoginId::new(sandbox.personas()[0].login_id.to_string());
    let key = Secret::new(sandbox.config().secret_key.clone());
    let (_, progress) = recorder();
    let cancel = CancellationToken::new();
    let mut flow = Flow {
        client: &client,
        poll: FAST_POLL,
        retry: FAST_RETRY,
        authorize_key: None,
        cancel: &cancel,
        progress: &progress,
    };
    let refused = flow.run(&login, Package::Income).await.unwrap_err();
    assert!(
        matches!(&refused, FlowError::Flinks(e) if e.code().map(|c| c.as_str()) == Some("ACCESS_DENIED") || e.to_string().contains("authorize token")),
        "{refused:?}"
    );
    flow.authorize_key = Some(&key);
    let first = flow.run(&login, Package::Income).await.unwrap();
    let second = flow.run(&login, Package::Income).await.unwrap();
    assert_ne!(first.request_id, second.request_id);
    assert_eq!(first.attributes.values, second.attributes.values);
}
