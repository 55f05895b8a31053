//! The team's shared records, and the two stores that keep them behind one trait.
//!
//! A desk always works on its own SQLite file (`crate::store::Store`): it is the single desk's
//! store, and a team desk's copy when the team's server cannot be reached. A lending team adds a
//! PostgreSQL database (`postgres`). Both implement [`TeamStore`] with the same meaning: a store
//! of runs, decisions, policy versions and audit entries from any number of desks, each record
//! named by a `uid` that is the same on every desk, written once (pushing it again stores
//! nothing), never rewritten. Syncing (`desk/sync.rs`) is then `remote.push(local.pull(...))` and
//! back. This module imports nothing of the store: the store implements its trait.
//!
//! What never travels: loginIds, keys, tokens. A shared run names its customer by the key that
//! finds the loginId in the keyring of the desk that made it, so another desk can read the run
//! but cannot run the customer again without its own loginId.

pub mod postgres;

use serde::{Deserialize, Serialize};

/// How a team store failed. `Unreachable` is the one a desk works through (offline-first);
/// the others are said as they are.
#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    #[error("the team store at {at} cannot be reached ({reason}); the desk works on its own copy and shares when it is back")]
    Unreachable { at: String, reason: String },
    #[error("the team store refused the sign-in at {at}: check the user and password in its URL")]
    Refused { at: String },
    #[error("the team store URL is not valid: {0}")]
    BadUrl(String),
    #[error("the team store at {at} is on another host: its password and the team's records only travel there over TLS (add sslmode=require to the URL)")]
    NeedsTls { at: String },
    #[error("the team store's schema is version {found}, newer than this desk knows ({known}): update Flinks Desk")]
    TooNew { found: i64, known: i64 },
    #[error("the team store's tables are missing and this role cannot create them: ask whoever set it up to run `desk team setup` (see the README)")]
    NotSetUp,
    #[error("team store error: {0}")]
    Database(String),
    /// This desk's own file failed (said as text: the store sits above this module, which
    /// imports nothing of it).
    #[error("this desk's database: {0}")]
    Local(String),
}

/// A desk's identity in the team: a random id made at its first start, and the OS user at it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeskId {
    pub desk: String,
    pub user: String,
}

/// The environment a run was made in, as the other desks need to show it (no keys: those are in
/// the making desk's keyring).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SharedEnvironment {
    pub key: String,
    pub name: String,
    /// `builtin`, `toolbox` or `private`.
    pub kind: String,
    pub api_base_url: String,
    pub customer_id: String,
    pub production: bool,
}

/// The customer a run was made for: the label and the last four characters of the loginId
/// that the making desk shows, and the key that finds the whole loginId in its keyring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SharedCustomer {
    pub key: String,
    pub label: String,
    pub institution: Option<String>,
    pub login_last4: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedValue {
    pub scope: String,
    pub name: String,
    pub raw: String,
    pub number: Option<f64>,
}

/// A transaction behind values, kept once per run; amounts in the exact text Flinks sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SharedTransaction {
    pub account_id: Option<String>,
    pub transaction_id: Option<String>,
    pub date: String,
    pub description: Option<String>,
    pub debit: Option<String>,
    pub credit: Option<String>,
    pub balance: Option<String>,
}

/// One account's end-of-day balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SharedBalance {
    /// The account's place in Flinks' list.
    pub position: i64,
    pub account_id: String,
    pub title: Option<String>,
    pub last4: Option<String>,
    pub date: String,
    pub balance: String,
}

/// A finished run as every desk of the team sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SharedRun {
    pub uid: String,
    /// The desk that made it, and the OS user at it.
    pub made_on: DeskId,
    pub environment: SharedEnvironment,
    pub customer: SharedCustomer,
    pub package: String,
    /// `completed`, `failed`, `cancelled` or `interrupted`: a run is shared once it ended.
    pub status: String,
    pub request_id: Option<String>,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub duration_ms: Option<i64>,
    pub accounts: Option<i64>,
    pub transactions: Option<i64>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// In the order Flinks sent them.
    pub values: Vec<SharedValue>,
    /// Each distinct transaction behind the values once ...
    pub details: Vec<SharedTransaction>,
    /// ... and each value's transactions, by place in `details`, in Flinks' order.
    pub detail_lists: Vec<(String, Vec<u32>)>,
    pub balances: Vec<SharedBalance>,
}

/// A saved version of a policy, found on every desk by its name and its document's SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SharedPolicyVersion {
    pub policy: String,
    pub sha256: String,
    pub document: String,
    pub note: String,
    pub saved_at: String,
}

/// A decision on a shared run. A second decision on the same run is a review: it stands beside
/// the first, which is never overwritten.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SharedDecision {
    pub uid: String,
    pub run_uid: String,
    pub made_on: DeskId,
    pub policy: String,
    pub policy_sha256: String,
    pub decision: String,
    pub reasons: String,
    pub input: String,
    pub trace: String,
    pub affordability: Option<String>,
    pub override_decision: Option<String>,
    pub override_comment: Option<String>,
    pub decided_at: String,
    pub decided_by: String,
}

