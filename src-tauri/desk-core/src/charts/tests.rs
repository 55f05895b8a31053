//! The fixtures the charts' tests share, and the tests of which charts a run gets.

use plotters::style::RGBColor;

use super::theme::SERIES;
use super::{balance_chart, charts_for, comparison_charts, run_names};
use crate::catalog::describe as catalog;
use crate::store::BalanceSeries;
use crate::view::{AttributeRow, RunResult};

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
        shared_by: None,
        summary: Vec::new(),
    }
}

pub(super) fn series(title: &str, last4: Option<&str>, days: &[(&str, &str)]) -> BalanceSeries {
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

fn months(name: &str, back: std::ops::Range<u32>, value: impl Fn(u32) -> f64) -> Vec<AttributeRow> {
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
