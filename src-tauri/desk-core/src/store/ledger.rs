//! The request ledger: every call made to Flinks, so that the desk can show what Flinks will
//! bill and what failed.

use rusqlite::params;

use super::{now, Store, StoreError};

/// One ledger line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerEntry {
    /// The environment's key.
    pub environment: String,
    pub environment_name: String,
    pub endpoint: String,
    pub status: Option<u16>,
    pub flinks_code: Option<String>,
    pub duration_ms: i64,
    pub billable: bool,
    pub at: String,
}

/// One environment's calls in the ledger, counted: what Flinks will bill, and what failed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerTotals {
    /// The environment's key.
    pub environment: String,
    pub environment_name: String,
    pub production: bool,
    pub requests: i64,
    pub billable: i64,
    /// Billable calls made in the current calendar month (UTC), as Flinks invoices by month.
    pub billable_this_month: i64,
    /// Calls that got no answer, or an answer of 400 or more.
    pub failed: i64,
}

impl Store {
    pub fn record_request(
        &self,
        environment_id: i64,
        endpoint: &str,
        status: Option<u16>,
        flinks_code: Option<&str>,
        duration_ms: i64,
        billable: bool,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO requests (environment_id, endpoint, status, flinks_code, duration_ms, billable, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![environment_id, endpoint, status, flinks_code, duration_ms, billable, now()],
        )?;
        Ok(())
    }

    /// The newest ledger lines first: every environment's, or only those of the environment
    /// with this key (none when there is no such environment).
    pub fn ledger(
        &self,
        limit: usize,
        environment: Option<&str>,
    ) -> Result<Vec<LedgerEntry>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT e.key, e.name, r.endpoint, r.status, r.flinks_code, r.duration_ms, r.billable, r.at
             FROM requests r JOIN environments e ON e.id = r.environment_id
             WHERE ?2 IS NULL OR e.key = ?2
             ORDER BY r.id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map(params![limit as i64, environment], |r| {
            Ok(LedgerEntry {
                environment: r.get(0)?,
                environment_name: r.get(1)?,
                endpoint: r.get(2)?,
                status: r.get(3)?,
                flinks_code: r.get(4)?,
                duration_ms: r.get(5)?,
                billable: r.get(6)?,
                at: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// [`Store::ledger_totals_at`] now.
    pub fn ledger_totals(&self) -> Result<Vec<LedgerTotals>, StoreError> {
        self.ledger_totals_at(chrono::Utc::now())
    }

    /// The ledger counted by environment, for each environment with at least one call: the
    /// built-in sandbox first, then by name. "This month" is `now`'s calendar month in UTC.
    pub fn ledger_totals_at(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<LedgerTotals>, StoreError> {
        // `at` is always written by `now()` as RFC 3339 in UTC ("2026-03-05T12:34:56.789Z"), so
        // its first seven characters are its UTC month, comparable as text.
        let month = now.format("%Y-%m").to_string();
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT e.key, e.name, e.production, count(*),
                 sum(r.billable),
                 sum(r.billable AND substr(r.at, 1, 7) = ?1),
                 sum(r.status IS NULL OR r.status >= 400)
             FROM requests r JOIN environments e ON e.id = r.environment_id
             GROUP BY e.id
             ORDER BY e.kind <> 'builtin', e.name COLLATE NOCASE, e.id",
        )?;
        let rows = stmt.query_map(params![month], |r| {
            Ok(LedgerTotals {
                environment: r.get(0)?,
                environment_name: r.get(1)?,
                production: r.get(2)?,
                requests: r.get(3)?,
                billable: r.get(4)?,
                billable_this_month: r.get(5)?,
                failed: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests;
