use flinks_client::FlinksError;
use serde::Serialize;

/// What went wrong in the desk, typed so the app can show a message and what to do next.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error(transparent)]
    Flinks(#[from] FlinksError),
    #[error("the built-in Flinks Capital sandbox could not start: {0}")]
    SandboxStart(std::io::Error),
    #[error("there is no customer {0:?} in this environment")]
    UnknownCustomer(String),
    #[error("the {0} package is not available in this environment yet")]
    PackageUnavailable(&'static str),
    #[error("Flinks asks a security question for this login; it must be connected again")]
    SecurityChallenge,
}

/// An error as the UI receives it: it switches on `code`, shows `message` and `hint`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorView {
    pub code: String,
    pub message: String,
    pub hint: String,
}

impl DeskError {
    pub fn code(&self) -> String {
        match self {
            DeskError::Flinks(e) => match e {
                FlinksError::Api { code, .. } => {
                    format!("flinks.{}", code.as_str().to_ascii_lowercase())
                }
                FlinksError::Transport(_) => "flinks.transport".into(),
                FlinksError::Timeout(_) => "flinks.timeout".into(),
                FlinksError::Decode { .. } => "flinks.decode".into(),
                FlinksError::PollTimeout { .. } => "flinks.poll_timeout".into(),
                FlinksError::Cancelled => "cancelled".into(),
            },
            DeskError::SandboxStart(_) => "sandbox.start".into(),
            DeskError::UnknownCustomer(_) => "customer.unknown".into(),
            DeskError::PackageUnavailable(_) => "package.unavailable".into(),
            DeskError::SecurityChallenge => "flinks.security_challenge".into(),
        }
    }

    pub fn hint(&self) -> String {
        match self {
            DeskError::Flinks(e) => e.hint().into(),
            DeskError::SandboxStart(_) => {
                "Another program may hold the port. Unset FLINKS_DESK_SANDBOX_PORT or pick another port, then restart Flinks Desk.".into()
            }
            DeskError::UnknownCustomer(_) => "Pick a customer from the list.".into(),
            DeskError::PackageUnavailable(_) => "Pick Credit Risk for now.".into(),
            DeskError::SecurityChallenge => {
                "Connect the customer again through Flinks Connect to answer the question.".into()
            }
        }
    }

    pub fn view(&self) -> ErrorView {
        ErrorView {
            code: self.code(),
            message: self.to_string(),
            hint: self.hint(),
        }
    }
}
