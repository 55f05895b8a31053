use std::time::Duration;

/// Everything a Flinks call can end in. No variant's text contains a loginId, token or key: API
/// messages and body excerpts are scrubbed of the secrets of the call before they are stored here.
#[derive(Debug, thiserror::Error)]
pub enum FlinksError {
    /// Flinks answered with an error body (`FlinksCode` and `Message`).
    #[error("Flinks answered HTTP {status} {code}: {message}")]
    Api {
        status: u16,
        code: FlinksCode,
        message: String,
    },
    /// No answer: DNS, refused connection, TLS, reset.
    #[error("could not reach Flinks: {0}")]
    Transport(String),
    /// The server accepted the connection but did not answer in time.
    #[error("Flinks did not answer within {} s", .0.as_secs())]
    Timeout(Duration),
    /// An answer that is not the JSON Flinks documents (an HTML error page, a truncated body).
    #[error(
        "Flinks answered HTTP {status} with a reply that could not be read ({reason}): {excerpt:?}"
    )]
    Decode {
        status: u16,
        reason: String,
        excerpt: String,
        /// The JSON stopped mid-way: a connection cut short, which a new try may not repeat.
        truncated: bool,
    },
    /// Still `OPERATION_PENDING` when the poll policy's time was up.
    #[error("the accounts were still being processed after {attempts} checks over {} s", .elapsed.as_secs())]
    PollTimeout { attempts: u32, elapsed: Duration },
    #[error("the run was cancelled")]
    Cancelled,
    /// The server answered with a redirect, which is never followed: credentials go only to
    /// the host they were meant for.
    #[error("Flinks answered HTTP {status}, a redirect to {to}, which is not followed")]
    Redirect { status: u16, to: String },
}

impl FlinksError {
    /// Worth another try after a pause: the network, a timeout, a 5xx or a throttle.
    pub fn is_transient(&self) -> bool {
        match self {
            FlinksError::Transport(_) | FlinksError::Timeout(_) => true,
            FlinksError::Api { status, code, .. } => {
                *status >= 500
                    || *status == 429
                    || matches!(
                        code,
                        FlinksCode::RetryLater
                            | FlinksCode::TooManyRequests
                            // Only the data endpoints are polled; elsewhere a 202 means "ask again soon".
                            | FlinksCode::OperationPending
                            | FlinksCode::OperationDispatched
                    )
            }
            FlinksError::Decode {
                status, truncated, ..
            } => *status >= 500 || *truncated,
            FlinksError::PollTimeout { .. }
            | FlinksError::Cancelled
            | FlinksError::Redirect { .. } => false,
        }
    }

    pub fn code(&self) -> Option<&FlinksCode> {
        match self {
            FlinksError::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// What the person at the desk can do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            FlinksError::Api { code, .. } => code.hint(),
            FlinksError::Transport(_) => {
                "Check the network connection and the environment's API base URL, then run again."
            }
            FlinksError::Timeout(_) => "Flinks is slow to answer; run again in a minute.",
            FlinksError::Decode { .. } => {
                "The server did not answer like Flinks. Check the environment's API base URL; if it is right, run again later."
            }
            FlinksError::PollTimeout { .. } => {
                "Flinks is still processing this customer's accounts. Run again later; the data will come from the cache."
            }
            FlinksError::Cancelled => "Nothing was saved. Run again when you are ready.",
            FlinksError::Redirect { .. } => {
                "Nothing was sent to the other host. Check the environment's API base URL (its exact https:// address at Flinks) and edit the environment."
            }
        }
    }
}

/// The `FlinksCode` values of flinks-api.md §3.2; codes we do not know yet are kept as they came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlinksCode {
    OperationPending,
    OperationDispatched,
    SessionNonexistent,
    CardInUse,
    AccessDenied,
    InvalidLogin,
    InvalidRequest,
    InvalidSecurityResponse,
    InvalidSecurityResponseNoRetry,
    UnknownChallengeKey,
    QuestionNotFound,
    InvalidUsername,
    InvalidPassword,
    RetryLater,
    TooManyRequests,
    Unauthorized,
    DisabledLogin,
    NewAccount,
    DisabledInstitution,
    AggregationError,
    /// The body carried no FlinksCode.
    None,
    Other(String),
}

