//! The balance chart, the per-package summary and the charts of two runs compared, end to end:
//! a desk on its built-in sandbox, checked against the sandbox's own persona data and the runs'
//! own values, and against a database from before either.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use desk_core::catalog::Unit;
use desk_core::charts::cad;
use desk_core::store::{BalanceSeries, DayBalance};
use desk_core::{Desk, MemoryStore, Package, RunResult};
use rust_decimal::Decimal;

async fn desk_on(db: &Path) -> Desk {
    common::start_desk(db, Arc::new(MemoryStore::default())).await
}

async fn ran(desk: &Desk, customer: &str, package: Package) -> RunResult {
    desk.run(customer, package, &|_| {}).await.unwrap()
}

/// What the sandbox serves for a persona (a year of transactions, oldest first in its model),
/// reduced to end-of-day balances straight from its data, without the client or the desk.
fn served_balances(username: &str) -> Vec<BalanceSeries> {
    let as_of = chrono::Utc::now().date_naive();
    let persona = flinks_sandbox::personas::cast(flinks_sandbox::personas::DEFAULT_SEED, as_of)
        .into_iter()
        .find(|p| p.username == username)
        .unwrap();
    let since = as_of - chrono::Days::new(365);
    persona
        .accounts
        .iter()
        .map(|a| {
            let mut days: Vec<DayBalance> = Vec::new();
            for t in a.transactions.iter().filter(|t| t.date > since) {
                let balance = Decimal::new(t.balance, 2);
                match days.last_mut() {
                    Some(d) if d.date == t.date => d.balance = balance,
                    _ => days.push(DayBalance {
                        date: t.date,
                        balance,
                    }),
                }
            }
            BalanceSeries {
                account_id: a.id.to_string(),
                title: Some(a.title.clone()),
                last4: Some(a.account_number[a.account_number.len() - 4..].to_owned()),
                days,
            }
        })
        .filter(|s| !s.days.is_empty())
        .collect()
}

