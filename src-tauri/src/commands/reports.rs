//! The credit file of a run (Export ▸ PDF / Excel on the results screen) and of a portfolio
//! (one PDF per customer and a workbook, into a folder). Typst lays a report out in a fraction
//! of a second to a few seconds, so the work runs on a blocking thread, not the async runtime.

use std::sync::Arc;

use desk_core::{Desk, ErrorCode, ErrorView};
use desk_report::Written;
use tauri::{AppHandle, Runtime, State};

use super::DeskState;

#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportKind {
    Pdf,
    Xlsx,
}

/// One run's credit file, where the person picks. `None` when they closed the dialog.
#[tauri::command]
#[tracing::instrument(skip(app, state))]
pub async fn export_report<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    run_id: i64,
    kind: ReportKind,
) -> Result<Option<Written>, ErrorView> {
    let desk = state.desk()?.clone();
    let file = blocking(desk.clone(), move |d| Ok(d.credit_file(run_id)?)).await?;
    let (extension, title, filter) = match kind {
        ReportKind::Pdf => ("pdf", "Export the credit file as PDF", "PDF"),
        ReportKind::Xlsx => ("xlsx", "Export the credit file as Excel", "Excel workbook"),
    };
    let name = desk_report::file_name(&file, extension);
    let Some(path) = super::save_path(&app, &name, title, (filter, &[extension]))? else {
        return Ok(None);
    };
    let written = blocking(desk, move |_| {
        Ok(match kind {
            ReportKind::Pdf => desk_report::write_pdf(&file, &path)?,
            ReportKind::Xlsx => desk_report::write_workbook(&file, &path)?,
        })
    })
    .await?;
    Ok(Some(written))
}

/// A portfolio's credit files into one folder: a PDF per customer and one workbook with a row
/// per customer. `None` when the person closed the dialog.
#[tauri::command]
#[tracing::instrument(skip(app, state))]
pub async fn export_portfolio_reports<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    run_ids: Vec<i64>,
    package: String,
) -> Result<Option<Written>, ErrorView> {
    let desk = state.desk()?.clone();
    let package = desk_core::package_named(&package)?;
    let Some(dir) = super::pick_folder(&app, "Export the portfolio's credit files into a folder")?
    else {
        return Ok(None);
    };
    let name = desk_report::portfolio_file_name(package.slug());
    Ok(Some(
        blocking(desk, move |d| {
            let files = run_ids
                .iter()
                .map(|&id| d.credit_file(id))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(desk_report::write_portfolio(&files, &dir, &name)?)
        })
        .await?,
    ))
}

async fn blocking<T: Send + 'static>(
    desk: Arc<Desk>,
    work: impl FnOnce(&Desk) -> Result<T, ErrorView> + Send + 'static,
) -> Result<T, ErrorView> {
    tauri::async_runtime::spawn_blocking(move || work(&desk))
        .await
        .map_err(|e| {
            ErrorView::new(
                ErrorCode::ExportReport,
                format!("the credit file stopped half-way: {e}"),
                "Nothing was written. Try again; if it happens again, please report it.",
            )
        })?
}
