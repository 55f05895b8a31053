use chrono::NaiveDate;
use plotters::style::RGBColor;

use super::{balance_chart, month_ticks, BALANCE_PLOT_HEIGHT};
use crate::charts::draw::LEGEND_ROW;
use crate::charts::tests::series;
use crate::charts::theme::SERIES;
use crate::store::BalanceSeries;

/// The `points` of the plot's lines drawn in `colour` (the legend's are thicker), as
/// (x, y) pairs.
fn polylines(svg: &str, colour: RGBColor) -> Vec<Vec<(f64, f64)>> {
    let stroke = format!(
        "stroke=\"#{:02X}{:02X}{:02X}\"",
        colour.0, colour.1, colour.2
    );
    svg.lines()
        .filter(|l| {
            l.starts_with("<polyline") && l.contains(&stroke) && l.contains("stroke-width=\"2\"")
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
