//! The Tauri commands, one file per family of screens. Each takes the state, calls the desk and
//! lets `?` turn a `DeskError` into the `{ code, message, hint }` the page shows.

pub mod customers;
pub mod decisions;
pub mod environments;
pub mod policies;
pub mod results;
pub mod runs;
pub mod statements;

use std::sync::Arc;

use desk_core::{Desk, ErrorView};
use tauri::ipc::Channel;

/// The desk, or why it could not start (shown by the UI instead of a dead window).
pub struct DeskState(pub Result<Arc<Desk>, ErrorView>);

impl DeskState {
    pub fn desk(&self) -> Result<&Arc<Desk>, ErrorView> {
        self.0.as_ref().map_err(Clone::clone)
    }
}

/// Progress to the page. The window may be gone mid-run; the run still finishes and is simply
/// not shown.
fn forward<T>(channel: Channel<T>) -> impl Fn(T) + Send + Sync
where
    T: tauri::ipc::IpcResponse + Send + Sync + 'static,
{
    move |event: T| {
        if let Err(e) = channel.send(event) {
            tracing::debug!(error = %e, "progress not delivered");
        }
    }
}
