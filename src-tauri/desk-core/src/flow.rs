//! The Flinks flow for one customer and one package: Authorize (cached) → GetAccountsDetail, polled
//! while pending → the package's attributes. Transient failures are retried with backoff and an
//! expired session is re-opened once, because both happen in real use and neither needs a person.

use std::future::Future;
use std::time::Duration;

use flinks_client::{
    AccountsDetailOptions, Attributes, AuthorizeOutcome, FlinksClient, FlinksCode, FlinksError,
    LoginId, Package, PollPolicy, RequestId,
};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::DeskError;

/// Where a run is, as the UI shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum RunEvent {
    Started {
        run_id: i64,
    },
    Authorizing,
    /// Flinks opened a session; the data is being requested.
    RequestingAccounts {
        request_id: String,
    },
    /// `OPERATION_PENDING`: the accounts are still being processed.
    Waiting {
        attempt: u32,
        elapsed_ms: u64,
        next_poll_ms: u64,
    },
    FetchingAttributes {
        accounts: usize,
        transactions: usize,
    },
    /// A transient failure that will be tried again.
    Retrying {
        what: String,
        attempt: u32,
        delay_ms: u64,
    },
    Reauthorizing,
}

/// What a finished flow hands back.
#[derive(Debug, Clone)]
pub struct FlowOutput {
    pub request_id: RequestId,
    pub attributes: Attributes,
    pub accounts: usize,
    pub transactions: usize,
}

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub first_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 3,
            first_delay: Duration::from_millis(500),
        }
    }
}

/// Runs `call` until it succeeds, fails for good, or `retry.attempts` transient failures in a row;
/// the delay doubles each time and is cut short by cancellation.
async fn with_retry<T, F, Fut>(
    what: &str,
    retry: RetryPolicy,
    cancel: &CancellationToken,
    progress: &(dyn Fn(RunEvent) + Send + Sync),
    mut call: F,
) -> Result<T, FlinksError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, FlinksError>>,
{
    let mut delay = retry.first_delay;
    let mut attempt = 1;
    loop {
        let result = tokio::select! {
            biased;
            _ = cancel.cancelled() => Err(FlinksError::Cancelled),
            r = call() => r,
        };
        match result {
            Err(e) if e.is_transient() && attempt < retry.attempts => {
                tracing::warn!(what, attempt, error = %e, "transient failure; retrying");
                progress(RunEvent::Retrying {
                    what: what.to_owned(),
                    attempt,
                    delay_ms: delay.as_millis() as u64,
                });
                tokio::select! {
                    biased;
                    _ = cancel.cancelled() => return Err(FlinksError::Cancelled),
                    _ = tokio::time::sleep(delay) => {}
                }
                delay *= 2;
                attempt += 1;
            }
            other => return other,
        }
    }
}

fn is_expired_session(e: &FlinksError) -> bool {
    matches!(e.code(), Some(FlinksCode::SessionNonexistent))
}

pub struct Flow<'a> {
    pub client: &'a FlinksClient,
    pub poll: PollPolicy,
    pub retry: RetryPolicy,
    pub cancel: &'a CancellationToken,
    pub progress: &'a (dyn Fn(RunEvent) + Send + Sync),
}

