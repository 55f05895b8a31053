//! The statement files attached to runs.

use rusqlite::params;

use super::{now, Store, StoreError};

/// A statement file attached to a run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachedStatement {
    pub id: i64,
    pub run_id: i64,
    /// The account's last four characters.
    pub account: String,
    pub path: String,
    pub bytes: i64,
    pub sha256: String,
    pub saved_at: String,
}

impl Store {
    pub fn attach_statement(
        &self,
        run_id: i64,
        account_last4: &str,
        path: &str,
        bytes: i64,
        sha256: &str,
    ) -> Result<i64, StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO run_statements (run_id, account, path, bytes, sha256, saved_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![run_id, account_last4, path, bytes, sha256, now()],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// A run's statements, in the order they were saved.
    pub fn statements(&self, run_id: i64) -> Result<Vec<AttachedStatement>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, run_id, account, path, bytes, sha256, saved_at
             FROM run_statements WHERE run_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![run_id], |r| {
            Ok(AttachedStatement {
                id: r.get(0)?,
                run_id: r.get(1)?,
                account: r.get(2)?,
                path: r.get(3)?,
                bytes: r.get(4)?,
                sha256: r.get(5)?,
                saved_at: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
