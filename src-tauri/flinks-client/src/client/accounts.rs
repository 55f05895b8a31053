//! The data endpoints (`GetAccountsDetail`, `GetAccountsSummary`) and the polling of their
//! Async forms while Flinks is still processing.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

use super::poll::{until_ready, PollPolicy, PollProgress, Polled};
use super::transport::{enc, Reply, Typed};
use super::FlinksClient;
use crate::fold;
use crate::secret::LoginId;
use crate::wire::{AccountsDetail, DetailBody, RequestId};
use crate::Result;

/// The options of `/GetAccountsDetail` (flinks-api.md §2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountsDetailOptions {
    pub with_transactions: bool,
    pub with_account_identity: bool,
    pub with_balance: bool,
    pub with_kyc: bool,
    /// `Days90` or `Days365`.
    pub days_of_transactions: &'static str,
}

impl Default for AccountsDetailOptions {
    fn default() -> Self {
        Self {
            with_transactions: true,
            with_account_identity: true,
            with_balance: true,
            with_kyc: false,
            days_of_transactions: "Days365",
        }
    }
}

/// GetAccountsSummary's 200: the accounts without their transactions.
pub type AccountsSummary = AccountsDetail;

/// `GetAccountsDetail` or `GetAccountsSummary`, and their Async pollers.
#[derive(Debug, Clone, Copy)]
enum DataCall {
    Detail,
    Summary,
}

impl DataCall {
    const ALL: [DataCall; 2] = [DataCall::Detail, DataCall::Summary];

    fn endpoint(self) -> &'static str {
        match self {
            DataCall::Detail => "GetAccountsDetail",
            DataCall::Summary => "GetAccountsSummary",
        }
    }

    fn async_endpoint(self) -> &'static str {
        match self {
            DataCall::Detail => "GetAccountsDetailAsync",
            DataCall::Summary => "GetAccountsSummaryAsync",
        }
    }
}

/// Whether `endpoint` asks for the accounts' data or polls for it.
pub(super) fn delivers_data(endpoint: &str) -> bool {
    DataCall::ALL
        .iter()
        .any(|d| d.endpoint() == endpoint || d.async_endpoint() == endpoint)
}

pub(crate) type DetailReply = Polled<Box<AccountsDetail>>;

impl Typed for AccountsDetail {
    fn from_bytes(bytes: &[u8]) -> serde_json::Result<(Self, Option<String>)> {
        fold::from_slice::<DetailBody>(bytes).map(DetailBody::into_parts)
    }
}

impl FlinksClient {
    async fn data_once(
        &self,
        data: DataCall,
        body: &Value,
        secrets: &[&str],
    ) -> Result<DetailReply> {
        let path = format!("BankingServices/{}", data.endpoint());
        let (status, body) = self
            .call(
                data.endpoint(),
                Method::POST,
                &path,
                &self.api_key_header(),
                Some(body.clone()),
                secrets,
            )
            .await?;
        Self::detail_reply(status, body, secrets)
    }

    async fn data_async(
        &self,
        data: DataCall,
        request_id: &RequestId,
        secrets: &[&str],
    ) -> Result<DetailReply> {
        let path = format!(
            "BankingServices/{}/{}",
            data.async_endpoint(),
            enc(&request_id.0)
        );
        let (status, body) = self
            .call(
                data.async_endpoint(),
                Method::GET,
                &path,
                &self.api_key_header(),
                None,
                secrets,
            )
            .await?;
        Self::detail_reply(status, body, secrets)
    }

    pub(crate) fn detail_reply(
        status: StatusCode,
        reply: Reply<AccountsDetail>,
        secrets: &[&str],
    ) -> Result<DetailReply> {
        let body = match reply {
            Reply::Typed { value, .. } => return Ok(DetailReply::Ready(Box::new(value))),
            Reply::Tree(body) => body,
        };
        match status.as_u16() {
            200 => Ok(DetailReply::Ready(Box::new(Self::decode(
                status, body, secrets,
            )?))),
            _ => Self::pending_or_error(status, &body, secrets),
        }
    }

    /// `/GetAccountsDetail`, then `/GetAccountsDetailAsync` every `policy.interval` while Flinks
    /// answers `202 OPERATION_PENDING`, until the data is ready, `policy.max_wait` has passed
    /// ([`FlinksError::PollTimeout`]) or `cancel` fires ([`FlinksError::Cancelled`]).
    /// A transient failure of one poll is tolerated (the next poll may succeed); three in a row end it.
    /// `login_id` is the session's: it is not sent, but scrubbed from errors should Flinks name it.
    pub async fn wait_accounts_detail(
        &self,
        login_id: &LoginId,
        request_id: &RequestId,
        options: &AccountsDetailOptions,
        policy: PollPolicy,
        cancel: &CancellationToken,
        on_progress: impl FnMut(PollProgress),
    ) -> Result<AccountsDetail> {
        let body = json!({
            "RequestId": request_id.0,
            "WithAccountIdentity": options.with_account_identity,
            "WithTransactions": options.with_transactions,
            "WithBalance": options.with_balance,
            "WithKYC": options.with_kyc,
            "DaysOfTransactions": options.days_of_transactions,
        });
        let call = (DataCall::Detail, &body);
        self.wait_data(login_id, request_id, call, policy, cancel, on_progress)
            .await
    }

    /// `/GetAccountsSummary` (accounts and balances, no transactions), then
    /// `/GetAccountsSummaryAsync` while it is pending; same rules as [`Self::wait_accounts_detail`].
    pub async fn wait_accounts_summary(
        &self,
        login_id: &LoginId,
        request_id: &RequestId,
        policy: PollPolicy,
        cancel: &CancellationToken,
        on_progress: impl FnMut(PollProgress),
    ) -> Result<AccountsSummary> {
        let body = json!({
            "RequestId": request_id.0,
            "WithAccountIdentity": true,
            "WithBalance": true,
        });
        let call = (DataCall::Summary, &body);
        self.wait_data(login_id, request_id, call, policy, cancel, on_progress)
            .await
    }

    async fn wait_data(
        &self,
        login_id: &LoginId,
        request_id: &RequestId,
        (data, body): (DataCall, &Value),
        policy: PollPolicy,
        cancel: &CancellationToken,
        on_progress: impl FnMut(PollProgress),
    ) -> Result<AccountsDetail> {
        let secrets = &self.secrets_of(login_id);
        until_ready(
            policy,
            cancel,
            on_progress,
            self.data_once(data, body, secrets),
            || self.data_async(data, request_id, secrets),
        )
        .await
        .map(|detail| *detail)
    }
}
