//! A run's progress as the UI shows it. The flow itself (retries, re-authorize, polling) is
//! flinks-client's [`flinks_client::Flow`], shared with the `flinks flow` command.

use flinks_client::FlowEvent;
use serde::Serialize;

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

impl From<FlowEvent> for RunEvent {
    fn from(e: FlowEvent) -> Self {
        match e {
            FlowEvent::Authorizing => RunEvent::Authorizing,
            FlowEvent::RequestingAccounts { request_id } => RunEvent::RequestingAccounts {
                request_id: request_id.0,
            },
            FlowEvent::Waiting {
                attempt,
                elapsed,
                next_poll_in,
            } => RunEvent::Waiting {
                attempt,
                elapsed_ms: elapsed.as_millis() as u64,
                next_poll_ms: next_poll_in.as_millis() as u64,
            },
            FlowEvent::FetchingAttributes {
                accounts,
                transactions,
            } => RunEvent::FetchingAttributes {
                accounts,
                transactions,
            },
            FlowEvent::Retrying {
                what,
                attempt,
                delay,
            } => RunEvent::Retrying {
                what: what.to_owned(),
                attempt,
                delay_ms: delay.as_millis() as u64,
            },
            FlowEvent::Reauthorizing => RunEvent::Reauthorizing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

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
            json(
                FlowEvent::Waiting {
                    attempt: 2,
                    elapsed: Duration::from_millis(10),
                    next_poll_in: Duration::from_millis(250)
                }
                .into()
            ),
            serde_json::json!({"kind": "waiting", "attempt": 2, "elapsedMs": 10, "nextPollMs": 250})
        );
        assert_eq!(
            json(
                FlowEvent::Retrying {
                    what: "Authorize",
                    attempt: 1,
                    delay: Duration::from_millis(500)
                }
                .into()
            ),
            serde_json::json!({"kind": "retrying", "what": "Authorize", "attempt": 1, "delayMs": 500})
        );
    }
}
