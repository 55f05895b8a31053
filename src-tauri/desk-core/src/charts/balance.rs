//! The balance chart: the accounts of a run, day by day, as the end-of-day balances kept with it.

use chrono::{Datelike, NaiveDate};
use plotters::prelude::*;

use super::draw::{axis_range, cad, draw_err, picture, text, Swatch, CAPTION, LABEL};
use super::theme::{INK, SERIES};
use super::{Chart, ChartError};
use crate::store::BalanceSeries;

const BALANCE_PLOT_HEIGHT: u32 = 320;

/// What a legend and a description call each account: its title and the last four of its
/// number, numbered when two accounts would read the same.
fn account_labels(series: &[&BalanceSeries]) -> Vec<String> {
    let plain: Vec<String> = series.iter().map(|s| s.label()).collect();
    plain
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let twins = plain.iter().filter(|l| *l == label).count();
            let nth = plain[..i].iter().filter(|l| *l == label).count() + 1;
            if twins > 1 {
                format!("{label} ({nth})")
            } else {
                label.clone()
            }
        })
        .collect()
}

fn day_words(date: NaiveDate) -> String {
    date.format("%b %-d, %Y").to_string()
}

/// The x axis' ticks: the first of each month in the range, every `step`-th so that the labels
/// do not touch, as day offsets from `first`.
fn month_ticks(first: NaiveDate, last: NaiveDate) -> Vec<(i32, String)> {
    let mut starts = Vec::new();
    let mut month = first.with_day(1).expect("day 1 exists");
    while month <= last {
        if month >= first {
            starts.push(month);
        }
        month = month
            .checked_add_months(chrono::Months::new(1))
            .expect("dates stay far from chrono's limits");
    }
    if starts.is_empty() {
        // Less than a month of data, within one month: its first and last day.
        return [first, last]
            .into_iter()
            .map(|d| {
                (
                    (d - first).num_days() as i32,
                    d.format("%b %-d").to_string(),
                )
            })
            .collect();
    }
    let step = starts.len().div_ceil(9);
    starts
        .into_iter()
        .step_by(step)
        .map(|d| {
            (
                (d - first).num_days() as i32,
                d.format("%b '%y").to_string(),
            )
        })
        .collect()
}

/// Each account's end-of-day balance as a step line (a balance holds until the next day with
/// transactions), CAD on the y axis, dates on the x axis, a legend of account titles. None when
/// the run kept no balances (runs stored before they were, or accounts without transactions).
pub fn balance_chart(series: &[BalanceSeries]) -> Result<Option<Chart>, ChartError> {
    let series: Vec<&BalanceSeries> = series.iter().filter(|s| !s.days.is_empty()).collect();
    let dates = series.iter().flat_map(|s| s.days.iter().map(|d| d.date));
    let (Some(first), Some(last)) = (dates.clone().min(), dates.max()) else {
        return Ok(None);
    };
    let labels = account_labels(&series);
    let points: Vec<Vec<(i32, f64)>> = series
        .iter()
        .map(|s| {
            s.days
                .iter()
                .map(|d| {
                    let x = (d.date - first).num_days() as i32;
                    (
                        x,
                        rust_decimal::prelude::ToPrimitive::to_f64(&d.balance).unwrap_or(0.0),
                    )
                })
                .collect()
        })
        .collect();
    let span = ((last - first).num_days() as i32).max(1);
    let values: Vec<f64> = points.iter().flatten().map(|(_, b)| *b).collect();
    let range = axis_range(&values, 1.08);
    let ticks = month_ticks(first, last);
    let title = "Balance over time".to_owned();
    let svg = picture(BALANCE_PLOT_HEIGHT, &labels, Swatch::Line, |plot| {
        let mut chart = ChartBuilder::on(plot)
            .caption(&title, text(CAPTION))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(84)
            .build_cartesian_2d(
                (0..span).with_key_points(ticks.iter().map(|(x, _)| *x).collect()),
                range,
            )
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .axis_style(INK)
            .bold_line_style(INK.mix(0.12))
            .light_line_style(TRANSPARENT)
            .x_label_formatter(&|x| {
                ticks
                    .iter()
                    .find(|(t, _)| t == x)
                    .map(|(_, l)| l.clone())
                    .unwrap_or_default()
            })
            .y_label_formatter(&|v| cad(*v))
            .x_desc("Date (balance at the end of the day)")
            .y_desc("Balance (CAD)")
            .label_style(text(LABEL))
            .axis_desc_style(text(LABEL))
            .draw()
            .map_err(draw_err)?;
        if values.iter().any(|v| *v < 0.0) {
            // Below this line the account is overdrawn.
            chart
                .draw_series(std::iter::once(PathElement::new(
                    [(0, 0.0), (span, 0.0)],
                    INK.mix(0.5),
                )))
                .map_err(draw_err)?;
        }
        for (i, line) in points.iter().enumerate() {
            let colour = SERIES[i % SERIES.len()];
            let mut steps: Vec<(i32, f64)> = line
                .iter()
                .enumerate()
                .flat_map(|(j, &(x, balance))| {
                    let before = (j > 0).then(|| (x, line[j - 1].1));
                    before.into_iter().chain(std::iter::once((x, balance)))
                })
                .collect();
            // The accounts were read together, so a quiet account's balance held to the end of
            // the data: its line goes on rather than seeming to stop.
            if let Some(&(_, balance)) = steps.last().filter(|(x, _)| *x < span) {
                steps.push((span, balance));
            }
            if let [only] = steps.as_slice() {
                // One day at the very end draws no line: a dot shows it.
                chart
                    .draw_series(std::iter::once(Circle::new(*only, 3, colour.filled())))
                    .map_err(draw_err)?;
            }
            chart
                .draw_series(std::iter::once(PathElement::new(
                    steps,
                    colour.stroke_width(2),
                )))
                .map_err(draw_err)?;
        }
        Ok(())
    })?;
    let accounts: Vec<String> = series
        .iter()
        .zip(&labels)
        .map(|(s, label)| {
            let (start, end) = (s.days[0], s.days[s.days.len() - 1]);
            let lowest = s.days.iter().fold(
                start,
                |low, d| if d.balance < low.balance { *d } else { low },
            );
            let amount = |d: crate::store::DayBalance| {
                cad(rust_decimal::prelude::ToPrimitive::to_f64(&d.balance).unwrap_or(0.0))
            };
            format!(
                "{label} starts at {} on {}, ends at {} on {}, lowest {} on {}",
                amount(start),
                day_words(start.date),
                amount(end),
                day_words(end.date),
                amount(lowest),
                day_words(lowest.date)
            )
        })
        .collect();
    Ok(Some(Chart {
        id: "balance-over-time".into(),
        description: format!(
            "{title}, end-of-day balance in CAD: {}.",
            accounts.join("; ")
        ),
        svg,
        title,
    }))
}

#[cfg(test)]
mod tests;
