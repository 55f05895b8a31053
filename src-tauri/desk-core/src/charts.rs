//! Charts of a run as SVG (plotters): each account's balance over time, the monthly series
//! Flinks reports as `_current_month … _12_months_ago` attributes, and the package's monthly
//! averages side by side; and for the Compare view, two runs in each of those charts they share.
//! Each chart comes with a text description, which is what a screen reader gets instead of the
//! picture.
//!
//! Light and dark: text, axes and grid are `currentColor` and the background is a `chart-bg`
//! rectangle, so CSS decides both, and always together: no renderer can end up with light
//! text on a light card. An SVG inlined in the page takes them from the app's style sheet
//! (`.desk-chart { color }` and `.desk-chart .chart-bg { fill }`, or the `--chart-ink` and
//! `--chart-bg` properties), so it follows whatever theme the app shows; that also holds under
//! the app's CSP, which blocks the SVG's own `<style>`. The SVG's own style sheet serves where
//! the page's CSS cannot reach (an `<img>`, a saved file): light, or dark under
//! `prefers-color-scheme` where the renderer tells an image the scheme (WebKitGTK 2.50 does
//! not, so there the chart stays a light card); a renderer without CSS gets the light colours
//! written in the attributes. The data colours cannot be `currentColor` (each account needs a
//! hue of its own), so they are chosen to stand out on both backgrounds: each has at least 3:1
//! contrast, WCAG's minimum for graphics, against the light and the dark panel (a unit test
//! checks it).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;

use crate::catalog::Unit;
use crate::desk::{AttributeRow, RunResult};
use crate::store::BalanceSeries;

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

/// Text, axes and grid. Drawn in the light theme's ink, then written as `currentColor`.
const INK: RGBColor = RGBColor(0x1b, 0x24, 0x30);
/// The background, light theme; the SVG's style sheet recolours it.
const PAPER: RGBColor = RGBColor(0xff, 0xff, 0xff);
/// The dark theme's ink and panel, as in the app's ui/style.css.
const DARK_INK: RGBColor = RGBColor(0xe6, 0xea, 0xef);
const DARK_PAPER: RGBColor = RGBColor(0x1d, 0x23, 0x2b);
/// One colour per account, told apart by hue (blue, orange, green, purple, ochre, magenta: the
/// usual colour-blind-safe order), each readable on both backgrounds.
const SERIES: [RGBColor; 6] = [
    RGBColor(0x2f, 0x7f, 0xc1),
    RGBColor(0xd9, 0x5f, 0x02),
    RGBColor(0x16, 0x8a, 0x68),
    RGBColor(0x8a, 0x6f, 0xd1),
    RGBColor(0xa0, 0x79, 0x0a),
    RGBColor(0xc2, 0x39, 0x9a),
];
const BAR: RGBColor = SERIES[0];
const NEGATIVE: RGBColor = RGBColor(0xe0, 0x45, 0x2f);

fn css(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// The style sheet every chart carries; see the module's comment. Each colour is given twice:
/// the plain one for renderers that do not know `var()`.
fn style() -> String {
    let theme = |ink: RGBColor, paper: RGBColor| {
        let (ink, paper) = (css(ink), css(paper));
        format!(
            ".desk-chart{{color:{ink};color:var(--chart-ink,{ink})}}\
             .desk-chart .chart-bg{{fill:{paper};fill:var(--chart-bg,{paper})}}"
        )
    };
    format!(
        "<style>{}@media (prefers-color-scheme:dark){{{}}}</style>\n",
        theme(INK, PAPER),
        theme(DARK_INK, DARK_PAPER)
    )
}

/// Turns plotters' fixed colours into the themable ones. Text is escaped by plotters (a quote
/// becomes `&quot;`), so an attribute value like `"#1B2430"` can only be a colour plotters wrote.
fn themed(svg: String) -> String {
    let hex = |c: RGBColor| format!("\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2);
    let svg = svg
        .replace(&hex(INK), "\"currentColor\"")
        .replace(
            &format!("fill={}", hex(PAPER)),
            &format!("class=\"chart-bg\" fill={}", hex(PAPER)),
        )
        .replacen("<svg ", "<svg class=\"desk-chart\" ", 1);
    let root_end = svg
        .find("<svg ")
        .and_then(|start| Some(start + svg[start..].find('>')?));
    match root_end {
        Some(end) => format!(
            "{}\n{}{}",
            &svg[..=end],
            style(),
            svg[end + 1..].trim_start()
        ),
        None => svg,
    }
}

/// Font sizes as plotters takes them (it draws them 1.24 times smaller): about 11 px labels
/// and 15 px titles, readable in a 760-pixel chart on a 1280×720 screen.
const LABEL: u32 = 14;
const CAPTION: u32 = 19;

fn text(size: u32) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&INK)
}

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

