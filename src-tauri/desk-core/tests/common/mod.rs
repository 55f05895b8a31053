//! What the integration tests share: a desk on the built-in sandbox over real HTTP, its store
//! in `db`, polling fast so that tests do not wait on the sandbox.
// Each test file is its own crate and uses only part of this.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use desk_core::{BuiltinOptions, Desk, SecretStore, Store};

/// A desk whose built-in sandbox answers at once.
pub async fn start_desk(db: &Path, secrets: Arc<dyn SecretStore>) -> Desk {
    start_desk_pending(db, secrets, Duration::ZERO).await
}

/// A desk whose built-in sandbox answers `OPERATION_PENDING` for `pending_for`.
pub async fn start_desk_pending(
    db: &Path,
    secrets: Arc<dyn SecretStore>,
    pending_for: Duration,
) -> Desk {
    Desk::start(
        BuiltinOptions {
            port: None,
            pending_for,
            poll_interval: Duration::from_millis(30),
        },
        Store::open(db).unwrap(),
        secrets,
    )
    .await
    .expect("the built-in sandbox starts")
}
