//! Waiting out Flinks' 202s (flinks-api.md §2.4, §6): a data call, then its Async endpoint every
//! `interval` while Flinks answers `OPERATION_PENDING` or `OPERATION_DISPATCHED`, for at most
//! `max_wait`. GetAccountsDetail, GetAccountsSummary and GetStatements all wait this one way.

use std::future::Future;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::FlinksClient;
use crate::error::{FlinksCode, FlinksError};
use crate::Result;

/// How long to keep asking an Async endpoint. The default is the documented rule: every 10
/// seconds for at most 30 minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollPolicy {
    pub interval: Duration,
    pub max_wait: Duration,
}

impl Default for PollPolicy {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(10),
            max_wait: Duration::from_secs(30 * 60),
        }
    }
}

/// Reported after each `OPERATION_PENDING` answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollProgress {
    /// 1 for the data call (`GetAccountsDetail`, …), then one more per Async call.
    pub attempt: u32,
    pub elapsed: Duration,
    pub next_poll_in: Duration,
}

/// One answer of a data call or its poll: the data, or Flinks still at work.
pub(crate) enum Polled<T> {
    Ready(T),
    Pending,
}

impl FlinksClient {
    /// A 202 that is Flinks still at work (with no FlinksCode too), or the error any other
    /// status or code is.
    pub(super) fn pending_or_error<T>(
        status: StatusCode,
        body: &Value,
        secrets: &[&str],
    ) -> Result<Polled<T>> {
        if status == StatusCode::ACCEPTED {
            let code = body.get("flinkscode").and_then(Value::as_str).unwrap_or("");
            if let FlinksCode::OperationPending
            | FlinksCode::OperationDispatched
            | FlinksCode::None = FlinksCode::parse(code)
            {
                return Ok(Polled::Pending);
            }
        }
        Err(Self::api_error(status, body, secrets))
    }
}

/// `first`, then `poll()` every `policy.interval` while the answer is `Pending`, until it is
/// ready, `policy.max_wait` has passed ([`FlinksError::PollTimeout`]) or `cancel` fires
/// ([`FlinksError::Cancelled`]). A transient failure of one poll is tolerated (the next may
/// succeed); three in a row end it.
pub(super) async fn until_ready<T, F>(
    policy: PollPolicy,
    cancel: &CancellationToken,
    mut on_progress: impl FnMut(PollProgress),
    first: impl Future<Output = Result<Polled<T>>>,
    mut poll: impl FnMut() -> F,
) -> Result<T>
where
    F: Future<Output = Result<Polled<T>>>,
{
    const MAX_CONSECUTIVE_FAILURES: u32 = 3;
    let start = Instant::now();
    let mut attempt = 1;
    let mut failures = 0;
    let mut last_failure = None;
    let mut reply = cancellable(cancel, first).await?;
    loop {
        if let Polled::Ready(data) = reply {
            return Ok(data);
        }
        let elapsed = start.elapsed();
        if elapsed + policy.interval > policy.max_wait {
            // When the checks themselves failed, that is the news, not "still processing".
            return Err(last_failure.unwrap_or(FlinksError::PollTimeout {
                attempts: attempt,
                elapsed,
            }));
        }
        on_progress(PollProgress {
            attempt,
            elapsed,
            next_poll_in: policy.interval,
        });
        cancellable(cancel, async {
            tokio::time::sleep(policy.interval).await;
            Ok(())
        })
        .await?;
        attempt += 1;
        reply = match cancellable(cancel, poll()).await {
            Ok(r) => {
                failures = 0;
                last_failure = None;
                r
            }
            Err(e) if e.is_transient() && failures + 1 < MAX_CONSECUTIVE_FAILURES => {
                failures += 1;
                tracing::warn!(attempt, error = %e, "poll failed; trying again at the next interval");
                last_failure = Some(e);
                Polled::Pending
            }
            Err(e) => return Err(e),
        };
    }
}

/// Runs `work` unless `cancel` fires first.
async fn cancellable<T>(
    cancel: &CancellationToken,
    work: impl Future<Output = Result<T>>,
) -> Result<T> {
    tokio::select! {
        biased;
        _ = cancel.cancelled() => Err(FlinksError::Cancelled),
        out = work => out,
    }
}
