//! The team store, for the header's status line: where the desk stands with its team, and
//! "Sync now". Joining and the 30-second sync are the startup's (`startup::join_team`); the
//! store's URL never reaches the page, only its redacted form in the status.

use desk_core::{ErrorView, TeamStatus};
use tauri::State;

use super::DeskState;

/// Where the desk stands with its team (on its own, in sync, or working offline), without
/// calling the team store.
#[tauri::command]
#[tracing::instrument(skip_all)]
pub async fn team_status(state: State<'_, DeskState>) -> Result<TeamStatus, ErrorView> {
    let desk = state.desk()?.clone();
    Ok(desk.team_status().await?)
}

/// Shares this desk's new runs and decisions and fetches the team's now. An unreachable store
/// is no error: the status says so.
#[tauri::command]
#[tracing::instrument(skip_all)]
pub async fn sync_team(state: State<'_, DeskState>) -> Result<TeamStatus, ErrorView> {
    let desk = state.desk()?.clone();
    Ok(desk.sync_team().await?)
}