/// The plot's step lines, in drawing order: two pixels wide, where the zero line is thinner
/// and the legend's swatches are thicker.
fn step_lines(svg: &str) -> Vec<Vec<(f64, f64)>> {
    svg.lines()
        .filter(|l| l.starts_with("<polyline") && l.contains("stroke-width=\"2\""))
        .map(|l| {
            let points = l.split("points=\"").nth(1).unwrap();
            points[..points.find('"').unwrap()]
                .split_whitespace()
                .map(|p| {
                    let (x, y) = p.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect::<Vec<(f64, f64)>>()
        })
        .collect()
}

fn f(d: Decimal) -> f64 {
    rust_decimal::prelude::ToPrimitive::to_f64(&d).unwrap()
}

#[tokio::test]
async fn the_balance_chart_draws_the_end_of_day_balances_the_sandbox_serves() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk_on(&dir.path().join("desk.sqlite3")).await;
    // Chequing, savings and a credit card; then one account that goes overdrawn.
    for customer in ["high_income_saver", "borrower_nsf"] {
        let run = ran(&desk, customer, Package::CreditRisk).await;
        let expected = served_balances(customer);
        let days: Vec<usize> = expected.iter().map(|s| s.days.len()).collect();
        assert!(days.iter().all(|n| *n >= 10), "{customer}: {days:?}");
        let stored = desk.balances(run.run_id).unwrap();
        let accounts = |s: &[BalanceSeries]| {
            s.iter()
                .map(|a| (a.account_id.clone(), a.title.clone(), a.last4.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(accounts(&stored), accounts(&expected), "{customer}");
        for (got, want) in stored.iter().zip(&expected) {
            let wrong = got.days.iter().zip(&want.days).find(|(g, w)| g != w);
            assert_eq!(wrong, None, "{customer}: the first day that differs");
            assert_eq!(got.days.len(), want.days.len(), "{customer}");
        }

        let charts = desk.charts(run.run_id).unwrap();
        let chart = &charts[0];
        assert_eq!(chart.id, "balance-over-time");
        for s in &expected {
            let label = format!(
                "{} …{}",
                s.title.as_deref().unwrap(),
                s.last4.as_deref().unwrap()
            );
            assert!(chart.svg.contains(&label), "{customer}: legend {label}");
        }

        // One step line per account, one corner pair per day, and every day's point where
        // its balance and date put it: the axes are linear, so each pixel is an affine image
        // of the value, to within plotters' rounding to whole pixels.
        let lines = step_lines(&chart.svg);
        assert_eq!(lines.len(), expected.len(), "{customer}");
        let first = expected.iter().map(|s| s.days[0].date).min().unwrap();
        let last = expected
            .iter()
            .map(|s| s.days[s.days.len() - 1].date)
            .max()
            .unwrap();
        let all: Vec<(&DayBalance, (f64, f64))> = expected
            .iter()
            .zip(&lines)
            .flat_map(|(s, line)| {
                // A day is a corner pair (the old balance, then the new); an account quiet at
                // the end keeps its last balance to the data's last day.
                let held = usize::from(s.days[s.days.len() - 1].date < last);
                assert_eq!(line.len(), 2 * s.days.len() - 1 + held, "{customer}");
                s.days.iter().zip(line.iter().step_by(2).copied())
            })
            .collect();
        let low = all.iter().min_by_key(|(d, _)| d.balance).unwrap();
        let high = all.iter().max_by_key(|(d, _)| d.balance).unwrap();
        let px_per_dollar = (high.1 .1 - low.1 .1) / (f(high.0.balance) - f(low.0.balance));
        assert!(px_per_dollar < 0.0, "higher balances are higher up");
        let late = all.iter().max_by_key(|(d, _)| d.date).unwrap();
        let px_per_day =
            (late.1 .0 - all[0].1 .0) / (late.0.date - all[0].0.date).num_days() as f64;
        for (day, (x, y)) in &all {
            let want_y = low.1 .1 + (f(day.balance) - f(low.0.balance)) * px_per_dollar;
            let want_x = all[0].1 .0
                + ((day.date - first).num_days() - (all[0].0.date - first).num_days()) as f64
                    * px_per_day;
            assert!(
                (y - want_y).abs() <= 1.0 && (x - want_x).abs() <= 1.0,
                "{customer}: {} {} drawn at ({x}, {y}), expected ({want_x:.1}, {want_y:.1})",
                day.date,
                day.balance
            );
        }

        // The words say what the picture shows: each account's start, end and lowest day.
        for s in &expected {
            let (start, end) = (s.days[0], s.days[s.days.len() - 1]);
            let lowest = s.days.iter().min_by_key(|d| (d.balance, d.date)).unwrap();
            let words = |d: &DayBalance| {
                format!("{} on {}", cad(f(d.balance)), d.date.format("%b %-d, %Y"))
            };
            let expected_words = format!(
                "starts at {}, ends at {}, lowest {}",
                words(&start),
                words(&end),
                words(lowest)
            );
            assert!(
                chart.description.contains(&expected_words),
                "{customer}: {expected_words} not in {}",
                chart.description
            );
        }
    }
}

#[tokio::test]
async fn no_account_number_is_stored_or_drawn_whole() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk_on(&dir.path().join("desk.sqlite3")).await;
    let run = ran(&desk, "high_income_saver", Package::Income).await;
    let chart = desk.charts(run.run_id).unwrap().remove(0);
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    let database = String::from_utf8_lossy(&bytes);
    let as_of = chrono::Utc::now().date_naive();
    let persona = flinks_sandbox::personas::cast(flinks_sandbox::personas::DEFAULT_SEED, as_of)
        .into_iter()
        .find(|p| p.username == "high_income_saver")
        .unwrap();
    for a in &persona.accounts {
        assert!(
            !database.contains(&a.account_number),
            "{} in the database",
            a.title
        );
        assert!(
            !chart.svg.contains(&a.account_number),
            "{} in the chart",
            a.title
        );
        assert!(!chart.description.contains(&a.account_number));
    }
}

#[tokio::test]
async fn a_reopened_run_draws_the_same_charts_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.sqlite3");
    let (run_id, charts, summary) = {
        let desk = desk_on(&db).await;
        let run = ran(&desk, "borrower_nsf", Package::CreditRisk).await;
        (run.run_id, desk.charts(run.run_id).unwrap(), run.summary)
    };
    // A new desk on the same database: the sandbox is gone, only the history is left.
    let desk = desk_on(&db).await;
    let again = desk.charts(run_id).unwrap();
    let ids = |c: &[desk_core::Chart]| c.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&again), ids(&charts));
    assert_eq!(again[0].id, "balance-over-time");
    for (a, b) in again.iter().zip(&charts) {
        assert_eq!(a.svg, b.svg, "{}", a.id);
        assert_eq!(a.description, b.description, "{}", a.id);
    }
    assert_eq!(desk.open_run(run_id).unwrap().summary, summary);
}

