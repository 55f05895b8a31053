use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::error::{FlinksCode, FlinksError};
use crate::fold;
use crate::secret::{scrub, LoginId, Secret};
use crate::wire::{
    fold_keys, AccountsDetail, Attributes, AttributesBody, AuthorizeOutcome, Authorized,
    DetailBody, Library, LibraryEntry, Package, RequestId, SecurityChallenge,
};
use crate::Result;

/// A reply larger than this is not Flinks talking; refuse it rather than fill memory.
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
const EXCERPT_CHARS: usize = 120;

/// Where a Flinks instance lives and who we are to it.
#[derive(Debug, Clone)]
pub struct Environment {
    /// `https://{instance}-api.private.fin.ag`, or the built-in sandbox's loopback URL.
    pub api_base_url: Url,
    pub customer_id: String,
    /// Sent as `x-api-key` on data endpoints when the instance requires it.
    pub x_api_key: Option<Secret>,
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
        })
    }
}

/// How long to keep asking `GetAccountsDetailAsync`. The default is the documented rule:
/// every 10 seconds for at most 30 minutes.
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
    /// 1 for the `GetAccountsDetail` call, then one more per `GetAccountsDetailAsync` call.
    pub attempt: u32,
    pub elapsed: Duration,
    pub next_poll_in: Duration,
}

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

/// What a client reports after each HTTP call, for a request ledger. It holds no URL, body or
/// header, so nothing secret can pass through it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    /// The Flinks endpoint's name: `Authorize`, `GetAccountsDetail`, `GetCreditRiskAttributes`…
    pub endpoint: &'static str,
    /// None when no answer came (network, timeout).
    pub status: Option<u16>,
    pub flinks_code: Option<String>,
    pub duration: Duration,
}

pub type CallObserver = Arc<dyn Fn(&CallRecord) + Send + Sync>;

/// What a live `/Authorize` signs in with (flinks-api.md §2.2). The username and password print
/// as `Secret(…)` and are scrubbed from every error.
#[derive(Debug, Clone)]
pub struct LiveCredentials {
    /// The institution's Flinks id, e.g. `FlinksCapital`.
    pub institution: String,
    pub username: Secret,
    pub password: Secret,
    /// `en` or `fr`: the language of the security questions.
    pub language: Option<String>,
    /// Keep the login (and its loginId) after the call.
    pub save: bool,
    /// A label Flinks echoes and shows in its dashboard.
    pub tag: Option<String>,
}

/// An answer to a security question: the prompt as Flinks asked it, and the answer.
#[derive(Debug, Clone)]
pub struct SecurityResponse {
    pub prompt: String,
    pub answer: Secret,
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

pub(crate) enum DetailReply {
    Ready(Box<AccountsDetail>),
    Pending,
}

/// How a call reads the bytes of its reply, and what the request ledger learns from it.
pub(crate) trait ReadReply: Sized {
    fn read(status: StatusCode, bytes: &[u8], secrets: &[&str]) -> Result<Self>;
    fn flinks_code(&self) -> Option<&str>;
}

/// The small replies (Authorize, tokens, errors) keep the folded tree: they are cheap to fold
/// and their readers look keys up in it.
impl ReadReply for Value {
    fn read(status: StatusCode, bytes: &[u8], secrets: &[&str]) -> Result<Self> {
        FlinksClient::read_body(status, bytes, secrets)
    }

