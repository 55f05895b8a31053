//! One HTTP exchange with Flinks, shared by every call so that none skips the size cap on the
//! reply, the record the request ledger gets, or the scrubbing of its secrets from errors.

use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::FlinksClient;
use crate::error::{FlinksCode, FlinksError};
use crate::secret::{scrub, LoginId, Secret};
use crate::wire::fold_keys;
use crate::Result;

/// A reply larger than this is not Flinks talking; refuse it rather than fill memory. An All
/// reply lists every transaction behind every value: a customer with 50,000 transactions in
/// its year sends 122 MB of them (the sandbox's big customer), so the cap sits well above that.
const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;
pub(super) const EXCERPT_CHARS: usize = 120;

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

impl FlinksClient {
    /// Sends a request and returns its status and its body, read as `R`.
    /// `secrets` are scrubbed from anything that ends up in an error, and so are the instance's
    /// keys and every credential header sent, whether or not the caller listed them.
    pub(crate) async fn call<R: ReadReply>(
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
        let mut secrets = self.secrets(secrets);
        secrets.extend(
            headers
                .iter()
                .filter(|(name, _)| CREDENTIAL_HEADERS.contains(name))
                .map(|(_, value)| *value),
        );
        let result = self.exchange::<R>(request, &secrets).await;
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
        if status.is_redirection() {
            // Only the host is named: a Location's path or query may carry what was sent.
            let to = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .and_then(|l| response.url().join(l).ok())
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_else(|| "an unnamed host".to_owned());
            return Err(FlinksError::Redirect {
                status: status.as_u16(),
                to,
            });
        }
        // Sized by Content-Length when the reply says it: grown by doubling, a 122 MB reply
        // ends in a 128 MiB buffer after moving through every smaller one, and holds both the
        // last two while it moves. A length over the cap is refused below, as the bytes come.
        let mut bytes = Vec::with_capacity(
            response
                .content_length()
                .map_or(0, |n| n.min(MAX_BODY_BYTES as u64) as usize),
        );
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
    pub(super) async fn call_ok(
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
        let code = match body
            .get("flinkscode")
            .and_then(Value::as_str)
            .map_or(FlinksCode::None, FlinksCode::parse)
        {
            // An unknown code is printed as it came, so it is scrubbed like the message; a known
            // one is not, since masking a short secret inside it would unmake the code.
            FlinksCode::Other(code) => FlinksCode::Other(scrub(&code, secrets)),
            known => known,
        };
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

    pub(super) fn decode<T: serde::de::DeserializeOwned>(
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

    pub(super) fn api_key_header(&self) -> Vec<(&'static str, &str)> {
        self.env
            .x_api_key
            .as_ref()
            .map(|k| ("x-api-key", k.expose()))
            .into_iter()
            .collect()
    }
}

impl FlinksClient {
    /// What no error of a call may show: the call's own secrets (a loginId, a password, answers,
    /// a token, a secret key), and the instance's x-api-key and secret key, which a reply could
    /// echo whether or not the call sent them.
    pub(super) fn secrets<'a>(&'a self, own: &[&'a str]) -> Vec<&'a str> {
        let mut all = own.to_vec();
        all.extend(
            self.env
                .x_api_key
                .iter()
                .chain(&self.env.secret_key)
                .map(Secret::expose),
        );
        all
    }

    /// [`Self::secrets`] of a call about one login.
    pub(super) fn secrets_of<'a>(&'a self, login_id: &'a LoginId) -> Vec<&'a str> {
        self.secrets(&[login_id.expose()])
    }
}

/// The headers that carry a key or a token.
const CREDENTIAL_HEADERS: [&str; 2] = ["x-api-key", "flinks-auth-key"];

pub(super) fn enc(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}

fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// The start of a body for an error message: printable characters only, secrets masked.
pub(super) fn excerpt(bytes: &[u8], secrets: &[&str]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    truncate(&scrub(flat.trim(), secrets), EXCERPT_CHARS)
}