#[tokio::test]
async fn each_package_summary_lists_its_headlines_with_the_runs_values() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk_on(&dir.path().join("desk.sqlite3")).await;
    for (customer, package) in [
        ("salaried_biweekly", Package::Income),
        ("government_income", Package::Income),
        ("borrower_nsf", Package::Lending),
        ("borrower_nsf", Package::CreditRisk),
        ("gig_worker", Package::UserAnalysis),
        ("small_business", Package::BusinessAnalysis),
        ("high_income_saver", Package::All),
    ] {
        let run = ran(&desk, customer, package).await;
        let headlines = desk_core::catalog::headlines(package);
        // The sandbox returns every headline of its packages, so none is missing here.
        assert_eq!(
            run.summary
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>(),
            headlines.iter().map(|h| h.name).collect::<Vec<_>>(),
            "{package:?}"
        );
        for (item, headline) in run.summary.iter().zip(&headlines) {
            let row = run.rows.iter().find(|r| r.name == item.name).unwrap();
            assert_eq!(
                (&item.label, &item.raw, item.number, item.unit),
                (&row.label, &row.raw, row.number, row.unit),
                "{package:?} {}",
                item.name
            );
            assert_eq!(item.why, headline.why);
        }
        let json = serde_json::to_value(&run).unwrap();
        let first = &json["summary"][0];
        for key in ["name", "label", "raw", "number", "unit", "why"] {
            assert!(
                first.get(key).is_some(),
                "{package:?}: summary JSON lacks {key}"
            );
        }
    }
}

/// A database as Flinks Desk left it before the balances (schema version 3), with one
/// completed Credit Risk run that has a single value.
fn version_3_database(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    for sql in [
        include_str!("../migrations/0001_initial.sql"),
        include_str!("../migrations/0002_attribute_details.sql"),
        include_str!("../migrations/0003_authorize_tokens.sql"),
    ] {
        conn.execute_batch(sql).unwrap();
    }
    conn.pragma_update(None, "user_version", 3).unwrap();
    conn.execute_batch(
        "INSERT INTO environments (id, key, name, kind, api_base_url, customer_id, created_at)
             VALUES (1, 'builtin', 'Flinks Capital sandbox', 'builtin', 'http://127.0.0.1:1', 'cid', '2025-06-01T10:00:00.000Z');
         INSERT INTO customers (id, environment_id, key, label, institution, login_last4, created_at)
             VALUES (1, 1, 'borrower_nsf', 'Kevin Daigle', 'FlinksCapital', 'e2fe', '2025-06-01T10:00:00.000Z');
         INSERT INTO runs (id, customer_id, package, status, request_id, started_at, finished_at, duration_ms, accounts, transactions)
             VALUES (7, 1, 'credit-risk', 'completed', 'r7', '2025-06-01T10:00:00.000Z', '2025-06-01T10:00:05.000Z', 5000, 1, 370);
         INSERT INTO attribute_values (run_id, position, name, raw, number)
             VALUES (7, 0, 'balance_min', '-153.74', -153.74), (7, 1, 'not_a_headline', '3', 3);",
    )
    .unwrap();
}

#[tokio::test]
async fn a_version_3_database_is_upgraded_and_its_runs_open_without_a_balance_chart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.sqlite3");
    version_3_database(&db);
    let desk = desk_on(&db).await;
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, migration_files(), "every migration ran");
        let columns: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_info('account_balances')")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for column in ["run_id", "account_id", "title", "last4", "date", "balance"] {
            assert!(
                columns.iter().any(|c| c == column),
                "{column} in {columns:?}"
            );
        }
    }
    assert_eq!(desk.history(10).unwrap()[0].id, 7);
    let old = desk.open_run(7).unwrap();
    assert_eq!(old.rows.len(), 2);
    // Only what the run has: one of Credit Risk's eight headlines.
    assert_eq!(old.summary.len(), 1);
    assert_eq!(
        (old.summary[0].name.as_str(), old.summary[0].raw.as_str()),
        ("balance_min", "-153.74")
    );
    assert!(desk.balances(7).unwrap().is_empty());
    assert!(desk
        .charts(7)
        .unwrap()
        .iter()
        .all(|c| c.id != "balance-over-time"));

    // New runs in the upgraded database get their chart.
    let new = ran(&desk, "borrower_nsf", Package::CreditRisk).await;
    assert_eq!(desk.charts(new.run_id).unwrap()[0].id, "balance-over-time");
}

