//! The desk's SQLite database: environments, customers, runs with their attribute values, and
//! the request ledger. Versioned migrations, WAL, foreign keys on. A database that cannot be
//! opened is reported and left as it is: never recreated over the user's history.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::NaiveDate;
use rusqlite::{params, Connection, ErrorCode, OptionalExtension};
use rusqlite_migration::{Migrations, M};
use rust_decimal::Decimal;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database {} is damaged or is not a Flinks Desk database; it was left untouched", .path.display())]
    Corrupt { path: PathBuf },
    #[error("the database {} was written by a newer Flinks Desk; it was left untouched", .path.display())]
    TooNew { path: PathBuf },
    #[error("the database {} could not be opened: {source}", .path.display())]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("no run {0} in the history")]
    NoSuchRun(i64),
}

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../migrations/0001_initial.sql")),
        M::up(include_str!("../migrations/0002_attribute_details.sql")),
        M::up(include_str!("../migrations/0003_authorize_tokens.sql")),
        M::up(include_str!("../migrations/0004_account_balances.sql")),
        M::up(include_str!("../migrations/0005_environment_settings.sql")),
        M::up(include_str!("../migrations/0006_run_transactions.sql")),
    ])
}

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
}

/// A stored attribute value.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredValue {
    pub scope: String,
    pub name: String,
    pub raw: String,
    pub number: Option<f64>,
}

/// One transaction behind a value. Amounts are kept as the exact decimal text Flinks sent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredDetail {
    pub name: String,
    pub account_id: Option<String>,
    pub transaction_id: Option<String>,
    pub date: String,
    pub description: Option<String>,
    pub debit: Option<String>,
    pub credit: Option<String>,
    pub balance: Option<String>,
}

/// A detail's transaction without the value it is behind: equal for two details exactly when
/// they show the same transaction.
type TransactionFields<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

impl StoredDetail {
    fn transaction(&self) -> TransactionFields<'_> {
        (
            self.account_id.as_deref(),
            self.transaction_id.as_deref(),
            &self.date,
            self.description.as_deref(),
            self.debit.as_deref(),
            self.credit.as_deref(),
            self.balance.as_deref(),
        )
    }
}

/// A run's details as they are stored: each distinct transaction once, and for each value the
/// places of its transactions among them, in the order Flinks listed them.
struct SharedDetails<'a> {
    transactions: Vec<&'a StoredDetail>,
    lists: Vec<(&'a str, Vec<usize>)>,
}

fn share_transactions<'a>(details: &'a [StoredDetail]) -> SharedDetails<'a> {
    let mut shared = SharedDetails {
        transactions: Vec::new(),
        lists: Vec::new(),
    };
    // Flinks' transaction id (with its account's) finds a repeat by a short key. The other fields
    // are still compared, so two details that differ in anything are never merged and explain
    // shows exactly what Flinks sent; those, and details without an id, go by all their fields.
    let mut by_id: HashMap<(Option<&str>, &str), usize> = HashMap::new();
    let mut by_fields: HashMap<TransactionFields<'_>, usize> = HashMap::new();
    let mut lists_by_name: HashMap<&str, usize> = HashMap::new();
    // A value's details come one after another: the last list is the one wanted almost always.
    let mut last: Option<(&str, usize)> = None;
    for d in details {
        let add = |shared: &mut SharedDetails<'a>| {
            shared.transactions.push(d);
            shared.transactions.len() - 1
        };
        let fields = d.transaction();
        let index = match d.transaction_id.as_deref() {
            Some(id) => {
                let found = *by_id
                    .entry((d.account_id.as_deref(), id))
                    .or_insert_with(|| add(&mut shared));
                if shared.transactions[found].transaction() == fields {
                    found
                } else {
                    *by_fields.entry(fields).or_insert_with(|| add(&mut shared))
                }
            }
            None => *by_fields.entry(fields).or_insert_with(|| add(&mut shared)),
        };
        let list = match last {
            Some((name, list)) if name == d.name => list,
            _ => *lists_by_name.entry(&d.name).or_insert_with(|| {
                shared.lists.push((&d.name, Vec::new()));
                shared.lists.len() - 1
            }),
        };
        last = Some((&d.name, list));
        shared.lists[list].1.push(index);
    }
    shared
}

fn json_list(indexes: &[usize]) -> String {
    let mut text = String::with_capacity(indexes.len() * 6 + 2);
    text.push('[');
    for (i, index) in indexes.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        let _ = write!(text, "{index}");
    }
    text.push(']');
    text
}

/// One account's end-of-day balances in a run: what the balance chart draws.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BalanceSeries {
    pub account_id: String,
    pub title: Option<String>,
    /// At most the last four characters of the account number.
    pub last4: Option<String>,
    /// Oldest first, one a day.
    pub days: Vec<DayBalance>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DayBalance {
    pub date: NaiveDate,
    /// The balance after the day's last transaction, exact.
    pub balance: Decimal,
}

impl BalanceSeries {
    /// What a legend calls the account: its title and the last four of its number.
    pub fn label(&self) -> String {
        let title = self
            .title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .unwrap_or("Account");
        match self.last4.as_deref() {
            Some(last4) => format!("{title} …{last4}"),
            None => title.to_owned(),
        }
    }
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

/// An environment as stored: no secret, only where Flinks is and who we are to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvironmentRow {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub kind: String,
    pub api_base_url: String,
    pub customer_id: String,
    pub production: bool,
    /// Each Authorize needs a token bought with the secret key.
    pub authorize_tokens: bool,
    /// Connect's address when it does not follow from the API URL.
    pub iframe_url: Option<String>,
    pub poll_interval_ms: Option<i64>,
    pub poll_max_wait_ms: Option<i64>,
}

