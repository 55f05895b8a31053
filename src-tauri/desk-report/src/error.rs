use std::path::PathBuf;

use desk_core::{ErrorCode, ErrorView};
use thiserror::Error;

/// Why a credit file could not be made. Nothing of the run is lost: the store is only read.
#[derive(Debug, Error)]
pub enum ReportError {
    #[error("the Excel workbook could not be written: {0}")]
    Workbook(#[from] rust_xlsxwriter::XlsxError),
    /// Typst refused the report's layout: a defect of the desk, with Typst's words.
    #[error("the PDF report could not be laid out: {0}")]
    Layout(String),
    #[error("the PDF report could not be written: {0}")]
    Pdf(String),
    #[error("could not write {}: {error}", .path.display())]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl From<ReportError> for ErrorView {
    fn from(e: ReportError) -> Self {
        match e {
            ReportError::Write { .. } => ErrorView::new(
                ErrorCode::ExportWrite,
                e.to_string(),
                "Pick a folder you can write to (and a file that is not open in another program), then export again.",
            ),
            _ => ErrorView::new(
                ErrorCode::ExportReport,
                e.to_string(),
                "The CSV export has every value; please report the run whose file failed.",
            ),
        }
    }
}
