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

mod faults {
    //! Every fault the sandbox injects, at every stage, through the whole flow: a fault that
    //! happens once ends in the data (after a retry or a new session) unless retrying cannot
    //! help; a fault that never stops ends in a typed error that names neither login nor token.

    use super::*;
    use flinks_client::FlinksError;
    use flinks_sandbox::{FaultKind, FaultRule, Stage};

    // Generous: a loaded 2-core CI machine must not turn a normal answer into a timeout.
    const CLIENT_TIMEOUT: Duration = Duration::from_millis(1000);

    async fn sandbox() -> Sandbox {
        Sandbox::start_local(SandboxConfig {
            // Long enough that GetAccountsDetail surely answers 202 and the Async endpoint is
            // polled, even on a slow machine.
            pending_for: Duration::from_millis(500),
            fault_delay: CLIENT_TIMEOUT * 3,
            ..SandboxConfig::default()
        })
        .await
        .unwrap()
    }

    async fn run_with(
        sandbox: &Sandbox,
        stage: Stage,
        kind: FaultKind,
        times: Option<u32>,
    ) -> (Result<flinks_client::FlowOutput, FlowError>, Events) {
        let login = sandbox.personas()[1].login_id.to_string();
        sandbox.set_faults(vec![FaultRule {
            login_id: Some(login.clone()),
            stage,
            kind,
            times,
        }]);
        let client = FlinksClient::with_timeout(
            Environment::new(&sandbox.base_url(), sandbox.customer_id()).unwrap(),
            CLIENT_TIMEOUT,
        )
        .unwrap();
        let (events, progress) = recorder();
        let cancel = CancellationToken::new();
        let flow = Flow {
            client: &client,
            poll: PollPolicy {
                interval: Duration::from_millis(40),
                max_wait: Duration::from_millis(1500),
            },
            retry: RetryPolicy {
                attempts: 3,
                first_delay: Duration::from_millis(10),
            },
            authorize_key: None,
            cancel: &cancel,
            progress: &progress,
        };
        let out = flow.run(&LoginId::new(login), Package::CreditRisk).await;
        (out, events)
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_fault_that_happens_once_is_retried_into_the_data() {
        let sandbox = sandbox().await;
        let expected =
            flinks_sandbox::engine::credit_risk(&sandbox.personas()[1], sandbox.config().as_of)
                .len();
        for stage in Stage::ALL {
            for kind in FaultKind::ALL {
                let (out, events) = run_with(&sandbox, stage, kind, Some(1)).await;
                let cell = format!("{} at {}", kind.slug(), stage.slug());
                match kind {
                    // The same bytes would come back: retrying cannot help, so it is reported.
                    FaultKind::Malformed => {
                        let Err(err) = out else {
                            panic!("{cell}: succeeded");
                        };
                        assert!(
                            matches!(
                                &err,
                                FlowError::Flinks(FlinksError::Decode {
                                    truncated: false,
                                    ..
                                })
                            ),
                            "{cell}: {err:?}"
                        );
                    }
                    _ => {
                        let out = out.unwrap_or_else(|e| panic!("{cell}: {e:?}"));
                        assert_eq!(out.attributes.values.len(), expected, "{cell}");
                        let recovered = count(&events, |e| {
                            matches!(e, FlowEvent::Retrying { .. } | FlowEvent::Reauthorizing)
                        });
                        // Polling absorbs one bad poll by itself; otherwise the flow says it recovered.
                        if stage != Stage::AccountsDetailAsync && kind != FaultKind::EndlessPending
                        {
                            assert!(recovered >= 1, "{cell}: {:?}", events.lock().unwrap());
                        }
                    }
                }
            }
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_fault_that_never_stops_ends_in_a_typed_error_without_secrets() {
        let sandbox = sandbox().await;
        let login = sandbox.personas()[1].login_id.to_string();
        for stage in Stage::ALL {
            for kind in FaultKind::ALL {
                let (out, _) = run_with(&sandbox, stage, kind, None).await;
                let cell = format!("{} at {}", kind.slug(), stage.slug());
                if (kind, stage) == (FaultKind::EndlessPending, Stage::AccountsDetail) {
                    // A 202 from GetAccountsDetail is what polling is for: the Async endpoint,
                    // which is not faulted here, hands over the data.
                    assert!(out.is_ok(), "{cell}");
                    continue;
                }
                let err = match out {
                    Err(FlowError::Flinks(err)) => err,
                    Err(other) => panic!("{cell}: {other}"),
                    // A retry of the whole wait posts GetAccountsDetail again, which is not
                    // faulted here: by then the data may be ready, and that is a success.
                    Ok(_) if stage == Stage::AccountsDetailAsync => continue,
                    Ok(_) => panic!("{cell}: succeeded"),
                };
                let expected = match (kind, stage) {
                    (FaultKind::ServerError, _) => {
                        matches!(err, FlinksError::Api { status: 500, .. })
                    }
                    (FaultKind::BadGatewayHtml, _) => {
                        matches!(err, FlinksError::Decode { status: 502, .. })
                    }
                    (FaultKind::Timeout, _) => matches!(err, FlinksError::Timeout(_)),
                    (FaultKind::Reset, _) => matches!(err, FlinksError::Transport(_)),
                    (FaultKind::Truncated, _) => {
                        matches!(
                            err,
                            FlinksError::Decode {
                                truncated: true,
                                ..
                            }
                        )
                    }
                    (FaultKind::Malformed, _) => {
                        matches!(
                            err,
                            FlinksError::Decode {
                                truncated: false,
                                ..
                            }
                        )
                    }
                    (FaultKind::TooManyRequests, _) => {
                        matches!(err, FlinksError::Api { status: 429, .. })
                    }
                    (FaultKind::ExpiredSession, _) => {
                        err.code().map(|c| c.as_str()) == Some("SESSION_NONEXISTENT")
                    }
                    (FaultKind::EndlessPending, Stage::AccountsDetailAsync) => {
                        matches!(err, FlinksError::PollTimeout { .. })
                    }
                    (FaultKind::EndlessPending, _) => {
                        err.code().map(|c| c.as_str()) == Some("OPERATION_PENDING")
                    }
                };
                assert!(expected, "{cell}: {err:?}");
                assert!(!err.hint().is_empty(), "{cell}");
                assert!(!err.to_string().contains(&login), "{cell}: {err}");
                assert!(!format!("{err:?}").contains(&login), "{cell}: {err:?}");
            }
        }
    }
}
