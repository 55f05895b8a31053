//! Settings as JSON by key: read with a default, written whole.

use rusqlite::{params, OptionalExtension};

use super::{now, Store, StoreError};

impl Store {
    /// The setting's JSON text, if it was ever set.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                params![key],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (key) DO UPDATE SET value = ?2, updated_at = ?3",
            params![key, value, now()],
        )?;
        Ok(())
    }
}
