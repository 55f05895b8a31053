//! What stored runs show: the history, a run, its charts, explain, compare, and CSV exports
//! through the native save dialog.

use std::path::PathBuf;

use desk_core::{
    package_named, Chart, Comparison, CsvOptions, ErrorCode, ErrorView, Explanation, ExportSummary,
    HistoryEntry, RunResult,
};
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;

use super::DeskState;

#[tauri::command]
#[tracing::instrument(skip(state))]
pub fn history(state: State<'_, DeskState>) -> Result<Vec<HistoryEntry>, ErrorView> {
    Ok(state.desk()?.history_with_decisions(200)?)
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

/// Where to write an export: FLINKS_DESK_EXPORT_DIR when set (tests, kiosks), else the native
/// save dialog. `None` when the person closed the dialog.
fn export_path<R: Runtime>(app: &AppHandle<R>, name: &str) -> Result<Option<PathBuf>, ErrorView> {
    if let Some(dir) = std::env::var_os("FLINKS_DESK_EXPORT_DIR") {
        return Ok(Some(PathBuf::from(dir).join(name)));
    }
    // Export commands run off the main thread, so the dialog may block.
    let chosen = app
        .dialog()
        .file()
        .set_title("Export attributes as CSV")
        .set_file_name(name)
        .add_filter("CSV", &["csv"])
        .blocking_save_file();
    let Some(chosen) = chosen else {
        return Ok(None);
    };
    chosen.into_path().map(Some).map_err(|e| {
        ErrorView::new(
            ErrorCode::ExportPath,
            format!("the chosen location is not a file path: {e}"),
            "Pick a folder on this computer.",
        )
    })
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
    let Some(path) = export_path(&app, &name)? else {
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
    let Some(path) = export_path(&app, &name)? else {
        return Ok(None);
    };
    Ok(Some(desk.export_portfolio_csv(
        &run_ids,
        &path,
        CsvOptions { bom },
    )?))
}
