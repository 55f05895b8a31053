//! A run's PDF statements: fetched through the same flow as the run and saved in a folder the
//! person picks (the native folder dialog, or FLINKS_DESK_EXPORT_DIR for tests and kiosks).

use std::path::PathBuf;

use desk_core::{AttachedStatement, ErrorCode, ErrorView, RunEvent};
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;

use super::{forward, DeskState};

/// The folder to save into; `None` when the person closed the dialog.
fn folder<R: Runtime>(app: &AppHandle<R>) -> Result<Option<PathBuf>, ErrorView> {
    if let Some(dir) = std::env::var_os("FLINKS_DESK_EXPORT_DIR") {
        return Ok(Some(PathBuf::from(dir)));
    }
    let Some(chosen) = app
        .dialog()
        .file()
        .set_title("Save the customer's statements in…")
        .blocking_pick_folder()
    else {
        return Ok(None);
    };
    chosen.into_path().map(Some).map_err(|e| {
        ErrorView::new(
            ErrorCode::ExportPath,
            format!("the chosen folder is not a path on this computer: {e}"),
            "Pick a folder on this computer.",
        )
    })
}

#[tauri::command]
#[tracing::instrument(skip(app, state, on_event))]
pub async fn attach_statements<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    run_id: i64,
    months: Option<u32>,
    on_event: Channel<RunEvent>,
) -> Result<Option<Vec<AttachedStatement>>, ErrorView> {
    let desk = state.desk()?.clone();
    let Some(folder) = folder(&app)? else {
        return Ok(None);
    };
    Ok(Some(
        desk.attach_statements(run_id, &folder, months, &forward(on_event))
            .await?,
    ))
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn run_statements(
    state: State<'_, DeskState>,
    run_id: i64,
) -> Result<Vec<AttachedStatement>, ErrorView> {
    Ok(state.desk()?.statements(run_id)?)
}
