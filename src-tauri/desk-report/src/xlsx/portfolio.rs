//! A portfolio's workbook: one "Portfolio" sheet, a row per credit file, its decision and the
//! headline values side by side.

use desk_core::credit_file::CreditFile;
use rust_xlsxwriter::Workbook;

use super::cells::{self, Formats};
use super::tables::table;
use crate::ReportError;

pub const SHEET: &str = "Portfolio";

/// The columns before the headline values.
pub const COLUMNS: [&str; 8] = [
    "Customer",
    "Environment",
    "Package",
    "RequestId",
    "Data as of",
    "Decision",
    "Final decision",
    "Reasons",
];

/// The headline attributes of every file, in the order first met: (name, label).
fn headline_columns(files: &[CreditFile]) -> Vec<(&str, &str)> {
    let mut columns: Vec<(&str, &str)> = Vec::new();
    for item in files.iter().flat_map(|f| &f.headline) {
        if !columns.iter().any(|(name, _)| *name == item.name) {
            columns.push((&item.name, &item.label));
        }
    }
    columns
}

/// One row per credit file, in the order given; a headline a file's package lacks is empty.
pub fn portfolio_workbook(files: &[CreditFile]) -> Result<Vec<u8>, ReportError> {
    let f = Formats::new();
    let mut workbook = Workbook::new();
    // The latest record's moment: the portfolio stands as of its newest decision or run.
    let as_of = files
        .iter()
        .map(|file| file.provenance.as_of.as_str())
        .max()
        .unwrap_or("");
    let author = files
        .first()
        .map_or("", |file| file.provenance.user.as_str());
    let title = format!("Portfolio — {} credit files", files.len());
    workbook.set_properties(&super::properties(&title, author, as_of)?);

    let ws = workbook.add_worksheet();
    ws.set_name(SHEET)?;
    let headline = headline_columns(files);
    cells::header(ws, 0, &COLUMNS, &f)?;
    cells::widths(ws, &[28.0, 18.0, 14.0, 38.0, 11.0, 10.0, 14.0, 80.0])?;
    let first = COLUMNS.len() as u16;
    for (col, (_, label)) in (first..).zip(&headline) {
        cells::text_with(ws, 0, col, label, &f.header)?;
        ws.set_column_width(col, 18.0)?;
    }
    for (row, file) in (1u32..).zip(files) {
        cells::text(ws, row, 0, &file.customer)?;
        if file.production {
            cells::text_with(ws, row, 1, &file.environment, &f.production)?;
        } else {
            cells::text(ws, row, 1, &file.environment)?;
        }
        cells::text(ws, row, 2, &file.package)?;
        cells::text(ws, row, 3, &file.request_id)?;
        cells::date(ws, row, 4, &file.data_as_of, &f)?;
        match &file.decision {
            Some(decision) => {
                cells::text(ws, row, 5, &decision.summary.decision)?;
                cells::text_with(ws, row, 6, &decision.summary.final_decision, &f.bold)?;
                let reasons: Vec<&str> = decision
                    .reasons
                    .iter()
                    .map(|r| r.reason.text.as_str())
                    .collect();
                cells::text(ws, row, 7, &reasons.join("\n"))?;
            }
            None => cells::text(ws, row, 5, "not decided")?,
        }
        for (col, (name, _)) in (first..).zip(&headline) {
            if let Some(item) = file.headline.iter().find(|h| h.name == *name) {
                cells::value(ws, row, col, item.unit, &item.raw, item.number, &f)?;
            }
        }
    }
    table(ws, files.len(), COLUMNS.len() + headline.len())?;
    Ok(workbook.save_to_buffer()?)
}
