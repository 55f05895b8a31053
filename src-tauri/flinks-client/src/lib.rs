//! A typed async client for the Flinks API.
//!
//! It speaks the wire format documented in `shared/flinks-api.md`: `GenerateAuthorizeToken`,
//! `Authorize` (cached mode, and live mode with its security questions), `GetAccountsDetail` and
//! `GetAccountsSummary` and `GetStatements` with their `202 OPERATION_PENDING` answers polled
//! through the Async endpoints, `SetScheduledRefresh`, `GetMFAQuestions` and
//! `AnswerMFAQuestions`, `DeleteCard`, the attributes packages, the Flinks Connect URL and redirect, and the OAuth sign-in URL and redirect. Replies are read leniently (JSON keys in
//! any case, unknown fields ignored) and strictly where a value matters (money is `Decimal`).
//!
//! loginIds and keys travel in [`LoginId`] and [`Secret`], which print as `…abcd` and cannot be
//! serialized, and every error text is scrubbed of them before it leaves the client.

mod client;
mod connect;
pub mod decode;
mod error;
mod flow;
mod fold;
mod secret;
pub mod toolbox;
mod wire;

pub use client::{
    AccountsDetailOptions, AccountsSummary, CallObserver, CallRecord, Environment, FlinksClient,
    LiveCredentials, NumberOfStatements, PollPolicy, PollProgress, SecurityResponse,
    StatementsOptions,
};
pub use connect::{
    connect_url, parse_connect_redirect, parse_oauth_redirect, ConnectError, ConnectOptions,
    ConnectOutcome, OAuthOutcome,
};
pub use error::{FlinksCode, FlinksError};
pub use flow::{
    with_retry, AccountBalances, Flow, FlowError, FlowEvent, FlowOutput, RetryPolicy, Wanted,
};
pub use secret::{LoginId, Secret};
pub use toolbox::{API_BASE_URL as TOOLBOX_API_BASE_URL, CUSTOMER_ID as TOOLBOX_CUSTOMER_ID};
pub use url::Url;
pub use wire::{
    Account, AccountStatements, AccountsDetail, AttributeDetail, AttributeValue, Attributes,
    AuthorizeOutcome, Authorized, Balance, DetailTransaction, LibraryEntry, Login, Package,
    RequestId, SecurityChallenge, Statement, Statements, Transaction,
};

pub type Result<T, E = FlinksError> = std::result::Result<T, E>;
