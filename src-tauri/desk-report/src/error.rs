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
}
