//! Environments: the list, adding, checking, editing and removing one, and its request log.
//! The keys typed in arrive as `Secret`s inside the inputs, and the spans skip the inputs.

use desk_core::{
    EnvironmentEdit, EnvironmentView, ErrorView, LedgerEntry, LedgerTotals, NewEnvironment,
};
use tauri::State;

use super::DeskState;

#[tauri::command]
#[tracing::instrument(skip_all)]
pub fn environments(state: State<'_, DeskState>) -> Result<Vec<EnvironmentView>, ErrorView> {
    Ok(state.desk()?.environments())
}

#[tauri::command]
#[tracing::instrument(skip_all)]
pub fn add_environment(
    state: State<'_, DeskState>,
    input: NewEnvironment,
) -> Result<EnvironmentView, ErrorView> {
    Ok(state.desk()?.add_environment(input)?)
}

/// What a cheap call to the environment proved, in words (or why it failed).
#[tauri::command]
#[tracing::instrument(skip(state))]
pub async fn check_environment(
    state: State<'_, DeskState>,
    environment: String,
) -> Result<String, ErrorView> {
    let desk = state.desk()?.clone();
    Ok(desk.check_environment(&environment).await?)
}

#[tauri::command]
#[tracing::instrument(skip(state, edit))]
pub fn update_environment(
    state: State<'_, DeskState>,
    environment: String,
    edit: EnvironmentEdit,
) -> Result<EnvironmentView, ErrorView> {
    Ok(state.desk()?.update_environment(&environment, edit)?)
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn remove_environment(
    state: State<'_, DeskState>,
    environment: String,
) -> Result<(), ErrorView> {
    Ok(state.desk()?.remove_environment(&environment)?)
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn request_log(
    state: State<'_, DeskState>,
    environment: Option<String>,
) -> Result<Vec<LedgerEntry>, ErrorView> {
    Ok(state.desk()?.ledger(500, environment.as_deref())?)
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn ledger_totals(state: State<'_, DeskState>) -> Result<Vec<LedgerTotals>, ErrorView> {
    Ok(state.desk()?.ledger_totals()?)
}
