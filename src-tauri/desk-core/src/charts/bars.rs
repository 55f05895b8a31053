//! Bar charts (the monthly series in columns, the monthly averages in rows), for one run or for
//! two side by side, each with its description in words.

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use super::draw::{axis_range, cad, draw_err, picture, text, Swatch, CAPTION, LABEL};
use super::theme::{BAR, INK, NEGATIVE, SERIES};
use super::{Chart, ChartError};

const HEIGHT: u32 = 300;

/// The label under (or beside) a bar; segment edges get none.
fn segment_label(labels: &[String], segment: &SegmentValue<usize>) -> String {
    match segment {
        SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
        _ => String::new(),
    }
}

/// One run's values in a bar chart, one per label (None where the run has none). `name` is its
/// legend entry; a chart of one run has no legend, so there it is unused.
pub(super) struct Series<'a> {
    pub(super) name: &'a str,
    pub(super) values: Vec<Option<f64>>,
}

impl Series<'_> {
    pub(super) fn of(values: &[f64]) -> Series<'static> {
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
pub(super) fn column_chart(
    title: &str,
    labels: &[String],
    series: &[Series],
) -> Result<String, ChartError> {
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
pub(super) fn bar_chart(
    title: &str,
    labels: &[String],
    series: &[Series],
) -> Result<String, ChartError> {
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

pub(super) fn chart(
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
