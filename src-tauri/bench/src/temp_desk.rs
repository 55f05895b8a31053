//! A desk on a store of its own in a temporary folder, as each benchmark that drives the desk
//! starts one: its built-in sandbox answering at once (nothing pending), the keyring in memory.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use desk_core::{BuiltinOptions, Desk, MemoryStore, Store};

/// Field order is drop order: the desk closes its database before the folder goes.
pub struct TempDesk {
    pub desk: Desk,
    pub dir: tempfile::TempDir,
}

impl TempDesk {
    /// A desk polling its built-in sandbox every `poll_interval`.
    pub async fn start(poll_interval: Duration) -> Result<TempDesk> {
        let dir = tempfile::tempdir()?;
        let desk = Desk::start(
            BuiltinOptions {
                port: None,
                pending_for: Duration::ZERO,
                poll_interval,
            },
            Store::open(&dir.path().join("flinks-desk.sqlite3"))?,
            Arc::new(MemoryStore::default()),
        )
        .await?;
        Ok(TempDesk { desk, dir })
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("flinks-desk.sqlite3")
    }

    /// Another connection to the desk's database, to read or fill it as the store itself.
    pub fn store(&self) -> Result<Store> {
        Ok(Store::open(&self.db())?)
    }
}
