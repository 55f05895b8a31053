//! What a stored run shows: the history, the request ledger, a run opened (values, headlines),
//! two runs compared, the transactions behind a value, the charts and the CSV export.

use std::path::Path;

use flinks_client::Package;

use super::{Desk, CUSTOM};
use crate::catalog;
use crate::export::{self, CsvOptions};
use crate::store::{BalanceSeries, RunRecord, RunStatus, StoredValue};
use crate::view::{
    AttributeRow, Chart, ComparedRow, Comparison, Explanation, ExportSummary, RunResult,
    SummaryItem,
};
use crate::DeskError;

impl Desk {
    /// Past runs, newest first.
    pub fn history(&self, limit: usize) -> Result<Vec<RunRecord>, DeskError> {
        Ok(self.store.history(limit)?)
    }

    /// The request ledger, newest first: every environment's, or one environment's by its key.
    /// An environment the desk does not have is refused, as everywhere else, rather than shown
    /// as an empty log that would look like "no calls".
    pub fn ledger(
        &self,
        limit: usize,
        environment: Option<&str>,
    ) -> Result<Vec<crate::store::LedgerEntry>, DeskError> {
        if let Some(key) = environment {
            self.env(key)
                .ok_or_else(|| DeskError::UnknownEnvironment(key.to_owned()))?;
        }
        Ok(self.store.ledger(limit, environment)?)
    }

    /// A stored run with its values, as the Results view shows it.
    pub fn open_run(&self, run_id: i64) -> Result<RunResult, DeskError> {
        let record = self.store.run(run_id)?;
        if record.status != RunStatus::Completed {
            return Err(DeskError::RunNotCompleted(run_id));
        }
        let package = record.package.parse::<Package>().ok();
        let counts = self.store.detail_counts(run_id)?;
        let library = self.library_of(&record.environment_key);
        let rows = self
            .store
            .values(run_id)?
            .into_iter()
            .map(|v| {
                let behind = counts.get(&v.name).copied().unwrap_or(0);
                let info = catalog::describe_with(&v.name, library.get(&v.name));
                row(v, info, behind)
            })
            .collect::<Vec<AttributeRow>>();
        let summary = package.map_or_else(Vec::new, |p| summary(p, &rows));
        Ok(RunResult {
            run_id,
            customer_label: record.customer_label,
            package: match package {
                Some(p) => p.title(),
                None if record.package == CUSTOM => "Custom",
                None => "Unknown package",
            },
            environment: record.environment,
            request_id: record.request_id.unwrap_or_default(),
            accounts: record.accounts.unwrap_or_default() as usize,
            transactions: record.transactions.unwrap_or_default() as usize,
            duration_ms: record.duration_ms.unwrap_or_default() as u64,
            finished_at: record.finished_at.unwrap_or_default(),
            rows,
            shared_by: record.shared.then(|| {
                record
                    .made_by
                    .unwrap_or_else(|| "another underwriter".into())
            }),
            summary,
        })
    }

    /// A completed run's end-of-day balances by account (none for runs kept before they were).
    pub fn balances(&self, run_id: i64) -> Result<Vec<BalanceSeries>, DeskError> {
        let record = self.store.run(run_id)?;
        if record.status != RunStatus::Completed {
            return Err(DeskError::RunNotCompleted(run_id));
        }
        Ok(self.store.balances(run_id)?)
    }

    /// Lines up two completed runs by attribute (another customer, or an earlier run): the
    /// left run's order first, then what only the right one has.
    pub fn compare(&self, left: i64, right: i64) -> Result<Comparison, DeskError> {
        let (left, right) = (self.open_run(left)?, self.open_run(right)?);
        let mut rows: Vec<ComparedRow> = left
            .rows
            .iter()
            .map(|l| {
                let r = right.rows.iter().find(|r| r.name == l.name);
                compared(l, r.map(|r| (r.raw.clone(), r.number)), true)
            })
            .collect();
        rows.extend(
            right
                .rows
                .iter()
                .filter(|r| !left.rows.iter().any(|l| l.name == r.name))
                .map(|r| compared(r, None, false)),
        );
        let charts = crate::charts::comparison_charts(&left, &right).unwrap_or_else(|e| {
            // Unlike a run's charts, these come with the table: a chart that fails to draw
            // must not take the table down with it.
            tracing::warn!(
                error = %e,
                left = left.run_id,
                right = right.run_id,
                "the comparison's charts could not be drawn"
            );
            Vec::new()
        });
        Ok(Comparison {
            left,
            right,
            rows,
            charts,
        })
    }

