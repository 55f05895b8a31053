//! What the desk shows: the data-only types every use case returns and every front end reads
//! (the app's webview, the CLI, exports, charts). They hold no client, store or secret, and
//! import nothing of the use cases, so charts and exports can read them without reaching back
//! into the desk.

use serde::Serialize;

use crate::catalog::Unit;
use crate::flow::RunEvent;
use crate::secrets::SecretError;
use crate::store::{EnvironmentKind, RunStatus, StoredDetail};
use crate::ErrorView;

/// An environment as the UI sees it: where, whom, and whether its secrets are in the keyring —
/// never the secrets.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentView {
    pub key: String,
    pub name: String,
    pub kind: EnvironmentKind,
    pub api_base_url: String,
    pub customer_id: String,
    pub production: bool,
    /// The built-in sandbox: runs on this machine, nothing leaves it.
    pub offline: bool,
    /// Whether the keys are in the keyring; false too when it could not be read (see `keyring`).
    pub has_secret_key: bool,
    pub has_api_key: bool,
    /// Whether the keyring could be read just now: a locked one is not keys "not set".
    pub keyring: KeyringState,
    /// Each Authorize gets a fresh authorize token bought with the secret key.
    pub authorize_tokens: bool,
    /// Connect's address when set by hand; otherwise it follows from the API URL.
    pub iframe_url: Option<String>,
    pub poll_interval_secs: u64,
    pub poll_max_wait_mins: u64,
}

/// The keyring as an environment's view found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyringState {
    Ok,
    Locked,
    Unavailable,
    Failed,
}

impl From<&SecretError> for KeyringState {
    fn from(e: &SecretError) -> Self {
        match e {
            SecretError::Locked(_) => KeyringState::Locked,
            SecretError::Unavailable(_) => KeyringState::Unavailable,
            SecretError::Failed(_) => KeyringState::Failed,
        }
    }
}

/// A customer as the UI may see it: never the whole loginId.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerView {
    pub id: String,
    pub environment: String,
    pub label: String,
    pub story: String,
    pub institution: String,
    pub login_last4: String,
    /// When its latest completed run ended (RFC 3339, UTC): how fresh the desk's view of it is.
    pub last_run: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageView {
    pub slug: &'static str,
    pub title: &'static str,
    pub available: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeRow {
    /// `login` for the whole login, or an account id.
    pub scope: String,
    pub name: String,
    pub label: String,
    pub category: String,
    pub unit: Unit,
    pub definition: String,
    /// The value as Flinks sent it, exactly (decimal text for numbers).
    pub raw: String,
    /// The value as a number when it is one, for formatting and sorting.
    pub number: Option<f64>,
    pub known: bool,
    /// How many transactions Flinks named behind the value (0: nothing to explain).
    pub transactions: u32,
}

/// The transactions behind one value, and what they add up to.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    pub name: String,
    pub label: String,
    pub unit: Unit,
    pub raw: String,
    pub transactions: Vec<StoredDetail>,
    /// Credits minus debits of those transactions, exact.
    pub net: String,
    /// Credits plus debits: what a sum of payments or of deposits adds up to.
    pub gross: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunResult {
    pub run_id: i64,
    pub customer_label: String,
    pub package: &'static str,
    pub environment: String,
    pub request_id: String,
    pub accounts: usize,
    pub transactions: usize,
    pub duration_ms: u64,
    pub finished_at: String,
    pub rows: Vec<AttributeRow>,
    /// Who ran it, when it was pulled from another desk of the team: its customer's loginId is
    /// there, so nothing that calls Flinks for this customer (statements, a new run) works here.
    pub shared_by: Option<String>,
    /// The package's headline attributes that this run has, most telling first: what an
    /// underwriter reads before the full table.
    pub summary: Vec<SummaryItem>,
}

/// One headline attribute of a run, with its value and why it is read first.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryItem {
    pub name: String,
    pub label: String,
    /// The value as Flinks sent it.
    pub raw: String,
    pub number: Option<f64>,
    pub unit: Unit,
    /// One sentence: why an underwriter looks at it.
    pub why: String,
}