    fn flinks_code(&self) -> Option<&str> {
        self.get("flinkscode").and_then(Value::as_str)
    }
}

/// A reply that can be large (accounts detail, attributes): a 200 is read straight from the
/// bytes into its type, without a tree of the body (see `fold.rs`).
pub(crate) enum Reply<T> {
    Typed {
        value: T,
        flinks_code: Option<String>,
    },
    /// Any other status, or a 200 the typed reader refused: the folded tree, which the tree
    /// rules judge, so that what is accepted and every error stay what they were.
    Tree(Value),
}

/// The typed reading of a 200: the value and its `FlinksCode`.
pub(crate) trait Typed: Sized {
    fn from_bytes(bytes: &[u8]) -> serde_json::Result<(Self, Option<String>)>;
}

impl Typed for AccountsDetail {
    fn from_bytes(bytes: &[u8]) -> serde_json::Result<(Self, Option<String>)> {
        fold::from_slice::<DetailBody>(bytes).map(DetailBody::into_parts)
    }
}

impl Typed for Attributes {
    fn from_bytes(bytes: &[u8]) -> serde_json::Result<(Self, Option<String>)> {
        fold::from_slice::<AttributesBody>(bytes).map(|b| (b.attributes, b.flinks_code))
    }
}

impl<T: Typed> ReadReply for Reply<T> {
    fn read(status: StatusCode, bytes: &[u8], secrets: &[&str]) -> Result<Self> {
        if status == StatusCode::OK {
            if let Ok((value, flinks_code)) = T::from_bytes(bytes) {
                return Ok(Reply::Typed { value, flinks_code });
            }
        }
        FlinksClient::read_body(status, bytes, secrets).map(Reply::Tree)
    }

