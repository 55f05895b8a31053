//! Decisions on runs: the policy's word with everything that made it (input, trace, version),
//! and the underwriter's override with its comment. Rows are only ever added: a decision is
//! never rewritten, a later one stands beside it.

use std::collections::HashMap;

use rusqlite::params;

use super::{now, Store, StoreError};

/// A decision as stored. The JSON fields are kept as the text that was written, so the record
/// shows later exactly what it showed then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDecision {
    pub id: i64,
    pub run_id: i64,
    pub policy_version_id: i64,
    pub policy: String,
    pub policy_sha256: String,
    /// `pass`, `refer` or `decline`: what the policy said.
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

/// A past decision as what-if replays it: the run's latest decision, its input snapshot and
/// reasons, with the run's package and customer. The trace and the rest are not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayInput {
    pub decision_id: i64,
    pub run_id: i64,
    pub customer_label: String,
    /// The run's package slug (`lending`).
    pub package: String,
    /// What the policy said (`pass`, `refer`, `decline`), not an override.
    pub decision: String,
    pub reasons: String,
    pub input: String,
}

/// What deciding a run writes.
#[derive(Debug, Clone)]
pub struct NewDecision<'a> {
    pub run_id: i64,
    pub policy_version_id: i64,
    pub decision: &'a str,
    pub reasons: &'a str,
    pub input: &'a str,
    pub trace: &'a str,
    pub affordability: Option<&'a str>,
    pub override_decision: Option<&'a str>,
    pub override_comment: Option<&'a str>,
    pub decided_by: &'a str,
}

impl Store {
    /// Adds a decision on a run; returns its id.
    pub fn record_decision(&self, d: &NewDecision<'_>) -> Result<i64, StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO decisions (run_id, policy_version_id, decision, reasons, input, trace,
                 affordability, override_decision, override_comment, decided_at, decided_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                d.run_id,
                d.policy_version_id,
                d.decision,
                d.reasons,
                d.input,
                d.trace,
                d.affordability,
                d.override_decision,
                d.override_comment,
                now(),
                d.decided_by
            ],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// A run's decisions, oldest first.
    pub fn decisions(&self, run_id: i64) -> Result<Vec<StoredDecision>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!("{SELECT} WHERE d.run_id = ?1 ORDER BY d.id"))?;
        let rows = stmt.query_map(params![run_id], decision)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One decision by its id.
    pub fn decision(&self, id: i64) -> Result<Option<StoredDecision>, StoreError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn()
            .query_row(&format!("{SELECT} WHERE d.id = ?1"), params![id], decision)
            .optional()?)
    }

    /// The latest decision of each decided run, the run's package one of `package` (all when
    /// none), in the order they were made: one query for what-if, however many runs there are.
    pub fn replay_inputs(&self, package: Option<&str>) -> Result<Vec<ReplayInput>, StoreError> {
        let mut all = Vec::new();
        self.each_replay_input(package, |d| {
            all.push(d);
            true
        })?;
        Ok(all)
    }

    /// [`Store::replay_inputs`] one row at a time, as the query yields them, until `each`
    /// says stop (returns false): what-if decides while the rest of the rows are read. In the
    /// decisions' own (rowid) order, so the first row comes without sorting them all first.
    pub fn each_replay_input(
        &self,
        package: Option<&str>,
        mut each: impl FnMut(ReplayInput) -> bool,
    ) -> Result<(), StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT d.id, d.run_id, c.label, r.package, d.decision, d.reasons, d.input
             FROM decisions d
             JOIN runs r ON r.id = d.run_id
             JOIN customers c ON c.id = r.customer_id
             WHERE d.id IN (SELECT max(id) FROM decisions GROUP BY run_id)
               AND (?1 IS NULL OR r.package = ?1)
             ORDER BY d.id",
        )?;
        let mut rows = stmt.query(params![package])?;
        while let Some(r) = rows.next()? {
            let row = ReplayInput {
                decision_id: r.get(0)?,
                run_id: r.get(1)?,
                customer_label: r.get(2)?,
                package: r.get(3)?,
                decision: r.get(4)?,
                reasons: r.get(5)?,
                input: r.get(6)?,
            };
            if !each(row) {
                break;
            }
        }
        Ok(())
    }

    /// Who decided each decided run, in order, and whether that decision overrode the policy.
    pub fn deciders(&self) -> Result<HashMap<i64, Vec<(String, bool)>>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT run_id, decided_by, override_decision IS NOT NULL FROM decisions ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        let mut out: HashMap<i64, Vec<(String, bool)>> = HashMap::new();
        while let Some(r) = rows.next()? {
            out.entry(r.get(0)?)
                .or_default()
                .push((r.get(1)?, r.get(2)?));
        }
        Ok(out)
    }

    /// The latest decision of every decided run, by run id: what the history shows.
    pub fn latest_decisions(&self) -> Result<HashMap<i64, StoredDecision>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "{SELECT} WHERE d.id IN (SELECT max(id) FROM decisions GROUP BY run_id)"
        ))?;
        let rows = stmt.query_map([], decision)?;
        rows.map(|r| r.map(|d| (d.run_id, d)))
            .collect::<Result<_, _>>()
            .map_err(StoreError::from)
    }
}

const SELECT: &str = "SELECT d.id, d.run_id, d.policy_version_id, p.name, v.sha256, d.decision,
        d.reasons, d.input, d.trace, d.affordability, d.override_decision, d.override_comment,
        d.decided_at, d.decided_by
    FROM decisions d
    JOIN policy_versions v ON v.id = d.policy_version_id
    JOIN policies p ON p.id = v.policy_id";

fn decision(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredDecision> {
    Ok(StoredDecision {
        id: r.get(0)?,
        run_id: r.get(1)?,
        policy_version_id: r.get(2)?,
        policy: r.get(3)?,
        policy_sha256: r.get(4)?,
        decision: r.get(5)?,
        reasons: r.get(6)?,
        input: r.get(7)?,
        trace: r.get(8)?,
        affordability: r.get(9)?,
        override_decision: r.get(10)?,
        override_comment: r.get(11)?,
        decided_at: r.get(12)?,
        decided_by: r.get(13)?,
    })
}

#[cfg(test)]
mod tests;
