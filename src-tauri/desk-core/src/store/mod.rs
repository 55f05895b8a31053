//! The desk's SQLite database: environments, customers, runs with their attribute values, and
//! the request ledger. Versioned migrations, WAL, foreign keys on. A database that cannot be
//! opened is reported and left as it is: never recreated over the user's history.
//!
//! This file opens the database and keeps the migrations; each table family has its own file and
//! its own `impl Store`, and reaches the connection only through `Store::conn`, so that one lock
//! guards every statement.

mod decisions;
mod details;
mod environments;
mod ledger;
mod policies;
mod runs;
mod settings;
mod statements;
mod team;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{params, Connection, ErrorCode};
use rusqlite_migration::{Migrations, M};

use crate::files;

pub use decisions::{NewDecision, ReplayInput, StoredDecision};
pub use details::{BalanceSeries, DayBalance, DetailLists, StoredDetail, TransactionBehind};
pub use environments::{CustomerRow, EnvironmentKind, EnvironmentRow};
pub use ledger::{LedgerEntry, LedgerTotals};
pub use policies::PolicyVersion;
pub use runs::{Completion, RunRecord, RunStatus, StoredValue};
pub use statements::AttachedStatement;

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
    #[error("{0}")]
    Invalid(String),
}

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../../migrations/0001_initial.sql")),
        M::up(include_str!("../../migrations/0002_attribute_details.sql")),
        M::up(include_str!("../../migrations/0003_authorize_tokens.sql")),
        M::up(include_str!("../../migrations/0004_account_balances.sql")),
        M::up(include_str!(
            "../../migrations/0005_environment_settings.sql"
        )),
        M::up(include_str!("../../migrations/0006_run_transactions.sql")),
        M::up(include_str!(
            "../../migrations/0007_policies_and_decisions.sql"
        )),
        M::up(include_str!("../../migrations/0008_settings.sql")),
        M::up(include_str!("../../migrations/0009_run_statements.sql")),
        M::up(include_str!("../../migrations/0010_team.sql")),
    ])
}

pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
    /// This desk's id (made once, by migration 0010) and the OS user running it: what the runs,
    /// decisions and audit entries it writes are marked with.
    desk: crate::team::DeskId,
}

/// The database's `-wal` or `-shm` file.
fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

pub(crate) fn now() -> String {
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
    /// were still running when the app last stopped as interrupted. A folder or file it creates
    /// is private (see [`crate::files`]), and so are a database and its WAL found there.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let io_failed = |e: std::io::Error| StoreError::Open {
            path: path.to_owned(),
            source: rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            files::create_private_dir(dir).map_err(io_failed)?;
        }
        // SQLite creates the -wal and -shm files with the database's permissions, so a new
        // database is created private before SQLite opens it.
        match files::private_file_options()
            .write(true)
            .create_new(true)
            .open(path)
        {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => return Err(io_failed(e)),
            _ => {}
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
        // A database an older version wrote is made private once it proved to be ours (one
        // that cannot be opened is left as it is).
        for file in [
            path.to_owned(),
            sidecar(path, "-wal"),
            sidecar(path, "-shm"),
        ] {
            if let Err(e) = files::restrict_file(&file) {
                tracing::warn!(error = %e, file = %file.display(), "could not make the file private");
            }
        }
        let desk = crate::team::DeskId {
            desk: conn.query_row(
                "SELECT value ->> '$' FROM settings WHERE key = 'desk_id'",
                [],
                |r| r.get(0),
            )?,
            user: crate::who::os_user(),
        };
        Ok(Store {
            conn: Mutex::new(conn),
            path: path.to_owned(),
            desk,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// This desk and the OS user at it.
    pub fn desk_id(&self) -> &crate::team::DeskId {
        &self.desk
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (statements are atomic), so
        // the connection stays usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}