/// A calendar month as one number (year × 12 + month from 0), so that runs made at different
/// times line up by month.
fn month_index(as_of: NaiveDate, back: u32) -> i32 {
    as_of.year() * 12 + as_of.month0() as i32 - back as i32
}

fn month_name(index: i32) -> String {
    let (year, month0) = (index.div_euclid(12), index.rem_euclid(12) as u32);
    let day = NaiveDate::from_ymd_opt(year, month0 + 1, 1).expect("valid month");
    day.format("%b '%y").to_string()
}

fn month_label(as_of: NaiveDate, back: u32) -> String {
    month_name(month_index(as_of, back))
}

/// The day a run's months count back from: the day it finished (today for a run without one).
fn as_of(run: &RunResult) -> NaiveDate {
    run.finished_at
        .get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .unwrap_or_else(|| chrono::Utc::now().date_naive())
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

/// One run's values in a bar chart, one per label (None where the run has none). `name` is its
/// legend entry; a chart of one run has no legend, so there it is unused.
struct Series<'a> {
    name: &'a str,
    values: Vec<Option<f64>>,
}

impl Series<'_> {
    fn of(values: &[f64]) -> Series<'static> {
        Series {
            name: "",
            values: values.iter().copied().map(Some).collect(),
        }
    }
}

/// The legend a chart of these series needs: none for one run, whose bars need no key.
fn legend_names(series: &[Series]) -> Vec<String> {
    if series.len() < 2 {
        return Vec::new();
    }
    series.iter().map(|s| s.name.to_owned()).collect()
}

/// A bar's colour. One run's bars are all one colour, red where negative; with several runs
/// the colour says whose bar it is, as in the legend, and the zero line shows the sign.
fn bar_colour(runs: usize, run: usize, value: f64) -> RGBColor {
    match runs {
        1 if value < 0.0 => NEGATIVE,
        1 => BAR,
        _ => SERIES[run % SERIES.len()],
    }
}

/// Where run `run` of `runs` sits inside a category `category_px` wide: the pixels to leave
/// before and after its bar, so that the runs' bars stand side by side between `pad`s.
fn slot(category_px: f64, pad: u32, run: usize, runs: usize) -> (u32, u32) {
    let inner = (category_px - 2.0 * f64::from(pad)).max(0.0);
    let share = |n: usize| (inner * n as f64 / runs as f64).round() as u32;
    (pad + share(run), pad + share(runs - 1 - run))
}

