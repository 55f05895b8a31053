//! The desk's errors, typed so every front end can tell the person what happened and what to do,
//! and the codes the UI switches on (it never reads the message's text).

use std::fmt;

use flinks_client::{FlinksCode, FlinksError};
use serde::{Serialize, Serializer};

use crate::store::StoreError;
use crate::team::TeamError;

/// What went wrong in the desk, typed so the app can show a message and what to do next.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error(transparent)]
    Flinks(FlinksError),
    /// The person (or a portfolio's cancel) stopped the run.
    #[error("cancelled")]
    Cancelled,
    #[error("the built-in Flinks Capital sandbox could not start: {0}")]
    SandboxStart(std::io::Error),
    #[error("there is no environment {0:?}")]
    UnknownEnvironment(String),
    #[error("there is no customer {0:?} in this environment")]
    UnknownCustomer(String),
    #[error("there is no package {0:?}")]
    UnknownPackage(String),
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
    /// A field the person typed is wrong; the text says which and why.
    #[error("{0}")]
    Invalid(String),
    #[error("this customer's loginId is no longer in the keyring")]
    LoginIdMissing,
    /// Signing the same bank login in twice gives the same loginId: one customer is enough.
    #[error("this bank login is already a customer here: {existing}")]
    DuplicateLogin { existing: String },
    /// A sign-in's question was answered, cancelled or waited too long.
    #[error("this sign-in is no longer waiting (answered, cancelled or too old): sign in again")]
    SignInExpired,
    #[error("a portfolio run is already in progress")]
    PortfolioRunning,
    #[error(transparent)]
    Policy(#[from] desk_policy::policy::PolicyError),
    #[error(transparent)]
    Affordability(#[from] desk_policy::affordability::AffordabilityError),
    #[error("there is no decision {0}")]
    UnknownDecision(i64),
    /// A billable call to production that the person has not confirmed.
    #[error("{what} on {environment}, a production environment, is billed by Flinks and needs your confirmation")]
    ProductionUnconfirmed { environment: String, what: String },
    /// Flinks Connect ended without a login (the customer gave up, or the bank refused).
    #[error("Flinks Connect did not connect the bank: {0}")]
    Connect(#[from] flinks_client::ConnectError),
    #[error(transparent)]
    Team(#[from] crate::team::TeamError),
    /// A run pulled from another desk of the team: its customer's loginId is in that desk's
    /// keyring, never in the team store.
    #[error("this run was shared by {user} from another desk: the customer's loginId is on that desk, not this one")]
    SharedCustomer { user: String },
}

impl From<FlinksError> for DeskError {
    fn from(e: FlinksError) -> Self {
        match e {
            FlinksError::Cancelled => DeskError::Cancelled,
            e => DeskError::Flinks(e),
        }
    }
}

impl From<flinks_client::FlowError> for DeskError {
    fn from(e: flinks_client::FlowError) -> Self {
        match e {
            flinks_client::FlowError::Flinks(e) => e.into(),
            flinks_client::FlowError::SecurityChallenge => DeskError::SecurityChallenge,
        }
    }
}

/// What the UI switches on. It travels as a dotted string (`flinks.session_nonexistent`,
/// `input.invalid`, `cancelled`), the same strings the page and the tests have always read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorCode {
    /// Flinks refused with this FlinksCode: `flinks.<code in lower case>`.
    Flinks(FlinksCode),
    FlinksTransport,
    FlinksTimeout,
    FlinksDecode,
    FlinksPollTimeout,
    FlinksRedirect,
    SecurityChallenge,
    Cancelled,
    SandboxStart,
    EnvironmentUnknown,
    CustomerUnknown,
    CustomerLoginMissing,
    CustomerDuplicate,
    PackageUnknown,
    SignInExpired,
    PortfolioRunning,
    PolicyInvalid,
    AffordabilityInvalid,
    DecisionUnknown,
    ProductionUnconfirmed,
    StoreCorrupt,
    StoreTooNew,
    StoreError,
    StoreLocation,
    RunUnknown,
    RunNotCompleted,
    ExportWrite,
    ExportPath,
    /// A credit file (PDF or workbook) could not be made: a defect, not the person's doing.
    ExportReport,
    ChartDraw,
    AttributeUnknown,
    KeyringLocked,
    KeyringUnavailable,
    KeyringError,
    InputInvalid,
    /// Connect redirected with this error: `connect.<error in lower case>`.
    Connect(String),
    ConnectOpen,
    ConnectWindow,
    TeamUnreachable,
    TeamRefused,
    TeamSetup,
    TeamFailure,
    CustomerShared,
}

impl ErrorCode {
    pub fn as_str(&self) -> std::borrow::Cow<'static, str> {
        use ErrorCode::*;
        let fixed = match self {
            Flinks(code) => return format!("flinks.{}", code.as_str().to_ascii_lowercase()).into(),
            Connect(error) => return format!("connect.{}", error.to_ascii_lowercase()).into(),
            FlinksTransport => "flinks.transport",
            FlinksTimeout => "flinks.timeout",
            FlinksDecode => "flinks.decode",
            FlinksPollTimeout => "flinks.poll_timeout",
            FlinksRedirect => "flinks.redirect",
            SecurityChallenge => "flinks.security_challenge",
            Cancelled => "cancelled",
            SandboxStart => "sandbox.start",
            EnvironmentUnknown => "environment.unknown",
            CustomerUnknown => "customer.unknown",
            CustomerLoginMissing => "customer.login_missing",
            CustomerDuplicate => "customer.duplicate",
            PackageUnknown => "package.unknown",
            SignInExpired => "sign_in.expired",
            PortfolioRunning => "portfolio.running",
            PolicyInvalid => "policy.invalid",
            AffordabilityInvalid => "affordability.invalid",
            DecisionUnknown => "decision.unknown",
            ProductionUnconfirmed => "production.unconfirmed",
            StoreCorrupt => "store.corrupt",
            StoreTooNew => "store.too_new",
            StoreError => "store.error",
            StoreLocation => "store.location",
            RunUnknown => "run.unknown",
            RunNotCompleted => "run.not_completed",
            ExportWrite => "export.write",
            ExportPath => "export.path",
            ExportReport => "export.report",
            ChartDraw => "chart.draw",
            AttributeUnknown => "attribute.unknown",
            KeyringLocked => "keyring.locked",
            KeyringUnavailable => "keyring.unavailable",
            KeyringError => "keyring.error",
            InputInvalid => "input.invalid",
            ConnectOpen => "connect.open",
            ConnectWindow => "connect.window",
            TeamUnreachable => "team.unreachable",
            TeamRefused => "team.refused",
            TeamSetup => "team.setup",
            TeamFailure => "team.error",
            CustomerShared => "customer.shared",
        };
        fixed.into()
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// An error as the UI receives it: it switches on `code`, shows `message` and `hint`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorView {
    pub code: ErrorCode,
    pub message: String,
    pub hint: String,
}

impl ErrorView {
    /// An error of the shell's own (a window that would not open, a path that is not a file).
    pub fn new(code: ErrorCode, message: impl Into<String>, hint: impl Into<String>) -> Self {
        ErrorView {
            code,
            message: message.into(),
            hint: hint.into(),
        }
    }
}

impl From<DeskError> for ErrorView {
    fn from(e: DeskError) -> Self {
        e.view()
    }
}

impl DeskError {
    pub fn code(&self) -> ErrorCode {
        match self {
            DeskError::Flinks(e) => match e {
                FlinksError::Api { code, .. } => ErrorCode::Flinks(code.clone()),
                FlinksError::Transport(_) => ErrorCode::FlinksTransport,
                FlinksError::Timeout(_) => ErrorCode::FlinksTimeout,
                FlinksError::Decode { .. } => ErrorCode::FlinksDecode,
                FlinksError::PollTimeout { .. } => ErrorCode::FlinksPollTimeout,
                FlinksError::Cancelled => ErrorCode::Cancelled,
                FlinksError::Redirect { .. } => ErrorCode::FlinksRedirect,
            },
            DeskError::Cancelled => ErrorCode::Cancelled,
            DeskError::SandboxStart(_) => ErrorCode::SandboxStart,
            DeskError::UnknownEnvironment(_) => ErrorCode::EnvironmentUnknown,
            DeskError::UnknownCustomer(_) => ErrorCode::CustomerUnknown,
            DeskError::UnknownPackage(_) => ErrorCode::PackageUnknown,
            DeskError::SecurityChallenge => ErrorCode::SecurityChallenge,
            DeskError::Store(e) => match e {
                StoreError::Corrupt { .. } => ErrorCode::StoreCorrupt,
                StoreError::TooNew { .. } => ErrorCode::StoreTooNew,
                StoreError::NoSuchRun(_) => ErrorCode::RunUnknown,
                StoreError::Open { .. } | StoreError::Sql(_) | StoreError::Invalid(_) => {
                    ErrorCode::StoreError
                }
            },
            DeskError::Export(_) => ErrorCode::ExportWrite,
            DeskError::RunNotCompleted(_) => ErrorCode::RunNotCompleted,
            DeskError::Chart(_) => ErrorCode::ChartDraw,
            DeskError::UnknownAttribute(_) => ErrorCode::AttributeUnknown,
            DeskError::Secrets(crate::secrets::SecretError::Locked(_)) => ErrorCode::KeyringLocked,
            DeskError::Secrets(crate::secrets::SecretError::Unavailable(_)) => {
                ErrorCode::KeyringUnavailable
            }
            DeskError::Secrets(_) => ErrorCode::KeyringError,
            DeskError::Invalid(_) => ErrorCode::InputInvalid,
            DeskError::LoginIdMissing => ErrorCode::CustomerLoginMissing,
            DeskError::DuplicateLogin { .. } => ErrorCode::CustomerDuplicate,
            DeskError::SignInExpired => ErrorCode::SignInExpired,
            DeskError::PortfolioRunning => ErrorCode::PortfolioRunning,
            DeskError::Policy(_) => ErrorCode::PolicyInvalid,
            DeskError::Affordability(_) => ErrorCode::AffordabilityInvalid,
            DeskError::UnknownDecision(_) => ErrorCode::DecisionUnknown,
            DeskError::ProductionUnconfirmed { .. } => ErrorCode::ProductionUnconfirmed,
            DeskError::Connect(e) => ErrorCode::Connect(e.error.clone()),
            DeskError::Team(e) => match e {
                TeamError::Unreachable { .. } => ErrorCode::TeamUnreachable,
                TeamError::Refused { .. } => ErrorCode::TeamRefused,
                TeamError::NotSetUp | TeamError::TooNew { .. } => ErrorCode::TeamSetup,
                TeamError::BadUrl(_) | TeamError::NeedsTls { .. } => ErrorCode::InputInvalid,
                TeamError::Database(_) | TeamError::Local(_) => ErrorCode::TeamFailure,
            },
            DeskError::SharedCustomer { .. } => ErrorCode::CustomerShared,
        }
    }

    /// The run was stopped on purpose, not failed.
    pub fn is_cancelled(&self) -> bool {
        self.code() == ErrorCode::Cancelled
    }

    pub fn hint(&self) -> String {
        match self {
            DeskError::Flinks(e) => e.hint().into(),
            DeskError::Cancelled => "Run it again when you are ready.".into(),
            DeskError::SandboxStart(_) => {
                "Another program may hold the port. Unset FLINKS_DESK_SANDBOX_PORT or pick another port, then restart Flinks Desk.".into()
            }
            DeskError::UnknownEnvironment(_) => "Pick an environment from the list.".into(),
            DeskError::UnknownCustomer(_) => "Pick a customer from the list.".into(),
            DeskError::UnknownPackage(_) => "Pick a package from the list.".into(),
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
            DeskError::DuplicateLogin { .. } => {
                "Pick that customer from the list; rename it if the name is not the one you expect.".into()
            }
            DeskError::SignInExpired => "Start the sign-in again with the customer.".into(),
            DeskError::PortfolioRunning => "Wait for it to finish, or cancel it first.".into(),
            DeskError::Policy(_) => {
                "Correct the policy where the message says (node, row, column), then decide again; nothing was stored.".into()
            }
            DeskError::Affordability(_) => {
                "Correct the loan's figures (or run a package with the income attributes), then decide again.".into()
            }
            DeskError::UnknownDecision(_) => "Pick a decision from the run's history.".into(),
            DeskError::ProductionUnconfirmed { .. } => {
                "Confirm that you mean to call production, then try again.".into()
            }
            DeskError::Chart(_) => "The table has every value; please report the chart that failed.".into(),
            DeskError::Export(_) => {
                "Pick a folder you can write to (and a file that is not open in another program), then export again.".into()
            }
            DeskError::Connect(e) => e.hint().into(),
            DeskError::Team(TeamError::Unreachable { .. }) => {
                "Keep working: runs and decisions are kept on this desk and shared when the team store is back.".into()
            }
            DeskError::Team(TeamError::Refused { .. }) => {
                "Check the user and password of the team store URL (FLINKS_DESK_STORE or --store) with whoever set it up.".into()
            }
            DeskError::Team(TeamError::NotSetUp | TeamError::TooNew { .. }) => {
                "Ask whoever set up the team store to run `desk team setup` with the current Flinks Desk (README, Team store).".into()
            }
            DeskError::Team(TeamError::BadUrl(_) | TeamError::NeedsTls { .. }) => {
                "Correct the team store URL: postgres://user:password@host:5432/database, with ?sslmode=require off this machine.".into()
            }
            DeskError::Team(_) => {
                "Nothing on this desk was lost; try again, and tell whoever runs the team store if it goes on.".into()
            }
            DeskError::SharedCustomer { user } => format!(
                "Open it, decide it or export its credit file here; to fetch fresh data, ask {user} to run it again, or add the customer on this desk with its own loginId."
            ),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_to_the_dotted_strings_the_ui_reads() {
        let view = DeskError::from(FlinksError::Cancelled).view();
        assert_eq!(serde_json::to_value(&view).unwrap()["code"], "cancelled");
        let code = DeskError::UnknownEnvironment("x".into()).code();
        assert_eq!(
            serde_json::to_string(&code).unwrap(),
            "\"environment.unknown\""
        );
        assert_eq!(
            ErrorCode::Flinks(FlinksCode::InvalidSecurityResponse).to_string(),
            "flinks.invalid_security_response"
        );
        assert_eq!(
            ErrorCode::Connect("ACCESS_DENIED".into()).to_string(),
            "connect.access_denied"
        );
    }

    #[test]
    fn a_cancelled_flow_is_the_desk_s_cancelled_not_a_flinks_failure() {
        let e = DeskError::from(flinks_client::FlowError::Flinks(FlinksError::Cancelled));
        assert!(matches!(e, DeskError::Cancelled));
        assert!(e.is_cancelled());
        assert!(!DeskError::PortfolioRunning.is_cancelled());
    }
}
