//! Typed cells: the one place text, numbers and dates reach a worksheet, so no sheet can write
//! user text as a formula or fail on a long string.

use std::borrow::Cow;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike};
use desk_core::catalog::Unit;
use rust_xlsxwriter::{Color, ExcelDateTime, Format, Worksheet, XlsxError};

/// Excel's limit on a cell's text, in UTF-16 code units (what Excel counts).
pub const MAX_CELL_CHARS: usize = 32_767;

/// `text` as a cell can hold it: unchanged when it fits, else its first 32,766 UTF-16 units
/// (never half a character) followed by "…", so the cell says it was cut.
pub fn cell_text(text: &str) -> Cow<'_, str> {
    // A byte is at most one UTF-16 unit: short strings need no counting.
    if text.len() <= MAX_CELL_CHARS || text.encode_utf16().count() <= MAX_CELL_CHARS {
        return Cow::Borrowed(text);
    }
    let room = MAX_CELL_CHARS - '…'.len_utf16();
    let mut units = 0;
    let mut end = 0;
    for (at, c) in text.char_indices() {
        if units + c.len_utf16() > room {
            break;
        }
        units += c.len_utf16();
        end = at + c.len_utf8();
    }
    Cow::Owned(format!("{}…", &text[..end]))
}

/// A date Flinks or the desk wrote (`YYYY-MM-DD`, `YYYY/MM/DD` or RFC 3339) as Excel's date,
/// or `None` when it is anything else (two dates in one value, NONE_DETECTED…). An RFC 3339
/// time keeps the wall-clock time it was written with: Excel has no time zones, and the desk's
/// own times are UTC.
pub fn excel_date(raw: &str) -> Option<ExcelDateTime> {
    let raw = raw.trim();
    if raw.len() == 10 {
        let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(raw, "%Y/%m/%d"))
            .ok()?;
        return ymd(day);
    }
    let moment = DateTime::parse_from_rfc3339(raw).ok()?.naive_local();
    excel_datetime(moment)
}

fn ymd(day: NaiveDate) -> Option<ExcelDateTime> {
    ExcelDateTime::from_ymd(
        u16::try_from(day.year()).ok()?,
        day.month() as u8,
        day.day() as u8,
    )
    .ok()
}

pub(super) fn excel_datetime(moment: NaiveDateTime) -> Option<ExcelDateTime> {
    let seconds = f64::from(moment.second()) + f64::from(moment.nanosecond() / 1_000_000) / 1e3;
    ymd(moment.date())?
        .and_hms(moment.hour() as u16, moment.minute() as u8, seconds)
        .ok()
}

/// Whether `raw` is a date with a time of day (written with the date-time format).
fn has_time(raw: &str) -> bool {
    raw.trim().len() > 10
}

/// At most the last four characters: how the credit file names an account.
pub fn last4(id: &str) -> &str {
    let cut = id.char_indices().rev().nth(3).map_or(0, |(at, _)| at);
    &id[cut..]
}

/// The number formats and styles of a workbook, made once.
pub(super) struct Formats {
    pub title: Format,
    pub header: Format,
    pub bold: Format,
    pub production: Format,
    pub muted: Format,
    pub currency: Format,
    pub whole: Format,
    pub ratio: Format,
    pub percent: Format,
    pub times: Format,
    pub date: Format,
    pub datetime: Format,
}

impl Formats {
    pub fn new() -> Formats {
        Formats {
            title: Format::new().set_bold().set_font_size(16),
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xE8EEF4))
                .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin),
            bold: Format::new().set_bold(),
            production: Format::new().set_bold().set_font_color(Color::Red),
            muted: Format::new().set_font_color(Color::Gray),
            // "$" is a literal in a number format, so every locale's Excel shows dollars.
            currency: Format::new().set_num_format("$#,##0.00"),
            whole: Format::new().set_num_format("#,##0"),
            ratio: Format::new().set_num_format("0.00##"),
            percent: Format::new().set_num_format("0.00%"),
            times: Format::new().set_num_format("0.00"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
        }
    }

    /// The format of a number of `unit`, or `None` when the unit is not a number's.
    pub fn of(&self, unit: Unit) -> Option<&Format> {
        match unit {
            Unit::Currency => Some(&self.currency),
            Unit::Count | Unit::Days => Some(&self.whole),
            Unit::Ratio => Some(&self.ratio),
            Unit::Enum | Unit::Text | Unit::Date => None,
        }
    }
}

/// The word a unit column shows.
pub fn unit_word(unit: Unit) -> &'static str {
    match unit {
        Unit::Currency => "CAD",
        Unit::Count => "count",
        Unit::Days => "days",
        Unit::Ratio => "ratio",
        Unit::Enum => "enum",
        Unit::Text => "text",
        Unit::Date => "date",
    }
}

