//! The Tauri commands, one file per family of screens. Each takes the state, calls the desk and
//! lets `?` turn a `DeskError` into the `{ code, message, hint }` the page shows.

pub mod customers;
pub mod decisions;
pub mod environments;
pub mod policies;
pub mod reports;
pub mod results;
pub mod runs;
pub mod statements;
pub mod team;

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

/// Where to write an export: FLINKS_DESK_EXPORT_DIR when set (tests, kiosks), else the native
/// save dialog with this title and filter. `None` when the person closed the dialog.
fn save_path<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    name: &str,
    title: &str,
    (filter, extensions): (&str, &[&str]),
) -> Result<Option<std::path::PathBuf>, ErrorView> {
    use tauri_plugin_dialog::DialogExt;
    if let Some(dir) = std::env::var_os("FLINKS_DESK_EXPORT_DIR") {
        return Ok(Some(std::path::PathBuf::from(dir).join(name)));
    }
    // Export commands run off the main thread, so the dialog may block.
    let Some(chosen) = app
        .dialog()
        .file()
        .set_title(title)
        .set_file_name(name)
        .add_filter(filter, extensions)
        .blocking_save_file()
    else {
        return Ok(None);
    };
    chosen.into_path().map(Some).map_err(|e| {
        ErrorView::new(
            desk_core::ErrorCode::ExportPath,
            format!("the chosen location is not a file path: {e}"),
            "Pick a folder on this computer.",
        )
    })
}

/// Where to write several files: FLINKS_DESK_EXPORT_DIR when set (tests, kiosks), else the
/// native folder dialog with this title. `None` when the person closed the dialog.
fn pick_folder<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    title: &str,
) -> Result<Option<std::path::PathBuf>, ErrorView> {
    use tauri_plugin_dialog::DialogExt;
    if let Some(dir) = std::env::var_os("FLINKS_DESK_EXPORT_DIR") {
        return Ok(Some(std::path::PathBuf::from(dir)));
    }
    let Some(chosen) = app.dialog().file().set_title(title).blocking_pick_folder() else {
        return Ok(None);
    };
    chosen.into_path().map(Some).map_err(|e| {
        ErrorView::new(
            desk_core::ErrorCode::ExportPath,
            format!("the chosen folder is not a path on this computer: {e}"),
            "Pick a folder on this computer.",
        )
    })
}