/// One line of the audit log: who (OS user and desk), what, when. Only ever added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub uid: String,
    pub at: String,
    pub made_on: DeskId,
    /// e.g. `run.completed`, `decision.made`, `decision.overridden`, `policy.saved`.
    pub action: String,
    /// What it was about: a run's or decision's uid, a policy's name and hash. Never a secret.
    pub subject: String,
}

/// What one push carries; policy versions come before the decisions that name them, runs
/// before their decisions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Batch {
    pub runs: Vec<SharedRun>,
    pub policy_versions: Vec<SharedPolicyVersion>,
    pub decisions: Vec<SharedDecision>,
    pub audit: Vec<AuditEntry>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
            && self.policy_versions.is_empty()
            && self.decisions.is_empty()
            && self.audit.is_empty()
    }
}

/// How many records a push stored; records the store had already are not counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stored {
    pub runs: usize,
    pub policy_versions: usize,
    pub decisions: usize,
    pub audit: usize,
}

/// A batch pulled from a store, and where to pull from next time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pulled {
    pub batch: Batch,
    /// Give it back to the next pull: records added after this point come then.
    pub cursor: i64,
    /// Whether there are more records after this batch.
    pub more: bool,
}

/// Whose records a pull returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Desks<'a> {
    All,
    /// This desk's own: what it pushes.
    Only(&'a str),
    /// The other desks': what it pulls.
    Except(&'a str),
}

/// Where a run stands with its decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewStatus {
    /// Not decided yet.
    Undecided,
    /// One decision, as the policy said.
    Decided,
    /// Decided again (by a second underwriter or later), no override.
    Reviewed,
    /// An underwriter overrode the policy.
    Overridden,
}

impl ReviewStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Undecided => "undecided",
            ReviewStatus::Decided => "decided",
            ReviewStatus::Reviewed => "reviewed",
            ReviewStatus::Overridden => "overridden",
        }
    }

    pub fn parse(text: &str) -> Option<ReviewStatus> {
        [
            ReviewStatus::Undecided,
            ReviewStatus::Decided,
            ReviewStatus::Reviewed,
            ReviewStatus::Overridden,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// From a run's decisions: how many, and whether any overrode the policy.
    pub fn of(decisions: i64, overridden: bool) -> ReviewStatus {
        match (decisions, overridden) {
            (0, _) => ReviewStatus::Undecided,
            (_, true) => ReviewStatus::Overridden,
            (1, false) => ReviewStatus::Decided,
            _ => ReviewStatus::Reviewed,
        }
    }
}

/// Which runs of the team's history to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamFilter {
    /// The OS user who made the run or decided it.
    pub underwriter: Option<String>,
    pub review: Option<ReviewStatus>,
    /// At most this many, newest first (all when `None`).
    pub limit: Option<usize>,
}

impl TeamFilter {
    /// Whether a run made by `made_by`, decided by `deciders`, standing at `review`, is listed
    /// (the limit aside).
    pub fn admits(&self, made_by: Option<&str>, deciders: &[String], review: ReviewStatus) -> bool {
        let by_underwriter = match &self.underwriter {
            None => true,
            Some(u) => made_by == Some(u.as_str()) || deciders.iter().any(|d| d == u),
        };
        by_underwriter && self.review.map_or(true, |wanted| wanted == review)
    }
}

/// One run in the team's history, with where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamRun {
    pub uid: String,
    pub made_on: DeskId,
    pub environment: String,
    pub customer_label: String,
    pub package: String,
    pub status: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub values: i64,
    pub review: ReviewStatus,
    /// The latest decision (an override's word when it overrode), and who made it.
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    /// Everyone who decided it, in order.
    pub deciders: Vec<String>,
}

/// A store of the team's records. Pushing a record the store has (same uid) stores nothing and is
/// not an error; nothing is ever rewritten.
#[async_trait::async_trait]
pub trait TeamStore: Send + Sync {
    /// Stores what the store does not have yet, all of a batch or nothing.
    async fn push(&self, batch: &Batch) -> Result<Stored, TeamError>;
    /// Records added after `cursor` (0: from the start) by the desks `from`, at most `max`
    /// records, in the order they were added (a run before its decisions, a policy version
    /// before the decisions made with it).
    async fn pull(&self, cursor: i64, from: Desks<'_>, max: usize) -> Result<Pulled, TeamError>;
    /// The team's runs, newest first.
    async fn history(&self, filter: &TeamFilter) -> Result<Vec<TeamRun>, TeamError>;
    /// A run's decisions, oldest first.
    async fn decisions_of(&self, run_uid: &str) -> Result<Vec<SharedDecision>, TeamError>;
    /// The audit log, oldest first.
    async fn audit_log(&self) -> Result<Vec<AuditEntry>, TeamError>;
}

/// A new uid: 32 lowercase hex digits, the same shape SQLite's `hex(randomblob(16))` gives rows
/// made before uids existed.
pub fn new_uid() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
