//! The "Monthly" sheet: the run's monthly series and monthly averages as tables, each drawn by
//! a native Excel chart over those cells (the app's SVG charts are pictures Excel cannot
//! read). The series are the desk's own (desk-core's `charts::monthly`): `sum_<subject>_<
//! current_month | previous_month | N_months_ago>` currency attributes, subjects with at least
//! six months, the months counted back from the day the run finished; and the first sixteen
//! `average_monthly_*` currency values.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use desk_core::charts::monthly;
use desk_core::credit_file::CreditFile;
use desk_core::view::AttributeRow;
use rust_xlsxwriter::{Chart, ChartType, Workbook, Worksheet, XlsxError};

use super::cells::{self, Formats};

pub(super) const SHEET: &str = "Monthly";

/// Rows a chart takes on the sheet, with a row between charts.
const CHART_ROWS: u32 = 16;

/// Subject → value per months back (0 = the month the run finished in).
type Series = BTreeMap<String, BTreeMap<u32, f64>>;

fn averages(rows: &[AttributeRow]) -> Vec<(&AttributeRow, f64)> {
    monthly::averages(rows)
        .filter_map(|r| Some((r, r.number?)))
        .take(monthly::AVERAGES_SHOWN)
        .collect()
}

/// "Dec '25": the month `back` months before `as_of`'s; "3 months back" for a run without a
/// day it finished (the desk would count from today, which would change the file).
fn month_label(as_of: Option<NaiveDate>, back: u32) -> String {
    match as_of {
        Some(as_of) => monthly::month_label(as_of, back),
        None => format!("{back} months back"),
    }
}

/// How many native charts the run's values make: one per monthly series, one for the
/// averages. Zero means the workbook has no "Monthly" sheet.
pub fn chart_count(file: &CreditFile) -> usize {
    monthly::monthly_series(&file.rows).len() + usize::from(!averages(&file.rows).is_empty())
}

/// Adds the sheet and its charts when the run has anything monthly.
pub(super) fn add(
    workbook: &mut Workbook,
    file: &CreditFile,
    f: &Formats,
) -> Result<(), XlsxError> {
    let series = monthly::monthly_series(&file.rows);
    let averages = averages(&file.rows);
    if series.is_empty() && averages.is_empty() {
        return Ok(());
    }
    let ws = workbook.add_worksheet();
    ws.set_name(SHEET)?;
    // The desk counts months from the day the run finished (desk-core's `as_of`).
    let as_of = file
        .finished_at
        .get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let mut charts = Vec::new();
    let mut next_row = 0;
    if !series.is_empty() {
        next_row = series_table(ws, &series, as_of, f, &mut charts)?;
    }
    if !averages.is_empty() {
        averages_table(ws, next_row, &averages, f, &mut charts)?;
    }
    let columns = u16::try_from(series.len() + 2).map_err(|_| XlsxError::RowColumnLimitError)?;
    cells::widths(ws, &[30.0])?;
    for col in 1..columns {
        ws.set_column_width(col, 16.0)?;
    }
    for (i, chart) in (0u32..).zip(&charts) {
        ws.insert_chart(i * CHART_ROWS, columns, chart)?;
    }
    Ok(())
}

/// A month per row (oldest first, as people read time), a series per column; each series
/// drawn as columns. Returns the first free row.
fn series_table(
    ws: &mut Worksheet,
    series: &Series,
    as_of: Option<NaiveDate>,
    f: &Formats,
    charts: &mut Vec<Chart>,
) -> Result<u32, XlsxError> {
    let months: BTreeSet<u32> = series.values().flat_map(|m| m.keys().copied()).collect();
    ws.write_string_with_format(0, 0, "Month", &f.header)?;
    for (row, back) in (1u32..).zip(months.iter().rev()) {
        cells::text(ws, row, 0, &month_label(as_of, *back))?;
    }
    let last = u32::try_from(months.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
    for (col, (subject, values)) in (1u16..).zip(series) {
        cells::text_with(ws, 0, col, &monthly::monthly_title(subject), &f.header)?;
        for (row, back) in (1u32..).zip(months.iter().rev()) {
            if let Some(value) = values.get(back) {
                cells::number(ws, row, col, *value, "", &f.currency)?;
            }
        }
        let mut chart = Chart::new(ChartType::Column);
        // Names point at the header cells: a title is never read as a formula.
        chart
            .add_series()
            .set_name((SHEET, 0, col))
            .set_categories((SHEET, 1, 0, last, 0))
            .set_values((SHEET, 1, col, last, col));
        chart.title().set_name((SHEET, 0, col));
        chart.legend().set_hidden();
        chart.y_axis().set_num_format("$#,##0");
        charts.push(chart);
    }
    Ok(last + 2)
}

/// The monthly averages under the series, drawn as horizontal bars in the table's order.
fn averages_table(
    ws: &mut Worksheet,
    top: u32,
    averages: &[(&AttributeRow, f64)],
    f: &Formats,
    charts: &mut Vec<Chart>,
) -> Result<(), XlsxError> {
    ws.write_string_with_format(top, 0, monthly::AVERAGES_TITLE, &f.header)?;
    ws.write_string_with_format(top, 1, "CAD", &f.header)?;
    for (row, (attribute, value)) in (top + 1..).zip(averages) {
        let label = monthly::average_label(attribute);
        cells::text(ws, row, 0, &label)?;
        cells::number(ws, row, 1, *value, &attribute.raw, &f.currency)?;
    }
    let last = top + u32::try_from(averages.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
    let mut chart = Chart::new(ChartType::Bar);
    chart
        .add_series()
        .set_name((SHEET, top, 0))
        .set_categories((SHEET, top + 1, 0, last, 0))
        .set_values((SHEET, top + 1, 1, last, 1));
    chart.title().set_name((SHEET, top, 0));
    chart.legend().set_hidden();
    // A bar chart's categories are its y axis, drawn bottom-up: reversed, the first average
    // is on top, as in the table.
    chart.y_axis().set_reverse();
    chart.x_axis().set_num_format("$#,##0");
    charts.push(chart);
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::month_label;

    #[test]
    fn month_labels_cross_the_year() {
        let day = NaiveDate::from_ymd_opt(2026, 2, 10);
        assert_eq!(month_label(day, 0), "Feb '26");
        assert_eq!(month_label(day, 2), "Dec '25");
        assert_eq!(month_label(day, 12), "Feb '25");
        assert_eq!(month_label(None, 2), "2 months back");
    }
}