/// A customer as stored: the last four characters of the loginId, and the key that names its
/// keyring entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRow {
    pub id: i64,
    pub environment_id: i64,
    pub key: String,
    pub label: String,
    pub institution: Option<String>,
    pub login_last4: String,
}

pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
    )
}

impl Store {
    /// Opens (creating if absent) and migrates the database at `path`, and marks the runs that
    /// were still running when the app last stopped as interrupted.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
                path: path.to_owned(),
                source: rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
            })?;
        }
        let classify = |source: rusqlite::Error| {
            if is_corruption(&source) {
                StoreError::Corrupt {
                    path: path.to_owned(),
                }
            } else {
                StoreError::Open {
                    path: path.to_owned(),
                    source,
                }
            }
        };
        let mut conn = Connection::open(path).map_err(classify)?;
        // The first statement that reads the file is where a damaged or foreign file shows.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(classify)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(classify)?;
        // Safe with WAL: NORMAL syncs at checkpoints rather than at every commit, and the
        // database stays consistent whatever happens. Only a power cut or an OS crash (not a
        // crash of the app) can lose the last commits before it, and every commit is cheaper.
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(classify)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(classify)?;
        migrations().to_latest(&mut conn).map_err(|e| match e {
            rusqlite_migration::Error::RusqliteError { err, .. } => classify(err),
            rusqlite_migration::Error::MigrationDefinition(_)
            | rusqlite_migration::Error::SpecifiedSchemaVersion(_) => StoreError::TooNew {
                path: path.to_owned(),
            },
            other => StoreError::Open {
                path: path.to_owned(),
                source: rusqlite::Error::ToSqlConversionFailure(Box::new(other)),
            },
        })?;
        let interrupted = conn.execute(
            "UPDATE runs SET status = 'interrupted', finished_at = ?1 WHERE status = 'running'",
            params![now()],
        )?;
        if interrupted > 0 {
            tracing::warn!(
                interrupted,
                "runs left running by the last session are marked interrupted"
            );
        }
        Ok(Store {
            conn: Mutex::new(conn),
            path: path.to_owned(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (statements are atomic), so
        // the connection stays usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Inserts or updates an environment by its key; returns its id.
    #[allow(clippy::too_many_arguments)]
    pub fn upsert_environment(
        &self,
        key: &str,
        name: &str,
        kind: &str,
        api_base_url: &str,
        customer_id: &str,
        production: bool,
    ) -> Result<i64, StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO environments (key, name, kind, api_base_url, customer_id, production, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (key) DO UPDATE SET name = ?2, kind = ?3, api_base_url = ?4,
                 customer_id = ?5, production = ?6",
            params![key, name, kind, api_base_url, customer_id, production, now()],
        )?;
        Ok(conn.query_row(
            "SELECT id FROM environments WHERE key = ?1",
            params![key],
            |r| r.get(0),
        )?)
    }

    /// Inserts or updates a customer by (environment, key); returns its id. `login_last4` is all
    /// of the loginId this table ever holds.
    pub fn upsert_customer(
        &self,
        environment_id: i64,
        key: &str,
        label: &str,
        institution: &str,
        login_last4: &str,
    ) -> Result<i64, StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO customers (environment_id, key, label, institution, login_last4, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (environment_id, key) DO UPDATE SET institution = ?4, login_last4 = ?5",
            params![environment_id, key, label, institution, login_last4, now()],
        )?;
        Ok(conn.query_row(
            "SELECT id FROM customers WHERE environment_id = ?1 AND key = ?2",
            params![environment_id, key],
            |r| r.get(0),
        )?)
    }

    pub fn set_authorize_tokens(
        &self,
        environment_id: i64,
        required: bool,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE environments SET authorize_tokens = ?2 WHERE id = ?1",
            params![environment_id, required],
        )?;
        Ok(())
    }

    pub fn set_customer_institution(
        &self,
        customer_id: i64,
        institution: &str,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE customers SET institution = ?2 WHERE id = ?1",
            params![customer_id, institution],
        )?;
        Ok(())
    }

    /// The label is the person's to choose: a later start keeps it.
    pub fn rename_customer(&self, customer_id: i64, label: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE customers SET label = ?2 WHERE id = ?1",
            params![customer_id, label],
        )?;
        Ok(())
    }

    pub fn environments(&self) -> Result<Vec<EnvironmentRow>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, key, name, kind, api_base_url, customer_id, production, authorize_tokens,
                    iframe_url, poll_interval_ms, poll_max_wait_ms
             FROM environments
             ORDER BY CASE kind WHEN 'builtin' THEN 0 WHEN 'toolbox' THEN 1 ELSE 2 END, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(EnvironmentRow {
                id: r.get(0)?,
                key: r.get(1)?,
                name: r.get(2)?,
                kind: r.get(3)?,
                api_base_url: r.get(4)?,
                customer_id: r.get(5)?,
                production: r.get(6)?,
                authorize_tokens: r.get(7)?,
                iframe_url: r.get(8)?,
                poll_interval_ms: r.get(9)?,
                poll_max_wait_ms: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn customers(&self) -> Result<Vec<CustomerRow>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, environment_id, key, label, institution, login_last4 FROM customers
             ORDER BY environment_id, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(CustomerRow {
                id: r.get(0)?,
                environment_id: r.get(1)?,
                key: r.get(2)?,
                label: r.get(3)?,
                institution: r.get(4)?,
                login_last4: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

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

    /// Writes what an edit may change of an environment (its name, URL, customerId, production
    /// mark and authorize-token need), found by `row.id`; its key and kind never change. False
    /// when there is no such environment.
    pub fn update_environment(&self, row: &EnvironmentRow) -> Result<bool, StoreError> {
        let updated = self.conn().execute(
            "UPDATE environments SET name = ?2, api_base_url = ?3, customer_id = ?4,
                 production = ?5, authorize_tokens = ?6, iframe_url = ?7, poll_interval_ms = ?8,
                 poll_max_wait_ms = ?9
             WHERE id = ?1",
            params![
                row.id,
                row.name,
                row.api_base_url,
                row.customer_id,
                row.production,
                row.authorize_tokens,
                row.iframe_url,
                row.poll_interval_ms,
                row.poll_max_wait_ms
            ],
        )?;
        Ok(updated == 1)
    }

    /// Removes a customer and the runs kept for it.
    /// Its customers, runs and ledger go with it (foreign keys cascade).
    pub fn delete_environment(&self, environment_id: i64) -> Result<(), StoreError> {
        self.conn().execute(
            "DELETE FROM environments WHERE id = ?1",
            params![environment_id],
        )?;
        Ok(())
    }

    pub fn delete_customer(&self, customer_id: i64) -> Result<(), StoreError> {
        self.conn()
            .execute("DELETE FROM customers WHERE id = ?1", params![customer_id])?;
        Ok(())
    }

    pub fn start_run(&self, customer_id: i64, package: &str) -> Result<i64, StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO runs (customer_id, package, status, started_at) VALUES (?1, ?2, 'running', ?3)",
            params![customer_id, package, now()],
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
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut balance = tx.prepare_cached(
                "INSERT INTO account_balances (run_id, position, account_id, title, last4, date, balance)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (position, series) in balances.iter().enumerate() {
                for day in &series.days {
                    balance.execute(params![
                        run_id,
                        position as i64,
                        series.account_id,
                        series.title,
                        series.last4,
                        day.date.to_string(),
                        day.balance.normalize().to_string()
                    ])?;
                }
            }
            let mut insert = tx.prepare_cached(
                "INSERT INTO attribute_values (run_id, position, scope, name, raw, number)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for (position, v) in done.values.iter().enumerate() {
                insert.execute(params![
                    run_id,
                    position as i64,
                    v.scope,
                    v.name,
                    v.raw,
                    v.number
                ])?;
            }
            let mut transaction = tx.prepare_cached(
                "INSERT INTO run_transactions (run_id, id, account_id, transaction_id, date,
                     description, debit, credit, balance)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for (id, d) in shared.transactions.iter().enumerate() {
                transaction.execute(params![
                    run_id,
                    id as i64,
                    d.account_id,
                    d.transaction_id,
                    d.date,
                    d.description,
                    d.debit,
                    d.credit,
                    d.balance
                ])?;
            }
            let mut list = tx.prepare_cached(
                "INSERT INTO attribute_detail_lists (run_id, name, txns) VALUES (?1, ?2, ?3)",
            )?;
            for (name, indexes) in &shared.lists {
                list.execute(params![run_id, name, json_list(indexes)])?;
            }
        }
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
        e.key FROM runs r JOIN customers c ON c.id = r.customer_id JOIN environments e ON e.id = c.environment_id";

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
        })
    }

    /// The newest runs first.
    pub fn history(&self, limit: usize) -> Result<Vec<RunRecord>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {} ORDER BY r.id DESC LIMIT ?1",
            Self::RUN_COLUMNS
        ))?;
        let rows = stmt.query_map(params![limit as i64], Self::run_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
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

    /// Whether the run was stored before migration 0006, with its details in attribute_details.
    fn has_legacy_details(conn: &Connection, run_id: i64) -> Result<bool, StoreError> {
        Ok(conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM attribute_details WHERE run_id = ?1)")?
            .query_row(params![run_id], |r| r.get(0))?)
    }

    /// The transactions behind one value of a run, in the order Flinks listed them.
    pub fn details(&self, run_id: i64, name: &str) -> Result<Vec<StoredDetail>, StoreError> {
        let conn = self.conn();
        let sql = if Self::has_legacy_details(&conn, run_id)? {
            "SELECT account_id, transaction_id, date, description, debit, credit, balance
             FROM attribute_details WHERE run_id = ?1 AND name = ?2 ORDER BY position"
        } else {
            "SELECT t.account_id, t.transaction_id, t.date, t.description, t.debit, t.credit,
                 t.balance
             FROM attribute_detail_lists l, json_each(l.txns) j
             JOIN run_transactions t ON t.run_id = l.run_id AND t.id = j.value
             WHERE l.run_id = ?1 AND l.name = ?2
             ORDER BY j.key"
        };
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params![run_id, name], |r| {
            Ok(StoredDetail {
                name: name.to_owned(),
                account_id: r.get(0)?,
                transaction_id: r.get(1)?,
                date: r.get(2)?,
                description: r.get(3)?,
                debit: r.get(4)?,
                credit: r.get(5)?,
                balance: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A run's end-of-day balances by account, in the order Flinks listed the accounts; none
    /// for a run stored before they were kept.
    pub fn balances(&self, run_id: i64) -> Result<Vec<BalanceSeries>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT account_id, title, last4, date, balance FROM account_balances
             WHERE run_id = ?1 ORDER BY position, date",
        )?;
        let rows = stmt.query_map(params![run_id], |r| {
            let text = |i: usize| -> rusqlite::Result<String> { r.get(i) };
            let bad = |i: usize, e: Box<dyn std::error::Error + Send + Sync>| {
                rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e)
            };
            let date = NaiveDate::parse_from_str(&text(3)?, "%Y-%m-%d")
                .map_err(|e| bad(3, Box::new(e)))?;
            let balance = text(4)?
                .parse::<Decimal>()
                .map_err(|e| bad(4, Box::new(e)))?;
            Ok((
                text(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                DayBalance { date, balance },
            ))
        })?;
        let mut series: Vec<BalanceSeries> = Vec::new();
        for row in rows {
            let (account_id, title, last4, day) = row?;
            match series.last_mut() {
                Some(s) if s.account_id == account_id => s.days.push(day),
                _ => series.push(BalanceSeries {
                    account_id,
                    title,
                    last4,
                    days: vec![day],
                }),
            }
        }
        Ok(series)
    }

    /// How many transactions stand behind each value of a run that has any.
    pub fn detail_counts(&self, run_id: i64) -> Result<HashMap<String, u32>, StoreError> {
        let conn = self.conn();
        let sql = if Self::has_legacy_details(&conn, run_id)? {
            "SELECT name, count(*) FROM attribute_details WHERE run_id = ?1 GROUP BY name"
        } else {
            "SELECT name, json_array_length(txns) FROM attribute_detail_lists WHERE run_id = ?1"
        };
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params![run_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

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
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("desk.sqlite3")).unwrap();
        (dir, store)
    }

    fn customer(store: &Store) -> i64 {
        let env = store
            .upsert_environment(
                "builtin",
                "Sandbox",
                "builtin",
                "http://127.0.0.1:1",
                "cid",
                false,
            )
            .unwrap();
        store
            .upsert_customer(env, "borrower_nsf", "Kevin", "FlinksCapital", "e2fe")
            .unwrap()
    }

    fn value(name: &str, raw: &str, number: Option<f64>) -> StoredValue {
        StoredValue {
            scope: "login".into(),
            name: name.into(),
            raw: raw.into(),
            number,
        }
    }

    fn detail(name: &str, id: &str) -> StoredDetail {
        StoredDetail {
            name: name.into(),
            account_id: Some("a".into()),
            transaction_id: Some(id.into()),
            date: "2026-11-01".into(),
            description: Some("NSF FEE".into()),
            debit: Some("48".into()),
            credit: None,
            balance: Some("-12.5".into()),
        }
    }

    #[test]
    fn migrations_are_valid() {
        assert!(migrations().validate().is_ok());
    }

    #[test]
    fn a_completed_run_keeps_its_values_in_order() {
        let (_dir, store) = store();
        let c = customer(&store);
        let run = store.start_run(c, "credit-risk").unwrap();
        let values = [
            value("balance_min", "-153.74", Some(-153.74)),
            value("employer_name", "Dollarama", None),
        ];
        store
            .complete_run(
                run,
                &Completion {
                    request_id: "r1",
                    duration_ms: 12,
                    accounts: 1,
                    transactions: 370,
                    values: &values,
                    details: &[
                        detail("count_nsf_90_days", "t1"),
                        detail("count_nsf_90_days", "t2"),
                    ],
                },
            )
            .unwrap();
        assert_eq!(store.values(run).unwrap(), values);
        let behind = store.details(run, "count_nsf_90_days").unwrap();
        assert_eq!(
            behind
                .iter()
                .map(|d| d.transaction_id.as_deref())
                .collect::<Vec<_>>(),
            [Some("t1"), Some("t2")]
        );
        assert_eq!(store.detail_counts(run).unwrap()["count_nsf_90_days"], 2);
        let record = store.run(run).unwrap();
        assert_eq!(record.status, RunStatus::Completed);
        assert_eq!(record.values, 2);
        assert_eq!(record.request_id.as_deref(), Some("r1"));
        assert_eq!(store.history(10).unwrap()[0].id, run);
    }

    #[test]
    fn a_failed_write_leaves_the_run_running_and_no_values() {
        let (_dir, store) = store();
        let c = customer(&store);
        let run = store.start_run(c, "credit-risk").unwrap();
        // The same (scope, name) twice violates the primary key halfway through the writes.
        let values = [value("a", "1", Some(1.0)), value("a", "2", Some(2.0))];
        let done = Completion {
            request_id: "r",
            duration_ms: 1,
            accounts: 1,
            transactions: 1,
            values: &values,
            details: &[],
        };
        assert!(store.complete_run(run, &done).is_err());
        assert!(
            store.values(run).unwrap().is_empty(),
            "nothing half-written"
        );
        assert_eq!(store.run(run).unwrap().status, RunStatus::Running);
    }

    fn series(account_id: &str, days: &[(&str, &str)]) -> BalanceSeries {
        BalanceSeries {
            account_id: account_id.into(),
            title: Some("Chequing Account".into()),
            last4: Some("4567".into()),
            days: days
                .iter()
                .map(|(date, balance)| DayBalance {
                    date: date.parse().unwrap(),
                    balance: balance.parse().unwrap(),
                })
                .collect(),
        }
    }

    #[test]
    fn balances_come_back_by_account_in_order_and_exact() {
        let (_dir, store) = store();
        let c = customer(&store);
        let run = store.start_run(c, "credit-risk").unwrap();
        // Account "b" is listed first: the order is Flinks', not the ids'.
        let balances = [
            series("b", &[("2026-01-01", "10.10"), ("2026-01-03", "-0.5")]),
            series("a", &[("2026-01-02", "38000")]),
        ];
        let done = Completion {
            request_id: "r",
            duration_ms: 1,
            accounts: 2,
            transactions: 3,
            values: &[value("balance_min", "-0.5", Some(-0.5))],
            details: &[],
        };
        store
            .complete_run_with_balances(run, &done, &balances)
            .unwrap();
        let stored = store.balances(run).unwrap();
        assert_eq!(stored, balances);
        assert_eq!(stored[1].days[0].balance, Decimal::from(38_000));
        assert_eq!(stored[0].label(), "Chequing Account …4567");
        assert!(store.balances(run + 1).unwrap().is_empty());
    }

    #[test]
    fn balances_are_written_with_the_values_or_not_at_all() {
        let (_dir, store) = store();
        let c = customer(&store);
        let run = store.start_run(c, "credit-risk").unwrap();
        // A whole account number breaks the last4 check after the values went in.
        let mut leaky = series("a", &[("2026-01-01", "1")]);
        leaky.last4 = Some("1234567".into());
        let done = Completion {
            request_id: "r",
            duration_ms: 1,
            accounts: 1,
            transactions: 1,
            values: &[value("balance_min", "1", Some(1.0))],
            details: &[],
        };
        assert!(store
            .complete_run_with_balances(run, &done, &[leaky])
            .is_err());
        assert!(store.values(run).unwrap().is_empty());
        assert!(store.balances(run).unwrap().is_empty());
        assert_eq!(store.run(run).unwrap().status, RunStatus::Running);
    }

    #[test]
    fn a_version_3_database_gains_the_balances_and_keeps_its_runs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.sqlite3");
        {
            let mut conn = Connection::open(&path).unwrap();
            Migrations::new(vec![
                M::up(include_str!("../migrations/0001_initial.sql")),
                M::up(include_str!("../migrations/0002_attribute_details.sql")),
                M::up(include_str!("../migrations/0003_authorize_tokens.sql")),
            ])
            .to_latest(&mut conn)
            .unwrap();
            conn.execute_batch(
                "INSERT INTO environments (id, key, name, kind, api_base_url, customer_id, created_at)
                     VALUES (1, 'builtin', 'Sandbox', 'builtin', 'http://127.0.0.1:1', 'cid', '2025-06-01');
                 INSERT INTO customers (id, environment_id, key, label, login_last4, created_at)
                     VALUES (1, 1, 'borrower_nsf', 'Kevin', 'e2fe', '2025-06-01');
                 INSERT INTO runs (id, customer_id, package, status, request_id, started_at, finished_at)
                     VALUES (7, 1, 'credit-risk', 'completed', 'r7', '2025-06-01', '2025-06-01');
                 INSERT INTO attribute_values (run_id, position, name, raw, number)
                     VALUES (7, 0, 'balance_min', '-153.74', -153.74);",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let version: i64 = store
            .conn()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, 6, "every migration ran");
        let table: i64 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'account_balances'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(table, 1);
        assert_eq!(store.run(7).unwrap().status, RunStatus::Completed);
        assert_eq!(
            store.values(7).unwrap(),
            [value("balance_min", "-153.74", Some(-153.74))]
        );
        assert!(store.balances(7).unwrap().is_empty(), "an old run has none");
    }

    /// A transaction as Flinks lists it behind `name`; its fields all follow from `id`.
    fn txn(name: &str, id: &str) -> StoredDetail {
        StoredDetail {
            name: name.into(),
            account_id: Some("acct".into()),
            transaction_id: Some(id.into()),
            date: format!("2026-01-{:02}", id.len()),
            description: Some(format!("PAYMENT {id}")),
            debit: Some(format!("{}.5", id.len())),
            credit: None,
            balance: Some(format!("-{}", id.len())),
        }
    }

    fn rows_of(store: &Store, table: &str, run: i64) -> i64 {
        store
            .conn()
            .query_row(
                &format!("SELECT count(*) FROM {table} WHERE run_id = ?1"),
                params![run],
                |r| r.get(0),
            )
            .unwrap()
    }

    fn complete_with(store: &Store, run: i64, details: &[StoredDetail]) -> Result<(), StoreError> {
        store.complete_run(
            run,
            &Completion {
                request_id: "r",
                duration_ms: 1,
                accounts: 1,
                transactions: 3,
                values: &[],
                details,
            },
        )
    }

    /// What explain must show for `name`: the details given for it, in the order given.
    fn given(details: &[StoredDetail], name: &str) -> Vec<StoredDetail> {
        details.iter().filter(|d| d.name == name).cloned().collect()
    }

    #[test]
    fn a_transaction_behind_several_values_is_stored_once_and_explained_under_each() {
        let (_dir, store) = store();
        let c = customer(&store);
        let run = store.start_run(c, "all").unwrap();
        // "nsf" comes back after "fees": its list goes on where it stopped.
        let details = [
            txn("nsf", "t1"),
            txn("nsf", "t22"),
            txn("fees", "t22"),
            txn("fees", "t333"),
            txn("fees", "t1"),
            txn("nsf", "t333"),
        ];
        complete_with(&store, run, &details).unwrap();
        assert_eq!(rows_of(&store, "run_transactions", run), 3);
        assert_eq!(rows_of(&store, "attribute_detail_lists", run), 2);
        assert_eq!(rows_of(&store, "attribute_details", run), 0);
        for name in ["nsf", "fees"] {
            assert_eq!(store.details(run, name).unwrap(), given(&details, name));
        }
        let ids = |name| -> Vec<String> {
            store
                .details(run, name)
                .unwrap()
                .into_iter()
                .map(|d| d.transaction_id.unwrap())
                .collect()
        };
        assert_eq!(ids("nsf"), ["t1", "t22", "t333"]);
        assert_eq!(ids("fees"), ["t22", "t333", "t1"]);
        assert!(store.details(run, "none_behind").unwrap().is_empty());
        assert_eq!(
            store.detail_counts(run).unwrap(),
            HashMap::from([("nsf".to_owned(), 3), ("fees".to_owned(), 3)])
        );
    }

    #[test]
    fn details_that_differ_in_anything_are_kept_apart() {
        let (_dir, store) = store();
        let c = customer(&store);
        let run = store.start_run(c, "all").unwrap();
        // The same id with another balance, or in another account, is not the same transaction
        // to explain; without an id, only equal fields are the same transaction.
        let mut rebalanced = txn("b", "t1");
        rebalanced.balance = Some("99".into());
        let mut elsewhere = txn("b", "t1");
        elsewhere.account_id = Some("other".into());
        let no_id = |name: &str, description: &str| StoredDetail {
            transaction_id: None,
            account_id: None,
            description: Some(description.into()),
            ..txn(name, "x")
        };
        let details = [
            txn("a", "t1"),
            no_id("a", "CASH"),
            rebalanced,
            elsewhere,
            txn("b", "t1"),
            no_id("b", "CASH"),
            no_id("b", "CHEQUE"),
        ];
        complete_with(&store, run, &details).unwrap();
        // t1, CASH, t1 rebalanced, t1 elsewhere, CHEQUE.
        assert_eq!(rows_of(&store, "run_transactions", run), 5);
        for name in ["a", "b"] {
            assert_eq!(store.details(run, name).unwrap(), given(&details, name));
        }
    }

    #[test]
    fn details_are_written_with_the_completion_or_not_at_all() {
        let (_dir, store) = store();
        let c = customer(&store);
        let run = store.start_run(c, "all").unwrap();
        store
            .end_run(run, RunStatus::Cancelled, 1, "run.cancelled", "stopped")
            .unwrap();
        // The details go in before the run is found not running any more.
        assert!(matches!(
            complete_with(&store, run, &[txn("nsf", "t1")]),
            Err(StoreError::NoSuchRun(_))
        ));
        assert_eq!(rows_of(&store, "run_transactions", run), 0);
        assert_eq!(rows_of(&store, "attribute_detail_lists", run), 0);
        assert!(store.detail_counts(run).unwrap().is_empty());
    }

    #[test]
    fn deleting_a_customer_deletes_the_transactions_of_its_runs() {
        let (_dir, store) = store();
        let c = customer(&store);
        let run = store.start_run(c, "all").unwrap();
        complete_with(&store, run, &[txn("nsf", "t1"), txn("fees", "t1")]).unwrap();
        assert_eq!(rows_of(&store, "run_transactions", run), 1);
        store.delete_customer(c).unwrap();
        assert_eq!(rows_of(&store, "run_transactions", run), 0);
        assert_eq!(rows_of(&store, "attribute_detail_lists", run), 0);
    }

    #[test]
    fn a_run_stored_before_migration_6_explains_as_it_did() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.sqlite3");
        // As the code before migration 6 wrote a run: every detail a row of attribute_details,
        // its position counted over the whole run; t1 is behind both values.
        let old_query = "SELECT name, account_id, transaction_id, date, description, debit, credit,
                 balance
             FROM attribute_details WHERE run_id = ?1 AND name = ?2 ORDER BY position";
        let read_old = |conn: &Connection, name: &str| -> Vec<StoredDetail> {
            conn.prepare(old_query)
                .unwrap()
                .query_map(params![7, name], |r| {
                    Ok(StoredDetail {
                        name: r.get(0)?,
                        account_id: r.get(1)?,
                        transaction_id: r.get(2)?,
                        date: r.get(3)?,
                        description: r.get(4)?,
                        debit: r.get(5)?,
                        credit: r.get(6)?,
                        balance: r.get(7)?,
                    })
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let before = {
            let mut conn = Connection::open(&path).unwrap();
            Migrations::new(migrations_up_to(5))
                .to_latest(&mut conn)
                .unwrap();
            conn.execute_batch(
                "INSERT INTO environments (id, key, name, kind, api_base_url, customer_id, created_at)
                     VALUES (1, 'builtin', 'Sandbox', 'builtin', 'http://127.0.0.1:1', 'cid', '2025-06-01');
                 INSERT INTO customers (id, environment_id, key, label, login_last4, created_at)
                     VALUES (1, 1, 'borrower_nsf', 'Kevin', 'e2fe', '2025-06-01');
                 INSERT INTO runs (id, customer_id, package, status, request_id, started_at, finished_at)
                     VALUES (7, 1, 'credit-risk', 'completed', 'r7', '2025-06-01', '2025-06-01');
                 INSERT INTO attribute_details (run_id, name, position, account_id, transaction_id,
                         date, description, debit, credit, balance)
                     VALUES (7, 'count_nsf_90_days', 0, 'a', 't1', '2025-05-02', 'NSF FEE', '48', NULL, '-12.5'),
                            (7, 'sum_fees', 1, 'a', 't1', '2025-05-02', 'NSF FEE', '48', NULL, '-12.5'),
                            (7, 'count_nsf_90_days', 2, 'a', 't2', '2025-05-09', 'NSF FEE', '48', NULL, '-60.5'),
                            (7, 'sum_fees', 3, NULL, NULL, '2025-05-30', NULL, '3.95', NULL, NULL);",
            )
            .unwrap();
            ["count_nsf_90_days", "sum_fees"].map(|name| read_old(&conn, name))
        };
        assert_eq!((before[0].len(), before[1].len()), (2, 2));

        let store = Store::open(&path).unwrap();
        assert_eq!(
            rows_of(&store, "run_transactions", 7),
            0,
            "old rows stay put"
        );
        assert_eq!(store.details(7, "count_nsf_90_days").unwrap(), before[0]);
        assert_eq!(store.details(7, "sum_fees").unwrap(), before[1]);
        assert_eq!(
            store.detail_counts(7).unwrap(),
            HashMap::from([
                ("count_nsf_90_days".to_owned(), 2),
                ("sum_fees".to_owned(), 2)
            ])
        );

        // A new run beside it is written the new way, and each reads from its own tables.
        let run = store.start_run(1, "credit-risk").unwrap();
        complete_with(&store, run, &[txn("count_nsf_90_days", "n1")]).unwrap();
        assert_eq!(rows_of(&store, "attribute_details", run), 0);
        assert_eq!(
            store.details(run, "count_nsf_90_days").unwrap(),
            [txn("count_nsf_90_days", "n1")]
        );
        assert_eq!(store.details(7, "count_nsf_90_days").unwrap(), before[0]);
        assert_eq!(store.detail_counts(run).unwrap()["count_nsf_90_days"], 1);
    }

    /// The first `n` migrations, as a database of that version was built.
    fn migrations_up_to(n: usize) -> Vec<M<'static>> {
        [
            include_str!("../migrations/0001_initial.sql"),
            include_str!("../migrations/0002_attribute_details.sql"),
            include_str!("../migrations/0003_authorize_tokens.sql"),
            include_str!("../migrations/0004_account_balances.sql"),
            include_str!("../migrations/0005_environment_settings.sql"),
        ][..n]
            .iter()
            .map(|sql| M::up(sql))
            .collect()
    }

    #[test]
    fn runs_left_running_are_interrupted_at_the_next_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.sqlite3");
        let (done, left) = {
            let store = Store::open(&path).unwrap();
            let c = customer(&store);
            let done = store.start_run(c, "credit-risk").unwrap();
            store
                .end_run(done, RunStatus::Failed, 5, "flinks.timeout", "slow")
                .unwrap();
            (done, store.start_run(c, "credit-risk").unwrap())
        };
        let store = Store::open(&path).unwrap();
        assert_eq!(store.run(left).unwrap().status, RunStatus::Interrupted);
        let failed = store.run(done).unwrap();
        assert_eq!(
            failed.status,
            RunStatus::Failed,
            "finished runs are left as they were"
        );
        assert_eq!(failed.error_code.as_deref(), Some("flinks.timeout"));
    }

    #[test]
    fn a_foreign_file_is_reported_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.sqlite3");
        let junk = b"this is not a database, but it is somebody's file".repeat(100);
        std::fs::write(&path, &junk).unwrap();
        match Store::open(&path) {
            Err(StoreError::Corrupt { .. }) => {}
            Err(other) => panic!("expected Corrupt, got {other}"),
            Ok(_) => panic!("a foreign file opened as a database"),
        }
        assert_eq!(std::fs::read(&path).unwrap(), junk);
    }

    #[test]
    fn a_database_from_a_newer_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.sqlite3");
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", 99).unwrap();
        }
        assert!(matches!(Store::open(&path), Err(StoreError::TooNew { .. })));
    }

    #[test]
    fn the_ledger_keeps_each_call() {
        let (_dir, store) = store();
        let env = store
            .upsert_environment("builtin", "Sandbox", "builtin", "http://x", "cid", false)
            .unwrap();
        store
            .record_request(env, "Authorize", Some(200), None, 3, false)
            .unwrap();
        store
            .record_request(
                env,
                "GetAccountsDetail",
                Some(202),
                Some("OPERATION_PENDING"),
                2,
                false,
            )
            .unwrap();
        let ledger = store.ledger(10, None).unwrap();
        assert_eq!(ledger.len(), 2);
        assert_eq!(ledger[0].endpoint, "GetAccountsDetail");
        assert_eq!(ledger[0].flinks_code.as_deref(), Some("OPERATION_PENDING"));
        assert_eq!(
            (
                ledger[0].environment.as_str(),
                ledger[0].environment_name.as_str()
            ),
            ("builtin", "Sandbox")
        );
    }

    /// A ledger line with its time given, as a call made then would have left it.
    fn request_at(store: &Store, env: i64, status: Option<u16>, billable: bool, at: &str) {
        store
            .conn()
            .execute(
                "INSERT INTO requests (environment_id, endpoint, status, duration_ms, billable, at)
                 VALUES (?1, 'Authorize', ?2, 1, ?3, ?4)",
                params![env, status, billable, at],
            )
            .unwrap();
    }

    #[test]
    fn the_ledger_filters_by_environment_before_it_limits() {
        let (_dir, store) = store();
        let a = store
            .upsert_environment("a", "A", "private", "http://a", "cid", false)
            .unwrap();
        let b = store
            .upsert_environment("b", "B", "private", "http://b", "cid", false)
            .unwrap();
        store
            .record_request(a, "Authorize", Some(200), None, 1, false)
            .unwrap();
        for _ in 0..3 {
            store
                .record_request(b, "GetAccountsDetail", Some(200), None, 1, false)
                .unwrap();
        }
        // A's one line is older than B's three: a limit applied before the filter loses it.
        let only_a = store.ledger(2, Some("a")).unwrap();
        assert_eq!(only_a.len(), 1);
        assert_eq!(
            (only_a[0].environment.as_str(), only_a[0].endpoint.as_str()),
            ("a", "Authorize")
        );
        assert_eq!(store.ledger(10, Some("b")).unwrap().len(), 3);
        assert_eq!(store.ledger(10, None).unwrap().len(), 4);
        assert!(store.ledger(10, Some("nowhere")).unwrap().is_empty());
    }

    #[test]
    fn ledger_totals_count_by_environment_and_by_utc_calendar_month() {
        let (_dir, store) = store();
        let zeta = store
            .upsert_environment("z", "Zeta (prod)", "private", "http://z", "cid", true)
            .unwrap();
        let acme = store
            .upsert_environment("a", "acme", "private", "http://a", "cid", false)
            .unwrap();
        let builtin = store
            .upsert_environment("builtin", "Sandbox", "builtin", "http://s", "cid", false)
            .unwrap();
        store
            .upsert_environment("idle", "Idle", "private", "http://i", "cid", false)
            .unwrap();
        // The edges of March 2026 in UTC: its first and last millisecond count, the last
        // millisecond of February, the first of April and March of a year before do not.
        request_at(&store, zeta, Some(200), true, "2026-03-01T00:00:00.000Z");
        request_at(&store, zeta, Some(201), true, "2026-03-31T23:59:59.999Z");
        request_at(&store, zeta, Some(200), true, "2026-02-28T23:59:59.999Z");
        request_at(&store, zeta, Some(200), true, "2026-04-01T00:00:00.000Z");
        request_at(&store, zeta, Some(200), true, "2025-03-15T12:00:00.000Z");
        request_at(&store, zeta, Some(399), false, "2026-03-02T00:00:00.000Z");
        request_at(&store, zeta, Some(400), false, "2026-03-02T00:00:00.000Z");
        request_at(&store, zeta, Some(503), false, "2026-03-02T00:00:00.000Z");
        request_at(&store, zeta, None, false, "2026-03-02T00:00:00.000Z");
        request_at(&store, acme, Some(200), false, "2026-03-02T00:00:00.000Z");
        request_at(
            &store,
            builtin,
            Some(202),
            false,
            "2026-03-02T00:00:00.000Z",
        );

        let now = "2026-03-15T08:00:00Z".parse().unwrap();
        let totals = store.ledger_totals_at(now).unwrap();
        let order: Vec<&str> = totals.iter().map(|t| t.environment.as_str()).collect();
        // Names sort without regard to case; an environment with no call is not listed.
        assert_eq!(order, ["builtin", "a", "z"]);
        assert_eq!(
            totals[2],
            LedgerTotals {
                environment: "z".into(),
                environment_name: "Zeta (prod)".into(),
                production: true,
                requests: 9,
                billable: 5,
                billable_this_month: 2,
                failed: 3,
            }
        );
        assert_eq!(
            (totals[1].requests, totals[1].billable, totals[1].failed),
            (1, 0, 0)
        );
        assert_eq!((totals[0].requests, totals[0].failed), (1, 0));

        let april = "2026-04-30T23:59:59Z".parse().unwrap();
        let z = &store.ledger_totals_at(april).unwrap()[2];
        assert_eq!(z.billable_this_month, 1);
    }

    #[test]
    fn an_edit_changes_the_fields_it_may_and_no_other_environment() {
        let (_dir, store) = store();
        let id = store
            .upsert_environment("k", "Acme", "private", "http://a", "cid", false)
            .unwrap();
        let other = store
            .upsert_environment("o", "Other", "private", "http://o", "cid", false)
            .unwrap();
        let before = store.environments().unwrap();
        let mut row = before.iter().find(|e| e.id == id).unwrap().clone();
        row.name = "Acme (prod)".into();
        row.api_base_url = "https://acme-api.private.fin.ag".into();
        row.customer_id = "cid-2".into();
        row.production = true;
        row.authorize_tokens = true;
        // Key and kind are not the edit's to change, whatever the row says.
        row.key = "hijacked".into();
        row.kind = "builtin".into();
        assert!(store.update_environment(&row).unwrap());
        let after = store.environments().unwrap();
        let stored = after.iter().find(|e| e.id == id).unwrap();
        assert_eq!(
            (stored.key.as_str(), stored.kind.as_str()),
            ("k", "private")
        );
        assert_eq!(
            (
                stored.name.as_str(),
                stored.api_base_url.as_str(),
                stored.customer_id.as_str(),
                stored.production,
                stored.authorize_tokens
            ),
            (
                "Acme (prod)",
                "https://acme-api.private.fin.ag",
                "cid-2",
                true,
                true
            )
        );
        assert_eq!(
            after.iter().find(|e| e.id == other),
            before.iter().find(|e| e.id == other)
        );
        row.id = 999;
        assert!(!store.update_environment(&row).unwrap());
    }

    #[test]
    fn last4_is_all_a_customer_row_can_hold() {
        let (_dir, store) = store();
        let env = store
            .upsert_environment("builtin", "Sandbox", "builtin", "http://x", "cid", false)
            .unwrap();
        let whole = "5e115eac-1209-4f19-641c-08d6d484e2fe";
        assert!(store
            .upsert_customer(env, "k", "label", "FlinksCapital", whole)
            .is_err());
    }
}
