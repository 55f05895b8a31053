//! Runs (a package fetched for a customer, or the attempt) and the attribute values of each.

use rusqlite::{params, Connection, OptionalExtension};

use super::details::{
    share_transactions, write_balances, write_details, BalanceSeries, DetailLists, SharedDetails,
    StoredDetail,
};
use super::{now, Store, StoreError};

/// Status of a run, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Running,
    Completed,
    Failed,
    Cancelled,
    /// It was running when the app stopped (a crash, a kill): found so at the next start.
    Interrupted,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Completed => "completed",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
            RunStatus::Interrupted => "interrupted",
        }
    }

    fn parse(s: &str) -> RunStatus {
        match s {
            "running" => RunStatus::Running,
            "completed" => RunStatus::Completed,
            "failed" => RunStatus::Failed,
            "cancelled" => RunStatus::Cancelled,
            _ => RunStatus::Interrupted,
        }
    }
}

/// One row of the history.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRecord {
    pub id: i64,
    pub customer_key: String,
    pub customer_label: String,
    pub environment: String,
    pub package: String,
    pub status: RunStatus,
    pub request_id: Option<String>,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub duration_ms: Option<i64>,
    pub accounts: Option<i64>,
    pub transactions: Option<i64>,
    pub values: i64,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub environment_key: String,
    /// The OS user who ran it (none for runs made before the team store existed).
    pub made_by: Option<String>,
    /// Made on another desk of the team and pulled here: the customer's loginId is there.
    pub shared: bool,
}

/// A stored attribute value.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredValue {
    pub scope: String,
    pub name: String,
    pub raw: String,
    pub number: Option<f64>,
}

/// A finished run's results, written in one transaction with its completion.
pub struct Completion<'a> {
    pub request_id: &'a str,
    pub duration_ms: i64,
    pub accounts: i64,
    pub transactions: i64,
    pub values: &'a [StoredValue],
    pub details: &'a [StoredDetail],
}

impl Store {
    /// When each customer's data was last fetched: the end of its latest completed run, by
    /// customer row id. Customers never run are absent.
    pub fn last_completed_runs(
        &self,
    ) -> Result<std::collections::HashMap<i64, String>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT customer_id, max(finished_at) FROM runs
             WHERE status = 'completed' AND finished_at IS NOT NULL GROUP BY customer_id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn start_run(&self, customer_id: i64, package: &str) -> Result<i64, StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO runs (customer_id, package, status, started_at, made_by)
             VALUES (?1, ?2, 'running', ?3, ?4)",
            params![customer_id, package, now(), self.desk.user],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// Writes the values and marks the run completed, all or nothing.
    pub fn complete_run(&self, run_id: i64, done: &Completion<'_>) -> Result<(), StoreError> {
        self.complete_run_with_balances(run_id, done, &[])
    }

    /// [`Store::complete_run`] with the accounts' end-of-day balances, in the same transaction:
    /// a run is never completed without the balances its chart needs.
    pub fn complete_run_with_balances(
        &self,
        run_id: i64,
        done: &Completion<'_>,
        balances: &[BalanceSeries],
    ) -> Result<(), StoreError> {
        // Before taking the connection: the store's other callers need not wait for it.
        let shared = share_transactions(done.details);
        self.complete(run_id, done, &shared, balances)
    }

    /// [`Store::complete_run_with_balances`] for details gathered already, each transaction
    /// once (as `Desk::run` gathers an attributes reply). `done.details` is not read.
    pub fn complete_run_gathered(
        &self,
        run_id: i64,
        done: &Completion<'_>,
        details: &DetailLists,
        balances: &[BalanceSeries],
    ) -> Result<(), StoreError> {
        debug_assert!(
            done.details.is_empty(),
            "details come gathered or flat, not both"
        );
        self.complete(run_id, done, &details.into(), balances)
    }

