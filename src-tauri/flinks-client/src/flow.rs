//! The attributes flow for one login: Authorize (cached) → GetAccountsDetail, polled while
//! pending → the package's attributes. Transient failures (network, timeouts, 5xx, throttling,
//! a body cut short) are retried with a doubling delay up to a bound, and an expired session is
//! re-opened once, because both happen in real use and neither needs a person. The desk and the
//! `flinks flow` command both run this, so they behave the same against the same faults.

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::{
    AccountsDetailOptions, Attributes, AuthorizeOutcome, FlinksClient, FlinksCode, FlinksError,
    LoginId, Package, PollPolicy, RequestId, Secret,
};

/// Where a flow is.
#[derive(Debug, Clone, PartialEq)]
pub enum FlowEvent {
    Authorizing,
    /// Flinks opened a session; the data is being requested.
    RequestingAccounts {
        request_id: RequestId,
    },
    /// `OPERATION_PENDING`: the accounts are still being processed.
    Waiting {
        attempt: u32,
        elapsed: Duration,
        next_poll_in: Duration,
    },
    FetchingAttributes {
        accounts: usize,
        transactions: usize,
    },
    /// A transient failure of `what` that will be tried again after `delay`.
    Retrying {
        what: &'static str,
        attempt: u32,
        delay: Duration,
    },
    /// The session expired between two calls; a new one is being opened.
    Reauthorizing,
}

#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error(transparent)]
    Flinks(#[from] FlinksError),
    /// A cached Authorize should never ask; when the bank does, only the customer can answer.
    #[error("the bank asks a security question for this login")]
    SecurityChallenge,
}

/// What a finished flow hands back.
#[derive(Debug, Clone)]
pub struct FlowOutput {
    pub request_id: RequestId,
    pub attributes: Attributes,
    pub accounts: usize,
    pub transactions: usize,
}

/// How often a transient failure of one call is tried, and the first pause (it doubles).
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
pub async fn with_retry<T, F, Fut>(
    what: &'static str,
    retry: RetryPolicy,
    cancel: &CancellationToken,
    progress: &(dyn Fn(FlowEvent) + Send + Sync),
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
                progress(FlowEvent::Retrying {
                    what,
                    attempt,
                    delay,
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

fn is_expired_session(e: &FlowError) -> bool {
    matches!(e, FlowError::Flinks(f) if matches!(f.code(), Some(FlinksCode::SessionNonexistent)))
}

pub struct Flow<'a> {
    pub client: &'a FlinksClient,
    pub poll: PollPolicy,
    pub retry: RetryPolicy,
    /// The instance's secret key, when its Authorize wants a fresh authorize token each time.
    pub authorize_key: Option<&'a Secret>,
    pub cancel: &'a CancellationToken,
    pub progress: &'a (dyn Fn(FlowEvent) + Send + Sync),
}

impl Flow<'_> {
    pub async fn run(&self, login_id: &LoginId, package: Package) -> Result<FlowOutput, FlowError> {
        match self.run_once(login_id, package).await {
            // A session can expire between the calls (a long wait, a laptop asleep): open a new one, once.
            Err(e) if is_expired_session(&e) => {
                tracing::info!("session expired mid-flow; authorizing again");
                (self.progress)(FlowEvent::Reauthorizing);
                self.run_once(login_id, package).await
            }
            other => other,
        }
    }

    async fn run_once(
        &self,
        login_id: &LoginId,
        package: Package,
    ) -> Result<FlowOutput, FlowError> {
        (self.progress)(FlowEvent::Authorizing);
        let outcome = with_retry(
            "Authorize",
            self.retry,
            self.cancel,
            self.progress,
            || async {
                // A token is single-use, so a retried Authorize needs a new one.
                let token = match self.authorize_key {
                    Some(key) => Some(self.client.generate_authorize_token(key).await?),
                    None => None,
                };
                self.client.authorize_cached(login_id, token.as_ref()).await
            },
        )
        .await?;
        let request_id = match outcome {
            AuthorizeOutcome::Authorized(a) => a.request_id,
            AuthorizeOutcome::Challenge { .. } => return Err(FlowError::SecurityChallenge),
        };
        (self.progress)(FlowEvent::RequestingAccounts {
            request_id: request_id.clone(),
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
                        (self.progress)(FlowEvent::Waiting {
                            attempt: p.attempt,
                            elapsed: p.elapsed,
                            next_poll_in: p.next_poll_in,
                        })
                    },
                )
            },
        )
        .await?;
        let accounts = detail.accounts.len();
        let transactions = detail.accounts.iter().map(|a| a.transactions.len()).sum();
        (self.progress)(FlowEvent::FetchingAttributes {
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
    use std::sync::{Arc, Mutex};

    fn recorder() -> (Arc<Mutex<Vec<FlowEvent>>>, impl Fn(FlowEvent) + Send + Sync) {
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        (events, move |e| sink.lock().unwrap().push(e))
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
        let delays: Vec<u128> = events
            .lock()
            .unwrap()
            .iter()
            .map(|e| match e {
                FlowEvent::Retrying { delay, .. } => delay.as_millis(),
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

    #[tokio::test(start_paused = true)]
    async fn cancelling_ends_the_pause_between_attempts() {
        let cancel = CancellationToken::new();
        let (_, progress) = recorder();
        let stopper = cancel.clone();
        let out: Result<(), _> = with_retry(
            "x",
            RetryPolicy {
                attempts: 10,
                first_delay: Duration::from_secs(3600),
            },
            &cancel,
            &progress,
            || {
                stopper.cancel();
                async { Err(FlinksError::Transport("reset".into())) }
            },
        )
        .await;
        assert!(matches!(out, Err(FlinksError::Cancelled)));
    }
}
