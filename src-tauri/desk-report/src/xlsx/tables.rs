//! The "Attributes" and "Transactions" sheets: every value of the run, and the transactions
//! behind each, as filterable tables.

use desk_core::store::StoredDetail;
use desk_core::view::AttributeRow;
use rust_xlsxwriter::{Worksheet, XlsxError};

use super::cells::{self, Formats};

pub(super) const ATTRIBUTE_COLUMNS: [&str; 8] = [
    "Scope",
    "Attribute",
    "Label",
    "Category",
    "Unit",
    "Value",
    "Definition",
    "Transactions behind",
];

pub(super) fn attributes(
    ws: &mut Worksheet,
    rows: &[AttributeRow],
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name("Attributes")?;
    cells::widths(ws, &[12.0, 44.0, 44.0, 18.0, 8.0, 18.0, 90.0, 12.0])?;
    cells::header(ws, 0, &ATTRIBUTE_COLUMNS, f)?;
    for (row, attribute) in (1u32..).zip(rows) {
        cells::text(ws, row, 0, &attribute.scope)?;
        cells::text(ws, row, 1, &attribute.name)?;
        cells::text(ws, row, 2, &attribute.label)?;
        cells::text(ws, row, 3, &attribute.category)?;
        cells::text(ws, row, 4, cells::unit_word(attribute.unit))?;
        cells::value(
            ws,
            row,
            5,
            attribute.unit,
            &attribute.raw,
            attribute.number,
            f,
        )?;
        cells::text(ws, row, 6, &attribute.definition)?;
        let behind = f64::from(attribute.transactions);
        ws.write_number_with_format(row, 7, behind, &f.whole)?;
    }
    table(ws, rows.len(), ATTRIBUTE_COLUMNS.len())
}

pub(super) const TRANSACTION_COLUMNS: [&str; 8] = [
    "Attribute",
    "Account",
    "Date",
    "Description",
    "Debit",
    "Credit",
    "Balance",
    "Transaction id",
];

pub(super) fn transactions(
    ws: &mut Worksheet,
    details: &[StoredDetail],
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name("Transactions")?;
    cells::widths(ws, &[44.0, 9.0, 11.0, 40.0, 13.0, 13.0, 13.0, 38.0])?;
    cells::header(ws, 0, &TRANSACTION_COLUMNS, f)?;
    for (row, detail) in (1u32..).zip(details) {
        cells::text(ws, row, 0, &detail.name)?;
        if let Some(account) = &detail.account_id {
            cells::text(ws, row, 1, cells::last4(account))?;
        }
        cells::date(ws, row, 2, &detail.date, f)?;
        if let Some(description) = &detail.description {
            cells::text(ws, row, 3, description)?;
        }
        for (col, amount) in [
            (4, &detail.debit),
            (5, &detail.credit),
            (6, &detail.balance),
        ] {
            if let Some(amount) = amount {
                cells::decimal(ws, row, col, amount, &f.currency)?;
            }
        }
        if let Some(id) = &detail.transaction_id {
            cells::text(ws, row, 7, id)?;
        }
    }
    table(ws, details.len(), TRANSACTION_COLUMNS.len())
}

/// The header row stays in view and filters the rows below it.
pub(super) fn table(ws: &mut Worksheet, rows: usize, columns: usize) -> Result<(), XlsxError> {
    ws.set_freeze_panes(1, 0)?;
    let last_row = u32::try_from(rows).map_err(|_| XlsxError::RowColumnLimitError)?;
    let last_col =
        u16::try_from(columns.saturating_sub(1)).map_err(|_| XlsxError::RowColumnLimitError)?;
    ws.autofilter(0, 0, last_row, last_col)?;
    Ok(())
}