    fn complete(
        &self,
        run_id: i64,
        done: &Completion<'_>,
        details: &SharedDetails<'_>,
        balances: &[BalanceSeries],
    ) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        write_balances(&tx, run_id, balances)?;
        write_values(&tx, run_id, done.values)?;
        write_details(&tx, run_id, details)?;
        let updated = tx.execute(
            "UPDATE runs SET status = 'completed', request_id = ?2, finished_at = ?3,
                 duration_ms = ?4, accounts = ?5, transactions = ?6
             WHERE id = ?1 AND status = 'running'",
            params![
                run_id,
                done.request_id,
                now(),
                done.duration_ms,
                done.accounts,
                done.transactions
            ],
        )?;
        if updated != 1 {
            return Err(StoreError::NoSuchRun(run_id));
        }
        tx.commit()?;
        Ok(())
    }

    /// Marks a run failed or cancelled; its values (none) stay unwritten.
    pub fn end_run(
        &self,
        run_id: i64,
        status: RunStatus,
        duration_ms: i64,
        error_code: &str,
        error_message: &str,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE runs SET status = ?2, finished_at = ?3, duration_ms = ?4, error_code = ?5,
                 error_message = ?6
             WHERE id = ?1 AND status = 'running'",
            params![
                run_id,
                status.as_str(),
                now(),
                duration_ms,
                error_code,
                error_message
            ],
        )?;
        Ok(())
    }

    const RUN_COLUMNS: &'static str = "r.id, c.key, c.label, e.name, r.package, r.status,
        r.request_id, r.started_at, r.finished_at, r.duration_ms, r.accounts, r.transactions,
        (SELECT count(*) FROM attribute_values v WHERE v.run_id = r.id), r.error_code, r.error_message,
        e.key, r.made_by, c.desk_id IS NOT NULL FROM runs r JOIN customers c ON c.id = r.customer_id JOIN environments e ON e.id = c.environment_id";

    fn run_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RunRecord> {
        Ok(RunRecord {
            id: row.get(0)?,
            customer_key: row.get(1)?,
            customer_label: row.get(2)?,
            environment: row.get(3)?,
            package: row.get(4)?,
            status: RunStatus::parse(&row.get::<_, String>(5)?),
            request_id: row.get(6)?,
            started_at: row.get(7)?,
            finished_at: row.get(8)?,
            duration_ms: row.get(9)?,
            accounts: row.get(10)?,
            transactions: row.get(11)?,
            values: row.get(12)?,
            error_code: row.get(13)?,
            error_message: row.get(14)?,
            environment_key: row.get(15)?,
            made_by: row.get(16)?,
            shared: row.get(17)?,
        })
    }

    /// The newest runs first.
    pub fn history(&self, limit: usize) -> Result<Vec<RunRecord>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {} ORDER BY r.started_at DESC, r.id DESC LIMIT ?1",
            Self::RUN_COLUMNS
        ))?;
        let rows = stmt.query_map(params![limit as i64], Self::run_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Who ran a customer of another desk whose key is `customer_key`, when this desk has one.
    pub fn shared_customer_maker(&self, customer_key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT coalesce(r.made_by, 'another underwriter') FROM customers c
                 JOIN runs r ON r.customer_id = c.id
                 WHERE c.key = ?1 AND c.desk_id IS NOT NULL ORDER BY r.id DESC LIMIT 1",
                params![customer_key],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn run(&self, run_id: i64) -> Result<RunRecord, StoreError> {
        let conn = self.conn();
        conn.query_row(
            &format!("SELECT {} WHERE r.id = ?1", Self::RUN_COLUMNS),
            params![run_id],
            Self::run_from_row,
        )
        .optional()?
        .ok_or(StoreError::NoSuchRun(run_id))
    }

    /// A run's values in the order Flinks sent them.
    pub fn values(&self, run_id: i64) -> Result<Vec<StoredValue>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT scope, name, raw, number FROM attribute_values WHERE run_id = ?1 ORDER BY position",
        )?;
        let rows = stmt.query_map(params![run_id], |r| {
            Ok(StoredValue {
                scope: r.get(0)?,
                name: r.get(1)?,
                raw: r.get(2)?,
                number: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

pub(super) fn write_values(
    conn: &Connection,
    run_id: i64,
    values: &[StoredValue],
) -> Result<(), StoreError> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO attribute_values (run_id, position, scope, name, raw, number)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (position, v) in values.iter().enumerate() {
        insert.execute(params![
            run_id,
            position as i64,
            v.scope,
            v.name,
            v.raw,
            v.number
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
