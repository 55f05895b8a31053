use flinks_client::FlinksError;

use crate::store::StoreError;
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
    #[error("Flinks asks a security question for this login; it must be connected again")]
    SecurityChallenge,
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Export(#[from] crate::export::ExportError),
    #[error("run {0} did not complete, so it has no results to show")]
    RunNotCompleted(i64),
    #[error(transparent)]
    Chart(#[from] crate::charts::ChartError),
    #[error("the run has no attribute {0:?}")]
    UnknownAttribute(String),
    #[error(transparent)]
    Secrets(#[from] crate::secrets::SecretError),
    #[error("{0}")]
    Invalid(String),
    #[error("this customer's loginId is no longer in the keyring")]
    LoginIdMissing,
    /// Flinks Connect ended without a login (the customer gave up, or the bank refused).
    #[error("Flinks Connect did not connect the bank: {0}")]
    Connect(#[from] flinks_client::ConnectError),
}

impl From<flinks_client::FlowError> for DeskError {
    fn from(e: flinks_client::FlowError) -> Self {
        match e {
            flinks_client::FlowError::Flinks(e) => DeskError::Flinks(e),
            flinks_client::FlowError::SecurityChallenge => DeskError::SecurityChallenge,
        }
    }
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
            DeskError::SecurityChallenge => "flinks.security_challenge".into(),
            DeskError::Store(e) => match e {
                StoreError::Corrupt { .. } => "store.corrupt".into(),
                StoreError::TooNew { .. } => "store.too_new".into(),
                StoreError::NoSuchRun(_) => "run.unknown".into(),
                StoreError::Open { .. } | StoreError::Sql(_) => "store.error".into(),
            },
            DeskError::Export(_) => "export.write".into(),
            DeskError::RunNotCompleted(_) => "run.not_completed".into(),
            DeskError::Chart(_) => "chart.draw".into(),
            DeskError::UnknownAttribute(_) => "attribute.unknown".into(),
            DeskError::Secrets(crate::secrets::SecretError::Unavailable(_)) => {
                "keyring.unavailable".into()
            }
            DeskError::Secrets(_) => "keyring.error".into(),
            DeskError::Invalid(_) => "input.invalid".into(),
            DeskError::LoginIdMissing => "customer.login_missing".into(),
            DeskError::Connect(e) => format!("connect.{}", e.error.to_ascii_lowercase()),
        }
    }

    pub fn hint(&self) -> String {
        match self {
            DeskError::Flinks(e) => e.hint().into(),
            DeskError::SandboxStart(_) => {
                "Another program may hold the port. Unset FLINKS_DESK_SANDBOX_PORT or pick another port, then restart Flinks Desk.".into()
            }
            DeskError::UnknownCustomer(_) => "Pick a customer from the list.".into(),
            DeskError::SecurityChallenge => {
                "Connect the customer again through Flinks Connect to answer the question.".into()
            }
            DeskError::Store(StoreError::Corrupt { path } | StoreError::TooNew { path }) => format!(
                "Move {} aside (or set FLINKS_DESK_DATA_DIR to another folder) and start Flinks Desk again; your file is kept as it is.",
                path.display()
            ),
            DeskError::Store(StoreError::NoSuchRun(_)) | DeskError::RunNotCompleted(_) => {
                "Pick a completed run from the history.".into()
            }
            DeskError::Store(_) => {
                "Check that the data folder is writable and the disk not full, then try again.".into()
            }
            DeskError::UnknownAttribute(_) => "Pick an attribute from the table.".into(),
            DeskError::Secrets(e) => e.hint().into(),
            DeskError::Invalid(_) => "Correct the field and try again.".into(),
            DeskError::LoginIdMissing => {
                "Remove the customer and add it again with its loginId (from the Flinks Dashboard or Connect).".into()
            }
            DeskError::Chart(_) => "The table has every value; please report the chart that failed.".into(),
            DeskError::Export(_) => {
                "Pick a folder you can write to (and a file that is not open in another program), then export again.".into()
            }
            DeskError::Connect(e) => e.hint().into(),
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