impl Flow<'_> {
    pub async fn run(&self, login_id: &LoginId, package: Package) -> Result<FlowOutput, DeskError> {
        match self.run_once(login_id, package).await {
            // A session can expire between the calls (a long wait, a laptop asleep): open a new one, once.
            Err(DeskError::Flinks(e)) if is_expired_session(&e) => {
                (self.progress)(RunEvent::Reauthorizing);
                self.run_once(login_id, package).await
            }
            other => other,
        }
    }

    async fn run_once(
        &self,
        login_id: &LoginId,
        package: Package,
    ) -> Result<FlowOutput, DeskError> {
        (self.progress)(RunEvent::Authorizing);
        let outcome = with_retry("Authorize", self.retry, self.cancel, self.progress, || {
            self.client.authorize_cached(login_id, None)
        })
        .await?;
        let request_id = match outcome {
            AuthorizeOutcome::Authorized(a) => a.request_id,
            AuthorizeOutcome::Challenge { .. } => return Err(DeskError::SecurityChallenge),
        };
        (self.progress)(RunEvent::RequestingAccounts {
            request_id: request_id.0.clone(),
        });
        let options = AccountsDetailOptions::default();
        let detail = with_retry(
            "GetAccountsDetail",
            self.retry,
            self.cancel,
            self.progress,
            || {
                self.client.wait_accounts_detail(
                    login_id,
                    &request_id,
                    &options,
                    self.poll,
                    self.cancel,
                    |p| {
                        (self.progress)(RunEvent::Waiting {
                            attempt: p.attempt,
                            elapsed_ms: p.elapsed.as_millis() as u64,
                            next_poll_ms: p.next_poll_in.as_millis() as u64,
                        })
                    },
                )
            },
        )
        .await?;
        let accounts = detail.accounts.len();
        let transactions = detail.accounts.iter().map(|a| a.transactions.len()).sum();
        (self.progress)(RunEvent::FetchingAttributes {
            accounts,
            transactions,
        });
        let attributes = with_retry(
            package.endpoint(),
            self.retry,
            self.cancel,
            self.progress,
            || self.client.attributes(package, login_id, &request_id),
        )
        .await?;
        Ok(FlowOutput {
            request_id,
            attributes,
            accounts,
            transactions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Mutex;

    fn recorder() -> (
        std::sync::Arc<Mutex<Vec<RunEvent>>>,
        impl Fn(RunEvent) + Send + Sync,
    ) {
        let events = std::sync::Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        (events, move |e| sink.lock().unwrap().push(e))
    }

    #[test]
    fn events_reach_the_ui_in_camel_case() {
        let json = |e: RunEvent| serde_json::to_value(e).unwrap();
        assert_eq!(
            json(RunEvent::Started { run_id: 7 }),
            serde_json::json!({"kind": "started", "runId": 7})
        );
        assert_eq!(
            json(RunEvent::RequestingAccounts {
                request_id: "r".into()
            }),
            serde_json::json!({"kind": "requestingAccounts", "requestId": "r"})
        );
        assert_eq!(
            json(RunEvent::Waiting {
                attempt: 2,
                elapsed_ms: 10,
                next_poll_ms: 250
            }),
            serde_json::json!({"kind": "waiting", "attempt": 2, "elapsedMs": 10, "nextPollMs": 250})
        );
    }

    #[tokio::test(start_paused = true)]
    async fn transient_failures_are_retried_with_growing_delays() {
        let calls = AtomicU32::new(0);
        let (events, progress) = recorder();
        let out = with_retry(
            "Authorize",
            RetryPolicy::default(),
            &CancellationToken::new(),
            &progress,
            || {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n < 2 {
                        Err(FlinksError::Transport("connection reset".into()))
                    } else {
                        Ok(n)
                    }
                }
            },
        )
        .await;
        assert_eq!(out.unwrap(), 2);
        let delays: Vec<u64> = events
            .lock()
            .unwrap()
            .iter()
            .map(|e| match e {
                RunEvent::Retrying { delay_ms, .. } => *delay_ms,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(delays, [500, 1000]);
    }

    #[tokio::test(start_paused = true)]
    async fn retries_stop_after_the_policy_and_on_permanent_errors() {
        let calls = AtomicU32::new(0);
        let (_, progress) = recorder();
        let out: Result<(), _> = with_retry(
            "x",
            RetryPolicy::default(),
            &CancellationToken::new(),
            &progress,
            || {
                calls.fetch_add(1, Ordering::SeqCst);
                async { Err(FlinksError::Timeout(Duration::from_secs(30))) }
            },
        )
        .await;
        assert!(matches!(out, Err(FlinksError::Timeout(_))));
        assert_eq!(calls.load(Ordering::SeqCst), 3);

        calls.store(0, Ordering::SeqCst);
        let out: Result<(), _> = with_retry(
            "x",
            RetryPolicy::default(),
            &CancellationToken::new(),
            &progress,
            || {
                calls.fetch_add(1, Ordering::SeqCst);
                async {
                    Err(FlinksError::Api {
                        status: 401,
                        code: FlinksCode::InvalidLogin,
                        message: String::new(),
                    })
                }
            },
        )
        .await;
        assert!(out.is_err());
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "a refused login is not retried"
        );
    }
}
