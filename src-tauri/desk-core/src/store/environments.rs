//! Environments (where Flinks is, and who we are to it) and the customers added to each.

use rusqlite::params;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use super::{now, Store, StoreError};

/// What an environment is: the sandbox inside the app, the public Flinks toolbox, or a private
/// instance someone added. Stored and sent to the UI as `builtin`, `toolbox`, `private`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EnvironmentKind {
    Builtin,
    Toolbox,
    #[default]
    Private,
}

impl EnvironmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EnvironmentKind::Builtin => "builtin",
            EnvironmentKind::Toolbox => "toolbox",
            EnvironmentKind::Private => "private",
        }
    }
}

impl ToSql for EnvironmentKind {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl FromSql for EnvironmentKind {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value.as_str()? {
            "builtin" => Ok(EnvironmentKind::Builtin),
            "toolbox" => Ok(EnvironmentKind::Toolbox),
            "private" => Ok(EnvironmentKind::Private),
            other => Err(FromSqlError::Other(
                format!("unknown environment kind {other:?}").into(),
            )),
        }
    }
}

/// An environment as stored: no secret, only where Flinks is and who we are to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvironmentRow {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub kind: EnvironmentKind,
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

impl Store {
    /// Inserts or updates an environment by its key; returns its id.
    #[allow(clippy::too_many_arguments)]
    pub fn upsert_environment(
        &self,
        key: &str,
        name: &str,
        kind: EnvironmentKind,
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

    /// This desk's own customers (not those of runs shared from other desks: their loginIds are
    /// in those desks' keyrings).
    pub fn customers(&self) -> Result<Vec<CustomerRow>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, environment_id, key, label, institution, login_last4 FROM customers
             WHERE desk_id IS NULL ORDER BY environment_id, id",
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

    /// Its customers, runs and ledger go with it (foreign keys cascade).
    pub fn delete_environment(&self, environment_id: i64) -> Result<(), StoreError> {
        self.conn().execute(
            "DELETE FROM environments WHERE id = ?1",
            params![environment_id],
        )?;
        Ok(())
    }

    /// Removes a customer and the runs kept for it.
    pub fn delete_customer(&self, customer_id: i64) -> Result<(), StoreError> {
        self.conn()
            .execute("DELETE FROM customers WHERE id = ?1", params![customer_id])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
