//! What a sandbox instance is started with, and the fixed names of the toolbox it imitates.

use std::time::Duration;

use chrono::NaiveDate;

use crate::fault_rules::FaultRule;
use crate::personas;

/// The public toolbox customerId (flinks-api.md §1); the sandbox answers to it by default.
pub const TOOLBOX_CUSTOMER_ID: &str = "43387ca6-0391-4c82-857d-70d95f087ecb";
/// The port `flinks-sandbox` and `cargo desk sandbox` listen on when none is given.
pub const DEFAULT_PORT: u16 = 8787;
pub const INSTITUTION: &str = "FlinksCapital";
/// The public toolbox secret key (flinks-api.md §1), which GenerateAuthorizeToken accepts by default.
pub const TOOLBOX_SECRET_KEY: &str = "c4569c54-e167-4d34-8de6-f4113bc82414";
/// The `InstitutionId` of the replies.
pub(super) const INSTITUTION_ID: u32 = 14;

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub seed: u64,
    /// The day the data ends ("today" for the personas).
    pub as_of: NaiveDate,
    /// customerIds this instance answers to.
    pub customer_ids: Vec<String>,
    /// How long `GetAccountsDetail` answers `202 OPERATION_PENDING` after an Authorize.
    pub pending_for: Duration,
    /// How many GetAccountsDetail and GetAccountsDetailAsync calls of a `test_pending` or
    /// `test_dispatched` session answer 202 (`OPERATION_PENDING` / `OPERATION_DISPATCHED`)
    /// before the data, on top of `pending_for`.
    pub slow_polls: u32,
    /// A session (requestId) unused for this long is gone: `SESSION_NONEXISTENT`.
    pub session_ttl: Duration,
    /// The `flinks-auth-key` GenerateAuthorizeToken accepts.
    pub secret_key: String,
    /// An authorize token not used within this time is refused (30 minutes, as Flinks).
    pub authorize_token_ttl: Duration,
    /// Authorize refuses calls without a fresh authorize token (`ACCESS_DENIED`). Off by default.
    pub require_authorize_token: bool,
    /// DeleteCard answers `CARD_IN_USE` for this long after an Authorize of the login.
    pub card_in_use_for: Duration,
    /// The `x-api-key` data endpoints require; None checks nothing.
    pub api_key: Option<String>,
    /// Fault rules in force from the start (see [`crate::faults`]).
    pub faults: Vec<FaultRule>,
    /// How long a `timeout` fault holds the answer back: longer than clients wait, by default.
    pub fault_delay: Duration,
    /// A file where the instance keeps which test logins a live Authorize created and which
    /// logins DeleteCard deleted, so they outlive a restart as at Flinks. By username: the
    /// loginIds follow from the seed, and the file holds nothing secret. None: memory only.
    pub saved_logins: Option<std::path::PathBuf>,
    /// Customers served besides the cast, after it: scripted applicants for loads that need
    /// many distinct loginIds, and a big customer for loads that need one large reply (see
    /// [`personas::Applicants`]). None by default.
    pub applicants: personas::Applicants,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            seed: personas::DEFAULT_SEED,
            as_of: chrono::Utc::now().date_naive(),
            customer_ids: vec![TOOLBOX_CUSTOMER_ID.to_owned()],
            pending_for: Duration::from_secs(3),
            slow_polls: 3,
            session_ttl: Duration::from_secs(30 * 60),
            secret_key: TOOLBOX_SECRET_KEY.to_owned(),
            authorize_token_ttl: Duration::from_secs(30 * 60),
            require_authorize_token: false,
            card_in_use_for: Duration::from_secs(2),
            api_key: None,
            faults: Vec::new(),
            fault_delay: Duration::from_secs(60),
            saved_logins: None,
            applicants: personas::Applicants::default(),
        }
    }
}
