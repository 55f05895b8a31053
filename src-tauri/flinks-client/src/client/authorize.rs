//! Authorize tokens and `/Authorize`: cached sessions, live sign-ins and their security
//! questions.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::FlinksClient;
use crate::error::FlinksError;
use crate::secret::{LoginId, Secret};
use crate::wire::{AuthorizeOutcome, Authorized, RequestId, SecurityChallenge};
use crate::Result;

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

impl FlinksClient {
    /// `/GenerateAuthorizeToken`: a single-use authorize token (30 minutes) for `/Authorize` or
    /// Flinks Connect, in exchange for the instance's secret key.
    pub async fn generate_authorize_token(&self, secret_key: &Secret) -> Result<Secret> {
        let secrets = self.secrets(&[secret_key.expose()]);
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
        let mut secrets = self.secrets(secrets);
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
}
