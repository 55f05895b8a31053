//! What every chart is drawn with: its font and text, the value axis, and the picture (plot and
//! legend) that becomes the themed SVG.

use std::sync::OnceLock;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::theme::{themed, INK, PAPER, SERIES};
use super::ChartError;

/// DejaVu Sans (Bitstream Vera licence, see assets/): plotters measures text with it, so charts
/// lay out the same on every desk, with or without system fonts.
static FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

const WIDTH: u32 = 760;
pub(super) const LEGEND_ROW: u32 = 22;

/// Font sizes as plotters takes them (it draws them 1.24 times smaller): about 11 px labels
/// and 15 px titles, readable in a 760-pixel chart on a 1280×720 screen.
pub(super) const LABEL: u32 = 14;
pub(super) const CAPTION: u32 = 19;

pub(super) fn text(size: u32) -> TextStyle<'static> {
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

pub(super) fn draw_err<E: std::fmt::Debug>(e: E) -> ChartError {
    ChartError(format!("{e:?}"))
}

/// The value axis: from the lowest value (or 0) to the highest (or 0), with `headroom` (1.08 =
/// 8%) beyond both, and at least one dollar wide so an all-zero series still draws.
pub(super) fn axis_range(values: &[f64], headroom: f64) -> std::ops::Range<f64> {
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
pub(super) enum Swatch {
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
pub(super) fn picture(
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

#[cfg(test)]
mod tests {
    use super::cad;

    #[test]
    fn cad_groups_thousands_and_keeps_the_sign() {
        assert_eq!(cad(4963.8), "$4,964");
        assert_eq!(cad(-490.99), "-$491");
        assert_eq!(cad(1_234_567.0), "$1,234,567");
        assert_eq!(cad(0.2), "$0");
        assert_eq!(cad(-0.2), "$0");
    }
}
