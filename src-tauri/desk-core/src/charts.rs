//! Charts of a run as SVG (plotters): the monthly series Flinks reports as `_current_month …
//! _12_months_ago` attributes, and the package's monthly averages side by side. Each chart comes
//! with a text description, which is what a screen reader gets instead of the picture.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use serde::Serialize;

use crate::catalog::Unit;
use crate::desk::{AttributeRow, RunResult};

/// DejaVu Sans (Bitstream Vera licence, see assets/): plotters measures text with it, so charts
/// lay out the same on every desk, with or without system fonts.
static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

#[derive(Debug, thiserror::Error)]
#[error("the chart could not be drawn: {0}")]
pub struct ChartError(String);

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Chart {
    pub id: String,
    pub title: String,
    pub svg: String,
    /// The chart's data in words, for screen readers and for the test of what it shows.
    pub description: String,
}

const WIDTH: u32 = 760;
const HEIGHT: u32 = 300;
const BAR: RGBColor = RGBColor(11, 79, 138);
const NEGATIVE: RGBColor = RGBColor(164, 22, 26);

fn font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            plotters::style::register_font("sans-serif", FontStyle::Normal, FONT)
                .map_err(|_| "the chart font could not be loaded".to_owned())
        })
        .clone()
        .map_err(ChartError)
}

/// `$4,964`, `-$491`: whole dollars for axes and descriptions.
pub fn cad(value: f64) -> String {
    let whole = value.abs().round() as u64;
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if value < 0.0 && whole > 0 { "-" } else { "" };
    format!("{sign}${grouped}")
}

/// How many months back a `_current_month` / `_previous_month` / `_N_months_ago` suffix is.
fn months_back(suffix: &str) -> Option<u32> {
    match suffix {
        "current_month" => Some(0),
        "previous_month" => Some(1),
        _ => suffix.strip_suffix("_months_ago")?.parse().ok(),
    }
}

fn month_label(as_of: NaiveDate, back: u32) -> String {
    let index = as_of.year() * 12 + as_of.month0() as i32 - back as i32;
    let (year, month0) = (index.div_euclid(12), index.rem_euclid(12) as u32);
    let day = NaiveDate::from_ymd_opt(year, month0 + 1, 1).expect("valid month");
    day.format("%b '%y").to_string()
}

/// The monthly currency series of a run: subject → value per months-back, only series with at
/// least six months.
fn monthly_series(rows: &[AttributeRow]) -> BTreeMap<String, BTreeMap<u32, f64>> {
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

fn draw_err<E: std::fmt::Debug>(e: E) -> ChartError {
    ChartError(format!("{e:?}"))
}

/// The value axis: from the lowest value (or 0) to the highest (or 0), with `headroom` (1.08 =
/// 8%) beyond both, and at least one dollar wide so an all-zero series still draws.
fn axis_range(values: &[f64], headroom: f64) -> std::ops::Range<f64> {
    let (lo, hi) = values
        .iter()
        .fold((0f64, 0f64), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    let hi = if hi - lo < 1.0 {
        lo + 1.0
    } else {
        hi * headroom
    };
    lo * headroom..hi
}

/// The label under (or beside) a bar; segment edges get none.
fn segment_label(labels: &[String], segment: &SegmentValue<usize>) -> String {
    match segment {
        SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
        _ => String::new(),
    }
}

/// Vertical bars, one per label, oldest first.
fn column_chart(title: &str, labels: &[String], values: &[f64]) -> Result<String, ChartError> {
    font()?;
    let range = axis_range(values, 1.08);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 17))
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(76)
            .build_cartesian_2d((0..values.len()).into_segmented(), range)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .x_labels(values.len())
            .x_label_formatter(&|segment| segment_label(labels, segment))
            .y_label_formatter(&|v| cad(*v))
            .y_desc("CAD")
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(draw_err)?;
        chart
            .draw_series(values.iter().enumerate().map(|(i, v)| {
                let colour = if *v < 0.0 { NEGATIVE } else { BAR };
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), 0.0),
                        (SegmentValue::Exact(i + 1), *v),
                    ],
                    colour.filled(),
                );
                bar.set_margin(0, 0, 6, 6);
                bar
            }))
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// Horizontal bars with their labels on the left: for values of different attributes.
fn bar_chart(title: &str, labels: &[String], values: &[f64]) -> Result<String, ChartError> {
    font()?;
    let range = axis_range(values, 1.1);
    let height = (60 + 30 * values.len() as u32).max(160);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 17))
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(200)
            .build_cartesian_2d(range, (0..values.len()).into_segmented())
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .y_labels(values.len())
            .y_label_formatter(&|segment| segment_label(labels, segment))
            .x_label_formatter(&|v| cad(*v))
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(draw_err)?;
        chart
            .draw_series(values.iter().enumerate().map(|(i, v)| {
                let colour = if *v < 0.0 { NEGATIVE } else { BAR };
                let mut bar = Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(i)),
                        (*v, SegmentValue::Exact(i + 1)),
                    ],
                    colour.filled(),
                );
                bar.set_margin(5, 5, 0, 0);
                bar
            }))
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

