//! `/GetStatements`, and `/GetStatementsAsync` while Flinks prepares them (flinks-api.md §1,
//! §2.4, §2.7): the PDF statements the bank issued for the session's accounts.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

use super::poll::{until_ready, PollPolicy, PollProgress, Polled};
use super::transport::enc;
use super::FlinksClient;
use crate::secret::LoginId;
use crate::wire::{RequestId, Statements};
use crate::Result;

/// `NumberOfStatements`: how many monthly statements per account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NumberOfStatements {
    #[default]
    MostRecent,
    Months3,
    /// A year of statements: Flinks wants exactly one account in the filter for it.
    Months12,
}

impl NumberOfStatements {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MostRecent => "MostRecent",
            Self::Months3 => "Months3",
            Self::Months12 => "Months12",
        }
    }
}

impl std::str::FromStr for NumberOfStatements {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "mostrecent" | "most-recent" => Ok(Self::MostRecent),
            "months3" | "3" => Ok(Self::Months3),
            "months12" | "12" => Ok(Self::Months12),
            _ => Err(format!(
                "{s:?} is not a number of statements: MostRecent, Months3 or Months12"
            )),
        }
    }
}

/// The options of `/GetStatements`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatementsOptions {
    pub number: NumberOfStatements,
    /// Account ids (from GetAccountsDetail or GetAccountsSummary); empty: every account.
    pub accounts_filter: Vec<String>,
}

impl FlinksClient {
    /// `/GetStatements`, then `/GetStatementsAsync` while Flinks answers 202; same rules as
    /// [`Self::wait_accounts_detail`]. Each statement comes back as its file's bytes.
    pub async fn wait_statements(
        &self,
        login_id: &LoginId,
        request_id: &RequestId,
        options: &StatementsOptions,
        policy: PollPolicy,
        cancel: &CancellationToken,
        on_progress: impl FnMut(PollProgress),
    ) -> Result<Statements> {
        let mut body = json!({
            "RequestId": request_id.0,
            "NumberOfStatements": options.number.as_str(),
        });
        if !options.accounts_filter.is_empty() {
            body["AccountsFilter"] = json!(options.accounts_filter);
        }
        let secrets = &self.secrets_of(login_id);
        let poll = format!("BankingServices/GetStatementsAsync/{}", enc(&request_id.0));
        let first = async {
            let path = "BankingServices/GetStatements";
            let (status, reply) = self
                .call(
                    "GetStatements",
                    Method::POST,
                    path,
                    &self.api_key_header(),
                    Some(body),
                    secrets,
                )
                .await?;
            Self::statements_reply(status, reply, secrets)
        };
        let next = || async {
            let (status, reply) = self
                .call(
                    "GetStatementsAsync",
                    Method::GET,
                    &poll,
                    &self.api_key_header(),
                    None,
                    secrets,
                )
                .await?;
            Self::statements_reply(status, reply, secrets)
        };
        until_ready(policy, cancel, on_progress, first, next).await
    }

    fn statements_reply(
        status: StatusCode,
        body: Value,
        secrets: &[&str],
    ) -> Result<Polled<Statements>> {
        match status {
            StatusCode::OK => Self::decode(status, body, secrets).map(Polled::Ready),
            _ => Self::pending_or_error(status, &body, secrets),
        }
    }
}