/// Writes user text as text, whatever it starts with (`=`, `+`, `@`…): `write_string` never
/// makes a formula. An empty text leaves the cell empty.
pub(super) fn text(ws: &mut Worksheet, row: u32, col: u16, value: &str) -> Result<(), XlsxError> {
    if value.is_empty() {
        return Ok(());
    }
    ws.write_string(row, col, cell_text(value))?;
    Ok(())
}

pub(super) fn text_with(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    value: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    if value.is_empty() {
        return Ok(());
    }
    ws.write_string_with_format(row, col, cell_text(value), format)?;
    Ok(())
}

/// A number, or `raw` as text when the number is not one Excel can hold (NaN, infinite).
pub(super) fn number(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    value: f64,
    raw: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    if value.is_finite() {
        ws.write_number_with_format(row, col, value, format)?;
        Ok(())
    } else {
        text(ws, row, col, raw)
    }
}

/// A decimal text (an amount as Flinks sent it) as a number, else as the text itself.
pub(super) fn decimal(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    raw: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    match raw.trim().parse::<f64>() {
        Ok(value) => number(ws, row, col, value, raw, format),
        Err(_) => text(ws, row, col, raw),
    }
}

/// A date text as Excel's date (with its time when it has one), else as the text itself.
pub(super) fn date(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    raw: &str,
    formats: &Formats,
) -> Result<(), XlsxError> {
    match excel_date(raw) {
        Some(day) => {
            let format = if has_time(raw) {
                &formats.datetime
            } else {
                &formats.date
            };
            ws.write_datetime_with_format(row, col, &day, format)?;
            Ok(())
        }
        None => text(ws, row, col, raw),
    }
}

/// An attribute's value typed by its unit: numbers of a numeric unit as numbers in the unit's
/// format, dates as dates, everything else (and any number Flinks did not send as one) as the
/// exact text Flinks sent.
pub(super) fn value(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    unit: Unit,
    raw: &str,
    parsed: Option<f64>,
    formats: &Formats,
) -> Result<(), XlsxError> {
    match (formats.of(unit), parsed) {
        (Some(format), Some(n)) => number(ws, row, col, n, raw, format),
        _ if unit == Unit::Date => date(ws, row, col, raw, formats),
        _ => text(ws, row, col, raw),
    }
}

/// A header row in bold, from column 0.
pub(super) fn header(
    ws: &mut Worksheet,
    row: u32,
    names: &[&str],
    formats: &Formats,
) -> Result<(), XlsxError> {
    for (col, name) in (0u16..).zip(names) {
        ws.write_string_with_format(row, col, *name, &formats.header)?;
    }
    Ok(())
}

/// Column widths, in characters, from column 0.
pub(super) fn widths(ws: &mut Worksheet, widths: &[f64]) -> Result<(), XlsxError> {
    for (col, width) in (0u16..).zip(widths) {
        ws.set_column_width(col, *width)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_to_excel_s_limit_in_utf16_units() {
        let short = "=1+1";
        assert!(matches!(cell_text(short), Cow::Borrowed(_)));
        let long = "a".repeat(40_000);
        let cut = cell_text(&long);
        assert_eq!(cut.encode_utf16().count(), MAX_CELL_CHARS);
        assert!(cut.ends_with('…'));
        // An emoji is two UTF-16 units: never split, and the total still fits.
        let emoji = "😀".repeat(20_000);
        let cut = cell_text(&emoji);
        assert!(cut.encode_utf16().count() <= MAX_CELL_CHARS);
        assert!(cut.trim_end_matches('…').chars().all(|c| c == '😀'));
    }

    #[test]
    fn only_single_dates_are_dates() {
        assert!(excel_date("2026-11-27").is_some());
        assert!(excel_date("2026/11/27").is_some());
        assert!(excel_date("2026-12-03T08:29:12.297Z").is_some());
        assert!(excel_date("2026-12-03T08:29:12-05:00").is_some());
        assert!(excel_date("2026/11/27, 2026/11/13").is_none());
        assert!(excel_date("NONE_DETECTED").is_none());
        assert!(excel_date("2026-13-01").is_none());
    }

    #[test]
    fn last_four_never_splits_a_character() {
        assert_eq!(last4("340158fd-6209-4afe-b1fe-71186ee73d1d"), "3d1d");
        assert_eq!(last4("ab"), "ab");
        assert_eq!(last4("x€€€€"), "€€€€");
        assert_eq!(last4(""), "");
    }
}
