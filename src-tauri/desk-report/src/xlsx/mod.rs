//! The credit file as an Excel workbook: "Summary" (the report's first page), "Attributes"
//! (every value, typed), "Transactions" (each transaction behind a value once, with the values
//! it is behind) and, when the run has monthly figures, "Monthly" with native Excel charts over
//! its cells; and a portfolio of credit files as one "Portfolio" sheet.
//!
//! Every text comes from Flinks, the customer or the underwriter, so every text cell is
//! written as a string, never as a formula: `=HYPERLINK(…)`, `+1` or `@SUM(1)` stay text.
//! A text longer than a cell holds is cut (see [`cell_text`]) rather than failing the file.
//!
//! The bytes depend on the credit file alone: the document's moment is its provenance's
//! (`as_of`), and the zip entries carry rust_xlsxwriter's fixed 1980-01-01 timestamp.
//!
//! Units: money is a number in `$#,##0.00` (Canadian dollars); counts and days `#,##0`;
//! ratios `0.00##`; an affordability percent is Excel's own percent (GDS 39 is written 0.39,
//! shown 39.00%), so formulas over it compute with the fraction.

mod cells;
mod monthly;
mod portfolio;
mod summary;
mod tables;

use chrono::DateTime;
use chrono::Timelike;
use desk_core::credit_file::CreditFile;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};

use crate::ReportError;
pub use cells::{cell_text, excel_date, last4, MAX_CELL_CHARS};
pub use monthly::chart_count;
pub use portfolio::portfolio_workbook;
pub use tables::behind_cells;

/// The sheets of a credit file's workbook, in their order ("Monthly" only when it has charts).
pub const SHEETS: [&str; 4] = ["Summary", "Attributes", "Transactions", monthly::SHEET];

/// The credit file of one run as an `.xlsx` file's bytes.
pub fn workbook(file: &CreditFile) -> Result<Vec<u8>, ReportError> {
    let formats = cells::Formats::new();
    let mut workbook = Workbook::new();
    let title = format!("Credit file — {} ({})", file.customer, file.package);
    let made = &file.provenance;
    workbook.set_properties(&properties(&title, &made.user, &made.as_of)?);
    summary::write(workbook.add_worksheet(), file, &formats)?;
    tables::attributes(workbook.add_worksheet(), &file.rows, &formats)?;
    tables::transactions(
        workbook.add_worksheet_with_low_memory(),
        &file.transactions_behind,
        &formats,
    )?;
    monthly::add(&mut workbook, file, &formats)?;
    Ok(workbook.save_to_buffer()?)
}

/// The document properties: title, author, and the record's moment as the creation time,
/// which rust_xlsxwriter would otherwise take from the clock.
fn properties(title: &str, author: &str, as_of: &str) -> Result<DocProperties, XlsxError> {
    Ok(DocProperties::new()
        .set_title(cell_text(title))
        .set_author(cell_text(author))
        .set_creation_datetime(&moment(as_of)?))
}

/// `as_of` (RFC 3339) in UTC, to the second, or the zip's own epoch when there is no moment to
/// give (an empty portfolio, a malformed record): anything but the clock. Whole seconds, because
/// rust_xlsxwriter writes a fraction of a second into core.xml in a form readers refuse.
fn moment(as_of: &str) -> Result<ExcelDateTime, XlsxError> {
    match DateTime::parse_from_rfc3339(as_of)
        .ok()
        .and_then(|m| m.naive_utc().with_nanosecond(0))
        .and_then(cells::excel_datetime)
    {
        Some(moment) => Ok(moment),
        None => ExcelDateTime::from_ymd(1980, 1, 1),
    }
}