/// Vertical bars, one group per label, oldest first: one bar per series in each group.
fn column_chart(title: &str, labels: &[String], series: &[Series]) -> Result<String, ChartError> {
    let values: Vec<f64> = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .copied()
        .collect();
    let range = axis_range(&values, 1.08);
    // Two runs far apart in time span more months than there is room to name: every n-th.
    let every = labels.len().div_ceil(13).max(1);
    picture(HEIGHT, &legend_names(series), Swatch::Block, |area| {
        let mut chart = ChartBuilder::on(area)
            .caption(title, text(CAPTION))
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(76)
            .build_cartesian_2d((0..labels.len()).into_segmented(), range)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .axis_style(INK)
            .bold_line_style(INK.mix(0.12))
            .light_line_style(TRANSPARENT)
            .x_labels(labels.len())
            .x_label_formatter(&|segment| match segment {
                SegmentValue::CenterOf(i) if i % every != 0 => String::new(),
                _ => segment_label(labels, segment),
            })
            .y_label_formatter(&|v| cad(*v))
            .y_desc("CAD")
            .label_style(text(LABEL))
            .axis_desc_style(text(LABEL))
            .draw()
            .map_err(draw_err)?;
        let category_px = f64::from(
            chart.backend_coord(&(SegmentValue::Exact(1), 0.0)).0
                - chart.backend_coord(&(SegmentValue::Exact(0), 0.0)).0,
        );
        for (run, s) in series.iter().enumerate() {
            let (before, after) = slot(category_px, 6, run, series.len());
            chart
                .draw_series(s.values.iter().enumerate().filter_map(|(i, v)| {
                    let v = (*v)?;
                    let mut bar = Rectangle::new(
                        [
                            (SegmentValue::Exact(i), 0.0),
                            (SegmentValue::Exact(i + 1), v),
                        ],
                        bar_colour(series.len(), run, v).filled(),
                    );
                    bar.set_margin(0, 0, before, after);
                    Some(bar)
                }))
                .map_err(draw_err)?;
        }
        Ok(())
    })
}

/// Horizontal bars with their labels on the left: for values of different attributes. With
/// several series, each label gets one bar per series, the first on top.
fn bar_chart(title: &str, labels: &[String], series: &[Series]) -> Result<String, ChartError> {
    let values: Vec<f64> = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .copied()
        .collect();
    let range = axis_range(&values, 1.1);
    let row = 10 + 20 * series.len() as u32;
    let height = (60 + row * labels.len() as u32).max(160);
    picture(height, &legend_names(series), Swatch::Block, |area| {
        let mut chart = ChartBuilder::on(area)
            .caption(title, text(CAPTION))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(200)
            .build_cartesian_2d(range, (0..labels.len()).into_segmented())
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .axis_style(INK)
            .bold_line_style(INK.mix(0.12))
            .light_line_style(TRANSPARENT)
            .y_labels(labels.len())
            .y_label_formatter(&|segment| segment_label(labels, segment))
            .x_label_formatter(&|v| cad(*v))
            .x_desc("CAD")
            .label_style(text(LABEL))
            .axis_desc_style(text(LABEL))
            .draw()
            .map_err(draw_err)?;
        // Segments run upwards, so a later one has the smaller pixel row.
        let category_px = f64::from(
            chart.backend_coord(&(0.0, SegmentValue::Exact(0))).1
                - chart.backend_coord(&(0.0, SegmentValue::Exact(1))).1,
        );
        for (run, s) in series.iter().enumerate() {
            let (above, below) = slot(category_px, 5, run, series.len());
            chart
                .draw_series(s.values.iter().enumerate().filter_map(|(i, v)| {
                    let v = (*v)?;
                    let mut bar = Rectangle::new(
                        [
                            (0.0, SegmentValue::Exact(i)),
                            (v, SegmentValue::Exact(i + 1)),
                        ],
                        bar_colour(series.len(), run, v).filled(),
                    );
                    bar.set_margin(above, below, 0, 0);
                    Some(bar)
                }))
                .map_err(draw_err)?;
        }
        Ok(())
    })
}

/// The chart in words: each label's value, or with several runs each label's value per run,
/// named as in the legend.
fn describe(title: &str, labels: &[String], series: &[Series]) -> String {
    let amount = |v: &Option<f64>| v.map_or_else(|| "no value".to_owned(), cad);
    if let [one] = series {
        let parts: Vec<String> = labels
            .iter()
            .zip(&one.values)
            .map(|(l, v)| format!("{l} {}", amount(v)))
            .collect();
        return format!("{title}: {}.", parts.join(", "));
    }
    let names: Vec<&str> = series.iter().map(|s| s.name).collect();
    let parts: Vec<String> = labels
        .iter()
        .enumerate()
        // A month between two runs made far apart has nothing to say.
        .filter(|(i, _)| series.iter().any(|s| s.values[*i].is_some()))
        .map(|(i, l)| {
            let values: Vec<String> = series
                .iter()
                .map(|s| format!("{} {}", s.name, amount(&s.values[i])))
                .collect();
            format!("{l}: {}", values.join(", "))
        })
        .collect();
    format!("{title}, {}: {}.", names.join(" and "), parts.join("; "))
}