fn number(run: &RunResult, name: &str) -> f64 {
    run.rows
        .iter()
        .find(|r| r.name == name)
        .and_then(|r| r.number)
        .unwrap_or_else(|| panic!("{} has no {name}", run.customer_label))
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The words of an SVG, one per `<text>` (plotters writes them on the line after the tag).
fn texts(svg: &str) -> Vec<&str> {
    let lines: Vec<&str> = svg.lines().collect();
    lines
        .windows(2)
        .filter(|pair| pair[0].starts_with("<text"))
        .map(|pair| pair[1].trim())
        .collect()
}

/// How many bars (and legend squares) each colour has: the background is not one of them.
fn fills(svg: &str) -> BTreeMap<&str, usize> {
    let mut fills = BTreeMap::new();
    for line in svg
        .lines()
        .filter(|l| l.starts_with("<rect") && !l.contains("chart-bg"))
    {
        let fill = line.split("fill=\"").nth(1).unwrap();
        *fills.entry(&fill[..fill.find('"').unwrap()]).or_default() += 1;
    }
    fills
}

fn average_names(run: &RunResult) -> Vec<&str> {
    run.rows
        .iter()
        .filter(|r| r.unit == Unit::Currency && r.number.is_some())
        .map(|r| r.name.as_str())
        .filter(|n| n.starts_with("average_monthly_"))
        .collect()
}

/// What two runs can be drawn together, worked out from each run on its own: the monthly series
/// both runs chart, then the monthly averages when they have one in common.
fn shared_charts(desk: &Desk, left: &RunResult, right: &RunResult) -> Vec<String> {
    let series = |run: &RunResult| -> Vec<String> {
        desk.charts(run.run_id)
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .filter(|id| id.starts_with("monthly-") && id != "monthly-averages")
            .collect()
    };
    let right_series = series(right);
    let mut ids: Vec<String> = series(left)
        .into_iter()
        .filter(|id| right_series.contains(id))
        .map(|id| format!("compare-{id}"))
        .collect();
    let right_averages = average_names(right);
    if average_names(left)
        .iter()
        .any(|n| right_averages.contains(n))
    {
        ids.push("compare-monthly-averages".into());
    }
    ids
}

#[tokio::test]
async fn two_customers_income_runs_are_charted_side_by_side_with_their_own_values() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk_on(&dir.path().join("desk.sqlite3")).await;
    let left = ran(&desk, "salaried_biweekly", Package::Income).await;
    let right = ran(&desk, "borrower_nsf", Package::Income).await;
    let (l, r) = (&left.customer_label, &right.customer_label);
    assert_ne!(l, r);
    let comparison = desk.compare(left.run_id, right.run_id).unwrap();

    let ids: Vec<&str> = comparison.charts.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, shared_charts(&desk, &left, &right));
    assert!(ids.contains(&"compare-monthly-employer_income"), "{ids:?}");
    let titles: BTreeSet<&str> = comparison.charts.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles.len(), ids.len(), "one title per chart: {titles:?}");
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), ids.len());

    let monthly = comparison
        .charts
        .iter()
        .find(|c| c.id == "compare-monthly-employer_income")
        .unwrap();
    // Last month is a whole month for both customers, and they were paid differently in it, so
    // a swapped or a repeated value shows.
    let (lv, rv) = (
        number(&left, "sum_employer_income_previous_month"),
        number(&right, "sum_employer_income_previous_month"),
    );
    assert_ne!(cad(lv), cad(rv));
    let finished: chrono::NaiveDate = left.finished_at[..10].parse().unwrap();
    let last_month = finished
        .checked_sub_months(chrono::Months::new(1))
        .unwrap()
        .format("%b '%y");
    let expected = format!("{last_month}: {l} {}, {r} {}", cad(lv), cad(rv));
    assert!(
        monthly.description.contains(&expected),
        "{expected} not in {}",
        monthly.description
    );
    assert!(monthly
        .description
        .starts_with(&format!("Employer income by month, {l} and {r}: ")));
    let words = texts(&monthly.svg);
    assert!(words.contains(&xml(l).as_str()), "legend: {words:?}");
    assert!(words.contains(&xml(r).as_str()), "legend: {words:?}");
    // Each customer's bars in a colour of their own: a bar per month and the legend's square.
    let months = left
        .rows
        .iter()
        .filter(|row| row.name.starts_with("sum_employer_income_") && row.name.contains("month"))
        .count();
    assert!(months >= 12, "{months}");
    let bars: Vec<usize> = fills(&monthly.svg).into_values().collect();
    assert_eq!(bars, [months + 1, months + 1]);

    let averages = comparison
        .charts
        .iter()
        .find(|c| c.id == "compare-monthly-averages")
        .unwrap();
    // Every average both have, under its label as the table shows it without "Average monthly".
    let right_averages = average_names(&right);
    let shared: Vec<&str> = average_names(&left)
        .into_iter()
        .filter(|n| right_averages.contains(n))
        .collect();
    assert!(!shared.is_empty());
    for name in shared {
        let label = &left.rows.iter().find(|row| row.name == name).unwrap().label;
        let label = label.trim_start_matches("Average monthly ");
        let label = label[..1].to_uppercase() + &label[1..];
        let expected = format!(
            "{label}: {l} {}, {r} {}",
            cad(number(&left, name)),
            cad(number(&right, name))
        );
        assert!(
            averages.description.contains(&expected),
            "{expected} not in {}",
            averages.description
        );
    }

    // What the UI reads: `comparison.charts`, each like a run's chart.
    let json = serde_json::to_value(&comparison).unwrap();
    let charts = json["charts"].as_array().unwrap();
    assert_eq!(charts.len(), ids.len());
    for key in ["id", "title", "svg", "description"] {
        assert!(charts[0][key].is_string(), "chart JSON lacks {key}");
    }
}

