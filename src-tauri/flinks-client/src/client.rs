//! [`FlinksClient`], one per Flinks environment. Each endpoint family has its own file, holding
//! its calls and the reading of their replies (which `decode` and the fuzz targets reuse), so one
//! endpoint can be read and changed alone; `transport` is what every call shares, so that none
//! can skip the size cap, the ledger record or the scrubbing of its secrets.

mod accounts;
mod attributes;
mod authorize;
mod billing;
mod card;
mod poll;
mod refresh;
mod statements;
#[cfg(test)]
mod tests;
mod transport;

use std::time::Duration;

use url::Url;

use crate::error::FlinksError;
use crate::secret::Secret;
use crate::Result;

pub(crate) use accounts::DetailReply;
pub use accounts::{AccountsDetailOptions, AccountsSummary};
pub use authorize::{LiveCredentials, SecurityResponse};
pub use poll::{PollPolicy, PollProgress};
pub use statements::{NumberOfStatements, StatementsOptions};
pub use transport::{CallObserver, CallRecord};
pub(crate) use transport::{ReadReply, Reply};
// decode's typed-reading tests hold the typed readers against the tree path.
#[cfg(test)]
pub(crate) use transport::Typed;

/// Where a Flinks instance lives and who we are to it.
#[derive(Debug, Clone)]
pub struct Environment {
    /// `https://{instance}-api.private.fin.ag`, or the built-in sandbox's loopback URL.
    pub api_base_url: Url,
    pub customer_id: String,
    /// Sent as `x-api-key` on data endpoints when the instance requires it.
    pub x_api_key: Option<Secret>,
    /// The instance's secret key, when the caller has it. It is sent only by
    /// [`FlinksClient::generate_authorize_token`], which is handed it; here it is only masked in
    /// every error, since any reply of the instance could echo it.
    pub secret_key: Option<Secret>,
}

impl Environment {
    pub fn new(api_base_url: &str, customer_id: &str) -> Result<Self> {
        let api_base_url = Url::parse(api_base_url.trim()).map_err(|e| {
            FlinksError::Transport(format!(
                "the API base URL {api_base_url:?} is not a URL ({e})"
            ))
        })?;
        if !matches!(api_base_url.scheme(), "http" | "https") {
            return Err(FlinksError::Transport(format!(
                "the API base URL must start with https:// (got {}://)",
                api_base_url.scheme()
            )));
        }
        Ok(Self {
            api_base_url,
            customer_id: customer_id.trim().to_owned(),
            x_api_key: None,
            secret_key: None,
        })
    }
}

/// One client per environment; cheap to clone (the connection pool is shared).
#[derive(Clone)]
pub struct FlinksClient {
    http: reqwest::Client,
    env: Environment,
    request_timeout: Duration,
    observer: Option<CallObserver>,
}

impl std::fmt::Debug for FlinksClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlinksClient")
            .field("env", &self.env)
            .field("request_timeout", &self.request_timeout)
            .finish_non_exhaustive()
    }
}

impl FlinksClient {
    pub fn new(env: Environment) -> Result<Self> {
        Self::with_timeout(env, Duration::from_secs(30))
    }

    pub fn with_timeout(env: Environment, request_timeout: Duration) -> Result<Self> {
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .user_agent(concat!("FlinksDesk/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10).min(request_timeout))
            .timeout(request_timeout)
            // Never follow a redirect: reqwest would re-send `flinks-auth-key`, `x-api-key` and
            // a 307/308's body (a customer's password) to wherever the Location points. A 3xx
            // comes back as `FlinksError::Redirect` instead.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| FlinksError::Transport(e.without_url().to_string()))?;
        Ok(Self {
            http,
            env,
            request_timeout,
            observer: None,
        })
    }

    /// Reports every call to `observer` (the desk's request ledger).
    pub fn with_observer(mut self, observer: CallObserver) -> Self {
        self.observer = Some(observer);
        self
    }

    pub fn environment(&self) -> &Environment {
        &self.env
    }

    fn url(&self, path: &str) -> Url {
        let mut url = self.env.api_base_url.clone();
        let base = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{base}/v3/{}/{path}", self.env.customer_id));
        url
    }
}
