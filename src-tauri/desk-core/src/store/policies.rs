//! Policies and their versions: every saved version kept, found by name and content hash.

use rusqlite::{params, OptionalExtension};

use super::{now, Store, StoreError};

/// One saved version of a policy.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyVersion {
    pub id: i64,
    pub policy: String,
    pub sha256: String,
    /// The JDM document as saved.
    #[serde(skip)]
    pub document: String,
    pub note: String,
    pub saved_at: String,
}

impl Store {
    /// Keeps `document` as a version of the policy `name` (created if new); the same document
    /// saved again is the same version. Returns the version.
    pub fn save_policy_version(
        &self,
        name: &str,
        sha256: &str,
        document: &str,
        note: &str,
    ) -> Result<PolicyVersion, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO policies (name, created_at) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
            params![name, now()],
        )?;
        let policy_id: i64 = tx.query_row(
            "SELECT id FROM policies WHERE name = ?1",
            params![name],
            |r| r.get(0),
        )?;
        tx.execute(
            "INSERT INTO policy_versions (policy_id, sha256, document, note, saved_at)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (policy_id, sha256) DO NOTHING",
            params![policy_id, sha256, document, note, now()],
        )?;
        tx.commit()?;
        drop(conn);
        self.policy_version(name, sha256)?
            .ok_or_else(|| StoreError::Sql(rusqlite::Error::QueryReturnedNoRows))
    }

    /// A version of a policy by its hash.
    pub fn policy_version(
        &self,
        name: &str,
        sha256: &str,
    ) -> Result<Option<PolicyVersion>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT v.id, p.name, v.sha256, v.document, v.note, v.saved_at
                 FROM policy_versions v JOIN policies p ON p.id = v.policy_id
                 WHERE p.name = ?1 AND v.sha256 = ?2",
                params![name, sha256],
                version,
            )
            .optional()?)
    }

    /// A version by its id (what a decision refers to).
    pub fn policy_version_by_id(&self, id: i64) -> Result<Option<PolicyVersion>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT v.id, p.name, v.sha256, v.document, v.note, v.saved_at
                 FROM policy_versions v JOIN policies p ON p.id = v.policy_id
                 WHERE v.id = ?1",
                params![id],
                version,
            )
            .optional()?)
    }

    /// Every version of a policy, newest first.
    pub fn policy_versions(&self, name: &str) -> Result<Vec<PolicyVersion>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT v.id, p.name, v.sha256, v.document, v.note, v.saved_at
             FROM policy_versions v JOIN policies p ON p.id = v.policy_id
             WHERE p.name = ?1 ORDER BY v.id DESC",
        )?;
        let rows = stmt.query_map(params![name], version)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The names of the saved policies, alphabetically.
    pub fn policy_names(&self) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT name FROM policies ORDER BY name")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn version(r: &rusqlite::Row<'_>) -> rusqlite::Result<PolicyVersion> {
    Ok(PolicyVersion {
        id: r.get(0)?,
        policy: r.get(1)?,
        sha256: r.get(2)?,
        document: r.get(3)?,
        note: r.get(4)?,
        saved_at: r.get(5)?,
    })
}