#[tokio::test]
async fn runs_of_different_packages_share_only_the_charts_both_can_draw() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk_on(&dir.path().join("desk.sqlite3")).await;
    let income = ran(&desk, "salaried_biweekly", Package::Income).await;
    let lending = ran(&desk, "borrower_nsf", Package::Lending).await;
    let own = |run: &RunResult| -> Vec<String> {
        desk.charts(run.run_id)
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect()
    };
    // Income charts series that Lending does not report: they must stay out.
    assert!(own(&income).contains(&"monthly-total_income".to_owned()));
    assert!(!own(&lending).contains(&"monthly-total_income".to_owned()));
    for (left, right) in [(&income, &lending), (&lending, &income)] {
        let comparison = desk.compare(left.run_id, right.run_id).unwrap();
        let ids: Vec<String> = comparison.charts.iter().map(|c| c.id.clone()).collect();
        assert_eq!(ids, shared_charts(&desk, left, right));
        assert!(ids.contains(&"compare-monthly-employer_income".to_owned()));
        assert!(!ids.contains(&"compare-monthly-total_income".to_owned()));
    }

    // Business Analysis has neither a monthly series nor a monthly average in common with
    // Credit Risk: the table, and no chart.
    let credit = ran(&desk, "salaried_biweekly", Package::CreditRisk).await;
    let business = ran(&desk, "small_business", Package::BusinessAnalysis).await;
    assert!(shared_charts(&desk, &credit, &business).is_empty());
    for (left, right) in [(&credit, &business), (&business, &credit)] {
        let comparison = desk.compare(left.run_id, right.run_id).unwrap();
        assert!(!comparison.rows.is_empty());
        assert!(comparison.charts.is_empty());
    }
}

#[tokio::test]
async fn the_same_customer_twice_is_told_apart_in_the_legend() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk_on(&dir.path().join("desk.sqlite3")).await;
    let first = ran(&desk, "salaried_biweekly", Package::Income).await;
    let again = ran(&desk, "salaried_biweekly", Package::Income).await;
    let customer = &first.customer_label;
    let comparison = desk.compare(first.run_id, again.run_id).unwrap();
    assert!(!comparison.charts.is_empty());
    for chart in &comparison.charts {
        let legend: BTreeSet<&str> = texts(&chart.svg)
            .into_iter()
            .filter(|t| t.starts_with(&xml(customer)))
            .collect();
        assert_eq!(legend.len(), 2, "{}: {legend:?}", chart.id);
        assert!(
            legend.iter().all(|name| name.len() > xml(customer).len()),
            "{}: {legend:?}",
            chart.id
        );
    }

    // Another package of the same customer: the package tells them apart.
    let all = ran(&desk, "salaried_biweekly", Package::All).await;
    let comparison = desk.compare(first.run_id, all.run_id).unwrap();
    let names = [
        format!("{customer} · {}", first.package),
        format!("{customer} · {}", all.package),
    ];
    assert_ne!(names[0], names[1]);
    for chart in &comparison.charts {
        let words = texts(&chart.svg);
        for name in &names {
            assert!(
                words.contains(&xml(name).as_str()),
                "{}: {words:?}",
                chart.id
            );
            assert!(chart.description.contains(name), "{}", chart.description);
        }
    }
}

/// How many migrations the desk has: one SQL file each.
fn migration_files() -> i64 {
    std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql"))
        })
        .count() as i64
}
