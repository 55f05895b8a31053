//! Decisions in the exports: a run's CSV carries its latest decision on every row after the
//! value columns (which stay where they were), the portfolio's sheet a `decision` column per
//! customer, empty when undecided; an override's comment is neutralized like any cell.

mod common;

use std::path::Path;
use std::sync::Arc;

use desk_core::export::{DECISION_HEADER, HEADER};
use desk_core::{CsvOptions, Decision, Desk, MemoryStore, Package, Policy};

const PERSONAL_LOAN: &[u8] = include_bytes!("../../desk-policy/policies/personal-loan.json");

async fn start(dir: &Path) -> Desk {
    common::start_desk(&dir.join("desk.sqlite3"), Arc::new(MemoryStore::default())).await
}

async fn lending(desk: &Desk, customer: &str) -> i64 {
    desk.run(customer, Package::Lending, &|_| {})
        .await
        .unwrap()
        .run_id
}

fn read(path: &Path) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    (header, reader.records().map(Result::unwrap).collect())
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no {name} column in {header:?}"))
}

#[tokio::test]
async fn a_run_csv_carries_its_latest_decision_after_the_value_columns() {
    let dir = tempfile::tempdir().unwrap();
    let desk = start(dir.path()).await;
    let run = lending(&desk, "borrower_nsf").await;
    let decided = desk
        .decide(run, "Personal loan", PERSONAL_LOAN, None)
        .unwrap();
    let comment = "=HYPERLINK(\"http://x\") documents seen; hospital stay";
    let overridden = desk
        .override_decision(decided.summary.id, Decision::Refer, comment)
        .unwrap();
    assert_eq!(overridden.summary.final_decision, "refer");

    let path = dir.path().join("run.csv");
    let summary = desk.export_csv(run, &path, CsvOptions::default()).unwrap();
    let (header, records) = read(&path);
    // The older columns first, in place; the decision's after them.
    assert_eq!(&header[..HEADER.len()], HEADER.as_slice());
    assert_eq!(&header[HEADER.len()..], DECISION_HEADER.as_slice());
    assert_eq!(records.len(), summary.rows);
    assert!(!records.is_empty());
    for record in &records {
        assert_eq!(&record[column(&header, "decision")], "refer");
        assert_eq!(
            &record[column(&header, "policy_decision")],
            decided.summary.decision
        );
        assert_eq!(&record[column(&header, "policy")], "Personal loan");
        assert_eq!(
            &record[column(&header, "policy_sha256")],
            Policy::from_json(PERSONAL_LOAN).unwrap().sha256()
        );
        // A spreadsheet would run it as a formula: it comes out behind an apostrophe.
        assert_eq!(
            &record[column(&header, "override_comment")],
            format!("'{comment}")
        );
        assert_eq!(
            &record[column(&header, "decided_at")],
            overridden.summary.decided_at
        );
    }
}

#[tokio::test]
async fn an_undecided_run_has_the_same_columns_left_empty() {
    let dir = tempfile::tempdir().unwrap();
    let desk = start(dir.path()).await;
    let run = lending(&desk, "salaried_biweekly").await;
    let path = dir.path().join("run.csv");
    desk.export_csv(run, &path, CsvOptions::default()).unwrap();
    let (header, records) = read(&path);
    assert_eq!(header.len(), HEADER.len() + DECISION_HEADER.len());
    for record in &records {
        assert!(record.iter().skip(HEADER.len()).all(str::is_empty));
    }
}

#[tokio::test]
async fn the_portfolio_sheet_has_each_customers_final_decision() {
    let dir = tempfile::tempdir().unwrap();
    let desk = start(dir.path()).await;
    let nsf = lending(&desk, "borrower_nsf").await;
    let saver = lending(&desk, "high_income_saver").await;
    let undecided = lending(&desk, "gig_worker").await;
    let policy_says = desk
        .decide(saver, "Personal loan", PERSONAL_LOAN, None)
        .unwrap()
        .summary
        .decision;
    let first = desk
        .decide(nsf, "Personal loan", PERSONAL_LOAN, None)
        .unwrap();
    // The latest decision stands: here the underwriter's override.
    desk.override_decision(first.summary.id, Decision::Pass, "=1+1 paid off since")
        .unwrap();

    let path = dir.path().join("portfolio.csv");
    let summary = desk
        .export_portfolio_csv(&[nsf, saver, undecided], &path, CsvOptions::default())
        .unwrap();
    assert_eq!(summary.rows, 3);
    let (header, records) = read(&path);
    assert_eq!(
        &header[..5],
        ["customer", "environment", "package", "run_time", "decision"]
    );
    let decision = column(&header, "decision");
    let labels: Vec<&str> = records.iter().map(|r| &r[0]).collect();
    assert_eq!(records.len(), 3, "{labels:?}");
    assert_eq!(&records[0][decision], "pass");
    assert_eq!(&records[1][decision], policy_says);
    assert_eq!(&records[2][decision], "", "undecided: empty");
    // The attribute columns still follow, found by name.
    let nsf_count = column(&header, "count_nsf_90_days");
    assert!(nsf_count > decision);
    assert!(!records[0][nsf_count].is_empty());
}