type Draw = fn(&str, &[String], &[Series]) -> Result<String, ChartError>;

fn chart(
    id: String,
    title: String,
    labels: &[String],
    series: &[Series],
    draw: Draw,
) -> Result<Chart, ChartError> {
    Ok(Chart {
        id,
        svg: draw(&title, labels, series)?,
        description: describe(&title, labels, series),
        title,
    })
}

fn humanize(subject: &str) -> String {
    let words = subject.replace('_', " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn monthly_title(subject: &str) -> String {
    format!("{} by month", humanize(subject))
}

/// The monthly averages a bar chart shows, in the table's order.
fn averages(rows: &[AttributeRow]) -> impl Iterator<Item = &AttributeRow> {
    rows.iter()
        .filter(|r| r.unit == Unit::Currency && r.name.starts_with("average_monthly_"))
        .filter(|r| r.number.is_some())
}

/// More bars than this no longer fit a chart one reads at a glance.
const AVERAGES_SHOWN: usize = 16;
const AVERAGES_TITLE: &str = "Monthly averages";

fn average_label(row: &AttributeRow) -> String {
    humanize(row.label.trim_start_matches("Average monthly "))
}

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

const BALANCE_PLOT_HEIGHT: u32 = 320;
const LEGEND_ROW: u32 = 22;

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

/// The legend under the plot: a swatch of each series' colour and its label, wrapping to more
/// rows when the entries do not fit on one. Returns each entry's row and x, and the rows.
fn legend_layout<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    labels: &[String],
) -> Result<(Vec<(u32, i32)>, u32), ChartError> {
    let (mut row, mut x) = (0u32, 16i32);
    let mut places = Vec::new();
    for label in labels {
        let (w, _) = area
            .estimate_text_size(label, &text(LABEL))
            .map_err(draw_err)?;
        let width = 26 + w as i32 + 22;
        if x > 16 && x + width > WIDTH as i32 - 12 {
            row += 1;
            x = 16;
        }
        places.push((row, x));
        x += width;
    }
    Ok((places, row + 1))
}

/// What a legend entry shows of its series: a line for lines, a square for bars.
#[derive(Clone, Copy)]
enum Swatch {
    Line,
    Block,
}