    /// The transactions behind a value of a run ("explain").
    pub fn explain(&self, run_id: i64, name: &str) -> Result<Explanation, DeskError> {
        let value = self
            .store
            .values(run_id)?
            .into_iter()
            .find(|v| v.name == name)
            .ok_or_else(|| DeskError::UnknownAttribute(name.to_owned()))?;
        let transactions = self.store.details(run_id, name)?;
        let env_key = self.store.run(run_id)?.environment_key;
        let parse = |a: &Option<String>| {
            a.as_deref()
                .and_then(|s| s.parse::<rust_decimal::Decimal>().ok())
                .unwrap_or_default()
        };
        let net: rust_decimal::Decimal = transactions
            .iter()
            .map(|t| parse(&t.credit) - parse(&t.debit))
            .sum();
        let gross: rust_decimal::Decimal = transactions
            .iter()
            .map(|t| parse(&t.credit) + parse(&t.debit))
            .sum();
        let info = catalog::describe_with(name, self.library_of(&env_key).get(name));
        Ok(Explanation {
            name: value.name,
            label: info.label,
            unit: info.unit,
            raw: value.raw,
            transactions,
            net: net.normalize().to_string(),
            gross: gross.normalize().to_string(),
        })
    }

    /// The run's charts as SVG: the balance over time first, when the run kept its balances,
    /// then the charts of its attributes. Both come from the store, so a reopened run draws the
    /// same.
    pub fn charts(&self, run_id: i64) -> Result<Vec<Chart>, DeskError> {
        let run = self.open_run(run_id)?;
        let mut charts: Vec<Chart> = crate::charts::balance_chart(&self.store.balances(run_id)?)?
            .into_iter()
            .collect();
        charts.extend(crate::charts::charts_for(&run)?);
        Ok(charts)
    }

    /// The file name an export of the run gets by default: the customer's label, never a loginId.
    pub fn export_file_name(&self, run_id: i64) -> Result<String, DeskError> {
        Ok(export::file_name(&self.open_run(run_id)?))
    }

    /// Writes a run as CSV to `path`, with its latest decision on every row (empty columns
    /// when it was not decided).
    pub fn export_csv(
        &self,
        run_id: i64,
        path: &Path,
        options: CsvOptions,
    ) -> Result<ExportSummary, DeskError> {
        let run = self.open_run(run_id)?;
        let decision = self
            .store
            .decisions(run_id)?
            .pop()
            .map(|d| decision_cells(&d));
        let rows = export::write_file(path, &run, decision.as_ref(), options)?;
        self.audit(
            "csv.exported",
            &format!("run {}", self.store.run_uid(run_id)?),
        );
        Ok(ExportSummary {
            path: path.display().to_string(),
            rows,
        })
    }
}

/// A decision as the exports write it.
pub(super) fn decision_cells(d: &crate::store::StoredDecision) -> export::DecisionCells {
    export::DecisionCells {
        decision: d
            .override_decision
            .clone()
            .unwrap_or_else(|| d.decision.clone()),
        policy_decision: d.decision.clone(),
        policy: d.policy.clone(),
        policy_sha256: d.policy_sha256.clone(),
        override_comment: d.override_comment.clone().unwrap_or_default(),
        decided_at: d.decided_at.clone(),
    }
}

/// `row` is the side it came from (`from_left`); `other` is the other side's value, if any.
fn compared(
    row: &AttributeRow,
    other: Option<(String, Option<f64>)>,
    from_left: bool,
) -> ComparedRow {
    let this = (Some(row.raw.clone()), row.number);
    let that = other.map_or((None, None), |(raw, n)| (Some(raw), n));
    let ((left, left_number), (right, right_number)) = if from_left {
        (this, that)
    } else {
        (that, this)
    };
    ComparedRow {
        name: row.name.clone(),
        label: row.label.clone(),
        unit: row.unit,
        difference: left_number.zip(right_number).map(|(l, r)| r - l),
        left,
        left_number,
        right,
        right_number,
    }
}

/// The package's headlines that the run has, in the headlines' order, with the row's value.
fn summary(package: Package, rows: &[AttributeRow]) -> Vec<SummaryItem> {
    catalog::headlines(package)
        .into_iter()
        .filter_map(|h| {
            let row = rows.iter().find(|r| r.name == h.name)?;
            Some(SummaryItem {
                name: row.name.clone(),
                label: row.label.clone(),
                raw: row.raw.clone(),
                number: row.number,
                unit: row.unit,
                why: h.why.to_owned(),
            })
        })
        .collect()
}

fn row(value: StoredValue, info: catalog::AttributeInfo, transactions: u32) -> AttributeRow {
    AttributeRow {
        transactions,
        scope: value.scope,
        name: value.name,
        label: info.label,
        category: info.category,
        unit: info.unit,
        definition: info.definition,
        raw: value.raw,
        number: value.number,
        known: info.known,
    }
}
