//! The credit file: everything a report of one run carries, gathered once from the store so the
//! PDF and the workbook (crate `desk-report`) show the same thing and neither reads the store.
//!
//! Data only. Nothing secret is in it: the loginId appears as its last four characters, no key
//! of any kind is read.

use desk_policy::affordability::Formula;
use desk_policy::policy::Reason;
use serde::Serialize;

use crate::store::{AttachedStatement, StoredDetail, TransactionBehind};
use crate::view::{AttributeRow, Chart, DecisionSummary, SummaryItem};

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditFile {
    pub run_id: i64,
    pub customer: String,
    /// The loginId's last four characters, never more.
    pub login_last4: Option<String>,
    pub institution: Option<String>,
    pub environment: String,
    /// A production environment: real customers, billed calls. The report says so in red.
    pub production: bool,
    pub package: String,
    pub request_id: String,
    /// The last day the data covers (the latest transaction or balance), `YYYY-MM-DD`.
    pub data_as_of: String,
    /// When the run finished, RFC 3339.
    pub finished_at: String,
    pub transactions: usize,
    pub accounts: Vec<AccountLine>,
    /// The latest decision on the run, if it was decided.
    pub decision: Option<FileDecision>,
    /// The package's headline attributes, with why each matters.
    pub headline: Vec<SummaryItem>,
    pub charts: Vec<Chart>,
    /// Every attribute with its unit and definition.
    pub rows: Vec<AttributeRow>,
    /// Every transaction behind a value, once, with the values it is behind, by date. Their
    /// `account_id` is the account as a report shows it: the account number's last four (the
    /// `accounts` above), or the last four of Flinks' account id when the run kept no accounts.
    pub transactions_behind: Vec<TransactionBehind>,
    pub statements: Vec<AttachedStatement>,
    /// Who the file is made for and when it stands: see [`Provenance`].
    pub provenance: Provenance,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountLine {
    pub title: Option<String>,
    /// At most the last four characters of the account number.
    pub last4: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileDecision {
    #[serde(flatten)]
    pub summary: DecisionSummary,
    pub override_comment: Option<String>,
    /// Each reason with the transactions behind the attribute it names (accounts shown as in
    /// [`CreditFile::transactions_behind`]).
    pub reasons: Vec<ReasonEvidence>,
    /// GDS, TDS, DSCR and their inputs, with their formulas, when a loan was typed in.
    pub affordability: Vec<Formula>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReasonEvidence {
    #[serde(flatten)]
    pub reason: Reason,
    /// The attribute's label when the package has it (a policy figure has none).
    pub label: Option<String>,
    pub transactions: Vec<StoredDetail>,
}

/// What makes a report of a stored run the same bytes whenever it is made: its moment is the
/// record's (the decision's time, else the run's end), never the clock's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Provenance {
    /// "Flinks Desk 0.1.0".
    pub generator: String,
    /// The OS user making the report.
    pub user: String,
    /// RFC 3339, UTC: the latest decision's time, else when the run finished.
    pub as_of: String,
}
