//! The replies of `/Authorize`: a session, or the bank's security questions.

use serde::Deserialize;

use super::{Login, RequestId};

/// A 200 from `/Authorize`.
#[derive(Debug, Clone, Deserialize)]
pub struct Authorized {
    #[serde(rename = "requestid")]
    pub request_id: RequestId,
    #[serde(rename = "login")]
    pub login: Login,
    #[serde(rename = "institution", default)]
    pub institution: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SecurityChallenge {
    #[serde(rename = "type", default)]
    pub challenge_type: Option<String>,
    #[serde(rename = "prompt")]
    pub prompt: String,
}

#[derive(Debug, Clone)]
pub enum AuthorizeOutcome {
    Authorized(Authorized),
    /// A 203: the bank asks a question before it lets the session open.
    Challenge {
        request_id: RequestId,
        challenges: Vec<SecurityChallenge>,
    },
}
