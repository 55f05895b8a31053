//! A run's PDF statements: fetched through the same flow as the run and saved in a folder the
//! person picks (the native folder dialog, or FLINKS_DESK_EXPORT_DIR for tests and kiosks).

use desk_core::{AttachedStatement, ErrorView, RunEvent};
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};

use super::{forward, DeskState};

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
    let Some(folder) = super::pick_folder(&app, "Save the customer's statements in…")? else {
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
