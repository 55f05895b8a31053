//! The "Attributes" and "Transactions" sheets: every value of the run, and the transactions
//! behind them with the values each is behind, as filterable tables.

use desk_core::store::TransactionBehind;
use desk_core::view::AttributeRow;
use rust_xlsxwriter::{Note, Worksheet, XlsxError};

use super::cells::{self, Formats, MAX_CELL_CHARS};

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
    "Account",
    "Date",
    "Description",
    "Debit",
    "Credit",
    "Balance",
    "Transaction id",
    "Behind values",
];

const BEHIND: u16 = 7;

/// Shown on the "Behind values" header: a value's transactions are found by a filter.
const HOW_TO_FILTER: &str = "Each transaction once, with every value it is behind in brackets. \
    To see one value's transactions: Text Filters > Contains, then [its name] with the brackets \
    (the brackets keep sum_loan_payments from finding sum_loan_payments_30_days too).";

/// Each transaction behind a value once (an All run: ~27,000 rows rather than ~300,000 with a
/// row per value and transaction), with the values it is behind in its last column.
pub(super) fn transactions(
    ws: &mut Worksheet,
    behind: &[TransactionBehind],
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name("Transactions")?;
    cells::widths(ws, &[9.0, 11.0, 40.0, 13.0, 13.0, 13.0, 38.0, 120.0])?;
    cells::header(ws, 0, &TRANSACTION_COLUMNS, f)?;
    let note = Note::new(HOW_TO_FILTER)
        .add_author_prefix(false)
        .set_width(360)
        .set_height(90);
    ws.insert_note(0, BEHIND, &note)?;
    let mut row = 1u32;
    for transaction in behind {
        for values in behind_cells(&transaction.values) {
            transaction_cells(ws, row, transaction, f)?;
            cells::text(ws, row, BEHIND, &values)?;
            row += 1;
        }
    }
    table(ws, (row - 1) as usize, TRANSACTION_COLUMNS.len())
}

fn transaction_cells(
    ws: &mut Worksheet,
    row: u32,
    t: &TransactionBehind,
    f: &Formats,
) -> Result<(), XlsxError> {
    if let Some(account) = &t.account_id {
        cells::text(ws, row, 0, cells::last4(account))?;
    }
    cells::date(ws, row, 1, &t.date, f)?;
    if let Some(description) = &t.description {
        cells::text(ws, row, 2, description)?;
    }
    for (col, amount) in [(3, &t.debit), (4, &t.credit), (5, &t.balance)] {
        if let Some(amount) = amount {
            cells::decimal(ws, row, col, amount, &f.currency)?;
        }
    }
    if let Some(id) = &t.transaction_id {
        cells::text(ws, row, 6, id)?;
    }
    Ok(())
}

/// The values a transaction is behind as `[name] [name] …`, in as many cells as Excel's limit
/// needs: a transaction behind more names than one cell holds takes a row per cell, so a filter
/// on any of its values still finds it.
pub fn behind_cells(values: &[String]) -> Vec<String> {
    // Built by hand rather than with format!: this runs for every row of the sheet, and was a
    // quarter of the workbook's time that way.
    let room: usize = values.iter().map(|v| v.len() + 3).sum();
    let mut cells = Vec::with_capacity(1);
    let mut cell = String::with_capacity(room.min(4 * MAX_CELL_CHARS));
    let mut units = 0;
    for value in values {
        let width = if value.is_ascii() {
            value.len()
        } else {
            value.encode_utf16().count()
        };
        // "[value]" and the space before it.
        let len = width + 3;
        if units > 0 && units + len > MAX_CELL_CHARS {
            cells.push(std::mem::take(&mut cell));
            units = 0;
        }
        if units > 0 {
            cell.push(' ');
        }
        cell.push('[');
        cell.push_str(value);
        cell.push(']');
        units += len;
    }
    cells.push(cell);
    cells
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_fill_cells_up_to_excel_s_limit_in_utf16_units_never_splitting_a_name() {
        assert_eq!(behind_cells(&["a".into(), "b".into()]), ["[a] [b]"]);
        // Each name is 2,000 emoji: 4,002 units with its brackets, so eight fit in a cell.
        let names: Vec<String> = (0..20).map(|_| "😀".repeat(2_000)).collect();
        let cells = behind_cells(&names);
        assert_eq!(cells.len(), 3);
        for cell in &cells {
            assert!(cell.encode_utf16().count() <= MAX_CELL_CHARS);
            assert!(cell.starts_with('[') && cell.ends_with(']'));
        }
        let tokens: usize = cells.iter().map(|c| c.split(' ').count()).sum();
        assert_eq!(tokens, names.len());
    }
}
