//! Charts of a run as SVG (plotters): each account's balance over time, the monthly series
//! Flinks reports as `_current_month … _12_months_ago` attributes, and the package's monthly
//! averages side by side; and for the Compare view, two runs in each of those charts they share.
//! Each chart comes with a text description, which is what a screen reader gets instead of the
//! picture.
//!
//! Light and dark: see the comment of `theme.rs`.

mod balance;
mod bars;
mod draw;
pub mod monthly;
#[cfg(test)]
mod tests;
mod theme;

use std::collections::BTreeMap;

use crate::view::{AttributeRow, RunResult};
use bars::{bar_chart, chart, column_chart, Series};
use monthly::{
    as_of, average_label, averages, month_index, month_label, month_name, monthly_series,
    monthly_title, AVERAGES_SHOWN, AVERAGES_TITLE,
};

pub use crate::view::Chart;
pub use balance::balance_chart;
pub use draw::cad;

#[derive(Debug, thiserror::Error)]
#[error("the chart could not be drawn: {0}")]
pub struct ChartError(String);

/// Every chart the run's attributes allow: each monthly series, then the monthly averages.
pub fn charts_for(run: &RunResult) -> Result<Vec<Chart>, ChartError> {
    let as_of = as_of(run);
    let mut charts = Vec::new();
    for (subject, months) in monthly_series(&run.rows) {
        // Oldest month on the left, as people read time.
        let (labels, values): (Vec<String>, Vec<f64>) = months
            .iter()
            .rev()
            .map(|(back, v)| (month_label(as_of, *back), *v))
            .unzip();
        charts.push(chart(
            format!("monthly-{subject}"),
            monthly_title(&subject),
            &labels,
            &[Series::of(&values)],
            column_chart,
        )?);
    }
    let averages: Vec<&AttributeRow> = averages(&run.rows).take(AVERAGES_SHOWN).collect();
    if !averages.is_empty() {
        // Bars are drawn bottom-up: reversed, the first attribute is on top, as in the table.
        let labels: Vec<String> = averages.iter().rev().map(|r| average_label(r)).collect();
        let values: Vec<f64> = averages.iter().rev().filter_map(|r| r.number).collect();
        charts.push(chart(
            "monthly-averages".into(),
            AVERAGES_TITLE.into(),
            &labels,
            &[Series::of(&values)],
            bar_chart,
        )?);
    }
    Ok(charts)
}

/// What the legends and descriptions of a comparison call its two runs: the customers, and for
/// the same customer twice, the first of package, environment, finishing time (local, as the
/// history shows it) and run number that tells the runs apart.
fn run_names(left: &RunResult, right: &RunResult) -> [String; 2] {
    if left.customer_label != right.customer_label {
        return [left.customer_label.clone(), right.customer_label.clone()];
    }
    let finished = |format: &'static str| {
        move |run: &RunResult| match chrono::DateTime::parse_from_rfc3339(&run.finished_at) {
            Ok(t) => t.with_timezone(&chrono::Local).format(format).to_string(),
            Err(_) => run.finished_at.clone(),
        }
    };
    let apart: [&dyn Fn(&RunResult) -> String; 5] = [
        &|r| r.package.to_owned(),
        &|r| r.environment.clone(),
        &finished("%b %-d, %Y, %H:%M"),
        &finished("%b %-d, %Y, %H:%M:%S"),
        &|r| format!("run {}", r.run_id),
    ];
    for tell in apart {
        let (l, r) = (tell(left), tell(right));
        if l != r {
            return [
                format!("{} · {l}", left.customer_label),
                format!("{} · {r}", right.customer_label),
            ];
        }
    }
    [left.customer_label.clone(), right.customer_label.clone()]
}

/// Two runs side by side (two customers, or one customer at two times), for the Compare view:
/// each monthly series both runs have, with both runs' bars month by month, then the monthly
/// averages both have, left against right. Runs made in different months line up by calendar
/// month; a month only one run covers has only its bar, and a month neither covers (between
/// runs made far apart) is an empty place on the axis. No shared series, no charts.
pub fn comparison_charts(left: &RunResult, right: &RunResult) -> Result<Vec<Chart>, ChartError> {
    let [left_name, right_name] = run_names(left, right);
    let right_series = monthly_series(&right.rows);
    let mut charts = Vec::new();
    for (subject, left_months) in monthly_series(&left.rows) {
        let Some(right_months) = right_series.get(&subject) else {
            continue;
        };
        let by_month = |run: &RunResult, months: &BTreeMap<u32, f64>| -> BTreeMap<i32, f64> {
            let as_of = as_of(run);
            months
                .iter()
                .map(|(back, v)| (month_index(as_of, *back), *v))
                .collect()
        };
        let (l, r) = (by_month(left, &left_months), by_month(right, right_months));
        // Every month from the first to the last, so that the gap between runs made far apart
        // shows as the time it is.
        let (Some(first), Some(last)) = (
            l.keys().chain(r.keys()).min().copied(),
            l.keys().chain(r.keys()).max().copied(),
        ) else {
            continue;
        };
        let months: Vec<i32> = (first..=last).collect();
        let labels: Vec<String> = months.iter().map(|m| month_name(*m)).collect();
        let series = [
            Series {
                name: &left_name,
                values: months.iter().map(|m| l.get(m).copied()).collect(),
            },
            Series {
                name: &right_name,
                values: months.iter().map(|m| r.get(m).copied()).collect(),
            },
        ];
        charts.push(chart(
            format!("compare-monthly-{subject}"),
            monthly_title(&subject),
            &labels,
            &series,
            column_chart,
        )?);
    }
    let shared: Vec<(&AttributeRow, &AttributeRow)> = averages(&left.rows)
        .filter_map(|l| Some((l, averages(&right.rows).find(|r| r.name == l.name)?)))
        .take(AVERAGES_SHOWN)
        .collect();
    if !shared.is_empty() {
        // Bottom-up, as in charts_for: the first attribute on top.
        let labels: Vec<String> = shared.iter().rev().map(|(l, _)| average_label(l)).collect();
        let series = [
            Series {
                name: &left_name,
                values: shared.iter().rev().map(|(l, _)| l.number).collect(),
            },
            Series {
                name: &right_name,
                values: shared.iter().rev().map(|(_, r)| r.number).collect(),
            },
        ];
        charts.push(chart(
            "compare-monthly-averages".into(),
            AVERAGES_TITLE.into(),
            &labels,
            &series,
            bar_chart,
        )?);
    }
    Ok(charts)
}