fn describe(title: &str, labels: &[String], values: &[f64]) -> String {
    let parts: Vec<String> = labels
        .iter()
        .zip(values)
        .map(|(l, v)| format!("{l} {}", cad(*v)))
        .collect();
    format!("{title}: {}.", parts.join(", "))
}

fn humanize(subject: &str) -> String {
    let words = subject.replace('_', " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Every chart the run's attributes allow: each monthly series, then the monthly averages.
pub fn charts_for(run: &RunResult) -> Result<Vec<Chart>, ChartError> {
    let as_of = run
        .finished_at
        .get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let mut charts = Vec::new();
    for (subject, months) in monthly_series(&run.rows) {
        // Oldest month on the left, as people read time.
        let (labels, values): (Vec<String>, Vec<f64>) = months
            .iter()
            .rev()
            .map(|(back, v)| (month_label(as_of, *back), *v))
            .unzip();
        let title = format!("{} by month", humanize(&subject));
        charts.push(Chart {
            id: format!("monthly-{subject}"),
            svg: column_chart(&title, &labels, &values)?,
            description: describe(&title, &labels, &values),
            title,
        });
    }
    let averages: Vec<&AttributeRow> = run
        .rows
        .iter()
        .filter(|r| r.unit == Unit::Currency && r.name.starts_with("average_monthly_"))
        .filter(|r| r.number.is_some())
        .take(16)
        .collect();
    if !averages.is_empty() {
        // Bars are drawn bottom-up: reversed, the first attribute is on top, as in the table.
        let labels: Vec<String> = averages
            .iter()
            .rev()
            .map(|r| humanize(r.label.trim_start_matches("Average monthly ")))
            .collect();
        let values: Vec<f64> = averages.iter().rev().filter_map(|r| r.number).collect();
        let title = "Monthly averages".to_owned();
        charts.push(Chart {
            id: "monthly-averages".into(),
            svg: bar_chart(&title, &labels, &values)?,
            description: describe(&title, &labels, &values),
            title,
        });
    }
    Ok(charts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::describe as catalog;

    fn row(name: &str, number: f64) -> AttributeRow {
        let info = catalog(name);
        AttributeRow {
            scope: "login".into(),
            name: name.into(),
            label: info.label,
            category: info.category,
            unit: info.unit,
            definition: info.definition,
            raw: number.to_string(),
            number: Some(number),
            known: info.known,
            transactions: 0,
        }
    }

    fn run(rows: Vec<AttributeRow>) -> RunResult {
        RunResult {
            run_id: 1,
            customer_label: "Maya".into(),
            package: "Credit Risk",
            environment: "sandbox".into(),
            request_id: "r".into(),
            accounts: 1,
            transactions: 1,
            duration_ms: 1,
            finished_at: "2026-02-10T10:00:00Z".into(),
            rows,
        }
    }

    #[test]
    fn cad_groups_thousands_and_keeps_the_sign() {
        assert_eq!(cad(4963.8), "$4,964");
        assert_eq!(cad(-490.99), "-$491");
        assert_eq!(cad(1_234_567.0), "$1,234,567");
        assert_eq!(cad(0.2), "$0");
        assert_eq!(cad(-0.2), "$0");
    }

    #[test]
    fn month_labels_cross_the_year() {
        let day = NaiveDate::from_ymd_opt(2026, 2, 10).unwrap();
        assert_eq!(month_label(day, 0), "Feb '26");
        assert_eq!(month_label(day, 2), "Dec '25");
        assert_eq!(month_label(day, 12), "Feb '25");
    }

    #[test]
    fn a_monthly_series_becomes_a_chart_oldest_first() {
        let mut rows: Vec<AttributeRow> = (0..13)
            .map(|back| {
                let suffix = match back {
                    0 => "current_month".to_owned(),
                    1 => "previous_month".to_owned(),
                    n => format!("{n}_months_ago"),
                };
                row(
                    &format!("sum_employer_income_{suffix}"),
                    1000.0 + back as f64,
                )
            })
            .collect();
        rows.push(row("count_employer_income_current_month", 2.0));
        rows.push(row("average_monthly_free_cash_flow", -490.99));
        rows.push(row("average_monthly_employer_income_complex", 5398.3));
        let charts = charts_for(&run(rows)).unwrap();
        let ids: Vec<&str> = charts.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["monthly-employer_income", "monthly-averages"]);
        let monthly = &charts[0];
        assert!(monthly.svg.starts_with("<svg"), "{}", &monthly.svg[..40]);
        assert!(monthly.svg.contains("Employer income by month"));
        assert!(monthly.svg.contains("Feb &apos;25") || monthly.svg.contains("Feb '25"));
        assert!(
            monthly
                .description
                .starts_with("Employer income by month: Feb '25 $1,012, Mar '25 $1,011"),
            "{}",
            monthly.description
        );
        assert!(monthly.description.ends_with("Feb '26 $1,000."));
        let averages = &charts[1];
        assert!(
            averages.description.ends_with("Free cash flow -$491."),
            "{}",
            averages.description
        );
    }

    #[test]
    fn short_series_and_text_values_make_no_chart() {
        let rows = vec![
            row("sum_employer_income_current_month", 5.0),
            row("count_nsf_90_days", 3.0),
        ];
        assert!(charts_for(&run(rows)).unwrap().is_empty());
    }
}