    fn flinks_code(&self) -> Option<&str> {
        match self {
            Reply::Typed { flinks_code, .. } => flinks_code.as_deref(),
            Reply::Tree(body) => body.flinks_code(),
        }
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

    /// Sends a request and returns its status and its body, read as `R`.
    /// `secrets` are scrubbed from anything that ends up in an error.
    async fn call<R: ReadReply>(
        &self,
        endpoint: &'static str,
        method: Method,
        path: &str,
        headers: &[(&'static str, &str)],
        body: Option<Value>,
        secrets: &[&str],
    ) -> Result<(StatusCode, R)> {
        let started = std::time::Instant::now();
        let mut request = self
            .http
            .request(method, self.url(path))
            .header("Accept", "application/json");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let result = self.exchange::<R>(request, secrets).await;
        if let Some(observer) = &self.observer {
            let (status, flinks_code) = match &result {
                Ok((status, body)) => {
                    (Some(status.as_u16()), body.flinks_code().map(str::to_owned))
                }
                Err(FlinksError::Decode { status, .. }) => (Some(*status), None),
                Err(_) => (None, None),
            };
            observer(&CallRecord {
                endpoint,
                status,
                flinks_code,
                duration: started.elapsed(),
            });
        }
        match &result {
            Ok((status, _)) => tracing::debug!(
                endpoint,
                status = status.as_u16(),
                ms = started.elapsed().as_millis() as u64,
                "flinks call"
            ),
            Err(e) => {
                tracing::warn!(endpoint, ms = started.elapsed().as_millis() as u64, error = %e, "flinks call failed")
            }
        }
        result
    }

    async fn exchange<R: ReadReply>(
        &self,
        request: reqwest::RequestBuilder,
        secrets: &[&str],
    ) -> Result<(StatusCode, R)> {
        let mut response = request
            .send()
            .await
            .map_err(|e| self.transport(e, secrets))?;
        let status = response.status();
        let mut bytes = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > MAX_BODY_BYTES {
                        return Err(FlinksError::Decode {
                            status: status.as_u16(),
                            reason: format!(
                                "the reply is larger than {} MiB",
                                MAX_BODY_BYTES >> 20
                            ),
                            excerpt: excerpt(&bytes, secrets),
                            truncated: false,
                        });
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(self.transport(e, secrets)),
            }
        }
        R::read(status, &bytes, secrets).map(|body| (status, body))
    }

    /// A reply's body as JSON with its keys folded to lower case.
    pub(crate) fn read_body(status: StatusCode, bytes: &[u8], secrets: &[&str]) -> Result<Value> {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(value) => Ok(fold_keys(value)),
            Err(e) => Err(FlinksError::Decode {
                status: status.as_u16(),
                reason: if bytes.is_empty() {
                    "the reply is empty".into()
                } else if e.is_eof() {
                    "the JSON stops mid-way".into()
                } else {
                    format!("not JSON: {e}")
                },
                excerpt: excerpt(bytes, secrets),
                truncated: !bytes.is_empty() && e.is_eof(),
            }),
        }
    }

    fn transport(&self, e: reqwest::Error, secrets: &[&str]) -> FlinksError {
        if e.is_timeout() {
            return FlinksError::Timeout(self.request_timeout);
        }
        // reqwest's message names the URL, and our URLs carry loginIds: drop it. Its Display hides
        // the cause ("error sending request"), so append the sources, scrubbed, since they tell
        // what happened (refused, reset, certificate).
        let e = e.without_url();
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        FlinksError::Transport(scrub(&text, secrets))
    }

    /// [`Self::call`] for endpoints whose one good answer is a 200.
    async fn call_ok(
        &self,
        endpoint: &'static str,
        method: Method,
        path: &str,
        headers: &[(&'static str, &str)],
        secrets: &[&str],
    ) -> Result<(StatusCode, Value)> {
        let (status, body) = self
            .call::<Value>(endpoint, method, path, headers, None, secrets)
            .await?;
        if status != StatusCode::OK {
            return Err(Self::api_error(status, &body, secrets));
        }
        Ok((status, body))
    }

    pub(crate) fn api_error(status: StatusCode, body: &Value, secrets: &[&str]) -> FlinksError {
        let code = body
            .get("flinkscode")
            .and_then(Value::as_str)
            .map_or(FlinksCode::None, FlinksCode::parse);
        let message = body
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("error"));
        FlinksError::Api {
            status: status.as_u16(),
            code,
            // Scrubbed before it is cut, so a secret cut in two leaves no head behind.
            message: truncate(&scrub(message, secrets), 300),
        }
    }

    fn decode<T: serde::de::DeserializeOwned>(
        status: StatusCode,
        body: Value,
        secrets: &[&str],
    ) -> Result<T> {
        let raw = body.to_string();
        serde_json::from_value(body).map_err(|e| FlinksError::Decode {
            status: status.as_u16(),
            reason: scrub(&e.to_string(), secrets),
            excerpt: excerpt(raw.as_bytes(), secrets),
            truncated: false,
        })
    }

    fn api_key_header(&self) -> Vec<(&'static str, &str)> {
        self.env
            .x_api_key
            .as_ref()
            .map(|k| ("x-api-key", k.expose()))
            .into_iter()
            .collect()
    }

    /// `{api}/v3/{customerId}/BankingServices/OAuth/Authorize?institution=…&redirect_url=…&state=…`:
    /// the page where a customer of a custom integration signs in to `institution`; it ends by
    /// sending the browser to `redirect_url` with `loginId` and `state` (read them with
    /// [`crate::parse_oauth_redirect`]). `state` should be unguessable and checked on return.
    ///
    /// This path is NOT verified in Flinks' documentation (flinks-api.md §2.6 and §8 found it in
    /// no source); the built-in sandbox serves it.
    pub fn oauth_authorize_url(&self, institution: &str, redirect_url: &str, state: &str) -> Url {
        let mut url = self.url("BankingServices/OAuth/Authorize");
        url.query_pairs_mut()
            .append_pair("institution", institution)
            .append_pair("redirect_url", redirect_url)
            .append_pair("state", state);
        url
    }

    /// `/GenerateAuthorizeToken`: a single-use authorize token (30 minutes) for `/Authorize` or
    /// Flinks Connect, in exchange for the instance's secret key.
    pub async fn generate_authorize_token(&self, secret_key: &Secret) -> Result<Secret> {
        let secrets = [secret_key.expose()];
        let (status, body) = self
            .call_ok(
                "GenerateAuthorizeToken",
                Method::POST,
                "BankingServices/GenerateAuthorizeToken",
                // No body, but the docs list this header for the call.
                &[
                    ("flinks-auth-key", secret_key.expose()),
                    ("Content-Type", "application/json"),
                ],
                &secrets,
            )
            .await?;
        match body.get("token").and_then(Value::as_str) {
            Some(token) if !token.trim().is_empty() => Ok(Secret::new(token)),
            // The body holds the token when there is one: no excerpt of it.
            _ => Err(FlinksError::Decode {
                status: status.as_u16(),
                reason: "the reply has no Token".into(),
                excerpt: String::new(),
                truncated: false,
            }),
        }
    }

    /// `/Authorize` in cached mode (`MostRecentCached: true`): opens a session on a stored loginId.
    /// `authorize_token` goes in `flinks-auth-key` when the instance requires one.
    pub async fn authorize_cached(
        &self,
        login_id: &LoginId,
        authorize_token: Option<&Secret>,
    ) -> Result<AuthorizeOutcome> {
        let body = json!({ "LoginId": login_id.expose(), "MostRecentCached": true });
        self.authorize(body, authorize_token, &[login_id.expose()])
            .await
    }

    /// `/Authorize` in live mode (`MostRecentCached: false`): signs in to the bank with a
    /// username and password. The bank may ask a security question first
    /// ([`AuthorizeOutcome::Challenge`]); answer it with [`FlinksClient::answer_challenge`].
    pub async fn authorize_live(
        &self,
        credentials: &LiveCredentials,
        authorize_token: Option<&Secret>,
    ) -> Result<AuthorizeOutcome> {
        let mut body = json!({
            "Institution": credentials.institution,
            "Username": credentials.username.expose(),
            "Password": credentials.password.expose(),
            "MostRecentCached": false,
            "Save": credentials.save,
        });
        if let Some(language) = &credentials.language {
            body["Language"] = json!(language);
        }
        if let Some(tag) = &credentials.tag {
            body["Tag"] = json!(tag);
        }
        let secrets = [credentials.username.expose(), credentials.password.expose()];
        self.authorize(body, authorize_token, &secrets).await
    }

    /// Answers a 203's security questions: `/Authorize` with its RequestId and the answers.
    /// Flinks may ask again (another `Challenge`); a wrong answer is `INVALID_SECURITY_RESPONSE`.
    pub async fn answer_challenge(
        &self,
        request_id: &RequestId,
        responses: &[SecurityResponse],
        authorize_token: Option<&Secret>,
    ) -> Result<AuthorizeOutcome> {
        let mut answers = serde_json::Map::new();
        for r in responses {
            let entry = answers
                .entry(r.prompt.clone())
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = entry {
                list.push(json!(r.answer.expose()));
            }
        }
        let body = json!({ "RequestId": request_id.0, "SecurityResponses": answers });
        let secrets: Vec<&str> = responses.iter().map(|r| r.answer.expose()).collect();
        self.authorize(body, authorize_token, &secrets).await
    }

    /// One `/Authorize` call; `authorize_token` joins `secrets`, which errors never show.
    async fn authorize(
        &self,
        body: Value,
        authorize_token: Option<&Secret>,
        secrets: &[&str],
    ) -> Result<AuthorizeOutcome> {
        let headers: Vec<(&'static str, &str)> = authorize_token
            .map(|t| ("flinks-auth-key", t.expose()))
            .into_iter()
            .collect();
        let mut secrets = secrets.to_vec();
        secrets.extend(authorize_token.map(Secret::expose));
        let (status, body) = self
            .call(
                "Authorize",
                Method::POST,
                "BankingServices/Authorize",
                &headers,
                Some(body),
                &secrets,
            )
            .await?;
        Self::authorize_reply(status, body, &secrets)
    }

    /// `/Authorize`'s answer: a session (200), security questions (203) or an error.
    pub(crate) fn authorize_reply(
        status: StatusCode,
        body: Value,
        secrets: &[&str],
    ) -> Result<AuthorizeOutcome> {
        match status.as_u16() {
            200 => Ok(AuthorizeOutcome::Authorized(Self::decode::<Authorized>(
                status, body, secrets,
            )?)),
            203 => {
                #[derive(serde::Deserialize)]
                struct Challenge {
                    #[serde(rename = "requestid")]
                    request_id: RequestId,
                    #[serde(rename = "securitychallenges", default)]
                    challenges: Vec<SecurityChallenge>,
                }
                let c: Challenge = Self::decode(status, body, secrets)?;
                Ok(AuthorizeOutcome::Challenge {
                    request_id: c.request_id,
                    challenges: c.challenges,
                })
            }
            _ => Err(Self::api_error(status, &body, secrets)),
        }
    }

    /// `/DeleteCard/{loginId}`: Flinks forgets the login and its data. Its reply names the
    /// loginId, so only success or the error comes back.
    pub async fn delete_card(&self, login_id: &LoginId) -> Result<()> {
        let path = format!("BankingServices/DeleteCard/{}", enc(login_id.expose()));
        let secrets = [login_id.expose()];
        self.call_ok(
            "DeleteCard",
            Method::DELETE,
            &path,
            &self.api_key_header(),
            &secrets,
        )
        .await?;
        Ok(())
    }

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
            202 => {
                let code = body.get("flinkscode").and_then(Value::as_str).unwrap_or("");
                match FlinksCode::parse(code) {
                    FlinksCode::OperationPending
                    | FlinksCode::OperationDispatched
                    | FlinksCode::None => Ok(DetailReply::Pending),
                    _ => Err(Self::api_error(status, &body, secrets)),
                }
            }
            _ => Err(Self::api_error(status, &body, secrets)),
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
        mut on_progress: impl FnMut(PollProgress),
    ) -> Result<AccountsDetail> {
        let secrets_in_scope = &secrets_of(login_id, None);
        const MAX_CONSECUTIVE_FAILURES: u32 = 3;
        let start = Instant::now();
        let mut attempt = 1;
        let mut failures = 0;
        let mut last_failure = None;
        let mut reply = cancellable(cancel, self.data_once(data, body, secrets_in_scope)).await?;
        loop {
            if let DetailReply::Ready(detail) = reply {
                return Ok(*detail);
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
            reply = match cancellable(cancel, self.data_async(data, request_id, secrets_in_scope))
                .await
            {
                Ok(r) => {
                    failures = 0;
                    last_failure = None;
                    r
                }
                Err(e) if e.is_transient() && failures + 1 < MAX_CONSECUTIVE_FAILURES => {
                    failures += 1;
                    tracing::warn!(attempt, error = %e, "poll failed; trying again at the next interval");
                    last_failure = Some(e);
                    DetailReply::Pending
                }
                Err(e) => return Err(e),
            };
        }
    }

    /// The attribute library: every attribute's unit, category and definition.
    pub async fn attribute_library(&self) -> Result<Vec<LibraryEntry>> {
        let (status, body) = self
            .call_ok(
                "AttributeLibrary",
                Method::GET,
                "attributes/library",
                &self.api_key_header(),
                &[],
            )
            .await?;
        Ok(Self::decode::<Library>(status, body, &[])?.attributes)
    }

    /// One attributes package for a session whose accounts detail is ready.
    pub async fn attributes(
        &self,
        package: Package,
        login_id: &LoginId,
        request_id: &RequestId,
    ) -> Result<Attributes> {
        let path = format!(
            "insight/login/{}/attributes/{}/{}",
            enc(login_id.expose()),
            enc(&request_id.0),
            package.endpoint()
        );
        let secrets = secrets_of(login_id, None);
        let (status, reply) = self
            .call(
                package.endpoint(),
                Method::GET,
                &path,
                &self.api_key_header(),
                None,
                &secrets,
            )
            .await?;
        Self::attributes_reply(status, reply, &secrets)
    }

    /// The custom `/Attributes` call (flinks-api.md §4.3): the named attributes of the login's
    /// Operations accounts, with the transactions behind each (`AttributesDetail`).
    pub async fn custom_attributes(
        &self,
        login_id: &LoginId,
        request_id: &RequestId,
        names: &[String],
    ) -> Result<Attributes> {
        let path = format!(
            "insight/login/{}/attributes/{}",
            enc(login_id.expose()),
            enc(&request_id.0),
        );
        let body = json!({
            "Attributes": { "Card": names },
            "Filters": { "AccountCategory": ["Operations"] },
            "AttributesDetail": names,
        });
        let secrets = secrets_of(login_id, None);
        let (status, reply) = self
            .call(
                "Attributes",
                Method::POST,
                &path,
                &self.api_key_header(),
                Some(body),
                &secrets,
            )
            .await?;
        Self::attributes_reply(status, reply, &secrets)
    }

    /// An attributes answer (a package's or a custom request's): a 200's `Card`, or the error.
    pub(crate) fn attributes_reply(
        status: StatusCode,
        reply: Reply<Attributes>,
        secrets: &[&str],
    ) -> Result<Attributes> {
        let body = match reply {
            Reply::Typed { value, .. } => return Ok(value),
            Reply::Tree(body) => body,
        };
        // Only a 200 is an attributes reply.
        if status != StatusCode::OK {
            return Err(Self::api_error(status, &body, secrets));
        }
        let raw_len = body.to_string();
        Attributes::from_folded(body).map_err(|reason| FlinksError::Decode {
            status: status.as_u16(),
            reason: scrub(&reason, secrets),
            excerpt: excerpt(raw_len.as_bytes(), secrets),
            truncated: false,
        })
    }
}

/// Runs `work` unless `cancel` fires first.
async fn cancellable<T>(
    cancel: &CancellationToken,
    work: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    tokio::select! {
        biased;
        _ = cancel.cancelled() => Err(FlinksError::Cancelled),
        out = work => out,
    }
}

fn secrets_of<'a>(login_id: &'a LoginId, token: Option<&'a Secret>) -> Vec<&'a str> {
    let mut s = vec![login_id.expose()];
    s.extend(token.map(Secret::expose));
    s
}

fn enc(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}

fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// The start of a body for an error message: printable characters only, secrets masked.
fn excerpt(bytes: &[u8], secrets: &[&str]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    truncate(&scrub(flat.trim(), secrets), EXCERPT_CHARS)
}

#[cfg(test)]
mod typed_reading;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_a_base_path_and_add_the_customer() {
        let env = Environment::new("http://127.0.0.1:9/proxy/", "cid").unwrap();
        let client = FlinksClient::new(env).unwrap();
        assert_eq!(
            client.url("BankingServices/Authorize").as_str(),
            "http://127.0.0.1:9/proxy/v3/cid/BankingServices/Authorize"
        );
    }

    #[test]
    fn the_documented_202_bodies_are_pending() {
        for (code, message) in [
            ("OPERATION_PENDING", "Your operation is still processing"),
            (
                "OPERATION_DISPATCHED",
                "Your operations had been dispatched to background process for long running jobs",
            ),
        ] {
            let body = fold_keys(json!({
                "FlinksCode": code,
                "Links": [{ "rel": "AccountsDetailAsync", "href": "/GetAccountsDetailAsync", "example": null }],
                "HttpStatusCode": 202,
                "Message": message,
                "RequestId": "1243c283-e0ca-4fda-a5e4-343068430190",
            }));
            let reply = FlinksClient::detail_reply(StatusCode::ACCEPTED, Reply::Tree(body), &[]);
            assert!(matches!(reply, Ok(DetailReply::Pending)), "{code}");
        }
        let other = fold_keys(json!({ "FlinksCode": "RETRY_LATER", "HttpStatusCode": 202 }));
        assert!(FlinksClient::detail_reply(StatusCode::ACCEPTED, Reply::Tree(other), &[]).is_err());
    }

    #[test]
    fn the_oauth_url_names_institution_redirect_and_state() {
        let env = Environment::new("https://toolbox-api.private.fin.ag", "cid").unwrap();
        let client = FlinksClient::new(env).unwrap();
        let url = client.oauth_authorize_url("FlinksCapital", "https://app.test/cb?x=1", "s 1&2");
        assert_eq!(
            url.as_str(),
            "https://toolbox-api.private.fin.ag/v3/cid/BankingServices/OAuth/Authorize?institution=FlinksCapital&redirect_url=https%3A%2F%2Fapp.test%2Fcb%3Fx%3D1&state=s+1%262"
        );
    }

    #[test]
    fn environment_refuses_non_http_urls() {
        assert!(Environment::new("ftp://x", "c").is_err());
        assert!(Environment::new("not a url", "c").is_err());
    }

    #[test]
    fn excerpt_is_short_flat_and_scrubbed() {
        let id = "5e115eac-1209-4f19-641c-08d6d484e2fe";
        let body = format!(
            "<html>\n<body>Bad gateway for {id}</body>{}</html>",
            "x".repeat(500)
        );
        let e = excerpt(body.as_bytes(), &[id]);
        assert!(!e.contains("5e115eac"));
        assert!(!e.contains('\n'));
        assert!(e.chars().count() <= EXCERPT_CHARS + 1);
    }
}