/// An attribute the custom request's picker offers.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeChoice {
    pub name: String,
    pub label: String,
    pub category: String,
}

/// One customer of a portfolio run.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortfolioEntry {
    pub customer_id: String,
    pub label: String,
    /// The run in the history, when it completed.
    pub run_id: Option<i64>,
    /// Completed, failed or cancelled (`completed`, … on the wire).
    pub status: RunStatus,
    pub values: usize,
    pub error: Option<ErrorView>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortfolioResult {
    pub package: &'static str,
    /// In the order the customers were given.
    pub entries: Vec<PortfolioEntry>,
    pub completed: usize,
    pub failed: usize,
    pub cancelled: usize,
    pub duration_ms: u64,
}

/// A portfolio's progress: each customer's run events, and each customer's end.
#[derive(Debug, Clone, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum PortfolioEvent {
    Run {
        customer_id: String,
        event: RunEvent,
    },
    Finished {
        entry: PortfolioEntry,
    },
}

/// Two runs side by side: the same attribute names lined up.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    pub left: RunResult,
    pub right: RunResult,
    pub rows: Vec<ComparedRow>,
    /// Both runs in each chart they can share (`charts::comparison_charts`): none when they
    /// share no series, or when drawing failed, since the table alone still compares them.
    pub charts: Vec<Chart>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ComparedRow {
    pub name: String,
    pub label: String,
    pub unit: Unit,
    pub left: Option<String>,
    pub left_number: Option<f64>,
    pub right: Option<String>,
    pub right_number: Option<f64>,
    /// right − left when both are numbers.
    pub difference: Option<f64>,
}

/// Where an export went.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportSummary {
    pub path: String,
    pub rows: usize,
}

/// One drawn chart: its SVG and the same data in words.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Chart {
    pub id: String,
    pub title: String,
    pub svg: String,
    /// The chart's data in words, for screen readers and for the test of what it shows.
    pub description: String,
}

/// A run in the history, with its latest decision when it was decided.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    #[serde(flatten)]
    pub run: crate::store::RunRecord,
    pub decision: Option<DecisionSummary>,
    /// Decided, reviewed (decided again), overridden, or not yet.
    pub review: crate::team::ReviewStatus,
    /// Everyone who decided it, in order.
    pub deciders: Vec<String>,
}

/// A decision in a line: what the policy said, what stands, and with which policy version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionSummary {
    pub id: i64,
    pub policy: String,
    pub policy_sha256: String,
    /// `pass`, `refer` or `decline`, as the policy said.
    pub decision: String,
    /// What stands: the override when there is one, else the policy's decision.
    pub final_decision: String,
    pub overridden: bool,
    pub decided_at: String,
    pub decided_by: String,
}

/// A decision as recorded: what the policy said and why, what it read, the rows that matched,
/// the affordability figures, and the underwriter's override with its comment.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionView {
    #[serde(flatten)]
    pub summary: DecisionSummary,
    pub run_id: i64,
    pub customer_label: String,
    pub package: String,
    pub override_comment: Option<String>,
    pub reasons: Vec<desk_policy::policy::Reason>,
    /// The exact input the policy read.
    pub input: serde_json::Value,
    pub trace: desk_policy::policy::Trace,
    pub affordability: Option<serde_json::Value>,
}

/// What another policy would have decided on the past decisions.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WhatIf {
    pub policy_sha256: String,
    /// Past decisions the policy could read and was run over.
    pub evaluated: usize,
    pub changed: usize,
    pub changes: Vec<DecisionChange>,
}

/// One past decision that another policy would change, with both sides' reasons.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionChange {
    pub run_id: i64,
    pub customer_label: String,
    pub package: String,
    pub before: String,
    pub after: String,
    pub before_reasons: Vec<desk_policy::policy::Reason>,
    pub after_reasons: Vec<desk_policy::policy::Reason>,
}
