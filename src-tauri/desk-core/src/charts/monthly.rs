//! The run's figures by month: the series Flinks reports as `_current_month … _12_months_ago`
//! attributes, and the package's monthly averages. Public, so the credit file's workbook draws
//! its native Excel charts from the same series as the desk's SVG ones.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use crate::catalog::Unit;
use crate::view::{AttributeRow, RunResult};

/// How many months back a `_current_month` / `_previous_month` / `_N_months_ago` suffix is.
fn months_back(suffix: &str) -> Option<u32> {
    match suffix {
        "current_month" => Some(0),
        "previous_month" => Some(1),
        _ => suffix.strip_suffix("_months_ago")?.parse().ok(),
    }
}

/// A calendar month as one number (year × 12 + month from 0), so that runs made at different
/// times line up by month.
pub(super) fn month_index(as_of: NaiveDate, back: u32) -> i32 {
    as_of.year() * 12 + as_of.month0() as i32 - back as i32
}

pub(super) fn month_name(index: i32) -> String {
    let (year, month0) = (index.div_euclid(12), index.rem_euclid(12) as u32);
    let day = NaiveDate::from_ymd_opt(year, month0 + 1, 1).expect("valid month");
    day.format("%b '%y").to_string()
}

pub fn month_label(as_of: NaiveDate, back: u32) -> String {
    month_name(month_index(as_of, back))
}

/// The day a run's months count back from: the day it finished (today for a run without one).
pub(super) fn as_of(run: &RunResult) -> NaiveDate {
    run.finished_at
        .get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .unwrap_or_else(|| chrono::Utc::now().date_naive())
}

/// The monthly currency series of a run: subject → value per months-back, only series with at
/// least six months.
pub fn monthly_series(rows: &[AttributeRow]) -> BTreeMap<String, BTreeMap<u32, f64>> {
    let mut series: BTreeMap<String, BTreeMap<u32, f64>> = BTreeMap::new();
    for row in rows.iter().filter(|r| r.unit == Unit::Currency) {
        let (Some(rest), Some(value)) = (row.name.strip_prefix("sum_"), row.number) else {
            continue;
        };
        let found = rest
            .match_indices('_')
            .find_map(|(cut, _)| Some((&rest[..cut], months_back(&rest[cut + 1..])?)));
        if let Some((subject, back)) = found {
            series
                .entry(subject.to_owned())
                .or_default()
                .insert(back, value);
        }
    }
    series.retain(|_, months| months.len() >= 6);
    series
}

fn humanize(subject: &str) -> String {
    let words = subject.replace('_', " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

pub fn monthly_title(subject: &str) -> String {
    format!("{} by month", humanize(subject))
}

/// The monthly averages a bar chart shows, in the table's order.
pub fn averages(rows: &[AttributeRow]) -> impl Iterator<Item = &AttributeRow> {
    rows.iter()
        .filter(|r| r.unit == Unit::Currency && r.name.starts_with("average_monthly_"))
        .filter(|r| r.number.is_some())
}

/// More bars than this no longer fit a chart one reads at a glance.
pub const AVERAGES_SHOWN: usize = 16;
pub const AVERAGES_TITLE: &str = "Monthly averages";

pub fn average_label(row: &AttributeRow) -> String {
    humanize(row.label.trim_start_matches("Average monthly "))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::month_label;

    #[test]
    fn month_labels_cross_the_year() {
        let day = NaiveDate::from_ymd_opt(2026, 2, 10).unwrap();
        assert_eq!(month_label(day, 0), "Feb '26");
        assert_eq!(month_label(day, 2), "Dec '25");
        assert_eq!(month_label(day, 12), "Feb '25");
    }
}
