//! Property tests of the CSV exports (a run's, and a portfolio's wide sheet): whatever an
//! attribute's name, label or value (or the customer's label), the file parses back with the csv
//! crate to exactly what was written, numbers stay numbers, and nothing a spreadsheet would run
//! as a formula is left as it came.
//!
//! The contract itself lives in the fuzz project's `csv_case.rs`, compiled in here, so these
//! properties, the `csv_export` fuzz target and the replay of its crashes all judge alike.

#[path = "../../fuzz/src/csv_case.rs"]
mod csv_case;

use std::path::Path;

use desk_core::export::{neutralize, CsvOptions};
use desk_core::Package;
use proptest::prelude::*;
use rust_decimal::Decimal;

use csv_case::{
    attribute_row, check, check_wide, is_number, portfolio, run, written_as, FORMULA_TRIGGERS,
    UNITS,
};

/// Cells of every kind the export meets: any text, numbers as the desk stores them, formula
/// payloads, and what CSV itself must quote.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[-+]?[0-9]{1,12}(\\.[0-9]{1,8})?",
        "[=+\\-@\t\r][^\u{1f}]{0,24}",
        // Signs before what f64's parser also takes for a number, and near misses.
        "[-+]?(inf|INF|Infinity|nan|NaN|[0-9.eE+\\-]{0,6})",
        "[\",\r\n ']{0,4}[a-zA-Z0-9=@+\\-]{0,8}[\",\r\n ']{0,4}",
    ]
}

fn package() -> impl Strategy<Value = Package> {
    prop::sample::select(Package::ALL.to_vec())
}

fn a_run() -> impl Strategy<Value = desk_core::RunResult> {
    let row = (cell(), cell(), cell(), cell(), 0..UNITS.len())
        .prop_map(|(scope, name, label, raw, u)| attribute_row(scope, name, label, raw, UNITS[u]));
    (
        cell(),
        cell(),
        package(),
        cell(),
        prop::collection::vec(row, 0..8),
    )
        .prop_map(|(customer, environment, package, at, rows)| {
            run(customer, environment, package, at, rows)
        })
}

/// A decimal as the desk stores a number: `Decimal::normalize().to_string()`.
fn stored_decimal() -> impl Strategy<Value = String> {
    (any::<i64>(), 0u32..=28).prop_map(|(m, scale)| Decimal::new(m, scale).normalize().to_string())
}

proptest! {
    #[test]
    fn any_run_round_trips_with_no_formula_left(run in a_run(), bom in any::<bool>()) {
        check(&run, CsvOptions { bom });
    }

    #[test]
    fn any_portfolio_sheet_round_trips_with_no_formula_left(
        runs in prop::collection::vec(a_run(), 0..4),
        bom in any::<bool>(),
    ) {
        check_wide(&runs, CsvOptions { bom });
    }

    #[test]
    fn neutralize_keeps_the_contract(value in cell()) {
        prop_assert_eq!(neutralize(&value), written_as(&value));
    }

    #[test]
    fn numbers_stay_numbers(raw in prop_oneof![
        stored_decimal(),
        any::<f64>().prop_filter("finite", |x| x.is_finite()).prop_map(|x| x.to_string()),
    ]) {
        prop_assert!(is_number(&raw), "{raw:?}");
        prop_assert_eq!(neutralize(&raw), raw.as_str());
        let r = run(
            "Maya Chen".into(),
            "Flinks Capital sandbox".into(),
            Package::CreditRisk,
            "2026-11-25T18:00:00.000Z".into(),
            vec![attribute_row("login".into(), "balance_min".into(), "Minimum balance".into(), raw, UNITS[0])],
        );
        check(&r, CsvOptions::default());
    }

    #[test]
    fn formulas_get_an_apostrophe(
        trigger in prop::sample::select(FORMULA_TRIGGERS.to_vec()),
        rest in "[^0-9.eE]{1,8}[^\u{1f}]{0,16}",
    ) {
        let formula = format!("{trigger}{rest}");
        prop_assert_eq!(neutralize(&formula).into_owned(), format!("'{formula}"));
    }
}

#[test]
fn the_documented_cases() {
    for (value, cell) in [
        ("-12.5", "-12.5"),
        ("-153.74", "-153.74"),
        ("+3", "+3"),
        ("1e5", "1e5"),
        ("-1+2", "'-1+2"),
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1+2", "'+1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\r1", "'\r1"),
        ("-inf", "'-inf"),
        ("+NaN", "'+NaN"),
        ("'=already", "'=already"),
        ("Air Canada", "Air Canada"),
    ] {
        assert_eq!(neutralize(value), cell, "{value:?}");
        assert_eq!(written_as(value), cell, "{value:?}");
    }
}

/// Replays the `csv_export` fuzz target's kept inputs (its crashes, and hostile inputs kept
/// beside them) through the same case and contract.
#[test]
fn csv_export_regressions_still_pass() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/regressions/csv_export");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let replay = std::panic::catch_unwind(|| {
            let (run, options) = csv_case::case(&bytes);
            check(&run, options);
            check_wide(&portfolio(&run), options);
        });
        assert!(replay.is_ok(), "{} fails again", path.display());
    }
}