/// Series `i`'s legend entry in its colour (as the plot draws series `i`), at the places
/// `legend_layout` found.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    labels: &[String],
    places: &[(u32, i32)],
    swatch: Swatch,
) -> Result<(), ChartError> {
    for (i, (label, &(row, x))) in labels.iter().zip(places).enumerate() {
        let colour = SERIES[i % SERIES.len()];
        let y = (row * LEGEND_ROW + LEGEND_ROW / 2) as i32;
        match swatch {
            Swatch::Line => area.draw(&PathElement::new(
                [(x, y), (x + 18, y)],
                colour.stroke_width(3),
            )),
            Swatch::Block => area.draw(&Rectangle::new(
                [(x + 3, y - 6), (x + 15, y + 6)],
                colour.filled(),
            )),
        }
        .map_err(draw_err)?;
        area.draw(&Text::new(
            label.as_str(),
            (x + 26, y),
            text(LABEL).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(draw_err)?;
    }
    Ok(())
}

/// A themed SVG chart: `plot` draws into the top `plot_height` pixels, and under them, when
/// there is one, the legend takes as many rows as its entries need.
fn picture(
    plot_height: u32,
    legend: &[String],
    swatch: Swatch,
    plot: impl FnOnce(&DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> Result<(), ChartError>,
) -> Result<String, ChartError> {
    font()?;
    let mut svg = String::new();
    {
        // Measured on a throwaway area: the legend's height decides the picture's.
        let (places, rows) = if legend.is_empty() {
            (Vec::new(), 0)
        } else {
            let mut scratch = String::new();
            let measure = SVGBackend::with_string(&mut scratch, (WIDTH, 100)).into_drawing_area();
            legend_layout(&measure, legend)?
        };
        let height = match rows {
            0 => plot_height,
            rows => plot_height + rows * LEGEND_ROW + 10,
        };
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&PAPER).map_err(draw_err)?;
        if rows == 0 {
            plot(&root)?;
        } else {
            let (upper, lower) = root.split_vertically(plot_height);
            plot(&upper)?;
            draw_legend(&lower, legend, &places, swatch)?;
        }
        root.present().map_err(draw_err)?;
    }
    Ok(themed(svg))
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
            summary: Vec::new(),
        }
    }

    fn relative_luminance(c: RGBColor) -> f64 {
        let channel = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(c.0) + 0.7152 * channel(c.1) + 0.0722 * channel(c.2)
    }

    fn contrast(a: RGBColor, b: RGBColor) -> f64 {
        let (la, lb) = (relative_luminance(a), relative_luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    #[test]
    fn colours_are_readable_on_the_light_and_the_dark_panel() {
        for (ink, paper) in [(INK, PAPER), (DARK_INK, DARK_PAPER)] {
            assert!(contrast(ink, paper) >= 7.0, "text {ink:?} on {paper:?}");
        }
        for colour in SERIES.iter().chain([&NEGATIVE]) {
            for paper in [PAPER, DARK_PAPER] {
                let c = contrast(*colour, paper);
                assert!(c >= 3.0, "{colour:?} on {paper:?}: {c:.2}");
            }
        }
    }

    fn series(title: &str, last4: Option<&str>, days: &[(&str, &str)]) -> BalanceSeries {
        BalanceSeries {
            account_id: title.to_lowercase(),
            title: Some(title.into()),
            last4: last4.map(Into::into),
            days: days
                .iter()
                .map(|(date, balance)| crate::store::DayBalance {
                    date: date.parse().unwrap(),
                    balance: balance.parse().unwrap(),
                })
                .collect(),
        }
    }

    /// The `points` of the plot's lines drawn in `colour` (the legend's are thicker), as
    /// (x, y) pairs.
    fn polylines(svg: &str, colour: RGBColor) -> Vec<Vec<(f64, f64)>> {
        let stroke = format!(
            "stroke=\"#{:02X}{:02X}{:02X}\"",
            colour.0, colour.1, colour.2
        );
        svg.lines()
            .filter(|l| {
                l.starts_with("<polyline")
                    && l.contains(&stroke)
                    && l.contains("stroke-width=\"2\"")
            })
            .map(|l| {
                let points = l.split("points=\"").nth(1).unwrap();
                points[..points.find('"').unwrap()]
                    .split_whitespace()
                    .map(|p| {
                        let (x, y) = p.split_once(',').unwrap();
                        (x.parse().unwrap(), y.parse().unwrap())
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn balances_are_step_lines_one_per_account_with_a_legend_and_a_description() {
        let chequing = series(
            "Chequing Account",
            Some("4567"),
            &[
                ("2025-11-03", "120"),
                ("2025-11-05", "-45.50"),
                ("2026-01-20", "980"),
            ],
        );
        let card = series("Visa Infinite", None, &[("2025-12-01", "-1850")]);
        let chart = balance_chart(&[chequing, card]).unwrap().unwrap();
        assert_eq!(chart.id, "balance-over-time");
        let lines = polylines(&chart.svg, SERIES[0]);
        assert_eq!(lines.len(), 1);
        let plot = &lines[0];
        assert_eq!(plot.len(), 5, "3 days: 5 corners");
        let ys: Vec<f64> = plot.iter().map(|p| p.1).collect();
        assert_eq!(
            (ys[0], ys[2], ys[4]),
            (ys[1], ys[3], ys[4]),
            "flat, then a step"
        );
        assert!(
            ys[2] > ys[0] && ys[4] < ys[0],
            "down to -$45.50, up to $980"
        );
        assert!(chart.svg.contains("Chequing Account …4567"));
        assert!(chart.svg.contains("Visa Infinite"));
        assert!(chart.svg.contains("Balance (CAD)"));
        assert!(chart.svg.contains("Dec &apos;25") && chart.svg.contains("Jan &apos;26"));
        let card = polylines(&chart.svg, SERIES[1]);
        assert_eq!(card.len(), 1);
        assert_eq!(card[0].len(), 2, "its one day, held to the end of the data");
        assert_eq!(card[0][0].1, card[0][1].1);
        assert_eq!(card[0][1].0, plot[4].0);
        assert!(!chart.svg.contains("<circle"));
        assert_eq!(
            chart.description,
            "Balance over time, end-of-day balance in CAD: Chequing Account …4567 starts at $120 \
             on Nov 3, 2025, ends at $980 on Jan 20, 2026, lowest -$46 on Nov 5, 2025; Visa \
             Infinite starts at -$1,850 on Dec 1, 2025, ends at -$1,850 on Dec 1, 2025, lowest \
             -$1,850 on Dec 1, 2025."
        );
    }

    #[test]
    fn no_balances_no_chart_and_twin_accounts_get_numbered() {
        assert!(balance_chart(&[]).unwrap().is_none());
        assert!(balance_chart(&[series("Chequing", None, &[])])
            .unwrap()
            .is_none());
        let twins = [
            series("Chequing", None, &[("2026-01-01", "1")]),
            series("Chequing", None, &[("2026-01-02", "2")]),
        ];
        let chart = balance_chart(&twins).unwrap().unwrap();
        assert!(chart.svg.contains("Chequing (1)") && chart.svg.contains("Chequing (2)"));
        assert_eq!(
            chart.svg.matches("<circle").count(),
            1,
            "the one day on the data's last day is a dot, not an invisible line"
        );
    }

    #[test]
    fn many_accounts_wrap_the_legend_and_grow_the_picture() {
        let many: Vec<BalanceSeries> = (0..8)
            .map(|i| {
                series(
                    &format!("High Interest Savings Account {i}"),
                    Some("1234"),
                    &[("2026-01-01", "100"), ("2026-01-09", "200")],
                )
            })
            .collect();
        let chart = balance_chart(&many).unwrap().unwrap();
        let height: u32 = chart.svg.split("height=\"").nth(1).unwrap()[..3]
            .trim_end_matches('"')
            .parse()
            .unwrap();
        assert!(height > BALANCE_PLOT_HEIGHT + 2 * LEGEND_ROW, "{height}");
    }

    #[test]
    fn month_ticks_thin_out_over_long_ranges() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let year = month_ticks(d("2025-02-11"), d("2026-02-10"));
        assert_eq!(year.len(), 6, "12 month starts, every other one: {year:?}");
        assert_eq!(year[0].1, "Mar '25");
        assert_eq!(year[0].0, 18);
        let short = month_ticks(d("2026-01-05"), d("2026-01-20"));
        assert_eq!(short, [(0, "Jan 5".to_owned()), (15, "Jan 20".to_owned())]);
    }

    #[test]
    fn every_chart_takes_its_colours_from_the_theme() {
        let rows: Vec<AttributeRow> = (0..6)
            .map(|back| {
                let suffix = match back {
                    0 => "current_month".to_owned(),
                    1 => "previous_month".to_owned(),
                    n => format!("{n}_months_ago"),
                };
                row(&format!("sum_employer_income_{suffix}"), 1000.0)
            })
            .chain([row("average_monthly_free_cash_flow", -5.0)])
            .collect();
        let mut charts = charts_for(&run(rows.clone())).unwrap();
        charts.extend(balance_chart(&[series("A", None, &[("2026-01-01", "1")])]).unwrap());
        charts.extend(comparison_charts(&run(rows.clone()), &run(rows)).unwrap());
        assert_eq!(charts.len(), 5);
        for chart in charts {
            let svg = &chart.svg;
            assert!(
                svg.starts_with("<svg class=\"desk-chart\" "),
                "{}",
                chart.id
            );
            assert!(svg.contains("prefers-color-scheme:dark"), "{}", chart.id);
            assert!(svg.contains("fill=\"currentColor\""), "{}: text", chart.id);
            assert!(
                svg.contains("stroke=\"currentColor\""),
                "{}: axes",
                chart.id
            );
            assert!(
                !svg.contains("#1B2430"),
                "{}: a fixed ink is left",
                chart.id
            );
            assert_eq!(
                svg.matches("class=\"chart-bg\"").count(),
                1,
                "{}: one background",
                chart.id
            );
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

    fn months(
        name: &str,
        back: std::ops::Range<u32>,
        value: impl Fn(u32) -> f64,
    ) -> Vec<AttributeRow> {
        back.map(|back| {
            let suffix = match back {
                0 => "current_month".to_owned(),
                1 => "previous_month".to_owned(),
                n => format!("{n}_months_ago"),
            };
            row(&format!("sum_{name}_{suffix}"), value(back))
        })
        .collect()
    }

    fn finished(mut run: RunResult, label: &str, at: &str) -> RunResult {
        run.customer_label = label.into();
        run.finished_at = at.into();
        run
    }

    /// The bars (x, width) drawn in `colour`, left to right, without the legend's square.
    fn columns(svg: &str, colour: RGBColor) -> Vec<(i32, i32)> {
        let fill = format!("fill=\"#{:02X}{:02X}{:02X}\"", colour.0, colour.1, colour.2);
        let attr = |line: &str, name: &str| -> i32 {
            let rest = line.split(&format!(" {name}=\"")).nth(1).unwrap();
            rest[..rest.find('"').unwrap()].parse().unwrap()
        };
        let mut bars: Vec<(i32, i32)> = svg
            .lines()
            .filter(|l| l.starts_with("<rect") && l.contains(&fill))
            .map(|l| (attr(l, "x"), attr(l, "width")))
            .collect();
        bars.pop();
        bars
    }

    #[test]
    fn runs_made_in_different_months_line_up_by_calendar_month() {
        // Six months each, two months apart: eight months in all, four of them in both runs.
        let before = finished(
            run(months("employer_income", 0..6, |b| 100.0 + b as f64)),
            "Maya",
            "2026-02-10T10:00:00Z",
        );
        let after = finished(
            run(months("employer_income", 0..6, |b| 200.0 + b as f64)),
            "Ana",
            "2026-04-10T10:00:00Z",
        );
        let charts = comparison_charts(&before, &after).unwrap();
        let ids: Vec<&str> = charts.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["compare-monthly-employer_income"]);
        let chart = &charts[0];
        assert_eq!(chart.title, "Employer income by month");
        assert_eq!(
            chart.description,
            "Employer income by month, Maya and Ana: Sep '25: Maya $105, Ana no value; \
             Oct '25: Maya $104, Ana no value; Nov '25: Maya $103, Ana $205; \
             Dec '25: Maya $102, Ana $204; Jan '26: Maya $101, Ana $203; \
             Feb '26: Maya $100, Ana $202; Mar '26: Maya no value, Ana $201; \
             Apr '26: Maya no value, Ana $200."
        );
        assert!(chart.svg.contains("Sep &apos;25") && chart.svg.contains("Apr &apos;26"));
        // Side by side: in a month both runs have, the left run's bar ends before the right's
        // starts, and a month only one run has holds only that run's bar.
        let (left, right) = (
            columns(&chart.svg, SERIES[0]),
            columns(&chart.svg, SERIES[1]),
        );
        assert_eq!((left.len(), right.len()), (6, 6));
        for (l, r) in left[2..].iter().zip(&right[..4]) {
            assert!(l.0 + l.1 <= r.0, "{l:?} {r:?}");
            assert!(r.0 - l.0 < 40, "{l:?} {r:?}: the same month");
        }
        assert!(
            right[0].0 > left[1].0 + 40,
            "Nov '25 is the right run's first"
        );
    }

    #[test]
    fn only_the_averages_both_runs_have_are_compared() {
        let left = finished(
            run(vec![
                row("average_monthly_free_cash_flow", -490.99),
                row("average_monthly_employer_income", 5398.3),
            ]),
            "Maya",
            "2026-02-10T10:00:00Z",
        );
        let right = finished(
            run(vec![
                row("average_monthly_government_income", 700.0),
                row("average_monthly_free_cash_flow", 12.0),
            ]),
            "Ana",
            "2026-02-10T10:00:00Z",
        );
        let charts = comparison_charts(&left, &right).unwrap();
        assert_eq!(charts.len(), 1);
        assert_eq!(charts[0].id, "compare-monthly-averages");
        assert_eq!(
            charts[0].description,
            "Monthly averages, Maya and Ana: Free cash flow: Maya -$491, Ana $12."
        );
        assert!(charts[0].svg.contains(">\nMaya\n<") && charts[0].svg.contains(">\nAna\n<"));
        assert!(comparison_charts(&left, &run(Vec::new()))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn one_customer_twice_is_named_by_what_differs() {
        let at = |time: &str| finished(run(Vec::new()), "Maya", time);
        let local = |time: &str, format: &str| {
            chrono::DateTime::parse_from_rfc3339(time)
                .unwrap()
                .with_timezone(&chrono::Local)
                .format(format)
                .to_string()
        };
        let (a, b) = ("2026-02-10T10:00:00.000Z", "2026-03-02T16:30:00.000Z");
        assert_eq!(
            run_names(&at(a), &at(b)),
            [
                format!("Maya · {}", local(a, "%b %-d, %Y, %H:%M")),
                format!("Maya · {}", local(b, "%b %-d, %Y, %H:%M"))
            ]
        );
        let (a, b) = ("2026-02-10T10:00:01.250Z", "2026-02-10T10:00:04.000Z");
        assert_eq!(
            run_names(&at(a), &at(b)),
            [
                format!("Maya · {}", local(a, "%b %-d, %Y, %H:%M:%S")),
                format!("Maya · {}", local(b, "%b %-d, %Y, %H:%M:%S"))
            ]
        );
        let mut twin = at(a);
        twin.run_id = 2;
        assert_eq!(
            run_names(&at(a), &twin),
            ["Maya · run 1".to_owned(), "Maya · run 2".to_owned()]
        );
        let mut income = at(b);
        income.package = "Income";
        assert_eq!(
            run_names(&at(a), &income),
            ["Maya · Credit Risk".to_owned(), "Maya · Income".to_owned()]
        );
        let mut toolbox = at(a);
        toolbox.environment = "toolbox".into();
        assert_eq!(
            run_names(&at(a), &toolbox),
            ["Maya · sandbox".to_owned(), "Maya · toolbox".to_owned()]
        );
        let other = finished(run(Vec::new()), "Ana", a);
        assert_eq!(
            run_names(&at(b), &other),
            ["Maya".to_owned(), "Ana".to_owned()]
        );
    }

    #[test]
    fn runs_years_apart_name_every_other_month() {
        let before = finished(
            run(months("employer_income", 0..13, |_| 1.0)),
            "Maya",
            "2024-02-10T10:00:00Z",
        );
        let after = finished(
            run(months("employer_income", 0..13, |_| 2.0)),
            "Ana",
            "2026-02-10T10:00:00Z",
        );
        let chart = comparison_charts(&before, &after).unwrap().remove(0);
        // 37 months, Feb '23 to Feb '26: more than fit side by side.
        assert!(chart.svg.contains(">\nFeb &apos;23\n<"));
        assert!(chart.svg.contains(">\nMay &apos;23\n<"));
        assert!(!chart.svg.contains(">\nMar &apos;23\n<"));
        assert!(chart.description.contains("Mar '23: Maya $1, Ana no value"));
        assert!(chart
            .description
            .ends_with("Feb '26: Maya no value, Ana $2."));
        assert!(
            chart.svg.contains(">\nAug &apos;24\n<"),
            "the year between is drawn"
        );
        assert!(
            !chart.description.contains("Aug '24"),
            "{}",
            chart.description
        );
    }
}