impl FlinksCode {
    pub fn parse(code: &str) -> Self {
        match code.trim().to_ascii_uppercase().as_str() {
            "OPERATION_PENDING" => Self::OperationPending,
            "OPERATION_DISPATCHED" => Self::OperationDispatched,
            "SESSION_NONEXISTENT" => Self::SessionNonexistent,
            "CARD_IN_USE" => Self::CardInUse,
            "ACCESS_DENIED" => Self::AccessDenied,
            "INVALID_LOGIN" => Self::InvalidLogin,
            "INVALID_REQUEST" => Self::InvalidRequest,
            "INVALID_SECURITY_RESPONSE" => Self::InvalidSecurityResponse,
            "INVALID_SECURITY_RESPONSE_NO_RETRY" => Self::InvalidSecurityResponseNoRetry,
            "UNKNOWN_CHALLENGE_KEY" => Self::UnknownChallengeKey,
            "QUESTION_NOT_FOUND" => Self::QuestionNotFound,
            "INVALID_USERNAME" => Self::InvalidUsername,
            "INVALID_PASSWORD" => Self::InvalidPassword,
            "RETRY_LATER" => Self::RetryLater,
            "TOO_MANY_REQUESTS" => Self::TooManyRequests,
            "UNAUTHORIZED" => Self::Unauthorized,
            "DISABLED_LOGIN" => Self::DisabledLogin,
            "NEW_ACCOUNT" => Self::NewAccount,
            "DISABLED_INSTITUTION" => Self::DisabledInstitution,
            "AGGREGATION_ERROR" => Self::AggregationError,
            "" => Self::None,
            _ => Self::Other(code.trim().to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::OperationPending => "OPERATION_PENDING",
            Self::OperationDispatched => "OPERATION_DISPATCHED",
            Self::SessionNonexistent => "SESSION_NONEXISTENT",
            Self::CardInUse => "CARD_IN_USE",
            Self::AccessDenied => "ACCESS_DENIED",
            Self::InvalidLogin => "INVALID_LOGIN",
            Self::InvalidRequest => "INVALID_REQUEST",
            Self::InvalidSecurityResponse => "INVALID_SECURITY_RESPONSE",
            Self::InvalidSecurityResponseNoRetry => "INVALID_SECURITY_RESPONSE_NO_RETRY",
            Self::UnknownChallengeKey => "UNKNOWN_CHALLENGE_KEY",
            Self::QuestionNotFound => "QUESTION_NOT_FOUND",
            Self::InvalidUsername => "INVALID_USERNAME",
            Self::InvalidPassword => "INVALID_PASSWORD",
            Self::RetryLater => "RETRY_LATER",
            Self::TooManyRequests => "TOO_MANY_REQUESTS",
            Self::Unauthorized => "UNAUTHORIZED",
            Self::DisabledLogin => "DISABLED_LOGIN",
            Self::NewAccount => "NEW_ACCOUNT",
            Self::DisabledInstitution => "DISABLED_INSTITUTION",
            Self::AggregationError => "AGGREGATION_ERROR",
            Self::None => "(no FlinksCode)",
            Self::Other(s) => s,
        }
    }

    pub fn hint(&self) -> &'static str {
        match self {
            Self::SessionNonexistent => "The Flinks session expired. Run again to open a new one.",
            Self::InvalidLogin => {
                "Flinks does not know this login: check the username and password, or for a saved customer the environment; connect the customer again if it was deleted."
            }
            Self::InvalidUsername | Self::InvalidPassword => {
                "The bank refused the username or password. Check them and sign in again."
            }
            Self::InvalidSecurityResponse => {
                "The answer to the security question is not the one the bank expects. Check it and answer again."
            }
            Self::InvalidSecurityResponseNoRetry => {
                "The answers to the security questions were refused. Sign in again from the start."
            }
            Self::UnknownChallengeKey => {
                "The answer was given to a question the bank did not ask. Answer the question shown."
            }
            Self::QuestionNotFound => {
                "The bank asked a security question with no saved answer. Connect the customer again to answer it."
            }
            Self::NewAccount => {
                "The bank needs the customer to act in their online banking first; ask them to sign in there, then connect again."
            }
            Self::DisabledInstitution => "This bank is not available through Flinks at the moment. Try again later.",
            Self::AccessDenied | Self::Unauthorized => {
                "Flinks refused the credentials. Check the environment's customerId and keys."
            }
            Self::DisabledLogin => "The bank has disabled this login; the customer must contact their bank.",
            Self::RetryLater | Self::AggregationError => "The bank could not be reached. Run again in a few minutes.",
            Self::TooManyRequests => "Too many requests in a short time. Wait a minute, then run again.",
            Self::CardInUse => "Flinks is still processing this customer. Wait a minute, then try again.",
            Self::InvalidRequest => "Flinks rejected the request as malformed. Please report this with the request log.",
            _ => "Run again; if it keeps failing, check the request log and the environment's settings.",
        }
    }
}

impl std::fmt::Display for FlinksCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_round_trip_and_unknown_ones_are_kept() {
        for code in [
            "OPERATION_PENDING",
            "SESSION_NONEXISTENT",
            "INVALID_LOGIN",
            "RETRY_LATER",
        ] {
            assert_eq!(FlinksCode::parse(code).as_str(), code);
        }
        assert_eq!(
            FlinksCode::parse(" invalid_login "),
            FlinksCode::InvalidLogin
        );
        assert_eq!(
            FlinksCode::parse("SOMETHING_NEW"),
            FlinksCode::Other("SOMETHING_NEW".into())
        );
    }

    #[test]
    fn transient_errors_are_the_retryable_ones() {
        let api = |status, code: &str| FlinksError::Api {
            status,
            code: FlinksCode::parse(code),
            message: String::new(),
        };
        assert!(api(500, "").is_transient());
        assert!(api(429, "").is_transient());
        assert!(api(401, "RETRY_LATER").is_transient());
        assert!(!api(401, "INVALID_LOGIN").is_transient());
        assert!(!api(400, "SESSION_NONEXISTENT").is_transient());
        assert!(FlinksError::Timeout(Duration::from_secs(1)).is_transient());
        assert!(!FlinksError::Cancelled.is_transient());
        assert!(api(202, "OPERATION_PENDING").is_transient());
        let decode = |status, truncated| FlinksError::Decode {
            status,
            reason: String::new(),
            excerpt: String::new(),
            truncated,
        };
        assert!(decode(200, true).is_transient(), "a body cut short");
        assert!(!decode(200, false).is_transient(), "a body that is wrong");
        assert!(decode(502, false).is_transient(), "a gateway's HTML page");
    }
}
