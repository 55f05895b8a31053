//! The balance chart and the per-package summary, end to end: a desk on its built-in sandbox,
//! checked against the sandbox's own persona data, and against a database from before either.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use desk_core::charts::cad;
use desk_core::store::{BalanceSeries, DayBalance};
use desk_core::{BuiltinOptions, Desk, MemoryStore, Package, Store};
use rust_decimal::Decimal;

async fn desk_on(db: &Path) -> Desk {
    Desk::start(
        BuiltinOptions {
            port: None,
            pending_for: Duration::ZERO,
            poll_interval: Duration::from_millis(30),
        },
        Store::open(db).unwrap(),
        Arc::new(MemoryStore::default()),
    )
    .await
    .expect("the built-in sandbox starts")
}

async fn ran(desk: &Desk, customer: &str, package: Package) -> desk_core::RunResult {
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
        assert_eq!(version, 4);
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
