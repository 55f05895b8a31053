//! The customer's PDF statements through the same flow as a run: Authorize (cached, retried, a
//! token per try), `/GetStatements` waited out like the accounts detail, one new session if it
//! expired on the way.

use super::{is_expired_session, with_retry, Flow, FlowError, FlowEvent};
use crate::{LoginId, Statements, StatementsOptions};

impl Flow<'_> {
    pub async fn statements(
        &self,
        login_id: &LoginId,
        options: &StatementsOptions,
    ) -> Result<Statements, FlowError> {
        match self.statements_once(login_id, options).await {
            Err(e) if is_expired_session(&e) => {
                (self.progress)(FlowEvent::Reauthorizing);
                self.statements_once(login_id, options).await
            }
            other => other,
        }
    }

    async fn statements_once(
        &self,
        login_id: &LoginId,
        options: &StatementsOptions,
    ) -> Result<Statements, FlowError> {
        let request_id = self.open_session(login_id).await?;
        (self.progress)(FlowEvent::RequestingAccounts {
            request_id: request_id.clone(),
        });
        Ok(with_retry(
            "GetStatements",
            self.retry,
            self.cancel,
            self.progress,
            || {
                self.client.wait_statements(
                    login_id,
                    &request_id,
                    options,
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
        .await?)
    }
}
