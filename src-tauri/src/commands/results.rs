//! What stored runs show: the history, a run, its charts, explain, compare, and CSV exports
//! through the native save dialog.

use desk_core::team::TeamFilter;
use desk_core::{
    package_named, Chart, Comparison, CsvOptions, ErrorView, Explanation, ExportSummary,
    HistoryEntry, RunResult,
};
use tauri::{AppHandle, Runtime, State};

use super::DeskState;

/// The runs kept on this desk (its own and those pulled from its team), newest first, of one
/// underwriter or review status when the filter says so; 200 at most unless it says otherwise.
#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn history(
    state: State<'_, DeskState>,
    filter: Option<TeamFilter>,
) -> Result<Vec<HistoryEntry>, ErrorView> {
    let mut filter = filter.unwrap_or_default();
    filter.limit = filter.limit.or(Some(200));
    Ok(state.desk()?.history_filtered(&filter)?)
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn open_run(state: State<'_, DeskState>, run_id: i64) -> Result<RunResult, ErrorView> {
    Ok(state.desk()?.open_run(run_id)?)
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn charts(state: State<'_, DeskState>, run_id: i64) -> Result<Vec<Chart>, ErrorView> {
    Ok(state.desk()?.charts(run_id)?)
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn explain(
    state: State<'_, DeskState>,
    run_id: i64,
    name: String,
) -> Result<Explanation, ErrorView> {
    Ok(state.desk()?.explain(run_id, &name)?)
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn compare_runs(
    state: State<'_, DeskState>,
    left: i64,
    right: i64,
) -> Result<Comparison, ErrorView> {
    Ok(state.desk()?.compare(left, right)?)
}

#[tauri::command]
#[tracing::instrument(skip(app, state))]
pub async fn export_csv<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    run_id: i64,
    bom: bool,
) -> Result<Option<ExportSummary>, ErrorView> {
    let desk = state.desk()?.clone();
    let name = desk.export_file_name(run_id)?;
    let Some(path) = super::save_path(&app, &name, "Export attributes as CSV", ("CSV", &["csv"]))?
    else {
        return Ok(None);
    };
    Ok(Some(desk.export_csv(run_id, &path, CsvOptions { bom })?))
}

/// A portfolio's completed runs as one wide CSV, one row per customer.
#[tauri::command]
#[tracing::instrument(skip(app, state))]
pub async fn export_portfolio_csv<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    run_ids: Vec<i64>,
    package: String,
    bom: bool,
) -> Result<Option<ExportSummary>, ErrorView> {
    let desk = state.desk()?.clone();
    let package = package_named(&package)?;
    let name = desk_core::export::portfolio_file_name(package.slug());
    let Some(path) = super::save_path(&app, &name, "Export attributes as CSV", ("CSV", &["csv"]))?
    else {
        return Ok(None);
    };
    Ok(Some(desk.export_portfolio_csv(
        &run_ids,
        &path,
        CsvOptions { bom },
    )?))
}
